/**
 * The DPO lesson, reference solution: the DPO loss (Rafailov et al., "Direct Preference Optimization: Your Language
 * Model is Secretly a Reward Model", 2023, equation 7):
 *
 *   L = −mean log σ( β · ((log π(y_c) − log π_ref(y_c)) − (log π(y_r) − log π_ref(y_r))) )
 *
 * computed stably: −log σ(z) = −logSoftmax([z, 0])[0] = log(1 + e^(−z)), which never takes the log of 0.
 */
import { type Tensor, cat, logSoftmax, mean, mul, narrow, neg, sub, zeros } from '@llm-lab/kit';

export function dpoLoss(policyChosen: Tensor, policyRejected: Tensor, refChosen: Tensor, refRejected: Tensor, beta: number): Tensor {
  const B = policyChosen.size;
  const chosen = sub(policyChosen, refChosen); //       (B) log π(y_c) / π_ref(y_c): how much more the policy likes y_c
  const rejected = sub(policyRejected, refRejected); // (B) the same for y_r
  const z = mul(sub(chosen, rejected), beta).reshape(B, 1); // (B, 1) β times the margin, the "implicit reward" gap
  // log σ(z) = z − log(e^z + e^0) = logSoftmax over the pair (z, 0), first entry: stable for any z.
  const logSigmoid = narrow(logSoftmax(cat([z, zeros([B, 1])], 1), -1), 1, 0, 1); // (B, 1)
  return neg(mean(logSigmoid)); // () the mean over pairs
}
