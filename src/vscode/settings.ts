/**
 * The learner's settings (contributes.configuration in package.json), read in one place with their
 * defaults. Values are read when needed, so a change applies at once.
 */
import * as vscode from 'vscode';

const SECTION = 'llmLab';

function get<T>(key: string, fallback: T): T {
  return vscode.workspace.getConfiguration(SECTION).get<T>(key, fallback);
}

export const settings = {
  /** Open (or reveal) the results panel when a check starts. */
  showResultsOnCheck: () => get('showResultsOnCheck', true),
  /** "Check" and "Hint" above each function a check targets. */
  codeLens: () => get('codeLens', true),
  /** Failing checks as errors in the editor and the Problems panel. */
  diagnostics: () => get('diagnostics', true),
  /** The current lesson and course progress in the status bar. */
  statusBar: () => get('statusBar', true),
  /** Run the checks every time an exercise file is saved. */
  checkOnSave: () => get('checkOnSave', false),
};

/** Whether a configuration change touches `llmLab.<key>`. */
export function affects(e: vscode.ConfigurationChangeEvent, key: keyof typeof settings | 'exerciseFolder' | 'language'): boolean {
  return e.affectsConfiguration(`${SECTION}.${key}`);
}
