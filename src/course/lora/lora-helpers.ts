/**
 * Helpers shared by the checks of lessons 7 and 8: building layers and inputs, and reading the learner's
 * LoRA layer defensively (a missing field is a failure with a sentence, not a crash).
 */
import { type Mistake, type Text, closeEnough, expectShape, fail, isTensorLike, t } from '@llm-lab/check';
import { Linear, Rng, type Tensor, tensor } from '@llm-lab/kit';

/** What the checks read from a LoRA layer (the learner's class has these fields). */
export interface LoRALayerLike {
  weight: Tensor;
  bias: Tensor | null;
  A: Tensor;
  B: Tensor;
  forward(x: Tensor): Tensor;
  namedParameters(): Map<string, Tensor>;
}

/** A kit Linear with seeded weights (PyTorch's init) and, optionally, no bias. */
export function baseLinear(dIn: number, dOut: number, seed: number, bias = true): Linear {
  return new Linear(dIn, dOut, bias, new Rng(seed));
}

/** Normal(0, std) values from the check's generator (Box-Muller), as a float32 tensor. */
export function normalTensor(random: () => number, shape: number[], std = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return tensor(data, shape);
}

/**
 * Fails unless the layer has tensors A (r, in) and B (out, r); swapped shapes, (in, r) and (r, out), are named
 * with `swapped`, the lesson's catalogue entry (the (in, out) layout of Hugging Face's Conv1D: a convention).
 */
export function expectLoRAShapes(layer: LoRALayerLike, dIn: number, dOut: number, r: number, swapped: Mistake): void {
  for (const k of ['A', 'B', 'weight'] as const) {
    if (!isTensorLike(layer[k])) {
      const got = typeof layer[k];
      fail(t(`layer.${k} is not a Tensor (got ${got}): the constructor must set it.`, `layer.${k} 不是 Tensor（实际是 ${got}）：构造函数必须设置它。`));
    }
  }
  const same = (s: readonly number[], e: number[]) => s.length === e.length && s.every((d, i) => d === e[i]);
  const right = same(layer.A.shape, [r, dIn]) && same(layer.B.shape, [dOut, r]);
  if (!right && (same(layer.A.shape, [dIn, r]) || same(layer.B.shape, [r, dOut]))) {
    const detail = ` (in = ${dIn}, out = ${dOut}, r = ${r}; A is (${layer.A.shape.join(', ')}), B is (${layer.B.shape.join(', ')}))`;
    const zh = `（in = ${dIn}, out = ${dOut}, r = ${r}；A 是 (${layer.A.shape.join(', ')})，B 是 (${layer.B.shape.join(', ')})）`;
    fail(t(swapped.message.en + detail, swapped.message['zh-cn'] + zh), { hint: swapped.hint, convention: swapped.convention });
  }
  expectShape(layer.A, [r, dIn], 'layer.A');
  expectShape(layer.B, [dOut, r], 'layer.B');
}

/** Writes values into a learner's tensor in place (its shape was checked first). */
export function setValues(t: Tensor, values: Tensor): void {
  t.data.set(values.data);
}

export const isZero = (t: { data: ArrayLike<number> }): boolean => Array.from(t.data).every((v) => v === 0);

/** Values and a shape, as the references return them (a kit Tensor qualifies). */
interface Values { data: ArrayLike<number>; shape: readonly number[] }

/** Whether `actual` is a tensor equal to `expected` within tolerance (shape and every value), without failing. */
export function allClose(actual: unknown, expected: Values, rtol: number, atol: number): boolean {
  if (!isTensorLike(actual)) return false;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) return false;
  if (actual.data.length !== expected.data.length) return false;
  for (let i = 0; i < expected.data.length; i++) if (!closeEnough(actual.data[i], Number(expected.data[i]), rtol, atol)) return false;
  return true;
}

/**
 * k when `actual` is k times `expected` for one number k other than 1 (within 1e-4 of the largest value), else
 * undefined: how a scale put in the wrong place shows. Computed by least squares, then checked value by value.
 */
export function factorOf(actual: unknown, expected: Values): number | undefined {
  if (!isTensorLike(actual) || actual.data.length !== expected.data.length || !expected.data.length) return undefined;
  let num = 0;
  let den = 0;
  let big = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const [a, e] = [Number(actual.data[i]), Number(expected.data[i])];
    num += a * e;
    den += e * e;
    big = Math.max(big, Math.abs(e));
  }
  if (!(den > 0) || !Number.isFinite(num)) return undefined;
  const k = num / den;
  if (Math.abs(k - 1) < 1e-3) return undefined;
  for (let i = 0; i < expected.data.length; i++) {
    if (Math.abs(Number(actual.data[i]) - k * Number(expected.data[i])) > 1e-4 * Math.max(1, Math.abs(k)) * big) return undefined;
  }
  return k;
}

/** A factor as the messages print it: 0.5, -1, 0.3333. */
export const showFactor = (k: number): string => String(Number(k.toPrecision(4)));

/**
 * What a wrong factor means for a value that should carry the scale s = alpha / r once: "is k times the right
 * value, as if it were scaled by k·s instead of alpha / r = s". Plain facts about the numbers, no guess at the cause.
 */
export function scaleNote(what: string | Text, k: number, s: number): Text {
  const [en, zh] = typeof what === 'string' ? [what, what] : [what.en, what['zh-cn']];
  const [f, by, right] = [showFactor(k), showFactor(k * s), showFactor(s)];
  if (Math.abs(k + 1) < 1e-3) return t(`${en} is exactly -1 times the right value: its sign is flipped.`, `${zh} 恰好是正确值的 -1 倍：符号反了。`);
  return t(`${en} is exactly ${f} times the right value, as if it were scaled by ${by} instead of alpha / r = ${right}.`,
    `${zh} 恰好是正确值的 ${f} 倍，相当于乘的系数是 ${by}，而不是 alpha / r = ${right}。`);
}
