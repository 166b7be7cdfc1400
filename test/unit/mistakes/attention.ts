/**
 * The attention track's mistake cases (lessons 2-4; see test/unit/catalogue.ts): every classic mistake put into
 * the reference solutions, run through the one check that catalogues it, which must name it in both languages.
 */
import type { MistakeCase } from '../catalogue';
import { mistakeCases } from '../catalogue';
import { ATTENTION_MISTAKE_TEXT as A } from '../../../lessons/02-attention/mistakes';
import { MHA_MISTAKE_TEXT as M } from '../../../lessons/03-multi-head-attention/mistakes';
import { GPT_MISTAKE_TEXT as G } from '../../../lessons/04-gpt-forward/mistakes';

// Lesson 2: attention.
const SCORES = 'mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d))';
const MASK_LINE = 'scores = maskedFill(scores, futureMask(T), -Infinity);';
const FUTURE_LOOP = 'for (let j = i + 1; j < T; j++)';

// Lesson 3: multi-head attention.
const SPLIT = 'return transpose(x.reshape(B, T, nHead, hs), 1, 2);';
const MERGE = 'return transpose(y, 1, 2).reshape(B, T, nh * hs);';
const PROJECTION = 'const out = linear(mergeHeads(y), w.proj.weight, w.proj.bias);';

// Lesson 4: the GPT forward pass.
const LN = 'div(sub(x, mu), sqrt(add(v, eps)))';
const GELU = 'return mul(mul(x, 0.5), add(tanh(inner), 1));';
const MLP_BRANCH = "const out = add(x1, mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer));";
/** More kit imports for the lesson-4 mistakes that need them. */
const KIT_EXTRAS: [string, string] = ['type Tensor, add,', 'type Tensor, tensor, relu, exp, add,'];
const ERF_GELU = 'const erf = (z: number) => { const t = 1 / (1 + 0.3275911 * Math.abs(z)); const e = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z); return z < 0 ? -e : e; };\n'
  + '  void inner;\n  return tensor(Float32Array.from(x.data, (u) => 0.5 * u * (1 + erf(u / Math.SQRT2))), x.shape);';

const ATTENTION = mistakeCases(A, 'attention/scaled-dot-product', [
  { key: 'no-scale', check: 'a worked example', edits: [[SCORES, 'matmul(q, transpose(k, -2, -1))']] },
  { key: 'scale-by-d', check: 'a worked example', edits: [['1 / Math.sqrt(d)', '1 / d']] },
  { key: 'softmax-over-queries', check: 'each row of weights is a probability distribution', edits: [['softmax(scores, -1)', 'softmax(scores, -2)']] },
  {
    key: 'mask-after-softmax', check: 'each row of weights is a probability distribution',
    edits: [[MASK_LINE, ''], ['const weights = softmax(scores, -1);', 'const weights = causal ? maskedFill(softmax(scores, -1), futureMask(q.shape[q.ndim - 2]), 0) : softmax(scores, -1);']],
  },
  { key: 'mask-with-zero', check: 'causal: the future gets weight 0', edits: [[MASK_LINE, 'scores = maskedFill(scores, futureMask(T), 0);']] },
  { key: 'no-mask', check: 'causal: the future gets weight 0', edits: [[MASK_LINE, '']] },
  { key: 'mask-includes-diagonal', check: 'matches a float64 reference on a batch of heads', edits: [[FUTURE_LOOP, 'for (let j = i; j < T; j++)']] },
  { key: 'mask-leaks-next', check: 'causal: the future gets weight 0', edits: [[FUTURE_LOOP, 'for (let j = i + 2; j < T; j++)']] },
  {
    key: 'overflow', check: 'huge scores give finite, correct weights',
    edits: [
      ['import { type Tensor, matmul,', 'import { type Tensor, div, exp, sum, matmul,'],
      ['const weights = softmax(scores, -1);', 'const e = exp(scores);\n  const weights = div(e, sum(e, -1, true));'],
    ],
  },
  { key: 'k-not-transposed', check: 'a square batch (3, 3, 3, 3)', edits: [['transpose(k, -2, -1)', 'k']] },
  { key: 'k-transposed-0-1', check: 'a square batch (3, 3, 3, 3)', edits: [['transpose(k, -2, -1)', 'transpose(k, 0, 1)']] },
  { key: 'k-wrong-axes', check: 'a batch (2, 3, 5, 4) gives', edits: [['transpose(k, -2, -1)', 'transpose(k, 0, 1)']] },
  { key: 'k-transposed-1-2', check: 'a square batch (3, 3, 3, 3)', edits: [['transpose(k, -2, -1)', 'transpose(k, 1, 2)']] },
]);

const MULTI_HEAD = mistakeCases(M, 'multi-head-attention/layer', [
  { key: 'split-without-transpose', check: 'splitHeads: (2, 3, 8) into 4 heads', edits: [[SPLIT, 'return x.reshape(B, nHead, T, hs);']] },
  { key: 'split-interleaved', check: 'splitHeads: (2, 3, 8) into 4 heads', edits: [[SPLIT, 'return transpose(transpose(x.reshape(B, T, hs, nHead), 2, 3), 1, 2);']] },
  { key: 'merge-without-transpose', check: 'mergeHeads: (2, 4, 3, 2)', edits: [[MERGE, 'return y.reshape(B, T, nh * hs);']] },
  { key: 'merge-interleaved', check: 'mergeHeads: (2, 4, 3, 2)', edits: [[MERGE, 'return transpose(transpose(y, 1, 2), 2, 3).reshape(B, T, nh * hs);']] },
  {
    key: 'weight-not-transposed', check: 'multiHeadAttention matches a float64 reference',
    edits: [["import { type Tensor, linear, transpose } from '@llm-lab/kit';", "import { type Tensor, add, matmul, transpose } from '@llm-lab/kit';\nconst linear = (x: Tensor, w: Tensor, b: Tensor) => add(matmul(x, w), b);"]],
  },
  { key: 'no-output-projection', check: 'multiHeadAttention matches a float64 reference', edits: [[PROJECTION, 'const out = mergeHeads(y);']] },
  {
    key: 'single-head', check: 'multiHeadAttention matches a float64 reference',
    edits: [['w.q.bias), nHead)', 'w.q.bias), 1)'], ['w.k.bias), nHead)', 'w.k.bias), 1)'], ['w.v.bias), nHead)', 'w.v.bias), 1)']],
  },
  { key: 'lesson-2', check: 'your attention from lesson 2', in: 'attention/scaled-dot-product', edits: [['1 / Math.sqrt(d)', '1 / d']] },
]);

const GPT = mistakeCases(G, 'gpt-forward/model', [
  { key: 'ln-unbiased-variance', check: 'layerNorm: a worked example', edits: [['variance(x, -1, true)', 'variance(x, -1, true, true)']] },
  { key: 'ln-eps-outside-sqrt', check: 'layerNorm: a worked example', edits: [[LN, 'div(sub(x, mu), add(sqrt(v), eps))']] },
  { key: 'ln-divide-by-variance', check: 'layerNorm: a worked example', edits: [[LN, 'div(sub(x, mu), add(v, eps))']] },
  { key: 'ln-no-eps', check: 'layerNorm of a constant row', edits: [[LN, 'div(sub(x, mu), sqrt(v))']] },
  { key: 'ln-wrong-axis', check: 'layerNorm: a worked example', edits: [['mean(x, -1, true)', 'mean(x, 0, true)'], ['variance(x, -1, true)', 'variance(x, 0, true)']] },
  { key: 'ln-weight-bias-swapped', check: 'layerNorm: a worked example', edits: [['add(mul(xhat, weight), bias)', 'add(mul(xhat, bias), weight)']] },
  { key: 'gelu-erf', check: 'gelu at hand-picked points', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { key: 'gelu-relu', check: 'gelu at hand-picked points', edits: [KIT_EXTRAS, [GELU, 'void inner;\n  return relu(x);']] },
  { key: 'gelu-sigmoid', check: 'gelu at hand-picked points', edits: [KIT_EXTRAS, [GELU, 'void inner;\n  return div(x, add(exp(mul(x, -1.702)), 1));']] },
  { key: 'gelu-no-cubic', check: 'gelu at hand-picked points', edits: [['add(x, mul(pow(x, 3), 0.044715))', 'x']] },
  { key: 'gelu-no-half', check: 'gelu at hand-picked points', edits: [['mul(mul(x, 0.5), add(tanh(inner), 1))', 'mul(x, add(tanh(inner), 1))']] },
  { key: 'mlp-relu', check: 'mlp of layer 0', edits: [KIT_EXTRAS, ['linear(gelu(h),', 'linear(relu(h),']] },
  { key: 'mlp-no-activation', check: 'mlp of layer 0', edits: [['linear(gelu(h),', 'linear(h,']] },
  {
    key: 'post-ln', check: 'block i, fed what',
    edits: [
      ["const a = multiHeadAttention(layerNorm(x, p('ln_1.weight'), p('ln_1.bias')), attentionWeights(w, layer), config.nHead);", 'const a = multiHeadAttention(x, attentionWeights(w, layer), config.nHead);'],
      ['const x1 = add(x, a.out);', "const x1 = layerNorm(add(x, a.out), p('ln_1.weight'), p('ln_1.bias'));"],
      [MLP_BRANCH, "const out = layerNorm(add(x1, mlp(x1, w, layer)), p('ln_2.weight'), p('ln_2.bias'));"],
    ],
  },
  {
    key: 'no-residual', check: 'block i, fed what',
    edits: [['const x1 = add(x, a.out);', 'const x1 = a.out;'], [MLP_BRANCH, "const out = mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer);"]],
  },
  { key: 'parallel-block', check: 'block i, fed what', edits: [["mlp(layerNorm(x1, p('ln_2.weight')", "mlp(layerNorm(x, p('ln_2.weight')"]] },
  { key: 'same-layer-norm', check: 'block i, fed what', edits: [["layerNorm(x1, p('ln_2.weight'), p('ln_2.bias'))", "layerNorm(x1, p('ln_1.weight'), p('ln_1.bias'))"]] },
  { key: 'no-position-embedding', check: 'gptForward: the embeddings are token + position', edits: [['let x = add(tok, pos);', 'let x = tok;\n  void pos;']] },
  { key: 'no-final-layer-norm', check: 'the bundled model: your logits', edits: [["x = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias'));", '']] },
  { key: 'lesson-3', check: 'your multi-head attention from lesson 3', in: 'multi-head-attention/layer', edits: [[PROJECTION, 'const out = mergeHeads(y);']] },
]);

export const CASES: MistakeCase[] = [...ATTENTION, ...MULTI_HEAD, ...GPT];
