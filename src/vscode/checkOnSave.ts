/**
 * With `llmLab.checkOnSave` on, saving an exercise file runs its checks (through Check Exercise, the
 * one check path). Off by default: a check opens the results panel, which not everyone wants on every save.
 */
import * as vscode from 'vscode';
import type { CheckService } from './checker';
import type { CourseService } from './course';
import { Disposable } from './dispose';
import type { LearnerState } from './learner';
import { settings } from './settings';

export class CheckOnSave extends Disposable {
  constructor(course: CourseService, learner: LearnerState, checks: CheckService) {
    super();
    this.register(vscode.workspace.onDidSaveTextDocument(async (doc) => {
      if (!settings.checkOnSave() || !vscode.workspace.isTrusted || doc.uri.scheme !== 'file') return;
      const id = learner.exerciseForFile(await course.get(), doc.uri.fsPath);
      // A check saves the file itself: do not start a second run from that save.
      if (id && !checks.isRunning(id)) void vscode.commands.executeCommand('llmLab.checkExercise', id);
    }));
  }
}
