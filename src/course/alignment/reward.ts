/**
 * The reward the RLHF run optimises: the reward-model lesson's reward model (a linear head on the bundled model's frozen
 * features, trained on the AFINN preference pairs with the reference Bradley-Terry loss), once per process.
 * It scores whole texts, prompt included, as it was trained to (the pairs are whole sentences).
 *
 * Whitespace is collapsed before scoring. The reward model averages its features over every character, and it
 * never saw a run of spaces; in a first version, PPO found that twenty spaces after the prompt score higher than
 * any word, and cost little KL (the book is full of indented lines). That was reward hacking at KL_COEF = 0.1
 * already. Closing a hole the policy found is what practitioners do too; the lesson tells the story.
 */
import { type Text, t } from '@llm-lab/check';
import { shippedRewardScorer } from './reward-model';
import type { RewardFn } from './ppo-loop';

export interface RewardSource {
  /** What the results panel calls it, in both languages. */
  name: Text;
  score: RewardFn;
}

export async function rewardSource(): Promise<RewardSource> {
  // The reference reward model as shipped (reward-head.json), not trained again in every run: the same scores.
  const rm = await shippedRewardScorer();
  return { name: t('the reward-model lesson\'s reward model', '奖励模型一课训练的奖励模型'), score: (texts) => rm.scoreAsync(texts.map(normalise)) };
}

/** Runs of whitespace (spaces, newlines) as one space. */
export const normalise = (text: string): string => text.replace(/\s+/g, ' ');
