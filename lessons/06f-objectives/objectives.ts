/**
 * The objectives lesson: how GPT, BERT and T5 turn raw text into training examples.
 *
 *   GPT   predicts every next token, left to right (the pretraining lesson): nothing to write here.
 *   BERT  maskTokens: corrupt 15 % of the tokens and predict the originals there (masked LM);
 *         nspPairs: sentence pairs, half of them consecutive, half random (next-sentence prediction).
 *   T5    spanCorrupt: each span of noise tokens becomes one sentinel; the targets spell the spans out;
 *         randomSpansMask: which tokens are noise, in spans of mean length 3 (T5's sampler).
 *
 * The checks run your functions on a seeded generator and compare EXACT positions with the lesson's reference, so
 * draw from `rng` exactly as each doc comment says: the same draws, in the same order, no more and no fewer.
 *
 * Kit pieces you may want:
 *   rng.random()             a uniform in [0, 1) (one draw)
 *   rng.randint(lo, hi)      an integer in [lo, hi) (one draw)
 *   rng.shuffle(array)       shuffles an array in place (Fisher-Yates; one draw per element but the first)
 *   Int32Array.from(ids)     a copy of the ids you can change
 */
import { type Rng, TODO } from '@llm-lab/kit';

/** The label of a position the loss ignores: PyTorch's cross_entropy skips targets equal to ignore_index (-100). */
export const IGNORE_INDEX = -100;

export interface MaskOptions {
  /** The id of the [MASK] token. */
  maskId: number;
  /** Random replacements are drawn from 0 .. vocabSize - 1. */
  vocabSize: number;
  /** Ids never selected ([CLS], [SEP], [PAD]...). */
  special?: readonly number[];
  /** The chance that a position is selected (default 0.15). */
  prob?: number;
}

export interface Masked {
  /** What the model reads: the ids, with the selected positions corrupted. */
  input: Int32Array;
  /** The original id at every selected position, IGNORE_INDEX everywhere else. */
  labels: Int32Array;
}

/**
 * BERT's masked-LM corruption. For each position i = 0, 1, ... in order:
 *   - a special id: kept, label IGNORE_INDEX, and NO draw;
 *   - else u = rng.random(); not selected when u >= prob: kept, label IGNORE_INDEX;
 *   - selected (u < prob): label = ids[i], then v = rng.random():
 *       v < 0.8 -> input[i] = maskId;  0.8 <= v < 0.9 -> input[i] = rng.randint(0, vocabSize);  else unchanged.
 * Do not modify `ids`.
 */
export function maskTokens(ids: ArrayLike<number>, rng: Rng, opts: MaskOptions): Masked {
  return TODO('maskTokens');
}

export interface NspPair<S> {
  a: S;
  b: S;
  /** 0: b is the sentence after a (IsNext); 1: b is a random sentence of another document (NotNext). */
  label: 0 | 1;
}

/**
 * Next-sentence-prediction pairs. docs[d] is the d-th document's list of sentences (any type S). For each document
 * d in order, for each sentence i that has a next one in its document (i = 0 .. len - 2), in order:
 *   u = rng.random(); u < 0.5 -> { a: docs[d][i], b: docs[d][i + 1], label: 0 };
 *   else another document j, uniformly: j = rng.randint(0, docs.length - 1), and j += 1 if j >= d;
 *        then k = rng.randint(0, docs[j].length) -> { a: docs[d][i], b: docs[j][k], label: 1 }.
 * Throws an Error when there are fewer than two documents.
 */
export function nspPairs<S>(docs: readonly (readonly S[])[], rng: Rng): NspPair<S>[] {
  return TODO('nspPairs');
}

export interface Corrupted<T> {
  inputs: T[];
  targets: T[];
}

/**
 * T5's span corruption. noiseMask[i] is true for the tokens to drop. Every run of consecutive noise tokens (a span)
 * becomes ONE sentinel in the inputs: sentinel(0) for the first span, sentinel(1) for the second, ... The targets
 * are sentinel(0), the tokens of span 0, sentinel(1), the tokens of span 1, ..., and a final sentinel(n) (n = the
 * number of spans). Tokens may be strings (sentinel = (k) => `<extra_id_${k}>`) or ids. Throws an Error when the mask
 * and the tokens differ in length.
 *
 *   "Thank you for inviting me to your party last week ."  (noise: for inviting, last)
 *   inputs:  Thank you <extra_id_0> me to your party <extra_id_1> week .
 *   targets: <extra_id_0> for inviting <extra_id_1> last <extra_id_2>
 */
export function spanCorrupt<T>(tokens: readonly T[], noiseMask: readonly boolean[], sentinel: (k: number) => T): Corrupted<T> {
  return TODO('spanCorrupt');
}

export interface SpanOptions {
  /** The fraction of the tokens that are noise (default 0.15). */
  density?: number;
  /** The mean length of a noise span (default 3). */
  meanSpanLength?: number;
}

/**
 * T5's noise mask (random_spans_noise_mask): `length` booleans, true = noise, in spans of random lengths.
 *   noise = Math.round(length · density), at least 1 and at most length - 1;  kept = length - noise;
 *   spans = max(1, Math.round(min(noise, kept) / meanSpanLength)).
 * Split the noise tokens into `spans` non-empty segments: an array of noise - 1 booleans ("a new segment starts after
 * item j"), the first spans - 1 true, the rest false; rng.shuffle it; read the lengths off it. Then the same for the
 * kept tokens (a second rng.shuffle). The mask is kept span 0, noise span 0, kept span 1, noise span 1, ...: it starts
 * with kept tokens and ends with noise. Throws an Error when length is not an integer >= 2.
 */
export function randomSpansMask(length: number, rng: Rng, opts: SpanOptions = {}): boolean[] {
  return TODO('randomSpansMask');
}
