/**
 * The LoRA lesson, exercise 4, reference solution: merging a LoRA adapter into its frozen weight, so inference costs
 * one matmul again, and unmerging it. The arithmetic of PEFT's merge() / merge_and_unload(), W + (alpha / r) B A,
 * but as functions that return new tensors: PEFT writes the update into the base layer's weight in place.
 */
import { type Tensor, add, matmul, mul, sub } from '@llm-lab/kit';

/** The update the adapter makes to W: (alpha / r) · B A, (out, r) @ (r, in) -> (out, in). */
function delta(A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return mul(matmul(B, A), alpha / r);
}

export function merge(W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return add(W, delta(A, B, alpha, r)); // (out, in), a new tensor: W is untouched
}

export function unmerge(merged: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return sub(merged, delta(A, B, alpha, r)); // W again, up to float32 rounding
}
