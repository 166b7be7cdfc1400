/**
 * The optimizers lesson: SGD with momentum, Adam, AdamW, a warmup + cosine learning-rate schedule, and
 * gradient clipping by the global norm. The makemore lesson trains its model with these, so they follow
 * PyTorch's torch.optim: same names, same defaults, same update rules.
 *
 * What an optimizer sees: a list of parameter tensors. After loss.backward(), p.grad (a Float32Array, or null
 * if p was not used in the loss) holds dLoss/dp; step() changes p.data in place; zeroGrad() clears p.grad
 * for the next backward (gradients accumulate). Skip a parameter whose grad is null.
 *
 *   p.data[i], p.grad[i]      the i-th number of a parameter and of its gradient (flat, row-major)
 *   p.zeroGrad()              fills p.grad with zeros (if it has one)
 *   Float64Array(n)           n zeros in float64: a good home for optimizer state (momentum, m, v)
 *
 * The constructors are half written for you (they store the options with PyTorch's defaults and make the
 * state); add the checks of their options, and write the rest.
 */
import { TODO, type Tensor } from '@llm-lab/kit';

export interface SGDOptions {
  lr: number;
  /** μ (default 0: plain SGD). */
  momentum?: number;
  /** L2 penalty: weightDecay · p is added to the gradient (default 0). */
  weightDecay?: number;
}

/** SGD with momentum, PyTorch's form: d = g + weightDecay · p;  buf = μ · buf + d;  p -= lr · buf. */
export class SGD {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly params: Tensor[];
  /** One momentum buffer per parameter, starting at zero. */
  private readonly buf: Float64Array[];

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    this.params = [...params];
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.buf = this.params.map((p) => new Float64Array(p.size));
    // TODO: throw a RangeError for an empty parameter list, lr < 0, momentum < 0 or weightDecay < 0 (as torch.optim.SGD does).
    TODO('SGD constructor: check the options');
  }

  /** One update of every parameter that has a gradient. Read this.lr here: a schedule changes it between steps. */
  step(): void {
    // TODO: for each parameter p (index j) with a gradient, for each element i:
    //   d = g[i] + weightDecay · p[i];  buf[i] = momentum · buf[i] + d;  p[i] -= lr · buf[i]
    TODO('SGD.step');
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    TODO('SGD.zeroGrad');
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba, 2014). weightDecay (default 0) is an L2 penalty added to the gradient, as in
 * torch.optim.Adam. AdamW below reuses this class and changes only how the decay enters (`decoupled`).
 */
export class Adam {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly params: Tensor[];
  /** Steps taken so far: t in the bias corrections 1 - β^t. */
  t = 0;
  /** false: L2 in the gradient (Adam); true: decoupled weight decay (AdamW). */
  protected decoupled = false;
  /** First and second moment estimates, one per parameter, starting at zero. */
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    this.params = [...params];
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.m = this.params.map((p) => new Float64Array(p.size));
    this.v = this.params.map((p) => new Float64Array(p.size));
    // TODO: throw a RangeError for an empty parameter list, lr < 0, eps < 0, weightDecay < 0, or a beta outside [0, 1).
    TODO('Adam constructor: check the options');
  }

  step(): void {
    // TODO: count the step (t), then for each parameter with a gradient, for each element:
    //   the weight decay (decoupled: shrink p[i] by lr · weightDecay · p[i]; otherwise add weightDecay · p[i] to g),
    //   m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²;  m̂ = m / (1 - β1^t);  v̂ = v / (1 - β2^t);
    //   p[i] -= lr · m̂ / (√v̂ + eps)
    TODO('Adam.step');
  }

  zeroGrad(): void {
    TODO('Adam.zeroGrad');
  }
}

/** AdamW (Loshchilov & Hutter, 2017): weight decay (default 0.01) decoupled from the gradient. */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}

export interface CosineLrOptions {
  maxLr: number;
  minLr: number;
  warmup: number;
  total: number;
}

/**
 * The learning rate for step `step` (counted from 0): linear warmup maxLr · (step + 1) / warmup for the first
 * `warmup` steps, then a half cosine from maxLr down to minLr, reached at step `total`, and minLr after.
 * Throws a RangeError if step < 0, warmup < 0 or total < warmup.
 */
export function cosineLr(step: number, opts: CosineLrOptions): number {
  // TODO: the throws, then the three pieces (warmup, cosine, after `total`).
  return TODO('cosineLr');
}

/**
 * Scales every gradient by the same factor so that their global L2 norm, √(Σ over all tensors of Σ g²), is at
 * most maxNorm; leaves them alone when it already is. Returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  // TODO: one norm over all gradients together (skip null ones); if it is above maxNorm, scale every
  // gradient in place by maxNorm / norm. Return the norm you measured first.
  return TODO('clipGradNorm');
}
