/**
 * The edges where tensor code usually breaks: huge logits, -Infinity masks, NaN inputs; and a
 * check that gradcheck itself notices wrong gradients (otherwise the other tests prove nothing).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  add, crossEntropy, fromOp, gelu, gradOf, gradcheck, layerNorm, logSoftmax, maskedFill, matmul, mean, mul,
  ones, relu, softmax, sum, tensor, zeros,
} from '../../../src/kit/index';
import { assertClose } from './helpers';

describe('huge logits stay finite (the max is subtracted first)', () => {
  test('softmax and logSoftmax of [1000, -1000, 0]', () => {
    const x = tensor([[1000, -1000, 0], [1000, 1000, 1000]]);
    assertClose(softmax(x), tensor([[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]]), { atol: 1e-7 });
    assertClose(logSoftmax(x), tensor([[0, -2000, -1000], [-Math.log(3), -Math.log(3), -Math.log(3)]]), { atol: 1e-4 });
  });

  test('crossEntropy with logits of +-1000: exact loss and a finite gradient', () => {
    const right = tensor([[1000, -1000]], undefined, { requiresGrad: true });
    const lossRight = crossEntropy(right, [0]);
    assertClose(lossRight, tensor(0));
    const wrong = tensor([[1000, -1000]], undefined, { requiresGrad: true });
    const lossWrong = crossEntropy(wrong, [1]);
    assertClose(lossWrong, tensor(2000));
    lossWrong.backward();
    assertClose(wrong.grad!, [1, -1]); // softmax - onehot = [1, 0] - [0, 1]
  });

  test('softmax gradient with huge logits is finite', () => {
    const x = tensor([500, -500, 499], [3], { requiresGrad: true });
    softmax(x).backward(tensor([1, 2, 3]));
    for (const g of x.grad!) assert.ok(Number.isFinite(g), `gradient ${g}`);
  });
});

describe('-Infinity (masked) entries', () => {
  test('get probability exactly 0 and gradient exactly 0 in softmax', () => {
    const x = tensor([1, -Infinity, 2], [3], { requiresGrad: true });
    const p = softmax(x);
    assert.equal(p.data[1], 0);
    assertClose(p, [1 / (1 + Math.E), 0, Math.E / (1 + Math.E)], { atol: 1e-7 });
    p.backward(tensor([0.3, 5, -1]));
    assert.equal(x.grad![1], 0);
    assert.ok(x.grad!.every(Number.isFinite));
  });

  test('through maskedFill + softmax (the attention pattern) the masked scores get gradient 0', () => {
    const scores = tensor([[0.5, 2], [1, -1]], undefined, { requiresGrad: true });
    const mask = tensor([[0, 1], [0, 0]]);
    const p = softmax(maskedFill(scores, mask, -Infinity));
    assertClose(p.data.subarray(0, 2), [1, 0]);
    sum(mul(p, tensor([[1, 2], [3, 4]]))).backward();
    assert.equal(scores.grad![1], 0);
    assert.equal(scores.grad![0], 0); // a row with one choice left cannot change: gradient 0 too
    assert.ok(scores.grad![2] !== 0 && Number.isFinite(scores.grad![2]));
  });

  test('in crossEntropy a -Infinity logit that is not the target costs nothing and gets gradient 0', () => {
    const logits = tensor([[0, -Infinity, 0]], undefined, { requiresGrad: true });
    const loss = crossEntropy(logits, [0]);
    assertClose(loss, tensor(Math.log(2)), { rtol: 1e-6 });
    loss.backward();
    assertClose(logits.grad!, [-0.5, 0, 0.5]);
  });
});

describe('NaN propagates, never silently swallowed', () => {
  test('softmax / logSoftmax: a NaN poisons its own row only', () => {
    const x = tensor([[1, NaN, 3], [1, 2, 3]]);
    for (const y of [softmax(x), logSoftmax(x)]) {
      for (let i = 0; i < 3; i++) assert.ok(Number.isNaN(y.data[i]), `row 0 entry ${i} is ${y.data[i]}`);
      for (let i = 3; i < 6; i++) assert.ok(Number.isFinite(y.data[i]), `row 1 entry ${i} is ${y.data[i]}`);
    }
    // NaN as the first element too (the max must not start from it and ignore the rest, or vice versa)
    assert.ok(Number.isNaN(softmax(tensor([NaN, 1])).data[1]));
  });

  test('crossEntropy, layerNorm, matmul, sum and mean return NaN', () => {
    assert.ok(Number.isNaN(crossEntropy(tensor([[0, NaN]]), [0]).item()));
    assert.ok(Number.isNaN(layerNorm(tensor([[1, NaN, 2]]), ones([3]), zeros([3])).data[0]));
    assert.ok(Number.isNaN(matmul(tensor([[NaN, 1]]), tensor([[1], [1]])).item()));
    assert.ok(Number.isNaN(sum(tensor([1, NaN])).item()));
    assert.ok(Number.isNaN(relu(tensor([NaN])).item()) && Number.isNaN(gelu(tensor([NaN])).item()));
    assert.ok(Number.isNaN(mean(add(tensor([1, 2]), tensor([NaN]))).item()));
  });

  test('a NaN gradient reaches the input', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    mul(x, tensor([NaN, 1])).backward(tensor([1, 1]));
    assert.ok(Number.isNaN(x.grad![0]));
    assert.equal(x.grad![1], 1);
  });
});

describe('gradcheck notices wrong gradients', () => {
  test('a derivative that is 5% off fails, the right one passes', () => {
    const square = (factor: number) => (a: ReturnType<typeof tensor>) =>
      fromOp('square', a.data.map((v) => v * v), a.shape, [a], (g) => {
        const ga = gradOf(a);
        for (let i = 0; i < g.length; i++) ga[i] += factor * 2 * a.data[i] * g[i];
      });
    const x = tensor([0.5, -1.2, 2], [3], { requiresGrad: true });
    assert.ok(gradcheck(() => square(1)(x), [x]).ok);
    const bad = gradcheck(() => square(1.05)(x), [x]);
    assert.ok(!bad.ok);
    assert.match(bad.message, /gradient mismatch at input 0 \[\d\]: analytic .* vs numeric/);
  });

  test('overwriting (=) instead of accumulating (+=) fails when a tensor is used twice', () => {
    const double = (a: ReturnType<typeof tensor>) =>
      fromOp('double', a.data.map((v) => 2 * v), a.shape, [a], (g) => {
        const ga = gradOf(a);
        for (let i = 0; i < g.length; i++) ga[i] = 2 * g[i]; // the bug
      });
    const x = tensor([0.5, -1.2], [2], { requiresGrad: true });
    assert.ok(gradcheck(() => double(x), [x]).ok); // used once: the bug hides
    assert.ok(!gradcheck(() => add(double(x), double(x)), [x]).ok); // used twice: caught
  });
});
