/**
 * The decoding lesson, reference solution: from logits to a token. Greedy, temperature, top-k, top-p (nucleus)
 * and an inverse-CDF sampler, each a few lines of plain loops over a Float32Array.
 *
 * Where the ideas come from: temperature is Boltzmann's (Ackley, Hinton & Sejnowski 1985 brought it to
 * neural nets); top-k sampling is from Fan, Lewis & Dauphin, "Hierarchical Neural Story Generation"
 * (2018); top-p is Holtzman et al., "The Curious Case of Neural Text Degeneration" (2020). The order
 * temperature -> top-k -> top-p -> sample is the one Hugging Face's generate() uses.
 */

/** Index of the largest logit; the lowest index wins a tie. */
export function greedy(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** softmax(logits / temperature), computed stably (subtract the max first). */
export function withTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (!(temperature > 0)) throw new Error(`temperature must be > 0, got ${temperature} (temperature 0 means greedy: use greedy())`);
  let max = -Infinity;
  for (const l of logits) max = Math.max(max, l / temperature);
  const probs = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i] / temperature - max); // scale the LOGITS, then exponentiate
    probs[i] = e;
    sum += e;
  }
  for (let i = 0; i < probs.length; i++) probs[i] /= sum;
  return probs;
}

/** Token indices sorted by probability, largest first; equal probabilities keep index order. */
function byProbability(probs: Float32Array): number[] {
  return Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
}

/** Zeroes every token not in `keep` and rescales the rest so they sum to 1. */
function renormalised(probs: Float32Array, keep: readonly number[]): Float32Array {
  let mass = 0;
  for (const i of keep) mass += probs[i];
  const out = new Float32Array(probs.length); // zeros: every token we do not keep
  for (const i of keep) out[i] = probs[i] / mass;
  return out;
}

/** Keeps exactly the k most likely tokens (ties: lower index first), renormalised. */
export function topK(probs: Float32Array, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topK: k must be a whole number >= 1, got ${k}`);
  return renormalised(probs, byProbability(probs).slice(0, k));
}

/**
 * Nucleus: the smallest set of most likely tokens whose probabilities add up to at least p,
 * including the token that crosses p, renormalised. Ties: the lower index first, as in topK (Hugging
 * Face's TopPLogitsWarper cuts from the least likely end and keeps the higher index). p = 1 keeps every token.
 */
export function topP(probs: Float32Array, p: number): Float32Array {
  if (!(p > 0 && p <= 1)) throw new Error(`topP: p must be in (0, 1], got ${p}`);
  const order = byProbability(probs);
  // p = 1 is the whole mass: keep everything. Summing first would let rounding decide: the float32
  // probabilities [0.6, 0.4, 1e-8] reach a mass of 1.00000003 after two tokens, and the third would go.
  if (p >= 1) return renormalised(probs, order);
  const keep: number[] = [];
  let mass = 0;
  for (const i of order) {
    keep.push(i); // keep it first: the token that crosses p belongs to the nucleus
    mass += probs[i];
    if (mass >= p) break;
  }
  return renormalised(probs, keep);
}

/**
 * Inverse-CDF sampling: the first token whose cumulative probability exceeds u (u uniform in [0, 1)).
 * A token with probability 0 is never chosen.
 */
export function sample(probs: Float32Array, u: number): number {
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] <= 0) continue;
    cumulative += probs[i];
    last = i;
    if (cumulative > u) return i;
  }
  return last; // rounding left the total a hair below u: the last possible token
}

export interface DecodeSettings {
  /** 0 means greedy. */
  temperature: number;
  topK?: number;
  topP?: number;
}

/**
 * The whole pipeline: temperature, then top-k, then top-p, then one draw with u. Temperature 0 means greedy
 * (Hugging Face refuses temperature 0 and switches to greedy with do_sample=False instead; these settings
 * have no such switch).
 */
export function pickNext(logits: Float32Array, settings: DecodeSettings, u: number): number {
  if (settings.temperature === 0) return greedy(logits);
  let probs = withTemperature(logits, settings.temperature);
  if (settings.topK !== undefined) probs = topK(probs, settings.topK);
  if (settings.topP !== undefined) probs = topP(probs, settings.topP);
  return sample(probs, u);
}
