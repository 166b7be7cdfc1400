/**
 * The objectives lesson beyond its mistake catalogue (test/unit/mistakes/objectives.ts has those): the reference
 * solution laid out as a learner folder, through the real runner.
 * - A full run passes (in English; the lesson suite runs it in Chinese), and the quick checks together stay inside
 *   their budget.
 * - The model check's artifacts say what the lesson says they show: the bundled model continues the prompt; the
 *   learner's masking of its characters is shown with '_' for [MASK]; and in the fill-in table the blank of
 *   "So_e years ago" is filled with 'm' when both sides are used, while the left context alone prefers another
 *   character (the point of the comparison between GPT's and BERT's objectives).
 * - The sampler check's span lengths average close to T5's 3.
 * Times are printed, not asserted beyond a generous bound: on two cores shared with other jobs they vary tenfold.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Locale } from '../../src/core/grading/text';
import type { RunResult } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER, tempDir } from './helpers';

const dir = tempDir('llm-lab-objectives-');
const catalog = loadCatalog(LESSONS);
let runs = 0;

async function run(locale: Locale): Promise<RunResult> {
  const cat = await catalog;
  const found = findExercise(cat, 'objectives/corrupt');
  assert.ok(found);
  const folder = path.join(dir, `run-${runs++}`);
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const result = await runInWorker({
    exerciseId: 'objectives/corrupt', learnerFile, checksFile: found.exercise.checks, locale,
    prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(result.error, undefined, result.error?.message);
  return result;
}

for (const locale of ['en'] as const) { // the lesson suite runs the reference in zh-cn
  test(`objectives/corrupt [${locale}]: the reference passes; the model check's artifacts show what the lesson says`, async () => {
    const r = await run(locale);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
    const isModel = (c: { name: string }) => c.name.startsWith('GPT\'s objective generates');
    const quick = r.checks.filter((c) => !isModel(c)).reduce((s, c) => s + c.durationMs, 0);
    const model = r.checks.find(isModel);
    assert.ok(model, 'the model check has artifacts');
    console.log(`objectives [${locale}]: quick checks ${quick.toFixed(0)} ms in all; model check ${model.durationMs.toFixed(0)} ms`);
    assert.ok(quick < 2000, `the quick checks took ${quick} ms`);
    const [continuation, masked, fill] = model.artifacts;
    assert.equal(continuation.kind, 'text');
    assert.ok(continuation.kind === 'text' && /^Call me Ishmael\. Some years ago\[.{40}\]$/s.test(continuation.text), 'the continuation: the prompt and 40 characters');
    assert.ok(masked.kind === 'text' && masked.text.split('\n')[1].includes('_'), 'the masked text shows [MASK] as _');
    assert.equal(fill.kind, 'table');
    if (fill.kind !== 'table') return;
    const top = (cell: string | number) => String(cell).trim()[0];
    assert.equal(top(fill.rows[0][2]), 'm', 'from both sides, the blank of "So_e" is an m');
    assert.notEqual(top(fill.rows[0][1]), 'm', 'from the left alone, the model prefers another character');
    const sampler = r.checks.find((c) => c.name.startsWith('randomSpansMask'));
    const bars = sampler?.artifacts.find((a) => a.kind === 'bars');
    assert.ok(bars && bars.kind === 'bars');
    const mean = bars.values.reduce((s, v, k) => s + v * (k + 1), 0) / bars.values.reduce((s, v) => s + v, 0); // 10+ counted as 10
    assert.ok(Math.abs(mean - 3) < 0.2, `mean span length ${mean}`);
  });
}
