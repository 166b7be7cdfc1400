/**
 * The makemore lesson beyond its mistake catalogue (test/unit/mistakes/makemore.ts has those): the reference solution
 * laid out as a learner folder (names.ts imports the MLP and optimizers lessons' files), through the real runner.
 * - A full run passes; the model trains once (the live curve belongs to the training check; the sampling check
 *   reuses the trained models); both settings reach the validation loss the lesson states, below the bigram baseline.
 *   The figures and times are printed (the lesson's closing numbers come from here).
 * - The quick checks, run alone, do not train.
 * Times are printed, not asserted: on two cores shared with other jobs they vary tenfold (quiet: about 0.1 s for the
 * quick checks and 3 s for the training run).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Locale } from '../../src/core/grading/text';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { planInWorker, runInWorker } from '../../src/harness/host';
import type { PlannedCheck } from '../../src/harness/protocol';
import { LESSONS, WORKER, tempDir } from './helpers';

const dir = tempDir('llm-lab-makemore-');
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
  const found = findExercise(cat, 'makemore/names');
  assert.ok(found);
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const folder = path.join(dir, `run-${runs++}`);
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: Run['live'] = [];
  const result = await runInWorker({
    exerciseId: 'makemore/names', learnerFile, checksFile: found.exercise.checks, locale, only: only?.map((s) => named(plan, s).id),
    prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, {
    workerPath: WORKER, timeoutMs: 120_000, memoryMb: 1024,
    onEvent: (event) => { if (event.type === 'check-progress') live.push({ id: event.id, artifact: event.artifact }); },
  });
  assert.equal(result.error, undefined, result.error?.message);
  return { result, plan, live };
}

const TRAINING = 'training run (live)';
const SAMPLED = 'names sampled from your trained models';
const QUICK = ['the parts from earlier lessons', 'buildDataset: \'emma\'', 'buildDataset: every window', 'NameModel: parameters', 'train: the loop matches',
  'sample: models that spell', 'sample: every character'];

test('makemore/names: every check passes, the models train once, live, and reach the stated validation loss', async () => {
  const r = await run();
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const id = named(r.plan, TRAINING).id;
  assert.ok(r.live.length >= 3, `only ${r.live.length} live updates`);
  assert.deepEqual([...new Set(r.live.map((l) => l.id))], [id], 'the live curve belongs to the training check');
  assert.equal(new Set(r.live.map((l) => l.artifact.title)).size, 1, 'one title: each update replaces the last');
  const curves = r.result.checks.flatMap((c) => c.artifacts.filter((a) => a.kind === 'curve').map(() => c.id));
  assert.deepEqual(curves, [id], 'one curve, kept with the training check');
  const training = r.result.checks.find((c) => c.id === id)!;
  const table = training.artifacts.find((a) => a.kind === 'table');
  assert.ok(table?.kind === 'table');
  const [bigram, ...settings] = table.rows;
  for (const row of settings) assert.ok(Number(row[2]) < 2.3 && Number(row[2]) < Number(bigram[2]) - 0.15, `validation ${row[2]} against the bigram's ${bigram[2]}`);
  const quick = r.result.checks.filter((c) => QUICK.some((q) => c.name.startsWith(q))).reduce((s, c) => s + c.durationMs, 0);
  const sampled = r.result.checks.find((c) => c.name.startsWith(SAMPLED))!;
  console.log(`makemore: bigram train ${bigram[1]}, val ${bigram[2]}; ${settings.map((s) => `${s[0]}: train ${s[1]}, val ${s[2]}, ${s[3]} s`).join('; ')}`);
  console.log(`makemore: quick checks ${Math.round(quick)} ms; training check ${Math.round(training.durationMs)} ms; sampling check ${Math.round(sampled.durationMs)} ms; whole run ${Math.round(r.result.durationMs)} ms`);
  const samples = sampled.artifacts.find((a) => a.kind === 'table');
  if (samples?.kind === 'table') console.log(`makemore: sampled ${samples.rows.map((row) => row.join(' / ')).join(', ')}`);
});

test('makemore/names: the quick checks run alone do not train, and speak Chinese', async () => {
  const r = await run(QUICK, 'zh-cn');
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => c.status), QUICK.map(() => 'passed'));
  assert.deepEqual(r.live, [], 'no training progress');
  console.log(`makemore: the quick checks alone: ${Math.round(r.result.checks.reduce((s, c) => s + c.durationMs, 0))} ms`);
  assert.ok(r.result.checks.every((c) => /[\u3400-\u9fff]/.test(c.name)), 'check names in Chinese');
});
