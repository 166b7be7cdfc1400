/**
 * The attention lesson, reference solution: scaled dot-product attention with an optional causal mask.
 *
 * The formula is equation 1 of Vaswani et al., "Attention Is All You Need" (2017); the causal mask is the
 * decoder's, as in GPT and nanoGPT's CausalSelfAttention. Written with whole-tensor ops, so the same five
 * lines work for one (T, d) matrix and for a (B, nh, T, d) batch of heads.
 */
import { type Tensor, matmul, maskedFill, mul, softmax, transpose, zeros } from '@llm-lab/kit';

export interface AttentionResult {
  out: Tensor; //     (..., T_q, d_v)
  weights: Tensor; // (..., T_q, T_k)
}

/** (T, T) with 1 where key j is in the future of query i (j > i): the entries a causal model may not see. */
function futureMask(T: number): Tensor {
  const mask = zeros([T, T]);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask.data[i * T + j] = 1;
  return mask; // the kit's causalMask(T) is the same
}

export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  const d = q.shape[q.ndim - 1]; // d_k
  // Every query against every key. Dividing by sqrt(d) keeps the scores' spread independent of the head
  // size: the dot product of two random d-vectors has variance about d.
  let scores = mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d)); // (..., Tq, d) @ (..., d, Tk) -> (..., Tq, Tk)
  if (causal) {
    const T = q.shape[q.ndim - 2];
    // With T_q != T_k, "key j is in the future of query i" depends on where the queries sit, and libraries
    // differ: torch.tril and PyTorch's scaled_dot_product_attention(is_causal=True) align the triangle top-left
    // (query i sees keys 0..i), FlashAttention >= 2.1 and KV-cache decoding bottom-right (the queries are the
    // last T_q positions). This function has no argument to say which, so it refuses rather than guess.
    if (k.shape[k.ndim - 2] !== T) {
      throw new Error(`attention: causal needs as many keys as queries (T_q = T_k), got T_q = ${T}, T_k = ${k.shape[k.ndim - 2]}: `
        + 'when they differ, top-left (tril) and bottom-right (KV cache) causal masks do not agree');
    }
    // -Infinity BEFORE the softmax: e^-inf = 0, so the future gets exactly zero weight and the rest is
    // normalised among the visible keys. The diagonal stays visible, so no row is ever fully masked.
    scores = maskedFill(scores, futureMask(T), -Infinity); // (..., T, T); the mask broadcasts over leading axes
  }
  const weights = softmax(scores, -1); // (..., Tq, Tk): one distribution over the keys per query
  const out = matmul(weights, v); //      (..., Tq, Tk) @ (..., Tk, dv) -> (..., Tq, dv)
  return { out, weights };
}
