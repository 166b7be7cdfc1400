/**
 * The two training recipes: the shipped model, and a tiny one for working on the training code.
 * The benchmark (test/bench/model.ts) reads FULL too, so it measures what training really does.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HyperParameters } from './train-log';

const ROOT = resolve(__dirname, '..', '..', '..');

export interface Recipe {
  name: string;
  /** The GPT's shape; vocabSize comes from the text. */
  model: { nLayer: number; nHead: number; nEmbd: number; blockSize: number };
  hyper: HyperParameters;
  /** Random training windows (batches of batchSize) for the final train loss. */
  finalTrainBatches: number;
  printEvery: number;
  /** Default output folder. */
  out: string;
}

/**
 * The shipped model: 4 layers, 4 heads, d_model 128, context 128 (about 0.82M parameters,
 * 3.3 MB of float32).
 *
 * How the numbers were chosen: the kit trains at about 2,000 tokens/s on 2 cores whatever the
 * batch (8 or 16 sequences of 128), so the budget of ~20 minutes is ~2.5M tokens either way. In
 * two short probes with the same number of tokens (600k), batch 8 for 600 steps reached a lower
 * validation loss than batch 16 for 300 (2.32 vs 2.35): this early in training, more and smaller
 * steps win. lr 3e-3 was stable (gradient norms well under the clip). With so little compute per
 * parameter there is no overfitting to fight, hence no dropout.
 */
export const FULL: Recipe = {
  name: 'moby-gpt',
  model: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 128 },
  hyper: {
    batchSize: 8, seqLen: 128, steps: 2400, warmupSteps: 100, maxLr: 3e-3, minLr: 3e-4,
    weightDecay: 0.1, betas: [0.9, 0.95], eps: 1e-8, gradClip: 1.0, seed: 1337, evalEvery: 200, evalBatches: 12,
  },
  finalTrainBatches: 128, // 128 x 8 x 128 = 131k characters, about the size of the validation split
  printEvery: 10,
  out: join(ROOT, 'media', 'model'),
};

/** For developing the training code: the same path in seconds, written to a temp folder, never to media/model. */
export const TINY: Recipe = {
  name: 'moby-gpt-tiny',
  model: { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32 },
  hyper: { ...FULL.hyper, batchSize: 8, seqLen: 32, steps: 50, warmupSteps: 5, evalEvery: 25, evalBatches: 2 },
  finalTrainBatches: 4,
  printEvery: 5,
  out: join(tmpdir(), 'llm-lab-tiny-model'),
};
