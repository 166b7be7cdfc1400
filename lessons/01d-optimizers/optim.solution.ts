/**
 * The optimizers lesson, reference solution: SGD with momentum, Adam, AdamW, a warmup + cosine learning-rate
 * schedule and gradient clipping by the global norm, written the way PyTorch's torch.optim defines them
 * (defaults included), on the kit's Tensor. Parameters whose `.grad` is null (not used in the loss) are skipped,
 * as PyTorch skips parameters whose `.grad` is None. The optimizer state (momentum buffers, m and v) is kept in
 * float64; the parameters themselves are float32 tensors, so every step rounds them to float32.
 */
import type { Tensor } from '@llm-lab/kit';

function paramList(params: Iterable<Tensor>): Tensor[] {
  const list = [...params];
  if (list.length === 0) throw new RangeError('optimizer got an empty parameter list');
  return list;
}

function checkNonNegative(name: string, value: number): void {
  if (!(value >= 0)) throw new RangeError(`Invalid ${name}: ${value} (must be >= 0)`);
}

export interface SGDOptions {
  lr: number;
  /** μ (default 0: plain SGD). */
  momentum?: number;
  /** L2 penalty: weightDecay · p is added to the gradient (default 0). */
  weightDecay?: number;
}

/** p -= lr · buf, with buf = μ · buf + (g + weightDecay · p) (PyTorch's torch.optim.SGD, dampening 0). */
export class SGD {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly params: Tensor[];
  private readonly buf: Float64Array[];

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    this.params = paramList(params);
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    checkNonNegative('learning rate', this.lr);
    checkNonNegative('momentum', this.momentum);
    checkNonNegative('weightDecay', this.weightDecay);
    this.buf = this.params.map((p) => new Float64Array(p.size));
  }

  step(): void {
    const { lr, momentum, weightDecay } = this;
    this.params.forEach((p, j) => {
      const g = p.grad;
      if (!g) return;
      const w = p.data;
      const buf = this.buf[j];
      for (let i = 0; i < w.length; i++) {
        const d = g[i] + weightDecay * w[i]; //      the gradient of loss + (weightDecay / 2) · |p|²
        buf[i] = momentum * buf[i] + d; //           the buffer holds gradients, not steps: no lr in it
        w[i] -= lr * buf[i];
      }
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba, 2014). weightDecay (default 0) is an L2 penalty: weightDecay · p is added to the gradient
 * and then rescaled by 1/√v̂ like the rest of it, as in torch.optim.Adam. AdamW below changes only that.
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
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    this.params = paramList(params);
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    checkNonNegative('learning rate', this.lr);
    checkNonNegative('eps', this.eps);
    checkNonNegative('weightDecay', this.weightDecay);
    for (const b of this.betas) {
      if (!(b >= 0 && b < 1)) throw new RangeError(`Invalid beta: ${b} (must be in [0, 1))`);
    }
    this.m = this.params.map((p) => new Float64Array(p.size));
    this.v = this.params.map((p) => new Float64Array(p.size));
  }

  step(): void {
    this.t++;
    const [b1, b2] = this.betas;
    const { lr, eps, weightDecay, decoupled } = this;
    const bc1 = 1 - b1 ** this.t; // m and v start at 0: early averages are too small by these factors
    const bc2 = 1 - b2 ** this.t;
    this.params.forEach((p, j) => {
      const g = p.grad;
      if (!g) return;
      const w = p.data;
      const m = this.m[j];
      const v = this.v[j];
      for (let i = 0; i < w.length; i++) {
        let gi = g[i];
        if (decoupled) w[i] -= lr * weightDecay * w[i]; // AdamW: shrink the weights themselves
        else gi += weightDecay * w[i]; //                  Adam: L2 in the gradient
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        const mHat = m[i] / bc1;
        const vHat = v[i] / bc2;
        w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2017): weightDecay (default 0.01, as torch.optim.AdamW) is decoupled from the
 * gradient: p -= lr · weightDecay · p, applied to the weights before the Adam step.
 */
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
  const { maxLr, minLr, warmup, total } = opts;
  if (step < 0) throw new RangeError(`cosineLr: step ${step} is negative`);
  if (warmup < 0 || total < warmup) throw new RangeError(`cosineLr: need 0 <= warmup <= total, got warmup ${warmup}, total ${total}`);
  if (step < warmup) return (maxLr * (step + 1)) / warmup;
  if (step >= total) return minLr;
  const progress = (step - warmup) / (total - warmup); // 0 at the end of warmup, 1 at `total`
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);
}

/**
 * Scales every gradient by the same factor so that their global L2 norm, √(Σ over all tensors of Σ g²), is at
 * most maxNorm; leaves them alone when it already is. Returns the norm before clipping.
 * (PyTorch's clip_grad_norm_ divides by norm + 1e-6; this one divides by the norm itself.)
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const grads = [...params].map((p) => p.grad).filter((g): g is Float32Array => g !== null);
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
  return norm;
}
