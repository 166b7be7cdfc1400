/**
 * The tensors track's grading-truth corpus (see test/unit/corpus.ts): other correct styles and one-bug variants of
 * tensors/basics (strides, offset, matmul, softmax), written the way learners write them, independently of the
 * catalogue in lessons/01-tensors/mistakes.ts.
 *
 * Correct files: plain loops with float64 dot products, array methods and Horner's rule, kit tensor ops, a
 * one-pass (online) softmax, float32 arithmetic with other libraries' accepted conventions, and kit logSoftmax.
 * Bugs: each changes ONE thing in the reference solution or in one of the correct files; `at` is text unique to
 * the faulty line of the resulting file, from which the entry's `line` is computed (so it cannot drift).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CorpusEntry } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EXERCISE = 'tensors/basics';
const SOLUTION = readFileSync(path.join(LESSONS, '01-tensors', 'basics.solution.ts'), 'utf8');

/** The 1-based number of the one line of `text` that is `needle` exactly, or else that contains it. */
function lineOf(text: string, needle: string, name: string): number {
  const lines = text.split('\n');
  const exact = lines.flatMap((l, i) => (l === needle ? [i + 1] : []));
  const hits = exact.length ? exact : lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`${name}: ${JSON.stringify(needle)} is on ${hits.length} lines of the file, not exactly one`);
  return hits[0];
}

const correct = (name: string, source: string): CorpusEntry => ({ exercise: EXERCISE, name, kind: 'correct', source });

interface Bug {
  /** Edits to the reference solution (default) or to `base`, a whole source. */
  edits: [string, string][];
  base?: string;
  /** Text found only on the faulty line of the resulting file. */
  at: string;
  catalogued?: string;
  kitOps?: boolean;
}

function bug(name: string, b: Bug): CorpusEntry {
  const source = withEdits(b.base ?? SOLUTION, b.edits, name);
  return {
    exercise: EXERCISE, name, kind: 'bug', source, line: lineOf(source, b.at, name),
    ...(b.catalogued ? { catalogued: b.catalogued } : {}), ...(b.kitOps ? { kitOps: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Correct files

/** Textbook loops: unshift strides, forEach offset, i-j-p matmul with a float64 dot, softmax with `if (v > max)`. */
const LOOPS = `import { type NDArray } from '@llm-lab/kit';

export function strides(shape: readonly number[]): number[] {
  const result: number[] = [];
  let running = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    result.unshift(running);
    running = running * shape[d];
  }
  return result;
}

export function offset(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) {
    throw new Error('offset: expected ' + shape.length + ' indices, got ' + index.length);
  }
  const s = strides(shape);
  let total = 0;
  index.forEach((i, d) => {
    if (i < 0 || i >= shape[d]) throw new Error('offset: index ' + i + ' is out of range for dimension ' + d);
    total += i * s[d];
  });
  return total;
}

export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length !== 2) throw new Error('matmul: a must be 2-D, got [' + a.shape.join(', ') + ']');
  if (b.shape.length !== 2) throw new Error('matmul: b must be 2-D, got [' + b.shape.join(', ') + ']');
  const n = a.shape[0];
  const k = a.shape[1];
  const m = b.shape[1];
  if (b.shape[0] !== k) throw new Error('matmul: [' + a.shape.join(', ') + '] @ [' + b.shape.join(', ') + '] do not line up');
  const c = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let dot = 0;
      for (let p = 0; p < k; p++) dot += a.data[i * k + p] * b.data[p * m + j];
      c[i * m + j] = dot;
    }
  }
  return { data: c, shape: [n, m] };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const nd = x.shape.length;
  const ax = axis < 0 ? nd + axis : axis;
  const len = x.shape[ax];
  const inner = strides(x.shape)[ax];
  const outer = x.data.length / (len * inner);
  const y = new Float32Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * len * inner + r;
      let max = -Infinity;
      for (let a = 0; a < len; a++) {
        const v = x.data[base + a * inner];
        if (v > max) max = v;
      }
      let total = 0;
      for (let a = 0; a < len; a++) total += Math.exp(x.data[base + a * inner] - max);
      const scale = 1 / total;
      for (let a = 0; a < len; a++) y[base + a * inner] = Math.exp(x.data[base + a * inner] - max) * scale;
    }
  }
  return { data: y, shape: [...x.shape] };
}
`;

/** Array methods: strides by map/slice/reduce, offset by Horner's rule, matmul by row-column dot products, log-sum-exp. */
const METHODS = `import type { NDArray } from '@llm-lab/kit';

const product = (xs: readonly number[]): number => xs.reduce((p, q) => p * q, 1);

export const strides = (shape: readonly number[]): number[] => shape.map((_, d) => product(shape.slice(d + 1)));

export function offset(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) {
    throw new Error('offset: ' + index.length + ' indices for ' + shape.length + ' dimensions');
  }
  // Horner's rule: ((i0 * n1 + i1) * n2 + i2) ...
  return index.reduce((pos, i, d) => {
    if (i < 0 || i >= shape[d] || Math.floor(i) !== i) throw new Error('offset: index ' + i + ' is out of range in dimension ' + d);
    return pos * shape[d] + i;
  }, 0);
}

function row(x: NDArray, i: number): number[] {
  const k = x.shape[1];
  return Array.from(x.data.subarray(i * k, (i + 1) * k));
}

function column(x: NDArray, j: number): number[] {
  const [rows, cols] = x.shape;
  return Array.from({ length: rows }, (_, p) => x.data[p * cols + j]);
}

const dot = (u: number[], v: number[]): number => u.reduce((s, ui, p) => s + ui * v[p], 0);

export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error('matmul needs two matrices, got [' + a.shape.join(', ') + '] and [' + b.shape.join(', ') + ']');
  }
  if (a.shape[1] !== b.shape[0]) throw new Error('matmul: (' + a.shape.join(', ') + ') @ (' + b.shape.join(', ') + ') do not fit');
  const n = a.shape[0];
  const m = b.shape[1];
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const r = row(a, i);
    for (let j = 0; j < m; j++) out[i * m + j] = dot(r, column(b, j));
  }
  return { data: out, shape: [n, m] };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const ax = axis >= 0 ? axis : x.shape.length + axis;
  const inner = product(x.shape.slice(ax + 1));
  const len = x.shape[ax];
  const out = new Float32Array(x.data.length);
  for (let first = 0; first < x.data.length; first++) {
    if (Math.floor(first / inner) % len !== 0) continue; // not the first element of a slice
    const at = (a: number) => first + a * inner;
    let max = -Infinity;
    for (let a = 0; a < len; a++) max = Math.max(max, x.data[at(a)]);
    let sum = 0;
    for (let a = 0; a < len; a++) sum += Math.exp(x.data[at(a)] - max);
    const lse = max + Math.log(sum); // log-sum-exp
    for (let a = 0; a < len; a++) out[at(a)] = Math.exp(x.data[at(a)] - lse);
  }
  return { data: out, shape: x.shape.slice() };
}
`;

/** Kit tensor ops for matmul and softmax, strides from the right with fill(1), offset by Horner's rule. */
const KIT = `import { type NDArray, matmul as mm, softmax as sm, tensor } from '@llm-lab/kit';

export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * shape[d + 1];
  return out;
}

export function offset(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) throw new Error('offset: index has ' + index.length + ' entries, shape has ' + shape.length);
  let flat = 0;
  for (let d = 0; d < shape.length; d++) {
    const i = index[d];
    if (!(i >= 0 && i < shape[d])) throw new Error('offset: index ' + i + ' outside [0, ' + shape[d] + ')');
    flat = flat * shape[d] + i;
  }
  return flat;
}

export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0]) {
    throw new Error('matmul: cannot multiply [' + a.shape.join(', ') + '] by [' + b.shape.join(', ') + ']');
  }
  const c = mm(tensor(a.data, a.shape), tensor(b.data, b.shape));
  return { data: c.data, shape: [...c.shape] };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const y = sm(tensor(x.data, x.shape), axis);
  return { data: y.data, shape: [...y.shape] };
}
`;

/** A one-pass (online) softmax, matmul over a transposed float64 copy of b, a validation helper for offset. */
const ONLINE = `import { type NDArray, numel } from '@llm-lab/kit';

export function strides(shape: readonly number[]): number[] {
  const out: number[] = [];
  let d = shape.length;
  let acc = 1;
  while (d-- > 0) {
    out[d] = acc;
    acc *= shape[d];
  }
  return out;
}

function checkIndex(shape: readonly number[], index: readonly number[]): void {
  if (index.length !== shape.length) throw new Error('offset: wrong number of indices');
  for (let d = 0; d < shape.length; d++) {
    const i = index[d];
    if (!Number.isInteger(i) || i < 0 || i >= shape[d]) throw new Error('offset: bad index ' + i + ' in dimension ' + d);
  }
}

export function offset(shape: readonly number[], index: readonly number[]): number {
  checkIndex(shape, index);
  const s = strides(shape);
  return index.reduce((acc, i, d) => acc + i * s[d], 0);
}

export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('matmul: 2-D only');
  const [n, k] = a.shape;
  const [k2, m] = b.shape;
  if (k !== k2) throw new Error('matmul: (' + n + ', ' + k + ') @ (' + k2 + ', ' + m + ')');
  const bt = new Float64Array(m * k); // b transposed, so both inner reads are contiguous
  for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) bt[j * k + p] = b.data[p * m + j];
  const c = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p] * bt[j * k + p];
      c[i * m + j] = s;
    }
  }
  return { data: c, shape: [n, m] };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const ndim = x.shape.length;
  const ax = axis < 0 ? ndim + axis : axis;
  const inner = numel(x.shape.slice(ax + 1));
  const len = x.shape[ax];
  const outer = numel(x.shape.slice(0, ax));
  const y = new Float32Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * len * inner + r;
      let m = -Infinity;
      let s = 0;
      for (let a = 0; a < len; a++) {
        const v = x.data[base + a * inner];
        if (v > m) {
          s = s * Math.exp(m - v) + 1; // a new max: rescale the running sum
          m = v;
        } else {
          s += Math.exp(v - m);
        }
      }
      for (let a = 0; a < len; a++) y[base + a * inner] = Math.exp(x.data[base + a * inner] - m) / s;
    }
  }
  return { data: y, shape: [...x.shape] };
}
`;

/**
 * float32 arithmetic (Math.fround) throughout, each slice gathered into an array with Math.max(...), and other
 * libraries' conventions the lesson accepts: a negative index counted from the end, np.matmul's 1-D promotion.
 */
const FLOAT32 = `import type { NDArray } from '@llm-lab/kit';

export function strides(shape: readonly number[]): number[] {
  return shape.map((_, d) => {
    let p = 1;
    for (let e = d + 1; e < shape.length; e++) p *= shape[e];
    return p;
  });
}

export function offset(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) throw new Error('offset: need ' + shape.length + ' indices');
  const s = strides(shape);
  let pos = 0;
  for (let d = 0; d < shape.length; d++) {
    let i = index[d];
    if (i < 0) i += shape[d]; // Python-style: counted from the end
    if (i < 0 || i >= shape[d]) throw new Error('offset: index ' + index[d] + ' out of range for size ' + shape[d]);
    pos += i * s[d];
  }
  return pos;
}

export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length === 1) {
    const c = matmul({ data: a.data, shape: [1, a.shape[0]] }, b);
    return { data: c.data, shape: [c.shape[1]] };
  }
  if (b.shape.length === 1) {
    const c = matmul(a, { data: b.data, shape: [b.shape[0], 1] });
    return { data: c.data, shape: [c.shape[0]] };
  }
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('matmul: not matrices');
  const [n, k] = a.shape;
  const [kb, m] = b.shape;
  if (k !== kb) throw new Error('matmul: ' + k + ' columns vs ' + kb + ' rows');
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = Math.fround(acc + Math.fround(a.data[i * k + p] * b.data[p * m + j]));
      out[i * m + j] = acc;
    }
  }
  return { data: out, shape: [n, m] };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const shape = x.shape;
  const ax = axis < 0 ? axis + shape.length : axis;
  const len = shape[ax];
  const inner = strides(shape)[ax];
  const out = new Float32Array(x.data.length);
  const slices = x.data.length / len;
  for (let row = 0; row < slices; row++) {
    const o = Math.floor(row / inner);
    const r = row % inner;
    const at = (a: number) => o * len * inner + a * inner + r;
    const vals = Array.from({ length: len }, (_, a) => x.data[at(a)]);
    const mx = Math.max(...vals);
    const ex = vals.map((v) => Math.fround(Math.exp(Math.fround(v - mx))));
    const tot = ex.reduce((p, q) => Math.fround(p + q), 0);
    ex.forEach((e, a) => {
      out[at(a)] = e / tot;
    });
  }
  return { data: out, shape: [...shape] };
}
`;

/** Kit: softmax as exp(logSoftmax), matmul through linear (x @ Wᵀ with W = bᵀ); reduceRight strides; for...of offset. */
const LOGSOFTMAX = `import { type NDArray, exp, linear, logSoftmax, tensor, transpose } from '@llm-lab/kit';

export function strides(shape: readonly number[]): number[] {
  const out: number[] = [];
  shape.reduceRight((step, size, d) => {
    out[d] = step;
    return step * size;
  }, 1);
  return out;
}

export function offset(shape: readonly number[], index: readonly number[]): number {
  if (shape.length !== index.length) throw new Error('offset: shape has ' + shape.length + ' dims but index has ' + index.length);
  const s = strides(shape);
  let pos = 0;
  for (const [d, i] of index.entries()) {
    if (!Number.isInteger(i)) throw new Error('offset: index ' + i + ' is not an integer');
    if (i < 0) throw new Error('offset: negative index ' + i);
    if (i >= shape[d]) throw new Error('offset: index ' + i + ' too large for size ' + shape[d]);
    pos += i * s[d];
  }
  return pos;
}

export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('matmul: expected matrices');
  if (a.shape[1] !== b.shape[0]) throw new Error('matmul: inner dimensions ' + a.shape[1] + ' and ' + b.shape[0] + ' differ');
  // linear(x, w) computes x @ wᵀ, so hand it w = bᵀ
  const c = linear(tensor(a.data, a.shape), transpose(tensor(b.data, b.shape), 0, 1));
  return { data: c.data, shape: [...c.shape] };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const logp = logSoftmax(tensor(x.data, x.shape), axis);
  const p = exp(logp);
  return { data: p.data, shape: [...p.shape] };
}
`;

/** The transpose trick, c = (bᵀ aᵀ)ᵀ with kit ops; softmax slices found by marking the elements already done. */
const TRANSPOSES = `import { type NDArray, matmul as mm, tensor, transpose } from '@llm-lab/kit';

export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = step;
    step *= shape[d];
  }
  return out;
}

export function offset(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) throw new Error('offset: expected ' + shape.length + ' indices');
  let pos = 0;
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (index[d] < 0 || index[d] >= shape[d]) throw new Error('offset: index out of range in dimension ' + d);
    pos += index[d] * stride;
    stride *= shape[d];
  }
  return pos;
}

export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('matmul: both inputs must be 2-D');
  if (a.shape[1] !== b.shape[0]) throw new Error('matmul: (' + a.shape + ') @ (' + b.shape + ')');
  const at = transpose(tensor(a.data, a.shape), 0, 1);
  const bt = transpose(tensor(b.data, b.shape), 0, 1);
  const c = transpose(mm(bt, at), 0, 1); // (bᵀ aᵀ)ᵀ = a b
  return { data: c.data, shape: [...c.shape] };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const n = x.shape.length;
  const ax = axis < 0 ? axis + n : axis;
  const s = strides(x.shape);
  const len = x.shape[ax];
  const out = new Float32Array(x.data.length);
  const done = new Uint8Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    if (done[i]) continue;
    // i is the first element of its slice: the index along ax is 0 here, because earlier ones were done
    const idx = Array.from({ length: len }, (_, a) => i + a * s[ax]);
    let max = -Infinity;
    for (const j of idx) max = Math.max(max, x.data[j]);
    let sum = 0;
    for (const j of idx) sum += Math.exp(x.data[j] - max);
    for (const j of idx) {
      out[j] = Math.exp(x.data[j] - max) / sum;
      done[j] = 1;
    }
  }
  return { data: out, shape: [...x.shape] };
}
`;

const CORRECT: CorpusEntry[] = [
  correct('textbook loops: unshift strides, forEach offset, i-j-p float64 dot, `if (v > max)` softmax', LOOPS),
  correct('array methods: map/reduce strides, Horner offset, row-column dot products, log-sum-exp softmax', METHODS),
  correct('kit ops: kit matmul and softmax on tensors, Horner offset', KIT),
  correct('one pass: online softmax with a rescaled running sum, matmul on a transposed float64 copy of b', ONLINE),
  correct('float32 arithmetic (Math.fround), Math.max(...slice), negative index from the end, 1-D matmul promotion', FLOAT32),
  correct('kit: softmax as exp(logSoftmax(x)), matmul through linear(a, bᵀ), reduceRight strides', LOGSOFTMAX),
  correct('kit: matmul as (bᵀ aᵀ)ᵀ, softmax slices found by marking visited elements', TRANSPOSES),
];

// ---------------------------------------------------------------------------------------------------------------
// One-bug variants

const BUGS: CorpusEntry[] = [
  // ----- strides
  bug('strides: the loop stops before dimension 0', {
    edits: [['for (let d = shape.length - 1; d >= 0; d--) {', 'for (let d = shape.length - 1; d > 0; d--) {']],
    at: 'for (let d = shape.length - 1; d > 0; d--) {',
  }),
  bug('strides: the running product takes the size of the dimension to the left', {
    edits: [['step *= shape[d];', 'step *= shape[d - 1];']], at: 'step *= shape[d - 1];',
  }),
  bug('strides: pushed from the right and never reversed', {
    base: LOOPS, edits: [['result.unshift(running);', 'result.push(running);']], at: 'result.push(running);', catalogued: 'strides-reversed',
  }),
  bug('strides: column-major, walked from the left with push', {
    base: LOOPS, edits: [['for (let d = shape.length - 1; d >= 0; d--) {\n    result.unshift(running);', 'for (let d = 0; d < shape.length; d++) {\n    result.push(running);']],
    at: 'for (let d = 0; d < shape.length; d++) {', catalogued: 'strides-column-major',
  }),
  bug('strides: fill(4), as NumPy counts bytes', {
    base: KIT, edits: [['.fill(1);', '.fill(Float32Array.BYTES_PER_ELEMENT);']], at: '.fill(Float32Array.BYTES_PER_ELEMENT);', catalogued: 'strides-in-bytes',
  }),

  // ----- offset
  bug('offset: a negative index is counted from the end by writing into the caller\'s index', {
    edits: [['const i = index[d];', 'if (index[d] < 0) (index as number[])[d] += shape[d];\n    const i = index[d];']],
    at: '(index as number[])[d] += shape[d];',
  }),
  bug('offset: each index is multiplied by the size of its dimension instead of its stride', {
    edits: [['pos += i * s[d];', 'pos += i * shape[d];']], at: 'pos += i * shape[d];',
  }),
  bug('offset: the validation loop skips the last dimension', {
    base: ONLINE, edits: [['for (let d = 0; d < shape.length; d++) {\n    const i = index[d];', 'for (let d = 0; d < shape.length - 1; d++) {\n    const i = index[d];']],
    at: 'for (let d = 0; d < shape.length - 1; d++) {', catalogued: 'offset-no-bounds-check',
  }),
  bug('offset: only too many indices are refused', {
    base: LOOPS, edits: [['if (index.length !== shape.length) {', 'if (index.length > shape.length) {']],
    at: 'if (index.length > shape.length) {', catalogued: 'offset-no-length-check',
  }),

  // ----- matmul
  bug('matmul: the inner loop stops one term early', {
    edits: [['for (let p = 0; p < k; p++) {', 'for (let p = 0; p < k - 1; p++) {']], at: 'for (let p = 0; p < k - 1; p++) {',
  }),
  bug('matmul: the result shape is (m, n)', {
    edits: [['return { data: out, shape: [n, m] };', 'return { data: out, shape: [m, n] };']], at: 'shape: [m, n]',
  }),
  bug('matmul: the shape check compares b\'s columns with a\'s columns', {
    base: LOOPS, edits: [['if (b.shape[0] !== k)', 'if (b.shape[1] !== k)']], at: 'if (b.shape[1] !== k)',
  }),
  bug('matmul: the dot product starts from the first term and then adds it again', {
    base: LOOPS, edits: [['let dot = 0;', 'let dot = a.data[i * k] * b.data[j];']], at: 'let dot = a.data[i * k] * b.data[j];',
  }),
  bug('matmul: the dot product is not reset between outputs', {
    base: ONLINE, edits: [['      let s = 0;\n      for (let p = 0; p < k; p++) s += a.data[i * k + p] * bt[j * k + p];', '      for (let p = 0; p < k; p++) s += a.data[i * k + p] * bt[j * k + p];'],
      ['  const c = new Float32Array(n * m);\n  for (let i = 0; i < n; i++) {', '  const c = new Float32Array(n * m);\n  let s = 0;\n  for (let i = 0; i < n; i++) {']],
    at: '  let s = 0;',
  }),
  bug('matmul: the guard only refuses vectors, so a 3-D input is read as a matrix', {
    edits: [['if (a.shape.length !== 2 || b.shape.length !== 2) {', 'if (a.shape.length < 2 || b.shape.length < 2) {']],
    at: 'if (a.shape.length < 2 || b.shape.length < 2) {', catalogued: 'matmul-not-2d',
  }),
  bug('matmul: kit linear(a, b), which multiplies by bᵀ', {
    base: LOGSOFTMAX, edits: [['linear(tensor(a.data, a.shape), transpose(tensor(b.data, b.shape), 0, 1))', 'linear(tensor(a.data, a.shape), tensor(b.data, b.shape))']],
    at: 'const c = linear(', catalogued: 'matmul-b-transposed', kitOps: true,
  }),
  bug('matmul: kit mul, element by element', {
    base: KIT, edits: [['import { type NDArray, matmul as mm, softmax as sm, tensor }', 'import { type NDArray, mul, softmax as sm, tensor }'],
      ['const c = mm(tensor(a.data, a.shape), tensor(b.data, b.shape));', 'const c = mul(tensor(a.data, a.shape), tensor(b.data, b.shape));']],
    at: 'const c = mul(', catalogued: 'matmul-elementwise', kitOps: true,
  }),
  bug('matmul: kit matmul with the arguments swapped', {
    base: KIT, edits: [['const c = mm(tensor(a.data, a.shape), tensor(b.data, b.shape));', 'const c = mm(tensor(b.data, b.shape), tensor(a.data, a.shape));']],
    at: 'const c = mm(', catalogued: 'matmul-b-at-a', kitOps: true,
  }),
  bug('matmul: (bᵀ aᵀ) without the transpose back, so the result is (ab)ᵀ', {
    base: TRANSPOSES, edits: [['const c = transpose(mm(bt, at), 0, 1); // (bᵀ aᵀ)ᵀ = a b', 'const c = mm(bt, at);']],
    at: 'const c = mm(bt, at);', kitOps: true,
  }),

  // ----- softmax
  bug('softmax: the max loop skips the last element of the slice', {
    edits: [['for (let a = 0; a < len; a++) max = Math.max(max, x.data[start + a * inner]);', 'for (let a = 0; a < len - 1; a++) max = Math.max(max, x.data[start + a * inner]);']],
    at: 'for (let a = 0; a < len - 1; a++) max',
  }),
  bug('softmax: the max is read with stride 1 instead of the axis stride', {
    edits: [['for (let a = 0; a < len; a++) max = Math.max(max, x.data[start + a * inner]);', 'for (let a = 0; a < len; a++) max = Math.max(max, x.data[start + a]);']],
    at: 'max = Math.max(max, x.data[start + a]);',
  }),
  bug('softmax: the slice mean is subtracted instead of the max', {
    base: METHODS, edits: [['for (let a = 0; a < len; a++) max = Math.max(max, x.data[at(a)]);', 'for (let a = 0; a < len; a++) max = (max === -Infinity ? 0 : max) + x.data[at(a)] / len;']],
    at: 'max = (max === -Infinity ? 0 : max) + x.data[at(a)] / len;',
  }),
  bug('softmax: the max is subtracted from x in place', {
    edits: [['const e = Math.exp(x.data[start + a * inner] - max);', 'x.data[start + a * inner] -= max;\n        const e = Math.exp(x.data[start + a * inner]);']],
    at: 'x.data[start + a * inner] -= max;',
  }),
  bug('softmax: one running sum for all slices', {
    edits: [['  const out = new Float32Array(x.data.length);\n', '  const out = new Float32Array(x.data.length);\n  let sum = 0;\n'], ['      let sum = 0;\n', '']],
    at: '  let sum = 0;',
  }),
  bug('softmax: the inner loop runs to len instead of inner', {
    edits: [['for (let r = 0; r < inner; r++) {', 'for (let r = 0; r < len; r++) {']], at: 'for (let r = 0; r < len; r++) {',
  }),
  bug('softmax: kit logSoftmax without the exp', {
    base: LOGSOFTMAX, edits: [['const p = exp(logp);', 'const p = logp;']], at: 'const p = logp;', kitOps: true,
  }),
  bug('softmax: only axis -1 is counted from the end', {
    edits: [['const ax = axis < 0 ? axis + ndim : axis;', 'const ax = axis === -1 ? ndim - 1 : axis;']],
    at: 'const ax = axis === -1 ? ndim - 1 : axis;', catalogued: 'softmax-negative-axis',
  }),
  bug('softmax: kit softmax without its axis argument', {
    base: KIT, edits: [['const y = sm(tensor(x.data, x.shape), axis);', 'const y = sm(tensor(x.data, x.shape));']],
    at: 'const y = sm(tensor(x.data, x.shape));', catalogued: 'softmax-wrong-axis', kitOps: true,
  }),
  bug('softmax: kit exp(x) / sum(exp(x)) without the max', {
    base: KIT, edits: [['import { type NDArray, matmul as mm, softmax as sm, tensor }', 'import { type NDArray, div, exp, matmul as mm, sum, tensor }'],
      ['const y = sm(tensor(x.data, x.shape), axis);', 'const e = exp(tensor(x.data, x.shape));\n  const y = div(e, sum(e, axis, true));']],
    at: 'const e = exp(tensor(x.data, x.shape));', catalogued: 'softmax-overflow', kitOps: true,
  }),
  bug('softmax: kit softmax of the flattened tensor', {
    base: KIT, edits: [['import { type NDArray, matmul as mm, softmax as sm, tensor }', 'import { type NDArray, matmul as mm, softmax as sm, tensor, reshape }'],
      ['const y = sm(tensor(x.data, x.shape), axis);', 'const y = reshape(sm(tensor(x.data, [x.data.length]), 0), x.shape);']],
    at: 'const y = reshape(sm(', catalogued: 'softmax-whole-tensor', kitOps: true,
  }),
  bug('softmax: NaN skipped by `if (v > max)` and again in the sum', {
    base: LOOPS, edits: [['for (let a = 0; a < len; a++) total += Math.exp(x.data[base + a * inner] - max);',
      'for (let a = 0; a < len; a++) {\n        const e = Math.exp(x.data[base + a * inner] - max);\n        if (!Number.isNaN(e)) total += e;\n      }']],
    at: 'if (!Number.isNaN(e)) total += e;', catalogued: 'softmax-nan-hidden',
  }),
  bug('softmax: the online sum is never divided out', {
    base: ONLINE, edits: [['y[base + a * inner] = Math.exp(x.data[base + a * inner] - m) / s;', 'y[base + a * inner] = Math.exp(x.data[base + a * inner] - m);']],
    at: 'y[base + a * inner] = Math.exp(x.data[base + a * inner] - m);', catalogued: 'softmax-no-divide',
  }),
];

export const CORPUS: CorpusEntry[] = [...CORRECT, ...BUGS];
