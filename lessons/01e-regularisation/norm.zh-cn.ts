/**
 * 正则化与归一化：dropout、BatchNorm1d 和 layerNorm，都用库里的运算搭建，这样自动求导可以穿过它们。
 *
 *   dropout(x, p, training, rng)   倒置 dropout：训练时，每个元素以概率 p 置零（每个元素抽一次
 *                                  rng.random()），保留的元素乘以 1 / (1 - p)；评估模式下返回 x。
 *                                  p = 0 时全部保留，p = 1 时得到全零（而不是 NaN）；p 不在 [0, 1] 内
 *                                  （或是 NaN）时抛出错误，训练和评估模式都一样。
 *   BatchNorm1d(C, { eps, momentum })   输入 x 的形状为 (N, C)。训练：每个特征在批次上（第 0 轴）
 *                                  用批次均值和有偏方差（÷ N）归一化，再 · weight + bias，并按
 *                                  running = (1 - momentum) · running + momentum · 批次统计量 更新滑动统计量，
 *                                  与 PyTorch 一样，runningVar 用无偏方差（÷ (N - 1)）。评估：用 runningMean
 *                                  和 runningVar 归一化，什么也不更新。训练时 N < 2 要抛出错误。
 *   layerNorm(x, weight, bias, eps)    每一行在最后一个轴上归一化：(x - mean) / sqrt(var + eps) · weight + bias，
 *                                  方差是有偏的，eps 默认 1e-5。
 *
 * 可能用到的库函数：
 *   mean(x, dim, keepdim), variance(x, dim, keepdim, unbiased = false)   例如 mean(x, 0, true) 的形状是 (1, C)
 *   add, sub, mul, div（张量或普通数，支持广播），sqrt
 *   zeros(shape), ones(shape, { requiresGrad: true }), t.data[i] = ...   （先填好掩码张量，再 mul(x, mask)）
 *   noGrad(() => { ... })              运行代码时不记录计算图（用于滑动统计量）
 *   rng.random()                       [0, 1) 上的均匀分布
 */
import { Module, type Rng, type Tensor, TODO, add, div, globalRng, mean, mul, noGrad, ones, sqrt, sub, variance, zeros } from '@llm-lab/kit';

/** 倒置 dropout。x 任意形状 -> 相同形状。 */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = globalRng): Tensor {
  // TODO：p 不在 [0, 1] 内（包括 NaN）时抛出错误；评估模式或 p = 0 时返回 x；p = 1 时返回全零；否则构造一个
  // 掩码，值为 0（概率 p）或 1 / (1 - p)，每个元素抽一次 rng.random()，再 mul(x, mask)。
  return TODO('dropout');
}

export interface BatchNormOptions {
  /** 加在平方根里方差上的小数（默认 1e-5，与 PyTorch 相同）。 */
  eps?: number;
  /** 滑动平均中新批次统计量的权重（默认 0.1，与 PyTorch 相同）。 */
  momentum?: number;
}

/** 对形状为 (N, C) 的输入做批归一化：C 个特征各自在批次的 N 个样本上归一化。 */
export class BatchNorm1d extends Module {
  /** (C)，可训练，初始为 1。 */
  weight: Tensor;
  /** (C)，可训练，初始为 0。 */
  bias: Tensor;
  /** (C)，不训练（不设 requiresGrad），初始为 0。 */
  runningMean: Tensor;
  /** (C)，不训练（不设 requiresGrad），初始为 1。 */
  runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;
  /** 训练模式（用批次统计量）时为 true，评估模式（用滑动统计量）时为 false。 */
  training = true;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    // TODO：创建 weight、bias、runningMean 和 runningVar（见它们的注释）。
    TODO('BatchNorm1d constructor');
  }

  /** 设为训练模式（train(false) 则为评估模式）；返回该层本身，与 PyTorch 的 module.train() 相同。 */
  train(mode = true): this {
    this.training = mode;
    return this;
  }

  /** 评估模式：用滑动统计量归一化。 */
  eval(): this {
    return this.train(false);
  }

  /** x (N, C) -> (N, C)。 */
  forward(x: Tensor): Tensor {
    // TODO：检查 x 的形状是 (N, numFeatures)。训练：N < 2 时抛出错误；在第 0 轴上求批次均值和有偏方差
    // （keepdim），并在 noGrad 里更新滑动统计量（用无偏方差）。评估：用滑动统计量。
    // 然后计算 (x - mean) / sqrt(var + eps) · weight + bias。
    return TODO('BatchNorm1d.forward');
  }
}

/** 在最后一个轴上做 LayerNorm。x (..., C)，weight 和 bias (C) -> (..., C)。 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  // TODO：在最后一个轴上求均值和有偏方差（keepdim），然后归一化，再 · weight + bias。
  return TODO('layerNorm');
}
