/**
 * The multi-head attention lesson, reference solution: multi-head causal self-attention, built on the attention
 * lesson's attention.
 *
 * The layout is nanoGPT's CausalSelfAttention (Karpathy), itself GPT-2's, with separate q, k, v projections
 * instead of one fused c_attn; the idea is section 3.2.2 of Vaswani et al. 2017: nh small attentions on
 * hs = C / nh channels each see different things, at the cost of one big one. Weights are (out, in), as
 * nn.Linear and nanoGPT store them (Hugging Face's GPT-2 Conv1D layers store the transpose and compute x W + b).
 */
import { type Tensor, linear, transpose } from '@llm-lab/kit';
import { attention } from '../02-attention/attention';

export { attention };

export interface LinearWeights {
  weight: Tensor; // (out, in)
  bias: Tensor; //   (out)
}

export interface AttentionWeights {
  q: LinearWeights;
  k: LinearWeights;
  v: LinearWeights;
  proj: LinearWeights;
}

/** (B, T, C) -> (B, nh, T, hs): head h gets channels [h*hs, (h+1)*hs). */
export function splitHeads(x: Tensor, nHead: number): Tensor {
  const [B, T, C] = x.shape;
  if (C % nHead !== 0) throw new Error(`splitHeads: ${nHead} heads do not divide ${C} channels`);
  const hs = C / nHead;
  // The view splits each token's C channels into nh groups of hs (free: same order in memory). The
  // transpose then moves the head axis in front of time, so each (b, h) is one (T, hs) matrix: exactly
  // the (..., T, d) input the attention lesson's attention takes.
  return transpose(x.reshape(B, T, nHead, hs), 1, 2); // (B, T, nh, hs) -> (B, nh, T, hs)
}

/** (B, nh, T, hs) -> (B, T, C): the heads of each token side by side again. */
export function mergeHeads(y: Tensor): Tensor {
  const [B, nh, T, hs] = y.shape;
  return transpose(y, 1, 2).reshape(B, T, nh * hs); // (B, T, nh, hs) -> (B, T, C)
}

export function multiHeadAttention(x: Tensor, w: AttentionWeights, nHead: number): { out: Tensor; weights: Tensor } {
  const q = splitHeads(linear(x, w.q.weight, w.q.bias), nHead); // (B, nh, T, hs)
  const k = splitHeads(linear(x, w.k.weight, w.k.bias), nHead); // (B, nh, T, hs)
  const v = splitHeads(linear(x, w.v.weight, w.v.bias), nHead); // (B, nh, T, hs)
  // All heads at once: attention works on the last two axes, the (B, nh) in front are just a batch.
  const { out: y, weights } = attention(q, k, v, true); // (B, nh, T, hs), (B, nh, T, T)
  const out = linear(mergeHeads(y), w.proj.weight, w.proj.bias); // (B, T, C): mixes what the heads found
  return { out, weights };
}
