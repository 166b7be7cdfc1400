/**
 * The optimizers lesson beyond its mistake catalogue (test/unit/mistakes/optimizers.ts has those), run on the
 * reference solution laid out as a learner folder, through the real runner:
 * - the issue's figure, read from the table each step check shows: at every one of the 100 steps, every optimizer
 *   is within 1e-6 of the step-by-step float64 reference (float32 storage, as the parameters have), and after 100
 *   steps within 1e-5 of a pure float64 run (float32 storage alone drifts by about 1e-6 from it);
 * - the quick checks' and the training check's times are printed (the bench measures speed; nothing here asserts it);
 * - the training curve arrives live (updates of one title while the check runs) with one series per optimizer, in both languages.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Locale } from '../../src/core/grading/text';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER, tempDir } from './helpers';

const dir = tempDir('llm-lab-optimizers-');
const catalog = loadCatalog(LESSONS);
let runs = 0;

async function run(locale: Locale): Promise<{ result: RunResult; live: { id: string; artifact: Artifact }[] }> {
  const cat = await catalog;
  const found = findExercise(cat, 'optimizers/optim');
  assert.ok(found);
  const folder = path.join(dir, `run-${runs++}`);
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: { id: string; artifact: Artifact }[] = [];
  const result = await runInWorker({
    exerciseId: found.exercise.id, learnerFile, checksFile: found.exercise.checks, locale, prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024, onEvent: (e) => { if (e.type === 'check-progress') live.push({ id: e.id, artifact: e.artifact }); } });
  assert.equal(result.error, undefined, result.error?.message);
  return { result, live };
}

test('optimizers/optim: every optimizer is within 1e-6 of the step-by-step float64 reference and 1e-5 of a pure float64 run (times printed)', async () => {
  const { result } = await run('en');
  assert.deepEqual(result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const tables = result.checks.flatMap((c) => c.artifacts.filter((a) => a.kind === 'table'));
  assert.equal(tables.length, 4, 'one table per optimizer check (SGD, SGD + momentum, Adam, AdamW)');
  const figures: string[] = [];
  for (const table of tables) {
    assert.ok(table.kind === 'table');
    for (const [run, stored, pure] of table.rows) {
      figures.push(`${run}: ${stored} / ${pure}`);
    }
  }
  console.log(`largest relative deviation over 100 steps (step-by-step float64 reference / pure float64 run):\n  ${figures.join('\n  ')}`);
  for (const table of tables) {
    if (table.kind !== 'table') continue;
    for (const [run, stored, pure] of table.rows) {
      assert.ok(Number(stored) <= 1e-6, `${run}: ${stored} from the step-by-step reference`);
      assert.ok(Number(pure) <= 1e-5, `${run}: ${pure} from the pure float64 run`);
    }
  }
  const training = result.checks.find((c) => c.name.startsWith('training the MLP'));
  assert.ok(training);
  const quick = result.checks.filter((c) => c !== training).reduce((s, c) => s + c.durationMs, 0);
  console.log(`quick checks: ${quick.toFixed(0)} ms (${result.checks.map((c) => c.durationMs.toFixed(0)).join(', ')}); training: ${training.durationMs.toFixed(0)} ms`);
});

test('optimizers/optim: the training curve arrives live, one series per optimizer, in Chinese too', async () => {
  const { result, live } = await run('zh-cn');
  const training = result.checks.find((c) => c.id.startsWith('training-the-mlp'));
  assert.ok(training && training.status === 'passed', training?.message);
  // Updates are coalesced to one per 100 ms, so a fast machine may send only one or two before the run ends (the
  // final curve arrives with the result): at least one must arrive while the check runs.
  assert.ok(live.length >= 1, 'no live update');
  assert.deepEqual([...new Set(live.map((l) => l.id))], [training.id], 'the live curve belongs to the training check');
  assert.deepEqual([...new Set(live.map((l) => l.artifact.title))], ['用你的优化器训练 MLP']);
  const curve = training.artifacts.find((a) => a.kind === 'curve');
  assert.ok(curve && curve.kind === 'curve');
  assert.deepEqual(curve.series.map((s) => s.name), ['SGD', 'SGD + 动量 0.9', 'Adam', 'AdamW']);
  for (const s of curve.series) assert.equal(s.y.length, 300);
});
