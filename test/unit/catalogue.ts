/**
 * The test every mistake catalogue uses: each catalogued mistake is put into the reference solution (exact text
 * edits), the buggy file is checked through the real runner process, and the check that catalogues the mistake
 * must fail with its own message; the untouched reference solutions must pass every check. Runs go two at a
 * time (the machine has two cores) and all start at once; each test awaits its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInWorker } from '../../src/harness/host';
import type { RunResult } from '../../src/core/grading/result';
import { LESSONS, WORKER, limiter, tempDir, withEdits } from './helpers';

export interface CataloguedExercise {
  id: string;
  solution: string;
  checks: string;
}

/** lessons/<folder>/<base>.solution.ts and <base>.checks.ts. */
export const exercise = (id: string, folder: string, base: string): CataloguedExercise => ({
  id, solution: path.join(LESSONS, folder, `${base}.solution.ts`), checks: path.join(LESSONS, folder, `${base}.checks.ts`),
});

export interface Mistake {
  name: string;
  exercise: CataloguedExercise;
  /** Exact text of the solution -> the buggy text. Each `from` must occur exactly once. */
  edits: [from: string, to: string][];
  /** The check that catalogues this mistake (start of its name). */
  check: string;
  /** What its message (or hint) must say. */
  says: RegExp;
}

export function testCatalogue(exercises: CataloguedExercise[], mistakes: Mistake[]): void {
  const dir = tempDir('llm-lab-catalogue-');
  const limit = limiter(2);
  const run = (ex: CataloguedExercise, file: string): Promise<RunResult> => limit(() =>
    runInWorker({ exerciseId: ex.id, learnerFile: file, checksFile: ex.checks }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 }));
  const buggy = (m: Mistake, index: number): string => {
    const file = path.join(dir, `mistake-${index}-${path.basename(m.exercise.solution).replace('.solution', '')}`);
    writeFileSync(file, withEdits(readFileSync(m.exercise.solution, 'utf8'), m.edits, m.name));
    return file;
  };

  const references = exercises.map((ex) => ({ ex, result: run(ex, ex.solution) }));
  const runs = mistakes.map((m, i) => ({ m, result: Promise.resolve().then(() => run(m.exercise, buggy(m, i))) }));

  for (const { ex, result } of references) {
    test(`${ex.id}: the reference solution passes every check`, async () => {
      const r = await result;
      assert.equal(r.error, undefined, r.error?.message);
      assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
    });
  }

  for (const { m, result } of runs) {
    test(`${m.exercise.id}: recognises "${m.name}"`, async () => {
      const r = await result;
      assert.equal(r.error, undefined, r.error?.message);
      const c = r.checks.find((x) => x.name.startsWith(m.check));
      assert.ok(c, `no check named "${m.check}..."`);
      assert.notEqual(c.status, 'passed', `"${c.name}" passed with the bug "${m.name}"`);
      assert.match(`${c.message}\n${c.hint ?? ''}`, m.says, `"${c.name}" failed with: ${c.message}`);
    });
  }
}
