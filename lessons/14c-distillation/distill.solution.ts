/**
 * The distillation lesson, reference solution: Hinton et al.'s loss, written with kit ops so that autograd gives its
 * gradient. KL(teacher ‖ student) at temperature T, summed over the classes and averaged over the rows, times T²,
 * mixed with the ordinary cross-entropy on the labels.
 */
import { type Tensor, add, crossEntropy, div, logSoftmax, mul, softmax, sub, sum } from '@llm-lab/kit';

export interface DistillOptions {
  /** T > 0: both sides' logits are divided by it before the softmax. */
  temperature: number;
  /** 0 ≤ α ≤ 1: the weight of the soft (teacher) term; 1 − α weighs the hard labels. */
  alpha: number;
}

export function distillLoss(student: Tensor, teacher: Tensor, targets: ArrayLike<number>, opts: DistillOptions): Tensor {
  const { temperature: T, alpha } = opts;
  if (!(T > 0)) throw new Error(`distillLoss: temperature must be > 0, got ${T}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`distillLoss: alpha must be in [0, 1], got ${alpha}`);
  const N = student.shape[0];
  const logPt = logSoftmax(div(teacher, T), -1); //  (N, V) the teacher's softened log-probabilities
  const logPs = logSoftmax(div(student, T), -1); //  (N, V) the student's, at the same temperature
  const pt = softmax(div(teacher, T), -1);
  const kl = div(sum(mul(pt, sub(logPt, logPs))), N); // KL(teacher ‖ student): Σ over classes, mean over rows
  const ce = crossEntropy(student, targets); //          the hard labels, at T = 1
  return add(mul(kl, alpha * T * T), mul(ce, 1 - alpha));
}
