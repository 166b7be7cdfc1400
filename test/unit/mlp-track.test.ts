/**
 * The mlp lesson (lessons/01c-mlp) beyond its mistake catalogue (test/unit/mistakes/mlp.ts has those), run on the
 * reference solutions laid out as a learner folder, through the real runner:
 * - the lesson's claim about initialisation holds in the artifact learners see: through 8 ReLU layers the scale of
 *   the reference (kaiming) stays level, PyTorch's nn.Linear default falls by about √6 per layer;
 * - the spiral is a shared training run: the training check sends a live curve that ends well below where it
 *   started, and the dead-ReLU check run alone trains it itself and passes.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { planInWorker, runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER, tempDir } from './helpers';

const dir = tempDir('llm-lab-mlp-');
const catalog = loadCatalog(LESSONS);
let runs = 0;

async function run(only: string[], locale: 'en' | 'zh-cn' = 'en'): Promise<{ result: RunResult; live: Artifact[] }> {
  const cat = await catalog;
  const found = findExercise(cat, 'mlp/layers');
  assert.ok(found);
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const ids = only.map((start) => {
    const p = plan.find((c) => c.name.startsWith(start));
    assert.ok(p, `no check "${start}…"`);
    return p.id;
  });
  const folder = path.join(dir, `run-${runs++}`);
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: Artifact[] = [];
  const result = await runInWorker({
    exerciseId: 'mlp/layers', learnerFile, checksFile: found.exercise.checks, locale, only: ids, prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048, onEvent: (e) => { if (e.type === 'check-progress') live.push(e.artifact); } });
  assert.equal(result.error, undefined, result.error?.message);
  return { result, live };
}

test('mlp: through 8 ReLU layers kaiming keeps the scale and PyTorch\'s nn.Linear default shrinks it by about √6 per layer', async () => {
  const { result } = await run(['kaiming + relu keeps']);
  assert.equal(result.status, 'passed');
  const curve = result.checks.flatMap((c) => c.artifacts).find((a) => a.kind === 'curve');
  assert.ok(curve && curve.kind === 'curve');
  const [yours, torch] = curve.series;
  assert.equal(yours.y.length, 8);
  const level = yours.y[7] / yours.y[0];
  assert.ok(level > 0.7 && level < 1.4, `kaiming: last / first RMS ${level}`);
  const perLayer = (torch.y[0] / torch.y[7]) ** (1 / 7);
  assert.ok(Math.abs(perLayer / Math.sqrt(6) - 1) < 0.1, `PyTorch default: the RMS falls by ${perLayer} per layer, expected about √6 = ${Math.sqrt(6)}`);
});

test('mlp: the spiral trains once, with a live curve, and the dead-ReLU check alone trains it itself', async () => {
  const both = await run(['training: an MLP with your layers', 'dead ReLUs'], 'zh-cn');
  assert.equal(both.result.status, 'passed', both.result.checks.map((c) => `${c.name}: ${c.message}`).join('\n'));
  assert.ok(both.live.length >= 2, `only ${both.live.length} live updates`);
  assert.equal(new Set(both.live.map((a) => JSON.stringify(a.title))).size, 1, 'one live curve, each update replacing the last');
  const last = both.result.checks.flatMap((c) => c.artifacts).find((a) => a.kind === 'curve'); // the final state, kept with the result
  assert.ok(last && last.kind === 'curve');
  const y = last.series[0].y;
  assert.equal(y.length, 300);
  assert.ok(y[y.length - 1] < y[0] / 4, `the loss went from ${y[0]} to ${y[y.length - 1]}`);
  const alone = await run(['dead ReLUs']);
  assert.equal(alone.result.status, 'passed');
  const bars = alone.result.checks.flatMap((c) => c.artifacts).find((a) => a.kind === 'bars');
  assert.ok(bars && bars.kind === 'bars' && bars.values.every((v) => v >= 0 && v < 0.5), `dead fractions ${JSON.stringify(bars)}`);
});
