import * as vscode from 'vscode';
import type { Command } from './types';

/** The walkthrough's id in package.json (contributes.walkthroughs). */
export const WALKTHROUGH_ID = 'llmLab.getStarted';

/** Opens the "Get Started with LLM Lab" walkthrough. */
export const getStarted: Command = {
  id: 'llmLab.getStarted',
  async execute(s) {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${s.extensionId}#${WALKTHROUGH_ID}`, false);
  },
};
