/**
 * Helpers many lessons' checks share: seeded random tensors, snapshots that prove an input was left alone,
 * fields of a returned object, lazily computed known-wrong answers, and shape advice for kit errors.
 */
import { type Tensor, tensor } from '../../kit';
import { type CloseOptions, type Misconception, closeEnough, describeType, expectClose, fail } from './assert';
import type { CheckContext } from './define';
import { type Text, say, t } from './text';

/** "(2, 3, 4)": a shape as the lessons write it. */
export const fmt = (shape: readonly number[]): string => `(${shape.join(', ')})`;

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Uniform values in [-scale, scale), from the check's seeded generator. */
export function randomTensor(ctx: Pick<CheckContext, 'random'>, shape: number[], scale = 1): Tensor {
  return tensor(Float32Array.from({ length: count(shape) }, () => (ctx.random() * 2 - 1) * scale), shape);
}

/** Whole numbers in [-max, max]: products and sums of these are exact in float32. */
export function randomIntTensor(ctx: Pick<CheckContext, 'random'>, shape: number[], max: number): Tensor {
  return tensor(Float32Array.from({ length: count(shape) }, () => Math.round((ctx.random() * 2 - 1) * max)), shape);
}

/** Uniform values in [-scale, scale) as a plain array (for exercises on plain numbers). */
export function randomArray(ctx: Pick<CheckContext, 'random'>, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => (ctx.random() * 2 - 1) * scale);
}

export interface Snapshot {
  data: Float32Array;
  shape: number[];
}

/** A copy of a tensor's values and shape, taken before the learner's function sees it. */
export const snapshot = (x: { data: ArrayLike<number>; shape: readonly number[] }): Snapshot => ({ data: Float32Array.from(x.data), shape: [...x.shape] });

const INPUT_HINT = t(
  "Kit ops return new tensors; writing into x.data changes the caller's tensor too. Build results with ops, or copy first.",
  '库里的运算都返回新张量；直接写 x.data 会改掉调用者的张量。请用运算构造结果，或先复制一份。',
);

/** Fails if a function changed its input (values or shape); `hint` replaces the default advice (written for kit ops). */
export function expectUnchanged(x: { data: ArrayLike<number>; shape: readonly number[] }, before: Snapshot, what: string, hint: Text = INPUT_HINT): void {
  const sameShape = x.shape.length === before.shape.length && x.shape.every((d, i) => d === before.shape[i]);
  if (!sameShape) {
    const from = fmt(before.shape);
    const to = fmt(x.shape);
    fail(t(`${what}.shape changed from ${from} to ${to}: the function modified its input`, `${what}.shape 从 ${from} 变成了 ${to}：函数修改了它的输入`), { hint });
  }
  for (let i = 0; i < before.data.length; i++) {
    const a = x.data[i];
    const b = before.data[i];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) {
      fail(t(`${what}.data[${i}] changed from ${b} to ${a}: the function modified its input`, `${what}.data[${i}] 从 ${b} 变成了 ${a}：函数修改了它的输入`), { hint });
    }
  }
}

/** True for anything with a numeric data array and a shape (a kit Tensor, or a plain { data, shape }). */
export function isTensorLike(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v
    && ArrayBuffer.isView((v as { data: unknown }).data) && Array.isArray((v as { shape: unknown }).shape);
}

/** Fails unless `result[key]` is a tensor; names what was found instead. `shape` is code, e.g. "{ out, weights }". */
export function expectTensorField(result: unknown, key: string, what: string, shape: string): Tensor {
  if (typeof result !== 'object' || result === null) {
    const got = describeType(result);
    fail(t(`${what} returned ${got.en}; expected an object ${shape}`, `${what} 返回了 ${got['zh-cn']}；应返回对象 ${shape}`),
      { hint: result === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  const value = (result as Record<string, unknown>)[key];
  if (!isTensorLike(value)) {
    const got = describeType(value);
    fail(t(`${what}.${key} is ${got.en}; expected a Tensor. Return ${shape}.`, `${what}.${key} 是 ${got['zh-cn']}；应是 Tensor。请返回 ${shape}。`));
  }
  return value;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Largest |a - b| over all elements (Infinity if a value is not finite on one side only; NaN never hides). */
export function maxAbsDiff(a: { data: ArrayLike<number> }, b: { data: ArrayLike<number> }): number {
  let m = 0;
  for (let i = 0; i < b.data.length; i++) {
    const d = Math.abs(Number(a.data[i]) - Number(b.data[i]));
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/**
 * expectClose, with the known wrong answers computed only when they are needed (some are whole wrong
 * forward passes): the common case, a correct answer, costs one comparison.
 */
export function expectCloseLazy(actual: unknown, expected: { data: ArrayLike<number>; shape: readonly number[] }, opts: CloseOptions,
  misconceptions: () => (Misconception | undefined)[]): void {
  const { rtol = 1e-5, atol = 1e-6 } = opts;
  if (isTensorLike(actual) && sameShape(actual.shape, expected.shape) && actual.data.length === expected.data.length) {
    let ok = true;
    for (let i = 0; i < expected.data.length && ok; i++) ok = closeEnough(actual.data[i], Number(expected.data[i]), rtol, atol);
    if (ok) return;
  }
  expectClose(actual, expected, { ...opts, misconceptions: misconceptions().filter((m): m is Misconception => m !== undefined) });
}

const SHAPE_ERROR = /inner dimensions differ|does not broadcast|cannot broadcast|cannot view shape|do not fit|does not fit/;

/**
 * Runs `fn`; a kit shape error gets a sentence about shapes appended (in the learner's language), so it
 * reads as advice, not as a crash.
 */
export function withShapeAdvice<T>(fn: () => T, advice: Text): T {
  try {
    return fn();
  } catch (e) {
    const text = say(advice);
    if (e instanceof Error && SHAPE_ERROR.test(e.message) && !e.message.includes(text)) e.message += `\n${text}`;
    throw e;
  }
}

/** Counting the tensors the kit creates while a function runs (the FlashAttention lesson's memory bound). */
export { countAllocations, type AllocationCount } from '../../kit/trace';
