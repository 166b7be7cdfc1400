/** LLM Lab: learn how LLMs work by building one. activate() only wires services together. */
import type * as vscode from 'vscode';
import { createServices } from './vscode/lab';
import type { Services } from './vscode/commands';

/** Returned for tests (the extension-host suite reads the services through the extension's exports). */
export function activate(context: vscode.ExtensionContext): Services {
  return createServices(context);
}

export function deactivate(): void {}
