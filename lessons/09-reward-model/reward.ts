/**
 * Preferences and a reward model: the loss that turns human preferences into a reward model.
 *
 * A labeller saw two answers and preferred one. The reward model r gives each text a number; the
 * Bradley-Terry model says the chosen text wins with probability σ(r_chosen - r_rejected). Training
 * maximises the likelihood of the preferences people actually stated, i.e. minimises
 *
 *   loss = -mean over pairs of log σ(r_chosen - r_rejected)
 *
 * Write it with kit ops on the Tensors, so gradients flow back to the rewards (the checks train a real
 * reward model with your function). It must stay finite for differences of ±100: do not compute
 * log(σ(d)) literally, because σ needs e^(-d), and e^100 is Infinity in float32.
 *
 * Kit ops you may want (all elementwise ops broadcast):
 *   sub(a, b), neg(x), mean(x), exp(x), log(x), relu(x), add(x, 1)
 *   cat([a, b], 1), zeros([n, 1]), x.reshape(-1, 1), narrow(x, 1, 0, 1)     build / slice columns
 *   logSoftmax(x, -1)                                                        stable: subtracts the row max first
 */
import { type Tensor, TODO, add, cat, exp, log, logSoftmax, mean, narrow, neg, relu, sub, zeros } from '@llm-lab/kit';

/**
 * The Bradley-Terry pairwise loss: -mean_i log σ(rChosen[i] - rRejected[i]).
 * rChosen, rRejected: (N,) rewards of the preferred and the rejected text of each pair. Returns a scalar Tensor
 * (shape []) that gradients flow through. Stable: finite for any difference, including ±100.
 *   preferenceLoss([0], [0]) -> log 2 ≈ 0.6931          (no preference yet: a coin flip)
 */
export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  return TODO('preferenceLoss');
}

/**
 * The fraction of pairs the rewards rank correctly: rChosen[i] > rRejected[i], STRICTLY. A tie counts as wrong
 * (a reward model that scores everything 0 has ranked nothing). Returns a number in [0, 1].
 * Throw an Error when the lengths differ or there are no pairs.
 *   pairAccuracy([1, 2, 3], [0, 2, 4]) -> 1/3          (right, tie, wrong)
 */
export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  return TODO('pairAccuracy');
}
