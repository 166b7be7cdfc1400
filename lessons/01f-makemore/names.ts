/**
 * The makemore lesson: a language model for first names, without attention.
 *
 * The model reads the last blockSize characters of a name and predicts the next one:
 *
 *   '...' -> 'e',  '..e' -> 'm',  '.em' -> 'm',  'emm' -> 'a',  'mma' -> '.'      (blockSize 3, the name 'emma')
 *
 * Four tasks:
 *   buildDataset  every (context, next character) window of a list of names, as flat id arrays
 *   NameModel     an embedding table and YOUR MLP from the MLP lesson: ids -> vectors -> logits for 27 characters
 *   train         the training loop, with YOUR crossEntropyLoss, AdamW, cosineLr and clipGradNorm
 *   sample        new names, one character at a time, drawn from the model's probabilities
 * The checks train your model on 7,500 real first names for a few seconds (live curve in the results panel) and
 * compare its validation loss with a bigram model's.
 *
 * This file builds on two earlier lessons: it imports from ../01c-mlp/ and ../01d-optimizers/, the files you wrote
 * (they sit next to this folder). If those lessons do not pass yet, finish them first; the first check tests them.
 *
 * Kit pieces you may want:
 *   new Embedding(num, dim, rng)       a (num, dim) table, N(0, 1); emb.forward(ids, [B, T]) -> (B, T, dim)
 *   x.reshape(B, -1)                   the same numbers, another shape (free: no copy)
 *   softmax(x, -1), noGrad(() => ...)  probabilities along the last axis; a forward pass without a graph
 *   new Rng(seed), rng.randint(lo, hi) a seeded generator; an integer in [lo, hi)
 *   rng.categorical(probs)             draws index i with probability probs[i] (one uniform per call)
 *   loss.item(), model.parameters()    a scalar's value; every trainable tensor of a Module
 */
import { Embedding, Module, Rng, type Tensor, TODO, noGrad, softmax } from '@llm-lab/kit';
import { MLP } from '../01c-mlp/layers';
import { crossEntropyLoss } from '../01c-mlp/losses';
import { AdamW, clipGradNorm, cosineLr } from '../01d-optimizers/optim';

// Re-exported so the checks can test your earlier code first, and build a loop from the same parts.
export { MLP, crossEntropyLoss, AdamW, clipGradNorm, cosineLr };

/** The vocabulary: '.' (id 0) marks the start and the end of a name, 'a'..'z' are ids 1..26. */
export const CHARS = '.abcdefghijklmnopqrstuvwxyz';

/** Examples as flat arrays: X holds N rows of blockSize ids (row-major, row i at X[i·blockSize ...]), Y the N targets. */
export interface Dataset {
  X: Int32Array;
  Y: Int32Array;
}

/**
 * One window per character of name + '.', for every name in order. The context starts as blockSize '.' (id 0)
 * for every name, and slides by one character after each window. names are lowercase a-z; do not modify the array.
 */
export function buildDataset(names: readonly string[], blockSize: number): Dataset {
  return TODO('buildDataset');
}

export interface ModelConfig {
  blockSize: number;
  nEmbd: number;
  hidden: number;
  /** The hidden layer's activation (default 'tanh'). */
  activation?: 'tanh' | 'relu';
}

export class NameModel extends Module {
  /** (27, nEmbd): one learned vector per character. */
  emb: Embedding;
  /** Your MLP with sizes [blockSize · nEmbd, hidden, 27]: one hidden layer, logits out. */
  mlp: MLP;

  constructor(readonly config: ModelConfig, rng: Rng) {
    super();
    // TODO: make the embedding table and the MLP, both from `rng` (activation: config.activation, default 'tanh').
    TODO('NameModel constructor');
  }

  /** X: B rows of blockSize ids, flat -> logits (B, 27) (not probabilities). */
  forward(X: Int32Array): Tensor {
    return TODO('NameModel.forward');
  }
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  /** Gradients are clipped to this global norm. */
  clip: number;
  /** Seed of the generator the batches are drawn from. */
  seed: number;
}

/**
 * config.steps steps of AdamW (lr config.maxLr, weightDecay config.weightDecay) on every parameter of the model.
 * Step `step` (0, 1, ...): a batch of config.batchSize rows, each drawn with rng.randint(0, N) from ONE
 * rng = new Rng(config.seed); loss = crossEntropyLoss(logits, targets); clear the gradients; backward; clip to
 * config.clip; lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps }); optimizer step;
 * then `await onStep?.(step, loss)`. Returns the batch losses, one per step.
 */
export async function train(
  model: NameModel, data: Dataset, config: TrainConfig, onStep?: (step: number, loss: number) => void | Promise<void>,
): Promise<number[]> {
  return TODO('train');
}

/** What sample needs of a model: its context length and its logits. */
export interface Sampler {
  config: { blockSize: number };
  forward(X: Int32Array): Tensor;
}

/**
 * A new name: start from blockSize '.', draw the next id from softmax(logits) with rng.categorical (one uniform per
 * character), stop at '.' (not part of the name) or after maxLength characters. Uses only model.config.blockSize
 * and model.forward.
 */
export function sample(model: Sampler, rng: Rng, maxLength = 30): string {
  return TODO('sample');
}
