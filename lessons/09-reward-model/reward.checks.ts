/**
 * Checks for the reward-model lesson (reward-model/loss): preferenceLoss(rChosen, rRejected) and pairAccuracy(rChosen, rRejected).
 *
 * Expected values are computed here in float64 with the stable softplus (worked small cases are in the comments);
 * gradients are checked against the closed form dL/dr_c = -σ(-d)/N and against finite differences of the
 * learner's own function (the kit's gradcheck). Every catalogued mistake (mistakes.ts) is computed as its own
 * wrong value, so a failure names it; an overflowing log(σ(d)) is recognised by its non-finite result.
 * The last check trains the course's reward model (@llm-lab/course/alignment) with the learner's loss on the
 * AFINN preference pairs.
 *
 * A wrong pair accuracy is named only when it also explains a second list where every catalogued count and every
 * off-by-one loop differ (on one list, a loop that skips a pair can give exactly the share of wrong pairs).
 *
 * Which check names which catalogued mistake (mistakes.ts; the catalogue runner holds one case per entry):
 *
 *   check                                         names
 *   ----------------------------------------------------------------------------------------------------------------
 *   preferenceLoss: three pairs by hand           sign-flipped, sigmoid-not-log, one-minus-sigmoid,
 *                                                 log-likelihood-not-negated, sum-not-mean
 *   preferenceLoss: no preference yet gives log 2 the same but sign-flipped (equal rewards: its loss is log 2 too)
 *   preferenceLoss: 64 random pairs               sign-flipped, sigmoid-not-log, one-minus-sigmoid,
 *                                                 log-likelihood-not-negated, sum-not-mean
 *   preferenceLoss: gradients                     no-gradient, sign-flipped, sum-not-mean
 *   preferenceLoss: stable for differences ±100   overflow, no-gradient, and the five loss mistakes above
 *   pairAccuracy: strictly higher is right        ties-count-right, counts-wrong-pairs, percent
 *   pairAccuracy: random rewards, bad input       counts-wrong-pairs, percent; a missing throw (generic)
 *   a reward model trained with your loss         sign-flipped (the model prefers the rejected texts)
 */
import { type CheckContext, type Misconception, defineChecks, describeType, expectClose, expectTrue, fail, say, t } from '@llm-lab/check';
import { type TrainingPoint, loadPreferencePairs, preferenceWords, trainRewardModel } from '@llm-lab/course/alignment';
import { type Tensor, gradcheck, tensor } from '@llm-lab/kit';
import { REWARD_MISTAKES as M, type RewardMistake } from './mistakes';

type Learner = typeof import('./reward');

// ---------------------------------------------------------------------------------------------------------
// float64 references

/** softplus(x) = log(1 + e^x), stable: max(x, 0) + log1p(e^(-|x|)). */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const meanOf = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
const diffs = (c: number[], r: number[]): number[] => c.map((v, i) => v - r[i]);

/** The right loss and every catalogued wrong one, for rewards c and r. */
function losses(c: number[], r: number[]): { right: number; wrong: Misconception[] } {
  const d = diffs(c, r);
  const right = meanOf(d.map((x) => softplus(-x))); // -log σ(d) = softplus(-d)
  const wrong = (m: RewardMistake, value: number): Misconception => ({ value, ...M[m] });
  return {
    right,
    wrong: [
      wrong('sign-flipped', meanOf(d.map((x) => softplus(x)))),
      wrong('sigmoid-not-log', -meanOf(d.map(sigmoid))),
      wrong('one-minus-sigmoid', meanOf(d.map((x) => 1 - sigmoid(x)))),
      wrong('log-likelihood-not-negated', -right),
      wrong('sum-not-mean', right * d.length),
    ],
  };
}

/** The catalogued wrong pair accuracies, as functions of the rewards. */
const ACCURACY_MISTAKES: [RewardMistake, (c: number[], r: number[]) => number][] = [
  ['ties-count-right', (c, r) => c.filter((x, i) => x >= r[i]).length / c.length],
  ['counts-wrong-pairs', (c, r) => c.filter((x, i) => x < r[i]).length / c.length],
  ['percent', (c, r) => (100 * c.filter((x, i) => x > r[i]).length) / c.length],
];

/** expectClose's default rule for one number. */
const closeTo = (a: number, e: number): boolean => Math.abs(a - e) <= 1e-6 + 1e-5 * Math.abs(e);

// ---------------------------------------------------------------------------------------------------------
// Calling the learner

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v && ArrayBuffer.isView((v as Tensor).data);
}

/** Calls preferenceLoss on fresh leaf tensors that require grad; checks that a scalar Tensor came back. */
function callLoss(m: Learner, c: number[], r: number[]): { loss: Tensor; rc: Tensor; rr: Tensor } {
  const rc = tensor(c, [c.length], { requiresGrad: true });
  const rr = tensor(r, [r.length], { requiresGrad: true });
  const loss = m.preferenceLoss(rc, rr);
  if (!isTensor(loss)) {
    const got = describeType(loss);
    fail(t(`preferenceLoss returned ${got.en}; expected a kit Tensor holding one number`, `preferenceLoss 返回了 ${got['zh-cn']}；应返回只含一个数的 kit 张量`), {
      hint: loss === undefined
        ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？')
        : t('Return the Tensor the kit ops built (a number has no gradient).', '返回由 kit 算子构造出的张量（普通数字没有梯度）。'),
    });
  }
  if (loss.data.length !== 1) {
    const shape = `[${loss.shape.join(', ')}]`;
    fail(t(`preferenceLoss returned a tensor of shape ${shape}; expected a scalar (one number)`, `preferenceLoss 返回了形状为 ${shape} 的张量；应返回标量（一个数）`), {
      hint: t('Average over the pairs with mean(...): the loss is ONE number for the whole batch.', '用 mean(...) 对偏好对求平均：整个批次的损失是一个数。'),
    });
  }
  return { loss, rc, rr };
}

const call = (m: Learner, c: number[], r: number[]): number => callLoss(m, c, r).loss.data[0];

/** Uniform rewards in [-scale, scale). */
const randomRewards = (ctx: CheckContext, n: number, scale: number): number[] => Array.from({ length: n }, () => (ctx.random() * 2 - 1) * scale);

const round = (x: number): number => Math.round(x * 1000) / 1000;
const pct = (x: number): string => (x * 100).toFixed(1);

/** The accuracy of a reward model on held-out pairs must be clearly better than a coin. */
const MIN_HELD_OUT_ACCURACY = 0.6;

export default defineChecks<Learner>({
  exports: ['preferenceLoss', 'pairAccuracy'],
  checks: [
    {
      name: t('preferenceLoss: three pairs by hand', 'preferenceLoss：手算三个偏好对'),
      task: 'preferenceLoss',
      run: (m) => {
        // d = (2, -0.5, 1.5); -log σ(d) = log(1 + e^-d) = (0.12693, 0.97408, 0.20141); mean 0.43414
        const c = [2, 0.5, 1];
        const r = [0, 1, -0.5];
        const { right, wrong } = losses(c, r);
        expectClose(call(m, c, r), right, {
          what: 'preferenceLoss([2, 0.5, 1], [0, 1, -0.5])', rtol: 1e-5, atol: 1e-6, misconceptions: wrong,
          hint: t(
            'loss = -mean(log σ(r_chosen - r_rejected)): here d = (2, -0.5, 1.5) and the mean of log(1 + e^(-d)) is 0.43414.',
            'loss = -mean(log σ(r_chosen - r_rejected))：这里 d = (2, -0.5, 1.5)，log(1 + e^(-d)) 的平均值是 0.43414。',
          ),
        });
      },
    },
    {
      name: t('preferenceLoss: no preference yet gives log 2', 'preferenceLoss：尚无偏好时损失为 log 2'),
      task: 'preferenceLoss',
      run: (m) => {
        // σ(0) = 1/2 for every pair: the loss of a reward model that cannot tell anything apart is log 2.
        const c = [0, 3, -1.5, 7];
        const { wrong } = losses(c, c);
        expectClose(call(m, c, c), Math.LN2, {
          what: 'preferenceLoss(r, r)', rtol: 1e-5, misconceptions: wrong,
          hint: t(
            'With equal rewards σ(0) = 0.5, and -log 0.5 = log 2 ≈ 0.6931 for every pair.',
            '奖励相等时 σ(0) = 0.5，每个偏好对的代价都是 -log 0.5 = log 2 ≈ 0.6931。',
          ),
        });
      },
    },
    {
      name: t('preferenceLoss: 64 random pairs against a float64 reference', 'preferenceLoss：64 个随机偏好对，与 float64 参考值比较'),
      task: 'preferenceLoss',
      run: (m, ctx) => {
        const c = randomRewards(ctx, 64, 4);
        const r = randomRewards(ctx, 64, 4);
        const { right, wrong } = losses(c, r);
        expectClose(call(m, c, r), right, { what: say(t('preferenceLoss on 64 random pairs', '64 个随机偏好对上的 preferenceLoss')), rtol: 1e-5, atol: 1e-6, misconceptions: wrong });
      },
    },
    {
      name: t('preferenceLoss: gradients reach both rewards and match finite differences', 'preferenceLoss：梯度传到两组奖励，并与有限差分一致'),
      task: 'preferenceLoss',
      run: (m, ctx) => {
        const N = 6;
        const c = randomRewards(ctx, N, 2);
        const r = randomRewards(ctx, N, 2);
        const { loss, rc, rr } = callLoss(m, c, r);
        if (!loss.requiresGrad) fail(M['no-gradient'].message, { hint: M['no-gradient'].hint });
        loss.backward();
        // dL/dr_c[i] = -σ(-d_i) / N and dL/dr_r[i] = +σ(-d_i) / N: a wrong pair pulls hardest.
        const d = diffs(c, r);
        const gc = d.map((x) => -sigmoid(-x) / N);
        const gr = d.map((x) => sigmoid(-x) / N);
        const misconceptions = (side: 'chosen' | 'rejected'): Misconception[] => [
          { value: d.map((x) => (side === 'chosen' ? 1 : -1) * sigmoid(x) / N), ...M['sign-flipped'] },
          { value: d.map((x) => (side === 'chosen' ? -1 : 1) * sigmoid(-x)), ...M['sum-not-mean'] },
        ];
        expectTrue(rc.grad !== null && rr.grad !== null,
          t('No gradient reached rChosen or rRejected after loss.backward()', '调用 loss.backward() 之后，rChosen 或 rRejected 没有得到梯度'),
          M['no-gradient'].hint);
        expectClose(rc.grad!, gc, { what: 'd loss / d rChosen', rtol: 1e-4, atol: 1e-6, misconceptions: misconceptions('chosen') });
        expectClose(rr.grad!, gr, { what: 'd loss / d rRejected', rtol: 1e-4, atol: 1e-6, misconceptions: misconceptions('rejected') });
        // And the kit's finite differences of your own function: backward agrees with forward.
        const xc = tensor(c, [N], { requiresGrad: true });
        const xr = tensor(r, [N], { requiresGrad: true });
        const g = gradcheck(() => m.preferenceLoss(xc, xr), [xc, xr]);
        expectTrue(g.ok,
          t(`Your gradients disagree with finite differences of your own loss: ${g.message}`, `你的梯度与对你自己的损失做有限差分的结果不一致：${g.message}`),
          t('Every step must be a kit op on tensors; an op applied to .data by hand is invisible to autograd.',
            '每一步都必须是作用在张量上的 kit 算子；手工对 .data 做的运算，自动求导看不见。'));
      },
    },
    {
      name: t('preferenceLoss: stable for differences of ±100', 'preferenceLoss：差值为 ±100 时依然稳定'),
      task: 'preferenceLoss',
      run: (m) => {
        // d = (100, -100, 80, 0.5): the losses are (≈0, 100, ≈0, 0.474077); mean 25.118519.
        const c = [100, -100, 50, 1];
        const r = [0, 0, -30, 0.5];
        const { loss, rc, rr } = callLoss(m, c, r);
        const value = loss.data[0];
        if (!Number.isFinite(value)) {
          fail(t(`preferenceLoss returned ${value} for differences (100, -100, 80, 0.5). ${M.overflow.message.en}`,
            `对差值 (100, -100, 80, 0.5)，preferenceLoss 返回了 ${value}。${M.overflow.message['zh-cn']}`), { hint: M.overflow.hint });
        }
        const { right, wrong } = losses(c, r);
        expectClose(value, right, { what: 'preferenceLoss([100, -100, 50, 1], [0, 0, -30, 0.5])', rtol: 1e-5, atol: 1e-5, misconceptions: wrong });
        if (!loss.requiresGrad) fail(M['no-gradient'].message, { hint: M['no-gradient'].hint });
        loss.backward();
        const d = diffs(c, r);
        const finite = [...(rc.grad ?? []), ...(rr.grad ?? [])].every(Number.isFinite);
        if (!finite) {
          fail(t(`The gradient is not finite for differences of ±100. ${M.overflow.message.en}`,
            `差值为 ±100 时梯度不是有限值。${M.overflow.message['zh-cn']}`), { hint: M.overflow.hint });
        }
        expectClose(rc.grad!, d.map((x) => -sigmoid(-x) / 4), { what: say(t('d loss / d rChosen at d = (100, -100, 80, 0.5)', 'd = (100, -100, 80, 0.5) 处的 d loss / d rChosen')), rtol: 1e-4, atol: 1e-6 });
      },
    },
    {
      name: t('pairAccuracy: strictly higher is right, a tie is wrong', 'pairAccuracy：严格更高才算对，平局算错'),
      task: 'pairAccuracy',
      run: (m) => {
        // right, tie, wrong, right -> 2 of 4
        const c = [1, 2, 3, 0.5];
        const r = [0, 2, 4, 0.2];
        const got = m.pairAccuracy(c, r);
        // A known wrong count is named only when it also explains a second list (4 right, 2 ties, 1 wrong), where
        // the wrong counts and the off-by-one loops all differ: on the first one, a loop that skips pair 0 also
        // gives 1/4, the share of wrong pairs.
        const c2 = [1, 2, 0.5, 3, -1, 4, 0];
        const r2 = [0, 2, 0.2, 3, -2, 5, -0.5];
        const second = m.pairAccuracy(c2, r2);
        const named = ACCURACY_MISTAKES.filter(([, f]) => closeTo(got, f(c, r)) && closeTo(second, f(c2, r2)));
        expectClose(got, 0.5, {
          what: 'pairAccuracy([1, 2, 3, 0.5], [0, 2, 4, 0.2])',
          misconceptions: named.map(([k, f]) => ({ value: f(c, r), ...M[k] })),
        });
        expectClose(second, 4 / 7, {
          what: 'pairAccuracy([1, 2, 0.5, 3, -1, 4, 0], [0, 2, 0.2, 3, -2, 5, -0.5])',
          misconceptions: named.map(([k, f]) => ({ value: f(c2, r2), ...M[k] })),
        });
        expectClose(m.pairAccuracy(Float32Array.of(0, 0, 0), Float32Array.of(0, 0, 0)), 0, {
          what: say(t('pairAccuracy of three ties', '三个平局的 pairAccuracy')), misconceptions: [{ value: 1, ...M['ties-count-right'] }],
        });
      },
    },
    {
      name: t('pairAccuracy: random rewards, typed arrays, and bad input', 'pairAccuracy：随机奖励、类型化数组与非法输入'),
      task: 'pairAccuracy',
      run: (m, ctx) => {
        const c = Float32Array.from(randomRewards(ctx, 50, 1));
        const r = Float32Array.from(randomRewards(ctx, 50, 1));
        let right = 0;
        for (let i = 0; i < 50; i++) if (c[i] > r[i]) right++;
        expectClose(m.pairAccuracy(c, r), right / 50, { what: say(t('pairAccuracy on 50 random pairs', '50 个随机偏好对上的 pairAccuracy')), misconceptions: [{ value: 1 - right / 50, ...M['counts-wrong-pairs'] }, { value: right * 2, ...M.percent }] });
        const bad = [
          [[1, 2], [1], t('lengths 2 and 1', '长度分别为 2 和 1 的输入')],
          [[1], [1, 2], t('lengths 1 and 2', '长度分别为 1 和 2 的输入')],
          [[], [], t('no pairs', '没有偏好对的输入')],
        ] as const;
        for (const [a, b, what] of bad) {
          let threw = false;
          try {
            m.pairAccuracy(a, b);
          } catch (e) {
            if (e instanceof Error && e.name === 'NotImplementedError') throw e;
            threw = true;
          }
          expectTrue(threw, t(`pairAccuracy with ${what.en} should throw an Error`, `pairAccuracy 遇到${what['zh-cn']}时应抛出 Error`),
            t('Check the lengths first: throw new Error(...) when they differ or are 0.', '先检查长度：长度不同或为 0 时 throw new Error(...)。'));
        }
      },
    },
    {
      name: t('a reward model trained with your loss ranks held-out pairs', '用你的损失训练出的奖励模型能给留出偏好对排序'),
      task: 'preferenceLoss',
      timeoutSeconds: 20,
      run: async (m, ctx) => {
        // Fail fast on an unfinished function, before the features are computed.
        m.preferenceLoss(tensor([0]), tensor([0]));
        m.pairAccuracy([1], [0]);

        const pairs = loadPreferencePairs();
        const sentences = 2 * (pairs.train.length + pairs.test.length);
        const SUMMARY = t('Summary', '小结');
        ctx.progress({
          kind: 'text', title: SUMMARY,
          text: t(`Reading ${sentences} sentences with the frozen GPT (the features), then training the reward head with your loss...`,
            `正在用冻结的 GPT 读取 ${sentences} 个句子（得到特征），随后用你的损失训练奖励头……`),
        });
        const curve = (h: readonly TrainingPoint[]) => {
          ctx.progress({
            kind: 'curve', title: t('Training the reward head with your preferenceLoss', '用你的 preferenceLoss 训练奖励头'),
            xLabel: t('AdamW step', 'AdamW 步数'), yLabel: t('loss', '损失'),
            series: [{ name: t('your loss (train pairs)', '你的损失（训练偏好对）'), x: h.map((p) => p.step), y: h.map((p) => p.loss) }],
          });
          ctx.progress({
            kind: 'curve', title: t('Pair accuracy', '偏好对准确率'), xLabel: t('AdamW step', 'AdamW 步数'), yLabel: t('fraction ranked right', '排对的比例'),
            series: [
              { name: t('train pairs', '训练偏好对'), x: h.map((p) => p.step), y: h.map((p) => p.trainAccuracy) },
              { name: t('held-out pairs (unseen words)', '留出偏好对（未见过的词）'), x: h.map((p) => p.step), y: h.map((p) => p.testAccuracy) },
            ],
          });
        };
        const rm = await trainRewardModel(m.preferenceLoss, { pairs, onProgress: curve });
        const first = rm.history[0];
        const last = rm.history[rm.history.length - 1];
        expectTrue(Number.isFinite(last.loss),
          t(`The training loss became ${last.loss}. ${M.overflow.message.en}`, `训练损失变成了 ${last.loss}。${M.overflow.message['zh-cn']}`), M.overflow.hint);

        // Held-out accuracy, from the rewards, with the learner's pairAccuracy and our own count.
        const sc = rm.score(pairs.test.map((p) => p.chosen));
        const sr = rm.score(pairs.test.map((p) => p.rejected));
        let right = 0;
        sc.forEach((v, i) => { if (v > sr[i]) right++; });
        const accuracy = right / pairs.test.length;
        expectClose(m.pairAccuracy(sc, sr), accuracy, { what: say(t('your pairAccuracy on the held-out rewards', '你的 pairAccuracy 在留出奖励上的结果')), misconceptions: [{ value: 1 - accuracy, ...M['counts-wrong-pairs'] }] });

        const words = preferenceWords();
        const shown = [0, 1, 2, 3, 4, 5].map((i) => pairs.test[i * 13 % pairs.test.length]);
        const examples = shown.flatMap((p) => [p.chosen, p.rejected]);
        const scores = rm.score(examples);
        const yes = t('yes', '是');
        const no = t('no', '否');
        ctx.artifact({
          kind: 'table', title: t('Held-out sentences and their rewards (words the reward model never saw)', '留出句子及其奖励（奖励模型从未见过的词）'),
          columns: [t('sentence', '句子'), t('AFINN says', 'AFINN 的标注'), t('reward', '奖励'), t('pair ranked right?', '这一对排对了吗？')],
          rows: examples.map((s, i) => [s, i % 2 === 0 ? t('positive (chosen)', '正面（被选中）') : t('negative (rejected)', '负面（被拒绝）'), round(scores[i]),
            i % 2 === 0 ? (scores[i] > scores[i + 1] ? yes : no) : '']),
        });
        const heldOutWords = words.test.positive.length + words.test.negative.length;
        const featuresS = (rm.timings.featuresMs / 1000).toFixed(1);
        const trainS = (rm.timings.trainMs / 1000).toFixed(2);
        ctx.progress({
          kind: 'text', title: SUMMARY,
          text: t(
            `Held-out pair accuracy: ${pct(accuracy)}% of ${pairs.test.length} pairs built from ${heldOutWords} words `
              + `that never appear in training (a coin flip scores 50%). Train accuracy ${pct(last.trainAccuracy)}% on ${pairs.train.length} pairs.\n`
              + `Loss ${first.loss.toFixed(4)} -> ${last.loss.toFixed(4)} in ${last.step} steps. Features (the frozen GPT, mean-pooled) took ${featuresS} s, `
              + `training the head ${trainS} s.`,
            `留出偏好对准确率：${pct(accuracy)}%，共 ${pairs.test.length} 个偏好对，由训练中从未出现的 ${heldOutWords} 个词构成`
              + `（抛硬币是 50%）。训练准确率 ${pct(last.trainAccuracy)}%，共 ${pairs.train.length} 个偏好对。\n`
              + `损失在 ${last.step} 步内从 ${first.loss.toFixed(4)} 降到 ${last.loss.toFixed(4)}。计算特征（冻结的 GPT，按位置取平均）用了 ${featuresS} 秒，`
              + `训练奖励头用了 ${trainS} 秒。`,
          ),
        });

        if (accuracy < 0.5) {
          fail(t(`The trained reward model ranks only ${pct(accuracy)}% of the held-out pairs right: it prefers the rejected texts. ${M['sign-flipped'].message.en}`,
            `训练出的奖励模型只排对了 ${pct(accuracy)}% 的留出偏好对：它更偏好被拒绝的文本。${M['sign-flipped'].message['zh-cn']}`), { hint: M['sign-flipped'].hint });
        }
        expectTrue(last.loss < first.loss - 0.02,
          t(`Training with your loss did not lower it (${first.loss.toFixed(4)} -> ${last.loss.toFixed(4)}): is it the Bradley-Terry loss, with gradients?`,
            `用你的损失训练并没有让它下降（${first.loss.toFixed(4)} -> ${last.loss.toFixed(4)}）：它是带梯度的 Bradley-Terry 损失吗？`));
        expectTrue(accuracy >= MIN_HELD_OUT_ACCURACY,
          t(`Held-out pair accuracy is ${pct(accuracy)}%, below ${MIN_HELD_OUT_ACCURACY * 100}%: the reward model trained with your loss barely beats a coin.`,
            `留出偏好对准确率是 ${pct(accuracy)}%，低于 ${MIN_HELD_OUT_ACCURACY * 100}%：用你的损失训练出的奖励模型勉强比抛硬币强。`),
          t('If the unit checks above pass, this should too; look at the loss curve.', '如果上面的单项检查都通过了，这一项也应通过；看看损失曲线。'));
      },
    },
  ],
});
