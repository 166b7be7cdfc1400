/**
 * 评估这一课：语言模型有多好？生成的文本与参考文本有多接近？
 *
 *   1. corpusPerplexity   在任意长度的文档上计算 exp(总 NLL / 总词元数)
 *   2. BLEU               在整个语料上累加的截断 n 元精确率、它们的几何平均，以及简短惩罚
 *   3. ROUGE-L            词元最长公共子序列的精确率、召回率和 F 值
 *
 * 一个句子可以是字符串（由已给出的 tokens() 按空白切分）或词元数组。所有函数都用 float64
 * （普通的 JS 数）计算，并且从不修改输入。
 */
import { type Tensor, TODO } from '@llm-lab/kit';

/** 一个句子：字符串（按空白切分）或词元列表（原样使用）。 */
export type Tokens = string | readonly string[];

/** 已给出：字符串按连续空白切分（不转小写，标点仍连在词上）；数组原样复制。 */
export function tokens(x: Tokens): string[] {
  if (typeof x !== 'string') return [...x];
  const s = x.trim();
  return s === '' ? [] : s.split(/\s+/);
}

/** 已给出：toks 中每个 n 元组出现的次数，键是用空格连接起来的词元。 */
export function ngramCounts(toks: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= toks.length; i++) {
    const key = toks.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. 困惑度

/** 对 logits (T, V) 和 T 个目标 id：out[t] = log softmax(logits[t])[targets[t]]，单位是奈特。 */
export function tokenLogProbs(logits: Tensor, targets: ArrayLike<number>): number[] {
  // TODO：对每一行 t，m = 最大的 logit；out[t] = logits[t, target] − m − log Σ_v exp(logits[t, v] − m)。（logits.data 按行主序存放。）
  return TODO('tokenLogProbs');
}

/** exp(−Σ_d Σ_t docs[d][t] / Σ_d docs[d].length)：每个“词元”权重相同。没有任何词元时抛出 RangeError。 */
export function corpusPerplexity(docs: readonly ArrayLike<number>[]): number {
  // TODO：在所有文档上累加 NLL（−log p）和词元数，最后只做一次 Math.exp。
  return TODO('corpusPerplexity');
}

// ---------------------------------------------------------------------------------------------------------------
// 2. BLEU（Papineni 等人 2002；与 NLTK 的 corpus_bleu 只在假设短于 n 时不同）

export interface BleuOptions {
  /** 最大的 n 元阶数 N，权重均为 1/N（默认 4：BLEU-4）。 */
  maxN?: number;
  /** 'none'（默认）：任何一阶匹配数为 0 都使 BLEU 为 0。'epsilon'：这样的一阶精确率取 epsilon / total（Chen 与 Cherry 的方法 1）。 */
  smoothing?: 'none' | 'epsilon';
  /** 平滑用的 epsilon（默认 0.1，与 NLTK 相同）。 */
  epsilon?: number;
}

/** 截断后的匹配数（假设中的每个 n 元组最多按它在“某一个”参考中出现的次数计数，取各参考中的最大值）以及 n 元组总数。 */
export function modifiedPrecision(hypothesis: Tokens, references: readonly Tokens[], n: number): { matches: number; total: number } {
  // TODO：对假设和每个参考分别求 ngramCounts；matches = Σ min(count, 参考中的最大次数)；total = Σ count。
  return TODO('modifiedPrecision');
}

/** 与 hypLen 最接近的参考长度；两个一样接近时取较短的。 */
export function closestRefLength(references: readonly Tokens[], hypLen: number): number {
  return TODO('closestRefLength');
}

/** 简短惩罚：c < r 时为 exp(1 − r/c)，c ≥ r 时为 1，c = 0 时为 0。 */
export function brevityPenalty(c: number, r: number): number {
  return TODO('brevityPenalty');
}

/** 语料级 BLEU：先在所有句子上累加 matches、totals、c 和 r，“然后”再做除法。两个列表长度不同时抛出 RangeError。 */
export function corpusBleu(hypotheses: readonly Tokens[], referencesList: readonly (readonly Tokens[])[], opts: BleuOptions = {}): number {
  // TODO：先求这些和；没有一元匹配时返回 0；求 p_n（需要时做平滑）；返回 BP(c, r) · exp(Σ log p_n / N)。
  return TODO('corpusBleu');
}

/** 单个假设的 BLEU：只有一个句子的语料的 corpusBleu。 */
export function sentenceBleu(hypothesis: Tokens, references: readonly Tokens[], opts: BleuOptions = {}): number {
  return TODO('sentenceBleu');
}

// ---------------------------------------------------------------------------------------------------------------
// 3. ROUGE-L（Lin 2004）

/** 两个词元列表的最长公共子序列的长度（不要求连续）。 */
export function lcsLength(a: Tokens, b: Tokens): number {
  // TODO：两者都先用 tokens() 切分；动态规划：x[i−1] = y[j−1] 时 L[i][j] = L[i−1][j−1] + 1，否则 max(L[i−1][j], L[i][j−1])。
  return TODO('lcsLength');
}

export interface RougeScore {
  precision: number;
  recall: number;
  f: number;
}

/** P = LCS / |候选|，R = LCS / |参考|（按词元计），F = (1 + β²) P R / (R + β² P)，β 默认为 1；LCS = 0 时全为 0。 */
export function rougeL(candidate: Tokens, reference: Tokens, opts: { beta?: number } = {}): RougeScore {
  // TODO：两者都用 tokens() 切分，求 lcsLength，再按上式算 P、R 和 F。
  return TODO('rougeL');
}
