/**
 * Matrix products: `matmul` (2-D and batched, like torch.matmul) and `linear` (y = x W^T + b,
 * like torch.nn.functional.linear). Nearly all the arithmetic of a transformer happens here.
 *
 * The multiply itself is the kernel in kernels/index.ts: C (m x n) = op(A) @ op(B), where the
 * transpose flags read a matrix as transposed without copying it. The backward pass of C = A @ B is
 *   dA = dC @ B^T   (m x n) @ (n x k)
 *   dB = A^T @ dC   (k x m) @ (m x n)
 * which is two more kernel calls with transB / transA set and `accumulate` on (gradients add up).
 * A batch of products (the heads of attention) is one call of `matmulBatch`, which does exactly
 * what one `kernel` call per pair of matrices would (the commented loops below), only faster.
 */
import { linearBackward, matmul as kernel, matmulBatch, matmulLinear } from '../kernels/index';
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
  // for (let i = 0; i < nb; i++) {
  //   const Ai = A.subarray(ia[i] * m * k, (ia[i] + 1) * m * k); // (m, k)
  //   const Bi = B.subarray(ib[i] * k * n, (ib[i] + 1) * k * n); // (k, n)
  //   kernel(Ai, Bi, C.subarray(i * m * n, (i + 1) * m * n), m, k, n);
  // }
  matmulBatch(A, B, C, m, k, n, {}, nb, { a: ia, b: ib });
  return fromOp('matmul', C, [...batch, m, n], [a, b], (g) => {
    // for (let i = 0; i < nb; i++) {
    //   const dC = g.subarray(i * m * n, (i + 1) * m * n); // (m, n)
    //   // dA (m, k) += dC (m, n) @ B^T (n, k)
    //   kernel(dC, B_ib[i], gA_ia[i], m, n, k, { transB: true, accumulate: true });
    //   // dB (k, n) += A^T (k, m) @ dC (m, n)
    //   kernel(A_ia[i], dC, gB_ib[i], k, m, n, { transA: true, accumulate: true });
    // }
    if (a === b && a.requiresGrad) {
      // x @ x: both gradients add into one buffer, so keep the order of the loop above exactly.
      for (let i = 0; i < nb; i++) {
        matmulBatch(g, B, gradOf(a), m, n, k, { transB: true, accumulate: true }, 1, { a: [i], b: [ib[i]], c: [ia[i]] });
        matmulBatch(A, g, gradOf(b), k, m, n, { transA: true, accumulate: true }, 1, { a: [ia[i]], b: [i], c: [ib[i]] });
      }
      return;
    }
    // A gradient nothing has flowed into yet (grad still null) is all zeros: writing it rather than
    // adding to it gives the same numbers and spares the kernel copying the zeros in. Only if every
    // product has its own matrix of it (not broadcast).
    if (a.requiresGrad) {
      const accumulate = a.grad !== null || numel(batchA) !== nb;
      matmulBatch(g, B, gradOf(a), m, n, k, { transB: true, accumulate }, nb, { b: ib, c: ia });
    }
    if (b.requiresGrad) {
      const accumulate = b.grad !== null || numel(batchB) !== nb;
      matmulBatch(A, g, gradOf(b), k, m, n, { transA: true, accumulate }, nb, { a: ia, c: ib });
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
  // kernel(X, W, y, N, nIn, nOut, { transB: true }); // x @ W^T
  // if (bias) {
  //   const bv = bias.data;
  //   for (let r = 0; r < N; r++) {
  //     const row = r * nOut;
  //     for (let j = 0; j < nOut; j++) y[row + j] += bv[j];
  //   }
  // }
  // The same, with the bias added while y is still in the kernel's memory:
  matmulLinear(X, W, y, N, nIn, nOut, { transB: true }, { addToRows: bias?.data });
  const parents = bias ? [x, weight, bias] : [x, weight];
  return fromOp('linear', y, [...x.shape.slice(0, -1), nOut], parents, (g) => {
    // g: dy (N, out)
    // db (out) += dy summed over the N rows: done by the kernel with dx, while dy is in its memory
    // (sumRowsOfA), or by the loop below.
    // A gradient still null is all zeros: write it rather than add to it (the same numbers, and the
    // kernel need not copy the zeros in).
    // (Look before gradOf, which makes the grad if there is none; linear(w, w) adds both into one.)
    const addX = x.grad !== null, addW = weight.grad !== null || weight === x;
    const sumRowsOfA = bias?.requiresGrad && x.requiresGrad ? gradOf(bias) : undefined;
    if (x.requiresGrad && weight.requiresGrad && x !== weight) {
      // The two lines below in one trip into the kernel, which copies dy in once for both.
      linearBackward(g, W, X, gradOf(x), gradOf(weight), sumRowsOfA, N, nIn, nOut, addX, addW);
      return;
    }
    if (x.requiresGrad) matmulLinear(g, W, gradOf(x), N, nOut, nIn, { accumulate: addX }, { sumRowsOfA }); // dx (N, in) += dy @ W
    if (weight.requiresGrad) kernel(g, X, gradOf(weight), nOut, N, nIn, { transA: true, accumulate: addW }); // dW (out, in) += dy^T @ x
    if (bias?.requiresGrad && !sumRowsOfA) {
      const gb = gradOf(bias);
      for (let r = 0; r < N; r++) {
        const row = r * nOut;
        for (let j = 0; j < nOut; j++) gb[j] += g[row + j];
      }
    }
  });
}
