/**
 * The precision lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for precision/scaling written
 * independently of the catalogue. Correct files in other styles than the reference (fp16 built on the bits, or by
 * comparing the two neighbours, or with the exponent found by a loop; bf16 with doubles or a DataView; the
 * accumulated losses summed into one graph with a single backward; weights precomputed; the kit's clipGradNorm, which
 * divides by norm + 1e-6 as PyTorch does; unscaling by a reciprocal; float64 gradients...), and one-bug variants: most
 * of them mistakes no catalogue names (the overflow threshold at 65504, -0 losing its sign, NaN payloads rounded to
 * Infinity, opts.mean ignored, the growth counter not reset, only NaN detected, gradients not rounded to fp16, the
 * working copy not refreshed...), the others catalogued mistakes written a new way (`catalogued`).
 *
 * Every entry runs the quick checks only, except one correct file and one bug that also run the training check.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'precision/scaling';
const SOLUTION = readFileSync(path.join(LESSONS, '06e-precision', 'precision.solution.ts'), 'utf8');

const FP16 = ['toFp16: hand-worked values', 'toFp16: bit for bit', 'small gradients underflow'];
const BF16 = ['toBf16: hand-worked and random values'];
const ACC = ['accumulateGradients: k equal micro batches', 'accumulateGradients: micro batches of different sizes'];
const SCALER = ['DynamicLossScaler: the state sequence', "DynamicLossScaler: PyTorch's defaults"];
const STEP = ['mixedPrecisionStep:'];
const QUICK = [...FP16, ...BF16, ...ACC, ...SCALER, ...STEP];

/** The reference solution with one top-level declaration (`export function name` or `export class name`) replaced. */
function replaceDecl(source: string, name: string, text: string): string {
  const start = source.search(new RegExp(`export (function|class) ${name}\\b`));
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

/** fp16 on the bits (sign, exponent, mantissa; round on the dropped bits); bf16 with doubles; weights precomputed; kit clipping. */
const BITS = replaceAll({
  toFp16: `
export function toFp16(x: Float32Array): Float32Array {
  const u32 = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const u = u32[i];
    const neg = u >>> 31 === 1;
    const exp = (u >>> 23) & 0xff;
    const mant = u & 0x7fffff;
    let value: number;
    if (exp === 0xff) value = mant ? NaN : Infinity;
    else {
      const e = exp - 127;
      if (e < -25) value = 0;
      else {
        const full = exp === 0 ? mant : mant | 0x800000; // 24-bit significand (float32 subnormals have no hidden bit)
        const drop = e >= -14 ? 13 : 13 + (-14 - e); // bits below fp16's spacing
        const kept = Math.floor(full / 2 ** drop);
        const rest = full - kept * 2 ** drop;
        const half = 2 ** (drop - 1);
        const q = rest > half || (rest === half && kept % 2 === 1) ? kept + 1 : kept;
        value = q * 2 ** (Math.max(e, -14) - 10);
        if (value > 65504) value = Infinity;
      }
    }
    out[i] = neg ? -value : value;
  }
  return out;
}`,
  toBf16: `
export function toBf16(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const a = Math.abs(v);
    if (!(a > 0) || a === Infinity) { // NaN, ±0, ±Infinity
      out[i] = v;
      continue;
    }
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    if (2 ** (e + 1) <= a) e++;
    const ulp = 2 ** (Math.max(e, -126) - 7);
    const q = a / ulp;
    const f = Math.floor(q);
    const r = (q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f) * ulp;
    out[i] = v < 0 ? -r : r; // r = 2^128 is stored as Infinity
  }
  return out;
}`,
  accumulateGradients: `
export function accumulateGradients<B extends MicroBatch>(microBatches: B[], lossFn: (mb: B) => Tensor, opts: AccumulateOptions = {}): number {
  const counts = microBatches.map((mb) => (opts.mean === 'sequence' ? mb.sequences : mb.tokens));
  const total = counts.reduce((a, b) => a + b, 0);
  if (!microBatches.length || total <= 0) throw new RangeError('nothing to average');
  const weights = counts.map((c) => c / total);
  let loss = 0;
  microBatches.forEach((mb, k) => {
    const l = lossFn(mb);
    loss += weights[k] * l.item();
    mul(l, weights[k]).backward();
  });
  return loss;
}`,
  mixedPrecisionStep: `
export function mixedPrecisionStep(
  master: Float32Array[], model: Tensor[], lossFn: () => Tensor, scaler: DynamicLossScaler, opts: MixedPrecisionOptions,
): StepResult {
  model.forEach((p) => p.zeroGrad());
  const loss = lossFn();
  const value = loss.item();
  mul(loss, scaler.scale).backward();
  const holders = model.map((p, j) => {
    const g16 = toFp16(p.grad ?? new Float32Array(p.size));
    const h = new Tensor(master[j], p.shape);
    h.grad = g16.map((g) => g / scaler.scale);
    return h;
  });
  if (scaler.foundInf(holders.map((h) => h.grad as Float32Array))) {
    scaler.update(true);
    return { loss: value, skipped: true, gradNorm: NaN };
  }
  const gradNorm = clipGradNorm(holders, opts.maxNorm ?? Infinity);
  holders.forEach((h, j) => {
    const g = h.grad as Float32Array;
    for (let i = 0; i < g.length; i++) master[j][i] -= opts.lr * g[i];
    model[j].data.set(toFp16(master[j]));
  });
  scaler.update(false);
  return { loss: value, skipped: false, gradNorm };
}`,
}, ["import { mul, type Tensor } from '@llm-lab/kit';", "import { Tensor, clipGradNorm, mul } from '@llm-lab/kit';"]);

/** fp16 by comparing the two neighbours; bf16 with a DataView; one graph and one backward; float64 gradients, reciprocal. */
const NEIGHBOURS = replaceAll({
  toFp16: `
export function toFp16(x: Float32Array): Float32Array {
  return x.map((v) => {
    if (v !== v || v === 0) return v;
    const a = Math.abs(v);
    if (a >= 65520) return v < 0 ? -Infinity : Infinity;
    let e = 0;
    let p = 1; // p = 2^e with p <= a < 2p
    while (p > a) { p /= 2; e--; }
    while (p * 2 <= a) { p *= 2; e++; }
    const step = 2 ** (Math.max(e, -14) - 10);
    const lo = Math.floor(a / step) * step;
    const hi = lo + step;
    let r: number;
    if (a - lo < hi - a) r = lo;
    else if (a - lo > hi - a) r = hi;
    else r = (lo / step) % 2 === 0 ? lo : hi;
    return Math.sign(v) * r;
  });
}`,
  toBf16: `
export function toBf16(x: Float32Array): Float32Array {
  const view = new DataView(new ArrayBuffer(4));
  const out = new Float32Array(x.length);
  x.forEach((v, i) => {
    if (Number.isNaN(v)) { out[i] = NaN; return; }
    view.setFloat32(0, v);
    const u = view.getUint32(0);
    const lower = u & 0xffff;
    let upper = u >>> 16;
    if (lower > 0x8000 || (lower === 0x8000 && (upper & 1) === 1)) upper += 1;
    view.setUint32(0, (upper << 16) >>> 0);
    out[i] = view.getFloat32(0);
  });
  return out;
}`,
  accumulateGradients: `
export function accumulateGradients<B extends MicroBatch>(microBatches: B[], lossFn: (mb: B) => Tensor, opts: AccumulateOptions = {}): number {
  const bySequence = (opts.mean ?? 'token') === 'sequence';
  let total = 0;
  for (const mb of microBatches) total += bySequence ? mb.sequences : mb.tokens;
  if (total === 0) throw new RangeError('accumulateGradients: no tokens');
  let sum: Tensor | null = null;
  for (const mb of microBatches) {
    const part = mul(lossFn(mb), (bySequence ? mb.sequences : mb.tokens) / total);
    sum = sum ? add(sum, part) : part;
  }
  (sum as Tensor).backward();
  return (sum as Tensor).item();
}`,
  mixedPrecisionStep: `
export function mixedPrecisionStep(
  master: Float32Array[], model: Tensor[], lossFn: () => Tensor, scaler: DynamicLossScaler, opts: MixedPrecisionOptions,
): StepResult {
  for (const p of model) if (p.grad) p.grad.fill(0);
  const loss = lossFn();
  mul(loss, scaler.scale).backward();
  const inv = 1 / scaler.scale;
  const g16 = model.map((p) => toFp16(p.grad ?? new Float32Array(p.size)));
  const grads = g16.map((g) => Float64Array.from(g, (v) => v * inv));
  let sq = 0;
  for (const g of grads) for (const v of g) sq += v * v;
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) {
    scaler.update(true);
    return { loss: loss.item(), skipped: true, gradNorm: norm };
  }
  const coef = opts.maxNorm !== undefined && norm > opts.maxNorm ? opts.maxNorm / norm : 1;
  grads.forEach((g, j) => {
    for (let i = 0; i < g.length; i++) master[j][i] -= opts.lr * coef * g[i];
    model[j].data.set(toFp16(master[j]));
  });
  scaler.update(false);
  return { loss: loss.item(), skipped: false, gradNorm: norm };
}`,
}, ["import { mul, type Tensor } from '@llm-lab/kit';", "import { add, mul, type Tensor } from '@llm-lab/kit';"]);

/** The scaler written with a private growth tracker behind a getter, the step with one loop per parameter. */
const TRACKER = replaceAll({
  DynamicLossScaler: `
export class DynamicLossScaler {
  scale: number;
  private tracker = 0;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;

  constructor({ initScale = 65536, growthFactor = 2, backoffFactor = 0.5, growthInterval = 2000 }: LossScalerOptions = {}) {
    this.scale = initScale;
    this.growthFactor = growthFactor;
    this.backoffFactor = backoffFactor;
    this.growthInterval = growthInterval;
  }

  get goodSteps(): number {
    return this.tracker;
  }

  foundInf(grads: Float32Array[]): boolean {
    return grads.some((g) => g.some((v) => Number.isNaN(v) || Math.abs(v) === Infinity));
  }

  update(foundInf: boolean): void {
    if (foundInf) {
      this.scale = this.scale * this.backoffFactor;
      this.tracker = 0;
    } else if (this.tracker + 1 === this.growthInterval) {
      const next = this.scale * this.growthFactor;
      this.scale = Number.isFinite(next) ? next : this.scale;
      this.tracker = 0;
    } else {
      this.tracker += 1;
    }
  }
}`,
  mixedPrecisionStep: `
export function mixedPrecisionStep(
  master: Float32Array[], model: Tensor[], lossFn: () => Tensor, scaler: DynamicLossScaler, opts: MixedPrecisionOptions,
): StepResult {
  const S = scaler.scale;
  for (const p of model) p.grad = null;
  const loss = lossFn();
  mul(loss, S).backward();
  const grads: Float32Array[] = [];
  let bad = false;
  for (const p of model) {
    const g = toFp16(p.grad ?? new Float32Array(p.size));
    for (let i = 0; i < g.length; i++) {
      g[i] = g[i] / S;
      if (!Number.isFinite(g[i])) bad = true;
    }
    grads.push(g);
  }
  if (bad) {
    scaler.update(true);
    return { loss: loss.item(), skipped: true, gradNorm: Infinity };
  }
  const norm = Math.hypot(...grads.flatMap((g) => Array.from(g)));
  const factor = Math.min(1, (opts.maxNorm ?? Infinity) / norm);
  for (let j = 0; j < master.length; j++) {
    for (let i = 0; i < master[j].length; i++) master[j][i] -= opts.lr * factor * grads[j][i];
    model[j].data.set(toFp16(master[j]));
  }
  scaler.update(false);
  return { loss: loss.item(), skipped: false, gradNorm: norm };
}`,
});

/** The exponent from the float32 bits, a tie test on the remainder; accumulation with a switch and early loss. */
const EXPONENT = replaceAll({
  toFp16: `
export function toFp16(x: Float32Array): Float32Array {
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  const out = new Float32Array(x.length);
  for (const [i, v] of x.entries()) {
    if (Number.isNaN(v) || v === 0) { out[i] = v; continue; }
    f[0] = v;
    const biased = (bits[0] >>> 23) & 0xff;
    const a = Math.abs(v);
    if (biased === 0xff || a >= 65520) { out[i] = v > 0 ? Infinity : -Infinity; continue; }
    const e = biased === 0 ? -127 : biased - 127; // a float32 subnormal is far below fp16's range anyway
    const ulp = Math.pow(2, Math.max(e, -14) - 10);
    const n = Math.trunc(a / ulp);
    const rem = a - n * ulp;
    const up = rem * 2 > ulp || (rem * 2 === ulp && n % 2 !== 0);
    const r = (up ? n + 1 : n) * ulp;
    out[i] = v < 0 ? -r : r;
  }
  return out;
}`,
  accumulateGradients: `
export function accumulateGradients<B extends MicroBatch>(microBatches: B[], lossFn: (mb: B) => Tensor, opts: AccumulateOptions = {}): number {
  if (microBatches.length === 0) throw new RangeError('empty batch');
  let unit: (mb: B) => number;
  switch (opts.mean) {
    case 'sequence': unit = (mb) => mb.sequences; break;
    default: unit = (mb) => mb.tokens;
  }
  let n = 0;
  for (const mb of microBatches) n += unit(mb);
  if (n === 0) throw new RangeError('no tokens');
  let full = 0;
  for (const mb of microBatches) {
    const l = lossFn(mb);
    full += (l.item() * unit(mb)) / n;
    const scaled = mul(l, unit(mb) / n);
    scaled.backward();
  }
  return full;
}`,
});

// ---------------------------------------------------------------------------------------------------------------
// One-bug files

const OVERFLOW_IF = 'if (a >= 65520) { // halfway between 65504 and 2^16: a tie rounds to the even neighbour, 2^16, which is Inf';
const SIGN = 'out[i] = v < 0 ? -r : r;';
const ZERO = 'if (Number.isNaN(v) || a === 0) {';
const BF_NAN = `    if (Number.isNaN(x[i])) {
      out[i] = NaN;
      continue;
    }
`;
const OVER = "const over = opts.mean ?? 'token';";
const RESET = `      this.scale *= this.backoffFactor;
      this.goodSteps = 0;`;
const FOUND = 'for (const g of grads) for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return true;';
const ROUND_GRADS = 'const grads = model.map((p) => toFp16(p.grad ?? new Float32Array(p.size)));';
const COPY = 'model[j].data.set(toFp16(w)); // and the working copy is the master rounded to fp16';
const ROUND = 'const r = roundHalfEven(a / ulp) * ulp;';
const BF_ROUND = 'o[i] = ((u + bias) >>> 0) & 0xffff0000;';
const BACKWARD = 'mul(l, w).backward();';
const UPDATE_LINE = 'for (let i = 0; i < w.length; i++) w[i] -= opts.lr * grads[j][i]; // the update goes to the fp32 master';
const SKIP = `if (scaler.foundInf(grads)) { // overflow: skip the step, lower the scale
    scaler.update(true);
    return { loss: loss.item(), skipped: true, gradNorm: Infinity };
  }`;
const UNSCALE = 'for (const g of grads) for (let i = 0; i < g.length; i++) g[i] /= scaler.scale;\n';

export const CORPUS: CorpusEntry[] = [
  correct('fp16 on the bits, bf16 with doubles, weights precomputed, the kit\'s clipGradNorm (norm + 1e-6)', BITS, undefined),
  correct('fp16 by the nearer neighbour, bf16 with a DataView, one graph and one backward, float64 gradients', NEIGHBOURS),
  correct('a private growth tracker behind a getter, Math.hypot, min(1, maxNorm / norm)', TRACKER),
  correct('the exponent from the float32 bits, the tie on the remainder, accumulation with a switch', EXPONENT),

  // uncatalogued
  bug('fp16 overflow from 65504 up instead of 65520 (65505..65519 round down to 65504)', [[OVERFLOW_IF, 'if (a > 65504) {']], { checks: FP16 }),
  bug('-0 loses its sign when a small negative value rounds to zero', [[SIGN, 'out[i] = v < 0 && r > 0 ? -r : r;']], { checks: FP16 }),
  bug('zero not special-cased: -0 comes out as +0', [[ZERO, 'if (Number.isNaN(v)) {']], { checks: FP16 }),
  bug('bf16: NaN not special-cased, a NaN with a low payload becomes Infinity', [[BF_NAN, '']], { checks: BF16, at: 'const u = bits[i];' }),
  bug('opts.mean ignored: always the token mean', [[OVER, "const over = 'token';"]], { checks: ACC }),
  bug('the growth counter is not reset after an overflow', [[RESET, '      this.scale *= this.backoffFactor;']], { checks: SCALER, at: 'this.scale *= this.backoffFactor;' }),
  bug('foundInf sees NaN only', [[FOUND, 'for (const g of grads) for (let i = 0; i < g.length; i++) if (g[i] !== g[i]) return true;']], { checks: SCALER }),
  bug('gradients not rounded to fp16 before unscaling', [[ROUND_GRADS, 'const grads = model.map((p) => Float32Array.from(p.grad ?? new Float32Array(p.size)));']],
    { checks: STEP }),
  bug('the working copy is not refreshed from the master', [[COPY, '']], { checks: STEP, at: 'for (let i = 0; i < w.length; i++) w[i] -= opts.lr * grads[j][i];' }),

  // catalogued mistakes written a new way
  bug('ties rounded up by adding 0.5 and truncating', [[ROUND, 'const r = Math.trunc(a / ulp + 0.5) * ulp;']], { catalogued: 'fp16-ties-away', checks: FP16 }),
  bug('bf16 by shifting the low bits out', [[BF_ROUND, 'o[i] = (u >>> 16) << 16;']], { catalogued: 'bf16-truncate', checks: BF16 }),
  bug('the loss divided by the number of micro batches in the backward (the returned loss weighted right)', [[BACKWARD, 'mul(l, 1 / microBatches.length).backward();']],
    { catalogued: 'mean-of-means', checks: ACC, kitOps: true }),
  bug('inf detected, but only reported after the update', [[SKIP, 'const overflow = scaler.foundInf(grads);'],
    ['scaler.update(false);\n  return { loss: loss.item(), skipped: false, gradNorm: norm };', 'scaler.update(overflow);\n  return { loss: loss.item(), skipped: overflow, gradNorm: norm };']],
  { catalogued: 'step-not-skipped', checks: STEP, at: 'const overflow = scaler.foundInf(grads);' }),
  bug('unscaled only in the update, after the clipping', [[UNSCALE, ''], [UPDATE_LINE, 'for (let i = 0; i < w.length; i++) w[i] -= (opts.lr * grads[j][i]) / scaler.scale;']],
    { catalogued: 'unscale-after-clip', checks: [...STEP, 'mixed-precision training'], at: 'for (let i = 0; i < w.length; i++) w[i] -= (opts.lr * grads[j][i]) / scaler.scale;' }),
];
