/**
 * The positions lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for positions/encodings written
 * independently of the catalogue. Correct files in other styles than the reference (loops over .data with a hand-written
 * float64 softmax; Hugging Face's x * cos + rotate(x) * sin with per-channel tables and an additive -Infinity mask;
 * float32 angles with one-hot matmul embeddings; rotation row by row, cos as a shifted sine, frequencies as
 * exp(-2i ln(base) / hs)), and one-bug variants: most of them mistakes no catalogue names (the rotation the other way,
 * a mask aligned top-left under the cache, no 1/sqrt(hs), a throw one position early, a missing last row, frequencies
 * starting at θ_1, the cosine channel on its own exponent), the others catalogued mistakes written a new way (one of
 * them in the Hugging Face style file: its cos/sin tables built with repeat_interleave for rotate_half too).
 *
 * Entries whose change is not in the embedding skip the bundled-model check (onnxruntime, about half a second).
 * Each bug's `line` is computed from its source: where a marker (by default the first line of the changed text)
 * occurs, exactly once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'positions/encodings';
const SOLUTION = readFileSync(path.join(LESSONS, '06c-positions', 'positions.solution.ts'), 'utf8');

const EMB = 'TokenPositionEmbedding: wte[id] + wpe[startPos + t]';
/** Every check but the bundled model's (for changes outside the embedding). */
const QUICK = [EMB, "sinusoidalEncoding: Vaswani et al.'s table", 'ropeFrequencies: θ_i = base^(−2i/hs)', 'applyRope: exact values for both pairings',
  'applyRope: q(m)·k(n) depends only on m − n', 'applyRope: token by token with startPos', 'attendWithRope: a whole sequence against float64',
  'attendWithRope: a KV cache fed token by token', 'beyond the context'];

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  /** Checks to run; default the quick ones (every check but the bundled model's). Pass [] for every check. */
  checks?: string[];
  at?: string;
}

function correct(name: string, source: string, checks?: string[]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

function bug(name: string, edits: [string, string][], opts: BugOptions = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  const checks = opts.checks ?? QUICK;
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
    ...(checks.length ? { checks } : {}),
  };
}

/** Everything in loops over .data (float64 sums, a hand-written softmax), the kit's embedding op for the tables. */
const LOOPS = `import { Embedding, Module, type Rng, Tensor, add, cat, embedding } from '@llm-lab/kit';

export interface EmbeddingConfig {
  vocabSize: number;
  blockSize: number;
  nEmbd: number;
}

export class TokenPositionEmbedding extends Module {
  wte: Embedding;
  wpe: Embedding;

  constructor(readonly config: EmbeddingConfig, rng: Rng) {
    super();
    this.wte = new Embedding(config.vocabSize, config.nEmbd, rng);
    this.wpe = new Embedding(config.blockSize, config.nEmbd, rng);
  }

  forward(ids: readonly ArrayLike<number>[], startPos = 0): Tensor {
    const B = ids.length;
    const T = ids[0].length;
    if (startPos < 0 || startPos + T > this.config.blockSize) throw new RangeError(\`positions past blockSize \${this.config.blockSize}\`);
    const flat: number[] = [];
    for (const row of ids) for (let t = 0; t < T; t++) flat.push(row[t]);
    const positions: number[] = [];
    for (let t = 0; t < T; t++) positions.push(startPos + t);
    return add(embedding(this.wte.weight, flat, [B, T]), embedding(this.wpe.weight, positions, [1, T]));
  }
}

export interface SinusoidalOptions {
  startPos?: number;
  base?: number;
}

export function sinusoidalEncoding(T: number, d: number, opts: SinusoidalOptions = {}): Tensor {
  if (d % 2 === 1) throw new Error('d must be even');
  const startPos = opts.startPos ?? 0;
  const base = opts.base ?? 10000;
  const data = new Float32Array(T * d);
  for (let row = 0; row < T; row++) {
    const p = startPos + row;
    for (let j = 0; j < d; j += 2) {
      const angle = p * Math.pow(base, -j / d); // j = 2i
      data[row * d + j] = Math.sin(angle);
      data[row * d + j + 1] = Math.cos(angle);
    }
  }
  return new Tensor(data, [T, d]);
}

export function ropeFrequencies(hs: number, base = 10000): number[] {
  if (hs % 2) throw new Error('odd head size');
  const out: number[] = [];
  for (let j = 0; j < hs; j += 2) out.push(1 / Math.pow(base, j / hs));
  return out;
}

export interface RopeOptions {
  base?: number;
  pairing?: 'interleaved' | 'halves';
}

export function applyRope(x: Tensor, startPos = 0, opts: RopeOptions = {}): Tensor {
  const hs = x.shape[x.shape.length - 1];
  const T = x.shape[x.shape.length - 2];
  const theta = ropeFrequencies(hs, opts.base ?? 10000);
  const halves = opts.pairing === 'halves';
  const out = new Float32Array(x.size);
  for (let r = 0; r < x.size / hs; r++) {
    const p = startPos + (r % T);
    for (let i = 0; i < hs / 2; i++) {
      const ja = halves ? i : 2 * i;
      const jb = halves ? i + hs / 2 : 2 * i + 1;
      const a = x.data[r * hs + ja];
      const b = x.data[r * hs + jb];
      const c = Math.cos(p * theta[i]);
      const s = Math.sin(p * theta[i]);
      out[r * hs + ja] = a * c - b * s;
      out[r * hs + jb] = a * s + b * c;
    }
  }
  return new Tensor(out, [...x.shape]);
}

export class RopeCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  get length(): number {
    return this.k ? this.k.shape[2] : 0;
  }
}

export function attendWithRope(q: Tensor, k: Tensor, v: Tensor, cache: RopeCache, opts: RopeOptions = {}): Tensor {
  const [B, H, T, hs] = q.shape;
  const start = cache.length;
  const qr = applyRope(q, start, opts);
  const kr = applyRope(k, start, opts);
  cache.k = cache.k === null ? kr : cat([cache.k, kr], 2);
  cache.v = cache.v === null ? v : cat([cache.v, v], 2);
  const Tk = start + T;
  const K = cache.k.data;
  const V = cache.v.data;
  const out = new Float32Array(B * H * T * hs);
  for (let bh = 0; bh < B * H; bh++) {
    for (let t = 0; t < T; t++) {
      const w = new Float64Array(start + t + 1);
      let max = -Infinity;
      for (let j = 0; j <= start + t; j++) {
        let s = 0;
        for (let c = 0; c < hs; c++) s += qr.data[(bh * T + t) * hs + c] * K[(bh * Tk + j) * hs + c];
        w[j] = s / Math.sqrt(hs);
        max = Math.max(max, w[j]);
      }
      let z = 0;
      for (let j = 0; j < w.length; j++) {
        w[j] = Math.exp(w[j] - max);
        z += w[j];
      }
      for (let j = 0; j < w.length; j++) {
        for (let c = 0; c < hs; c++) out[(bh * T + t) * hs + c] += (w[j] / z) * V[(bh * Tk + j) * hs + c];
      }
    }
  }
  return new Tensor(out, [B, H, T, hs]);
}
`;

/** Hugging Face's form with kit ops: x * cos + rotate_half(x) * sin (or rotate_every_two), an additive -Infinity mask. */
const HF_STYLE = `import { Embedding, Module, type Rng, Tensor, add, cat, div, matmul, mul, narrow, neg, softmax, transpose } from '@llm-lab/kit';

export interface EmbeddingConfig {
  vocabSize: number;
  blockSize: number;
  nEmbd: number;
}

export class TokenPositionEmbedding extends Module {
  wte: Embedding;
  wpe: Embedding;

  constructor(readonly config: EmbeddingConfig, rng: Rng) {
    super();
    this.wte = new Embedding(config.vocabSize, config.nEmbd, rng);
    this.wpe = new Embedding(config.blockSize, config.nEmbd, rng);
  }

  forward(ids: readonly ArrayLike<number>[], startPos = 0): Tensor {
    const T = ids[0].length;
    const C = this.config.nEmbd;
    if (startPos + T > this.config.blockSize) throw new RangeError('no position embedding for these positions');
    const rows = ids.map((r) => this.wte.forward(Array.from(r)).reshape(1, T, C)); // one row at a time
    const pos = narrow(this.wpe.weight, 0, startPos, T); //                          rows startPos .. startPos + T - 1
    return add(cat(rows, 0), pos);
  }
}

export interface SinusoidalOptions {
  startPos?: number;
  base?: number;
}

export function sinusoidalEncoding(T: number, d: number, { startPos = 0, base = 10000 }: SinusoidalOptions = {}): Tensor {
  if (!Number.isInteger(d / 2)) throw new RangeError(\`odd d: \${d}\`);
  const out = new Float32Array(T * d);
  for (let i = 0; i < d / 2; i++) {
    const freq = Math.exp((-2 * i * Math.log(base)) / d);
    for (let t = 0; t < T; t++) {
      out[t * d + 2 * i] = Math.sin((startPos + t) * freq);
      out[t * d + 2 * i + 1] = Math.cos((startPos + t) * freq);
    }
  }
  return new Tensor(out, [T, d]);
}

export function ropeFrequencies(hs: number, base = 10000): number[] {
  if (hs % 2 !== 0) throw new Error('hs must be even');
  return [...Array(hs / 2).keys()].map((i) => Math.exp((-2 * i / hs) * Math.log(base)));
}

export interface RopeOptions {
  base?: number;
  pairing?: 'interleaved' | 'halves';
}

/** Hugging Face's form: x * cos + rotate(x) * sin, with per-channel cos/sin tables (T, hs). */
function tables(T: number, hs: number, startPos: number, base: number, halves: boolean): [Tensor, Tensor] {
  const theta = ropeFrequencies(hs, base);
  const cos = new Float32Array(T * hs);
  const sin = new Float32Array(T * hs);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < hs; j++) {
      const i = halves ? j % (hs / 2) : Math.floor(j / 2); // cat(freqs, freqs) or repeat_interleave(freqs, 2)
      cos[t * hs + j] = Math.cos((startPos + t) * theta[i]);
      sin[t * hs + j] = Math.sin((startPos + t) * theta[i]);
    }
  }
  return [new Tensor(cos, [T, hs]), new Tensor(sin, [T, hs])];
}

function rotateHalf(x: Tensor): Tensor {
  const h = x.shape[x.ndim - 1] / 2;
  return cat([neg(narrow(x, -1, h, h)), narrow(x, -1, 0, h)], -1);
}

function rotateEveryTwo(x: Tensor): Tensor {
  const shape = x.shape;
  const pairs = x.reshape(...shape.slice(0, -1), shape[shape.length - 1] / 2, 2);
  const a = narrow(pairs, -1, 0, 1);
  const b = narrow(pairs, -1, 1, 1);
  return cat([neg(b), a], -1).reshape(...shape);
}

export function applyRope(x: Tensor, startPos = 0, opts: RopeOptions = {}): Tensor {
  const halves = (opts.pairing ?? 'interleaved') === 'halves';
  const [cos, sin] = tables(x.shape[x.ndim - 2], x.shape[x.ndim - 1], startPos, opts.base ?? 10000, halves);
  return add(mul(x, cos), mul(halves ? rotateHalf(x) : rotateEveryTwo(x), sin));
}

export class RopeCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  get length(): number {
    return this.k ? this.k.shape[2] : 0;
  }
}

export function attendWithRope(q: Tensor, k: Tensor, v: Tensor, cache: RopeCache, opts: RopeOptions = {}): Tensor {
  const past = cache.length;
  const T = q.shape[2];
  const keys = applyRope(k, past, opts);
  cache.k = cache.k ? cat([cache.k, keys], 2) : keys;
  cache.v = cache.v ? cat([cache.v, v], 2) : v;
  const Tk = past + T;
  const bias = new Float32Array(T * Tk);
  for (let t = 0; t < T; t++) for (let j = 0; j < Tk; j++) bias[t * Tk + j] = j <= past + t ? 0 : -Infinity;
  const scores = div(matmul(applyRope(q, past, opts), transpose(cache.k, -2, -1)), Math.sqrt(q.shape[3]));
  return matmul(softmax(add(scores, new Tensor(bias, [T, Tk])), -1), cache.v);
}
`;

const POS = 'const pos = this.wpe.forward(Array.from({ length: T }, (_, t) => startPos + t)); // (T, C): the positions, not the ids';
const SIN_LOOP = `    for (let i = 0; i < d / 2; i++) {
      const angle = (startPos + t) / base ** ((2 * i) / d);
      pe.data[t * d + 2 * i] = Math.sin(angle);
      pe.data[t * d + 2 * i + 1] = Math.cos(angle);
    }`;
const FREQS = 'return Array.from({ length: hs / 2 }, (_, i) => base ** (-(2 * i) / hs));';
const TABLES = `      cos[t * half + i] = Math.cos((startPos + t) * theta[i]);
      sin[t * half + i] = Math.sin((startPos + t) * theta[i]);`;
const ROTATE_QK = `  const qr = applyRope(q, start, opts);
  const kr = applyRope(k, start, opts);`;

/** Float32 angles everywhere, frequencies stored in a Float32Array, embeddings as one-hot rows times the tables. */
const FLOAT32 = withEdits(SOLUTION, [
  ["import { Embedding, Module, type Rng, Tensor, add, cat, div, matmul, maskedFill, mul, narrow, softmax, sub, transpose, zeros } from '@llm-lab/kit';",
    "import { Embedding, Module, type Rng, Tensor, add, cat, div, matmul, maskedFill, mul, narrow, softmax, sub, transpose, zeros } from '@llm-lab/kit';\n\n"
    + 'function oneHot(ids: number[], n: number): Tensor {\n  const out = zeros([ids.length, n]);\n  ids.forEach((id, r) => { out.data[r * n + id] = 1; });\n  return out;\n}'],
  ['    const tok = this.wte.forward(flat, [B, T]); //                                      (B, T, C)\n',
    '    const tok = matmul(oneHot(flat, this.config.vocabSize), this.wte.weight).reshape(B, T, this.config.nEmbd);\n'],
  [POS, 'const pos = matmul(oneHot(Array.from({ length: T }, (_, t) => startPos + t), this.config.blockSize), this.wpe.weight);'],
  ['      const angle = (startPos + t) / base ** ((2 * i) / d);', '      const angle = Math.fround((startPos + t) / base ** ((2 * i) / d));'],
  [FREQS, 'return Array.from(Float32Array.from({ length: hs / 2 }, (_, i) => base ** (-(2 * i) / hs)));'],
  [TABLES, '      const angle = Math.fround((startPos + t) * theta[i]);\n      cos[t * half + i] = Math.cos(angle);\n      sin[t * half + i] = Math.sin(angle);'],
], 'float32 angles');

/** Rotation one row at a time, cos written as a shifted sine, frequencies as exp(-2i ln(base) / hs). */
const ROW_BY_ROW = withEdits(SOLUTION, [
  ['      pe.data[t * d + 2 * i + 1] = Math.cos(angle);', '      pe.data[t * d + 2 * i + 1] = Math.sin(angle + Math.PI / 2);'],
  [FREQS, 'const out: number[] = [];\n  for (let i = 0; i < hs / 2; i++) out.push(Math.exp((-2 * i * Math.log(base)) / hs));\n  return out;'],
  [ROTATE_QK, `  const rowByRow = (x: Tensor) => cat(Array.from({ length: x.shape[2] }, (_, t) => applyRope(narrow(x, 2, t, 1), start + t, opts)), 2);
  const qr = rowByRow(q);
  const kr = rowByRow(k);`],
], 'row by row');

export const CORPUS: CorpusEntry[] = [
  correct('loops over .data, float64 softmax by hand, the kit embedding op', LOOPS),
  correct("Hugging Face's x * cos + rotate(x) * sin with kit ops, additive -Infinity mask, narrow(wpe)", HF_STYLE, QUICK),
  correct('float32 angles, frequencies in a Float32Array, one-hot matmul embeddings', FLOAT32),
  correct('RoPE row by row at start + t, cos as sin(angle + π/2), frequencies as exp(-2i ln(base) / hs)', ROW_BY_ROW, QUICK),

  bug('rotation the other way: the sine table negated', [[TABLES, '      cos[t * half + i] = Math.cos((startPos + t) * theta[i]);\n      sin[t * half + i] = -Math.sin((startPos + t) * theta[i]);']],
    { at: 'sin[t * half + i] = -Math.sin((startPos + t) * theta[i]);' }),
  bug('causal mask aligned top-left under the cache', [['for (let t = 0; t < T; t++) for (let j = start + t + 1; j < Tk; j++) mask.data[t * Tk + j] = 1;',
    'for (let t = 0; t < T; t++) for (let j = t + 1; j < Tk; j++) mask.data[t * Tk + j] = 1;']]),
  bug('scores not scaled by 1/sqrt(hs)', [['const scores = div(matmul(qr, transpose(cache.k, 2, 3)), Math.sqrt(hs)); // (B, H, T, Tk)',
    'const scores = matmul(qr, transpose(cache.k, 2, 3)); // (B, H, T, Tk)']], { kitOps: true }),
  bug('throws one position early (>= blockSize)', [['if (startPos + T > this.config.blockSize) {', 'if (startPos + T >= this.config.blockSize) {']], { checks: [EMB] }),
  bug('the last row of the sinusoidal table left at zero', [['  const pe = zeros([T, d]);\n  for (let t = 0; t < T; t++) {', '  const pe = zeros([T, d]);\n  for (let t = 0; t < T - 1; t++) {']],
    { at: 'for (let t = 0; t < T - 1; t++) {' }),
  bug('RoPE frequencies start at θ_1 (i + 1)', [[FREQS, 'return Array.from({ length: hs / 2 }, (_, i) => base ** (-(2 * (i + 1)) / hs));']]),
  bug('the cosine channel on its own exponent (2i + 1)/d', [['      pe.data[t * d + 2 * i + 1] = Math.cos(angle);', '      pe.data[t * d + 2 * i + 1] = Math.cos((startPos + t) / base ** ((2 * i + 1) / d));']]),
  bug('values rotated when they are read from the cache', [['return matmul(softmax(maskedFill(scores, mask, -Infinity), -1), cache.v);',
    'return matmul(softmax(maskedFill(scores, mask, -Infinity), -1), applyRope(cache.v, 0, opts));']], { catalogued: 'rope-on-values', kitOps: true }),
  bug('positions from row 0 of wpe, by narrow', [[POS, 'const pos = narrow(this.wpe.weight, 0, 0, T);']], { catalogued: 'positions-restart', kitOps: true, checks: [] }),
  bug("Hugging Face's tables built with repeat_interleave for rotate_half too", [['const i = halves ? j % (hs / 2) : Math.floor(j / 2); // cat(freqs, freqs) or repeat_interleave(freqs, 2)',
    'const i = Math.floor(j / 2); // repeat_interleave(freqs, 2)']], { catalogued: 'pairing-mixed' }, HF_STYLE),
  bug('sin and cos swapped, written channel by channel', [[SIN_LOOP, `    for (let j = 0; j < d; j++) {
      const angle = (startPos + t) / base ** ((2 * Math.floor(j / 2)) / d);
      pe.data[t * d + j] = j % 2 === 0 ? Math.cos(angle) : Math.sin(angle);
    }`]], { catalogued: 'sin-cos-swapped', at: 'pe.data[t * d + j] = j % 2 === 0 ? Math.cos(angle) : Math.sin(angle);' }),
];
