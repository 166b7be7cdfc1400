import * as vscode from 'vscode';
import type { Command } from './types';
import { exerciseIdFrom } from './target';

/** Reveals the exercise's hints one at a time; already revealed ones can be read again. */
export const showHint: Command = {
  id: 'llmLab.showHint',
  async execute(s, arg) {
    const id = await exerciseIdFrom(s, arg);
    if (!id) return undefined;
    const { exercise } = await s.course.exercise(id);
    const total = exercise.hints.length;
    const shown = s.learner.get(id).hintsShown;
    if (shown < total) await s.learner.revealHint(id, total);
    const n = Math.min(total, shown + 1);
    const next = vscode.l10n.t('Next Hint');
    // Not awaited: the command returns the hint while the message stays open.
    void vscode.window.showInformationMessage(vscode.l10n.t('Hint {0} of {1}: {2}', n, total, exercise.hints[n - 1]), ...(n < total ? [next] : []))
      .then((pick) => pick === next && vscode.commands.executeCommand('llmLab.showHint', id));
    return exercise.hints[n - 1];
  },
};
