/**
 * The objectives lesson, reference solution: BERT's masked LM and next-sentence pairs, T5's span corruption.
 */
import type { Rng } from '@llm-lab/kit';

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

export function maskTokens(ids: ArrayLike<number>, rng: Rng, opts: MaskOptions): Masked {
  const prob = opts.prob ?? 0.15;
  const special = new Set(opts.special ?? []);
  const input = Int32Array.from(ids); //                         a copy: the caller's ids stay as they are
  const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);
  for (let i = 0; i < ids.length; i++) {
    if (special.has(ids[i])) continue; //                        never selected, and no draw
    if (rng.random() >= prob) continue; //                       draw 1: selected when u < prob
    labels[i] = ids[i]; //                                       the model must predict the ORIGINAL token
    const v = rng.random(); //                                   draw 2: which corruption
    if (v < 0.8) input[i] = opts.maskId; //                      80 %: [MASK]
    else if (v < 0.9) input[i] = rng.randint(0, opts.vocabSize); // 10 %: a random token (draw 3)
    //                                                           10 %: unchanged
  }
  return { input, labels };
}

export interface NspPair<S> {
  a: S;
  b: S;
  /** 0: b is the sentence after a (IsNext); 1: b is a random sentence of another document (NotNext). */
  label: 0 | 1;
}

export function nspPairs<S>(docs: readonly (readonly S[])[], rng: Rng): NspPair<S>[] {
  if (docs.length < 2) throw new Error(`nspPairs needs at least two documents (a random sentence comes from ANOTHER one), got ${docs.length}`);
  const pairs: NspPair<S>[] = [];
  docs.forEach((doc, d) => {
    for (let i = 0; i + 1 < doc.length; i++) { //                every sentence that has a next one in its document
      if (rng.random() < 0.5) {
        pairs.push({ a: doc[i], b: doc[i + 1], label: 0 });
      } else {
        let j = rng.randint(0, docs.length - 1); //              another document, uniformly: skip d
        if (j >= d) j++;
        pairs.push({ a: doc[i], b: docs[j][rng.randint(0, docs[j].length)], label: 1 });
      }
    }
  });
  return pairs;
}

export interface Corrupted<T> {
  inputs: T[];
  targets: T[];
}

export function spanCorrupt<T>(tokens: readonly T[], noiseMask: readonly boolean[], sentinel: (k: number) => T): Corrupted<T> {
  if (noiseMask.length !== tokens.length) throw new Error(`spanCorrupt: the mask has ${noiseMask.length} entries for ${tokens.length} tokens`);
  const inputs: T[] = [];
  const targets: T[] = [];
  let k = 0; //                                                  the next sentinel's number
  for (let i = 0; i < tokens.length; i++) {
    if (!noiseMask[i]) {
      inputs.push(tokens[i]);
      continue;
    }
    if (i === 0 || !noiseMask[i - 1]) { //                       a span starts: one sentinel for the whole span
      inputs.push(sentinel(k));
      targets.push(sentinel(k));
      k++;
    }
    targets.push(tokens[i]);
  }
  targets.push(sentinel(k)); //                                  the final sentinel ends the targets
  return { inputs, targets };
}

export interface SpanOptions {
  /** The fraction of the tokens that are noise (default 0.15). */
  density?: number;
  /** The mean length of a noise span (default 3). */
  meanSpanLength?: number;
}

/** n items in k non-empty segments: k - 1 boundaries shuffled among the n - 1 gaps (one rng.shuffle). */
function segmentLengths(n: number, k: number, rng: Rng): number[] {
  const boundary = Array.from({ length: n - 1 }, (_, j) => j < k - 1); // a new segment starts after item j
  rng.shuffle(boundary);
  const lengths: number[] = [];
  let count = 1;
  for (const b of boundary) {
    if (b) {
      lengths.push(count);
      count = 1;
    } else {
      count++;
    }
  }
  lengths.push(count);
  return lengths;
}

export function randomSpansMask(length: number, rng: Rng, opts: SpanOptions = {}): boolean[] {
  if (!(Number.isInteger(length) && length >= 2)) throw new Error(`randomSpansMask: length must be an integer >= 2, got ${length}`);
  const density = opts.density ?? 0.15;
  const meanSpanLength = opts.meanSpanLength ?? 3;
  const noise = Math.min(Math.max(Math.round(length * density), 1), length - 1); // at least one noise and one kept token
  const kept = length - noise;
  const spans = Math.max(1, Math.round(Math.min(noise, kept) / meanSpanLength));
  const noiseLengths = segmentLengths(noise, spans, rng); //    first shuffle: the noise spans
  const keptLengths = segmentLengths(kept, spans, rng); //      second shuffle: the kept spans
  const mask: boolean[] = [];
  for (let s = 0; s < spans; s++) { //                          kept, noise, kept, noise, ...: starts kept, ends with noise
    for (let i = 0; i < keptLengths[s]; i++) mask.push(false);
    for (let i = 0; i < noiseLengths[s]; i++) mask.push(true);
  }
  return mask;
}
