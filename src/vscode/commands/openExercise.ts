import * as vscode from 'vscode';
import { openExercise as copyScaffold, missingPrerequisites, prepareFolder } from '../../core/workspace';
import { currentLocale } from '../course';
import type { Command } from './types';
import { exerciseIdFrom } from './target';

/** Copies the scaffold into the exercise folder (never over an existing file) and opens it. */
export const openExercise: Command = {
  id: 'llmLab.openExercise',
  async execute(s, arg) {
    const id = await exerciseIdFrom(s, arg);
    if (!id) return undefined;
    const { lesson, exercise } = await s.course.exercise(id);
    const folder = await s.learner.folderOrAsk();
    if (!folder) return undefined;
    await prepareFolder(folder, s.install.types);
    const { file, created } = await copyScaffold(folder, lesson, exercise, currentLocale());
    s.log.info(`${created ? 'created' : 'opened existing'} ${file}`);
    // An exercise that imports the learner's earlier files says which to open first, instead of a compile error.
    const missing = await missingPrerequisites(folder, await s.course.get(), exercise);
    if (missing.length) {
      const first = missing[0].exercise;
      const open = vscode.l10n.t('Open "{0}"', first.title);
      void vscode.window.showWarningMessage(vscode.l10n.t('This exercise builds on your earlier work. Open these exercises first: {0}.',
        missing.map((m) => `"${m.exercise.title}" (${m.exercise.id})`).join(', ')), open)
        .then((pick) => pick === open && vscode.commands.executeCommand('llmLab.openExercise', first.id));
    }
    await s.learner.markOpened(id);
    await s.learner.setLastLesson(lesson.id);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One, preview: false });
    return file;
  },
};
