/**
 * Regularisation and normalisation: dropout, BatchNorm1d and layerNorm, built from kit ops so that autograd flows
 * through them.
 *
 *   dropout(x, p, training, rng)   inverted dropout: in training, zero each element with probability p (one
 *                                  rng.random() per element) and multiply the kept ones by 1 / (1 - p); in eval
 *                                  mode return x. p = 0 keeps everything, p = 1 gives zeros (not NaN), and a p
 *                                  outside [0, 1] (or NaN) throws, in training and in eval.
 *   BatchNorm1d(C, { eps, momentum })   for x (N, C). Training: normalise each feature over the batch (axis 0)
 *                                  with the batch mean and the BIASED variance (÷ N), then · weight + bias, and
 *                                  update running = (1 - momentum) · running + momentum · batch statistic, with
 *                                  the UNBIASED variance (÷ (N - 1)) for runningVar, as PyTorch. Eval: normalise
 *                                  with runningMean and runningVar, and update nothing. Training with N < 2 throws.
 *   layerNorm(x, weight, bias, eps)    each row over the LAST axis: (x - mean) / sqrt(var + eps) · weight + bias,
 *                                  biased variance, eps default 1e-5.
 *
 * Kit pieces you may want:
 *   mean(x, dim, keepdim), variance(x, dim, keepdim, unbiased = false)   e.g. mean(x, 0, true) is (1, C)
 *   add, sub, mul, div (tensors or plain numbers, broadcasting), sqrt
 *   zeros(shape), ones(shape, { requiresGrad: true }), t.data[i] = ...   (fill a mask tensor, then mul(x, mask))
 *   noGrad(() => { ... })              runs code without recording a graph (for the running statistics)
 *   rng.random()                       uniform in [0, 1)
 */
import { Module, type Rng, type Tensor, TODO, add, div, globalRng, mean, mul, noGrad, ones, sqrt, sub, variance, zeros } from '@llm-lab/kit';

/** Inverted dropout. x any shape -> the same shape. */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = globalRng): Tensor {
  // TODO: throw for p outside [0, 1] (NaN too); return x in eval mode or for p = 0; zeros for p = 1; otherwise a
  // mask of 0 (probability p) and 1 / (1 - p) values, one rng.random() per element, and mul(x, mask).
  return TODO('dropout');
}

export interface BatchNormOptions {
  /** Added to the variance under the square root (default 1e-5, as PyTorch). */
  eps?: number;
  /** Weight of the NEW batch statistic in the running average (default 0.1, as PyTorch). */
  momentum?: number;
}

/** Batch normalisation of (N, C) inputs: each of the C features over the N samples of the batch. */
export class BatchNorm1d extends Module {
  /** (C), trainable, starts at 1. */
  weight: Tensor;
  /** (C), trainable, starts at 0. */
  bias: Tensor;
  /** (C), not trainable (no requiresGrad), starts at 0. */
  runningMean: Tensor;
  /** (C), not trainable (no requiresGrad), starts at 1. */
  runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;
  /** True in training mode (batch statistics), false in eval mode (running statistics). */
  training = true;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    // TODO: create weight, bias, runningMean and runningVar (see their comments).
    TODO('BatchNorm1d constructor');
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
    // TODO: check x is (N, numFeatures). Training: throw if N < 2; batch mean and biased variance over axis 0
    // (keepdim), and the running update inside noGrad (unbiased variance). Eval: the running statistics.
    // Then (x - mean) / sqrt(var + eps) · weight + bias.
    return TODO('BatchNorm1d.forward');
  }
}

/** LayerNorm over the last axis. x (..., C), weight and bias (C) -> (..., C). */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  // TODO: mean and biased variance over the last axis (keepdim), then normalise, · weight + bias.
  return TODO('layerNorm');
}
