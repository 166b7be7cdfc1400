/**
 * Float64 reference for scaled dot-product attention, and every classic mistake as its own wrong variant.
 *
 * Used by the checks of lessons 2-4 (never by learner code): the correct variant gives the expected values,
 * the wrong ones let a failing check say which mistake the learner's numbers look like. Plain loops over
 * plain arrays, deliberately independent of the kit and of the learner's code; float64 throughout, so the
 * reference is more accurate than the float32 code it judges.
 *
 *   attention(Q, K, V) = softmax(Q K^T / sqrt(d_k) + M) V        M = -inf above the diagonal when causal
 *
 * (Vaswani et al., "Attention Is All You Need", 2017, equation 1; the mask is the decoder's, as in GPT.)
 */

/** Values plus a row-major shape: the kit's Tensor and NDArray both qualify. */
export interface Arr {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

export interface Arr64 {
  data: Float64Array;
  shape: number[];
}

export const numel = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** A float64 copy of x with axes a and b swapped (what transpose(x, a, b) computes). */
export function swapAxes(x: Arr, a: number, b: number): Arr64 {
  const nd = x.shape.length;
  a = a < 0 ? a + nd : a;
  b = b < 0 ? b + nd : b;
  const shape = [...x.shape];
  [shape[a], shape[b]] = [shape[b], shape[a]];
  const out = new Float64Array(x.data.length);
  const stridesIn = strides(x.shape);
  const idx = new Array<number>(nd).fill(0);
  for (let flat = 0; flat < out.length; flat++) {
    // idx is the output's multi-index; read the input at idx with a and b exchanged.
    let from = 0;
    for (let d = 0; d < nd; d++) from += idx[d === a ? b : d === b ? a : d] * stridesIn[d];
    out[flat] = x.data[from];
    for (let d = nd - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  return { data: out, shape };
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, step = 1; d >= 0; d--) {
    s[d] = step;
    step *= shape[d];
  }
  return s;
}

/** x @ y over the last two axes, for equal leading axes; undefined when the shapes do not fit. */
export function matmul64(x: Arr, y: Arr): Arr64 | undefined {
  const lead = x.shape.slice(0, -2);
  if (x.shape.length < 2 || y.shape.length !== x.shape.length || y.shape.slice(0, -2).some((d, i) => d !== lead[i])) return undefined;
  const [n, k] = x.shape.slice(-2);
  const [k2, m] = y.shape.slice(-2);
  if (k !== k2) return undefined;
  const batch = numel(lead);
  const out = new Float64Array(batch * n * m);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += x.data[(b * n + i) * k + p] * y.data[(b * k + p) * m + j];
        out[(b * n + i) * m + j] = s;
      }
    }
  }
  return { data: out, shape: [...lead, n, m] };
}

/** Softmax over the last axis (-1) or the one before it (-2), max-subtracted. An all -inf slice gives NaN. */
export function softmax64(x: Arr64, axis: -1 | -2): Arr64 {
  const [R, C] = x.shape.slice(-2);
  const batch = numel(x.shape.slice(0, -2));
  const out = new Float64Array(x.data.length);
  const [len, count, step, across] = axis === -1 ? [C, R, 1, C] : [R, C, C, 1];
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < count; s++) {
      const base = b * R * C + s * across;
      let max = -Infinity;
      for (let a = 0; a < len; a++) max = Math.max(max, x.data[base + a * step]);
      let sum = 0;
      for (let a = 0; a < len; a++) sum += Math.exp(x.data[base + a * step] - max);
      for (let a = 0; a < len; a++) out[base + a * step] = Math.exp(x.data[base + a * step] - max) / sum;
    }
  }
  return { data: out, shape: [...x.shape] };
}

/**
 * The catalogued attention mistakes. Each is one small change to the correct computation; see
 * lessons/02-attention/mistakes.ts for what the learner is told when their numbers match one.
 */
export type AttentionMistake =
  | 'no-scale' //               softmax(q k^T) v
  | 'scale-by-d' //             divided by d instead of sqrt(d)
  | 'softmax-over-queries' //   softmax along axis -2: columns sum to 1
  | 'mask-after-softmax' //     softmax first, then zero the future (rows no longer sum to 1)
  | 'mask-with-zero' //         future scores set to 0 instead of -inf
  | 'no-mask' //                causal ignored
  | 'mask-includes-diagonal' // j >= i masked: a token cannot see itself, row 0 is all -inf -> NaN
  | 'mask-leaks-next' //        only j > i + 1 masked: one token of the future leaks
  | 'k-not-transposed' //       q @ k (only runs when d = T)
  | 'k-transposed-0-1' //       transpose(k, 0, 1) instead of the last two axes
  | 'k-transposed-1-2'; //      transpose(k, 1, 2) (nanoGPT's head transpose, misapplied)

export const ATTENTION_MISTAKES: readonly AttentionMistake[] = [
  'no-scale', 'scale-by-d', 'softmax-over-queries', 'mask-after-softmax', 'mask-with-zero', 'no-mask',
  'mask-includes-diagonal', 'mask-leaks-next', 'k-not-transposed', 'k-transposed-0-1', 'k-transposed-1-2',
];

/** Mistakes that only mean something when the attention is causal. */
const MASK_MISTAKES = new Set<AttentionMistake>(['mask-after-softmax', 'mask-with-zero', 'no-mask', 'mask-includes-diagonal', 'mask-leaks-next']);

export interface AttentionResult64 {
  weights: Arr64; // (..., Tq, Tk)
  out: Arr64; //     (..., Tq, dv)
}

/**
 * Scaled dot-product attention on (..., T, d) inputs with equal leading axes, optionally with one mistake.
 * Returns undefined when that mistake cannot run on these shapes (as the learner's code would throw).
 * The causal mask hides j > i: for T_q != T_k that is the top-left alignment of torch.tril (the checks only
 * ask for causal attention with T_q = T_k, where every alignment agrees).
 */
export function attention64(q: Arr, k: Arr, v: Arr, causal: boolean, mistake?: AttentionMistake): AttentionResult64 | undefined {
  if (mistake && !causal && MASK_MISTAKES.has(mistake)) return undefined;
  const nd = k.shape.length;
  const kT =
    mistake === 'k-not-transposed' ? { data: Float64Array.from(k.data), shape: [...k.shape] }
    : mistake === 'k-transposed-0-1' ? (nd > 2 ? swapAxes(k, 0, 1) : undefined)
    : mistake === 'k-transposed-1-2' ? (nd > 2 ? swapAxes(k, 1, 2) : undefined)
    : swapAxes(k, -2, -1);
  const raw = kT && matmul64(q, kT); // (..., Tq, Tk)
  if (!raw) return undefined;
  const d = q.shape[q.shape.length - 1];
  const scale = mistake === 'no-scale' ? 1 : mistake === 'scale-by-d' ? 1 / d : 1 / Math.sqrt(d);
  const [Tq, Tk] = raw.shape.slice(-2);
  const masked = (i: number, j: number): boolean => {
    if (!causal || mistake === 'no-mask') return false;
    if (mistake === 'mask-includes-diagonal') return j >= i;
    if (mistake === 'mask-leaks-next') return j > i + 1;
    return j > i;
  };
  const scores = { data: new Float64Array(raw.data.length), shape: raw.shape };
  for (let at = 0; at < raw.data.length; at++) {
    const i = Math.floor(at / Tk) % Tq;
    const j = at % Tk;
    const s = raw.data[at] * scale;
    scores.data[at] = !masked(i, j) || mistake === 'mask-after-softmax' ? s : mistake === 'mask-with-zero' ? 0 : -Infinity;
  }
  const weights = softmax64(scores, mistake === 'softmax-over-queries' ? -2 : -1);
  if (mistake === 'mask-after-softmax') {
    for (let at = 0; at < weights.data.length; at++) if (masked(Math.floor(at / Tk) % Tq, at % Tk)) weights.data[at] = 0;
  }
  const out = matmul64(weights, v);
  return out && { weights, out };
}
