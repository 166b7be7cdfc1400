/**
 * Checks for lesson 12 (rlhf/ppo-run): tokenRewards and episodeAdvantages, the glue between a reward model and
 * PPO, then a whole RLHF run on the bundled model with the learner's own GAE (lesson 10) and PPO losses (11).
 *
 * Expected values are worked out by hand or computed here in float64 with plain loops (never with the
 * learner's functions). Each catalogued mistake (KL sign reversed, score on the first token or on every token,
 * the KL charged only at the end, beta forgotten, GAE bootstrapping past the end, gamma and lambda swapped) is
 * computed as its own wrong variant, so a failure names it. The run is seeded: same code, same numbers.
 */
import { type Artifact, type CheckContext, type Misconception, defineChecks, expectClose, fail } from '@llm-lab/check';
import { tensor } from '@llm-lab/kit';
import { RLHF_MISTAKE_TEXT as TEXT, type RlhfMistake } from './mistakes';
import { EVAL, type Evaluation, type IterationStats, PPO_DEFAULTS, evaluate, mean, visible, runPpo } from './ppo-loop';
import { rewardSource } from './reward';
import { loadRlModel } from './rl-model';

type Learner = typeof import('./rlhf');

// ---------------------------------------------------------------------------------------------------------
// Float64 references and the catalogued wrong variants

type RewardVariant = 'correct' | Extract<RlhfMistake, 'kl-sign' | 'score-first' | 'score-every' | 'kl-last-only' | 'no-beta'>;
const REWARD_MISTAKES: RewardVariant[] = ['kl-sign', 'score-first', 'score-every', 'kl-last-only', 'no-beta'];

function tokenRewards64(score: number, lp: readonly number[], ref: readonly number[], beta: number, v: RewardVariant = 'correct'): number[] {
  const kl = lp.map((l, t) => l - ref[t]);
  const n = kl.length;
  let r: number[];
  if (v === 'kl-last-only') {
    r = new Array<number>(n).fill(0);
    r[n - 1] = -beta * kl.reduce((s, k) => s + k, 0);
  } else {
    const b = v === 'no-beta' ? 1 : beta;
    r = kl.map((k) => (v === 'kl-sign' ? b * k : -b * k));
  }
  if (v === 'score-every') return r.map((x) => x + score);
  r[v === 'score-first' ? 0 : n - 1] += score;
  return r;
}

/** GAE over one episode; `end` says whether the last step is terminal (else it bootstraps from lastValue). */
function gae64(rewards: readonly number[], values: readonly number[], terminal: boolean, lastValue: number, gamma: number, lambda: number) {
  const n = rewards.length;
  const advantages = new Array<number>(n).fill(0);
  let acc = 0;
  for (let t = n - 1; t >= 0; t--) {
    const next = t === n - 1 ? (terminal ? 0 : lastValue) : values[t + 1];
    const delta = rewards[t] + gamma * next - values[t];
    acc = delta + gamma * lambda * (t === n - 1 && terminal ? 0 : acc);
    advantages[t] = acc;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}

type GaeVariant = 'correct' | 'bootstrap-end' | 'gamma-lambda';

function episode64(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number, v: GaeVariant = 'correct') {
  if (v === 'bootstrap-end') return gae64(rewards, values, false, values[values.length - 1], gamma, lambda);
  if (v === 'gamma-lambda') return gae64(rewards, values, true, 0, lambda, gamma);
  return gae64(rewards, values, true, 0, gamma, lambda);
}

const rewardMisconceptions = (score: number, lp: number[], ref: number[], beta: number): Misconception[] =>
  REWARD_MISTAKES.map((v) => ({ value: tokenRewards64(score, lp, ref, beta, v), ...TEXT[v as RlhfMistake] }));

const gaeMisconceptions = (rewards: number[], values: number[], gamma: number, lambda: number, part: 'advantages' | 'returns'): Misconception[] =>
  (['bootstrap-end', 'gamma-lambda'] as const).map((v) => ({ value: episode64(rewards, values, gamma, lambda, v)[part], ...TEXT[v] }));

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const fmt = (a: readonly number[]) => `[${a.map((x) => +x.toFixed(4)).join(', ')}]`;

function expectArray(a: unknown, n: number, what: string): asserts a is number[] {
  if (!Array.isArray(a)) fail(`${what} returned ${a === undefined ? 'undefined (did you forget to `return`?)' : typeof a}; expected an array of ${n} numbers`);
  if (a.length !== n) fail(`${what} returned ${a.length} numbers, expected ${n}: one per generated token`);
}

function callRewards(m: Learner, score: number, lp: number[], ref: number[], beta: number): number[] {
  const [lp0, ref0] = [[...lp], [...ref]];
  const r = m.tokenRewards(score, lp, ref, beta);
  if (lp.some((x, i) => x !== lp0[i]) || ref.some((x, i) => x !== ref0[i])) fail('tokenRewards changed its logProbs or refLogProbs argument', { hint: 'Build a new array for the rewards.' });
  expectArray(r, lp.length, `tokenRewards(${score}, ${fmt(lp)}, ${fmt(ref)}, ${beta})`);
  return r;
}

function callEpisode(m: Learner, rewards: number[], values: number[], gamma: number, lambda: number): { advantages: number[]; returns: number[] } {
  const what = `episodeAdvantages(${fmt(rewards)}, ${fmt(values)}, ${gamma}, ${lambda})`;
  const r = m.episodeAdvantages(rewards, values, gamma, lambda);
  if (typeof r !== 'object' || r === null) fail(`${what} returned ${String(r)}; expected { advantages, returns }`);
  expectArray(r.advantages, rewards.length, `${what}.advantages`);
  expectArray(r.returns, rewards.length, `${what}.returns`);
  return r;
}

/** The worked example of the lesson text. */
const HAND = { score: 2, lp: [-1, -2, -0.5], ref: [-1.5, -1, -0.5], beta: 0.1, rewards: [-0.05, 0.1, 2] };
const HAND_GAE = { rewards: [0, 0, 1], values: [0.5, 0.6, 0.8], gamma: 1, lambda: 0.5 };

function expectHandRewards(m: Learner): void {
  const { score, lp, ref, beta } = HAND;
  expectClose(callRewards(m, score, [...lp], [...ref], beta), HAND.rewards, {
    what: `tokenRewards(${score}, ${fmt(lp)}, ${fmt(ref)}, ${beta})`, rtol: 1e-5, atol: 1e-6,
    hint: 'Per token: −β·(logProbs[t] − refLogProbs[t]); then add the score to the last one.',
    misconceptions: rewardMisconceptions(score, lp, ref, beta),
  });
}

function expectHandEpisode(m: Learner): void {
  const { rewards, values, gamma, lambda } = HAND_GAE;
  const got = callEpisode(m, [...rewards], [...values], gamma, lambda);
  const ref = episode64(rewards, values, gamma, lambda);
  const what = `episodeAdvantages(${fmt(rewards)}, ${fmt(values)}, ${gamma}, ${lambda})`;
  expectClose(got.advantages, ref.advantages, { what: `${what}.advantages`, rtol: 1e-5, atol: 1e-6, misconceptions: gaeMisconceptions(rewards, values, gamma, lambda, 'advantages') });
  expectClose(got.returns, ref.returns, { what: `${what}.returns`, rtol: 1e-5, atol: 1e-6, misconceptions: gaeMisconceptions(rewards, values, gamma, lambda, 'returns'), hint: 'returns = advantages + values.' });
}

/** The lesson-10 and lesson-11 functions this lesson imports, on plain cases (no episode end inside). */
function expectImported(m: Learner): void {
  // No episode end inside: every convention for `dones` agrees on this one.
  const rewards = [1, 0, 2];
  const values = [0.5, 1, -0.5];
  const ref = gae64(rewards, values, false, 0.25, 0.9, 0.8);
  const got = m.gae([...rewards], [...values], [false, false, false], 0.25, 0.9, 0.8);
  expectFromEarlierLesson(got?.advantages, ref.advantages, 'gae([1, 0, 2], [0.5, 1, -0.5], [false, false, false], 0.25, 0.9, 0.8).advantages', 'lesson-10');
  const lp = tensor([-1, -2, -0.5]);
  const old = tensor([-1.2, -1.5, -0.5]);
  const adv = tensor([1, -1, 0.5]);
  // ratio = e^(lp - old) = [e^0.2, e^-0.5, 1], clipped to [0.8, 1.2]; the smaller of ratio·A and clipped·A, averaged, negated.
  const expected = -(Math.min(Math.exp(0.2), 1.2) * 1 + Math.min(Math.exp(-0.5) * -1, 0.8 * -1) + 0.5) / 3;
  expectFromEarlierLesson(m.ppoPolicyLoss(lp, old, adv, 0.2)?.data, [expected], 'ppoPolicyLoss([-1, -2, -0.5], [-1.2, -1.5, -0.5], [1, -1, 0.5], 0.2)', 'lesson-11');
  expectFromEarlierLesson(m.klPenalty(lp, old)?.data, [0.2, -0.5, 0], 'klPenalty([-1, -2, -0.5], [-1.2, -1.5, -0.5])', 'lesson-11');
  const s = Math.sqrt(2 / 3); // the population std of [1, 2, 3]
  expectFromEarlierLesson(m.normalizeAdvantages([1, 2, 3]), [-1 / s, 0, 1 / s], 'normalizeAdvantages([1, 2, 3])', 'lesson-11');
  expectFromEarlierLesson(m.valueLoss(tensor([1, 2]), tensor([0, 0]))?.data, [1.25], 'valueLoss([1, 2], [0, 0])', 'lesson-11');
}

/** A lesson-10 or lesson-11 function gives the wrong numbers: say which lesson to fix, with both values. */
function expectFromEarlierLesson(got: ArrayLike<number> | undefined, expected: number[], what: string, lesson: 'lesson-10' | 'lesson-11'): void {
  const ok = got !== undefined && got.length === expected.length && expected.every((e, i) => Math.abs(Number(got[i]) - e) <= 1e-4 + 1e-4 * Math.abs(e));
  if (!ok) {
    const shown = got === undefined ? 'nothing' : fmt(Array.from(got, Number));
    fail(`${TEXT[lesson].message}\n${what} gave ${shown}, expected ${fmt(expected)}.`, { hint: TEXT[lesson].hint });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The run

/** What "the reward rises" and "the KL stays bounded" mean for the run (see the lesson for the numbers). */
const RUN = {
  /** The mean score after must beat the mean score before by at least this much. */
  minRise: 0.5,
  /** Mean summed KL(policy || reference) per continuation, in nats, after training. */
  maxKl: 15,
};

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function curve(title: string, yLabel: string, history: IterationStats[], pick: (s: IterationStats) => number): Artifact {
  return { kind: 'curve', title, xLabel: 'iteration', yLabel, series: [{ name: yLabel, x: history.map((s) => s.iteration + 1), y: history.map((s) => round(pick(s), 4)) }] };
}

function samplesTable(title: string, before: Evaluation, after: Evaluation): Artifact {
  return {
    kind: 'table', title, columns: ['prompt', 'before', 'reward', 'after', 'reward'],
    rows: before.samples.map((s, i) => [visible(s.prompt), visible(s.text), round(s.reward), visible(after.samples[i].text), round(after.samples[i].reward)]),
  };
}

export default defineChecks<Learner>({
  exports: ['tokenRewards', 'episodeAdvantages', 'gae', 'ppoPolicyLoss', 'klPenalty', 'normalizeAdvantages', 'valueLoss'],
  checks: [
    {
      name: 'the gae (lesson 10) and PPO losses (lesson 11) you import work on a plain case',
      task: 'episodeAdvantages',
      run: (m) => expectImported(m),
    },
    {
      name: 'tokenRewards: the worked example, −β·KL on every token and the score on the last',
      task: 'tokenRewards',
      run: (m) => expectHandRewards(m),
    },
    {
      name: 'tokenRewards: any length, any β, one token; the inputs are left alone',
      task: 'tokenRewards',
      run: (m, ctx) => {
        for (const [n, beta, score] of [[7, 0.05, -1.5], [12, 0.3, 0.7], [1, 0.2, 3]] as const) {
          const lp = Array.from({ length: n }, () => -4 * ctx.random());
          const ref = Array.from({ length: n }, () => -4 * ctx.random());
          expectClose(callRewards(m, score, lp, ref, beta), tokenRewards64(score, lp, ref, beta), {
            what: `tokenRewards(${score}, ${n} log-probs, ..., ${beta})`, rtol: 1e-5, atol: 1e-6,
            misconceptions: n > 1 ? rewardMisconceptions(score, lp, ref, beta) : [],
          });
        }
      },
    },
    {
      name: 'episodeAdvantages: the continuation ends at its last token',
      task: 'episodeAdvantages',
      run: (m, ctx) => {
        expectHandEpisode(m);
        const n = 9;
        const rewards = Array.from({ length: n }, () => ctx.random() - 0.5);
        const values = Array.from({ length: n }, () => 2 * ctx.random() - 1);
        const got = callEpisode(m, [...rewards], [...values], 0.97, 0.9);
        const ref = episode64(rewards, values, 0.97, 0.9);
        expectClose(got.advantages, ref.advantages, { what: `episodeAdvantages(9 rewards, 9 values, 0.97, 0.9).advantages`, rtol: 1e-4, atol: 1e-5,
          misconceptions: gaeMisconceptions(rewards, values, 0.97, 0.9, 'advantages') });
      },
    },
    {
      name: 'PPO on the bundled model: the reward rises and the KL to the reference stays bounded',
      task: 'tokenRewards',
      timeoutSeconds: 150,
      run: async (m, ctx) => {
        // A wrong function would cost a whole run to find out: check them all first.
        expectImported(m);
        expectHandRewards(m);
        expectHandEpisode(m);
        const klCoef = m.KL_COEF;
        if (typeof klCoef !== 'number' || !(klCoef >= 0)) fail(`KL_COEF is ${String(klCoef)}; it must be a number >= 0 (the lesson uses 0.1)`);
        await ppoRun(m, ctx, klCoef);
      },
    },
  ],
});

async function ppoRun(m: Learner, ctx: CheckContext, klCoef: number): Promise<void> {
  const [model, reward] = await Promise.all([loadRlModel(), rewardSource()]);
  const before = await evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);
  const started = performance.now();
  const history = await runPpo(model, m, reward.score, { klCoef }, (_, h) => {
    ctx.progress(curve(`Mean reward per iteration (${reward.name})`, 'reward', h, (s) => s.reward));
    ctx.progress(curve('KL(policy ‖ reference) per continuation, nats', 'KL', h, (s) => s.kl));
  });
  const seconds = (performance.now() - started) / 1000;
  const after = await evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);
  ctx.artifact(samplesTable('Samples before and after PPO (same prompts, same seed)', before, after));
  const first = mean(history.slice(0, 5).map((s) => s.reward));
  const last = mean(history.slice(-5).map((s) => s.reward));
  ctx.artifact({
    kind: 'table', title: `The run: ${history.length} iterations in ${seconds.toFixed(1)} s, KL_COEF = ${klCoef}`, columns: ['', 'before', 'after'],
    rows: [
      ['mean reward of the evaluation samples', round(before.reward), round(after.reward)],
      ['KL to the reference per continuation (nats)', round(before.kl), round(after.kl)],
      ['mean reward of the training batches (first 5 / last 5 iterations)', round(first), round(last)],
    ],
  });
  const hacking = after.kl > RUN.maxKl;
  if (hacking) {
    fail(`${TEXT['reward-hacking'].message}\nKL to the reference after training: ${round(after.kl, 2)} nats per continuation (the check allows ${RUN.maxKl}); reward ${round(before.reward)} -> ${round(after.reward)}; KL_COEF = ${klCoef}.`,
      { hint: TEXT['reward-hacking'].hint });
  }
  if (!(after.reward - before.reward >= RUN.minRise && last > first)) {
    fail(`The reward did not rise enough: the evaluation samples scored ${round(before.reward)} before and ${round(after.reward)} after (the check asks for +${RUN.minRise}); training batches ${round(first)} (first 5 iterations) -> ${round(last)} (last 5).`, {
      hint: klCoef > 0.5 ? `KL_COEF = ${klCoef} is large: the KL penalty outweighs the reward. Try 0.1.` : 'Look at the curves: if the reward never moves, check the sign of the score and of the advantages your functions return.',
    });
  }
}
