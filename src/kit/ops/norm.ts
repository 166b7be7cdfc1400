/**
 * Layer normalization (Ba, Kiros & Hinton, "Layer Normalization", 2016) over the last dim:
 *
 *   mean = (1/C) sum_c x_c        var = (1/C) sum_c (x_c - mean)^2      (biased, as in PyTorch)
 *   xhat = (x - mean) / sqrt(var + eps)
 *   y    = xhat * weight + bias
 *
 * The same thing can be written with the kit's primitives (sub, mean, var, pow, mul, add: see the
 * test that compares them), but that makes about eight (B, T, C) temporaries per call. A GPT calls
 * LayerNorm 2 * nLayer + 1 times per step, so it is fused here with a hand-derived backward
 * (the same one llm.c uses), with rstd = 1 / sqrt(var + eps):
 *
 *   dweight += sum over rows of dy * xhat        dbias += sum over rows of dy
 *   dxhat    = dy * weight
 *   dx       = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 */
import { Tensor, fromOp, gradOf } from '../tensor';
import { formatShape } from '../shape';
import { layerNormRows, layerNormRowsBackward } from '../kernels/layernorm';

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const C = x.shape[x.ndim - 1];
  if (weight.size !== C || bias.size !== C) {
    throw new Error(`layerNorm: weight ${formatShape(weight.shape)} and bias ${formatShape(bias.shape)} must both have ${C} elements for input ${formatShape(x.shape)}`);
  }
  const N = x.size / C; // number of rows normalized independently
  const xs = x.data;
  const w = weight.data;
  const b = bias.data;
  const y = new Float32Array(xs.length);
  const means = new Float64Array(N); // saved for backward, which recomputes xhat from them
  const rstd = new Float64Array(N);
  // The loops (one pass over each row for the mean, one for the variance, one to normalize; the backward as
  // above) are in kernels/layernorm.ts, written for speed: this op runs 2 * nLayer + 1 times per training step.
  layerNormRows(xs, w, b, y, means, rstd, N, C, eps);
  return fromOp('layerNorm', y, x.shape, [x, weight, bias], (g) => layerNormRowsBackward(
    g, xs, w, means, rstd, x.requiresGrad ? gradOf(x) : null, weight.requiresGrad ? gradOf(weight) : null,
    bias.requiresGrad ? gradOf(bias) : null, N, C));
}
