/**
 * The FlashAttention lesson's tests that are not mistake cases: the allocation counter its memory check relies on
 * (what it counts, what it does not, and that the global constructors are put back, also after a throw), and the
 * memory bound measured on the reference solution as T grows (printed: the largest buffer stays at the size of an
 * input while T² grows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, zeros } from '../../src/kit';
import { flashCountAllocations, flashReference64 } from '../../src/course/scale/flash';
import { flashAttention } from '../../lessons/14d-flash-attention/flash.solution';

test('flashCountAllocations counts typed arrays made with new, .from and .of, and kit tensors', () => {
  const F32 = Float32Array;
  const F64 = Float64Array;
  const c = flashCountAllocations(() => {
    new Float32Array(10);
    Float64Array.from([1, 2, 3]);
    Int32Array.of(1, 2);
    zeros([7, 9]); // 63 numbers, the largest
    const plain = new Array(1000).fill(0); // not counted: said in the lesson
    return plain.length;
  });
  assert.equal(c.result, 1000);
  assert.equal(c.largest, 63);
  assert.ok(c.count >= 4, `count ${c.count}`);
  assert.equal(globalThis.Float32Array, F32);
  assert.equal(globalThis.Float64Array, F64);
  assert.ok(new Float32Array(2) instanceof F32);
});

test('flashCountAllocations puts the constructors back when the function throws', () => {
  const F32 = Float32Array;
  assert.throws(() => flashCountAllocations(() => {
    throw new Error('boom');
  }), /boom/);
  assert.equal(globalThis.Float32Array, F32);
  // Typed arrays made inside are ordinary ones (instanceof works against the original class).
  const inside = flashCountAllocations(() => new Float32Array(3));
  assert.ok(inside.result instanceof F32);
});

test('the reference solution: the largest allocation stays at the size of an input as T grows (printed)', () => {
  const rows: string[] = [];
  for (const T of [128, 256, 512, 1024]) {
    const d = 8;
    const make = (n: number, seed: number) => tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed)), [1, 2, T, d]);
    const [q, k, v] = [make(2 * T * d, 1), make(2 * T * d, 2), make(2 * T * d, 3)];
    const t0 = performance.now();
    const c = flashCountAllocations(() => flashAttention(q, k, v, true, 16, 16));
    const ms = performance.now() - t0;
    if (T <= 256) {
      const ref = flashReference64(q, k, v, true);
      let err = 0;
      for (let i = 0; i < ref.out.data.length; i++) err = Math.max(err, Math.abs(c.result.out.data[i] - ref.out.data[i]));
      assert.ok(err < 1e-5, `T = ${T}: max |out - reference| = ${err}`);
    }
    assert.ok(c.largest <= 2 * T * d, `T = ${T}: largest allocation ${c.largest}`);
    rows.push(`T = ${String(T).padStart(4)}: largest ${String(c.largest).padStart(6)} numbers (inputs ${2 * T * d}), T² = ${String(T * T).padStart(7)}, ${ms.toFixed(0)} ms`);
  }
  console.log(`flashAttention(causal, 2 heads, d = 8, tiles 16 × 16):\n  ${rows.join('\n  ')}`);
});
