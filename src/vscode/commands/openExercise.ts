import * as vscode from 'vscode';
import { openExercise as copyScaffold, prepareFolder } from '../../core/workspace';
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
    const { file, created } = await copyScaffold(folder, lesson, exercise);
    s.log.info(`${created ? 'created' : 'opened existing'} ${file}`);
    await s.learner.markOpened(id);
    await s.learner.setLastLesson(lesson.id);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One, preview: false });
    return file;
  },
};
