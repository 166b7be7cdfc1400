/**
 * The evaluation lesson: how good is a language model, and how close is a generated text to a reference?
 *
 *   1. corpusPerplexity   exp(total NLL / total tokens) over documents of any length
 *   2. BLEU               clipped n-gram precisions summed over the corpus, their geometric mean, a brevity penalty
 *   3. ROUGE-L            precision, recall and F of the longest common subsequence of tokens
 *
 * A sentence is a string (split on whitespace by tokens(), given) or an array of tokens. Every function
 * works in float64 (plain JS numbers) and never changes its inputs.
 */
import { type Tensor, TODO } from '@llm-lab/kit';

/** A sentence: a string (split on whitespace) or a list of tokens, used as is. */
export type Tokens = string | readonly string[];

/** Given: a string split on runs of whitespace (no lowercasing, punctuation stays attached); an array copied as is. */
export function tokens(x: Tokens): string[] {
  if (typeof x !== 'string') return [...x];
  const s = x.trim();
  return s === '' ? [] : s.split(/\s+/);
}

/** Given: how often each n-gram occurs in toks, keyed by its tokens joined with a space. */
export function ngramCounts(toks: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= toks.length; i++) {
    const key = toks.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Perplexity

/** For logits (T, V) and T target ids: out[t] = log softmax(logits[t])[targets[t]], in nats. */
export function tokenLogProbs(logits: Tensor, targets: ArrayLike<number>): number[] {
  // TODO: per row t, m = the largest logit; out[t] = logits[t, target] − m − log Σ_v exp(logits[t, v] − m). (logits.data is row-major.)
  return TODO('tokenLogProbs');
}

/** exp(−Σ_d Σ_t docs[d][t] / Σ_d docs[d].length): every TOKEN weighs the same. A RangeError when there are no tokens. */
export function corpusPerplexity(docs: readonly ArrayLike<number>[]): number {
  // TODO: add up the NLL (−log p) and the number of tokens over every document, then one Math.exp at the end.
  return TODO('corpusPerplexity');
}

// ---------------------------------------------------------------------------------------------------------------
// 2. BLEU (Papineni et al. 2002; NLTK's corpus_bleu differs only for hypotheses shorter than n)

export interface BleuOptions {
  /** Largest n-gram order N, uniform weights 1/N (default 4: BLEU-4). */
  maxN?: number;
  /** 'none' (default): any order with 0 matches makes BLEU 0. 'epsilon': such an order gets precision epsilon / total (Chen & Cherry's method 1). */
  smoothing?: 'none' | 'epsilon';
  /** The epsilon of smoothing (default 0.1, as NLTK). */
  epsilon?: number;
}

/** Clipped matches (each hypothesis n-gram counts at most as often as in ONE reference, the most in any) and the number of n-grams. */
export function modifiedPrecision(hypothesis: Tokens, references: readonly Tokens[], n: number): { matches: number; total: number } {
  // TODO: ngramCounts of the hypothesis and of each reference; matches = Σ min(count, largest reference count); total = Σ count.
  return TODO('modifiedPrecision');
}

/** The reference length closest to hypLen; of two equally close, the shorter. */
export function closestRefLength(references: readonly Tokens[], hypLen: number): number {
  return TODO('closestRefLength');
}

/** Brevity penalty: exp(1 − r/c) when c < r, 1 when c ≥ r, 0 when c = 0. */
export function brevityPenalty(c: number, r: number): number {
  return TODO('brevityPenalty');
}

/** Corpus BLEU: sum matches, totals, c and r over all sentences, THEN divide. A RangeError if the two lists differ in length. */
export function corpusBleu(hypotheses: readonly Tokens[], referencesList: readonly (readonly Tokens[])[], opts: BleuOptions = {}): number {
  // TODO: the sums, then 0 if there is no unigram match; p_n (smoothed if asked); BP(c, r) · exp(Σ log p_n / N).
  return TODO('corpusBleu');
}

/** BLEU of one hypothesis: corpusBleu of a corpus of one sentence. */
export function sentenceBleu(hypothesis: Tokens, references: readonly Tokens[], opts: BleuOptions = {}): number {
  return TODO('sentenceBleu');
}

// ---------------------------------------------------------------------------------------------------------------
// 3. ROUGE-L (Lin 2004)

/** Length of the longest common subsequence of the two token lists (not necessarily contiguous). */
export function lcsLength(a: Tokens, b: Tokens): number {
  // TODO: split both with tokens(); dynamic programming: L[i][j] = L[i−1][j−1] + 1 if x[i−1] = y[j−1], else max(L[i−1][j], L[i][j−1]).
  return TODO('lcsLength');
}

export interface RougeScore {
  precision: number;
  recall: number;
  f: number;
}

/** P = LCS / |candidate|, R = LCS / |reference| (in tokens), F = (1 + β²) P R / (R + β² P), β default 1; all 0 when LCS = 0. */
export function rougeL(candidate: Tokens, reference: Tokens, opts: { beta?: number } = {}): RougeScore {
  // TODO: tokens() of both, lcsLength, then P, R and F as above.
  return TODO('rougeL');
}
