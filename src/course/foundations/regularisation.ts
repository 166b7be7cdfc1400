/**
 * Course code for the foundations lesson "regularisation" (exercise regularisation/norm): float64 references of
 * BatchNorm1d (training forward, running statistics, eval forward, backward) and of LayerNorm over the last axis,
 * with the known wrong variants the checks name (the wrong axis, the unbiased variance, eps ignored, a reversed
 * momentum, a biased running variance, batch statistics treated as constants in backward), and the statistics of a
 * dropout output (keep rate, scale of the kept elements, independence of neighbouring decisions).
 *
 * Everything here reads plain copies ({ data, shape }) taken before the learner's code ran, and computes in
 * JavaScript numbers (float64). Exported names start with `reg` so they cannot clash with the other foundations
 * lessons' course code.
 */

/** Values and a shape: a kit Tensor or a snapshot of one. */
export interface RegArray {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** A float64 result: values and a shape. */
export interface RegArray64 {
  data: Float64Array;
  shape: number[];
}

const arr = (data: Float64Array, shape: readonly number[]): RegArray64 => ({ data, shape: [...shape] });

/** Per-feature statistics of an (N, C) batch over axis 0: the mean, the biased (÷ N) and unbiased (÷ (N − 1)) variance. */
export function regBatchStats64(x: RegArray): { mean: Float64Array; varBiased: Float64Array; varUnbiased: Float64Array } {
  const [N, C] = x.shape;
  const mean = new Float64Array(C);
  const ss = new Float64Array(C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) mean[c] += Number(x.data[n * C + c]);
  for (let c = 0; c < C; c++) mean[c] /= N;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) { const d = Number(x.data[n * C + c]) - mean[c]; ss[c] += d * d; }
  return { mean, varBiased: ss.map((s) => s / N), varUnbiased: ss.map((s) => s / (N - 1)) };
}

/** y[n, c] = (x[n, c] − mean[c]) / √(var[c] + eps) · weight[c] + bias[c], for given per-feature statistics. */
export function regNormalise64(x: RegArray, mean: ArrayLike<number>, variance: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number>, eps: number): RegArray64 {
  const [N, C] = x.shape;
  const y = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      y[n * C + c] = ((Number(x.data[n * C + c]) - Number(mean[c])) / Math.sqrt(Number(variance[c]) + eps)) * Number(weight[c]) + Number(bias[c]);
    }
  }
  return arr(y, x.shape);
}

/** Ways of getting BatchNorm's training forward wrong that the checks name. */
export type RegBatchNormVariant = 'unbiased-normalise' | 'wrong-axis';

/** BatchNorm1d's training forward on x (N, C): batch statistics over axis 0, biased variance (as PyTorch). */
export function regBatchNormTrain64(x: RegArray, weight: ArrayLike<number>, bias: ArrayLike<number>, eps: number, variant?: RegBatchNormVariant): RegArray64 {
  if (variant === 'wrong-axis') {
    // Each sample normalised over its own features (a LayerNorm), with the per-feature weight and bias.
    return regLayerNorm64(x, weight, bias, eps);
  }
  const s = regBatchStats64(x);
  return regNormalise64(x, s.mean, variant === 'unbiased-normalise' ? s.varUnbiased : s.varBiased, weight, bias, eps);
}

/** Ways of getting the running statistics wrong that the checks name. */
export type RegRunningVariant = 'not-updated' | 'momentum-reversed' | 'var-biased';

/**
 * The running statistics after training steps on `batches`, starting from mean 0 and variance 1:
 * running = (1 − momentum) · running + momentum · batch statistic, with the unbiased batch variance (as PyTorch).
 * Returns the statistics after every step.
 */
export function regRunningStats64(batches: RegArray[], momentum: number, variant?: RegRunningVariant): { mean: Float64Array; var: Float64Array }[] {
  const C = batches[0].shape[1];
  let mean: Float64Array = new Float64Array(C);
  let variance: Float64Array = new Float64Array(C).fill(1);
  const out: { mean: Float64Array; var: Float64Array }[] = [];
  for (const x of batches) {
    const s = regBatchStats64(x);
    if (variant !== 'not-updated') {
      const keep = variant === 'momentum-reversed' ? momentum : 1 - momentum; // Keras: moving · momentum + batch · (1 − momentum)
      const take = 1 - keep;
      const v = variant === 'var-biased' ? s.varBiased : s.varUnbiased;
      mean = mean.map((m, c) => keep * m + take * s.mean[c]);
      variance = variance.map((r, c) => keep * r + take * v[c]);
    }
    out.push({ mean: Float64Array.from(mean), var: Float64Array.from(variance) });
  }
  return out;
}

/**
 * Gradients of BatchNorm1d's training forward (batch statistics, biased variance), given the upstream gradient dy:
 *   dbias = Σ_n dy,  dweight = Σ_n dy · x̂,  dx = weight · rstd / N · (N dy − Σ_n dy − x̂ Σ_n dy · x̂).
 * With `detached`, the batch mean and variance are treated as constants: dx = weight · rstd · dy.
 */
export function regBatchNormBackward64(x: RegArray, weight: ArrayLike<number>, eps: number, dy: RegArray, detached = false): { dx: RegArray64; dweight: RegArray64; dbias: RegArray64 } {
  const [N, C] = x.shape;
  const s = regBatchStats64(x);
  const dx = new Float64Array(N * C);
  const dw = new Float64Array(C);
  const db = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const rstd = 1 / Math.sqrt(s.varBiased[c] + eps);
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let n = 0; n < N; n++) {
      const g = Number(dy.data[n * C + c]);
      const xhat = (Number(x.data[n * C + c]) - s.mean[c]) * rstd;
      sumDy += g;
      sumDyXhat += g * xhat;
    }
    db[c] = sumDy;
    dw[c] = sumDyXhat;
    const w = Number(weight[c]);
    for (let n = 0; n < N; n++) {
      const g = Number(dy.data[n * C + c]);
      const xhat = (Number(x.data[n * C + c]) - s.mean[c]) * rstd;
      dx[n * C + c] = detached ? w * rstd * g : (w * rstd / N) * (N * g - sumDy - xhat * sumDyXhat);
    }
  }
  return { dx: arr(dx, x.shape), dweight: arr(dw, [C]), dbias: arr(db, [C]) };
}

/** Ways of getting LayerNorm wrong that the checks name. */
export type RegLayerNormVariant = 'wrong-axis' | 'unbiased';

/**
 * LayerNorm over the last axis in float64: every row of C values gets mean 0 and (biased) variance 1, then
 * y = x̂ · weight + bias. 'wrong-axis' normalises over the FIRST axis instead (each column of a (N, C) batch, the
 * way BatchNorm does; for a 3-D input, over axis 0), keeping the per-channel weight and bias of the last axis.
 */
export function regLayerNorm64(x: RegArray, weight: ArrayLike<number>, bias: ArrayLike<number>, eps: number, variant?: RegLayerNormVariant): RegArray64 {
  const shape = x.shape;
  const C = shape[shape.length - 1];
  const size = x.data.length;
  const y = new Float64Array(size);
  // A group is the set of flat indices normalised together: a row of the last axis, or (wrong axis) a column of axis 0.
  const groups: number[][] = [];
  if (variant === 'wrong-axis') {
    const first = shape[0];
    const rest = size / first;
    for (let j = 0; j < rest; j++) groups.push(Array.from({ length: first }, (_, i) => i * rest + j));
  } else {
    for (let r = 0; r < size / C; r++) groups.push(Array.from({ length: C }, (_, c) => r * C + c));
  }
  for (const g of groups) {
    let m = 0;
    for (const i of g) m += Number(x.data[i]);
    m /= g.length;
    let ss = 0;
    for (const i of g) ss += (Number(x.data[i]) - m) ** 2;
    const v = ss / (variant === 'unbiased' ? g.length - 1 : g.length);
    const rstd = 1 / Math.sqrt(v + eps);
    for (const i of g) y[i] = (Number(x.data[i]) - m) * rstd * Number(weight[i % C]) + Number(bias[i % C]);
  }
  return arr(y, shape);
}

/** What a dropout output says about its mask: every element classified as dropped (0) or kept (ratio out / x). */
export interface RegDropoutStats {
  /** Elements neither exactly 0 nor a finite multiple of x: the first one's index, or -1. */
  odd: number;
  kept: number;
  total: number;
  /** The median of out / x over the kept elements (NaN when nothing was kept). */
  factor: number;
  /** Whether every kept element has that same ratio (relative tolerance 1e-5). */
  constantFactor: boolean;
  /** Pairs of neighbours (i, i + 1) both kept, and the number of pairs. */
  bothKept: number;
  pairs: number;
  /** Kept elements in the first and the second half. */
  keptFirstHalf: number;
  keptSecondHalf: number;
}

/** Statistics of out = dropout(x) for an x with no zero element (x read from a copy taken before the call). */
export function regDropoutStats(x: ArrayLike<number>, out: ArrayLike<number>): RegDropoutStats {
  const n = x.length;
  const keptMask = new Uint8Array(n);
  const ratios: number[] = [];
  let odd = -1;
  for (let i = 0; i < n; i++) {
    const o = Number(out[i]);
    if (o === 0) continue;
    const r = o / Number(x[i]);
    if (!Number.isFinite(r)) { if (odd < 0) odd = i; continue; }
    keptMask[i] = 1;
    ratios.push(r);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  const factor = sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
  const constantFactor = ratios.every((r) => Math.abs(r - factor) <= 1e-5 * Math.abs(factor) + 1e-7);
  let bothKept = 0;
  for (let i = 0; i + 1 < n; i++) if (keptMask[i] && keptMask[i + 1]) bothKept++;
  let keptFirstHalf = 0;
  for (let i = 0; i < n >> 1; i++) keptFirstHalf += keptMask[i];
  return {
    odd, kept: ratios.length, total: n, factor, constantFactor, bothKept, pairs: n - 1,
    keptFirstHalf, keptSecondHalf: ratios.length - keptFirstHalf,
  };
}

/** Whether a count of successes out of n trials is within `z` standard deviations of probability q. */
export function regWithinSampling(count: number, n: number, q: number, z = 5): boolean {
  const sd = Math.sqrt(Math.max(q * (1 - q), 1e-12) / n);
  return Math.abs(count / n - q) <= z * sd + 1e-12;
}
