/**
 * Assertions for lesson checks, written to report like a good teacher.
 *
 * Comparisons go shape first, then length, then values, and name the first index that differs with
 * both values (the habit of tfjs's expectArraysClose). NaN equals only NaN and +/-Infinity only itself:
 * a learner whose softmax overflows to NaN never passes by accident.
 *
 * A failed assertion throws CheckFailure; the runner turns it into a failed check with its details.
 */
import type { FirstDifference, ShownValue } from './result';

export interface FailureDetails {
  message: string;
  hint?: string;
  expected?: ShownValue;
  actual?: ShownValue;
  firstDifference?: FirstDifference;
}

export class CheckFailure extends Error {
  constructor(readonly details: FailureDetails) {
    super(details.message);
    this.name = 'CheckFailure';
  }
}

/** Fails the current check with a message (and optional hint). */
export function fail(message: string, extra: Omit<FailureDetails, 'message'> = {}): never {
  throw new CheckFailure({ message, ...extra });
}

/** Anything with values and a shape: the kit's NDArray and Tensor both qualify. */
export interface ArrayWithShape {
  data: ArrayLike<number>;
  shape: readonly number[];
}

export type Numeric = number | ArrayLike<number> | ArrayWithShape;

export interface Tolerance {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
}

/** A known wrong answer: if the learner's value matches it, say which mistake it is. */
export interface Misconception {
  value: Numeric;
  message: string;
  hint?: string;
}

export interface CloseOptions extends Tolerance {
  /** What is being compared, as the learner would call it: "softmax(x, 1)". */
  what?: string;
  hint?: string;
  misconceptions?: Misconception[];
}

const MAX_SHOWN = 256;

function isArrayWithShape(v: unknown): v is ArrayWithShape {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v;
}

function isArrayLikeOfNumbers(v: unknown): v is ArrayLike<number> {
  return (ArrayBuffer.isView(v) && !(v instanceof DataView)) || Array.isArray(v);
}

/** Describes a value's type for error messages: "undefined", "a string", "an object without data". */
export function describeType(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'object') return `an object with keys {${Object.keys(v).slice(0, 6).join(', ')}}`;
  return `a ${typeof v} (${String(v).slice(0, 40)})`;
}

interface Flat {
  shape: number[];
  data: ArrayLike<number>;
}

function flatten(v: unknown, what: string, role: 'actual' | 'expected'): Flat {
  if (typeof v === 'number') return { shape: [], data: [v] };
  if (isArrayWithShape(v)) {
    if (!Array.isArray(v.shape) || v.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      fail(`${what} has an invalid shape ${JSON.stringify(v.shape)}: a shape is a list of non-negative whole numbers`);
    }
    if (!isArrayLikeOfNumbers(v.data)) fail(`${what}.data should be a Float32Array, got ${describeType(v.data)}`);
    return { shape: [...v.shape], data: v.data };
  }
  if (isArrayLikeOfNumbers(v)) return { shape: [v.length], data: v };
  if (role === 'actual') {
    const hint = v === undefined ? ' Did you forget to `return` the result?' : '';
    fail(`${what} returned ${describeType(v)}, expected a number or a tensor ({ data, shape }).${hint}`);
  }
  throw new Error(`check bug: expected value for ${what} is ${describeType(v)}`);
}

/** Row-major multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/** True when a and b are equal within tolerance; NaN only equals NaN, Infinity only the same Infinity. */
export function closeEnough(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** Shows a value to the learner (capped so huge tensors do not flood the panel). */
export function show(v: unknown): ShownValue {
  if (typeof v === 'number') return { kind: 'number', value: v };
  if (isArrayWithShape(v) || isArrayLikeOfNumbers(v)) {
    const f = isArrayWithShape(v) ? { shape: [...v.shape], data: v.data } : { shape: [v.length], data: v };
    const n = Math.min(f.data.length, MAX_SHOWN);
    return { kind: 'tensor', shape: f.shape, data: Array.from({ length: n }, (_, i) => Number(f.data[i])), truncated: f.data.length > n || undefined };
  }
  return { kind: 'text', text: typeof v === 'string' ? v : describeType(v) };
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

type Comparison = { ok: true } | { ok: false; message: string; firstDifference?: FirstDifference };

function compare(actual: Flat, expected: Flat, what: string, rtol: number, atol: number): Comparison {
  const sameShape = actual.shape.length === expected.shape.length && actual.shape.every((d, i) => d === expected.shape[i]);
  if (!sameShape) return { ok: false, message: `${what} has shape ${fmtShape(actual.shape)}, expected ${fmtShape(expected.shape)}` };
  if (actual.data.length !== expected.data.length) {
    return { ok: false, message: `${what} has shape ${fmtShape(actual.shape)} but holds ${actual.data.length} values instead of ${expected.data.length}` };
  }
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(actual.data[i]);
    const e = Number(expected.data[i]);
    if (!closeEnough(a, e, rtol, atol)) {
      const index = unravel(i, expected.shape);
      const at = index.length ? `[${index.join(', ')}]` : '';
      const kind = Number.isNaN(a) ? ' (NaN: an overflow or 0/0 somewhere?)' : !Number.isFinite(a) ? ' (infinite: an overflow?)' : '';
      return {
        ok: false,
        message: `${what}${at} is ${a}, expected ${e}${kind}`,
        firstDifference: { index, expected: e, actual: a },
      };
    }
  }
  return { ok: true };
}

/**
 * Asserts that `actual` equals `expected` within tolerance, comparing shape, then length, then values.
 * When it does not, and it matches one of the `misconceptions`, the failure names that mistake.
 */
export function expectClose(actual: unknown, expected: Numeric, opts: CloseOptions = {}): void {
  const { rtol = 1e-5, atol = 1e-6, what = 'the result', hint } = opts;
  const a = flatten(actual, what, 'actual');
  const e = flatten(expected, what, 'expected');
  const result = compare(a, e, what, rtol, atol);
  if (result.ok) return;
  for (const m of opts.misconceptions ?? []) {
    if (compare(a, flatten(m.value, what, 'expected'), what, rtol, atol).ok) {
      fail(m.message, { hint: m.hint ?? hint, expected: show(expected), actual: show(actual), firstDifference: result.firstDifference });
    }
  }
  fail(result.message, { hint, expected: show(expected), actual: show(actual), firstDifference: result.firstDifference });
}

/** Asserts a shape exactly. */
export function expectShape(actual: unknown, expected: readonly number[], what = 'the result'): void {
  const a = flatten(actual, what, 'actual');
  const same = a.shape.length === expected.length && a.shape.every((d, i) => d === expected[i]);
  if (!same) fail(`${what} has shape ${fmtShape(a.shape)}, expected ${fmtShape(expected)}`, { expected: { kind: 'text', text: fmtShape(expected) }, actual: { kind: 'text', text: fmtShape(a.shape) } });
}

/** Asserts exact equality of plain values (numbers, strings, arrays of them) using a structural comparison. */
export function expectEqual<T>(actual: T, expected: T, what = 'the result', hint?: string): void {
  const same = JSON.stringify(actual) === JSON.stringify(expected) && (typeof actual === typeof expected);
  if (!same) {
    fail(`${what} is ${JSON.stringify(actual) ?? describeType(actual)}, expected ${JSON.stringify(expected)}`, {
      hint, expected: { kind: 'text', text: JSON.stringify(expected) }, actual: { kind: 'text', text: JSON.stringify(actual) ?? describeType(actual) },
    });
  }
}

/** Asserts a property; the message says what should have held. */
export function expectTrue(condition: boolean, message: string, hint?: string): void {
  if (!condition) fail(message, { hint });
}

/** Asserts that calling `fn` throws (for input validation exercises). */
export function expectThrows(fn: () => unknown, what: string, hint?: string): void {
  try {
    fn();
  } catch {
    return;
  }
  fail(`${what} should have thrown an error`, { hint });
}
