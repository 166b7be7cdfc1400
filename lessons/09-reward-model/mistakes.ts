/**
 * What a learner is told when their preference loss or pair accuracy matches a catalogued mistake. One place for
 * the words, so the checks and the test that feeds every mistake through the runner (test/unit/alignment-track.test.ts)
 * agree on them.
 */
export interface MistakeText {
  message: string;
  hint: string;
}

export type RewardMistake =
  | 'sign-flipped' | 'sigmoid-not-log' | 'one-minus-sigmoid' | 'log-likelihood-not-negated' | 'sum-not-mean'
  | 'overflow' | 'no-gradient' | 'ties-count-right' | 'counts-wrong-pairs' | 'percent';

export const REWARD_MISTAKE_TEXT: Record<RewardMistake, MistakeText> = {
  'sign-flipped': {
    message: 'The sign of the difference is flipped: you computed -log σ(r_rejected - r_chosen), which is smallest when the REJECTED text gets the higher reward. A reward model trained on it learns the opposite of the preferences.',
    hint: 'd = r_chosen - r_rejected, and the loss is -log σ(d): it goes to 0 as the chosen text pulls ahead (d → +∞).',
  },
  'sigmoid-not-log': {
    message: 'You returned -mean(σ(d)): the probability itself, not its logarithm. Bradley-Terry is a likelihood, and the loss is the negative LOG-likelihood, -mean(log σ(d)); without the log a pair that is badly wrong (σ(d) ≈ 0) costs almost nothing more than one that is slightly wrong, and its gradient vanishes.',
    hint: 'Take the log of σ(d), stably: log σ(d) = -softplus(-d), or the first column of logSoftmax over (d, 0).',
  },
  'one-minus-sigmoid': {
    message: 'You returned mean(1 - σ(d)): a probability of being wrong, not a negative log-likelihood. Its gradient vanishes exactly on the pairs the model gets badly wrong.',
    hint: 'The loss is -mean(log σ(d)) with d = r_chosen - r_rejected.',
  },
  'log-likelihood-not-negated': {
    message: 'You returned mean(log σ(d)), the log-likelihood, which is ≤ 0 and should be MAXIMISED. The optimiser minimises what you return, so it would push the chosen rewards down.',
    hint: 'Negate it: the loss is -mean(log σ(d)).',
  },
  'sum-not-mean': {
    message: 'You summed over the pairs instead of averaging: the loss (and every gradient) grows with the batch size, so the same learning rate behaves differently for 8 pairs and for 800.',
    hint: 'mean(...) over the N pairs, not sum(...).',
  },
  overflow: {
    message: 'A difference of ±100 overflowed: your loss is not finite. log(σ(d)) with σ(d) = 1 / (1 + e^(-d)) computes e^100, which is Infinity in float32 (the largest float32 is about 3.4e38 ≈ e^88.7), and log(0) = -Infinity.',
    hint: 'Use a form that never exponentiates a large positive number: -log σ(d) = softplus(-d) = relu(-d) + log(1 + e^(-|d|)), or log σ(d) = the first column of logSoftmax over (d, 0), which subtracts the maximum first.',
  },
  'no-gradient': {
    message: 'No gradient flows from your loss back to the rewards: the result does not require grad. Did you compute it from .data with plain numbers and wrap it in a new tensor?',
    hint: 'Build the loss only from kit ops applied to rChosen and rRejected (sub, neg, mean, exp, log, relu, logSoftmax, ...), so autograd records every step.',
  },
  'ties-count-right': {
    message: 'A tie was counted as a correct ranking. A reward model that gives every text the same reward would then score 100%; a tie has not ranked the pair at all.',
    hint: 'Count pair i as right only when rChosen[i] > rRejected[i], strictly.',
  },
  'counts-wrong-pairs': {
    message: 'You counted the pairs ranked the WRONG way round (rejected above chosen).',
    hint: 'Count rChosen[i] > rRejected[i], then divide by the number of pairs.',
  },
  percent: {
    message: 'You returned a percentage; pairAccuracy returns a fraction between 0 and 1.',
    hint: 'Divide the count of correct pairs by the number of pairs, and do not multiply by 100.',
  },
};
