/**
 * The permanent course test: for every lesson in lessons/, the reference solution passes every check and
 * the untouched scaffold fails every check, through the real runner process. New lessons join automatically.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/lessons/catalog';
import { runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER } from './helpers';

test('every lesson: the reference solution passes every check, the untouched scaffold fails every check', async (t) => {
  const catalog = await loadCatalog(LESSONS);
  assert.ok(catalog.lessons.length > 0, 'the course has no lessons');
  assert.deepEqual(catalog.problems.filter((p) => p.severity === 'error'), []);

  for (const lesson of catalog.lessons) {
    for (const exercise of lesson.exercises) {
      const run = (file: string) => runInWorker({ exerciseId: exercise.id, learnerFile: file, checksFile: exercise.checks }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 2048 });

      await t.test(`${exercise.id}: the reference solution passes every check`, async () => {
        const r = await run(exercise.solution);
        const bad = r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`);
        assert.equal(r.error, undefined, r.error?.message);
        assert.deepEqual(bad, []);
        assert.ok(r.checks.length >= 3, 'an exercise needs several checks');
        assert.equal(r.status, 'passed');
      });

      await t.test(`${exercise.id}: the untouched scaffold fails every check`, async () => {
        const r = await run(exercise.scaffold);
        assert.equal(r.error, undefined, `the scaffold must load and run: ${r.error?.message}`);
        const passing = r.checks.filter((c) => c.status === 'passed').map((c) => c.name);
        assert.deepEqual(passing, [], 'these checks pass on the scaffold, so they test nothing');
        for (const c of r.checks) assert.match(c.message ?? '', /not implemented yet|TODO/, `${c.name} should fail because of a TODO, got: ${c.message}`);
      });

      await t.test(`${exercise.id}: has at least two hints`, () => {
        assert.ok(exercise.hints.length >= 2);
      });
    }
  }
});
