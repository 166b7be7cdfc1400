/**
 * The attention lesson: scaled dot-product attention, the one operation that lets a token look at other tokens.
 *
 * From this lesson on you write with the kit's Tensor API, the way nanoGPT is written in PyTorch: whole
 * tensors at a time, no index loops needed. Everything you need is imported below. Replace the
 * `TODO(...)` with your code, then run the checks; the multi-head attention lesson imports this function, so it
 * will keep working for you.
 *
 * Kit ops (all work on any number of leading "batch" axes):
 *   matmul(a, b)              (..., n, k) @ (..., k, m) -> (..., n, m)
 *   transpose(x, -2, -1)      swaps the last two axes: (..., T, d) -> (..., d, T)
 *   mul(x, 0.5), div(x, 2)    times / divided by a number (or a tensor, broadcasting)
 *   maskedFill(x, mask, v)    x where mask is 0, v where mask is non-zero (mask broadcasts, e.g. (T, T))
 *   softmax(x, -1)            along the last axis, max-subtracted (the tensors lesson)
 *   zeros([T, T]), tensor([[0, 1], [0, 0]])     to build a mask; x.shape, x.ndim
 */
import { type Tensor, TODO, matmul, maskedFill, mul, softmax, transpose, zeros } from '@llm-lab/kit';

export interface AttentionResult {
  /** (..., T_q, d_v): for each query, the weighted average of the values. */
  out: Tensor;
  /** (..., T_q, T_k): how much each query attends to each key; every row sums to 1. */
  weights: Tensor;
}

/**
 * Scaled dot-product attention (Vaswani et al. 2017):
 *
 *   scores  = q @ kᵀ / sqrt(d_k)                   (..., T_q, T_k)
 *   scores  = -Infinity where key j is in the future of query i (j > i), only when `causal`
 *   weights = softmax(scores) along the LAST axis  (..., T_q, T_k)    each row sums to 1
 *   out     = weights @ v                          (..., T_q, d_v)
 *
 * q: (..., T_q, d_k), k: (..., T_k, d_k), v: (..., T_k, d_v), with the same leading axes (none, or
 * (nh), or (B, nh), ...). d_k is the last dimension of q. With `causal`, T_q = T_k = T (self-attention;
 * the lesson's Conventions section says why a causal mask over T_q != T_k is left out).
 * Return new tensors; do not modify q, k or v.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  return TODO('attention');
}
