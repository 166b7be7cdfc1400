import * as vscode from 'vscode';
import { SOLUTION_AFTER_FAILED_RUNS, solutionAvailable } from '../../core/progress';
import type { Command } from './types';
import { exerciseIdFrom } from './target';

export const SOLUTION_SCHEME = 'llm-lab-solution';

/** Opens the reference solution read-only, once the exercise passed or after several failed checks, and after asking. */
export const showSolution: Command = {
  id: 'llmLab.showSolution',
  async execute(s, arg) {
    const id = await exerciseIdFrom(s, arg);
    if (!id) return undefined;
    const { exercise } = await s.course.exercise(id);
    const p = s.learner.get(id);
    if (!solutionAvailable(p)) {
      const left = SOLUTION_AFTER_FAILED_RUNS - p.failedRuns;
      // A question gets its answers as buttons.
      const hint = vscode.l10n.t('Show Hint');
      void vscode.window.showInformationMessage(vscode.l10n.t('The solution opens once the exercise passes, or after {0} more checks of your own code. Try a hint first?', left), hint)
        .then((pick) => pick === hint && vscode.commands.executeCommand('llmLab.showHint', id));
      return undefined;
    }
    const yes = vscode.l10n.t('Show Solution');
    const answer = p.everPassed ? yes : await vscode.window.showWarningMessage(
      vscode.l10n.t('Reveal the reference solution for "{0}"? Working it out yourself teaches more.', exercise.title), { modal: true }, yes);
    if (answer !== yes) return undefined;
    const uri = vscode.Uri.from({ scheme: SOLUTION_SCHEME, path: `/${id}/${exercise.fileName.replace(/\.ts$/, '.solution.ts')}` });
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return uri;
  },
};
