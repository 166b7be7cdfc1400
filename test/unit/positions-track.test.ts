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
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { runInWorker } from '../../src/harness/host';
import { solutionFolder } from '../../src/core/workspace';
import { LESSONS, WORKER, tempDir } from './helpers';

const EXERCISE = 'positions/encodings';

test('positions: the reference passes every check, each timed (and in zh-cn, and the scaffold fails every check, with LLM_LAB_POSITIONS_FULL=1)', async () => {
  const catalog = await loadCatalog(LESSONS);
  assert.deepEqual(catalog.problems.filter((p) => p.severity === 'error'), []);
  const found = findExercise(catalog, EXERCISE);
  assert.ok(found);
  const folder = path.join(tempDir('llm-lab-positions-'), 'learner');
  const file = await solutionFolder(folder, catalog, found.exercise);
  const full = !!process.env.LLM_LAB_POSITIONS_FULL;
  for (const locale of full ? ['en', 'zh-cn'] as const : ['en'] as const) {
    const started = Date.now();
    const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: found.exercise.checks, locale }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
    assert.equal(r.error, undefined, r.error?.message);
    for (const c of r.checks) console.log(`  [${locale}] ${c.status} ${String(c.durationMs ?? '?').padStart(5)} ms  ${c.name}${c.status === 'passed' ? '' : `\n      ${c.message}`}`);
    console.log(`  [${locale}] whole run (process included): ${Date.now() - started} ms`);
    if (locale === 'en') {
      for (const a of r.checks.flatMap((c) => c.artifacts)) {
        if (a.kind === 'table') console.log(`  ${a.title}\n    ${a.columns.join(' | ')}\n${a.rows.map((row) => `    ${row.join(' | ')}`).join('\n')}`);
        if (a.kind === 'curve') console.log(`  ${a.title}: ${a.series.map((s) => `${s.name} ${s.y.map((y) => y.toFixed(2)).join(' ')}`).join('; ')}`);
      }
    }
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  }
  if (!full) return;
  const scaffold = await runInWorker({ exerciseId: EXERCISE, learnerFile: found.exercise.scaffold, checksFile: found.exercise.checks, locale: 'zh-cn' }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(scaffold.error, undefined, scaffold.error?.message);
  assert.deepEqual(scaffold.checks.filter((c) => c.status === 'passed').map((c) => c.name), []);
  for (const c of scaffold.checks) assert.match(c.message ?? '', /尚未实现.*TODO/, `${c.name} should fail because of a TODO, got: ${c.message}`);
});
