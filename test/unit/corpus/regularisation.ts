/**
 * The regularisation lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for regularisation/norm
 * written independently of the catalogue. Correct files in other styles than the reference (the running statistics
 * updated in place on .data in float64, a one-pass variance, keep decisions written as rng.random() >= p, the kit's
 * own layerNorm, helper functions and early returns), and one-bug variants: most of them mistakes no catalogue names
 * (a mask drawn per row, the input mutated, eps ignored in BatchNorm, weight and bias swapped, running statistics
 * updated in eval mode or made trainable, a sign, eps outside the square root, a missing validation...), the others
 * catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed, not typed: the line where a marker (by default the first non-empty line of the first
 * edit's replacement) occurs, exactly once, in the resulting file.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'regularisation/norm';
const SOLUTION = readFileSync(path.join(LESSONS, '01e-regularisation/norm.solution.ts'), 'utf8');

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  /** Text on the faulty line (default: the first non-empty line of the first edit's replacement). */
  at?: string;
}

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source };
}

function bug(name: string, base: string, edits: [string, string][], opts: BugOptions = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

/** Running statistics updated in place on .data in float64; keep decisions as rng.random() >= p; sums by hand. */
const IN_PLACE = `import { Module, type Rng, type Tensor, add, div, globalRng, mul, ones, sqrt, sub, sum, zeros } from '@llm-lab/kit';

export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = globalRng): Tensor {
  if (Number.isNaN(p) || p < 0 || p > 1) throw new RangeError('p must be in [0, 1]');
  if (!training) return x;
  const mask = zeros(x.shape);
  if (p < 1) {
    const keep = 1 - p;
    for (let i = 0; i < mask.size; i++) if (rng.random() >= p) mask.data[i] = 1 / keep;
  }
  return mul(x, mask);
}

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
}

export class BatchNorm1d extends Module {
  weight: Tensor;
  bias: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;
  training = true;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.weight = ones([numFeatures], { requiresGrad: true });
    this.bias = zeros([numFeatures], { requiresGrad: true });
    this.runningMean = zeros([numFeatures]);
    this.runningVar = ones([numFeatures]);
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  forward(x: Tensor): Tensor {
    const [N, C] = x.shape;
    if (x.ndim !== 2 || C !== this.numFeatures) throw new Error('BatchNorm1d: bad input shape');
    if (!this.training) {
      const xhat = div(sub(x, this.runningMean), sqrt(add(this.runningVar, this.eps)));
      return add(mul(xhat, this.weight), this.bias);
    }
    if (N < 2) throw new Error('BatchNorm1d: need at least two samples in training');
    const m = mul(sum(x, 0, true), 1 / N);
    const d = sub(x, m);
    const v = mul(sum(mul(d, d), 0, true), 1 / N);
    for (let c = 0; c < C; c++) {
      const k = this.momentum;
      this.runningMean.data[c] = (1 - k) * this.runningMean.data[c] + k * m.data[c];
      this.runningVar.data[c] = (1 - k) * this.runningVar.data[c] + k * v.data[c] * (N / (N - 1));
    }
    return add(mul(div(d, sqrt(add(v, this.eps))), this.weight), this.bias);
  }
}

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const C = x.shape[x.ndim - 1];
  const m = mul(sum(x, -1, true), 1 / C);
  const d = sub(x, m);
  const v = mul(sum(mul(d, d), -1, true), 1 / C);
  return add(mul(div(d, sqrt(add(v, eps))), weight), bias);
}
`;

/** One-pass variance E[x²] - E[x]², helper functions, p = 0 as a mask of ones, explicit eval branch first. */
const ONE_PASS = `import { Module, type Rng, type Tensor, add, div, globalRng, mean, mul, noGrad, ones, pow, sqrt, sub, tensor, zeros } from '@llm-lab/kit';

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error('dropout probability has to be between 0 and 1, but got ' + p);
}

export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = globalRng): Tensor {
  checkP(p);
  if (!training) return x;
  if (p === 1) return zeros(x.shape);
  const values = new Float32Array(x.size);
  for (let i = 0; i < values.length; i++) values[i] = rng.random() < p ? 0 : 1 / (1 - p);
  return mul(x, tensor(values, x.shape));
}

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
}

function stats(x: Tensor, dim: number): [Tensor, Tensor] {
  const m = mean(x, dim, true);
  const v = sub(mean(pow(x, 2), dim, true), pow(m, 2));
  return [m, v];
}

function normalise(x: Tensor, m: Tensor, v: Tensor, eps: number, w: Tensor, b: Tensor): Tensor {
  return add(mul(div(sub(x, m), sqrt(add(v, eps))), w), b);
}

export class BatchNorm1d extends Module {
  weight: Tensor;
  bias: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;
  training = true;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.weight = ones([numFeatures], { requiresGrad: true });
    this.bias = zeros([numFeatures], { requiresGrad: true });
    this.runningMean = zeros([numFeatures]);
    this.runningVar = ones([numFeatures]);
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.numFeatures) throw new Error('expected (N, ' + this.numFeatures + ')');
    if (!this.training) return normalise(x, this.runningMean, this.runningVar, this.eps, this.weight, this.bias);
    const n = x.shape[0];
    if (n === 1) throw new Error('Expected more than 1 value per channel when training');
    const [m, v] = stats(x, 0);
    noGrad(() => {
      const k = this.momentum;
      const unbiased = mul(v, n / (n - 1)).reshape(this.numFeatures);
      this.runningMean = add(mul(this.runningMean, 1 - k), mul(m.reshape(this.numFeatures), k));
      this.runningVar = add(mul(this.runningVar, 1 - k), mul(unbiased, k));
    });
    return normalise(x, m, v, this.eps, this.weight, this.bias);
  }
}

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const [m, v] = stats(x, -1);
  return normalise(x, m, v, eps, weight, bias);
}
`;

/** The kit's own layerNorm; BatchNorm as "LayerNorm of the transpose"; the running update as r + k (batch - r). */
const TRANSPOSED = `import { Module, type Rng, type Tensor, add, full, globalRng, layerNorm as kitLayerNorm, mean, mul, noGrad, ones, sub, transpose, variance, div, sqrt, zeros } from '@llm-lab/kit';

export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = globalRng): Tensor {
  if (p < 0 || p > 1 || p !== p) throw new Error(\`invalid dropout p = \${p}\`);
  if (training === false || p === 0) return x;
  const mask = full(x.shape, 0);
  if (p !== 1) mask.data.forEach((_, i) => { mask.data[i] = rng.random() < p ? 0 : 1 / (1 - p); });
  return mul(mask, x);
}

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
}

export class BatchNorm1d extends Module {
  weight: Tensor;
  bias: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;
  training = true;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.weight = ones([numFeatures], { requiresGrad: true });
    this.bias = zeros([numFeatures], { requiresGrad: true });
    this.runningMean = zeros([numFeatures]);
    this.runningVar = ones([numFeatures]);
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    if (x.shape.length !== 2 || x.shape[1] !== C) throw new Error('BatchNorm1d: wrong shape');
    if (this.training) {
      const N = x.shape[0];
      if (N < 2) throw new Error('BatchNorm1d: a batch of one in training');
      // Each feature is a row of xᵀ (C, N): normalise the rows, without a scale and shift, then transpose back.
      const xt = transpose(x, 0, 1);
      const y = transpose(kitLayerNorm(xt, ones([N]), zeros([N]), this.eps), 0, 1);
      noGrad(() => {
        const m = mean(xt, 1);
        const v = variance(xt, 1, false, true);
        this.runningMean = add(this.runningMean, mul(sub(m, this.runningMean), this.momentum));
        this.runningVar = add(this.runningVar, mul(sub(v, this.runningVar), this.momentum));
      });
      return add(mul(y, this.weight), this.bias);
    }
    return add(mul(div(sub(x, this.runningMean), sqrt(add(this.runningVar, this.eps))), this.weight), this.bias);
  }
}

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  return kitLayerNorm(x, weight, bias, eps);
}
`;

/** Squared deviations with pow, unbiased variance straight from variance(..., true), scale as a division. */
const POW = SOLUTION
  .replace('const scale = 1 / (1 - p);', 'const keep = 1 - p;')
  .replace('mask.data[i] = rng.random() < p ? 0 : scale;', 'mask.data[i] = rng.random() < p ? 0 : 1;')
  .replace('return mul(x, mask);', 'return div(mul(x, mask), keep);')
  .replace('this.runningVar = add(mul(this.runningVar, 1 - k), mul(v.reshape(C), (k * n) / (n - 1))); // unbiased (÷ (N - 1))',
    'this.runningVar = add(mul(this.runningVar, 1 - k), mul(variance(x, 0, false, true), k));')
  .replace('const v = variance(x, -1, true); // (..., 1), biased (÷ C)', 'const v = mean(pow(sub(x, m), 2), -1, true);')
  .replace("import { Module, type Rng, type Tensor, add, div, globalRng, mean, mul, noGrad, ones, sqrt, sub, variance, zeros } from '@llm-lab/kit';",
    "import { Module, type Rng, type Tensor, add, div, globalRng, mean, mul, noGrad, ones, pow, sqrt, sub, variance, zeros } from '@llm-lab/kit';");

// Lines of the reference solution the bugs change.
const MASK = 'mask.data[i] = rng.random() < p ? 0 : scale;';
const LOOP = 'for (let i = 0; i < mask.size; i++) mask.data[i] = rng.random() < p ? 0 : scale;';
const VALIDATE = 'if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be between 0 and 1, got ${p}`);';
const NORMALISE = 'const xhat = div(sub(x, m), sqrt(add(v, this.eps))); // (N, C)';
const AFFINE = 'return add(mul(xhat, this.weight), this.bias);';
const RUN_MEAN = 'this.runningMean = add(mul(this.runningMean, 1 - k), mul(m.reshape(C), k));';
const BN_MEAN = 'm = mean(x, 0, true); //     (1, C): over the batch axis';
const BN_VAR = 'v = variance(x, 0, true); // (1, C): biased (÷ N), for normalising';
const LN_XHAT = 'const xhat = div(sub(x, m), sqrt(add(v, eps)));';

export const CORPUS: CorpusEntry[] = [
  correct('running statistics updated in place on .data, keep when rng.random() >= p, sums by hand', IN_PLACE),
  correct('one-pass variance E[x²] - E[x]², helper functions, eval branch first', ONE_PASS),
  correct('BatchNorm as the kit\'s layerNorm of the transpose, running update r + k (batch - r), the kit\'s layerNorm', TRANSPOSED),
  correct('squared deviations with pow, unbiased running variance from variance(x, 0, false, true), x · mask / (1 - p)', POW),
  correct('mask drawn from the last element to the first, dropped when rng.random() > 1 - p', SOLUTION
    .replace(LOOP, 'for (let i = mask.size - 1; i >= 0; i--) mask.data[i] = rng.random() > 1 - p ? 0 : scale;')),

  // Mistakes no catalogue names.
  bug('one draw per row: every element of a row kept or dropped together', SOLUTION,
    [[LOOP, 'const cols = x.shape[x.ndim - 1];\n  let keep = 0;\n  for (let i = 0; i < mask.size; i++) {\n    if (i % cols === 0) keep = rng.random() < p ? 0 : scale;\n    mask.data[i] = keep;\n  }']],
    { at: 'if (i % cols === 0) keep = rng.random() < p ? 0 : scale;' }),
  bug('dropout zeroes x in place and returns it', SOLUTION,
    [['return mul(x, mask);', 'for (let i = 0; i < x.size; i++) x.data[i] *= mask.data[i];\n  return x;']]),
  bug('no validation of p', SOLUTION, [[VALIDATE, '// p is assumed to be valid']]),
  bug('BatchNorm ignores eps', SOLUTION, [[NORMALISE, 'const xhat = div(sub(x, m), sqrt(v)); // (N, C)']], { kitOps: true }),
  bug('BatchNorm swaps weight and bias', SOLUTION, [[AFFINE, 'return add(mul(xhat, this.bias), this.weight);']], { kitOps: true }),
  bug('running statistics updated in eval mode too', SOLUTION,
    [['    } else {\n      m = this.runningMean; // (C): broadcasts over the batch\n      v = this.runningVar;\n    }',
      '    } else {\n      m = this.runningMean; // (C): broadcasts over the batch\n      v = this.runningVar;\n      this.runningMean = mul(this.runningMean, 0.9);\n    }']],
    { at: 'this.runningMean = mul(this.runningMean, 0.9);', kitOps: true }),
  bug('running statistics created trainable', SOLUTION, [['this.runningMean = zeros([numFeatures]);', 'this.runningMean = zeros([numFeatures], { requiresGrad: true });']]),
  bug('layerNorm with the sign of the centring flipped', SOLUTION, [[LN_XHAT, 'const xhat = div(sub(m, x), sqrt(add(v, eps)));']], { kitOps: true }),
  bug('layerNorm adds eps outside the square root', SOLUTION, [[LN_XHAT, 'const xhat = div(sub(x, m), add(sqrt(v), eps));']], { kitOps: true }),
  bug('BatchNorm1d accepts a batch of one in training', SOLUTION,
    [["if (n < 2) throw new Error(`BatchNorm1d: expected more than 1 value per feature when training, got a batch of ${n}`);", '// a batch of one is fine']]),
  bug('eval mode without eps', SOLUTION,
    [['      v = this.runningVar;\n', '      v = sub(this.runningVar, this.eps); // eps is only for batches\n']], { kitOps: true }),
  bug('the momentum option ignored in the update', SOLUTION, [['const k = this.momentum;', 'const k = 0.1;']]),
  bug('layerNorm ignores weight', SOLUTION, [['  return add(mul(xhat, weight), bias);', '  return add(xhat, bias);']], { kitOps: true }),

  // Catalogued mistakes written a new way.
  bug('dropout keeps with a 0/1 mask and never rescales', SOLUTION, [[MASK, 'mask.data[i] = Number(rng.random() >= p);']], { catalogued: 'dropout-no-rescale' }),
  bug('BatchNorm ignores the training flag altogether', SOLUTION, [['if (this.training) {', 'if (this.training || !this.training) {']], { catalogued: 'bn-eval-batch-stats' }),
  bug('layerNorm over axis -2', SOLUTION,
    [['const m = mean(x, -1, true); //     (..., 1)', 'const m = mean(x, -2, true);'], ['const v = variance(x, -1, true); // (..., 1), biased (÷ C)', 'const v = variance(x, -2, true);']],
    { catalogued: 'ln-wrong-axis', kitOps: true }),
  bug('running mean moved towards the batch by 1 - momentum', SOLUTION,
    [[RUN_MEAN, 'this.runningMean = add(this.runningMean, mul(sub(m.reshape(C), this.runningMean), 1 - k));'],
      ['mul(v.reshape(C), (k * n) / (n - 1)))', 'mul(v.reshape(C), ((1 - k) * n) / (n - 1)))'], ['mul(this.runningVar, 1 - k)', 'mul(this.runningVar, k)']],
    { catalogued: 'bn-momentum-reversed', kitOps: true }),
  bug('batch statistics computed under noGrad', SOLUTION,
    [[BN_MEAN, 'm = noGrad(() => mean(x, 0, true));'], [BN_VAR, 'v = noGrad(() => variance(x, 0, true));']],
    { catalogued: 'bn-stats-detached', kitOps: true }),
];
