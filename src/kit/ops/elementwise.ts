/**
 * Elementwise ops: arithmetic with NumPy broadcasting, and the pointwise functions a transformer
 * needs (exp, log, tanh, GELU, ...). Each forward is one loop over a Float32Array; each backward
 * is one loop that adds (local derivative) * (output gradient) into the input's gradient.
 *
 * Ideas: micrograd (derived ops built from a few primitives: sub = a + (-b), div = a * b^-1),
 * NumPy/PyTorch broadcasting (see shape.ts for the index-map trick that makes the backward
 * reduce a broadcast gradient back to the input's shape), and GELU from Hendrycks & Gimpel,
 * "Gaussian Error Linear Units" (2016), in the tanh form GPT-2 uses.
 */
import { Tensor, addGrad, fromOp, gradOf, isGradEnabled } from '../tensor';
import { broadcastIndex, broadcastShapes, formatShape } from '../shape';
import { addRepeated, fillRepeated, repeatPeriod, sumRepeated, unfilledGrad } from '../kernels/broadcast';
import { geluForward, geluForwardWithGrad } from '../kernels/pointwise';

export type Operand = Tensor | number;

const asTensor = (x: Operand): Tensor => (typeof x === 'number' ? new Tensor(Float32Array.of(x), []) : x);

// --- primitives: add and mul (each with a fast path for a plain number) ---------------------

/** a + b, broadcasting. */
export function add(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return addScalar(a, b);
  if (typeof a === 'number' && b instanceof Tensor) return addScalar(b, a);
  const A = asTensor(a);
  const B = asTensor(b);
  const shape = broadcastShapes(A.shape, B.shape);
  const pa = repeatPeriod(A.shape, shape), pb = repeatPeriod(B.shape, shape);
  if (pa && pb) return addRepeats(A, pa, B, pb, shape); // the common cases, without index maps (kernels/)
  const ia = broadcastIndex(A.shape, shape); // element i of the result uses A[ia[i]] and B[ib[i]]
  const ib = broadcastIndex(B.shape, shape);
  const x = A.data;
  const y = B.data;
  const out = new Float32Array(ia.length);
  for (let i = 0; i < out.length; i++) out[i] = x[ia[i]] + y[ib[i]];
  return fromOp('add', out, shape, [A, B], (g) => {
    if (A.requiresGrad) {
      const ga = gradOf(A);
      for (let i = 0; i < g.length; i++) ga[ia[i]] += g[i];
    }
    if (B.requiresGrad) {
      const gb = gradOf(B);
      for (let i = 0; i < g.length; i++) gb[ib[i]] += g[i];
    }
  });
}

/** add() when each input is a block repeated to fill the result (same shape, or a bias): the same sums. */
function addRepeats(A: Tensor, pa: number, B: Tensor, pb: number, shape: number[]): Tensor {
  const out = new Float32Array(shape.reduce((p, n) => p * n, 1));
  addRepeated(A.data, pa, B.data, pb, out);
  return fromOp('add', out, shape, [A, B], (g) => {
    if (A.requiresGrad) { if (pa === g.length) addGrad(A, g); else sumRepeated(g, gradOf(A), pa); } // addGrad: += g
    if (B.requiresGrad) { if (pb === g.length) addGrad(B, g); else sumRepeated(g, gradOf(B), pb); }
  });
}

function addScalar(a: Tensor, s: number): Tensor {
  const x = a.data;
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i] + s;
  return fromOp('add', out, a.shape, [a], (g) => addGrad(a, g)); // ga += g
}

/** a * b, broadcasting. d(ab)/da = b, d(ab)/db = a. */
export function mul(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return mulScalar(a, b);
  if (typeof a === 'number' && b instanceof Tensor) return mulScalar(b, a);
  const A = asTensor(a);
  const B = asTensor(b);
  const shape = broadcastShapes(A.shape, B.shape);
  const ia = broadcastIndex(A.shape, shape);
  const ib = broadcastIndex(B.shape, shape);
  const x = A.data;
  const y = B.data;
  const out = new Float32Array(ia.length);
  for (let i = 0; i < out.length; i++) out[i] = x[ia[i]] * y[ib[i]];
  return fromOp('mul', out, shape, [A, B], (g) => {
    if (A.requiresGrad) {
      const ga = gradOf(A);
      for (let i = 0; i < g.length; i++) ga[ia[i]] += g[i] * y[ib[i]];
    }
    if (B.requiresGrad) {
      const gb = gradOf(B);
      for (let i = 0; i < g.length; i++) gb[ib[i]] += g[i] * x[ia[i]];
    }
  });
}

function mulScalar(a: Tensor, s: number): Tensor {
  const x = a.data;
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i] * s;
  return fromOp('mul', out, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * s;
  });
}

/** x^p for a constant exponent p. d/dx = p * x^(p-1). */
export function pow(a: Tensor, p: number): Tensor {
  const x = a.data;
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(x[i], p);
  return fromOp('pow', out, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * p * Math.pow(x[i], p - 1);
  });
}

// --- derived from the primitives (their gradients come for free) ----------------------------

export function neg(a: Tensor): Tensor {
  return mul(a, -1);
}

/** a - b = a + (-b), broadcasting. */
export function sub(a: Operand, b: Operand): Tensor {
  return add(a, typeof b === 'number' ? -b : neg(b));
}

/** a / b = a * b^-1, broadcasting. */
export function div(a: Operand, b: Operand): Tensor {
  return mul(a, typeof b === 'number' ? 1 / b : pow(b, -1));
}

export function sqrt(a: Tensor): Tensor {
  return pow(a, 0.5);
}

// --- pointwise functions --------------------------------------------------------------------

/** e^x; its derivative is itself, so the backward reuses the output. */
export function exp(a: Tensor): Tensor {
  const x = a.data;
  const y = new Float32Array(x.length);
  for (let i = 0; i < y.length; i++) y[i] = Math.exp(x[i]);
  return fromOp('exp', y, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * y[i];
  });
}

/** Natural log. d/dx = 1/x. */
export function log(a: Tensor): Tensor {
  const x = a.data;
  const y = new Float32Array(x.length);
  for (let i = 0; i < y.length; i++) y[i] = Math.log(x[i]);
  return fromOp('log', y, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) ga[i] += g[i] / x[i];
  });
}

/** d/dx tanh(x) = 1 - tanh(x)^2. */
export function tanh(a: Tensor): Tensor {
  const x = a.data;
  const y = new Float32Array(x.length);
  for (let i = 0; i < y.length; i++) y[i] = Math.tanh(x[i]);
  return fromOp('tanh', y, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * (1 - y[i] * y[i]);
  });
}

export function relu(a: Tensor): Tensor {
  const x = a.data;
  const y = new Float32Array(x.length);
  for (let i = 0; i < y.length; i++) y[i] = x[i] < 0 ? 0 : x[i]; // written so that NaN stays NaN
  return fromOp('relu', y, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) if (x[i] > 0) ga[i] += g[i];
  });
}

/**
 * GELU, tanh approximation (GPT-2, PyTorch's approximate='tanh'):
 *   gelu(x) = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
 *   gelu'(x) = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
 * Fused into one op (instead of six primitives) because the MLP applies it to a (B, T, 4C) tensor.
 * The loops are in kernels/pointwise.ts (geluForward, geluForwardWithGrad): the same numbers, computed with one
 * exp per element instead of a tanh (1 + tanh(u) = 2 / (1 + e^(-2u))); read them there. When a backward will
 * follow, the forward also computes gelu'(x) (from the same exp) and saves it, so the backward is one multiply.
 */
export function gelu(a: Tensor): Tensor {
  const x = a.data;
  const y = new Float32Array(x.length);
  if (!(isGradEnabled() && a.requiresGrad)) { // no backward will follow
    geluForward(x, y); // y[i] = 0.5 x[i] (1 + tanh(u)), kernels/pointwise.ts
    return fromOp('gelu', y, a.shape, [a], () => {});
  }
  const d = new Float32Array(x.length); // gelu'(x), saved for backward
  geluForwardWithGrad(x, y, d); // y[i] = gelu(x[i]), d[i] = gelu'(x[i]), kernels/pointwise.ts
  return fromOp('gelu', y, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * d[i];
  });
}

/**
 * Where `mask` is non-zero, replace x by `value` (mask broadcasts to x's shape). Used for the causal
 * mask in attention with value -Infinity: softmax then gives those positions probability 0.
 * Filled positions no longer depend on x, so their gradient is 0.
 */
export function maskedFill(a: Tensor, mask: Tensor, value: number): Tensor {
  const shift = a.ndim - mask.ndim; // align the shapes from the right, as broadcasting does
  if (shift < 0 || !mask.shape.every((n, j) => n === 1 || n === a.shape[j + shift])) {
    throw new Error(`maskedFill: mask of shape ${formatShape(mask.shape)} does not broadcast to ${formatShape(a.shape)}`);
  }
  const m = mask.data;
  const x = a.data;
  const y = new Float32Array(x.length);
  const period = repeatPeriod(mask.shape, a.shape);
  if (period) { // the mask repeats (the causal mask over every batch and head): no index map (kernels/)
    fillRepeated(x, m, period, value, y);
    return fromOp('maskedFill', y, a.shape, [a], (g) => unfilledGrad(g, m, period, gradOf(a)));
  }
  const im = broadcastIndex(mask.shape, a.shape);
  for (let i = 0; i < y.length; i++) y[i] = m[im[i]] !== 0 ? value : x[i];
  return fromOp('maskedFill', y, a.shape, [a], (g) => {
    const ga = gradOf(a);
    for (let i = 0; i < g.length; i++) if (m[im[i]] === 0) ga[i] += g[i];
  });
}
