/**
 * What a learner is told when their multi-head attention matches a catalogued mistake (reference.ts computes
 * each one). Shared with test/unit/attention-track.test.ts, which checks that each mistake is recognised.
 */
import type { MistakeText } from '../02-attention/mistakes';
import type { MhaMistake } from './reference';

export const MHA_MISTAKE_TEXT: Record<MhaMistake | 'lesson-2', MistakeText> = {
  'split-without-transpose': {
    message: 'The heads were split without the transpose: viewing (B, T, C) directly as (B, nh, T, hs) does not group channels into heads, it cuts the memory into blocks, so a "head" holds pieces of several tokens.',
    hint: 'Two steps: view as (B, T, nh, hs) (this splits each token\'s channels), then transpose(x, 1, 2) to (B, nh, T, hs).',
  },
  'split-interleaved': {
    message: 'The heads were split in the wrong order: head h got channels h, h + nh, h + 2·nh, ... instead of the block [h·hs, (h+1)·hs). That is what viewing as (B, T, hs, nh) gives.',
    hint: 'View as (B, T, nh, hs): the head index comes before the channel-within-head index, so head h is channels h·hs to (h+1)·hs - 1.',
  },
  'merge-without-transpose': {
    message: 'The heads were merged without the transpose: reshaping (B, nh, T, hs) straight to (B, T, C) mixes tokens, because the head axis is still in front of time.',
    hint: 'transpose(y, 1, 2) first, giving (B, T, nh, hs), then reshape to (B, T, C): each token\'s heads end up side by side.',
  },
  'merge-interleaved': {
    message: 'The heads were merged in the wrong order: head h\'s channels went to positions h, h + nh, ... instead of back to [h·hs, (h+1)·hs).',
    hint: 'Merging must undo splitting exactly: (B, nh, T, hs) -> transpose(1, 2) -> (B, T, nh, hs) -> reshape (B, T, C).',
  },
  'weight-not-transposed': {
    message: 'The projections used x @ W + b, but the weights follow PyTorch\'s Linear convention, shape (out, in): the projection is x @ Wᵀ + b. (The shapes only fit because W is square, C x C.)',
    hint: 'Use the kit\'s linear(x, weight, bias), which computes x Wᵀ + b, or matmul(x, transpose(weight, 0, 1)).',
  },
  'no-output-projection': {
    message: 'The output projection is missing: after merging the heads, out = merged @ W_projᵀ + b_proj mixes what the heads found.',
    hint: 'linear(merged, w.proj.weight, w.proj.bias).',
  },
  'single-head': {
    message: 'nHead was ignored: this is one head over all C channels. Multi-head attention runs nHead independent attentions on hs = C / nHead channels each.',
    hint: 'Split q, k and v into (B, nh, T, hs) before calling attention; the scale then uses hs, the size of one head.',
  },
  'lesson-2': {
    message: 'The attention this file imports from lesson 2 (02-attention/attention.ts) is not right yet, so multi-head attention cannot be.',
    hint: 'Open lesson 2\'s exercise and run its checks: they say exactly what is off.',
  },
};
