/**
 * The backprop lesson, reference solution: the backward passes of five of the kit's core ops, written on plain
 * NDArrays (a flat Float32Array plus a row-major shape). Each function takes what the forward pass saved and the
 * upstream gradient, and returns the gradient of each input, with that input's shape.
 */
import { type NDArray, numel } from '@llm-lab/kit';

/** Row-major strides of a shape (the tensors lesson's `strides`). */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let p = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = p;
    p *= shape[d];
  }
  return s;
}

/**
 * The backward of a broadcast: `grad` has the broadcast shape, the input had `shape`. Every element of the input
 * was copied to several positions of the output, so its gradient is the SUM over those positions: sum over the
 * new leading axes, and over every axis where `shape` has size 1 and `grad` does not.
 */
export function sumToShape(grad: NDArray, shape: readonly number[]): NDArray {
  const gs = grad.shape;
  const shift = gs.length - shape.length;
  if (shift < 0 || shape.some((d, i) => d !== 1 && d !== gs[i + shift])) {
    throw new Error(`sumToShape: shape (${shape.join(', ')}) does not broadcast to (${gs.join(', ')})`);
  }
  // For each axis of grad, how far one step moves in the output: 0 along the axes that are summed away.
  const own = stridesOf(shape);
  const step = gs.map((size, d) => (d < shift || (shape[d - shift] === 1 && size !== 1) ? 0 : own[d - shift]));
  const out = new Float32Array(numel(shape));
  const index = new Array<number>(gs.length).fill(0);
  for (let i = 0; i < grad.data.length; i++) {
    let at = 0;
    for (let d = 0; d < gs.length; d++) at += index[d] * step[d];
    out[at] += grad.data[i];
    for (let d = gs.length - 1; d >= 0; d--) { // the next multi-index, like an odometer
      if (++index[d] < gs[d]) break;
      index[d] = 0;
    }
  }
  return { data: out, shape: [...shape] };
}

/** C = A B with A (m, k), B (k, n), dC (m, n): dA = dC Bᵀ (m, k) and dB = Aᵀ dC (k, n). */
export function matmulBackward(a: NDArray, b: NDArray, gradOut: NDArray): { gradA: NDArray; gradB: NDArray } {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const gradA = new Float32Array(m * k);
  const gradB = new Float32Array(k * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const g = gradOut.data[i * n + j];
      for (let p = 0; p < k; p++) {
        gradA[i * k + p] += g * b.data[p * n + j]; // dA[i][p] = Σ_j dC[i][j] B[p][j]
        gradB[p * n + j] += a.data[i * k + p] * g; // dB[p][j] = Σ_i A[i][p] dC[i][j]
      }
    }
  }
  return { gradA: { data: gradA, shape: [m, k] }, gradB: { data: gradB, shape: [k, n] } };
}

/**
 * y = softmax(x) along `axis` (negative counts from the end): dx = y ⊙ (g − Σ_axis g ⊙ y), one dot product per
 * slice along the axis. Every output of a slice depends on every input of it, so the Jacobian is not diagonal.
 */
export function softmaxBackward(y: NDArray, gradOut: NDArray, axis: number): NDArray {
  const ax = axis < 0 ? axis + y.shape.length : axis;
  const outer = numel(y.shape.slice(0, ax));
  const size = y.shape[ax];
  const inner = numel(y.shape.slice(ax + 1));
  const out = new Float32Array(y.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i; // element k of this slice is at base + k * inner
      let dot = 0;
      for (let k = 0; k < size; k++) dot += gradOut.data[base + k * inner] * y.data[base + k * inner];
      for (let k = 0; k < size; k++) {
        const at = base + k * inner;
        out[at] = y.data[at] * (gradOut.data[at] - dot);
      }
    }
  }
  return { data: out, shape: [...y.shape] };
}

/**
 * L = mean over the N rows of −log softmax(logits)[target]; logits (N, C). dL/dlogits = (softmax − onehot) / N,
 * with the softmax computed stably (row max subtracted), so logits of ±1000 give exact, finite gradients.
 */
export function logSoftmaxNllBackward(logits: NDArray, targets: ArrayLike<number>): NDArray {
  const [N, C] = logits.shape;
  const out = new Float32Array(N * C);
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits.data[row + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(logits.data[row + c] - max);
    for (let c = 0; c < C; c++) out[row + c] = Math.exp(logits.data[row + c] - max) / sum / N;
    out[row + targets[n]] -= 1 / N;
  }
  return { data: out, shape: [N, C] };
}

/**
 * y = x̂ ⊙ γ + β over the last axis, x̂ = (x − mean) · rstd, rstd = 1 / sqrt(var + eps), var biased (÷ C).
 * With ĝ = g ⊙ γ, per row: dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)); dγ = Σ_rows g ⊙ x̂; dβ = Σ_rows g.
 * (β does not enter any gradient; it is passed so the signature is the forward's.)
 */
export function layerNormBackward(x: NDArray, gamma: NDArray, beta: NDArray, gradOut: NDArray, eps: number): {
  gradX: NDArray; gradGamma: NDArray; gradBeta: NDArray;
} {
  const C = x.shape[x.shape.length - 1];
  const rows = x.data.length / C;
  const gradX = new Float32Array(x.data.length);
  const gradGamma = new Float32Array(C);
  const gradBeta = new Float32Array(C);
  const xhat = new Float32Array(C);
  for (let r = 0; r < rows; r++) {
    const row = r * C;
    let mean = 0;
    for (let c = 0; c < C; c++) mean += x.data[row + c];
    mean /= C;
    let variance = 0;
    for (let c = 0; c < C; c++) variance += (x.data[row + c] - mean) ** 2;
    variance /= C;
    const rstd = 1 / Math.sqrt(variance + eps);
    let meanD = 0; //  mean(ĝ)
    let meanDH = 0; // mean(ĝ ⊙ x̂)
    for (let c = 0; c < C; c++) {
      xhat[c] = (x.data[row + c] - mean) * rstd;
      const g = gradOut.data[row + c];
      gradGamma[c] += g * xhat[c]; // γ is broadcast over the rows: its gradient is summed over them
      gradBeta[c] += g;
      meanD += (g * gamma.data[c]) / C;
      meanDH += (g * gamma.data[c] * xhat[c]) / C;
    }
    for (let c = 0; c < C; c++) {
      gradX[row + c] = rstd * (gradOut.data[row + c] * gamma.data[c] - meanD - xhat[c] * meanDH);
    }
  }
  return { gradX: { data: gradX, shape: [...x.shape] }, gradGamma: { data: gradGamma, shape: [C] }, gradBeta: { data: gradBeta, shape: [C] } };
}
