/**
 * What a learner is told when their DPO loss matches a catalogued mistake. Shared by the checks and by
 * test/unit/rlhf-track.test.ts, which feeds each mistake through the runner.
 */
import type { MistakeText } from '../12-rlhf/mistakes';

export type DpoMistake =
  | 'no-reference' //   β·(π_c − π_r): the reference log-ratios left out
  | 'beta-outside' //   −β·log σ(margin): β multiplies the loss instead of the margin
  | 'beta-divides' //   σ(margin / β)
  | 'swapped' //        σ(−β·margin): chosen and rejected the wrong way round
  | 'sum' //            summed over the pairs instead of averaged
  | 'positive-log'; //  +log σ: the loss to MAXIMISE, not to minimise

export const DPO_MISTAKE_TEXT: Record<DpoMistake | 'unstable' | 'no-graph', MistakeText> = {
  'no-reference': {
    message: 'The reference model is missing: your loss uses β·(log π(y_c) − log π(y_r)), not the log-RATIOS log π/π_ref. Without them DPO just pushes likelihoods apart and nothing holds the policy near the reference.',
    hint: 'margin = (policyChosen − refChosen) − (policyRejected − refRejected): each text\'s log-probability measured against what the reference gave it.',
  },
  'beta-outside': {
    message: 'β is outside the sigmoid: your loss is −β·log σ(margin). β belongs INSIDE, as the scale of the implicit reward: −log σ(β·margin). Outside, it only rescales the gradient; inside, it decides how far the policy may move from the reference.',
    hint: 'z = β·margin first, then −log σ(z).',
  },
  'beta-divides': {
    message: 'The margin was divided by β instead of multiplied: σ(margin/β). With β = 0.1 that makes the implicit rewards 100 times too large.',
    hint: 'z = β · margin: the implicit reward of a text is β · log(π/π_ref).',
  },
  'swapped': {
    message: 'Chosen and rejected are the wrong way round: your loss falls when the policy prefers the REJECTED text. (Your numbers equal −log σ(−β·margin).)',
    hint: 'margin = (chosen log-ratio) − (rejected log-ratio); the loss is small when the margin is large and positive.',
  },
  'sum': {
    message: 'The loss is summed over the pairs instead of averaged: it grows with the batch size, and so does the step size.',
    hint: 'Take mean(...) over the B pairs.',
  },
  'positive-log': {
    message: 'The sign of the loss is reversed: log σ(z) is the log-likelihood of the preferences, which you MAXIMISE; the loss to minimise is its negative, −log σ(z) (always ≥ 0).',
    hint: 'loss = −mean log σ(β·margin).',
  },
  'unstable': {
    message: 'Your loss is not finite for large margins: log(sigmoid(z)) rounds σ(z) to 0 for z below about −100 in float32 (or e^(−z) overflows), and log(0) = −Infinity.',
    hint: 'Use −log σ(z) = log(1 + e^(−z)) = relu(−z) + log(1 + e^(−|z|)), or −logSoftmax([z, 0])[0]: never the log of a number that can round to 0.',
  },
  'no-graph': {
    message: 'No gradient reached policyChosen or policyRejected: your loss was not built from them with kit ops (a value computed from .data with plain numbers has no graph).',
    hint: 'Use sub, mul, neg, mean, logSoftmax... on the tensors themselves; the result then knows how to backpropagate.',
  },
};
