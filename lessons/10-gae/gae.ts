/**
 * Advantages: Generalised Advantage Estimation (GAE), how PPO decides how much better than expected each action was.
 *
 * A rollout is T steps of (reward r_t, value estimate V_t = V(s_t), done flag). For each step:
 *
 *   δ_t = r_t + γ · V_{t+1} · (1 - done_t) - V_t          the TD error: what happened vs what was expected
 *   A_t = δ_t + γ · λ · (1 - done_t) · A_{t+1}             the advantage: TD errors of the future, discounted by γλ
 *   returns_t = A_t + V_t                                  the target the value function is trained towards
 *
 * V_T (the value after the last step) is `lastValue`, and A_T = 0. A_t needs A_{t+1}, so compute from the LAST
 * step back to the first. dones[t] = true means the episode ENDED after step t: the next state belongs to a new
 * episode, so nothing (neither its value nor its advantage) may flow back across that boundary. (CleanRL and
 * Stable-Baselines3 store that flag one step later, as "step t starts an episode", and cut step t with dones[t + 1]:
 * here each step is cut by its own dones[t]. The lesson's Conventions section has the details.)
 * Plain numbers, no tensors: advantages are computed once per rollout, without gradients.
 */
import { TODO } from '@llm-lab/kit';

/**
 * GAE(γ, λ) over one rollout. rewards, values and dones have one entry per step (the same length T; throw an
 * Error if not). Returns two new arrays of length T; do not modify the inputs.
 *   gae([1, 1, 1], [0, 0, 0], [false, false, false], 0, 1, 1) -> advantages [3, 2, 1], returns [3, 2, 1]
 *   λ = 0: A_t = δ_t (one-step TD error).   λ = 1: A_t = discounted return - V_t (Monte-Carlo).
 */
export function gae(rewards: number[], values: number[], dones: boolean[], lastValue: number, gamma: number, lambda: number):
{ advantages: number[]; returns: number[] } {
  return TODO('gae');
}
