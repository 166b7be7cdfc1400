/**
 * Decoding: beam search. Instead of committing to one token per step, keep the `width` most likely
 * partial sequences ("beams") and extend them all.
 *
 * The model is a function: give it the tokens so far, get the next token's probabilities (one number per
 * vocabulary entry, summing to 1). The checks pass in a tiny hand-made table first, then the bundled model.
 */
import { TODO } from '@llm-lab/kit';

export interface Beam {
  /** The whole sequence: the prompt, then the generated tokens. */
  tokens: number[];
  /** Sum of log P(token | everything before it) over the generated tokens (0 for the prompt alone). */
  logProb: number;
}

/** The model: next-token probabilities (one per vocabulary entry) given the sequence so far. */
export type NextTokenProbs = (tokens: readonly number[]) => ArrayLike<number>;

/**
 * Beam search for `steps` tokens after `prompt`:
 *
 *   beams = [{ tokens: copy of prompt, logProb: 0 }]
 *   repeat `steps` times:
 *     for every beam b and every token t with p = next(b.tokens)[t] > 0:
 *       candidate = { tokens: b.tokens followed by t, logProb: b.logProb + log(p) }
 *     beams = the `width` best candidates of ALL beams together, best first
 *   return beams                                         (at most `width` of them, best first)
 *
 * Score with summed log-probabilities, never with a product of probabilities (it underflows to 0).
 * Each candidate needs its own tokens array. Do not modify `prompt`. Throw an Error if width < 1.
 * On equal scores, keep the candidate found first (Array.prototype.sort is stable).
 */
export function beamSearch(next: NextTokenProbs, prompt: readonly number[], steps: number, width: number): Beam[] {
  return TODO('beamSearch');
}
