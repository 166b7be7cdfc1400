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
 * 3.3 MB of float32). The step count was chosen, after timing a few steps, so that the whole run
 * takes about 20-25 minutes on a 2-core laptop-class CPU.
 */
export const FULL: Recipe = {
  name: 'moby-gpt',
  model: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 128 },
  hyper: {
    batchSize: 16, seqLen: 128, steps: 1300, warmupSteps: 100, maxLr: 2e-3, minLr: 2e-4,
    weightDecay: 0.1, betas: [0.9, 0.95], eps: 1e-8, gradClip: 1.0, seed: 1337, evalEvery: 100, evalBatches: 8,
  },
  finalTrainBatches: 64, // 64 x 16 x 128 = 131k characters, about the size of the validation split
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
