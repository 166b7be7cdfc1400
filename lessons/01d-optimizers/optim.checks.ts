/**
 * Checks for the optimizers lesson (optimizers/optim): SGD, Adam, AdamW, cosineLr and clipGradNorm.
 *
 * Every optimizer is run for 100 steps on a real model (a small tanh MLP fitting a regression target by MSE,
 * @llm-lab/course/foundations), with gradients the check computes by backpropagation at the learner's current
 * parameters (written out in float64 loops: the kit's autograd gives the same numbers, and the training check uses
 * it, but five times slower). Two float64 references
 * get exactly those gradients and the same lr:
 *   - step by step: before each step it takes the learner's parameters (its own state, momentum or m and v, it
 *     carries in Float64Array over the 100 steps), computes the update in float64 and stores the result as float32,
 *     as the learner's tensors store it. After every one of the 100 steps each parameter tensor must be within 1e-6
 *     of it, relative to the tensor's largest value (the reference solution is bit-for-bit or within the last bit of
 *     an element; any order of the arithmetic, float32 or float64 state, is within a few 1e-8).
 *   - after 100 steps: a pure float64 run from the same start (no float32 anywhere). The learner's parameters drift
 *     from it only by the float32 rounding of 100 updates (the reference solution: at most 1.1e-6 of the tensor's
 *     scale, test/unit/optimizers-track.test.ts prints the figures); they must stay within 1e-5, which no correct file
 *     comes near and a slow systematic drift exceeds.
 * Both figures are shown in a table artifact. Wrong variants run alongside in float64: when the learner's parameters
 * follow one of them at every step and the right one not, the failure names that mistake; otherwise it says at which
 * step, which tensor and element it went wrong.
 *
 * Which check names which catalogued mistake (lessons/01d-optimizers/mistakes.ts):
 *   check                                                names
 *   SGD without momentum ...                             lr-cached, no-grad-updated
 *   SGD with momentum ...                                momentum-lr-in-buffer (Keras's convention), lr-cached, no-grad-updated
 *   Adam: 100 steps ...                                  no-bias-correction, eps-hat (Keras's convention), eps-in-sqrt,
 *                                                        adam-decoupled, lr-cached, no-grad-updated
 *   AdamW: 100 steps ...                                 l2-in-adamw, decay-wrong-target, decay-no-lr, decay-after-step,
 *                                                        decay-2d-only (nanoGPT's convention), no-bias-correction, lr-cached,
 *                                                        no-grad-updated
 *   cosineLr: warmup, cosine decay ...                   schedule-off-by-one, warmup-from-zero (Hugging Face's convention),
 *                                                        warmup-nanogpt (nanoGPT's convention)
 *   clipGradNorm: one global norm ...                    clip-per-tensor, clip-returns-after
 *   clipGradNorm leaves small gradients alone ...        clip-always-scales
 * Accepted without a word: optimizer state in float32 or float64, any order of the arithmetic, zeroGrad that
 * fills with zeros or sets grad to null (PyTorch's set_to_none), clipping with PyTorch's norm + 1e-6.
 */
import { type CheckContext, defineChecks, expectTrue, fail, mistake, t, type Text } from '@llm-lab/check';
import {
  type CosineRefOptions, type CosineVariant, type OptimKind, type OptimRefOptions, type OptimVariant, OptimRef, optimClipRef,
  optimCosineRef, optimMlpFixture,
} from '@llm-lab/course/foundations';
import { Rng, type Tensor } from '@llm-lab/kit';
import { type OptimMistake, OPTIM_MISTAKES as M } from './mistakes';

type Learner = typeof import('./optim');

interface LearnerOptimizer {
  lr: number;
  step(): void;
  zeroGrad(): void;
}

/** After every step, every parameter tensor within this of the float64 step, relative to its largest value. */
const TOL = 1e-6;
/** After 100 steps, every parameter tensor within this of a pure float64 run (float32 rounding drifts by ~1e-6 at most). */
const PURE_TOL = 1e-5;
/** The learner "follows" a wrong variant when it stays this close to it at every step. */
const VARIANT_TOL = 1e-5;
const STEPS = 100;

/** A learning rate that changes at every step (a warmup and a cosine, computed here, not by the learner's cosineLr). */
const schedule = (maxLr: number) => (s: number) => optimCosineRef(s, { maxLr, minLr: maxLr / 10, warmup: 10, total: 90 });

interface Run {
  label: string;
  make: (params: Tensor[]) => LearnerOptimizer;
  kind: OptimKind;
  ref: OptimRefOptions;
  /** Sets opt.lr before every step; without it the learner's own lr (its default, when not given) is used. */
  lrAt?: (step: number) => number;
}

const isTodo = (e: unknown) => e instanceof Error && e.name === 'NotImplementedError';

/** Largest |a - r| over a tensor, relative to the tensor's largest |r|, and where it is. */
function deviation(a: ArrayLike<number>, r: Float64Array): { rel: number; index: number } {
  let scale = 0;
  for (let i = 0; i < r.length; i++) scale = Math.max(scale, Math.abs(r[i]));
  let worst = 0;
  let index = 0;
  for (let i = 0; i < r.length; i++) {
    const d = Math.abs(a[i] - r[i]);
    if (!(d <= worst)) { // NaN counts as the worst
      worst = Number.isNaN(d) ? Infinity : d;
      index = i;
    }
  }
  return { rel: worst / Math.max(scale, 1e-12), index };
}

/**
 * Runs the learner's optimizer for 100 steps beside the float64 reference and the wrong variants; fails with the
 * mistake the learner's numbers follow, or where they first left the reference. Returns the largest deviation.
 */
function runSteps(ctx: CheckContext, run: Run, variants: [OptimVariant, OptimMistake][]): { stored: number; pure: number } {
  const fx = optimMlpFixture(ctx.random);
  const ndims = fx.params.map((p) => p.ndim);
  const init = fx.params.map((p) => Float64Array.from(p.data));
  const opt = run.make(fx.params);
  const ref = new OptimRef(run.kind, init, ndims, run.ref, 'correct', true);
  const pure = new OptimRef(run.kind, init, ndims, run.ref);
  const others = variants.map(([v, key]) => ({ key, ref: new OptimRef(run.kind, init, ndims, run.ref, v, true), follows: true }));
  let worst = 0;
  let worstPure = 0;
  let first: { step: number; tensor: number; index: number; expected: number; actual: number } | null = null;
  for (let s = 0; s < STEPS; s++) {
    fx.backward();
    const grads = fx.params.map((p) => (p.grad ? Float32Array.from(p.grad) : null));
    const lr = run.lrAt ? run.lrAt(s) : run.ref.lr;
    const before = fx.params.map((p) => Float32Array.from(p.data));
    ref.setParams(before);
    for (const o of others) o.ref.setParams(before);
    if (run.lrAt) opt.lr = lr;
    try {
      opt.step();
    } catch (e) {
      if (isTodo(e)) throw e;
      if (e instanceof TypeError && /null/.test(e.message)) {
        fail(...mistake(M['no-grad-updated']));
      }
      throw e;
    }
    ref.step(grads, lr);
    pure.step(grads, lr);
    for (const o of others) o.ref.step(grads, lr);
    fx.params.forEach((p, j) => {
      if (grads[j] === null && p.data.some((x, i) => x !== init[j][i])) fail(...mistake(M['no-grad-updated']));
      const d = deviation(p.data, ref.params[j]);
      worst = Math.max(worst, d.rel);
      worstPure = Math.max(worstPure, deviation(p.data, pure.params[j]).rel);
      if (d.rel > TOL && !first) first = { step: s + 1, tensor: j, index: d.index, expected: ref.params[j][d.index], actual: p.data[d.index] };
      for (const o of others) if (deviation(p.data, o.ref.params[j]).rel > VARIANT_TOL) o.follows = false;
    });
    if (first && others.every((o) => !o.follows) && s > (first as { step: number }).step + 5) break;
  }
  const j = fx.params.findIndex((p, k) => deviation(p.data, pure.params[k]).rel > PURE_TOL);
  if (!first && j >= 0) {
    const d = deviation(fx.params[j].data, pure.params[j]);
    const where = `${fx.names[j]}.data[${d.index}]`;
    const got = fx.params[j].data[d.index];
    const want = pure.params[j][d.index];
    fail(t(
      `${run.label}: every step matched, but after 100 steps ${where} is ${got} where a pure float64 run has ${want} (relative deviation ${d.rel.toExponential(2)}, more than ${PURE_TOL.toExponential(0)}): something drifts slowly, e.g. a rounding done on purpose or a tiny term added at every step.`,
      `${run.label}：每一步都一致，但 100 步之后 ${where} 是 ${got}，纯 float64 运行得到 ${want}（相对偏差 ${d.rel.toExponential(2)}，超过 ${PURE_TOL.toExponential(0)}）：有东西在缓慢漂移，例如故意做的舍入，或每一步多加的一个极小的项。`,
    ));
  }
  if (first) {
    const f = first as { step: number; tensor: number; index: number; expected: number; actual: number };
    const where = `${fx.names[f.tensor]}.data[${f.index}]`;
    const detail = t(
      ` (${run.label}: after step ${f.step}, ${where} is ${f.actual}, the float64 reference has ${f.expected})`,
      `（${run.label}：第 ${f.step} 步之后，${where} 是 ${f.actual}，float64 参考值是 ${f.expected}）`,
    );
    const named = others.find((o) => o.follows);
    if (named) {
      const m = M[named.key];
      fail(t(m.message.en + detail.en, m.message['zh-cn'] + detail['zh-cn']), { hint: m.hint, convention: m.convention });
    }
    const tol = TOL.toExponential(0);
    const matched = f.step > 1 ? t(` The first ${f.step - 1} steps matched.`, `前 ${f.step - 1} 步都一致。`) : t(' The very first step differs.', '第一步就不一致。');
    fail(t(
      `${run.label}: after step ${f.step}, ${where} is ${f.actual}; the float64 reference has ${f.expected} (relative deviation above ${tol}).${matched.en}`,
      `${run.label}：第 ${f.step} 步之后，${where} 是 ${f.actual}；float64 参考值是 ${f.expected}（相对偏差超过 ${tol}）。${matched['zh-cn']}`,
    ), { hint: t(
      'Compare your step() with the update rule in the lesson, line by line: which quantity does this step first get wrong? (NaN at step 1 often means a bias correction 1 − βᵗ with t = 0.)',
      '把你的 step() 与课文中的更新公式逐行对照：这一步最先算错的是哪个量？（第 1 步就出现 NaN，往往是偏差修正 1 − βᵗ 用了 t = 0。）',
    ) });
  }
  return { stored: worst, pure: worstPure };
}

function report(ctx: CheckContext, name: string, labels: string[], worst: { stored: number; pure: number }[]): void {
  ctx.artifact({
    kind: 'table',
    title: t(`${name}: largest relative deviation from the float64 reference over 100 steps (tolerance ${TOL.toExponential(0)})`,
      `${name}：100 步内与 float64 参考的最大相对偏差（容差 ${TOL.toExponential(0)}）`),
    columns: [t('run', '运行'), t('vs float64 (float32 storage)', '对比 float64（float32 存储）'), t('vs pure float64', '对比纯 float64')],
    rows: labels.map((l, i) => [l, worst[i].stored.toExponential(2), worst[i].pure.toExponential(2)]),
  });
}

function runAll(ctx: CheckContext, name: string, runs: Run[], variants: [OptimVariant, OptimMistake][]): void {
  const worst = runs.map((r) => runSteps(ctx, r, variants));
  report(ctx, name, runs.map((r) => r.label), worst);
}

const ADAM_BC: [OptimVariant, OptimMistake][] = [['no-bias-correction', 'no-bias-correction'], ['bc-m-only', 'no-bias-correction'], ['bc-v-only', 'no-bias-correction']];

/** Expects fn to throw (a documented throw); names what was accepted instead. */
function expectRejects(fn: () => unknown, what: string): void {
  let threw = false;
  try {
    fn();
  } catch (e) {
    if (isTodo(e)) throw e;
    threw = true;
  }
  expectTrue(threw, t(`${what} did not throw; it should (a RangeError, as the lesson's text documents).`, `${what} 没有抛出异常；它应当抛出（RangeError，见课文说明）。`),
    t('Check the option at the start and throw new RangeError(...) when it is out of range.', '在开头检查该选项，超出范围时 throw new RangeError(...)。'));
}

const COSINE_CONFIGS: CosineRefOptions[] = [
  { maxLr: 6e-4, minLr: 6e-5, warmup: 10, total: 50 },
  { maxLr: 1e-2, minLr: 0, warmup: 3, total: 20 },
  { maxLr: 3e-3, minLr: 1e-4, warmup: 0, total: 12 },
];

const COSINE_VARIANTS: [CosineVariant, OptimMistake][] = [
  ['hf-warmup', 'warmup-from-zero'], ['nanogpt-warmup', 'warmup-nanogpt'], ['late', 'schedule-off-by-one'], ['early', 'schedule-off-by-one'],
  ['cosine-late', 'schedule-off-by-one'], ['cosine-early', 'schedule-off-by-one'],
];

/**
 * The MLP's five parameters (one of them with grad null), their gradients scaled to a chosen global norm, in an
 * order rotated by `turn`, so that the parameter without a gradient is not always last and every one is first once.
 */
function clipFixture(ctx: CheckContext, norm: number, turn: number): { params: Tensor[]; grads: (Float32Array | null)[] } {
  const fx = optimMlpFixture(ctx.random);
  const params = fx.params.map((_, i) => fx.params[(i + turn) % fx.params.length]);
  fx.backward();
  const raw = params.map((p) => p.grad);
  let sq = 0;
  for (const g of raw) if (g) for (const x of g) sq += x * x;
  const s = norm / Math.sqrt(sq);
  for (const p of params) if (p.grad) for (let i = 0; i < p.grad.length; i++) p.grad[i] *= s;
  return { params, grads: params.map((p) => (p.grad ? Float32Array.from(p.grad) : null)) };
}

function callClip(m: Learner, params: Tensor[], maxNorm: number): number {
  const r: unknown = m.clipGradNorm(params, maxNorm);
  if (typeof r !== 'number') {
    fail(t(`clipGradNorm returned ${typeof r}; expected a number (the norm before clipping).`, `clipGradNorm 返回了 ${typeof r}；应返回一个数（裁剪前的范数）。`),
      { hint: t('Did you forget to `return` the norm?', '是不是忘了 `return` 范数？') });
  }
  return r as number;
}

const close = (a: number, b: number, rtol: number) => Math.abs(a - b) <= rtol * Math.abs(b) + 1e-12;

interface TrainResult { names: Text[]; curves: number[][] }

export default defineChecks<Learner>({
  exports: ['SGD', 'Adam', 'AdamW', 'cosineLr', 'clipGradNorm'],
  shared: {
    training: async (m, ctx): Promise<TrainResult> => {
      const names: Text[] = [t('SGD', 'SGD'), t('SGD + momentum 0.9', 'SGD + 动量 0.9'), t('Adam', 'Adam'), t('AdamW', 'AdamW')];
      const makers: ((ps: Tensor[]) => LearnerOptimizer)[] = [
        (ps) => new m.SGD(ps, { lr: 0.3 }),
        (ps) => new m.SGD(ps, { lr: 0.05, momentum: 0.9 }),
        (ps) => new m.Adam(ps, { lr: 1e-2 }),
        (ps) => new m.AdamW(ps, { lr: 1e-2, weightDecay: 0.01 }),
      ];
      const maxLrs = [0.3, 0.05, 1e-2, 1e-2];
      const curves: number[][] = names.map(() => []);
      const steps = 300;
      for (let k = 0; k < makers.length; k++) {
        const rng = new Rng(12345);
        const fx = optimMlpFixture(() => rng.random(), { batch: 32 });
        const opt = makers[k](fx.params);
        for (let s = 0; s < steps; s++) {
          opt.zeroGrad();
          const loss = fx.backwardKit(); // forward and backward with kit ops, as a training loop does
          curves[k].push(loss);
          m.clipGradNorm(fx.params, 1);
          opt.lr = m.cosineLr(s, { maxLr: maxLrs[k], minLr: maxLrs[k] / 10, warmup: 20, total: steps });
          opt.step();
          if (s % 25 === 24 || s === steps - 1) {
            ctx.progress({
              kind: 'curve', title: t('training the MLP with your optimizers', '用你的优化器训练 MLP'), xLabel: t('step', '步'), yLabel: t('loss (MSE)', '损失（MSE）'),
              series: curves.map((c, i) => ({ name: names[i], x: c.map((_, j) => j), y: c })).filter((c) => c.y.length > 0),
            });
            await new Promise((r) => setTimeout(r, 0));
          }
        }
      }
      return { names, curves };
    },
  },
  checks: [
    {
      name: t('SGD without momentum: 100 steps match the float64 reference', '不带动量的 SGD：100 步与 float64 参考一致'),
      task: 'SGD',
      run: (m, ctx) => runAll(ctx, 'SGD', [
        { label: 'SGD lr 0.05', kind: 'sgd', ref: { lr: 0.05 }, make: (ps) => new m.SGD(ps, { lr: 0.05 }) },
        { label: 'SGD lr 0.1→0.01 (schedule), weightDecay 0.01', kind: 'sgd', ref: { lr: 0.1, weightDecay: 0.01 }, lrAt: schedule(0.1),
          make: (ps) => new m.SGD(ps, { lr: 0.1, weightDecay: 0.01 }) },
      ], [['lr-cached', 'lr-cached']]),
    },
    {
      name: t('SGD with momentum: 100 steps under a changing lr match the float64 reference', '带动量的 SGD：学习率变化下的 100 步与 float64 参考一致'),
      task: 'SGD',
      run: (m, ctx) => runAll(ctx, 'SGD + momentum', [
        { label: 'SGD lr 0.05 (schedule), momentum 0.9', kind: 'sgd', ref: { lr: 0.05, momentum: 0.9 }, lrAt: schedule(0.05),
          make: (ps) => new m.SGD(ps, { lr: 0.05, momentum: 0.9 }) },
        { label: 'SGD lr 0.1 (schedule), momentum 0.5, weightDecay 0.05', kind: 'sgd', ref: { lr: 0.1, momentum: 0.5, weightDecay: 0.05 }, lrAt: schedule(0.1),
          make: (ps) => new m.SGD(ps, { lr: 0.1, momentum: 0.5, weightDecay: 0.05 }) },
      ], [['lr-in-buffer', 'momentum-lr-in-buffer'], ['lr-cached', 'lr-cached']]),
    },
    {
      name: t('Adam: 100 steps match the float64 reference (defaults, other betas and eps, L2 weight decay)', 'Adam：100 步与 float64 参考一致（默认值、其他 betas 和 eps、L2 权重衰减）'),
      task: 'Adam',
      run: (m, ctx) => runAll(ctx, 'Adam', [
        { label: 'Adam()', kind: 'adam', ref: { lr: 1e-3 }, make: (ps) => new m.Adam(ps) },
        { label: 'Adam lr 1e-2 (schedule), betas [0.8, 0.99], eps 1e-3', kind: 'adam', ref: { lr: 1e-2, betas: [0.8, 0.99], eps: 1e-3 }, lrAt: schedule(1e-2),
          make: (ps) => new m.Adam(ps, { lr: 1e-2, betas: [0.8, 0.99], eps: 1e-3 }) },
        { label: 'Adam lr 3e-3, weightDecay 0.1', kind: 'adam', ref: { lr: 3e-3, weightDecay: 0.1 },
          make: (ps) => new m.Adam(ps, { lr: 3e-3, weightDecay: 0.1 }) },
      ], [...ADAM_BC, ['eps-hat', 'eps-hat'], ['eps-in-sqrt', 'eps-in-sqrt'], ['decoupled', 'adam-decoupled'], ['lr-cached', 'lr-cached']]),
    },
    {
      name: t('AdamW: 100 steps with decoupled weight decay match the float64 reference', 'AdamW：带解耦权重衰减的 100 步与 float64 参考一致'),
      task: 'AdamW',
      run: (m, ctx) => runAll(ctx, 'AdamW', [
        { label: 'AdamW() (weightDecay 0.01)', kind: 'adamw', ref: { lr: 1e-3 }, make: (ps) => new m.AdamW(ps) },
        { label: 'AdamW lr 1e-2 (schedule), betas [0.9, 0.95], eps 1e-6, weightDecay 0.1', kind: 'adamw',
          ref: { lr: 1e-2, betas: [0.9, 0.95], eps: 1e-6, weightDecay: 0.1 }, lrAt: schedule(1e-2),
          make: (ps) => new m.AdamW(ps, { lr: 1e-2, betas: [0.9, 0.95], eps: 1e-6, weightDecay: 0.1 }) },
      ], [['l2', 'l2-in-adamw'], ['decay-times-grad', 'decay-wrong-target'], ['decay-no-lr', 'decay-no-lr'], ['decay-after-step', 'decay-after-step'],
        ['decay-2d-only', 'decay-2d-only'], ...ADAM_BC, ['lr-cached', 'lr-cached']]),
    },
    {
      name: t('zeroGrad clears every gradient (SGD, Adam and AdamW)', 'zeroGrad 清除所有梯度（SGD、Adam 和 AdamW）'),
      task: 'SGD',
      run: (m, ctx) => {
        const makers: [string, (ps: Tensor[]) => LearnerOptimizer][] = [
          ['SGD', (ps) => new m.SGD(ps, { lr: 0.1 })], ['Adam', (ps) => new m.Adam(ps)], ['AdamW', (ps) => new m.AdamW(ps)],
        ];
        for (const [name, make] of makers) {
          const fx = optimMlpFixture(ctx.random);
          const opt = make(fx.params);
          fx.backward();
          opt.zeroGrad();
          fx.params.forEach((p, j) => {
            expectTrue(p.grad === null || p.grad.every((x) => x === 0),
              t(`After ${name}.zeroGrad(), ${fx.names[j]}.grad still holds nonzero values: gradients accumulate, so the next backward would add to them.`,
                `${name}.zeroGrad() 之后，${fx.names[j]}.grad 仍有非零值：梯度是累加的，下一次反向传播会加到它们上面。`),
              t('for (const p of this.params) p.zeroGrad();', 'for (const p of this.params) p.zeroGrad();'));
          });
        }
      },
    },
    {
      name: t('the constructors reject invalid options, as torch.optim does', '构造函数像 torch.optim 一样拒绝无效选项'),
      task: 'SGD',
      run: (m, ctx) => {
        const ps = optimMlpFixture(ctx.random).params;
        expectRejects(() => new m.SGD([], { lr: 0.1 }), 'new SGD([], { lr: 0.1 })');
        expectRejects(() => new m.SGD(ps, { lr: -0.1 }), 'new SGD(params, { lr: -0.1 })');
        expectRejects(() => new m.SGD(ps, { lr: 0.1, momentum: -0.5 }), 'new SGD(params, { lr: 0.1, momentum: -0.5 })');
        expectRejects(() => new m.SGD(ps, { lr: 0.1, weightDecay: -1e-4 }), 'new SGD(params, { lr: 0.1, weightDecay: -1e-4 })');
        expectRejects(() => new m.Adam([]), 'new Adam([])');
        expectRejects(() => new m.Adam(ps, { lr: -1e-3 }), 'new Adam(params, { lr: -1e-3 })');
        expectRejects(() => new m.Adam(ps, { betas: [1, 0.999] }), 'new Adam(params, { betas: [1, 0.999] })');
        expectRejects(() => new m.Adam(ps, { betas: [0.9, -0.1] }), 'new Adam(params, { betas: [0.9, -0.1] })');
        expectRejects(() => new m.Adam(ps, { eps: -1e-8 }), 'new Adam(params, { eps: -1e-8 })');
        expectRejects(() => new m.Adam(ps, { weightDecay: -0.1 }), 'new Adam(params, { weightDecay: -0.1 })');
        expectRejects(() => new m.AdamW([]), 'new AdamW([])');
        expectRejects(() => new m.AdamW(ps, { lr: -1e-2 }), 'new AdamW(params, { lr: -1e-2 })');
        expectRejects(() => new m.AdamW(ps, { eps: -1e-6 }), 'new AdamW(params, { eps: -1e-6 })');
        expectRejects(() => new m.AdamW(ps, { weightDecay: -0.01 }), 'new AdamW(params, { weightDecay: -0.01 })');
        expectRejects(() => new m.AdamW(ps, { betas: [0.9, 1.5] }), 'new AdamW(params, { betas: [0.9, 1.5] })');
        // and valid ones are accepted, including the edges
        new m.SGD(ps, { lr: 0, momentum: 0, weightDecay: 0 });
        new m.Adam(ps, { betas: [0, 0], eps: 0, weightDecay: 0 });
        new m.AdamW(ps, { lr: 0 });
      },
    },
    {
      name: t('cosineLr: warmup, cosine decay to minLr at total, and minLr after', 'cosineLr：预热、在 total 处余弦衰减到 minLr、之后保持 minLr'),
      task: 'cosineLr',
      run: (m, ctx) => {
        for (const o of COSINE_CONFIGS) {
          const steps = Array.from({ length: o.total + 6 }, (_, s) => s);
          const got = steps.map((s) => m.cosineLr(s, { ...o }));
          const want = steps.map((s) => optimCosineRef(s, o));
          const bad = steps.find((s) => !(typeof got[s] === 'number' && close(got[s], want[s], 1e-9)));
          if (bad === undefined) {
            if (o === COSINE_CONFIGS[0]) {
              ctx.artifact({ kind: 'curve', title: t('your cosineLr (warmup 10, total 50)', '你的 cosineLr（warmup 10，total 50）'),
                xLabel: t('step', '步'), yLabel: t('learning rate', '学习率'), series: [{ name: t('cosineLr', 'cosineLr'), x: steps, y: got }] });
            }
            continue;
          }
          const cfg = `{ maxLr: ${o.maxLr}, minLr: ${o.minLr}, warmup: ${o.warmup}, total: ${o.total} }`;
          const detail = t(` (cosineLr(${bad}, ${cfg}) is ${got[bad]}, expected ${want[bad]})`, `（cosineLr(${bad}, ${cfg}) 是 ${got[bad]}，应为 ${want[bad]}）`);
          // A variant is named only if it explains every step of this configuration and of every configuration.
          const named = COSINE_VARIANTS.find(([v]) => COSINE_CONFIGS.every((c) =>
            Array.from({ length: c.total + 6 }, (_, s) => s).every((s) => close(m.cosineLr(s, { ...c }), optimCosineRef(s, c, v), 1e-9))));
          if (named) {
            const mm = M[named[1]];
            fail(t(mm.message.en + detail.en, mm.message['zh-cn'] + detail['zh-cn']), { hint: mm.hint, convention: mm.convention });
          }
          fail(t(`cosineLr(${bad}, ${cfg}) returned ${got[bad]}; expected ${want[bad]}.`, `cosineLr(${bad}, ${cfg}) 返回 ${got[bad]}；应为 ${want[bad]}。`), {
            hint: t(
              'Three pieces: step < warmup: maxLr * (step + 1) / warmup; step >= total: minLr; in between, progress = (step - warmup) / (total - warmup) and minLr + 0.5 * (1 + cos(π·progress)) * (maxLr - minLr).',
              '三段：step < warmup 时为 maxLr * (step + 1) / warmup；step >= total 时为 minLr；其间 progress = (step - warmup) / (total - warmup)，lr = minLr + 0.5 * (1 + cos(π·progress)) * (maxLr - minLr)。'),
          });
        }
      },
    },
    {
      name: t('cosineLr throws for a negative step, a negative warmup, or total < warmup', 'cosineLr 在 step 为负、warmup 为负或 total < warmup 时抛出异常'),
      task: 'cosineLr',
      run: (m) => {
        const o = { maxLr: 1e-3, minLr: 1e-4, warmup: 5, total: 20 };
        expectRejects(() => m.cosineLr(-1, o), 'cosineLr(-1, { maxLr: 1e-3, minLr: 1e-4, warmup: 5, total: 20 })');
        expectRejects(() => m.cosineLr(3, { ...o, warmup: -2 }), 'cosineLr(3, { ..., warmup: -2, total: 20 })');
        expectRejects(() => m.cosineLr(3, { ...o, warmup: 30 }), 'cosineLr(3, { ..., warmup: 30, total: 20 })');
        expectTrue(close(m.cosineLr(7, { ...o, warmup: 20 }), optimCosineRef(7, { ...o, warmup: 20 }), 1e-9) && m.cosineLr(20, { ...o, warmup: 20 }) === o.minLr,
          t('With warmup = total (allowed), cosineLr is the warmup up to total, then minLr.', 'warmup = total 是允许的：此时 cosineLr 在 total 之前是预热，之后是 minLr。'),
          t('Only throw when total < warmup; with warmup = total there is no cosine part.', '只在 total < warmup 时抛出；warmup = total 时只是没有余弦段。'));
      },
    },
    {
      name: t('clipGradNorm: one global norm over every gradient, returned before clipping', 'clipGradNorm：所有梯度共用一个全局范数，返回裁剪前的值'),
      task: 'clipGradNorm',
      run: (m, ctx) => {
        for (const [turn, [norm, maxNorm]] of [[5, 1], [2.5, 2], [40, 0.5], [7, 3], [1.5, 1]].entries()) {
          const { params, grads } = clipFixture(ctx, norm, turn);
          const present = grads.filter((g): g is Float32Array => g !== null);
          const ours = optimClipRef(present, maxNorm);
          const torch = optimClipRef(present, maxNorm, { torchEps: true });
          const perTensor = optimClipRef(present, maxNorm, { perTensor: true });
          const got = callClip(m, params, maxNorm);
          const clipped = params.filter((p) => p.grad !== null).map((p) => p.grad as Float32Array);
          const matches = (want: Float64Array[]) => clipped.every((g, j) => g.every((x, i) => Math.abs(x - want[j][i]) <= 1e-6 * Math.abs(want[j][i]) + 1e-9));
          if (!(matches(ours.clipped) || matches(torch.clipped))) {
            if (matches(perTensor.clipped)) fail(...mistake(M['clip-per-tensor']));
            const j = clipped.findIndex((g, k) => !g.every((x, i) => Math.abs(x - ours.clipped[k][i]) <= 1e-6 * Math.abs(ours.clipped[k][i]) + 1e-9));
            const i = clipped[j].findIndex((x, k) => Math.abs(x - ours.clipped[j][k]) > 1e-6 * Math.abs(ours.clipped[j][k]) + 1e-9);
            fail(t(
              `clipGradNorm(params, ${maxNorm}) with a global norm of ${norm}: gradient ${j}, element ${i} is ${clipped[j][i]} after clipping; expected ${ours.clipped[j][i]} (every gradient times maxNorm / norm = ${maxNorm / norm}).`,
              `clipGradNorm(params, ${maxNorm})，全局范数为 ${norm}：裁剪后第 ${j} 个梯度的第 ${i} 个元素是 ${clipped[j][i]}；应为 ${ours.clipped[j][i]}（每个梯度都乘以 maxNorm / norm = ${maxNorm / norm}）。`),
            { hint: M['clip-per-tensor'].hint });
          }
          if (close(got, maxNorm, 1e-3)) fail(...mistake(M['clip-returns-after']));
          expectTrue(close(got, ours.norm, 1e-5),
            t(`clipGradNorm returned ${got}; the global norm before clipping is ${ours.norm}.`, `clipGradNorm 返回 ${got}；裁剪前的全局范数是 ${ours.norm}。`),
            t('Return Math.sqrt of the sum of squares of every gradient element, measured before scaling.', '返回所有梯度元素平方和的 Math.sqrt，要在缩放之前计算。'));
        }
      },
    },
    {
      name: t('clipGradNorm leaves small gradients alone and skips missing ones', 'clipGradNorm 不改动本来就小的梯度，并跳过不存在的梯度'),
      task: 'clipGradNorm',
      run: (m, ctx) => {
        for (const [turn, [norm, maxNorm]] of [[0.5, 1], [3, 3.5], [1e-3, 1], [2, 2.5], [0.1, 0.2]].entries()) {
          const { params, grads } = clipFixture(ctx, norm, turn);
          const got = callClip(m, params, maxNorm);
          params.forEach((p, j) => {
            const before = grads[j];
            if (before === null) {
              expectTrue(p.grad === null, t('clipGradNorm gave a gradient to a parameter that had none (grad null).', 'clipGradNorm 给原本没有梯度（grad 为 null）的参数造出了梯度。'),
                t('Skip parameters whose grad is null.', '跳过 grad 为 null 的参数。'));
              return;
            }
            if (!p.grad?.every((x, i) => x === before[i])) {
              const ratio = p.grad ? p.grad[0] / before[0] : NaN;
              if (close(ratio, maxNorm / norm, 1e-4)) fail(...mistake(M['clip-always-scales']));
              fail(t(`clipGradNorm(params, ${maxNorm}) changed gradient ${j} although the global norm, ${norm}, is below maxNorm.`,
                `clipGradNorm(params, ${maxNorm}) 修改了第 ${j} 个梯度，但全局范数 ${norm} 小于 maxNorm。`), { hint: M['clip-always-scales'].hint });
            }
          });
          expectTrue(close(got, norm, 1e-5), t(`clipGradNorm returned ${got}; the global norm is ${norm}.`, `clipGradNorm 返回 ${got}；全局范数是 ${norm}。`),
            t('Return the norm even when nothing is clipped.', '即使没有裁剪，也要返回范数。'));
        }
      },
    },
    {
      name: t('training the MLP: every optimizer, with warmup, cosine decay and clipping, lowers the loss', '训练 MLP：每个优化器配合预热、余弦衰减和裁剪都能降低损失'),
      task: 'AdamW',
      timeoutSeconds: 30,
      run: async (m, ctx) => {
        const r = await ctx.shared<TrainResult>('training');
        r.names.forEach((name, i) => {
          const c = r.curves[i];
          const first = c[0];
          const last = c[c.length - 1];
          // The reference: SGD 0.43 -> 0.21, momentum -> 0.19, Adam and AdamW -> 0.074.
          expectTrue(Number.isFinite(last) && last < 0.6 * first,
            t(`${name.en}: the loss went from ${first.toFixed(4)} to ${last.toFixed(4)} in ${c.length} steps; it should fall below 0.6 × the first.`,
              `${name['zh-cn']}：损失在 ${c.length} 步内从 ${first.toFixed(4)} 变为 ${last.toFixed(4)}；应降到第一步的 0.6 倍以下。`),
            t('The step-by-step checks above say which piece is wrong; this one only shows that training works end to end.', '上面的逐步检查会指出哪一部分有错；这一项只确认端到端的训练能行。'));
        });
        ctx.artifact({
          kind: 'curve', title: t('training the MLP with your optimizers', '用你的优化器训练 MLP'), xLabel: t('step', '步'), yLabel: t('loss (MSE)', '损失（MSE）'),
          series: r.curves.map((c, i) => ({ name: r.names[i], x: c.map((_, j) => j), y: c })),
        });
      },
    },
  ],
});

