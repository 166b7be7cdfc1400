/**
 * The evaluation lesson, reference solution: corpus perplexity, BLEU (NLTK's and Papineni et al.'s definition:
 * clipped n-gram counts summed over the corpus, brevity penalty from the closest reference length) and ROUGE-L
 * (Lin 2004, LCS over tokens).
 */
import { type Tensor } from '@llm-lab/kit';

/** A sentence: a string (split on whitespace) or a list of tokens, used as is. */
export type Tokens = string | readonly string[];

/** The lesson's tokenisation: a string is split on runs of whitespace (no lowercasing, no punctuation rules). */
export function tokens(x: Tokens): string[] {
  if (typeof x !== 'string') return [...x];
  const s = x.trim();
  return s === '' ? [] : s.split(/\s+/);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Perplexity

/** log softmax(logits[t])[targets[t]] for every row t of logits (T, V), in nats, stable for large logits. */
export function tokenLogProbs(logits: Tensor, targets: ArrayLike<number>): number[] {
  const [T, V] = logits.shape;
  const x = logits.data;
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, x[t * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(x[t * V + v] - m);
    out.push(x[t * V + targets[t]] - m - Math.log(s));
  }
  return out;
}

/** exp(total NLL / total tokens) over documents of any length; a RangeError if there are no tokens at all. */
export function corpusPerplexity(docs: readonly ArrayLike<number>[]): number {
  let nll = 0;
  let n = 0;
  for (const d of docs) {
    for (let i = 0; i < d.length; i++) nll -= d[i];
    n += d.length;
  }
  if (n === 0) throw new RangeError('corpusPerplexity: the corpus has no tokens');
  return Math.exp(nll / n);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. BLEU

export interface BleuOptions {
  /** Largest n-gram order N, weights 1/N each (default 4: BLEU-4). */
  maxN?: number;
  /** 'none' (default) or 'epsilon': an order with 0 matches gets precision epsilon / total (Chen & Cherry's method 1). */
  smoothing?: 'none' | 'epsilon';
  /** The epsilon of smoothing 'epsilon' (default 0.1, as NLTK). */
  epsilon?: number;
}

export function ngramCounts(toks: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= toks.length; i++) {
    const key = toks.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Clipped n-gram matches of one hypothesis, and its number of n-grams. */
export function modifiedPrecision(hypothesis: Tokens, references: readonly Tokens[], n: number): { matches: number; total: number } {
  const hyp = ngramCounts(tokens(hypothesis), n);
  const refs = references.map((r) => ngramCounts(tokens(r), n));
  let matches = 0;
  let total = 0;
  for (const [gram, count] of hyp) {
    let maxRef = 0;
    for (const r of refs) maxRef = Math.max(maxRef, r.get(gram) ?? 0);
    matches += Math.min(count, maxRef); // clipped: at most as often as in one reference
    total += count;
  }
  return { matches, total };
}

/** The reference length closest to hypLen; of two equally close, the shorter. */
export function closestRefLength(references: readonly Tokens[], hypLen: number): number {
  let best = Infinity;
  for (const r of references) {
    const len = tokens(r).length;
    const d = Math.abs(len - hypLen);
    const b = Math.abs(best - hypLen);
    if (d < b || (d === b && len < best)) best = len;
  }
  return best;
}

/** exp(1 − r/c) when the candidate is shorter than the reference (c < r), else 1; 0 for c = 0. */
export function brevityPenalty(c: number, r: number): number {
  if (c === 0) return 0;
  return c >= r ? 1 : Math.exp(1 - r / c);
}

export function corpusBleu(hypotheses: readonly Tokens[], referencesList: readonly (readonly Tokens[])[], opts: BleuOptions = {}): number {
  const { maxN = 4, smoothing = 'none', epsilon = 0.1 } = opts;
  if (hypotheses.length !== referencesList.length) throw new RangeError('corpusBleu: one list of references per hypothesis');
  const matches = new Array<number>(maxN).fill(0);
  const totals = new Array<number>(maxN).fill(0);
  let c = 0;
  let r = 0;
  hypotheses.forEach((h, i) => {
    for (let n = 1; n <= maxN; n++) {
      const p = modifiedPrecision(h, referencesList[i], n);
      matches[n - 1] += p.matches; // summed over the corpus before dividing
      totals[n - 1] += p.total;
    }
    const len = tokens(h).length;
    c += len;
    r += closestRefLength(referencesList[i], len);
  });
  if (matches[0] === 0) return 0;
  let logSum = 0;
  for (let n = 0; n < maxN; n++) {
    let p = totals[n] > 0 ? matches[n] / totals[n] : 0;
    if (matches[n] === 0 && smoothing === 'epsilon') p = epsilon / Math.max(totals[n], 1);
    if (p === 0) return 0;
    logSum += Math.log(p) / maxN; // geometric mean, uniform weights
  }
  return brevityPenalty(c, r) * Math.exp(logSum);
}

export function sentenceBleu(hypothesis: Tokens, references: readonly Tokens[], opts: BleuOptions = {}): number {
  return corpusBleu([hypothesis], [references], opts);
}

// ---------------------------------------------------------------------------------------------------------------
// 3. ROUGE-L

/** Length of the longest common subsequence of two token lists (dynamic programming, two rows). */
export function lcsLength(a: Tokens, b: Tokens): number {
  const x = tokens(a);
  const y = tokens(b);
  let prev = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const row = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) row[j] = x[i - 1] === y[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    prev = row;
  }
  return prev[y.length];
}

export interface RougeScore {
  precision: number;
  recall: number;
  f: number;
}

/** ROUGE-L: P = LCS / |candidate|, R = LCS / |reference|, F = (1 + β²) P R / (R + β² P); all 0 when LCS = 0. */
export function rougeL(candidate: Tokens, reference: Tokens, opts: { beta?: number } = {}): RougeScore {
  const beta = opts.beta ?? 1;
  const c = tokens(candidate);
  const r = tokens(reference);
  const lcs = lcsLength(c, r);
  if (lcs === 0) return { precision: 0, recall: 0, f: 0 };
  const precision = lcs / c.length;
  const recall = lcs / r.length;
  const f = ((1 + beta * beta) * precision * recall) / (recall + beta * beta * precision);
  return { precision, recall, f };
}
