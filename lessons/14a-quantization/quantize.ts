/**
 * The quantization lesson: int8 (per tensor and per channel), int4 in groups with zero points, and a GPTQ step.
 * Weights are (out, in) like a Linear's. Rounding is to the nearest integer, halves to even (2.5 -> 2, 3.5 -> 4).
 */
import { Tensor, TODO } from '@llm-lab/kit';

/** Nearest integer, halves to even: 2.5 -> 2, 3.5 -> 4, −2.5 -> −2 (Math.round would give 3, 4, −2). */
export function roundHalfEven(x: number): number {
  return TODO('roundHalfEven');
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
 * q = clamp(roundHalfEven(w / scale), −127, 127); an all-zero row has scale 0 and codes 0. Leaves w unchanged.
 */
export function quantizeInt8(w: Tensor, perChannel: boolean, clip = 1): Int8Quant {
  return TODO('quantizeInt8');
}

/** Back to float32: q · scale (the row's scale, or the one scale), as an (out, in) Tensor. */
export function dequantizeInt8(x: Int8Quant): Tensor {
  return TODO('dequantizeInt8');
}

/**
 * Asymmetric int4 in groups of groupSize consecutive weights of a row (along the input axis):
 *   scale = (max − min) / 15 (1 if max = min), zero = clamp(roundHalfEven(−min / scale), 0, 15),
 *   q = clamp(roundHalfEven(w / scale) + zero, 0, 15).
 * Throws a RangeError when groupSize does not divide the input size.
 */
export function quantizeInt4(w: Tensor, groupSize: number): Int4Quant {
  return TODO('quantizeInt4');
}

/** Back to float32: (q − zero) · scale, with the weight's group's scale and zero point. */
export function dequantizeInt4(x: Int4Quant): Tensor {
  return TODO('dequantizeInt4');
}

/**
 * GPTQ on each row's int4 grid (one group per row: quantizeInt4(w, in), from the original weights). x: calibration
 * inputs (n, in); a RangeError if x is not (n, in). H = 2 XᵀX / n + damp · mean(diag) · I, Hinv = H⁻¹.
 * Columns j = 0 .. in − 1 in order: round each row's weight in column j on its grid; spread the error
 * err = (w − q̂) / Hinv[j][j] over the later columns (w[o][k] −= err · Hinv[j][k], k > j); drop column j from Hinv
 * (Hinv[a][b] −= Hinv[a][j] · Hinv[j][b] / Hinv[j][j], a, b > j). Returns the codes on the grid. Leaves w and x unchanged.
 */
export function gptqQuantize(w: Tensor, x: Tensor, damp = 0.01): Int4Quant {
  return TODO('gptqQuantize');
}
