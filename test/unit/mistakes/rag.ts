/**
 * The rag lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake put into
 * the reference solution (lessons/15c-rag/retrieve.solution.ts) and the one quick check that names it run on it; and
 * other libraries' ways of writing the same thing (scikit-learn's smoothed idf default, Lucene's BM25 without
 * (k1 + 1) and with k1 = 1.2, rank_bm25's idf, NumPy's stable argsort for ties), which must pass or be conventions.
 */
import { RAG_MISTAKES } from '../../../lessons/15c-rag/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'rag/retrieve';

const CHUNK = 'chunkWords: hand-worked boundaries';
const IDF = 'fitIdf and tfidfVector: against float64';
const TOPK = 'cosine and topK: against brute force';
const BM25 = 'bm25Scores: against a float64 scorer';
const RETRIEVE = 'retrieve: TF-IDF and BM25 over chunks';
const POOL = 'meanPool: the mean over real positions only';

const SMOOTH = 'const idf = Float64Array.from(df, (d) => (smooth ? Math.log((1 + N) / (1 + d)) + 1 : Math.log(N / d) + 1));';
const BM25_IDF = 'const idf = Math.log((N - df + 0.5) / (df + 0.5) + 1);';

export const CASES: MistakeCase[] = mistakeCases(RAG_MISTAKES, EX, [
  { key: 'overlap-twice', check: CHUNK, edits: [['const step = size - overlap;', 'const step = size - 2 * overlap;']] },
  { key: 'cosine-unnormalised', check: TOPK, edits: [['return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);', 'return dot;']] },
  { key: 'idf-log-base', check: IDF, edits: [[SMOOTH, 'const idf = Float64Array.from(df, (d) => (smooth ? Math.log10((1 + N) / (1 + d)) + 1 : Math.log10(N / d) + 1));']] },
  { key: 'idf-log-base', check: IDF, name: 'log2, unsmoothed only', edits: [['Math.log(N / d) + 1));', 'Math.log2(N / d) + 1));']] },
  { key: 'idf-smooth-default', check: IDF, edits: [['const smooth = opts.smooth ?? false;', 'const smooth = opts.smooth ?? true;']] },
  { key: 'idf-smooth-ignored', check: IDF, edits: [[SMOOTH, 'const idf = Float64Array.from(df, (d) => Math.log(N / d) + 1);']] },
  { key: 'topk-off-by-one', check: TOPK, edits: [['return hits.slice(0, k);', 'return hits.slice(0, k + 1);']] },
  { key: 'topk-off-by-one', check: TOPK, name: 'k − 1', edits: [['return hits.slice(0, k);', 'return hits.slice(0, Math.max(1, k - 1));']] },
  { key: 'ties-unstable', check: TOPK, edits: [['hits.sort((x, y) => y.score - x.score || x.index - y.index);', 'hits.sort((x, y) => y.score - x.score || y.index - x.index);']] },
  { key: 'stopwords-inconsistent', check: RETRIEVE, edits: [['const docs = chunks.map((c) => tokenize(c, opts.stopWords));', 'const docs = chunks.map((c) => tokenize(c));']] },
  { key: 'bm25-no-k1-plus-1', check: BM25, edits: [['scores[i] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docs[i].length) / avgdl));', 'scores[i] += (idf * tf) / (tf + k1 * (1 - b + (b * docs[i].length) / avgdl));']] },
  { key: 'bm25-k1-default', check: BM25, edits: [['const { k1 = 1.5, b = 0.75 } = opts;', 'const { k1 = 1.2, b = 0.75 } = opts;']] },
  { key: 'bm25-idf-rank-bm25', check: BM25, edits: [[BM25_IDF, 'const idf = Math.log((N - df + 0.5) / (df + 0.5));']] },
  {
    key: 'meanpool-padding', check: POOL,
    edits: [['const real = narrow(narrow(hidden, 0, b, 1), 1, 0, lengths[b]); // (1, L, C)', 'const real = narrow(hidden, 0, b, 1); // (1, T, C)'],
      ['rows.push(div(sum(real, 1), lengths[b]));', 'rows.push(div(sum(real, 1), hidden.shape[1]));']],
  },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'scikit-learn', name: 'TfidfVectorizer default: smooth_idf=True', exercise: EX, check: IDF,
    edits: [['const smooth = opts.smooth ?? false;', 'const smooth = opts.smooth ?? true;']] },
  { library: 'Lucene', name: 'BM25Similarity (Lucene 8+): no (k1 + 1) in the numerator', exercise: EX, check: BM25,
    edits: [['scores[i] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docs[i].length) / avgdl));', 'scores[i] += (idf * tf) / (tf + k1 * (1 - b + (b * docs[i].length) / avgdl));']] },
  { library: 'Lucene', name: 'Lucene / Elasticsearch default k1 = 1.2', exercise: EX, check: BM25,
    edits: [['const { k1 = 1.5, b = 0.75 } = opts;', 'const { k1 = 1.2, b = 0.75 } = opts;']] },
  { library: 'rank_bm25', name: 'BM25Okapi idf: ln((N − df + 0.5)/(df + 0.5)), negatives floored at 0.25 × the mean idf', exercise: EX, check: BM25,
    edits: [[BM25_IDF, `const rsj = (d: number) => Math.log((N - d + 0.5) / (d + 0.5));
    const all = new Map<string, number>();
    for (const m of counts) for (const x of m.keys()) all.set(x, (all.get(x) ?? 0) + 1);
    const floor = (0.25 * [...all.values()].reduce((s, d) => s + rsj(d), 0)) / all.size;
    const idf = rsj(df) < 0 ? floor : rsj(df);`]] },
  { library: 'NumPy', name: 'ties: argsort(-scores, kind="stable")', exercise: EX, check: TOPK,
    edits: [['hits.sort((x, y) => y.score - x.score || x.index - y.index);', 'hits.sort((x, y) => (x.score === y.score ? 0 : y.score > x.score ? 1 : -1)); // a stable sort keeps the lower index first']] },
];
