/**
 * Checks for the DPO lesson (dpo/loss): dpoLoss on hand-worked and random pairs against a float64 reference, its
 * gradients (closed form and finite differences), its stability for huge margins, then a DPO run on the
 * bundled model with the reward-model lesson's preference pairs, compared with the RLHF lesson's PPO run.
 *
 * Each catalogued mistake (no reference log-ratios, β outside the sigmoid or dividing, chosen and rejected
 * swapped, a sum instead of a mean, the sign of the loss) is computed as its own wrong variant, so a failure
 * names it, once a second input (CONFIRM) agrees: on one input two different things can coincide. Expected values
 * never use the learner's code.
 *
 * Which check catches which catalogued mistake (mistakes.ts), and what else it catches:
 *
 *   check                                 catalogued                                      also (named generically)
 *   the worked example: one pair          no-reference, beta-outside, beta-divides,       wrong numbers, shape, inputs
 *                                         swapped, positive-log                           changed, not finite (named
 *                                                                                         `unstable` only for |z| > 80)
 *   a batch of pairs                      the same, and sum                               mean over the wrong axis or n
 *   gradients reach the policy log-probs  no-graph, flat-at-zero (gradient 0 at z = 0,    gradients ≠ ∓β·σ(−z)/B, finite
 *                                         where every pair of the run starts)             differences disagree
 *   huge margins                          unstable, no-graph                              inexact for z = ±300
 *   DPO on the bundled model              every one of the worked example, flat-at-zero   pairs not fitted, no rise
 */
import { type CheckContext, type LocalArtifact, type Misconception, type Text, defineChecks, expectClose, fail, join, t } from '@llm-lab/check';
import { type Tensor, gradcheck, tensor } from '@llm-lab/kit';
import {
  baselineEvaluation, type DpoStats, EVAL, type Evaluation, PPO_DEFAULTS, evaluate, loadRlModel, mean, ppoComparison, preferencePairs, rewardSource, runDpo, visible,
} from '@llm-lab/course/alignment';
import { DPO_MISTAKES as M, type DpoMistake } from './mistakes';

type Learner = typeof import('./dpo');

// ---------------------------------------------------------------------------------------------------------
// Float64 reference and the catalogued wrong variants

/** −log σ(z) = log(1 + e^(−z)), stable for any z. */
const softplusNeg = (z: number) => Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

interface Pairs {
  pc: number[];
  pr: number[];
  rc: number[];
  rr: number[];
}

type LossVariant = Exclude<DpoMistake, 'unstable' | 'no-graph' | 'flat-at-zero'>;

function dpo64(p: Pairs, beta: number, v: LossVariant | 'correct' = 'correct'): number {
  const per = p.pc.map((_, i) => {
    const margin = (p.pc[i] - p.rc[i]) - (p.pr[i] - p.rr[i]);
    switch (v) {
      case 'no-reference': return softplusNeg(beta * (p.pc[i] - p.pr[i]));
      case 'beta-outside': return beta * softplusNeg(margin);
      case 'beta-divides': return softplusNeg(margin / beta);
      case 'swapped': return softplusNeg(-beta * margin);
      case 'positive-log': return -softplusNeg(beta * margin);
      default: return softplusNeg(beta * margin);
    }
  });
  const total = per.reduce((s, x) => s + x, 0);
  return v === 'sum' ? total : total / per.length;
}

const MISTAKES: LossVariant[] = ['no-reference', 'beta-outside', 'beta-divides', 'swapped', 'sum', 'positive-log'];

/**
 * A second input, where every variant differs from the right answer and from each other: three pairs (a B no check
 * input has), moderate margins of both signs, a β no other input uses.
 */
const CONFIRM: { p: Pairs; beta: number } = { p: { pc: [-11, -25, -8], pr: [-14, -20, -9.5], rc: [-12.5, -22, -8.2], rr: [-13, -21.5, -9] }, beta: 0.7 };

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b));

/** Whether the learner's loss on CONFIRM is variant v's (never throws: a crash confirms nothing). */
function confirms(m: Learner, v: LossVariant): boolean {
  const { p, beta } = CONFIRM;
  try {
    const loss = m.dpoLoss(tensor(p.pc), tensor(p.pr), tensor(p.rc), tensor(p.rr), beta);
    return loss?.size === 1 && near(loss.data[0], dpo64(p, beta, v));
  } catch {
    return false;
  }
}

/** Whether some gradient of the learner's loss on `c` reaches the policy's log-probs (never throws). */
function gradientFlowsAt(m: Learner, c: { p: Pairs; beta: number }): boolean {
  try {
    const pc = tensor(c.p.pc, [c.p.pc.length], { requiresGrad: true });
    const pr = tensor(c.p.pr, [c.p.pr.length], { requiresGrad: true });
    m.dpoLoss(pc, pr, tensor(c.p.rc), tensor(c.p.rr), c.beta).backward();
    return [...(pc.grad ?? []), ...(pr.grad ?? [])].some((g) => g !== 0);
  } catch {
    return false;
  }
}

/**
 * The catalogued variants that differ from the right answer on `p`, each kept only if the learner's loss is that
 * variant on CONFIRM too. One input can make two different things coincide (with margins of ±300, a log-softmax over
 * the wrong axis gives exactly the sum over the pairs): a mistake is named only when a second input agrees.
 */
function misconceptions(m: Learner, p: Pairs, beta: number): Misconception[] {
  const right = dpo64(p, beta);
  return MISTAKES.map((v) => ({ v, value: dpo64(p, beta, v) }))
    .filter(({ value }) => !near(value, right)) // only the ones that differ here
    .filter(({ v }) => confirms(m, v))
    .map(({ v, value }) => ({ value, ...M[v] }));
}

const list = (a: readonly number[]) => `[${a.map((x) => +x.toFixed(3)).join(', ')}]`;

/** Calls the learner's dpoLoss on fresh tensors; returns the loss and the policy tensors (with gradients on). */
function call(m: Learner, p: Pairs, beta: number): { loss: Tensor; pc: Tensor; pr: Tensor; rc: Tensor; rr: Tensor; what: string } {
  const pc = tensor(p.pc, [p.pc.length], { requiresGrad: true });
  const pr = tensor(p.pr, [p.pr.length], { requiresGrad: true });
  const rc = tensor(p.rc);
  const rr = tensor(p.rr);
  const what = p.pc.length === 1
    ? `dpoLoss([${p.pc[0]}], [${p.pr[0]}], [${p.rc[0]}], [${p.rr[0]}], ${beta})`
    : `dpoLoss(${p.pc.length} pairs, β = ${beta})`;
  const before = [pc, pr, rc, rr].map((x) => Float32Array.from(x.data));
  const loss = m.dpoLoss(pc, pr, rc, rr, beta);
  if (!loss || typeof loss !== 'object' || !('data' in loss) || !('shape' in loss)) {
    const got = loss === undefined ? t('undefined (did you forget to `return`?)', 'undefined（是不是忘了 `return`？）') : t(typeof loss, typeof loss);
    fail(t(`${what} returned ${got.en}; expected a one-element Tensor`, `${what} 返回了 ${got['zh-cn']}，应返回只有一个元素的张量`));
  }
  if (loss.size !== 1) {
    const shape = `(${loss.shape.join(', ')})`;
    fail(t(`${what} returned a tensor of shape ${shape}; expected one number, the mean over the pairs`, `${what} 返回了形状为 ${shape} 的张量，应返回一个数：各偏好对的平均值`),
      { hint: t('Reduce with mean(...) at the end.', '最后用 mean(...) 归约。') });
  }
  const names = ['policyChosen', 'policyRejected', 'refChosen', 'refRejected'];
  [pc, pr, rc, rr].forEach((x, i) => {
    if (x.data.some((v, j) => v !== before[i][j])) {
      fail(t(`dpoLoss changed its argument ${names[i]}`, `dpoLoss 修改了它的参数 ${names[i]}`),
        { hint: t('Build new tensors with ops; never write into the inputs.', '用运算构造新的张量；绝不要写入输入。') });
    }
  });
  return { loss, pc, pr, rc, rr, what };
}

function expectLoss(m: Learner, p: Pairs, beta: number, hint?: Text): { loss: Tensor; pc: Tensor; pr: Tensor } {
  const r = call(m, p, beta);
  const expected = dpo64(p, beta);
  const got = r.loss.data[0];
  if (!Number.isFinite(got) && Number.isFinite(expected)) {
    const want = +expected.toFixed(6);
    const said = t(`${r.what} is ${got}, expected ${want}.`, `${r.what} 是 ${got}，应为 ${want}。`);
    // log σ(z) rounds to log 0 (or e^(−z) overflows) only for |z| beyond about 80 in float32: only then is that the
    // reason. A non-finite loss for moderate margins is something else (a division by 0, say): say only what it is.
    const zMax = Math.max(...p.pc.map((_, i) => Math.abs(beta * ((p.pc[i] - p.rc[i]) - (p.pr[i] - p.rr[i])))));
    if (zMax > 80) fail(join([said, M.unstable.message], '\n'), { hint: M.unstable.hint });
    fail(join([said, t(`The loss should be finite here: every β·margin is within ±${Math.ceil(zMax)}, where log σ is an ordinary number.`,
      `这里损失应当是有限值：每个 β·margin 都在 ±${Math.ceil(zMax)} 以内，log σ 在那里是普通的数。`)], '\n'));
  }
  expectClose(got, expected, { what: r.what, rtol: 1e-4, atol: 1e-5, hint, misconceptions: misconceptions(m, p, beta) });
  return r;
}

function randomPairs(rand: () => number, n: number, spread: number): Pairs {
  const lp = () => Array.from({ length: n }, () => -20 - spread * rand());
  return { pc: lp(), pr: lp(), rc: lp(), rr: lp() };
}

/** The worked example of the lesson text. */
const HAND: Pairs = { pc: [-12], pr: [-15], rc: [-13], rr: [-14] };

/**
 * Every pair of the run starts at z = 0 exactly (the policy is a copy of the reference), so the gradient must be
 * right exactly there: −β/(2B) for chosen, +β/(2B) for rejected. relu(−z) + log(1 + e^(−|z|)) written with kit ops
 * has the right values and the right gradient everywhere else, and gradient 0 there (relu and |z| are flat at 0).
 */
function expectGradientAtZero(m: Learner): void {
  const p: Pairs = { pc: [-12, -30, -7.5], pr: [-20, -9, -14], rc: [-12, -30, -7.5], rr: [-20, -9, -14] };
  const beta = 0.5;
  const B = p.pc.length;
  const { loss, pc, pr } = expectLoss(m, p, beta, t('With the policy equal to the reference every margin is 0, and every pair costs −log σ(0) = log 2 ≈ 0.6931.',
    '策略等于参考模型时每个 margin 都是 0，每个偏好对的损失都是 −log σ(0) = log 2 ≈ 0.6931。'));
  if (!loss.requiresGrad) fail(M['no-graph'].message, { hint: M['no-graph'].hint });
  loss.backward();
  if (!pc.grad || !pr.grad) fail(M['no-graph'].message, { hint: M['no-graph'].hint });
  const [gc, gr] = [Array.from(pc.grad), Array.from(pr.grad)];
  if ([...gc, ...gr].every((g) => g === 0)) {
    // Flat at 0 only if not flat everywhere: confirm that gradients do flow where z ≠ 0.
    if (gradientFlowsAt(m, CONFIRM)) fail(M['flat-at-zero'].message, { hint: M['flat-at-zero'].hint });
    fail(t('No gradient reached policyChosen or policyRejected, at z = 0 or elsewhere, although the loss has a graph: build it from the policy tensors with kit ops.',
      '梯度没有传到 policyChosen 或 policyRejected，无论在 z = 0 处还是别处，虽然损失有计算图：请用工具包的运算从策略张量构造它。'));
  }
  const g = beta / 2 / B; // β·σ(−0)/B
  const what = 'at z = 0 (policy = reference, 3 pairs, β = 0.5)';
  const hint = t('At z = 0, σ(−z) = 1/2: d loss / d policyChosen = −β/(2B), d loss / d policyRejected = +β/(2B).',
    'z = 0 时 σ(−z) = 1/2：d loss / d policyChosen = −β/(2B)，d loss / d policyRejected = +β/(2B)。');
  expectClose(gc, gc.map(() => -g), { what: `d loss / d policyChosen ${what}`, rtol: 1e-3, atol: 1e-6, hint });
  expectClose(gr, gr.map(() => g), { what: `d loss / d policyRejected ${what}`, rtol: 1e-3, atol: 1e-6, hint });
}

// ---------------------------------------------------------------------------------------------------------
// The run

export const DPO_RUN = {
  /** The mean reward of the evaluation samples must rise by at least this much. */
  minRise: 0.3,
  /** Fraction of training pairs (last 5 steps) whose implicit reward prefers the chosen text. */
  minAccuracy: 0.6,
};

/** One DPO run with the learner's loss: what the run check looks at. */
interface DpoRun {
  rewardName: Text;
  before: Evaluation;
  after: Evaluation;
  history: DpoStats[];
  seconds: number;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

const STEP = t('step', '步');
const LOSS_TITLE = t('DPO loss per step', '每步的 DPO 损失');
const ACCURACY_TITLE = t('Pairs whose implicit reward prefers the chosen text', '隐式奖励偏向 chosen 文本的偏好对比例');

function curve(title: Text, yLabel: Text, history: DpoStats[], pick: (s: DpoStats) => number): LocalArtifact {
  return { kind: 'curve', title, xLabel: STEP, yLabel, series: [{ name: yLabel, x: history.map((s) => s.step + 1), y: history.map((s) => round(pick(s), 4)) }] };
}

const curves = (h: DpoStats[]): LocalArtifact[] => [
  curve(LOSS_TITLE, t('loss', '损失'), h, (s) => s.loss),
  curve(ACCURACY_TITLE, t('accuracy', '准确率'), h, (s) => s.accuracy),
];

function samplesTable(before: Evaluation, after: Evaluation): LocalArtifact {
  const reward = t('reward', '奖励');
  return {
    kind: 'table', title: t('Samples before and after DPO (the prompts and seed of the RLHF lesson)', 'DPO 前后的样本（RLHF 一课的提示和随机种子）'),
    columns: [t('prompt', '提示'), t('before', '训练前'), reward, t('after DPO', 'DPO 之后'), reward],
    rows: before.samples.slice(0, EVAL.shown).map((s, i) => [visible(s.prompt), visible(s.text), round(s.reward), visible(after.samples[i].text), round(after.samples[i].reward)]),
  };
}

/** The shared run: the worked example first (a wrong loss would waste the run), then DPO, its curves live. */
async function dpoRun(m: Learner, ctx: CheckContext): Promise<DpoRun> {
  expectLoss(m, HAND, 0.5);
  expectGradientAtZero(m); // where every pair of the run starts: a loss flat there never trains
  const [model, reward, pairs] = await Promise.all([loadRlModel(), rewardSource(), preferencePairs()]);
  const before = baselineEvaluation(); // the bundled model, evaluated as below (recorded: the same in every run)
  const started = performance.now();
  const history = runDpo(model, (a, b, c, d, beta) => m.dpoLoss(a, b, c, d, beta), pairs.train, {}, (_, h) => {
    for (const c of curves(h)) ctx.progress(c);
  });
  const seconds = (performance.now() - started) / 1000;
  const after = await evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);
  return { rewardName: reward.name, before, after, history, seconds };
}

/** The run's curves, samples and numbers beside the RLHF lesson's recorded PPO run, then: the pairs fit, the reward rose. */
function judgeRun(run: DpoRun, ctx: CheckContext): void {
  const { before, after, history, seconds, rewardName } = run;
  for (const c of curves(history)) ctx.artifact(c); // the live ones, when this check drew them
  ctx.artifact(samplesTable(before, after));
  const ppo = ppoComparison();
  const accuracy = mean(history.slice(-5).map((s) => s.accuracy));
  const s1 = seconds.toFixed(1);
  ctx.artifact({
    kind: 'table',
    title: t(`DPO: ${history.length} steps in ${s1} s, β = 0.1; PPO: the RLHF lesson's reference run (recorded)`,
      `DPO：${history.length} 步，用时 ${s1} 秒，β = 0.1；PPO：RLHF 一课参考解的训练（预先记录）`),
    columns: ['', t('before', '训练前'), t('after DPO', 'DPO 之后'), t('after PPO (RLHF lesson)', 'PPO 之后（RLHF 一课）')],
    rows: [
      [t(`mean reward of the evaluation samples (${rewardName.en})`, `评估样本的平均奖励（${rewardName['zh-cn']}）`), round(before.reward), round(after.reward), ppo ? round(ppo.reward) : '-'],
      [t('KL to the reference per continuation (nats)', '每段续写与参考模型的 KL（奈特）'), round(before.kl), round(after.kl), ppo ? round(ppo.kl) : '-'],
      [t('time (s)', '时间（秒）'), '', round(seconds, 1), ppo ? round(ppo.seconds, 1) : '-'],
    ],
  });
  if (!(accuracy >= DPO_RUN.minAccuracy)) {
    const [n, pct, want] = [history.length, Math.round(accuracy * 100), DPO_RUN.minAccuracy * 100];
    fail(t(`After ${n} steps only ${pct}% of the training pairs prefer the chosen text (the check asks for ${want}%).`,
      `训练 ${n} 步后，只有 ${pct}% 的训练偏好对偏向 chosen 文本（检查要求 ${want}%）。`), {
      hint: t('Look at the loss curve: it should fall below log 2 ≈ 0.693 (the loss when policy and reference agree).',
        '看看损失曲线：它应当降到 log 2 ≈ 0.693 以下（策略与参考模型一致时的损失）。'),
    });
  }
  if (!(after.reward - before.reward >= DPO_RUN.minRise)) {
    const [b, a] = [round(before.reward), round(after.reward)];
    fail(t(`DPO fit the pairs but the reward of the samples did not rise enough: ${b} before, ${a} after (the check asks for +${DPO_RUN.minRise}).`,
      `DPO 拟合了偏好对，但样本的奖励上升得不够：训练前 ${b}，训练后 ${a}（检查要求至少 +${DPO_RUN.minRise}）。`));
  }
}

export default defineChecks<Learner>({
  exports: ['dpoLoss'],
  shared: {
    /** The DPO run: computed only when a check that needs it runs. */
    dpo: (m, ctx) => dpoRun(m, ctx),
  },
  checks: [
    {
      name: t('the worked example: one pair, margin 2, β = 0.5', '算例：一个偏好对，margin 为 2，β = 0.5'),
      task: 'dpoLoss',
      run: (m) => {
        // margin = (−12 − (−13)) − (−15 − (−14)) = 1 − (−1) = 2; z = 0.5 · 2 = 1; −log σ(1) = log(1 + e^−1) = 0.31326
        expectLoss(m, HAND, 0.5, t(
          'margin = (policyChosen − refChosen) − (policyRejected − refRejected) = 2; z = β·margin = 1; loss = −log σ(1) = log(1 + e^(−1)) ≈ 0.3133.',
          'margin = (policyChosen − refChosen) − (policyRejected − refRejected) = 2；z = β·margin = 1；loss = −log σ(1) = log(1 + e^(−1)) ≈ 0.3133。'));
      },
    },
    {
      name: t('a batch of pairs: the mean over the pairs, for several β', '一批偏好对：对各对取平均，β 取多个值'),
      task: 'dpoLoss',
      run: (m, ctx) => {
        for (const beta of [0.1, 0.5, 2]) expectLoss(m, randomPairs(ctx.random, 6, 10), beta);
        expectLoss(m, randomPairs(ctx.random, 1, 10), 0.3);
      },
    },
    {
      name: t('gradients reach the policy log-probs: −β·σ(−z)/B for chosen, +β·σ(−z)/B for rejected',
        '梯度传到策略的对数概率：chosen 上是 −β·σ(−z)/B，rejected 上是 +β·σ(−z)/B'),
      task: 'dpoLoss',
      run: (m, ctx) => {
        const p = randomPairs(ctx.random, 5, 8);
        const beta = 0.4;
        const { loss, pc, pr } = expectLoss(m, p, beta);
        if (!loss.requiresGrad) fail(M['no-graph'].message, { hint: M['no-graph'].hint });
        loss.backward();
        const B = p.pc.length;
        const dz = p.pc.map((_, i) => {
          const z = beta * ((p.pc[i] - p.rc[i]) - (p.pr[i] - p.rr[i]));
          return beta / (1 + Math.exp(z)) / B; // β·σ(−z)/B
        });
        expectClose(pc.grad ?? new Float32Array(B), dz.map((g) => -g), { what: 'd loss / d policyChosen', rtol: 1e-3, atol: 1e-6,
          hint: t('Pushing a chosen text\'s log-prob up lowers the loss, by β·σ(−z)/B: most for the pairs the policy still gets wrong.',
            '把 chosen 文本的对数概率往上推会降低损失，降幅为 β·σ(−z)/B：策略仍判断错的偏好对降得最多。') });
        expectClose(pr.grad ?? new Float32Array(B), dz, { what: 'd loss / d policyRejected', rtol: 1e-3, atol: 1e-6 });
        // And the same by finite differences, through the learner's own function.
        const a = tensor(p.pc, [B], { requiresGrad: true });
        const b = tensor(p.pr, [B], { requiresGrad: true });
        const r = gradcheck(() => m.dpoLoss(a, b, tensor(p.rc), tensor(p.rr), beta), [a, b], { eps: 1e-2, atol: 1e-3, rtol: 2e-2 });
        if (!r.ok) {
          fail(t(`finite differences disagree with backward(): ${r.message}`, `有限差分与 backward() 的结果不一致：${r.message}`),
            { hint: t('Build the loss only from kit ops on the arguments, so backward() knows every step.', '只用工具包的运算从参数构造损失，这样 backward() 才知道每一步。') });
        }
        // And exactly at z = 0, where every pair of the run starts.
        expectGradientAtZero(m);
      },
    },
    {
      name: t('huge margins give finite, exact losses and gradients (no log of 0)', 'margin 极大时，损失和梯度仍有限且精确（不对 0 取对数）'),
      task: 'dpoLoss',
      run: (m) => {
        // β·margin = ±300: σ(−300) is 5e-131, far below float32's smallest number.
        const p = { pc: [-10, -400], pr: [-400, -10], rc: [-50, -50], rr: [-50, -50] };
        const beta = 300 / 390;
        const { loss, pc } = expectLoss(m, p, beta, t('For z = +300 the pair costs log(1 + e^−300) ≈ 0; for z = −300 it costs 300. The mean is 150.',
          'z = +300 时这一对的损失是 log(1 + e^−300) ≈ 0；z = −300 时是 300。平均值是 150。'));
        if (!loss.requiresGrad) fail(M['no-graph'].message, { hint: M['no-graph'].hint });
        loss.backward();
        const g = pc.grad ? Array.from(pc.grad) : [NaN, NaN];
        if (g.some((x) => !Number.isFinite(x))) {
          const u = M.unstable.message;
          fail(t(`the gradient is ${list(g)} for margins of ±390: ${u.en}`, `margin 为 ±390 时梯度是 ${list(g)}：${u['zh-cn']}`), { hint: M.unstable.hint });
        }
        expectClose(g, [0, -beta / 2], { what: 'd loss / d policyChosen for margins +390 and −390', rtol: 1e-3, atol: 1e-6 });
      },
    },
    {
      name: t('DPO on the bundled model: the reward-model lesson\'s preference pairs, compared with the RLHF lesson\'s PPO',
        '在内置模型上跑 DPO：用奖励模型一课的偏好对，并与 RLHF 一课的 PPO 比较'),
      task: 'dpoLoss',
      timeoutSeconds: 90,
      run: async (m, ctx) => judgeRun(await ctx.shared<DpoRun>('dpo'), ctx),
    },
  ],
});
