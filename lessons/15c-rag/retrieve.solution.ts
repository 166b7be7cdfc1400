/**
 * The retrieval lesson (reference solution): chunks with overlap, TF-IDF, cosine top-k, BM25, a retriever, and the
 * mean pooling that turns the bundled model's hidden states into one vector per text.
 */
import { type Tensor, cat, div, narrow, sum } from '@llm-lab/kit';

/** Lowercase words: runs of letters and digits (an apostrophe inside a word keeps it whole), minus the stop words. */
export function tokenize(text: string, stopWords?: ReadonlySet<string>): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+(?:\x27[a-z0-9]+)*/g) ?? []; // \x27 is the apostrophe
  return stopWords ? words.filter((w) => !stopWords.has(w)) : words;
}

/**
 * Chunks of `size` WORDS (split on whitespace, joined with one space), consecutive chunks sharing `overlap` words.
 * Chunk i starts at word i·(size − overlap); the last chunk is the first one that reaches the last word.
 * Throws a RangeError unless size ≥ 1 and 0 ≤ overlap < size.
 */
export function chunkWords(text: string, size: number, overlap: number): string[] {
  if (!Number.isInteger(size) || !Number.isInteger(overlap) || size < 1 || overlap < 0 || overlap >= size) {
    throw new RangeError(`chunkWords: need integers size >= 1 and 0 <= overlap < size (got size ${size}, overlap ${overlap})`);
  }
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const step = size - overlap;
  const chunks: string[] = [];
  for (let start = 0; start < words.length; start += step) {
    chunks.push(words.slice(start, start + size).join(' '));
    if (start + size >= words.length) break; // this chunk reached the last word
  }
  return chunks;
}

export interface TfIdfIndex {
  /** word -> column, in order of first appearance over the documents. */
  vocab: Map<string, number>;
  /** idf of each column. */
  idf: Float64Array;
}

/** idf = ln(N / df) + 1 (scikit-learn's smooth_idf=False), or ln((1 + N) / (1 + df)) + 1 with smooth: true (its default). */
export function fitIdf(docs: readonly (readonly string[])[], opts: { smooth?: boolean } = {}): TfIdfIndex {
  const smooth = opts.smooth ?? false;
  const vocab = new Map<string, number>();
  const df: number[] = [];
  for (const doc of docs) {
    for (const w of new Set(doc)) {
      if (!vocab.has(w)) {
        vocab.set(w, vocab.size);
        df.push(0);
      }
      df[vocab.get(w)!] += 1;
    }
  }
  const N = docs.length;
  const idf = Float64Array.from(df, (d) => (smooth ? Math.log((1 + N) / (1 + d)) + 1 : Math.log(N / d) + 1));
  return { vocab, idf };
}

/** tf (raw count) × idf per column, divided by its L2 norm (a zero vector stays zero); unknown words are ignored. */
export function tfidfVector(index: TfIdfIndex, tokens: readonly string[]): Float64Array {
  const v = new Float64Array(index.vocab.size);
  for (const w of tokens) {
    const j = index.vocab.get(w);
    if (j !== undefined) v[j] += 1;
  }
  let norm = 0;
  for (let j = 0; j < v.length; j++) {
    v[j] *= index.idf[j];
    norm += v[j] * v[j];
  }
  if (norm > 0) {
    norm = Math.sqrt(norm);
    for (let j = 0; j < v.length; j++) v[j] /= norm;
  }
  return v;
}

/** a·b / (|a| |b|), 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface Hit {
  index: number;
  score: number;
}

/** The k highest scores, best first; equal scores in increasing index; k > scores.length gives them all. */
export function rankScores(scores: ArrayLike<number>, k: number): Hit[] {
  const hits = Array.from(scores, (score, index) => ({ index, score }));
  hits.sort((x, y) => y.score - x.score || x.index - y.index);
  return hits.slice(0, k);
}

/** The k vectors most similar to `query` by cosine. Throws a RangeError when k < 1. */
export function topK(query: ArrayLike<number>, vectors: readonly ArrayLike<number>[], k: number): Hit[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`topK: k must be an integer >= 1 (got ${k})`);
  return rankScores(vectors.map((v) => cosine(query, v)), k);
}

/**
 * BM25 of each document: Σ over the query's tokens (a repeated token counts again) of
 * idf · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)), idf = ln((N − df + 0.5) / (df + 0.5) + 1) (Lucene's).
 */
export function bm25Scores(query: readonly string[], docs: readonly (readonly string[])[], opts: { k1?: number; b?: number } = {}): Float64Array {
  const { k1 = 1.5, b = 0.75 } = opts;
  const N = docs.length;
  const avgdl = docs.reduce((s, d) => s + d.length, 0) / N;
  const counts = docs.map((d) => {
    const m = new Map<string, number>();
    for (const w of d) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  });
  const scores = new Float64Array(N);
  for (const w of query) {
    const df = counts.filter((m) => m.has(w)).length;
    if (df === 0) continue;
    const idf = Math.log((N - df + 0.5) / (df + 0.5) + 1);
    counts.forEach((m, i) => {
      const tf = m.get(w) ?? 0;
      scores[i] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docs[i].length) / avgdl));
    });
  }
  return scores;
}

export interface RetrieveOptions {
  method: 'tfidf' | 'bm25';
  /** Removed from the chunks AND from the query. */
  stopWords?: ReadonlySet<string>;
}

/** The k chunks that best answer `query`: TF-IDF with cosine, or BM25; the same tokenizer for chunks and query. */
export function retrieve(query: string, chunks: readonly string[], k: number, opts: RetrieveOptions): Hit[] {
  const docs = chunks.map((c) => tokenize(c, opts.stopWords));
  const q = tokenize(query, opts.stopWords);
  if (opts.method === 'bm25') return rankScores(bm25Scores(q, docs), k);
  const index = fitIdf(docs);
  return topK(tfidfVector(index, q), docs.map((d) => tfidfVector(index, d)), k);
}

/** hidden (B, T, C), row b real for t < lengths[b] (the rest is padding) -> (B, C): the mean over the real positions. */
export function meanPool(hidden: Tensor, lengths: readonly number[]): Tensor {
  const [B] = hidden.shape;
  const rows: Tensor[] = [];
  for (let b = 0; b < B; b++) {
    const real = narrow(narrow(hidden, 0, b, 1), 1, 0, lengths[b]); // (1, L, C)
    rows.push(div(sum(real, 1), lengths[b])); //                        (1, C)
  }
  return cat(rows, 0); //                                             (B, C)
}
