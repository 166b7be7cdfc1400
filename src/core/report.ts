/**
 * A RunResult as plain text: one line per check, with the details a learner needs under a failure.
 * Used by the CLI and the output channel.
 */
import * as path from 'node:path';
import type { CheckOutcome, RunResult, ShownValue } from './grading/result';
import { summarize } from './grading/result';
import type { Locale } from './grading/text';

/** The report's own words, in both languages (check names, messages and hints come from the runner already localised). */
const WORDS = {
  en: {
    same: (name: string) => `the same as "${name}" above`, expected: 'expected:', actual: 'actual:  ', at: 'at', hint: 'hint:',
    output: 'output of your code:', all: (n: number, ms: string) => `All ${n} checks passed (${ms})`,
    some: (p: number, n: number, kind: string, ms: string) => `${p} of ${n} checks passed${kind ? ` (${kind})` : ''} (${ms})`,
    convention: (lib: string) => `a convention of ${lib}, not a mistake:`,
  },
  'zh-cn': {
    same: (name: string) => `与上面的“${name}”相同`, expected: '应为：', actual: '实际：', at: '位置', hint: '提示：',
    output: '你的代码的输出：', all: (n: number, ms: string) => `全部 ${n} 项检查通过（${ms}）`,
    some: (p: number, n: number, kind: string, ms: string) => `${n} 项检查中通过 ${p} 项${kind ? `（${kind}）` : ''}（${ms}）`,
    convention: (lib: string) => `这是 ${lib} 的约定，不是错误：`,
  },
} as const;

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
      const shown = v.data.slice(0, 12).map((x) => (typeof x !== 'number' ? String(x) : Number.isInteger(x) ? String(x) : x.toPrecision(5)));
      const more = v.data.length > 12 || v.truncated ? ', ...' : '';
      return `shape [${v.shape.join(', ')}] [${shown.join(', ')}${more}]`;
    }
  }
}

const where = (loc: { file: string; line: number; column: number }) => `${path.basename(loc.file)}:${loc.line}:${loc.column}`;

/** The words that identify a diagnosis: its message's first line and its hint (details such as values vary by check). */
export const diagnosisKey = (c: CheckOutcome): string => `${(c.message ?? '').split('\n')[0]}\u0000${c.hint ?? ''}`;

export function formatResult(result: RunResult, s: Style = plain, locale: Locale = 'en'): string {
  const w = WORDS[locale] ?? WORDS.en;
  const lines: string[] = [`${result.exerciseId}  ${s.dim(result.file)}`];
  // Say one thing once: a diagnosis shared by several failing checks is written under the first, and the
  // others refer to it.
  const firstWith = new Map<string, CheckOutcome>();
  for (const c of result.checks) {
    if (c.status === 'failed' || c.status === 'error') if (c.message && !firstWith.has(diagnosisKey(c))) firstWith.set(diagnosisKey(c), c);
  }
  for (const c of result.checks) {
    const icon = c.status === 'passed' ? s.ok(ICON.passed) : c.status === 'skipped' ? s.dim(ICON.skipped) : s.bad(ICON[c.status]);
    const time = s.dim(`(${c.durationMs.toFixed(1)} ms)`);
    lines.push(`  ${icon} ${c.name} ${c.status === 'passed' ? time : ''}`.trimEnd());
    if (c.status === 'passed') continue;
    const first = c.message ? firstWith.get(diagnosisKey(c)) : undefined;
    if (first && first !== c) {
      lines.push(s.dim(`      ${w.same(first.name)}`));
      continue;
    }
    if (c.convention) lines.push(`      ${w.convention(c.convention)}`);
    if (c.message) lines.push(`      ${c.status === 'skipped' || c.convention ? s.dim(c.message) : s.bad(c.message)}`);
    if (c.expected) lines.push(`      ${w.expected} ${formatValue(c.expected)}`);
    if (c.actual) lines.push(`      ${w.actual} ${formatValue(c.actual)}`);
    if (c.location) lines.push(s.dim(`      ${w.at} ${where(c.location)}`));
    if (c.hint) lines.push(`      ${w.hint} ${c.hint}`);
  }
  if (result.error) {
    lines.push(s.bad(`  ${result.error.message}`));
    if (result.error.location) lines.push(s.dim(`      ${w.at} ${where(result.error.location)}`));
    if (result.error.detail) lines.push(s.dim(result.error.detail.replace(/^/gm, '      ')));
  }
  if (result.logs.length) lines.push(s.dim(`  ${w.output}\n${result.logs.map((l) => `    ${l}`).join('\n')}`));
  const { passed, total } = summarize(result);
  const ms = `${Math.round(result.durationMs)} ms`;
  lines.push(result.status === 'passed' ? s.ok(w.all(total, ms)) : s.bad(w.some(passed, total, result.error?.kind ?? '', ms)));
  return lines.join('\n');
}
