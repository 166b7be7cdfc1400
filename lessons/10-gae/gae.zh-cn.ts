/**
 * 优势：广义优势估计（GAE），PPO 用它判断每个动作比预期好了多少。
 *
 * 一次 rollout 是 T 步的（奖励 r_t，价值估计 V_t = V(s_t)，done 标志）。对每一步：
 *
 *   δ_t = r_t + γ · V_{t+1} · (1 - done_t) - V_t          TD 误差：实际发生的与预期之差
 *   A_t = δ_t + γ · λ · (1 - done_t) · A_{t+1}             优势：未来各步的 TD 误差，按 γλ 折扣
 *   returns_t = A_t + V_t                                  价值函数要拟合的目标
 *
 * V_T（最后一步之后的价值）是 `lastValue`，且 A_T = 0。A_t 要用到 A_{t+1}，所以要从最后一步
 * 倒着算回第一步。dones[t] = true 表示回合在第 t 步之后结束：下一个状态属于一个新回合，
 * 因此任何东西（无论是它的价值还是它的优势）都不能越过这个边界往回流。（CleanRL 和
 * Stable-Baselines3 把这个标志存到下一步，意思是“第 t 步开始一个回合”，并用 dones[t + 1] 截断第 t 步：
 * 这里每一步由它自己的 dones[t] 截断。详见课文的“约定”一节。）
 * 用普通数字，不用张量：优势每个 rollout 只算一次，不需要梯度。
 */
import { TODO } from '@llm-lab/kit';

/**
 * 对一次 rollout 计算 GAE(γ, λ)。rewards、values 和 dones 每步各有一项（长度都是 T；
 * 否则抛出 Error）。返回两个长度为 T 的新数组；不要修改输入。
 *   gae([1, 1, 1], [0, 0, 0], [false, false, false], 0, 1, 1) -> advantages [3, 2, 1], returns [3, 2, 1]
 *   λ = 0：A_t = δ_t（一步 TD 误差）。   λ = 1：A_t = 折扣回报 - V_t（蒙特卡洛）。
 */
export function gae(rewards: number[], values: number[], dones: boolean[], lastValue: number, gamma: number, lambda: number):
{ advantages: number[]; returns: number[] } {
  return TODO('gae');
}
