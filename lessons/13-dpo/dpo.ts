/**
 * Direct Preference Optimization (DPO). One loss instead of a reward model plus PPO.
 *
 * Each argument holds one number per preference pair (shape (B)): the log-probability of the whole chosen
 * (or rejected) text under the policy being trained, or under the frozen reference model. Return the mean loss
 * over the pairs as a one-element Tensor, built with kit ops so that gradients reach policyChosen and
 * policyRejected (the reference tensors are constants).
 *
 * Kit ops you may want:
 *   sub(a, b), mul(a, 0.5), neg(a), mean(a)         elementwise and reductions, with gradients
 *   relu(a), exp(a), log(a), add(a, 1)               for log(1 + e^(−z)) written by hand
 *   logSoftmax(x, -1), cat([a, b], 1), narrow(x, 1, 0, 1), zeros([B, 1]), a.reshape(B, 1)
 */
import { type Tensor, TODO } from '@llm-lab/kit';

/**
 *   margin = (policyChosen − refChosen) − (policyRejected − refRejected)        (B)
 *   loss   = −mean log σ(beta · margin)                                          ()
 *
 * σ(z) = 1 / (1 + e^(−z)). Compute −log σ(z) so that it stays finite for |z| in the hundreds.
 *   dpoLoss([-12], [-15], [-13], [-14], 0.5) -> 0.3133 (margin 2, β·margin = 1, log(1 + e^(−1)))
 */
export function dpoLoss(policyChosen: Tensor, policyRejected: Tensor, refChosen: Tensor, refRejected: Tensor, beta: number): Tensor {
  return TODO('dpoLoss');
}
