/**
 * The attention track's grading-truth corpus (see test/unit/corpus.ts): other correct styles and one-bug variants of
 * lessons 2-4, written the way learners write them, not from the catalogues. Correct files use index loops over
 * `.data` with float64 accumulation, log-sum-exp softmaxes, additive masks, per-slice loops, narrow/cat, fused
 * projections, one-pass variances and the kit's own ops. Bugs change ONE thing; at least half of them are mistakes no
 * catalogue names, the others are catalogued mistakes written a new way (`catalogued`). Every `line` is computed from
 * the resulting file (the line holding a marker that must occur exactly once), never typed in by hand.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const ATTN = 'attention/scaled-dot-product';
const MHA = 'multi-head-attention/layer';
const GPT = 'gpt-forward/model';
const SOLUTION: Record<string, string> = {
  [ATTN]: '02-attention/attention.solution.ts',
  [MHA]: '03-multi-head-attention/multihead.solution.ts',
  [GPT]: '04-gpt-forward/gpt.solution.ts',
};
const solution = (exercise: string): string => readFileSync(path.join(LESSONS, SOLUTION[exercise]), 'utf8');

/** The 1-based line of `marker` in `text`; the marker must occur exactly once. */

function correct(exercise: string, name: string, file: { source: string } | { edits: [string, string][] }): CorpusEntry {
  if ('edits' in file) withEdits(solution(exercise), file.edits, name); // fails loudly if an edit does not apply
  return { exercise, name, kind: 'correct', ...file };
}

interface BugSpec {
  /** A correct source of this corpus to put the bug into; default the reference solution (then `edits` are kept as edits). */
  base?: string;
  edits: [string, string][];
  /** Text on the faulty line of the resulting file (occurs exactly once there). */
  at: string;
  catalogued?: string;
  kitOps?: boolean;
  checks?: string[];
}

function bug(exercise: string, name: string, spec: BugSpec): CorpusEntry {
  const text = withEdits(spec.base ?? solution(exercise), spec.edits, name);
  const file = spec.base ? { source: text } : { edits: spec.edits };
  return {
    exercise, name, kind: 'bug', ...file, line: lineOf(text, spec.at, name),
    ...(spec.catalogued ? { catalogued: spec.catalogued } : {}), ...(spec.kitOps ? { kitOps: true } : {}), ...(spec.checks ? { checks: spec.checks } : {}),
  };
}

// =====================================================================================================================
// Lesson 2: attention(q, k, v, causal) -> { out, weights }
// =====================================================================================================================

/** Index loops over .data for any number of leading axes, float64 accumulation, a max-subtracted softmax. */
const ATTN_LOOPS = `import { type Tensor, tensor } from '@llm-lab/kit';

export interface AttentionResult {
  out: Tensor;
  weights: Tensor;
}

export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  const Tq = q.shape[q.ndim - 2];
  const d = q.shape[q.ndim - 1];
  const Tk = k.shape[k.ndim - 2];
  const dv = v.shape[v.ndim - 1];
  const batch = q.data.length / (Tq * d);
  const weights = new Float32Array(batch * Tq * Tk);
  const out = new Float32Array(batch * Tq * dv);
  const scale = 1 / Math.sqrt(d);
  const row = new Float64Array(Tk);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < Tq; i++) {
      let max = -Infinity;
      for (let j = 0; j < Tk; j++) {
        if (causal && j > i) {
          row[j] = -Infinity;
          continue;
        }
        let s = 0;
        for (let c = 0; c < d; c++) s += q.data[(b * Tq + i) * d + c] * k.data[(b * Tk + j) * d + c];
        row[j] = s * scale;
        if (row[j] > max) max = row[j];
      }
      let total = 0;
      for (let j = 0; j < Tk; j++) {
        row[j] = Math.exp(row[j] - max);
        total += row[j];
      }
      for (let j = 0; j < Tk; j++) weights[(b * Tq + i) * Tk + j] = row[j] / total;
      for (let c = 0; c < dv; c++) {
        let acc = 0;
        for (let j = 0; j < Tk; j++) acc += (row[j] / total) * v.data[(b * Tk + j) * dv + c];
        out[(b * Tq + i) * dv + c] = acc;
      }
    }
  }
  const lead = q.shape.slice(0, -2);
  return { out: tensor(out, [...lead, Tq, dv]), weights: tensor(weights, [...lead, Tq, Tk]) };
}
`;

/** q scaled first, a nested-array mask filled with -1e9, and the softmax as exp(logSoftmax). */
const ATTN_LOGSOFTMAX = `import { type Tensor, exp, logSoftmax, matmul, maskedFill, mul, tensor, transpose } from '@llm-lab/kit';

export interface AttentionResult {
  out: Tensor;
  weights: Tensor;
}

function upperTriangle(T: number): Tensor {
  return tensor(Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (j > i ? 1 : 0))));
}

export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  const d = q.shape[q.ndim - 1];
  const qs = mul(q, 1 / Math.sqrt(d));
  let scores = matmul(qs, transpose(k, -1, -2));
  if (causal) scores = maskedFill(scores, upperTriangle(scores.shape[scores.ndim - 1]), -1e9);
  const weights = exp(logSoftmax(scores, -1));
  return { weights, out: matmul(weights, v) };
}
`;

/** An additive mask (0 and -Infinity) and div by sqrt(d). */
const ATTN_ADDITIVE = `import { type Tensor, add, div, matmul, softmax, transpose, zeros } from '@llm-lab/kit';

export interface AttentionResult {
  out: Tensor;
  weights: Tensor;
}

function additiveMask(T: number): Tensor {
  const m = zeros([T, T]);
  for (let i = 0; i < T; i++) {
    for (let j = i + 1; j < T; j++) m.data[i * T + j] = -Infinity;
  }
  return m;
}

export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  const d = q.shape[q.ndim - 1];
  const raw = div(matmul(q, transpose(k, -2, -1)), Math.sqrt(d));
  const scores = causal ? add(raw, additiveMask(q.shape[q.ndim - 2])) : raw;
  const weights = softmax(scores, -1);
  return { out: matmul(weights, v), weights };
}
`;

/** One 2-D helper (transpose(k, 0, 1) is right there), and a loop over every (T, d) slice of the flattened batch. */
const ATTN_SLICES = `import { type Tensor, cat, matmul, maskedFill, mul, narrow, softmax, transpose, zeros } from '@llm-lab/kit';

export interface AttentionResult {
  out: Tensor;
  weights: Tensor;
}

function attend2d(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  const [T, d] = q.shape;
  let s = mul(matmul(q, transpose(k, 0, 1)), Math.pow(d, -0.5));
  if (causal) {
    const mask = zeros([T, T]);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask.data[i * T + j] = 1;
    s = maskedFill(s, mask, -Infinity);
  }
  const w = softmax(s, -1);
  return { out: matmul(w, v), weights: w };
}

export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  if (q.ndim === 2) return attend2d(q, k, v, causal);
  const [Tq, d] = q.shape.slice(-2);
  const Tk = k.shape[k.ndim - 2];
  const dv = v.shape[v.ndim - 1];
  const lead = q.shape.slice(0, -2);
  const n = lead.reduce((a, b) => a * b, 1);
  const [q3, k3, v3] = [q.reshape(n, Tq, d), k.reshape(n, Tk, d), v.reshape(n, Tk, dv)];
  const outs: Tensor[] = [];
  const ws: Tensor[] = [];
  for (let b = 0; b < n; b++) {
    const r = attend2d(narrow(q3, 0, b, 1).reshape(Tq, d), narrow(k3, 0, b, 1).reshape(Tk, d), narrow(v3, 0, b, 1).reshape(Tk, dv), causal);
    outs.push(r.out);
    ws.push(r.weights);
  }
  return { out: cat(outs, 0).reshape(...lead, Tq, dv), weights: cat(ws, 0).reshape(...lead, Tq, Tk) };
}
`;

/** k scaled before the transpose, the kit's causalMask, the most negative float32 as the fill value. */
const ATTN_KSCALED = `import { type Tensor, causalMask, matmul, maskedFill, mul, softmax, transpose } from '@llm-lab/kit';

export interface AttentionResult {
  out: Tensor;
  weights: Tensor;
}

export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  const headSize = k.shape[k.shape.length - 1];
  const kT = transpose(mul(k, 1 / Math.sqrt(headSize)), -2, -1);
  const scores = matmul(q, kT);
  if (!causal) {
    const weights = softmax(scores, -1);
    return { out: matmul(weights, v), weights };
  }
  const weights = softmax(maskedFill(scores, causalMask(q.shape[q.ndim - 2]), -3.4028234663852886e38), -1);
  return { out: matmul(weights, v), weights };
}
`;

/** Recursion over the first axis down to single (T, d) matrices, stacked back with cat. */
const ATTN_RECURSIVE = `import { type Tensor, cat, causalMask, matmul, maskedFill, mul, narrow, softmax, transpose } from '@llm-lab/kit';

export interface AttentionResult {
  out: Tensor;
  weights: Tensor;
}

/** One (T, d) matrix of queries against its keys. */
function attend(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  const [T, d] = q.shape;
  let scores = mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d));
  if (causal) scores = maskedFill(scores, causalMask(T), -Infinity);
  const weights = softmax(scores, -1);
  return { out: matmul(weights, v), weights };
}

const pick = (x: Tensor, i: number): Tensor => narrow(x, 0, i, 1).reshape(...x.shape.slice(1));
const stack = (xs: Tensor[]): Tensor => cat(xs.map((x) => x.reshape(1, ...x.shape)), 0);

export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  if (q.ndim === 2) return attend(q, k, v, causal);
  const parts = Array.from({ length: q.shape[0] }, (_, i) => attention(pick(q, i), pick(k, i), pick(v, i), causal));
  return { out: stack(parts.map((p) => p.out)), weights: stack(parts.map((p) => p.weights)) };
}
`;

const SCORES = 'let scores = mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d));';

const ATTENTION: CorpusEntry[] = [
  correct(ATTN, 'index loops over .data, float64 accumulation', { source: ATTN_LOOPS }),
  correct(ATTN, 'q scaled first, -1e9 mask from nested arrays, exp(logSoftmax)', { source: ATTN_LOGSOFTMAX }),
  correct(ATTN, 'additive 0/-Infinity mask, div by sqrt(d)', { source: ATTN_ADDITIVE }),
  correct(ATTN, 'a 2-D helper looped over every slice of the flattened batch', { source: ATTN_SLICES }),
  correct(ATTN, 'k scaled before the transpose, causalMask, finfo.min fill, early return', { source: ATTN_KSCALED }),
  correct(ATTN, 'recursion over the first axis down to (T, d) matrices', { source: ATTN_RECURSIVE }),

  // Not in any catalogue.
  bug(ATTN, 'd read from the time axis (q.shape[q.ndim - 2])', {
    edits: [['const d = q.shape[q.ndim - 1]; // d_k', 'const d = q.shape[q.ndim - 2]; // d_k']], at: 'const d = q.shape[q.ndim - 2]', kitOps: true,
  }),
  bug(ATTN, 'weights @ k instead of weights @ v', {
    edits: [['const out = matmul(weights, v);', 'const out = matmul(weights, k);']], at: 'const out = matmul(weights, k);', kitOps: true,
  }),
  bug(ATTN, 'the mask is applied whether causal or not', {
    base: ATTN_ADDITIVE,
    edits: [['const scores = causal ? add(raw, additiveMask(q.shape[q.ndim - 2])) : raw;', 'const scores = add(raw, additiveMask(q.shape[q.ndim - 2]));']],
    at: 'const scores = add(raw, additiveMask', kitOps: true,
  }),
  bug(ATTN, 'q scaled in place (the input is modified)', {
    base: ATTN_LOGSOFTMAX,
    edits: [['const qs = mul(q, 1 / Math.sqrt(d));', 'for (let i = 0; i < q.data.length; i++) q.data[i] /= Math.sqrt(d);\n  const qs = q;']],
    at: 'q.data[i] /= Math.sqrt(d)',
  }),
  bug(ATTN, 'batch loop over the first leading axis only', {
    base: ATTN_LOOPS,
    edits: [['const batch = q.data.length / (Tq * d);', 'const batch = q.ndim === 2 ? 1 : q.shape[0];']],
    at: 'const batch = q.ndim === 2 ? 1 : q.shape[0];',
  }),
  bug(ATTN, 'a loop over the first leading axis that calls the 2-D helper', {
    base: ATTN_RECURSIVE,
    edits: [['(_, i) => attention(pick(q, i)', '(_, i) => attend(pick(q, i)']], at: '(_, i) => attend(pick(q, i)', kitOps: true,
  }),
  bug(ATTN, 'the weights returned transposed', {
    base: ATTN_ADDITIVE,
    edits: [['return { out: matmul(weights, v), weights };', 'return { out: matmul(weights, v), weights: transpose(weights, -2, -1) };']],
    at: 'weights: transpose(weights, -2, -1) }', kitOps: true,
  }),
  bug(ATTN, 'mask indices swapped: the past is hidden instead of the future', {
    base: ATTN_ADDITIVE,
    edits: [['for (let j = i + 1; j < T; j++) m.data[i * T + j] = -Infinity;', 'for (let j = i + 1; j < T; j++) m.data[j * T + i] = -Infinity;']],
    at: 'm.data[j * T + i] = -Infinity', kitOps: true,
  }),
  bug(ATTN, 'the weights returned are the unmasked ones', {
    base: ATTN_KSCALED,
    edits: [['return { out: matmul(weights, v), weights };\n}\n', 'return { out: matmul(weights, v), weights: softmax(scores, -1) };\n}\n']],
    at: 'weights: softmax(scores, -1) }', kitOps: true,
  }),
  bug(ATTN, 'the mask is filled with -100 (a finite score that can still win)', {
    base: ATTN_LOGSOFTMAX,
    edits: [['-1e9);', '-100);']], at: '-100);', kitOps: true,
  }),

  // Catalogued mistakes, written another way.
  bug(ATTN, 'the scale applied to v instead of the scores', {
    edits: [[SCORES, 'let scores = matmul(q, transpose(k, -2, -1));'], ['const out = matmul(weights, v);', 'const out = matmul(weights, mul(v, 1 / Math.sqrt(d)));']],
    at: 'let scores = matmul(q, transpose(k, -2, -1));', catalogued: 'no-scale', kitOps: true,
  }),
  bug(ATTN, 'divided by d with div()', {
    base: ATTN_ADDITIVE, edits: [['Math.sqrt(d));', 'd);']], at: 'const raw = div(', catalogued: 'scale-by-d', kitOps: true,
  }),
  bug(ATTN, 'softmax taken on the transposed scores and never transposed back', {
    edits: [['const weights = softmax(scores, -1);', 'const weights = transpose(softmax(transpose(scores, -2, -1), -1), -2, -1);']],
    at: 'const weights = transpose(softmax(', catalogued: 'softmax-over-queries', kitOps: true,
  }),
  bug(ATTN, 'softmax along axis 0', {
    base: ATTN_ADDITIVE, edits: [['const weights = softmax(scores, -1);', 'const weights = softmax(scores, 0);']], at: 'softmax(scores, 0)', catalogued: 'softmax-over-queries', kitOps: true,
  }),
  bug(ATTN, 'a multiplicative lower-triangle mask on the scores', {
    base: ATTN_LOGSOFTMAX,
    edits: [
      ['import { type Tensor, exp,', 'import { type Tensor, sub, exp,'],
      ['if (causal) scores = maskedFill(scores, upperTriangle(scores.shape[scores.ndim - 1]), -1e9);', 'if (causal) scores = mul(scores, sub(1, upperTriangle(scores.shape[scores.ndim - 1])));'],
    ],
    at: 'if (causal) scores = mul(scores', catalogued: 'mask-with-zero', kitOps: true,
  }),
  bug(ATTN, 'the softmax multiplied by a lower-triangle mask', {
    base: ATTN_LOGSOFTMAX,
    edits: [
      ['import { type Tensor, exp,', 'import { type Tensor, sub, exp,'],
      ['if (causal) scores = maskedFill(scores, upperTriangle(scores.shape[scores.ndim - 1]), -1e9);\n  const weights = exp(logSoftmax(scores, -1));',
        'const probs = exp(logSoftmax(scores, -1));\n  const weights = causal ? mul(probs, sub(1, upperTriangle(scores.shape[scores.ndim - 1]))) : probs;'],
    ],
    at: 'const weights = causal ? mul(probs', catalogued: 'mask-after-softmax', kitOps: true,
  }),
  bug(ATTN, 'index loops that mask j >= i', {
    base: ATTN_LOOPS, edits: [['if (causal && j > i) {', 'if (causal && j >= i) {']], at: 'if (causal && j >= i) {', catalogued: 'mask-includes-diagonal',
  }),
  bug(ATTN, 'index loops with exp() and no max subtracted', {
    base: ATTN_LOOPS, edits: [['row[j] = Math.exp(row[j] - max);', 'row[j] = Math.exp(row[j]);']], at: 'row[j] = Math.exp(row[j]);', catalogued: 'overflow',
  }),
  bug(ATTN, 'kᵀ taken with a reshape instead of a transpose', {
    edits: [[SCORES, 'let scores = mul(matmul(q, k.reshape(...k.shape.slice(0, -2), d, k.shape[k.ndim - 2])), 1 / Math.sqrt(d));']],
    at: 'k.reshape(...k.shape.slice(0, -2)', catalogued: 'k-not-transposed', kitOps: true,
  }),
];

// =====================================================================================================================
// Lesson 3: splitHeads, mergeHeads, multiHeadAttention
// =====================================================================================================================

const MHA_HEAD = `import { attention } from '../02-attention/attention';

export { attention };

export interface LinearWeights {
  weight: Tensor;
  bias: Tensor;
}

export interface AttentionWeights {
  q: LinearWeights;
  k: LinearWeights;
  v: LinearWeights;
  proj: LinearWeights;
}
`;

/** Index loops over .data for the split and the merge. */
const MHA_LOOPS = `import { type Tensor, linear, tensor } from '@llm-lab/kit';
${MHA_HEAD}
export function splitHeads(x: Tensor, nHead: number): Tensor {
  const [B, T, C] = x.shape;
  if (!Number.isInteger(C / nHead)) throw new Error(\`cannot split \${C} channels into \${nHead} heads\`);
  const hs = C / nHead;
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        const h = Math.floor(c / hs);
        const s = c % hs;
        out[((b * nHead + h) * T + t) * hs + s] = x.data[(b * T + t) * C + c];
      }
    }
  }
  return tensor(out, [B, nHead, T, hs]);
}

export function mergeHeads(y: Tensor): Tensor {
  const [B, nh, T, hs] = y.shape;
  const C = nh * hs;
  const out = new Float32Array(y.data.length);
  let i = 0;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      for (let t = 0; t < T; t++) {
        for (let s = 0; s < hs; s++) out[(b * T + t) * C + h * hs + s] = y.data[i++];
      }
    }
  }
  return tensor(out, [B, T, C]);
}

export function multiHeadAttention(x: Tensor, w: AttentionWeights, nHead: number): { out: Tensor; weights: Tensor } {
  const heads = (p: LinearWeights) => splitHeads(linear(x, p.weight, p.bias), nHead);
  const r = attention(heads(w.q), heads(w.k), heads(w.v), true);
  return { out: linear(mergeHeads(r.out), w.proj.weight, w.proj.bias), weights: r.weights };
}
`;

/** Heads cut out with narrow and joined with cat; projections as matmul with the transposed weight plus the bias. */
const MHA_NARROW = `import { type Tensor, add, cat, matmul, narrow, transpose } from '@llm-lab/kit';
${MHA_HEAD}
export function splitHeads(x: Tensor, nHead: number): Tensor {
  const [B, T, C] = x.shape;
  if (C % nHead) throw new Error(\`splitHeads: C = \${C} is not a multiple of nHead = \${nHead}\`);
  const hs = C / nHead;
  const heads: Tensor[] = [];
  for (let h = 0; h < nHead; h++) heads.push(narrow(x, 2, h * hs, hs).reshape(B, 1, T, hs));
  return cat(heads, 1);
}

export function mergeHeads(y: Tensor): Tensor {
  const [B, nh, T, hs] = y.shape;
  const heads: Tensor[] = [];
  for (let h = 0; h < nh; h++) heads.push(narrow(y, 1, h, 1).reshape(B, T, hs));
  return cat(heads, 2);
}

const project = (x: Tensor, p: LinearWeights): Tensor => add(matmul(x, transpose(p.weight, 0, 1)), p.bias);

export function multiHeadAttention(x: Tensor, w: AttentionWeights, nHead: number): { out: Tensor; weights: Tensor } {
  const q = splitHeads(project(x, w.q), nHead);
  const k = splitHeads(project(x, w.k), nHead);
  const v = splitHeads(project(x, w.v), nHead);
  const { out, weights } = attention(q, k, v, true);
  return { out: project(mergeHeads(out), w.proj), weights };
}
`;

/** One attention call per head on (B, T, hs) slices; the heads' outputs concatenated along the channels. */
const MHA_PER_HEAD = `import { type Tensor, cat, linear, narrow, transpose } from '@llm-lab/kit';
${MHA_HEAD}
export function splitHeads(x: Tensor, nHead: number): Tensor {
  const [B, T, C] = x.shape;
  if (C % nHead !== 0) throw new Error('nHead must divide C');
  return transpose(x.reshape(B, T, nHead, C / nHead), 2, 1);
}

export function mergeHeads(y: Tensor): Tensor {
  const [B, nh, T, hs] = y.shape;
  return transpose(y, 2, 1).reshape(B, T, nh * hs);
}

export function multiHeadAttention(x: Tensor, w: AttentionWeights, nHead: number): { out: Tensor; weights: Tensor } {
  const [B, T, C] = x.shape;
  const hs = C / nHead;
  const q = linear(x, w.q.weight, w.q.bias);
  const k = linear(x, w.k.weight, w.k.bias);
  const v = linear(x, w.v.weight, w.v.bias);
  const outs: Tensor[] = [];
  const maps: Tensor[] = [];
  for (let h = 0; h < nHead; h++) {
    const part = (t: Tensor) => narrow(t, 2, h * hs, hs); // (B, T, hs): head h's channels
    const r = attention(part(q), part(k), part(v), true);
    outs.push(r.out);
    maps.push(r.weights.reshape(B, 1, T, T));
  }
  return { out: linear(cat(outs, 2), w.proj.weight, w.proj.bias), weights: cat(maps, 1) };
}
`;

/** nanoGPT's fused c_attn: one projection to 3C, cut into q, k and v. */
const MHA_FUSED = `import { type Tensor, cat, linear, narrow, transpose } from '@llm-lab/kit';
${MHA_HEAD}
export function splitHeads(x: Tensor, nHead: number): Tensor {
  const [B, T, C] = x.shape;
  const hs = Math.floor(C / nHead);
  if (hs * nHead !== C) throw new RangeError(\`\${nHead} heads do not divide \${C} channels\`);
  return transpose(x.view(B, T, nHead, hs), 1, 2);
}

export function mergeHeads(y: Tensor): Tensor {
  const [B, nh, T, hs] = y.shape;
  return transpose(y, 1, 2).view(B, T, nh * hs);
}

export function multiHeadAttention(x: Tensor, w: AttentionWeights, nHead: number): { out: Tensor; weights: Tensor } {
  const C = x.shape[2];
  const qkv = linear(x, cat([w.q.weight, w.k.weight, w.v.weight], 0), cat([w.q.bias, w.k.bias, w.v.bias], 0)); // (B, T, 3C)
  const [q, k, v] = [0, 1, 2].map((i) => splitHeads(narrow(qkv, 2, i * C, C), nHead));
  const y = attention(q, k, v, true);
  return { out: linear(mergeHeads(y.out), w.proj.weight, w.proj.bias), weights: y.weights };
}
`;

const MULTI_HEAD: CorpusEntry[] = [
  correct(MHA, 'index loops over .data for split and merge', { source: MHA_LOOPS }),
  correct(MHA, 'narrow + cat per head, matmul with the transposed weight', { source: MHA_NARROW }),
  correct(MHA, 'one attention call per head on (B, T, hs) slices', { source: MHA_PER_HEAD }),
  correct(MHA, 'a fused qkv projection cut with narrow, view instead of reshape', { source: MHA_FUSED }),

  // Not in any catalogue.
  bug(MHA, 'mergeHeads reads C as nh * T', {
    edits: [['return transpose(y, 1, 2).reshape(B, T, nh * hs);', 'return transpose(y, 1, 2).reshape(B, T, nh * T);']], at: 'reshape(B, T, nh * T)', kitOps: true,
  }),
  bug(MHA, 'k projected with the query weights', {
    edits: [['const k = splitHeads(linear(x, w.k.weight, w.k.bias), nHead);', 'const k = splitHeads(linear(x, w.q.weight, w.k.bias), nHead);']],
    at: 'linear(x, w.q.weight, w.k.bias)', kitOps: true,
  }),
  bug(MHA, 'the query bias left out', {
    base: MHA_PER_HEAD, edits: [['const q = linear(x, w.q.weight, w.q.bias);', 'const q = linear(x, w.q.weight);']], at: 'const q = linear(x, w.q.weight);', kitOps: true,
  }),
  bug(MHA, 'attention called with causal = false', {
    edits: [['attention(q, k, v, true);', 'attention(q, k, v, false);']], at: 'attention(q, k, v, false);', kitOps: true,
  }),
  bug(MHA, 'the residual x added inside the attention layer', {
    base: MHA_NARROW,
    edits: [['return { out: project(mergeHeads(out), w.proj), weights };', 'return { out: add(x, project(mergeHeads(out), w.proj)), weights };']],
    at: 'out: add(x, project(', kitOps: true,
  }),
  bug(MHA, 'nHead hard-coded to 4 in the split', {
    base: MHA_LOOPS, edits: [['splitHeads(linear(x, p.weight, p.bias), nHead)', 'splitHeads(linear(x, p.weight, p.bias), 4)']], at: 'p.bias), 4)', kitOps: true,
  }),
  bug(MHA, 'per-head slices taken from the wrong offset (h * nHead)', {
    base: MHA_PER_HEAD, edits: [['narrow(t, 2, h * hs, hs)', 'narrow(t, 2, h * nHead, hs)']], at: 'narrow(t, 2, h * nHead, hs)', kitOps: true,
  }),

  // Catalogued mistakes, written another way.
  bug(MHA, 'the data poured into a (B, nh, T, hs) tensor', {
    base: MHA_LOOPS,
    edits: [[`  const out = new Float32Array(x.data.length);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        const h = Math.floor(c / hs);
        const s = c % hs;
        out[((b * nHead + h) * T + t) * hs + s] = x.data[(b * T + t) * C + c];
      }
    }
  }
  return tensor(out, [B, nHead, T, hs]);`, '  return tensor(Float32Array.from(x.data), [B, nHead, T, hs]);']],
    at: 'return tensor(Float32Array.from(x.data), [B, nHead, T, hs]);', catalogued: 'split-without-transpose',
  }),
  bug(MHA, 'index-loop merge writing channel s * nh + h', {
    base: MHA_LOOPS, edits: [['out[(b * T + t) * C + h * hs + s] = y.data[i++];', 'out[(b * T + t) * C + s * nh + h] = y.data[i++];']],
    at: 's * nh + h] = y.data[i++]', catalogued: 'merge-interleaved',
  }),
  bug(MHA, 'index-loop split reading channel s * nHead + h', {
    base: MHA_LOOPS, edits: [['const h = Math.floor(c / hs);\n        const s = c % hs;', 'const h = c % nHead;\n        const s = Math.floor(c / nHead);']],
    at: 'const h = c % nHead;', catalogued: 'split-interleaved',
  }),
  bug(MHA, 'the per-head outputs concatenated and returned without the projection', {
    base: MHA_PER_HEAD, edits: [['out: linear(cat(outs, 2), w.proj.weight, w.proj.bias)', 'out: cat(outs, 2)']], at: 'out: cat(outs, 2)', catalogued: 'no-output-projection', kitOps: true,
  }),
  bug(MHA, 'q, k and v viewed as one head of C channels', {
    base: MHA_FUSED,
    edits: [['splitHeads(narrow(qkv, 2, i * C, C), nHead)', 'splitHeads(narrow(qkv, 2, i * C, C), 1)']], at: 'narrow(qkv, 2, i * C, C), 1)', catalogued: 'single-head', kitOps: true,
  }),
  bug(MHA, 'merge reshaped straight from (B, nh, T, hs)', {
    base: MHA_FUSED, edits: [['return transpose(y, 1, 2).view(B, T, nh * hs);', 'return y.view(B, T, nh * hs);']], at: 'return y.view(B, T, nh * hs);', catalogued: 'merge-without-transpose', kitOps: true,
  }),
];

// =====================================================================================================================
// Lesson 4: layerNorm, gelu, mlp, block, gptForward
// =====================================================================================================================

const GPT_SOURCE = solution(GPT);
/** An edit replacing the body of the reference's function that starts with `signature` (up to its closing brace). */
function newBody(signature: string, body: string): [string, string] {
  const at = GPT_SOURCE.indexOf(signature);
  const end = GPT_SOURCE.indexOf('\n}\n', at);
  if (at < 0 || end < 0) throw new Error(`no function ${signature} in the lesson-4 solution`);
  return [GPT_SOURCE.slice(at, end + 3), `${signature}\n${body}\n}\n`];
}
const LN_SIG = 'export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {';
const GELU_SIG = 'export function gelu(x: Tensor): Tensor {';
const MLP_SIG = 'export function mlp(x: Tensor, w: Weights, layer: number): Tensor {';
const BLOCK_SIG = 'export function block(x: Tensor, w: Weights, layer: number, config: GptConfig): BlockOutput {';
const KIT = 'type Tensor, add,';
const kit = (...names: string[]): [string, string] => [KIT, `type Tensor, ${names.join(', ')}, add,`];

/** Float64 two-pass LayerNorm and an elementwise GELU, both with index loops. */
const GPT_LOOPS = withEdits(GPT_SOURCE, [
  kit('tensor'),
  newBody(LN_SIG, `  const C = x.shape[x.ndim - 1];
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < x.data.length / C; r++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += x.data[r * C + c];
    m /= C;
    let s2 = 0;
    for (let c = 0; c < C; c++) s2 += (x.data[r * C + c] - m) ** 2;
    const rstd = 1 / Math.sqrt(s2 / C + eps);
    for (let c = 0; c < C; c++) out[r * C + c] = (x.data[r * C + c] - m) * rstd * weight.data[c] + bias.data[c];
  }
  return tensor(out, x.shape);`),
  newBody(GELU_SIG, '  return tensor(Float32Array.from(x.data, (u) => 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u ** 3)))), x.shape);'),
], 'lesson 4, loops');

/** One-pass variance E[x²] − E[x]², GELU as x·σ(2u), the MLP as matmul with the transposed weights. */
const GPT_ONE_PASS = withEdits(GPT_SOURCE, [
  kit('exp', 'matmul', 'transpose'),
  newBody(LN_SIG, `  const mu = mean(x, -1, true);
  const v = sub(mean(mul(x, x), -1, true), mul(mu, mu)); // E[x²] - E[x]²
  return add(mul(div(sub(x, mu), sqrt(add(v, eps))), weight), bias);`),
  newBody(GELU_SIG, `  const u = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return div(x, add(exp(mul(u, -2)), 1)); // 0.5 x (1 + tanh u) = x sigmoid(2u)`),
  newBody(MLP_SIG, `  const p = (name: string) => param(w, \`h.\${layer}.mlp.\${name}\`);
  const h = add(matmul(x, transpose(p('fc.weight'), 0, 1)), p('fc.bias'));
  return add(matmul(gelu(h), transpose(p('proj.weight'), 0, 1)), p('proj.bias'));`),
], 'lesson 4, one pass');

/** The kit's own layerNorm and gelu, a block written with reassignments, positions cut from wpe with narrow. */
const GPT_KIT = withEdits(GPT_SOURCE, [
  kit('narrow', 'layerNorm as kitLayerNorm', 'gelu as kitGelu'),
  newBody(LN_SIG, '  return kitLayerNorm(x, weight, bias, eps);'),
  newBody(GELU_SIG, '  return kitGelu(x);'),
  newBody(BLOCK_SIG, `  const ln = (t: Tensor, which: string) => layerNorm(t, param(w, \`h.\${layer}.\${which}.weight\`), param(w, \`h.\${layer}.\${which}.bias\`));
  const attn = multiHeadAttention(ln(x, 'ln_1'), attentionWeights(w, layer), config.nHead);
  let h = add(x, attn.out);
  h = add(h, mlp(ln(h, 'ln_2'), w, layer));
  return { out: h, attnOut: attn.out, attnWeights: attn.weights };`),
  ["const pos = embedding(param(w, 'wpe.weight'), Array.from({ length: T }, (_, t) => t), [T]);", "const pos = narrow(param(w, 'wpe.weight'), 0, 0, T);"],
], 'lesson 4, kit');

/** Welford's LayerNorm, GELU with the constant written out, embeddings gathered by loops, the LM head as matmul. */
const GPT_WELFORD = withEdits(GPT_SOURCE, [
  kit('tensor', 'matmul', 'transpose'),
  newBody(LN_SIG, `  const C = x.shape[x.ndim - 1];
  const y = new Float32Array(x.data.length);
  for (let r = 0; r * C < x.data.length; r++) {
    let m = 0;
    let m2 = 0;
    for (let c = 0; c < C; c++) {
      const u = x.data[r * C + c];
      const delta = u - m;
      m += delta / (c + 1);
      m2 += delta * (u - m);
    }
    const sd = Math.sqrt(m2 / C + eps);
    for (let c = 0; c < C; c++) y[r * C + c] = weight.data[c] * ((x.data[r * C + c] - m) / sd) + bias.data[c];
  }
  return tensor(y, x.shape);`),
  newBody(GELU_SIG, `  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), 0.7978845608028654);
  return mul(x, mul(add(tanh(inner), 1), 0.5));`),
  [`  const tok = embedding(param(w, 'wte.weight'), ids.flat(), [B, T]); //                         (B, T, C)
  const pos = embedding(param(w, 'wpe.weight'), Array.from({ length: T }, (_, t) => t), [T]); // (T, C), shared by the batch
  let x = add(tok, pos); //                                                                     (B, T, C)`, `  const wte = param(w, 'wte.weight');
  const wpe = param(w, 'wpe.weight');
  const C = config.nEmbd;
  const emb = new Float32Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) emb[(b * T + t) * C + c] = wte.data[ids[b][t] * C + c] + wpe.data[t * C + c];
    }
  }
  let x = tensor(emb, [B, T, C]);`],
  ["const logits = linear(x, param(w, 'wte.weight'));", "const logits = matmul(x, transpose(param(w, 'wte.weight'), 0, 1));"],
], 'lesson 4, Welford');

/** Bugs in the hand-worked layerNorm and gelu run only those functions' quick checks (the model checks take seconds). */
const LN_CHECKS = ['layerNorm: a worked example', 'layerNorm of a (2, 3, 8)', 'layerNorm of a constant row', 'layerNorm uses its eps argument'];
const GELU_CHECKS = ['gelu at hand-picked points', 'gelu of large inputs'];

const LN_LINE = 'const xhat = div(sub(x, mu), sqrt(add(v, eps)));';

const GPT_FORWARD: CorpusEntry[] = [
  correct(GPT, 'float64 two-pass LayerNorm and elementwise GELU with index loops', { source: GPT_LOOPS }),
  correct(GPT, 'one-pass variance, GELU as x·sigmoid(2u), MLP as matmul with transposed weights', { source: GPT_ONE_PASS }),
  correct(GPT, 'the kit\'s layerNorm and gelu, a block with reassignments, positions cut with narrow', { source: GPT_KIT }),
  correct(GPT, 'Welford LayerNorm, constant sqrt(2/pi), embeddings by loops, LM head as matmul', { source: GPT_WELFORD }),

  // Not in any catalogue.

  bug(GPT, 'eps defaults to 1e-6', { edits: [['eps = 1e-5): Tensor {', 'eps = 1e-6): Tensor {']], at: 'eps = 1e-6): Tensor {', checks: LN_CHECKS }),
  bug(GPT, 'GELU constant 0.04715', { base: GPT_LOOPS, edits: [['(u + 0.044715 * u ** 3)', '(u + 0.04715 * u ** 3)']], at: '(u + 0.04715 * u ** 3)', checks: GELU_CHECKS }),
  bug(GPT, 'GELU with 1 - tanh', { edits: [['add(tanh(inner), 1)', 'sub(1, tanh(inner))']], at: 'sub(1, tanh(inner))', kitOps: true, checks: GELU_CHECKS }),
  bug(GPT, 'mlp always reads layer 0', { edits: [['`h.${layer}.mlp.${name}`', '`h.0.mlp.${name}`']], at: '`h.0.mlp.${name}`' }),
  bug(GPT, 'block uses 4 heads whatever the config says', {
    edits: [['attentionWeights(w, layer), config.nHead);', 'attentionWeights(w, layer), 4);']], at: 'attentionWeights(w, layer), 4);', kitOps: true,
  }),
  bug(GPT, 'position ids start at 1', { edits: [['{ length: T }, (_, t) => t)', '{ length: T }, (_, t) => t + 1)']], at: '(_, t) => t + 1)', kitOps: true }),
  bug(GPT, 'a sequence of exactly blockSize tokens is refused', { edits: [['if (T > config.blockSize)', 'if (T >= config.blockSize)']], at: 'if (T >= config.blockSize)' }),
  bug(GPT, 'layerNorm centres x in place', {
    base: GPT_LOOPS, edits: [['out[r * C + c] = (x.data[r * C + c] - m) * rstd', 'out[r * C + c] = (x.data[r * C + c] -= m) * rstd']], at: '(x.data[r * C + c] -= m)', checks: LN_CHECKS,
  }),
  bug(GPT, 'the final LayerNorm uses the last block\'s ln_2', {
    edits: [["x = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias'));", 'x = layerNorm(x, param(w, `h.${config.nLayer - 1}.ln_2.weight`), param(w, `h.${config.nLayer - 1}.ln_2.bias`));']],
    at: 'ln_2.weight`), param(w, `h.${config.nLayer - 1}.ln_2.bias`))', kitOps: true,
  }),
  bug(GPT, 'GELU applied after the output projection', {
    edits: [["return linear(gelu(h), p('proj.weight'), p('proj.bias'));", "return gelu(linear(h, p('proj.weight'), p('proj.bias')));"]], at: 'return gelu(linear(h,', kitOps: true,
  }),
  bug(GPT, 'position embedding read from wte', {
    edits: [["const pos = embedding(param(w, 'wpe.weight')", "const pos = embedding(param(w, 'wte.weight')"]], at: "const pos = embedding(param(w, 'wte.weight')", kitOps: true,
  }),
  bug(GPT, 'the MLP branch added to the block input instead of x + attention', {
    edits: [["const out = add(x1, mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer));", "const out = add(x, mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer));"]],
    at: 'const out = add(x, mlp(', kitOps: true,
  }),
  bug(GPT, 'attnOut records x + attention instead of the attention branch', {
    edits: [['return { out, attnOut: a.out, attnWeights: a.weights };', 'return { out, attnOut: x1, attnWeights: a.weights };']], at: 'attnOut: x1', kitOps: true,
  }),

  // Catalogued mistakes, written another way.
  bug(GPT, 'loops normalising with a 1e-5 written into the formula (eps ignored)', {
    base: GPT_LOOPS, edits: [['Math.sqrt(s2 / C + eps)', 'Math.sqrt(s2 / C + 1e-5)']], at: 'Math.sqrt(s2 / C + 1e-5)', catalogued: 'ln-eps-ignored', checks: LN_CHECKS,
  }),
  bug(GPT, 'loops dividing the sum of squares by C - 1', {
    base: GPT_LOOPS, edits: [['Math.sqrt(s2 / C + eps)', 'Math.sqrt(s2 / (C - 1) + eps)']], at: 'Math.sqrt(s2 / (C - 1) + eps)', catalogued: 'ln-unbiased-variance', checks: LN_CHECKS,
  }),
  bug(GPT, 'eps added to the standard deviation, as a power -1', {
    edits: [[LN_LINE, 'const xhat = mul(sub(x, mu), pow(add(sqrt(v), eps), -1));']], at: 'pow(add(sqrt(v), eps), -1)', catalogued: 'ln-eps-outside-sqrt', kitOps: true, checks: LN_CHECKS,
  }),
  bug(GPT, 'loop GELU without the 0.5', {
    base: GPT_LOOPS, edits: [['(u) => 0.5 * u * (1 + Math.tanh(', '(u) => u * (1 + Math.tanh(']], at: '(u) => u * (1 + Math.tanh(', catalogued: 'gelu-no-half', checks: GELU_CHECKS,
  }),
  bug(GPT, 'loop GELU as max(0, u)', {
    base: GPT_LOOPS,
    edits: [['(u) => 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u ** 3)))', '(u) => Math.max(0, u)']], at: '(u) => Math.max(0, u)', catalogued: 'gelu-relu',
  }),
  bug(GPT, 'statistics over axis -2', {
    edits: [['mean(x, -1, true)', 'mean(x, -2, true)'], ['variance(x, -1, true)', 'variance(x, -2, true)']], at: 'mean(x, -2, true)', catalogued: 'ln-wrong-axis', kitOps: true, checks: LN_CHECKS,
  }),
  bug(GPT, 'reassigning block normalised after each residual addition', {
    base: GPT_KIT,
    edits: [
      ["const attn = multiHeadAttention(ln(x, 'ln_1'), attentionWeights(w, layer), config.nHead);", 'const attn = multiHeadAttention(x, attentionWeights(w, layer), config.nHead);'],
      ['let h = add(x, attn.out);', "let h = ln(add(x, attn.out), 'ln_1');"],
      ["h = add(h, mlp(ln(h, 'ln_2'), w, layer));", "h = ln(add(h, mlp(h, w, layer)), 'ln_2');"],
    ],
    at: 'const attn = multiHeadAttention(x, attentionWeights', catalogued: 'post-ln', kitOps: true,
  }),
  bug(GPT, 'reassigning block whose MLP reads the block input', {
    base: GPT_KIT, edits: [["h = add(h, mlp(ln(h, 'ln_2'), w, layer));", "h = add(h, mlp(ln(x, 'ln_2'), w, layer));"]], at: "mlp(ln(x, 'ln_2')", catalogued: 'parallel-block', kitOps: true,
  }),
  bug(GPT, 'reassigning block with ln_1 before the MLP', {
    base: GPT_KIT, edits: [["h = add(h, mlp(ln(h, 'ln_2'), w, layer));", "h = add(h, mlp(ln(h, 'ln_1'), w, layer));"]], at: "mlp(ln(h, 'ln_1')", catalogued: 'same-layer-norm', kitOps: true,
  }),
  bug(GPT, 'matmul MLP without the activation', {
    base: GPT_ONE_PASS, edits: [["matmul(gelu(h), transpose(p('proj.weight'), 0, 1))", "matmul(h, transpose(p('proj.weight'), 0, 1))"]],
    at: "matmul(h, transpose(p('proj.weight')", catalogued: 'mlp-no-activation', kitOps: true,
  }),
  bug(GPT, 'embeddings gathered by loops without wpe', {
    base: GPT_WELFORD, edits: [['= wte.data[ids[b][t] * C + c] + wpe.data[t * C + c];', '= wte.data[ids[b][t] * C + c];']], at: '= wte.data[ids[b][t] * C + c];', catalogued: 'no-position-embedding',
  }),
  bug(GPT, 'ln_f computed into another variable, the logits read x', {
    base: GPT_WELFORD,
    edits: [["x = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias'));", "const normed = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias'));\n  void normed;"]],
    at: "const logits = matmul(x, transpose(param(w, 'wte.weight'), 0, 1));", catalogued: 'no-final-layer-norm', kitOps: true,
  }),
];

export const CORPUS: CorpusEntry[] = [...ATTENTION, ...MULTI_HEAD, ...GPT_FORWARD];
