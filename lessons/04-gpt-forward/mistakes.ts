/**
 * What a learner is told when their GPT pieces match a catalogued mistake (reference.ts computes each one).
 * Shared with test/unit/attention-track.test.ts, which checks that each mistake is recognised.
 */
import type { MistakeText } from '../02-attention/mistakes';
import type { GeluMistake, GptMistake, LayerNormMistake } from './reference';

export const GPT_MISTAKE_TEXT: Record<LayerNormMistake | GeluMistake | GptMistake | 'lesson-3', MistakeText> = {
  'ln-unbiased-variance': {
    message: 'LayerNorm used the unbiased variance (dividing by C − 1). LayerNorm in GPT-2 and PyTorch divides by C.',
    hint: 'var = mean((x - mean)^2) over the last axis: divide the sum of squares by C. (The kit\'s variance(x, -1, true) does that by default.)',
  },
  'ln-eps-outside-sqrt': {
    message: 'LayerNorm added eps outside the square root: it divides by √(var + eps), not by √var + eps.',
    hint: 'sqrt(add(var, eps)), then divide.',
  },
  'ln-divide-by-variance': {
    message: 'LayerNorm divided by the variance instead of the standard deviation √(var + eps): the result does not have variance 1.',
    hint: 'Divide x - mean by sqrt(var + eps).',
  },
  'ln-no-eps': {
    message: 'A constant row has variance 0, and without eps LayerNorm computes 0 / 0 = NaN. That is what eps is for: √(var + eps) is never 0.',
    hint: 'Divide by sqrt(var + eps), with eps = 1e-5.',
  },
  'ln-wrong-axis': {
    message: 'LayerNorm normalised along the wrong axis: each token (each slice along the LAST axis, its C channels) is normalised on its own.',
    hint: 'mean(x, -1, true) and variance(x, -1, true): keepdim = true keeps a size-1 axis so the result broadcasts against x.',
  },
  'ln-weight-bias-swapped': {
    message: 'LayerNorm\'s weight and bias were swapped: the normalised value is multiplied by the weight (gain) and then the bias is added.',
    hint: 'y = xhat * weight + bias.',
  },
  'gelu-erf': {
    message: 'This is the exact GELU, x·Φ(x) computed with erf. GPT-2 (and this model) uses the tanh approximation; the two differ by up to about 5e-4, enough to change a trained model\'s logits.',
    hint: 'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).',
  },
  'gelu-relu': {
    message: 'This is ReLU, max(0, x), not GELU: GELU is smooth and lets small negative values through (gelu(-1) ≈ -0.159).',
    hint: 'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).',
  },
  'gelu-sigmoid': {
    message: 'This is the sigmoid approximation x·σ(1.702·x), not the tanh approximation GPT-2 uses.',
    hint: 'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).',
  },
  'gelu-no-cubic': {
    message: 'The 0.044715·x³ term is missing from inside the tanh.',
    hint: 'tanh(√(2/π) · (x + 0.044715 · x³)).',
  },
  'gelu-no-half': {
    message: 'The factor 0.5 is missing: for large x, gelu(x) should be close to x, not 2x.',
    hint: 'gelu(x) = 0.5 · x · (1 + tanh(...)).',
  },
  'mlp-relu': {
    message: 'The MLP uses ReLU between its two layers; GPT-2 uses GELU (your gelu).',
    hint: 'mlp(x) = linear(gelu(linear(x, fc.weight, fc.bias)), proj.weight, proj.bias).',
  },
  'mlp-no-activation': {
    message: 'The MLP has no activation between its two layers: two linear maps in a row are just one linear map.',
    hint: 'Apply gelu to the (B, T, 4C) hidden layer before the second projection.',
  },
  'post-ln': {
    message: 'The block normalises after the residual addition (post-LN, the original Transformer\'s order). GPT-2 is pre-LN: x = x + attn(ln_1(x)), then x = x + mlp(ln_2(x)); the residual stream itself is never normalised inside a block.',
    hint: 'LayerNorm goes on the branch, before attention and before the MLP, and the branch\'s result is added to the untouched x.',
  },
  'no-residual': {
    message: 'The residual connections are missing: the block replaces x by attn(...) and mlp(...) instead of adding them to x.',
    hint: 'x = add(x, attnOut); then x = add(x, mlp(ln_2(x))).',
  },
  'parallel-block': {
    message: 'The MLP reads the block\'s input instead of x + attention: in GPT-2 the MLP comes after the attention has been added to the residual stream.',
    hint: 'x = add(x, attnOut) first, then x = add(x, mlp(layerNorm(x, ln_2 ...))) with that new x.',
  },
  'same-layer-norm': {
    message: 'ln_1\'s weight and bias were used for both LayerNorms; the one before the MLP has its own, h.<i>.ln_2.',
    hint: 'Attention reads layerNorm(x, h.i.ln_1.weight, h.i.ln_1.bias); the MLP reads layerNorm(x, h.i.ln_2.weight, h.i.ln_2.bias).',
  },
  'no-position-embedding': {
    message: 'The position embedding is missing: without wpe the model cannot tell "dog bites man" from "man bites dog", since attention itself ignores order.',
    hint: 'x = wte[ids] + wpe[0..T): embedding(wpe, [0, 1, ..., T-1], [T]) is (T, C) and broadcasts over the batch.',
  },
  'no-final-layer-norm': {
    message: 'The final LayerNorm (ln_f) is missing: GPT-2 normalises the last block\'s output before the LM head.',
    hint: 'logits = linear(layerNorm(x, ln_f.weight, ln_f.bias), wte.weight).',
  },
  'lesson-3': {
    message: 'The multi-head attention this file imports from lesson 3 (03-multi-head-attention/multihead.ts) does not reproduce the model\'s attention yet, so the whole model cannot.',
    hint: 'Open lesson 3\'s exercise and run its checks: they say exactly what is off.',
  },
};
