/**
 * The decoding lesson, reference solution: beam search. Keep the `width` best partial sequences; at every step
 * extend each of them by every token, score each candidate by its summed log-probability, and keep the
 * `width` best candidates overall.
 *
 * Beam search comes from speech recognition (Lowerre's Harpy system, 1976) and became the standard
 * decoder for neural translation (Sutskever, Vinyals & Le, "Sequence to Sequence Learning", 2014).
 * Scores are sums of logs, not products of probabilities: a product of a few hundred probabilities
 * underflows to 0 in float64, and then every beam looks the same.
 */

export interface Beam {
  /** The whole sequence: the prompt, then the generated tokens. */
  tokens: number[];
  /** Sum of log P(token | everything before it) over the generated tokens (0 for the prompt alone). */
  logProb: number;
}

/** The model: next-token probabilities (one per vocabulary entry) given the sequence so far. */
export type NextTokenProbs = (tokens: readonly number[]) => ArrayLike<number>;

export function beamSearch(next: NextTokenProbs, prompt: readonly number[], steps: number, width: number): Beam[] {
  if (!Number.isInteger(width) || width < 1) throw new Error(`beamSearch: width must be a whole number >= 1, got ${width}`);
  let beams: Beam[] = [{ tokens: [...prompt], logProb: 0 }];
  for (let s = 0; s < steps; s++) {
    const candidates: Beam[] = [];
    for (const beam of beams) {
      const probs = next(beam.tokens); // (V,)
      for (let t = 0; t < probs.length; t++) {
        if (!(probs[t] > 0)) continue; // log 0 = -Infinity: a dead end, never worth keeping
        // A new array for every candidate: beams that share a prefix must not share an array.
        candidates.push({ tokens: [...beam.tokens, t], logProb: beam.logProb + Math.log(probs[t]) });
      }
    }
    // All width x V candidates compete together; a stable sort keeps earlier beams and lower tokens first on ties.
    candidates.sort((a, b) => b.logProb - a.logProb);
    beams = candidates.slice(0, width);
  }
  return beams;
}
