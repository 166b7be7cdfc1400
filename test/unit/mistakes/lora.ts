/**
 * The lora track's mistake cases (see test/unit/catalogue.ts): every catalogued mistake of lessons 7 and 8 put
 * into the reference solution, and the one check that names it run on it.
 */
import { LORA_MISTAKES } from '../../../lessons/07-lora/mistakes';
import { FINETUNE_MISTAKES } from '../../../lessons/08-lora-finetune/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

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
const LESSON_7 = 'your LoRALinear and merge from the LoRA lesson';
const ADD = 'addLoRA wraps every chosen layer';
const MERGE_LORA = 'mergeLoRA puts plain Linear layers back';
const PER_CHANNEL = 'one scale per output channel';
const ROUND_TRIP = 'round trip';
const QUANT_BY_HAND = 'quantizeInt8: a small example by hand';
const FINITE_DIFF = 'matches central finite differences';
const MERGED_LAYER = 'the merged layer computes what the LoRA layer computes';
const GRADIENTS = 'gradients: A, B and x get the right ones';

// Other libraries' ways of writing the same lines.
const RSLORA = 'rsLoRA (PEFT use_rslora=True)';
const RS_SCALE = 'this.scale = alpha / Math.sqrt(r);';
const RS_S = 'const s = alpha / Math.sqrt(r);';
const RS_DELTA = 'return mul(matmul(B, A), alpha / Math.sqrt(r));';
/** PEFT's default init of lora_A: kaiming_uniform_(a = √5), nn.Linear's own init, U(±1/√in); in the kit, a Linear's weight. */
const PEFT_INIT: [string, string][] = [
  ['import { type Linear, Module,', 'import { Linear, Module,'],
  [A_INIT, 'this.A = new Linear(this.inFeatures, r, false, rng).weight;'],
];
/** PEFT's init_lora_weights='gaussian': A ~ N(0, 1/r²). */
const PEFT_GAUSSIAN: [string, string][] = [[A_INIT, 'this.A = randn([r, this.inFeatures], rng, 1 / r, { requiresGrad: true });']];
/** A (in, r) and B (r, out), y = x @ A @ B: the (in, out) layout of Hugging Face's Conv1D. */
const CONV1D_LAYOUT: [string, string][] = [
  ['add, linear, mul, randn, zeros }', 'add, linear, matmul, mul, randn, zeros }'],
  [A_INIT, 'this.A = randn([this.inFeatures, r], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });'],
  [B_INIT, 'this.B = zeros([r, this.outFeatures], { requiresGrad: true });'],
  ['linear(linear(x, this.A), this.B)', 'matmul(matmul(x, this.A), this.B)'],
];
/** PEFT's merge(): the update added into the base weight in place. */
const PEFT_MERGE: [string, string][] = [[MERGE, 'const d = delta(A, B, alpha, r);\n  for (let i = 0; i < W.size; i++) W.data[i] += d.data[i];\n  return W;']];

export const CASES: MistakeCase[] = [
  // Lesson 7, exercise 1: counting parameters.
  ...mistakeCases(LORA_MISTAKES, 'lora/params', [
    { key: 'params-product', check: LORA_PARAMS_CHECK, edits: [[LORA_PARAMS, 'return r * dIn * dOut;']] },
    { key: 'params-only-a', check: LORA_PARAMS_CHECK, edits: [[LORA_PARAMS, 'return r * dIn;']] },
    { key: 'params-full', check: LORA_PARAMS_CHECK, edits: [[LORA_PARAMS, 'return dIn * dOut;']] },
    { key: 'tied-head-twice', check: GPT_PARAMS_CHECK, edits: [['return V * C + blockSize', 'return 2 * V * C + blockSize']] },
    { key: 'gpt-no-wpe', check: GPT_PARAMS_CHECK, edits: [['return V * C + blockSize * C + nLayer * block + 2 * C;', 'return V * C + nLayer * block + 2 * C;']] },
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
      key: 'init-swapped', check: STEP0, name: 'at step 0, B random with A zero is not called a change of the output',
      edits: [
        [A_INIT, 'this.A = zeros([r, this.inFeatures], { requiresGrad: true });'],
        [B_INIT, 'this.B = randn([this.outFeatures, r], rng, 1 / Math.sqrt(r), { requiresGrad: true });'],
      ],
    },
    {
      key: 'init-swapped', check: A_RANDOM,
      edits: [
        [A_INIT, 'this.A = zeros([r, this.inFeatures], { requiresGrad: true });'],
        [B_INIT, 'this.B = randn([this.outFeatures, r], rng, 1 / Math.sqrt(r), { requiresGrad: true });'],
      ],
    },
    { key: 'shapes-swapped', check: SHAPES, edits: CONV1D_LAYOUT },
    { key: 'scale-missing', check: FORWARD, edits: [[SCALE, 'this.scale = 1;']] },
    { key: 'scale-inverted', check: FORWARD, edits: [[SCALE, 'this.scale = r / alpha;']] },
    { key: 'scale-alpha-only', check: FORWARD, edits: [[SCALE, 'this.scale = alpha;']] },
    { key: 'scale-rslora', check: FORWARD, name: 'rsLoRA in the layer', edits: [[SCALE, RS_SCALE]] },
    { key: 'w-trainable', check: FROZEN, edits: [['this.weight.requiresGrad = false;', ''], ['if (this.bias) this.bias.requiresGrad = false;', '']] },
    { key: 'a-not-seeded', check: A_RANDOM, edits: [['randn([r, this.inFeatures], rng,', 'randn([r, this.inFeatures], undefined,']] },
  ]),

  // Lesson 7, exercise 3: the backward pass.
  ...mistakeCases(LORA_MISTAKES, 'lora/backward', [
    { key: 'backward-no-scale', check: BY_HAND, edits: [['const s = alpha / r;', 'const s = 1;']] },
    { key: 'backward-inverted-scale', check: BY_HAND, edits: [['const s = alpha / r;', 'const s = r / alpha;']] },
    { key: 'dx-base-only', check: BY_HAND, edits: [[DX, 'const dx = matmul(dY, W);']] },
    { key: 'dx-adapter-only', check: BY_HAND, edits: [[DX, 'const dx = matmul(dh, A);']] },
    { key: 'scale-rslora', check: FINITE_DIFF, name: 'rsLoRA in the backward pass', edits: [['const s = alpha / r;', RS_S]] },
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
    { key: 'scale-rslora', check: MERGED_LAYER, name: 'rsLoRA in merge', edits: [[DELTA, RS_DELTA]] },
    { key: 'scale-rslora', check: UNMERGE_CHECK, name: 'rsLoRA in unmerge', edits: [[DELTA, RS_DELTA]] },
    { key: 'unmerge-adds', check: UNMERGE_CHECK, edits: [[UNMERGE, 'return add(merged, delta(A, B, alpha, r));']] },
    { key: 'unmerge-noop', check: UNMERGE_CHECK, edits: [[UNMERGE, 'return merged;']] },
  ]),

  // Lesson 8, exercise 1: LoRA on the bundled GPT.
  ...mistakeCases(FINETUNE_MISTAKES, 'lora-finetune/finetune', [
    { key: 'lesson-7', check: LESSON_7, in: 'lora/layer', name: 'a broken lesson-7 layer', edits: [[SCALE, 'this.scale = r / alpha;']] },
    { key: 'lesson-7', check: LESSON_7, in: 'lora/merge', name: 'a broken lesson-7 merge', edits: [[DELTA, 'return matmul(B, A);']] },
    { key: 'lesson-7-rslora', check: LESSON_7, in: 'lora/layer', name: 'rsLoRA in the lesson-7 layer', edits: [[SCALE, RS_SCALE]] },
    { key: 'lesson-7-rslora', check: LESSON_7, in: 'lora/merge', name: 'rsLoRA in the lesson-7 merge', edits: [[DELTA, RS_DELTA]] },
    { key: 'not-frozen', check: ADD, edits: [['for (const p of model.parameters()) p.requiresGrad = false;', '']] },
    { key: 'wrong-targets', check: ADD, edits: [['model.h.forEach((block, i) => {', 'model.h.slice(0, 1).forEach((block, i) => {']] },
    {
      key: 'changed-at-step-0', check: ADD,
      edits: [['new LoRALinear(parent[key], config.r', 'new LoRALinear(new Linear(parent[key].inFeatures, parent[key].outFeatures), config.r']],
    },
    { key: 'shared-rng', check: ADD, edits: [['config.alpha, rng);', 'config.alpha, new Rng(config.seed));']] },
    {
      key: 'shared-rng', check: ADD, name: 'a generator per block: the blocks repeat each other\'s A',
      edits: [['const rng = new Rng(config.seed); // one generator for all adapters: each gets its own A\n', ''],
        ['model.h.forEach((block, i) => {\n', 'model.h.forEach((block, i) => {\n    const rng = new Rng(config.seed);\n']],
    },
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

/** Other libraries' conventions put into the solutions: accepted, or named as conventions (never as mistakes). */
export const VARIANTS: LibraryVariant[] = [
  // Lesson 7: counting. nanoGPT's get_num_params() leaves out wpe: named as nanoGPT's convention.
  {
    library: 'nanoGPT', name: 'get_num_params() without the position embeddings', exercise: 'lora/params', check: GPT_PARAMS_CHECK,
    edits: [['return V * C + blockSize * C + nLayer * block + 2 * C;', 'return V * C + nLayer * block + 2 * C;']],
  },
  // Lesson 7: the layer. PEFT's initialisations of A are accepted (everywhere A is looked at).
  { library: 'PEFT', name: 'A = kaiming-uniform U(±1/√in), PEFT\'s default init', exercise: 'lora/layer', check: A_RANDOM, edits: PEFT_INIT },
  { library: 'PEFT', name: 'A = kaiming-uniform U(±1/√in), at step 0', exercise: 'lora/layer', check: STEP0, edits: PEFT_INIT },
  { library: 'PEFT', name: 'init_lora_weights=\'gaussian\', A ~ N(0, 1/r²)', exercise: 'lora/layer', check: A_RANDOM, edits: PEFT_GAUSSIAN },
  { library: 'PEFT', name: 'PEFT\'s init of A, in lesson 8\'s quick test', exercise: 'lora-finetune/finetune', in: 'lora/layer', check: LESSON_7, edits: PEFT_INIT },
  { library: 'PEFT', name: 'PEFT\'s init of A, in addLoRA', exercise: 'lora-finetune/finetune', in: 'lora/layer', check: ADD, edits: PEFT_INIT },
  // Hugging Face Conv1D's (in, out) layout for A and B: named as that convention.
  { library: 'Hugging Face Conv1D', name: 'A (in, r), B (r, out), y = x @ A @ B', exercise: 'lora/layer', check: SHAPES, edits: CONV1D_LAYOUT },
  // rsLoRA's scale alpha / √r: named as that convention, wherever the scale appears.
  { library: RSLORA, name: 'this.scale = alpha / √r, forward', exercise: 'lora/layer', check: FORWARD, edits: [[SCALE, RS_SCALE]] },
  { library: RSLORA, name: 'this.scale = alpha / √r, gradients', exercise: 'lora/layer', check: GRADIENTS, edits: [[SCALE, RS_SCALE]] },
  { library: RSLORA, name: 's = alpha / √r in the backward pass', exercise: 'lora/backward', check: FINITE_DIFF, edits: [['const s = alpha / r;', RS_S]] },
  { library: RSLORA, name: 'merge with alpha / √r', exercise: 'lora/merge', check: MERGED_LAYER, edits: [[DELTA, RS_DELTA]] },
  { library: RSLORA, name: 'unmerge with alpha / √r', exercise: 'lora/merge', check: UNMERGE_CHECK, edits: [[DELTA, RS_DELTA]] },
  { library: RSLORA, name: 'lesson-7 layer with alpha / √r, in lesson 8', exercise: 'lora-finetune/finetune', in: 'lora/layer', check: LESSON_7, edits: [[SCALE, RS_SCALE]] },
  // PEFT's merge() writes into the base weight: named as PEFT's convention in lesson 7 (whose merge is a pure
  // function), accepted by lesson 8 (which judges what merge returns and what mergeLoRA leaves in the model).
  { library: 'PEFT', name: 'merge() adds the update into W in place', exercise: 'lora/merge', check: MERGE_BY_HAND, edits: PEFT_MERGE },
  { library: 'PEFT', name: 'an in-place lesson-7 merge, in lesson 8\'s quick test', exercise: 'lora-finetune/finetune', in: 'lora/merge', check: LESSON_7, edits: PEFT_MERGE },
  {
    library: 'PEFT', name: 'merge_and_unload(): the merged weight written into the base weight', exercise: 'lora-finetune/finetune', check: MERGE_LORA,
    edits: [['merged.weight = noGrad(() => merge(a.weight, a.A, a.B, a.alpha, a.r));', 'a.weight.data.set(noGrad(() => merge(a.weight, a.A, a.B, a.alpha, a.r)).data);\n    merged.weight = a.weight;']],
  },
  // Lesson 8, QLoRA: bitsandbytes keeps each row's absmax (SCB) and dequantizes with q · SCB / 127: accepted.
  ...[QUANT_BY_HAND, PER_CHANNEL, ROUND_TRIP].map((check): LibraryVariant => ({
    library: 'bitsandbytes', name: 'scales hold the row absmax (SCB), dequantized as q · SCB / 127', exercise: 'lora-finetune/qlora', check,
    edits: [['scales[o] = scale;', 'scales[o] = max;'], ['w.q[o * inp + i] * w.scales[o]', 'w.q[o * inp + i] * (w.scales[o] / 127)']],
  })),
];
