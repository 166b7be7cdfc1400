/**
 * The lora track's grading-truth corpus (see test/unit/corpus.ts): learner files for lessons 7 and 8 written
 * independently of the catalogues. For every exercise, correct files in other styles than the reference (index
 * loops over `.data` in float64, other op orders, the scale put elsewhere, autograd instead of the chain rule,
 * bitsandbytes' absmax scales...), and one-bug variants: at least half of them mistakes no catalogue names (an
 * argument ignored, a loop bound, a sign, an index typo, a mutated input, a missing term...), the others
 * catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed, not typed: the entry is built from its whole source, and the line is where a
 * marker (by default the first line of the changed text) occurs, exactly once. The training checks of lesson 8
 * (the fine-tune, the QLoRA run) run for two entries of their exercise at most; the other entries run the quick
 * checks only (`checks`).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const solution = (file: string): string => readFileSync(path.join(LESSONS, file), 'utf8');

/** The 1-based line of `marker`, which must occur exactly once in `source`. */

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  checks?: string[];
  /** Text on the faulty line (default: the first line of the first edit's replacement). */
  at?: string;
}

function correct(exercise: string, name: string, source: string, checks?: string[]): CorpusEntry {
  return { exercise, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

/** `base` with exact edits (each `from` exactly once), and the line of the bug computed from the result. */
function bug(exercise: string, name: string, base: string, edits: [string, string][], opts: BugOptions = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
    ...(opts.checks ? { checks: opts.checks } : {}),
  };
}

// --- lesson 7, exercise 1: counting parameters ----------------------------------------------------------------

const PARAMS_TYPES = `export interface ModelConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';
`;

/** Every piece named and added up; countTrainable with a switch. */
const PARAMS_NAMED = `${PARAMS_TYPES}
export function loraParams(dIn: number, dOut: number, r: number): number {
  return r * (dIn + dOut);
}

export function gptParams(config: ModelConfig): number {
  const C = config.nEmbd;
  const wte = config.vocabSize * C; // also the LM head
  const wpe = config.blockSize * C;
  const ln = 2 * C;
  const attn = 4 * (C * C + C);
  const fc = C * 4 * C + 4 * C;
  const proj = 4 * C * C + C;
  const perBlock = ln + attn + ln + fc + proj;
  const lnF = 2 * C;
  return wte + wpe + config.nLayer * perBlock + lnF;
}

export function countTrainable(config: ModelConfig, targets: readonly LoRATarget[], r: number): number {
  const C = config.nEmbd;
  let perBlock = 0;
  for (const target of targets) {
    switch (target) {
      case 'mlp.fc': perBlock += loraParams(C, 4 * C, r); break;
      case 'mlp.proj': perBlock += loraParams(4 * C, C, r); break;
      default: perBlock += loraParams(C, C, r);
    }
  }
  return perBlock * config.nLayer;
}
`;

/** Every weight's shape listed, as a state dict would, and the sizes summed; targets looked up in a table. */
const PARAMS_SHAPES = `${PARAMS_TYPES}
export function loraParams(dIn: number, dOut: number, r: number): number {
  const a = r * dIn; // A (r, dIn)
  const b = dOut * r; // B (dOut, r)
  return a + b;
}

function shapes(c: ModelConfig): number[][] {
  const C = c.nEmbd;
  const out: number[][] = [[c.vocabSize, C], [c.blockSize, C]];
  for (let l = 0; l < c.nLayer; l++) {
    out.push([C], [C]); // ln_1
    for (let k = 0; k < 4; k++) out.push([C, C], [C]); // q, k, v, proj
    out.push([C], [C]); // ln_2
    out.push([4 * C, C], [4 * C]); // fc
    out.push([C, 4 * C], [C]); // proj
  }
  out.push([C], [C]); // ln_f
  return out;
}

export function gptParams(config: ModelConfig): number {
  return shapes(config).reduce((n, s) => n + s.reduce((p, d) => p * d, 1), 0);
}

const DIMS: Record<LoRATarget, (C: number) => [number, number]> = {
  'attn.q': (C) => [C, C],
  'attn.k': (C) => [C, C],
  'attn.v': (C) => [C, C],
  'attn.proj': (C) => [C, C],
  'mlp.fc': (C) => [C, 4 * C],
  'mlp.proj': (C) => [4 * C, C],
};

export function countTrainable(config: ModelConfig, targets: readonly LoRATarget[], r: number): number {
  const perBlock = targets.map((t) => DIMS[t](config.nEmbd)).reduce((n, [i, o]) => n + loraParams(i, o, r), 0);
  return config.nLayer * perBlock;
}
`;

/** Closed forms: 12 C² + 13 C per block; thin and fat targets counted. */
const PARAMS_CLOSED = `${PARAMS_TYPES}
export function loraParams(dIn: number, dOut: number, r: number): number {
  return (dIn + dOut) * r;
}

export function gptParams({ vocabSize, blockSize, nLayer, nEmbd: C }: ModelConfig): number {
  // per block: 12 C² weights, 13 C biases and LayerNorm numbers
  return (vocabSize + blockSize) * C + nLayer * (12 * C * C + 13 * C) + 2 * C;
}

export function countTrainable(config: ModelConfig, targets: readonly LoRATarget[], r: number): number {
  const C = config.nEmbd;
  const fat = targets.filter((t) => t.startsWith('mlp')).length; // C <-> 4C
  const thin = targets.length - fat; // C -> C
  return config.nLayer * r * (thin * 2 * C + fat * 5 * C);
}
`;

/** Loops everywhere, one number at a time. */
const PARAMS_LOOPS = `${PARAMS_TYPES}
export function loraParams(dIn: number, dOut: number, r: number): number {
  let n = 0;
  for (let k = 0; k < r; k++) n += dIn + dOut;
  return n;
}

export function gptParams(config: ModelConfig): number {
  const C = config.nEmbd;
  let n = 0;
  n += config.vocabSize * C;
  n += config.blockSize * C;
  for (let l = 0; l < config.nLayer; l++) {
    n += 2 * C;
    for (const [i, o] of [[C, C], [C, C], [C, C], [C, C]]) n += i * o + o;
    n += 2 * C;
    n += C * 4 * C + 4 * C;
    n += 4 * C * C + C;
  }
  n += 2 * C;
  return n;
}

export function countTrainable(config: ModelConfig, targets: readonly LoRATarget[], r: number): number {
  const C = config.nEmbd;
  let total = 0;
  for (let l = 0; l < config.nLayer; l++) {
    for (const t of targets) {
      const [dIn, dOut] = t === 'mlp.fc' ? [C, 4 * C] : t === 'mlp.proj' ? [4 * C, C] : [C, C];
      total += loraParams(dIn, dOut, r);
    }
  }
  return total;
}
`;

const PARAMS_SOLUTION = solution('07-lora/params.solution.ts');
const P = 'lora/params';

const PARAMS: CorpusEntry[] = [
  correct(P, 'every piece named and added up, a switch over targets', PARAMS_NAMED),
  correct(P, 'weight shapes listed like a state dict, a table of target dims', PARAMS_SHAPES),
  correct(P, 'closed forms (12 C² + 13 C per block)', PARAMS_CLOSED),
  correct(P, 'loops everywhere', PARAMS_LOOPS),
  // Not catalogued.
  bug(P, 'ln_2 left out of a block', PARAMS_NAMED, [['const perBlock = ln + attn + ln + fc + proj;', 'const perBlock = ln + attn + fc + proj;']]),
  bug(P, 'ln_f left out', PARAMS_CLOSED, [['nLayer * (12 * C * C + 13 * C) + 2 * C;', 'nLayer * (12 * C * C + 13 * C);']], { at: 'return (vocabSize + blockSize) * C' }),
  bug(P, 'a block loop that starts at 1 (one block short)', PARAMS_LOOPS,
    [['for (let l = 0; l < config.nLayer; l++) {\n    for (const t', 'for (let l = 1; l < config.nLayer; l++) {\n    for (const t']]),
  bug(P, 'attn.proj taken for the 4C -> C projection', PARAMS_SHAPES, [["'attn.proj': (C) => [C, C],", "'attn.proj': (C) => [4 * C, C],"]]),
  bug(P, 'dIn typed for dOut in loraParams', PARAMS_SOLUTION, [['return r * dIn + dOut * r;', 'return r * dIn + dIn * r;']]),
  bug(P, 'the fc bias counted as C numbers', PARAMS_NAMED, [['const fc = C * 4 * C + 4 * C;', 'const fc = C * 4 * C + C;']]),
  // Catalogued, written a new way.
  bug(P, 'r full matrices added up in a loop', PARAMS_LOOPS, [['for (let k = 0; k < r; k++) n += dIn + dOut;', 'for (let k = 0; k < r; k++) n += dIn * dOut;']],
    { catalogued: 'params-product' }),
  bug(P, 'the LM head counted with the embedding', PARAMS_NAMED,
    [['const wte = config.vocabSize * C; // also the LM head', 'const wte = 2 * config.vocabSize * C; // token embedding and LM head']], { catalogued: 'tied-head-twice' }),
  bug(P, 'countTrainable sums one block', PARAMS_SHAPES, [['return config.nLayer * perBlock;', 'return perBlock;']], { catalogued: 'one-layer' }),
  bug(P, 'every target taken as C x C', PARAMS_LOOPS,
    [["const [dIn, dOut] = t === 'mlp.fc' ? [C, 4 * C] : t === 'mlp.proj' ? [4 * C, C] : [C, C];", 'const [dIn, dOut] = [C, C];']], { catalogued: 'mlp-square' }),
  bug(P, 'weights only, in closed form', PARAMS_CLOSED,
    [['return (vocabSize + blockSize) * C + nLayer * (12 * C * C + 13 * C) + 2 * C;', 'return (vocabSize + blockSize) * C + nLayer * 12 * C * C;']], { catalogued: 'no-biases' }),
];

// --- lesson 7, exercise 2: the layer --------------------------------------------------------------------------

const LAYER_FIELDS = `  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;
  A: Tensor;
  B: Tensor;
  readonly scale: number;
`;

/** matmul with transposes, the scale on h = x Aᵀ. */
const LAYER_MATMUL = `import { type Linear, Module, Rng, type Tensor, add, matmul, mul, randn, transpose, zeros } from '@llm-lab/kit';

export class LoRALinear extends Module {
${LAYER_FIELDS}
  constructor(base: Linear, readonly r: number, readonly alpha: number, rng: Rng = new Rng(0)) {
    super();
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    this.weight = base.weight;
    this.weight.requiresGrad = false;
    this.bias = base.bias;
    if (this.bias !== null) this.bias.requiresGrad = false;
    this.A = randn([r, base.inFeatures], rng, Math.sqrt(1 / base.inFeatures), { requiresGrad: true });
    this.B = zeros([base.outFeatures, r], { requiresGrad: true });
    this.scale = alpha / r;
  }

  forward(x: Tensor): Tensor {
    let y = matmul(x, transpose(this.weight, 0, 1));
    if (this.bias) y = add(y, this.bias);
    const h = mul(matmul(x, transpose(this.A, 0, 1)), this.scale);
    return add(y, matmul(h, transpose(this.B, 0, 1)));
  }
}
`;

/** A drawn value by value with rng.normal; the scale folded into B. */
const LAYER_FOLDED = `import { type Linear, Module, Rng, type Tensor, add, linear, mul, zeros } from '@llm-lab/kit';

export class LoRALinear extends Module {
${LAYER_FIELDS}
  constructor(base: Linear, readonly r: number, readonly alpha: number, rng: Rng = new Rng(0)) {
    super();
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    this.weight = base.weight;
    this.bias = base.bias;
    for (const p of [this.weight, this.bias]) if (p) p.requiresGrad = false;
    const std = 1 / Math.sqrt(this.inFeatures);
    this.A = zeros([r, this.inFeatures], { requiresGrad: true });
    for (let i = 0; i < this.A.size; i++) this.A.data[i] = rng.normal(0, std);
    this.B = zeros([this.outFeatures, r], { requiresGrad: true });
    this.scale = alpha / r;
  }

  forward(x: Tensor): Tensor {
    const adapter = linear(linear(x, this.A), mul(this.B, this.scale));
    return add(linear(x, this.weight, this.bias), adapter);
  }
}
`;

/** The effective weight W + s B A built in forward; the base Linear kept as a field; the scale a getter. */
const LAYER_EFFECTIVE = `import { type Linear, Module, Rng, type Tensor, add, linear, matmul, mul, randn, zeros } from '@llm-lab/kit';

export class LoRALinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;
  A: Tensor;
  B: Tensor;

  constructor(private readonly base: Linear, readonly r: number, readonly alpha: number, rng: Rng = new Rng(0)) {
    super();
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    base.weight.requiresGrad = false;
    if (base.bias) base.bias.requiresGrad = false;
    this.weight = base.weight;
    this.bias = base.bias;
    this.A = randn([r, this.inFeatures], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });
    this.B = zeros([this.outFeatures, r], { requiresGrad: true });
  }

  get scale(): number {
    return this.alpha / this.r;
  }

  forward(x: Tensor): Tensor {
    const delta = mul(matmul(this.B, this.A), this.scale); // (out, in)
    return linear(x, add(this.base.weight, delta), this.base.bias);
  }
}
`;

/** PEFT's uniform init written by hand; the scale applied to x first. */
const LAYER_SCALED_INPUT = `import { type Linear, Module, Rng, type Tensor, add, linear, mul, tensor, zeros } from '@llm-lab/kit';

export class LoRALinear extends Module {
${LAYER_FIELDS}
  constructor(base: Linear, readonly r: number, readonly alpha: number, rng: Rng = new Rng(0)) {
    super();
    ({ inFeatures: this.inFeatures, outFeatures: this.outFeatures, weight: this.weight, bias: this.bias } = base);
    this.weight.requiresGrad = false;
    if (this.bias) this.bias.requiresGrad = false;
    const bound = 1 / Math.sqrt(this.inFeatures);
    const values = Array.from({ length: r * this.inFeatures }, () => (2 * rng.random() - 1) * bound);
    this.A = tensor(values, [r, this.inFeatures], { requiresGrad: true });
    this.B = zeros([this.outFeatures, r], { requiresGrad: true });
    this.scale = alpha / r;
  }

  forward(x: Tensor): Tensor {
    const scaled = mul(x, this.scale);
    return add(linear(x, this.weight, this.bias), linear(linear(scaled, this.A), this.B));
  }
}
`;

const LAYER_SOLUTION = solution('07-lora/layer.solution.ts');
const L = 'lora/layer';

const LAYER: CorpusEntry[] = [
  correct(L, 'matmul with transposes, the scale on x Aᵀ', LAYER_MATMUL),
  correct(L, 'A drawn with rng.normal value by value, the scale folded into B', LAYER_FOLDED),
  correct(L, 'the effective weight W + s B A in forward, the scale a getter', LAYER_EFFECTIVE),
  correct(L, 'PEFT\'s uniform init by hand, the scale applied to x first', LAYER_SCALED_INPUT),
  // Not catalogued.
  bug(L, 'the scale applied twice (on h and on the output)', LAYER_MATMUL,
    [['return add(y, matmul(h, transpose(this.B, 0, 1)));', 'return add(y, mul(matmul(h, transpose(this.B, 0, 1)), this.scale));']], { kitOps: true }),
  bug(L, 'the bias left out of the base path', LAYER_SOLUTION,
    [['const base = linear(x, this.weight, this.bias);', 'const base = linear(x, this.weight);']], { kitOps: true }),
  bug(L, 'the adapter subtracted', LAYER_SOLUTION,
    [['add, linear, mul, randn, zeros }', 'add, linear, mul, randn, sub, zeros }'], ['return add(base, mul(update, this.scale));', 'return sub(base, mul(update, this.scale));']],
    { kitOps: true, at: 'return sub(base, mul(update, this.scale));' }),
  bug(L, 'alpha ignored: the scale is 2 / r', LAYER_FOLDED, [['this.scale = alpha / r;', 'this.scale = 2 / r;']]),
  bug(L, 'the scale by integer division, Python\'s alpha // r', LAYER_SCALED_INPUT, [['this.scale = alpha / r;', 'this.scale = Math.floor(alpha / r);']]),
  bug(L, 'forward folds the scale into B in place', LAYER_FOLDED,
    [['const adapter = linear(linear(x, this.A), mul(this.B, this.scale));',
      'for (let i = 0; i < this.B.size; i++) this.B.data[i] *= this.scale;\n    const adapter = linear(linear(x, this.A), this.B);']]),
  bug(L, 'A made (r, out)', LAYER_MATMUL,
    [['this.A = randn([r, base.inFeatures], rng, Math.sqrt(1 / base.inFeatures), { requiresGrad: true });',
      'this.A = randn([r, base.outFeatures], rng, Math.sqrt(1 / base.inFeatures), { requiresGrad: true });']]),
  bug(L, 'A created without requiresGrad', LAYER_EFFECTIVE,
    [['this.A = randn([r, this.inFeatures], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });',
      'this.A = randn([r, this.inFeatures], rng, 1 / Math.sqrt(this.inFeatures));']]),
  // Catalogued, written a new way.
  bug(L, 'forward scales by r / alpha (the field is right)', LAYER_SOLUTION,
    [['return add(base, mul(update, this.scale));', 'return add(base, mul(update, this.r / this.alpha));']], { catalogued: 'scale-inverted', kitOps: true }),
  bug(L, 'the scale never applied (folded-B style)', LAYER_FOLDED,
    [['const adapter = linear(linear(x, this.A), mul(this.B, this.scale));', 'const adapter = linear(linear(x, this.A), this.B);']], { catalogued: 'scale-missing', kitOps: true }),
  bug(L, 'A drawn from a generator of its own', LAYER_FOLDED,
    [['for (let i = 0; i < this.A.size; i++) this.A.data[i] = rng.normal(0, std);',
      'const gen = new Rng(1234);\n    for (let i = 0; i < this.A.size; i++) this.A.data[i] = gen.normal(0, std);']], { catalogued: 'a-not-seeded' }),
  bug(L, 'only W frozen, the bias still trains', LAYER_FOLDED,
    [['for (const p of [this.weight, this.bias]) if (p) p.requiresGrad = false;', 'this.weight.requiresGrad = false;']], { catalogued: 'w-trainable' }),
  bug(L, 'B filled with a small constant', LAYER_MATMUL,
    [['add, matmul, mul, randn, transpose, zeros }', 'add, full, matmul, mul, randn, transpose }'],
      ['this.B = zeros([base.outFeatures, r], { requiresGrad: true });', 'this.B = full([base.outFeatures, r], 0.01, { requiresGrad: true });']],
    { catalogued: 'b-nonzero', at: 'this.B = full(' }),
  bug(L, 'the effective weight scaled by alpha alone', LAYER_EFFECTIVE,
    [['const delta = mul(matmul(this.B, this.A), this.scale); // (out, in)', 'const delta = mul(matmul(this.B, this.A), this.alpha); // (out, in)']],
    { catalogued: 'scale-alpha-only', kitOps: true }),
  bug(L, 'A drawn with std 0', LAYER_MATMUL,
    [['this.A = randn([r, base.inFeatures], rng, Math.sqrt(1 / base.inFeatures), { requiresGrad: true });',
      'this.A = randn([r, base.inFeatures], rng, 0, { requiresGrad: true });']], { catalogued: 'a-zero' }),
];

// --- lesson 7, exercise 3: the backward pass ------------------------------------------------------------------

const GRADS_TYPE = `export interface LoRAGrads {
  dx: Tensor; // (N, in)
  dA: Tensor; // (r, in)
  dB: Tensor; // (out, r)
}
`;

/** Index loops over .data, float64 accumulation. */
const BACKWARD_LOOPS = `import { type Tensor, tensor } from '@llm-lab/kit';

${GRADS_TYPE}
export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  const [N, dIn] = x.shape;
  const dOut = W.shape[0];
  const s = alpha / r;
  const h = new Float64Array(N * r); // x Aᵀ
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < r; k++) {
      for (let i = 0; i < dIn; i++) h[n * r + k] += x.data[n * dIn + i] * A.data[k * dIn + i];
    }
  }
  const g = new Float64Array(N * r); // s dY B
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < r; k++) {
      for (let o = 0; o < dOut; o++) g[n * r + k] += s * dY.data[n * dOut + o] * B.data[o * r + k];
    }
  }
  const dB = new Float64Array(dOut * r);
  for (let o = 0; o < dOut; o++) {
    for (let k = 0; k < r; k++) {
      for (let n = 0; n < N; n++) dB[o * r + k] += s * dY.data[n * dOut + o] * h[n * r + k];
    }
  }
  const dA = new Float64Array(r * dIn);
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < dIn; i++) {
      for (let n = 0; n < N; n++) dA[k * dIn + i] += g[n * r + k] * x.data[n * dIn + i];
    }
  }
  const dx = new Float64Array(N * dIn);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < dIn; i++) {
      let acc = 0;
      for (let o = 0; o < dOut; o++) acc += dY.data[n * dOut + o] * W.data[o * dIn + i];
      for (let k = 0; k < r; k++) acc += g[n * r + k] * A.data[k * dIn + i];
      dx[n * dIn + i] = acc;
    }
  }
  return { dx: tensor(Float32Array.from(dx), [N, dIn]), dA: tensor(Float32Array.from(dA), [r, dIn]), dB: tensor(Float32Array.from(dB), [dOut, r]) };
}
`;

/** The scale put into dY once, at the start. */
const BACKWARD_SCALED_DY = `import { type Tensor, add, matmul, mul, transpose } from '@llm-lab/kit';

${GRADS_TYPE}
export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  const g = mul(dY, alpha / r); // the adapter's upstream gradient
  const h = matmul(x, transpose(A, 0, 1));
  const dB = matmul(transpose(g, 0, 1), h);
  const dh = matmul(g, B);
  const dA = matmul(transpose(dh, 0, 1), x);
  const dx = add(matmul(dY, W), matmul(dh, A));
  return { dx, dA, dB };
}
`;

/** The kit's autograd on copies: forward, backward(dY), read the gradients. */
const BACKWARD_AUTOGRAD = `import { type Tensor, add, linear, mul, tensor } from '@llm-lab/kit';

${GRADS_TYPE}
export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  const xs = tensor(x.data.slice(), x.shape, { requiresGrad: true });
  const As = tensor(A.data.slice(), A.shape, { requiresGrad: true });
  const Bs = tensor(B.data.slice(), B.shape, { requiresGrad: true });
  const y = add(linear(xs, W), mul(linear(linear(xs, As), Bs), alpha / r));
  y.backward(dY);
  return { dx: tensor(xs.grad!, x.shape), dA: tensor(As.grad!, A.shape), dB: tensor(Bs.grad!, B.shape) };
}
`;

/** The scale at the end of each gradient; dB as the transpose of hᵀ dY. */
const BACKWARD_SCALE_LAST = `import { type Tensor, add, matmul, mul, transpose } from '@llm-lab/kit';

${GRADS_TYPE}
export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  const s = alpha / r;
  const h = matmul(x, transpose(A, 0, 1)); // (N, r)
  const dYB = matmul(dY, B); // (N, r)
  const dB = mul(transpose(matmul(transpose(h, 0, 1), dY), 0, 1), s);
  const dA = mul(matmul(transpose(dYB, 0, 1), x), s);
  const dx = add(matmul(dY, W), mul(matmul(dYB, A), s));
  return { dx, dA, dB };
}
`;

/** dx through the effective weight W + s B A. */
const BACKWARD_EFFECTIVE = `import { type Tensor, add, matmul, mul, transpose } from '@llm-lab/kit';

${GRADS_TYPE}
export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  const s = alpha / r;
  const dB = mul(matmul(transpose(dY, 0, 1), matmul(x, transpose(A, 0, 1))), s);
  const dA = mul(matmul(transpose(B, 0, 1), matmul(transpose(dY, 0, 1), x)), s);
  const dx = matmul(dY, add(W, mul(matmul(B, A), s)));
  return { dx, dA, dB };
}
`;

const BACKWARD_SOLUTION = solution('07-lora/backward.solution.ts');
const K = 'lora/backward';

const BACKWARD: CorpusEntry[] = [
  correct(K, 'index loops over .data, float64 accumulation', BACKWARD_LOOPS),
  correct(K, 'the scale put into dY once', BACKWARD_SCALED_DY),
  correct(K, 'the kit\'s autograd on copies', BACKWARD_AUTOGRAD),
  correct(K, 'the scale last, dB as (hᵀ dY)ᵀ', BACKWARD_SCALE_LAST),
  correct(K, 'dA as s Bᵀ (dYᵀ x), dx through W + s B A', BACKWARD_EFFECTIVE),
  // Not catalogued.
  bug(K, 'the adapter\'s share of dx not scaled', BACKWARD_SCALE_LAST,
    [['const dx = add(matmul(dY, W), mul(matmul(dYB, A), s));', 'const dx = add(matmul(dY, W), matmul(dYB, A));']], { kitOps: true }),
  bug(K, 'dB not scaled (dA and dx are)', BACKWARD_SOLUTION,
    [['const dB = mul(matmul(transpose(dY, 0, 1), h), s);', 'const dB = matmul(transpose(dY, 0, 1), h);']], { kitOps: true }),
  bug(K, 'dY scaled in place', BACKWARD_SOLUTION,
    [['const dB = mul(matmul(transpose(dY, 0, 1), h), s);', 'const base = matmul(dY, W);\n  for (let i = 0; i < dY.size; i++) dY.data[i] *= s;\n  const dB = matmul(transpose(dY, 0, 1), h);'],
      ['const dh = mul(matmul(dY, B), s);', 'const dh = matmul(dY, B);'], ['const dx = add(matmul(dY, W), matmul(dh, A));', 'const dx = add(base, matmul(dh, A));']],
    { at: 'for (let i = 0; i < dY.size; i++) dY.data[i] *= s;' }),
  bug(K, 'dB sums one row of the batch short', BACKWARD_LOOPS,
    [['for (let n = 0; n < N; n++) dB[o * r + k]', 'for (let n = 0; n < N - 1; n++) dB[o * r + k]']]),
  bug(K, 'alpha ignored: s = 1 / r', BACKWARD_SCALE_LAST, [['const s = alpha / r;', 'const s = 1 / r;']]),
  bug(K, 'A read with the wrong stride in h', BACKWARD_LOOPS,
    [['h[n * r + k] += x.data[n * dIn + i] * A.data[k * dIn + i];', 'h[n * r + k] += x.data[n * dIn + i] * A.data[i * r + k];']]),
  bug(K, 'the frozen path subtracted in dx', BACKWARD_SCALED_DY,
    [['add, matmul, mul, transpose }', 'add, matmul, mul, sub, transpose }'], ['const dx = add(matmul(dY, W), matmul(dh, A));', 'const dx = sub(matmul(dh, A), matmul(dY, W));']],
    { kitOps: true, at: 'const dx = sub(' }),
  // Catalogued, written a new way.
  bug(K, 'dY used unscaled everywhere', BACKWARD_SCALED_DY,
    [['const g = mul(dY, alpha / r); // the adapter\'s upstream gradient', 'const g = dY; // the adapter\'s upstream gradient']], { catalogued: 'backward-no-scale', kitOps: true }),
  bug(K, 's = r / alpha in the loops', BACKWARD_LOOPS, [['const s = alpha / r;', 'const s = r / alpha;']], { catalogued: 'backward-inverted-scale' }),
  bug(K, 'dx through W alone', BACKWARD_EFFECTIVE,
    [['const dx = matmul(dY, add(W, mul(matmul(B, A), s)));', 'const dx = matmul(dY, W);']], { catalogued: 'dx-base-only', kitOps: true }),
  bug(K, 'the frozen W left out of dx in the loops', BACKWARD_LOOPS,
    [['for (let o = 0; o < dOut; o++) acc += dY.data[n * dOut + o] * W.data[o * dIn + i];', '// W is frozen: no gradient through it']],
    { catalogued: 'dx-adapter-only', at: '// W is frozen: no gradient through it' }),
  bug(K, 'dB as s hᵀ dY, not transposed back', BACKWARD_SCALE_LAST,
    [['const dB = mul(transpose(matmul(transpose(h, 0, 1), dY), 0, 1), s);', 'const dB = mul(matmul(transpose(h, 0, 1), dY), s);']], { catalogued: 'grads-transposed', kitOps: true }),
];

// --- lesson 7, exercise 4: merge and unmerge ------------------------------------------------------------------

/** Index loops over .data, float64 accumulation, the rank read from A. */
const MERGE_LOOPS = `import { type Tensor, tensor } from '@llm-lab/kit';

function update(W: Tensor, A: Tensor, B: Tensor, s: number): Tensor {
  const [out, inp] = W.shape;
  const rank = A.shape[0];
  const data = new Float32Array(out * inp);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) {
      let acc = 0;
      for (let k = 0; k < rank; k++) acc += B.data[o * rank + k] * A.data[k * inp + i];
      data[o * inp + i] = W.data[o * inp + i] + s * acc;
    }
  }
  return tensor(data, [out, inp]);
}

export function merge(W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return update(W, A, B, alpha / r);
}

export function unmerge(merged: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return update(merged, A, B, -alpha / r);
}
`;

/** The scale folded into B. */
const MERGE_FOLDED = `import { type Tensor, add, matmul, mul, sub } from '@llm-lab/kit';

export function merge(W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return add(W, matmul(mul(B, alpha / r), A));
}

export function unmerge(merged: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return sub(merged, matmul(mul(B, alpha / r), A));
}
`;

/** One helper with a signed scale. */
const MERGE_SIGNED = `import { type Tensor, add, matmul, mul } from '@llm-lab/kit';

function apply(W: Tensor, A: Tensor, B: Tensor, s: number): Tensor {
  return add(W, mul(matmul(B, A), s));
}

export function merge(W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return apply(W, A, B, alpha / r);
}

export function unmerge(merged: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return apply(merged, A, B, -(alpha / r));
}
`;

/** B A as (Aᵀ Bᵀ)ᵀ; unmerge as a merge with -alpha. */
const MERGE_TRANSPOSES = `import { type Tensor, add, matmul, mul, transpose } from '@llm-lab/kit';

export function merge(W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  const AtBt = matmul(transpose(A, 0, 1), transpose(B, 0, 1)); // (in, out)
  return add(W, transpose(mul(AtBt, alpha / r), 0, 1));
}

export function unmerge(merged: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return merge(merged, A, B, -alpha, r);
}
`;

const MERGE_SOLUTION = solution('07-lora/merge.solution.ts');
const M = 'lora/merge';

const MERGE: CorpusEntry[] = [
  correct(M, 'index loops over .data, the rank read from A', MERGE_LOOPS),
  correct(M, 'the scale folded into B', MERGE_FOLDED),
  correct(M, 'one helper with a signed scale', MERGE_SIGNED),
  correct(M, 'B A as (Aᵀ Bᵀ)ᵀ, unmerge as merge with -alpha', MERGE_TRANSPOSES),
  // Not catalogued.
  bug(M, 'unmerge scales by r / alpha', MERGE_FOLDED,
    [['return sub(merged, matmul(mul(B, alpha / r), A));', 'return sub(merged, matmul(mul(B, r / alpha), A));']], { kitOps: true }),
  bug(M, 'alpha ignored: B A divided by r', MERGE_SOLUTION, [['return mul(matmul(B, A), alpha / r);', 'return mul(matmul(B, A), 1 / r);']], { kitOps: true }),
  bug(M, 'B scaled in place before the product', MERGE_SOLUTION,
    [['return add(W, delta(A, B, alpha, r));', 'for (let i = 0; i < B.size; i++) B.data[i] *= alpha / r;\n  return add(W, matmul(B, A));']]),
  bug(M, 'unmerge subtracts (B A)ᵀ', MERGE_SOLUTION,
    [['add, matmul, mul, sub }', 'add, matmul, mul, sub, transpose }'], ['return sub(merged, delta(A, B, alpha, r));', 'return sub(merged, transpose(delta(A, B, alpha, r), 0, 1));']],
    { kitOps: true, at: 'return sub(merged, transpose(' }),
  bug(M, 'unmerge negates B in place', MERGE_FOLDED,
    [['return sub(merged, matmul(mul(B, alpha / r), A));', 'for (let i = 0; i < B.size; i++) B.data[i] = -B.data[i];\n  return add(merged, matmul(mul(B, alpha / r), A));']]),
  bug(M, 'the rank loop stops one short', MERGE_LOOPS, [['for (let k = 0; k < rank; k++)', 'for (let k = 0; k < rank - 1; k++)']]),
  bug(M, 'B read as if it were (r, out)', MERGE_LOOPS, [['acc += B.data[o * rank + k] * A.data[k * inp + i];', 'acc += B.data[k * out + o] * A.data[k * inp + i];']]),
  // Catalogued, written a new way.
  bug(M, 'Aᵀ Bᵀ added without transposing back', MERGE_TRANSPOSES,
    [['return add(W, transpose(mul(AtBt, alpha / r), 0, 1));', 'return add(W, mul(AtBt, alpha / r));']], { catalogued: 'merge-transposed', kitOps: true }),
  bug(M, 'merge with the scale left at 1 in the loops', MERGE_LOOPS,
    [['return update(W, A, B, alpha / r);', 'return update(W, A, B, 1);']], { catalogued: 'merge-no-scale' }),
  bug(M, 'merge through the helper with r / alpha', MERGE_SIGNED,
    [['return apply(W, A, B, alpha / r);', 'return apply(W, A, B, r / alpha);']], { catalogued: 'merge-inverted-scale' }),
  bug(M, 'unmerge through the helper with +alpha / r', MERGE_SIGNED,
    [['return apply(merged, A, B, -(alpha / r));', 'return apply(merged, A, B, alpha / r);']], { catalogued: 'unmerge-adds' }),
  bug(M, 'unmerge copies the merged weight', MERGE_FOLDED,
    [['return sub(merged, matmul(mul(B, alpha / r), A));', 'return merged.reshape(...merged.shape);']], { catalogued: 'unmerge-noop', kitOps: true }),
];

// --- lesson 8, exercise 1: LoRA on the bundled GPT ------------------------------------------------------------

const FINETUNE_HEAD = `import { type Block, type GPT, Linear, Rng, add, matmul, mul, noGrad } from '@llm-lab/kit';
import { LoRALinear } from '../07-lora/layer';
import { merge } from '../07-lora/merge';

export { LoRALinear, merge };

export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

export interface LoRAConfig {
  r: number;
  alpha: number;
  targets: readonly LoRATarget[];
  seed: number;
}

export function slot(block: Block, target: LoRATarget): { parent: Record<string, Linear>; key: string } {
  const [part, key] = target.split('.') as ['attn' | 'mlp', string];
  return { parent: block[part] as unknown as Record<string, Linear>, key };
}
`;

/** Index loops; mergeLoRA writes the merged weight into the old weight tensor (PEFT's merge_and_unload). */
const FINETUNE_LOOPS = `${FINETUNE_HEAD}
export function addLoRA(model: GPT, config: LoRAConfig): Map<string, LoRALinear> {
  model.parameters().forEach((p) => { p.requiresGrad = false; });
  const rng = new Rng(config.seed);
  const adapters = new Map<string, LoRALinear>();
  for (let i = 0; i < model.h.length; i++) {
    for (const target of config.targets) {
      const { parent, key } = slot(model.h[i], target);
      const lora = new LoRALinear(parent[key], config.r, config.alpha, rng);
      parent[key] = lora;
      adapters.set(\`h.\${i}.\${target}\`, lora);
    }
  }
  return adapters;
}

export function mergeLoRA(model: GPT, adapters: Map<string, LoRALinear>): void {
  for (const [name, a] of adapters) {
    const i = Number(name.split('.')[1]);
    const target = name.split('.').slice(2).join('.') as LoRATarget;
    const { parent, key } = slot(model.h[i], target);
    const W = noGrad(() => merge(a.weight, a.A, a.B, a.alpha, a.r));
    a.weight.data.set(W.data);
    const plain = new Linear(a.inFeatures, a.outFeatures, a.bias !== null);
    plain.weight = a.weight;
    plain.bias = a.bias;
    parent[key] = plain;
  }
}
`;

/** forEach over the targets; mergeLoRA finds the adapters by instanceof and merges with kit ops. */
const FINETUNE_SCAN = `${FINETUNE_HEAD}
export function addLoRA(model: GPT, config: LoRAConfig): Map<string, LoRALinear> {
  for (const [, p] of model.namedParameters()) p.requiresGrad = false;
  const rng = new Rng(config.seed);
  const out = new Map<string, LoRALinear>();
  model.h.forEach((block, i) => config.targets.forEach((target) => {
    const { parent, key } = slot(block, target);
    out.set(\`h.\${i}.\${target}\`, (parent[key] = new LoRALinear(parent[key], config.r, config.alpha, rng)) as LoRALinear);
  }));
  return out;
}

export function mergeLoRA(model: GPT, adapters: Map<string, LoRALinear>): void {
  const all: LoRATarget[] = ['attn.q', 'attn.k', 'attn.v', 'attn.proj', 'mlp.fc', 'mlp.proj'];
  for (const block of model.h) {
    for (const target of all) {
      const { parent, key } = slot(block, target);
      const a = parent[key] as unknown;
      if (!(a instanceof LoRALinear)) continue;
      const lin = new Linear(a.inFeatures, a.outFeatures, a.bias !== null);
      lin.weight = noGrad(() => add(a.weight, mul(matmul(a.B, a.A), a.alpha / a.r)));
      lin.bias = a.bias;
      parent[key] = lin;
    }
  }
  void adapters;
}
`;

/** The reference's shape with a for-of over entries and Object.assign. */
const FINETUNE_ASSIGN = `${FINETUNE_HEAD}
export function addLoRA(model: GPT, config: LoRAConfig): Map<string, LoRALinear> {
  for (const p of model.parameters()) p.requiresGrad = false;
  const rng = new Rng(config.seed);
  const adapters = new Map<string, LoRALinear>();
  for (const [i, block] of model.h.entries()) {
    for (const target of config.targets) {
      const { parent, key } = slot(block, target);
      const base = parent[key];
      const wrapped = new LoRALinear(base, config.r, config.alpha, rng);
      parent[key] = wrapped;
      adapters.set(['h', i, target].join('.'), wrapped);
    }
  }
  return adapters;
}

export function mergeLoRA(model: GPT, adapters: Map<string, LoRALinear>): void {
  for (const [name, a] of adapters.entries()) {
    const [, i, part, key] = name.split('.');
    const weight = noGrad(() => merge(a.weight, a.A, a.B, a.alpha, a.r));
    const parent = model.h[Number(i)][part as 'attn' | 'mlp'] as unknown as Record<string, Linear>;
    parent[key] = Object.assign(new Linear(a.inFeatures, a.outFeatures, a.bias !== null), { weight, bias: a.bias });
  }
}
`;

const FINETUNE_SOLUTION = solution('08-lora-finetune/finetune.solution.ts');
const F = 'lora-finetune/finetune';
const QUICK_F = ['your LoRALinear and merge from the LoRA lesson', 'addLoRA wraps every chosen layer', 'mergeLoRA puts plain Linear layers back'];
const ADD_F = ['addLoRA wraps every chosen layer'];
const MERGE_F = ['mergeLoRA puts plain Linear layers back'];

const FINETUNE: CorpusEntry[] = [
  // The only entry of this exercise that fine-tunes and exports (every check).
  correct(F, 'index loops, the merged weight written into the old tensor', FINETUNE_LOOPS),
  correct(F, 'forEach, mergeLoRA finds adapters by instanceof and merges with kit ops', FINETUNE_SCAN, QUICK_F),
  correct(F, 'entries() and Object.assign', FINETUNE_ASSIGN, QUICK_F),
  correct(F, 'the reference with the Map built after wrapping', withEdits(FINETUNE_SOLUTION, [
    ['const adapters = new Map<string, LoRALinear>();\n', ''],
    ['      adapters.set(`h.${i}.${target}`, adapter);\n', ''],
    ['  });\n  return adapters;', '  });\n  const adapters = new Map<string, LoRALinear>();\n  model.h.forEach((block, i) => {\n    for (const target of config.targets) {\n      const { parent, key } = slot(block, target);\n      adapters.set(`h.${i}.${target}`, parent[key] as LoRALinear);\n    }\n  });\n  return adapters;'],
  ], 'map after wrapping'), QUICK_F),
  // Not catalogued.
  bug(F, 'frozen after wrapping (A and B frozen too)', FINETUNE_LOOPS,
    [['  model.parameters().forEach((p) => { p.requiresGrad = false; });\n', ''],
      ['  return adapters;\n}\n\nexport function mergeLoRA', '  model.parameters().forEach((p) => { p.requiresGrad = false; });\n  return adapters;\n}\n\nexport function mergeLoRA']],
    { checks: ADD_F, at: 'model.parameters().forEach((p) => { p.requiresGrad = false; });' }),
  bug(F, 'the Map keyed without the dot after h', FINETUNE_LOOPS, [['adapters.set(`h.${i}.${target}`, lora);', 'adapters.set(`h${i}.${target}`, lora);']], { checks: QUICK_F }),
  bug(F, 'config.seed ignored (a fixed Rng(0))', FINETUNE_ASSIGN, [['const rng = new Rng(config.seed);', 'const rng = new Rng(0);']], { checks: QUICK_F }),
  bug(F, 'the merged Linear keeps its own random bias', FINETUNE_ASSIGN,
    [['Object.assign(new Linear(a.inFeatures, a.outFeatures, a.bias !== null), { weight, bias: a.bias });', 'Object.assign(new Linear(a.inFeatures, a.outFeatures, a.bias !== null), { weight });']],
    { checks: MERGE_F }),
  bug(F, 'merge called with alpha and r swapped', FINETUNE_SOLUTION,
    [['merge(a.weight, a.A, a.B, a.alpha, a.r)', 'merge(a.weight, a.A, a.B, a.r, a.alpha)']], { checks: QUICK_F }),
  bug(F, 'config.r passed as alpha', FINETUNE_SOLUTION, [['new LoRALinear(parent[key], config.r, config.alpha, rng)', 'new LoRALinear(parent[key], config.r, config.r, rng)']],
    { checks: QUICK_F }),
  bug(F, 'the rank fixed at PEFT\'s default 8', FINETUNE_SCAN,
    [['new LoRALinear(parent[key], config.r, config.alpha, rng)', 'new LoRALinear(parent[key], 8, config.alpha, rng)']], { checks: QUICK_F }),
  // Catalogued, written a new way.
  bug(F, 'only the blocks frozen (embeddings still train)', FINETUNE_SOLUTION,
    [['for (const p of model.parameters()) p.requiresGrad = false;', 'for (const block of model.h) for (const p of block.parameters()) p.requiresGrad = false;']],
    { catalogued: 'not-frozen', checks: QUICK_F }),
  bug(F, 'the last block skipped', FINETUNE_LOOPS, [['for (let i = 0; i < model.h.length; i++) {', 'for (let i = 0; i < model.h.length - 1; i++) {']],
    { catalogued: 'wrong-targets', checks: QUICK_F }),
  bug(F, 'a new Rng(config.seed) for every block', FINETUNE_SOLUTION,
    [['const rng = new Rng(config.seed); // one generator for all adapters: each gets its own A\n', ''],
      ['model.h.forEach((block, i) => {\n', 'model.h.forEach((block, i) => {\n    const rng = new Rng(config.seed);\n']],
    { catalogued: 'shared-rng', checks: QUICK_F, at: '    const rng = new Rng(config.seed);' }),
  bug(F, 'the adapters merged into their weights but left in place', FINETUNE_LOOPS,
    [['    const plain = new Linear(a.inFeatures, a.outFeatures, a.bias !== null);\n    plain.weight = a.weight;\n    plain.bias = a.bias;\n    parent[key] = plain;\n',
      '    a.B.data.fill(0); // the update now lives in W\n    void parent[key];\n']],
    { catalogued: 'not-merged', checks: QUICK_F, at: 'a.B.data.fill(0); // the update now lives in W' }),
  bug(F, 'each adapter wraps a fresh Linear', FINETUNE_ASSIGN,
    [['const base = parent[key];', 'const base = new Linear(parent[key].inFeatures, parent[key].outFeatures, true, rng);']], { catalogued: 'changed-at-step-0', checks: QUICK_F }),
  bug(F, 'the generator seeded from the clock', FINETUNE_SCAN, [['const rng = new Rng(config.seed);', 'const rng = new Rng(Date.now() % 100000);']],
    { catalogued: 'unseeded', checks: QUICK_F }),
];

// --- lesson 8, exercise 2: QLoRA ------------------------------------------------------------------------------

const INT8_TYPE = `export interface Int8Weight {
  q: Int8Array;
  scales: Float32Array;
  shape: [number, number];
}
`;

/** bitsandbytes' way: scales hold each row's absmax (SCB); dequantized as q · SCB / 127. */
const QLORA_ABSMAX = `import { type Tensor, tensor } from '@llm-lab/kit';

${INT8_TYPE}
export function quantizeInt8(W: Tensor): Int8Weight {
  const [out, inp] = W.shape;
  const q = new Int8Array(out * inp);
  const scales = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const row = Array.from(W.data.subarray(o * inp, (o + 1) * inp));
    const absmax = Math.max(...row.map(Math.abs));
    scales[o] = absmax;
    if (absmax === 0) continue;
    row.forEach((w, i) => { q[o * inp + i] = Math.max(-127, Math.min(127, Math.round((w * 127) / absmax))); });
  }
  return { q, scales, shape: [out, inp] };
}

export function dequantizeInt8(w: Int8Weight): Tensor {
  const [out, inp] = w.shape;
  const data = new Float32Array(out * inp);
  for (let k = 0; k < data.length; k++) data[k] = (w.q[k] * w.scales[Math.floor(k / inp)]) / 127;
  return tensor(data, [out, inp]);
}
`;

/** q from the float32 scale read back; rounding half away from zero. */
const QLORA_HALF_AWAY = `import { type Tensor, tensor } from '@llm-lab/kit';

${INT8_TYPE}
export function quantizeInt8(W: Tensor): Int8Weight {
  const [out, inp] = W.shape;
  const scales = new Float32Array(out);
  const q = new Int8Array(out * inp);
  for (let o = 0; o < out; o++) {
    let max = 0;
    for (let i = 0; i < inp; i++) if (Math.abs(W.data[o * inp + i]) > max) max = Math.abs(W.data[o * inp + i]);
    scales[o] = max / 127;
    for (let i = 0; i < inp; i++) {
      const v = scales[o] === 0 ? 0 : W.data[o * inp + i] / scales[o];
      const rounded = Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
      q[o * inp + i] = rounded > 127 ? 127 : rounded < -127 ? -127 : rounded;
    }
  }
  return { q, scales, shape: [out, inp] };
}

export function dequantizeInt8(w: Int8Weight): Tensor {
  const [out, inp] = w.shape;
  const data = new Float32Array(out * inp);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) data[o * inp + i] = w.q[o * inp + i] * w.scales[o];
  return tensor(data, [out, inp]);
}
`;

/** A reciprocal multiplied instead of a division; reduce for the row max; float64 then float32. */
const QLORA_RECIPROCAL = `import { type Tensor, tensor } from '@llm-lab/kit';

${INT8_TYPE}
export function quantizeInt8(W: Tensor): Int8Weight {
  const [out, inp] = W.shape;
  const q = new Int8Array(out * inp);
  const scales = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const row = W.data.subarray(o * inp, (o + 1) * inp);
    const max = row.reduce((m, w) => Math.max(m, Math.abs(w)), 0);
    scales[o] = max / 127;
    const inv = max === 0 ? 0 : 127 / max;
    for (let i = 0; i < inp; i++) q[o * inp + i] = Math.min(127, Math.max(-127, Math.round(row[i] * inv)));
  }
  return { q, scales, shape: [out, inp] };
}

export function dequantizeInt8(w: Int8Weight): Tensor {
  const [out, inp] = w.shape;
  const data = new Float64Array(out * inp);
  for (let k = 0; k < data.length; k++) data[k] = w.q[k] * w.scales[Math.floor(k / inp)];
  return tensor(Float32Array.from(data), [out, inp]);
}
`;

/** Map over rows into plain arrays, Int8Array.from at the end. */
const QLORA_ROWS = `import { type Tensor, tensor } from '@llm-lab/kit';

${INT8_TYPE}
export function quantizeInt8(W: Tensor): Int8Weight {
  const [out, inp] = W.shape;
  const rows = Array.from({ length: out }, (_, o) => Array.from(W.data.slice(o * inp, (o + 1) * inp)));
  const steps = rows.map((row) => row.reduce((m, w) => (Math.abs(w) > m ? Math.abs(w) : m), 0) / 127);
  const values = rows.flatMap((row, o) => row.map((w) => (steps[o] > 0 ? Math.max(-127, Math.min(127, Math.round(w / steps[o]))) : 0)));
  return { q: Int8Array.from(values), scales: Float32Array.from(steps), shape: [out, inp] };
}

export function dequantizeInt8(w: Int8Weight): Tensor {
  const [out, inp] = w.shape;
  return tensor(Array.from(w.q, (q, k) => q * w.scales[Math.floor(k / inp)]), [out, inp]);
}
`;

const QLORA_SOLUTION = solution('08-lora-finetune/qlora.solution.ts');
const Q = 'lora-finetune/qlora';
const QUICK_Q = ['quantizeInt8: a small example by hand', 'one scale per output channel', 'round trip'];

const QLORA: CorpusEntry[] = [
  // The only entry of this exercise that runs the QLoRA training check.
  correct(Q, 'bitsandbytes\' absmax scales, dequantized as q · SCB / 127', QLORA_ABSMAX),
  correct(Q, 'q from the float32 scale, rounding half away from zero', QLORA_HALF_AWAY, QUICK_Q),
  correct(Q, 'a reciprocal multiplied, float64 dequantization', QLORA_RECIPROCAL, QUICK_Q),
  correct(Q, 'rows mapped to plain arrays, Int8Array.from at the end', QLORA_ROWS, QUICK_Q),
  // Not catalogued.
  bug(Q, 'the step is max / 128', QLORA_SOLUTION, [['const scale = max / 127;', 'const scale = max / 128;']], { checks: QUICK_Q }),
  bug(Q, 'dequantize reads the scale of column i', QLORA_SOLUTION, [['w.q[o * inp + i] * w.scales[o]', 'w.q[o * inp + i] * w.scales[i % out]']], { checks: QUICK_Q }),
  bug(Q, 'the row max without Math.abs', QLORA_HALF_AWAY,
    [['for (let i = 0; i < inp; i++) if (Math.abs(W.data[o * inp + i]) > max) max = Math.abs(W.data[o * inp + i]);', 'for (let i = 0; i < inp; i++) if (W.data[o * inp + i] > max) max = W.data[o * inp + i];']],
    { checks: QUICK_Q }),
  bug(Q, 'shape returned as [in, out]', QLORA_RECIPROCAL, [['return { q, scales, shape: [out, inp] };', 'return { q, scales, shape: [inp, out] };']], { checks: QUICK_Q }),
  bug(Q, 'the row max skips column 0', QLORA_SOLUTION,
    [['for (let i = 0; i < inp; i++) max = Math.max(max, Math.abs(W.data[o * inp + i]));', 'for (let i = 1; i < inp; i++) max = Math.max(max, Math.abs(W.data[o * inp + i]));']],
    { checks: QUICK_Q }),
  bug(Q, 'the row max rounded to a whole number before the step', QLORA_ROWS,
    [['const steps = rows.map((row) => row.reduce((m, w) => (Math.abs(w) > m ? Math.abs(w) : m), 0) / 127);',
      'const steps = rows.map((row) => Math.round(row.reduce((m, w) => (Math.abs(w) > m ? Math.abs(w) : m), 0)) / 127);']], { checks: QUICK_Q }),
  // Catalogued, written a new way.
  bug(Q, 'one absmax over the whole matrix, spread', QLORA_ABSMAX,
    [['const absmax = Math.max(...row.map(Math.abs));', 'const absmax = Math.max(...Array.from(W.data, Math.abs));']], { catalogued: 'per-tensor', checks: QUICK_Q }),
  bug(Q, 'the float written straight into the Int8Array', QLORA_SOLUTION,
    [['q[o * inp + i] = Math.max(-127, Math.min(127, Math.round(W.data[o * inp + i] / scale)));', 'q[o * inp + i] = W.data[o * inp + i] / scale;']], { catalogued: 'floor', checks: QUICK_Q }),
  bug(Q, 'Math.floor instead of Math.round', QLORA_RECIPROCAL, [['Math.round(row[i] * inv)', 'Math.floor(row[i] * inv)']], { catalogued: 'floor', checks: QUICK_Q }),
  bug(Q, 'dequantize divides by the step, in float64', QLORA_RECIPROCAL,
    [['data[k] = w.q[k] * w.scales[Math.floor(k / inp)];', 'data[k] = w.q[k] / w.scales[Math.floor(k / inp)];']], { catalogued: 'dequant-divides', checks: QUICK_Q }),
  bug(Q, 'a scale per column, one per input', QLORA_SOLUTION,
    [['const scales = new Float32Array(out);\n  for (let o = 0; o < out; o++) {\n    let max = 0;\n    for (let i = 0; i < inp; i++) max = Math.max(max, Math.abs(W.data[o * inp + i]));\n    const scale = max / 127; // the largest weight of the row maps to ±127\n    scales[o] = scale;\n    if (scale === 0) continue; // an all-zero row stays 0 (and 0 / 0 would be NaN)\n    for (let i = 0; i < inp; i++) q[o * inp + i] = Math.max(-127, Math.min(127, Math.round(W.data[o * inp + i] / scale)));\n  }',
      'const scales = new Float32Array(inp);\n  for (let i = 0; i < inp; i++) {\n    let max = 0;\n    for (let o = 0; o < out; o++) max = Math.max(max, Math.abs(W.data[o * inp + i]));\n    scales[i] = max / 127;\n  }\n  for (let k = 0; k < q.length; k++) {\n    const s = scales[k % inp];\n    q[k] = s === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(W.data[k] / s)));\n  }']],
    { catalogued: 'per-column', checks: QUICK_Q, at: 'const scales = new Float32Array(inp);' }),
];

export const CORPUS: CorpusEntry[] = [...PARAMS, ...LAYER, ...BACKWARD, ...MERGE, ...FINETUNE, ...QLORA];
