/**
 * The GAE lesson, reference solution: Generalised Advantage Estimation (Schulman, Moritz, Levine, Jordan & Abbeel,
 * "High-Dimensional Continuous Control Using Generalized Advantage Estimation", 2015), the advantage estimator
 * PPO uses, written the way PPO implementations do: one backward pass over the rollout.
 *
 *   δ_t = r_t + γ V(s_{t+1}) (1 - done_t) - V(s_t)            the TD error of step t
 *   A_t = δ_t + γ λ (1 - done_t) A_{t+1}                       accumulated from the LAST step back to the first
 *   returns_t = A_t + V(s_t)                                   the value function's regression target
 */

/**
 * rewards, values, dones: one entry per step t = 0..T-1. dones[t] = true: the episode ended after step t, so
 * neither the next value nor the next advantage (which belong to a new episode) flows back into step t.
 * (CleanRL's dones and Stable-Baselines3's episode_starts hold the same flags one index later: there step t is cut
 * by dones[t + 1], and the last step by a separate next_done.)
 * lastValue: V of the state after the last step, used only if the rollout stopped mid-episode.
 */
export function gae(rewards: number[], values: number[], dones: boolean[], lastValue: number, gamma: number, lambda: number):
{ advantages: number[]; returns: number[] } {
  const T = rewards.length;
  if (values.length !== T || dones.length !== T) {
    throw new Error(`gae: rewards, values and dones must have one entry per step, got ${T}, ${values.length} and ${dones.length}`);
  }
  const advantages = new Array<number>(T).fill(0);
  let next = 0; //              A_{t+1}: the advantage of the step after t (0 after the last step)
  let nextValue = lastValue; // V(s_{t+1})
  for (let t = T - 1; t >= 0; t--) { // backwards: A_t needs A_{t+1}
    const live = dones[t] ? 0 : 1; //   an episode end cuts both the bootstrap and the accumulation
    const delta = rewards[t] + gamma * nextValue * live - values[t];
    next = delta + gamma * lambda * live * next;
    advantages[t] = next;
    nextValue = values[t];
  }
  const returns = advantages.map((a, t) => a + values[t]);
  return { advantages, returns };
}
