/**
 * The baseline every language model should beat: a count-based bigram model, which predicts each
 * character from the one before it only (Shannon, "A Mathematical Theory of Communication", 1948,
 * section 3; Karpathy's makemore part 1 builds the same table).
 *
 *   P(b | a) = (count(a b) + k) / (count(a) + k V)
 *
 * The add-k smoothing gives pairs never seen in training a small probability instead of 0 (which
 * would make the loss infinite). k = 1 is Laplace's add-one; a smaller k usually fits better. We
 * choose k on the last 10% of the training split, refit the counts on the whole training split,
 * and only then look at validation, so the baseline is tuned as fairly as the GPT.
 */

export interface BigramResult {
  /** The smoothing constant chosen on held-out training text. */
  k: number;
  /** Mean negative log-likelihood on validation, nats per character, with the chosen k. */
  valLoss: number;
  /** The same with add-one smoothing (k = 1). */
  valLossAddOne: number;
}

/** Candidate smoothing constants: 1, 0.5, 0.2, 0.1, ... down to 1e-3. */
export const K_GRID = [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];

/** counts[a * V + b] = how often character b follows character a. */
export function bigramCounts(ids: ArrayLike<number>, V: number): Float64Array {
  const counts = new Float64Array(V * V);
  for (let i = 1; i < ids.length; i++) counts[ids[i - 1] * V + ids[i]]++;
  return counts;
}

/** Mean -log P(ids[i] | ids[i-1]) over i >= 1, in nats. */
export function bigramLoss(counts: Float64Array, V: number, k: number, ids: ArrayLike<number>): number {
  const rowTotals = new Float64Array(V);
  for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) rowTotals[a] += counts[a * V + b];
  let nll = 0;
  for (let i = 1; i < ids.length; i++) {
    const a = ids[i - 1];
    nll -= Math.log((counts[a * V + ids[i]] + k) / (rowTotals[a] + k * V));
  }
  return nll / (ids.length - 1);
}

export function fitBigram(train: Uint8Array, val: Uint8Array, V: number): BigramResult {
  const cut = Math.floor(train.length * 0.9);
  const tuneCounts = bigramCounts(train.subarray(0, cut), V);
  const tuneOn = train.subarray(cut);
  let k = K_GRID[0];
  let best = Infinity;
  for (const candidate of K_GRID) {
    const loss = bigramLoss(tuneCounts, V, candidate, tuneOn);
    if (loss < best) [best, k] = [loss, candidate];
  }
  const counts = bigramCounts(train, V);
  return { k, valLoss: bigramLoss(counts, V, k, val), valLossAddOne: bigramLoss(counts, V, 1, val) };
}
