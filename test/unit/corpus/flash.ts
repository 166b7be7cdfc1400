/**
 * The FlashAttention lesson's grading-truth corpus (see test/unit/corpus.ts): other correct styles of
 * flashAttention(q, k, v, causal, blockQ, blockK), written the way learners write them, and one-bug variants. Correct
 * files: FlashAttention-2's order with float64 accumulators and an early return, a hybrid that computes each tile's
 * scores with kit ops batched over the leading axes, a log-space form that keeps a running lse and a normalised
 * output, and the reference with a computed loop bound and a copy of q. Bugs change ONE thing; more than half are
 * mistakes no catalogue names; every `line` is computed from the resulting file (the line holding a marker).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'flash-attention/flash';
const SOLUTION = readFileSync(path.join(LESSONS, '14d-flash-attention/flash.solution.ts'), 'utf8');

function correct(name: string, file: { source: string } | { edits: [string, string][] }): CorpusEntry {
  if ('edits' in file) withEdits(SOLUTION, file.edits, name); // fails loudly if an edit does not apply
  return { exercise: EX, name, kind: 'correct', ...file };
}

interface BugSpec {
  /** A correct source of this corpus to put the bug into; default the reference solution (then `edits` stay edits). */
  base?: string;
  edits: [string, string][];
  /** Text on the faulty line of the resulting file (occurs exactly once there). */
  at: string;
  catalogued?: string;
  kitOps?: boolean;
  checks?: string[];
}

function bug(name: string, spec: BugSpec): CorpusEntry {
  const text = withEdits(spec.base ?? SOLUTION, spec.edits, name);
  const file = spec.base ? { source: text } : { edits: spec.edits };
  return {
    exercise: EX, name, kind: 'bug', ...file, line: lineOf(text, spec.at, name),
    ...(spec.catalogued ? { catalogued: spec.catalogued } : {}), ...(spec.kitOps ? { kitOps: true } : {}), ...(spec.checks ? { checks: spec.checks } : {}),
  };
}

/** FlashAttention-2's order (probabilities against the new max, no per-tile sums), float64 state, an early return. */
const FA2 = `import { type Tensor, tensor } from '@llm-lab/kit';

export interface FlashResult {
  out: Tensor;
  lse: Tensor;
}

export function flashAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, blockQ = 16, blockK = 16): FlashResult {
  const [Tq, d] = q.shape.slice(-2);
  const Tk = k.shape[k.shape.length - 2];
  const dv = v.shape[v.shape.length - 1];
  if (causal && Tq !== Tk) throw new Error('causal attention needs as many keys as queries');
  const batch = q.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(batch * Tq * dv);
  const lse = new Float32Array(batch * Tq);
  const m = new Float64Array(blockQ);
  const l = new Float64Array(blockQ);
  const acc = new Float64Array(blockQ * dv);
  const scores = new Float64Array(blockK);

  const finish = (b: number, i0: number, rows: number): void => {
    for (let r = 0; r < rows; r++) {
      for (let x = 0; x < dv; x++) out[(b * Tq + i0 + r) * dv + x] = acc[r * dv + x] / l[r];
      lse[b * Tq + i0 + r] = m[r] + Math.log(l[r]);
    }
  };

  const queryTile = (b: number, i0: number): void => {
    const rows = Math.min(blockQ, Tq - i0);
    m.fill(-Infinity);
    l.fill(0);
    acc.fill(0);
    for (let j0 = 0; j0 < Tk; j0 += blockK) {
      if (causal && j0 >= i0 + rows) return finish(b, i0, rows);
      const cols = Math.min(blockK, Tk - j0);
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        let mNew = m[r];
        for (let c = 0; c < cols; c++) {
          const j = j0 + c;
          if (causal && j > i) {
            scores[c] = -Infinity;
            continue;
          }
          let dot = 0;
          for (let x = 0; x < d; x++) dot += q.data[(b * Tq + i) * d + x] * k.data[(b * Tk + j) * d + x];
          scores[c] = dot / Math.sqrt(d);
          mNew = Math.max(mNew, scores[c]);
        }
        if (mNew === -Infinity) continue;
        const alpha = Math.exp(m[r] - mNew);
        l[r] *= alpha;
        for (let x = 0; x < dv; x++) acc[r * dv + x] *= alpha;
        for (let c = 0; c < cols; c++) {
          const p = Math.exp(scores[c] - mNew);
          if (p === 0) continue;
          l[r] += p;
          for (let x = 0; x < dv; x++) acc[r * dv + x] += p * v.data[(b * Tk + j0 + c) * dv + x];
        }
        m[r] = mNew;
      }
    }
    finish(b, i0, rows);
  };

  for (let b = 0; b < batch; b++) for (let i0 = 0; i0 < Tq; i0 += blockQ) queryTile(b, i0);
  return { out: tensor(out, [...q.shape.slice(0, -1), dv]), lse: tensor(lse, q.shape.slice(0, -1)) };
}
`;

/** Each tile's scores with kit ops (narrow, matmul, transpose), batched over the leading axes; the softmax in loops. */
const KIT = `import { type Tensor, matmul, mul, narrow, tensor, transpose } from '@llm-lab/kit';

export interface FlashResult {
  out: Tensor;
  lse: Tensor;
}

export function flashAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, blockQ = 16, blockK = 16): FlashResult {
  const Tq = q.shape[q.ndim - 2];
  const d = q.shape[q.ndim - 1];
  const Tk = k.shape[k.ndim - 2];
  const dv = v.shape[v.ndim - 1];
  if (causal && Tq !== Tk) throw new Error(\`causal needs T_q = T_k (got \${Tq} and \${Tk})\`);
  const B = q.data.length / (Tq * d);
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(B * Tq * dv);
  const lse = new Float32Array(B * Tq);
  for (let i0 = 0; i0 < Tq; i0 += blockQ) {
    const rows = Math.min(blockQ, Tq - i0);
    const qt = narrow(q, q.ndim - 2, i0, rows); // (..., rows, d)
    const m = new Float32Array(B * rows).fill(-Infinity);
    const l = new Float32Array(B * rows);
    const acc = new Float32Array(B * rows * dv);
    for (let j0 = 0; j0 < Tk; j0 += blockK) {
      if (causal && j0 > i0 + rows - 1) break;
      const cols = Math.min(blockK, Tk - j0);
      const s = mul(matmul(qt, transpose(narrow(k, k.ndim - 2, j0, cols), -2, -1)), scale); // (..., rows, cols)
      const vt = narrow(v, v.ndim - 2, j0, cols).data; // (..., cols, dv)
      const hidden = (r: number, c: number): boolean => causal && j0 + c > i0 + r;
      for (let b = 0; b < B; b++) {
        for (let r = 0; r < rows; r++) {
          const row = (b * rows + r) * cols;
          const at = b * rows + r;
          let tileMax = -Infinity;
          for (let c = 0; c < cols; c++) if (!hidden(r, c)) tileMax = Math.max(tileMax, s.data[row + c]);
          if (tileMax === -Infinity) continue;
          const mNew = Math.max(m[at], tileMax);
          const alpha = Math.exp(m[at] - mNew);
          l[at] *= alpha;
          for (let x = 0; x < dv; x++) acc[at * dv + x] *= alpha;
          for (let c = 0; c < cols; c++) {
            if (hidden(r, c)) continue;
            const p = Math.exp(s.data[row + c] - mNew);
            l[at] += p;
            for (let x = 0; x < dv; x++) acc[at * dv + x] += p * vt[(b * cols + c) * dv + x];
          }
          m[at] = mNew;
        }
      }
    }
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < rows; r++) {
        const at = b * rows + r;
        for (let x = 0; x < dv; x++) out[(b * Tq + i0 + r) * dv + x] = acc[at * dv + x] / l[at];
        lse[b * Tq + i0 + r] = m[at] + Math.log(l[at]);
      }
    }
  }
  return { out: tensor(out, [...q.shape.slice(0, -1), dv]), lse: tensor(lse, q.shape.slice(0, -1)) };
}
`;

/** Log space: a running lse and an output normalised after every tile (xformers' memory-efficient attention style). */
const LOGSPACE = `import { type Tensor, tensor } from '@llm-lab/kit';

export interface FlashResult {
  out: Tensor;
  lse: Tensor;
}

/** log(e^a + e^b), also for a or b = -Infinity. */
function logAddExp(a: number, b: number): number {
  const hi = Math.max(a, b);
  if (hi === -Infinity) return -Infinity;
  return hi + Math.log(Math.exp(a - hi) + Math.exp(b - hi));
}

export function flashAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, blockQ = 16, blockK = 16): FlashResult {
  const d = q.shape[q.ndim - 1];
  const Tq = q.shape[q.ndim - 2];
  const Tk = k.shape[k.ndim - 2];
  const dv = v.shape[v.ndim - 1];
  if (causal && Tq !== Tk) throw new Error('flashAttention: causal with T_q != T_k');
  const B = q.data.length / (Tq * d);
  const out = new Float32Array(B * Tq * dv);
  const lse = new Float32Array(B * Tq);
  const s = new Float64Array(blockK);
  const tileOut = new Float64Array(dv);
  for (let b = 0; b < B; b++) {
    for (let i0 = 0; i0 < Tq; i0 += blockQ) {
      const rows = Math.min(blockQ, Tq - i0);
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        let runLse = -Infinity;
        const o = out.subarray((b * Tq + i) * dv, (b * Tq + i + 1) * dv); // normalised so far
        for (let j0 = 0; j0 < Tk; j0 += blockK) {
          if (causal && j0 > i0 + rows - 1) break;
          const cols = Math.min(blockK, Tk - j0);
          let tileMax = -Infinity;
          for (let c = 0; c < cols; c++) {
            const j = j0 + c;
            let dot = 0;
            for (let x = 0; x < d; x++) dot += q.data[(b * Tq + i) * d + x] * k.data[(b * Tk + j) * d + x];
            s[c] = causal && j > i ? -Infinity : dot / Math.sqrt(d);
            tileMax = Math.max(tileMax, s[c]);
          }
          if (tileMax === -Infinity) continue;
          let tileSum = 0;
          for (let c = 0; c < cols; c++) tileSum += Math.exp(s[c] - tileMax);
          const tileLse = tileMax + Math.log(tileSum);
          tileOut.fill(0);
          for (let c = 0; c < cols; c++) {
            const p = Math.exp(s[c] - tileLse);
            for (let x = 0; x < dv; x++) tileOut[x] += p * v.data[(b * Tk + j0 + c) * dv + x];
          }
          const newLse = logAddExp(runLse, tileLse);
          const keep = Math.exp(runLse - newLse);
          const add = Math.exp(tileLse - newLse);
          for (let x = 0; x < dv; x++) o[x] = keep * o[x] + add * tileOut[x];
          runLse = newLse;
        }
        lse[b * Tq + i] = runLse;
      }
    }
  }
  return { out: tensor(out, [...q.shape.slice(0, -1), dv]), lse: tensor(lse, q.shape.slice(0, -1)) };
}
`;

const SKIP = 'for (let j0 = 0; j0 < Tk; j0 += blockK) {\n        if (causal && j0 > i0 + rows - 1) break; // this tile and all later ones are in every row\'s future';

export const CORPUS: CorpusEntry[] = [
  correct('FlashAttention-2 order, float64 state, early return', { source: FA2 }),
  correct('tile scores with kit ops batched over the leading axes, softmax in loops', { source: KIT }),
  correct('log space: running lse, output normalised after every tile', { source: LOGSPACE }),
  correct('reference with a computed loop bound, a copy of q, lse = log(l) + m', {
    edits: [
      [SKIP, 'const end = causal ? Math.min(Tk, i0 + rows) : Tk;\n      for (let j0 = 0; j0 < end; j0 += blockK) {'],
      ['const scale = 1 / Math.sqrt(d);', 'const scale = 1 / Math.sqrt(d);\n  const qd = Float32Array.from(q.data);'],
      ['dot += q.data[(b * Tq + i) * d + x]', 'dot += qd[(b * Tq + i) * d + x]'],
      ['lse[b * Tq + i] = m[r] + Math.log(l[r]);', 'lse[b * Tq + i] = Math.log(l[r]) + m[r];'],
    ],
  }),

  // Mistakes no catalogue names.
  bug('scores divided by d, not √d', { edits: [['const scale = 1 / Math.sqrt(d);', 'const scale = 1 / d;']], at: 'const scale = 1 / d;' }),
  bug('causal tile skipped one position too early (>=)', {
    edits: [['if (causal && j0 > i0 + rows - 1) break;', 'if (causal && j0 >= i0 + rows - 1) break;']], at: 'j0 >= i0 + rows - 1',
  }),
  bug('last key tile not shortened when blockK does not divide T_k', {
    edits: [['const cols = Math.min(blockK, Tk - j0);', 'const cols = blockK;']], at: 'const cols = blockK;',
  }),
  bug('v indexed with T_q instead of T_k', {
    edits: [['tileAcc[x] += p * v.data[(b * Tk + j0 + c) * dv + x];', 'tileAcc[x] += p * v.data[(b * Tq + j0 + c) * dv + x];']],
    at: 'v.data[(b * Tq + j0 + c) * dv + x]',
  }),
  bug('causal mask hides the diagonal (j >= i)', { base: FA2, edits: [['if (causal && j > i) {', 'if (causal && j >= i) {']], at: 'if (causal && j >= i) {' }),
  bug('break instead of continue for a row that sees nothing of a tile', {
    edits: [['if (tileMax === -Infinity) continue;', 'if (tileMax === -Infinity) break;']], at: 'if (tileMax === -Infinity) break;',
  }),

  // Catalogued mistakes, written a new way.
  bug('FlashAttention-2 order without rescaling the accumulator', {
    base: FA2, edits: [['        for (let x = 0; x < dv; x++) acc[r * dv + x] *= alpha;\n', '']], at: 'l[r] *= alpha;', catalogued: 'no-rescale',
  }),
  bug('kit-ops tiles masked with indices inside the tile', {
    base: KIT, edits: [['causal && j0 + c > i0 + r;', 'causal && c > r;']], at: 'causal && c > r;', catalogued: 'tile-local-mask',
  }),
  bug('log space without the guard for a row that sees nothing', {
    base: LOGSPACE, edits: [['          if (tileMax === -Infinity) continue;\n', '']], at: 'let tileSum = 0;', catalogued: 'nan-masked-tile',
  }),
  bug('kit-ops tiles cut out of the full score matrix', {
    base: KIT,
    edits: [['const s = mul(matmul(qt, transpose(narrow(k, k.ndim - 2, j0, cols), -2, -1)), scale); // (..., rows, cols)',
      'const s = narrow(narrow(mul(matmul(q, transpose(k, -2, -1)), scale), q.ndim - 2, i0, rows), q.ndim - 1, j0, cols);']],
    at: 'const s = narrow(narrow(', catalogued: 'full-score-matrix', kitOps: true,
  }),
];
