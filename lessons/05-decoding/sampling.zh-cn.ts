/**
 * 解码：从 logits 到 token。模型为词表中的每个 token 给出一个 logit；这些函数把它们
 * 变成下一个 token：要么贪心地选，要么先重塑分布（温度、top-k、top-p），再从中采样。
 *
 * 每个过滤器都接收一个分布，返回一个等长的“新” Float32Array：被过滤掉的 token 概率为 0，
 * 保留下来的重新缩放，使其和为 1。不要修改输入。
 * 采样器把随机数 u 作为参数传入，所以同一个 u 总是给出同一个 token：
 * 传入库里带种子的 `Rng` 的 `rng.random()`，整段生成就变得可复现。
 */
import { TODO } from '@llm-lab/kit';

/**
 * 最大 logit 的下标（argmax）。并列时取最小的下标。
 *   greedy([0.1, 2.5, -1, 2.4]) -> 1
 */
export function greedy(logits: Float32Array): number {
  return TODO('greedy');
}

/**
 * 温度为 T 时的概率：
 *
 *   p_i = exp(l_i / T) / sum_j exp(l_j / T)          （先减去 l / T 的最大值，和张量一课一样）
 *
 * T < 1 让分布更尖锐，T > 1 让分布更平坦，T = 1 就是普通的 softmax。
 * T <= 0 时抛出 Error（T -> 0 就是贪心解码，也就是上面的 greedy()）。
 */
export function withTemperature(logits: Float32Array, temperature: number): Float32Array {
  return TODO('withTemperature');
}

/**
 * Top-k：恰好保留最可能的 k 个 token，其余概率全部置 0，再重新归一化。
 * 并列时：概率相同的 token 中下标小的优先保留，且绝不超过 k 个（Hugging Face 和 nanoGPT
 * 会保留所有与第 k 个并列的 token；本课程不这样做）。k >= 词表大小时全部保留。
 *   topK([0.1, 0.4, 0.05, 0.3, 0.15], 2) -> [0, 4/7, 0, 3/7, 0]
 */
export function topK(probs: Float32Array, k: number): Float32Array {
  return TODO('topK');
}

/**
 * Top-p（nucleus，核采样）：把 token 按概率从大到小排序（并列时下标小的在前），保留
 * 概率之和至少达到 p 的最短前缀，“包括”跨过 p 的那个 token。
 * 其余置 0，再重新归一化。0 < p <= 1；p = 1 保留所有 token：要在累加之前就判断这一点，
 * 因为 float32 概率在加到最后一个极小的概率之前，和就可能已经比 1 略大。
 * （Hugging Face 的 TopPLogitsWarper 在并列时保留下标“大”的；本课程和 topK 一样保留下标小的。）
 *   topP([0.05, 0.5, 0.15, 0.3], 0.75) -> [0, 0.625, 0, 0.375]      （0.5 < 0.75，然后 0.5 + 0.3 = 0.8 >= 0.75）
 */
export function topP(probs: Float32Array, p: number): Float32Array {
  return TODO('topP');
}

/**
 * 用 [0, 1) 中均匀分布的数 u 抽取一个 token：返回累积概率第一次大于 u 的那个 token
 * （逆 CDF 采样）。token i 占有 [0, 1) 中的区间 [c_{i-1}, c_i)，所以它出现的概率
 * 正是 p_i。概率为 0 的 token 永远不会被返回。
 *   sample([0.25, 0, 0.5, 0.25], 0.6) -> 2          （累积概率 0.25, 0.25, 0.75, 1）
 * 如果舍入误差让总和比 u 还小一点点，就返回最后一个概率不为 0 的 token。
 */
export function sample(probs: Float32Array, u: number): number {
  return TODO('sample');
}

export interface DecodeSettings {
  /** 0 表示贪心。 */
  temperature: number;
  topK?: number;
  topP?: number;
}

/**
 * 完整的一步解码，顺序与 Hugging Face 的 generate() 相同：
 *   温度为 0：greedy(logits)，不使用 u。（Hugging Face 拒绝温度 0，要求改用 do_sample=False；
 *   这里的设置没有这样的开关，所以 0 就表示贪心。）
 *   否则：withTemperature，然后 topK（如果设置了），然后 topP（如果设置了），最后 sample(probs, u)。
 */
export function pickNext(logits: Float32Array, settings: DecodeSettings, u: number): number {
  return TODO('pickNext');
}
