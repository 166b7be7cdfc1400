/** Shared helpers for unit tests: paths of the built runner and the fixture course, temp folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
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
