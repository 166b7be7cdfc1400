import type { Command } from './types';
import { exerciseIdFrom } from './target';

export const checkExercise: Command = {
  id: 'llmLab.checkExercise',
  async execute(s, arg) {
    const id = await exerciseIdFrom(s, arg);
    return id ? s.checks.check(id) : undefined;
  },
};
