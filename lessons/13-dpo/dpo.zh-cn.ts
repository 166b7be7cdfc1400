/**
 * 直接偏好优化（DPO）。用一个损失代替“奖励模型 + PPO”。
 *
 * 每个参数为每个偏好对存一个数（形状 (B)）：整段 chosen（或 rejected）文本在正在训练的策略下、
 * 或在冻结的参考模型下的对数概率。返回各偏好对的平均损失，作为只有一个元素的张量；要用工具包的运算
 * 构造它，好让梯度传到 policyChosen 和 policyRejected（参考模型的张量是常量）。
 *
 * 你可能用得上的工具包运算：
 *   sub(a, b), mul(a, 0.5), neg(a), mean(a)         逐元素运算和归约，带梯度
 *   relu(a), exp(a), log(a), add(a, 1)               用来手写 log(1 + e^(−z))
 *   logSoftmax(x, -1), cat([a, b], 1), narrow(x, 1, 0, 1), zeros([B, 1]), a.reshape(B, 1)
 */
import { type Tensor, TODO } from '@llm-lab/kit';

/**
 *   margin = (policyChosen − refChosen) − (policyRejected − refRejected)        (B)
 *   loss   = −mean log σ(beta · margin)                                          ()
 *
 * σ(z) = 1 / (1 + e^(−z))。计算 −log σ(z) 时要让它在 |z| 达到几百时仍是有限值。
 *   dpoLoss([-12], [-15], [-13], [-14], 0.5) -> 0.3133（margin 为 2，β·margin = 1，log(1 + e^(−1))）
 */
export function dpoLoss(policyChosen: Tensor, policyRejected: Tensor, refChosen: Tensor, refRejected: Tensor, beta: number): Tensor {
  return TODO('dpoLoss');
}
