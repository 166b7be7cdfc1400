/**
 * The catalogued GAE mistakes: how each one computes (gae64 in gae.checks.ts follows these names) and what the
 * learner is told. One place for the words, shared with test/unit/alignment-track.test.ts.
 */
export interface MistakeText {
  message: string;
  hint: string;
}

export type GaeMistake =
  | 'forward-order' | 'ignores-dones' | 'bootstraps-across-done' | 'accumulates-across-done'
  | 'no-lambda' | 'no-gamma-in-trace' | 'last-value-ignored' | 'returns-without-values' | 'returns-are-rewards';

export const GAE_MISTAKE_TEXT: Record<GaeMistake, MistakeText> = {
  'forward-order': {
    message: 'The advantages were accumulated in FORWARD order (A_t = δ_t + γλ·A_{t-1}): each step collected the errors of the steps BEFORE it. An advantage is about the future: A_t = δ_t + γλ·A_{t+1}, so the loop has to run from the last step back to the first.',
    hint: 'for (let t = T - 1; t >= 0; t--), carrying the advantage of step t + 1 in a variable that starts at 0.',
  },
  'ignores-dones': {
    message: 'Your GAE bootstraps through episode ends: at a step with dones[t] = true you still added γ·V(s_{t+1}) and γλ·A_{t+1}, but s_{t+1} is the first state of a NEW episode, whose rewards this action did not earn.',
    hint: 'With live = dones[t] ? 0 : 1: δ_t = r_t + γ·V_{t+1}·live - V_t and A_t = δ_t + γλ·live·A_{t+1}. Both terms need the mask.',
  },
  'bootstraps-across-done': {
    message: 'At an episode end you stopped accumulating A_{t+1}, but the TD error still bootstraps from the next value: δ_t = r_t + γ·V(s_{t+1}) - V_t, with s_{t+1} in the next episode. After the last step of an episode there is no next state: δ_t = r_t - V_t.',
    hint: 'Multiply the bootstrap term by (1 - done_t) too: δ_t = r_t + γ·V_{t+1}·(1 - done_t) - V_t.',
  },
  'accumulates-across-done': {
    message: 'At an episode end you stopped bootstrapping the value, but the advantage of the next episode still flowed back: A_t = δ_t + γλ·A_{t+1} must not cross dones[t] = true.',
    hint: 'Multiply the carried advantage by (1 - done_t): A_t = δ_t + γλ·(1 - done_t)·A_{t+1}.',
  },
  'no-lambda': {
    message: 'λ is missing: you accumulated A_t = δ_t + γ·A_{t+1}, which is GAE with λ = 1 whatever λ you were given (the high-variance Monte-Carlo advantage).',
    hint: 'The carried advantage is discounted by γ·λ: A_t = δ_t + γ·λ·(1 - done_t)·A_{t+1}.',
  },
  'no-gamma-in-trace': {
    message: 'γ is missing from the accumulation: you carried λ·A_{t+1} instead of γ·λ·A_{t+1}.',
    hint: 'A_t = δ_t + γ·λ·(1 - done_t)·A_{t+1}: the future is discounted by γ and weighted by λ.',
  },
  'last-value-ignored': {
    message: 'lastValue was ignored: the last step of a rollout that stopped MID-episode must bootstrap from V(s_T) = lastValue, or the rollout pretends the episode ended there.',
    hint: 'Start the loop with nextValue = lastValue (used only if dones[T-1] is false).',
  },
  'returns-without-values': {
    message: 'returns are not advantages + values: the value function\'s target is R_t = A_t + V(s_t), the λ-return.',
    hint: 'returns[t] = advantages[t] + values[t].',
  },
  'returns-are-rewards': {
    message: 'returns were computed as discounted sums of rewards alone, ignoring λ and the values; PPO\'s value target is the λ-return A_t + V(s_t), which is consistent with the advantages it trains the policy with.',
    hint: 'returns[t] = advantages[t] + values[t].',
  },
};
