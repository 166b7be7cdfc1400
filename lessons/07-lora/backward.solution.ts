/**
 * The LoRA lesson, exercise 3, reference solution: the LoRA layer's gradients by the chain rule, one matrix
 * product per line. For y = x Wᵀ + b + s · (x Aᵀ) Bᵀ and dY = dL/dy:
 *   dB = s · dYᵀ h            with h = x Aᵀ         (out, N) @ (N, r)
 *   dh = s · dY B                                   (N, out) @ (out, r)
 *   dA = dhᵀ x                                      (r, N) @ (N, in)
 *   dx = dY W + dh A          frozen path + adapter  (N, in)
 */
import { type Tensor, add, matmul, mul, transpose } from '@llm-lab/kit';

export interface LoRAGrads {
  dx: Tensor; // (N, in)
  dA: Tensor; // (r, in)
  dB: Tensor; // (out, r)
}

export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  const s = alpha / r;
  const h = matmul(x, transpose(A, 0, 1)); //                  (N, in) @ (in, r) -> (N, r)
  const dB = mul(matmul(transpose(dY, 0, 1), h), s); //        (out, N) @ (N, r) -> (out, r)
  const dh = mul(matmul(dY, B), s); //                         (N, out) @ (out, r) -> (N, r)
  const dA = matmul(transpose(dh, 0, 1), x); //                (r, N) @ (N, in) -> (r, in)
  const dx = add(matmul(dY, W), matmul(dh, A)); //             (N, out) @ (out, in) + (N, r) @ (r, in) -> (N, in)
  return { dx, dA, dB };
}
