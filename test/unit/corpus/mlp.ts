/**
 * The mlp lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for lessons/01c-mlp written
 * independently of the catalogues. For each exercise, correct files in other styles than the reference (the kit's
 * fused ops, custom ops with float64 loops and their own backward, maskedFill and e^{-|x|} branches, normal init,
 * PyTorch's bias, logSoftmax + gather, the kit's crossEntropy, softplus of -x), and one-bug variants: most of them
 * mistakes no catalogue names (an argument ignored, a wrong constant, a missing term, a sign, a mutated input, a
 * wrong divisor), the others catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed from the resulting file (the line of a marker that occurs exactly once). The layers
 * exercise has a training check: only two entries run it, the others run the quick checks (`checks`).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const solution = (file: string): string => readFileSync(path.join(LESSONS, file), 'utf8');
const LAYERS = solution('01c-mlp/layers.solution.ts');
const LOSSES = solution('01c-mlp/losses.solution.ts');

const QUICK_LAYERS = [
  'activations: values on hand-worked inputs', 'activations: autograd gives the right gradients', 'Linear: y = x Wᵀ + b',
  'Linear init: the std of the weights', 'MLP: layers, shapes', 'kaiming + relu keeps',
];

interface BugOptions { catalogued?: string; kitOps?: boolean; checks?: string[]; at?: string }

function correct(exercise: string, name: string, source: string, checks?: string[]): CorpusEntry {
  return { exercise, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

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

// --- exercise 1: layers ----------------------------------------------------------------------------------------

/** The kit's fused relu, tanh and gelu; sigmoid from the kit's tanh; a nested init loop; MLP.forward with a for loop. */
const LAYERS_KIT_FUSED = `import { Module, Rng, Tensor, add, gelu as kitGelu, globalRng, linear, mul, relu as kitRelu, tanh as kitTanh } from '@llm-lab/kit';

export const relu = (x: Tensor): Tensor => kitRelu(x);
export const tanh = (x: Tensor): Tensor => kitTanh(x);
export const sigmoid = (x: Tensor): Tensor => add(mul(kitTanh(mul(x, 0.5)), 0.5), 0.5);
export const gelu = (x: Tensor): Tensor => kitGelu(x);

export type Init = 'kaiming' | 'xavier' | 'zeros';

export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean; init?: Init; rng?: Rng } = {}) {
    super();
    const init = opts.init ?? 'kaiming';
    const rng = opts.rng ?? globalRng;
    const fan = init === 'xavier' ? (inFeatures + outFeatures) / 2 : inFeatures;
    const a = init === 'zeros' ? 0 : init === 'xavier' ? Math.sqrt(3 / fan) : Math.sqrt(6 / fan);
    const w = new Float32Array(outFeatures * inFeatures);
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) w[o * inFeatures + i] = a * (rng.random() * 2 - 1);
    }
    this.weight = new Tensor(w, [outFeatures, inFeatures], true);
    this.bias = opts.bias === false ? null : new Tensor(new Float32Array(outFeatures), [outFeatures], true);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh';

export class MLP extends Module {
  layers: Linear[] = [];
  readonly activation: Activation;

  constructor(sizes: number[], opts: { activation?: Activation; rng?: Rng } = {}) {
    super();
    if (!(sizes.length >= 2)) throw new Error('MLP needs an input and an output size');
    this.activation = opts.activation ?? 'relu';
    for (let i = 1; i < sizes.length; i++) this.layers.push(new Linear(sizes[i - 1], sizes[i], { rng: opts.rng ?? globalRng }));
  }

  forward(x: Tensor): Tensor {
    const f = { relu, gelu, tanh }[this.activation];
    let h = this.layers[0].forward(x);
    for (let i = 1; i < this.layers.length; i++) h = this.layers[i].forward(f(h));
    return h;
  }
}
`;

/** Each activation a custom op: a float64 loop forward, its own backward; normal init with the right std. */
const LAYERS_CUSTOM_OPS = `import { Module, Rng, Tensor, fromOp, globalRng, gradOf, linear } from '@llm-lab/kit';

function pointwise(name: string, x: Tensor, f: (v: number) => number, df: (v: number, y: number) => number): Tensor {
  const xs = x.data;
  const y = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) y[i] = f(xs[i]);
  return fromOp(name, y, x.shape, [x], (g) => {
    const gx = gradOf(x);
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * df(xs[i], y[i]);
  });
}

export function relu(x: Tensor): Tensor {
  return pointwise('relu', x, (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0));
}

export function tanh(x: Tensor): Tensor {
  return pointwise('tanh', x, Math.tanh, (_v, y) => 1 - y * y);
}

function sig(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export function sigmoid(x: Tensor): Tensor {
  return pointwise('sigmoid', x, sig, (_v, y) => y * (1 - y));
}

const K = Math.sqrt(2 / Math.PI);

export function gelu(x: Tensor): Tensor {
  return pointwise('gelu', x, (v) => 0.5 * v * (1 + Math.tanh(K * (v + 0.044715 * v ** 3))), (v) => {
    const th = Math.tanh(K * (v + 0.044715 * v ** 3));
    return 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * K * (1 + 3 * 0.044715 * v * v);
  });
}

export type Init = 'kaiming' | 'xavier' | 'zeros';

export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean; init?: Init; rng?: Rng } = {}) {
    super();
    const { bias = true, init = 'kaiming', rng = globalRng } = opts;
    let std = 0;
    if (init === 'kaiming') std = Math.sqrt(2 / inFeatures);
    else if (init === 'xavier') std = Math.sqrt(2 / (inFeatures + outFeatures));
    const w = Float32Array.from({ length: outFeatures * inFeatures }, () => (std === 0 ? 0 : rng.normal(0, std)));
    this.weight = new Tensor(w, [outFeatures, inFeatures], true);
    this.bias = bias ? new Tensor(new Float32Array(outFeatures), [outFeatures], true) : null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh';

export class MLP extends Module {
  layers: Linear[];
  readonly activation: Activation;

  constructor(sizes: number[], opts: { activation?: Activation; rng?: Rng } = {}) {
    super();
    if (sizes.length < 2) throw new Error('MLP: need at least two sizes');
    this.activation = opts.activation ?? 'relu';
    const rng = opts.rng ?? globalRng;
    this.layers = sizes.slice(1).map((out, i) => new Linear(sizes[i], out, { rng }));
  }

  forward(x: Tensor): Tensor {
    const act = this.activation === 'relu' ? relu : this.activation === 'gelu' ? gelu : tanh;
    return this.layers.reduce((h, layer, i) => (i === 0 ? layer.forward(h) : layer.forward(act(h))), x);
  }
}
`;

/** relu with maskedFill; sigmoid from e^{-|x|} in two masked branches; tanh = 2 sigmoid(2x) - 1; PyTorch's bias. */
const LAYERS_MASKED = `import { Module, Rng, Tensor, add, div, exp, globalRng, linear, maskedFill, mul, pow, sub } from '@llm-lab/kit';

const mask = (x: Tensor, f: (v: number) => boolean) => new Tensor(Float32Array.from(x.data, (v) => (f(v) ? 1 : 0)), x.shape);

export function relu(x: Tensor): Tensor {
  return maskedFill(x, mask(x, (v) => !(v > 0)), 0);
}

export function sigmoid(x: Tensor): Tensor {
  const pos = mask(x, (v) => v >= 0);
  const sign = sub(mul(pos, 2), 1);
  const e = exp(mul(mul(x, sign), -1)); // e^{-|x|}
  const numerator = add(pos, mul(sub(1, pos), e)); // 1 where x >= 0, e^{x} where x < 0
  return div(numerator, add(e, 1));
}

export function tanh(x: Tensor): Tensor {
  return sub(mul(sigmoid(mul(x, 2)), 2), 1);
}

export function gelu(x: Tensor): Tensor {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(x, mul(add(tanh(inner), 1), 0.5));
}

export type Init = 'kaiming' | 'xavier' | 'zeros';

export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean; init?: Init; rng?: Rng } = {}) {
    super();
    const rng = opts.rng ?? globalRng;
    const bounds = { kaiming: Math.sqrt(6 / inFeatures), xavier: Math.sqrt(6 / (inFeatures + outFeatures)), zeros: 0 };
    const bound = bounds[opts.init ?? 'kaiming'];
    this.weight = new Tensor(Float32Array.from({ length: inFeatures * outFeatures }, () => bound * (2 * rng.random() - 1)), [outFeatures, inFeatures], true);
    const b = 1 / Math.sqrt(inFeatures); // PyTorch's bias init
    this.bias = (opts.bias ?? true) ? new Tensor(Float32Array.from({ length: outFeatures }, () => b * (2 * rng.random() - 1)), [outFeatures], true) : null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh';

export class MLP extends Module {
  layers: Linear[];
  readonly activation: Activation;

  constructor(sizes: number[], opts: { activation?: Activation; rng?: Rng } = {}) {
    super();
    if (sizes.length < 2) throw new RangeError(\`MLP: sizes [\${sizes}] has fewer than 2 entries\`);
    this.activation = opts.activation ?? 'relu';
    this.layers = [];
    for (let i = 0; i < sizes.length - 1; i++) this.layers.push(new Linear(sizes[i], sizes[i + 1], { rng: opts.rng }));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const [i, layer] of this.layers.entries()) {
      h = layer.forward(h);
      if (i === this.layers.length - 1) break;
      h = this.activation === 'tanh' ? tanh(h) : this.activation === 'gelu' ? gelu(h) : relu(h);
    }
    return h;
  }
}
`;

const LAYERS_CORRECT: CorpusEntry[] = [
  correct('mlp/layers', "the kit's fused relu, tanh and gelu; a nested init loop", LAYERS_KIT_FUSED),
  correct('mlp/layers', 'custom ops with float64 loops and their own backward; normal init', LAYERS_CUSTOM_OPS),
  correct('mlp/layers', "maskedFill relu, e^{-|x|} sigmoid branches, tanh from sigmoid, PyTorch's bias", LAYERS_MASKED, QUICK_LAYERS),
  correct('mlp/layers', 'reference with the bound written as √3 · std and the MLP built with map', withEdits(LAYERS, [
    ["const bound = init === 'kaiming' ? Math.sqrt(6 / inFeatures) : init === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures)) : 0;",
      "const std = init === 'kaiming' ? Math.sqrt(2 / inFeatures) : init === 'xavier' ? Math.sqrt(2 / (inFeatures + outFeatures)) : 0;\n    const bound = Math.sqrt(3) * std;"],
    ['this.layers = [];\n    for (let i = 0; i + 1 < sizes.length; i++) this.layers.push(new Linear(sizes[i], sizes[i + 1], { rng }));',
      'this.layers = sizes.slice(0, -1).map((n, i) => new Linear(n, sizes[i + 1], { rng }));'],
  ], 'bound as √3 · std'), QUICK_LAYERS),
];

const LAYERS_BUGS: CorpusEntry[] = [
  // Mistakes no catalogue names.
  bug('mlp/layers', 'MLP ignores opts.activation (always relu)', LAYERS,
    [["const act = this.activation === 'gelu' ? gelu : this.activation === 'tanh' ? tanh : relu;", 'const act = relu;']], { checks: QUICK_LAYERS }),
  bug('mlp/layers', "xavier's fan uses in twice (out ignored)", LAYERS,
    [["init === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures))", "init === 'xavier' ? Math.sqrt(6 / (inFeatures + inFeatures))"]],
    { checks: QUICK_LAYERS, at: "init === 'xavier' ? Math.sqrt(6 / (inFeatures + inFeatures))" }),
  bug('mlp/layers', "gelu's constant 0.04715 instead of 0.044715", LAYERS,
    [['const u = mul(add(x, mul(pow(x, 3), 0.044715)), GELU_C);', 'const u = mul(add(x, mul(pow(x, 3), 0.04715)), GELU_C);']], { checks: QUICK_LAYERS, kitOps: true }),
  bug('mlp/layers', 'Linear ignores { bias: false }', LAYERS,
    [['this.bias = bias ? new Tensor(new Float32Array(outFeatures), [outFeatures], true) : null;', 'this.bias = new Tensor(new Float32Array(outFeatures), [outFeatures], true);']],
    { checks: QUICK_LAYERS }),
  bug('mlp/layers', 'sigmoid = (1 + tanh(x)) / 2, the x / 2 forgotten', LAYERS,
    [['return mul(add(tanh(mul(x, 0.5)), 1), 0.5);', 'return mul(add(tanh(x), 1), 0.5);']], { checks: QUICK_LAYERS, kitOps: true }),
  // Catalogued mistakes, written a new way.
  bug('mlp/layers', 'activation applied after every layer, in a for-of loop', LAYERS,
    [['this.layers.forEach((layer, i) => {\n      h = layer.forward(h);\n      if (i < this.layers.length - 1) h = act(h);\n    });', 'for (const layer of this.layers) h = act(layer.forward(h));']],
    { catalogued: 'act-after-last', checks: QUICK_LAYERS }),
  bug('mlp/layers', "only xavier draws weights: the default 'kaiming' leaves zeros", LAYERS,
    [["const bound = init === 'kaiming' ? Math.sqrt(6 / inFeatures) : init === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures)) : 0;",
      "const bound = init === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures)) : 0;"]],
    { catalogued: 'zero-init', checks: QUICK_LAYERS }),
  bug('mlp/layers', 'kaiming bound √(1/in)', LAYERS,
    [["init === 'kaiming' ? Math.sqrt(6 / inFeatures)", "init === 'kaiming' ? Math.sqrt(1 / inFeatures)"]],
    { catalogued: 'init-pytorch-default', checks: QUICK_LAYERS, at: "init === 'kaiming' ? Math.sqrt(1 / inFeatures)" }),
  bug('mlp/layers', 'weights drawn from globalRng, not opts.rng', LAYERS,
    [['w[i] = bound === 0 ? 0 : (2 * rng.random() - 1) * bound;', 'w[i] = bound === 0 ? 0 : (2 * globalRng.random() - 1) * bound;']],
    { catalogued: 'rng-ignored', checks: QUICK_LAYERS }),
];

// --- exercise 2: losses ----------------------------------------------------------------------------------------

/** logSoftmax + gather; BCE as x (1 - y) + softplus(-x); MSE with pow. */
const LOSSES_LOG_SOFTMAX = `import { Tensor, add, exp, gather, log, logSoftmax, mean, mul, neg, pow, sub } from '@llm-lab/kit';

function assertSameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) throw new Error(\`\${what}: shapes differ\`);
}

export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  assertSameShape(pred, target, 'mseLoss');
  return mean(pow(sub(pred, target), 2));
}

export function crossEntropyLoss(logits: Tensor, targets: ArrayLike<number>): Tensor {
  if (logits.ndim !== 2) throw new Error('crossEntropyLoss: logits must be 2-D');
  const [N, C] = logits.shape;
  if (targets.length !== N) throw new Error('crossEntropyLoss: one target per row');
  const ids = Array.from(targets);
  if (ids.some((t) => !Number.isInteger(t) || t < 0 || t >= C)) throw new Error('crossEntropyLoss: bad target');
  return neg(mean(gather(logSoftmax(logits, -1), 1, ids, [N, 1])));
}

/** log(1 + e^v) for a tensor v, with c = max(v, 0) held constant. */
function softplus(v: Tensor): Tensor {
  const c = new Tensor(Float32Array.from(v.data, (a) => (a > 0 ? a : 0)), v.shape);
  return add(c, log(add(exp(neg(c)), exp(sub(v, c)))));
}

export function bceWithLogitsLoss(logits: Tensor, targets: Tensor): Tensor {
  assertSameShape(logits, targets, 'bceWithLogitsLoss');
  return mean(add(mul(logits, sub(1, targets)), softplus(neg(logits))));
}
`;

/** Fused custom ops: float64 loops for the value, the analytic gradient in the backward. */
const LOSSES_FUSED = `import { Tensor, fromOp, gradOf } from '@llm-lab/kit';

const same = (a: Tensor, b: Tensor) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  if (!same(pred, target)) throw new Error('mseLoss: shape mismatch');
  const n = pred.size;
  const p = Float64Array.from(pred.data);
  const q = Float64Array.from(target.data);
  let s = 0;
  for (let i = 0; i < n; i++) s += (p[i] - q[i]) ** 2;
  return fromOp('mse', Float32Array.of(s / n), [], [pred, target], (g) => {
    if (pred.requiresGrad) { const gp = gradOf(pred); for (let i = 0; i < n; i++) gp[i] += (g[0] * 2 * (p[i] - q[i])) / n; }
    if (target.requiresGrad) { const gt = gradOf(target); for (let i = 0; i < n; i++) gt[i] -= (g[0] * 2 * (p[i] - q[i])) / n; }
  });
}

export function crossEntropyLoss(logits: Tensor, targets: ArrayLike<number>): Tensor {
  if (logits.shape.length !== 2) throw new Error('crossEntropyLoss: (N, C) logits expected');
  const [N, C] = logits.shape;
  if (targets.length !== N) throw new Error('crossEntropyLoss: wrong number of targets');
  const ids = Int32Array.from(targets);
  for (let n = 0; n < N; n++) if (ids[n] !== targets[n] || ids[n] < 0 || ids[n] >= C) throw new Error('crossEntropyLoss: target out of range');
  const x = logits.data;
  const probs = new Float64Array(N * C);
  let total = 0;
  for (let n = 0; n < N; n++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x[n * C + c]);
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(x[n * C + c] - m);
    const lse = m + Math.log(z);
    for (let c = 0; c < C; c++) probs[n * C + c] = Math.exp(x[n * C + c] - lse);
    total += lse - x[n * C + ids[n]];
  }
  return fromOp('crossEntropy', Float32Array.of(total / N), [], [logits], (g) => {
    const gl = gradOf(logits);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) gl[n * C + c] += (g[0] * (probs[n * C + c] - (c === ids[n] ? 1 : 0))) / N;
    }
  });
}

export function bceWithLogitsLoss(logits: Tensor, targets: Tensor): Tensor {
  if (!same(logits, targets)) throw new Error('bceWithLogitsLoss: shape mismatch');
  const n = logits.size;
  let total = 0;
  const sig = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = logits.data[i];
    total += Math.max(v, 0) - v * targets.data[i] + Math.log1p(Math.exp(-Math.abs(v)));
    sig[i] = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
  }
  const y = Float64Array.from(targets.data);
  return fromOp('bce', Float32Array.of(total / n), [], [logits], (g) => {
    const gl = gradOf(logits);
    for (let i = 0; i < n; i++) gl[i] += (g[0] * (sig[i] - y[i])) / n;
  });
}
`;

/** The kit's crossEntropy after validating; BCE as y softplus(-x) + (1 - y) softplus(x); MSE as sum / n. */
const LOSSES_KIT = `import { Tensor, add, crossEntropy, div, exp, log, mean, mul, sub, sum } from '@llm-lab/kit';

export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  if (pred.shape.join(',') !== target.shape.join(',') || pred.ndim !== target.ndim) throw new Error('mseLoss: pred and target differ in shape');
  const d = sub(pred, target);
  return div(sum(mul(d, d)), pred.size);
}

export function crossEntropyLoss(logits: Tensor, targets: ArrayLike<number>): Tensor {
  if (logits.ndim !== 2) throw new Error('logits must be (N, C)');
  if (targets.length !== logits.shape[0]) throw new Error('need one target per row');
  for (const t of Array.from(targets)) if (!(Number.isInteger(t) && t >= 0 && t < logits.shape[1])) throw new Error(\`bad target \${t}\`);
  return crossEntropy(logits, targets);
}

function softplus(v: Tensor): Tensor {
  const c = new Tensor(v.data.map((a) => Math.max(a, 0)), v.shape);
  return add(c, log(add(exp(mul(c, -1)), exp(sub(v, c)))));
}

export function bceWithLogitsLoss(logits: Tensor, targets: Tensor): Tensor {
  if (logits.shape.join(',') !== targets.shape.join(',') || logits.ndim !== targets.ndim) throw new Error('bceWithLogitsLoss: shapes differ');
  // -log sigmoid(x) = softplus(-x), -log(1 - sigmoid(x)) = softplus(x)
  return mean(add(mul(targets, softplus(mul(logits, -1))), mul(sub(1, targets), softplus(logits))));
}
`;

const LOSSES_CORRECT: CorpusEntry[] = [
  correct('mlp/losses', 'logSoftmax + gather; BCE as x (1 - y) + softplus(-x); MSE with pow', LOSSES_LOG_SOFTMAX),
  correct('mlp/losses', 'fused custom ops with float64 loops and analytic gradients', LOSSES_FUSED),
  correct('mlp/losses', "the kit's crossEntropy; BCE as y softplus(-x) + (1 - y) softplus(x); MSE as sum / n", LOSSES_KIT),
  correct('mlp/losses', 'reference with the row max from Math.max over a slice and the loss as sum / N', withEdits(LOSSES, [
    ['for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) m[n] = Math.max(m[n], logits.data[n * C + c]);',
      'for (let n = 0; n < N; n++) m[n] = Math.max(...logits.data.subarray(n * C, (n + 1) * C));'],
    ['return mean(sub(lse, picked));', 'return mul(sum(sub(lse, picked)), 1 / N);'],
  ], 'row max by slices')),
];

const LOSSES_BUGS: CorpusEntry[] = [
  // Mistakes no catalogue names.
  bug('mlp/losses', 'cross-entropy divided by N·C instead of N', LOSSES,
    [['return mean(sub(lse, picked));', 'return mul(sum(sub(lse, picked)), 1 / (N * C));']], { kitOps: true }),
  bug('mlp/losses', 'target logit picked from the unshifted logits (the max m missing)', LOSSES,
    [["const picked = gather(shifted, 1, Array.from(targets), [N, 1]);", 'const picked = gather(logits, 1, Array.from(targets), [N, 1]);']], { kitOps: true }),
  bug('mlp/losses', "BCE's x·y added instead of subtracted", LOSSES,
    [['return mean(sub(softplus, mul(logits, targets)));', 'return mean(add(softplus, mul(logits, targets)));']], { kitOps: true }),
  bug('mlp/losses', 'MSE halved, (p - t)² / 2', LOSSES,
    [['return mean(mul(d, d));', 'return mul(mean(mul(d, d)), 0.5);']], { kitOps: true }),
  bug('mlp/losses', 'MSE subtracts target from pred in place', LOSSES,
    [['const d = sub(pred, target);', 'for (let i = 0; i < pred.size; i++) pred.data[i] -= target.data[i];\n  const d = pred;']]),
  // Catalogued mistakes, written a new way.
  bug('mlp/losses', 'softmax by hand, exp(x) / Σ exp(x) without the max, then log', LOSSES,
    [['const lse = log(sum(exp(shifted), 1, true)); //                 (N, 1), log Σ e^{x - m}: the sum is in [1, C]',
      'const probs = div(exp(logits), sum(exp(logits), 1, true));\n  const lse = mul(gather(log(probs), 1, Array.from(targets), [N, 1]), -1);'],
    ['const picked = gather(shifted, 1, Array.from(targets), [N, 1]); // (N, 1), x_target - m', 'const picked = 0;'],
    ["import { Tensor, exp, gather, log, mean, mul, sub, add, sum } from '@llm-lab/kit';", "import { Tensor, div, exp, gather, log, mean, mul, sub, add, sum } from '@llm-lab/kit';"]],
    { catalogued: 'softmax-then-log', kitOps: true }),
  bug('mlp/losses', 'BCE as -(y log σ + (1 - y) log(1 - σ)) with σ = 1 / (1 + e^{-x})', LOSSES,
    [['const softplus = add(c, log(add(exp(mul(c, -1)), exp(sub(logits, c)))));\n  return mean(sub(softplus, mul(logits, targets)));',
      'const s = div(1, add(exp(mul(logits, -1)), 1));\n  return mul(mean(add(mul(targets, log(s)), mul(sub(1, targets), log(sub(1, s))))), -1);'],
    ["import { Tensor, exp, gather, log, mean, mul, sub, add, sum } from '@llm-lab/kit';", "import { Tensor, div, exp, gather, log, mean, mul, sub, add, sum } from '@llm-lab/kit';"]],
    { catalogued: 'bce-unstable', kitOps: true, at: 'return mul(mean(add(mul(targets, log(s)), mul(sub(1, targets), log(sub(1, s))))), -1);' }),
  bug('mlp/losses', 'cross-entropy: the mean multiplied back by N', LOSSES,
    [['return mean(sub(lse, picked));', 'return mul(mean(sub(lse, picked)), N);']], { catalogued: 'ce-sum', kitOps: true }),
];

export const CORPUS: CorpusEntry[] = [...LAYERS_CORRECT, ...LAYERS_BUGS, ...LOSSES_CORRECT, ...LOSSES_BUGS];
