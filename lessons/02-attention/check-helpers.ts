/**
 * Small helpers shared by the checks of lessons 2-4 (attention, multi-head attention, the GPT forward pass).
 */
import { type CheckContext, type Misconception, type CloseOptions, closeEnough, describeType, expectClose, fail } from '@llm-lab/check';
import { type Tensor, tensor } from '@llm-lab/kit';

export const fmt = (shape: readonly number[]): string => `(${shape.join(', ')})`;

/** Uniform values in [-scale, scale), from the check's seeded generator. */
export function randomTensor(ctx: CheckContext, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, () => (ctx.random() * 2 - 1) * scale), shape);
}

/** Whole numbers in [-max, max]: products and sums of these are exact in float32. */
export function randomIntTensor(ctx: CheckContext, shape: number[], max: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, () => Math.round((ctx.random() * 2 - 1) * max)), shape);
}

export interface Snapshot {
  data: Float32Array;
  shape: number[];
}

export const snapshot = (x: Tensor): Snapshot => ({ data: Float32Array.from(x.data), shape: [...x.shape] });

/** Fails if a function changed its input (values or shape). */
export function expectUnchanged(x: Tensor, before: Snapshot, what: string): void {
  const sameShape = x.shape.length === before.shape.length && x.shape.every((d, i) => d === before.shape[i]);
  if (!sameShape) fail(`${what}.shape changed from ${fmt(before.shape)} to ${fmt(x.shape)}: the function modified its input`);
  for (let i = 0; i < before.data.length; i++) {
    const a = x.data[i];
    const b = before.data[i];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) {
      fail(`${what}.data[${i}] changed from ${b} to ${a}: the function modified its input`, {
        hint: 'Kit ops return new tensors; writing into x.data changes the caller\'s tensor too. Build results with ops, or copy first.',
      });
    }
  }
}

/** True for anything with a numeric data array and a shape (a kit Tensor, or a plain { data, shape }). */
export function isTensorLike(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v
    && ArrayBuffer.isView((v as { data: unknown }).data) && Array.isArray((v as { shape: unknown }).shape);
}

/** Fails unless `result[key]` is a tensor; names what was found instead. */
export function expectTensorField(result: unknown, key: string, what: string, hint: string): Tensor {
  if (typeof result !== 'object' || result === null) {
    fail(`${what} returned ${describeType(result)}; expected an object ${hint}`, { hint: result === undefined ? 'Did you forget to `return` the result?' : undefined });
  }
  const value = (result as Record<string, unknown>)[key];
  if (!isTensorLike(value)) fail(`${what}.${key} is ${describeType(value)}; expected a Tensor. Return ${hint}.`);
  return value;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Largest |a - b| over all elements (Infinity if a value is not finite on one side only, NaN never hides). */
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
export function expectCloseLazy(actual: Tensor, expected: { data: ArrayLike<number>; shape: readonly number[] }, opts: CloseOptions,
  misconceptions: () => (Misconception | undefined)[]): void {
  const { rtol = 1e-5, atol = 1e-6 } = opts;
  if (isTensorLike(actual) && sameShape(actual.shape, expected.shape) && actual.data.length === expected.data.length) {
    let ok = true;
    for (let i = 0; i < expected.data.length && ok; i++) ok = closeEnough(actual.data[i], Number(expected.data[i]), rtol, atol);
    if (ok) return;
  }
  expectClose(actual, expected, { ...opts, misconceptions: misconceptions().filter((m): m is Misconception => m !== undefined) });
}

/** Runs `fn`; a kit shape error gets a sentence about shapes appended, so it reads as advice, not as a crash. */
export function withShapeAdvice<T>(fn: () => T, advice: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && /inner dimensions differ|does not broadcast|cannot broadcast|cannot view shape|do not fit|does not fit/.test(e.message) && !e.message.includes(advice)) {
      e.message += `\n${advice}`;
    }
    throw e;
  }
}
