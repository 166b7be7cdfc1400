/**
 * Multi-head attention: the attention layer of a GPT block.
 *
 * This file builds on YOUR attention from the attention lesson: it imports it from ../02-attention/attention.ts,
 * the file you wrote (it sits next to this folder in your llm-lab/ folder). If the attention lesson does not pass
 * yet, finish it first; the first check here tests that import.
 *
 * Three tasks: splitHeads, mergeHeads, then multiHeadAttention, which uses both.
 *
 * Kit ops you may want (import more from '@llm-lab/kit' if you like):
 *   linear(x, weight, bias)   x @ weightᵀ + bias, with weight of shape (out, in) as in PyTorch's nn.Linear
 *   x.reshape(a, b, c, d)     same data, new shape (the element order does not change)
 *   transpose(x, 1, 2)        swaps two axes (this moves numbers: the element order changes)
 */
import { type Tensor, TODO, linear, transpose } from '@llm-lab/kit';
import { attention } from '../02-attention/attention';

// Re-exported so the checks can test your attention first.
export { attention };

/** One Linear layer's parameters: y = x @ weightᵀ + bias. */
export interface LinearWeights {
  weight: Tensor; // (out, in)
  bias: Tensor; //   (out)
}

/**
 * The four Linear layers of an attention layer (the course model's weights h.<i>.attn.q, .k, .v, .proj; nanoGPT
 * fuses q, k and v into one c_attn and calls the projection c_proj).
 */
export interface AttentionWeights {
  q: LinearWeights;
  k: LinearWeights;
  v: LinearWeights;
  proj: LinearWeights;
}

/**
 * Splits the channels into heads and puts the head axis in front of time:
 *
 *   (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs)        hs = C / nh
 *
 * Head h gets channels [h*hs, (h+1)*hs) of every token. Throw an Error if nHead does not divide C.
 */
export function splitHeads(x: Tensor, nHead: number): Tensor {
  return TODO('splitHeads');
}

/** The inverse of splitHeads: (B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C). */
export function mergeHeads(y: Tensor): Tensor {
  return TODO('mergeHeads');
}

/**
 * Causal multi-head self-attention of x (B, T, C):
 *
 *   q = x Wqᵀ + bq, k = x Wkᵀ + bk, v = x Wvᵀ + bv      (B, T, C) each
 *   split each into heads                              (B, nh, T, hs)
 *   { out: y, weights } = attention(q, k, v, true)     y (B, nh, T, hs), weights (B, nh, T, T)
 *   out = mergeHeads(y) Wprojᵀ + bproj                 (B, T, C)
 *
 * Return { out, weights }: the layer's output and every head's attention weights.
 */
export function multiHeadAttention(x: Tensor, w: AttentionWeights, nHead: number): { out: Tensor; weights: Tensor } {
  return TODO('multiHeadAttention');
}
