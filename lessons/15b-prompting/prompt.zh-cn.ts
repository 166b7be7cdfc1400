/**
 * 提示词一课：语言模型只会续写文本，所以你对它的一切要求都要写进提示词里。
 * 分三部分，各有自己的检查，最后三者一起在内置模型上实时运行：
 *
 * 1. buildPrompt：按固定模板、在字符预算之内拼出少样本（few-shot）提示词（内置模型的 token 就是它的字符，
 *    它的上下文一共容纳 128 个字符，提示词和答案都算在内）：
 *
 *      instruction + "\n" + 每个保留的示例写成 "<input> <output>, " + query
 *
 *    例如 buildPrompt('Kinds of whale:', [{ input: 'Sperm', output: 'Whale' }, { input: 'Right', output: 'Whale' }],
 *    'White', { maxChars: 100 }) -> "Kinds of whale:\nSperm Whale, Right Whale, White"
 *
 *    放不下全部示例时，先丢掉最旧的（列表开头的）：保留列表末尾能放下的最长一段连续示例，顺序不变。
 *    指令（instruction）和查询（query）永远不能丢掉或截断：如果单是它们就放不下，就抛出 RangeError。
 *    长度按字符计数（[...s].length），而不是按词。
 *
 * 2. parseAnswer：按规定的规则从续写中取出答案：只看第一行（到第一个 "\n" 为止）；跳过开头的空格和制表符后，
 *    取行首的单词（由字母组成，字母之间可以有 ' 或 -），转成小写。第一行（跳过空格和制表符后）不以字母开头时返回 null。
 *      parseAnswer(" Whale, and so")  -> "whale"       parseAnswer("\nWhale") -> null（第一行上什么也没有）
 *
 * 3. selfConsistency：对 i = 0 .. n - 1 调用 sample(seed + i)（由一个种子派生出 n 个不同的种子），用 parseAnswer
 *    解析每个样本，然后多数投票。null 答案不算票。平票时，（按样本顺序）先出现的答案胜出。
 *    除非 n 是正整数，否则抛出 RangeError。
 */
import { TODO } from '@llm-lab/kit';

/** 一个少样本示例：问的是什么，以及它的答案。 */
export interface Example {
  input: string;
  output: string;
}

export interface PromptOptions {
  /** 预算：提示词最多可以有这么多个字符。 */
  maxChars: number;
}

/** 一个答案，以及给出它的样本数。 */
export interface Vote {
  answer: string;
  count: number;
}

/** selfConsistency 的返回值。 */
export interface Consensus {
  /** 票数最多的答案（平票时取先出现的）；没有任何样本给出答案时为 null。 */
  answer: string | null;
  /** n 个样本，按顺序排列（第 i 个样本用种子 seed + i 采样）。 */
  samples: string[];
  /** 每个样本的 parseAnswer 结果。 */
  answers: (string | null)[];
  /** 每个得到过票的答案及其票数：票数多的在前，票数相同时按首次出现的顺序。 */
  votes: Vote[];
}

/**
 * instruction + "\n" + 能放下的最新示例（每个写成 "<input> <output>, "）+ query，最多 opts.maxChars 个字符。
 * 不要修改 `examples`。
 */
export function buildPrompt(instruction: string, examples: readonly Example[], query: string, opts: PromptOptions): string {
  return TODO('buildPrompt');
}

/** 第一行的第一个单词，转成小写，或者 null（规则见上）。 */
export function parseAnswer(text: string): string | null {
  return TODO('parseAnswer');
}

/** 用种子 seed、seed + 1、……、seed + n - 1 采样 n 次，解析后取多数答案。 */
export function selfConsistency(sample: (seed: number) => string, n: number, seed: number): Consensus {
  return TODO('selfConsistency');
}
