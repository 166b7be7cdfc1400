/**
 * The lora track's mistake cases (see test/unit/catalogue.ts): every catalogued mistake of lessons 7 and 8 put
 * into the reference solution, and the one check that names it run on it.
 */
import { LORA_MISTAKES } from '../../../lessons/07-lora/mistakes';
import { FINETUNE_MISTAKES } from '../../../lessons/08-lora-finetune/mistakes';
import { type MistakeCase, mistakeCases } from '../catalogue';

const A_INIT = 'this.A = randn([r, this.inFeatures], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });';
const B_INIT = 'this.B = zeros([this.outFeatures, r], { requiresGrad: true });';
const SCALE = 'this.scale = alpha / r;';
const DX = 'const dx = add(matmul(dY, W), matmul(dh, A));';
const MERGE = 'return add(W, delta(A, B, alpha, r));';
const DELTA = 'return mul(matmul(B, A), alpha / r);';
const UNMERGE = 'return sub(merged, delta(A, B, alpha, r));';
const ROW_MAX = 'for (let i = 0; i < inp; i++) max = Math.max(max, Math.abs(W.data[o * inp + i]));';
const LORA_PARAMS = 'return r * dIn + dOut * r;';

// Check names (the start of the English name of the check that catalogues each mistake).
const LORA_PARAMS_CHECK = 'loraParams: a rank-4 adapter';
const GPT_PARAMS_CHECK = 'gptParams: a small config';
const COUNT_CHECK = 'countTrainable: a small config';
const STEP0 = 'step 0: B is zero';
const SHAPES = 'A is (r, in) and B is (out, r)';
const A_RANDOM = 'A is small, random';
const FROZEN = 'W and b are frozen';
const FORWARD = 'a trained adapter';
const BY_HAND = 'a small example by hand';
const MERGE_BY_HAND = 'merge: a small example by hand';
const UNMERGE_CHECK = 'unmerge(merge(W)) gives W back';
const LESSON_7 = 'your lesson-7 LoRALinear and merge';
const ADD = 'addLoRA wraps every chosen layer';
const MERGE_LORA = 'mergeLoRA puts plain Linear layers back';
const PER_CHANNEL = 'one scale per output channel';
const ROUND_TRIP = 'round trip';

export const CASES: MistakeCase[] = [
  // Lesson 7, exercise 1: counting parameters.
  ...mistakeCases(LORA_MISTAKES, 'lora/params', [
    { key: 'params-product', check: LORA_PARAMS_CHECK, edits: [[LORA_PARAMS, 'return r * dIn * dOut;']] },
    { key: 'params-only-a', check: LORA_PARAMS_CHECK, edits: [[LORA_PARAMS, 'return r * dIn;']] },
    { key: 'params-full', check: LORA_PARAMS_CHECK, edits: [[LORA_PARAMS, 'return dIn * dOut;']] },
    { key: 'tied-head-twice', check: GPT_PARAMS_CHECK, edits: [['return V * C + blockSize', 'return 2 * V * C + blockSize']] },
    {
      key: 'no-biases', check: GPT_PARAMS_CHECK,
      edits: [['=> dIn * dOut + dOut;', '=> dIn * dOut;'], ['const block = 2 * C + 4 * linear(C, C) + 2 * C +', 'const block = 4 * linear(C, C) +'], ['nLayer * block + 2 * C;', 'nLayer * block;']],
    },
    { key: 'one-layer', check: COUNT_CHECK, edits: [['return config.nLayer * perBlock;', 'return perBlock;']] },
    { key: 'mlp-square', check: COUNT_CHECK, edits: [['return [C, 4 * C];', 'return [C, C];'], ['return [4 * C, C];', 'return [C, C];']] },
  ]),

  // Lesson 7, exercise 2: the layer.
  ...mistakeCases(LORA_MISTAKES, 'lora/layer', [
    { key: 'b-nonzero', check: STEP0, edits: [[B_INIT, 'this.B = randn([this.outFeatures, r], rng, 0.02, { requiresGrad: true });']] },
    { key: 'a-zero', check: A_RANDOM, edits: [[A_INIT, 'this.A = zeros([r, this.inFeatures], { requiresGrad: true });']] },
    {
      key: 'init-swapped', check: A_RANDOM,
      edits: [
        [A_INIT, 'this.A = zeros([r, this.inFeatures], { requiresGrad: true });'],
        [B_INIT, 'this.B = randn([this.outFeatures, r], rng, 1 / Math.sqrt(r), { requiresGrad: true });'],
      ],
    },
    {
      key: 'shapes-swapped', check: SHAPES,
      edits: [
        ['add, linear, mul, randn, zeros }', 'add, linear, matmul, mul, randn, zeros }'],
        [A_INIT, 'this.A = randn([this.inFeatures, r], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });'],
        [B_INIT, 'this.B = zeros([r, this.outFeatures], { requiresGrad: true });'],
        ['linear(linear(x, this.A), this.B)', 'matmul(matmul(x, this.A), this.B)'],
      ],
    },
    { key: 'scale-missing', check: FORWARD, edits: [[SCALE, 'this.scale = 1;']] },
    { key: 'scale-inverted', check: FORWARD, edits: [[SCALE, 'this.scale = r / alpha;']] },
    { key: 'scale-alpha-only', check: FORWARD, edits: [[SCALE, 'this.scale = alpha;']] },
    { key: 'w-trainable', check: FROZEN, edits: [['this.weight.requiresGrad = false;', ''], ['if (this.bias) this.bias.requiresGrad = false;', '']] },
    { key: 'a-not-seeded', check: A_RANDOM, edits: [['randn([r, this.inFeatures], rng,', 'randn([r, this.inFeatures], undefined,']] },
  ]),

  // Lesson 7, exercise 3: the backward pass.
  ...mistakeCases(LORA_MISTAKES, 'lora/backward', [
    { key: 'backward-no-scale', check: BY_HAND, edits: [['const s = alpha / r;', 'const s = 1;']] },
    { key: 'backward-inverted-scale', check: BY_HAND, edits: [['const s = alpha / r;', 'const s = r / alpha;']] },
    { key: 'dx-base-only', check: BY_HAND, edits: [[DX, 'const dx = matmul(dY, W);']] },
    { key: 'dx-adapter-only', check: BY_HAND, edits: [[DX, 'const dx = matmul(dh, A);']] },
    { key: 'grads-transposed', check: BY_HAND, edits: [['const dA = matmul(transpose(dh, 0, 1), x);', 'const dA = matmul(transpose(x, 0, 1), dh);']] },
  ]),

  // Lesson 7, exercise 4: merge and unmerge.
  ...mistakeCases(LORA_MISTAKES, 'lora/merge', [
    {
      key: 'merge-transposed', check: MERGE_BY_HAND,
      edits: [['add, matmul, mul, sub }', 'add, matmul, mul, sub, transpose }'], [MERGE, 'return add(W, transpose(delta(A, B, alpha, r), 0, 1));']],
    },
    { key: 'merge-no-scale', check: MERGE_BY_HAND, edits: [[DELTA, 'return matmul(B, A);']] },
    { key: 'merge-inverted-scale', check: MERGE_BY_HAND, edits: [[DELTA, 'return mul(matmul(B, A), r / alpha);']] },
    {
      key: 'merge-in-place', check: MERGE_BY_HAND,
      edits: [[MERGE, 'const d = delta(A, B, alpha, r);\n  for (let i = 0; i < W.size; i++) W.data[i] += d.data[i];\n  return W;']],
    },
    { key: 'unmerge-adds', check: UNMERGE_CHECK, edits: [[UNMERGE, 'return add(merged, delta(A, B, alpha, r));']] },
    { key: 'unmerge-noop', check: UNMERGE_CHECK, edits: [[UNMERGE, 'return merged;']] },
  ]),

  // Lesson 8, exercise 1: LoRA on the bundled GPT.
  ...mistakeCases(FINETUNE_MISTAKES, 'lora-finetune/finetune', [
    { key: 'lesson-7', check: LESSON_7, in: 'lora/layer', name: 'a broken lesson-7 layer', edits: [[SCALE, 'this.scale = r / alpha;']] },
    { key: 'lesson-7', check: LESSON_7, in: 'lora/merge', name: 'a broken lesson-7 merge', edits: [[DELTA, 'return matmul(B, A);']] },
    { key: 'not-frozen', check: ADD, edits: [['for (const p of model.parameters()) p.requiresGrad = false;', '']] },
    { key: 'wrong-targets', check: ADD, edits: [['model.h.forEach((block, i) => {', 'model.h.slice(0, 1).forEach((block, i) => {']] },
    {
      key: 'changed-at-step-0', check: ADD,
      edits: [['new LoRALinear(parent[key], config.r', 'new LoRALinear(new Linear(parent[key].inFeatures, parent[key].outFeatures), config.r']],
    },
    { key: 'shared-rng', check: ADD, edits: [['config.alpha, rng);', 'config.alpha, new Rng(config.seed));']] },
    { key: 'unseeded', check: ADD, edits: [['const rng = new Rng(config.seed);', 'const rng = new Rng(Math.floor(Math.random() * 2 ** 31));']] },
    { key: 'not-merged', check: MERGE_LORA, edits: [['parent[key] = merged;', 'void merged;']] },
  ]),

  // Lesson 8, exercise 2: QLoRA.
  ...mistakeCases(FINETUNE_MISTAKES, 'lora-finetune/qlora', [
    { key: 'per-tensor', check: PER_CHANNEL, edits: [[ROW_MAX, 'for (let i = 0; i < W.size; i++) max = Math.max(max, Math.abs(W.data[i]));']] },
    { key: 'per-column', check: PER_CHANNEL, edits: [[ROW_MAX, 'for (let j = 0; j < out; j++) max = Math.max(max, Math.abs(W.data[j * inp + (o % inp)]));']] },
    { key: 'floor', check: PER_CHANNEL, edits: [['Math.round(W.data[o * inp + i] / scale)', 'Math.trunc(W.data[o * inp + i] / scale)']] },
    { key: 'dequant-divides', check: ROUND_TRIP, edits: [['w.q[o * inp + i] * w.scales[o]', 'w.q[o * inp + i] / w.scales[o]']] },
  ]),
];
