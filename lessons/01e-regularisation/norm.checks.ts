/**
 * Checks for the regularisation lesson (regularisation/norm): dropout, BatchNorm1d and layerNorm.
 *
 * Expected values come from float64 references (@llm-lab/course/foundations, names starting with `reg`) computed from
 * copies of the inputs taken before the learner's code ran; LayerNorm is also compared with the kit's own layerNorm,
 * values and gradients. Dropout is judged by what a mask must satisfy whatever order the learner draws in: every
 * output element is 0 or x · 1 / (1 - p); the kept fraction is within 5 standard deviations of 1 - p on 20 000
 * elements, for three values of p; neighbouring decisions are independent; the same seed gives the same mask and
 * another seed another. A catalogued mistake is named only when it explains every case of the check (every p, every
 * step, every input).
 *
 * Which check names which catalogued mistake (lessons/01e-regularisation/mistakes.ts):
 *   check                                                  names
 *   dropout in eval mode returns x unchanged ...           dropout-in-eval, dropout-test-time-scale (Srivastava et al. (2014))
 *   dropout with p = 0 keeps every element ...             dropout-p1-nan
 *   dropout in training keeps each element ...             dropout-no-rescale, dropout-scale-p, dropout-keep-prob (TensorFlow 1.x
 *                                                          (keep_prob)), dropout-test-time-scale (Srivastava et al. (2014))
 *   dropout masks come from the rng ...                    dropout-not-seeded
 *   dropout throws for p outside [0, 1] ...                (none: a missing validation is reported as such)
 *   gradients flow through dropout ...                     (none)
 *   BatchNorm1d starts with weight 1 ...                   bn-default-momentum-keras (Keras)
 *   BatchNorm1d in training normalises each feature ...    bn-wrong-axis, bn-unbiased-normalise
 *   BatchNorm1d in training updates the running ...        bn-running-not-updated, bn-momentum-reversed (Keras), bn-running-var-biased
 *   BatchNorm1d in eval mode normalises with ...           bn-eval-batch-stats
 *   BatchNorm1d gradients ...                              bn-stats-detached
 *   BatchNorm1d in training throws for a batch of one      (none)
 *   layerNorm normalises each row over the last axis ...   ln-wrong-axis, ln-unbiased, ln-eps-ignored
 *   layerNorm agrees with the kit's layerNorm ...          (none)
 *   layerNorm of a constant row is its bias ...            (none)
 */
import {
  defineChecks, describeType, expectClose, expectCloseLazy, expectThrows, expectTrue, expectUnchanged, fail, fmt, isTensorLike, join,
  mistake, randomTensor, snapshot, t, withShapeAdvice,
} from '@llm-lab/check';
import {
  type RegArray, regBatchNormBackward64, regBatchNormTrain64, regDropoutStats, regLayerNorm64, regNormalise64, regRunningStats64,
  regWithinSampling,
} from '@llm-lab/course/foundations';
import { Rng, type Tensor, layerNorm as kitLayerNorm, tensor } from '@llm-lab/kit';
import { REGULARISATION_MISTAKES as M } from './mistakes';

type Learner = typeof import('./norm');
type BatchNorm = InstanceType<Learner['BatchNorm1d']>;

const RTOL = 1e-4;
const ATOL = 1e-5;

const RETURN_HINT = t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？');

/** Fails unless `y` is a tensor of `shape`. */
function expectTensor(y: unknown, what: string, shape: readonly number[]): Tensor {
  if (!isTensorLike(y)) {
    const got = describeType(y);
    fail(t(`${what} returned ${got.en}; expected a Tensor.`, `${what} 返回了${got['zh-cn']}；应返回 Tensor。`), { hint: y === undefined ? RETURN_HINT : undefined });
  }
  const same = y.shape.length === shape.length && y.shape.every((d, i) => d === shape[i]);
  if (!same) {
    const got = fmt(y.shape);
    const want = fmt(shape);
    fail(t(`${what} has shape ${got}; expected ${want}, the shape of x.`, `${what} 的形状是 ${got}；应为 ${want}，与 x 相同。`));
  }
  return y;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, rtol = RTOL, atol = ATOL): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
  }
  return true;
}

/** Values in ±[0.5, 1.5): never zero, so a zero in dropout's output means "dropped". */
function nonZeroTensor(ctx: { random(): number }, shape: number[]): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, () => (ctx.random() < 0.5 ? -1 : 1) * (0.5 + ctx.random())), shape);
}

/** A batch (N, C) whose features have different means and spreads: feature c is offset[c] + spread[c] · U(-1, 1). */
function batch(ctx: { random(): number }, N: number, C: number, offset: (c: number) => number, spread: (c: number) => number): Tensor {
  return tensor(Float32Array.from({ length: N * C }, (_, i) => offset(i % C) + spread(i % C) * (ctx.random() * 2 - 1)), [N, C]);
}

/** Writes values into a layer's tensor (weight, bias), keeping the learner's tensor object. */
function setData(target: unknown, values: Tensor, what: string): void {
  if (!isTensorLike(target) || target.data.length !== values.data.length) {
    const n = values.data.length;
    fail(t(`${what} should be a Tensor of ${n} values (one per feature).`, `${what} 应当是含 ${n} 个值的 Tensor（每个特征一个）。`));
  }
  (target as Tensor).data.set(values.data);
}

/** A layer's running statistic as a copy, after checking it is a tensor of C values. */
function stat(layer: BatchNorm, key: 'runningMean' | 'runningVar', C: number): Float32Array {
  const v: unknown = layer[key];
  if (!isTensorLike(v) || v.data.length !== C) {
    const got = describeType(v);
    fail(t(`layer.${key} is ${got.en}; expected a Tensor of ${C} values (one per feature).`, `layer.${key} 是${got['zh-cn']}；应当是含 ${C} 个值的 Tensor（每个特征一个）。`),
      { hint: t('Assign the updated statistics back to this.runningMean and this.runningVar, with the shape (C).', '把更新后的统计量赋回 this.runningMean 和 this.runningVar，形状为 (C)。') });
  }
  return Float32Array.from(v.data);
}

const BN_SHAPE_ADVICE = t(
  'Shapes: x is (N, C); the batch statistics are over axis 0, mean(x, 0, true) is (1, C); weight, bias and the running statistics are (C).',
  '形状：x 是 (N, C)；批次统计量在第 0 轴上计算，mean(x, 0, true) 是 (1, C)；weight、bias 和滑动统计量都是 (C)。',
);

function forward(layer: BatchNorm, x: Tensor, what: string): Tensor {
  const before = snapshot(x);
  const y: unknown = withShapeAdvice(() => layer.forward(x), BN_SHAPE_ADVICE);
  expectUnchanged(x, before, 'x');
  return expectTensor(y, what, x.shape);
}

/**
 * A table of what an (N, C) output's statistics look like along each axis: the largest |mean| and the average standard
 * deviation (biased) over the batch (per feature) and over the features (per sample). BatchNorm makes the first column
 * 0 and 1, LayerNorm the second.
 */
function axisTable(title: ReturnType<typeof t>, y: { data: ArrayLike<number> }, N: number, C: number) {
  const along = (count: number, groups: number, at: (g: number, i: number) => number) => {
    let maxMean = 0;
    let stdSum = 0;
    for (let g = 0; g < groups; g++) {
      let m = 0;
      for (let i = 0; i < count; i++) m += Number(y.data[at(g, i)]) / count;
      let v = 0;
      for (let i = 0; i < count; i++) v += (Number(y.data[at(g, i)]) - m) ** 2 / count;
      maxMean = Math.max(maxMean, Math.abs(m));
      stdSum += Math.sqrt(v);
    }
    return [maxMean.toFixed(4), (stdSum / groups).toFixed(4)];
  };
  const batchAxis = along(N, C, (c, n) => n * C + c);
  const featureAxis = along(C, N, (n, c) => n * C + c);
  return {
    kind: 'table' as const, title,
    columns: [t('statistic', '统计量'), t('over the batch (axis 0), per feature', '在批次上（第 0 轴），每个特征'), t('over the features (last axis), per sample', '在特征上（最后一个轴），每个样本')],
    rows: [[t('largest |mean|', '最大的 |均值|'), batchAxis[0], featureAxis[0]], [t('average standard deviation', '平均标准差'), batchAxis[1], featureAxis[1]]],
  };
}

const DROPOUT_PS = [0.1, 0.3, 0.75];
const DROPOUT_SHAPE = [100, 200];

export default defineChecks<Learner>({
  exports: ['dropout', 'BatchNorm1d', 'layerNorm'],
  checks: [
    // ----- dropout -------------------------------------------------------------------------------------------
    {
      name: t('dropout in eval mode returns x unchanged, for any p', '评估模式下的 dropout 对任何 p 都原样返回 x'),
      task: 'dropout',
      run: (m, ctx) => {
        const x = nonZeroTensor(ctx, [40, 50]);
        const before = snapshot(x);
        for (const p of [0.2, 0.5, 1]) {
          const what = `dropout(x, ${p}, false, rng)`;
          const y = expectTensor(m.dropout(x, p, false, new Rng(3)), what, x.shape);
          expectUnchanged(x, before, 'x');
          if (close(y.data, before.data, 0, 0)) continue;
          // The original paper's convention: training unscaled, x · (1 - p) at test time.
          if (p < 1 && close(y.data, before.data.map((v) => v * (1 - p)), 1e-5, 1e-6)) {
            const train = regDropoutStats(before.data, expectTensor(m.dropout(x, p, true, new Rng(4)), `dropout(x, ${p}, true, rng)`, x.shape).data);
            if (train.kept > 0 && train.constantFactor && Math.abs(train.factor - 1) < 1e-5) fail(...mistake(M['dropout-test-time-scale']));
          }
          const i = y.data.findIndex((v, k) => v !== before.data[k]);
          fail(join([M['dropout-in-eval'].message, t(`(${what}: element ${i} is ${y.data[i]}, x's is ${before.data[i]}.)`, `（${what}：第 ${i} 个元素是 ${y.data[i]}，x 的是 ${before.data[i]}。）`)]),
            { hint: M['dropout-in-eval'].hint });
        }
      },
    },
    {
      name: t('dropout with p = 0 keeps every element and p = 1 drops every element (zeros, not NaN)', 'p = 0 时 dropout 保留所有元素，p = 1 时丢弃所有元素（得到零，而不是 NaN）'),
      task: 'dropout',
      run: (m, ctx) => {
        const x = nonZeroTensor(ctx, [30, 40]);
        const before = snapshot(x);
        const y0 = expectTensor(m.dropout(x, 0, true, new Rng(1)), 'dropout(x, 0, true, rng)', x.shape);
        expectUnchanged(x, before, 'x');
        expectClose(y0, before, { what: 'dropout(x, 0, true, rng)', rtol: 1e-6, atol: 0,
          hint: t('With p = 0 nothing is dropped and 1 / (1 - 0) = 1: the output is x.', 'p = 0 时什么都不丢弃，1 / (1 - 0) = 1：输出就是 x。') });
        const y1 = expectTensor(m.dropout(x, 1, true, new Rng(2)), 'dropout(x, 1, true, rng)', x.shape);
        expectUnchanged(x, before, 'x');
        if (y1.data.some((v) => Number.isNaN(v))) fail(...mistake(M['dropout-p1-nan']));
        expectClose(y1, { data: new Float32Array(x.size), shape: x.shape }, { what: 'dropout(x, 1, true, rng)', rtol: 0, atol: 0,
          hint: t('With p = 1 every element is dropped: the output is all zeros.', 'p = 1 时所有元素都被丢弃：输出全是零。') });
      },
    },
    {
      name: t('dropout in training keeps each element with probability 1 - p and scales the kept ones by 1 / (1 - p)', '训练模式下的 dropout 以概率 1 - p 保留每个元素，并把保留的元素乘以 1 / (1 - p)'),
      task: 'dropout',
      run: (m, ctx) => {
        const runs = DROPOUT_PS.map((p, k) => {
          const x = nonZeroTensor(ctx, DROPOUT_SHAPE);
          const before = snapshot(x);
          const what = `dropout(x ${fmt(DROPOUT_SHAPE)}, ${p}, true, rng)`;
          const y = expectTensor(m.dropout(x, p, true, new Rng(100 + k)), what, x.shape);
          expectUnchanged(x, before, 'x');
          const s = regDropoutStats(before.data, y.data);
          if (s.odd >= 0) {
            const i = s.odd;
            fail(t(`${what}: element ${i} is ${y.data[i]}, neither 0 (dropped) nor a finite multiple of x[${i}] = ${before.data[i]} (kept).`,
              `${what}：第 ${i} 个元素是 ${y.data[i]}，既不是 0（丢弃），也不是 x[${i}] = ${before.data[i]} 的有限倍数（保留）。`),
            { hint: t('Every output element is x[i] · mask[i], with mask[i] either 0 or 1 / (1 - p).', '每个输出元素都是 x[i] · mask[i]，mask[i] 要么是 0，要么是 1 / (1 - p)。') });
          }
          return { p, x, before, y, s, what };
        });
        const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.abs(b);
        const keptAbout = (r: (typeof runs)[number], q: number) => regWithinSampling(r.s.kept, r.s.total, q);
        const every = (f: (r: (typeof runs)[number]) => boolean) => runs.every((r) => r.s.kept > 0 && r.s.constantFactor && f(r));
        // Named only when one explanation fits all three values of p.
        if (every((r) => keptAbout(r, r.p) && near(r.s.factor, 1 / r.p)) && !every((r) => near(r.s.factor, 1 / (1 - r.p)))) fail(...mistake(M['dropout-keep-prob']));
        if (every((r) => near(r.s.factor, 1))) {
          const scaledAtTest = runs.every((r) => close(expectTensor(m.dropout(r.x, r.p, false, new Rng(5)), `dropout(x, ${r.p}, false, rng)`, r.x.shape).data,
            r.before.data.map((v) => v * (1 - r.p)), 1e-5, 1e-6));
          fail(...mistake(scaledAtTest ? M['dropout-test-time-scale'] : M['dropout-no-rescale']));
        }
        if (every((r) => near(r.s.factor, r.p))) fail(...mistake(M['dropout-scale-p']));
        // The table first, so that it is there when a check below fails too.
        const rows = runs.map(({ p, s, before, y }) => {
          let sx = 0;
          let sy = 0;
          for (let i = 0; i < s.total; i++) { sx += Math.abs(before.data[i]); sy += Math.abs(y.data[i]); }
          return [p, (s.kept / s.total).toFixed(4), (1 - p).toFixed(4), s.factor.toPrecision(5), (1 / (1 - p)).toPrecision(5), (sy / sx).toFixed(4)];
        });
        ctx.artifact({
          kind: 'table', title: t('Your dropout on 20 000 elements', '你的 dropout 作用于 20 000 个元素'),
          columns: [t('p', '丢弃概率 p'), t('kept fraction', '保留比例'), t('expected 1 - p', '期望 1 - p'), t('scale of the kept', '保留元素的倍数'),
            t('expected scale 1 / (1 - p)', '应有倍数 1 / (1 - p)'), t('Σ|output| / Σ|x| (≈ 1)', 'Σ|输出| / Σ|x|（≈ 1）')],
          rows,
        });
        for (const { p, s, what } of runs) {
          const scale = 1 / (1 - p);
          if (!s.constantFactor) {
            fail(t(`${what}: the kept elements are not all scaled by the same factor (the median of output / x is ${s.factor.toPrecision(6)}); each kept element should be x · 1 / (1 - p) = x · ${scale.toPrecision(6)}.`,
              `${what}：保留的元素并不都乘以同一个系数（输出 / x 的中位数是 ${s.factor.toPrecision(6)}）；每个保留的元素都应当是 x · 1 / (1 - p) = x · ${scale.toPrecision(6)}。`));
          }
          if (s.kept > 0 && !near(s.factor, scale)) {
            fail(t(`${what}: the kept elements are x · ${s.factor.toPrecision(6)}; expected x · 1 / (1 - p) = x · ${scale.toPrecision(6)}.`,
              `${what}：保留的元素是 x · ${s.factor.toPrecision(6)}；应为 x · 1 / (1 - p) = x · ${scale.toPrecision(6)}。`),
            { hint: t('Scale the kept elements by 1 / (1 - p), so that E[output] = (1 - p) · x / (1 - p) = x.', '保留的元素乘以 1 / (1 - p)，这样 E[输出] = (1 - p) · x / (1 - p) = x。') });
          }
          // Independent decisions, whatever the keep rate q: a pair of neighbours is kept together with probability q², and
          // both halves keep q. (Checked first: a mask drawn once per row also makes the kept fraction noisy.)
          const q = s.kept / s.total;
          const half = s.total >> 1;
          if (!regWithinSampling(s.bothKept, s.pairs, q * q, 6) || !regWithinSampling(s.keptFirstHalf, half, q, 6) || !regWithinSampling(s.keptSecondHalf, s.total - half, q, 6)) {
            const both = (s.bothKept / s.pairs).toFixed(4);
            const want = (q * q).toFixed(4);
            fail(t(`${what}: the decisions are not independent per element (neighbours kept together: ${both}, expected ${want} = (kept fraction)²; kept in the first half: ${s.keptFirstHalf}, in the second: ${s.keptSecondHalf}).`,
              `${what}：各元素的去留并不独立（相邻两个同时保留的比例是 ${both}，应为 ${want} = （保留比例）²；前一半保留了 ${s.keptFirstHalf} 个，后一半保留了 ${s.keptSecondHalf} 个）。`),
            { hint: t('Draw one rng.random() for every element, not one per row or a fixed pattern.', '每个元素各抽一次 rng.random()，不要每行只抽一次，也不要用固定的模式。') });
          }
          const rate = s.kept / s.total;
          const sd = Math.sqrt((p * (1 - p)) / s.total);
          if (!regWithinSampling(s.kept, s.total, 1 - p)) {
            fail(t(`${what} kept ${s.kept} of ${s.total} elements (${rate.toFixed(4)}); with p = ${p} about ${(1 - p).toFixed(2)} ± ${(5 * sd).toFixed(4)} should be kept (5 standard deviations).`,
              `${what} 保留了 ${s.total} 个元素中的 ${s.kept} 个（${rate.toFixed(4)}）；p = ${p} 时应保留约 ${(1 - p).toFixed(2)} ± ${(5 * sd).toFixed(4)}（5 个标准差）。`),
            { hint: t('p is the probability of dropping: drop when rng.random() < p, one draw per element.', 'p 是丢弃的概率：每个元素抽一次，rng.random() < p 时丢弃。') });
          }
        }
      },
    },
    {
      name: t('dropout masks come from the rng: the same seed gives the same mask, another seed another', 'dropout 的掩码来自 rng：同一个种子得到同一个掩码，不同的种子得到不同的掩码'),
      task: 'dropout',
      run: (m, ctx) => {
        const x = nonZeroTensor(ctx, [50, 40]);
        const mask = (rng: Rng) => expectTensor(m.dropout(x, 0.5, true, rng), 'dropout(x, 0.5, true, rng)', x.shape).data.map((v) => (v === 0 ? 0 : 1));
        const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => v === b[i]);
        const a = mask(new Rng(7));
        const b = mask(new Rng(7));
        const c = mask(new Rng(8));
        if (!same(a, b) || same(a, c)) fail(...mistake(M['dropout-not-seeded']));
        const rng = new Rng(9);
        const first = mask(rng);
        const second = mask(rng);
        expectTrue(!same(first, second),
          t('Two calls with the same rng object gave the same mask: each call should draw new numbers from rng (do not reseed it).',
            '用同一个 rng 对象调用两次，得到了同一个掩码：每次调用都应从 rng 抽取新的随机数（不要重新设定它的种子）。'),
          M['dropout-not-seeded'].hint);
      },
    },
    {
      name: t('dropout throws for p outside [0, 1], in training and in eval', 'p 不在 [0, 1] 内时 dropout 抛出错误，训练和评估模式都是'),
      task: 'dropout',
      run: (m, ctx) => {
        const x = nonZeroTensor(ctx, [3, 4]);
        // Valid values first: p = 0 and p = 1 are allowed, in both modes (only outside [0, 1] throws).
        for (const training of [true, false]) for (const p of [0, 0.5, 1]) m.dropout(x, p, training, new Rng(0));
        for (const training of [true, false]) {
          for (const p of [-0.1, 1.5, Number.NaN]) {
            expectThrows(() => m.dropout(x, p, training, new Rng(0)), `dropout(x, ${p}, ${training}, rng)`,
              t('Check first thing, before looking at training: if (!(p >= 0 && p <= 1)) throw new Error(...). Written that way, NaN is refused too.',
                '在判断 training 之前先检查：if (!(p >= 0 && p <= 1)) throw new Error(...)。这样写，NaN 也会被拒绝。'));
          }
        }
      },
    },
    {
      name: t('gradients flow through dropout: x.grad is the upstream gradient times the mask, and the identity in eval', '梯度能穿过 dropout：x.grad 等于上游梯度乘以掩码，评估模式下原样传回'),
      task: 'dropout',
      run: (m, ctx) => {
        const x = nonZeroTensor(ctx, [20, 30]);
        x.requiresGrad = true;
        const before = snapshot(x);
        const y = expectTensor(m.dropout(x, 0.4, true, new Rng(11)), 'dropout(x, 0.4, true, rng)', x.shape);
        const noGraph = t('dropout(x, 0.4, true, rng) is not connected to x: build it with kit ops, e.g. mul(x, mask) with a mask tensor you filled in.',
          'dropout(x, 0.4, true, rng) 与 x 没有连在计算图上：请用库里的运算构造它，例如先填好一个掩码张量，再 mul(x, mask)。');
        expectTrue(y.requiresGrad, noGraph);
        const g = randomTensor(ctx, x.shape, 1);
        y.backward(g);
        expectTrue(x.grad !== null, noGraph);
        // d out[i] / d x[i] is the mask value out[i] / x[i], whatever it is.
        const want = Float64Array.from(g.data, (v, i) => v * (Number(y.data[i]) / Number(before.data[i])));
        expectClose(tensor(x.grad!, x.shape), { data: want, shape: x.shape }, { what: 'x.grad (training = true)', rtol: 1e-4, atol: 1e-6,
          hint: t('out = mul(x, mask): its gradient is g · mask, 0 where an element was dropped.', 'out = mul(x, mask)：它的梯度是 g · mask，被丢弃的元素处为 0。') });
        const x2 = nonZeroTensor(ctx, [4, 5]);
        x2.requiresGrad = true;
        const g2 = randomTensor(ctx, x2.shape, 1);
        const y2 = expectTensor(m.dropout(x2, 0.4, false, new Rng(12)), 'dropout(x, 0.4, false, rng)', x2.shape);
        expectTrue(y2.requiresGrad, t('dropout(x, 0.4, false, rng) is not connected to x: in eval mode return x itself.', 'dropout(x, 0.4, false, rng) 与 x 没有连在计算图上：评估模式下直接返回 x 本身。'));
        y2.backward(g2);
        expectClose(tensor(x2.grad ?? new Float32Array(x2.size), x2.shape), g2, { what: 'x.grad (training = false)', rtol: 1e-6, atol: 0 });
      },
    },
    // ----- BatchNorm1d ---------------------------------------------------------------------------------------
    {
      name: t('BatchNorm1d starts with weight 1, bias 0, running mean 0 and running var 1; only weight and bias are parameters', 'BatchNorm1d 初始时 weight 为 1、bias 为 0、滑动均值为 0、滑动方差为 1；只有 weight 和 bias 是参数'),
      task: 'BatchNorm1d',
      run: (m) => {
        for (const [C, opts, eps, momentum] of [[4, undefined, 1e-5, 0.1], [3, { eps: 1e-3, momentum: 0.25 }, 1e-3, 0.25]] as const) {
          const layer = new m.BatchNorm1d(C, opts);
          const what = `new BatchNorm1d(${C}${opts ? `, { eps: ${opts.eps}, momentum: ${opts.momentum} }` : ''})`;
          for (const [key, value] of [['weight', 1], ['bias', 0], ['runningMean', 0], ['runningVar', 1]] as const) {
            const v: unknown = layer[key];
            const ok = isTensorLike(v) && v.shape.length === 1 && v.shape[0] === C && v.data.every((d) => d === value);
            expectTrue(ok, t(`${what}.${key} should be a Tensor of shape (${C}) filled with ${value}.`, `${what}.${key} 应当是形状为 (${C})、全为 ${value} 的 Tensor。`),
              t('weight = ones([C], { requiresGrad: true }), bias = zeros([C], { requiresGrad: true }), runningMean = zeros([C]), runningVar = ones([C]).',
                'weight = ones([C], { requiresGrad: true })，bias = zeros([C], { requiresGrad: true })，runningMean = zeros([C])，runningVar = ones([C])。'));
          }
          if (!opts && layer.momentum === 0.99) fail(...mistake(M['bn-default-momentum-keras']));
          expectTrue(layer.eps === eps && layer.momentum === momentum,
            t(`${what} has eps = ${layer.eps} and momentum = ${layer.momentum}; expected ${eps} and ${momentum}${opts ? ' (the options given)' : ' (the defaults, as PyTorch)'}.`,
              `${what} 的 eps = ${layer.eps}，momentum = ${layer.momentum}；应为 ${eps} 和 ${momentum}${opts ? '（传入的选项）' : '（默认值，与 PyTorch 相同）'}。`));
          expectTrue(layer.training === true, t(`${what}.training should be true: a new layer starts in training mode.`, `${what}.training 应为 true：新建的层处于训练模式。`));
          const names = [...layer.namedParameters().keys()].sort().join(', ');
          expectTrue(names === 'bias, weight', t(`${what}.namedParameters() lists [${names}]; expected exactly [bias, weight]. The running statistics are not trained: create them without requiresGrad.`,
            `${what}.namedParameters() 列出的是 [${names}]；应当恰好是 [bias, weight]。滑动统计量不参与训练：创建时不要设置 requiresGrad。`));
        }
      },
    },
    {
      name: t('BatchNorm1d in training normalises each feature over the batch with the biased variance, then applies weight and bias', '训练模式下的 BatchNorm1d 用有偏方差对每个特征在批次上归一化，再乘 weight、加 bias'),
      task: 'BatchNorm1d',
      run: (m, ctx) => {
        // The first batch is square, so a layer that normalises over the wrong axis still runs and can be named.
        for (const [N, C, eps] of [[6, 6, 1e-5], [8, 5, 0.5], [3, 4, 1e-3]]) {
          const layer = new m.BatchNorm1d(C, { eps });
          setData(layer.weight, randomTensor(ctx, [C], 2), 'layer.weight');
          setData(layer.bias, randomTensor(ctx, [C], 1), 'layer.bias');
          const w = Float32Array.from(layer.weight.data);
          const b = Float32Array.from(layer.bias.data);
          const x = batch(ctx, N, C, (c) => 3 * c - 4, (c) => 0.4 + 0.5 * c);
          const xs = snapshot(x);
          const what = `BatchNorm1d(${C}, { eps: ${eps} }).forward(x ${fmt([N, C])})`;
          const y = forward(layer, x, what);
          expectCloseLazy(y, regBatchNormTrain64(xs, w, b, eps), { what, rtol: RTOL, atol: ATOL,
            hint: t('m = mean(x, 0, true), v = variance(x, 0, true) (biased); y = (x - m) / sqrt(v + eps) · weight + bias.', 'm = mean(x, 0, true)，v = variance(x, 0, true)（有偏）；y = (x - m) / sqrt(v + eps) · weight + bias。') },
          () => [
            { value: regBatchNormTrain64(xs, w, b, eps, 'wrong-axis'), ...M['bn-wrong-axis'] },
            { value: regBatchNormTrain64(xs, w, b, eps, 'unbiased-normalise'), ...M['bn-unbiased-normalise'] },
          ]);
        }
        // What it looks like: a fresh layer (weight 1, bias 0) on features of very different scales.
        const x = batch(ctx, 8, 5, (c) => 10 * c - 20, (c) => 0.1 + 2 * c);
        ctx.artifact(axisTable(t('Your BatchNorm1d(5) in training on an (8, 5) batch: mean 0 and std 1 down each feature', '你的 BatchNorm1d(5) 在训练模式下作用于 (8, 5) 的批次：每个特征（每一列）均值为 0、标准差为 1'),
          forward(new m.BatchNorm1d(5), x, 'new BatchNorm1d(5).forward(x (8, 5))'), 8, 5));
      },
    },
    {
      name: t('BatchNorm1d in training updates the running statistics: running = (1 - momentum) · running + momentum · batch statistic, with the unbiased variance',
        '训练模式下的 BatchNorm1d 更新滑动统计量：running = (1 - momentum) · running + momentum · 批次统计量，方差用无偏的'),
      task: 'BatchNorm1d',
      run: (m, ctx) => {
        const layers: [BatchNorm, number, number, number, string][] = [
          [new m.BatchNorm1d(3), 0.1, 5, 4, 'BatchNorm1d(3)'],
          [new m.BatchNorm1d(2, { momentum: 0.3 }), 0.3, 4, 3, 'BatchNorm1d(2, { momentum: 0.3 })'],
        ];
        for (const [layer, momentum, N, steps, name] of layers) {
          const C = layer.numFeatures;
          const batches: RegArray[] = [];
          const got: { mean: Float32Array; var: Float32Array }[] = [];
          for (let s = 0; s < steps; s++) {
            const x = batch(ctx, N, C, (c) => 2 + c, (c) => 1 + c);
            x.requiresGrad = true;
            batches.push(snapshot(x));
            forward(layer, x, `${name}.forward(x)`);
            got.push({ mean: stat(layer, 'runningMean', C), var: stat(layer, 'runningVar', C) });
            const rm: unknown = layer.runningMean;
            expectTrue(!(rm as Tensor).requiresGrad && !(layer.runningVar as Tensor).requiresGrad,
              t(`After a training step with an x that requires grad, ${name}.runningMean or runningVar requires grad: the running statistics became part of the graph (and a parameter an optimizer would update).`,
                `用需要梯度的 x 训练一步之后，${name}.runningMean 或 runningVar 需要梯度了：滑动统计量成了计算图的一部分（也成了优化器会去更新的参数）。`),
              t('Update them inside noGrad(() => { ... }), or on .data.', '在 noGrad(() => { ... }) 里更新它们，或者直接写 .data。'));
          }
          const follows = (ref: { mean: Float64Array; var: Float64Array }[], part: 'mean' | 'var') => got.every((g, s) => close(g[part], ref[s][part]));
          const right = regRunningStats64(batches, momentum);
          if (follows(right, 'mean') && follows(right, 'var')) continue;
          // Named when a variant explains every step.
          // A reversed update is tried with the momentum asked for and with the layer's own (Keras's default is 0.99).
          const variant = (v: 'not-updated' | 'momentum-reversed') => [...new Set([momentum, layer.momentum])]
            .some((k) => { const r = regRunningStats64(batches, k, v); return follows(r, 'mean') && follows(r, 'var'); });
          if (variant('not-updated')) fail(...mistake(M['bn-running-not-updated']));
          if (variant('momentum-reversed')) fail(...mistake(M['bn-momentum-reversed']));
          if (follows(right, 'mean') && follows(regRunningStats64(batches, momentum, 'var-biased'), 'var')) fail(...mistake(M['bn-running-var-biased']));
          for (let s = 0; s < steps; s++) {
            for (const part of ['mean', 'var'] as const) {
              const key = part === 'mean' ? 'runningMean' : 'runningVar';
              expectClose(got[s][part], right[s][part], { what: `${name}.${key} (t = ${s + 1})`, rtol: RTOL, atol: ATOL,
                hint: t(`${key} = (1 - momentum) · ${key} + momentum · the batch ${part === 'mean' ? 'mean' : 'variance, unbiased (÷ (N - 1))'}.`,
                  `${key} = (1 - momentum) · ${key} + momentum · 批次${part === 'mean' ? '均值' : '方差（无偏，÷ (N - 1)）'}。`) });
            }
          }
        }
        // What it looks like: the running mean of a feature whose batches have mean about 2 approaches 2 as 1 - 0.9^t.
        const layer = new m.BatchNorm1d(2);
        const steps: number[] = [];
        const running: number[] = [];
        const batchMean: number[] = [];
        for (let s = 1; s <= 40; s++) {
          const x = batch(ctx, 16, 2, () => 2, () => 1.5);
          let bm = 0;
          for (let n = 0; n < 16; n++) bm += x.data[n * 2] / 16;
          layer.forward(x);
          steps.push(s);
          running.push(stat(layer, 'runningMean', 2)[0]);
          batchMean.push(bm);
        }
        ctx.artifact({
          kind: 'curve', title: t('Your running mean of feature 0 (momentum 0.1) against the batch means', '你的特征 0 的滑动均值（momentum 0.1）与各批次的均值'),
          xLabel: t('training step', '训练步数'), yLabel: t('mean of feature 0', '特征 0 的均值'),
          series: [{ name: t('batch mean', '批次均值'), x: steps, y: batchMean }, { name: t('your runningMean[0]', '你的 runningMean[0]'), x: steps, y: running }],
        });
      },
    },
    {
      name: t('BatchNorm1d in eval mode normalises with the running statistics and leaves them unchanged', '评估模式下的 BatchNorm1d 用滑动统计量归一化，并且不改变它们'),
      task: 'BatchNorm1d',
      run: (m, ctx) => {
        const C = 4;
        const eps = 0.1; // large enough that an eval path without eps is caught
        const layer = new m.BatchNorm1d(C, { eps });
        setData(layer.weight, randomTensor(ctx, [C], 2), 'layer.weight');
        setData(layer.bias, randomTensor(ctx, [C], 1), 'layer.bias');
        for (let s = 0; s < 3; s++) forward(layer, batch(ctx, 8, C, (c) => 1 + c, () => 2), 'layer.forward(x)');
        const returned: unknown = layer.eval();
        expectTrue(layer.training === false, t('After layer.eval(), layer.training should be false.', '调用 layer.eval() 之后，layer.training 应为 false。'));
        expectTrue(returned === layer, t('layer.eval() should return the layer itself, as PyTorch\'s module.eval() does.', 'layer.eval() 应当返回该层本身，就像 PyTorch 的 module.eval() 那样。'));
        const w = Float32Array.from(layer.weight.data);
        const b = Float32Array.from(layer.bias.data);
        const rm = stat(layer, 'runningMean', C);
        const rv = stat(layer, 'runningVar', C);
        // A batch from another distribution: its own statistics differ from the running ones.
        for (const N of [6, 1]) {
          const x = batch(ctx, N, C, (c) => -2 + 0.5 * c, (c) => 0.5 + c);
          const xs = snapshot(x);
          const what = `layer.eval().forward(x ${fmt([N, C])})`;
          const y = forward(layer, x, what);
          expectCloseLazy(y, regNormalise64(xs, rm, rv, w, b, eps), { what, rtol: RTOL, atol: ATOL,
            hint: t('In eval mode: y = (x - runningMean) / sqrt(runningVar + eps) · weight + bias.', '评估模式：y = (x - runningMean) / sqrt(runningVar + eps) · weight + bias。') },
          () => (N > 1 ? [{ value: regBatchNormTrain64(xs, w, b, eps), ...M['bn-eval-batch-stats'] }] : []));
          expectTrue(close(stat(layer, 'runningMean', C), rm, 0, 0) && close(stat(layer, 'runningVar', C), rv, 0, 0),
            t('layer.forward(x) in eval mode changed the running statistics: only training steps update them.', '评估模式下的 layer.forward(x) 改变了滑动统计量：只有训练步才更新它们。'),
            t('Update runningMean and runningVar only inside if (this.training) { ... }.', '只在 if (this.training) { ... } 里更新 runningMean 和 runningVar。'));
        }
        // And back to training mode: batch statistics again.
        layer.train();
        expectTrue(layer.training === true, t('After layer.train(), layer.training should be true.', '调用 layer.train() 之后，layer.training 应为 true。'));
        const x = batch(ctx, 5, C, (c) => c, () => 1);
        const xs = snapshot(x);
        expectClose(forward(layer, x, 'layer.train().forward(x)'), regBatchNormTrain64(xs, w, b, eps), { what: 'layer.train().forward(x)', rtol: RTOL, atol: ATOL,
          hint: t('forward decides by this.training: batch statistics when true, running statistics when false.', 'forward 依据 this.training 来决定：为 true 时用批次统计量，为 false 时用滑动统计量。') });
      },
    },
    {
      name: t('BatchNorm1d gradients: x, weight and bias get the right ones, through the batch statistics', 'BatchNorm1d 的梯度：x、weight 和 bias 都得到正确的梯度，包括穿过批次统计量的部分'),
      task: 'BatchNorm1d',
      run: (m, ctx) => {
        for (const [N, C, eps] of [[7, 5, 1e-3], [4, 3, 1e-5]]) {
          const layer = new m.BatchNorm1d(C, { eps });
          setData(layer.weight, randomTensor(ctx, [C], 2), 'layer.weight');
          setData(layer.bias, randomTensor(ctx, [C], 1), 'layer.bias');
          const w = Float32Array.from(layer.weight.data);
          const x = batch(ctx, N, C, (c) => c - 1, (c) => 1 + 0.3 * c);
          x.requiresGrad = true;
          const xs = snapshot(x);
          const y = forward(layer, x, `BatchNorm1d(${C}).forward(x)`);
          const dy = randomTensor(ctx, [N, C], 1);
          expectTrue(y.requiresGrad, t('The output is not connected to x, weight and bias: build forward from kit ops.', '输出与 x、weight、bias 没有连在计算图上：请用库里的运算搭建 forward。'));
          y.backward(dy);
          const ref = regBatchNormBackward64(xs, w, eps, dy);
          const grad = (v: Tensor, name: string) => {
            if (!v.grad) fail(t(`${name} has no gradient after backward: build forward from kit ops on it.`, `反向传播之后 ${name} 没有梯度：请用库里的运算基于它搭建 forward。`));
            return tensor(v.grad, v.shape);
          };
          expectClose(grad(x, 'x'), ref.dx, { what: `x.grad (N = ${N}, C = ${C})`, rtol: 1e-3, atol: 1e-4,
            misconceptions: [{ value: regBatchNormBackward64(xs, w, eps, dy, true).dx, ...M['bn-stats-detached'] }] });
          expectClose(grad(layer.weight, 'layer.weight'), ref.dweight, { what: 'layer.weight.grad', rtol: 1e-3, atol: 1e-4 });
          expectClose(grad(layer.bias, 'layer.bias'), ref.dbias, { what: 'layer.bias.grad', rtol: 1e-3, atol: 1e-4 });
        }
      },
    },
    {
      name: t('BatchNorm1d in training throws for a batch of one sample, and for the wrong number of features', '训练模式下的 BatchNorm1d 遇到只有一个样本的批次或特征数不对时抛出错误'),
      task: 'BatchNorm1d',
      run: (m, ctx) => {
        const layer = new m.BatchNorm1d(3);
        forward(layer, randomTensor(ctx, [2, 3], 1), 'new BatchNorm1d(3).forward(x (2, 3))'); // two samples are enough
        expectThrows(() => layer.forward(randomTensor(ctx, [1, 3], 1)), 'new BatchNorm1d(3).forward(x (1, 3))',
          t('One sample has no spread: its batch variance is 0 and the unbiased one 0 / 0. PyTorch refuses it ("Expected more than 1 value per channel when training"); throw when N < 2 in training.',
            '一个样本没有离散程度：它的批次方差是 0，无偏方差是 0 / 0。PyTorch 会拒绝它（"Expected more than 1 value per channel when training"）；训练模式下 N < 2 时抛出错误。'));
        expectThrows(() => layer.forward(randomTensor(ctx, [4, 5], 1)), 'new BatchNorm1d(3).forward(x (4, 5))',
          t('Check that x is (N, numFeatures) before computing anything.', '在计算之前先检查 x 的形状是否为 (N, numFeatures)。'));
      },
    },
    // ----- layerNorm ----------------------------------------------------------------------------------------
    {
      name: t('layerNorm normalises each row over the last axis and matches a float64 reference, for several eps', 'layerNorm 对每一行在最后一个轴上归一化，与 float64 参考实现一致，eps 取多个值'),
      task: 'layerNorm',
      run: (m, ctx) => {
        const cases: [number[], number][] = [[[4, 6], 1e-5], [[2, 3, 5], 0.1], [[5, 4], 1]];
        for (const [shape, eps] of cases) {
          const C = shape[shape.length - 1];
          // Rows of very different spreads, some small enough that eps matters.
          const spreads = [0.05, 0.3, 1, 3];
          const n = shape.reduce((p, d) => p * d, 1);
          const x = tensor(Float32Array.from({ length: n }, (_, i) => 0.5 * Math.floor(i / C) + spreads[Math.floor(i / C) % 4] * (ctx.random() * 2 - 1)), shape);
          const w = randomTensor(ctx, [C], 2);
          const b = randomTensor(ctx, [C], 1);
          const [xs, ws, bs] = [snapshot(x), snapshot(w), snapshot(b)];
          const what = `layerNorm(x ${fmt(shape)}, weight, bias, ${eps})`;
          const y: unknown = withShapeAdvice(() => m.layerNorm(x, w, b, eps),
            t('mean(x, -1, true) keeps the last axis with size 1, so x - mean broadcasts: (..., C) - (..., 1).', 'mean(x, -1, true) 保留最后一个轴且长度为 1，所以 x - mean 可以广播：(..., C) - (..., 1)。'));
          for (const [v, s, name] of [[x, xs, 'x'], [w, ws, 'weight'], [b, bs, 'bias']] as const) expectUnchanged(v, s, name);
          expectCloseLazy(expectTensor(y, what, shape), regLayerNorm64(xs, ws.data, bs.data, eps), { what, rtol: RTOL, atol: ATOL,
            hint: t('m = mean(x, -1, true), v = variance(x, -1, true); (x - m) / sqrt(v + eps) · weight + bias.', 'm = mean(x, -1, true)，v = variance(x, -1, true)；(x - m) / sqrt(v + eps) · weight + bias。') },
          () => [
            { value: regLayerNorm64(xs, ws.data, bs.data, eps, 'wrong-axis'), ...M['ln-wrong-axis'] },
            { value: regLayerNorm64(xs, ws.data, bs.data, eps, 'unbiased'), ...M['ln-unbiased'] },
            eps !== 1e-5 ? { value: regLayerNorm64(xs, ws.data, bs.data, 1e-5), ...M['ln-eps-ignored'] } : undefined,
          ]);
        }
        // What it looks like: the same kind of batch as BatchNorm's table, normalised along the other axis.
        const x = batch(ctx, 8, 5, (c) => 10 * c - 20, (c) => 0.1 + 2 * c);
        const ones = tensor(new Float32Array(5).fill(1));
        const zeros = tensor(new Float32Array(5));
        ctx.artifact(axisTable(t('Your layerNorm on an (8, 5) batch: mean 0 and std 1 along each sample', '你的 layerNorm 作用于 (8, 5) 的批次：每个样本（每一行）均值为 0、标准差为 1'),
          expectTensor(m.layerNorm(x, ones, zeros), 'layerNorm(x (8, 5), ones, zeros)', [8, 5]), 8, 5));
      },
    },
    {
      name: t('layerNorm agrees with the kit\'s layerNorm, values and gradients', 'layerNorm 与库里的 layerNorm 一致，数值和梯度都是'),
      task: 'layerNorm',
      run: (m, ctx) => {
        const eps = 1e-3;
        const make = () => {
          const x = randomTensor(ctx, [3, 4, 8], 2);
          const w = randomTensor(ctx, [8], 2);
          const b = randomTensor(ctx, [8], 1);
          return [x, w, b];
        };
        const [x, w, b] = make();
        const copy = (v: Tensor) => tensor(Float32Array.from(v.data), v.shape, { requiresGrad: true });
        const [x2, w2, b2] = [copy(x), copy(w), copy(b)];
        for (const v of [x, w, b]) v.requiresGrad = true;
        const y = expectTensor(m.layerNorm(x, w, b, eps), 'layerNorm(x, weight, bias, 1e-3)', x.shape);
        const ref = kitLayerNorm(x2, w2, b2, eps);
        expectClose(y, ref, { what: 'layerNorm(x, weight, bias, 1e-3)', rtol: RTOL, atol: ATOL });
        expectTrue(y.requiresGrad, t('layerNorm\'s output is not connected to x, weight and bias: build it from kit ops.', 'layerNorm 的输出与 x、weight、bias 没有连在计算图上：请用库里的运算构造它。'));
        const dy = randomTensor(ctx, x.shape, 1);
        y.backward(dy);
        ref.backward(dy);
        for (const [mine, kit, name] of [[x, x2, 'x'], [w, w2, 'weight'], [b, b2, 'bias']] as const) {
          if (!mine.grad) fail(t(`${name} has no gradient after backward.`, `反向传播之后 ${name} 没有梯度。`), { hint: t('Build layerNorm from kit ops on x, weight and bias.', '请用库里的运算基于 x、weight 和 bias 构造 layerNorm。') });
          expectClose(tensor(mine.grad, mine.shape), tensor(kit.grad!, kit.shape), { what: `${name}.grad`, rtol: 1e-3, atol: 1e-4 });
        }
      },
    },
    {
      name: t('layerNorm of a constant row is its bias, not NaN, and the default eps is 1e-5', '常数行的 layerNorm 结果是 bias 而不是 NaN，且 eps 的默认值是 1e-5'),
      task: 'layerNorm',
      run: (m, ctx) => {
        const w = randomTensor(ctx, [4], 2);
        const b = randomTensor(ctx, [4], 1);
        const x = tensor([[3, 3, 3, 3], [-1.5, -1.5, -1.5, -1.5], [0.001, 0.002, 0.003, 0.004]]);
        const xs = snapshot(x);
        const y = expectTensor(m.layerNorm(x, w, b), 'layerNorm(x, weight, bias)', x.shape);
        expectClose(y, regLayerNorm64(xs, w.data, b.data, 1e-5), { what: 'layerNorm([[3, 3, 3, 3], [-1.5, -1.5, -1.5, -1.5], [0.001, 0.002, 0.003, 0.004]], weight, bias)', rtol: 1e-3, atol: 1e-4,
          hint: t('A constant row has variance 0: eps under the square root keeps the division finite, and x - mean = 0 leaves the bias. The third row\'s variance (1.25e-6) is of the order of eps: the default must be 1e-5.',
            '常数行的方差为 0：平方根里的 eps 让除法保持有限，而 x - mean = 0，只剩下 bias。第三行的方差（1.25e-6）与 eps 同一量级：默认值必须是 1e-5。') });
      },
    },
  ],
});
