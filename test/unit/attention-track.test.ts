/**
 * The attention track (lessons 2-4) against its own catalogue of mistakes: for every classic mistake, the
 * reference solution with that one bug put in is run through the real runner, and some failing check must
 * name the mistake with the catalogue's words. The untouched solutions must pass (lessons.test.ts also
 * checks that, and that every scaffold fails).
 *
 * The learner's files import each other (lesson 3 uses lesson 2's attention, lesson 4 lesson 3's multi-head
 * attention), so each case writes the three files into a temporary folder laid out like the learner's
 * llm-lab/ folder: the buggy one and the correct others.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../../src/core/grading/result';
import { runInWorker } from '../../src/harness/host';
import { ATTENTION_MISTAKE_TEXT } from '../../lessons/02-attention/mistakes';
import { MHA_MISTAKE_TEXT } from '../../lessons/03-multi-head-attention/mistakes';
import { GPT_MISTAKE_TEXT } from '../../lessons/04-gpt-forward/mistakes';
import { LESSONS, WORKER, tempDir, limiter } from './helpers';

interface Lesson {
  folder: string;
  exercise: string;
  file: string;
  solution: string;
  checks: string;
}

const TRACK = {
  attention: { folder: '02-attention', exercise: 'attention/scaled-dot-product', file: 'attention.ts', solution: 'attention.solution.ts', checks: 'attention.checks.ts' },
  mha: { folder: '03-multi-head-attention', exercise: 'multi-head-attention/layer', file: 'multihead.ts', solution: 'multihead.solution.ts', checks: 'multihead.checks.ts' },
  gpt: { folder: '04-gpt-forward', exercise: 'gpt-forward/model', file: 'gpt.ts', solution: 'gpt.solution.ts', checks: 'gpt.checks.ts' },
} satisfies Record<string, Lesson>;

type LessonName = keyof typeof TRACK;

interface Mistake {
  /** What the test is called. */
  name: string;
  /** The lesson whose file gets the bug. */
  lesson: LessonName;
  /** The lesson whose checks run (default: the same). */
  checks?: LessonName;
  /** Exact replacements in the solution's source; each `from` must occur. */
  patch: [from: string, to: string][];
  /** The catalogue's words that some failing check must carry. */
  message: string;
}

const A = ATTENTION_MISTAKE_TEXT;
const M = MHA_MISTAKE_TEXT;
const G = GPT_MISTAKE_TEXT;
const SPLIT = 'return transpose(x.reshape(B, T, nHead, hs), 1, 2);';
const MERGE = 'return transpose(y, 1, 2).reshape(B, T, nh * hs);';
const LN = 'div(sub(x, mu), sqrt(add(v, eps)))';
const GELU = 'return mul(mul(x, 0.5), add(tanh(inner), 1));';
const MLP_BRANCH = "const out = add(x1, mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer));";
/** More kit imports for the lesson-4 mistakes that need them. */
const KIT_EXTRAS: [string, string] = ['type Tensor, add,', 'type Tensor, tensor, relu, exp, add,'];
const SCORES = 'mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d))';
const MASK_LINE = 'scores = maskedFill(scores, futureMask(T), -Infinity);';

const MISTAKES: Mistake[] = [
  { name: 'no 1/sqrt(d) scaling', lesson: 'attention', patch: [[SCORES, 'matmul(q, transpose(k, -2, -1))']], message: A['no-scale'].message },
  { name: 'scaled by 1/d', lesson: 'attention', patch: [['1 / Math.sqrt(d)', '1 / d']], message: A['scale-by-d'].message },
  { name: 'softmax over the queries', lesson: 'attention', patch: [['softmax(scores, -1)', 'softmax(scores, -2)']], message: A['softmax-over-queries'].message },
  {
    name: 'mask applied after the softmax', lesson: 'attention',
    patch: [[MASK_LINE, ''], ['const weights = softmax(scores, -1);', 'const weights = causal ? maskedFill(softmax(scores, -1), futureMask(q.shape[q.ndim - 2]), 0) : softmax(scores, -1);']],
    message: A['mask-after-softmax'].message,
  },
  { name: 'mask filled with 0', lesson: 'attention', patch: [[MASK_LINE, 'scores = maskedFill(scores, futureMask(T), 0);']], message: A['mask-with-zero'].message },
  { name: 'no mask at all', lesson: 'attention', patch: [[MASK_LINE, '']], message: A['no-mask'].message },
  { name: 'mask hides the diagonal', lesson: 'attention', patch: [['for (let j = i + 1; j < T; j++)', 'for (let j = i; j < T; j++)']], message: A['mask-includes-diagonal'].message },
  { name: 'mask lets the next token through', lesson: 'attention', patch: [['for (let j = i + 1; j < T; j++)', 'for (let j = i + 2; j < T; j++)']], message: A['mask-leaks-next'].message },
  {
    name: 'hand-written softmax without the max', lesson: 'attention',
    patch: [
      ["import { type Tensor, matmul,", "import { type Tensor, div, exp, sum, matmul,"],
      ['const weights = softmax(scores, -1);', 'const e = exp(scores);\n  const weights = div(e, sum(e, -1, true));'],
    ],
    message: A.overflow.message,
  },
  { name: 'k not transposed', lesson: 'attention', patch: [['transpose(k, -2, -1)', 'k']], message: A['k-not-transposed'].message },
  { name: 'k transposed along (0, 1), the square case', lesson: 'attention', patch: [['transpose(k, -2, -1)', 'transpose(k, 0, 1)']], message: A['k-transposed-0-1'].message },
  { name: 'k transposed along (0, 1), a batch', lesson: 'attention', patch: [['transpose(k, -2, -1)', 'transpose(k, 0, 1)']], message: A['k-wrong-axes'].message },
  { name: 'k transposed along (1, 2)', lesson: 'attention', patch: [['transpose(k, -2, -1)', 'transpose(k, 1, 2)']], message: A['k-transposed-1-2'].message },

  // Lesson 3: multi-head attention.
  { name: 'heads split without the transpose', lesson: 'mha', patch: [[SPLIT, 'return x.reshape(B, nHead, T, hs);']], message: M['split-without-transpose'].message },
  { name: 'heads split interleaved', lesson: 'mha', patch: [[SPLIT, 'return transpose(transpose(x.reshape(B, T, hs, nHead), 2, 3), 1, 2);']], message: M['split-interleaved'].message },
  { name: 'heads merged without the transpose', lesson: 'mha', patch: [[MERGE, 'return y.reshape(B, T, nh * hs);']], message: M['merge-without-transpose'].message },
  { name: 'heads merged interleaved', lesson: 'mha', patch: [[MERGE, 'return transpose(transpose(y, 1, 2), 2, 3).reshape(B, T, nh * hs);']], message: M['merge-interleaved'].message },
  {
    name: 'x @ W instead of x @ Wᵀ', lesson: 'mha',
    patch: [["import { type Tensor, linear, transpose } from '@llm-lab/kit';", "import { type Tensor, add, matmul, transpose } from '@llm-lab/kit';\nconst linear = (x: Tensor, w: Tensor, b: Tensor) => add(matmul(x, w), b);"]],
    message: M['weight-not-transposed'].message,
  },
  { name: 'no output projection', lesson: 'mha', patch: [['const out = linear(mergeHeads(y), w.proj.weight, w.proj.bias);', 'const out = mergeHeads(y);']], message: M['no-output-projection'].message },
  { name: 'nHead ignored', lesson: 'mha', patch: [['), nHead); //', '), 1); //']], message: M['single-head'].message },
  { name: 'a broken lesson-2 attention under lesson 3', lesson: 'attention', checks: 'mha', patch: [['1 / Math.sqrt(d)', '1 / d']], message: M['lesson-2'].message },

  // Lesson 4: the GPT forward pass.
  { name: 'LayerNorm with the unbiased variance', lesson: 'gpt', patch: [['variance(x, -1, true)', 'variance(x, -1, true, true)']], message: G['ln-unbiased-variance'].message },
  { name: 'LayerNorm with eps outside the root', lesson: 'gpt', patch: [[LN, 'div(sub(x, mu), add(sqrt(v), eps))']], message: G['ln-eps-outside-sqrt'].message },
  { name: 'LayerNorm divided by the variance', lesson: 'gpt', patch: [[LN, 'div(sub(x, mu), add(v, eps))']], message: G['ln-divide-by-variance'].message },
  { name: 'LayerNorm without eps', lesson: 'gpt', patch: [[LN, 'div(sub(x, mu), sqrt(v))']], message: G['ln-no-eps'].message },
  { name: 'LayerNorm over the first axis', lesson: 'gpt', patch: [['mean(x, -1, true)', 'mean(x, 0, true)'], ['variance(x, -1, true)', 'variance(x, 0, true)']], message: G['ln-wrong-axis'].message },
  { name: 'LayerNorm weight and bias swapped', lesson: 'gpt', patch: [['add(mul(xhat, weight), bias)', 'add(mul(xhat, bias), weight)']], message: G['ln-weight-bias-swapped'].message },
  {
    name: 'exact (erf) GELU', lesson: 'gpt',
    patch: [KIT_EXTRAS, [GELU, 'const erf = (z: number) => { const t = 1 / (1 + 0.3275911 * Math.abs(z)); const e = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z); return z < 0 ? -e : e; };\n  void inner;\n  return tensor(Float32Array.from(x.data, (u) => 0.5 * u * (1 + erf(u / Math.SQRT2))), x.shape);']],
    message: G['gelu-erf'].message,
  },
  { name: 'ReLU for GELU', lesson: 'gpt', patch: [KIT_EXTRAS, [GELU, 'void inner;\n  return relu(x);']], message: G['gelu-relu'].message },
  { name: 'sigmoid GELU', lesson: 'gpt', patch: [KIT_EXTRAS, [GELU, 'void inner;\n  return div(x, add(exp(mul(x, -1.702)), 1));']], message: G['gelu-sigmoid'].message },
  { name: 'GELU without the cubic term', lesson: 'gpt', patch: [['add(x, mul(pow(x, 3), 0.044715))', 'x']], message: G['gelu-no-cubic'].message },
  { name: 'GELU without the 0.5', lesson: 'gpt', patch: [['mul(mul(x, 0.5), add(tanh(inner), 1))', 'mul(x, add(tanh(inner), 1))']], message: G['gelu-no-half'].message },
  { name: 'ReLU in the MLP', lesson: 'gpt', patch: [KIT_EXTRAS, ['linear(gelu(h),', 'linear(relu(h),']], message: G['mlp-relu'].message },
  { name: 'no activation in the MLP', lesson: 'gpt', patch: [['linear(gelu(h),', 'linear(h,']], message: G['mlp-no-activation'].message },
  {
    name: 'post-LN block', lesson: 'gpt',
    patch: [
      ["const a = multiHeadAttention(layerNorm(x, p('ln_1.weight'), p('ln_1.bias')), attentionWeights(w, layer), config.nHead);", 'const a = multiHeadAttention(x, attentionWeights(w, layer), config.nHead);'],
      ['const x1 = add(x, a.out);', "const x1 = layerNorm(add(x, a.out), p('ln_1.weight'), p('ln_1.bias'));"],
      [MLP_BRANCH, "const out = layerNorm(add(x1, mlp(x1, w, layer)), p('ln_2.weight'), p('ln_2.bias'));"],
    ],
    message: G['post-ln'].message,
  },
  {
    name: 'no residual connections', lesson: 'gpt',
    patch: [['const x1 = add(x, a.out);', 'const x1 = a.out;'], [MLP_BRANCH, "const out = mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer);"]],
    message: G['no-residual'].message,
  },
  { name: 'the MLP reads the block input', lesson: 'gpt', patch: [["mlp(layerNorm(x1, p('ln_2.weight')", "mlp(layerNorm(x, p('ln_2.weight')"]], message: G['parallel-block'].message },
  { name: 'ln_1 used twice', lesson: 'gpt', patch: [["layerNorm(x1, p('ln_2.weight'), p('ln_2.bias'))", "layerNorm(x1, p('ln_1.weight'), p('ln_1.bias'))"]], message: G['same-layer-norm'].message },
  { name: 'no position embedding', lesson: 'gpt', patch: [['let x = add(tok, pos);', 'let x = tok;\n  void pos;']], message: G['no-position-embedding'].message },
  { name: 'no final LayerNorm', lesson: 'gpt', patch: [["x = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias'));", '']], message: G['no-final-layer-norm'].message },
  { name: 'a broken lesson-3 attention under lesson 4', lesson: 'mha', checks: 'gpt', patch: [['const out = linear(mergeHeads(y), w.proj.weight, w.proj.bias);', 'const out = mergeHeads(y);']], message: G['lesson-3'].message },
];

const root = tempDir('llm-lab-track-');

/** The solution's source as a learner would have it: imports of other solutions point at the learner's files. */
function learnerSource(lesson: Lesson): string {
  return readFileSync(path.join(LESSONS, lesson.folder, lesson.solution), 'utf8').replace(/\.solution(['"])/g, '$1');
}

/** A learner folder with every lesson's correct file, and `buggy` (if given) replacing its lesson's file. */
function learnerFolder(name: string, buggy?: { lesson: Lesson; source: string }): string {
  const dir = path.join(root, name.replace(/[^a-z0-9]+/gi, '-'));
  for (const lesson of Object.values(TRACK)) {
    mkdirSync(path.join(dir, lesson.folder), { recursive: true });
    const source = buggy?.lesson === lesson ? buggy.source : learnerSource(lesson);
    writeFileSync(path.join(dir, lesson.folder, lesson.file), source);
  }
  return dir;
}

function check(dir: string, lesson: Lesson): Promise<RunResult> {
  return runInWorker({ exerciseId: lesson.exercise, learnerFile: path.join(dir, lesson.folder, lesson.file), checksFile: path.join(LESSONS, lesson.folder, lesson.checks) },
    { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
}

const limit = limiter(2); // two runner processes at a time (the machine has two cores)

test('the learner-style copies of the reference solutions pass every check', async () => {
  const dir = learnerFolder('correct');
  for (const lesson of Object.values(TRACK)) {
    const r = await check(dir, lesson);
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), [], lesson.exercise);
  }
});

test('every catalogued mistake fails with its own message', async (t) => {
  const runs = await Promise.all(MISTAKES.map((mistake) => limit(async () => {
    const lesson: Lesson = TRACK[mistake.lesson];
    const checked: Lesson = TRACK[mistake.checks ?? mistake.lesson];
    let source = learnerSource(lesson);
    for (const [from, to] of mistake.patch) {
      assert.ok(source.includes(from), `${mistake.name}: the solution no longer contains ${JSON.stringify(from)}`);
      source = source.split(from).join(to);
    }
    return { mistake, result: await check(learnerFolder(mistake.name, { lesson, source }), checked) };
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
