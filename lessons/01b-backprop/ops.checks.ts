/**
 * Checks for the backprop lesson (backprop/ops): the backward passes of five of the kit's core ops, on NDArrays.
 *
 * Two independent references for every function: central finite differences of a float64 forward pass (from float64
 * copies of the inputs, taken before the learner's function sees them), and the kit's own autograd (backward() through
 * add, matmul, softmax, crossEntropy and layerNorm) on the same inputs. Inputs are random (ctx.random), with new leading
 * axes, size-1 axes, square and non-square matrices, every softmax axis (negative ones too), N = 1 and N > 1, and
 * several eps. Every function must leave its inputs unchanged. Loops over .data and kit ops are both accepted, and so
 * is float64 or float32 accumulation (tolerance 1e-4 relative, 1e-5 absolute).
 *
 * Which check names which catalogued mistake (lessons/01b-backprop/mistakes.ts):
 *   check                                              names
 *   sumToShape: a hand example ...                     broadcast-not-summed, size-one-not-summed, broadcast-mean
 *   sumToShape: random gradients ...                   broadcast-not-summed, size-one-not-summed, broadcast-mean
 *   sumToShape: throws ...                             (none: a shape that does not broadcast must throw)
 *   matmulBackward: a hand example ...                 matmul-transposed (transposed shape)
 *   matmulBackward: matches central finite ...         matmul-transposed (transposed shape)
 *   matmulBackward: matches the kit's autograd ...     matmul-transposed (the wrong product, on square shapes)
 *   softmaxBackward: a hand example ...                softmax-diagonal
 *   softmaxBackward: matches central finite ...        softmax-diagonal, softmax-wrong-axis
 *   softmaxBackward: matches the kit's autograd ...    softmax-diagonal, softmax-wrong-axis
 *   logSoftmaxNllBackward: a hand example ...          nll-not-mean, nll-sign
 *   logSoftmaxNllBackward: matches finite ...          nll-not-mean (only where N > 1), nll-sign
 *   logSoftmaxNllBackward: extreme logits ...          nll-unstable
 *   layerNormBackward: matches central finite ...      layernorm-direct-only, layernorm-no-var-term, layernorm-no-mean-term,
 *                                                      broadcast-not-summed (dγ or dβ with x's shape), layernorm-annotated
 *                                                      (The Annotated Transformer's convention: unbiased std, eps outside the root)
 *   layerNormBackward: matches the kit's ...           the same
 * A mistake is named only when the learner's numbers are that mistake's numbers (computed by the float64 reference's
 * wrong variants); size-one-not-summed only when it explains every case of the check, one of which has new leading
 * axes. Anything else fails with the first value that differs, expected against actual.
 */
import {
  type CheckContext, defineChecks, describeType, expectClose, expectCloseLazy, expectShape, expectTensorField, expectThrows, expectTrue, expectUnchanged, fail, fmt,
  isTensorLike, mistake, randomTensor, show, snapshot, t, withShapeAdvice,
} from '@llm-lab/check';
import {
  type BackpropArr, type BackpropArr64, backpropAllClose, backpropCopy64, backpropDot, backpropLayerNorm64, backpropLayerNormAnnotated64, backpropLayerNormBackward64, backpropMatmul64,
  backpropMatmulWrong64, backpropNll64, backpropNllBackward64, backpropNumericGrad, backpropSoftmax64, backpropSoftmaxBackward64, backpropSumToShape64,
} from '@llm-lab/course/foundations';
import { type Tensor, add, crossEntropy, layerNorm, matmul, softmax, tensor, zeros } from '@llm-lab/kit';
import { BACKPROP_MISTAKES as M } from './mistakes';

type Learner = typeof import('./ops');

const RTOL = 1e-4;
const ATOL = 1e-5;

const SHAPE_ADVICE = t(
  'Every gradient has the shape of the input it is the gradient of: sumToShape returns `shape`, matmulBackward (m, k) and (k, n), softmaxBackward and layerNormBackward\'s gradX the shape of y or x, gradGamma and gradBeta (C).',
  '每个梯度都与它对应的输入同形：sumToShape 返回 `shape`，matmulBackward 返回 (m, k) 和 (k, n)，softmaxBackward 和 layerNormBackward 的 gradX 与 y 或 x 同形，gradGamma 和 gradBeta 是 (C)。',
);

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Calls the learner with inputs it must leave alone: snapshots before, compared after. */
function call<T>(inputs: [string, BackpropArr][], fn: () => T): T {
  const before = inputs.map(([, v]) => snapshot(v));
  const out = withShapeAdvice(fn, SHAPE_ADVICE);
  inputs.forEach(([name, v], i) => expectUnchanged(v, before[i], name));
  return out;
}

/** Fails unless `v` is an NDArray (a { data, shape } with a typed array, a kit Tensor qualifies). */
function expectArray(v: unknown, what: string): Tensor {
  if (!isTensorLike(v)) {
    const got = describeType(v);
    fail(t(`${what} returned ${got.en}; expected an NDArray { data, shape }.`, `${what} 返回了${got['zh-cn']}；应返回 NDArray { data, shape }。`),
      { hint: v === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  return v;
}

/** Uniform values in [-scale, scale) as a float32 tensor. */
const rand = (ctx: CheckContext, shape: number[], scale = 1) => randomTensor(ctx, shape, scale);

const f32 = (a: BackpropArr64): Tensor => tensor(Float32Array.from(a.data), a.shape);

/** The kit's gradient of `inputs` after backward(g) through `out` (zeros where nothing flowed). */
const kitGrad = (x: Tensor): BackpropArr64 => ({ data: Float64Array.from(x.grad ?? new Float32Array(x.size)), shape: [...x.shape] });

const leaf = (x: BackpropArr) => tensor(Float32Array.from(x.data), [...x.shape], { requiresGrad: true });

// --- sumToShape --------------------------------------------------------------------------------------------------

interface SumCase { grad: Tensor; shape: number[]; expected?: BackpropArr }

const SUM_HINT = t(
  'Sum grad over its new leading axes and over every axis where `shape` has size 1; the result has exactly `shape`.',
  '对 grad 新增的前导维度，以及 `shape` 中大小为 1 的每个维度求和；结果的形状恰好是 `shape`。',
);

/**
 * Runs sumToShape on every case and compares with `expected` (default: the float64 sum). Names size-one-not-summed
 * only when the learner's results are the "leading axes only" sums on every case and at least one case has new leading
 * axes where that differs from doing nothing; a result with grad's own shape is broadcast-not-summed; averaging is named
 * where its values are the learner's.
 */
function checkSumToShape(m: Learner, cases: SumCase[]): void {
  const runs = cases.map((c) => {
    const what = `sumToShape(grad ${fmt(c.grad.shape)}, [${c.shape.join(', ')}])`;
    const copy = backpropCopy64(c.grad);
    const got = expectArray(call([['grad', c.grad]], () => m.sumToShape(c.grad, [...c.shape])), what);
    return {
      c, what, got, ref: c.expected ?? backpropSumToShape64(copy, c.shape), lead: backpropSumToShape64(copy, c.shape, 'leading-only'),
      mean: backpropSumToShape64(copy, c.shape, 'mean'),
    };
  });
  const leadingOnly = runs.every((r) => backpropAllClose(r.got, r.lead, RTOL, ATOL))
    && runs.some((r) => r.c.shape.length < r.c.grad.shape.length && !sameShape(r.lead.shape, r.c.shape));
  for (const r of runs) {
    if (backpropAllClose(r.got, r.ref, RTOL, ATOL)) continue;
    if (leadingOnly) fail(...mistake(M['size-one-not-summed'], { expected: show(r.ref), actual: show(r.got) }));
    if (sameShape(r.got.shape, r.c.grad.shape) && !sameShape(r.c.grad.shape, r.c.shape)) {
      fail(...mistake(M['broadcast-not-summed'], { expected: show(r.ref), actual: show(r.got) }));
    }
    expectCloseLazy(r.got, r.ref, { what: r.what, rtol: RTOL, atol: ATOL, hint: SUM_HINT }, () => [{ value: r.mean, ...M['broadcast-mean'] }]);
  }
}

// --- matmulBackward ----------------------------------------------------------------------------------------------

function checkMatmul(m: Learner, a: Tensor, b: Tensor, g: Tensor, expected: { gradA: BackpropArr; gradB: BackpropArr }): void {
  const what = `matmulBackward(a ${fmt(a.shape)}, b ${fmt(b.shape)}, gradOut ${fmt(g.shape)})`;
  const [ac, bc, gc] = [a, b, g].map(backpropCopy64);
  const got = call([['a', a], ['b', b], ['gradOut', g]], () => m.matmulBackward(a, b, g));
  const out = { gradA: expectTensorField(got, 'gradA', what, '{ gradA, gradB }'), gradB: expectTensorField(got, 'gradB', what, '{ gradA, gradB }') };
  const inputs = { gradA: ac, gradB: bc };
  for (const key of ['gradA', 'gradB'] as const) {
    const want = inputs[key].shape;
    const t2 = out[key].shape;
    if (t2.length === 2 && want[0] !== want[1] && t2[0] === want[1] && t2[1] === want[0]) {
      fail(...mistake(M['matmul-transposed'], { expected: show(expected[key]), actual: show(out[key]) }));
    }
    expectShape(out[key], want, `${what}.${key}`);
  }
  for (const key of ['gradA', 'gradB'] as const) {
    expectCloseLazy(out[key], expected[key], { what: `${what}.${key}`, rtol: RTOL, atol: ATOL,
      hint: t('dA = dC Bᵀ and dB = Aᵀ dC.', 'dA = dC Bᵀ，dB = Aᵀ dC。') },
    () => backpropMatmulWrong64(ac, bc, gc)[key].filter((w) => sameShape(w.shape, inputs[key].shape)).map((w) => ({ value: w, ...M['matmul-transposed'] })));
  }
}

// --- softmaxBackward ---------------------------------------------------------------------------------------------

/** softmaxBackward(y, g, axis) against `expected`, naming the diagonal Jacobian and a sum along another axis. */
function checkSoftmax(m: Learner, y: Tensor, g: Tensor, axis: number, expected: BackpropArr): void {
  const what = `softmaxBackward(y ${fmt(y.shape)}, gradOut, ${axis})`;
  const [yc, gc] = [y, g].map(backpropCopy64);
  const got = expectArray(call([['y', y], ['gradOut', g]], () => m.softmaxBackward(y, g, axis)), what);
  const ax = axis < 0 ? axis + y.shape.length : axis;
  expectCloseLazy(got, expected, { what, rtol: RTOL, atol: ATOL,
    hint: t('dx = y ⊙ (g − Σ g ⊙ y), the sum taken along `axis` within each slice.', 'dx = y ⊙ (g − Σ g ⊙ y)，在每个切片内沿 `axis` 求和。') },
  () => [
    { value: backpropSoftmaxBackward64(yc, gc, ax, 'diagonal'), ...M['softmax-diagonal'] },
    ...y.shape.map((size, b) => (b !== ax && size > 1 ? { value: backpropSoftmaxBackward64(yc, gc, ax, 'right', b), ...M['softmax-wrong-axis'] } : undefined)),
  ]);
}

// --- logSoftmaxNllBackward ---------------------------------------------------------------------------------------

function checkNll(m: Learner, logits: Tensor, targets: ArrayLike<number>, expected: BackpropArr, what: string): Tensor {
  const lc = backpropCopy64(logits);
  const tc = Array.from(targets);
  const tBefore = Array.from(targets);
  const got = expectArray(call([['logits', logits]], () => m.logSoftmaxNllBackward(logits, targets)), what);
  expectTrue(Array.from(targets).every((v, i) => v === tBefore[i]), t(`${what} changed its targets: leave them as they are.`, `${what} 修改了 targets：请保持它们不变。`));
  expectCloseLazy(got, expected, { what, rtol: RTOL, atol: ATOL,
    hint: t('dlogits = (softmax(logits) − onehot(targets)) / N, row by row.', 'dlogits = (softmax(logits) − onehot(targets)) / N，逐行计算。') },
  () => [
    { value: backpropNllBackward64(lc, tc, 'sum'), ...M['nll-not-mean'] },
    { value: backpropNllBackward64(lc, tc, 'sign'), ...M['nll-sign'] },
  ]);
  return got;
}

// --- layerNormBackward -------------------------------------------------------------------------------------------

interface LNCase { x: Tensor; gamma: Tensor; beta: Tensor; g: Tensor; eps: number }

function randomLN(ctx: CheckContext, shape: number[], eps: number): LNCase {
  const C = shape[shape.length - 1];
  const x = rand(ctx, shape, 2);
  const gamma = tensor(Float32Array.from({ length: C }, () => 0.5 + ctx.random() * 1.5), [C]);
  return { x, gamma, beta: rand(ctx, [C], 1), g: rand(ctx, shape, 1), eps };
}

function checkLayerNorm(m: Learner, c: LNCase, expected: { gradX: BackpropArr; gradGamma: BackpropArr; gradBeta: BackpropArr }): void {
  const what = `layerNormBackward(x ${fmt(c.x.shape)}, gamma, beta, gradOut, ${c.eps})`;
  const [xc, gc, bc, dc] = [c.x, c.gamma, c.beta, c.g].map(backpropCopy64);
  const got = call([['x', c.x], ['gamma', c.gamma], ['beta', c.beta], ['gradOut', c.g]], () => m.layerNormBackward(c.x, c.gamma, c.beta, c.g, c.eps));
  const shape = '{ gradX, gradGamma, gradBeta }';
  const out = { gradX: expectTensorField(got, 'gradX', what, shape), gradGamma: expectTensorField(got, 'gradGamma', what, shape), gradBeta: expectTensorField(got, 'gradBeta', what, shape) };
  for (const key of ['gradGamma', 'gradBeta'] as const) {
    if (!sameShape(out[key].shape, expected[key].shape) && sameShape(out[key].shape, c.x.shape)) {
      fail(...mistake(M['broadcast-not-summed'], { expected: show(expected[key]), actual: show(out[key]) }));
    }
  }
  expectCloseLazy(out.gradX, expected.gradX, { what: `${what}.gradX`, rtol: RTOL, atol: ATOL,
    hint: t('dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) per row, ĝ = g ⊙ γ, rstd = 1/sqrt(var + eps).', '每一行 dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))，ĝ = g ⊙ γ，rstd = 1/sqrt(var + eps)。') },
  () => [
    ...(['direct-only', 'no-var-term', 'no-mean-term'] as const).map((v) => ({ value: backpropLayerNormBackward64(xc, gc, dc, c.eps, v).gradX, ...M[`layernorm-${v}`] })),
    // The Annotated Transformer's LayerNorm (unbiased std, eps outside the root): its gradient by finite differences.
    { value: { data: backpropNumericGrad(() => backpropDot(backpropLayerNormAnnotated64(xc, gc, bc, c.eps).data, dc.data), xc.data), shape: [...xc.shape] }, ...M['layernorm-annotated'] },
  ]);
  expectClose(out.gradGamma, expected.gradGamma, { what: `${what}.gradGamma`, rtol: RTOL, atol: ATOL,
    hint: t('dγ = Σ over the rows of g ⊙ x̂.', 'dγ = 对所有行求 g ⊙ x̂ 的和。') });
  expectClose(out.gradBeta, expected.gradBeta, { what: `${what}.gradBeta`, rtol: RTOL, atol: ATOL,
    hint: t('dβ = Σ over the rows of g.', 'dβ = 对所有行求 g 的和。') });
}

export default defineChecks<Learner>({
  exports: ['sumToShape', 'matmulBackward', 'softmaxBackward', 'logSoftmaxNllBackward', 'layerNormBackward'],
  checks: [
    {
      name: t('sumToShape: a hand example, (2, 3) summed to (3), (1, 3), (2, 1), (1) and ()', 'sumToShape：手算的例子，把 (2, 3) 求和到 (3)、(1, 3)、(2, 1)、(1) 和 ()'),
      task: 'sumToShape',
      run: (m) => {
        // grad = [[1, 2, 3], [4, 5, 6]]: columns sum to [5, 7, 9], rows to [6, 15], everything to 21.
        const grad = () => tensor([[1, 2, 3], [4, 5, 6]]);
        checkSumToShape(m, [
          { grad: grad(), shape: [3], expected: tensor([5, 7, 9]) },
          { grad: grad(), shape: [1, 3], expected: tensor([[5, 7, 9]]) },
          { grad: grad(), shape: [2, 1], expected: tensor([[6], [15]]) },
          { grad: grad(), shape: [1], expected: tensor([21]) },
          { grad: grad(), shape: [], expected: tensor(21) },
          { grad: grad(), shape: [2, 3], expected: tensor([[1, 2, 3], [4, 5, 6]]) },
        ]);
      },
    },
    {
      name: t('sumToShape: random gradients, new leading axes and size-1 axes, against the kit\'s broadcasting add', 'sumToShape：随机梯度、新增的前导维度和大小为 1 的维度，与库中带广播的 add 对照'),
      task: 'sumToShape',
      run: (m, ctx) => {
        const cases: [number[], number[]][] = [
          [[2, 3, 4], [3, 1]], [[2, 3, 4], [4]], [[2, 3, 4], [1, 4]], [[2, 3, 4], [2, 1, 4]], [[2, 3, 4], [1, 1, 1]], [[2, 3, 4], []],
          [[2, 3, 4], [2, 3, 4]], [[4, 1, 3], [1, 3]], [[2, 5, 1, 3], [5, 1, 1]], [[6], [1]],
        ];
        checkSumToShape(m, cases.map(([gs, shape]) => {
          const grad = rand(ctx, gs, 1);
          // The kit's autograd: a of `shape` broadcast by add to grad's shape, backward(grad) leaves sumToShape in a.grad.
          const a = zeros(shape, { requiresGrad: true });
          add(a, zeros(gs)).backward(grad);
          return { grad, shape, expected: kitGrad(a) };
        }));
      },
    },
    {
      name: t('sumToShape: throws when the shape does not broadcast to the gradient\'s', 'sumToShape：当 shape 不能广播成梯度的形状时抛出错误'),
      task: 'sumToShape',
      run: (m, ctx) => {
        // A function that always throws is not what this checks: shapes that do broadcast must still work.
        checkSumToShape(m, [{ grad: tensor([[1, 2], [3, 4], [5, 6]]), shape: [2], expected: tensor([9, 12]) }, { grad: tensor([[1, 2], [3, 4], [5, 6]]), shape: [3, 1], expected: tensor([[3], [7], [11]]) }]);
        for (const [gs, shape] of [[[2, 3], [2]], [[2, 3], [4, 3]], [[3], [2, 3]], [[2, 3], [3, 2]], [[2, 3, 4], [3, 1, 1, 4]]] as [number[], number[]][]) {
          const grad = rand(ctx, gs, 1);
          expectThrows(() => m.sumToShape(grad, shape), `sumToShape(grad ${fmt(gs)}, [${shape.join(', ')}])`,
            t('Compare the shapes from the right first: each size of `shape` must equal grad\'s or be 1, and `shape` cannot have more axes than grad. Otherwise throw an Error.',
              '先从右往左比较形状：`shape` 的每个大小必须等于 grad 对应的大小，或者是 1，而且 `shape` 的维数不能比 grad 多。否则抛出 Error。'));
        }
      },
    },
    {
      name: t('matmulBackward: a hand example, (2, 3) @ (3, 2)', 'matmulBackward：手算的例子，(2, 3) @ (3, 2)'),
      task: 'matmulBackward',
      run: (m) => {
        // A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, 1]], dC = [[1, 2], [3, 4]]:
        // dA = dC Bᵀ = [[1, 2, 3], [3, 4, 7]]; dB = Aᵀ dC = [[13, 18], [17, 24], [21, 30]].
        const a = tensor([[1, 2, 3], [4, 5, 6]]);
        const b = tensor([[1, 0], [0, 1], [1, 1]]);
        const g = tensor([[1, 2], [3, 4]]);
        checkMatmul(m, a, b, g, { gradA: tensor([[1, 2, 3], [3, 4, 7]]), gradB: tensor([[13, 18], [17, 24], [21, 30]]) });
      },
    },
    {
      name: t('matmulBackward: matches central finite differences on non-square shapes', 'matmulBackward：在非方阵形状上与中心有限差分一致'),
      task: 'matmulBackward',
      run: (m, ctx) => {
        for (const [mm, k, n] of [[3, 4, 5], [1, 6, 2], [5, 1, 3]]) {
          const [a, b, g] = [rand(ctx, [mm, k]), rand(ctx, [k, n]), rand(ctx, [mm, n])];
          const [A, B] = [backpropCopy64(a), backpropCopy64(b)];
          const L = () => backpropDot(backpropMatmul64(A, B).data, g.data);
          checkMatmul(m, a, b, g, { gradA: { data: backpropNumericGrad(L, A.data), shape: [mm, k] }, gradB: { data: backpropNumericGrad(L, B.data), shape: [k, n] } });
        }
      },
    },
    {
      name: t('matmulBackward: matches the kit\'s autograd, square shapes included', 'matmulBackward：与库的自动求导一致，包括方阵'),
      task: 'matmulBackward',
      run: (m, ctx) => {
        for (const [mm, k, n] of [[4, 4, 4], [3, 3, 5], [5, 3, 3], [2, 7, 6]]) {
          const [a, b, g] = [rand(ctx, [mm, k]), rand(ctx, [k, n]), rand(ctx, [mm, n])];
          const [A, B] = [leaf(a), leaf(b)];
          matmul(A, B).backward(g);
          checkMatmul(m, a, b, g, { gradA: kitGrad(A), gradB: kitGrad(B) });
        }
      },
    },
    {
      name: t('softmaxBackward: a hand example, one row of three', 'softmaxBackward：手算的例子，一行三个数'),
      task: 'softmaxBackward',
      run: (m, ctx) => {
        // y = (0.5, 0.25, 0.25), g = (1, 0, 0): Σ g ⊙ y = 0.5, dx = y ⊙ (g − 0.5) = (0.25, −0.125, −0.125).
        // The diagonal-only Jacobian would give y (1 − y) g = (0.25, 0, 0): the other two outputs move too.
        const y = [0.5, 0.25, 0.25];
        ctx.artifact({
          kind: 'heatmap',
          title: t('The softmax Jacobian ∂y_i/∂x_j = y_i (δ_ij − y_j) for y = (0.5, 0.25, 0.25): not diagonal', 'softmax 的雅可比矩阵 ∂y_i/∂x_j = y_i (δ_ij − y_j)，y = (0.5, 0.25, 0.25)：不是对角矩阵'),
          rows: ['y0', 'y1', 'y2'], columns: ['x0', 'x1', 'x2'],
          values: y.map((yi, i) => y.map((yj, j) => yi * ((i === j ? 1 : 0) - yj))),
        });
        checkSoftmax(m, tensor(y), tensor([1, 0, 0]), 0, tensor([0.25, -0.125, -0.125]));
        checkSoftmax(m, tensor([y]), tensor([[0, 1, 0]]), -1, tensor([[-0.125, 0.1875, -0.0625]]));
      },
    },
    {
      name: t('softmaxBackward: matches central finite differences along every axis of a (2, 3, 4) tensor', 'softmaxBackward：沿 (2, 3, 4) 张量的每个维度都与中心有限差分一致'),
      task: 'softmaxBackward',
      run: (m, ctx) => {
        for (const axis of [0, 1, 2, -1, -2]) {
          const x = backpropCopy64(rand(ctx, [2, 3, 4], 3));
          const g = rand(ctx, [2, 3, 4], 1);
          const y = f32(backpropSoftmax64(x, axis));
          const L = () => backpropDot(backpropSoftmax64(x, axis).data, g.data);
          checkSoftmax(m, y, g, axis, { data: backpropNumericGrad(L, x.data), shape: [2, 3, 4] });
        }
      },
    },
    {
      name: t('softmaxBackward: matches the kit\'s autograd (rows of one, rows of seven, a nearly one-hot row)', 'softmaxBackward：与库的自动求导一致（长度为 1 的行、长度为 7 的行、接近 one-hot 的行）'),
      task: 'softmaxBackward',
      run: (m, ctx) => {
        const cases: [Tensor, number][] = [
          [rand(ctx, [5, 1], 2), 1], [rand(ctx, [2, 7], 4), -1], [rand(ctx, [7, 3], 4), 0], [tensor([[12, 0, -12, 3], [0.5, 0.5, 0.5, 0.5]]), 1],
        ];
        for (const [x, axis] of cases) {
          const X = leaf(x);
          const Y = softmax(X, axis);
          const g = rand(ctx, x.shape, 1);
          Y.backward(g);
          checkSoftmax(m, tensor(Y.data, Y.shape), g, axis, kitGrad(X));
        }
      },
    },
    {
      name: t('logSoftmaxNllBackward: a hand example, N = 2, C = 3', 'logSoftmaxNllBackward：手算的例子，N = 2，C = 3'),
      task: 'logSoftmaxNllBackward',
      run: (m) => {
        // Row 0: logits (0, 0, 0), softmax (1/3, 1/3, 1/3), target 0 -> (1/3 − 1, 1/3, 1/3) / 2 = (−1/3, 1/6, 1/6).
        // Row 1: logits (0, ln 2, 0), softmax (1/4, 1/2, 1/4), target 1 -> (1/4, 1/2 − 1, 1/4) / 2 = (1/8, −1/4, 1/8).
        const logits = tensor([[0, 0, 0], [0, Math.LN2, 0]]);
        checkNll(m, logits, [0, 1], tensor([[-1 / 3, 1 / 6, 1 / 6], [1 / 8, -1 / 4, 1 / 8]]), 'logSoftmaxNllBackward(logits (2, 3), [0, 1])');
      },
    },
    {
      name: t('logSoftmaxNllBackward: matches central finite differences and the kit\'s crossEntropy (N = 1, 5, 8)', 'logSoftmaxNllBackward：与中心有限差分以及库的 crossEntropy 一致（N = 1、5、8）'),
      task: 'logSoftmaxNllBackward',
      run: (m, ctx) => {
        for (const [N, C, typed] of [[1, 4, false], [5, 3, true], [8, 6, false]] as [number, number, boolean][]) {
          const logits = rand(ctx, [N, C], 3);
          const ids = Array.from({ length: N }, () => Math.floor(ctx.random() * C));
          const targets: ArrayLike<number> = typed ? Int32Array.from(ids) : ids;
          const what = `logSoftmaxNllBackward(logits ${fmt([N, C])}, targets)`;
          const lc = backpropCopy64(logits);
          const numeric = { data: backpropNumericGrad(() => backpropNll64(lc, ids), lc.data), shape: [N, C] };
          const got = checkNll(m, logits, targets, numeric, what);
          const X = leaf(logits);
          crossEntropy(X, ids).backward();
          expectClose(got, kitGrad(X), { what: `${what} (against crossEntropy(logits, targets).backward())`, rtol: RTOL, atol: ATOL });
        }
      },
    },
    {
      name: t('logSoftmaxNllBackward: extreme logits (±1000) give finite, exact gradients', 'logSoftmaxNllBackward：极端的 logits（±1000）也得到有限且精确的梯度'),
      task: 'logSoftmaxNllBackward',
      run: (m) => {
        const logits = tensor([[1000, 0, -1000], [-1000, -1000, 1000], [1000, 1000, 999]]);
        const targets = [0, 1, 2];
        const expected = backpropNllBackward64(backpropCopy64(logits), targets);
        const what = 'logSoftmaxNllBackward([[1000, 0, -1000], [-1000, -1000, 1000], [1000, 1000, 999]], [0, 1, 2])';
        const got = expectArray(call([['logits', logits]], () => m.logSoftmaxNllBackward(logits, targets)), what);
        if (got.data.length === expected.data.length && Array.from(got.data).some((v) => !Number.isFinite(v))) {
          fail(...mistake(M['nll-unstable'], { expected: show(expected), actual: show(got) }));
        }
        checkNll(m, tensor(logits.data, logits.shape), targets, expected, what);
      },
    },
    {
      name: t('layerNormBackward: matches central finite differences for eps = 1e-5 and eps = 0.5', 'layerNormBackward：在 eps = 1e-5 和 eps = 0.5 时都与中心有限差分一致'),
      task: 'layerNormBackward',
      run: (m, ctx) => {
        for (const [shape, eps] of [[[3, 6], 1e-5], [[2, 2, 5], 0.5], [[4, 2], 0.05]] as [number[], number][]) {
          const c = randomLN(ctx, shape, eps);
          const [x, gamma, beta] = [c.x, c.gamma, c.beta].map(backpropCopy64);
          const L = () => backpropDot(backpropLayerNorm64(x, gamma, beta, eps).data, c.g.data);
          checkLayerNorm(m, c, {
            gradX: { data: backpropNumericGrad(L, x.data), shape: [...shape] },
            gradGamma: { data: backpropNumericGrad(L, gamma.data), shape: [...gamma.shape] },
            gradBeta: { data: backpropNumericGrad(L, beta.data), shape: [...beta.shape] },
          });
        }
      },
    },
    {
      name: t('layerNormBackward: matches the kit\'s layerNorm autograd on (2, 3, 8), eps = 1e-5 and 0.1', 'layerNormBackward：在 (2, 3, 8) 上与库的 layerNorm 自动求导一致，eps = 1e-5 和 0.1'),
      task: 'layerNormBackward',
      run: (m, ctx) => {
        for (const eps of [1e-5, 0.1]) {
          const c = randomLN(ctx, [2, 3, 8], eps);
          const [X, G, B] = [leaf(c.x), leaf(c.gamma), leaf(c.beta)];
          layerNorm(X, G, B, eps).backward(c.g);
          checkLayerNorm(m, c, { gradX: kitGrad(X), gradGamma: kitGrad(G), gradBeta: kitGrad(B) });
        }
      },
    },
  ],
});
