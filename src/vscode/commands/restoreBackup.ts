import * as path from 'node:path';
import * as vscode from 'vscode';
import { learnerFile, listBackups, restoreBackup as restore } from '../../core/workspace';
import { reloadFromDisk } from '../reload';
import type { Command } from './types';
import { exerciseIdFrom } from './target';

/** Restores a backup chosen from a list; the current file is backed up first, so nothing is lost. */
export const restoreBackup: Command = {
  id: 'llmLab.restoreBackup',
  async execute(s, arg, chosen?: unknown) {
    const id = await exerciseIdFrom(s, arg);
    if (!id) return undefined;
    const { lesson, exercise } = await s.course.exercise(id);
    const folder = await s.learner.folderOrAsk();
    if (!folder) return undefined;
    const backups = await listBackups(folder, lesson, exercise);
    if (!backups.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There are no backups of {0} yet.', exercise.fileName));
      return undefined;
    }
    const file = typeof chosen === 'string' ? chosen : (await vscode.window.showQuickPick(
      backups.map((b) => ({ label: b.savedAt.toLocaleString(), description: path.basename(b.file), file: b.file })),
      { title: vscode.l10n.t('Restore which version of {0}?', exercise.fileName) },
    ))?.file;
    if (!file) return undefined;
    const target = learnerFile(folder, lesson, exercise);
    await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === target && d.isDirty)?.save();
    const saved = await restore(folder, lesson, exercise, file);
    s.log.info(`restored ${file} over ${target}${saved ? `; previous version at ${saved}` : ''}`);
    s.diagnostics.clear(target); // errors of the replaced code
    await reloadFromDisk(target);
    await vscode.window.showTextDocument(vscode.Uri.file(target), { viewColumn: vscode.ViewColumn.One, preview: false });
    // Say what happened, and offer the way back: the code just replaced was saved as a backup too.
    const undo = vscode.l10n.t('Undo');
    const when = backups.find((b) => b.file === file)?.savedAt.toLocaleString() ?? path.basename(file);
    void vscode.window.showInformationMessage(saved
      ? vscode.l10n.t('Restored {0} from the backup of {1}. The code it replaced was saved to {2}.', exercise.fileName, when, path.relative(folder, saved))
      : vscode.l10n.t('Restored {0} from the backup of {1}.', exercise.fileName, when), ...(saved ? [undo] : []))
      .then((pick) => pick === undo && saved && vscode.commands.executeCommand('llmLab.restoreBackup', id, saved));
    return saved;
  },
};
