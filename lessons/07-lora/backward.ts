/**
 * The LoRA lesson, exercise 3: the LoRA layer's backward pass, by hand.
 *
 * Forward (x is (N, in): N rows, e.g. every token of a batch):
 *   h = x Aᵀ                (N, r)
 *   y = x Wᵀ + b + s · h Bᵀ (N, out)        s = alpha / r
 * Given dY = dL/dy (N, out), return dL/dx (N, in), dL/dA (r, in) and dL/dB (out, r). W is frozen: it gets
 * no gradient, but x still receives gradient THROUGH it.
 *
 * Write it with kit ops on plain tensors (no backward() here): matmul(a, b), transpose(a, 0, 1), mul(a, s),
 * add(a, b). Each gradient has the shape of the thing it is the gradient of.
 */
import { type Tensor, TODO, add, matmul, mul, transpose } from '@llm-lab/kit';

export interface LoRAGrads {
  dx: Tensor; // (N, in)
  dA: Tensor; // (r, in)
  dB: Tensor; // (out, r)
}

export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  return TODO('loraBackward');
}
