/**
 * 剪枝：把权重置零，并衡量模型因此损失了多少。
 *
 * - magnitudePrune：非结构化剪枝，逐张量进行。把 |w| 最小的 k = Math.round(sparsity · n) 个权重置为 0
 *   （符号无关紧要：-0.9 是一个大权重）。|w| 相等时，扁平下标较小的先被剪掉。
 * - prune24：2:4 结构化稀疏。W 的形状是 (out, in)；沿输入轴每 4 个相邻权重为一组
 *   （W[o, 4j .. 4j + 3]，同一行中的四个邻居），保留 |w| 最大的 2 个，另外 2 个置为 0。
 *   |w| 相等时，保留下标较小的那个。
 * - 剪哪些张量：每个块中六个 Linear 层的权重（attn.q、attn.k、attn.v、attn.proj、mlp.fc、mlp.proj）。
 *   不剪偏置，不剪 LayerNorm，也不剪嵌入。
 * 两个剪枝函数都返回一个与 W 形状相同的新张量，并保持 W 不变。
 */
import { type GPT, type Tensor, TODO, tensor } from '@llm-lab/kit';

/** W（任意形状）-> 一个副本，其中 |w| 最小的 Math.round(sparsity · W.size) 个权重被置为 0。 */
export function magnitudePrune(W: Tensor, sparsity: number): Tensor {
  return TODO('magnitudePrune');
}

/** W (out, in)，in 须是 4 的倍数（否则抛出错误）-> 一个副本，其中每行每 4 个相邻权重只保留 |w| 最大的 2 个。 */
export function prune24(W: Tensor): Tensor {
  return TODO('prune24');
}

/** 剪枝要处理的张量：每个块中每个 Linear 层的权重，每块 6 个（model.h[i].attn.q.weight，……）。 */
export function prunableWeights(model: GPT): Tensor[] {
  return TODO('prunableWeights');
}

/** 可剪枝权重中零的比例：prunableWeights(model) 中零的个数 / 这些张量中权重的总数。 */
export function sparsityOf(model: GPT): number {
  return TODO('sparsityOf');
}
