/**
 * What a learner is told when lesson 8's checks recognise a catalogued mistake. One place for the words, so
 * the checks and test/unit/lora-track.test.ts agree on them.
 */
import type { MistakeText } from '../07-lora/mistakes';

export type FinetuneMistake =
  | 'lesson-7' | 'not-frozen' | 'wrong-targets' | 'changed-at-step-0' | 'not-merged' | 'shared-rng'
  | 'per-tensor' | 'per-column' | 'floor' | 'dequant-divides';

export const FINETUNE_MISTAKE_TEXT: Record<FinetuneMistake, MistakeText> = {
  'lesson-7': {
    message: 'Your lesson-7 LoRA layer or merge does not pass a quick test, so everything built on it here would be wrong too.',
    hint: 'Finish lesson 7 (lora/layer and lora/merge) first: this file imports LoRALinear and merge from ../07-lora/.',
  },
  'not-frozen': {
    message: 'The base model is not frozen: model.parameters() still lists pretrained weights, so the optimizer would update all of them. That is full fine-tuning, with LoRA on top.',
    hint: 'Before wrapping, set requiresGrad = false on every tensor of model.parameters(); afterwards parameters() must list only the adapters\' A and B.',
  },
  'wrong-targets': {
    message: 'The adapters are not where they were asked for: every block must get a LoRALinear on each target in config.targets, and no other layer may change.',
    hint: 'Loop over model.h (every block) and over config.targets; slot(block, target) gives the object and the field to replace.',
  },
  'changed-at-step-0': {
    message: 'The model\'s output changed when the adapters were added: with B = 0 a freshly wrapped model must compute exactly what the pretrained one did.',
    hint: 'Wrap the existing Linear (new LoRALinear(parent[key], r, alpha, rng)) so it keeps its weight and bias, and keep B at zero.',
  },
  'not-merged': {
    message: 'After mergeLoRA the model still contains LoRA layers: each one must be replaced by a plain Linear whose weight is the merged W + (alpha / r) B A.',
    hint: 'For each adapter: const lin = new Linear(a.inFeatures, a.outFeatures); lin.weight = merge(a.weight, a.A, a.B, a.alpha, a.r); lin.bias = a.bias; then parent[key] = lin.',
  },
  'shared-rng': {
    message: 'Every adapter got the same A: draw them all from ONE Rng(config.seed), created once, so each layer gets its own random start (and the run can still be repeated).',
    hint: 'const rng = new Rng(config.seed) before the loops, then pass the same rng to every new LoRALinear.',
  },
  'per-tensor': {
    message: 'One scale for the whole matrix: a row with small weights next to a row with large ones is rounded to a few levels, or to zero. Quantize per output channel: one scale per row.',
    hint: 'For each row o: scale[o] = max_i |W[o, i]| / 127, then q[o, i] = round(W[o, i] / scale[o]).',
  },
  'per-column': {
    message: 'The scales are per input column, not per output channel (row): W is (out, in), and each output channel, a row, gets its own scale.',
    hint: 'scale[o] = max over i of |W[o, i]| / 127: one scale per row o, scales.length === out.',
  },
  'floor': {
    message: 'The values are truncated instead of rounded: Math.floor (or Math.trunc, or writing a float into an Int8Array) biases every weight towards -∞ or 0; Math.round keeps the error within half a step.',
    hint: 'q = Math.round(W / scale), then clamp to [-127, 127].',
  },
  'dequant-divides': {
    message: 'dequantize divided by the scale instead of multiplying: q = round(W / scale), so W ≈ q · scale.',
    hint: 'W[o, i] ≈ q[o, i] * scales[o].',
  },
};
