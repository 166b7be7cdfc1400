/**
 * causalAttention: the middle of a GPT's attention (nn.ts, CausalSelfAttention) as one op, the way nanoGPT
 * calls torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True) when PyTorch has it.
 *
 *   q, k, v (B, T, C), head h in channels [h hs, (h + 1) hs)   ->   y (B, T, C), the heads side by side again
 *
 * It stands for exactly these lines of CausalSelfAttention.forward (read them there, with their comments):
 *   q = transpose(q.view(B, T, nh, hs), 1, 2)   (and the same for k and v)        (B, nh, T, hs)
 *   att = scaledMaskedSoftmax(matmul(q, transpose(k, -2, -1)), 1 / sqrt(hs), causalMask(T))  (B, nh, T, T)
 *   y = transpose(matmul(att, v), 1, 2).reshape(B, T, C)
 * and computes the same numbers, forward and backward, bit for bit (a test compares them; only with a NaN or an
 * infinite key or value do they part: op by op, 0 x Infinity makes NaN even where the mask gave probability 0),
 * in one trip into WebAssembly ($attentionTask in kernels/matmul.wat) on the matmul threads. The numbers are
 * the same because each product is the same sum in the same order through the same kernel, and the softmax
 * the same float64 loop; it is faster because it skips what the mask makes zero (the future: half of every
 * T x T product), copies nothing into (B, nh, T, hs) order, and keeps each row of scores in the cache.
 *
 * Only when those lines would run every product in WebAssembly too (T * T * hs >= WASM_MIN_MACS): smaller
 * products run in JavaScript, whose sums round differently. `fusedAttention` says when; otherwise nn.ts runs
 * the lines themselves.
 */
import { Tensor, addGrad, fromOp, isGradEnabled } from '../tensor';
import { WASM_MIN_MACS, wasmAvailable } from '../kernels/index';
import { attentionBackwardWasm, attentionWasm } from '../kernels/wasm';
import { GELU_CONSTANTS } from '../kernels/pointwise';
import { formatShape } from '../shape';

/** Whether causalAttention runs for T positions of heads of hs channels (else: nn.ts's op-by-op lines). */
export function fusedAttention(T: number, hs: number): boolean {
  return T * T * hs >= WASM_MIN_MACS && wasmAvailable();
}

export function causalAttention(q: Tensor, k: Tensor, v: Tensor, nHead: number): Tensor {
  const [B, T, C] = q.shape;
  const hs = C / nHead;
  if (q.ndim !== 3 || !Number.isInteger(hs) || [k, v].some((t) => t.shape.join() !== q.shape.join())) {
    throw new Error(`causalAttention: q, k, v must be (B, T, C) alike with C divisible by ${nHead} heads; got ${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`);
  }
  if (!fusedAttention(T, hs)) throw new Error(`causalAttention: T = ${T}, hs = ${hs} is for the op-by-op path (fusedAttention is false)`);
  const shape = { B, T, nh: nHead, hs, scale: 1 / Math.sqrt(hs) };
  const y = new Float32Array(q.size);
  // The attention probabilities, kept for the backward; not copied out when there will be none (evaluation).
  const p = isGradEnabled() && [q, k, v].some((t) => t.requiresGrad) ? new Float32Array(B * nHead * T * T) : null;
  attentionWasm(q.data, k.data, v.data, y, p, shape, GELU_CONSTANTS); // (exp32's constants, which GELU uses too)
  if (!p) return fromOp('causalAttention', y, [B, T, C], [q, k, v], () => {});
  return fromOp('causalAttention', y, [B, T, C], [q, k, v], (g) => {
    const dq = new Float32Array(q.size), dk = new Float32Array(k.size), dv = new Float32Array(v.size);
    attentionBackwardWasm(q.data, k.data, v.data, p, g, dq, dk, dv, shape, GELU_CONSTANTS);
    for (const [t, d] of [[q, dq], [k, dk], [v, dv]] as const) {
      if (!t.requiresGrad) continue;
      if (t.grad === null) t.grad = d; // the first gradient to arrive, and a fresh array: no copy needed
      else addGrad(t, d);
    }
  });
}
