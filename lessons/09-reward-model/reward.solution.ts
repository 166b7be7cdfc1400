/**
 * The reward-model lesson, reference solution: the Bradley-Terry preference loss and pair accuracy.
 *
 * The pairwise model of preferences is Bradley & Terry (1952); InstructGPT (Ouyang et al. 2022) trains its
 * reward model with exactly this loss, -log σ(r_chosen - r_rejected), averaged over the comparisons, and so does
 * TRL's RewardTrainer (-F.logsigmoid(r_c - r_r).mean()).
 * The stable form is the log of a two-way softmax: log σ(d) = d - log(e^d + e^0), and logSoftmax subtracts
 * the larger of d and 0 before exponentiating, so no exp ever sees a large positive number.
 */
import { type Tensor, cat, logSoftmax, mean, narrow, neg, sub, zeros } from '@llm-lab/kit';

/** -mean(log σ(r_c - r_r)) over the N pairs; (N,) and (N,) -> a scalar, with gradients to both inputs. */
export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const d = sub(rChosen, rRejected).reshape(-1, 1); //   (N, 1): how much more the chosen text is preferred
  const pair = cat([d, zeros([d.shape[0], 1])], 1); //  (N, 2): the logits (d, 0) of "chosen wins", "rejected wins"
  const logWin = narrow(logSoftmax(pair, -1), 1, 0, 1); // (N, 1): log σ(d), computed stably
  return neg(mean(logWin)); //                             (): the mean negative log-likelihood
}

/** Fraction of pairs whose chosen reward is strictly higher; a tie is not a correct ranking. */
export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  if (rChosen.length !== rRejected.length) {
    throw new Error(`pairAccuracy: ${rChosen.length} chosen rewards but ${rRejected.length} rejected ones`);
  }
  if (rChosen.length === 0) throw new Error('pairAccuracy: there are no pairs to score');
  let right = 0;
  for (let i = 0; i < rChosen.length; i++) if (rChosen[i] > rRejected[i]) right++; // strictly: a tie is wrong
  return right / rChosen.length;
}
