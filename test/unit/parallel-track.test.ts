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
import { runInWorker } from '../../src/harness/host';
import { WORKER, printRun, referenceSolution } from './helpers';

const EXERCISE = 'parallel/parallel';

test('parallel: the reference passes every check, each timed, with the bubble and the ledgers printed', async () => {
  const { exercise, file } = await referenceSolution(EXERCISE, 'llm-lab-parallel-');
  const full = !!process.env.LLM_LAB_PARALLEL_FULL;
  for (const locale of full ? ['en', 'zh-cn'] as const : ['en'] as const) {
    const started = Date.now();
    console.log(`  load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(', ')} (${locale})`);
    const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale }, { workerPath: WORKER, timeoutMs: 90_000, memoryMb: 1024 });
    assert.equal(r.error, undefined, r.error?.message);
    printRun(r, started, { tag: locale, artifacts: locale === 'en' });
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  }
  if (!full) return;
  const scaffold = await runInWorker({ exerciseId: EXERCISE, learnerFile: exercise.scaffold, checksFile: exercise.checks, locale: 'zh-cn' }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(scaffold.error, undefined, scaffold.error?.message);
  assert.deepEqual(scaffold.checks.filter((c) => c.status === 'passed').map((c) => c.name), []);
});
