/**
 * Assertions for the kit's tests, in the spirit of tfjs's expectArraysClose: compare the shape,
 * then the length, then the values, and name the first index that differs with both values.
 * Non-finite values are strict: NaN matches only NaN, and Infinity only an Infinity of the same sign.
 */
import assert from 'node:assert/strict';
import { Tensor, gradcheck, type GradcheckOptions } from '../../../src/kit/index';

type Values = Tensor | ArrayLike<number> | number;

function valuesOf(v: Values): { shape: number[] | null; data: ArrayLike<number> } {
  if (typeof v === 'number') return { shape: null, data: [v] };
  if (v instanceof Tensor) return { shape: v.shape, data: v.data };
  return { shape: null, data: v };
}

export function assertClose(actual: Values, expected: Values, opts: { atol?: number; rtol?: number; what?: string } = {}): void {
  const { atol = 1e-5, rtol = 1e-5, what = 'values' } = opts;
  const a = valuesOf(actual);
  const e = valuesOf(expected);
  if (a.shape && e.shape) assert.deepEqual(a.shape, e.shape, `${what}: shape (${a.shape}) differs from expected (${e.shape})`);
  assert.equal(a.data.length, e.data.length, `${what}: ${a.data.length} values, expected ${e.data.length}`);
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i];
    const y = e.data[i];
    const ok = Number.isFinite(y) ? Math.abs(x - y) <= atol + rtol * Math.abs(y) : Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
    if (!ok) assert.fail(`${what}: first difference at index ${i}: actual ${x}, expected ${y} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Asserts that backward() agrees with central finite differences (see src/kit/gradcheck.ts). */
export function assertGradcheck(fn: () => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): void {
  const result = gradcheck(fn, inputs, opts);
  assert.ok(result.ok, result.message);
}
