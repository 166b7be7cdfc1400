/**
 * The MLP lesson, exercise 2, reference solution: three losses, each a mean over the batch and each written so that
 * extreme logits (±1000) give the exact, finite answer. Built from kit ops, so autograd gives the gradients:
 *   crossEntropy: softmax(logits) - onehot(target), divided by N
 *   BCE with logits: sigmoid(x) - y, divided by the number of elements
 * The trick in both: log Σ e^{x_i} = m + log Σ e^{x_i - m}, with m = max x_i taken as a constant (no gradient flows
 * through it, and none needs to: the expression is the same for every m).
 */
import { Tensor, exp, gather, log, mean, mul, sub, add, sum } from '@llm-lab/kit';

const sameShape = (a: Tensor, b: Tensor) => a.shape.length === b.shape.length && a.shape.every((n, i) => n === b.shape[i]);

/** mean((pred - target)²) over every element. pred and target must have the same shape (no broadcasting). */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  if (!sameShape(pred, target)) throw new Error(`mseLoss: pred (${pred.shape.join(', ')}) and target (${target.shape.join(', ')}) differ in shape`);
  const d = sub(pred, target);
  return mean(mul(d, d));
}

/** logits (N, C), one class id per row -> mean over rows of logsumexp(logits_n) - logits_n[target_n]. */
export function crossEntropyLoss(logits: Tensor, targets: ArrayLike<number>): Tensor {
  const [N, C] = logits.shape;
  if (logits.shape.length !== 2) throw new Error(`crossEntropyLoss: logits must be (N, C), got (${logits.shape.join(', ')})`);
  if (targets.length !== N) throw new Error(`crossEntropyLoss: ${targets.length} targets for ${N} rows`);
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (!Number.isInteger(t) || t < 0 || t >= C) throw new Error(`crossEntropyLoss: target ${t} in row ${n} is not a class id in [0, ${C})`);
  }
  // The row maxima, as a constant (N, 1) tensor.
  const m = new Float32Array(N).fill(-Infinity);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) m[n] = Math.max(m[n], logits.data[n * C + c]);
  const shifted = sub(logits, new Tensor(m, [N, 1])); //         (N, C), every row's max is 0
  const lse = log(sum(exp(shifted), 1, true)); //                 (N, 1), log Σ e^{x - m}: the sum is in [1, C]
  const picked = gather(shifted, 1, Array.from(targets), [N, 1]); // (N, 1), x_target - m
  return mean(sub(lse, picked)); //                                (logsumexp - x_target), averaged over rows
}

/**
 * mean over elements of softplus(x) - x·y, with softplus(x) = log(1 + e^x) = c + log(e^{-c} + e^{x - c}), c = max(x, 0)
 * a constant: the two-class log-sum-exp of [0, x]. Its gradient is sigmoid(x) - y everywhere, x = 0 included.
 */
export function bceWithLogitsLoss(logits: Tensor, targets: Tensor): Tensor {
  if (!sameShape(logits, targets)) throw new Error(`bceWithLogitsLoss: logits (${logits.shape.join(', ')}) and targets (${targets.shape.join(', ')}) differ in shape`);
  const c = new Tensor(Float32Array.from(logits.data, (v) => Math.max(v, 0)), logits.shape);
  const softplus = add(c, log(add(exp(mul(c, -1)), exp(sub(logits, c)))));
  return mean(sub(softplus, mul(logits, targets)));
}
