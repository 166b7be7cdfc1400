/**
 * RLHF, small: the glue between a reward model and PPO.
 *
 * This file builds on YOUR files from the GAE and PPO-objective lessons (they sit next to this folder in your
 * llm-lab/ folder): gae from ../10-gae/gae.ts, and the PPO losses from ../11-ppo/ppo.ts. The first check tests them
 * on a plain case; finish those lessons first if it fails.
 *
 * The last check runs a whole RLHF loop on the bundled model with your functions (about a minute):
 *
 *   sample continuations -> reward model scores them -> tokenRewards -> episodeAdvantages (your gae)
 *     -> normalizeAdvantages -> a few epochs of ppoPolicyLoss + valueLoss -> repeat
 *
 * Kit pieces you may want: tensor([...]) makes a Tensor from numbers, t.data holds its values.
 */
import { TODO, tensor } from '@llm-lab/kit';
import { gae } from '../10-gae/gae';
import { klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss } from '../11-ppo/ppo';

// Re-exported so the checks (and the PPO run) use YOUR functions from the GAE and PPO-objective lessons.
// Keep this line.
export { gae, klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss };

/**
 * β, the price of one nat of drift from the reference model, per token. The run check uses this value.
 * Try 0.001 once everything passes, and watch the samples (the lesson calls it reward hacking).
 */
export const KL_COEF = 0.1;

/**
 * The reward of each generated token of ONE continuation:
 *
 *   r_t = −klCoef · (logProbs[t] − refLogProbs[t])        for every token t
 *   r_last += score                                        the reward model's score, once, on the last token
 *
 * logProbs[t] and refLogProbs[t] are log π(a_t | s_t) and log π_ref(a_t | s_t) of the token that was sampled.
 * Use the klCoef argument (the checks pass other values). Return a new array; do not change the inputs.
 *   tokenRewards(2, [-1, -2, -0.5], [-1.5, -1, -0.5], 0.1) -> [-0.05, 0.1, 2]
 */
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  return TODO('tokenRewards');
}

/**
 * Advantages and returns of ONE continuation with your gae: the continuation is an episode that ENDS at its
 * last token (nothing comes after it). Pass gamma and lambda through.
 */
export function episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number): { advantages: number[]; returns: number[] } {
  return TODO('episodeAdvantages');
}
