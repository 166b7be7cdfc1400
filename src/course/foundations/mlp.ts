/**
 * Course code for the foundations lesson "mlp": float64 references for the activations, Linear, MLP and the three
 * losses, the known wrong variants the checks recognise, and a small real data set (a two-dimensional, three-armed
 * spiral, as in CS231n's classifier notes) for the training check. Every reference takes plain numbers copied from the
 * inputs before the learner's code ran.
 */
import { Rng, Tensor } from '@llm-lab/kit';

export type MlpActivationName = 'relu' | 'tanh' | 'sigmoid' | 'gelu';

const GELU_C = Math.sqrt(2 / Math.PI);

/** The activation's value and derivative at v, in float64. relu'(0) = 0, as in PyTorch. */
export function mlpRefActivation(name: MlpActivationName, v: number): { y: number; dy: number } {
  switch (name) {
    case 'relu':
      return { y: v > 0 ? v : 0, dy: v > 0 ? 1 : 0 };
    case 'tanh': {
      const y = Math.tanh(v);
      return { y, dy: 1 - y * y };
    }
    case 'sigmoid': {
      const y = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      return { y, dy: y * (1 - y) };
    }
    case 'gelu': {
      const th = Math.tanh(GELU_C * (v + 0.044715 * v * v * v));
      const du = GELU_C * (1 + 3 * 0.044715 * v * v);
      return { y: 0.5 * v * (1 + th), dy: 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * du };
    }
  }
}

/** erf, Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): enough to recognise the exact GELU. */
export function mlpErf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const k = 1 / (1 + 0.3275911 * a);
  const p = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))));
  return s * (1 - p * Math.exp(-a * a));
}

/** The exact GELU, x Φ(x) (PyTorch's nn.GELU() default, approximate='none'). */
export const mlpGeluErf = (v: number): number => 0.5 * v * (1 + mlpErf(v / Math.SQRT2));

/** x (N, in) row-major, w (out, in), b (out) or null -> (N, out), float64. */
export function mlpRefLinear(x: ArrayLike<number>, N: number, w: ArrayLike<number>, out: number, inp: number, b: ArrayLike<number> | null): Float64Array {
  const y = new Float64Array(N * out);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < out; o++) {
      let s = b ? Number(b[o]) : 0;
      for (let i = 0; i < inp; i++) s += Number(x[n * inp + i]) * Number(w[o * inp + i]);
      y[n * out + o] = s;
    }
  }
  return y;
}

/** An MLP forward in float64: layers as { w (out, in), b (out) | null, out, inp }, activation between them. */
export function mlpRefForward(x: ArrayLike<number>, N: number, layers: { w: ArrayLike<number>; b: ArrayLike<number> | null; out: number; inp: number }[],
  act: MlpActivationName, actAfterLast = false): Float64Array {
  let h: Float64Array = Float64Array.from(x, Number);
  layers.forEach((l, i) => {
    h = mlpRefLinear(h, N, l.w, l.out, l.inp, l.b);
    if (i < layers.length - 1 || actAfterLast) h = h.map((v) => mlpRefActivation(act, v).y);
  });
  return h;
}

/** log Σ_c e^{row_c}, stable, float64. */
function logSumExp(row: ArrayLike<number>, start: number, C: number): number {
  let m = -Infinity;
  for (let c = 0; c < C; c++) m = Math.max(m, Number(row[start + c]));
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let c = 0; c < C; c++) s += Math.exp(Number(row[start + c]) - m);
  return m + Math.log(s);
}

/** softmax of every row of (N, C), float64. */
export function mlpSoftmaxRows(x: ArrayLike<number>, N: number, C: number): Float64Array {
  const p = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    const lse = logSumExp(x, n * C, C);
    for (let c = 0; c < C; c++) p[n * C + c] = Math.exp(Number(x[n * C + c]) - lse);
  }
  return p;
}

/** Mean cross-entropy of logits (N, C) and its gradient (softmax - onehot) / N, float64. */
export function mlpRefCrossEntropy(x: ArrayLike<number>, N: number, C: number, targets: ArrayLike<number>): { loss: number; grad: Float64Array } {
  let total = 0;
  const grad = mlpSoftmaxRows(x, N, C);
  for (let n = 0; n < N; n++) {
    total += logSumExp(x, n * C, C) - Number(x[n * C + targets[n]]);
    grad[n * C + targets[n]] -= 1;
  }
  for (let i = 0; i < grad.length; i++) grad[i] /= N;
  return { loss: total / N, grad };
}

/** softplus(v) = log(1 + e^v), stable. */
export const mlpSoftplus = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));

/** Mean BCE with logits and its gradient (sigmoid(x) - y) / n, float64. */
export function mlpRefBce(x: ArrayLike<number>, y: ArrayLike<number>): { loss: number; grad: Float64Array } {
  const n = x.length;
  let total = 0;
  const grad = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(x[i]);
    total += mlpSoftplus(v) - v * Number(y[i]);
    grad[i] = (mlpRefActivation('sigmoid', v).y - Number(y[i])) / n;
  }
  return { loss: total / n, grad };
}

/** Mean squared error and its gradient 2 (pred - target) / n, float64. */
export function mlpRefMse(p: ArrayLike<number>, q: ArrayLike<number>): { loss: number; grad: Float64Array } {
  const n = p.length;
  let total = 0;
  const grad = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = Number(p[i]) - Number(q[i]);
    total += d * d;
    grad[i] = (2 * d) / n;
  }
  return { loss: total / n, grad };
}

/** Known wrong cross-entropies, for naming mistakes: each a plain number for the same logits and targets. */
export function mlpWrongCrossEntropies(x: ArrayLike<number>, N: number, C: number, targets: ArrayLike<number>): {
  sum: number; onProbs: number; mseProbs: number[]; mseLogits: number[];
} {
  const p = mlpSoftmaxRows(x, N, C);
  const right = mlpRefCrossEntropy(x, N, C, targets).loss;
  let sq = 0;
  let sqLogits = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const y = c === targets[n] ? 1 : 0;
      sq += (p[n * C + c] - y) ** 2;
      sqLogits += (Number(x[n * C + c]) - y) ** 2;
    }
  }
  return {
    sum: right * N,
    onProbs: mlpRefCrossEntropy(p, N, C, targets).loss,
    // The mean over every element (N C) or over rows (N), or the plain sum.
    mseProbs: [sq / (N * C), sq / N, sq],
    mseLogits: [sqLogits / (N * C), sqLogits / N, sqLogits],
  };
}

/**
 * The spiral data set: `perClass` points on each of `classes` arms of a spiral in the plane, with a little noise
 * (CS231n, "Putting it together: minimal neural network case study"). x (N, 2), labels 0..classes-1.
 */
export function mlpSpiral(perClass: number, classes: number, seed: number): { x: Float32Array; labels: number[]; N: number } {
  const rng = new Rng(seed);
  const N = perClass * classes;
  const x = new Float32Array(N * 2);
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = i / (perClass - 1);
      const angle = c * 4 + r * 4 + rng.normal(0, 0.2);
      const n = c * perClass + i;
      x[2 * n] = r * Math.sin(angle);
      x[2 * n + 1] = r * Math.cos(angle);
      labels.push(c);
    }
  }
  return { x, labels, N };
}

/** A tensor's values copied into float64 (a snapshot a reference can use after the learner's code ran). */
export const mlpCopy = (t: { data: ArrayLike<number> }): Float64Array => Float64Array.from(t.data, Number);

/** A constant tensor of the given values and shape. */
export const mlpTensor = (values: ArrayLike<number>, shape: number[], requiresGrad = false): Tensor =>
  new Tensor(Float32Array.from(values, Number), shape, requiresGrad);
