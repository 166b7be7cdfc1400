/**
 * Reductions: sum, mean and variance over one dim (or over everything).
 *
 * sum is the primitive: its backward copies the output gradient back to every element that was
 * summed (each one contributed with weight 1). mean and var are built from it, micrograd style,
 * so their gradients need no code of their own. Sums run in float64 (JavaScript numbers) and are
 * rounded to float32 once at the end.
 * Semantics follow PyTorch: `keepdim` keeps the reduced dim with size 1 (handy for broadcasting
 * the result back, as in x - mean(x, -1, true)); var is biased (divide by n) unless `unbiased`.
 */
import { Tensor, fromOp, gradOf } from '../tensor';
import { normDim, splitAt } from '../shape';
import { mul, sub } from './elementwise';

/** Sum over `dim`, or over all elements when dim is undefined. */
export function sum(x: Tensor, dim?: number, keepdim = false): Tensor {
  const xs = x.data;
  if (dim === undefined) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i];
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return fromOp('sum', Float32Array.of(s), shape, [x], (g) => {
      const gx = gradOf(x);
      for (let i = 0; i < gx.length; i++) gx[i] += g[0];
    });
  }
  const d = normDim(dim, x.ndim);
  const { outer, size, inner } = splitAt(x.shape, d); // x viewed as (outer, size, inner)
  const out = new Float32Array(outer * inner); //        result viewed as (outer, inner)
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let s = 0;
      for (let k = 0; k < size; k++) s += xs[base + k * inner];
      out[o * inner + i] = s;
    }
  }
  const shape = keepdim ? x.shape.map((n, j) => (j === d ? 1 : n)) : x.shape.filter((_, j) => j !== d);
  return fromOp('sum', out, shape, [x], (g) => {
    const gx = gradOf(x);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < size; k++) {
        const row = (o * size + k) * inner;
        for (let i = 0; i < inner; i++) gx[row + i] += g[o * inner + i];
      }
    }
  });
}

/** How many elements a reduction over `dim` (or everything) combines. */
function countOf(x: Tensor, dim?: number): number {
  return dim === undefined ? x.size : x.shape[normDim(dim, x.ndim)];
}

export function mean(x: Tensor, dim?: number, keepdim = false): Tensor {
  return mul(sum(x, dim, keepdim), 1 / countOf(x, dim));
}

/** Variance: mean of squared deviations from the mean (divide by n-1 instead of n when unbiased). */
export function variance(x: Tensor, dim?: number, keepdim = false, unbiased = false): Tensor {
  const n = countOf(x, dim);
  const dev = sub(x, mean(x, dim, true)); // same shape as x
  return mul(sum(mul(dev, dev), dim, keepdim), 1 / (unbiased ? n - 1 : n));
}

export { variance as var };
