/**
 * Float64 reference for multi-head attention, and its classic mistakes as wrong variants (for lesson 3's
 * checks; learner code never sees this). Plain loops, independent of the kit and of the learner's code.
 *
 *   q, k, v = x Wqᵀ + bq, x Wkᵀ + bk, x Wvᵀ + bv        (B, T, C)      PyTorch's Linear: weight is (out, in)
 *   split:   (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs)              head h = channels [h*hs, (h+1)*hs)
 *   y      = attention(q, k, v, causal)                  (B, nh, T, hs)
 *   merge:   (B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C)
 *   out    = merged Wpᵀ + bp                             (B, T, C)
 *
 * (Vaswani et al. 2017, section 3.2.2; the layout is nanoGPT's CausalSelfAttention.)
 */
import { type Arr, type Arr64, attention64, numel } from './reference';

export interface LinearArr {
  weight: Arr; // (out, in)
  bias: Arr; //   (out)
}

export interface AttentionParamsArr {
  q: LinearArr;
  k: LinearArr;
  v: LinearArr;
  proj: LinearArr;
}

export type MhaMistake =
  | 'split-without-transpose' //  x.view(B, nh, T, hs): reinterprets the memory, heads get slices of time
  | 'split-interleaved' //        view(B, T, hs, nh): head h gets channels h, h + nh, h + 2nh, ...
  | 'merge-without-transpose' //  y.reshape(B, T, C) straight from (B, nh, T, hs)
  | 'merge-interleaved' //        head h's channels written to h, h + nh, ...
  | 'weight-not-transposed' //    x @ W + b instead of x @ Wᵀ + b: Hugging Face's Conv1D way (a convention)
  | 'no-output-projection' //     merged heads returned as they are
  | 'single-head'; //             nHead ignored: one head over all C channels

export const MHA_MISTAKES: readonly MhaMistake[] = [
  'split-without-transpose', 'split-interleaved', 'merge-without-transpose', 'merge-interleaved',
  'weight-not-transposed', 'no-output-projection', 'single-head',
];

/** x Wᵀ + b over the last axis (or x W + b for the 'weight-not-transposed' mistake). */
export function linear64(x: Arr, p: LinearArr, transposed = true): Arr64 {
  const [nOut, nIn] = p.weight.shape;
  const N = x.data.length / nIn;
  const out = new Float64Array(N * nOut);
  for (let r = 0; r < N; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = p.bias.data[o];
      for (let i = 0; i < nIn; i++) s += x.data[r * nIn + i] * (transposed ? p.weight.data[o * nIn + i] : p.weight.data[i * nOut + o]);
      out[r * nOut + o] = s;
    }
  }
  return { data: out, shape: [...x.shape.slice(0, -1), nOut] };
}

/** (B, T, C) -> (B, nh, T, hs), correctly or with one of the split mistakes. */
export function splitHeads64(x: Arr, nh: number, mistake?: MhaMistake): Arr64 {
  const [B, T, C] = x.shape;
  const hs = C / nh;
  const out = new Float64Array(x.data.length);
  if (mistake === 'split-without-transpose') {
    out.set(Array.from(x.data));
  } else {
    for (let b = 0; b < B; b++) for (let h = 0; h < nh; h++) for (let t = 0; t < T; t++) for (let s = 0; s < hs; s++) {
      const channel = mistake === 'split-interleaved' ? s * nh + h : h * hs + s;
      out[((b * nh + h) * T + t) * hs + s] = x.data[(b * T + t) * C + channel];
    }
  }
  return { data: out, shape: [B, nh, T, hs] };
}

/** (B, nh, T, hs) -> (B, T, C), correctly or with one of the merge mistakes. */
export function mergeHeads64(y: Arr, mistake?: MhaMistake): Arr64 {
  const [B, nh, T, hs] = y.shape;
  const C = nh * hs;
  const out = new Float64Array(y.data.length);
  if (mistake === 'merge-without-transpose') {
    out.set(Array.from(y.data));
  } else {
    for (let b = 0; b < B; b++) for (let h = 0; h < nh; h++) for (let t = 0; t < T; t++) for (let s = 0; s < hs; s++) {
      const channel = mistake === 'merge-interleaved' ? s * nh + h : h * hs + s;
      out[(b * T + t) * C + channel] = y.data[((b * nh + h) * T + t) * hs + s];
    }
  }
  return { data: out, shape: [B, T, C] };
}

export interface MhaResult64 {
  weights: Arr64; // (B, nh, T, T)
  out: Arr64; //     (B, T, C)
}

/** Causal multi-head self-attention of x (B, T, C), optionally with one mistake. */
export function mha64(x: Arr, p: AttentionParamsArr, nh: number, mistake?: MhaMistake): MhaResult64 {
  const heads = mistake === 'single-head' ? 1 : nh;
  const transposed = mistake !== 'weight-not-transposed';
  const [q, k, v] = [p.q, p.k, p.v].map((w) => splitHeads64(linear64(x, w, transposed), heads, mistake));
  const { weights, out: y } = attention64(q, k, v, true)!; // (B, nh, T, T), (B, nh, T, hs)
  const merged = mergeHeads64(y, mistake);
  const out = mistake === 'no-output-projection' ? merged : linear64(merged, p.proj, transposed);
  return { weights, out };
}

/**
 * (B, nh, T, T) -> (B, T, T): the weights averaged over the heads, what PyTorch's nn.MultiheadAttention returns
 * by default (average_attn_weights=True). Another library's convention, not a mistake: the catalogue says so.
 */
export function averageHeads64(w: Arr): Arr64 {
  const [B, nh, T, Tk] = w.shape;
  const out = new Float64Array(B * T * Tk);
  for (let b = 0; b < B; b++) for (let h = 0; h < nh; h++) for (let at = 0; at < T * Tk; at++) {
    out[b * T * Tk + at] += w.data[(b * nh + h) * T * Tk + at] / nh;
  }
  return { data: out, shape: [B, T, Tk] };
}

export { numel };
