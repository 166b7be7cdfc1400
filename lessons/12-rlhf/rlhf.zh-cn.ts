/**
 * 小规模的 RLHF：奖励模型和 PPO 之间的胶水代码。
 *
 * 这个文件建立在你在 GAE 一课和 PPO 目标一课写的文件之上（它们就在你的 llm-lab/ 文件夹里，与本文件夹相邻）：
 * gae 来自 ../10-gae/gae.ts，PPO 的各项损失来自 ../11-ppo/ppo.ts。第一项检查会在一个简单的例子上
 * 测试它们；如果它没通过，请先完成那两课。
 *
 * 最后一项检查用你的函数在内置模型上跑一整轮 RLHF 循环（大约一分钟）：
 *
 *   采样续写 -> 奖励模型打分 -> tokenRewards -> episodeAdvantages（你的 gae）
 *     -> normalizeAdvantages -> 若干轮 ppoPolicyLoss + valueLoss -> 重复
 *
 * 你可能用得上的工具包函数：tensor([...]) 用一组数构造张量，t.data 存放它的值。
 */
import { TODO, tensor } from '@llm-lab/kit';
import { gae } from '../10-gae/gae';
import { klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss } from '../11-ppo/ppo';

// 在这里重新导出，好让检查（以及 PPO 训练）用的是你在 GAE 一课和 PPO 目标一课写的函数。
// 请保留这一行。
export { gae, klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss };

/**
 * β：每个 token 上偏离参考模型一奈特（nat）的代价。训练检查使用这个值。
 * 等全部检查都通过后，试试 0.001，并观察样本（本课称之为奖励投机，reward hacking）。
 */
export const KL_COEF = 0.1;

/**
 * 一段续写中每个生成的 token 的奖励：
 *
 *   r_t = −klCoef · (logProbs[t] − refLogProbs[t])        对每个 token t
 *   r_last += score                                        奖励模型的分数，只加一次，加在最后一个 token 上
 *
 * logProbs[t] 和 refLogProbs[t] 是被采样到的那个 token 的 log π(a_t | s_t) 和 log π_ref(a_t | s_t)。
 * 请使用参数 klCoef（检查会传入别的值）。返回一个新数组；不要修改输入。
 *   tokenRewards(2, [-1, -2, -0.5], [-1.5, -1, -0.5], 0.1) -> [-0.05, 0.1, 2]
 */
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  return TODO('tokenRewards');
}

/**
 * 用你的 gae 计算一段续写的优势和回报：这段续写是一个在最后一个 token 处结束的回合（之后什么也没有）。
 * 把 gamma 和 lambda 原样传下去。
 */
export function episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number): { advantages: number[]; returns: number[] } {
  return TODO('episodeAdvantages');
}
