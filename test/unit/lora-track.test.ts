/**
 * The LoRA track (lessons 7-8) beyond its mistake catalogue (test/unit/mistakes/lora.ts has those): the training
 * checks of lesson 8, run on the reference solutions laid out as a learner folder (lesson 8's file imports lesson
 * 7's), through the real runner.
 * - The fine-tune is a shared result: in a full run it trains once (the live curve belongs to the fine-tune
 *   check, the export check reuses the model); the export check run alone trains it itself and passes; the
 *   quick checks run alone do not train at all.
 * - Training curves arrive live: several updates of one curve (one title), the final one kept with the result.
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

const dir = tempDir('llm-lab-lora-');
const catalog = loadCatalog(LESSONS);
let runs = 0;

interface Run {
  result: RunResult;
  plan: PlannedCheck[];
  /** The live artifacts sent while the checks ran, with the id of the check that sent each. */
  live: { id: string; artifact: Artifact }[];
}

/** The check of `plan` whose English name starts with `start`. */
function named(plan: PlannedCheck[], start: string): PlannedCheck {
  const check = plan.find((p) => p.name.startsWith(start));
  assert.ok(check, `no check named "${start}…"; there are: ${plan.map((p) => p.name).join(' | ')}`);
  return check;
}

/** Runs the reference solution of `exerciseId` (only the checks whose English names start with `only`, if given). */
async function run(exerciseId: string, only?: string[], locale: Locale = 'en'): Promise<Run> {
  const cat = await catalog;
  const found = findExercise(cat, exerciseId);
  assert.ok(found, `no exercise ${exerciseId}`);
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const folder = path.join(dir, `run-${runs++}`);
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: Run['live'] = [];
  const result = await runInWorker({
    exerciseId, learnerFile, checksFile: found.exercise.checks, locale, only: only?.map((start) => named(plan, start).id),
    prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, {
    workerPath: WORKER, timeoutMs: 60_000, memoryMb: 2048,
    onEvent: (event) => { if (event.type === 'check-progress') live.push({ id: event.id, artifact: event.artifact }); },
  });
  assert.equal(result.error, undefined, result.error?.message);
  return { result, plan, live };
}

const FINE_TUNE = 'fine-tune the bundled model';
const EXPORT = 'merged and exported to ONNX';
const QLORA = 'the bundled model on an int8 base';

/** Several updates of one live curve (one title), sent by `id`, and that curve kept with its result. */
function expectLiveCurve(r: Run, id: string): void {
  assert.ok(r.live.length >= 3, `only ${r.live.length} live updates`);
  assert.deepEqual([...new Set(r.live.map((l) => l.id))], [id], 'the live curve belongs to the check that trains');
  assert.equal(new Set(r.live.map((l) => l.artifact.title)).size, 1, 'a live curve keeps its title, so each update replaces the last');
  const curves = r.result.checks.flatMap((c) => c.artifacts.filter((a) => a.kind === 'curve').map((a) => ({ id: c.id, title: a.title })));
  assert.deepEqual(curves, [{ id, title: r.live[0].artifact.title }], 'one curve, kept with the check that trained');
}

test('lora-finetune/finetune: every check passes, the model is fine-tuned once per run, and the loss curve arrives live', async () => {
  const r = await run('lora-finetune/finetune');
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  // The export check reused the fine-tuned model: had it trained again, it would have sent a curve of its own.
  expectLiveCurve(r, named(r.plan, FINE_TUNE).id);
});

test('lora-finetune/finetune: the export check run alone fine-tunes the model itself and passes', async () => {
  const r = await run('lora-finetune/finetune', [EXPORT]);
  const id = named(r.plan, EXPORT).id;
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => [c.id, c.status, c.message]), [[id, 'passed', undefined]]);
  expectLiveCurve(r, id);
});

test('lora-finetune/finetune: the quick checks run alone do not train', async () => {
  const quick = ['your lesson-7 LoRALinear and merge', 'addLoRA wraps every chosen layer', 'mergeLoRA puts plain Linear layers back'];
  const r = await run('lora-finetune/finetune', quick);
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => c.status), ['passed', 'passed', 'passed']);
  assert.equal(r.result.status, 'passed');
  assert.deepEqual(r.live, [], 'no training progress');
  assert.deepEqual(r.result.checks.flatMap((c) => c.artifacts).filter((a) => a.kind === 'curve'), []);
});

test('lora-finetune/qlora: the adapter on the int8 base trains with a live curve, in the learner\'s language', async () => {
  const r = await run('lora-finetune/qlora', [QLORA], 'zh-cn');
  const id = named(r.plan, QLORA).id;
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => [c.id, c.status, c.message]), [[id, 'passed', undefined]]);
  expectLiveCurve(r, id);
  const curve = r.result.checks.flatMap((c) => c.artifacts).find((a) => a.kind === 'curve');
  assert.ok(curve?.kind === 'curve');
  assert.match(curve.title, /int8 基座/);
  assert.match(curve.yLabel, /损失/);
  assert.ok(curve.series.every((s) => /[\u3400-\u9fff]/.test(s.name)), `series names in Chinese: ${curve.series.map((s) => s.name).join(', ')}`);
});
