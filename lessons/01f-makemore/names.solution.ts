/**
 * The makemore lesson, reference solution: a character-level language model for first names, the way Karpathy's
 * makemore (part 2) builds it after Bengio et al. 2003: the last `blockSize` characters are looked up in an
 * embedding table, their vectors concatenated, and an MLP (your MLP lesson's) turns them into logits for the next
 * character. Trained with your cross-entropy, AdamW, cosine schedule and gradient clipping.
 */
import { Embedding, Module, Rng, type Tensor, noGrad, softmax } from '@llm-lab/kit';
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

export function buildDataset(names: readonly string[], blockSize: number): Dataset {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const name of names) {
    let context: number[] = new Array(blockSize).fill(0); // '...': nothing seen yet
    for (const ch of name + '.') { //                       the final '.' teaches the model to stop
      const id = CHARS.indexOf(ch);
      xs.push(...context);
      ys.push(id);
      context = [...context.slice(1), id]; //                 slide the window by one character
    }
  }
  return { X: Int32Array.from(xs), Y: Int32Array.from(ys) };
}

export interface ModelConfig {
  blockSize: number;
  nEmbd: number;
  hidden: number;
  /** The hidden layer's activation (default 'tanh'). */
  activation?: 'tanh' | 'relu';
}

export class NameModel extends Module {
  emb: Embedding;
  mlp: MLP;

  constructor(readonly config: ModelConfig, rng: Rng) {
    super();
    this.emb = new Embedding(CHARS.length, config.nEmbd, rng); // (27, nEmbd), N(0, 1)
    this.mlp = new MLP([config.blockSize * config.nEmbd, config.hidden, CHARS.length], { activation: config.activation ?? 'tanh', rng });
  }

  /** X: B rows of blockSize ids, flat -> logits (B, 27). */
  forward(X: Int32Array): Tensor {
    const { blockSize, nEmbd } = this.config;
    const B = X.length / blockSize;
    const e = this.emb.forward(X, [B, blockSize]); //         (B, blockSize, nEmbd)
    return this.mlp.forward(e.reshape(B, blockSize * nEmbd)); // the blockSize vectors side by side -> (B, 27)
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

export async function train(
  model: NameModel, data: Dataset, config: TrainConfig, onStep?: (step: number, loss: number) => void | Promise<void>,
): Promise<number[]> {
  const T = model.config.blockSize;
  const N = data.Y.length;
  const params = model.parameters();
  const optimizer = new AdamW(params, { lr: config.maxLr, weightDecay: config.weightDecay });
  const rng = new Rng(config.seed);
  const schedule = { maxLr: config.maxLr, minLr: config.minLr, warmup: config.warmup, total: config.steps };
  const losses: number[] = [];
  for (let step = 0; step < config.steps; step++) {
    // A random minibatch: batchSize rows, each drawn with rng.randint(0, N).
    const xb = new Int32Array(config.batchSize * T);
    const yb = new Int32Array(config.batchSize);
    for (let b = 0; b < config.batchSize; b++) {
      const i = rng.randint(0, N);
      xb.set(data.X.subarray(i * T, (i + 1) * T), b * T);
      yb[b] = data.Y[i];
    }
    const loss = crossEntropyLoss(model.forward(xb), yb);
    optimizer.zeroGrad(); //                 gradients accumulate: clear the last step's
    loss.backward();
    clipGradNorm(params, config.clip); //    after backward, before the step
    optimizer.lr = cosineLr(step, schedule);
    optimizer.step();
    losses.push(loss.item());
    await onStep?.(step, losses[step]);
  }
  return losses;
}

/** What sample needs of a model: its context length and its logits. */
export interface Sampler {
  config: { blockSize: number };
  forward(X: Int32Array): Tensor;
}

export function sample(model: Sampler, rng: Rng, maxLength = 30): string {
  const context: number[] = new Array(model.config.blockSize).fill(0);
  let out = '';
  while (out.length < maxLength) {
    const logits = noGrad(() => model.forward(Int32Array.from(context))); // (1, 27)
    const next = rng.categorical(softmax(logits, -1).data); //            one uniform per character
    if (next === 0) break; //                                             '.': the name is finished
    out += CHARS[next];
    context.shift();
    context.push(next);
  }
  return out;
}
