/**
 * Helpers shared by the checks of lessons 7 and 8: building layers and inputs, and reading the learner's
 * LoRA layer defensively (a missing field is a failure with a sentence, not a crash).
 */
import { type Mistake, expectShape, fail, isTensorLike, t } from '@llm-lab/check';
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
