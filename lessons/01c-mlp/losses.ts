/**
 * The MLP lesson, exercise 2: three losses. Each returns a scalar Tensor, the mean over the batch, and each must give
 * the exact, finite answer for logits as large as ±1000 (float32 overflows at e^89). Build them from kit ops so
 * autograd gives the gradients.
 *
 * Kit pieces you may want:
 *   sub, mul, add, exp, log, mean(x), sum(x, dim, keepdim)
 *   gather(x, 1, ids, [N, 1])                     row n's element ids[n]: (N, C) -> (N, 1)
 *   new Tensor(data, shape)                       a constant tensor (no gradient), e.g. the row maxima (N, 1)
 */
import { Tensor, TODO, add, exp, gather, log, mean, mul, sub, sum } from '@llm-lab/kit';

/** mean((pred - target)²) over every element. Throws if pred and target differ in shape (no broadcasting). */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  return TODO('mseLoss');
}

/**
 * logits (N, C), targets: N class ids -> mean over rows n of  -log softmax(logits_n)[targets[n]]
 *                                                          =  logsumexp(logits_n) - logits_n[targets[n]].
 * Throws if logits is not 2-D, if targets.length is not N, or if a target is not an integer in [0, C).
 */
export function crossEntropyLoss(logits: Tensor, targets: ArrayLike<number>): Tensor {
  // TODO: subtract each row's max (a constant) before exp; never take the log of a softmax.
  return TODO('crossEntropyLoss');
}

/**
 * Binary cross-entropy on logits x and targets y in [0, 1] of the same shape, mean over elements:
 *   -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))  =  log(1 + e^x) - x·y.
 * Throws if logits and targets differ in shape.
 */
export function bceWithLogitsLoss(logits: Tensor, targets: Tensor): Tensor {
  // TODO: log(1 + e^x) overflows at x = 1000: use the log-sum-exp trick on [0, x].
  return TODO('bceWithLogitsLoss');
}
