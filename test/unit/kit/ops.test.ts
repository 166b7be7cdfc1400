/**
 * Every op: values against hand-computed or naive results, and gradients against central finite
 * differences (gradcheck), including broadcasting and batched matmul.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Rng, Tensor, add, cat, crossEntropy, div, embedding, exp, gather, gelu, layerNorm, linear, log,
  logSoftmax, maskedFill, matmul, mean, mul, narrow, neg, pow, relu, reshape, slice, softmax, sqrt, sub,
  sum, tanh, tensor, transpose, variance, zeros,
} from '../../../src/kit/index';
import { assertClose, assertGradcheck } from './helpers';

const rng = new Rng(2024);

/** A leaf with uniform values in [lo, hi) that requires grad. */
function rand(shape: number[], lo = -1, hi = 1): Tensor {
  const t = zeros(shape, { requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rng.random();
  return t;
}

/** Plain triple loop over float64, the independent reference for matmul. */
function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j] += a[i * k + p] * b[p * n + j];
  return out;
}

describe('elementwise arithmetic with broadcasting', () => {
  test('values: (2, 3) + (3) adds the row to each row; (2, 1) * (3) makes an outer product', () => {
    assertClose(add(tensor([[1, 2, 3], [4, 5, 6]]), tensor([10, 20, 30])), tensor([[11, 22, 33], [14, 25, 36]]));
    assertClose(mul(tensor([[1], [2]]), tensor([1, 2, 3])), tensor([[1, 2, 3], [2, 4, 6]]));
    assertClose(sub(5, tensor([1, 2])), [4, 3]);
    assertClose(div(tensor([1, 2]), 4), [0.25, 0.5]);
    assertClose(div(1, tensor([4, 8])), [0.25, 0.125]);
  });

  test('incompatible shapes fail with both shapes in the message', () => {
    assert.throws(() => add(zeros([2, 3]), zeros([2])), /cannot broadcast shapes \(2, 3\) and \(2\)/);
  });

  test('gradients: same shape', () => {
    const a = rand([3, 4]);
    const b = rand([3, 4], 0.5, 2);
    assertGradcheck(() => add(a, b), [a, b]);
    assertGradcheck(() => sub(a, b), [a, b]);
    assertGradcheck(() => mul(a, b), [a, b]);
    assertGradcheck(() => div(a, b), [a, b]);
  });

  test('gradients: broadcasting reduces back to each input shape', () => {
    const x = rand([2, 3, 4]);
    const bias = rand([4]);
    const col = rand([2, 1, 4], 0.5, 2);
    const row = rand([3, 1], 0.5, 2);
    assertGradcheck(() => add(x, bias), [x, bias]);
    assertGradcheck(() => mul(col, row), [col, row]); // (2, 1, 4) * (3, 1) -> (2, 3, 4): both broadcast
    assertGradcheck(() => div(x, col), [x, col]);
    assertGradcheck(() => sub(bias, x), [bias, x]);
    const s = rand([], 0.5, 1); // a 0-d tensor broadcasts to everything
    assertGradcheck(() => mul(x, s), [x, s]);
  });

  test('gradients: scalar operands', () => {
    const x = rand([5]);
    assertGradcheck(() => add(mul(x, 3), 2), [x]);
    assertGradcheck(() => sub(1, div(x, 4)), [x]);
    assertGradcheck(() => neg(x), [x]);
  });

  test('broadcast gradient is summed: d/db sum(x + b) for b (3) and x (4, 3) is 4 per element', () => {
    const x = rand([4, 3]);
    const b = rand([3]);
    sum(add(x, b)).backward();
    assertClose(b.grad!, [4, 4, 4]);
  });
});

describe('pointwise functions', () => {
  test('values', () => {
    assertClose(exp(tensor([0, 1])), [1, Math.E], { rtol: 1e-6 });
    assertClose(log(tensor([1, Math.E])), [0, 1], { atol: 1e-6 });
    assertClose(tanh(tensor([0, 1])), [0, Math.tanh(1)]);
    assertClose(relu(tensor([-1, 0, 2])), [0, 0, 2]);
    assertClose(pow(tensor([2, 3]), 3), [8, 27]);
    assertClose(sqrt(tensor([4, 9])), [2, 3]);
    // GPT-2's tanh-approximate GELU, reference values from PyTorch gelu(approximate='tanh')
    assertClose(gelu(tensor([-3, -1, 0, 1, 3])), [-0.0036373920, -0.1588080094, 0, 0.8411919906, 2.9963626080], { atol: 1e-6 });
  });

  test('gradients', () => {
    const x = rand([2, 5], -2, 2);
    const p = rand([7], 0.2, 3);
    assertGradcheck(() => exp(x), [x]);
    assertGradcheck(() => tanh(x), [x]);
    assertGradcheck(() => gelu(x), [x]);
    assertGradcheck(() => log(p), [p]);
    assertGradcheck(() => pow(p, 3), [p]);
    assertGradcheck(() => pow(p, -1.5), [p]);
    assertGradcheck(() => sqrt(p), [p]);
    const away = tensor([-1.5, -0.3, 0.4, 2], [4], { requiresGrad: true }); // relu: keep away from the kink
    assertGradcheck(() => relu(away), [away]);
  });

  test('maskedFill replaces where the mask is set, broadcasting the mask; filled places get no gradient', () => {
    const x = rand([2, 3, 3]);
    const mask = tensor([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
    const y = maskedFill(x, mask, -5);
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 9; i++) assert.equal(y.data[b * 9 + i], mask.data[i] ? -5 : x.data[b * 9 + i]);
    }
    y.backward(tensor(new Float32Array(18).fill(1)));
    for (let i = 0; i < 18; i++) assert.equal(x.grad![i], mask.data[i % 9] ? 0 : 1);
    x.grad = null;
    assertGradcheck(() => maskedFill(x, mask, 2), [x]);
    assert.throws(() => maskedFill(x, zeros([4]), 0), /does not broadcast/);
  });
});

describe('reductions', () => {
  const x0 = tensor([[1, 2, 3], [4, 5, 9]]);

  test('values: sum / mean / var over a dim or everything, keepdim', () => {
    assertClose(sum(x0), tensor(24));
    assertClose(sum(x0, 0), tensor([5, 7, 12]));
    assertClose(sum(x0, -1, true), tensor([[6], [18]]));
    assertClose(mean(x0, 1), tensor([2, 6]));
    assertClose(variance(x0, 1), tensor([2 / 3, 14 / 3]), { rtol: 1e-6 });
    assertClose(variance(x0, 1, false, true), tensor([1, 7]), { rtol: 1e-6 });
    assertClose(variance(x0), tensor(40 / 6), { rtol: 1e-6 }); // mean 4; squares 9+4+1+0+1+25 = 40
    assert.deepEqual(mean(x0, undefined, true).shape, [1, 1]);
  });

  test('gradients, including a middle dim', () => {
    const x = rand([2, 3, 4]);
    for (const dim of [0, 1, 2, -1]) {
      assertGradcheck(() => sum(x, dim), [x]);
      assertGradcheck(() => mean(x, dim, true), [x]);
      assertGradcheck(() => variance(x, dim), [x]);
      assertGradcheck(() => variance(x, dim, true, true), [x]);
    }
    assertGradcheck(() => mean(x), [x]);
    assertGradcheck(() => variance(x), [x]);
  });

  test('a bad dim names the tensor rank', () => {
    assert.throws(() => sum(x0, 2), /dim 2 is out of range for a tensor with 2 dimensions/);
  });
});

describe('matmul', () => {
  test('2-D values match a naive triple loop', () => {
    const a = rand([3, 4]);
    const b = rand([4, 5]);
    assertClose(matmul(a, b), naiveMatmul(a.data, b.data, 3, 4, 5), { atol: 1e-6 });
  });

  test('batched (B, nh, T, hs) @ (B, nh, hs, T) multiplies each pair', () => {
    const a = rand([2, 3, 4, 5]);
    const b = rand([2, 3, 5, 4]);
    const c = matmul(a, b);
    assert.deepEqual(c.shape, [2, 3, 4, 4]);
    for (let i = 0; i < 6; i++) {
      const expected = naiveMatmul(a.data.subarray(i * 20, (i + 1) * 20), b.data.subarray(i * 20, (i + 1) * 20), 4, 5, 4);
      assertClose(c.data.subarray(i * 16, (i + 1) * 16), expected, { atol: 1e-6, what: `batch ${i}` });
    }
  });

  test('batch dims broadcast: (2, 3, 4) @ (4, 5) and (1, 3, 4) @ (2, 1, 4, 2)', () => {
    const a = rand([2, 3, 4]);
    const w = rand([4, 5]);
    const c = matmul(a, w);
    assert.deepEqual(c.shape, [2, 3, 5]);
    assertClose(c, naiveMatmul(a.data, w.data, 6, 4, 5), { atol: 1e-6 });
    assert.deepEqual(matmul(rand([1, 3, 4]), rand([2, 1, 4, 2])).shape, [2, 1, 3, 2]);
  });

  test('gradients: 2-D, batched, broadcast batch, and the same tensor on both sides', () => {
    const a = rand([3, 4]);
    const b = rand([4, 2]);
    assertGradcheck(() => matmul(a, b), [a, b]);
    const q = rand([2, 2, 3, 4]);
    const kT = rand([2, 2, 4, 3]);
    assertGradcheck(() => matmul(q, kT), [q, kT]);
    const x = rand([2, 3, 4]);
    const w = rand([4, 5]);
    assertGradcheck(() => matmul(x, w), [x, w]); // w's gradient sums over the batch
    const u = rand([1, 3, 4]);
    const v = rand([2, 1, 4, 2]);
    assertGradcheck(() => matmul(u, v), [u, v]);
    const s = rand([3, 3]);
    assertGradcheck(() => matmul(s, s), [s]);
  });

  test('shape errors are explained', () => {
    assert.throws(() => matmul(zeros([2, 3]), zeros([4, 5])), /inner dimensions differ: \(2, 3\) @ \(4, 5\)/);
    assert.throws(() => matmul(zeros([3]), zeros([3, 2])), /at least 2 dims/);
  });

  test('linear is x W^T + b with W (out, in), for any leading dims', () => {
    const x = rand([2, 3, 4]);
    const w = rand([5, 4]);
    const b = rand([5]);
    const y = linear(x, w, b);
    assert.deepEqual(y.shape, [2, 3, 5]);
    assertClose(y, add(matmul(x, transpose(w, 0, 1)), b), { atol: 1e-6 });
    assertGradcheck(() => linear(x, w, b), [x, w, b]);
    assertGradcheck(() => linear(x, w), [x, w]);
    assert.throws(() => linear(x, rand([5, 3])), /does not fit weight/);
  });
});

describe('movement and indexing', () => {
  test('transpose values and gradient', () => {
    const t = transpose(tensor([[1, 2, 3], [4, 5, 6]]), 0, 1);
    assertClose(t, tensor([[1, 4], [2, 5], [3, 6]]));
    const x = rand([2, 3, 4, 5]);
    const y = transpose(x, 1, 2); // (B, T, nh, hs) -> (B, nh, T, hs)
    assert.deepEqual(y.shape, [2, 4, 3, 5]);
    assert.equal(y.data[((1 * 4 + 2) * 3 + 1) * 5 + 3], x.data[((1 * 3 + 1) * 4 + 2) * 5 + 3]); // y[1,2,1,3] = x[1,1,2,3]
    assertGradcheck(() => transpose(x, 1, 2), [x]);
    assertGradcheck(() => transpose(x, -1, 0), [x]);
    assertGradcheck(() => transpose(x, 2, 0), [x]);
    assertClose(transpose(x, 1, 1), x);
  });

  test('reshape function form', () => {
    const x = rand([2, 6]);
    assert.deepEqual(reshape(x, [3, -1]).shape, [3, 4]);
    assertGradcheck(() => mul(reshape(x, [3, 4]), 2), [x]);
  });

  test('narrow and slice', () => {
    const x = tensor([[1, 2, 3, 4], [5, 6, 7, 8]]);
    assertClose(narrow(x, 1, 1, 2), tensor([[2, 3], [6, 7]]));
    assertClose(slice(x, 1, -2), tensor([[3, 4], [7, 8]]));
    assertClose(slice(x, 0, 1, 2), tensor([[5, 6, 7, 8]]));
    assert.throws(() => narrow(x, 1, 3, 2), /outside dim 1 of size 4/);
    const r = rand([3, 4, 2]);
    assertGradcheck(() => narrow(r, 1, 1, 2), [r]);
    assertGradcheck(() => slice(r, 0, 0, 1), [r]);
  });

  test('cat along any dim', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5], [6]]);
    assertClose(cat([a, b], 1), tensor([[1, 2, 5], [3, 4, 6]]));
    assertClose(cat([a, tensor([[7, 8]])], 0), tensor([[1, 2], [3, 4], [7, 8]]));
    assert.throws(() => cat([a, b], 0), /differ outside dim 0/);
    const x = rand([2, 3, 2]);
    const y = rand([2, 1, 2]);
    assertGradcheck(() => cat([x, y, x], 1), [x, y]);
  });

  test('embedding picks rows; a repeated id collects the gradient of each use', () => {
    const w = rand([4, 3]);
    const e = embedding(w, Int32Array.from([2, 0, 2]), [1, 3]);
    assert.deepEqual(e.shape, [1, 3, 3]);
    assertClose(e.data.subarray(0, 3), w.data.subarray(6, 9));
    assertClose(e.data.subarray(3, 6), w.data.subarray(0, 3));
    sum(e).backward();
    assertClose(w.grad!, [1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0]);
    w.grad = null;
    assertGradcheck(() => embedding(w, [3, 1, 3, 0], [2, 2]), [w]);
    assert.throws(() => embedding(w, [4]), /id 4 at position 0 is out of range for 4 rows/);
  });

  test('gather along a dim (torch.gather)', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assertClose(gather(x, 1, [2, 0], [2, 1]), tensor([[3], [4]]));
    assertClose(gather(x, 0, [1, 0, 1], [1, 3]), tensor([[4, 2, 6]]));
    const r = rand([3, 4]);
    assertGradcheck(() => gather(r, 1, [0, 0, 3, 1, 2, 2], [3, 2]), [r]);
    assert.throws(() => gather(x, 1, [3, 0], [2, 1]), /out of range/);
  });
});

describe('softmax, logSoftmax, layerNorm, crossEntropy', () => {
  test('softmax rows sum to 1 along the chosen dim', () => {
    const x = rand([3, 4], -3, 3);
    const s = softmax(x, -1);
    for (let r = 0; r < 3; r++) assertClose(sum(narrow(s, 0, r, 1)), tensor(1), { atol: 1e-6 });
    const s0 = softmax(x, 0);
    assertClose(sum(s0, 0), tensor([1, 1, 1, 1]), { atol: 1e-6 });
    assertClose(logSoftmax(x, 0), log(s0), { atol: 1e-5 });
  });

  test('gradients along the last and a middle dim', () => {
    const x = rand([2, 3, 4], -2, 2);
    for (const dim of [-1, 1, 0]) {
      assertGradcheck(() => softmax(x, dim), [x]);
      assertGradcheck(() => logSoftmax(x, dim), [x]);
    }
  });

  test('layerNorm matches the same formula written with primitives, values and gradients', () => {
    const x = rand([2, 3, 5], -2, 2);
    const w = rand([5], 0.5, 1.5);
    const b = rand([5]);
    const composite = (): Tensor => {
      const mu = mean(x, -1, true); // (2, 3, 1)
      const xhat = div(sub(x, mu), sqrt(add(variance(x, -1, true), 1e-5))); // (2, 3, 5)
      return add(mul(xhat, w), b);
    };
    assertClose(layerNorm(x, w, b), composite(), { atol: 1e-5 });
    assertGradcheck(() => layerNorm(x, w, b), [x, w, b]);
    x.grad = w.grad = b.grad = null;
    layerNorm(x, w, b).backward(tensor(new Float32Array(30).fill(0.3)));
    const fused = [x.grad!.slice(), w.grad!.slice(), b.grad!.slice()];
    x.grad = w.grad = b.grad = null;
    composite().backward(tensor(new Float32Array(30).fill(0.3)));
    assertClose(fused[0], x.grad!, { atol: 1e-5, what: 'dx' });
    assertClose(fused[1], w.grad!, { atol: 1e-5, what: 'dweight' });
    assertClose(fused[2], b.grad!, { atol: 1e-5, what: 'dbias' });
  });

  test('crossEntropy equals -mean(logSoftmax picked at the targets), with gradient', () => {
    const logits = rand([4, 6], -3, 3);
    const targets = Int32Array.from([0, 5, 2, 2]);
    const reference = neg(mean(gather(logSoftmax(logits), 1, targets, [4, 1])));
    assertClose(crossEntropy(logits, targets), reference, { atol: 1e-6 });
    assertGradcheck(() => crossEntropy(logits, targets), [logits]);
    const batched = rand([2, 3, 5], -2, 2); // (B, T, V) rows are flattened
    assertGradcheck(() => crossEntropy(batched, [1, 2, 3, 4, 0, 1]), [batched]);
  });

  test('crossEntropy of uniform logits is log(V); bad targets are rejected', () => {
    assertClose(crossEntropy(zeros([3, 7]), [0, 3, 6]), tensor(Math.log(7)), { rtol: 1e-6 });
    assert.throws(() => crossEntropy(zeros([2, 7]), [0, 7]), /target 7 in row 1 is out of range for 7 classes/);
    assert.throws(() => crossEntropy(zeros([2, 7]), [0]), /1 targets for 2 rows/);
  });
});
