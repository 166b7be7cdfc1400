/**
 * The pretraining lesson: train a small GPT from scratch, on Moby-Dick, with your own code.
 *
 * The model is YOUR gptForward from the GPT forward-pass lesson: it is a function of a Map of weights, and when
 * those weights are tensors with requiresGrad, the kit's autograd gives their gradients. The optimizer, the
 * schedule and the clipping are YOUR AdamW, cosineLr and clipGradNorm from the optimizers lesson, the loss YOUR
 * crossEntropyLoss from the MLP lesson. This file adds four pieces:
 *   getBatch   random windows of the text, and their targets: the same windows shifted by one character
 *   lmLoss     the language-model loss: cross-entropy at every position, padding (ignoreIndex) left out
 *   evaluate   loss and perplexity of a whole held-out set, over tokens, not over batches
 *   train      the training loop: batch, forward, loss, zeroGrad, backward, clip, learning rate, step
 * The checks test each piece on a tiny model, then train a 2-layer GPT on 80,000 characters of the book, live: a
 * loss curve and samples as it learns, in the results panel.
 *
 * Kit pieces you may want:
 *   new Rng(seed), rng.randint(lo, hi)        a seeded generator; an integer in [lo, hi)
 *   logits.reshape(B * T, V)                  the same numbers as (B·T, V): one row per position
 *   embedding(table, rows, [n])               rows of a (N, V) tensor, with gradients: (n, V)
 *   noGrad(() => ...)                         run without building a graph (evaluation)
 *   loss.item(), loss.backward()              a scalar's value; gradients into every .grad
 */
import { Rng, type Tensor, TODO, embedding, noGrad } from '@llm-lab/kit';
import { type GptConfig, gptForward } from '../04-gpt-forward/gpt';
import { crossEntropyLoss } from '../01c-mlp/losses';
import { AdamW, clipGradNorm, cosineLr } from '../01d-optimizers/optim';

// Re-exported so the checks can test your earlier code first, and build a loop from the same parts.
export { gptForward, crossEntropyLoss, AdamW, clipGradNorm, cosineLr };
export type { GptConfig };

/** The model's weights by name, as gptForward reads them ('wte.weight', 'h.0.ln_1.weight', ...). */
export type Weights = Map<string, Tensor>;

/** B rows of T token ids, and their targets: y[b][t] is the id that follows x[b][t] in the text. */
export interface Batch {
  x: number[][];
  y: number[][];
}

/**
 * batchSize random windows of `data` (token ids), each blockSize long, and their targets.
 * For b = 0, 1, ..., batchSize - 1, IN THAT ORDER, draw one start with start = rng.randint(0, data.length - blockSize)
 * (no other draws from rng); then x[b] = data[start .. start + blockSize) and y[b] = the same window one id later.
 * Do not modify `data`.
 */
export function getBatch(data: ArrayLike<number>, batchSize: number, blockSize: number, rng: Rng): Batch {
  return TODO('getBatch');
}

/**
 * The language-model loss: logits (B, T, V), targets B rows of T ids. The mean of -log softmax(logits)[target] over
 * the positions whose target is not ignoreIndex (padding); ignored positions count neither in the sum nor in the
 * mean. At least one target is not ignored. Returns a scalar tensor that backward() can start from.
 */
export function lmLoss(logits: Tensor, targets: number[][], ignoreIndex = -100): Tensor {
  return TODO('lmLoss');
}

/** What evaluate measures on a held-out set. */
export interface Evaluation {
  /** Mean negative log-likelihood per real (not -100) target, in nats. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
  /** The number of real targets. */
  tokens: number;
}

/**
 * The loss and perplexity of the model on a whole held-out set given as batches (of any sizes; targets -100 are
 * padding). Every real target weighs the same: loss = total NLL / total real targets, perplexity = exp(loss).
 * No gradients needed.
 */
export function evaluate(weights: Weights, config: GptConfig, batches: Batch[]): Evaluation {
  return TODO('evaluate');
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  /** AdamW's (β₁, β₂). */
  betas: [number, number];
  /** Gradients are clipped to this global norm. */
  clip: number;
  /** Seed of the generator the batches are drawn from. */
  seed: number;
}

export interface TrainHooks {
  /** Called after every step with that step's batch loss (the live curve and the samples hang on it). */
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

/**
 * train.steps steps of AdamW (lr train.maxLr, weightDecay train.weightDecay, betas train.betas) on every weight of the Map,
 * in place.
 * ONE rng = new Rng(train.seed) for the whole run. Step `step` (0, 1, ...): { x, y } = getBatch(data,
 * train.batchSize, config.blockSize, rng); loss = lmLoss(gptForward(weights, x, config).logits, y); clear the
 * gradients; backward; clip to train.clip; lr = cosineLr(step, { maxLr, minLr, warmup, total: train.steps });
 * optimizer step; then `await hooks.onStep?.(step, loss)`. Returns the batch losses, one per step.
 */
export async function train(weights: Weights, data: ArrayLike<number>, config: GptConfig, train: TrainConfig, hooks: TrainHooks = {}): Promise<number[]> {
  return TODO('train');
}

