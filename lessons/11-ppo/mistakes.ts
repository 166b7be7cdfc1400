/**
 * The catalogued PPO mistakes and what the learner is told. One place for the words, shared by ppo.checks.ts and
 * test/unit/alignment-track.test.ts.
 */
export interface MistakeText {
  message: string;
  hint: string;
}

export type PpoMistake =
  // ppoPolicyLoss
  | 'clip-advantage' | 'max-not-min' | 'sign-flipped' | 'ratio-of-logs' | 'log-ratio-no-exp' | 'old-new-swapped' | 'no-clip'
  | 'clipped-gradient'
  // valueLoss
  | 'value-no-half' | 'value-sum' | 'value-abs'
  // entropy
  | 'entropy-no-minus' | 'entropy-sum' | 'entropy-nan' | 'entropy-of-logits'
  // klPenalty
  | 'kl-reversed' | 'kl-ratio'
  // normalizeAdvantages
  | 'not-normalised' | 'only-centred' | 'no-eps' | 'by-max' | 'unbiased-std';

export const PPO_MISTAKE_TEXT: Record<PpoMistake, MistakeText> = {
  'clip-advantage': {
    message: 'You clipped the ADVANTAGE instead of the ratio: min(ratio·A, ratio·clip(A, 1-ε, 1+ε)). The trust region is about how far the new policy moves from the old one, which is the ratio; the advantage is data and stays as it is.',
    hint: 'clamp(ratio, 1 - clipEps, 1 + clipEps) times advantages, then minimum(...) with ratio times advantages.',
  },
  'max-not-min': {
    message: 'You took the MAX of the two terms: that is the optimistic bound, which lets the ratio run away in exactly the direction the clipping is meant to stop. PPO takes the min, the pessimistic bound.',
    hint: 'minimum(ratio·A, clamp(ratio, 1-ε, 1+ε)·A), then negate the mean.',
  },
  'sign-flipped': {
    message: 'The sign is flipped: you returned +mean(min(...)), the objective to MAXIMISE. The optimiser minimises what you return, so it would make good actions less likely.',
    hint: 'Return neg(mean(minimum(...))): the loss is minus the surrogate objective.',
  },
  'ratio-of-logs': {
    message: 'The ratio was computed as newLogProbs / oldLogProbs: a quotient of LOG-probabilities means nothing. The probability ratio is π_new / π_old = exp(log π_new - log π_old).',
    hint: 'ratio = exp(sub(newLogProbs, oldLogProbs)).',
  },
  'log-ratio-no-exp': {
    message: 'The ratio is missing its exp: newLogProbs - oldLogProbs is the LOG of the ratio (0 when nothing changed, not 1).',
    hint: 'ratio = exp(sub(newLogProbs, oldLogProbs)), which is 1 when the policy has not moved.',
  },
  'old-new-swapped': {
    message: 'Old and new are swapped: you computed π_old / π_new = exp(old - new). Raising the probability of a good action then LOWERS the objective.',
    hint: 'ratio = exp(newLogProbs - oldLogProbs): the policy being trained on top.',
  },
  'no-clip': {
    message: 'There is no clipping: you returned -mean(ratio·A), the plain policy-gradient surrogate, which lets one batch move the policy arbitrarily far.',
    hint: 'Add the clipped term clamp(ratio, 1-ε, 1+ε)·A and take the minimum of the two.',
  },
  'clipped-gradient': {
    message: 'Samples whose clipped term is the smaller one still got a gradient. In PPO, once the ratio has left [1-ε, 1+ε] in the direction the advantage favours, that sample stops pushing: its gradient is exactly 0.',
    hint: 'Build the clipped term with clamp (gradient 0 outside the band) and combine with minimum; do not add anything else that depends on newLogProbs.',
  },
  'value-no-half': {
    message: 'The 0.5 is missing: you returned mean((values - returns)²). This course (like CleanRL and the PPO paper\'s code) uses 0.5·mean(...), so the gradient is (values - returns)/N.',
    hint: 'mul(mean(pow(sub(values, returns), 2)), 0.5).',
  },
  'value-sum': {
    message: 'You summed the squared errors instead of averaging them: the loss grows with the number of tokens.',
    hint: '0.5 · mean((values - returns)²).',
  },
  'value-abs': {
    message: 'You used the absolute error; the value loss is the squared error, 0.5 · mean((values - returns)²).',
    hint: 'pow(sub(values, returns), 2), then mean, then times 0.5.',
  },
  'entropy-no-minus': {
    message: 'The minus sign is missing: Σ p log p is ≤ 0; the entropy is -Σ p log p ≥ 0.',
    hint: 'neg(sum(mul(p, logp), -1)), then the mean over positions.',
  },
  'entropy-sum': {
    message: 'You summed the entropies of the positions instead of averaging them.',
    hint: 'Sum over the vocabulary (the last axis), then mean(...) over the positions.',
  },
  'entropy-nan': {
    message: 'Huge logits gave a non-finite entropy: a probability that rounds to 0 gives log(0) = -Infinity, and 0 · -Infinity = NaN.',
    hint: 'Take log-probabilities from logSoftmax(logits, -1) (finite for any logits), not log(softmax(...)).',
  },
  'entropy-of-logits': {
    message: 'The entropy was computed from the logits directly; it is the entropy of the DISTRIBUTION p = softmax(logits).',
    hint: 'p = softmax(logits, -1), logp = logSoftmax(logits, -1), H = -Σ p·logp over the last axis.',
  },
  'kl-reversed': {
    message: 'The KL estimate has its sign reversed: you returned log π_ref - log π. The penalty must be positive where the policy puts MORE probability than the reference on the sampled token, so subtracting it pulls the policy back.',
    hint: 'sub(logProbs, refLogProbs).',
  },
  'kl-ratio': {
    message: 'You returned the probability ratio π / π_ref; the per-token KL estimate is the LOG ratio, log π - log π_ref (0 when the two agree).',
    hint: 'sub(logProbs, refLogProbs), no exp.',
  },
  'not-normalised': {
    message: 'The advantages came back unchanged: they should have zero mean and unit standard deviation.',
    hint: 'Subtract the mean, then divide by (std + 1e-8).',
  },
  'only-centred': {
    message: 'You subtracted the mean but did not divide by the standard deviation.',
    hint: '(a - mean) / (std + 1e-8), with std = sqrt(mean((a - mean)²)).',
  },
  'no-eps': {
    message: 'A constant batch gave NaN: its std is 0, and (a - mean) / 0 = 0/0. The eps in the denominator is there for exactly this case.',
    hint: 'Divide by (std + 1e-8), not by std.',
  },
  'by-max': {
    message: 'You scaled by the largest absolute value instead of the standard deviation: the result lies in [-1, 1] but its std is not 1.',
    hint: '(a - mean) / (std + 1e-8), with std = sqrt(mean((a - mean)²)).',
  },
  'unbiased-std': {
    message: 'You used the unbiased std (divide by n - 1, PyTorch\'s default for .std()); this function asks for the population std (divide by n, NumPy\'s default), so that the result has std exactly 1.',
    hint: 'std = Math.sqrt(sum of (a_i - mean)² / n).',
  },
};
