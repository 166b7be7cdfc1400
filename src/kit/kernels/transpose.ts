/**
 * The copy loop of transpose (ops/movement.ts, swapAxes): dst (pre, b, mid, a, post) [+]= src (pre, a, mid, b, post)
 * with the a and b axes swapped. The same element moves, in a different order:
 *  - a run of `post` contiguous numbers at a time, with the index arithmetic hoisted out of the inner loops
 *    (attention's (B, T, nh, hs) <-> (B, nh, T, hs): runs of hs numbers), a copy of 32 or more by
 *    TypedArray.set;
 *  - when post = 1 and mid = 1, each (a, b) matrix is transposed in 16 x 16 tiles, so that both the reads and
 *    the writes stay within a few cache lines (attention's k of (B, nh, T, hs) -> (B, nh, hs, T)).
 * Tested against the plain loop on odd shapes in test/unit/kit/fused-kernels.test.ts.
 */

export function swapAxesFast(
  src: Float32Array, dst: Float32Array, pre: number, a: number, mid: number, b: number, post: number, accumulate: boolean,
): void {
  if (!accumulate) {
    swapAxesCopy(src, dst, pre, a, mid, b, post);
    return;
  }
  if (post === 1 && mid === 1) {
    for (let p = 0; p < pre; p++) transposeTiles(src, dst, p * a * b, a, b);
    return;
  }
  const toStride = mid * a * post; // dst distance between consecutive j
  for (let p = 0; p < pre; p++) {
    for (let i = 0; i < a; i++) {
      for (let m = 0; m < mid; m++) {
        let from = ((p * a + i) * mid + m) * b * post; //   src[p, i, m, 0, 0]
        let to = ((p * b * mid + m) * a + i) * post; //     dst[p, 0, m, i, 0]
        for (let j = 0; j < b; j++, from += post, to += toStride) {
          for (let q = 0; q < post; q++) dst[to + q] += src[from + q];
        }
      }
    }
  }
}

const TILE = 16;

/** dst[off + j * a + i] += src[off + i * b + j] for the (a, b) matrix at offset `off`, tile by tile. */
function transposeTiles(src: Float32Array, dst: Float32Array, off: number, a: number, b: number): void {
  for (let i0 = 0; i0 < a; i0 += TILE) {
    const i1 = Math.min(a, i0 + TILE);
    for (let j0 = 0; j0 < b; j0 += TILE) {
      const j1 = Math.min(b, j0 + TILE);
      for (let j = j0; j < j1; j++) {
        const to = off + j * a;
        for (let i = i0; i < i1; i++) dst[to + i] += src[off + i * b + j];
      }
    }
  }
}

/** The copy (dst = src) of swapAxesFast. */
function swapAxesCopy(src: Float32Array, dst: Float32Array, pre: number, a: number, mid: number, b: number, post: number): void {
  if (post === 1 && mid === 1) { // (a, b) matrices, in tiles
    for (let p = 0; p < pre; p++) {
      const off = p * a * b;
      for (let i0 = 0; i0 < a; i0 += TILE) {
        const i1 = Math.min(a, i0 + TILE);
        for (let j0 = 0; j0 < b; j0 += TILE) {
          const j1 = Math.min(b, j0 + TILE);
          for (let j = j0; j < j1; j++) {
            const to = off + j * a;
            for (let i = i0; i < i1; i++) dst[to + i] = src[off + i * b + j];
          }
        }
      }
    }
    return;
  }
  const toStride = mid * a * post;
  for (let p = 0; p < pre; p++) {
    for (let i = 0; i < a; i++) {
      for (let m = 0; m < mid; m++) {
        let from = ((p * a + i) * mid + m) * b * post;
        let to = ((p * b * mid + m) * a + i) * post;
        if (post >= 32) { // long runs: a typed-array copy beats a loop despite making a subarray
          for (let j = 0; j < b; j++, from += post, to += toStride) dst.set(src.subarray(from, from + post), to);
        } else {
          for (let j = 0; j < b; j++, from += post, to += toStride) {
            for (let q = 0; q < post; q++) dst[to + q] = src[from + q];
          }
        }
      }
    }
  }
}
