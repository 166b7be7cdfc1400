/**
 * A failed check points at the first line where the learner's computation parts ways with the reference solution
 * (src/harness/diverge.ts), run on the same input, through the real runner: a wrong scale, a missing transpose and a
 * wrong exponent, each at its own line, with how the value differs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER, limiter, tempDir } from './helpers';

const dir = tempDir('llm-lab-diverge-');
const limit = limiter(2);

const cases: [exercise: string, from: string, to: string, says: RegExp][] = [
  ['attention/scaled-dot-product', '1 / Math.sqrt(d)', '1 / d', /times 0\.70|times 0\.5|times/],
  ['multi-head-attention/layer', 'transpose(y, 1, 2)', 'y', /another order/],
  ['gpt-forward/model', 'mul(pow(x, 3), 0.044715)', 'mul(pow(x, 2), 0.044715)', /differ|times|matches none/],
];

cases.forEach(([exercise, from, to, says], i) => {
  test(`${exercise}: a failure points at the edited line (${to})`, async () => {
    const catalog = await loadCatalog(LESSONS);
    const found = findExercise(catalog, exercise)!;
    const folder = path.join(dir, `case-${i}`);
    mkdirSync(folder, { recursive: true });
    const file = await solutionFolder(folder, catalog, found.exercise);
    const source = readFileSync(file, 'utf8');
    const at = source.indexOf(from);
    assert.ok(at >= 0 && source.indexOf(from, at + 1) < 0, `"${from}" occurs once`);
    writeFileSync(file, source.slice(0, at) + to + source.slice(at + from.length));
    const line = source.slice(0, at).split('\n').length;
    const r = await limit(() => runInWorker({ exerciseId: exercise, learnerFile: file, checksFile: found.exercise.checks,
      prerequisites: prerequisiteFiles(folder, catalog, found.exercise) }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 }));
    const failed = r.checks.filter((c) => c.status === 'failed' || c.status === 'error');
    assert.ok(failed.length > 0, 'the bug is caught');
    const located = failed.filter((c) => c.location?.line === line);
    assert.ok(located.length > 0, `no failure points at line ${line}: ${failed.map((c) => `${c.name} @${c.location?.line}`).join('; ')}`);
    assert.match(located[0].message ?? '', new RegExp(`First difference from the reference solution \\(run on the same input\\): line ${line}`));
    assert.match(located[0].message ?? '', says);
  });
});
