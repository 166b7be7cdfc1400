/**
 * The catalogued GAE mistakes: how each one computes (gae64 in gae.checks.ts follows these names) and what the
 * learner is told, in English and Simplified Chinese. One place for the words, shared with
 * test/unit/mistakes/alignment.ts. Entries with `convention` are another library's way, not a mistake: the
 * learner is told whose, and why this lesson chose the other side.
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
    convention: 'OpenAI Spinning Up',
    message: t(
      'These returns are the discounted rewards-to-go (bootstrapped with lastValue when the rollout stops mid-episode): the value target of OpenAI Spinning Up\'s PPO, a Monte-Carlo return. This lesson\'s returns are the λ-return A_t + V(s_t), as in CleanRL, Stable-Baselines3 and TRL, because it goes with the advantages the policy is trained on (the same trade-off between bias and variance, set by λ), and the RLHF lesson trains the value head on it. Return advantages[t] + values[t] to match.',
      '这些 returns 是折扣的未来奖励和（rollout 在回合中途停止时用 lastValue 自举）：这是 OpenAI Spinning Up 的 PPO 所用的价值目标，一种蒙特卡洛回报。本课的 returns 是 λ-回报 A_t + V(s_t)，与 CleanRL、Stable-Baselines3 和 TRL 相同，因为它与训练策略所用的优势相配（由 λ 决定的同一种偏差与方差的权衡），RLHF 一课也用它训练价值头。返回 advantages[t] + values[t] 即与本课一致。',
    ),
    hint: t('returns[t] = advantages[t] + values[t] (with λ = 1 the two targets coincide).', 'returns[t] = advantages[t] + values[t]（λ = 1 时两种目标相同）。'),
  },
  'dones-shifted': {
    convention: 'CleanRL / Stable-Baselines3',
    message: t(
      'This is how CleanRL / Stable-Baselines3 index episode ends: there dones[t] (SB3: episode_starts[t]) says that step t STARTS a new episode, so step t is cut by dones[t + 1], and the last step by a separate flag (CleanRL\'s next_done, the dones argument of SB3\'s compute_returns_and_advantage). In this lesson dones[t] says the episode ENDED after step t, the flag the environment returns together with r_t, so each step is cut by its own dones[t] and no extra flag is needed. Read dones[t] where you read dones[t + 1] to match.',
      '这是 CleanRL / Stable-Baselines3 标记回合结束的下标方式：在那里 dones[t]（SB3 中是 episode_starts[t]）表示第 t 步开始了一个新回合，所以第 t 步由 dones[t + 1] 截断，最后一步则由另一个单独的标志截断（CleanRL 的 next_done，SB3 的 compute_returns_and_advantage 的 dones 参数）。本课的 dones[t] 表示回合在第 t 步之后结束，也就是环境与 r_t 一起返回的那个标志，所以每一步由它自己的 dones[t] 截断，不需要额外的标志。把读 dones[t + 1] 的地方改成读 dones[t]，即与本课一致。',
    ),
    hint: t(
      'const live = dones[t] ? 0 : 1 for every step t, the last one included; lastValue plays the part of CleanRL\'s next_value.',
      '对每一步 t（包括最后一步）都用 const live = dones[t] ? 0 : 1；lastValue 相当于 CleanRL 的 next_value。',
    ),
  },
});

export type GaeMistake = keyof typeof GAE_MISTAKES;
