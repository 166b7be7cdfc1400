/**
 * NDArray: the bare storage format every tensor in this course is built on.
 *
 * A tensor is a flat Float32Array plus a shape. Element (i0, i1, ..., in) lives at
 * offset i0*s0 + i1*s1 + ... + in*sn, where the strides s are the products of the
 * dimensions to the right ("row-major" or "C" order, as in NumPy and PyTorch).
 * Lesson 1 asks the learner to write these functions; the kit's own Tensor class is built the same way.
 */

export interface NDArray {
  /** Row-major values; length is the product of `shape`. */
  readonly data: Float32Array;
  /** Size of each dimension, outermost first. A scalar has shape []. */
  readonly shape: readonly number[];
}

/** Number of elements a shape holds: the product of its dimensions (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Makes an NDArray from nested or flat numbers, checking that the count matches the shape. */
export function ndarray(values: ArrayLike<number> | number[][] | number[][][], shape: readonly number[]): NDArray {
  const flat = Array.isArray(values) ? (values as unknown[]).flat(Infinity as 1) as number[] : Array.from(values);
  if (flat.length !== numel(shape)) {
    throw new Error(`ndarray: ${flat.length} values do not fill shape [${shape.join(', ')}] (${numel(shape)} elements)`);
  }
  return { data: Float32Array.from(flat), shape: [...shape] };
}
