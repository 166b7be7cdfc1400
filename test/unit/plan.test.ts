/**
 * Plan-only runs: the Test Explorer and the CodeLens list an exercise's checks through a runner that loads
 * only the lesson's checks. No learner file is needed, and none is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { planInWorker } from '../../src/harness/host';
import { FIXTURE_COURSE, WORKER, tempDir } from './helpers';

const CHECKS = path.join(FIXTURE_COURSE, '01-add', 'add.checks.ts');

test('lists every check with its id and task, without any learner file', async () => {
  const plan = await planInWorker(CHECKS, { workerPath: WORKER, timeoutMs: 20_000 });
  assert.deepEqual(plan, [
    { id: 'adds-small-vectors', name: 'adds small vectors', task: 'addVectors' },
    { id: 'keeps-nan', name: 'keeps NaN', task: 'addVectors' },
  ]);
});

test('checks that do not define checks are a clear error, not a hang', async () => {
  const dir = tempDir();
  const bad = path.join(dir, 'bad.checks.ts');
  writeFileSync(bad, 'export default { nothing: true };\n');
  await assert.rejects(planInWorker(bad, { workerPath: WORKER, timeoutMs: 20_000 }), /must `export default defineChecks/);
});

test('checks that do not compile name the lesson as broken', async () => {
  const dir = tempDir();
  const bad = path.join(dir, 'broken.checks.ts');
  writeFileSync(bad, 'export default {\n');
  await assert.rejects(planInWorker(bad, { workerPath: WORKER, timeoutMs: 20_000 }), /checks do not compile/);
});
