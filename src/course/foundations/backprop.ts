/**
 * Course code for the foundations lesson "backprop" (autograd for tensors): float64 references for the backward
 * passes of the kit's core ops, each catalogued mistake as its own wrong variant, and central finite differences.
 *
 * Used by the checks only, never by learner code: plain loops over plain arrays, independent of the kit's autograd
 * (which the checks use as a second, separate reference) and of the learner's functions.
 *
 *   sumToShape(g, shape)        the backward of a broadcast: sum g over every axis the input was broadcast along
 *   matmul  C = A B             dA = dC Bᵀ, dB = Aᵀ dC
 *   softmax y = softmax(x)      dx = y ⊙ (g − Σ_axis g ⊙ y)
 *   mean NLL of log-softmax     dlogits = (softmax(logits) − onehot(targets)) / N
 *   LayerNorm over the last axis dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = g ⊙ γ
 */

/** Values plus a row-major shape (a kit Tensor or NDArray qualifies). */
export interface BackpropArr {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** The float64 twin. */
export interface BackpropArr64 {
  data: Float64Array;
  shape: number[];
}

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** A float64 copy (taken before the learner sees the input, so a mutated input cannot move the reference). */
export const backpropCopy64 = (x: BackpropArr): BackpropArr64 => ({ data: Float64Array.from(x.data, Number), shape: [...x.shape] });

/** Whether `shape` broadcasts to `to` (NumPy's rule: aligned from the right, each size equal or 1, no extra axes). */
export function backpropBroadcastsTo(shape: readonly number[], to: readonly number[]): boolean {
  if (shape.length > to.length) return false;
  const shift = to.length - shape.length;
  return shape.every((d, i) => d === to[i + shift] || d === 1);
}

/**
 * The reference sumToShape, and its wrong variants: 'mean' averages over the broadcast axes instead of summing,
 * 'leading-only' sums the new leading axes but keeps the size-1 axes at full size (its result has another shape).
 */
export function backpropSumToShape64(grad: BackpropArr, shape: readonly number[], variant: 'sum' | 'mean' | 'leading-only' = 'sum'): BackpropArr64 {
  if (!backpropBroadcastsTo(shape, grad.shape)) throw new Error(`check bug: (${shape}) does not broadcast to (${grad.shape})`);
  const gs = grad.shape;
  const shift = gs.length - shape.length;
  const outShape = variant === 'leading-only' ? gs.slice(shift) : [...shape];
  const out = new Float64Array(count(outShape));
  const strides = new Array<number>(gs.length).fill(0);
  let s = 1;
  for (let d = gs.length - 1; d >= shift; d--) {
    const size = outShape[d - shift];
    if (size !== 1 || gs[d] === 1) strides[d] = s;
    s *= size;
  }
  const idx = new Array<number>(gs.length).fill(0);
  for (let i = 0; i < grad.data.length; i++) {
    let at = 0;
    for (let d = 0; d < gs.length; d++) at += idx[d] * strides[d];
    out[at] += Number(grad.data[i]);
    for (let d = gs.length - 1; d >= 0; d--) {
      if (++idx[d] < gs[d]) break;
      idx[d] = 0;
    }
  }
  if (variant === 'mean') {
    const k = grad.data.length / Math.max(1, out.length);
    for (let i = 0; i < out.length; i++) out[i] /= k;
  }
  return { data: out, shape: outShape };
}

/** a (m, k) @ b (k, n) in float64. */
export function backpropMatmul64(a: BackpropArr, b: BackpropArr): BackpropArr64 {
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (a.shape.length !== 2 || b.shape.length !== 2 || k !== k2) throw new Error(`check bug: (${a.shape}) @ (${b.shape})`);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += Number(a.data[i * k + p]) * Number(b.data[p * n + j]);
      out[i * n + j] = s;
    }
  }
  return { data: out, shape: [m, n] };
}

/** The transpose of a 2-D array. */
export function backpropT64(a: BackpropArr): BackpropArr64 {
  const [r, c] = a.shape;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = Number(a.data[i * c + j]);
  return { data: out, shape: [c, r] };
}

/** dA = dC Bᵀ and dB = Aᵀ dC, in float64. */
export function backpropMatmulBackward64(a: BackpropArr, b: BackpropArr, g: BackpropArr): { gradA: BackpropArr64; gradB: BackpropArr64 } {
  return { gradA: backpropMatmul64(g, backpropT64(b)), gradB: backpropMatmul64(backpropT64(a), g) };
}

/**
 * The wrong products a matmul backward can make by misplacing a transpose, where their shapes allow it:
 * for dA, dC B (a loop that reads b[j][p] as b[p][j]; needs n = k) and (dC Bᵀ)ᵀ = B dCᵀ (the transposed shape);
 * for dB, A dC (needs m = k) and (Aᵀ dC)ᵀ = dCᵀ A (the transposed shape).
 */
export function backpropMatmulWrong64(a: BackpropArr, b: BackpropArr, g: BackpropArr): { gradA: BackpropArr64[]; gradB: BackpropArr64[] } {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const right = backpropMatmulBackward64(a, b, g);
  const gradA = [backpropT64(right.gradA)];
  const gradB = [backpropT64(right.gradB)];
  if (n === k) gradA.push(backpropMatmul64(g, b));
  if (m === k) gradB.push(backpropMatmul64(a, g));
  return { gradA, gradB };
}

/** Views a shape as (outer, size, inner) around one axis (negative axes count from the end). */
export function backpropSplit(shape: readonly number[], axis: number): { outer: number; size: number; inner: number; axis: number } {
  const ax = axis < 0 ? axis + shape.length : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= shape.length) throw new Error(`check bug: axis ${axis} for (${shape})`);
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < ax; d++) outer *= shape[d];
  for (let d = ax + 1; d < shape.length; d++) inner *= shape[d];
  return { outer, size: shape[ax], inner, axis: ax };
}

/** softmax along `axis` in float64. */
export function backpropSoftmax64(x: BackpropArr, axis: number): BackpropArr64 {
  const { outer, size, inner } = backpropSplit(x.shape, axis);
  const y = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, Number(x.data[base + k * inner]));
      let s = 0;
      for (let k = 0; k < size; k++) s += (y[base + k * inner] = Math.exp(Number(x.data[base + k * inner]) - m));
      for (let k = 0; k < size; k++) y[base + k * inner] /= s;
    }
  }
  return { data: y, shape: [...x.shape] };
}

/**
 * dx = y ⊙ (g − Σ_axis g ⊙ y), the Jacobian-vector product of softmax along `axis`, in float64; `sumAxis` sums
 * along another axis (the wrong-axis variant), 'diagonal' keeps only the Jacobian's diagonal, y (1 − y) g.
 */
export function backpropSoftmaxBackward64(y: BackpropArr, g: BackpropArr, axis: number, variant: 'right' | 'diagonal' = 'right', sumAxis = axis): BackpropArr64 {
  const out = new Float64Array(y.data.length);
  if (variant === 'diagonal') {
    for (let i = 0; i < out.length; i++) out[i] = Number(y.data[i]) * (1 - Number(y.data[i])) * Number(g.data[i]);
    return { data: out, shape: [...y.shape] };
  }
  const { outer, size, inner } = backpropSplit(y.shape, sumAxis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let dot = 0;
      for (let k = 0; k < size; k++) dot += Number(g.data[base + k * inner]) * Number(y.data[base + k * inner]);
      for (let k = 0; k < size; k++) {
        const at = base + k * inner;
        out[at] = Number(y.data[at]) * (Number(g.data[at]) - dot);
      }
    }
  }
  return { data: out, shape: [...y.shape] };
}

/** The mean over rows of −log softmax(logits)[target], in float64 (log-sum-exp with the row max). */
export function backpropNll64(logits: BackpropArr, targets: ArrayLike<number>): number {
  const C = logits.shape[logits.shape.length - 1];
  const N = logits.data.length / C;
  let total = 0;
  for (let n = 0; n < N; n++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, Number(logits.data[n * C + c]));
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(Number(logits.data[n * C + c]) - m);
    total += m + Math.log(s) - Number(logits.data[n * C + targets[n]]);
  }
  return total / N;
}

/**
 * (softmax(logits) − onehot) / N in float64, and its wrong variants: 'sum' (not divided by N, the gradient of the
 * summed loss), 'sign' (onehot − softmax: the gradient of the negated loss).
 */
export function backpropNllBackward64(logits: BackpropArr, targets: ArrayLike<number>, variant: 'right' | 'sum' | 'sign' = 'right'): BackpropArr64 {
  const C = logits.shape[logits.shape.length - 1];
  const N = logits.data.length / C;
  const p = backpropSoftmax64({ data: logits.data, shape: [N, C] }, 1).data;
  const out = new Float64Array(p.length);
  const scale = (variant === 'sum' ? 1 : 1 / N) * (variant === 'sign' ? -1 : 1);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) out[n * C + c] = scale * (p[n * C + c] - (c === Number(targets[n]) ? 1 : 0));
  }
  return { data: out, shape: [...logits.shape] };
}

/** LayerNorm over the last axis in float64: (x − mean) / sqrt(var + eps) · γ + β, var biased (÷ C). */
export function backpropLayerNorm64(x: BackpropArr, gamma: BackpropArr, beta: BackpropArr, eps: number): BackpropArr64 {
  const C = x.shape[x.shape.length - 1];
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / C; r++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += Number(x.data[r * C + c]);
    mean /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (Number(x.data[r * C + c]) - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) out[r * C + c] = (Number(x.data[r * C + c]) - mean) * rstd * Number(gamma.data[c]) + Number(beta.data[c]);
  }
  return { data: out, shape: [...x.shape] };
}

/**
 * The LayerNorm of The Annotated Transformer (Harvard NLP), in float64: (x − mean) / (std + eps) · γ + β with the
 * UNBIASED standard deviation (÷ (C − 1), torch's x.std()) and eps outside the square root. Another function than
 * PyTorch's nn.LayerNorm; the checks differentiate it by finite differences to recognise a port of it.
 */
export function backpropLayerNormAnnotated64(x: BackpropArr, gamma: BackpropArr, beta: BackpropArr, eps: number): BackpropArr64 {
  const C = x.shape[x.shape.length - 1];
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / C; r++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += Number(x.data[r * C + c]);
    mean /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (Number(x.data[r * C + c]) - mean) ** 2;
    const d = Math.sqrt(v / (C - 1)) + eps;
    for (let c = 0; c < C; c++) out[r * C + c] = ((Number(x.data[r * C + c]) - mean) / d) * Number(gamma.data[c]) + Number(beta.data[c]);
  }
  return { data: out, shape: [...x.shape] };
}

/**
 * How a LayerNorm backward can go wrong in dx: 'direct-only' is g γ rstd (neither the term through the mean nor
 * the one through the variance), 'no-var-term' keeps the mean term only, 'no-mean-term' the variance term only.
 */
export type BackpropLayerNormVariant = 'right' | 'direct-only' | 'no-var-term' | 'no-mean-term';

/** dx, dγ, dβ of LayerNorm over the last axis in float64 (the formula of llm.c and of the kit's layerNorm). */
export function backpropLayerNormBackward64(x: BackpropArr, gamma: BackpropArr, g: BackpropArr, eps: number, variant: BackpropLayerNormVariant = 'right'): {
  gradX: BackpropArr64; gradGamma: BackpropArr64; gradBeta: BackpropArr64;
} {
  const C = x.shape[x.shape.length - 1];
  const N = x.data.length / C;
  const gx = new Float64Array(x.data.length);
  const gg = new Float64Array(C);
  const gb = new Float64Array(C);
  const xhat = new Float64Array(C);
  const d = new Float64Array(C);
  for (let r = 0; r < N; r++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += Number(x.data[r * C + c]);
    mean /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (Number(x.data[r * C + c]) - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / C + eps);
    let meanD = 0;
    let meanDH = 0;
    for (let c = 0; c < C; c++) {
      xhat[c] = (Number(x.data[r * C + c]) - mean) * rstd;
      const gv = Number(g.data[r * C + c]);
      gg[c] += gv * xhat[c];
      gb[c] += gv;
      d[c] = gv * Number(gamma.data[c]);
      meanD += d[c] / C;
      meanDH += (d[c] * xhat[c]) / C;
    }
    const useMean = variant === 'right' || variant === 'no-var-term';
    const useVar = variant === 'right' || variant === 'no-mean-term';
    for (let c = 0; c < C; c++) gx[r * C + c] = rstd * (d[c] - (useMean ? meanD : 0) - (useVar ? xhat[c] * meanDH : 0));
  }
  return { gradX: { data: gx, shape: [...x.shape] }, gradGamma: { data: gg, shape: [C] }, gradBeta: { data: gb, shape: [C] } };
}

/**
 * Central finite differences in float64, (f(v + h e_i) − f(v − h e_i)) / 2h for every element i of `v` (restored
 * after each step). In float64 with h = 1e-5 the error is of the order of 1e-10 for the smooth functions here.
 */
export function backpropNumericGrad(f: () => number, v: Float64Array, h = 1e-5): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i];
    v[i] = keep + h;
    const up = f();
    v[i] = keep - h;
    const down = f();
    v[i] = keep;
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

/** Σ a ⊙ w in float64: turns an output and an upstream gradient into the scalar whose gradient is checked. */
export function backpropDot(a: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Number(a[i]) * Number(w[i]);
  return s;
}

/** Whether `actual` has `expected`'s shape and values within |a − e| ≤ atol + rtol |e| (NaN never passes). */
export function backpropAllClose(actual: unknown, expected: BackpropArr, rtol: number, atol: number): boolean {
  if (typeof actual !== 'object' || actual === null || !('data' in actual) || !('shape' in actual)) return false;
  const a = actual as BackpropArr;
  if (!Array.isArray(a.shape) || a.shape.length !== expected.shape.length || a.shape.some((d, i) => d !== expected.shape[i])) return false;
  if (!a.data || a.data.length !== expected.data.length) return false;
  for (let i = 0; i < expected.data.length; i++) {
    const x = Number(a.data[i]);
    const e = Number(expected.data[i]);
    if (!(Math.abs(x - e) <= atol + rtol * Math.abs(e))) return false;
  }
  return true;
}
