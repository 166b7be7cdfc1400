/**
 * Matrix-multiply kernels used by the kit. `matmul` is the entry point every op calls:
 *
 *   C (m x n)  =  op(A) (m x k)  @  op(B) (k x n)     [+ C when accumulate]
 *
 * It picks one of three paths, all tested against `matmulReference` (reference.ts, read it first):
 *  - small products: plain JavaScript (small.ts); copying into WebAssembly would cost more;
 *  - the rest: a WebAssembly SIMD kernel (matmul.wat, driven by wasm.ts);
 *  - large products: the same kernel on worker threads as well (wasm.ts), once they have started.
 * Two more entry points do exactly what `matmul` and a plain loop would, in one trip into WebAssembly:
 * `matmulBatch` (a batch of products of one shape: attention's heads), `matmulLinear` (a product
 * plus a linear layer's bias, or its gradient) and `linearBackward` (dx, dW and db of a linear layer).
 *
 * The other fast paths the ops route to live beside it, each tested against the plain code it replaces:
 * pointwise.ts (exp and tanh the JIT can inline: softmax, GELU; large GELUs go to $geluTask in matmul.wat,
 * the same float64 arithmetic two elements at a time and on the matmul threads too, the same bits out),
 * broadcast.ts (adds and masks whose broadcast is a plain repeat, without index maps), softmax.ts (softmax
 * over contiguous rows), and $attentionTask in matmul.wat (a GPT's causal attention, forward and backward, one
 * task per sequence and head: ops/attention.ts, tested against the op-by-op lines of nn.ts bit for bit).
 */
export { type MatmulOptions, matmulReference } from './reference';
export { matmulSmall } from './small';
export {
  matmulWasm, matmulBatchWasm, linearBackwardWasm, type BatchIndex, type LinearExtras, wasmAvailable, wasmFlavor, type WasmFlavor, lastMatmulRun, type MatmulRun, type ThreadMode, THREADS_MIN_MACS,
  startMatmulWorkers, stopMatmulWorkers, getMatmulThreads, setMatmulThreads,
} from './wasm';
import type { MatmulOptions } from './reference';
import { matmulSmall } from './small';
import { linearBackwardWasm, matmulBatchWasm, matmulWasm, wasmAvailable, type BatchIndex, type LinearExtras } from './wasm';

/** Products with fewer multiply-adds (m * k * n) than this stay in JavaScript. */
export const WASM_MIN_MACS = 256; // measured: 6x6x6 is faster in JavaScript, 8x8x8 in WebAssembly

/**
 * C (+)= op(A) @ op(B). A is stored (m, k) row-major, or (k, m) when transA; B is stored (k, n),
 * or (n, k) when transB; C is (m, n). The arrays may be views (subarrays) into larger buffers;
 * `out` must not overlap `a` or `b`.
 */
export function matmul(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions = {},
): void {
  checkShapes(a, b, out, m, k, n);
  if (m * k * n < WASM_MIN_MACS || !wasmAvailable()) matmulSmall(a, b, out, m, k, n, opts);
  else matmulWasm(a, b, out, m, k, n, opts);
}

/**
 * A batch of `count` products of the same shape: for each i, C_i (+)= op(A_i) @ op(B_i), where
 * A_i is matrix index.a[i] of `a` (the m*k floats from index.a[i]*m*k on), B_i matrix index.b[i]
 * of `b` and C_i matrix index.c[i] of `out`; a missing index means matrix i. The same as calling
 * `matmul` on each product in turn (and exactly the same numbers), but on the WebAssembly path it
 * is one job: each operand is copied in once, and the threads share the whole batch.
 */
export function matmulBatch(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions, count: number, index: BatchIndex = {},
): void {
  checkShapes(a, b, out, m, k, n);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`matmul: count must be a whole number >= 0, got ${count}`);
  if (m * k * n < WASM_MIN_MACS || !wasmAvailable()) {
    const mk = m * k, kn = k * n, mn = m * n;
    for (let i = 0; i < count; i++) {
      const ia = index.a ? index.a[i] : i, ib = index.b ? index.b[i] : i, ic = index.c ? index.c[i] : i;
      matmul(a.subarray(ia * mk, (ia + 1) * mk), b.subarray(ib * kn, (ib + 1) * kn), out.subarray(ic * mn, (ic + 1) * mn), m, k, n, opts);
    }
  } else {
    matmulBatchWasm(a, b, out, m, k, n, opts, count, index);
  }
}

/**
 * `matmul`, plus what a linear layer does next to it, done while the numbers are in WebAssembly
 * memory (measured: the plain loops took about 5% of a training step):
 *  - extras.addToRows (n floats): then add it to every row of C (y = x W^T + bias);
 *  - extras.sumRowsOfA (k floats): also add the rows of A, stored (m, k), into it (the bias's
 *    gradient is dy summed over rows, and dy is the A of dx = dy @ W).
 * The same float32 additions in the same order as the plain loops, so exactly the same numbers.
 */
export function matmulLinear(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions, extras: LinearExtras,
): void {
  checkShapes(a, b, out, m, k, n);
  const { addToRows, sumRowsOfA } = extras;
  if (addToRows && addToRows.length < n) throw new RangeError(`matmul: addToRows has ${addToRows.length} elements, C's rows have ${n}`);
  if (sumRowsOfA && (opts.transA || sumRowsOfA.length < k)) {
    throw new RangeError(`matmul: sumRowsOfA needs A stored (m, k) and k = ${k} elements, got ${sumRowsOfA.length}${opts.transA ? ' and transA' : ''}`);
  }
  if (m * k * n >= WASM_MIN_MACS && wasmAvailable()) {
    matmulBatchWasm(a, b, out, m, k, n, opts, 1, {}, 'auto', extras);
    return;
  }
  matmulSmall(a, b, out, m, k, n, opts);
  if (addToRows) {
    for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) out[r * n + j] += addToRows[j];
  }
  if (sumRowsOfA) {
    for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) sumRowsOfA[j] += a[r * k + j];
  }
}

/**
 * The backward pass of a linear layer y = x W^T (+ b), x (N, in), W (out, in), dy (N, out):
 *   dx (+)= dy @ W  (adding when addX),  dW (+)= dy^T @ x  (adding when addW),  db += dy summed over rows
 * (db optional). Exactly `matmulLinear(dy, w, dx, N, out, in, { accumulate: addX }, { sumRowsOfA: db })`
 * then `matmul(dy, x, dW, out, N, in, { transA: true, accumulate: addW })`; in WebAssembly it is two jobs
 * that share one copy of dy.
 */
export function linearBackward(
  dy: Float32Array, w: Float32Array, x: Float32Array, dx: Float32Array, dW: Float32Array, db: Float32Array | undefined,
  N: number, nIn: number, nOut: number, addX: boolean, addW: boolean,
): void {
  checkShapes(dy, w, dx, N, nOut, nIn);
  checkShapes(dy, x, dW, nOut, N, nIn);
  if (db && db.length < nOut) throw new RangeError(`matmul: db has ${db.length} elements, needs ${nOut}`);
  if (N * nIn * nOut >= WASM_MIN_MACS && wasmAvailable()) {
    linearBackwardWasm(dy, w, x, dx, dW, db, N, nIn, nOut, addX, addW);
    return;
  }
  matmulLinear(dy, w, dx, N, nOut, nIn, { accumulate: addX }, { sumRowsOfA: db });
  matmul(dy, x, dW, nOut, N, nIn, { transA: true, accumulate: addW });
}

/** Which path `matmul` takes for this product (threads also need the workers to be running). */
export function matmulPath(m: number, k: number, n: number): 'js' | 'wasm' {
  return m * k * n < WASM_MIN_MACS || !wasmAvailable() ? 'js' : 'wasm';
}

function checkShapes(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void {
  for (const [name, v] of [['m', m], ['k', k], ['n', n]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`matmul: ${name} must be a whole number >= 0, got ${v}`);
  }
  const need = (what: string, arr: Float32Array, len: number, shape: string): void => {
    if (arr.length < len) {
      throw new RangeError(`matmul: ${what} has ${arr.length} elements, but ${shape} needs ${len}`);
    }
  };
  need('a', a, m * k, `op(A) ${m}x${k}`);
  need('b', b, k * n, `op(B) ${k}x${n}`);
  need('out', out, m * n, `C ${m}x${n}`);
}
