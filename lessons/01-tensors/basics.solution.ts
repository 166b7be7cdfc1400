/**
 * The tensors lesson, reference solution: strides, offset, matmul and softmax on row-major NDArrays.
 *
 * Row-major layout is NumPy's and PyTorch's default ("C order"). Strides and offsets count elements, as
 * PyTorch's Tensor.stride() does (NumPy's ndarray.strides count bytes). The stable softmax is the standard
 * max-subtraction trick (scipy.special.softmax and PyTorch's kernels subtract the max too). Plain loops on
 * purpose: no cleverness to hide the idea, and each function fits on one screen.
 */
import { type NDArray, numel } from '@llm-lab/kit';

/** Row-major strides: the product of the sizes to the right of each dimension. */
export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  // Walk from the right: the last dimension is contiguous (stride 1); stepping one place in dimension d
  // skips over a whole block of everything to its right.
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = step;
    step *= shape[d];
  }
  return out;
}

/** Flat position of a multi-index: the dot product of index and strides, after checking bounds. */
export function offset(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) {
    throw new Error(`offset: index [${index.join(', ')}] has ${index.length} entries, shape [${shape.join(', ')}] has ${shape.length} dimensions`);
  }
  const s = strides(shape);
  let pos = 0;
  for (let d = 0; d < shape.length; d++) {
    const i = index[d];
    // Without this check, [0, 0, 4] in shape [2, 3, 4] would land on 4 = the offset of [0, 1, 0]:
    // a wrong element, silently. Bounds checks turn that into a loud error.
    if (!Number.isInteger(i) || i < 0 || i >= shape[d]) {
      throw new Error(`offset: index ${i} is out of range for dimension ${d} of size ${shape[d]} (shape [${shape.join(', ')}])`);
    }
    pos += i * s[d];
  }
  return pos;
}

/** (n, k) @ (k, m) -> (n, m). */
export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error(`matmul: expected two 2-D tensors, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const [n, k] = a.shape;
  const [k2, m] = b.shape;
  if (k !== k2) {
    throw new Error(`matmul: inner dimensions differ: (${n}, ${k}) @ (${k2}, ${m}); a's columns must equal b's rows`);
  }
  const out = new Float32Array(n * m); // (n, m), starts at zero
  // Loop order i, p, j instead of the textbook i, j, p: the innermost loop then walks a row of b and a
  // row of out, both contiguous in memory, which is what the CPU cache rewards. Same sums, same terms.
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a.data[i * k + p]; // a[i][p], reused for the whole row of b
      for (let j = 0; j < m; j++) {
        out[i * m + j] += aip * b.data[p * m + j]; // out[i][j] += a[i][p] * b[p][j]
      }
    }
  }
  return { data: out, shape: [n, m] };
}

/** Softmax along `axis`, one slice at a time, with each slice's own max subtracted first. */
export function softmax(x: NDArray, axis: number): NDArray {
  const ndim = x.shape.length;
  const ax = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= ndim) {
    throw new Error(`softmax: axis ${axis} is out of range for a ${ndim}-D tensor of shape [${x.shape.join(', ')}]`);
  }
  // View the shape as (outer, len, inner): dims before the axis, the axis itself, dims after it.
  // Element (o, a, r) is at (o * len + a) * inner + r, so one slice is `len` values spaced `inner` apart:
  // `inner` is exactly the stride of the axis.
  const outer = numel(x.shape.slice(0, ax));
  const len = x.shape[ax];
  const inner = numel(x.shape.slice(ax + 1));
  const out = new Float32Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const start = o * len * inner + r;
      // Math.max returns NaN if any argument is NaN; then every exp below is NaN and so is the whole
      // slice. That is what we want: a NaN upstream should stay visible, not be quietly dropped.
      let max = -Infinity;
      for (let a = 0; a < len; a++) max = Math.max(max, x.data[start + a * inner]);
      // exp(x - max) <= exp(0) = 1: nothing overflows, and the largest term is exactly 1, so sum >= 1.
      let sum = 0;
      for (let a = 0; a < len; a++) {
        const e = Math.exp(x.data[start + a * inner] - max);
        out[start + a * inner] = e;
        sum += e;
      }
      for (let a = 0; a < len; a++) out[start + a * inner] /= sum;
    }
  }
  return { data: out, shape: [...x.shape] };
}
