/**
 * 预训练目标一课：GPT、BERT 和 T5 如何把原始文本变成训练样本。
 *
 *   GPT   从左到右预测每一个下一个词元（见预训练一课）：这里不需要写什么。
 *   BERT  maskTokens：破坏 15 % 的词元，并在这些位置上预测原来的词元（掩码语言模型）；
 *         nspPairs：句子对，一半是相邻的两句，一半是随机的（下一句预测）。
 *   T5    spanCorrupt：每一段噪声词元变成一个哨兵词元；目标序列把这些片段逐一写出来；
 *         randomSpansMask：哪些词元是噪声，按平均长度为 3 的片段排列（T5 的采样器）。
 *
 * 检查会用一个带种子的生成器运行你的函数，并把确切的位置与本课的参考实现比较，所以请严格按照每个文档注释
 * 所说的方式从 `rng` 抽取随机数：同样的抽取，同样的顺序，不多也不少。
 *
 * 你可能用到的工具包部件：
 *   rng.random()             [0, 1) 中的一个均匀随机数（一次抽取）
 *   rng.randint(lo, hi)      [lo, hi) 中的一个整数（一次抽取）
 *   rng.shuffle(array)       原地打乱一个数组（Fisher-Yates；除第一个元素外每个元素一次抽取）
 *   Int32Array.from(ids)     ids 的一个副本，可以随意修改
 */
import { type Rng, TODO } from '@llm-lab/kit';

/** 损失要忽略的位置的标签：PyTorch 的 cross_entropy 会跳过等于 ignore_index（-100）的目标。 */
export const IGNORE_INDEX = -100;

export interface MaskOptions {
  /** [MASK] 词元的 id。 */
  maskId: number;
  /** 随机替换的词元从 0 .. vocabSize - 1 中抽取。 */
  vocabSize: number;
  /** 永远不会被选中的 id（[CLS]、[SEP]、[PAD]……）。 */
  special?: readonly number[];
  /** 一个位置被选中的概率（默认 0.15）。 */
  prob?: number;
}

export interface Masked {
  /** 模型读入的内容：被选中的位置已被破坏的 ids。 */
  input: Int32Array;
  /** 每个被选中位置上的原始 id，其余位置都是 IGNORE_INDEX。 */
  labels: Int32Array;
}

/**
 * BERT 的掩码语言模型破坏方式。按顺序对每个位置 i = 0, 1, ...：
 *   - 特殊 id：保持不变，标签为 IGNORE_INDEX，并且不抽取随机数；
 *   - 否则 u = rng.random()；u >= prob 时不选中：保持不变，标签为 IGNORE_INDEX；
 *   - 选中（u < prob）：标签 = ids[i]，然后 v = rng.random()：
 *       v < 0.8 -> input[i] = maskId；0.8 <= v < 0.9 -> input[i] = rng.randint(0, vocabSize)；否则保持不变。
 * 不要修改 `ids`。
 */
export function maskTokens(ids: ArrayLike<number>, rng: Rng, opts: MaskOptions): Masked {
  return TODO('maskTokens');
}

export interface NspPair<S> {
  a: S;
  b: S;
  /** 0：b 是 a 的下一句（IsNext）；1：b 是另一篇文档中的随机句子（NotNext）。 */
  label: 0 | 1;
}

/**
 * 下一句预测的句子对。docs[d] 是第 d 篇文档的句子列表（句子可以是任意类型 S）。按顺序对每篇文档 d、
 * 对其中每个在本文档内还有下一句的句子 i（i = 0 .. len - 2），依次：
 *   u = rng.random()；u < 0.5 -> { a: docs[d][i], b: docs[d][i + 1], label: 0 }；
 *   否则均匀地选另一篇文档 j：j = rng.randint(0, docs.length - 1)，若 j >= d 则 j += 1；
 *        然后 k = rng.randint(0, docs[j].length) -> { a: docs[d][i], b: docs[j][k], label: 1 }。
 * 文档少于两篇时抛出 Error。
 */
export function nspPairs<S>(docs: readonly (readonly S[])[], rng: Rng): NspPair<S>[] {
  return TODO('nspPairs');
}

export interface Corrupted<T> {
  inputs: T[];
  targets: T[];
}

/**
 * T5 的片段破坏（span corruption）。noiseMask[i] 为 true 的词元要被去掉。每一段连续的噪声词元（一个片段）在
 * 输入中变成**一个**哨兵词元：第一个片段用 sentinel(0)，第二个用 sentinel(1)，…… 目标序列是 sentinel(0)、
 * 片段 0 的词元、sentinel(1)、片段 1 的词元……，最后是一个结尾哨兵 sentinel(n)（n = 片段数）。词元可以是
 * 字符串（sentinel = (k) => `<extra_id_${k}>`），也可以是 id。掩码与词元长度不同时抛出 Error。
 *
 *   "Thank you for inviting me to your party last week ."  （噪声：for inviting、last）
 *   inputs:  Thank you <extra_id_0> me to your party <extra_id_1> week .
 *   targets: <extra_id_0> for inviting <extra_id_1> last <extra_id_2>
 */
export function spanCorrupt<T>(tokens: readonly T[], noiseMask: readonly boolean[], sentinel: (k: number) => T): Corrupted<T> {
  return TODO('spanCorrupt');
}

export interface SpanOptions {
  /** 噪声词元所占的比例（默认 0.15）。 */
  density?: number;
  /** 噪声片段的平均长度（默认 3）。 */
  meanSpanLength?: number;
}

/**
 * T5 的噪声掩码（random_spans_noise_mask）：`length` 个布尔值，true 表示噪声，按随机长度的片段排列。
 *   noise = Math.round(length · density)，至少为 1，至多为 length - 1；kept = length - noise；
 *   spans = max(1, Math.round(min(noise, kept) / meanSpanLength))。
 * 把噪声词元分成 `spans` 个非空段：建一个 noise - 1 个布尔值的数组（“第 j 项之后开始新的一段”），前 spans - 1 个为
 * true，其余为 false；用 rng.shuffle 打乱它；从中读出各段长度。然后对保留的词元做同样的事（第二次 rng.shuffle）。
 * 掩码依次为保留片段 0、噪声片段 0、保留片段 1、噪声片段 1……：它以保留的词元开头，以噪声结尾。
 * length 不是 >= 2 的整数时抛出 Error。
 */
export function randomSpansMask(length: number, rng: Rng, opts: SpanOptions = {}): boolean[] {
  return TODO('randomSpansMask');
}
