/**
 * The catalogued GAE mistakes: how each one computes (gae64 in gae.checks.ts follows these names) and what the
 * learner is told, in English and Simplified Chinese. One place for the words, shared with
 * test/unit/mistakes/alignment.ts.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const GAE_MISTAKES = defineMistakes({
  'forward-order': {
    message: t(
      'The advantages were accumulated in FORWARD order (A_t = δ_t + γλ·A_{t-1}): each step collected the errors of the steps BEFORE it. An advantage is about the future: A_t = δ_t + γλ·A_{t+1}, so the loop has to run from the last step back to the first.',
      '优势是按正向顺序累积的（A_t = δ_t + γλ·A_{t-1}）：每一步收集的是它之前各步的误差。优势关乎未来：A_t = δ_t + γλ·A_{t+1}，所以循环必须从最后一步倒着走回第一步。',
    ),
    hint: t(
      'for (let t = T - 1; t >= 0; t--), carrying the advantage of step t + 1 in a variable that starts at 0.',
      'for (let t = T - 1; t >= 0; t--)，并用一个初值为 0 的变量携带第 t + 1 步的优势。',
    ),
  },
  'ignores-dones': {
    message: t(
      'Your GAE bootstraps through episode ends: at a step with dones[t] = true you still added γ·V(s_{t+1}) and γλ·A_{t+1}, but s_{t+1} is the first state of a NEW episode, whose rewards this action did not earn.',
      '你的 GAE 越过回合结束处做了自举：在 dones[t] = true 的那一步，你仍然加上了 γ·V(s_{t+1}) 和 γλ·A_{t+1}，但 s_{t+1} 是一个新回合的第一个状态，那个回合的奖励并不是这个动作挣来的。',
    ),
    hint: t(
      'With live = dones[t] ? 0 : 1: δ_t = r_t + γ·V_{t+1}·live - V_t and A_t = δ_t + γλ·live·A_{t+1}. Both terms need the mask.',
      '令 live = dones[t] ? 0 : 1：δ_t = r_t + γ·V_{t+1}·live - V_t，A_t = δ_t + γλ·live·A_{t+1}。两项都需要这个掩码。',
    ),
  },
  'bootstraps-across-done': {
    message: t(
      'At an episode end you stopped accumulating A_{t+1}, but the TD error still bootstraps from the next value: δ_t = r_t + γ·V(s_{t+1}) - V_t, with s_{t+1} in the next episode. After the last step of an episode there is no next state: δ_t = r_t - V_t.',
      '在回合结束处你停止了累积 A_{t+1}，但 TD 误差仍然从下一个价值自举：δ_t = r_t + γ·V(s_{t+1}) - V_t，而 s_{t+1} 属于下一个回合。一个回合的最后一步之后没有下一个状态：δ_t = r_t - V_t。',
    ),
    hint: t(
      'Multiply the bootstrap term by (1 - done_t) too: δ_t = r_t + γ·V_{t+1}·(1 - done_t) - V_t.',
      '自举项也要乘以 (1 - done_t)：δ_t = r_t + γ·V_{t+1}·(1 - done_t) - V_t。',
    ),
  },
  'accumulates-across-done': {
    message: t(
      'At an episode end you stopped bootstrapping the value, but the advantage of the next episode still flowed back: A_t = δ_t + γλ·A_{t+1} must not cross dones[t] = true.',
      '在回合结束处你停止了对价值的自举，但下一个回合的优势仍然流了回来：A_t = δ_t + γλ·A_{t+1} 不能越过 dones[t] = true。',
    ),
    hint: t(
      'Multiply the carried advantage by (1 - done_t): A_t = δ_t + γλ·(1 - done_t)·A_{t+1}.',
      '把携带的优势乘以 (1 - done_t)：A_t = δ_t + γλ·(1 - done_t)·A_{t+1}。',
    ),
  },
  'no-lambda': {
    message: t(
      'λ is missing: you accumulated A_t = δ_t + γ·A_{t+1}, which is GAE with λ = 1 whatever λ you were given (the high-variance Monte-Carlo advantage).',
      '缺了 λ：你累积的是 A_t = δ_t + γ·A_{t+1}，无论传入的 λ 是多少，它都是 λ = 1 的 GAE（方差很大的蒙特卡洛优势）。',
    ),
    hint: t(
      'The carried advantage is discounted by γ·λ: A_t = δ_t + γ·λ·(1 - done_t)·A_{t+1}.',
      '携带的优势要乘以 γ·λ 折扣：A_t = δ_t + γ·λ·(1 - done_t)·A_{t+1}。',
    ),
  },
  'no-gamma-in-trace': {
    message: t(
      'γ is missing from the accumulation: you carried λ·A_{t+1} instead of γ·λ·A_{t+1}.',
      '累积时缺了 γ：你携带的是 λ·A_{t+1}，而不是 γ·λ·A_{t+1}。',
    ),
    hint: t(
      'A_t = δ_t + γ·λ·(1 - done_t)·A_{t+1}: the future is discounted by γ and weighted by λ.',
      'A_t = δ_t + γ·λ·(1 - done_t)·A_{t+1}：未来既要用 γ 折扣，也要用 λ 加权。',
    ),
  },
  'last-value-ignored': {
    message: t(
      'lastValue was ignored: the last step of a rollout that stopped MID-episode must bootstrap from V(s_T) = lastValue, or the rollout pretends the episode ended there.',
      'lastValue 被忽略了：在回合中途停止的 rollout，其最后一步必须从 V(s_T) = lastValue 自举，否则就等于假装回合在那里结束了。',
    ),
    hint: t(
      'Start the loop with nextValue = lastValue (used only if dones[T-1] is false).',
      '循环开始时令 nextValue = lastValue（只有 dones[T-1] 为 false 时才会用到它）。',
    ),
  },
  'returns-without-values': {
    message: t(
      'returns are not advantages + values: the value function\'s target is R_t = A_t + V(s_t), the λ-return.',
      'returns 不等于 advantages + values：价值函数的目标是 R_t = A_t + V(s_t)，即 λ-回报。',
    ),
    hint: t('returns[t] = advantages[t] + values[t].', 'returns[t] = advantages[t] + values[t]。'),
  },
  'returns-are-rewards': {
    message: t(
      'returns were computed as discounted sums of rewards alone, ignoring λ and the values; PPO\'s value target is the λ-return A_t + V(s_t), which is consistent with the advantages it trains the policy with.',
      'returns 被算成了仅由奖励构成的折扣和，忽略了 λ 和价值；PPO 的价值目标是 λ-回报 A_t + V(s_t)，它与训练策略所用的优势是一致的。',
    ),
    hint: t('returns[t] = advantages[t] + values[t].', 'returns[t] = advantages[t] + values[t]。'),
  },
});

export type GaeMistake = keyof typeof GAE_MISTAKES;
