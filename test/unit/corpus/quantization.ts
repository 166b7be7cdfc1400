/**
 * The quantization lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for quantization/quantize
 * written independently of the catalogue. Correct files in other styles than the reference (Math.round corrected at
 * ties, float32 scales and multiplication by the reciprocal, GPTQ through the upper Cholesky factor of H⁻¹ as the
 * paper's code does, GPTQ in float32 with H from kit ops), and one-bug variants: most of them mistakes no catalogue
 * names (per-channel scales read by the wrong index, clip ignored, 16 steps instead of 15, damp ignored, the inverse
 * Hessian never updated, the weight mutated in place, a clamp to [−128, 127]), the others catalogued mistakes written
 * a new way (`catalogued`).
 *
 * Every entry runs the quick checks only, except one correct file and one bug that also run the bundled-model checks.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'quantization/quantize';
const SOLUTION = readFileSync(path.join(LESSONS, '14a-quantization', 'quantize.solution.ts'), 'utf8');

const QUICK = ['quantizeInt8: hand-worked cases', 'int8 on random weights', 'quantizeInt4: hand-worked groups', 'int4 on random weights', 'gptqQuantize: a small layer'];
const MODEL = ['gptqQuantize beats round-to-nearest', 'the bundled model quantized per scheme'];

/** The reference solution with one top-level `export function name` replaced. */
function replaceDecl(source: string, name: string, text: string): string {
  const start = source.search(new RegExp(`export function ${name}\\b`));
  const end = source.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error(`corpus: no declaration ${name}`);
  return source.slice(0, start) + text.trim() + source.slice(end + 2);
}

function replaceAll(decls: Record<string, string>, header?: [string, string]): string {
  let s = SOLUTION;
  for (const [name, text] of Object.entries(decls)) s = replaceDecl(s, name, text);
  return header ? withEdits(s, [header], 'corpus header') : s;
}

function correct(name: string, source: string, checks: string[] | undefined = QUICK): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

interface BugOptions { catalogued?: string; kitOps?: boolean; checks?: string[]; at?: string; base?: string }

function bug(name: string, edits: [string, string][], opts: BugOptions = {}): CorpusEntry {
  const source = withEdits(opts.base ?? SOLUTION, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
    checks: opts.checks ?? QUICK,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Correct files

const ROUND_FIXED = `
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves up ...
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1; // ... then back down to the even one
  return r;
}`;

const INT8_F32 = `
export function quantizeInt8(w: Tensor, perChannel: boolean, clip = 1): Int8Quant {
  const [out, inp] = w.shape;
  const scales = new Float32Array(perChannel ? out : 1);
  const q = new Int8Array(w.size);
  const rowOf = (i: number) => (perChannel ? Math.floor(i / inp) : 0);
  for (let i = 0; i < w.size; i++) scales[rowOf(i)] = Math.max(scales[rowOf(i)], Math.abs(w.data[i]));
  for (let r = 0; r < scales.length; r++) scales[r] = (clip * scales[r]) / 127;
  w.data.forEach((v, i) => {
    const s = scales[rowOf(i)];
    q[i] = s === 0 ? 0 : Math.min(127, Math.max(-127, roundHalfEven(v / s)));
  });
  return { q, scales, shape: [out, inp] };
}`;

const INT4_RECIPROCAL = `
export function quantizeInt4(w: Tensor, groupSize: number): Int4Quant {
  const [out, inp] = w.shape;
  if (inp % groupSize !== 0 || groupSize <= 0) throw new RangeError('groupSize must divide the row');
  const groups = (out * inp) / groupSize; // consecutive runs of the flat row-major data never cross a row
  const q = new Uint8Array(out * inp);
  const scales = new Float32Array(groups);
  const zeros = new Uint8Array(groups);
  for (let g = 0; g < groups; g++) {
    const part = w.data.subarray(g * groupSize, (g + 1) * groupSize);
    const lo = part.reduce((a, b) => Math.min(a, b), Infinity);
    const hi = part.reduce((a, b) => Math.max(a, b), -Infinity);
    const scale = hi === lo ? 1 : (hi - lo) / 15;
    const inv = 1 / scale;
    const zero = Math.min(15, Math.max(0, roundHalfEven(-lo * inv)));
    scales[g] = scale;
    zeros[g] = zero;
    part.forEach((v, i) => { q[g * groupSize + i] = Math.min(15, Math.max(0, roundHalfEven(v * inv) + zero)); });
  }
  return { q, scales, zeros, shape: [out, inp], groupSize };
}`;

const DEQ_MAP = `
export function dequantizeInt4(x: Int4Quant): Tensor {
  const perRow = x.shape[1] / x.groupSize;
  const data = Float32Array.from(x.q, (code, i) => {
    const g = Math.floor(i / x.shape[1]) * perRow + Math.floor((i % x.shape[1]) / x.groupSize);
    return x.scales[g] * (code - x.zeros[g]);
  });
  return new Tensor(data, [...x.shape]);
}`;

/** GPTQ as its code does it: the upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU); row j of U / U[j][j] is the updated inverse's row. */
const GPTQ_CHOLESKY = `
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n); // lower: a = L Lᵀ
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j];
    }
  }
  return l;
}

export function gptqQuantize(w: Tensor, x: Tensor, damp = 0.01): Int4Quant {
  const [out, inp] = w.shape;
  if (x.shape.length !== 2 || x.shape[1] !== inp) throw new RangeError('x must be (n, in)');
  const n = x.shape[0];
  const H = new Float64Array(inp * inp);
  for (let s = 0; s < n; s++) for (let a = 0; a < inp; a++) for (let b = 0; b < inp; b++) H[a * inp + b] += (2 / n) * x.data[s * inp + a] * x.data[s * inp + b];
  let tr = 0;
  for (let a = 0; a < inp; a++) tr += H[a * inp + a];
  for (let a = 0; a < inp; a++) H[a * inp + a] += (damp * tr) / inp;
  // H⁻¹ from the Cholesky factor: L⁻¹ by forward substitution, H⁻¹ = L⁻ᵀ L⁻¹.
  const L = cholesky(H, inp);
  const Li = new Float64Array(inp * inp);
  for (let c = 0; c < inp; c++) {
    for (let i = c; i < inp; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= L[i * inp + k] * Li[k * inp + c];
      Li[i * inp + c] = s / L[i * inp + i];
    }
  }
  const Hinv = new Float64Array(inp * inp);
  for (let a = 0; a < inp; a++) for (let b = 0; b < inp; b++) {
    let s = 0;
    for (let k = Math.max(a, b); k < inp; k++) s += Li[k * inp + a] * Li[k * inp + b];
    Hinv[a * inp + b] = s;
  }
  const Lh = cholesky(Hinv, inp); // Hinv = Lh Lhᵀ, so U = Lhᵀ is the upper factor
  const U = (r: number, c: number) => Lh[c * inp + r];
  const grid = quantizeInt4(w, inp);
  const W = Float64Array.from(w.data);
  const q = new Uint8Array(out * inp);
  for (let j = 0; j < inp; j++) {
    for (let o = 0; o < out; o++) {
      const [s, z] = [grid.scales[o], grid.zeros[o]];
      const code = Math.max(0, Math.min(15, roundHalfEven(W[o * inp + j] / s) + z));
      q[o * inp + j] = code;
      const err = (W[o * inp + j] - (code - z) * s) / U(j, j);
      for (let k = j + 1; k < inp; k++) W[o * inp + k] -= err * U(j, k);
    }
  }
  return { q, scales: grid.scales, zeros: grid.zeros, shape: [out, inp], groupSize: inp };
}`;

/** GPTQ in float32 throughout, with H from kit ops (matmul of xᵀ and x). */
const GPTQ_F32 = `
export function gptqQuantize(w: Tensor, x: Tensor, damp = 0.01): Int4Quant {
  const [out, inp] = w.shape;
  if (x.shape.length !== 2 || x.shape[1] !== inp) throw new RangeError('x must be (n, in)');
  const n = x.shape[0];
  const H = Float32Array.from(mul(matmul(transpose(x, 0, 1), x), 2 / n).data);
  let mean = 0;
  for (let a = 0; a < inp; a++) mean += H[a * inp + a] / inp;
  for (let a = 0; a < inp; a++) H[a * inp + a] += damp * mean;
  const Hinv = Float32Array.from(invert(Float64Array.from(H), inp));
  const grid = quantizeInt4(w, inp);
  const W = Float32Array.from(w.data);
  const q = new Uint8Array(out * inp);
  for (let j = 0; j < inp; j++) {
    const d = Hinv[j * inp + j];
    for (let o = 0; o < out; o++) {
      const code = Math.max(0, Math.min(15, roundHalfEven(W[o * inp + j] / grid.scales[o]) + grid.zeros[o]));
      q[o * inp + j] = code;
      const err = (W[o * inp + j] - (code - grid.zeros[o]) * grid.scales[o]) / d;
      for (let k = j + 1; k < inp; k++) W[o * inp + k] -= err * Hinv[j * inp + k];
    }
    for (let a = j + 1; a < inp; a++) {
      const f = Hinv[a * inp + j] / d;
      for (let b = j + 1; b < inp; b++) Hinv[a * inp + b] -= f * Hinv[j * inp + b];
    }
  }
  return { q, scales: grid.scales, zeros: grid.zeros, shape: [out, inp], groupSize: inp };
}`;

const KIT_HEADER: [string, string] = ["import { Tensor } from '@llm-lab/kit';", "import { Tensor, matmul, mul, transpose } from '@llm-lab/kit';"];

export const CORPUS: CorpusEntry[] = [
  correct('Math.round corrected at ties; int8 scales kept in float32 and divided by them', replaceAll({ roundHalfEven: ROUND_FIXED, quantizeInt8: INT8_F32 })),
  correct('int4 over the flat data in runs of groupSize, multiplying by 1 / scale; dequantize with Float32Array.from', replaceAll({ quantizeInt4: INT4_RECIPROCAL, dequantizeInt4: DEQ_MAP })),
  correct("GPTQ through the upper Cholesky factor of H⁻¹, as the paper's code (all checks)", replaceAll({ gptqQuantize: GPTQ_CHOLESKY }), undefined),
  correct('GPTQ in float32 with H from kit ops', replaceAll({ gptqQuantize: GPTQ_F32 }, KIT_HEADER)),
  correct('every function replaced at once', replaceAll({ roundHalfEven: ROUND_FIXED, quantizeInt8: INT8_F32, quantizeInt4: INT4_RECIPROCAL, dequantizeInt4: DEQ_MAP, gptqQuantize: GPTQ_CHOLESKY })),

  // Not catalogued.
  bug('dequantizeInt8 reads the per-channel scale by i % scales.length', [['data[i] = x.q[i] * x.scales[Math.floor(i / per)];', 'data[i] = x.q[i] * x.scales[i % x.scales.length];']]),
  bug('the clip argument ignored', [['const scale = (clip * max) / 127;', 'const scale = max / 127;']]),
  bug('int4 step (max − min) / 16', [['const scale = max > min ? (max - min) / 15 : 1;', 'const scale = max > min ? (max - min) / 16 : 1;']]),
  bug('GPTQ damping fixed at 0.01, the damp argument ignored', [['for (let a = 0; a < inp; a++) H[a * inp + a] += damp * mean;', 'for (let a = 0; a < inp; a++) H[a * inp + a] += 0.01 * mean;']]),
  bug('GPTQ never removes a column from H⁻¹', [['      for (let b = j + 1; b < inp; b++) Hinv[a * inp + b] -= f * Hinv[j * inp + b];', '      for (let b = j + 1; b < inp; b++) Hinv[a * inp + b] -= 0 * f * Hinv[j * inp + b];']]),
  bug('GPTQ updates the weight in place', [['const W = Float64Array.from(w.data);', 'const W = w.data; // no copy']]),
  bug('int8 clamped to the type range [−128, 127]', [['q[r * per + i] = Math.max(-127, Math.min(127, roundHalfEven(w.data[r * per + i] / scale)));', 'q[r * per + i] = Math.max(-128, Math.min(127, roundHalfEven(w.data[r * per + i] / scale)));']]),

  // Catalogued mistakes written a new way.
  bug('the scale from the largest value, with a conditional', [['for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(w.data[r * per + i]));', 'for (let i = 0; i < per; i++) max = w.data[r * per + i] > max ? w.data[r * per + i] : max;']], { catalogued: 'scale-from-max' }),
  bug('roundHalfEven as Math.floor(x + 0.5)', [[`  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;`, '  return Math.floor(x + 0.5);']], { catalogued: 'round-half-up' }),
  bug('GPTQ that returns the per-row int4 grid as it is (all checks)', [['const grid = quantizeInt4(w, inp); // the per-row grid, from the original weights', 'const grid = quantizeInt4(w, inp); // the per-row grid, from the original weights\n  if (grid) return grid;']], { catalogued: 'gptq-no-propagation', at: 'if (grid) return grid;', checks: [...QUICK, ...MODEL] }),
];
