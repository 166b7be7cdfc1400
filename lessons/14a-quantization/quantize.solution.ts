/**
 * The quantization lesson: int8 (per tensor and per channel), int4 in groups with zero points, and a GPTQ step.
 * Weights are (out, in) like a Linear's. Rounding is to the nearest integer, halves to even (2.5 -> 2, 3.5 -> 4).
 */
import { Tensor } from '@llm-lab/kit';

/** Nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface Int8Quant {
  /** (out · in) integers in [−127, 127], row-major like the weight. */
  q: Int8Array;
  /** One scale (per tensor) or one per output row (per channel). */
  scales: Float32Array;
  shape: [number, number];
}

export interface Int4Quant {
  /** (out · in) codes in [0, 15], one per byte here (two per byte when packed). */
  q: Uint8Array;
  /** One scale and one zero point per group: row by row, then group by group along the row. */
  scales: Float32Array;
  zeros: Uint8Array;
  shape: [number, number];
  /** Weights per group, along the input axis. */
  groupSize: number;
}

/**
 * Symmetric int8: scale = clip · max|w| / 127 over the whole tensor, or over each output row when perChannel.
 * clip < 1 narrows the range: the largest weights are then clamped to ±127.
 */
export function quantizeInt8(w: Tensor, perChannel: boolean, clip = 1): Int8Quant {
  const [out, inp] = w.shape;
  const rows = perChannel ? out : 1;
  const per = (out * inp) / rows;
  const q = new Int8Array(out * inp);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(w.data[r * per + i]));
    const scale = (clip * max) / 127;
    scales[r] = scale;
    if (scale === 0) continue; // an all-zero row: codes 0
    for (let i = 0; i < per; i++) q[r * per + i] = Math.max(-127, Math.min(127, roundHalfEven(w.data[r * per + i] / scale)));
  }
  return { q, scales, shape: [out, inp] };
}

export function dequantizeInt8(x: Int8Quant): Tensor {
  const [out, inp] = x.shape;
  const per = (out * inp) / x.scales.length;
  const data = new Float32Array(out * inp);
  for (let i = 0; i < data.length; i++) data[i] = x.q[i] * x.scales[Math.floor(i / per)];
  return new Tensor(data, [out, inp]);
}

/** Asymmetric int4 in groups of groupSize weights along the input axis: scale = (max − min) / 15, zero = round(−min / scale). */
export function quantizeInt4(w: Tensor, groupSize: number): Int4Quant {
  const [out, inp] = w.shape;
  if (!Number.isInteger(groupSize) || groupSize < 1 || inp % groupSize !== 0) {
    throw new RangeError(`quantizeInt4: groupSize ${groupSize} must divide the input size ${inp}`);
  }
  const nGroups = inp / groupSize;
  const q = new Uint8Array(out * inp);
  const scales = new Float32Array(out * nGroups);
  const zeros = new Uint8Array(out * nGroups);
  for (let o = 0; o < out; o++) {
    for (let g = 0; g < nGroups; g++) {
      const start = o * inp + g * groupSize;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < groupSize; i++) {
        min = Math.min(min, w.data[start + i]);
        max = Math.max(max, w.data[start + i]);
      }
      const scale = max > min ? (max - min) / 15 : 1;
      const zero = Math.max(0, Math.min(15, roundHalfEven(-min / scale)));
      scales[o * nGroups + g] = scale;
      zeros[o * nGroups + g] = zero;
      for (let i = 0; i < groupSize; i++) q[start + i] = Math.max(0, Math.min(15, roundHalfEven(w.data[start + i] / scale) + zero));
    }
  }
  return { q, scales, zeros, shape: [out, inp], groupSize };
}

export function dequantizeInt4(x: Int4Quant): Tensor {
  const [out, inp] = x.shape;
  const nGroups = inp / x.groupSize;
  const data = new Float32Array(out * inp);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) {
      const g = o * nGroups + Math.floor(i / x.groupSize);
      data[o * inp + i] = (x.q[o * inp + i] - x.zeros[g]) * x.scales[g];
    }
  }
  return new Tensor(data, [out, inp]);
}

/** The inverse of an n × n matrix, by Gauss-Jordan elimination with partial pivoting. */
function invert(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    for (let k = 0; k < n && p !== c; k++) {
      [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
      [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k], inv[c * n + k]];
    }
    const d = m[c * n + c];
    for (let k = 0; k < n; k++) {
      m[c * n + k] /= d;
      inv[c * n + k] /= d;
    }
    for (let r = 0; r < n; r++) {
      const f = m[r * n + c];
      if (r === c || f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k] -= f * m[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

/**
 * GPTQ on each row's int4 grid (one group per row: the row's min and max, fixed first). x: calibration inputs (n, in).
 * H = 2 XᵀX / n + damp · mean(diag) · I. Columns in order: round column j, spread each row's error
 * (w − q̂) / Hinv[j][j] over the later columns with Hinv[j][k], then drop column j from Hinv.
 */
export function gptqQuantize(w: Tensor, x: Tensor, damp = 0.01): Int4Quant {
  const [out, inp] = w.shape;
  const [n, xin] = x.shape;
  if (x.shape.length !== 2 || xin !== inp) throw new RangeError(`gptqQuantize: x must be (n, ${inp}), got (${x.shape.join(', ')})`);
  const W = Float64Array.from(w.data);
  const H = new Float64Array(inp * inp);
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < inp; a++) {
      for (let b = 0; b < inp; b++) H[a * inp + b] += (2 / n) * x.data[s * inp + a] * x.data[s * inp + b];
    }
  }
  let mean = 0;
  for (let a = 0; a < inp; a++) mean += H[a * inp + a] / inp;
  for (let a = 0; a < inp; a++) H[a * inp + a] += damp * mean;
  const Hinv = invert(H, inp);
  const grid = quantizeInt4(w, inp); // the per-row grid, from the original weights
  const q = new Uint8Array(out * inp);
  for (let j = 0; j < inp; j++) {
    const d = Hinv[j * inp + j];
    for (let o = 0; o < out; o++) {
      const [scale, zero] = [grid.scales[o], grid.zeros[o]];
      const v = W[o * inp + j];
      const code = Math.max(0, Math.min(15, roundHalfEven(v / scale) + zero));
      q[o * inp + j] = code;
      const err = (v - (code - zero) * scale) / d;
      for (let k = j + 1; k < inp; k++) W[o * inp + k] -= err * Hinv[j * inp + k];
    }
    for (let a = j + 1; a < inp; a++) {
      const f = Hinv[a * inp + j] / d;
      for (let b = j + 1; b < inp; b++) Hinv[a * inp + b] -= f * Hinv[j * inp + b];
    }
  }
  return { q, scales: grid.scales, zeros: grid.zeros, shape: [out, inp], groupSize: inp };
}
