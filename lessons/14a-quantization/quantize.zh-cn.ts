/**
 * 量化一课：int8（逐张量与逐通道）、带零点的分组 int4，以及一步 GPTQ。
 * 权重的形状是 (out, in)，与 Linear 的一致。舍入规则：取最近的整数，恰在一半处取偶（2.5 -> 2，3.5 -> 4）。
 */
import { Tensor, TODO } from '@llm-lab/kit';

/** 取最近的整数，恰在一半处取偶：2.5 -> 2，3.5 -> 4，−2.5 -> −2（Math.round 会给出 3、4、−2）。 */
export function roundHalfEven(x: number): number {
  return TODO('roundHalfEven');
}

export interface Int8Quant {
  /** (out · in) 个 [−127, 127] 内的整数，按行主序排列，与权重一致。 */
  q: Int8Array;
  /** 一个缩放系数（逐张量），或每个输出行一个（逐通道）。 */
  scales: Float32Array;
  shape: [number, number];
}

export interface Int4Quant {
  /** (out · in) 个 [0, 15] 内的编码，这里每个占一个字节（打包时两个一字节）。 */
  q: Uint8Array;
  /** 每组一个缩放系数和一个零点：先按行，行内再按组排列。 */
  scales: Float32Array;
  zeros: Uint8Array;
  shape: [number, number];
  /** 每组的权重个数，沿输入轴。 */
  groupSize: number;
}

/**
 * 对称 int8：scale = clip · max|w| / 127，对整个张量计算；perChannel 时对每个输出行分别计算。
 * clip < 1 会收窄范围：最大的那些权重随之被截断到 ±127。
 * q = clamp(roundHalfEven(w / scale), −127, 127)；全零的行缩放系数为 0、编码为 0。不修改 w。
 */
export function quantizeInt8(w: Tensor, perChannel: boolean, clip = 1): Int8Quant {
  return TODO('quantizeInt8');
}

/** 还原为 float32：q · scale（该行的缩放系数，或唯一的缩放系数），返回 (out, in) 的 Tensor。 */
export function dequantizeInt8(x: Int8Quant): Tensor {
  return TODO('dequantizeInt8');
}

/**
 * 非对称 int4，每组是一行中连续的 groupSize 个权重（沿输入轴）：
 *   scale = (max − min) / 15（max = min 时为 1），zero = clamp(roundHalfEven(−min / scale), 0, 15)，
 *   q = clamp(roundHalfEven(w / scale) + zero, 0, 15)。
 * groupSize 不能整除输入维度时抛出 RangeError。
 */
export function quantizeInt4(w: Tensor, groupSize: number): Int4Quant {
  return TODO('quantizeInt4');
}

/** 还原为 float32：(q − zero) · scale，用该权重所在组的缩放系数和零点。 */
export function dequantizeInt4(x: Int4Quant): Tensor {
  return TODO('dequantizeInt4');
}

/**
 * 在每行的 int4 网格上做 GPTQ（每行一组：quantizeInt4(w, in)，由原始权重得到）。x：校准输入 (n, in)；
 * x 的形状不是 (n, in) 时抛出 RangeError。H = 2 XᵀX / n + damp · mean(diag) · I，Hinv = H⁻¹。
 * 按顺序处理列 j = 0 .. in − 1：把每一行在第 j 列的权重舍入到它的网格上；把误差
 * err = (w − q̂) / Hinv[j][j] 分摊到后面的列（w[o][k] −= err · Hinv[j][k]，k > j）；再把第 j 列从 Hinv 中消去
 * （Hinv[a][b] −= Hinv[a][j] · Hinv[j][b] / Hinv[j][j]，a, b > j）。返回网格上的编码。不修改 w 和 x。
 */
export function gptqQuantize(w: Tensor, x: Tensor, damp = 0.01): Int4Quant {
  return TODO('gptqQuantize');
}
