/**
 * Knowledge distillation: the loss that trains a small student on a large teacher's softened predictions.
 *
 *   loss = α · T² · KL(softmax(t / T) ‖ softmax(s / T)) + (1 − α) · CE(s, y)
 *
 * s: the student's logits (N, V), t: the teacher's logits (N, V), y: the N target ids. The check then trains a
 * 1-layer student GPT with your loss, from the bundled model as teacher, and compares it with the same student
 * trained on the labels alone.
 */
import { type Tensor, TODO, add, crossEntropy, div, logSoftmax, mul, softmax, sub, sum } from '@llm-lab/kit';

export interface DistillOptions {
  /** T > 0: both sides' logits are divided by it before the softmax. */
  temperature: number;
  /** 0 ≤ α ≤ 1: the weight of the soft (teacher) term; 1 − α weighs the hard labels. */
  alpha: number;
}

/**
 * Hinton et al.'s distillation loss, a Tensor holding one number, built with kit ops (autograd must reach `student`).
 * - KL(teacher ‖ student) at temperature T: Σ over the V classes of p_t · (log p_t − log p_s), then the mean over the
 *   N rows (PyTorch: kl_div(log_softmax(s / T), softmax(t / T), reduction='batchmean')).
 * - times T², so that the soft term's gradient does not shrink as T grows.
 * - CE: the ordinary cross-entropy of the student's logits (T = 1) against `targets`, mean over the rows.
 * Throws an Error if temperature ≤ 0 or alpha is outside [0, 1]. Does not modify its inputs.
 */
export function distillLoss(student: Tensor, teacher: Tensor, targets: ArrayLike<number>, opts: DistillOptions): Tensor {
  const { temperature: T, alpha } = opts;
  // TODO: throw an Error for T <= 0 or alpha outside [0, 1].
  // TODO: the teacher's and the student's log-probabilities at temperature T, and the teacher's probabilities.
  // TODO: kl = the sum of p_t * (log p_t - log p_s), divided by the number of rows.
  // TODO: ce = the cross-entropy on the labels; return alpha * T² * kl + (1 - alpha) * ce.
  void [T, alpha, student, teacher, targets, add, crossEntropy, div, logSoftmax, mul, softmax, sub, sum];
  return TODO('distillLoss');
}
