/**
 * Regularisation and normalisation, reference solution: inverted dropout (Srivastava et al. 2014, scaled in training
 * as PyTorch's nn.Dropout), BatchNorm1d (Ioffe & Szegedy 2015, laid out as PyTorch's nn.BatchNorm1d: weight, bias,
 * running_mean, running_var, momentum 0.1, eps 1e-5) and LayerNorm over the last axis (Ba, Kiros & Hinton 2016).
 * Everything is built from kit ops, so autograd flows through it.
 */
import { Module, type Rng, type Tensor, add, div, globalRng, mean, mul, noGrad, ones, sqrt, sub, variance, zeros } from '@llm-lab/kit';

/**
 * Inverted dropout: in training, each element is zeroed with probability p and the survivors are multiplied by
 * 1 / (1 - p), so every element keeps its expected value; in eval mode, x unchanged.
 */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = globalRng): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be between 0 and 1, got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0); // everything dropped (1 / (1 - p) would be Infinity, and 0 · Infinity is NaN)
  const scale = 1 / (1 - p);
  const mask = zeros(x.shape); // one independent draw per element: 0 (dropped) or the scale (kept)
  for (let i = 0; i < mask.size; i++) mask.data[i] = rng.random() < p ? 0 : scale;
  return mul(x, mask);
}

export interface BatchNormOptions {
  /** Added to the variance under the square root (default 1e-5, as PyTorch). */
  eps?: number;
  /** Weight of the NEW batch statistic in the running average (default 0.1, as PyTorch). */
  momentum?: number;
}

/** Batch normalisation of (N, C) inputs: each of the C features over the N samples of the batch. */
export class BatchNorm1d extends Module {
  weight: Tensor; //      (C), trainable, starts at 1
  bias: Tensor; //        (C), trainable, starts at 0
  runningMean: Tensor; // (C), not trainable, starts at 0
  runningVar: Tensor; //  (C), not trainable, starts at 1
  readonly eps: number;
  readonly momentum: number;
  /** True in training mode (batch statistics), false in eval mode (running statistics). */
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

  /** Sets training mode (or eval mode with train(false)); returns the layer, as PyTorch's module.train(). */
  train(mode = true): this {
    this.training = mode;
    return this;
  }

  /** Eval mode: normalise with the running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** x (N, C) -> (N, C). */
  forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    if (x.ndim !== 2 || x.shape[1] !== C) throw new Error(`BatchNorm1d(${C}): expected an input of shape (N, ${C}), got (${x.shape.join(', ')})`);
    let m: Tensor;
    let v: Tensor;
    if (this.training) {
      const n = x.shape[0];
      if (n < 2) throw new Error(`BatchNorm1d: expected more than 1 value per feature when training, got a batch of ${n}`);
      m = mean(x, 0, true); //     (1, C): over the batch axis
      v = variance(x, 0, true); // (1, C): biased (÷ N), for normalising
      // The running statistics are not part of the graph: update them without recording gradients.
      noGrad(() => {
        const k = this.momentum;
        this.runningMean = add(mul(this.runningMean, 1 - k), mul(m.reshape(C), k));
        this.runningVar = add(mul(this.runningVar, 1 - k), mul(v.reshape(C), (k * n) / (n - 1))); // unbiased (÷ (N - 1))
      });
    } else {
      m = this.runningMean; // (C): broadcasts over the batch
      v = this.runningVar;
    }
    const xhat = div(sub(x, m), sqrt(add(v, this.eps))); // (N, C)
    return add(mul(xhat, this.weight), this.bias);
  }
}

/** LayerNorm over the last axis: each row of C values gets mean 0 and variance 1, then weight and bias (C each). */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const m = mean(x, -1, true); //     (..., 1)
  const v = variance(x, -1, true); // (..., 1), biased (÷ C)
  const xhat = div(sub(x, m), sqrt(add(v, eps)));
  return add(mul(xhat, weight), bias);
}
