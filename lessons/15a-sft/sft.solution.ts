/**
 * The SFT lesson, reference solution: the chat template, tokenised examples with labels -100 on the prompt,
 * right padding, and the masked, shifted loss.
 */
import { type Tensor, crossEntropy, embedding, reshape } from '@llm-lab/kit';

export const IGNORE_INDEX = -100;

export interface Pair {
  question: string;
  answer: string;
}

export interface Example {
  ids: number[];
  labels: number[];
}

export interface Batch {
  ids: number[][];
  labels: number[][];
}

/** The pair in the chat template: labels -100 on the prompt, the ids themselves on the response (end marker included). */
export function buildExample(pair: Pair, encode: (text: string) => number[]): Example {
  const prompt = encode(`Q: ${pair.question}\nA: `); //  the user's turn and the assistant's role marker
  const response = encode(`${pair.answer}\n`); //       the answer and the end marker
  return {
    ids: [...prompt, ...response],
    labels: [...prompt.map(() => IGNORE_INDEX), ...response], // aligned with ids: the loss shifts
  };
}

/** Right padding to the longest example: ids with padId, labels with -100 (padding is never trained). */
export function collate(examples: Example[], padId: number): Batch {
  const T = Math.max(...examples.map((e) => e.ids.length));
  const ids: number[][] = [];
  const labels: number[][] = [];
  for (const e of examples) {
    const pad = T - e.ids.length;
    ids.push([...e.ids, ...new Array<number>(pad).fill(padId)]);
    labels.push([...e.labels, ...new Array<number>(pad).fill(IGNORE_INDEX)]);
  }
  return { ids, labels };
}

/** Mean of -log softmax(logits[b, t])[labels[b][t + 1]] over the labels that are not -100. */
export function sftLoss(logits: Tensor, labels: number[][]): Tensor {
  const [B, T, V] = logits.shape;
  const rows: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < T; t++) {
      const target = labels[b][t + 1]; // position t predicts token t + 1
      if (target === IGNORE_INDEX) continue;
      rows.push(b * T + t);
      targets.push(target);
    }
  }
  // embedding() picks rows of a table, with gradients: only the positions whose next token is trained.
  const picked = embedding(reshape(logits, [B * T, V]), rows); // (N, V)
  return crossEntropy(picked, targets); //                       the mean over those N tokens
}
