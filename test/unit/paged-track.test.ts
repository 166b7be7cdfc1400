/**
 * The PagedAttention lesson beyond its mistake cases: the memory plot's content (the screenshot the issue asks for)
 * and the numbers behind it, from the reference solution laid out as a learner folder. Only the memory check runs
 * (in English; the course suite runs every check in Chinese). Prints the peak and mean memory of each cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import type { Artifact } from '../../src/core/grading/result';
import { runInWorker } from '../../src/harness/host';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { LESSONS, WORKER, englishPlan, tempDir } from './helpers';

test('paged attention: the memory plot, paged blocks against a contiguous cache', async () => {
  const catalog = await loadCatalog(LESSONS);
  const found = findExercise(catalog, 'paged-attention/paged');
  assert.ok(found);
  const plan = await englishPlan(found.exercise.checks);
  const check = plan.find((p) => p.name.startsWith('memory: paged blocks'));
  assert.ok(check);
  const folder = path.join(tempDir('llm-lab-paged-'), 'learner');
  const file = await solutionFolder(folder, catalog, found.exercise);
  const r = await runInWorker({ exerciseId: found.exercise.id, learnerFile: file, checksFile: found.exercise.checks, locale: 'en', only: [check.id],
    prerequisites: prerequisiteFiles(folder, catalog, found.exercise) }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(r.error, undefined, r.error?.message);
  const outcome = r.checks.find((c) => c.id === check.id)!;
  assert.equal(outcome.status, 'passed', outcome.message);
  const curve = outcome.artifacts.find((a): a is Extract<Artifact, { kind: 'curve' }> => a.kind === 'curve');
  assert.ok(curve, 'the memory check draws a curve');
  assert.deepEqual(curve.series.map((s) => s.name), ['contiguous, 128 positions reserved per sequence', 'paged, prompt copied per sample',
    'paged, prompt blocks shared (yours)', 'positions cached, prompt once (the least possible)']);
  const [contiguous, unshared, shared, least] = curve.series.map((s) => s.y);
  // Step 0: 4 samples of a 27-token prompt. Contiguous: 4 x 128 positions x 4 KiB; paged and shared: ceil(27 / 8) = 4 blocks
  // of 32 KiB; paged without sharing: 4 x 4 blocks; the least: 27 positions.
  assert.deepEqual([contiguous[0], unshared[0], shared[0], least[0]], [2048, 512, 128, 108]);
  for (let i = 0; i < shared.length; i++) {
    assert.ok(least[i] <= shared[i] && shared[i] <= unshared[i] && unshared[i] <= contiguous[i], `step ${curve.series[0].x[i]}: the caches in order`);
  }
  const table = outcome.artifacts.find((a): a is Extract<Artifact, { kind: 'table' }> => a.kind === 'table');
  assert.ok(table);
  console.log(`${table.title}\n${table.columns.join(' | ')}\n${table.rows.map((row) => row.join(' | ')).join('\n')}`);
  const peak = (ys: number[]) => Math.max(...ys);
  assert.deepEqual([peak(contiguous), peak(unshared), peak(shared)], [2048, 864, 672]);
});
