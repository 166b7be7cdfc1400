/**
 * The LoRA fine-tuning lesson, exercise 2: QLoRA in one step. Store the frozen base weights in 8 bits, train the adapter on top.
 *
 * Symmetric int8 quantization with one scale per output channel (per row of a (out, in) weight):
 *   scale[o]  = max_i |W[o, i]| / 127              (a row of zeros: scale 0, and its q are 0)
 *   q[o, i]   = round(W[o, i] / scale[o])          an integer in [-127, 127], stored in an Int8Array
 *   W[o, i]  ≈ q[o, i] · scale[o]                  dequantized: off by at most scale[o] / 2
 * A weight then costs 1 byte instead of 4, plus 4 bytes per row for its scale.
 */
import { type Tensor, TODO, tensor } from '@llm-lab/kit';

export interface Int8Weight {
  /** (out · in) integers in [-127, 127], row-major like the weight. */
  q: Int8Array;
  /**
   * (out): one scale per output channel, the step max / 127. (bitsandbytes stores the row's max itself and
   * dequantizes with q · max / 127; the checks accept that too, if dequantizeInt8 agrees.)
   */
  scales: Float32Array;
  /** [out, in] */
  shape: [number, number];
}

/** W (out, in) -> int8 values and per-row scales. Leaves W unchanged. */
export function quantizeInt8(W: Tensor): Int8Weight {
  return TODO('quantizeInt8');
}

/** Back to float32: q · scale, row by row, as a (out, in) Tensor. */
export function dequantizeInt8(w: Int8Weight): Tensor {
  return TODO('dequantizeInt8');
}
