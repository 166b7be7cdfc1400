import type { Command } from './types';

export const refreshLessons: Command = {
  id: 'llmLab.refreshLessons',
  execute(s) {
    s.course.reload();
  },
};

export const showOutput: Command = {
  id: 'llmLab.showOutput',
  execute(s) {
    s.log.show(true);
  },
};
