/**
 * 优化器一课：带动量的 SGD、Adam、AdamW、预热加余弦的学习率调度，以及按全局范数裁剪梯度。
 * makemore 一课用它们训练模型，所以它们遵循 PyTorch 的 torch.optim：名字、默认值和更新规则都相同。
 *
 * 优化器看到的是一组参数张量。loss.backward() 之后，p.grad（一个 Float32Array；如果损失没用到 p，则为 null）
 * 里是 dLoss/dp；step() 原地修改 p.data；zeroGrad() 为下一次反向传播清空 p.grad（梯度是累加的）。
 * grad 为 null 的参数要跳过。
 *
 *   p.data[i], p.grad[i]      参数及其梯度的第 i 个数（扁平、行主序）
 *   p.zeroGrad()              把 p.grad 填成 0（如果有的话）
 *   Float64Array(n)           n 个 float64 的 0：很适合存放优化器状态（动量、m、v）
 *
 * 构造函数已经替你写好一半（按 PyTorch 的默认值保存选项并创建状态）；请补上对选项的检查，并写出其余部分。
 */
import { TODO, type Tensor } from '@llm-lab/kit';

export interface SGDOptions {
  lr: number;
  /** μ（默认 0：普通 SGD）。 */
  momentum?: number;
  /** L2 惩罚：把 weightDecay · p 加到梯度上（默认 0）。 */
  weightDecay?: number;
}

/** 带动量的 SGD，PyTorch 的形式：d = g + weightDecay · p；buf = μ · buf + d；p -= lr · buf。 */
export class SGD {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly params: Tensor[];
  /** 每个参数一个动量缓冲区，从 0 开始。 */
  private readonly buf: Float64Array[];

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    this.params = [...params];
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.buf = this.params.map((p) => new Float64Array(p.size));
    // TODO：参数列表为空、lr < 0、momentum < 0 或 weightDecay < 0 时抛出 RangeError（与 torch.optim.SGD 相同）。
    TODO('SGD constructor: check the options');
  }

  /** 对每个有梯度的参数做一次更新。在这里读取 this.lr：调度会在两步之间修改它。 */
  step(): void {
    // TODO：对每个有梯度的参数 p（下标 j）的每个元素 i：
    //   d = g[i] + weightDecay · p[i]；buf[i] = momentum · buf[i] + d；p[i] -= lr · buf[i]
    TODO('SGD.step');
  }

  /** 清空每个参数的梯度。 */
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
 * Adam（Kingma 和 Ba，2014）。weightDecay（默认 0）是加到梯度上的 L2 惩罚，与 torch.optim.Adam 相同。
 * 下面的 AdamW 复用这个类，只改变衰减进入的方式（`decoupled`）。
 */
export class Adam {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly params: Tensor[];
  /** 已经走过的步数：偏差修正 1 - β^t 中的 t。 */
  t = 0;
  /** false：L2 加在梯度上（Adam）；true：解耦的权重衰减（AdamW）。 */
  protected decoupled = false;
  /** 一阶和二阶矩估计，每个参数一个，从 0 开始。 */
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
    // TODO：参数列表为空、lr < 0、eps < 0、weightDecay < 0，或某个 beta 不在 [0, 1) 内时，抛出 RangeError。
    TODO('Adam constructor: check the options');
  }

  step(): void {
    // TODO：先计数（t），再对每个有梯度的参数的每个元素：
    //   权重衰减（解耦时：p[i] 减去 lr · weightDecay · p[i]；否则把 weightDecay · p[i] 加到 g 上），
    //   m = β1 m + (1 - β1) g；v = β2 v + (1 - β2) g²；m̂ = m / (1 - β1^t)；v̂ = v / (1 - β2^t)；
    //   p[i] -= lr · m̂ / (√v̂ + eps)
    TODO('Adam.step');
  }

  zeroGrad(): void {
    TODO('Adam.zeroGrad');
  }
}

/** AdamW（Loshchilov 和 Hutter，2017）：权重衰减（默认 0.01）与梯度解耦。 */
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
 * 第 `step` 步（从 0 开始计）的学习率：前 `warmup` 步线性预热 maxLr · (step + 1) / warmup，
 * 然后沿半个余弦从 maxLr 降到 minLr，恰好在第 `total` 步到达，之后保持 minLr。
 * 当 step < 0、warmup < 0 或 total < warmup 时抛出 RangeError。
 */
export function cosineLr(step: number, opts: CosineLrOptions): number {
  // TODO：先处理要抛出的情况，再写三段（预热、余弦、`total` 之后）。
  return TODO('cosineLr');
}

/**
 * 把所有梯度乘以同一个系数，使它们的全局 L2 范数 √(所有张量的 Σ g² 之和) 不超过 maxNorm；
 * 已经不超过时保持不变。返回裁剪之前的范数。
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  // TODO：对所有梯度合在一起求一个范数（跳过 null）；如果它超过 maxNorm，就把每个梯度原地乘以
  // maxNorm / norm。返回最先算出的那个范数。
  return TODO('clipGradNorm');
}
