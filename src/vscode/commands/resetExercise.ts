import * as path from 'node:path';
import * as vscode from 'vscode';
import { learnerFile, resetExercise as reset } from '../../core/workspace';
import { currentLocale } from '../course';
import { reloadFromDisk } from '../reload';
import type { Command } from './types';
import { exerciseIdFrom } from './target';

/** Puts the scaffold back after saving the learner's code as a timestamped backup. */
export const resetExercise: Command = {
  id: 'llmLab.resetExercise',
  async execute(s, arg, options?: unknown) {
    const id = await exerciseIdFrom(s, arg);
    if (!id) return undefined;
    const { lesson, exercise } = await s.course.exercise(id);
    const folder = await s.learner.folderOrAsk();
    if (!folder) return undefined;
    const file = learnerFile(folder, lesson, exercise);
    const confirmed = (options as { confirmed?: boolean } | undefined)?.confirmed;
    const yes = vscode.l10n.t('Reset');
    if (!confirmed && await vscode.window.showWarningMessage(
      vscode.l10n.t('Reset {0} to the original scaffold? Your current code is saved as a backup first.', exercise.fileName), { modal: true }, yes) !== yes) return undefined;
    // Unsaved edits go into the backup too.
    await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file && d.isDirty)?.save();
    const saved = await reset(folder, lesson, exercise, currentLocale());
    s.log.info(`reset ${file}${saved ? `; backup at ${saved}` : ''}`);
    s.diagnostics.clear(file); // the old code's errors do not belong on the fresh scaffold
    await reloadFromDisk(file);
    const restore = vscode.l10n.t('Restore Backup');
    if (saved) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Reset {0}. Your code was saved to {1}.', exercise.fileName, path.relative(folder, saved)), restore)
        .then((pick) => pick === restore && vscode.commands.executeCommand('llmLab.restoreBackup', id));
    }
    return saved;
  },
};
