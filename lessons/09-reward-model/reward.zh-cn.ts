/**
 * 偏好与奖励模型：把人类偏好变成奖励模型的损失。
 *
 * 标注者看了两个回答，偏好其中一个。奖励模型 r 给每段文本一个数；Bradley-Terry 模型认为，
 * 被选中的文本胜出的概率是 σ(r_chosen - r_rejected)。训练就是最大化人们实际表达出的偏好的似然，
 * 也就是最小化
 *
 *   loss = -（对所有偏好对取平均）log σ(r_chosen - r_rejected)
 *
 * 请用作用在张量上的 kit 算子来写，这样梯度才能流回奖励（检查会用你的函数训练一个真正的奖励模型）。
 * 差值为 ±100 时结果也必须是有限值：不要照字面计算 log(σ(d))，因为 σ 要用到 e^(-d)，
 * 而 e^100 在 float32 中是 Infinity。
 *
 * 你可能用到的 kit 算子（所有逐元素算子都支持广播）：
 *   sub(a, b), neg(x), mean(x), exp(x), log(x), relu(x), add(x, 1)
 *   cat([a, b], 1), zeros([n, 1]), x.reshape(-1, 1), narrow(x, 1, 0, 1)     构造列 / 切出列
 *   logSoftmax(x, -1)                                                        数值稳定：先减去每行的最大值
 */
import { type Tensor, TODO, add, cat, exp, log, logSoftmax, mean, narrow, neg, relu, sub, zeros } from '@llm-lab/kit';

/**
 * Bradley-Terry 成对损失：-mean_i log σ(rChosen[i] - rRejected[i])。
 * rChosen、rRejected：(N,)，每个偏好对中被偏好文本和被拒绝文本的奖励。返回一个标量张量
 * （形状 []），梯度可以穿过它。数值稳定：对任何差值（包括 ±100）都是有限值。
 *   preferenceLoss([0], [0]) -> log 2 ≈ 0.6931          （还没有任何偏好：相当于抛硬币）
 */
export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  return TODO('preferenceLoss');
}

/**
 * 奖励排对的偏好对所占的比例：rChosen[i] > rRejected[i]，严格大于。平局算错
 * （给所有文本都打 0 分的奖励模型什么也没排）。返回 [0, 1] 中的一个数。
 * 长度不同或没有偏好对时抛出 Error。
 *   pairAccuracy([1, 2, 3], [0, 2, 4]) -> 1/3          （对、平、错）
 */
export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  return TODO('pairAccuracy');
}
