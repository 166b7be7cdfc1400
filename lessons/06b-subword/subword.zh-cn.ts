/**
 * 子词一课：用固定词表把单词切成片段的三种方法。
 *
 *   wordpiece       BERT 的 WordPiece：贪心的最长匹配优先，后续片段带 '##'，无法切分时整个单词变成 [UNK]
 *   viterbi         Unigram：文本最可能的切分及其对数概率
 *   expectedCounts  Unigram：对所有切分求和的 log P(text)，以及每个片段出现次数的期望
 *   emStep          一次 EM 迭代：对整个语料累加期望计数，新的对数概率为 log(c / Σc)
 *   prune           保留每个字符，以及删掉后似然损失最大的片段
 *   spEncode        SentencePiece：空格写成 ▁（U+2581），文本前加一个 ▁，Viterbi，未知字符按字节回退为 <0xE4>
 *   spDecode        把片段还原成文本
 *
 * 字符串按码位读取，与 Python 的 str 一样：Array.from(text) 给出字符（'😀' 是一个字符，不是两个）。
 * 对数概率都是自然对数；词表一律不得修改。
 *
 * 可能用到：
 *   Array.from(s), arr.slice(a, b).join('')   字符，以及由字符拼成的片段
 *   new Float64Array(n).fill(-Infinity)       一张对数概率表，初始处处“不可能”
 *   Math.log1p(x), Math.exp(x)                用于 log(e^a + e^b) = max(a, b) + log1p(exp(-|a - b|))
 *   new TextEncoder().encode(ch)              字符串的 UTF-8 字节（Uint8Array）
 *   new TextDecoder().decode(bytes)           字节还原成字符串（非法 UTF-8 字节处为 U+FFFD）
 *   b.toString(16).toUpperCase().padStart(2, '0')   把一个字节写成两位十六进制数
 */
import { TODO } from '@llm-lab/kit';

/** BERT 用来表示无法切分的单词的词元。 */
export const UNK = '[UNK]';
/** SentencePiece 表示空格的元符号：U+2581（LOWER ONE EIGHTH BLOCK），不是下划线。 */
export const SPACE = '\u2581';

export interface WordpieceOptions {
  /** 无法切分的单词对应的词元（默认 '[UNK]'）。 */
  unk?: string;
  /** 码位数超过这个值的单词整个变成 [UNK]（默认 100，与 Hugging Face 的 BERT 分词器相同；Google 原版用 200）。 */
  maxInputCharsPerWord?: number;
}

/** Unigram 模型中各片段的对数概率（自然对数）。 */
export type LogProbs = ReadonlyMap<string, number>;

export interface Segmentation {
  pieces: string[];
  logProb: number;
}

// --- WordPiece -----------------------------------------------------------------------------------------------------

/**
 * 把一个单词（不含空格）切成 WordPiece 词元。从单词开头起，取词表中最长的片段（第一个片段之后的片段在查表时
 * 前面加 '##'），再从它结束的地方继续。如果某个位置没有任何片段能匹配，或单词的码位数超过
 * maxInputCharsPerWord，结果就只有 [unk]：整个单词，而不只是没匹配上的那一部分。空单词返回 []。
 */
export function wordpiece(word: string, vocab: ReadonlySet<string>, opts: WordpieceOptions = {}): string[] {
  return TODO('wordpiece');
}

// --- Unigram -------------------------------------------------------------------------------------------------------

/**
 * 用 logProbs 中的片段对 text 做最可能的切分，并给出它的对数概率（各片段对数概率之和）。要把对数概率相加，
 * 绝不要把概率相乘。不存在切分（某个字符不在任何片段中）时返回 { pieces: [], logProb: -Infinity }。
 * 空文本返回 { pieces: [], logProb: 0 }。几个切分同样好时，返回其中任何一个都可以。
 */
export function viterbi(text: string, logProbs: LogProbs): Segmentation {
  return TODO('viterbi');
}

/**
 * 前向-后向算法。logLikelihood = log（对所有切分求 Π p(片段) 之和）。counts：每个片段在 text 中出现次数的期望，
 * 即对所有切分求 P(切分 | text) × (片段在该切分中出现的次数) 之和；不可能出现的片段可以省略。不存在切分时，
 * logLikelihood 为 -Infinity，counts 为空。全程在对数空间里计算：检查会用一段 600 个字符的文本。
 */
export function expectedCounts(text: string, logProbs: LogProbs): { counts: Map<string, number>; logLikelihood: number } {
  return TODO('expectedCounts');
}

/**
 * 在语料上做一次 EM 迭代。E 步：把每个句子的期望计数加起来（它们的 logLikelihood 也加起来：logLikelihood 是
 * 在传入的对数概率下整个语料的对数似然）。M 步：每个计数 c > 0 的片段，新的对数概率为 log(c / Σc)；
 * 计数为 0 的片段不放进返回的 Map。
 */
export function emStep(sentences: readonly string[], logProbs: LogProbs): { logProbs: Map<string, number>; logLikelihood: number } {
  return TODO('emStep');
}

/**
 * 剪枝步骤。L(V) = 对所有句子求 expectedCounts(sentence, V).logLikelihood 之和。对每个长于一个字符的片段 p，
 * loss(p) = L(V) − L(V 去掉 p)，其他片段的对数概率不变。保留每个单个字符，以及损失最大的
 * size −（字符个数）个片段（并列时：对数概率大的优先，再按 < 比较取较小的字符串）。返回保留下来的片段及其
 * 原来的对数概率（不重新归一化）。
 */
export function prune(sentences: readonly string[], logProbs: LogProbs, size: number): Map<string, number> {
  return TODO('prune');
}

// --- SentencePiece -------------------------------------------------------------------------------------------------

/**
 * 用 Unigram 模型做 SentencePiece 编码。每个空格变成 SPACE，并在文本前面加一个 SPACE。然后在 logProbs 的片段上
 * 做 Viterbi，其中本身不是片段的字符也可以单独成段，对数概率为 min(所有对数概率) − 10。每个这样的未知字符
 * 写成它的 UTF-8 字节，每个字节一个片段：“中”写成 '<0xE4>'、'<0xB8>'、'<0xAD>'（两位大写十六进制数）。
 */
export function spEncode(text: string, logProbs: LogProbs): string[] {
  return TODO('spEncode');
}

/**
 * 把片段还原成文本：按顺序取字节片段（<0xHH>）和其他片段的字节，做 UTF-8 解码（非法字节得到 U+FFFD），
 * SPACE 变回 ' '，并去掉前面那一个空格。
 */
export function spDecode(pieces: readonly string[]): string {
  return TODO('spDecode');
}
