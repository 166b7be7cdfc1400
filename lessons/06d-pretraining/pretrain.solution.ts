/**
 * The pretraining lesson, reference solution: batches of next-character windows, the language-model loss with
 * padding ignored, evaluation done over tokens (not batches), and the training loop (AdamW, warmup + cosine,
 * clipping), all on the GPT of the GPT forward-pass lesson. The loop is nanoGPT's train.py in miniature.
 */
import { Rng, type Tensor, embedding, noGrad } from '@llm-lab/kit';
import { type GptConfig, gptForward } from '../04-gpt-forward/gpt';
import { crossEntropyLoss } from '../01c-mlp/losses';
import { AdamW, clipGradNorm, cosineLr } from '../01d-optimizers/optim';

export { gptForward, crossEntropyLoss, AdamW, clipGradNorm, cosineLr };
export type { GptConfig };

export type Weights = Map<string, Tensor>;

export interface Batch {
  x: number[][];
  y: number[][];
}

export function getBatch(data: ArrayLike<number>, batchSize: number, blockSize: number, rng: Rng): Batch {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let b = 0; b < batchSize; b++) {
    const start = rng.randint(0, data.length - blockSize); // the last start still has a target after its window
    x.push(Array.from({ length: blockSize }, (_, t) => data[start + t]));
    y.push(Array.from({ length: blockSize }, (_, t) => data[start + t + 1])); // the next character of each position
  }
  return { x, y };
}

export function lmLoss(logits: Tensor, targets: number[][], ignoreIndex = -100): Tensor {
  const [B, T, V] = logits.shape;
  const flat = logits.reshape(B * T, V); //                   (B·T, V): one row per position
  const rows: number[] = [];
  const kept: number[] = [];
  targets.flat().forEach((target, i) => {
    if (target !== ignoreIndex) { rows.push(i); kept.push(target); }
  });
  // embedding() picks rows of a table, with gradients: only the positions that have a real target.
  const picked = embedding(flat, rows, [rows.length]); //     (N, V)
  return crossEntropyLoss(picked, kept); //                   the mean over those N targets
}

export interface Evaluation {
  loss: number;
  perplexity: number;
  tokens: number;
}

export function evaluate(weights: Weights, config: GptConfig, batches: Batch[]): Evaluation {
  let nll = 0;
  let tokens = 0;
  noGrad(() => {
    for (const { x, y } of batches) {
      const n = y.flat().filter((v) => v !== -100).length;
      if (n === 0) continue;
      const loss = lmLoss(gptForward(weights, x, config).logits, y);
      nll += loss.item() * n; // back from the batch's mean to its sum
      tokens += n;
    }
  });
  const loss = nll / tokens;
  return { loss, perplexity: Math.exp(loss), tokens };
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  betas: [number, number];
  clip: number;
  seed: number;
}

export interface TrainHooks {
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

export async function train(weights: Weights, data: ArrayLike<number>, config: GptConfig, train: TrainConfig, hooks: TrainHooks = {}): Promise<number[]> {
  const params = [...weights.values()];
  const optimizer = new AdamW(params, { lr: train.maxLr, weightDecay: train.weightDecay, betas: train.betas });
  const rng = new Rng(train.seed); //    one generator for every batch of the run
  const schedule = { maxLr: train.maxLr, minLr: train.minLr, warmup: train.warmup, total: train.steps };
  const losses: number[] = [];
  for (let step = 0; step < train.steps; step++) {
    const { x, y } = getBatch(data, train.batchSize, config.blockSize, rng);
    const loss = lmLoss(gptForward(weights, x, config).logits, y);
    optimizer.zeroGrad(); //                  backward() adds into .grad: clear last step's
    loss.backward();
    clipGradNorm(params, train.clip); //      after backward, before the step
    optimizer.lr = cosineLr(step, schedule);
    optimizer.step();
    losses.push(loss.item());
    await hooks.onStep?.(step, losses[step]);
  }
  return losses;
}
