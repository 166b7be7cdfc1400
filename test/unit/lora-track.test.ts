/**
 * The LoRA track (lessons 7-8) against its own catalogue of mistakes: for every classic mistake, the reference
 * solution with that one bug put in is run through the real runner, and some failing check must name the
 * mistake with the catalogue's words. The untouched solutions must pass (lessons.test.ts also checks that,
 * and that every scaffold fails).
 *
 * Lesson 8's files import lesson 7's (LoRALinear, merge), so each case writes every file into a temporary
 * folder laid out like the learner's llm-lab/ folder: the buggy one and the correct others.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import type { FromWorker } from '../../src/harness/protocol';
import { runInWorker } from '../../src/harness/host';
import { LORA_MISTAKE_TEXT } from '../../lessons/07-lora/mistakes';
import { FINETUNE_MISTAKE_TEXT } from '../../lessons/08-lora-finetune/mistakes';
import { LESSONS, WORKER, tempDir, limiter } from './helpers';

interface Exercise {
  folder: string;
  exercise: string;
  file: string;
  solution: string;
  checks: string;
}

const ex = (folder: string, exercise: string, base: string): Exercise =>
  ({ folder, exercise, file: `${base}.ts`, solution: `${base}.solution.ts`, checks: `${base}.checks.ts` });

const TRACK = {
  params: ex('07-lora', 'lora/params', 'params'),
  layer: ex('07-lora', 'lora/layer', 'layer'),
  backward: ex('07-lora', 'lora/backward', 'backward'),
  merge: ex('07-lora', 'lora/merge', 'merge'),
  finetune: ex('08-lora-finetune', 'lora-finetune/finetune', 'finetune'),
  qlora: ex('08-lora-finetune', 'lora-finetune/qlora', 'qlora'),
} satisfies Record<string, Exercise>;

type Name = keyof typeof TRACK;

interface Mistake {
  name: string;
  /** The exercise whose file gets the bug. */
  exercise: Name;
  /** The exercise whose checks run (default: the same). */
  checks?: Name;
  /** Exact replacements in the solution's source; each `from` must occur. */
  patch: [from: string, to: string][];
  /** The catalogue's words that some failing check must carry. */
  message: string;
}

const L = LORA_MISTAKE_TEXT;
const F = FINETUNE_MISTAKE_TEXT;
const A_INIT = 'this.A = randn([r, this.inFeatures], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });';
const B_INIT = 'this.B = zeros([this.outFeatures, r], { requiresGrad: true });';
const SCALE = 'this.scale = alpha / r;';
const DX = 'const dx = add(matmul(dY, W), matmul(dh, A));';
const MERGE = 'return add(W, delta(A, B, alpha, r));';
const DELTA = 'return mul(matmul(B, A), alpha / r);';
const ROW_MAX = 'for (let i = 0; i < inp; i++) max = Math.max(max, Math.abs(W.data[o * inp + i]));';

const MISTAKES: Mistake[] = [
  // Exercise 1: counting parameters.
  { name: 'adapter size multiplied', exercise: 'params', patch: [['return r * dIn + dOut * r;', 'return r * dIn * dOut;']], message: L['params-product'].message },
  { name: 'only A counted', exercise: 'params', patch: [['return r * dIn + dOut * r;', 'return r * dIn;']], message: L['params-only-a'].message },
  { name: 'the full weight counted', exercise: 'params', patch: [['return r * dIn + dOut * r;', 'return dIn * dOut;']], message: L['params-full'].message },
  { name: 'tied LM head counted twice', exercise: 'params', patch: [['return V * C + blockSize', 'return 2 * V * C + blockSize']], message: L['tied-head-twice'].message },
  {
    name: 'biases and LayerNorms forgotten', exercise: 'params',
    patch: [['=> dIn * dOut + dOut;', '=> dIn * dOut;'], ['const block = 2 * C + 4 * linear(C, C) + 2 * C +', 'const block = 4 * linear(C, C) +'], ['nLayer * block + 2 * C;', 'nLayer * block;']],
    message: L['no-biases'].message,
  },
  { name: 'one block counted', exercise: 'params', patch: [['return config.nLayer * perBlock;', 'return perBlock;']], message: L['one-layer'].message },
  { name: 'MLP treated as C x C', exercise: 'params', patch: [["return [C, 4 * C];", 'return [C, C];'], ["return [4 * C, C];", 'return [C, C];']], message: L['mlp-square'].message },

  // Exercise 2: the layer.
  { name: 'B initialised non-zero', exercise: 'layer', patch: [[B_INIT, 'this.B = randn([this.outFeatures, r], rng, 0.02, { requiresGrad: true });']], message: L['b-nonzero'].message },
  { name: 'A and B both zero', exercise: 'layer', patch: [[A_INIT, 'this.A = zeros([r, this.inFeatures], { requiresGrad: true });']], message: L['a-zero'].message },
  {
    name: 'A and B shapes swapped', exercise: 'layer',
    patch: [
      ['add, linear, mul, randn, zeros }', 'add, linear, matmul, mul, randn, zeros }'],
      [A_INIT, 'this.A = randn([this.inFeatures, r], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });'],
      [B_INIT, 'this.B = zeros([r, this.outFeatures], { requiresGrad: true });'],
      ['linear(linear(x, this.A), this.B)', 'matmul(matmul(x, this.A), this.B)'],
    ],
    message: L['shapes-swapped'].message,
  },
  { name: 'no alpha / r scaling', exercise: 'layer', patch: [[SCALE, 'this.scale = 1;']], message: L['scale-missing'].message },
  { name: 'scaled by r / alpha', exercise: 'layer', patch: [[SCALE, 'this.scale = r / alpha;']], message: L['scale-inverted'].message },
  { name: 'scaled by alpha alone', exercise: 'layer', patch: [[SCALE, 'this.scale = alpha;']], message: L['scale-alpha-only'].message },
  { name: 'gradient flows into W', exercise: 'layer', patch: [['this.weight.requiresGrad = false;', ''], ['if (this.bias) this.bias.requiresGrad = false;', '']], message: L['w-trainable'].message },
  { name: 'A not drawn from the given rng', exercise: 'layer', patch: [['randn([r, this.inFeatures], rng,', 'randn([r, this.inFeatures], undefined,']], message: L['a-not-seeded'].message },

  // Exercise 3: the backward pass.
  { name: 'backward without the scale', exercise: 'backward', patch: [['const s = alpha / r;', 'const s = 1;']], message: L['backward-no-scale'].message },
  { name: 'backward with r / alpha', exercise: 'backward', patch: [['const s = alpha / r;', 'const s = r / alpha;']], message: L['backward-inverted-scale'].message },
  { name: 'dx through W only', exercise: 'backward', patch: [[DX, 'const dx = matmul(dY, W);']], message: L['dx-base-only'].message },
  { name: 'dx through the adapter only', exercise: 'backward', patch: [[DX, 'const dx = matmul(dh, A);']], message: L['dx-adapter-only'].message },
  { name: 'dA transposed', exercise: 'backward', patch: [['const dA = matmul(transpose(dh, 0, 1), x);', 'const dA = matmul(transpose(x, 0, 1), dh);']], message: L['grads-transposed'].message },

  // Exercise 4: merge and unmerge.
  {
    name: 'merge with the wrong transpose', exercise: 'merge',
    patch: [['add, matmul, mul, sub }', 'add, matmul, mul, sub, transpose }'], [MERGE, 'return add(W, transpose(delta(A, B, alpha, r), 0, 1));']],
    message: L['merge-transposed'].message,
  },
  { name: 'merge without the scale', exercise: 'merge', patch: [[DELTA, 'return matmul(B, A);']], message: L['merge-no-scale'].message },
  { name: 'merge with r / alpha', exercise: 'merge', patch: [[DELTA, 'return mul(matmul(B, A), r / alpha);']], message: L['merge-inverted-scale'].message },
  {
    name: 'merge writes into W', exercise: 'merge',
    patch: [[MERGE, 'const d = delta(A, B, alpha, r);\n  for (let i = 0; i < W.size; i++) W.data[i] += d.data[i];\n  return W;']],
    message: L['merge-in-place'].message,
  },
  { name: 'unmerge adds the update again', exercise: 'merge', patch: [['return sub(merged, delta(A, B, alpha, r));', 'return add(merged, delta(A, B, alpha, r));']], message: L['unmerge-adds'].message },
  { name: 'unmerge does not restore W', exercise: 'merge', patch: [['return sub(merged, delta(A, B, alpha, r));', 'return merged;']], message: L['unmerge-noop'].message },

  // Lesson 8: fine-tuning the bundled model.
  { name: 'a broken lesson-7 layer under lesson 8', exercise: 'layer', checks: 'finetune', patch: [[SCALE, 'this.scale = r / alpha;']], message: F['lesson-7'].message },
  { name: 'base model not frozen', exercise: 'finetune', patch: [['for (const p of model.parameters()) p.requiresGrad = false;', '']], message: F['not-frozen'].message },
  { name: 'only block 0 adapted', exercise: 'finetune', patch: [['model.h.forEach((block, i) => {', 'model.h.slice(0, 1).forEach((block, i) => {']], message: F['wrong-targets'].message },
  {
    name: 'a fresh Linear wrapped instead of the pretrained one', exercise: 'finetune',
    patch: [['new LoRALinear(parent[key], config.r', 'new LoRALinear(new Linear(parent[key].inFeatures, parent[key].outFeatures), config.r']],
    message: F['changed-at-step-0'].message,
  },
  { name: 'a new Rng per adapter', exercise: 'finetune', patch: [['config.alpha, rng);', 'config.alpha, new Rng(config.seed));']], message: F['shared-rng'].message },
  { name: 'mergeLoRA leaves the adapters in', exercise: 'finetune', patch: [['parent[key] = merged;', 'void merged;']], message: F['not-merged'].message },

  // Lesson 8: QLoRA.
  { name: 'one scale for the whole matrix', exercise: 'qlora', patch: [[ROW_MAX, 'for (let i = 0; i < W.size; i++) max = Math.max(max, Math.abs(W.data[i]));']], message: F['per-tensor'].message },
  { name: 'scales per input column', exercise: 'qlora', patch: [[ROW_MAX, 'for (let j = 0; j < out; j++) max = Math.max(max, Math.abs(W.data[j * inp + (o % inp)]));']], message: F['per-column'].message },
  { name: 'truncated instead of rounded', exercise: 'qlora', patch: [['Math.round(W.data[o * inp + i] / scale)', 'Math.trunc(W.data[o * inp + i] / scale)']], message: F.floor.message },
  { name: 'dequantize divides by the scale', exercise: 'qlora', patch: [['w.q[o * inp + i] * w.scales[o]', 'w.q[o * inp + i] / w.scales[o]']], message: F['dequant-divides'].message },
];

const root = tempDir('llm-lab-lora-');

/** The solution's source as a learner would have it: imports of other solutions point at the learner's files. */
function learnerSource(e: Exercise): string {
  return readFileSync(path.join(LESSONS, e.folder, e.solution), 'utf8').replace(/\.solution(['"])/g, '$1');
}

function learnerFolder(name: string, buggy?: { exercise: Exercise; source: string }): string {
  const dir = path.join(root, name.replace(/[^a-z0-9]+/gi, '-'));
  for (const e of Object.values(TRACK)) {
    mkdirSync(path.join(dir, e.folder), { recursive: true });
    writeFileSync(path.join(dir, e.folder, e.file), buggy?.exercise === e ? buggy.source : learnerSource(e));
  }
  return dir;
}

function check(dir: string, e: Exercise, onEvent?: (event: FromWorker) => void): Promise<RunResult> {
  return runInWorker({ exerciseId: e.exercise, learnerFile: path.join(dir, e.folder, e.file), checksFile: path.join(LESSONS, e.folder, e.checks) },
    { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 2048, onEvent });
}

const limit = limiter(2); // two runner processes at a time (the machine has two cores)

test('the learner-style copies of the reference solutions pass every check; training curves arrive live', async () => {
  const dir = learnerFolder('correct');
  for (const e of Object.values(TRACK)) {
    const live: Artifact[] = [];
    const r = await check(dir, e, (event) => { if (event.type === 'check-progress') live.push(event.artifact); });
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), [], e.exercise);
    if (e === TRACK.finetune || e === TRACK.qlora) {
      // Several updates of one curve while training (same title), and the final one kept with the result.
      assert.ok(live.length >= 3, `${e.exercise}: only ${live.length} live updates`);
      assert.equal(new Set(live.map((a) => a.title)).size, 1, 'a live curve keeps its title, so each update replaces the last');
      const curves = r.checks.flatMap((c) => c.artifacts).filter((a) => a.kind === 'curve');
      assert.equal(curves.length, 1);
      assert.equal(curves[0].title, live[0].title);
    }
  }
});

test('every catalogued mistake fails with its own message', async (t) => {
  // Every entry of both catalogues has a case here.
  const covered = new Set(MISTAKES.map((m) => m.message));
  const missing = [...Object.entries(LORA_MISTAKE_TEXT), ...Object.entries(FINETUNE_MISTAKE_TEXT)].filter(([, v]) => !covered.has(v.message)).map(([k]) => k);
  assert.deepEqual(missing, [], 'catalogued mistakes without a test');

  const runs = await Promise.all(MISTAKES.map((mistake) => limit(async () => {
    const e: Exercise = TRACK[mistake.exercise];
    let source = learnerSource(e);
    for (const [from, to] of mistake.patch) {
      assert.ok(source.includes(from), `${mistake.name}: the solution no longer contains ${JSON.stringify(from)}`);
      source = source.split(from).join(to);
    }
    return { mistake, result: await check(learnerFolder(mistake.name, { exercise: e, source }), TRACK[mistake.checks ?? mistake.exercise]) };
  })));
  for (const { mistake, result } of runs) {
    await t.test(mistake.name, () => {
      assert.equal(result.error, undefined, result.error?.message);
      const failed = result.checks.filter((c) => c.status !== 'passed');
      assert.ok(failed.length > 0, 'the buggy solution passed every check');
      const messages = failed.map((c) => `${c.name}: ${c.message}`);
      assert.ok(failed.some((c) => c.message?.includes(mistake.message)), `no failure says "${mistake.message}"; got:\n${messages.join('\n')}`);
    });
  }
});
