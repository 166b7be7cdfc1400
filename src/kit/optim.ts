/**
 * Optimizers: AdamW and gradient-norm clipping, as nanoGPT trains with them.
 *
 * Adam (Kingma & Ba, 2014) keeps two running averages per parameter: m, the mean gradient
 * (momentum), and v, the mean squared gradient (its scale). Each step moves a parameter by
 * lr * m / sqrt(v): about lr in the direction the gradient has been pointing, whatever its size.
 * Both averages start at 0, so early steps divide by (1 - beta^t) to undo that bias.
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2017) shrinks weights
 * directly, w -= lr * weightDecay * w, instead of adding the decay to the gradient where Adam's
 * scaling would distort it. As in nanoGPT, only tensors with 2+ dims (matmul weights and
 * embeddings) are decayed; biases and LayerNorm weights are not.
 */
import type { Tensor } from './tensor';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class AdamW {
  /** Public so a schedule can change it between steps. */
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly params: Tensor[];
  /** Number of steps taken (t in the bias corrections). */
  stepCount = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(params: Iterable<Tensor> | Map<string, Tensor>, opts: AdamWOptions = {}) {
    this.params = params instanceof Map ? [...params.values()] : [...params];
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.95];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.1;
    this.m = this.params.map((p) => new Float32Array(p.size));
    this.v = this.params.map((p) => new Float32Array(p.size));
  }

  step(): void {
    this.stepCount++;
    const [b1, b2] = this.betas;
    const { lr, eps } = this;
    const bc1 = 1 - Math.pow(b1, this.stepCount); // bias corrections
    const bc2 = 1 - Math.pow(b2, this.stepCount);
    for (let j = 0; j < this.params.length; j++) {
      const p = this.params[j];
      const g = p.grad;
      if (!g) continue; // this parameter was not used in the loss
      adamWUpdate(p.data, g, this.m[j], this.v[j], lr, b1, b2, bc1, bc2, eps, p.ndim >= 2 ? this.weightDecay : 0);
    }
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

/**
 * One AdamW step for one parameter w with gradient g and running averages m and v (see the class comment):
 *   m = b1 m + (1 - b1) g        v = b2 v + (1 - b2) g^2
 *   w -= lr * (m / bc1 / (sqrt(v / bc2) + eps) + decay * w)
 * A plain function of typed arrays and numbers (no `this` in the loop), so the JIT keeps everything in registers.
 */
function adamWUpdate(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  lr: number, b1: number, b2: number, bc1: number, bc2: number, eps: number, decay: number,
): void {
  const c1 = 1 - b1, c2 = 1 - b2, r1 = 1 / bc1, r2 = 1 / bc2; // one division per parameter, not three per number
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    m[i] = b1 * m[i] + c1 * gi; // stored as float32, and (as always) the update below uses the stored values
    v[i] = b2 * v[i] + c2 * gi * gi;
    const mHat = m[i] * r1;
    const vHat = v[i] * r2;
    w[i] -= lr * (mHat / (Math.sqrt(vHat) + eps) + decay * w[i]);
  }
}

/** sum of g[i]^2, in float64, with four running sums (the adds of one sum wait for each other; four overlap). */
function sumOfSquares(g: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = g.length - (g.length % 4);
  for (let i = 0; i < n4; i += 4) {
    s0 += g[i] * g[i];
    s1 += g[i + 1] * g[i + 1];
    s2 += g[i + 2] * g[i + 2];
    s3 += g[i + 3] * g[i + 3];
  }
  for (let i = n4; i < g.length; i++) s0 += g[i] * g[i];
  return (s0 + s1) + (s2 + s3);
}

/**
 * Scales all gradients together so their combined L2 norm is at most maxNorm (nanoGPT uses 1.0):
 * one unlucky batch cannot throw the weights far. Returns the norm before clipping (worth logging:
 * spikes mean trouble), like torch.nn.utils.clip_grad_norm_.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const list = [...params];
  let sq = 0;
  for (const p of list) {
    const g = p.grad;
    if (!g) continue;
    sq += sumOfSquares(g);
  }
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const p of list) {
      const g = p.grad;
      if (g) for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
  }
  return norm;
}
