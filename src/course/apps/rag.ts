/**
 * The retrieval lesson's course code (lessons/15c-rag, exercise rag/retrieve): float64 references for everything the
 * learner writes (word chunks with overlap, TF-IDF, cosine top-k, BM25, retrieval, mean pooling), each with the
 * known wrong variants the checks name, and the retrieval evaluation on Moby-Dick's chapters: the questions (built
 * here from the chapter text), the bundled model's hidden states for every text, and recall@k.
 *
 * The chapter openings themselves are a data file of the lesson (lessons/15c-rag/chapters.json); the checks pass
 * them in (course code never imports a lesson file).
 */
import { shippedModel } from '@llm-lab/model';

/** A word is a run of letters, digits or apostrophes inside a word, lowercased (the lesson's tokenizer). */
export function ragTokenize(text: string, stopWords?: ReadonlySet<string>): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+(?:'[a-z0-9]+)*/g) ?? [];
  return stopWords ? words.filter((w) => !stopWords.has(w)) : words;
}

/** The stop words of the retrieval evaluation (a short list: function words of English). */
export const RAG_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'from', 'had', 'has', 'have', 'he', 'her', 'his', 'i', 'in',
  'is', 'it', 'its', 'me', 'my', 'not', 'of', 'on', 'or', 's', 'so', 'that', 'the', 'their', 'them', 'there', 'they', 'this',
  'to', 'was', 'we', 'were', 'which', 'with', 'you', 'all', 'upon', 'him', 'one', 'what', 'some', 'would', 'into', 'no', 'now',
]);

export type RagChunkVariant = 'correct' | 'overlap-twice' | 'no-last' | 'extra-last';

/**
 * Word chunks: words = text split on whitespace; chunk i covers words [i·(size − overlap), i·(size − overlap) + size),
 * cut at the end; the last chunk is the first that reaches the last word. Words joined by one space.
 */
export function ragChunkWords(text: string, size: number, overlap: number, variant: RagChunkVariant = 'correct'): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const step = variant === 'overlap-twice' ? size - 2 * overlap : size - overlap;
  const out: string[] = [];
  if (step < 1) return out;
  for (let s = 0; s < words.length; s += step) {
    const last = s + size >= words.length;
    if (last && variant === 'no-last' && s > 0) break;
    out.push(words.slice(s, s + size).join(' '));
    if (last && variant !== 'extra-last') break;
  }
  return out;
}

export type RagIdfVariant = 'plain' | 'smooth' | 'log10' | 'log10-smooth' | 'no-plus-one';

/** idf of a word in df of N documents: 'plain' ln(N/df) + 1 (the lesson's default), 'smooth' ln((1+N)/(1+df)) + 1. */
export function ragIdf(df: number, N: number, variant: RagIdfVariant = 'plain'): number {
  switch (variant) {
    case 'plain': return Math.log(N / df) + 1;
    case 'smooth': return Math.log((1 + N) / (1 + df)) + 1;
    case 'log10': return Math.log10(N / df) + 1;
    case 'log10-smooth': return Math.log10((1 + N) / (1 + df)) + 1;
    case 'no-plus-one': return Math.log(N / df);
  }
}

export interface RagIdfTable { vocab: Map<string, number>; idf: Float64Array }

/** The vocabulary (words in order of first appearance) and each word's idf over the tokenised documents. */
export function ragFitIdf(docs: readonly (readonly string[])[], variant: RagIdfVariant = 'plain'): RagIdfTable {
  const vocab = new Map<string, number>();
  const df: number[] = [];
  for (const doc of docs) {
    for (const w of new Set(doc)) {
      if (!vocab.has(w)) { vocab.set(w, vocab.size); df.push(0); }
      df[vocab.get(w)!]++;
    }
  }
  return { vocab, idf: Float64Array.from(df, (d) => ragIdf(d, docs.length, variant)) };
}

/** Raw-count tf times idf, L2-normalised (a zero vector stays zero); words outside the vocabulary are ignored. */
export function ragTfidf(table: RagIdfTable, tokens: readonly string[], normalise = true): Float64Array {
  const v = new Float64Array(table.vocab.size);
  for (const w of tokens) { const j = table.vocab.get(w); if (j !== undefined) v[j] += 1; }
  let n = 0;
  for (let j = 0; j < v.length; j++) { v[j] *= table.idf[j]; n += v[j] * v[j]; }
  if (normalise && n > 0) { n = Math.sqrt(n); for (let j = 0; j < v.length; j++) v[j] /= n; }
  return v;
}

/** Cosine similarity in float64; 0 when either vector is zero. */
export function ragCosine(a: ArrayLike<number>, b: ArrayLike<number>, normalise = true): number {
  let d = 0; let na = 0; let nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  if (!normalise) return d;
  return na === 0 || nb === 0 ? 0 : d / Math.sqrt(na * nb);
}

export interface RagHit { index: number; score: number }

/** The k best scores, highest first; equal scores in increasing index; k larger than the count gives them all. */
export function ragRank(scores: ArrayLike<number>, k: number): RagHit[] {
  const hits = Array.from(scores, (score, index) => ({ index, score }));
  hits.sort((x, y) => y.score - x.score || x.index - y.index);
  return hits.slice(0, Math.max(0, k));
}

export type RagBm25Variant = 'correct' | 'no-k1-plus-1' | 'idf-no-plus-one' | 'rank-bm25-idf' | 'b-ignored' | 'unique-query';

/**
 * BM25 of every document for the query: Σ over query tokens (repeats count) of
 * idf · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)), idf = ln((N − df + 0.5)/(df + 0.5) + 1) as Lucene.
 */
export function ragBm25(query: readonly string[], docs: readonly (readonly string[])[], k1 = 1.5, b = 0.75, variant: RagBm25Variant = 'correct'): Float64Array {
  const N = docs.length;
  const avgdl = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, N);
  const tfs = docs.map((d) => { const m = new Map<string, number>(); for (const w of d) m.set(w, (m.get(w) ?? 0) + 1); return m; });
  const out = new Float64Array(N);
  const q = variant === 'unique-query' ? [...new Set(query)] : query;
  // rank_bm25's BM25Okapi: idf without the + 1, negative values replaced by 0.25 × the mean idf of the corpus's words
  const dfs = new Map<string, number>();
  for (const m of tfs) for (const w of m.keys()) dfs.set(w, (dfs.get(w) ?? 0) + 1);
  const rsj = (df: number) => Math.log((N - df + 0.5) / (df + 0.5));
  const floor = 0.25 * [...dfs.values()].reduce((s, df) => s + rsj(df), 0) / Math.max(1, dfs.size);
  for (const w of q) {
    const df = tfs.reduce((s, m) => s + (m.has(w) ? 1 : 0), 0);
    if (df === 0) continue;
    const idf = variant === 'idf-no-plus-one' ? rsj(df) : variant === 'rank-bm25-idf' ? (rsj(df) < 0 ? floor : rsj(df)) : Math.log((N - df + 0.5) / (df + 0.5) + 1);
    const bb = variant === 'b-ignored' ? 0.75 : b;
    for (let i = 0; i < N; i++) {
      const tf = tfs[i].get(w) ?? 0;
      if (tf === 0) continue;
      const num = variant === 'no-k1-plus-1' ? tf : tf * (k1 + 1);
      out[i] += idf * num / (tf + k1 * (1 - bb + bb * docs[i].length / avgdl));
    }
  }
  return out;
}

export type RagRetrieveVariant = 'correct' | 'query-keeps-stop-words' | 'docs-keep-stop-words';

/** The whole retrieval of the lesson's `retrieve` in float64. */
export function ragRetrieve(query: string, chunks: readonly string[], k: number, method: 'tfidf' | 'bm25', stopWords: ReadonlySet<string> | undefined,
  variant: RagRetrieveVariant = 'correct'): RagHit[] {
  const docs = chunks.map((c) => ragTokenize(c, variant === 'docs-keep-stop-words' ? undefined : stopWords));
  const q = ragTokenize(query, variant === 'query-keeps-stop-words' ? undefined : stopWords);
  if (method === 'bm25') return ragRank(ragBm25(q, docs), k);
  const table = ragFitIdf(docs);
  const qv = ragTfidf(table, q);
  return ragRank(docs.map((d) => ragCosine(qv, ragTfidf(table, d))), k);
}

/** ragRetrieve for many queries over the same chunks (the chunks tokenised and indexed once): the evaluation's reference. */
export function ragRetrieveAll(queries: readonly string[], chunks: readonly string[], k: number, method: 'tfidf' | 'bm25', stopWords: ReadonlySet<string> | undefined): RagHit[][] {
  const docs = chunks.map((c) => ragTokenize(c, stopWords));
  if (method === 'bm25') return queries.map((q) => ragRank(ragBm25(ragTokenize(q, stopWords), docs), k));
  const table = ragFitIdf(docs);
  const vectors = docs.map((d) => ragTfidf(table, d));
  return queries.map((q) => { const qv = ragTfidf(table, ragTokenize(q, stopWords)); return ragRank(vectors.map((v) => ragCosine(qv, v)), k); });
}

/** Mean of hidden (B, T, C) over positions t < lengths[b] in float64 ('padded': over all T). */
export function ragMeanPool(hidden: ArrayLike<number>, [B, T, C]: readonly number[], lengths: readonly number[], padded = false): Float64Array {
  const out = new Float64Array(B * C);
  for (let b = 0; b < B; b++) {
    const L = padded ? T : lengths[b];
    for (let t = 0; t < L; t++) for (let c = 0; c < C; c++) out[b * C + c] += hidden[(b * T + t) * C + c];
    for (let c = 0; c < C; c++) out[b * C + c] /= L;
  }
  return out;
}

// --- the retrieval evaluation ----------------------------------------------------------------------------------

export interface RagChapter { chapter: number; title: string; text: string }
export interface RagQuestion { text: string; chapter: number }
export interface RagChunk { text: string; chapter: number }

/** The words of a question: a partial quote from the middle of a sentence. */
export const RAG_QUESTION_WORDS = 5;

/** The evaluation's chunking: 40 words, 10 of overlap. */
export const RAG_CHUNK = { size: 40, overlap: 10 } as const;

/**
 * Two questions per chapter: from the chapter's sentences of at least 14 words, the second and the second to last
 * (or the only ones there are); the question is the 5 words in the middle of the sentence, lowercased, punctuation
 * removed: a partial quote, which never starts or ends where the sentence does.
 */
export function ragQuestions(chapters: readonly RagChapter[]): RagQuestion[] {
  const out: RagQuestion[] = [];
  for (const ch of chapters) {
    const sentences = ch.text.split(/(?<=[.!?]["”’)]?)\s+/).map((s) => ragTokenize(s)).filter((w) => w.length >= 14);
    const picks = sentences.length >= 3 ? [sentences[1], sentences[sentences.length - 2]] : sentences.slice(0, 2);
    for (const w of picks) { const s = Math.floor((w.length - RAG_QUESTION_WORDS) / 2); out.push({ text: w.slice(s, s + RAG_QUESTION_WORDS).join(' '), chapter: ch.chapter }); }
  }
  return out;
}

/** The chapters' chunks, each with its chapter. */
export function ragChunks(chapters: readonly RagChapter[], chunk: (text: string) => string[]): RagChunk[] {
  return chapters.flatMap((ch) => chunk(ch.text).map((text) => ({ text, chapter: ch.chapter })));
}

/** Chapters ranked by their best chunk (a ranking of chunks, best first, mapped to distinct chapters). */
export function ragChapterRanking(ranked: readonly number[], chunks: readonly RagChunk[]): number[] {
  const seen: number[] = [];
  for (const i of ranked) { const c = chunks[i].chapter; if (!seen.includes(c)) seen.push(c); }
  return seen;
}

/** recall@k: the share of questions whose chapter is among the first k chapters of its ranking. */
export function ragRecallAt(rankings: readonly (readonly number[])[], questions: readonly RagQuestion[], k: number): number {
  let hit = 0;
  questions.forEach((q, i) => { if (rankings[i].slice(0, k).includes(q.chapter)) hit++; });
  return hit / questions.length;
}

/** The layer whose output is pooled: the last block's output (before the final LayerNorm, which the graph does not expose). */
export const RAG_LAYER = 'block_out_3';

export interface RagHidden { hidden: Float32Array; shape: [number, number, number]; lengths: number[]; owner: number[] }

/**
 * The bundled model's hidden states (the last block's output) for every text: each text cut into windows of at most
 * blockSize characters, right-padded with the id of ' ' (the model is causal, so padding
 * changes no real position). `owner[w]` is the text window w belongs to.
 */
export async function ragHiddenStates(texts: readonly string[]): Promise<RagHidden> {
  const model = await shippedModel();
  const T = model.config.blockSize;
  const C = model.config.nEmbd;
  const pad = model.tokenizer.encode(' ')[0];
  const windows: number[][] = [];
  const owner: number[] = [];
  texts.forEach((text, i) => {
    const ids = Array.from(model.tokenizer.encode(text));
    for (let s = 0; s < Math.max(1, ids.length); s += T) { windows.push(ids.slice(s, s + T)); owner.push(i); }
  });
  const B = windows.length;
  const layer = `block_out_${model.config.nLayer - 1}`;
  // In batches of BATCH windows: one batch of all ~300 windows makes onnxruntime hold every layer's activations for
  // all of them at once (over 1 GB resident, the runner's default memory limit); 32 at a time stay near 150 MB.
  const BATCH = 32;
  const hidden = new Float32Array(B * T * C);
  for (let b0 = 0; b0 < B; b0 += BATCH) {
    const n = Math.min(BATCH, B - b0);
    const input = new Array<number>(n * T).fill(pad);
    for (let b = 0; b < n; b++) windows[b0 + b].forEach((id, t) => { input[b * T + t] = id; });
    const out = await model.run(input, n, T, [layer]);
    hidden.set(out[layer].data as Float32Array, b0 * T * C);
  }
  return { hidden, shape: [B, T, C], lengths: windows.map((w) => Math.max(1, w.length)), owner };
}

/** One vector per text from pooled windows: the windows' pooled vectors weighted by their lengths (= the mean over every character). */
export function ragTextVectors(pooled: ArrayLike<number>, C: number, h: RagHidden, count: number): Float64Array[] {
  const out = Array.from({ length: count }, () => new Float64Array(C));
  const len = new Float64Array(count);
  h.owner.forEach((i, w) => {
    for (let c = 0; c < C; c++) out[i][c] += pooled[w * C + c] * h.lengths[w];
    len[i] += h.lengths[w];
  });
  out.forEach((v, i) => { for (let c = 0; c < C; c++) v[c] /= len[i]; });
  return out;
}
