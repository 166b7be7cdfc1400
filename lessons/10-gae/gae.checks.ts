/**
 * Checks for the GAE lesson (gae/advantages): gae(rewards, values, dones, lastValue, gamma, lambda) -> { advantages, returns }.
 *
 * Expected values come from gae64 below: a float64 reference written as the DEFINITION, a sum over the future
 * (A_t = Σ_k (γλ)^k δ_{t+k} up to the episode's end), not as the backward recursion the learner writes. Worked
 * small cases are in the comments. Each catalogued mistake (mistakes.ts) is computed as its own wrong variant, so
 * a failure names it. The λ = 0 and λ = 1 checks compare with the TD error and the Monte-Carlo return directly.
 * Two entries are other libraries' conventions, and named as such: CleanRL's / Stable-Baselines3's dones indexing
 * (dones[t + 1] cuts step t) and OpenAI Spinning Up's value target (discounted rewards-to-go instead of A + V).
 * On one rollout two mistakes can give the same numbers (λ = 0: bootstrapping across a done = ignoring dones; γ = λ:
 * no λ = no γ in the trace): there neither is named (distinct() below), and a check whose rollout tells them apart does.
 * Tolerances are float32's (TOL): a correct GAE kept in a Float32Array passes.
 *
 * Which check names which catalogued mistake (mistakes.ts; the catalogue runner holds one case per entry):
 *
 *   check                                      names
 *   ----------------------------------------------------------------------------------------------------------------
 *   three steps by hand (no episode end)       forward-order, no-lambda, no-gamma-in-trace, last-value-ignored,
 *                                              returns-without-values, returns-are-rewards (Spinning Up)
 *   λ = 0 gives the one-step TD error          last-value-ignored, no-lambda, dones-shifted (CleanRL / SB3)
 *   λ = 1 gives the Monte-Carlo return         forward-order, no-gamma-in-trace, last-value-ignored, dones-shifted
 *   episode ends: nothing crosses a done       ignores-dones, bootstraps-across-done, accumulates-across-done,
 *                                              forward-order, last-value-ignored, returns-without-values,
 *                                              returns-are-rewards, dones-shifted
 *   lastValue bootstraps only an unfinished…   forward-order, no-gamma-in-trace, last-value-ignored, dones-shifted
 *   200 random steps with episode ends         every advantage and returns mistake above
 *   returns = advantages + values; lengths…    returns-without-values; a missing length check (generic)
 */
import { type CheckContext, type Misconception, type Text, defineChecks, describeType, expectClose, expectEqual, expectTrue, fail, join, say, t } from '@llm-lab/check';
import { GAE_MISTAKES as M, type GaeMistake } from './mistakes';

type Learner = typeof import('./gae');

interface Rollout {
  rewards: number[];
  values: number[];
  dones: boolean[];
  lastValue: number;
  gamma: number;
  lambda: number;
}

interface Result {
  advantages: number[];
  returns: number[];
}

type Variant = 'right' | Exclude<GaeMistake, 'returns-without-values' | 'returns-are-rewards'>;

/**
 * GAE as a sum over the future, in float64: A_t = Σ_{k≥0} (γλ)^k δ_{t+k}, stopping after the step whose done is
 * set, with δ_t = r_t + γ V_{t+1} (1 - done_t) - V_t. Variants reproduce the catalogued mistakes, and
 * 'dones-shifted' CleanRL's and Stable-Baselines3's indexing (step t cut by dones[t + 1]; the last step, which they
 * cut with a separate next_done, either not cut or cut by dones[T - 1] when `shiftedLastCut`).
 */
function gae64(x: Rollout, variant: Variant = 'right', shiftedLastCut = false): Result {
  const { rewards: r, values: v, dones, lastValue, gamma } = x;
  const T = r.length;
  const lambda = variant === 'no-lambda' ? 1 : x.lambda;
  const trace = variant === 'no-gamma-in-trace' ? lambda : gamma * lambda; // what the carried advantage is multiplied by
  const done = (t: number) => (variant !== 'dones-shifted' ? dones[t] : t + 1 < T ? dones[t + 1] : shiftedLastCut && dones[t]);
  const cutBootstrap = (t: number) => done(t) && variant !== 'ignores-dones' && variant !== 'bootstraps-across-done';
  const cutTrace = (t: number) => done(t) && variant !== 'ignores-dones' && variant !== 'accumulates-across-done';
  const vNext = (t: number) => (t + 1 < T ? v[t + 1] : variant === 'last-value-ignored' ? 0 : lastValue);
  const delta = r.map((rt, t) => rt + (cutBootstrap(t) ? 0 : gamma * vNext(t)) - v[t]);
  const advantages = delta.map((_, t) => {
    if (variant === 'forward-order') return forwardOrder(delta, t, trace, cutTrace);
    let sum = 0;
    let weight = 1;
    for (let k = t; k < T; k++) {
      sum += weight * delta[k];
      if (cutTrace(k)) break; // the episode ended after step k
      weight *= trace;
    }
    return sum;
  });
  return { advantages, returns: advantages.map((a, t) => a + v[t]) };
}

/** The forward-order mistake exactly as a forward loop computes it: acc = δ_t + trace·(1 - done_t)·acc. */
function forwardOrder(delta: number[], t: number, trace: number, cut: (t: number) => boolean): number {
  let acc = 0;
  for (let s = 0; s <= t; s++) acc = delta[s] + (cut(s) ? 0 : trace) * acc;
  return acc;
}

const VARIANTS: Exclude<Variant, 'right' | 'dones-shifted'>[] = [
  'forward-order', 'ignores-dones', 'bootstraps-across-done', 'accumulates-across-done', 'no-lambda', 'no-gamma-in-trace', 'last-value-ignored',
];

/**
 * Every wrong variant on this rollout, as misconceptions on the advantages (checked only when the answer is not the
 * right one). Last, CleanRL's / Stable-Baselines3's dones indexing: named as their convention, not as a mistake.
 */
function advantageMistakes(x: Rollout): Misconception[] {
  return distinct([
    ...VARIANTS.map((m) => ({ value: gae64(x, m).advantages, ...M[m] })),
    { value: gae64(x, 'dones-shifted').advantages, ...M['dones-shifted'] },
    { value: gae64(x, 'dones-shifted', true).advantages, ...M['dones-shifted'] },
  ]);
}

/**
 * Only the wrong answers this input tells apart. Two different mistakes can give the same numbers on one rollout: with
 * λ = 0 nothing is accumulated, so bootstrapping across a done is the same as ignoring dones altogether; with a done
 * only on the last step, likewise; with γ = λ, a trace without λ is the same as one without γ. Naming either would be
 * a guess, so such a group is replaced by one message that says so, with each mistake's hint; the checks whose
 * rollouts tell them apart name the right one.
 */
function distinct(ms: Misconception[]): Misconception[] {
  const same = (a: Misconception, b: Misconception) => {
    const x = a.value as number[];
    const y = b.value as number[];
    return x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) <= TOL.atol + TOL.rtol * Math.abs(y[i]));
  };
  const out: Misconception[] = [];
  const done = new Set<Misconception>();
  for (const m of ms) {
    if (done.has(m)) continue;
    const group = ms.filter((o) => !done.has(o) && same(m, o));
    group.forEach((o) => done.add(o));
    const messages = [...new Set(group.map((o) => o.message))];
    if (messages.length === 1) {
      out.push(m);
      continue;
    }
    const hints = [...new Set(group.map((o) => o.hint).filter((h): h is Text => h !== undefined))];
    out.push({ value: m.value, message: AMBIGUOUS, hint: join(hints) });
  }
  return out;
}

const AMBIGUOUS = t(
  'Your advantages are what two different known wrong answers give on this rollout, which cannot tell them apart (the hint describes each). The checks whose rollouts do tell them apart say which one it is.',
  '在这个 rollout 上，你的 advantages 与两种不同的已知错误答案给出的结果相同，这个输入无法区分它们（提示里分别说明了每一个）。输入能区分它们的那些检查会指出究竟是哪一个。',
);

/** Discounted sums of rewards alone, cut at episode ends, bootstrapped with lastValue: OpenAI Spinning Up's value target (a convention). */
function rewardReturns(x: Rollout): number[] {
  const out = new Array<number>(x.rewards.length);
  let g = x.lastValue;
  for (let t = x.rewards.length - 1; t >= 0; t--) {
    g = x.rewards[t] + x.gamma * (x.dones[t] ? 0 : g);
    out[t] = g;
  }
  return out;
}

/**
 * The tolerance of every comparison: what float32 arithmetic allows. A correct GAE that keeps its advantages in a
 * Float32Array and reads A_{t+1} back from it rounds at every step; over 200 steps (γλ ≈ 0.94, advantages up to
 * about 10) that drifts by up to about 1.2e-6 from the float64 sum. Every catalogued mistake is off by far more.
 */
const TOL = { rtol: 1e-5, atol: 1e-5 };

const LEAVE_INPUTS = t('Leave the inputs alone: build new arrays for the results.', '不要修改输入：为结果新建数组。');

/** Calls the learner's gae on copies, checks the result's form, and that the inputs were left alone. */
function call(m: Learner, x: Rollout): Result {
  const copy = { rewards: [...x.rewards], values: [...x.values], dones: [...x.dones] };
  const got: unknown = m.gae(copy.rewards, copy.values, copy.dones, x.lastValue, x.gamma, x.lambda);
  if (typeof got !== 'object' || got === null) {
    const type = describeType(got);
    fail(t(`gae returned ${type.en}; expected { advantages, returns }`, `gae 返回了 ${type['zh-cn']}；应返回 { advantages, returns }`),
      { hint: got === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  const { advantages, returns } = got as Partial<Result>;
  const T = x.rewards.length;
  for (const [key, value] of [['advantages', advantages], ['returns', returns]] as const) {
    if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
      const type = describeType(value);
      fail(t(`gae(...).${key} is ${type.en}; expected an array of ${T} numbers`, `gae(...).${key} 是 ${type['zh-cn']}；应是含 ${T} 个数的数组`));
    }
  }
  expectEqual(copy.rewards, x.rewards, say(t('rewards after the call', '调用之后的 rewards')), LEAVE_INPUTS);
  expectEqual(copy.values, x.values, say(t('values after the call', '调用之后的 values')), LEAVE_INPUTS);
  expectEqual(copy.dones, x.dones, say(t('dones after the call', '调用之后的 dones')), LEAVE_INPUTS);
  return { advantages: Array.from(advantages!), returns: Array.from(returns!) };
}

/** Compares advantages, then returns, with the reference; mistakes are named. */
function expectGae(m: Learner, x: Rollout, what: string): void {
  const got = call(m, x);
  const want = gae64(x);
  expectClose(got.advantages, want.advantages, { what: `${what}.advantages`, ...TOL, misconceptions: advantageMistakes(x) });
  expectClose(got.returns, want.returns, {
    what: `${what}.returns`, ...TOL,
    misconceptions: [
      { value: got.advantages, ...M['returns-without-values'] },
      { value: rewardReturns(x), ...M['returns-are-rewards'] },
    ],
  });
}

function randomRollout(ctx: CheckContext, T: number, doneRate: number, gamma: number, lambda: number): Rollout {
  const rnd = (s: number) => (ctx.random() * 2 - 1) * s;
  return {
    rewards: Array.from({ length: T }, () => rnd(1)),
    values: Array.from({ length: T }, () => rnd(2)),
    dones: Array.from({ length: T }, () => ctx.random() < doneRate),
    lastValue: rnd(2), gamma, lambda,
  };
}

const HAND: Rollout = { rewards: [1, 0, 2], values: [0.5, 1, 1.5], dones: [false, false, false], lastValue: 2, gamma: 0.9, lambda: 0.8 };
const EPISODES: Rollout = { rewards: [1, 2, 3, 4], values: [0.5, 0.5, 0.5, 0.5], dones: [false, true, false, false], lastValue: 1, gamma: 0.5, lambda: 0.5 };

export default defineChecks<Learner>({
  exports: ['gae'],
  checks: [
    {
      name: t('three steps by hand (no episode end)', '手算三步（没有回合结束）'),
      task: 'gae',
      run: (m) => {
        // δ = (1 + 0.9·1 - 0.5, 0 + 0.9·1.5 - 1, 2 + 0.9·2 - 1.5) = (1.4, 0.35, 2.3); γλ = 0.72
        // A_2 = 2.3, A_1 = 0.35 + 0.72·2.3 = 2.006, A_0 = 1.4 + 0.72·2.006 = 2.84432; returns = A + V
        expectGae(m, HAND, say(t('gae([1, 0, 2], [0.5, 1, 1.5], no dones, lastValue 2, γ 0.9, λ 0.8)', 'gae([1, 0, 2], [0.5, 1, 1.5], 无 done, lastValue 2, γ 0.9, λ 0.8)')));
      },
    },
    {
      name: t('λ = 0 gives the one-step TD error', 'λ = 0 得到一步 TD 误差'),
      task: 'gae',
      run: (m, ctx) => {
        const x = { ...randomRollout(ctx, 8, 0.2, 0.95, 0), dones: [false, false, true, false, false, false, true, false] };
        const td = x.rewards.map((r, t) => r + (x.dones[t] ? 0 : x.gamma * (t + 1 < 8 ? x.values[t + 1] : x.lastValue)) - x.values[t]);
        expectClose(call(m, x).advantages, td, {
          what: say(t('advantages with λ = 0', 'λ = 0 时的 advantages')), ...TOL, misconceptions: advantageMistakes(x),
          hint: t('With λ = 0 nothing is carried back: A_t = δ_t = r_t + γ·V_{t+1}·(1 - done_t) - V_t.',
            'λ = 0 时什么也不往回传：A_t = δ_t = r_t + γ·V_{t+1}·(1 - done_t) - V_t。'),
        });
      },
    },
    {
      name: t('λ = 1 gives the Monte-Carlo return minus the value', 'λ = 1 得到蒙特卡洛回报减去价值'),
      task: 'gae',
      run: (m, ctx) => {
        // One episode that ends at the last step: A_t = Σ_k γ^k r_{t+k} - V_t; lastValue must not matter.
        const x: Rollout = { ...randomRollout(ctx, 6, 0, 0.9, 1), dones: [false, false, false, false, false, true] };
        const mc = x.rewards.map((_, t) => x.rewards.slice(t).reduce((s, r, k) => s + r * x.gamma ** k, 0) - x.values[t]);
        expectClose(call(m, x).advantages, mc, {
          what: say(t('advantages with λ = 1 (one finished episode)', 'λ = 1 时的 advantages（一个已结束的回合）')), ...TOL, misconceptions: advantageMistakes(x),
          hint: t('With λ = 1 the TD errors telescope: A_t = r_t + γ r_{t+1} + ... + γ^(T-1-t) r_{T-1} - V_t.',
            'λ = 1 时各步 TD 误差逐项相消（望远镜求和）：A_t = r_t + γ r_{t+1} + ... + γ^(T-1-t) r_{T-1} - V_t。'),
        });
        // The same rollout cut mid-episode: the tail is bootstrapped with γ^(T-t) · lastValue.
        const y: Rollout = { ...x, dones: x.dones.map(() => false) };
        const boot = y.rewards.map((_, t) => mc[t] + y.gamma ** (6 - t) * y.lastValue);
        expectClose(call(m, y).advantages, boot, {
          what: say(t('advantages with λ = 1, the rollout stopped mid-episode', 'λ = 1、rollout 在回合中途停止时的 advantages')), ...TOL, misconceptions: advantageMistakes(y),
          hint: t('Mid-episode, the future after the last step is estimated by lastValue: V_T = lastValue.',
            '在回合中途停止时，最后一步之后的未来由 lastValue 估计：V_T = lastValue。'),
        });
      },
    },
    {
      name: t('episode ends: nothing crosses a done', '回合结束：任何东西都不越过 done'),
      task: 'gae',
      run: (m) => {
        // Episode 1 = steps 0-1 (done after step 1), episode 2 = steps 2-3, cut mid-episode (lastValue 1). γ = λ = 0.5.
        // δ = (1 + 0.25 - 0.5, 2 - 0.5, 3 + 0.25 - 0.5, 4 + 0.5 - 0.5) = (0.75, 1.5, 2.75, 4)
        // A = (0.75 + 0.25·1.5, 1.5, 2.75 + 0.25·4, 4) = (1.125, 1.5, 3.75, 4)
        expectGae(m, EPISODES, 'gae([1, 2, 3, 4], V = 0.5, dones [F, T, F, F], lastValue 1, γ = λ = 0.5)');
        // Whatever happens in episode 2 cannot change episode 1's advantages.
        const before = call(m, EPISODES).advantages.slice(0, 2);
        const changed = call(m, { ...EPISODES, rewards: [1, 2, -30, 50], values: [0.5, 0.5, 9, -9] }).advantages.slice(0, 2);
        expectClose(changed, before, { what: say(t('episode 1\'s advantages after changing episode 2', '改动第 2 个回合之后，第 1 个回合的 advantages')), misconceptions: [], hint: M['ignores-dones'].hint });
      },
    },
    {
      name: t('lastValue bootstraps only an unfinished last episode', 'lastValue 只为未结束的最后一个回合自举'),
      task: 'gae',
      run: (m) => {
        const open: Rollout = { rewards: [0, 0, 1], values: [0, 0, 0], dones: [false, false, false], lastValue: 10, gamma: 0.5, lambda: 1 };
        // A_2 = 1 + 0.5·10 = 6, A_1 = 0.5·6 = 3, A_0 = 1.5
        expectGae(m, open, say(t('gae([0, 0, 1], V = 0, no dones, lastValue 10, γ 0.5, λ 1)', 'gae([0, 0, 1], V = 0, 无 done, lastValue 10, γ 0.5, λ 1)')));
        const closed: Rollout = { ...open, dones: [false, false, true] };
        // The episode ended: lastValue belongs to the next one. A = (0.25, 0.5, 1)
        expectGae(m, closed, 'gae([0, 0, 1], V = 0, dones [F, F, T], lastValue 10, γ 0.5, λ 1)');
      },
    },
    {
      name: t('200 random steps with episode ends against a float64 reference', '含回合结束的 200 个随机步，与 float64 参考值比较'),
      task: 'gae',
      run: (m, ctx) => {
        expectGae(m, randomRollout(ctx, 200, 0.05, 0.99, 0.95), say(t('gae on 200 random steps (γ 0.99, λ 0.95)', '200 个随机步上的 gae（γ 0.99, λ 0.95）')));
      },
    },
    {
      name: t('returns = advantages + values; lengths; an empty rollout', 'returns = advantages + values；长度；空 rollout'),
      task: 'gae',
      run: (m, ctx) => {
        const x = randomRollout(ctx, 12, 0.2, 0.9, 0.7);
        const got = call(m, x);
        expectEqual(got.advantages.length, 12, 'advantages.length');
        expectEqual(got.returns.length, 12, 'returns.length');
        expectClose(got.returns, got.advantages.map((a, t) => a + x.values[t]), {
          what: 'returns - (advantages + values)', ...TOL, misconceptions: [{ value: got.advantages, ...M['returns-without-values'] }],
          hint: M['returns-without-values'].hint,
        });
        const empty = call(m, { rewards: [], values: [], dones: [], lastValue: 3, gamma: 0.9, lambda: 0.9 });
        expectEqual([empty.advantages.length, empty.returns.length], [0, 0], say(t('the lengths of gae on an empty rollout', '空 rollout 上 gae 结果的长度')));
        // Every length that can disagree: the values, the dones (either one short or one too many).
        const mismatched = [
          [[1, 2], [0], [false, false], t('2 rewards but 1 value', '2 个奖励却只有 1 个价值')],
          [[1, 2], [0, 0], [false], t('2 rewards but 1 done flag', '2 个奖励却只有 1 个 done 标志')],
          [[1], [0], [false, true], t('1 reward but 2 done flags', '1 个奖励却有 2 个 done 标志')],
        ] as const;
        for (const [rewards, values, dones, what] of mismatched) {
          let threw = false;
          try {
            m.gae([...rewards], [...values], [...dones], 0, 0.9, 0.9);
          } catch (e) {
            if (e instanceof Error && e.name === 'NotImplementedError') throw e;
            threw = true;
          }
          expectTrue(threw, t(`gae with ${what.en} should throw an Error`, `gae 收到${what['zh-cn']}时应抛出 Error`),
            t('Compare rewards.length, values.length and dones.length first.', '先比较 rewards.length、values.length 和 dones.length。'));
        }
      },
    },
  ],
});
