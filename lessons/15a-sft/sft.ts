/**
 * The SFT lesson: supervised fine-tuning of the bundled model on question-answer pairs.
 *
 * The chat template (fixed, in the bundled model's characters; the model is character-level, one token per character):
 *   prompt    "Q: " + question + "\nA: "
 *   response  answer + "\n"                 the newline is the END MARKER: the model must learn to write it
 * A conversation is the prompt followed by the response. Only the response is trained: its tokens have their own
 * ids as labels, every prompt token and every padding position has the label -100 (IGNORE_INDEX).
 *
 * Labels follow Hugging Face's convention: they are ALIGNED with ids (labels[i] is about token i itself), and the
 * loss shifts them once: the logits at position t predict labels[t + 1].
 *
 * The checks test each function on hand-worked and random inputs, then fine-tune the bundled model with them, live.
 *
 * Kit pieces you may want:
 *   logits.shape                        [B, T, V]
 *   reshape(logits, [B * T, V])         one row of logits per position
 *   embedding(table, rows)              the chosen rows of a (N, V) tensor, with gradients: (rows.length, V)
 *   crossEntropy(logits2d, targets)     the mean of -log softmax(row)[target] over the rows
 *   logSoftmax(x, -1), gather, sum, mul, div   if you prefer to write it yourself
 */
import { type Tensor, TODO } from '@llm-lab/kit';

/** The label of a position the loss leaves out. */
export const IGNORE_INDEX = -100;

/** One instruction pair. */
export interface Pair {
  question: string;
  answer: string;
}

/** A tokenised conversation: ids of prompt + response, and a label per id. */
export interface Example {
  ids: number[];
  labels: number[];
}

/** A padded batch: B rows of the same length T. */
export interface Batch {
  ids: number[][];
  labels: number[][];
}

/**
 * The pair in the chat template, tokenised with `encode` (text -> ids, one id per character).
 * ids = encode(prompt) followed by encode(response); labels = -100 for each prompt token, then the response's ids
 * (the answer's characters AND the end marker). Do not modify `pair`.
 */
export function buildExample(pair: Pair, encode: (text: string) => number[]): Example {
  return TODO('buildExample');
}

/**
 * Right padding to the longest example: every ids row padded with padId, every labels row with -100, so that
 * padding is never trained. Rows stay in order; the examples are not modified.
 */
export function collate(examples: Example[], padId: number): Batch {
  return TODO('collate');
}

/**
 * The SFT loss: logits (B, T, V) from the model on batch.ids, labels B rows of T (aligned with ids).
 * Shift inside: the logits at position t are scored against labels[b][t + 1] (t = 0 .. T - 2). Positions whose label
 * is -100 count neither in the sum nor in the mean: the result is the mean of -log softmax over the response tokens
 * of the whole batch (every response token weighs the same). At least one label is not -100.
 * Returns a scalar tensor that backward() can start from.
 */
export function sftLoss(logits: Tensor, labels: number[][]): Tensor {
  return TODO('sftLoss');
}
