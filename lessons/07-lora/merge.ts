/**
 * The LoRA lesson, exercise 4: merge an adapter into its weight, and take it out again.
 *
 *   merge:    W' = W + (alpha / r) · B A        (out, in): then x W'ᵀ + b is exactly the LoRA layer's output
 *   unmerge:  W  = W' - (alpha / r) · B A       the pretrained weight back, to switch to another adapter
 *
 * W (out, in), A (r, in), B (out, r). Return new tensors: never write into W or W'.
 * Kit ops: matmul(a, b), mul(x, s), add(a, b), sub(a, b).
 */
import { type Tensor, TODO, add, matmul, mul, sub } from '@llm-lab/kit';

export function merge(W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return TODO('merge');
}

export function unmerge(merged: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return TODO('unmerge');
}
