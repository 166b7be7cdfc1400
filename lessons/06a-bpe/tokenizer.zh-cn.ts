/**
 * BPE 一课：字节级 BPE 分词器，写法与 Karpathy 的 minbpe（其中的 RegexTokenizer）相同。
 *
 * 文本 -> UTF-8 字节（id 0..255）-> 从训练文本中学到的合并（第 i 个合并产生 id 256 + i）。
 *
 * 四个任务：
 *   merge      把某个词对的每次出现替换成一个新 id，从左到右，不重叠
 *   trainBpe   学习 numMerges 个合并：统计每一对相邻 id（"aaa" 中 (a, a) 出现两次），取出现最多的词对
 *              （平局取最小的词对），在各处合并它，然后重复
 *   encode     文本 -> id，使用学到的合并（以及特殊词元）
 *   decode     id -> 文本（先拼接所有字节，再做一次 UTF-8 解码）
 * 检查会在手算的例子和《白鲸记》的 10,000 个字符上把你的合并与参考实现比较，
 * 并在给定 GPT-2 自己的合并时，在书中的一章上把你的编码器与 GPT-2 的分词器比较。
 *
 * 词对的一个快速 Map 键：a * 1048576 + b（id 远小于 2^20）；比较两个这样的键就是比较两个词对
 * （先比 a，再比 b）。id 都是普通数字：本课不用张量。
 */

import { TODO } from '@llm-lab/kit';

/** GPT-2 的预分词器：把文本切成块（带前导空格的单词、数字、标点、空白）。 */
export const GPT2_PATTERN = new RegExp(String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, 'gu');

/** 一个合并：一对 id (a, b)。列表中的第 i 个合并产生新 id 256 + i。 */
export type Merge = [number, number];

export interface TrainOptions {
  /** 预分词器：一个全局正则，它的每个匹配就是一个块（默认 GPT2_PATTERN）；null：整段文本是一个块。 */
  pattern?: RegExp | null;
  /** 每选出一个合并后调用：词对、它的新 id，以及该词对出现的次数。 */
  onMerge?: (pair: Merge, id: number, count: number) => void;
}

export interface CodecOptions {
  /** 与训练合并时相同的预分词器（默认 GPT2_PATTERN）；null：不切分。 */
  pattern?: RegExp | null;
  /** 特殊词元：文本 -> id（比所有合并的 id 都大）。编码为这一个 id，既不拆分也不参与合并。 */
  special?: Record<string, number>;
}

/** `text` 的各个块（已给出，不是任务）：正则的所有匹配；pattern 为 null 时就是整段文本。 */
export function pretokenize(text: string, pattern: RegExp | null = GPT2_PATTERN): string[] {
  if (pattern === null) return text === '' ? [] : [text];
  return text.match(new RegExp(pattern.source, 'gu')) ?? [];
}

/** 字符串的 UTF-8 字节（已给出）。 */
export function toBytes(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/** 返回一个新列表，其中 `pair` 的每次出现都换成 `id`，从左到右，不重叠：(97, 97) 在 [97, 97, 97] 中 -> [id, 97]。 */
export function merge(ids: readonly number[], pair: Merge, id: number): number[] {
  return TODO('merge');
}

/**
 * 从 `text` 学习 `numMerges` 个合并：先切成块，每个块转成 UTF-8 字节；然后重复 numMerges 次：
 * 统计每个块内部的词对（绝不跨两个块），取计数最大的词对（计数相同时取最小的词对：先比第一个 id，
 * 再比第二个 id），给它 id 256 + i，并在每个块中合并它。当没有任何块还剩两个 id 时提前结束。
 */
export function trainBpe(text: string, numMerges: number, opts: TrainOptions = {}): Merge[] {
  // 1. chunks = pretokenize(text, pattern).map(toBytes)   （pattern：opts.pattern，未给出时为 GPT2_PATTERN）
  // 2. 重复 numMerges 次：统计每个块中的词对；选出最好的词对（规则见上）；id = 256 + i；
  //    在每个块中合并它；记下它；调用 opts.onMerge?.(pair, id, count)。
  return TODO('trainBpe');
}

/**
 * 文本 -> id。先找出特殊词元（opts.special），它们变成各自的 id；它们之间的文本切成块，
 * 每个块单独编码，所以没有任何合并会跨越块或特殊词元。
 */
export function encode(text: string, merges: readonly Merge[], opts: CodecOptions = {}): number[] {
  // 先处理特殊词元（在它们处切分文本），再把其余部分逐块单独编码：只要还剩两个 id，
  // 就在 `merges` 中找合并序号最小的相邻词对，并合并它（用你的 merge()）。
  return TODO('encode');
}

/**
 * id -> 文本：每个 id 的字节（一个字节；合并的两部分的字节；特殊词元文本的 UTF-8），全部拼接起来，
 * 然后只做一次 UTF-8 解码，不能组成字符的字节变成 U+FFFD。遇到未知的 id 时抛出错误。
 */
export function decode(ids: readonly number[], merges: readonly Merge[], opts: CodecOptions = {}): string {
  // vocab：256 个单字节，然后对第 i 个合并 (a, b)：vocab[256 + i] = [...vocab[a], ...vocab[b]]。
  return TODO('decode');
}
