/**
 * Decoding: from logits to tokens. A model gives you one logit per token of the vocabulary; these
 * functions turn that into the next token: greedily, or by sampling from a distribution you reshape
 * first (temperature, top-k, top-p).
 *
 * Every filter takes a distribution and returns a NEW Float32Array of the same length: the filtered
 * tokens get probability 0 and the kept ones are rescaled to sum to 1. Do not modify your input.
 * The sampler takes its random number u as an argument, so the same u always gives the same token:
 * pass it `rng.random()` from the kit's seeded `Rng` and a whole generation becomes reproducible.
 */
import { TODO } from '@llm-lab/kit';

/**
 * The index of the largest logit (argmax). On a tie, the lowest index wins.
 *   greedy([0.1, 2.5, -1, 2.4]) -> 1
 */
export function greedy(logits: Float32Array): number {
  return TODO('greedy');
}

/**
 * Probabilities at temperature T:
 *
 *   p_i = exp(l_i / T) / sum_j exp(l_j / T)          (subtract the max of l / T first, as in the tensors lesson)
 *
 * T < 1 sharpens the distribution, T > 1 flattens it, T = 1 is plain softmax.
 * Throw an Error when T <= 0 (T -> 0 is greedy decoding, which is greedy() above).
 */
export function withTemperature(logits: Float32Array, temperature: number): Float32Array {
  return TODO('withTemperature');
}

/**
 * Top-k: keep exactly the k most likely tokens, set every other probability to 0, renormalise.
 * Ties: among equal probabilities the lower index is kept first, and never more than k tokens (Hugging Face
 * and nanoGPT keep every token tied with the k-th; this course does not). k >= the vocabulary size keeps all.
 *   topK([0.1, 0.4, 0.05, 0.3, 0.15], 2) -> [0, 4/7, 0, 3/7, 0]
 */
export function topK(probs: Float32Array, k: number): Float32Array {
  return TODO('topK');
}

/**
 * Top-p (nucleus): sort the tokens by probability, largest first (ties: lower index first), and keep the
 * smallest prefix whose probabilities add up to at least p, INCLUDING the token that crosses p.
 * Zero the rest and renormalise. 0 < p <= 1, and p = 1 keeps every token: decide that before summing, since
 * float32 probabilities can add up to a hair more than 1 before the last, tiny one.
 * (Hugging Face's TopPLogitsWarper keeps the HIGHER index among ties; this course keeps the lower, as in topK.)
 *   topP([0.05, 0.5, 0.15, 0.3], 0.75) -> [0, 0.625, 0, 0.375]      (0.5 < 0.75, then 0.5 + 0.3 = 0.8 >= 0.75)
 */
export function topP(probs: Float32Array, p: number): Float32Array {
  return TODO('topP');
}

/**
 * Draw one token with a uniform number u in [0, 1): the first token whose cumulative probability is
 * greater than u (inverse-CDF sampling). Token i owns the interval [c_{i-1}, c_i) of [0, 1), so it
 * comes up with probability p_i. A token with probability 0 is never returned.
 *   sample([0.25, 0, 0.5, 0.25], 0.6) -> 2          (cumulative 0.25, 0.25, 0.75, 1)
 * If rounding leaves the total a hair below u, return the last token whose probability is not 0.
 */
export function sample(probs: Float32Array, u: number): number {
  return TODO('sample');
}

export interface DecodeSettings {
  /** 0 means greedy. */
  temperature: number;
  topK?: number;
  topP?: number;
}

/**
 * The whole decoding step, in the order Hugging Face's generate() uses:
 *   temperature 0: greedy(logits), u is not used. (Hugging Face refuses temperature 0 and asks for
 *   do_sample=False instead; these settings have no such switch, so here 0 means greedy.)
 *   otherwise: withTemperature, then topK (if set), then topP (if set), then sample(probs, u).
 */
export function pickNext(logits: Float32Array, settings: DecodeSettings, u: number): number {
  return TODO('pickNext');
}
