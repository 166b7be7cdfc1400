/** AdamW against a float64 re-derivation of its update, and gradient clipping. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdamW, clipGradNorm, mul, sub, sum, tensor } from '../../../src/kit/index';
import { assertClose } from './helpers';

describe('AdamW', () => {
  test('first step moves each weight by lr * sign(grad), plus decoupled decay only on 2-D tensors', () => {
    const w = tensor([[1, -2], [3, 0.5]], undefined, { requiresGrad: true });
    const b = tensor([1, -1], undefined, { requiresGrad: true });
    w.grad = Float32Array.from([0.3, -4, 1e-3, 0]);
    b.grad = Float32Array.from([-2, 0.1]);
    const opt = new AdamW([w, b], { lr: 0.1, weightDecay: 0.5 });
    opt.step();
    // At t = 1 the bias-corrected m/sqrt(v) is g/|g| (eps aside); a zero gradient gives 0.
    assertClose(w, [1 - 0.1 * (1 + 0.5 * 1), -2 - 0.1 * (-1 + 0.5 * -2), 3 - 0.1 * (1 + 0.5 * 3), 0.5 - 0.1 * (0 + 0.5 * 0.5)], { atol: 1e-5 });
    assertClose(b, [1 + 0.1, -1 - 0.1], { atol: 1e-6 }); // no decay on 1-D
  });

  test('several steps match the textbook update computed in float64', () => {
    const init = [0.5, -1.5, 2];
    const grads = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.1, 0.2]];
    const lr = 0.01, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1;
    const p = tensor([init], undefined, { requiresGrad: true }); // (1, 3): 2-D, so decayed
    const opt = new AdamW([p], { lr, weightDecay: wd });
    const w = [...init], m = [0, 0, 0], v = [0, 0, 0];
    grads.forEach((g, t) => {
      p.grad = Float32Array.from(g);
      opt.step();
      for (let i = 0; i < 3; i++) {
        w[i] -= lr * wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= lr * (m[i] / (1 - b1 ** (t + 1))) / (Math.sqrt(v[i] / (1 - b2 ** (t + 1))) + eps);
      }
    });
    assertClose(p, w, { atol: 1e-6 });
    assert.equal(opt.stepCount, 3);
  });

  test('skips parameters without a gradient, and zeroGrad clears them', () => {
    const a = tensor([1], undefined, { requiresGrad: true });
    const c = tensor([1], undefined, { requiresGrad: true });
    a.grad = Float32Array.of(1);
    const opt = new AdamW([a, c], { lr: 0.1 });
    opt.step();
    assertClose(c, [1]);
    assert.ok(a.data[0] < 1);
    opt.zeroGrad();
    assertClose(a.grad!, [0]);
  });

  test('minimizes a quadratic', () => {
    const x = tensor([5, -3], undefined, { requiresGrad: true });
    const target = tensor([1, 2]);
    const opt = new AdamW([x], { lr: 0.1, weightDecay: 0 });
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      const d = sub(x, target);
      sum(mul(d, d)).backward();
      opt.step();
    }
    assertClose(x, [1, 2], { atol: 0.05 });
  });
});

describe('clipGradNorm', () => {
  test('scales all gradients together down to maxNorm and returns the norm before', () => {
    const a = tensor([0, 0], undefined, { requiresGrad: true });
    const b = tensor([0], undefined, { requiresGrad: true });
    a.grad = Float32Array.from([3, 0]);
    b.grad = Float32Array.from([4]);
    const norm = clipGradNorm([a, b], 1);
    assertClose(norm, 5, { rtol: 1e-6 });
    assertClose(a.grad, [0.6, 0], { atol: 1e-6 });
    assertClose(b.grad, [0.8], { atol: 1e-6 });
  });

  test('leaves small gradients alone', () => {
    const a = tensor([0, 0], undefined, { requiresGrad: true });
    a.grad = Float32Array.from([0.3, 0.4]);
    assertClose(clipGradNorm([a], 1), 0.5, { rtol: 1e-6 });
    assertClose(a.grad, [0.3, 0.4]);
  });
});
