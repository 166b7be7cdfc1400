/**
 * softmax and logSoftmax along one dim: turn scores into probabilities (or log-probabilities).
 *
 *   softmax(x)_k    = exp(x_k - m) / sum_j exp(x_j - m)        m = max_j x_j
 *   logSoftmax(x)_k = x_k - m - log(sum_j exp(x_j - m))
 *
 * Subtracting the max changes nothing mathematically (it cancels) but keeps exp() from overflowing:
 * the largest term becomes exp(0) = 1, so logits of 1000 are as safe as logits of 1. A -Infinity
 * entry (a masked position) becomes exp(-Infinity) = 0. A row that is all -Infinity has no
 * probabilities to give and comes out NaN, as in PyTorch. A NaN anywhere in a row makes the whole
 * row NaN (Math.max propagates NaN; a hand-written `if (v > m)` would silently skip it).
 *
 * Backward, with y = softmax(x) and upstream gradient g:
 *   dx_k = y_k (g_k - sum_j g_j y_j)            (so a position with y_k = 0 gets gradient 0)
 * and for y = logSoftmax(x):
 *   dx_k = g_k - exp(y_k) sum_j g_j
 */
import { Tensor, fromOp, gradOf } from '../tensor';
import { normDim, splitAt } from '../shape';
import { exp } from '../kernels/pointwise'; // Math.exp, inlined: softmax over attention scores is a hot loop
import { scaledMaskedSoftmaxRows, scaledMaskedSoftmaxRowsBackward, softmaxRows, softmaxRowsBackward } from '../kernels/softmax';
import { repeatPeriod } from '../kernels/broadcast';
import { maskedFill, mul } from './elementwise';

export function softmax(x: Tensor, dim = -1): Tensor {
  const { outer, size, inner } = splitAt(x.shape, normDim(dim, x.ndim));
  const xs = x.data;
  const y = new Float32Array(xs.length);
  if (inner === 1) { // the last dim (attention): the same loops on contiguous rows (kernels/softmax.ts)
    softmaxRows(xs, y, outer, size);
    return fromOp('softmax', y, x.shape, [x], (g) => softmaxRowsBackward(y, g, gradOf(x), outer, size));
  }
  // Element k of a row is at base + k * inner (inner = 1 for the last dim: a contiguous row).
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, xs[base + k * inner]);
      let s = 0;
      for (let k = 0; k < size; k++) {
        const e = exp(xs[base + k * inner] - m);
        y[base + k * inner] = e;
        s += e;
      }
      const r = 1 / s;
      for (let k = 0; k < size; k++) y[base + k * inner] *= r;
    }
  }
  return fromOp('softmax', y, x.shape, [x], (g) => {
    const gx = gradOf(x);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let dot = 0;
        for (let k = 0; k < size; k++) dot += g[base + k * inner] * y[base + k * inner];
        for (let k = 0; k < size; k++) {
          const at = base + k * inner;
          gx[at] += y[at] * (g[at] - dot);
        }
      }
    }
  });
}

export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const { outer, size, inner } = splitAt(x.shape, normDim(dim, x.ndim));
  const xs = x.data;
  const y = new Float32Array(xs.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, xs[base + k * inner]);
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(xs[base + k * inner] - m);
      const logZ = m + Math.log(s); // log(sum_j exp(x_j)), computed safely
      for (let k = 0; k < size; k++) y[base + k * inner] = xs[base + k * inner] - logZ;
    }
  }
  return fromOp('logSoftmax', y, x.shape, [x], (g) => {
    const gx = gradOf(x);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let gsum = 0;
        for (let k = 0; k < size; k++) gsum += g[base + k * inner];
        for (let k = 0; k < size; k++) {
          const at = base + k * inner;
          gx[at] += g[at] - Math.exp(y[at]) * gsum;
        }
      }
    }
  });
}

/**
 * softmax(maskedFill(mul(scores, scale), mask, value = -Infinity), -1): attention's "scale the scores, hide
 * the future, normalize" (nn.ts), as one op. It computes exactly what those three ops compute, values and
 * gradient, number for number (a test compares them); it is one op because the attention scores are the
 * largest tensors of a GPT, (B, nh, T, T), and the three ops make two more of them, and two more gradients,
 * and go over all of them several times, half of it -Infinity. Here masked positions are not even read.
 * When the mask does not repeat row by row over the scores, it simply runs the three ops.
 */
export function scaledMaskedSoftmax(scores: Tensor, scale: number, mask: Tensor): Tensor {
  const size = scores.shape[scores.ndim - 1];
  const period = repeatPeriod(mask.shape, scores.shape);
  if (!(size > 0 && period > 0 && period % size === 0 && mask.ndim <= scores.ndim)) {
    return softmax(maskedFill(mul(scores, scale), mask, -Infinity), -1);
  }
  const rows = scores.size / size;
  const m = mask.data;
  const y = new Float32Array(scores.size);
  scaledMaskedSoftmaxRows(scores.data, scale, m, period, y, rows, size); // kernels/softmax.ts
  return fromOp('scaledMaskedSoftmax', y, scores.shape, [scores], (g) =>
    scaledMaskedSoftmaxRowsBackward(y, g, scale, m, period, gradOf(scores), rows, size));
}
