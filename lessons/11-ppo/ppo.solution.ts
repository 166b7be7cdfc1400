/**
 * The PPO-objective lesson, reference solution: the pieces of the PPO objective (Schulman, Wolski, Dhariwal, Radford & Klimov,
 * "Proximal Policy Optimization Algorithms", 2017), as RLHF uses them (Ziegler et al. 2019; Ouyang et al. 2022):
 * the clipped surrogate, the value loss, the entropy bonus, the per-token KL penalty against the reference
 * model, and advantage normalisation. Every loss is returned as something to MINIMISE, built from kit ops
 * so gradients flow back to the policy's log-probabilities, values and logits.
 */
import { type Tensor, add, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';

/** Provided: elementwise min(a, b) = a - relu(a - b). The gradient goes to whichever input is smaller. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return sub(a, relu(sub(a, b)));
}

/** Provided: elementwise max(a, b) = b + relu(a - b). The gradient goes to whichever input is larger. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return add(b, relu(sub(a, b)));
}

/** Provided: clamp(x, lo, hi) = lo + relu(x - lo) - relu(x - hi). Gradient 1 strictly inside (lo, hi), 0 outside. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  return sub(add(relu(sub(x, lo)), lo), relu(sub(x, hi)));
}

/** -mean(min(ratio·A, clip(ratio, 1-ε, 1+ε)·A)) with ratio = exp(new - old); all (N,), returns a scalar. */
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  const ratio = exp(sub(newLogProbs, oldLogProbs)); //                          (N,) π_new(a|s) / π_old(a|s)
  const unclipped = mul(ratio, advantages); //                                   (N,)
  const clipped = mul(clamp(ratio, 1 - clipEps, 1 + clipEps), advantages); //    (N,) no gradient outside the band
  return neg(mean(minimum(unclipped, clipped))); //                               (): the pessimistic bound, negated
}

/** 0.5 · mean((values - returns)²): (N,) and (N,) -> a scalar. */
export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  return mul(mean(pow(sub(values, returns), 2)), 0.5);
}

/** Mean over positions of H(softmax(logits)) = -Σ_v p_v log p_v, over the last axis: (..., V) -> a scalar. */
export function entropy(logits: Tensor): Tensor {
  const p = softmax(logits, -1); //                 (..., V)
  const logp = logSoftmax(logits, -1); //           (..., V) stable: never log(0)
  const h = neg(sum(mul(p, logp), -1)); //          (...) one entropy per position
  return mean(h); //                                ()
}

/** The per-token KL estimate log π(a) - log π_ref(a): same shape as its inputs. */
export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return sub(logProbs, refLogProbs);
}

/**
 * (a - mean) / (std + 1e-8), with the population std (divide by n, NumPy's np.std): zero mean, unit std. (torch's
 * .std(), ÷ (n - 1), as CleanRL and Stable-Baselines3 use it, is accepted too; one value then needs a guard.)
 */
export function normalizeAdvantages(a: number[]): number[] {
  const n = a.length;
  if (n === 0) return [];
  const mu = a.reduce((s, x) => s + x, 0) / n;
  const std = Math.sqrt(a.reduce((s, x) => s + (x - mu) ** 2, 0) / n);
  return a.map((x) => (x - mu) / (std + 1e-8)); // eps: a constant batch gives zeros, not 0/0
}
