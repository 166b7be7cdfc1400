/**
 * Finding the learner's own line: in a stack trace (already source-mapped by Node) and in their source
 * (where an exported function is declared). Pure functions, tested without a process.
 */
import type { SourceLocation } from '../core/grading/result';

/** The first stack frame inside `file`, e.g. "at softmax (/ws/llm-lab/01-tensors/basics.ts:12:9)". */
export function locationInStack(stack: string | undefined, file: string): SourceLocation | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    const i = line.indexOf(file + ':');
    if (i < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(i + file.length));
    if (m) return { file, line: Number(m[1]), column: Number(m[2]) };
  }
  return undefined;
}

/** Keeps the stack lines that point into the learner's file (and the message), dropping runner internals. */
export function learnerStack(stack: string | undefined, file: string): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split('\n');
  const head = lines.filter((l) => !/^\s+at /.test(l));
  const frames = lines.filter((l) => /^\s+at /.test(l) && l.includes(file));
  return frames.length ? [...head, ...frames].join('\n') : undefined;
}

/** Where `name` is declared as an export: `export function name`, `export const name =`, `export { name }`. */
export function declarationOf(source: string, name: string, file: string): SourceLocation | undefined {
  const patterns = [
    new RegExp(`^\\s*export\\s+(?:async\\s+)?function\\s*\\*?\\s*${name}\\b`),
    new RegExp(`^\\s*export\\s+(?:const|let|var|class)\\s+${name}\\b`),
    new RegExp(`^\\s*(?:async\\s+)?function\\s*\\*?\\s*${name}\\b`),
    new RegExp(`^\\s*(?:const|let|var|class)\\s+${name}\\b`),
  ];
  const lines = source.split('\n');
  for (const re of patterns) {
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) return { file, line: i + 1, column: lines[i].search(/\S/) + 1 };
  }
  return undefined;
}

/** The names a module exports as functions, for "found: a, b" messages. */
export function exportedNames(mod: Record<string, unknown>): string[] {
  return Object.keys(mod).filter((k) => k !== '__esModule' && k !== 'default');
}
