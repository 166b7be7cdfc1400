/**
 * The positions lesson (positions/encodings), beyond its mistake cases: the reference solution passes every check, with
 * each check's wall time printed (the lesson's checks must stay under 2 s together) and the artifacts' numbers (the
 * bundled model's loss by position, the relative-position table, what each encoding gives past the context) printed
 * for the closing note. The lesson suite already runs the reference in Chinese and the scaffold; set
 * LLM_LAB_POSITIONS_FULL=1 to run both here too (on a lesson folder of its own, when other lessons are mid-edit).
 * Run alone with `node test/unit.mjs positions-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInWorker } from '../../src/harness/host';
import { WORKER, printRun, referenceSolution } from './helpers';

const EXERCISE = 'positions/encodings';

test('positions: the reference passes every check, each timed (and in zh-cn, and the scaffold fails every check, with LLM_LAB_POSITIONS_FULL=1)', async () => {
  const { exercise, file } = await referenceSolution(EXERCISE, 'llm-lab-positions-');
  const full = !!process.env.LLM_LAB_POSITIONS_FULL;
  for (const locale of full ? ['en', 'zh-cn'] as const : ['en'] as const) {
    const started = Date.now();
    const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
    assert.equal(r.error, undefined, r.error?.message);
    printRun(r, started, { tag: locale, artifacts: locale === 'en' });
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  }
  if (!full) return;
  const scaffold = await runInWorker({ exerciseId: EXERCISE, learnerFile: exercise.scaffold, checksFile: exercise.checks, locale: 'zh-cn' }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(scaffold.error, undefined, scaffold.error?.message);
  assert.deepEqual(scaffold.checks.filter((c) => c.status === 'passed').map((c) => c.name), []);
  for (const c of scaffold.checks) assert.match(c.message ?? '', /尚未实现.*TODO/, `${c.name} should fail because of a TODO, got: ${c.message}`);
});
