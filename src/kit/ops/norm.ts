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
  const xhat = new Float32Array(xs.length); // saved for backward
  const rstd = new Float32Array(N); //         saved for backward
  for (let r = 0; r < N; r++) {
    const row = r * C;
    let mean = 0;
    for (let c = 0; c < C; c++) mean += xs[row + c];
    mean /= C;
    let v = 0;
    for (let c = 0; c < C; c++) {
      const d = xs[row + c] - mean;
      v += d * d;
    }
    const s = 1 / Math.sqrt(v / C + eps);
    rstd[r] = s;
    for (let c = 0; c < C; c++) {
      const h = (xs[row + c] - mean) * s;
      xhat[row + c] = h;
      y[row + c] = h * w[c] + b[c];
    }
  }
  return fromOp('layerNorm', y, x.shape, [x, weight, bias], (g) => {
    const gx = x.requiresGrad ? gradOf(x) : null;
    const gw = weight.requiresGrad ? gradOf(weight) : null;
    const gb = bias.requiresGrad ? gradOf(bias) : null;
    for (let r = 0; r < N; r++) {
      const row = r * C;
      if (gw || gb) {
        for (let c = 0; c < C; c++) {
          if (gw) gw[c] += g[row + c] * xhat[row + c];
          if (gb) gb[c] += g[row + c];
        }
      }
      if (!gx) continue;
      let meanD = 0; //  mean(dxhat)
      let meanDH = 0; // mean(dxhat * xhat)
      for (let c = 0; c < C; c++) {
        const d = g[row + c] * w[c];
        meanD += d;
        meanDH += d * xhat[row + c];
      }
      meanD /= C;
      meanDH /= C;
      const s = rstd[r];
      for (let c = 0; c < C; c++) {
        gx[row + c] += s * (g[row + c] * w[c] - meanD - xhat[row + c] * meanDH);
      }
    }
  });
}
