/**
 * Matrix-multiply kernels used by the kit. `matmul` is the entry point every op calls;
 * for now it is the plain reference (a fast path replaces it behind this same signature).
 */
export { type MatmulOptions, matmulReference } from './reference';
import { type MatmulOptions, matmulReference } from './reference';

export function matmul(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions = {},
): void {
  matmulReference(a, b, out, m, k, n, opts);
}
