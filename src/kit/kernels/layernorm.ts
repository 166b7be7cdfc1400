/**
 * LayerNorm over contiguous rows of C numbers (ops/norm.ts; read the formulas there), written for speed: a GPT
 * calls it 2 * nLayer + 1 times per step on (B, T, C). The same arithmetic in the same order as the formulas;
 * the backward recomputes xhat from x and each row's saved mean and rstd instead of reading a saved (B, T, C)
 * copy (one allocation less per call), and does its row sums and the weight and bias gradients in one pass
 * over the row. Tested against plain float64 loops in test/unit/kit/fused-kernels.test.ts.
 */

/**
 * y = xhat * w + b with xhat = (x - mean) * rstd per row. Saves each row's mean and rstd (float64) for the
 * backward, which recomputes xhat from x: the same float32 numbers the op once saved as a (B, T, C) array,
 * without allocating and writing that array.
 */
export function layerNormRows(
  x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, means: Float64Array, rstd: Float64Array,
  N: number, C: number, eps: number,
): void {
  for (let r = 0; r < N; r++) {
    const row = r * C, end = row + C;
    let mean = 0;
    for (let i = row; i < end; i++) mean += x[i];
    mean /= C;
    let v = 0;
    for (let i = row; i < end; i++) {
      const d = x[i] - mean;
      v += d * d;
    }
    const s = 1 / Math.sqrt(v / C + eps);
    means[r] = mean;
    rstd[r] = s;
    for (let c = 0; c < C; c++) y[row + c] = (x[row + c] - mean) * s * w[c] + b[c];
  }
}

let scratch = new Float64Array(0);

/**
 * The backward of layerNormRows, for upstream gradient g: gw += sum over rows of g * xhat, gb += sum of g,
 * gx += rstd * (g * w - mean(g * w) - xhat * mean(g * w * xhat)) per row, with xhat and rstd rounded to float32
 * as the op saved them. Any of gx, gw, gb may be null.
 */
export function layerNormRowsBackward(
  g: Float32Array, x: Float32Array, w: Float32Array, means: Float64Array, rstd: Float64Array,
  gx: Float32Array | null, gw: Float32Array | null, gb: Float32Array | null, N: number, C: number,
): void {
  if (scratch.length < C) scratch = new Float64Array(C);
  const xhat = scratch; // one row of xhat, as the op used to save it (float32 values)
  for (let r = 0; r < N; r++) {
    const row = r * C, mean = means[r], s64 = rstd[r];
    let meanD = 0; //  mean(dxhat), dxhat = g * w
    let meanDH = 0; // mean(dxhat * xhat)
    for (let c = 0; c < C; c++) {
      const gv = g[row + c], h = Math.fround((x[row + c] - mean) * s64);
      xhat[c] = h;
      if (gw) gw[c] += gv * h;
      if (gb) gb[c] += gv;
      const d = gv * w[c];
      meanD += d;
      meanDH += d * h;
    }
    if (!gx) continue;
    meanD /= C;
    meanDH /= C;
    const s = Math.fround(s64);
    for (let c = 0; c < C; c++) gx[row + c] += s * (g[row + c] * w[c] - meanD - xhat[c] * meanDH);
  }
}
