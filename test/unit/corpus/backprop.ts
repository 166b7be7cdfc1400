/**
 * The backprop lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for backprop/ops written
 * independently of the catalogue. Correct files in other styles than the reference (kit ops on wrapped NDArrays, the
 * kit's own autograd, float64 loops with the explicit Jacobian and the explicit dvar/dmean chain rule, one-pass
 * variance and other op orders), and one-bug variants: most of them mistakes no catalogue names (a shape check aligned
 * from the left, an index typo, a sign, a missing row offset, eps ignored, a copy-paste in dβ, a mutated input), the
 * others catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed, not typed: the line where a marker (by default the first line of the changed text)
 * occurs, exactly once, in the resulting file. Every check is quick, so every entry runs them all.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EXERCISE = 'backprop/ops';
const SOLUTION = readFileSync(path.join(LESSONS, '01b-backprop', 'ops.solution.ts'), 'utf8');

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  /** Text on the faulty line (default: the first line of the first edit's replacement). */
  at?: string;
}

const correct = (name: string, source: string): CorpusEntry => ({ exercise: EXERCISE, name, kind: 'correct', source });

/** `base` with exact edits (each `from` exactly once), and the line of the bug computed from the result. */
function bug(name: string, base: string, edits: [string, string][], opts: BugOptions = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EXERCISE, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

/** Kit ops on wrapped NDArrays: sum with keepdim, matmul and transpose, softmax, mean and sqrt. */
const KIT_OPS = `import { type NDArray, type Tensor, add, div, matmul, mean, mul, reshape, softmax, sqrt, sub, sum, tensor, transpose } from '@llm-lab/kit';

const T = (a: NDArray): Tensor => tensor(a.data, [...a.shape]);
const reduce = (t: Tensor, dim: number, keep: boolean): Tensor => sum(t, dim, keep);

export function sumToShape(grad: NDArray, shape: readonly number[]): NDArray {
  const shift = grad.shape.length - shape.length;
  if (shift < 0) throw new Error('sumToShape: shape has more axes than grad');
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] !== 1 && shape[d] !== grad.shape[d + shift]) throw new Error(\`sumToShape: size \${shape[d]} vs \${grad.shape[d + shift]}\`);
  }
  let g = T(grad);
  for (let d = 0; d < shift; d++) g = reduce(g, 0, false);
  for (let d = 0; d < shape.length; d++) if (shape[d] === 1 && g.shape[d] !== 1) g = reduce(g, d, true);
  return reshape(g, [...shape]);
}

export function matmulBackward(a: NDArray, b: NDArray, gradOut: NDArray): { gradA: NDArray; gradB: NDArray } {
  const [A, B, G] = [T(a), T(b), T(gradOut)];
  const gradA = matmul(G, transpose(B, 0, 1));
  const gradB = matmul(transpose(A, 0, 1), G);
  return { gradA, gradB };
}

export function softmaxBackward(y: NDArray, gradOut: NDArray, axis: number): NDArray {
  const [Y, G] = [T(y), T(gradOut)];
  return mul(Y, sub(G, sum(mul(G, Y), axis, true)));
}

export function logSoftmaxNllBackward(logits: NDArray, targets: ArrayLike<number>): NDArray {
  const [N, C] = logits.shape;
  const onehot = new Float32Array(N * C);
  for (let n = 0; n < N; n++) onehot[n * C + targets[n]] = 1;
  return mul(sub(softmax(T(logits), -1), tensor(onehot, [N, C])), 1 / N);
}

export function layerNormBackward(x: NDArray, gamma: NDArray, beta: NDArray, gradOut: NDArray, eps: number): {
  gradX: NDArray; gradGamma: NDArray; gradBeta: NDArray;
} {
  const C = x.shape[x.shape.length - 1];
  const rows = x.data.length / C;
  const X = T(x);
  const centred = sub(X, mean(X, -1, true));
  const rstd = div(1, sqrt(add(mean(mul(centred, centred), -1, true), eps)));
  const xhat = mul(centred, rstd);
  const G = T(gradOut);
  const gh = mul(G, T(gamma));
  const gradX = mul(rstd, sub(sub(gh, mean(gh, -1, true)), mul(xhat, mean(mul(gh, xhat), -1, true))));
  const gradGamma = sum(reshape(mul(G, xhat), [rows, C]), 0);
  const gradBeta = sum(reshape(G, [rows, C]), 0);
  return { gradX, gradGamma, gradBeta };
}
`;

/** The kit's own autograd does the work: a leaf per input, the forward op, backward(gradOut). softmax from log(y). */
const AUTOGRAD = `import { type NDArray, type Tensor, add, crossEntropy, layerNorm, log, matmul, softmax, tensor, zeros } from '@llm-lab/kit';

const leaf = (a: NDArray): Tensor => tensor(a.data, [...a.shape], { requiresGrad: true });
const gradOf = (t: Tensor): NDArray => ({ data: t.grad ?? new Float32Array(t.size), shape: [...t.shape] });

export function sumToShape(grad: NDArray, shape: readonly number[]): NDArray {
  const shift = grad.shape.length - shape.length;
  const fits = shift >= 0 && shape.every((d, i) => d === 1 || d === grad.shape[i + shift]);
  if (!fits) throw new Error('sumToShape: the shape does not broadcast to the gradient');
  const input = zeros([...shape], { requiresGrad: true });
  add(input, zeros([...grad.shape])).backward(Float32Array.from(grad.data));
  return gradOf(input);
}

export function matmulBackward(a: NDArray, b: NDArray, gradOut: NDArray): { gradA: NDArray; gradB: NDArray } {
  const A = leaf(a);
  const B = leaf(b);
  matmul(A, B).backward(Float32Array.from(gradOut.data));
  return { gradA: gradOf(A), gradB: gradOf(B) };
}

export function softmaxBackward(y: NDArray, gradOut: NDArray, axis: number): NDArray {
  // softmax(log y) = y along the axis: a graph with the same output, differentiated by the kit.
  const x = leaf(log(tensor(y.data, [...y.shape])));
  softmax(x, axis).backward(Float32Array.from(gradOut.data));
  return gradOf(x);
}

export function logSoftmaxNllBackward(logits: NDArray, targets: ArrayLike<number>): NDArray {
  const z = leaf(logits);
  crossEntropy(z, targets).backward();
  return gradOf(z);
}

export function layerNormBackward(x: NDArray, gamma: NDArray, beta: NDArray, gradOut: NDArray, eps: number): {
  gradX: NDArray; gradGamma: NDArray; gradBeta: NDArray;
} {
  const [X, G, B] = [leaf(x), leaf(gamma), leaf(beta)];
  layerNorm(X, G, B, eps).backward(Float32Array.from(gradOut.data));
  return { gradX: gradOf(X), gradGamma: gradOf(G), gradBeta: gradOf(B) };
}
`;

/** Float64 loops: ravel/unravel helpers, materialised transposes, the explicit softmax Jacobian, log-softmax for the
 * NLL, and LayerNorm by the explicit chain rule through dvar and dmean (the textbook derivation). */
const FLOAT64 = `import { type NDArray } from '@llm-lab/kit';

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
const toF32 = (v: Float64Array, shape: readonly number[]): NDArray => ({ data: Float32Array.from(v), shape: [...shape] });

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let at = 0;
  for (let d = 0; d < shape.length; d++) at = at * shape[d] + idx[d];
  return at;
}

export function sumToShape(grad: NDArray, shape: readonly number[]): NDArray {
  const shift = grad.shape.length - shape.length;
  if (shift < 0) throw new Error('sumToShape: too many axes');
  shape.forEach((d, i) => {
    if (d !== 1 && d !== grad.shape[i + shift]) throw new Error('sumToShape: sizes differ');
  });
  const out = new Float64Array(size(shape));
  for (let i = 0; i < grad.data.length; i++) {
    const idx = unravel(i, grad.shape).slice(shift).map((v, d) => (shape[d] === 1 ? 0 : v));
    out[ravel(idx, shape)] += grad.data[i];
  }
  return toF32(out, shape);
}

function transpose2(a: NDArray): Float64Array {
  const [r, c] = a.shape;
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a.data[i * c + j];
  return t;
}

function mm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

export function matmulBackward(a: NDArray, b: NDArray, gradOut: NDArray): { gradA: NDArray; gradB: NDArray } {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const gradA = mm(gradOut.data, transpose2(b), m, n, k);
  const gradB = mm(transpose2(a), gradOut.data, k, m, n);
  return { gradA: toF32(gradA, [m, k]), gradB: toF32(gradB, [k, n]) };
}

export function softmaxBackward(y: NDArray, gradOut: NDArray, axis: number): NDArray {
  const nd = y.shape.length;
  const ax = ((axis % nd) + nd) % nd;
  const len = y.shape[ax];
  const inner = size(y.shape.slice(ax + 1));
  const outer = size(y.shape.slice(0, ax));
  const out = new Float64Array(y.data.length);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const at = (k: number) => (o * len + k) * inner + r;
      // dx_j = Σ_i g_i J_ij with the full Jacobian J_ij = y_i (δ_ij − y_j).
      for (let j = 0; j < len; j++) {
        let s = 0;
        for (let i = 0; i < len; i++) s += gradOut.data[at(i)] * y.data[at(i)] * ((i === j ? 1 : 0) - y.data[at(j)]);
        out[at(j)] = s;
      }
    }
  }
  return toF32(out, y.shape);
}

export function logSoftmaxNllBackward(logits: NDArray, targets: ArrayLike<number>): NDArray {
  const [N, C] = logits.shape;
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    const row = Array.from(logits.data.subarray(n * C, (n + 1) * C));
    const top = Math.max(...row);
    const lse = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
    for (let c = 0; c < C; c++) out[n * C + c] = (Math.exp(row[c] - lse) - (c === targets[n] ? 1 : 0)) / N;
  }
  return toF32(out, [N, C]);
}

export function layerNormBackward(x: NDArray, gamma: NDArray, beta: NDArray, gradOut: NDArray, eps: number): {
  gradX: NDArray; gradGamma: NDArray; gradBeta: NDArray;
} {
  const C = x.shape[x.shape.length - 1];
  const gradX = new Float64Array(x.data.length);
  const gradGamma = new Float64Array(C);
  const gradBeta = new Float64Array(C);
  for (let r = 0; r < x.data.length / C; r++) {
    const xs = Array.from(x.data.subarray(r * C, (r + 1) * C));
    const g = Array.from(gradOut.data.subarray(r * C, (r + 1) * C));
    const mu = xs.reduce((s, v) => s + v, 0) / C;
    const v = xs.reduce((s, xi) => s + (xi - mu) ** 2, 0) / C;
    const inv = 1 / Math.sqrt(v + eps);
    const dxhat = g.map((gi, c) => gi * gamma.data[c]);
    let dvar = 0;
    for (let c = 0; c < C; c++) dvar += dxhat[c] * (xs[c] - mu) * -0.5 * inv ** 3;
    let dmean = 0;
    for (let c = 0; c < C; c++) dmean += -dxhat[c] * inv + dvar * (-2 * (xs[c] - mu)) / C;
    for (let c = 0; c < C; c++) {
      gradX[r * C + c] = dxhat[c] * inv + dvar * (2 * (xs[c] - mu)) / C + dmean / C;
      gradGamma[c] += g[c] * (xs[c] - mu) * inv;
      gradBeta[c] += g[c];
    }
  }
  return { gradX: toF32(gradX, x.shape), gradGamma: toF32(gradGamma, [C]), gradBeta: toF32(gradBeta, [C]) };
}
`;

/** The reference with other op orders: y ⊙ g − y · dot, a one-pass variance, the 1/N folded in once, targets copied. */
const REORDERED = withEdits(SOLUTION, [
  ['out[at] = y.data[at] * (gradOut.data[at] - dot);', 'out[at] = y.data[at] * gradOut.data[at] - y.data[at] * dot;'],
  ['for (let c = 0; c < C; c++) variance += (x.data[row + c] - mean) ** 2;\n    variance /= C;',
    'for (let c = 0; c < C; c++) variance += x.data[row + c] * x.data[row + c];\n    variance = variance / C - mean * mean;'],
  ['const out = new Float32Array(N * C);\n', 'const out = new Float32Array(N * C);\n  const ids = Int32Array.from(targets);\n  const inv = 1 / N;\n'],
  ['out[row + c] = Math.exp(logits.data[row + c] - max) / sum / N;', 'out[row + c] = (Math.exp(logits.data[row + c] - max) / sum) * inv;'],
  ['out[row + targets[n]] -= 1 / N;', 'out[row + ids[n]] -= inv;'],
], 'reordered');

export const CORPUS: CorpusEntry[] = [
  correct('kit ops on wrapped NDArrays (sum with keepdim, matmul and transpose)', KIT_OPS),
  correct('the kit\'s own autograd (softmax differentiated through log y)', AUTOGRAD),
  correct('float64 loops: explicit Jacobian, log-softmax, the dvar/dmean chain rule', FLOAT64),
  correct('the reference with other op orders and a one-pass variance', REORDERED),

  // Mistakes no catalogue names.
  bug('sumToShape compares the shapes aligned from the left', SOLUTION,
    [['if (shift < 0 || shape.some((d, i) => d !== 1 && d !== gs[i + shift])) {', 'if (shift < 0 || shape.some((d, i) => d !== 1 && d !== gs[i])) {']]),
  bug('matmulBackward: dB reads A with the wrong row stride', SOLUTION,
    [['gradB[p * n + j] += a.data[i * k + p] * g;', 'gradB[p * n + j] += a.data[i * m + p] * g;']]),
  bug('softmaxBackward with the sign flipped, y ⊙ (dot − g)', SOLUTION,
    [['out[at] = y.data[at] * (gradOut.data[at] - dot);', 'out[at] = y.data[at] * (dot - gradOut.data[at]);']]),
  bug('logSoftmaxNllBackward subtracts the one-hot without the row offset', SOLUTION,
    [['out[row + targets[n]] -= 1 / N;', 'out[targets[n]] -= 1 / N;']]),
  bug('layerNormBackward ignores its eps argument', SOLUTION,
    [['const rstd = 1 / Math.sqrt(variance + eps);', 'const rstd = 1 / Math.sqrt(variance + 1e-5);']]),
  bug('layerNormBackward: dβ copied from dγ (Σ g ⊙ x̂)', SOLUTION, [['gradBeta[c] += g;', 'gradBeta[c] += g * xhat[c];']]),
  bug('softmaxBackward writes its result into gradOut', SOLUTION,
    [['const out = new Float32Array(y.data.length);\n  for (let o = 0; o < outer; o++) {\n    for (let i = 0; i < inner; i++) {\n      const base = o * size * inner + i; // element k',
      'const out = gradOut.data;\n  for (let o = 0; o < outer; o++) {\n    for (let i = 0; i < inner; i++) {\n      const base = o * size * inner + i; // element k']]),
  bug('kit ops: sumToShape reduces axis 1 instead of axis 0 for the new leading axes', KIT_OPS,
    [['for (let d = 0; d < shift; d++) g = reduce(g, 0, false);', 'for (let d = 0; d < shift; d++) g = reduce(g, 1, false);']], { kitOps: true }),

  // Catalogued mistakes, written a new way.
  bug('kit ops: the diagonal softmax Jacobian, y (1 − y) g', KIT_OPS,
    [['return mul(Y, sub(G, sum(mul(G, Y), axis, true)));', 'return mul(mul(Y, sub(1, Y)), G);']], { catalogued: 'softmax-diagonal', kitOps: true }),
  bug('kit ops: dB as dCᵀ A', KIT_OPS,
    [['const gradB = matmul(transpose(A, 0, 1), G);', 'const gradB = matmul(transpose(G, 0, 1), A);']], { catalogued: 'matmul-transposed', kitOps: true }),
  bug('kit ops: sumToShape averaging with mean', KIT_OPS,
    [['const reduce = (t: Tensor, dim: number, keep: boolean): Tensor => sum(t, dim, keep);', 'const reduce = (t: Tensor, dim: number, keep: boolean): Tensor => mean(t, dim, keep);']],
    { catalogued: 'broadcast-mean', kitOps: true }),
  bug('float64: the log-softmax gradient without / N', FLOAT64,
    [['for (let c = 0; c < C; c++) out[n * C + c] = (Math.exp(row[c] - lse) - (c === targets[n] ? 1 : 0)) / N;',
      'for (let c = 0; c < C; c++) out[n * C + c] = Math.exp(row[c] - lse) - (c === targets[n] ? 1 : 0);']], { catalogued: 'nll-not-mean' }),
  bug('float64 chain rule: dvar left at zero', FLOAT64,
    [['for (let c = 0; c < C; c++) dvar += dxhat[c] * (xs[c] - mu) * -0.5 * inv ** 3;', 'for (let c = 0; c < C; c++) dvar += 0 * dxhat[c] * (xs[c] - mu) * -0.5 * inv ** 3;']],
    { catalogued: 'layernorm-no-var-term' }),
  bug('float64: the softmax Jacobian with the rows and columns swapped in the sum', FLOAT64,
    [['for (let i = 0; i < len; i++) s += gradOut.data[at(i)] * y.data[at(i)] * ((i === j ? 1 : 0) - y.data[at(j)]);',
      'for (let i = 0; i < len; i++) s += gradOut.data[at(i)] * y.data[at(j)] * ((i === j ? 1 : 0) - y.data[at(j)]);']]),
];
