/**
 * Matrix products: `matmul` (2-D and batched, like torch.matmul) and `linear` (y = x W^T + b,
 * like torch.nn.functional.linear). Nearly all the arithmetic of a transformer happens here.
 *
 * The multiply itself is the kernel in kernels/index.ts: C (m x n) = op(A) @ op(B), where the
 * transpose flags read a matrix as transposed without copying it. The backward pass of C = A @ B is
 *   dA = dC @ B^T   (m x n) @ (n x k)
 *   dB = A^T @ dC   (k x m) @ (m x n)
 * which is two more kernel calls with transB / transA set and `accumulate` on (gradients add up).
 * Batches are `subarray` views into the flat data, so nothing is copied.
 */
import { matmul as kernel } from '../kernels/index';
import { Tensor, fromOp, gradOf } from '../tensor';
import { broadcastIndex, broadcastShapes, formatShape } from '../shape';
import { numel } from '../ndarray';

/**
 * a (..., m, k) @ b (..., k, n) -> (..., m, n). The leading "batch" dims broadcast, so
 * (B, nh, T, hs) @ (B, nh, hs, T) multiplies B*nh pairs of matrices, and (B, T, C) @ (C, D)
 * uses the same (C, D) for every batch. Both inputs need at least 2 dims.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new Error(`matmul: both inputs need at least 2 dims, got ${formatShape(a.shape)} @ ${formatShape(b.shape)} (reshape vectors to (1, n) or (n, 1))`);
  }
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) {
    throw new Error(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${k} vs ${k2})`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  const ia = broadcastIndex(batchA, batch); // batch i multiplies matrix ia[i] of a with matrix ib[i] of b
  const ib = broadcastIndex(batchB, batch);
  const nb = numel(batch);
  const A = a.data;
  const B = b.data;
  const C = new Float32Array(nb * m * n);
  for (let i = 0; i < nb; i++) {
    const Ai = A.subarray(ia[i] * m * k, (ia[i] + 1) * m * k); // (m, k)
    const Bi = B.subarray(ib[i] * k * n, (ib[i] + 1) * k * n); // (k, n)
    kernel(Ai, Bi, C.subarray(i * m * n, (i + 1) * m * n), m, k, n);
  }
  return fromOp('matmul', C, [...batch, m, n], [a, b], (g) => {
    const gA = a.requiresGrad ? gradOf(a) : null;
    const gB = b.requiresGrad ? gradOf(b) : null;
    for (let i = 0; i < nb; i++) {
      const dC = g.subarray(i * m * n, (i + 1) * m * n); // (m, n)
      if (gA) {
        // dA (m, k) += dC (m, n) @ B^T (n, k)
        const Bi = B.subarray(ib[i] * k * n, (ib[i] + 1) * k * n);
        kernel(dC, Bi, gA.subarray(ia[i] * m * k, (ia[i] + 1) * m * k), m, n, k, { transB: true, accumulate: true });
      }
      if (gB) {
        // dB (k, n) += A^T (k, m) @ dC (m, n)
        const Ai = A.subarray(ia[i] * m * k, (ia[i] + 1) * m * k);
        kernel(Ai, dC, gB.subarray(ib[i] * k * n, (ib[i] + 1) * k * n), k, m, n, { transA: true, accumulate: true });
      }
    }
  });
}

/**
 * y = x W^T + b with W of shape (out, in), as in PyTorch's nn.Linear: x (..., in) -> y (..., out).
 * All leading dims are flattened into one N, so this is a single (N, in) @ (in, out) multiply.
 * Backward: dx = dy @ W, dW = dy^T @ x, db = dy summed over N.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const [nOut, nIn] = weight.shape;
  if (weight.ndim !== 2 || x.shape[x.ndim - 1] !== nIn) {
    throw new Error(`linear: input ${formatShape(x.shape)} does not fit weight ${formatShape(weight.shape)} (last dim must be ${nIn})`);
  }
  if (bias && (bias.ndim !== 1 || bias.size !== nOut)) {
    throw new Error(`linear: bias ${formatShape(bias.shape)} should have shape (${nOut})`);
  }
  const N = x.size / nIn;
  const X = x.data; //      (N, in)
  const W = weight.data; // (out, in)
  const y = new Float32Array(N * nOut); // (N, out)
  kernel(X, W, y, N, nIn, nOut, { transB: true }); // x @ W^T
  if (bias) {
    const bv = bias.data;
    for (let r = 0; r < N; r++) {
      const row = r * nOut;
      for (let j = 0; j < nOut; j++) y[row + j] += bv[j];
    }
  }
  const parents = bias ? [x, weight, bias] : [x, weight];
  return fromOp('linear', y, [...x.shape.slice(0, -1), nOut], parents, (g) => {
    // g: dy (N, out)
    if (x.requiresGrad) kernel(g, W, gradOf(x), N, nOut, nIn, { accumulate: true }); // dx (N, in) += dy @ W
    if (weight.requiresGrad) kernel(g, X, gradOf(weight), nOut, N, nIn, { transA: true, accumulate: true }); // dW (out, in) += dy^T @ x
    if (bias?.requiresGrad) {
      const gb = gradOf(bias);
      for (let r = 0; r < N; r++) {
        const row = r * nOut;
        for (let j = 0; j < nOut; j++) gb[j] += g[row + j];
      }
    }
  });
}
