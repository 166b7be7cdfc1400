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
    this.params.forEach((p, j) => {
      const g = p.grad;
      if (!g) return; // this parameter was not used in the loss
      const w = p.data;
      const m = this.m[j];
      const v = this.v[j];
      const decay = p.ndim >= 2 ? this.weightDecay : 0;
      for (let i = 0; i < w.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        const mHat = m[i] / bc1;
        const vHat = v[i] / bc2;
        w[i] -= lr * (mHat / (Math.sqrt(vHat) + eps) + decay * w[i]);
      }
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
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
    if (!p.grad) continue;
    for (let i = 0; i < p.grad.length; i++) sq += p.grad[i] * p.grad[i];
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
