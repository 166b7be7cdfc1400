/**
 * LoRA 一课，练习 4：把适配器合并进权重，再把它拆出来。
 *
 *   merge:    W' = W + (alpha / r) · B A        (out, in)：这样 x W'ᵀ + b 恰好等于 LoRA 层的输出
 *   unmerge:  W  = W' - (alpha / r) · B A       恢复预训练权重，以便换用另一个适配器
 *
 * W (out, in)，A (r, in)，B (out, r)。返回新的张量：永远不要写入 W 或 W'。
 * 库函数：matmul(a, b)、mul(x, s)、add(a, b)、sub(a, b)。
 */
import { type Tensor, TODO, add, matmul, mul, sub } from '@llm-lab/kit';

export function merge(W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return TODO('merge');
}

export function unmerge(merged: Tensor, A: Tensor, B: Tensor, alpha: number, r: number): Tensor {
  return TODO('unmerge');
}
