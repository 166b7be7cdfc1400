/**
 * The pretraining lesson beyond its mistake catalogue (test/unit/mistakes/pretraining.ts has those): the reference
 * solution laid out as a learner folder (pretrain.ts imports the GPT, MLP and optimizers lessons' files), through the
 * real runner.
 * - A full run passes; the model trains once (the live curve and samples belong to the training check; the check of
 *   evaluate on the trained model reuses it); the validation loss is inside the band the lesson states. The figures,
 *   the samples, the times and the load average are printed (the lesson's and the issue's closing numbers come from here).
 * - The quick checks, run alone, do not train, and speak Chinese.
 * Times are printed, not asserted: on two cores shared with other jobs they vary several-fold.
 */
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Locale } from '../../src/core/grading/text';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { planInWorker, runInWorker } from '../../src/harness/host';
import type { PlannedCheck } from '../../src/harness/protocol';
import { PRETRAIN_REFERENCE } from '../../src/course/tokens/pretraining';
import { LESSONS, WORKER, tempDir } from './helpers';

const dir = tempDir('llm-lab-pretraining-');
const catalog = loadCatalog(LESSONS);
let runs = 0;

interface Run { result: RunResult; plan: PlannedCheck[]; live: { id: string; artifact: Artifact }[] }

function named(plan: PlannedCheck[], start: string): PlannedCheck {
  const check = plan.find((p) => p.name.startsWith(start));
  assert.ok(check, `no check named "${start}…"; there are: ${plan.map((p) => p.name).join(' | ')}`);
  return check;
}

async function run(only?: string[], locale: Locale = 'en'): Promise<Run> {
  const cat = await catalog;
  const found = findExercise(cat, 'pretraining/train');
  assert.ok(found);
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const folder = path.join(dir, `run-${runs++}`);
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: Run['live'] = [];
  const result = await runInWorker({
    exerciseId: 'pretraining/train', learnerFile, checksFile: found.exercise.checks, locale, only: only?.map((s) => named(plan, s).id),
    prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, {
    workerPath: WORKER, timeoutMs: 300_000, memoryMb: 1024,
    onEvent: (event) => { if (event.type === 'check-progress') live.push({ id: event.id, artifact: event.artifact }); },
  });
  assert.equal(result.error, undefined, result.error?.message);
  return { result, plan, live };
}

const TRAINING = 'pretraining run (live)';
const EVALUATED = 'evaluate on your trained model';
const QUICK = ['the parts from earlier lessons', 'getBatch: windows', 'lmLoss: the mean', 'evaluate: loss and perplexity', 'train: the loop matches'];

test('pretraining/train: every check passes, the model trains once, live, and lands inside the stated band', async () => {
  const load = loadavg()[0];
  const r = await run();
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const id = named(r.plan, TRAINING).id;
  assert.ok(r.live.length >= 3, `only ${r.live.length} live updates`);
  assert.deepEqual([...new Set(r.live.map((l) => l.id))], [id], 'the live curve belongs to the training check');
  const training = r.result.checks.find((c) => c.id === id)!;
  const curve = training.artifacts.find((a) => a.kind === 'curve');
  assert.ok(curve?.kind === 'curve', 'the curve is kept with the training check');
  assert.ok(curve.series.length >= 2 && curve.series[0].x.length === 300, 'a training series with a point per step, and validation');
  const samples = training.artifacts.find((a) => a.kind === 'text');
  assert.ok(samples?.kind === 'text' && samples.text.includes('300'), 'samples up to the last step');
  const table = training.artifacts.find((a) => a.kind === 'table');
  assert.ok(table?.kind === 'table');
  const val = Number(table.rows[0][1]);
  assert.ok(val >= PRETRAIN_REFERENCE.band[0] && val <= PRETRAIN_REFERENCE.band[1], `validation ${val} outside [${PRETRAIN_REFERENCE.band.join(', ')}]`);
  const quick = r.result.checks.filter((c) => QUICK.some((q) => c.name.startsWith(q)));
  const evaluated = r.result.checks.find((c) => c.name.startsWith(EVALUATED))!;
  console.log(`pretraining: ${table.rows.map((row) => `${row[0]}: ${row[1]}`).join('; ')}`);
  console.log(`pretraining: quick checks ${quick.map((c) => `${c.name.slice(0, 28)}… ${Math.round(c.durationMs)} ms`).join(', ')}`);
  console.log(`pretraining: training check ${Math.round(training.durationMs)} ms; evaluate on the trained model ${Math.round(evaluated.durationMs)} ms; whole run ${Math.round(r.result.durationMs)} ms; load average ${load.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (${r.live.length} live updates)`);
  const mine = curve.series[curve.series.length - 1];
  console.log(`pretraining: validation curve ${mine.x.map((x, i) => `${x}:${mine.y[i]}`).join(' ')}`);
  console.log(`pretraining: samples\n${samples.text}`);
});

test('pretraining/train: the quick checks run alone do not train, and speak Chinese', async () => {
  const r = await run(QUICK, 'zh-cn');
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => c.status), QUICK.map(() => 'passed'));
  assert.deepEqual(r.live, [], 'no training progress');
  console.log(`pretraining: the quick checks alone: ${Math.round(r.result.checks.reduce((s, c) => s + c.durationMs, 0))} ms (${r.result.checks.filter((c) => c.status !== 'skipped').map((c) => Math.round(c.durationMs)).join(' + ')})`);
  assert.ok(r.result.checks.every((c) => /[\u3400-\u9fff]/.test(c.name)), 'check names in Chinese');
});
