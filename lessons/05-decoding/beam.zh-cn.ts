/**
 * 解码：束搜索（beam search）。不再每一步只认定一个 token，而是保留 `width` 条最可能的
 * 部分序列（“束”），并把它们全部向前扩展。
 *
 * 模型是一个函数：给它目前为止的 token，得到下一个 token 的概率（词表中每一项一个数，
 * 总和为 1）。检查会先传入一张很小的手工概率表，再传入随附的模型。
 */
import { TODO } from '@llm-lab/kit';

export interface Beam {
  /** 完整的序列：先是提示，然后是生成的 token。 */
  tokens: number[];
  /** 所有生成的 token 上 log P(token | 它之前的全部内容) 之和（只有提示时为 0）。 */
  logProb: number;
}

/** 模型：给定目前为止的序列，返回下一个 token 的概率（词表中每一项一个）。 */
export type NextTokenProbs = (tokens: readonly number[]) => ArrayLike<number>;

/**
 * 在 `prompt` 之后做 `steps` 个 token 的束搜索：
 *
 *   beams = [{ tokens: prompt 的拷贝, logProb: 0 }]
 *   重复 `steps` 次：
 *     对每条束 b 和每个满足 p = next(b.tokens)[t] > 0 的 token t：
 *       candidate = { tokens: b.tokens 后面接上 t, logProb: b.logProb + log(p) }
 *     beams = 所有束的候选放在一起后最好的 `width` 个，从好到差排列
 *   return beams                                         （最多 `width` 条，从好到差）
 *
 * 用对数概率之和打分，永远不要用概率的乘积（它会下溢为 0）。
 * 每个候选都需要自己的 tokens 数组。不要修改 `prompt`。width < 1 时抛出 Error。
 * 分数相同时，保留先找到的候选（Array.prototype.sort 是稳定排序）。
 */
export function beamSearch(next: NextTokenProbs, prompt: readonly number[], steps: number, width: number): Beam[] {
  return TODO('beamSearch');
}
