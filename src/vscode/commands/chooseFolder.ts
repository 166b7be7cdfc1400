import type { Command } from './types';

/** With no folder open: asks where the exercise files go (the Lessons view's welcome offers this). */
export const chooseFolder: Command = {
  id: 'llmLab.chooseFolder',
  execute(s) {
    return s.learner.chooseFolder();
  },
};
