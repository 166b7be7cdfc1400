/**
 * The optimizers lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for optimizers/optim written
 * independently of the catalogue. Correct files in other styles than the reference (float32 state as the kit's own
 * AdamW keeps it, PyTorch's order of the Adam arithmetic with p *= 1 − lr·λ, state created lazily per parameter in a
 * Map, a lerp for m, Math.hypot for the norm, PyTorch's norm + 1e-6, zeroGrad setting null), and one-bug variants:
 * most of them mistakes no catalogue names (a sign, swapped betas, an argument ignored, a loop bound, a step counter
 * in the wrong loop, a missing term), the others catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed from its whole source (the line where a marker stands, exactly once). The bug
 * entries run the quick checks only; the correct files run every check, the short training one included.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'optimizers/optim';
const SOLUTION = readFileSync(path.join(LESSONS, '01d-optimizers', 'optim.solution.ts'), 'utf8');

const QUICK = [
  'SGD without momentum', 'SGD with momentum', 'Adam: 100 steps', 'AdamW: 100 steps', 'zeroGrad clears', 'the constructors reject',
  'cosineLr: warmup', 'cosineLr throws', 'clipGradNorm: one global', 'clipGradNorm leaves',
];

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source };
}

/** `base` with exact edits, and the line of the bug: where `at` (default: the first line of the first replacement) stands. */
function bug(name: string, base: string, edits: [string, string][], opts: { catalogued?: string; at?: string; kitOps?: boolean } = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name), checks: QUICK,
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

/** The state in Float32Array, as the kit's own AdamW keeps it (PyTorch keeps it in the parameter's dtype). */
const FLOAT32_STATE = SOLUTION.replaceAll('Float64Array', 'Float32Array');

/** PyTorch's _single_tensor_adam order: p *= 1 − lr·λ, step size lr / bc1, denominator √v / √bc2 + ε. */
const TORCH_ORDER = withEdits(SOLUTION, [
  ['if (decoupled) w[i] -= lr * weightDecay * w[i];', 'if (decoupled) w[i] *= 1 - lr * weightDecay;'],
  ['const mHat = m[i] / bc1;\n        const vHat = v[i] / bc2;\n        w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);',
    'const stepSize = lr / bc1;\n        const denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + eps;\n        w[i] -= stepSize * (m[i] / denom);'],
  ['m[i] = b1 * m[i] + (1 - b1) * gi;', 'm[i] += (gi - m[i]) * (1 - b1); // torch.lerp'],
], 'PyTorch order');

/** for...of over entries with continue, a reduce for the norm, the schedule as a chain of ternaries. */
const OTHER_LOOPS = withEdits(SOLUTION, [
  ['  const grads = [...params].map((p) => p.grad).filter((g): g is Float32Array => g !== null);\n  let sq = 0;\n  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];\n  const norm = Math.sqrt(sq);',
    '  const grads: Float32Array[] = [];\n  for (const p of params) if (p.grad) grads.push(p.grad);\n  const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0));'],
  ['  if (step < warmup) return (maxLr * (step + 1)) / warmup;\n  if (step >= total) return minLr;\n  const progress = (step - warmup) / (total - warmup); // 0 at the end of warmup, 1 at `total`\n  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);',
    '  return step < warmup ? maxLr * (step + 1) / warmup\n    : step >= total ? minLr\n    : minLr + (maxLr - minLr) * (1 + Math.cos((Math.PI * (step - warmup)) / (total - warmup))) / 2;'],
  ['    this.params.forEach((p, j) => {\n      const g = p.grad;\n      if (!g) return;\n      const w = p.data;\n      const buf = this.buf[j];',
    '    for (const [j, p] of this.params.entries()) {\n      const g = p.grad;\n      if (!g) continue;\n      const w = p.data;\n      const buf = this.buf[j];'],
  ['        w[i] -= lr * buf[i];\n      }\n    });', '        w[i] -= lr * buf[i];\n      }\n    }'],
], 'other loops');

/** The norm with kit ops: sum(mul(g, g)) over each gradient as a tensor (float32 accumulation). */
const KIT_NORM = withEdits(SOLUTION, [
  ["import type { Tensor } from '@llm-lab/kit';", "import { type Tensor, mul, sum, tensor } from '@llm-lab/kit';"],
  ['  let sq = 0;\n  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];',
    '  let sq = 0;\n  for (const g of grads) {\n    const t = tensor(g);\n    sq += sum(mul(t, t)).item();\n  }'],
], 'kit norm');

/** A file written from the formulas, sharing no line with the reference. */
const INDEPENDENT = `/** Optimizers written from the formulas, with state created lazily per parameter (as torch.optim does). */
import type { Tensor } from '@llm-lab/kit';

const bad = (what: string, v: number) => new RangeError('bad ' + what + ': ' + v);

function listOf(params: Iterable<Tensor>): Tensor[] {
  const ps = Array.from(params);
  if (!ps.length) throw new RangeError('no parameters');
  return ps;
}

export class SGD {
  lr: number;
  params: Tensor[];
  momentum: number;
  weightDecay: number;
  state = new Map<Tensor, Float32Array>();

  constructor(params: Iterable<Tensor>, opts: { lr: number; momentum?: number; weightDecay?: number }) {
    this.params = listOf(params);
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    if (this.lr < 0) throw bad('lr', this.lr);
    if (this.momentum < 0) throw bad('momentum', this.momentum);
    if (this.weightDecay < 0) throw bad('weightDecay', this.weightDecay);
  }

  step(): void {
    for (const p of this.params) {
      if (p.grad === null) continue;
      const d = p.grad.map((g, i) => g + this.weightDecay * p.data[i]);
      let buf = this.state.get(p);
      if (this.momentum === 0) {
        buf = d;
      } else if (!buf) {
        buf = Float32Array.from(d); // PyTorch's first step: buf = d
        this.state.set(p, buf);
      } else {
        for (let i = 0; i < buf.length; i++) buf[i] = this.momentum * buf[i] + d[i];
      }
      for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i] - this.lr * buf[i];
    }
  }

  zeroGrad(): void {
    this.params.forEach((p) => { if (p.grad) p.grad.fill(0); });
  }
}

type AdamOpts = { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number };

function adamStep(p: Tensor, s: { m: Float64Array; v: Float64Array }, t: number, o: Required<AdamOpts>, lr: number, decoupled: boolean): void {
  const g = p.grad!;
  const [b1, b2] = o.betas;
  const stepSize = lr / (1 - Math.pow(b1, t));
  const root = Math.sqrt(1 - Math.pow(b2, t));
  for (let i = 0; i < g.length; i++) {
    let grad = g[i];
    if (decoupled) p.data[i] *= 1 - lr * o.weightDecay;
    else grad = grad + o.weightDecay * p.data[i];
    s.m[i] += (1 - b1) * (grad - s.m[i]);
    s.v[i] = b2 * s.v[i] + (1 - b2) * grad * grad;
    const denom = Math.sqrt(s.v[i]) / root + o.eps;
    p.data[i] -= (stepSize * s.m[i]) / denom;
  }
}

export class Adam {
  lr: number;
  params: Tensor[];
  o: Required<AdamOpts>;
  steps = 0;
  state = new Map<Tensor, { m: Float64Array; v: Float64Array }>();

  constructor(params: Iterable<Tensor>, opts: AdamOpts = {}) {
    this.params = listOf(params);
    this.o = { lr: opts.lr ?? 1e-3, betas: opts.betas ?? [0.9, 0.999], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? this.defaultDecay() };
    this.lr = this.o.lr;
    if (this.lr < 0) throw bad('lr', this.lr);
    if (this.o.eps < 0) throw bad('eps', this.o.eps);
    if (this.o.weightDecay < 0) throw bad('weightDecay', this.o.weightDecay);
    if (this.o.betas.some((b) => b < 0 || b >= 1)) throw bad('betas', this.o.betas[0]);
  }

  defaultDecay(): number {
    return 0;
  }

  decoupled(): boolean {
    return false;
  }

  step(): void {
    this.steps += 1;
    for (const p of this.params) {
      if (!p.grad) continue;
      if (!this.state.has(p)) this.state.set(p, { m: new Float64Array(p.size), v: new Float64Array(p.size) });
      adamStep(p, this.state.get(p)!, this.steps, this.o, this.lr, this.decoupled());
    }
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}

export class AdamW extends Adam {
  defaultDecay(): number {
    return 0.01;
  }

  decoupled(): boolean {
    return true;
  }
}

export function cosineLr(step: number, { maxLr, minLr, warmup, total }: { maxLr: number; minLr: number; warmup: number; total: number }): number {
  if (step < 0 || warmup < 0 || total < warmup) throw new RangeError('cosineLr: bad arguments');
  if (step >= total) return step < warmup ? (maxLr * (step + 1)) / warmup : minLr;
  if (step < warmup) return maxLr * ((step + 1) / warmup);
  const ratio = (step - warmup) / (total - warmup);
  const coeff = (1 + Math.cos(Math.PI * ratio)) / 2;
  return minLr + coeff * (maxLr - minLr);
}

export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const grads = Array.from(params, (p) => p.grad).filter((g) => g !== null) as Float32Array[];
  const norm = Math.hypot(...grads.flatMap((g) => Array.from(g)));
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) grads.forEach((g) => g.forEach((x, i) => { g[i] = x * coef; }));
  return norm;
}
`;

export const CORPUS: CorpusEntry[] = [
  correct('optimizer state in Float32Array', FLOAT32_STATE),
  correct("PyTorch's order of the Adam arithmetic, p *= 1 − lr·λ, m by lerp", TORCH_ORDER),
  correct('for...of with continue, reduce for the norm, the schedule as ternaries', OTHER_LOOPS),
  correct('written from scratch: lazy state in a Map, Math.hypot, norm + 1e-6, zeroGrad to null', INDEPENDENT),
  correct('the global norm with kit ops, sum(mul(g, g))', KIT_NORM),

  // Mistakes no catalogue names.
  bug('SGD weight decay with the wrong sign', SOLUTION, [['const d = g[i] + weightDecay * w[i];', 'const d = g[i] - weightDecay * w[i];']]),
  bug('Adam with the betas swapped between m and v', SOLUTION, [
    ['m[i] = b1 * m[i] + (1 - b1) * gi;', 'm[i] = b2 * m[i] + (1 - b2) * gi;'],
    ['v[i] = b2 * v[i] + (1 - b2) * gi * gi;', 'v[i] = b1 * v[i] + (1 - b1) * gi * gi;'],
  ]),
  bug('the eps argument ignored (always 1e-8)', SOLUTION, [['w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);', 'w[i] -= (lr * mHat) / (Math.sqrt(vHat) + 1e-8);']]),
  bug('cosineLr decays to 0, ignoring minLr', SOLUTION, [['return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);', 'return 0.5 * (1 + Math.cos(Math.PI * progress)) * maxLr;']]),
  bug('clipGradNorm leaves out the last parameter (loop bound)', SOLUTION, [['const grads = [...params].map((p) => p.grad).filter((g): g is Float32Array => g !== null);',
    'const grads = [...params].slice(0, -1).map((p) => p.grad).filter((g): g is Float32Array => g !== null);']]),
  bug('Adam counts a step per parameter (t++ inside the loop)', SOLUTION, [
    ['    this.t++;\n    const [b1, b2] = this.betas;', '    const [b1, b2] = this.betas;'],
    ['    const bc1 = 1 - b1 ** this.t; // m and v start at 0: early averages are too small by these factors\n    const bc2 = 1 - b2 ** this.t;\n    this.params.forEach((p, j) => {\n      const g = p.grad;\n      if (!g) return;',
      '    this.params.forEach((p, j) => {\n      const g = p.grad;\n      if (!g) return;\n      this.t++;\n      const bc1 = 1 - b1 ** this.t;\n      const bc2 = 1 - b2 ** this.t;'],
  ], { at: 'this.t++;' }),
  bug('clipGradNorm with kit ops forgets the square root', KIT_NORM, [['  const norm = Math.sqrt(sq);\n  if (norm > maxNorm) {', '  const norm = sq;\n  if (norm > maxNorm) {']]),
  bug('SGD momentum buffer never decays (buf += d)', SOLUTION, [['buf[i] = momentum * buf[i] + d;', 'buf[i] = momentum > 0 ? buf[i] + d : d;']]),

  // Catalogued mistakes written a new way.
  bug('Adam steps with the raw averages m and v', SOLUTION, [['w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);', 'w[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + eps); void mHat; void vHat;']],
    { catalogued: 'no-bias-correction' }),
  bug('AdamW adds the decay to the gradient always', SOLUTION, [[
    'if (decoupled) w[i] -= lr * weightDecay * w[i]; // AdamW: shrink the weights themselves\n        else gi += weightDecay * w[i]; //                  Adam: L2 in the gradient',
    'gi = gi + weightDecay * w[i]; // the decay, for Adam and AdamW alike',
  ]], { catalogued: 'l2-in-adamw' }),
  bug('clipping inside the loop over parameters', SOLUTION, [[
    '  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];\n  const norm = Math.sqrt(sq);\n  if (norm > maxNorm) {\n    const scale = maxNorm / norm;\n    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;\n  }',
    '  for (const g of grads) {\n    const own = Math.sqrt(g.reduce((a, x) => a + x * x, 0));\n    sq += own * own;\n    if (own > maxNorm) g.forEach((x, i) => { g[i] = (x * maxNorm) / own; });\n  }\n  const norm = Math.sqrt(sq);',
  ]], { catalogued: 'clip-per-tensor', at: 'if (own > maxNorm) g.forEach' }),
];
