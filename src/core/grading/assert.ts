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
import { type Text, say, sayMaybe, t } from './text';

/** A failure as the runner reports it: already in the learner's language. */
export interface FailureDetails {
  message: string;
  hint?: string;
  /** The failure is another library's convention, not a mistake (the library's name). */
  convention?: string;
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

/** What a check may attach to a failure; hints are `Text` (both languages) like the message. */
export interface FailureExtra extends Omit<FailureDetails, 'message' | 'hint'> {
  hint?: Text;
}

/** Fails the current check with a message (and optional hint), both in English and Chinese. */
export function fail(message: Text, extra: FailureExtra = {}): never {
  throw new CheckFailure({ ...extra, message: say(message), hint: sayMaybe(extra.hint) });
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

/** A known wrong answer: if the learner's value matches it, say which mistake it is (a `Mistake` spreads in). */
export interface Misconception {
  value: Numeric;
  message: Text;
  hint?: Text;
  /** Another library's convention, not a mistake (a catalogue entry's `convention`, spread in with it). */
  convention?: string;
}

export interface CloseOptions extends Tolerance {
  /** What is being compared, as the learner would call it: "softmax(x, 1)" (code reads the same in any language). */
  what?: string;
  hint?: Text;
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
export function describeType(v: unknown): Text {
  if (v === undefined) return t('undefined', 'undefined');
  if (v === null) return t('null', 'null');
  if (Array.isArray(v)) return t(`an array of length ${v.length}`, `长度为 ${v.length} 的数组`);
  if (ArrayBuffer.isView(v)) return t(`a ${v.constructor.name}`, `一个 ${v.constructor.name}`);
  if (typeof v === 'object') {
    const keys = Object.keys(v).slice(0, 6).join(', ');
    return t(`an object with keys {${keys}}`, `一个对象，键为 {${keys}}`);
  }
  const shown = String(v).slice(0, 40);
  return t(`a ${typeof v} (${shown})`, `一个 ${typeof v}（${shown}）`);
}

interface Flat {
  shape: number[];
  data: ArrayLike<number>;
}

function flatten(v: unknown, what: string, role: 'actual' | 'expected'): Flat {
  if (typeof v === 'number') return { shape: [], data: [v] };
  if (isArrayWithShape(v)) {
    if (!Array.isArray(v.shape) || v.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      const shape = JSON.stringify(v.shape);
      fail(t(`${what} has an invalid shape ${shape}: a shape is a list of non-negative whole numbers`,
        `${what} 的形状 ${shape} 无效：形状应是一列非负整数`));
    }
    if (!isArrayLikeOfNumbers(v.data)) {
      const got = describeType(v.data);
      fail(t(`${what}.data should be a Float32Array, got ${got.en}`, `${what}.data 应是 Float32Array，实际是${got['zh-cn']}`));
    }
    return { shape: [...v.shape], data: v.data };
  }
  if (isArrayLikeOfNumbers(v)) return { shape: [v.length], data: v };
  if (role === 'actual') {
    const got = describeType(v);
    const forgot = v === undefined;
    fail(t(`${what} returned ${got.en}, expected a number or a tensor ({ data, shape }).${forgot ? ' Did you forget to `return` the result?' : ''}`,
      `${what} 返回了 ${got['zh-cn']}，应返回一个数或张量（{ data, shape }）。${forgot ? '是不是忘了 `return` 结果？' : ''}`));
  }
  throw new Error(`check bug: expected value for ${what} is ${describeType(v).en}`);
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
  return { kind: 'text', text: typeof v === 'string' ? v : say(describeType(v)) };
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

type Comparison = { ok: true } | { ok: false; message: Text; firstDifference?: FirstDifference };

function compare(actual: Flat, expected: Flat, what: string, rtol: number, atol: number): Comparison {
  const sameShape = actual.shape.length === expected.shape.length && actual.shape.every((d, i) => d === expected.shape[i]);
  const a = fmtShape(actual.shape);
  const e = fmtShape(expected.shape);
  if (!sameShape) return { ok: false, message: t(`${what} has shape ${a}, expected ${e}`, `${what} 的形状是 ${a}，应为 ${e}`) };
  if (actual.data.length !== expected.data.length) {
    const n = actual.data.length;
    const m = expected.data.length;
    return { ok: false, message: t(`${what} has shape ${a} but holds ${n} values instead of ${m}`, `${what} 的形状是 ${a}，却存了 ${n} 个值而不是 ${m} 个`) };
  }
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(actual.data[i]);
    const e = Number(expected.data[i]);
    if (!closeEnough(a, e, rtol, atol)) {
      const index = unravel(i, expected.shape);
      const at = index.length ? `[${index.join(', ')}]` : '';
      const kind = Number.isNaN(a) ? t(' (NaN: an overflow or 0/0 somewhere?)', '（NaN：某处溢出或出现了 0/0？）')
        : !Number.isFinite(a) ? t(' (infinite: an overflow?)', '（无穷大：溢出了？）') : t('', '');
      return {
        ok: false,
        message: t(`${what}${at} is ${a}, expected ${e}${kind.en}`, `${what}${at} 是 ${a}，应为 ${e}${kind['zh-cn']}`),
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
      fail(m.message, { hint: m.hint ?? hint, expected: show(expected), actual: show(actual), firstDifference: result.firstDifference, convention: m.convention });
    }
  }
  fail(result.message, { hint, expected: show(expected), actual: show(actual), firstDifference: result.firstDifference });
}

/** Asserts a shape exactly. */
export function expectShape(actual: unknown, expected: readonly number[], what = 'the result'): void {
  const a = flatten(actual, what, 'actual');
  const same = a.shape.length === expected.length && a.shape.every((d, i) => d === expected[i]);
  const got = fmtShape(a.shape);
  const want = fmtShape(expected);
  if (!same) fail(t(`${what} has shape ${got}, expected ${want}`, `${what} 的形状是 ${got}，应为 ${want}`), { expected: { kind: 'text', text: want }, actual: { kind: 'text', text: got } });
}

/**
 * Structural equality with the library's number rule: NaN equals only NaN, each Infinity only itself, and
 * -0 equals 0. Arrays (and typed arrays) compare element by element; plain objects key by key.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) ? Number.isNaN(b) : a === b;
  if (typeof a !== typeof b) return false;
  if (a === null || b === null || typeof a !== 'object') return a === b;
  const listA = Array.isArray(a) || (ArrayBuffer.isView(a) && !(a instanceof DataView));
  const listB = Array.isArray(b) || (ArrayBuffer.isView(b) && !(b instanceof DataView));
  if (listA || listB) {
    if (!listA || !listB) return false;
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A value as a learner reads it: numbers keep NaN and ±Infinity (JSON would print them as null). */
export function showPlain(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const items = Array.from(v as ArrayLike<unknown>);
    const shown = items.slice(0, 64).map(showPlain).join(', ');
    return `[${shown}${items.length > 64 ? ', …' : ''}]`;
  }
  if (v !== null && typeof v === 'object') {
    return `{ ${Object.entries(v).slice(0, 16).map(([k, x]) => `${k}: ${showPlain(x)}`).join(', ')} }`;
  }
  return String(v);
}

/** Asserts exact equality of plain values (numbers, strings, arrays and objects of them); strict about NaN and ±Infinity. */
export function expectEqual<T>(actual: T, expected: T, what = 'the result', hint?: Text): void {
  if (deepEqual(actual, expected)) return;
  const a = showPlain(actual);
  const e = showPlain(expected);
  fail(t(`${what} is ${a}, expected ${e}`, `${what} 是 ${a}，应为 ${e}`), {
    hint, expected: { kind: 'text', text: e }, actual: { kind: 'text', text: a },
  });
}

/** Asserts a property; the message says what should have held. */
export function expectTrue(condition: boolean, message: Text, hint?: Text): void {
  if (!condition) fail(message, { hint });
}

/** Asserts that calling `fn` throws (for input validation exercises). */
export function expectThrows(fn: () => unknown, what: string, hint?: Text): void {
  try {
    fn();
  } catch {
    return;
  }
  fail(t(`${what} should have thrown an error`, `${what} 应当抛出错误`), { hint });
}

/** Runs `fn` and returns what it threw, failing when it did not throw (to check an error message). */
export function expectError(fn: () => unknown, what: string, hint?: Text): Error {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
  return fail(t(`${what} should have thrown an error`, `${what} 应当抛出错误`), { hint });
}

