/**
 * A RunResult as plain text: one line per check, with the details a learner needs under a failure.
 * Used by the CLI and the output channel.
 */
import * as path from 'node:path';
import type { CheckOutcome, RunResult, ShownValue } from './grading/result';
import { summarize } from './grading/result';

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
}

export const plain: Style = { ok: (s) => s, bad: (s) => s, dim: (s) => s };

const ICON: Record<CheckOutcome['status'], string> = { passed: '✓', failed: '✗', error: '!', skipped: '-' };

export function formatValue(v: ShownValue): string {
  switch (v.kind) {
    case 'number': return String(v.value);
    case 'text': return v.text;
    case 'tensor': {
      const shown = v.data.slice(0, 12).map((x) => (Number.isInteger(x) ? String(x) : x.toPrecision(5)));
      const more = v.data.length > 12 || v.truncated ? ', ...' : '';
      return `shape [${v.shape.join(', ')}] [${shown.join(', ')}${more}]`;
    }
  }
}

const where = (loc: { file: string; line: number; column: number }) => `${path.basename(loc.file)}:${loc.line}:${loc.column}`;

export function formatResult(result: RunResult, s: Style = plain): string {
  const lines: string[] = [`${result.exerciseId}  ${s.dim(result.file)}`];
  for (const c of result.checks) {
    const icon = c.status === 'passed' ? s.ok(ICON.passed) : c.status === 'skipped' ? s.dim(ICON.skipped) : s.bad(ICON[c.status]);
    const time = s.dim(`(${c.durationMs.toFixed(1)} ms)`);
    lines.push(`  ${icon} ${c.name} ${c.status === 'passed' ? time : ''}`.trimEnd());
    if (c.status === 'passed') continue;
    if (c.message) lines.push(`      ${c.status === 'skipped' ? s.dim(c.message) : s.bad(c.message)}`);
    if (c.expected) lines.push(`      expected: ${formatValue(c.expected)}`);
    if (c.actual) lines.push(`      actual:   ${formatValue(c.actual)}`);
    if (c.location) lines.push(s.dim(`      at ${where(c.location)}`));
    if (c.hint) lines.push(`      hint: ${c.hint}`);
  }
  if (result.error) {
    lines.push(s.bad(`  ${result.error.message}`));
    if (result.error.location) lines.push(s.dim(`      at ${where(result.error.location)}`));
    if (result.error.detail) lines.push(s.dim(result.error.detail.replace(/^/gm, '      ')));
  }
  if (result.logs.length) lines.push(s.dim(`  output of your code:\n${result.logs.map((l) => `    ${l}`).join('\n')}`));
  const { passed, total } = summarize(result);
  const ms = `${Math.round(result.durationMs)} ms`;
  lines.push(result.status === 'passed'
    ? s.ok(`All ${total} checks passed (${ms})`)
    : s.bad(`${passed} of ${total} checks passed${result.error ? ` (${result.error.kind})` : ''} (${ms})`));
  return lines.join('\n');
}
