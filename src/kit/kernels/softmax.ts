/**
 * softmax over the last dim of a row-major (rows, size) array: the attention hot path (B * nh * T rows of T
 * scores per layer, half of them -Infinity under the causal mask). The same arithmetic as ops/softmax.ts (read
 * that: max, exp of the differences, divide by their sum; backward dx = y (g - sum g y)) with the generic
 * `base + k * inner` indexing of "along any dim" taken out, and exp inlined (pointwise.ts). Tested against
 * the generic loop in test/unit/kit/kernels.test.ts.
 */
import { exp } from './pointwise';

export function softmaxRows(x: Float32Array, y: Float32Array, rows: number, size: number): void {
  for (let base = 0; base < rows * size; base += size) {
    let m = -Infinity;
    for (let k = base; k < base + size; k++) m = Math.max(m, x[k]);
    let s = 0;
    for (let k = base; k < base + size; k++) {
      const e = exp(x[k] - m);
      y[k] = e;
      s += e;
    }
    const r = 1 / s;
    for (let k = base; k < base + size; k++) y[k] *= r;
  }
}

/** gx += y * (g - sum(g * y)) row by row (the backward of softmaxRows). */
export function softmaxRowsBackward(y: Float32Array, g: Float32Array, gx: Float32Array, rows: number, size: number): void {
  for (let base = 0; base < rows * size; base += size) {
    let dot = 0;
    for (let k = base; k < base + size; k++) dot += g[k] * y[k];
    for (let k = base; k < base + size; k++) gx[k] += y[k] * (g[k] - dot);
  }
}
