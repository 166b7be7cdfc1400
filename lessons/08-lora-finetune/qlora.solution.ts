/**
 * The LoRA fine-tuning lesson, exercise 2, reference solution: absmax int8 quantization per output channel, the weight format of
 * LLM.int8() (Dettmers et al. 2022; bitsandbytes' 8-bit layers) without its mixed-precision path for outlier
 * activations (bitsandbytes also keeps the row's absmax rather than absmax / 127). QLoRA (Dettmers et al. 2023)
 * goes further: 4-bit NormalFloat (NF4) levels, one absmax per block of 64 weights, and double quantization of
 * those absmax values; the idea, a frozen low-precision base under a higher-precision adapter, is the same.
 */
import { type Tensor, tensor } from '@llm-lab/kit';

export interface Int8Weight {
  q: Int8Array;
  scales: Float32Array;
  shape: [number, number];
}

export function quantizeInt8(W: Tensor): Int8Weight {
  const [out, inp] = W.shape;
  const q = new Int8Array(out * inp);
  const scales = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let max = 0;
    for (let i = 0; i < inp; i++) max = Math.max(max, Math.abs(W.data[o * inp + i]));
    const scale = max / 127; // the largest weight of the row maps to ±127
    scales[o] = scale;
    if (scale === 0) continue; // an all-zero row stays 0 (and 0 / 0 would be NaN)
    for (let i = 0; i < inp; i++) q[o * inp + i] = Math.max(-127, Math.min(127, Math.round(W.data[o * inp + i] / scale)));
  }
  return { q, scales, shape: [out, inp] };
}

export function dequantizeInt8(w: Int8Weight): Tensor {
  const [out, inp] = w.shape;
  const data = new Float32Array(out * inp);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) data[o * inp + i] = w.q[o * inp + i] * w.scales[o];
  return tensor(data, [out, inp]);
}
