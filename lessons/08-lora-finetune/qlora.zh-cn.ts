/**
 * LoRA 微调一课，练习 2：一步到位的 QLoRA。把冻结的基础权重用 8 位存储，在其上训练适配器。
 *
 * 对称 int8 量化，每个输出通道（(out, in) 权重的每一行）一个缩放系数：
 *   scale[o]  = max_i |W[o, i]| / 127              （全零的行：缩放系数为 0，q 也都是 0）
 *   q[o, i]   = round(W[o, i] / scale[o])          [-127, 127] 内的整数，存在 Int8Array 里
 *   W[o, i]  ≈ q[o, i] · scale[o]                  反量化：误差至多为 scale[o] / 2
 * 这样一个权重只占 1 个字节而不是 4 个，每行再加 4 个字节存缩放系数。
 */
import { type Tensor, TODO, tensor } from '@llm-lab/kit';

export interface Int8Weight {
  /** (out · in) 个 [-127, 127] 内的整数，与权重一样按行主序排列。 */
  q: Int8Array;
  /**
   * (out)：每个输出通道一个缩放系数，即步长 max / 127。（bitsandbytes 存的是每行的 max 本身，反量化时算
   * q · max / 127；只要 dequantizeInt8 与之一致，检查也接受这种存法。）
   */
  scales: Float32Array;
  /** [out, in] */
  shape: [number, number];
}

/** W (out, in) -> int8 数值和每行的缩放系数。不修改 W。 */
export function quantizeInt8(W: Tensor): Int8Weight {
  return TODO('quantizeInt8');
}

/** 还原为 float32：逐行计算 q · scale，得到一个 (out, in) 的 Tensor。 */
export function dequantizeInt8(w: Int8Weight): Tensor {
  return TODO('dequantizeInt8');
}
