/**
 * After a command replaces a learner file on disk (Reset, Restore Backup), the editor that has it open should show
 * the new code at once. VS Code's file watcher reloads it eventually, but can lag on a busy machine or miss it
 * altogether where the system's file-watch limit is used up; a learner who then types into the old text would
 * meet a save conflict. So the open copy is reloaded explicitly ("Revert File", which reads the disk).
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';

/**
 * Reloads the open editor copy of `file` if it differs from the disk and has no unsaved edits. "Revert File" acts on
 * the active editor (it ignores a file argument), so the file's tab is brought to the front in its own group first,
 * and nothing is reverted unless it is then the active editor: another file's unsaved edits are never at stake.
 */
export async function reloadFromDisk(file: string): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (!doc || doc.isDirty) return; // not open, or the learner's unsaved edits: never discarded here
  let onDisk: string;
  try { onDisk = readFileSync(file, 'utf8'); } catch { return; }
  if (doc.getText() === onDisk) return;
  const group = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === file));
  if (!group) return; // in no tab: nothing on screen is stale, and VS Code reloads it from disk on its own
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: group.viewColumn, preview: false });
  if (vscode.window.activeTextEditor !== editor || doc.isDirty) return;
  await vscode.commands.executeCommand('workbench.action.files.revert');
}
