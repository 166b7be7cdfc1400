/**
 * 知识蒸馏：用大教师模型软化后的预测来训练小学生模型的损失。
 *
 *   loss = α · T² · KL(softmax(t / T) ‖ softmax(s / T)) + (1 − α) · CE(s, y)
 *
 * s：学生的 logits (N, V)，t：教师的 logits (N, V)，y：N 个目标 id。随后检查会用你的损失、以内置模型为教师
 * 训练一个单层学生 GPT，并与只用标签训练的同一学生模型比较。
 */
import { type Tensor, TODO, add, crossEntropy, div, logSoftmax, mul, softmax, sub, sum } from '@llm-lab/kit';

export interface DistillOptions {
  /** T > 0：两边的 logits 在 softmax 之前都除以它。 */
  temperature: number;
  /** 0 ≤ α ≤ 1：软目标（教师）项的权重；1 − α 是硬标签的权重。 */
  alpha: number;
}

/**
 * Hinton 等人的蒸馏损失：只含一个数的 Tensor，用 kit 运算构建（autograd 必须能传到 `student`）。
 * - 温度 T 下的 KL(teacher ‖ student)：在 V 个类别上对 p_t · (log p_t − log p_s) 求和，再在 N 行上求平均
 *   （PyTorch：kl_div(log_softmax(s / T), softmax(t / T), reduction='batchmean')）。
 * - 乘以 T²，使软目标项的梯度不随 T 增大而缩小。
 * - CE：学生 logits（T = 1）相对于 `targets` 的普通交叉熵，在各行上求平均。
 * 当 temperature ≤ 0 或 alpha 不在 [0, 1] 内时抛出 Error。不修改输入。
 */
export function distillLoss(student: Tensor, teacher: Tensor, targets: ArrayLike<number>, opts: DistillOptions): Tensor {
  const { temperature: T, alpha } = opts;
  // TODO：T <= 0 或 alpha 不在 [0, 1] 内时抛出 Error。
  // TODO：温度 T 下教师和学生的对数概率，以及教师的概率。
  // TODO：kl = p_t * (log p_t - log p_s) 之和，除以行数。
  // TODO：ce = 标签上的交叉熵；返回 alpha * T² * kl + (1 - alpha) * ce。
  void [T, alpha, student, teacher, targets, add, crossEntropy, div, logSoftmax, mul, softmax, sub, sum];
  return TODO('distillLoss');
}
