/**
 * The retrieval lesson: find the passages of a book that answer a question, the "R" of retrieval-augmented generation.
 *
 * Tasks (each has its own checks):
 *   chunkWords    cut a text into chunks of `size` WORDS, consecutive chunks sharing `overlap` words
 *   fitIdf        the vocabulary and each word's idf = ln(N/df) + 1 (smooth: true gives ln((1+N)/(1+df)) + 1)
 *   tfidfVector   raw-count tf × idf, divided by its L2 norm
 *   cosine        a·b / (|a| |b|), 0 when either is zero
 *   rankScores    the k highest scores, best first, equal scores by lower index first
 *   topK          the k vectors most similar to a query by cosine
 *   bm25Scores    Okapi BM25 with Lucene's idf, k1 = 1.5 and b = 0.75 by default
 *   retrieve      TF-IDF or BM25 over chunks, the same tokenizer (and stop words) for chunks and query
 *   meanPool      one vector per text from the bundled model's hidden states: the mean over the real positions
 *
 * `tokenize` is written for you: use it for the chunks AND the query.
 * Kit pieces for meanPool: narrow(x, dim, start, length), sum(x, dim), div(x, number), cat(tensors, dim). A loop over
 * hidden.data and new Tensor(data, [B, C]) works as well.
 */
import { type Tensor, TODO, cat, div, narrow, sum } from '@llm-lab/kit';

/** Lowercase words: runs of letters and digits (an apostrophe inside a word keeps it whole), minus the stop words. */
export function tokenize(text: string, stopWords?: ReadonlySet<string>): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+(?:\x27[a-z0-9]+)*/g) ?? []; // \x27 is the apostrophe
  return stopWords ? words.filter((w) => !stopWords.has(w)) : words;
}

/**
 * Chunks of `size` WORDS (split on whitespace, joined with one space), consecutive chunks sharing `overlap` words.
 * Chunk i starts at word i·(size − overlap); the last chunk is the first one that reaches the last word.
 * Throws a RangeError unless size ≥ 1 and 0 ≤ overlap < size (checked first, even for an empty text).
 */
export function chunkWords(text: string, size: number, overlap: number): string[] {
  // TODO: check the arguments, split into words, step by size − overlap, stop after the chunk that reaches the end.
  return TODO('chunkWords');
}

export interface TfIdfIndex {
  /** word -> column (any order; order of first appearance is the simplest). */
  vocab: Map<string, number>;
  /** idf of each column. */
  idf: Float64Array;
}

/** idf = ln(N / df) + 1 (scikit-learn's smooth_idf=False), or ln((1 + N) / (1 + df)) + 1 with smooth: true (its default). */
export function fitIdf(docs: readonly (readonly string[])[], opts: { smooth?: boolean } = {}): TfIdfIndex {
  // TODO: df = the number of documents that contain the word (count each word once per document).
  return TODO('fitIdf');
}

/** tf (raw count) × idf per column, divided by its L2 norm (a zero vector stays zero); unknown words are ignored. */
export function tfidfVector(index: TfIdfIndex, tokens: readonly string[]): Float64Array {
  return TODO('tfidfVector');
}

/** a·b / (|a| |b|), 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return TODO('cosine');
}

export interface Hit {
  index: number;
  score: number;
}

/** The k highest scores, best first; equal scores in increasing index; k > scores.length gives them all. */
export function rankScores(scores: ArrayLike<number>, k: number): Hit[] {
  // TODO: a comparator that never returns 0 for two different indices makes the order the same on every engine.
  return TODO('rankScores');
}

/** The k vectors most similar to `query` by cosine. Throws a RangeError when k < 1. */
export function topK(query: ArrayLike<number>, vectors: readonly ArrayLike<number>[], k: number): Hit[] {
  return TODO('topK');
}

/**
 * BM25 of each document: Σ over the query's tokens (a repeated token counts again) of
 * idf · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)), idf = ln((N − df + 0.5) / (df + 0.5) + 1) (Lucene's).
 */
export function bm25Scores(query: readonly string[], docs: readonly (readonly string[])[], opts: { k1?: number; b?: number } = {}): Float64Array {
  // TODO: dl = the document's length in tokens, avgdl = the mean over the documents; skip a word no document has.
  return TODO('bm25Scores');
}

export interface RetrieveOptions {
  method: 'tfidf' | 'bm25';
  /** Removed from the chunks AND from the query. */
  stopWords?: ReadonlySet<string>;
}

/** The k chunks that best answer `query`: TF-IDF with cosine, or BM25; the same tokenizer for chunks and query. */
export function retrieve(query: string, chunks: readonly string[], k: number, opts: RetrieveOptions): Hit[] {
  return TODO('retrieve');
}

/** hidden (B, T, C), row b real for t < lengths[b] (the rest is padding) -> (B, C): the mean over the real positions. */
export function meanPool(hidden: Tensor, lengths: readonly number[]): Tensor {
  // TODO: for each row b, the mean of its first lengths[b] positions only.
  return TODO('meanPool');
}
