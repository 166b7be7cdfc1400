/**
 * Ops that move numbers around without doing arithmetic: reshape, transpose, narrow/slice, cat,
 * and the indexing ops embedding and gather.
 *
 * Their backward passes move the gradient back the same way, with `+=` so that an element used
 * twice (an embedding row looked up for two tokens) collects both contributions.
 * Unlike PyTorch, where transpose and narrow are free views with strides, here they copy into a
 * new contiguous tensor: simpler to read, and the copies are small next to the matmuls.
 */
import { Tensor, fromOp, gradOf } from '../tensor';
import { formatShape, normDim, splitAt } from '../shape';
import { swapAxesFast } from '../kernels/transpose';

/** Function form of Tensor.reshape (shares data). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return x.reshape(...shape);
}

/** Swaps two dims, e.g. (B, T, nh, hs) -> (B, nh, T, hs) with transpose(x, 1, 2). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  let d0 = normDim(dim0, x.ndim);
  let d1 = normDim(dim1, x.ndim);
  if (d0 > d1) [d0, d1] = [d1, d0];
  if (d0 === d1) return x.reshape(...x.shape); // nothing to swap
  // View x as (pre, n0, mid, n1, post): the result is (pre, n1, mid, n0, post).
  const n0 = x.shape[d0];
  const n1 = x.shape[d1];
  const { outer: pre } = splitAt(x.shape, d0);
  const { inner: post } = splitAt(x.shape, d1);
  const mid = x.shape.slice(d0 + 1, d1).reduce((p, n) => p * n, 1);
  const shape = [...x.shape];
  [shape[d0], shape[d1]] = [shape[d1], shape[d0]];
  const out = new Float32Array(x.size);
  swapAxesFast(x.data, out, pre, n0, mid, n1, post, false); // swapAxes below, in a faster order (kernels/)
  return fromOp('transpose', out, shape, [x], (g) => { // transposing back is the same swap
    if (x.grad === null) { // the first gradient to arrive: copied rather than added to fresh zeros (the same numbers)
      x.grad = new Float32Array(x.size);
      swapAxesFast(g, x.grad, pre, n1, mid, n0, post, false);
    } else {
      swapAxesFast(g, x.grad, pre, n1, mid, n0, post, true);
    }
  });
}

/**
 * dst (pre, b, mid, a, post) [+]= src (pre, a, mid, b, post) with the a and b axes swapped.
 * The innermost loop copies a contiguous run of `post` numbers. transpose runs kernels/transpose.ts's
 * swapAxesFast, which moves the same numbers in a cache-friendlier order (tested against this one).
 */
export function swapAxes(
  src: Float32Array, dst: Float32Array, pre: number, a: number, mid: number, b: number, post: number, accumulate: boolean,
): void {
  for (let p = 0; p < pre; p++) {
    for (let i = 0; i < a; i++) {
      for (let m = 0; m < mid; m++) {
        for (let j = 0; j < b; j++) {
          const from = (((p * a + i) * mid + m) * b + j) * post; // src[p, i, m, j, :]
          const to = (((p * b + j) * mid + m) * a + i) * post; //   dst[p, j, m, i, :]
          if (accumulate) for (let q = 0; q < post; q++) dst[to + q] += src[from + q];
          else for (let q = 0; q < post; q++) dst[to + q] = src[from + q];
        }
      }
    }
  }
}

/** The `length` entries starting at `start` along `dim` (torch.narrow). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.ndim);
  const { outer, size, inner } = splitAt(x.shape, d);
  if (start < 0 || length < 0 || start + length > size) {
    throw new Error(`narrow: [${start}, ${start + length}) is outside dim ${dim} of size ${size}`);
  }
  const block = length * inner; // contiguous run copied per outer index
  const xs = x.data;
  const out = new Float32Array(outer * block);
  for (let o = 0; o < outer; o++) {
    const from = (o * size + start) * inner;
    out.set(xs.subarray(from, from + block), o * block);
  }
  const shape = x.shape.map((n, j) => (j === d ? length : n));
  return fromOp('narrow', out, shape, [x], (g) => {
    const gx = gradOf(x);
    for (let o = 0; o < outer; o++) {
      const from = (o * size + start) * inner;
      for (let i = 0; i < block; i++) gx[from + i] += g[o * block + i];
    }
  });
}

/** Entries [start, end) along `dim`, Python style: negative indices count from the end. */
export function slice(x: Tensor, dim: number, start: number, end?: number): Tensor {
  const size = x.shape[normDim(dim, x.ndim)];
  const clamp = (i: number) => Math.min(size, Math.max(0, i < 0 ? i + size : i));
  const s = clamp(start);
  const e = end === undefined ? size : clamp(end);
  return narrow(x, dim, s, Math.max(0, e - s));
}

/** Joins tensors along `dim`; all other dims must match (torch.cat). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: need at least one tensor');
  const first = tensors[0];
  const d = normDim(dim, first.ndim);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((n, j) => j !== d && n !== first.shape[j])) {
      throw new Error(`cat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ outside dim ${dim}`);
    }
  }
  const { outer, inner } = splitAt(first.shape, d);
  const total = tensors.reduce((s, t) => s + t.shape[d], 0);
  const out = new Float32Array(outer * total * inner);
  let offset = 0; // where along `dim` each input starts
  const offsets = tensors.map((t) => {
    const at = offset;
    offset += t.shape[d];
    return at;
  });
  tensors.forEach((t, ti) => {
    const block = t.shape[d] * inner;
    for (let o = 0; o < outer; o++) {
      out.set(t.data.subarray(o * block, (o + 1) * block), (o * total + offsets[ti]) * inner);
    }
  });
  const shape = first.shape.map((n, j) => (j === d ? total : n));
  return fromOp('cat', out, shape, [...tensors], (g) => {
    tensors.forEach((t, ti) => {
      if (!t.requiresGrad) return;
      const gt = gradOf(t);
      const block = t.shape[d] * inner;
      for (let o = 0; o < outer; o++) {
        const from = (o * total + offsets[ti]) * inner;
        for (let i = 0; i < block; i++) gt[o * block + i] += g[from + i];
      }
    });
  });
}

/**
 * Row lookup: weight (V, C) and integer ids of shape `idsShape` -> (...idsShape, C), row ids[i] for
 * each i (torch.nn.functional.embedding). The gradient of a row is the sum over all its uses.
 */
export function embedding(weight: Tensor, ids: ArrayLike<number>, idsShape: readonly number[] = [ids.length]): Tensor {
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-D (V, C), got ${formatShape(weight.shape)}`);
  if (idsShape.reduce((p, n) => p * n, 1) !== ids.length) throw new Error(`embedding: ${ids.length} ids do not fill shape ${formatShape(idsShape)}`);
  const [V, C] = weight.shape;
  const W = weight.data;
  const rows = new Int32Array(ids.length); // a copy, so later changes to `ids` cannot corrupt backward
  const out = new Float32Array(ids.length * C);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`embedding: id ${id} at position ${i} is out of range for ${V} rows`);
    rows[i] = id;
    out.set(W.subarray(id * C, (id + 1) * C), i * C);
  }
  return fromOp('embedding', out, [...idsShape, C], [weight], (g) => {
    const gw = gradOf(weight);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] * C;
      for (let c = 0; c < C; c++) gw[row + c] += g[i * C + c];
    }
  });
}

/**
 * torch.gather: out[..., j, ...] = x[..., index[..., j, ...], ...] along `dim`. `index` has shape
 * `indexShape`, equal to x's shape except along `dim`. E.g. picking each row's target log-prob:
 * gather(logp (N, V), 1, targets, [N, 1]) -> (N, 1).
 */
export function gather(x: Tensor, dim: number, index: ArrayLike<number>, indexShape: readonly number[]): Tensor {
  const d = normDim(dim, x.ndim);
  if (indexShape.length !== x.ndim || indexShape.some((n, j) => j !== d && n !== x.shape[j]) || index.length !== indexShape.reduce((p, n) => p * n, 1)) {
    throw new Error(`gather: index of shape ${formatShape(indexShape)} (${index.length} ids) does not fit x ${formatShape(x.shape)} along dim ${dim}`);
  }
  const { outer, size, inner } = splitAt(x.shape, d);
  const m = indexShape[d];
  const src = new Int32Array(index.length); // output element i is x[src[i]]
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * m + j) * inner + i;
        const id = index[at];
        if (!Number.isInteger(id) || id < 0 || id >= size) throw new Error(`gather: index ${id} is out of range for dim ${dim} of size ${size}`);
        src[at] = (o * size + id) * inner + i;
      }
    }
  }
  const xs = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = xs[src[i]];
  return fromOp('gather', out, indexShape, [x], (g) => {
    const gx = gradOf(x);
    for (let i = 0; i < g.length; i++) gx[src[i]] += g[i];
  });
}
