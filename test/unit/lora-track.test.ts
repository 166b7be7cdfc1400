/**
 * The LoRA track (lessons 7-8) beyond its mistake catalogue (test/unit/mistakes/lora.ts has those): the training
 * checks of lesson 8, run on the reference solutions laid out as a learner folder (lesson 8's file imports lesson
 * 7's), through the real runner.
 * - The fine-tune is a shared result: in a full run it trains once (the live curve belongs to the fine-tune
 *   check, the export check reuses the model); the export check run alone trains it itself and passes; the
 *   quick checks run alone do not train at all.
 * - Training curves arrive live: several updates of one curve (one title), the final one kept with the result.
 * - Issue 12's holes stay closed: learner files of the grading-truth corpus (test/unit/corpus/lora.ts) whose
 *   mistakes a check used to misname (a layer that scales twice told "scaled by alpha", a dB without its scale told
 *   "the gradients of A and B miss the factor", 1 / r told "without the factor alpha / r", a Map key typo told "the
 *   adapters are not where they were asked for") or let pass (config.seed ignored, a generator per block) fail
 *   with what is true of them, in both languages.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Locale } from '../../src/core/grading/text';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { writeFileSync } from 'node:fs';
import { learnerFile, prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { LORA_MISTAKES } from '../../lessons/07-lora/mistakes';
import { FINETUNE_MISTAKES } from '../../lessons/08-lora-finetune/mistakes';
import { CORPUS } from './corpus/lora';
import { planInWorker, runInWorker } from '../../src/harness/host';
import type { PlannedCheck } from '../../src/harness/protocol';
import { LESSONS, WORKER, limiter, tempDir } from './helpers';
import { corpusFor, evalLoss, evalLossBundled, kitGpt, sample, sampleBundled } from '../../src/course/lora';
import { shippedModel } from '../../src/model';

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
    workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048, // a fine-tune and an export, on two shared cores
    onEvent: (event) => { if (event.type === 'check-progress') live.push({ id: event.id, artifact: event.artifact }); },
  });
  assert.equal(result.error, undefined, result.error?.message);
  return { result, plan, live };
}

const FINE_TUNE = 'fine-tune the bundled model';
const EXPORT = 'merged and exported to ONNX';
const QLORA = 'the bundled model on an int8 base';

// The training runs start when the file loads, two runner processes at a time; each test awaits its own.
const heavy = limiter(2);
const started = <T>(p: Promise<T>): Promise<T> => { p.catch(() => undefined); return p; };
const FULL_RUN = started(heavy(() => run('lora-finetune/finetune')));
const EXPORT_RUN = started(heavy(() => run('lora-finetune/finetune', [EXPORT])));
const QLORA_RUN = started(heavy(() => run('lora-finetune/qlora', [QLORA], 'zh-cn')));

/** Several updates of one live curve (one title), sent by `id`, and that curve kept with its result. */
function expectLiveCurve(r: Run, id: string): void {
  assert.ok(r.live.length >= 3, `only ${r.live.length} live updates`);
  assert.deepEqual([...new Set(r.live.map((l) => l.id))], [id], 'the live curve belongs to the check that trains');
  assert.equal(new Set(r.live.map((l) => l.artifact.title)).size, 1, 'a live curve keeps its title, so each update replaces the last');
  const curves = r.result.checks.flatMap((c) => c.artifacts.filter((a) => a.kind === 'curve').map((a) => ({ id: c.id, title: a.title })));
  assert.deepEqual(curves, [{ id, title: r.live[0].artifact.title }], 'one curve, kept with the check that trained');
}

test('lora-finetune/finetune: every check passes, the model is fine-tuned once per run, and the loss curve arrives live', async () => {
  const r = await FULL_RUN;
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  // The export check reused the fine-tuned model: had it trained again, it would have sent a curve of its own.
  expectLiveCurve(r, named(r.plan, FINE_TUNE).id);
});

test('lora-finetune/finetune: the "before" continuation and losses onnxruntime gives are the kit GPT\'s, for the bundled model', async () => {
  // The fine-tune check shows the pretrained model's greedy continuation from onnxruntime (faster); the kit GPT
  // with the same weights, the model the adapters then train, must say the same characters.
  const model = await shippedModel();
  const prompt = 'Members of the Congress, ';
  const [kit, ort] = [sample(kitGpt(model), model.vocab, prompt, 48), await sampleBundled(model, prompt, 48)];
  assert.equal(ort.length, 48);
  assert.equal(ort, kit);
  // And its step-0 validation losses, which the check also takes from onnxruntime: the kit's, to float32 rounding.
  const corpus = corpusFor(model.vocab);
  for (const data of [corpus.val, corpus.moby]) {
    const [k, o] = [evalLoss(kitGpt(model), data, 8, 128), await evalLossBundled(model, data, 8, 128)];
    assert.ok(Math.abs(k - o) < 1e-4, `kit ${k}, onnxruntime ${o}`);
  }
});

test('lora-finetune/finetune: the export check run alone fine-tunes the model itself and passes', async () => {
  const r = await EXPORT_RUN;
  const id = named(r.plan, EXPORT).id;
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => [c.id, c.status, c.message]), [[id, 'passed', undefined]]);
  expectLiveCurve(r, id);
});

test('lora-finetune/finetune: the quick checks run alone do not train', async () => {
  const quick = ['your LoRALinear and merge from the LoRA lesson', 'addLoRA wraps every chosen layer', 'mergeLoRA puts plain Linear layers back'];
  const r = await run('lora-finetune/finetune', quick);
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => c.status), ['passed', 'passed', 'passed']);
  assert.equal(r.result.status, 'passed');
  assert.deepEqual(r.live, [], 'no training progress');
  assert.deepEqual(r.result.checks.flatMap((c) => c.artifacts).filter((a) => a.kind === 'curve'), []);
});

test('lora-finetune/qlora: the adapter on the int8 base trains with a live curve, in the learner\'s language', async () => {
  const r = await QLORA_RUN;
  const id = named(r.plan, QLORA).id;
  assert.deepEqual(r.result.checks.filter((c) => c.status !== 'skipped').map((c) => [c.id, c.status, c.message]), [[id, 'passed', undefined]]);
  expectLiveCurve(r, id);
  const curve = r.result.checks.flatMap((c) => c.artifacts).find((a) => a.kind === 'curve');
  assert.ok(curve?.kind === 'curve');
  assert.match(curve.title, /int8 基座/);
  assert.match(curve.yLabel, /损失/);
  assert.ok(curve.series.every((s) => /[\u3400-\u9fff]/.test(s.name)), `series names in Chinese: ${curve.series.map((s) => s.name).join(', ')}`);
});

/** Runs one learner file of the corpus (by its name there) through the checks whose English names start with `only`. */
async function runCorpusFile(name: string, only: string[], locale: Locale = 'en'): Promise<RunResult> {
  const entry = CORPUS.find((e) => e.name === name);
  assert.ok(entry?.source, `no corpus entry "${name}" with a source`);
  const cat = await catalog;
  const found = findExercise(cat, entry.exercise);
  assert.ok(found, `no exercise ${entry.exercise}`);
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const folder = path.join(dir, `run-${runs++}`);
  const file = await solutionFolder(folder, cat, found.exercise);
  writeFileSync(learnerFile(folder, found.lesson, found.exercise), entry.source);
  const result = await runInWorker({
    exerciseId: entry.exercise, learnerFile: file, checksFile: found.exercise.checks, locale, only: only.map((start) => named(plan, start).id),
    prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(result.error, undefined, result.error?.message);
  return result;
}

/** The one check run failed; its message contains every `says` and none of `not` (catalogue messages, in `locale`). */
function expectFailure(r: RunResult, says: (string | RegExp)[], not: { message: Record<Locale, string> }[] = [], locale: Locale = 'en'): void {
  const ran = r.checks.filter((c) => c.status !== 'skipped');
  assert.equal(ran.length, 1);
  assert.equal(ran[0].status, 'failed', `${ran[0].name}: ${ran[0].message}`);
  const message = ran[0].message ?? '';
  for (const s of says) assert.ok(typeof s === 'string' ? message.includes(s) : s.test(message), `"${message}" should say ${s}`);
  for (const m of not) assert.ok(!message.includes(m.message[locale]), `"${message}" names a mistake the file does not make: ${m.message[locale]}`);
}

test('lora/layer: a layer that scales twice is told the factor, not "scaled by alpha" (alpha and r where (alpha / r)² ≠ alpha)', async () => {
  const r = await runCorpusFile('the scale applied twice (on h and on the output)', ['a trained adapter']);
  expectFailure(r, ['is exactly 3 times the right value, as if it were scaled by 9 instead of alpha / r = 3'], [LORA_MISTAKES['scale-alpha-only']]);
  const zh = await runCorpusFile('the scale applied twice (on h and on the output)', ['a trained adapter'], 'zh-cn');
  expectFailure(zh, ['恰好是正确值的 3 倍，相当于乘的系数是 9，而不是 alpha / r = 3'], [LORA_MISTAKES['scale-alpha-only']], 'zh-cn');
});

test('lora/layer: alpha ignored (2 / r) is not called "not scaled", though 2 / r = 1 for r = 2', async () => {
  const r = await runCorpusFile('alpha ignored: the scale is 2 / r', ['gradients: A, B and x']);
  expectFailure(r, ['B.grad (r = 2, alpha = 6)'], [LORA_MISTAKES['scale-missing']]);
});

test('lora/backward: a dB without its scale (dA and dx right) is not "the gradients of A and B miss the factor"', async () => {
  const r = await runCorpusFile('dB not scaled (dA and dx are)', ['a small example by hand']);
  expectFailure(r, ['.dB is exactly 0.5 times the right value, as if it were scaled by 1 instead of alpha / r = 2'], [LORA_MISTAKES['backward-no-scale']]);
  const dx = await runCorpusFile('the adapter\'s share of dx not scaled', ['matches central finite differences']);
  expectFailure(dx, ['.dx['], [LORA_MISTAKES['backward-no-scale']]);
});

test('lora/backward and lora/merge: 1 / r (alpha ignored) is not named "no scale" on the hand example, where r = 1', async () => {
  expectFailure(await runCorpusFile('alpha ignored: s = 1 / r', ['a small example by hand']), ['as if it were scaled by 1 instead of alpha / r = 2'], [LORA_MISTAKES['backward-no-scale']]);
  expectFailure(await runCorpusFile('alpha ignored: B A divided by r', ['merge: a small example by hand']),
    ['is exactly 0.5 times the right value, as if it were scaled by 1 instead of alpha / r = 2'], [LORA_MISTAKES['merge-no-scale']]);
});

test('lora-finetune/finetune: a Map key typo is said as such; config.seed ignored and a generator per block fail', async () => {
  expectFailure(await runCorpusFile('the Map keyed without the dot after h', ['addLoRA wraps every chosen layer']),
    ["h.0.attn.q has its adapter, but the Map addLoRA returned has nothing under 'h.0.attn.q'"], [FINETUNE_MISTAKES['wrong-targets']]);
  expectFailure(await runCorpusFile('config.seed ignored (a fixed Rng(0))', ['addLoRA wraps every chosen layer']), ['addLoRA with seed 3 and with seed 4 gave the same adapters'],
    [FINETUNE_MISTAKES.unseeded, FINETUNE_MISTAKES['shared-rng']]);
  expectFailure(await runCorpusFile('a new Rng(config.seed) for every block', ['addLoRA wraps every chosen layer']),
    [FINETUNE_MISTAKES['shared-rng'].message.en, '(h.0.attn.q and h.1.attn.q)']);
  expectFailure(await runCorpusFile('the rank fixed at PEFT\'s default 8', ['addLoRA wraps every chosen layer']), ["adapters.get('h.0.attn.q').A has shape [8, 8], expected [2, 8]"]);
});

test('lora-finetune/qlora: one absmax for the whole matrix stored bitsandbytes\' way, and Math.floor, are named', async () => {
  expectFailure(await runCorpusFile('one absmax over the whole matrix, spread', ['one scale per output channel']), [FINETUNE_MISTAKES['per-tensor'].message.en]);
  expectFailure(await runCorpusFile('Math.floor instead of Math.round', ['round trip']), [FINETUNE_MISTAKES.floor.message.en]);
  expectFailure(await runCorpusFile('a scale per column, one per input', ['one scale per output channel']), [FINETUNE_MISTAKES['per-column'].message.en]);
});
