/**
 * Shape arithmetic shared by the ops: negative dims, broadcasting, and index maps.
 *
 * Broadcasting follows NumPy's rules (also PyTorch's): line the shapes up from the right;
 * two sizes are compatible when they are equal or one of them is 1; a missing dim counts as 1.
 * So (B, T, C) + (C) adds the same bias row everywhere, and (B, nh, T, T) masked by (T, T)
 * uses the same mask for every batch and head.
 *
 * The trick used throughout the kit: instead of clever loops per case, build an index map once
 * (`idx[i]` = which element of the input lands at output position i). The forward pass reads
 * `x[idx[i]]`; the backward pass adds `grad[idx[i]] += g[i]`, which automatically sums the gradient
 * over every position an element was copied to. That sum is exactly "reduce the gradient back to
 * the input's shape".
 */
import { numel } from './ndarray';

/** Turns a possibly negative dim (-1 = last) into an index in [0, ndim). */
export function normDim(dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= ndim) {
    throw new Error(`dim ${dim} is out of range for a tensor with ${ndim} dimension${ndim === 1 ? '' : 's'}`);
  }
  return d;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** The shape two broadcast-compatible shapes combine to; throws a readable error otherwise. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 1; i <= n; i++) {
    const da = a.length - i >= 0 ? a[a.length - i] : 1;
    const db = b.length - i >= 0 ? b[b.length - i] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`cannot broadcast shapes ${formatShape(a)} and ${formatShape(b)}: size ${da} vs ${db} in dim ${-i}`);
    }
    out[n - i] = da === 1 ? db : da;
  }
  return out;
}

/** Row-major strides: how far apart (in elements) neighbours along each dim are. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/**
 * For every element of a tensor of shape `outShape` (in row-major order), the offset
 * sum(index[d] * strides[d]). With permuted strides this is a transpose; with zero strides, a broadcast.
 */
export function stridedIndex(outShape: readonly number[], strides: readonly number[]): Int32Array {
  const n = numel(outShape);
  const idx = new Int32Array(n);
  const nd = outShape.length;
  if (n === 0) return idx;
  if (nd === 0) return idx; // a scalar: offset 0
  const last = outShape[nd - 1];
  const step = strides[nd - 1];
  const counter = new Array<number>(nd).fill(0); // multi-index of the current row (last dim excluded)
  let offset = 0;
  for (let i = 0; i < n; i += last) {
    for (let j = 0; j < last; j++) idx[i + j] = offset + j * step; // one row along the last dim
    // Advance to the next row like an odometer: bump dim nd-2, carry into the ones before it.
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]++;
      offset += strides[d];
      if (counter[d] < outShape[d]) break;
      offset -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return idx;
}

let iotaCache = new Int32Array(0);
/** 0, 1, ..., n-1 (a shared, read-only buffer: the index map of a tensor onto itself). */
function iota(n: number): Int32Array {
  if (iotaCache.length < n) {
    iotaCache = new Int32Array(Math.max(n, 2 * iotaCache.length));
    for (let i = 0; i < iotaCache.length; i++) iotaCache[i] = i;
  }
  return iotaCache.subarray(0, n);
}

/**
 * Index map from `toShape` back to `fromShape`, which must broadcast to it: element i of the
 * broadcast result is element idx[i] of the original. Read-only (it may be a shared buffer).
 */
export function broadcastIndex(fromShape: readonly number[], toShape: readonly number[]): Int32Array {
  if (sameShape(fromShape, toShape)) return iota(numel(toShape));
  const strides = new Array<number>(toShape.length).fill(0); // dims that are new or size 1: stride 0
  const own = stridesOf(fromShape);
  const shift = toShape.length - fromShape.length;
  for (let d = 0; d < fromShape.length; d++) {
    if (fromShape[d] !== 1) strides[d + shift] = own[d];
  }
  return stridedIndex(toShape, strides);
}

/**
 * Views a shape as (outer, size, inner) around one dim: element (o, k, i) is at (o * size + k) * inner + i.
 * Every op "along a dim" (sum, softmax, cat, narrow) is a loop over this triple.
 */
export function splitAt(shape: readonly number[], dim: number): { outer: number; size: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return { outer, size: shape[dim], inner };
}
