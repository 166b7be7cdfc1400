/** The seeded RNG: same seed, same numbers; and the distributions have the right shape. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng, globalRng, manualSeed, randn } from '../../../src/kit/index';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.random());

describe('Rng', () => {
  test('the same seed gives the same sequence; another seed a different one; seed() restarts', () => {
    const a = draw(new Rng(42), 20);
    assert.deepEqual(draw(new Rng(42), 20), a);
    assert.notDeepEqual(draw(new Rng(43), 20), a);
    const r = new Rng(42);
    draw(r, 5);
    r.normal(); // leaves a spare normal behind, which seed() must forget
    r.seed(42);
    assert.deepEqual(draw(r, 20), a);
  });

  test('manualSeed reseeds the global generator used by default', () => {
    manualSeed(7);
    const a = randn([5]).toArray();
    manualSeed(7);
    assert.deepEqual(randn([5]).toArray(), a);
    manualSeed(7);
    assert.equal(Math.fround(globalRng.normal()), a[0]); // randn stores float32
  });

  test('random() is uniform in [0, 1)', () => {
    const xs = draw(new Rng(1), 20000);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    assert.ok(buckets.every((b) => Math.abs(b - 2000) < 200), `buckets ${buckets}`);
  });

  test('normal() has the requested mean and standard deviation', () => {
    const r = new Rng(3);
    const xs = Array.from({ length: 20000 }, () => r.normal(2, 0.5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    assert.ok(Math.abs(mean - 2) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(std - 0.5) < 0.02, `std ${std}`);
    assert.ok(xs.every(Number.isFinite));
  });

  test('randint(low, high) excludes high and reaches every value', () => {
    const r = new Rng(4);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.randint(3, 8);
      assert.ok(Number.isInteger(v) && v >= 3 && v < 8, `got ${v}`);
      seen.add(v);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
    assert.throws(() => r.randint(2, 2), /empty range/);
  });

  test('shuffle is a deterministic permutation', () => {
    const a = new Rng(5).shuffle([...Array(50).keys()]);
    assert.deepEqual([...a].sort((x, y) => x - y), [...Array(50).keys()]);
    assert.notDeepEqual(a, [...Array(50).keys()]);
    assert.deepEqual(new Rng(5).shuffle([...Array(50).keys()]), a);
  });

  test('categorical follows the weights and never picks a zero weight', () => {
    const r = new Rng(6);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[r.categorical([0.2, 0, 0.5, 0.3])]++;
    assert.equal(counts[1], 0);
    assert.ok(Math.abs(counts[0] / 20000 - 0.2) < 0.015, `counts ${counts}`);
    assert.ok(Math.abs(counts[2] / 20000 - 0.5) < 0.015, `counts ${counts}`);
    assert.equal(r.categorical([0, 0, 3]), 2); // unnormalized weights are fine
    assert.throws(() => r.categorical([0, 0]), /positive finite sum/);
    assert.throws(() => r.categorical([1, NaN]), /positive finite sum/);
  });
});
