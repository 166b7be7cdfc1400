/**
 * softmax over the last dim of a row-major (rows, size) array: the attention hot path (B * nh * T rows of T
 * scores per layer, half of them -Infinity under the causal mask). The same arithmetic as ops/softmax.ts (read
 * that: max, exp of the differences, divide by their sum; backward dx = y (g - sum g y)) with the generic
 * `base + k * inner` indexing of "along any dim" taken out, and exp replaced by pointwise.ts's float32-accurate
 * exp32, inlined by hand (x - max <= 0; below -104 its float32 value is 0, which also covers -Infinity, a masked
 * score). Tested against the generic loop in test/unit/kit/kernels.test.ts and fused-kernels.test.ts.
 */
import { EXP2_32, EXP2_32_ZERO } from './pointwise';

export function softmaxRows(x: Float32Array, y: Float32Array, rows: number, size: number): void {
  // Locals, not module constants: under tsx an imported name read in the loop is a getter call each time.
  const T = EXP2_32, Z = EXP2_32_ZERO, ROUND = 6755399441055744, K32 = 32 / Math.LN2, LN2_32 = Math.LN2 / 32;
  for (let base = 0; base < rows * size; base += size) {
    let m = -Infinity;
    for (let k = base; k < base + size; k++) m = Math.max(m, x[k]);
    let s = 0;
    for (let k = base; k < base + size; k++) {
      const d = x[k] - m; // <= 0, or NaN when the row holds NaN or is all -Infinity (then s = 0 and the row NaN)
      let e = 0;
      if (d >= -104) { // exp32(d), pointwise.ts
        const n = (d * K32 + ROUND) - ROUND;
        const r = d - n * LN2_32;
        e = ((1 + r) + r * r * (1 / 2 + r * (1 / 6))) * T[(n + Z) | 0];
      }
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

/**
 * For each mask row (the mask repeats every `period` numbers, a multiple of the row size), the runs [start, end)
 * of the columns it keeps (mask 0), flattened: runs of mask row q are at [ptr[q], ptr[q + 1]) in `runs`, in pairs.
 */
function keptRunsByRow(mask: Float32Array, period: number, size: number): { ptr: Int32Array; runs: Int32Array } {
  const rowsOfMask = period / size;
  const ptr = new Int32Array(rowsOfMask + 1);
  const runs: number[] = [];
  for (let q = 0; q < rowsOfMask; q++) {
    ptr[q] = runs.length;
    for (let k = 0; k < size; k++) {
      if (mask[q * size + k] !== 0) continue;
      const start = k;
      while (k < size && mask[q * size + k] === 0) k++;
      runs.push(start, k);
    }
  }
  ptr[rowsOfMask] = runs.length;
  return { ptr, runs: Int32Array.from(runs) };
}

/**
 * y = softmaxRows(maskedFill(x * scale, mask, -Infinity)) in one pass per row, number for number: the scaled score
 * is rounded to float32 as mul's output would be, masked positions give exp(-Infinity) = 0 without being looked
 * at, and the rest is softmaxRows' arithmetic. `mask` repeats every `period` numbers (a multiple of `size`).
 * y must start as zeros (a new array): the masked positions are not written.
 */
export function scaledMaskedSoftmaxRows(
  x: Float32Array, scale: number, mask: Float32Array, period: number, y: Float32Array, rows: number, size: number,
): void {
  const { ptr, runs } = keptRunsByRow(mask, period, size);
  const rowsOfMask = period / size;
  const T = EXP2_32, Z = EXP2_32_ZERO, ROUND = 6755399441055744, K32 = 32 / Math.LN2, LN2_32 = Math.LN2 / 32;
  for (let r = 0; r < rows; r++) {
    const base = r * size, q = r % rowsOfMask, from = ptr[q], to = ptr[q + 1];
    let m = -Infinity;
    for (let p = from; p < to; p += 2) {
      for (let k = base + runs[p]; k < base + runs[p + 1]; k++) m = Math.max(m, Math.fround(x[k] * scale));
    }
    let s = 0; // (the masked positions of y stay 0)
    for (let p = from; p < to; p += 2) {
      for (let k = base + runs[p]; k < base + runs[p + 1]; k++) {
        const d = Math.fround(x[k] * scale) - m;
        let e = 0;
        if (d >= -104) { // exp32(d), pointwise.ts
          const n = (d * K32 + ROUND) - ROUND;
          const rr = d - n * LN2_32;
          e = ((1 + rr) + rr * rr * (1 / 2 + rr * (1 / 6))) * T[(n + Z) | 0];
        }
        y[k] = e;
        s += e;
      }
    }
    const inv = 1 / s;
    if (inv < Infinity) { // the masked positions stay 0 * inv = 0
      for (let p = from; p < to; p += 2) for (let k = base + runs[p]; k < base + runs[p + 1]; k++) y[k] *= inv;
    } else { // s = 0 (every position masked) or NaN: the whole row NaN, as softmaxRows makes it
      for (let k = base; k < base + size; k++) y[k] *= inv;
    }
  }
}

/**
 * The backward of scaledMaskedSoftmaxRows, as the three ops' backwards would compute it into fresh gradients:
 * gx += scale * float32(y * (g - sum(g * y))) at the kept positions; nothing at the masked ones.
 */
export function scaledMaskedSoftmaxRowsBackward(
  y: Float32Array, g: Float32Array, scale: number, mask: Float32Array, period: number, gx: Float32Array,
  rows: number, size: number,
): void {
  const { ptr, runs } = keptRunsByRow(mask, period, size);
  const rowsOfMask = period / size;
  for (let r = 0; r < rows; r++) {
    const base = r * size, q = r % rowsOfMask, from = ptr[q], to = ptr[q + 1];
    let dot = 0;
    for (let k = base; k < base + size; k++) dot += g[k] * y[k];
    for (let p = from; p < to; p += 2) {
      for (let k = base + runs[p]; k < base + runs[p + 1]; k++) gx[k] += Math.fround(y[k] * (g[k] - dot)) * scale;
    }
  }
}
