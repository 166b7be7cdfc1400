/**
 * Tensor basics and the autograd engine: making tensors, views, backward's accumulation and
 * ordering, noGrad and detach.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Rng, Tensor, add, arange, full, mul, noGrad, isGradEnabled, ones, randn, sum, tanh, tensor, zeros,
} from '../../../src/kit/index';
import { assertClose } from './helpers';

describe('making tensors', () => {
  test('tensor() infers the shape of nested arrays and copies the values', () => {
    const src = [[1, 2, 3], [4, 5, 6]];
    const t = tensor(src);
    assert.deepEqual(t.shape, [2, 3]);
    assertClose(t, [1, 2, 3, 4, 5, 6]);
    src[0][0] = 99;
    assert.equal(t.data[0], 1);
  });

  test('tensor() of a number is a scalar of shape []; a typed array is 1-D unless a shape is given', () => {
    assert.deepEqual(tensor(3).shape, []);
    assert.equal(tensor(3).item(), 3);
    assert.deepEqual(tensor(new Float32Array(6)).shape, [6]);
    assert.deepEqual(tensor(new Float32Array(6), [2, 3]).shape, [2, 3]);
    assert.equal(tensor([1, 2], undefined, { requiresGrad: true }).requiresGrad, true);
  });

  test('tensor() rejects ragged arrays and mismatched shapes', () => {
    assert.throws(() => tensor([[1, 2], [3]]), /ragged/);
    assert.throws(() => tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \(2, 2\)/);
  });

  test('zeros, ones, full, arange', () => {
    assertClose(zeros([2, 2]), [0, 0, 0, 0]);
    assertClose(ones([3]), [1, 1, 1]);
    assertClose(full([2], 7), [7, 7]);
    assertClose(arange(4), [0, 1, 2, 3]);
    assertClose(arange(2, 8, 3), [2, 5]);
    assert.equal(ones([2], { requiresGrad: true }).requiresGrad, true);
  });

  test('randn is repeatable with a seed and has the requested spread', () => {
    const a = randn([1000], new Rng(5), 0.5);
    const b = randn([1000], new Rng(5), 0.5);
    assert.deepEqual(a.data, b.data);
    let sq = 0;
    for (const v of a.data) sq += v * v;
    const std = Math.sqrt(sq / a.size);
    assert.ok(Math.abs(std - 0.5) < 0.05, `std ${std}`);
  });

  test('item() needs exactly one element', () => {
    assert.throws(() => zeros([2]).item(), /2 elements, not 1/);
  });
});

describe('reshape / view', () => {
  test('shares the data and infers one -1', () => {
    const x = arange(6);
    const v = x.view(2, -1);
    assert.deepEqual(v.shape, [2, 3]);
    assert.equal(v.data, x.data);
    x.data[4] = 40;
    assert.equal(v.data[4], 40);
  });

  test('rejects shapes with the wrong number of elements', () => {
    assert.throws(() => arange(6).reshape(4, -1), /cannot view shape \(6\)/);
    assert.throws(() => arange(6).reshape(-1, -1), /cannot view/);
    assert.throws(() => arange(6).reshape(5), /cannot view/);
  });

  test('passes the gradient through unchanged', () => {
    const x = tensor([1, 2, 3, 4], [4], { requiresGrad: true });
    const y = mul(x.reshape(2, 2), tensor([[1, 10], [100, 1000]]));
    sum(y).backward();
    assertClose(x.grad!, [1, 10, 100, 1000]);
  });
});

describe('backward', () => {
  test('a tensor used twice collects both gradients (y = x*x + x: dy/dx = 2x + 1)', () => {
    const x = tensor([3, -2], [2], { requiresGrad: true });
    sum(add(mul(x, x), x)).backward();
    assertClose(x.grad!, [7, -3]);
  });

  test('diamond graph: every path is counted once, after all its users (d = (2a)(3a): dd/da = 12a)', () => {
    const a = tensor([1.5], [1], { requiresGrad: true });
    const d = mul(mul(a, 2), mul(a, 3));
    d.backward();
    assertClose(a.grad!, [18]);
  });

  test('gradients accumulate across backward calls until zeroGrad', () => {
    const x = tensor([2], [1], { requiresGrad: true });
    mul(x, 5).backward();
    mul(x, 5).backward();
    assertClose(x.grad!, [10]);
    x.zeroGrad();
    assertClose(x.grad!, [0]);
  });

  test('a non-scalar output needs an explicit gradient', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const y = mul(x, 3);
    assert.throws(() => y.backward(), /pass a gradient of that shape/);
    y.backward(tensor([1, -1]));
    assertClose(x.grad!, [3, -3]);
  });

  test('backward on something that needs no gradient explains why it fails', () => {
    assert.throws(() => sum(ones([2])).backward(), /does not require grad/);
  });

  test('inputs without requiresGrad get no gradient buffer', () => {
    const w = tensor([2], [1], { requiresGrad: true });
    const c = tensor([5]);
    mul(w, c).backward();
    assert.equal(c.grad, null);
    assertClose(w.grad!, [5]);
  });

  test('a very deep graph does not overflow the stack (10000 chained ops)', () => {
    const x = tensor([0.1], [1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 10000; i++) y = add(y, 0.001);
    y.backward();
    assertClose(x.grad!, [1]);
  });

  test('records parents and op names for inspection', () => {
    const x = tensor([1], [1], { requiresGrad: true });
    const y = tanh(x);
    assert.equal(y.op, 'tanh');
    assert.deepEqual(y.parents, [x]);
    assert.equal(x.parents.length, 0);
  });
});

describe('noGrad and detach', () => {
  test('inside noGrad no graph is recorded, and the flag is restored even after an error', () => {
    const x = tensor([1], [1], { requiresGrad: true });
    const y = noGrad(() => mul(x, 2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.parents.length, 0);
    assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
    assert.equal(isGradEnabled(), true);
    assert.equal(mul(x, 2).requiresGrad, true);
  });

  test('detach shares data but stops the gradient', () => {
    const x = tensor([3], [1], { requiresGrad: true });
    const d = x.detach();
    assert.equal(d.data, x.data);
    assert.equal(d.requiresGrad, false);
    mul(x, d).backward(); // d(x * const)/dx = const
    assertClose(x.grad!, [3]);
  });

  test('Tensor rejects data that does not fill its shape', () => {
    assert.throws(() => new Tensor(new Float32Array(5), [2, 3]), /5 values do not fill shape \(2, 3\)/);
  });
});
