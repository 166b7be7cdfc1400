/** Shared helpers for unit tests: paths of the built runner and the fixture course, temp folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import type { RunResult } from '../../src/core/grading/result';
import { type Exercise, findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { solutionFolder } from '../../src/core/workspace';
import { planInWorker } from '../../src/harness/host';
import type { PlannedCheck } from '../../src/harness/protocol';

export const ROOT = path.resolve(__dirname, '..', '..');
export const WORKER = path.join(ROOT, 'dist', 'worker.js');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const FIXTURE_COURSE = path.join(ROOT, 'test', 'fixtures', 'course');
export const LESSONS = path.join(ROOT, 'lessons');

/** A fresh temporary folder, removed after the test file finishes. */
export function tempDir(prefix = 'llm-lab-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs jobs at most `n` at a time (the machine has two cores, and each job is a runner process). Jobs are
 * started in the order they are handed in; each caller awaits its own result.
 */
export function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (job) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * A catalogued mistake put into a reference solution: each `from` must occur exactly once in `source` (so an
 * edit of the solution that moves the text makes the test fail loudly instead of testing nothing).
 */
export function withEdits(source: string, edits: readonly (readonly [from: string, to: string])[], mistake: string): string {
  for (const [from, to] of edits) {
    const at = source.indexOf(from);
    if (at < 0 || source.indexOf(from, at + 1) >= 0) {
      throw new Error(`${mistake}: the solution must contain exactly one ${JSON.stringify(from)}`);
    }
    source = source.slice(0, at) + to + source.slice(at + from.length);
  }
  return source;
}

const plans = new Map<string, Promise<PlannedCheck[]>>();

/** A checks file's plan in English (check ids and names), listed once per test file. */
export function englishPlan(checksFile: string): Promise<PlannedCheck[]> {
  let plan = plans.get(checksFile);
  if (!plan) {
    plan = planInWorker(checksFile, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
    plans.set(checksFile, plan);
  }
  return plan;
}

/**
 * An exercise of the real course (which must load without errors) and its reference solution laid out as a learner's
 * folder, the earlier exercises it imports included: what the track tests run.
 */
export async function referenceSolution(exerciseId: string, prefix: string): Promise<{ exercise: Exercise; file: string }> {
  const catalog = await loadCatalog(LESSONS);
  const errors = catalog.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new Error(`the course has errors: ${JSON.stringify(errors)}`);
  const found = findExercise(catalog, exerciseId);
  if (!found) throw new Error(`no exercise ${exerciseId}`);
  return { exercise: found.exercise, file: await solutionFolder(path.join(tempDir(prefix), 'learner'), catalog, found.exercise) };
}

/**
 * Prints a run as the track tests report it: each check that ran with its time, the whole run (process included,
 * since `started`) with the load average, then its tables, curves (first → last) and bars unless `artifacts` is false.
 */
export function printRun(r: RunResult, started: number, { tag = '', artifacts = true }: { tag?: string; artifacts?: boolean } = {}): void {
  const at = tag ? `[${tag}] ` : '';
  for (const c of r.checks.filter((x) => x.status !== 'skipped')) {
    console.log(`  ${at}${c.status} ${String(Math.round(c.durationMs ?? NaN)).padStart(5)} ms  ${c.name}${c.status === 'passed' ? '' : `\n      ${c.message}`}`);
  }
  console.log(`  ${at}whole run (process included): ${Date.now() - started} ms; load average after: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  if (!artifacts) return;
  for (const a of r.checks.flatMap((c) => c.artifacts)) {
    if (a.kind === 'table') console.log(`  ${a.title}\n    ${a.columns.join(' | ')}\n${a.rows.map((row) => `    ${row.join(' | ')}`).join('\n')}`);
    if (a.kind === 'curve') console.log(`  ${a.title}: ${a.series.map((x) => `${x.name} ${x.y[0]?.toFixed(4)} → ${x.y[x.y.length - 1]?.toFixed(4)} after ${x.y.length} points`).join('; ')}`);
    if (a.kind === 'bars') console.log(`  ${a.title}: ${a.labels.map((l, i) => `${l} ${a.values[i]}`).join(', ')}`);
  }
}

/** Where a suite's time went (runner wall time): the exercises that took longest in all, then the slowest runs. */
export function printSlowest(runs: { exercise: string; label: string; ms: number }[], exercises = 15, slowest = 40): void {
  const byExercise = new Map<string, number>();
  for (const r of runs) byExercise.set(r.exercise, (byExercise.get(r.exercise) ?? 0) + r.ms);
  console.log([...byExercise].sort((a, b) => b[1] - a[1]).slice(0, exercises).map(([ex, ms]) => `  ${(ms / 1000).toFixed(1)} s in all  ${ex}`).join('\n'));
  console.log([...runs].sort((a, b) => b.ms - a.ms).slice(0, slowest).map((r) => `  ${(r.ms / 1000).toFixed(1)} s  ${r.exercise} ${r.label}`).join('\n'));
}
