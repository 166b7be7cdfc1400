/**
 * The RLHF lesson, reference solution: the glue between a reward model and PPO (the RLHF recipe of Ziegler et al.,
 * "Fine-Tuning Language Models from Human Preferences", 2019, and Ouyang et al., "Training language models to
 * follow instructions with human feedback", 2022):
 *
 *   r_t = -beta * (log pi(a_t | s_t) - log pi_ref(a_t | s_t))          on every generated token
 *   r_T += score                                                        the reward model, on the last token
 *
 * and one generated continuation treated as one episode for GAE.
 */
import { tensor } from '@llm-lab/kit';
import { gae } from '../10-gae/gae';
import { klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss } from '../11-ppo/ppo';

// Re-exported so the checks (and the PPO run) use YOUR functions from the GAE and PPO-objective lessons.
export { gae, klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss };

/** beta: how much one nat of drift from the reference costs, per token. */
export const KL_COEF = 0.1;

export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  if (logProbs.length === 0 || logProbs.length !== refLogProbs.length) {
    throw new Error(`tokenRewards: need one log-prob per token under both models, got ${logProbs.length} and ${refLogProbs.length}`);
  }
  const kl = klPenalty(tensor(logProbs), tensor(refLogProbs)).data; // (n) log pi - log pi_ref, per token
  const rewards = Array.from(kl, (k) => -klCoef * k); //               every token pays for its drift
  rewards[rewards.length - 1] += score; //                              the score arrives when the text is done
  return rewards;
}

export function episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number): { advantages: number[]; returns: number[] } {
  // The continuation ENDS at its last token: nothing comes after it, so no value is bootstrapped from beyond.
  const dones = rewards.map((_, t) => t === rewards.length - 1);
  return gae(rewards, values, dones, 0, gamma, lambda);
}
