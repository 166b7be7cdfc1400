/**
 * The backprop lesson: autograd for tensors. Write the backward pass of five of the kit's core ops by hand.
 *
 * Every function gets what the forward pass computed (or saved) and the upstream gradient `gradOut` = dL/d(output),
 * and returns dL/d(input) for each input, with THAT INPUT'S SHAPE. The tensors are NDArrays: a flat Float32Array plus
 * a row-major shape (the tensors lesson). Write them with loops over `.data`, or with kit ops if you wrap the inputs
 * (`tensor(a.data, a.shape)`): a kit Tensor is an NDArray too. Do not modify the inputs: return new arrays.
 *
 * The checks compare your gradients with central finite differences (float64) and with the kit's own autograd
 * (src/kit/ops/*.ts: every op there has its backward closure, read them AFTER you have tried).
 */
import { type NDArray, numel, TODO } from '@llm-lab/kit';

/**
 * The backward of a broadcast (e.g. of `add(a, b)` with a (3, 1) and b (2, 3, 4)): `grad` has the broadcast output's
 * shape, the input had `shape`. Return the gradient of that input, of shape `shape`: the SUM of `grad` over the new
 * leading axes and over every axis where `shape` has size 1 and `grad` does not.
 *
 *   sumToShape(grad (2, 3), [3])     -> the sum over axis 0, shape (3)
 *   sumToShape(grad (2, 3), [2, 1])  -> the sum over axis 1, shape (2, 1)
 *   sumToShape(grad (2, 3), [])      -> the sum of everything, shape ()
 *
 * Throw an Error when `shape` does not broadcast to grad.shape (more axes than grad, or a size that is neither
 * grad's size there nor 1, comparing from the right).
 */
export function sumToShape(grad: NDArray, shape: readonly number[]): NDArray {
  return TODO('sumToShape');
}

/**
 * C = A B with a (m, k), b (k, n) and gradOut = dC (m, n). Return gradA (m, k) and gradB (k, n).
 */
export function matmulBackward(a: NDArray, b: NDArray, gradOut: NDArray): { gradA: NDArray; gradB: NDArray } {
  return TODO('matmulBackward');
}

/**
 * y = softmax(x) along `axis` (a negative axis counts from the end: -1 is the last). Given y (not x) and
 * gradOut = dL/dy, of y's shape, return dL/dx, of y's shape. Each slice along the axis is one softmax: every output
 * of a slice depends on every input of the same slice.
 */
export function softmaxBackward(y: NDArray, gradOut: NDArray, axis: number): NDArray {
  return TODO('softmaxBackward');
}

/**
 * L = the mean over the N rows of −log softmax(logits[n])[targets[n]] (cross-entropy from logits); logits (N, C),
 * targets N class ids in [0, C) (a number[] or an Int32Array). Return dL/dlogits, shape (N, C). Logits as large as
 * ±1000 must give finite, exact gradients.
 */
export function logSoftmaxNllBackward(logits: NDArray, targets: ArrayLike<number>): NDArray {
  return TODO('logSoftmaxNllBackward');
}

/**
 * LayerNorm over the last axis of x (..., C), as the kit's layerNorm and PyTorch's:
 *   mean, var = the mean and the BIASED variance (÷ C) of each row
 *   x̂ = (x − mean) / sqrt(var + eps)
 *   y = x̂ ⊙ gamma + beta                       gamma, beta: (C), the same for every row
 * Given gradOut = dL/dy (x's shape), return gradX (x's shape), gradGamma (C) and gradBeta (C).
 */
export function layerNormBackward(x: NDArray, gamma: NDArray, beta: NDArray, gradOut: NDArray, eps: number): {
  gradX: NDArray; gradGamma: NDArray; gradBeta: NDArray;
} {
  return TODO('layerNormBackward');
}
