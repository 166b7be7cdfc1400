/**
 * The parallel-training lesson (parallel/parallel), beyond its mistake cases: the reference solution passes every
 * check, each timed (the live data-parallel run included, with the load average printed), and the numbers the
 * issue's closing note asks for are printed: the measured pipeline bubble against (p − 1)/(m + p − 1), the bytes each
 * rank sent in the ring all-reduce and the tensor-parallel MLP, and the ZeRO memory ledger. The lesson suite already
 * runs the reference in Chinese and the scaffold; set LLM_LAB_PARALLEL_FULL=1 to run both here too (on a lesson
 * folder of its own, when other lessons are mid-edit). Run alone with `node test/unit.mjs parallel-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { runInWorker } from '../../src/harness/host';
import { solutionFolder } from '../../src/core/workspace';
import { LESSONS, WORKER, tempDir } from './helpers';

const EXERCISE = 'parallel/parallel';

test('parallel: the reference passes every check, each timed, with the bubble and the ledgers printed', async () => {
  const catalog = await loadCatalog(LESSONS);
  assert.deepEqual(catalog.problems.filter((p) => p.severity === 'error'), []);
  const found = findExercise(catalog, EXERCISE);
  assert.ok(found);
  const folder = path.join(tempDir('llm-lab-parallel-'), 'learner');
  const file = await solutionFolder(folder, catalog, found.exercise);
  const full = !!process.env.LLM_LAB_PARALLEL_FULL;
  for (const locale of full ? ['en', 'zh-cn'] as const : ['en'] as const) {
    const started = Date.now();
    console.log(`  load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(', ')} (${locale})`);
    const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: found.exercise.checks, locale }, { workerPath: WORKER, timeoutMs: 90_000, memoryMb: 1024 });
    assert.equal(r.error, undefined, r.error?.message);
    for (const c of r.checks) console.log(`  [${locale}] ${c.status} ${String(Math.round(c.durationMs ?? NaN)).padStart(5)} ms  ${c.name}${c.status === 'passed' ? '' : `\n      ${c.message}`}`);
    console.log(`  [${locale}] whole run (process included): ${Date.now() - started} ms; load average after: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
    if (locale === 'en') {
      for (const a of r.checks.flatMap((c) => c.artifacts)) {
        if (a.kind === 'table') console.log(`  ${a.title}\n    ${a.columns.join(' | ')}\n${a.rows.map((row) => `    ${row.join(' | ')}`).join('\n')}`);
        if (a.kind === 'bars') console.log(`  ${a.title}: ${a.labels.map((l, i) => `${l} ${a.values[i]}`).join(', ')}`);
        if (a.kind === 'curve') console.log(`  ${a.title}: ${a.series.map((s) => `${s.name} ${s.y[0].toFixed(4)} → ${s.y[s.y.length - 1].toFixed(4)}`).join('; ')}`);
      }
    }
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  }
  if (!full) return;
  const scaffold = await runInWorker({ exerciseId: EXERCISE, learnerFile: found.exercise.scaffold, checksFile: found.exercise.checks, locale: 'zh-cn' }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(scaffold.error, undefined, scaffold.error?.message);
  assert.deepEqual(scaffold.checks.filter((c) => c.status === 'passed').map((c) => c.name), []);
});
