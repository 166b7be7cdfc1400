/**
 * LoRA 一课，练习 3：手写 LoRA 层的反向传播。
 *
 * 前向传播（x 是 (N, in)：N 行，例如一个批次里的每个词元）：
 *   h = x Aᵀ                (N, r)
 *   y = x Wᵀ + b + s · h Bᵀ (N, out)        s = alpha / r
 * 给定 dY = dL/dy (N, out)，返回 dL/dx (N, in)、dL/dA (r, in) 和 dL/dB (out, r)。W 是冻结的：它没有
 * 梯度，但梯度仍然会穿过它流到 x。
 *
 * 用库里的运算在普通张量上写（这里不调用 backward()）：matmul(a, b)、transpose(a, 0, 1)、mul(a, s)、
 * add(a, b)。每个梯度的形状都与它对应的变量相同。
 */
import { type Tensor, TODO, add, matmul, mul, transpose } from '@llm-lab/kit';

export interface LoRAGrads {
  dx: Tensor; // (N, in)
  dA: Tensor; // (r, in)
  dB: Tensor; // (out, r)
}

export function loraBackward(x: Tensor, W: Tensor, A: Tensor, B: Tensor, alpha: number, r: number, dY: Tensor): LoRAGrads {
  return TODO('loraBackward');
}
