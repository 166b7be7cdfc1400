/**
 * Matrix-multiply kernels used by the kit. `matmul` is the entry point every op calls:
 *
 *   C (m x n)  =  op(A) (m x k)  @  op(B) (k x n)     [+ C when accumulate]
 *
 * It picks one of three paths, all tested against `matmulReference` (reference.ts, read it first):
 *  - small products: plain JavaScript (small.ts); copying into WebAssembly would cost more;
 *  - the rest: a WebAssembly SIMD kernel (matmul.wat, driven by wasm.ts);
 *  - large products: the same kernel on worker threads as well (wasm.ts), once they have started.
 *
 * The other fast paths the ops route to live beside it, each tested against the plain code it replaces:
 * pointwise.ts (exp and tanh the JIT can inline: softmax, GELU), broadcast.ts (adds and masks whose
 * broadcast is a plain repeat, without index maps), softmax.ts (softmax over contiguous rows).
 */
export { type MatmulOptions, matmulReference } from './reference';
export { matmulSmall } from './small';
export {
  matmulWasm, wasmAvailable, wasmFlavor, type WasmFlavor, lastMatmulRun, type MatmulRun, type ThreadMode, THREADS_MIN_MACS,
  startMatmulWorkers, stopMatmulWorkers, getMatmulThreads, setMatmulThreads,
} from './wasm';
import type { MatmulOptions } from './reference';
import { matmulSmall } from './small';
import { matmulWasm, wasmAvailable } from './wasm';

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
