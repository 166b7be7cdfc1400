import type { Command } from './types';
import { lessonIdFrom } from './target';

export const openLesson: Command = {
  id: 'llmLab.openLesson',
  async execute(s, arg) {
    const id = await lessonIdFrom(s, arg);
    if (!id) return;
    s.lessonPanel.show(await s.course.lesson(id));
    await s.learner.setLastLesson(id);
  },
};
