/**
 * 精度一课：梯度累积与混合精度，全部是“模拟”的。kit 只用 float32 计算；
 * 这里的“fp16”或“bf16”数值，是被舍入到该格式所能表示的值的 float32 数。
 *
 *   fp16（IEEE 半精度）： 1 位符号、5 位指数、10 位尾数。最大 65504，最小正规数 2^-14，
 *                        非正规数一直到 2^-24（间距 2^-24），|x| >= 65520 -> ±Infinity。
 *   bf16（bfloat16）：    1 位符号、8 位指数、7 位尾数：范围与 float32 相同，相当于把 float32 的低 16 位舍入掉。
 *   两者都是就近舍入，恰好在正中间的“平局”舍入到尾数最后一位为 0 的那个邻居（“平局取偶”）。
 *
 *   p.grad（Float32Array）   backward() 之后张量的梯度；在还没有梯度流入之前为 null
 *   p.zeroGrad()             把 p.grad 填成 0；p.data.set(values) 原地覆盖张量的值
 *   mul(loss, c).backward()  反向传播 c 倍的损失：梯度会累加到 .grad 里已有的值上
 */
import { mul, type Tensor, TODO } from '@llm-lab/kit';

/**
 * 把每个元素舍入到最近的 IEEE 半精度值（平局取偶），结果仍以 float32 存放：10 位尾数，
 * 指数最小到 2^-14，非正规数一直到 2^-24（小于 2^-25 的变为 ±0），|x| >= 65520 变为 ±Infinity
 * （65504 是最大的有限值），NaN 保持为 NaN，-0 保持为 -0。返回一个新数组。
 */
export function toFp16(x: Float32Array): Float32Array {
  // TODO：对每个值：NaN 和 ±0 原样保留；|x| >= 65520 -> ±Infinity；否则找出满足
  // 2^e <= |x| < 2^(e+1) 的 e，取间距 ulp = 2^(max(e, -14) - 10)，把 |x| / ulp 舍入到最近的整数
  // （平局取偶数），再乘回 ulp，并带上 x 的符号。
  return TODO('toFp16');
}

/**
 * 把每个元素舍入到最近的 bfloat16 值（平局取偶），结果仍以 float32 存放：相当于先舍入、再丢掉 float32 的低 16 位
 * （含隐含位共 8 位尾数，指数范围与 float32 相同）。NaN 保持为 NaN。
 */
export function toBf16(x: Float32Array): Float32Array {
  // TODO：同样的规则，换成 7 位存储尾数和 float32 的指数范围；或者像 PyTorch 那样直接在位模式上做：
  // 把数值看作 Uint32Array u，加上 0x7fff + ((u >>> 16) & 1)，只保留高 16 位。NaN 保持为 NaN。
  return TODO('toBf16');
}

/** 一个微批次：它含有多少个真实（非填充）词元、多少条序列，以及 lossFn 需要的其他任何东西。 */
export interface MicroBatch {
  tokens: number;
  sequences: number;
}

export interface AccumulateOptions {
  /** 'token'（默认）：整批中每个真实词元的权重相同。'sequence'：每条序列的权重相同。 */
  mean?: 'token' | 'sequence';
}

/**
 * 对每个微批次做前向和反向传播，使累加到参数 .grad 上的梯度等于整批损失的梯度：lossFn(mb) 是该微批次的
 * 平均损失（对其词元或序列求平均），所以要按它在整批词元（或序列）中所占的比例加权。k 个相同的微批次时权重都是 1/k。
 * 不清零梯度（由调用者在第一个微批次之前清零）。返回整批的损失。
 * 列表为空或整批没有词元（序列）时抛出 RangeError。
 */
export function accumulateGradients<B extends MicroBatch>(microBatches: B[], lossFn: (mb: B) => Tensor, opts: AccumulateOptions = {}): number {
  // TODO：按 opts.mean 指定的单位（默认 'token'）对所有微批次计数，得到 total。如果什么都没有，
  // 抛出 RangeError。然后对每个微批次：weight = 它的计数 / total；mul(lossFn(mb), weight).backward()；
  // 把 weight * loss 加到整批损失上，最后返回它。
  return TODO('accumulateGradients');
}

export interface LossScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
}

/** 动态损失缩放，默认值与 PyTorch 的 GradScaler 相同：scale 2^16，溢出时 ×0.5，连续 2000 个正常步后 ×2。 */
export class DynamicLossScaler {
  scale: number;
  /** 自上次改变缩放系数以来的正常（有限）步数：即 PyTorch 的 growth tracker。 */
  goodSteps = 0;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;

  constructor(opts: LossScalerOptions = {}) {
    this.scale = opts.initScale ?? 2 ** 16;
    this.growthFactor = opts.growthFactor ?? 2;
    this.backoffFactor = opts.backoffFactor ?? 0.5;
    this.growthInterval = opts.growthInterval ?? 2000;
  }

  /** 是否有任何梯度元素为 Infinity、-Infinity 或 NaN。 */
  foundInf(grads: Float32Array[]): boolean {
    return TODO('DynamicLossScaler.foundInf');
  }

  /**
   * 每一步之后调用：溢出时把 scale 乘以 backoffFactor 并重新计数；否则记一个正常步，
   * 连续 growthInterval 个正常步之后把 scale 乘以 growthFactor（除非结果是 Infinity），并重新计数。
   */
  update(foundInf: boolean): void {
    TODO('DynamicLossScaler.update');
  }
}

export interface MixedPrecisionOptions {
  /** SGD 学习率：master ← master − lr · g。 */
  lr: number;
  /** 把反缩放后的梯度裁剪到这个全局范数（默认：不裁剪）。 */
  maxNorm?: number;
}

export interface StepResult {
  /** 这一步的（未缩放的）损失。 */
  loss: number;
  /** 梯度溢出时为 true：什么都没有更新。 */
  skipped: boolean;
  /** 反缩放后、裁剪前梯度的全局范数（跳过时为 Infinity 或 NaN）。 */
  gradNorm: number;
}

/**
 * 一步混合精度 SGD。`model` 是前向传播使用的 fp16 工作副本（requiresGrad 的张量），
 * `master` 是 fp32 主权重（大小相同），更新作用在它上面。
 */
export function mixedPrecisionStep(
  master: Float32Array[], model: Tensor[], lossFn: () => Tensor, scaler: DynamicLossScaler, opts: MixedPrecisionOptions,
): StepResult {
  // TODO，按以下顺序：
  //   1. 把工作副本的梯度清零；loss = lossFn()；对 loss · scaler.scale 做 backward
  //   2. fp16 模型的梯度就是 fp16：对每个 p 取 g = toFp16(p.grad)（下溢和溢出就发生在这里）
  //   3. 在 fp32 中反缩放：g[i] /= scaler.scale
  //   4. 如果 scaler.foundInf(grads)：调用 scaler.update(true)，并返回 { loss, skipped: true, gradNorm: Infinity }
  //   5. 求反缩放后梯度的全局范数；若超过 opts.maxNorm，就把它们乘以 maxNorm / norm
  //   6. master[j][i] -= lr * g[j][i]，再把主权重复制到工作副本：model[j].data.set(toFp16(master[j]))
  //   7. scaler.update(false)；返回 { loss, skipped: false, gradNorm }
  return TODO('mixedPrecisionStep');
}
