/**
 * 注意力一课：缩放点积注意力，让一个 token 能够“看到”其他 token 的那一个运算。
 *
 * 从这一课开始，你用工具包的 Tensor API 写代码，就像 nanoGPT 用 PyTorch 写的那样：一次处理整个
 * 张量，不需要下标循环。需要的东西都已在下面导入。把 `TODO(...)` 换成你的代码，然后运行检查；
 * 多头注意力一课会导入这个函数，所以它会一直为你所用。
 *
 * 工具包运算（都支持任意多个前置的“批次”轴）：
 *   matmul(a, b)              (..., n, k) @ (..., k, m) -> (..., n, m)
 *   transpose(x, -2, -1)      交换最后两个轴：(..., T, d) -> (..., d, T)
 *   mul(x, 0.5), div(x, 2)    乘以 / 除以一个数（或一个张量，支持广播）
 *   maskedFill(x, mask, v)    mask 为 0 处取 x，非 0 处取 v（mask 可以广播，例如 (T, T)）
 *   softmax(x, -1)            沿最后一个轴，先减去最大值（见张量一课）
 *   zeros([T, T]), tensor([[0, 1], [0, 0]])     用来构造掩码；x.shape, x.ndim
 */
import { type Tensor, TODO, matmul, maskedFill, mul, softmax, transpose, zeros } from '@llm-lab/kit';

export interface AttentionResult {
  /** (..., T_q, d_v)：对每个 query，value 的加权平均。 */
  out: Tensor;
  /** (..., T_q, T_k)：每个 query 对每个 key 的关注程度；每一行之和为 1。 */
  weights: Tensor;
}

/**
 * 缩放点积注意力（Vaswani 等，2017）：
 *
 *   scores  = q @ kᵀ / sqrt(d_k)                   (..., T_q, T_k)
 *   scores  = 在 key j 位于 query i 的未来（j > i）处填 -Infinity，仅当 `causal` 时
 *   weights = 沿最后一个轴做 softmax(scores)         (..., T_q, T_k)    每一行之和为 1
 *   out     = weights @ v                          (..., T_q, d_v)
 *
 * q: (..., T_q, d_k)，k: (..., T_k, d_k)，v: (..., T_k, d_v)，它们的前置轴相同（没有，或
 * (nh)，或 (B, nh)，……）。d_k 是 q 的最后一维。`causal` 时 T_q = T_k = T（自注意力；
 * 为什么不处理 T_q != T_k 时的因果掩码，见本课的“约定”一节）。
 * 返回新的张量；不要修改 q、k 或 v。
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): AttentionResult {
  return TODO('attention');
}
