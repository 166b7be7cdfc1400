/**
 * Checks for the MLP lesson, exercise 2 (mlp/losses): mseLoss, crossEntropyLoss and bceWithLogitsLoss.
 *
 * Expected losses and gradients come from float64 references (@llm-lab/course/foundations, mlpRef...) applied to
 * copies of the inputs taken before the learner's code ran; gradients are the ones autograd puts into the inputs'
 * .grad. Any correct form passes: kit ops, logSoftmax + gather, the kit's own crossEntropy, one-pass loops in a
 * custom op, float32 or float64 accumulation.
 *
 * Which check names which catalogued mistake (lessons/01c-mlp/mistakes.ts):
 *   check                                                         names
 *   mseLoss: ...                                                  mse-broadcast (PyTorch's convention)
 *   crossEntropyLoss: a hand-worked case and random logits ...    ce-on-probabilities, mse-for-classification, ce-sum
 *   crossEntropyLoss: extreme logits ...                          softmax-then-log
 *   crossEntropyLoss: a confidently wrong prediction ...          mse-for-classification
 *   crossEntropyLoss throws ...                                   (none)
 *   bceWithLogitsLoss: hand-worked ...                            (none: values and gradients)
 *   bceWithLogitsLoss: extreme logits ... and logit 0             bce-unstable, bce-grad-at-zero
 *   bceWithLogitsLoss throws ...                                  (none)
 */
import { type CheckContext, defineChecks, describeType, expectClose, expectTrue, expectUnchanged, fail, isTensorLike, mistake, snapshot, t } from '@llm-lab/check';
import { mlpCopy, mlpRefBce, mlpRefCrossEntropy, mlpRefMse, mlpTensor, mlpWrongCrossEntropies } from '@llm-lab/course/foundations';
import type { Tensor } from '@llm-lab/kit';
import { MLP_MISTAKES as M } from './mistakes';

type Learner = typeof import('./losses');

function uniformValues(ctx: CheckContext, n: number, scale: number): number[] {
  return Array.from({ length: n }, () => (2 * ctx.random() - 1) * scale);
}

/** Calls the loss, checks the inputs are unchanged and a scalar tensor came back; returns its value. */
function scalar(f: () => unknown, inputs: Tensor[], what: string): Tensor {
  const before = inputs.map(snapshot);
  const y = f();
  inputs.forEach((x, i) => expectUnchanged(x, before[i], `input ${i + 1} of ${what}`));
  if (!isTensorLike(y)) {
    const got = describeType(y);
    fail(t(`${what} returned ${got.en}; expected a scalar Tensor.`, `${what} 返回了${got['zh-cn']}；应返回标量 Tensor。`),
      { hint: y === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  expectTrue(y.size === 1, t(`${what} has shape (${y.shape.join(', ')}); a loss is one number, the mean.`, `${what} 的形状是 (${y.shape.join(', ')})；损失是一个数，即平均值。`),
    t('Reduce with mean(...) over every element.', '用 mean(...) 对所有元素求平均。'));
  return y;
}

/** backward() on the loss and the gradient that reached x (zeros if none). */
function gradOfLoss(loss: Tensor, x: Tensor, what: string): Float32Array {
  expectTrue(loss.requiresGrad, t(`${what} does not require grad though its input does: build it from kit ops so autograd can go back through it.`,
    `输入需要梯度，${what} 却不需要：请用库里的运算搭建它，自动求导才能穿过它。`));
  loss.backward();
  return x.grad ?? new Float32Array(x.size);
}

const CE_HINT = t('loss = mean over rows of logsumexp(logits_n) - logits_n[t_n], with the row max subtracted inside the logsumexp.', 'loss = 对各行的 logsumexp(logits_n) - logits_n[t_n] 取平均，logsumexp 内部先减去该行最大值。');
const BCE_HINT = t('loss = mean of softplus(x) - x·y, softplus(x) = c + log(e^{-c} + e^{x - c}) with c = max(x, 0) a constant.', 'loss = softplus(x) - x·y 的平均，softplus(x) = c + log(e^{-c} + e^{x - c})，c = max(x, 0) 取常量。');

/** The known wrong cross-entropies for these logits and targets (copies), as misconceptions. */
function ceMisconceptions(copy: ArrayLike<number>, N: number, C: number, targets: number[]) {
  const wrong = mlpWrongCrossEntropies(copy, N, C, targets);
  return [
    { value: wrong.onProbs, ...M['ce-on-probabilities'] },
    ...[...wrong.mseProbs, ...wrong.mseLogits].map((value) => ({ value, ...M['mse-for-classification'] })),
    ...(N > 1 ? [{ value: wrong.sum, ...M['ce-sum'] }] : []),
  ];
}

function ceCase(m: Learner, logitsValues: number[], N: number, C: number, targets: number[], rtol = 1e-5) {
  const x = mlpTensor(logitsValues, [N, C], true);
  const copy = mlpCopy(x);
  const tg = [...targets];
  const what = `crossEntropyLoss(logits (${N}, ${C}), targets)`;
  const loss = scalar(() => m.crossEntropyLoss(x, targets), [x], what);
  expectTrue(targets.every((v, i) => v === tg[i]), t(`${what} changed targets.`, `${what} 修改了 targets。`));
  const ref = mlpRefCrossEntropy(copy, N, C, tg);
  return { x, copy, tg, loss, ref, what };
}

export default defineChecks<Learner>({
  exports: ['mseLoss', 'crossEntropyLoss', 'bceWithLogitsLoss'],
  checks: [
    {
      name: t('mseLoss: hand-worked values, mean over every element, its gradient, and a shape mismatch throws', 'mseLoss：手算取值、对所有元素求平均、梯度，以及形状不符时抛出错误'),
      task: 'mseLoss',
      run: (m, ctx) => {
        const hand = scalar(() => m.mseLoss(mlpTensor([1, 2, 3, 4], [2, 2]), mlpTensor([0, 2, 5, 4], [2, 2])), [], 'mseLoss(pred, target)');
        expectClose(hand.item(), 1.25, { what: 'mseLoss([[1, 2], [3, 4]], [[0, 2], [5, 4]])', hint: t('(1 + 0 + 4 + 0) / 4 = 1.25: the mean over all 4 elements.', '(1 + 0 + 4 + 0) / 4 = 1.25：对全部 4 个元素求平均。') });
        for (const shape of [[7], [3, 5], [2, 3, 4]]) {
          const n = shape.reduce((p, d) => p * d, 1);
          const p = mlpTensor(uniformValues(ctx, n, 3), shape, true);
          const q = mlpTensor(uniformValues(ctx, n, 3), shape);
          const ref = mlpRefMse(mlpCopy(p), mlpCopy(q));
          const what = `mseLoss(pred (${shape.join(', ')}), target)`;
          const loss = scalar(() => m.mseLoss(p, q), [p, q], what);
          expectClose(loss.item(), ref.loss, { what, rtol: 1e-5, atol: 1e-6, misconceptions: [{ value: ref.loss * n, message: t('That is the sum of the squared errors; mseLoss is their mean.', '这是平方误差之和；mseLoss 应为它们的平均。'), hint: t('mean(mul(d, d)).', 'mean(mul(d, d))。') }] });
          expectClose(gradOfLoss(loss, p, what), ref.grad, { what: `pred.grad after ${what}.backward()`, rtol: 1e-4, atol: 1e-6, hint: t('d/dpred mean((pred - target)²) = 2 (pred - target) / n.', 'd/dpred mean((pred - target)²) = 2 (pred - target) / n。') });
        }
        for (const [a, b] of [[[3], [4]], [[2, 3], [3, 2]], [[4, 1], [4]]]) {
          let threw = false;
          try { m.mseLoss(mlpTensor(new Array(a.reduce((p, d) => p * d, 1)).fill(1), a), mlpTensor(new Array(b.reduce((p, d) => p * d, 1)).fill(0), b)); } catch { threw = true; }
          if (!threw) fail(...mistake(M['mse-broadcast'], { actual: { kind: 'text', text: `mseLoss(pred (${a.join(', ')}), target (${b.join(', ')})) returned` } }));
        }
      },
    },
    {
      name: t('crossEntropyLoss: a hand-worked case and random logits, values and gradients', 'crossEntropyLoss：手算例子与随机 logits，取值与梯度'),
      task: 'crossEntropyLoss',
      run: (m, ctx) => {
        // Row 0: logits [0, 0], target 1 -> log 2; row 1: [0, ln 3], target 0 -> -log(1/4) = log 4. Mean: 1.5 log 2.
        const hand = ceCase(m, [0, 0, 0, Math.log(3)], 2, 2, [1, 0]);
        expectClose(hand.loss.item(), 1.5 * Math.LN2, { what: 'crossEntropyLoss([[0, 0], [0, ln 3]], [1, 0])', rtol: 1e-5, hint: CE_HINT,
          misconceptions: ceMisconceptions(hand.copy, 2, 2, hand.tg) });
        for (const [N, C, scale] of [[4, 3, 2], [6, 5, 4], [3, 7, 8], [1, 4, 1]]) {
          const targets = Array.from({ length: N }, () => Math.floor(ctx.random() * C));
          const c = ceCase(m, uniformValues(ctx, N * C, scale), N, C, targets);
          expectClose(c.loss.item(), c.ref.loss, { what: c.what, rtol: 1e-5, atol: 1e-6, hint: CE_HINT, misconceptions: ceMisconceptions(c.copy, N, C, c.tg) });
          expectClose(gradOfLoss(c.loss, c.x, c.what), c.ref.grad, { what: `logits.grad after ${c.what}.backward()`, rtol: 1e-4, atol: 1e-6,
            hint: t('The gradient is (softmax(logits) - onehot(targets)) / N: build the loss from kit ops and autograd gives exactly that.', '梯度是 (softmax(logits) - onehot(targets)) / N：用库里的运算搭出损失，自动求导就会给出它。') });
        }
      },
    },
    {
      name: t('crossEntropyLoss: extreme logits (±1000) give the exact, finite loss and gradient', 'crossEntropyLoss：极端 logits（±1000）给出精确、有限的损失和梯度'),
      task: 'crossEntropyLoss',
      run: (m) => {
        // Row losses: 2000 (target at -1000, max 1000), 0 (target is the max), log 2 (two equal maxima), 1000 + log 2.
        const logits = [1000, -1000, 0, 1000, -1000, 0, 1000, 1000, -1000, -1000, 0, 0];
        const c = ceCase(m, logits, 4, 3, [1, 0, 1, 0]);
        const v = c.loss.item();
        if (!Number.isFinite(v)) fail(...mistake(M['softmax-then-log'], { actual: { kind: 'number', value: v } }));
        expectClose(v, c.ref.loss, { what: c.what, rtol: 1e-6, hint: CE_HINT });
        const g = gradOfLoss(c.loss, c.x, c.what);
        if (!Array.from(g).every(Number.isFinite)) fail(...mistake(M['softmax-then-log'], { actual: { kind: 'text', text: `logits.grad = [${Array.from(g).join(', ')}]` } }));
        expectClose(g, c.ref.grad, { what: `logits.grad after ${c.what}.backward()`, rtol: 1e-5, atol: 1e-6, hint: CE_HINT });
      },
    },
    {
      name: t('crossEntropyLoss: a confidently wrong prediction gets a strong gradient', 'crossEntropyLoss：自信但错误的预测得到很强的梯度'),
      task: 'crossEntropyLoss',
      run: (m) => {
        // The model says class 0 with probability 1 - 2e-9; the target is class 1.
        const c = ceCase(m, [10, -10, 0, 10, -10, 0], 2, 3, [1, 2]);
        const g = gradOfLoss(c.loss, c.x, c.what);
        const push = -g[1]; // how hard the target logit of row 0 is pushed up
        if (Number.isFinite(push) && Math.abs(push) < 0.1) fail(...mistake(M['mse-for-classification'], { actual: { kind: 'text', text: `-dloss/dlogits[0][1] = ${push}` } }));
        expectClose(c.loss.item(), c.ref.loss, { what: c.what, rtol: 1e-5, hint: CE_HINT });
        expectClose(g, c.ref.grad, { what: `logits.grad after ${c.what}.backward()`, rtol: 1e-4, atol: 1e-6, hint: CE_HINT });
      },
    },
    {
      name: t('crossEntropyLoss throws on logits that are not 2-D and on wrong targets', 'crossEntropyLoss 在 logits 不是二维或目标有误时抛出错误'),
      task: 'crossEntropyLoss',
      run: (m) => {
        const logits = () => mlpTensor([1, 2, 3, 4, 5, 6], [2, 3]);
        // Valid arguments first: a function that throws on everything is not validating.
        const ok = scalar(() => m.crossEntropyLoss(logits(), [0, 2]), [], 'crossEntropyLoss(logits (2, 3), [0, 2])');
        expectClose(ok.item(), mlpRefCrossEntropy([1, 2, 3, 4, 5, 6], 2, 3, [0, 2]).loss, { what: 'crossEntropyLoss([[1, 2, 3], [4, 5, 6]], [0, 2])', rtol: 1e-5, hint: CE_HINT });
        const cases: [() => unknown, string][] = [
          [() => m.crossEntropyLoss(logits(), [0]), 'crossEntropyLoss(logits (2, 3), [0])'],
          [() => m.crossEntropyLoss(logits(), [0, 1, 2]), 'crossEntropyLoss(logits (2, 3), [0, 1, 2])'],
          [() => m.crossEntropyLoss(logits(), [0, 3]), 'crossEntropyLoss(logits (2, 3), [0, 3])'],
          [() => m.crossEntropyLoss(logits(), [-1, 0]), 'crossEntropyLoss(logits (2, 3), [-1, 0])'],
          [() => m.crossEntropyLoss(logits(), [0.5, 1]), 'crossEntropyLoss(logits (2, 3), [0.5, 1])'],
          [() => m.crossEntropyLoss(mlpTensor([1, 2, 3, 4, 5, 6], [6]), [0, 1, 2, 0, 1, 2]), 'crossEntropyLoss(logits (6), [...])'],
        ];
        for (const [f, what] of cases) {
          let threw = false;
          try { f(); } catch { threw = true; }
          expectTrue(threw, t(`${what} should throw.`, `${what} 应当抛出错误。`),
            t('Validate first: logits.shape.length === 2, targets.length === N, every target an integer with 0 <= t < C.', '先做校验：logits.shape.length === 2，targets.length === N，每个目标都是满足 0 <= t < C 的整数。'));
        }
      },
    },
    {
      name: t('bceWithLogitsLoss: hand-worked case, random logits and soft targets, values and gradients', 'bceWithLogitsLoss：手算例子、随机 logits 与软目标，取值与梯度'),
      task: 'bceWithLogitsLoss',
      run: (m, ctx) => {
        const settings: [number[], boolean][] = [[[4], false], [[3, 5], false], [[2, 3, 2], true]];
        const hand = mlpTensor([Math.log(3), -Math.log(3)], [2], true);
        const handLoss = scalar(() => m.bceWithLogitsLoss(hand, mlpTensor([1, 1], [2])), [hand], 'bceWithLogitsLoss([ln 3, -ln 3], [1, 1])');
        expectClose(handLoss.item(), (Math.log(4 / 3) + Math.log(4)) / 2, { what: 'bceWithLogitsLoss([ln 3, -ln 3], [1, 1])', rtol: 1e-5,
          hint: t('sigmoid(ln 3) = 3/4 and sigmoid(-ln 3) = 1/4: the loss is (-log 3/4 - log 1/4) / 2.', 'sigmoid(ln 3) = 3/4，sigmoid(-ln 3) = 1/4：损失是 (-log 3/4 - log 1/4) / 2。') });
        for (const [shape, soft] of settings) {
          const n = shape.reduce((p, d) => p * d, 1);
          const x = mlpTensor(uniformValues(ctx, n, 5), shape, true);
          const y = mlpTensor(Array.from({ length: n }, () => (soft ? ctx.random() : ctx.random() < 0.5 ? 0 : 1)), shape);
          const ref = mlpRefBce(mlpCopy(x), mlpCopy(y));
          const what = `bceWithLogitsLoss(logits (${shape.join(', ')}), ${soft ? 'soft ' : ''}targets)`;
          const loss = scalar(() => m.bceWithLogitsLoss(x, y), [x, y], what);
          expectClose(loss.item(), ref.loss, { what, rtol: 1e-5, atol: 1e-6, hint: BCE_HINT });
          expectClose(gradOfLoss(loss, x, what), ref.grad, { what: `logits.grad after ${what}.backward()`, rtol: 1e-4, atol: 1e-6,
            hint: t('The gradient is (sigmoid(x) - y) / n.', '梯度是 (sigmoid(x) - y) / n。') });
        }
      },
    },
    {
      name: t('bceWithLogitsLoss: extreme logits (±1000) and logit 0, values and gradients', 'bceWithLogitsLoss：极端 logits（±1000）与 logit 0，取值与梯度'),
      task: 'bceWithLogitsLoss',
      run: (m) => {
        const xs = [1000, -1000, 1000, -1000, 0, 0, 0];
        const ys = [1, 0, 0, 1, 1, 0, 0.25];
        const x = mlpTensor(xs, [7], true);
        const y = mlpTensor(ys, [7]);
        const ref = mlpRefBce(xs, ys);
        const what = 'bceWithLogitsLoss([1000, -1000, 1000, -1000, 0, 0, 0], [1, 0, 0, 1, 1, 0, 0.25])';
        const loss = scalar(() => m.bceWithLogitsLoss(x, y), [x, y], what);
        const v = loss.item();
        if (!Number.isFinite(v)) fail(...mistake(M['bce-unstable'], { actual: { kind: 'number', value: v } }));
        expectClose(v, ref.loss, { what, rtol: 1e-6, hint: BCE_HINT });
        const g = Array.from(gradOfLoss(loss, x, what));
        if (!g.every(Number.isFinite)) fail(...mistake(M['bce-unstable'], { actual: { kind: 'text', text: `logits.grad = [${g.join(', ')}]` } }));
        const atZero = [4, 5, 6];
        const zeroWrong = atZero.some((i) => Math.abs(g[i] - ref.grad[i]) > 1e-4) && atZero.every((i) => Math.abs(g[i] - ref.grad[i]) > 1e-4 || ys[i] === 0.5);
        if (zeroWrong && [0, 1, 2, 3].every((i) => Math.abs(g[i] - ref.grad[i]) <= 1e-5)) {
          fail(...mistake(M['bce-grad-at-zero'], { actual: { kind: 'text', text: `n · logits.grad at x = 0: [${atZero.map((i) => (g[i] * 7).toFixed(4)).join(', ')}], expected [0.5 - y] = [${atZero.map((i) => (0.5 - ys[i]).toFixed(4)).join(', ')}]` } }));
        }
        expectClose(g, ref.grad, { what: `logits.grad after ${what}.backward()`, rtol: 1e-5, atol: 1e-6, hint: t('The gradient is (sigmoid(x) - y) / n: at x = ±1000 that is 0 or ±1/n, at x = 0 it is (0.5 - y) / n.', '梯度是 (sigmoid(x) - y) / n：x = ±1000 时为 0 或 ±1/n，x = 0 时为 (0.5 - y) / n。') });
      },
    },
    {
      name: t('bceWithLogitsLoss throws when logits and targets differ in shape', 'bceWithLogitsLoss 在 logits 与 targets 形状不同时抛出错误'),
      task: 'bceWithLogitsLoss',
      run: (m) => {
        // Valid arguments first: a function that throws on everything is not validating.
        const ok = scalar(() => m.bceWithLogitsLoss(mlpTensor([2, -1, 0], [3, 1]), mlpTensor([1, 0, 1], [3, 1])), [], 'bceWithLogitsLoss(logits (3, 1), targets (3, 1))');
        expectClose(ok.item(), mlpRefBce([2, -1, 0], [1, 0, 1]).loss, { what: 'bceWithLogitsLoss([[2], [-1], [0]], [[1], [0], [1]])', rtol: 1e-5, hint: BCE_HINT });
        for (const [a, b] of [[[3], [4]], [[2, 3], [3, 2]], [[4, 1], [4]]]) {
          let threw = false;
          try { m.bceWithLogitsLoss(mlpTensor(new Array(a.reduce((p, d) => p * d, 1)).fill(1), a), mlpTensor(new Array(b.reduce((p, d) => p * d, 1)).fill(0), b)); } catch { threw = true; }
          expectTrue(threw, t(`bceWithLogitsLoss(logits (${a.join(', ')}), targets (${b.join(', ')})) should throw: the shapes differ.`, `bceWithLogitsLoss(logits (${a.join(', ')}), targets (${b.join(', ')})) 应当抛出错误：形状不同。`),
            t('Compare the shapes (length and every dim) and throw if they differ, as PyTorch does.', '比较形状（维数和每一维），不同就抛出错误，与 PyTorch 一样。'));
        }
      },
    },
  ],
});
