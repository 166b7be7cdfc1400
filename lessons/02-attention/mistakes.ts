/**
 * What a learner is told when their attention matches a catalogued mistake (reference.ts computes each one).
 * One place for the words, so the checks and the test that feeds every mistake through the runner
 * (test/unit/attention-track.test.ts) agree on them.
 */
import type { AttentionMistake } from './reference';

export interface MistakeText {
  message: string;
  hint: string;
}

export const ATTENTION_MISTAKE_TEXT: Record<AttentionMistake | 'overflow' | 'k-wrong-axes', MistakeText> = {
  'no-scale': {
    message: 'The scores are not scaled: your weights are softmax(q·kᵀ), not softmax(q·kᵀ / √d_k). Without the scale the scores grow with the head size and the softmax turns nearly one-hot.',
    hint: 'Multiply q @ kᵀ by 1 / Math.sqrt(d), where d is the last dimension of q.',
  },
  'scale-by-d': {
    message: 'The scores were divided by d_k instead of √d_k: the weights come out too flat.',
    hint: 'The dot product of two random d-vectors has a standard deviation of about √d, so that is what to divide by: 1 / Math.sqrt(d).',
  },
  'softmax-over-queries': {
    message: 'The softmax ran over the wrong axis: your columns sum to 1, not your rows. Each query (a row) needs its own probability distribution over the keys.',
    hint: 'softmax(scores, -1): the last axis of the (..., T_q, T_k) scores is the keys.',
  },
  'mask-after-softmax': {
    message: 'The mask was applied after the softmax: the future gets weight 0, but the rows no longer sum to 1 (the probability the future had was thrown away, not shared out).',
    hint: 'Fill the future scores with -Infinity first, then take the softmax: e^(-∞) = 0, and the remaining weights are normalised among themselves.',
  },
  'mask-with-zero': {
    message: 'The future was masked with 0 instead of -Infinity: a score of 0 still gets weight e^0 / sum > 0, so every query still looks at tokens that come after it.',
    hint: 'maskedFill(scores, mask, -Infinity): after the softmax, e^(-∞) = 0 exactly.',
  },
  'no-mask': {
    message: 'With causal = true there is no mask: query i sees every key, including the future (j > i).',
    hint: 'Build a (T, T) mask that is 1 where j > i and fill those scores with -Infinity before the softmax.',
  },
  'mask-includes-diagonal': {
    message: 'The causal mask is off by one: it also hides the diagonal (key j = query i), so a token cannot see itself, and the first row, with nothing left to see, becomes NaN.',
    hint: 'Mask only the strict future: j > i, not j >= i.',
  },
  'mask-leaks-next': {
    message: 'The causal mask is off by one: query i can still see key i + 1, one token into the future.',
    hint: 'Mask every key with j > i (the first masked key of row i is i + 1).',
  },
  'k-not-transposed': {
    message: 'k was not transposed: you computed q @ k instead of q @ kᵀ. (It ran only because this input is square, d = T.)',
    hint: 'transpose(k, -2, -1) turns (..., T, d) into (..., d, T), so q (..., T, d) @ kᵀ (..., d, T) gives the (..., T, T) scores.',
  },
  'k-transposed-0-1': {
    message: 'k was transposed along the wrong axes: transpose(k, 0, 1) swaps the batch and head axes of a (B, nh, T, d) tensor, not time and features.',
    hint: 'Use transpose(k, -2, -1): always the last two axes, whatever the rank.',
  },
  'k-transposed-1-2': {
    message: 'k was transposed along the wrong axes: transpose(k, 1, 2) is the head/time swap of multi-head attention, not kᵀ.',
    hint: 'Use transpose(k, -2, -1): always the last two axes, whatever the rank.',
  },
  'k-wrong-axes': {
    message: 'Your attention is right for a single (T, d) matrix but not for a batch (..., T, d): k is transposed along fixed axes such as (0, 1), which are the time and feature axes only when k is 2-D.',
    hint: 'Use transpose(k, -2, -1): negative axes count from the end, so this is kᵀ for every rank.',
  },
  overflow: {
    message: 'Huge scores overflowed: e^score became Infinity in float32 and Infinity / Infinity = NaN. Your softmax does not subtract each row\'s maximum first.',
    hint: 'Use the kit\'s softmax(scores, -1), or subtract the row maximum before exp (lesson 1): the result is the same and nothing overflows.',
  },
};
