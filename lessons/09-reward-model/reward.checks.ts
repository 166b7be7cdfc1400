/**
 * Checks for lesson 9 (reward-model/loss): preferenceLoss(rChosen, rRejected) and pairAccuracy(rChosen, rRejected).
 *
 * Expected values are computed here in float64 with the stable softplus (worked small cases are in the comments);
 * gradients are checked against the closed form dL/dr_c = -σ(-d)/N and against finite differences of the
 * learner's own function (the kit's gradcheck). Every catalogued mistake (mistakes.ts) is computed as its own
 * wrong value, so a failure names it; an overflowing log(σ(d)) is recognised by its non-finite result.
 * The last check trains the reward model of reward-model.ts with the learner's loss on the AFINN preference pairs.
 */
import { type CheckContext, type Misconception, defineChecks, describeType, expectClose, expectTrue, fail } from '@llm-lab/check';
import { type Tensor, gradcheck, tensor } from '@llm-lab/kit';
import { REWARD_MISTAKE_TEXT as TEXT, type RewardMistake } from './mistakes';
import { type TrainingPoint, loadPreferencePairs, preferenceWords, trainRewardModel } from './reward-model';

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
  const wrong = (m: RewardMistake, value: number): Misconception => ({ value, ...TEXT[m] });
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
    fail(`preferenceLoss returned ${describeType(loss)}; expected a kit Tensor holding one number`, {
      hint: loss === undefined ? 'Did you forget to `return` the result?' : 'Return the Tensor the kit ops built (a number has no gradient).',
    });
  }
  if (loss.data.length !== 1) {
    fail(`preferenceLoss returned a tensor of shape [${loss.shape.join(', ')}]; expected a scalar (one number)`, {
      hint: 'Average over the pairs with mean(...): the loss is ONE number for the whole batch.',
    });
  }
  return { loss, rc, rr };
}

const call = (m: Learner, c: number[], r: number[]): number => callLoss(m, c, r).loss.data[0];

/** Uniform rewards in [-scale, scale). */
const randomRewards = (ctx: CheckContext, n: number, scale: number): number[] => Array.from({ length: n }, () => (ctx.random() * 2 - 1) * scale);

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The accuracy of a reward model on held-out pairs must be clearly better than a coin. */
const MIN_HELD_OUT_ACCURACY = 0.6;

export default defineChecks<Learner>({
  exports: ['preferenceLoss', 'pairAccuracy'],
  checks: [
    {
      name: 'preferenceLoss: three pairs by hand',
      task: 'preferenceLoss',
      run: (m) => {
        // d = (2, -0.5, 1.5); -log σ(d) = log(1 + e^-d) = (0.12693, 0.97408, 0.20141); mean 0.43414
        const c = [2, 0.5, 1];
        const r = [0, 1, -0.5];
        const { right, wrong } = losses(c, r);
        expectClose(call(m, c, r), right, {
          what: 'preferenceLoss([2, 0.5, 1], [0, 1, -0.5])', rtol: 1e-5, atol: 1e-6, misconceptions: wrong,
          hint: 'loss = -mean(log σ(r_chosen - r_rejected)): here d = (2, -0.5, 1.5) and the mean of log(1 + e^(-d)) is 0.43414.',
        });
      },
    },
    {
      name: 'preferenceLoss: no preference yet gives log 2',
      task: 'preferenceLoss',
      run: (m) => {
        // σ(0) = 1/2 for every pair: the loss of a reward model that cannot tell anything apart is log 2.
        const c = [0, 3, -1.5, 7];
        const { wrong } = losses(c, c);
        expectClose(call(m, c, c), Math.LN2, {
          what: 'preferenceLoss(r, r)', rtol: 1e-5, misconceptions: wrong,
          hint: 'With equal rewards σ(0) = 0.5, and -log 0.5 = log 2 ≈ 0.6931 for every pair.',
        });
      },
    },
    {
      name: 'preferenceLoss: 64 random pairs against a float64 reference',
      task: 'preferenceLoss',
      run: (m, ctx) => {
        const c = randomRewards(ctx, 64, 4);
        const r = randomRewards(ctx, 64, 4);
        const { right, wrong } = losses(c, r);
        expectClose(call(m, c, r), right, { what: 'preferenceLoss on 64 random pairs', rtol: 1e-5, atol: 1e-6, misconceptions: wrong });
      },
    },
    {
      name: 'preferenceLoss: gradients reach both rewards and match finite differences',
      task: 'preferenceLoss',
      run: (m, ctx) => {
        const N = 6;
        const c = randomRewards(ctx, N, 2);
        const r = randomRewards(ctx, N, 2);
        const { loss, rc, rr } = callLoss(m, c, r);
        if (!loss.requiresGrad) fail(TEXT['no-gradient'].message, { hint: TEXT['no-gradient'].hint });
        loss.backward();
        // dL/dr_c[i] = -σ(-d_i) / N and dL/dr_r[i] = +σ(-d_i) / N: a wrong pair pulls hardest.
        const d = diffs(c, r);
        const gc = d.map((x) => -sigmoid(-x) / N);
        const gr = d.map((x) => sigmoid(-x) / N);
        const misconceptions = (side: 'chosen' | 'rejected'): Misconception[] => [
          { value: d.map((x) => (side === 'chosen' ? 1 : -1) * sigmoid(x) / N), ...TEXT['sign-flipped'] },
          { value: d.map((x) => (side === 'chosen' ? -1 : 1) * sigmoid(-x)), ...TEXT['sum-not-mean'] },
        ];
        expectTrue(rc.grad !== null && rr.grad !== null, 'No gradient reached rChosen or rRejected after loss.backward()', TEXT['no-gradient'].hint);
        expectClose(rc.grad!, gc, { what: 'd loss / d rChosen', rtol: 1e-4, atol: 1e-6, misconceptions: misconceptions('chosen') });
        expectClose(rr.grad!, gr, { what: 'd loss / d rRejected', rtol: 1e-4, atol: 1e-6, misconceptions: misconceptions('rejected') });
        // And the kit's finite differences of your own function: backward agrees with forward.
        const xc = tensor(c, [N], { requiresGrad: true });
        const xr = tensor(r, [N], { requiresGrad: true });
        const g = gradcheck(() => m.preferenceLoss(xc, xr), [xc, xr]);
        expectTrue(g.ok, `Your gradients disagree with finite differences of your own loss: ${g.message}`,
          'Every step must be a kit op on tensors; an op applied to .data by hand is invisible to autograd.');
      },
    },
    {
      name: 'preferenceLoss: stable for differences of ±100',
      task: 'preferenceLoss',
      run: (m) => {
        // d = (100, -100, 80, 0.5): the losses are (≈0, 100, ≈0, 0.474077); mean 25.118519.
        const c = [100, -100, 50, 1];
        const r = [0, 0, -30, 0.5];
        const { loss, rc, rr } = callLoss(m, c, r);
        const value = loss.data[0];
        if (!Number.isFinite(value)) fail(`preferenceLoss returned ${value} for differences (100, -100, 80, 0.5). ${TEXT.overflow.message}`, { hint: TEXT.overflow.hint });
        const { right, wrong } = losses(c, r);
        expectClose(value, right, { what: 'preferenceLoss([100, -100, 50, 1], [0, 0, -30, 0.5])', rtol: 1e-5, atol: 1e-5, misconceptions: wrong });
        if (!loss.requiresGrad) fail(TEXT['no-gradient'].message, { hint: TEXT['no-gradient'].hint });
        loss.backward();
        const d = diffs(c, r);
        const finite = [...(rc.grad ?? []), ...(rr.grad ?? [])].every(Number.isFinite);
        if (!finite) fail(`The gradient is not finite for differences of ±100. ${TEXT.overflow.message}`, { hint: TEXT.overflow.hint });
        expectClose(rc.grad!, d.map((x) => -sigmoid(-x) / 4), { what: 'd loss / d rChosen at d = (100, -100, 80, 0.5)', rtol: 1e-4, atol: 1e-6 });
      },
    },
    {
      name: 'pairAccuracy: strictly higher is right, a tie is wrong',
      task: 'pairAccuracy',
      run: (m) => {
        // right, tie, wrong, right -> 2 of 4
        const c = [1, 2, 3, 0.5];
        const r = [0, 2, 4, 0.2];
        const got = m.pairAccuracy(c, r);
        expectClose(got, 0.5, {
          what: 'pairAccuracy([1, 2, 3, 0.5], [0, 2, 4, 0.2])',
          misconceptions: [
            { value: 0.75, ...TEXT['ties-count-right'] },
            { value: 0.25, ...TEXT['counts-wrong-pairs'] },
            { value: 50, ...TEXT.percent },
          ],
        });
        expectClose(m.pairAccuracy(Float32Array.of(0, 0, 0), Float32Array.of(0, 0, 0)), 0, {
          what: 'pairAccuracy of three ties', misconceptions: [{ value: 1, ...TEXT['ties-count-right'] }],
        });
      },
    },
    {
      name: 'pairAccuracy: random rewards, typed arrays, and bad input',
      task: 'pairAccuracy',
      run: (m, ctx) => {
        const c = Float32Array.from(randomRewards(ctx, 50, 1));
        const r = Float32Array.from(randomRewards(ctx, 50, 1));
        let right = 0;
        for (let i = 0; i < 50; i++) if (c[i] > r[i]) right++;
        expectClose(m.pairAccuracy(c, r), right / 50, { what: 'pairAccuracy on 50 random pairs', misconceptions: [{ value: 1 - right / 50, ...TEXT['counts-wrong-pairs'] }, { value: right * 2, ...TEXT.percent }] });
        for (const [a, b, what] of [[[1, 2], [1], 'lengths 2 and 1'], [[], [], 'no pairs']] as const) {
          let threw = false;
          try {
            m.pairAccuracy(a, b);
          } catch (e) {
            if (e instanceof Error && e.name === 'NotImplementedError') throw e;
            threw = true;
          }
          expectTrue(threw, `pairAccuracy with ${what} should throw an Error`, 'Check the lengths first: throw new Error(...) when they differ or are 0.');
        }
      },
    },
    {
      name: 'a reward model trained with your loss ranks held-out pairs',
      task: 'preferenceLoss',
      timeoutSeconds: 20,
      run: async (m, ctx) => {
        // Fail fast on an unfinished function, before the features are computed.
        m.preferenceLoss(tensor([0]), tensor([0]));
        m.pairAccuracy([1], [0]);

        const pairs = loadPreferencePairs();
        const sentences = 2 * (pairs.train.length + pairs.test.length);
        ctx.progress({ kind: 'text', title: 'Summary', text: `Reading ${sentences} sentences with the frozen GPT (the features), then training the reward head with your loss...` });
        const curve = (h: readonly TrainingPoint[]) => {
          ctx.progress({
            kind: 'curve', title: 'Training the reward head with your preferenceLoss', xLabel: 'AdamW step', yLabel: 'loss',
            series: [{ name: 'your loss (train pairs)', x: h.map((p) => p.step), y: h.map((p) => p.loss) }],
          });
          ctx.progress({
            kind: 'curve', title: 'Pair accuracy', xLabel: 'AdamW step', yLabel: 'fraction ranked right',
            series: [
              { name: 'train pairs', x: h.map((p) => p.step), y: h.map((p) => p.trainAccuracy) },
              { name: 'held-out pairs (unseen words)', x: h.map((p) => p.step), y: h.map((p) => p.testAccuracy) },
            ],
          });
        };
        const rm = await trainRewardModel(m.preferenceLoss, { pairs, onProgress: curve });
        const first = rm.history[0];
        const last = rm.history[rm.history.length - 1];
        expectTrue(Number.isFinite(last.loss), `The training loss became ${last.loss}. ${TEXT.overflow.message}`, TEXT.overflow.hint);

        // Held-out accuracy, from the rewards, with the learner's pairAccuracy and our own count.
        const sc = rm.score(pairs.test.map((p) => p.chosen));
        const sr = rm.score(pairs.test.map((p) => p.rejected));
        let right = 0;
        sc.forEach((v, i) => { if (v > sr[i]) right++; });
        const accuracy = right / pairs.test.length;
        expectClose(m.pairAccuracy(sc, sr), accuracy, { what: 'your pairAccuracy on the held-out rewards', misconceptions: [{ value: 1 - accuracy, ...TEXT['counts-wrong-pairs'] }] });

        const words = preferenceWords();
        const shown = [0, 1, 2, 3, 4, 5].map((i) => pairs.test[i * 13 % pairs.test.length]);
        const examples = shown.flatMap((p) => [p.chosen, p.rejected]);
        const scores = rm.score(examples);
        ctx.artifact({
          kind: 'table', title: 'Held-out sentences and their rewards (words the reward model never saw)', columns: ['sentence', 'AFINN says', 'reward', 'pair ranked right?'],
          rows: examples.map((s, i) => [s, i % 2 === 0 ? 'positive (chosen)' : 'negative (rejected)', round(scores[i]),
            i % 2 === 0 ? (scores[i] > scores[i + 1] ? 'yes' : 'no') : '']),
        });
        ctx.progress({
          kind: 'text', title: 'Summary',
          text: `Held-out pair accuracy: ${(accuracy * 100).toFixed(1)}% of ${pairs.test.length} pairs built from ${words.test.positive.length + words.test.negative.length} words `
            + `that never appear in training (a coin flip scores 50%). Train accuracy ${(last.trainAccuracy * 100).toFixed(1)}% on ${pairs.train.length} pairs.\n`
            + `Loss ${first.loss.toFixed(4)} -> ${last.loss.toFixed(4)} in ${last.step} steps. Features (the frozen GPT, mean-pooled) took ${(rm.timings.featuresMs / 1000).toFixed(1)} s, `
            + `training the head ${(rm.timings.trainMs / 1000).toFixed(2)} s.`,
        });

        if (accuracy < 0.5) {
          fail(`The trained reward model ranks only ${(accuracy * 100).toFixed(1)}% of the held-out pairs right: it prefers the rejected texts. ${TEXT['sign-flipped'].message}`, { hint: TEXT['sign-flipped'].hint });
        }
        expectTrue(last.loss < first.loss - 0.02, `Training with your loss did not lower it (${first.loss.toFixed(4)} -> ${last.loss.toFixed(4)}): is it the Bradley-Terry loss, with gradients?`);
        expectTrue(accuracy >= MIN_HELD_OUT_ACCURACY,
          `Held-out pair accuracy is ${(accuracy * 100).toFixed(1)}%, below ${MIN_HELD_OUT_ACCURACY * 100}%: the reward model trained with your loss barely beats a coin.`,
          'If the unit checks above pass, this should too; look at the loss curve.');
      },
    },
  ],
});
