/**
 * The small-product path: plain JavaScript for multiplies too small to be worth copying into
 * WebAssembly memory. It is the reference loop with the index arithmetic hoisted out: each
 * element of C is a dot product of a row of op(A) and a column of op(B), and the transposes only
 * change the strides we walk them with.
 */
import type { MatmulOptions } from './reference';

export function matmulSmall(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions = {},
): void {
  const { transA = false, transB = false, accumulate = false } = opts;
  // A[i][p] = a[i * aRow + p * aStep];  B[p][j] = b[p * bStep + j * bCol]
  const aRow = transA ? 1 : k, aStep = transA ? m : 1;
  const bStep = transB ? 1 : n, bCol = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ai = i * aRow, bj = j * bCol;
      for (let p = 0; p < k; p++, ai += aStep, bj += bStep) s += a[ai] * b[bj];
      const o = i * n + j;
      out[o] = accumulate ? out[o] + s : s;
    }
  }
}
