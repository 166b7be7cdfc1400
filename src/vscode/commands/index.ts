import * as vscode from 'vscode';
import { checkExercise } from './checkExercise';
import { chooseFolder } from './chooseFolder';
import { getStarted } from './getStarted';
import { refreshLessons, showOutput } from './misc';
import { openExercise } from './openExercise';
import { openLesson } from './openLesson';
import { resetExercise } from './resetExercise';
import { restoreBackup } from './restoreBackup';
import { showHint } from './showHint';
import { showSolution } from './showSolution';
import type { Command, Services } from './types';

export const COMMANDS: Command[] = [
  openLesson, openExercise, checkExercise, showHint, showSolution, resetExercise, restoreBackup, refreshLessons, showOutput,
  getStarted, chooseFolder,
];

/** Registers every command; errors become a message instead of a silent failure. */
export function registerCommands(s: Services): vscode.Disposable[] {
  return COMMANDS.map((c) => vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
    try {
      return await c.execute(s, ...args);
    } catch (e) {
      s.log.error(`${c.id} failed: ${(e as Error)?.stack ?? e}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('LLM Lab: {0}', (e as Error)?.message ?? String(e)));
      return undefined;
    }
  }));
}
export type { Services } from './types';
