/**
 * The attention track's mistake cases (lessons 2-4; see test/unit/catalogue.ts): every classic mistake put into
 * the reference solutions, run through the one check that catalogues it, which must name it in both languages;
 * and its library variants (test/unit/conventions.test.ts): other libraries' ways of writing the same thing,
 * which the checks must accept or name as that library's convention, never as a mistake.
 */
import type { LibraryVariant, MistakeCase } from '../catalogue';
import { mistakeCases } from '../catalogue';
import { ATTENTION_MISTAKE_TEXT as A } from '../../../lessons/02-attention/mistakes';
import { MHA_MISTAKE_TEXT as M } from '../../../lessons/03-multi-head-attention/mistakes';
import { GPT_MISTAKE_TEXT as G } from '../../../lessons/04-gpt-forward/mistakes';

// Lesson 2: attention.
const SCORES = 'mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d))';
const MASK_LINE = 'scores = maskedFill(scores, futureMask(T), -Infinity);';
const FUTURE_LOOP = 'for (let j = i + 1; j < T; j++)';
/** The reference refuses a causal call with T_q != T_k; a learner following one library's alignment does not. */
const REFUSES_TQ_NE_TK = 'if (k.shape[k.ndim - 2] !== T) {';
/** A (T_q, T_k) causal mask aligned `top-left` (torch.tril, SDPA's is_causal) or `bottom-right` (FlashAttention >= 2.1, a KV cache). */
const alignedMask = (corner: 'top-left' | 'bottom-right') => 'const Tk = k.shape[k.ndim - 2];\n'
  + '    const mask = zeros([T, Tk]);\n'
  + `    for (let i = 0; i < T; i++) for (let j = i + 1${corner === 'bottom-right' ? ' + Tk - T' : ''}; j < Tk; j++) mask.data[i * Tk + j] = 1;\n`
  + '    scores = maskedFill(scores, mask, -Infinity);';

// Lesson 3: multi-head attention.
const SPLIT = 'return transpose(x.reshape(B, T, nHead, hs), 1, 2);';
const MERGE = 'return transpose(y, 1, 2).reshape(B, T, nh * hs);';
const PROJECTION = 'const out = linear(mergeHeads(y), w.proj.weight, w.proj.bias);';
const MHA_IMPORT = "import { type Tensor, linear, transpose } from '@llm-lab/kit';";
/** Hugging Face's Conv1D: x @ W + b (right for weights stored (in, out), not for this course's (out, in)). */
const CONV1D_LINEAR: [string, string] = [MHA_IMPORT, "import { type Tensor, add, matmul, transpose } from '@llm-lab/kit';\nconst linear = (x: Tensor, w: Tensor, b: Tensor) => add(matmul(x, w), b);"];
/** nn.MultiheadAttention's default weights: averaged over the heads. */
const HEADS_AVERAGED: [string, string][] = [
  [MHA_IMPORT, "import { type Tensor, linear, mean, transpose } from '@llm-lab/kit';"],
  ['return { out, weights };', 'return { out, weights: mean(weights, 1) };'],
];

// Lesson 4: the GPT forward pass.
const LN = 'div(sub(x, mu), sqrt(add(v, eps)))';
const GELU = 'return mul(mul(x, 0.5), add(tanh(inner), 1));';
const MLP_BRANCH = "const out = add(x1, mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer));";
/** More kit imports for the lesson-4 mistakes that need them. */
const KIT_EXTRAS: [string, string] = ['type Tensor, add,', 'type Tensor, tensor, relu, exp, add,'];
/** nanoGPT's forward without targets: the LM head on the last position only, x[:, [-1], :]. */
const LAST_POSITION_ONLY: [string, string][] = [
  ['type Tensor, add,', 'type Tensor, slice, add,'],
  ["const logits = linear(x, param(w, 'wte.weight'));", "const logits = linear(slice(x, 1, -1), param(w, 'wte.weight'));"],
];
/** Hugging Face's Conv1D in the MLP: x @ W + b. */
const MLP_CONV1D: [string, string][] = [
  ['type Tensor, add,', 'type Tensor, matmul, add,'],
  ["const h = linear(x, p('fc.weight'), p('fc.bias'));", "const h = add(matmul(x, p('fc.weight')), p('fc.bias'));"],
  ["return linear(gelu(h), p('proj.weight'), p('proj.bias'));", "return add(matmul(gelu(h), p('proj.weight')), p('proj.bias'));"],
];
/** The exact GELU, x Φ(x) with erf (Abramowitz & Stegun 7.1.26), as nanoGPT's nn.GELU() computes it. */
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
  { key: 'weight-not-transposed', check: 'multiHeadAttention matches a float64 reference', edits: [CONV1D_LINEAR] },
  { key: 'heads-averaged', check: 'multiHeadAttention matches a float64 reference', edits: HEADS_AVERAGED },
  { key: 'heads-averaged', check: 'the bundled model: every layer', name: 'bundled model', edits: HEADS_AVERAGED },
  { key: 'no-output-projection', check: 'multiHeadAttention matches a float64 reference', edits: [[PROJECTION, 'const out = mergeHeads(y);']] },
  {
    key: 'single-head', check: 'multiHeadAttention matches a float64 reference',
    edits: [['w.q.bias), nHead)', 'w.q.bias), 1)'], ['w.k.bias), nHead)', 'w.k.bias), 1)'], ['w.v.bias), nHead)', 'w.v.bias), 1)']],
  },
  { key: 'lesson-2', check: 'your attention from the attention lesson', in: 'attention/scaled-dot-product', edits: [['1 / Math.sqrt(d)', '1 / d']] },
]);

const GPT = mistakeCases(G, 'gpt-forward/model', [
  { key: 'ln-unbiased-variance', check: 'layerNorm: a worked example', edits: [['variance(x, -1, true)', 'variance(x, -1, true, true)']] },
  { key: 'ln-eps-outside-sqrt', check: 'layerNorm: a worked example', edits: [[LN, 'div(sub(x, mu), add(sqrt(v), eps))']] },
  { key: 'ln-divide-by-variance', check: 'layerNorm: a worked example', edits: [[LN, 'div(sub(x, mu), add(v, eps))']] },
  { key: 'ln-no-eps', check: 'layerNorm of a constant row', edits: [[LN, 'div(sub(x, mu), sqrt(v))']] },
  { key: 'ln-eps-ignored', check: 'layerNorm uses its eps argument', edits: [[LN, 'div(sub(x, mu), sqrt(add(v, 1e-5)))']] },
  { key: 'ln-wrong-axis', check: 'layerNorm: a worked example', edits: [['mean(x, -1, true)', 'mean(x, 0, true)'], ['variance(x, -1, true)', 'variance(x, 0, true)']] },
  { key: 'ln-weight-bias-swapped', check: 'layerNorm: a worked example', edits: [['add(mul(xhat, weight), bias)', 'add(mul(xhat, bias), weight)']] },
  { key: 'gelu-erf', check: 'gelu at hand-picked points', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { key: 'gelu-erf', check: 'mlp of layer 0', name: 'in the mlp', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { key: 'gelu-erf', check: 'block i, fed what', name: 'in every block', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { key: 'gelu-erf', check: 'the bundled model: your logits', name: 'in the whole model', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { key: 'gelu-relu', check: 'gelu at hand-picked points', edits: [KIT_EXTRAS, [GELU, 'void inner;\n  return relu(x);']] },
  { key: 'gelu-sigmoid', check: 'gelu at hand-picked points', edits: [KIT_EXTRAS, [GELU, 'void inner;\n  return div(x, add(exp(mul(x, -1.702)), 1));']] },
  { key: 'gelu-no-cubic', check: 'gelu at hand-picked points', edits: [['add(x, mul(pow(x, 3), 0.044715))', 'x']] },
  { key: 'gelu-no-half', check: 'gelu at hand-picked points', edits: [['mul(mul(x, 0.5), add(tanh(inner), 1))', 'mul(x, add(tanh(inner), 1))']] },
  { key: 'mlp-relu', check: 'mlp of layer 0', edits: [KIT_EXTRAS, ['linear(gelu(h),', 'linear(relu(h),']] },
  { key: 'mlp-no-activation', check: 'mlp of layer 0', edits: [['linear(gelu(h),', 'linear(h,']] },
  { key: 'mlp-conv1d', check: 'mlp of layer 0', edits: MLP_CONV1D },
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
  { key: 'logits-last-position-only', check: 'the bundled model: your logits', edits: LAST_POSITION_ONLY },
  { key: 'logits-last-position-only', check: 'a batch of two different sentences', name: 'a batch', edits: LAST_POSITION_ONLY },
  { key: 'lesson-3', check: 'your multi-head attention from the multi-head attention lesson', in: 'multi-head-attention/layer', edits: [[PROJECTION, 'const out = mergeHeads(y);']] },
]);

export const CASES: MistakeCase[] = [...ATTENTION, ...MULTI_HEAD, ...GPT];

/** Other libraries' conventions put into the solutions: accepted, or named as conventions (never as mistakes). */
export const VARIANTS: LibraryVariant[] = [
  // Lesson 2: accepted. The checks call causal attention only with T_q = T_k, where both alignments agree.
  {
    library: 'Hugging Face', name: 'masked scores filled with torch.finfo(float32).min instead of -inf', exercise: 'attention/scaled-dot-product',
    check: 'causal: the future gets weight 0', edits: [[MASK_LINE, 'scores = maskedFill(scores, futureMask(T), -3.4028234663852886e38);']],
  },
  {
    library: 'Hugging Face', name: 'masked scores filled with torch.finfo(float32).min instead of -inf', exercise: 'attention/scaled-dot-product',
    check: 'matches a float64 reference on a batch of heads', edits: [[MASK_LINE, 'scores = maskedFill(scores, futureMask(T), -3.4028234663852886e38);']],
  },
  {
    library: 'FlashAttention', name: 'a bottom-right causal mask for T_q <= T_k (the KV-cache alignment)', exercise: 'attention/scaled-dot-product',
    check: 'causal: the future gets weight 0', edits: [[REFUSES_TQ_NE_TK, 'if (k.shape[k.ndim - 2] < T) {'], [MASK_LINE, alignedMask('bottom-right')]],
  },
  {
    library: 'PyTorch', name: 'a top-left causal mask for any T_q, T_k (torch.tril, scaled_dot_product_attention(is_causal=True))', exercise: 'attention/scaled-dot-product',
    check: 'causal: the future gets weight 0', edits: [[REFUSES_TQ_NE_TK, 'if (!causal) {'], [MASK_LINE, alignedMask('top-left')]],
  },
  // Lesson 3.
  {
    library: 'nanoGPT', name: 'one fused c_attn projection, split into q, k and v', exercise: 'multi-head-attention/layer',
    check: 'multiHeadAttention matches a float64 reference',
    edits: [
      [MHA_IMPORT, "import { type Tensor, cat, linear, narrow, transpose } from '@llm-lab/kit';"],
      [
        'const q = splitHeads(linear(x, w.q.weight, w.q.bias), nHead);',
        'const C = x.shape[2];\n  const qkv = linear(x, cat([w.q.weight, w.k.weight, w.v.weight], 0), cat([w.q.bias, w.k.bias, w.v.bias], 0)); // (B, T, 3C)\n'
          + '  const q = splitHeads(narrow(qkv, -1, 0, C), nHead);',
      ],
      ['const k = splitHeads(linear(x, w.k.weight, w.k.bias), nHead);', 'const k = splitHeads(narrow(qkv, -1, C, C), nHead);'],
      ['const v = splitHeads(linear(x, w.v.weight, w.v.bias), nHead);', 'const v = splitHeads(narrow(qkv, -1, 2 * C, C), nHead);'],
    ],
  },
  { library: 'Hugging Face', name: 'x @ W + b, as its GPT-2 Conv1D layers compute', exercise: 'multi-head-attention/layer', check: 'multiHeadAttention matches a float64 reference', edits: [CONV1D_LINEAR] },
  { library: 'PyTorch', name: 'weights averaged over the heads, as nn.MultiheadAttention returns them', exercise: 'multi-head-attention/layer', check: 'multiHeadAttention matches a float64 reference', edits: HEADS_AVERAGED },
  // Lesson 4.
  { library: 'nanoGPT', name: 'the exact GELU, nn.GELU()', exercise: 'gpt-forward/model', check: 'gelu at hand-picked points', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { library: 'nanoGPT', name: 'the exact GELU, nn.GELU(), in the MLP', exercise: 'gpt-forward/model', check: 'mlp of layer 0', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { library: 'nanoGPT', name: 'the exact GELU, nn.GELU(), in the whole model', exercise: 'gpt-forward/model', check: 'the bundled model: your logits', edits: [KIT_EXTRAS, [GELU, ERF_GELU]] },
  { library: 'nanoGPT', name: 'logits for the last position only, as its forward without targets', exercise: 'gpt-forward/model', check: 'the bundled model: your logits', edits: LAST_POSITION_ONLY },
  { library: 'Hugging Face', name: 'an MLP computing x @ W + b, as its GPT-2 Conv1D layers do', exercise: 'gpt-forward/model', check: 'mlp of layer 0', edits: MLP_CONV1D },
];
