/**
 * Cross-entropy loss for next-token prediction (torch.nn.functional.cross_entropy):
 *
 *   loss = mean over rows n of  -log softmax(logits_n)[target_n]
 *        = mean over rows n of  logsumexp(logits_n) - logits_n[target_n]
 *
 * It is one fused op rather than logSoftmax + gather + mean because its gradient is so simple:
 *   dlogits_n = (softmax(logits_n) - onehot(target_n)) / N
 * "push the target's probability up and everything else down, in proportion to how likely it is".
 * logsumexp subtracts the row max first, so huge logits (1000) cannot overflow; a -Infinity logit
 * has probability 0 and gets gradient 0 (unless it is the target: then the loss is Infinity).
 */
import { Tensor, fromOp, gradOf } from './tensor';
import { formatShape } from './shape';
import { EXP2_32, EXP2_32_ZERO } from './kernels/pointwise';

/**
 * Math.exp(d) for d <= 0 (or NaN), as float32 needs it: kernels/pointwise.ts's exp32 (relative error 6e-10, far
 * below float32's 6e-8), and 0 below -104 where the float32 result is 0 anyway. Several times faster than Math.exp.
 */
function expNonPositive(d: number): number {
  if (!(d >= -104)) return d === d ? 0 : NaN;
  const k = (d * K32 + ROUND) - ROUND;
  const r = d - k * LN2_32;
  return ((1 + r) + r * r * (1 / 2 + r * (1 / 6))) * TABLE[(k + ZERO) | 0];
}
const ROUND = 6755399441055744, K32 = 32 / Math.LN2, LN2_32 = Math.LN2 / 32, TABLE = EXP2_32, ZERO = EXP2_32_ZERO;

/** logits (..., V) with one target id per row (targets.length = logits.size / V) -> scalar mean loss. */
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>): Tensor {
  const V = logits.shape[logits.ndim - 1];
  const N = logits.size / V;
  if (targets.length !== N) {
    throw new Error(`crossEntropy: ${targets.length} targets for ${N} rows of logits ${formatShape(logits.shape)}`);
  }
  const x = logits.data;
  const probs = new Float32Array(x.length); // softmax, saved for backward
  let total = 0;
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (!Number.isInteger(t) || t < 0 || t >= V) throw new Error(`crossEntropy: target ${t} in row ${n} is out of range for ${V} classes`);
    const row = n * V;
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, x[row + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += expNonPositive(x[row + v] - m);
    const logZ = m + Math.log(s);
    for (let v = 0; v < V; v++) probs[row + v] = expNonPositive(x[row + v] - logZ);
    total += logZ - x[row + t];
  }
  const targetIds = Int32Array.from(targets); // a copy, safe from later changes by the caller
  return fromOp('crossEntropy', Float32Array.of(total / N), [], [logits], (g) => {
    const gl = gradOf(logits);
    const scale = g[0] / N;
    for (let n = 0; n < N; n++) {
      const row = n * V;
      for (let v = 0; v < V; v++) gl[row + v] += scale * probs[row + v];
      gl[row + targetIds[n]] -= scale;
    }
  });
}
