/**
 * Tensors: four small functions that everything later in the course stands on.
 *
 * A tensor here is an NDArray: a flat Float32Array plus a shape, stored row-major (the last index moves
 * fastest), the layout NumPy and PyTorch use by default. Replace each `TODO(...)` with your code, then run
 * the checks. The lesson text explains the math; the hints get more specific each time you open one.
 *
 * From the kit: `numel(shape)` is the product of the sizes (1 for a scalar), handy for lengths and for
 * the sizes before and after an axis.
 */
import { type NDArray, numel, TODO } from '@llm-lab/kit';

/**
 * Row-major strides of a shape: how far to move in the flat array when an index grows by 1.
 *
 *   strides[d] = shape[d+1] * shape[d+2] * ... * shape[n-1]      (the product of the sizes to the RIGHT of d)
 *
 * Strides count elements, as PyTorch's Tensor.stride() does (NumPy's ndarray.strides count bytes).
 * So the last dimension has stride 1. Examples:
 *   strides([2, 3, 4]) -> [12, 4, 1]
 *   strides([5])       -> [1]
 *   strides([])        -> []        (a scalar has no dimensions)
 *
 * Do not modify `shape`.
 */
export function strides(shape: readonly number[]): number[] {
  return TODO('strides');
}

/**
 * The flat position of element `index` in a row-major tensor of the given shape:
 *
 *   offset = index[0]*strides[0] + index[1]*strides[1] + ... + index[n-1]*strides[n-1]
 *
 * Example: in shape [2, 3, 4], index [1, 2, 3] is at 1*12 + 2*4 + 3*1 = 23 (the last element).
 * A scalar (shape [], index []) is at 0.
 *
 * Throw an Error when `index` has the wrong number of entries (index.length !== shape.length), or when
 * any entry is outside 0 <= index[d] < shape[d] (no negative indexing here: see the lesson's Conventions).
 * Do not modify `shape` or `index`.
 */
export function offset(shape: readonly number[], index: readonly number[]): number {
  return TODO('offset');
}

/**
 * Matrix multiplication of 2-D tensors:
 *
 *   a: (n, k)   b: (k, m)   ->   c: (n, m)
 *   c[i][j] = sum over p of a[i][p] * b[p][j]            (2*n*k*m floating-point operations)
 *
 * Throw an Error that names both shapes when the inner dimensions differ (a.shape[1] !== b.shape[0]),
 * or when either input is not 2-D (as torch.mm does; the lesson's Conventions compare np.matmul).
 * Return a new NDArray; do not modify `a` or `b`.
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  return TODO('matmul');
}

/**
 * Numerically stable softmax along one axis of an N-D tensor. Output has the same shape as `x`.
 *
 * For every 1-D slice x[..., :, ...] taken along `axis`:
 *   softmax(x)_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x))
 * Subtracting the slice's max gives the same result as plain exp(x_i) / sum_j exp(x_j), but never overflows.
 *
 * `axis` is required (no default: see the lesson's Conventions) and may be negative: -1 is the last axis,
 * -2 the one before, ... (axis + ndim).
 * A NaN in a slice must make that whole slice NaN (do not skip or hide it); other slices stay normal.
 * -Infinity is a legitimate logit (a masked position): exp(-Infinity) = 0.
 * Return a new NDArray; do not modify `x`.
 */
export function softmax(x: NDArray, axis: number): NDArray {
  return TODO('softmax');
}
