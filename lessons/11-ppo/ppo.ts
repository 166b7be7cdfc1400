/**
 * The PPO objective, piece by piece, as RLHF uses it to fine-tune a language model.
 *
 * Everything here works on kit Tensors and returns something to MINIMISE, so gradients must flow: build every
 * result from kit ops (never from .data with plain numbers), and the optimiser in the RLHF lesson can train with it.
 * Shapes: log-probabilities, advantages, values and returns are (N,), one entry per generated token.
 *
 * Kit ops you may want: exp, log, sub, mul, neg, mean, sum, pow, softmax(x, -1), logSoftmax(x, -1).
 * The kit has no min, max or clamp; the three helpers below, built from relu, are provided (already written).
 */
import { type Tensor, TODO, add, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';

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

/**
 * PPO's clipped surrogate, as a loss (Schulman et al. 2017):
 *
 *   ratio = exp(newLogProbs - oldLogProbs)                    π_new(a|s) / π_old(a|s), from LOG-probabilities
 *   loss  = -mean( min( ratio · A, clamp(ratio, 1 - ε, 1 + ε) · A ) )
 *
 * Clip the RATIO, not the advantage; take the MIN (the pessimistic bound); negate (we minimise).
 * Gradients flow to newLogProbs; where the clipped term is the smaller one, the gradient is 0.
 *   ratio 1 everywhere (new = old): loss = -mean(A)
 */
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  return TODO('ppoPolicyLoss');
}

/**
 * The value head's loss: 0.5 · mean((values - returns)²), a scalar. (The 0.5 makes the gradient values - returns,
 * per N; CleanRL writes it so, Stable-Baselines3's F.mse_loss leaves it out. The RLHF lesson expects the 0.5.)
 */
export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  return TODO('valueLoss');
}

/**
 * The mean entropy of the policy: logits (..., V) -> a scalar, the mean over every position of
 * H = -Σ_v p_v log p_v with p = softmax over the LAST axis. Stable for huge logits (no 0 · log 0 = NaN).
 *   entropy of uniform logits over V tokens = log V
 */
export function entropy(logits: Tensor): Tensor {
  return TODO('entropy');
}

/**
 * The per-token KL estimate against the reference model: logπ(a) - logπ_ref(a), the same shape as the inputs.
 * (This is k1, TRL's default; its kl_estimator="k3" option is another estimator, not this function.)
 */
export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return TODO('klPenalty');
}

/**
 * (a - mean) / (std + 1e-8): zero mean and unit standard deviation, with the POPULATION std (divide by n, like
 * NumPy's np.std). torch's .std() divides by n - 1 (CleanRL and Stable-Baselines3 normalise that way): the checks
 * accept it too, but then a single value has std 0/0, so handle n = 1 (return [0], or the value unchanged as
 * Stable-Baselines3 does). The eps keeps a constant batch finite (all zeros, not 0/0). Plain numbers; a new array.
 *   normalizeAdvantages([1, 2, 3, 4]) -> [-1.3416, -0.4472, 0.4472, 1.3416]       (÷ n; ÷ (n - 1): ±1.1619, ±0.3873)
 */
export function normalizeAdvantages(a: number[]): number[] {
  return TODO('normalizeAdvantages');
}
