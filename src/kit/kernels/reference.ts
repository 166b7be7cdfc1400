/**
 * The plain matrix multiply: three loops, nothing clever. This is the definition the fast kernels
 * are tested against, and the one a learner should read first.
 *
 *   C (m x n)  =  op(A) (m x k)  @  op(B) (k x n)     [+ C when accumulate]
 *
 * A is stored row-major as (m, k), or as (k, m) when transA; B as (k, n), or (n, k) when transB.
 * The transposed forms are what backward passes need: dA = dC @ B^T and dB = A^T @ dC.
 */
export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** Add into `out` instead of overwriting it (gradients accumulate). */
  accumulate?: boolean;
}

export function matmulReference(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions = {},
): void {
  const { transA = false, transB = false, accumulate = false } = opts;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        s += av * bv;
      }
      out[i * n + j] = accumulate ? out[i * n + j] + s : s;
    }
  }
}
