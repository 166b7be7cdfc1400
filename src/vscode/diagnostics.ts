/**
 * Failing checks as errors in the learner's file (squiggles and the Problems panel): one per failing
 * check that points at a line, plus the run's own fault (a syntax error, a missing export). Each run
 * replaces the previous run's errors for that file; they stay until the next run, or until the file's
 * code is replaced by Reset or Restore Backup.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunResult, SourceLocation } from '../core/grading/result';
import { formatValue } from '../core/report';
import type { CheckService } from './checker';
import { Disposable } from './dispose';
import { affects, settings } from './settings';

export const DIAGNOSTIC_SOURCE = 'LLM Lab';

export class DiagnosticsService extends Disposable {
  readonly collection = this.register(vscode.languages.createDiagnosticCollection('llmLab'));

  constructor(checks: CheckService) {
    super();
    this.register(checks.onDidFinish(({ result }) => this.update(result)));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'diagnostics') && !settings.diagnostics()) this.collection.clear(); }));
  }

  /** Forgets a file's errors: its code was replaced (Reset, Restore Backup) and has not been checked. */
  clear(file: string): void {
    this.collection.delete(vscode.Uri.file(file));
  }

  update(result: RunResult): void {
    // A cancelled run says nothing new about the code: keep what the last run found.
    if (result.error?.kind === 'cancelled') return;
    const uri = vscode.Uri.file(result.file);
    if (!settings.diagnostics()) { this.collection.delete(uri); return; }
    const lines = this.lines(uri);
    const range = (loc: SourceLocation) => {
      const line = Math.min(Math.max(0, loc.line - 1), Math.max(0, lines.length - 1));
      const text = lines[line] ?? '';
      const start = Math.min(Math.max(0, loc.column - 1), text.length);
      return new vscode.Range(line, start, line, Math.max(start, text.trimEnd().length));
    };
    const list: vscode.Diagnostic[] = [];
    for (const c of result.checks) {
      if ((c.status !== 'failed' && c.status !== 'error') || !c.location || c.location.file !== result.file) continue;
      const parts = [`${c.name}: ${c.message ?? c.status}`];
      if (c.expected) parts.push(vscode.l10n.t('expected: {0}', formatValue(c.expected)));
      if (c.actual) parts.push(vscode.l10n.t('actual: {0}', formatValue(c.actual)));
      if (c.hint) parts.push(vscode.l10n.t('Hint: {0}', c.hint));
      const d = new vscode.Diagnostic(range(c.location), parts.join('\n'), c.convention ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Error); // a convention is a note, not an error
      d.source = DIAGNOSTIC_SOURCE;
      d.code = c.id;
      list.push(d);
    }
    const e = result.error;
    if (e?.location && e.location.file === result.file) {
      const d = new vscode.Diagnostic(range(e.location), e.message, vscode.DiagnosticSeverity.Error);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = e.kind;
      list.push(d);
    }
    this.collection.set(uri, list);
  }

  private lines(uri: vscode.Uri): string[] {
    // The file on disk is what was checked (the check saved any edits first). An open editor can lag
    // behind a change made by another tool until VS Code reloads it; its lines are only the fallback.
    try { return readFileSync(uri.fsPath, 'utf8').split(/\r?\n/); } catch { /* gone: use the editor's copy */ }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    return doc ? doc.getText().split(/\r?\n/) : [];
  }
}
