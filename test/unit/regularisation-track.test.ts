/**
 * The regularisation lesson beyond its mistake catalogue (test/unit/mistakes/regularisation.ts has those): the
 * reference solution laid out as a learner folder and run through the real runner.
 * - Every check passes, and all of them together take under 2 s (the lesson has no training run).
 * - The artifacts show what the text says: the dropout table's kept fractions are near 1 - p, the kept elements are
 *   scaled by exactly 1 / (1 - p), Σ|output| / Σ|x| is near 1; the running mean of the curve approaches the batch
 *   means (about 2) as 1 - 0.9^t does, in both languages.
 * - The untouched scaffold's checks all fail on a TODO, and every check of a learner file that only fixes dropout
 *   still fails for BatchNorm1d and layerNorm (no check of one part passes because of another).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Locale } from '../../src/core/grading/text';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER, tempDir } from './helpers';

const dir = tempDir('llm-lab-regularisation-');
const catalog = loadCatalog(LESSONS);
let runs = 0;

/** Runs the reference solution (or `source` in its place) in a learner folder. */
async function run(locale: Locale, source?: string): Promise<RunResult> {
  const cat = await catalog;
  const found = findExercise(cat, 'regularisation/norm');
  assert.ok(found, 'no exercise regularisation/norm');
  const folder = path.join(dir, `run-${runs++}`);
  const file = await solutionFolder(folder, cat, found.exercise);
  if (source !== undefined) writeFileSync(file, source);
  return runInWorker({
    exerciseId: found.exercise.id, learnerFile: file, checksFile: found.exercise.checks, locale,
    prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
}

function artifact<K extends Artifact['kind']>(r: RunResult, kind: K): Extract<Artifact, { kind: K }> {
  const found = r.checks.flatMap((c) => c.artifacts).find((a) => a.kind === kind);
  assert.ok(found, `no ${kind} artifact`);
  return found as Extract<Artifact, { kind: K }>;
}

for (const locale of ['en', 'zh-cn'] as const) {
  test(`regularisation/norm [${locale}]: the reference passes every check in under 2 s, and its artifacts show the lesson's claims`, async () => {
    const r = await run(locale);
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
    const total = r.checks.reduce((s, c) => s + c.durationMs, 0);
    assert.ok(total < 2000, `the checks took ${Math.round(total)} ms together`);

    const table = artifact(r, 'table');
    assert.equal(table.rows.length, 3);
    for (const [p, kept, , scale, want, ratio] of table.rows) {
      assert.ok(Math.abs(Number(kept) - (1 - Number(p))) < 0.011, `kept fraction ${kept} for p = ${p}`);
      assert.equal(scale, want, `scale of the kept elements for p = ${p}`);
      assert.ok(Math.abs(Number(ratio) - 1) < 0.02, `Σ|output| / Σ|x| = ${ratio} for p = ${p}`);
    }
    if (locale === 'zh-cn') assert.match(table.title, /[\u4e00-\u9fff]/);

    const curve = artifact(r, 'curve');
    const running = curve.series[1].y;
    assert.equal(running.length, 40);
    // After t steps the running mean is about 2 · (1 - 0.9^t): 0.2 after 1, 1.3 after 10, 1.97 after 40.
    assert.ok(Math.abs(running[0] - 0.1 * curve.series[0].y[0]) < 1e-5, `first running mean ${running[0]}`);
    assert.ok(running[9] > 1.0 && running[9] < 1.6, `running mean after 10 steps ${running[9]}`);
    assert.ok(Math.abs(running[39] - 2) < 0.2, `running mean after 40 steps ${running[39]}`);
  });
}

test('regularisation/norm: a file with only dropout written fails every BatchNorm1d and layerNorm check on its TODO', async () => {
  const cat = await catalog;
  const found = findExercise(cat, 'regularisation/norm');
  assert.ok(found);
  const solution = readFileSync(path.join(LESSONS, '01e-regularisation/norm.solution.ts'), 'utf8');
  const scaffold = readFileSync(found.exercise.scaffold, 'utf8');
  // The scaffold with the reference dropout in place of its TODO.
  const start = (s: string) => s.indexOf('export function dropout');
  const end = (s: string) => s.indexOf('export interface BatchNormOptions');
  const source = scaffold.slice(0, start(scaffold)) + solution.slice(start(solution), end(solution)) + scaffold.slice(end(scaffold));
  const r = await run('en', source);
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) {
    if (c.task === 'dropout') assert.equal(c.status, 'passed', `${c.name}: ${c.message}`);
    else assert.match(c.message ?? '', /TODO/, `${c.name} should fail on a TODO, got: ${c.status} ${c.message}`);
  }
});
