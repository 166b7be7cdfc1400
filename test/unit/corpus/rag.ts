/**
 * The rag lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for rag/retrieve written independently
 * of the catalogue. Correct files in other styles than the reference (everything in index loops with a while-loop
 * chunker, Math.hypot norms, a selection top-k and meanPool over .data; df counted with filter/includes and scores
 * sorted through an index array; chunk count computed up front and kit `mean` pooling; BM25 with per-document length
 * factors precomputed and the query's term counts grouped), and one-bug variants: most of them mistakes no catalogue
 * names (the last partial chunk dropped, a TF-IDF vector never normalised, avgdl replaced by N, NaN for a zero vector,
 * df counting occurrences, a topK that ignores k when k exceeds the count...), the others catalogued mistakes written
 * a new way.
 *
 * Every entry runs the quick checks only (the retrieval evaluation runs the bundled model for about two seconds;
 * the lesson suite runs it on the reference). Each bug's `line` is computed from its source (a marker that occurs
 * exactly once).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'rag/retrieve';
const SOLUTION = readFileSync(path.join(LESSONS, '15c-rag', 'retrieve.solution.ts'), 'utf8');

const QUICK = ['chunkWords: hand-worked boundaries', 'fitIdf and tfidfVector: against float64', 'cosine and topK: against brute force',
  'bm25Scores: against a float64 scorer', 'retrieve: TF-IDF and BM25 over chunks', 'meanPool: the mean over real positions only'];

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, checks: QUICK };
}

function bug(name: string, edits: [string, string][], opts: { catalogued?: string; kitOps?: boolean; at?: string } = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name), checks: QUICK,
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

/** Index loops everywhere: a while-loop chunker, Math.hypot norms, top-k by repeated selection, meanPool over .data. */
const LOOPS = `import { Tensor } from '@llm-lab/kit';

export function tokenize(text: string, stopWords?: ReadonlySet<string>): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+(?:'[a-z0-9]+)*/g) ?? [];
  return stopWords ? words.filter((w) => !stopWords.has(w)) : words;
}

export function chunkWords(text: string, size: number, overlap: number): string[] {
  if (!(size >= 1) || !(overlap >= 0) || overlap >= size) throw new RangeError('bad size or overlap');
  const words: string[] = [];
  for (const piece of text.split(/\\s+/)) if (piece !== '') words.push(piece);
  const out: string[] = [];
  let start = 0;
  while (start < words.length) {
    const end = Math.min(start + size, words.length);
    let chunk = words[start];
    for (let i = start + 1; i < end; i++) chunk += ' ' + words[i];
    out.push(chunk);
    if (end === words.length) break;
    start += size - overlap;
  }
  return out;
}

export interface TfIdfIndex {
  vocab: Map<string, number>;
  idf: Float64Array;
}

export function fitIdf(docs: readonly (readonly string[])[], opts: { smooth?: boolean } = {}): TfIdfIndex {
  const vocab = new Map<string, number>();
  const counts: number[] = [];
  for (let d = 0; d < docs.length; d++) {
    const seen = new Set<string>();
    for (let i = 0; i < docs[d].length; i++) {
      const w = docs[d][i];
      if (seen.has(w)) continue;
      seen.add(w);
      let j = vocab.get(w);
      if (j === undefined) {
        j = counts.length;
        vocab.set(w, j);
        counts.push(0);
      }
      counts[j]++;
    }
  }
  const N = docs.length;
  const idf = new Float64Array(counts.length);
  for (let j = 0; j < counts.length; j++) idf[j] = opts.smooth === true ? 1 + Math.log((N + 1) / (counts[j] + 1)) : 1 + Math.log(N) - Math.log(counts[j]);
  return { vocab, idf };
}

export function tfidfVector(index: TfIdfIndex, tokens: readonly string[]): Float64Array {
  const v = new Float64Array(index.idf.length);
  for (let i = 0; i < tokens.length; i++) {
    const j = index.vocab.get(tokens[i]);
    if (j !== undefined) v[j] += index.idf[j];
  }
  const norm = Math.hypot(...v);
  return norm === 0 ? v : v.map((x) => x / norm);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = Math.hypot(...Array.from(a));
  const nb = Math.hypot(...Array.from(b));
  if (na === 0 || nb === 0) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] / na) * (b[i] / nb);
  return dot;
}

export interface Hit {
  index: number;
  score: number;
}

export function rankScores(scores: ArrayLike<number>, k: number): Hit[] {
  const taken = new Array<boolean>(scores.length).fill(false);
  const out: Hit[] = [];
  for (let r = 0; r < Math.min(k, scores.length); r++) {
    let best = -1;
    for (let i = 0; i < scores.length; i++) if (!taken[i] && (best < 0 || scores[i] > scores[best])) best = i;
    taken[best] = true;
    out.push({ index: best, score: scores[best] });
  }
  return out;
}

export function topK(query: ArrayLike<number>, vectors: readonly ArrayLike<number>[], k: number): Hit[] {
  if (k < 1) throw new RangeError('k must be at least 1');
  const scores: number[] = [];
  for (const v of vectors) scores.push(cosine(query, v));
  return rankScores(scores, k);
}

export function bm25Scores(query: readonly string[], docs: readonly (readonly string[])[], opts: { k1?: number; b?: number } = {}): Float64Array {
  const k1 = opts.k1 ?? 1.5;
  const b = opts.b ?? 0.75;
  const N = docs.length;
  let total = 0;
  for (const d of docs) total += d.length;
  const avgdl = total / N;
  const out = new Float64Array(N);
  for (const w of query) {
    let df = 0;
    for (const d of docs) if (d.includes(w)) df++;
    if (df === 0) continue;
    const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
    for (let i = 0; i < N; i++) {
      let tf = 0;
      for (const x of docs[i]) if (x === w) tf++;
      if (tf > 0) out[i] += idf * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + b * (docs[i].length / avgdl))));
    }
  }
  return out;
}

export interface RetrieveOptions {
  method: 'tfidf' | 'bm25';
  stopWords?: ReadonlySet<string>;
}

export function retrieve(query: string, chunks: readonly string[], k: number, opts: RetrieveOptions): Hit[] {
  const prep = (s: string) => tokenize(s, opts.stopWords);
  const docs = chunks.map(prep);
  const q = prep(query);
  if (opts.method === 'bm25') return rankScores(bm25Scores(q, docs), k);
  const index = fitIdf(docs);
  const vectors = docs.map((d) => tfidfVector(index, d));
  return topK(tfidfVector(index, q), vectors, k);
}

export function meanPool(hidden: Tensor, lengths: readonly number[]): Tensor {
  const [B, T, C] = hidden.shape;
  const out = new Float32Array(B * C);
  for (let b = 0; b < B; b++) {
    const acc = new Float64Array(C);
    for (let t = 0; t < lengths[b]; t++) for (let c = 0; c < C; c++) acc[c] += hidden.data[(b * T + t) * C + c];
    for (let c = 0; c < C; c++) out[b * C + c] = acc[c] / lengths[b];
  }
  return new Tensor(out, [B, C]);
}
`;

/** The reference with other pieces: df through filter/includes, scores sorted through an index array, the chunk count up front, kit mean pooling. */
const FUNCTIONAL = withEdits(SOLUTION, [
  ["import { type Tensor, cat, div, narrow, sum } from '@llm-lab/kit';", "import { type Tensor, cat, mean, narrow } from '@llm-lab/kit';"],
  [`  const step = size - overlap;
  const chunks: string[] = [];
  for (let start = 0; start < words.length; start += step) {
    chunks.push(words.slice(start, start + size).join(' '));
    if (start + size >= words.length) break; // this chunk reached the last word
  }
  return chunks;`, `  const step = size - overlap;
  if (words.length === 0) return [];
  const count = words.length <= size ? 1 : Math.ceil((words.length - size) / step) + 1;
  return Array.from({ length: count }, (_, i) => words.slice(i * step, i * step + size).join(' '));`],
  [`  const vocab = new Map<string, number>();
  const df: number[] = [];
  for (const doc of docs) {
    for (const w of new Set(doc)) {
      if (!vocab.has(w)) {
        vocab.set(w, vocab.size);
        df.push(0);
      }
      df[vocab.get(w)!] += 1;
    }
  }`, `  const words = [...new Set(docs.flat())].sort();
  const vocab = new Map(words.map((w, i) => [w, i] as [string, number]));
  const df = words.map((w) => docs.filter((d) => d.includes(w)).length);`],
  [`  const hits = Array.from(scores, (score, index) => ({ index, score }));
  hits.sort((x, y) => y.score - x.score || x.index - y.index);
  return hits.slice(0, k);`, `  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((i, j) => (scores[i] === scores[j] ? i - j : scores[j] - scores[i]));
  return order.slice(0, k).map((index) => ({ index, score: scores[index] }));`],
  [`    rows.push(div(sum(real, 1), lengths[b])); //                        (1, C)`, `    rows.push(mean(real, 1)); //                                       (1, C)`],
], 'functional');

/** BM25 with each document's length factor precomputed and the query's repeated words grouped (weighted by their count). */
const GROUPED = withEdits(SOLUTION, [
  [`  const scores = new Float64Array(N);
  for (const w of query) {
    const df = counts.filter((m) => m.has(w)).length;
    if (df === 0) continue;
    const idf = Math.log((N - df + 0.5) / (df + 0.5) + 1);
    counts.forEach((m, i) => {
      const tf = m.get(w) ?? 0;
      scores[i] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docs[i].length) / avgdl));
    });
  }
  return scores;`, `  const norm = docs.map((d) => k1 * (1 - b + (b * d.length) / avgdl));
  const asked = new Map<string, number>();
  for (const w of query) asked.set(w, (asked.get(w) ?? 0) + 1);
  const scores = new Float64Array(N);
  for (const [w, times] of asked) {
    let df = 0;
    for (const m of counts) if (m.has(w)) df += 1;
    if (df === 0) continue;
    const idf = Math.log((N - df + 0.5 + df + 0.5) / (df + 0.5));
    for (let i = 0; i < N; i++) {
      const tf = counts[i].get(w);
      if (tf) scores[i] += times * idf * ((k1 + 1) * tf) / (tf + norm[i]);
    }
  }
  return scores;`],
  [`  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);`, `  const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x).reduce((s, v, i) => s + v * y[i], 0);
  const n = Math.sqrt(dot(a, a)) * Math.sqrt(dot(b, b));
  return n > 0 ? dot(a, b) / n : 0;`],
], 'grouped');

/** The loops file with a cosine accumulated in float32 and meanPool with kit ops row by row. */
const FLOAT32 = withEdits(LOOPS, [
  [`export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = Math.hypot(...Array.from(a));
  const nb = Math.hypot(...Array.from(b));
  if (na === 0 || nb === 0) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] / na) * (b[i] / nb);
  return dot;
}`, `export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float32Array.from(a);
  const y = Float32Array.from(b);
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i++) {
    dot += x[i] * y[i];
    nx += x[i] ** 2;
    ny += y[i] ** 2;
  }
  if (nx === 0 || ny === 0) return 0;
  return dot / Math.sqrt(nx) / Math.sqrt(ny);
}`],
  ["import { Tensor } from '@llm-lab/kit';", "import { Tensor, cat, div, narrow, sum } from '@llm-lab/kit';"],
  [`  const [B, T, C] = hidden.shape;
  const out = new Float32Array(B * C);
  for (let b = 0; b < B; b++) {
    const acc = new Float64Array(C);
    for (let t = 0; t < lengths[b]; t++) for (let c = 0; c < C; c++) acc[c] += hidden.data[(b * T + t) * C + c];
    for (let c = 0; c < C; c++) out[b * C + c] = acc[c] / lengths[b];
  }
  return new Tensor(out, [B, C]);`, `  const pooled = lengths.map((L, b) => div(sum(narrow(narrow(hidden, 0, b, 1), 1, 0, L), 1), L));
  return cat(pooled, 0);`],
], 'float32');

export const CORPUS: CorpusEntry[] = [
  correct('index loops: while-loop chunker, Math.hypot norms, selection top-k, meanPool over .data', LOOPS),
  correct('df by filter/includes over a sorted vocabulary, an index-array sort, the chunk count computed up front, kit mean pooling', FUNCTIONAL),
  correct('BM25 with length factors precomputed and repeated query words grouped; cosine with a reduce helper', GROUPED),
  correct('float32 cosine, meanPool with kit ops per row', FLOAT32),

  // --- mistakes no catalogue names
  bug('the last partial chunk is dropped (the loop only takes full chunks)', [['  while (start < words.length) {', '  while (start + size <= words.length || start === 0) {']], {}, LOOPS),
  bug('the TF-IDF vector is never normalised', [['  if (norm > 0) {', '  if (norm < 0) {']]),
  bug('BM25 divides the document length by N instead of avgdl', [['scores[i] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docs[i].length) / avgdl));', 'scores[i] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docs[i].length) / N));']]),
  bug('cosine of a zero vector is NaN (no guard)', [['  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);', '  return dot / Math.sqrt(na * nb);']]),
  bug('df counts occurrences, not documents', [['    for (const w of new Set(doc)) {', '    for (const w of doc) {']]),
  bug('topK does not throw for k < 1', [["  if (!Number.isInteger(k) || k < 1) throw new RangeError(`topK: k must be an integer >= 1 (got ${k})`);", '  k = Math.max(k, 0);']]),
  bug('chunkWords accepts overlap = size (no check of overlap)', [['size < 1 || overlap < 0 || overlap >= size)', 'size < 1 || overlap < 0 || overlap > size)']]),

  // --- catalogued mistakes written a new way
  bug('overlap subtracted again when advancing', [['    start += size - overlap;', '    start += size - overlap - overlap;']], { catalogued: 'overlap-twice' }, LOOPS),
  bug('mean over every position: the accumulation runs to T', [['    for (let t = 0; t < lengths[b]; t++) for (let c = 0; c < C; c++) acc[c] += hidden.data[(b * T + t) * C + c];\n    for (let c = 0; c < C; c++) out[b * C + c] = acc[c] / lengths[b];',
    '    for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) acc[c] += hidden.data[(b * T + t) * C + c];\n    for (let c = 0; c < C; c++) out[b * C + c] = acc[c] / T;']], { catalogued: 'meanpool-padding' }, LOOPS),
  bug('selection top-k keeps the LAST of equal scores (>=)', [['if (!taken[i] && (best < 0 || scores[i] > scores[best])) best = i;', 'if (!taken[i] && (best < 0 || scores[i] >= scores[best])) best = i;']], { catalogued: 'ties-unstable' }, LOOPS),
  bug('stop words removed from the query only, through a second tokenizer', [['  const docs = chunks.map(prep);', '  const docs = chunks.map((c) => tokenize(c));']], { catalogued: 'stopwords-inconsistent' }, LOOPS),
  bug('cosine as the dot product of the raw vectors in topK', [['  for (const v of vectors) scores.push(cosine(query, v));', '  for (const v of vectors) scores.push(Array.from(v).reduce((s, x, i) => s + x * query[i], 0));']], { catalogued: 'cosine-unnormalised' }, LOOPS),
  bug('pooled with kit ops over the whole padded row', [['    const real = narrow(narrow(hidden, 0, b, 1), 1, 0, lengths[b]); // (1, L, C)\n    rows.push(div(sum(real, 1), lengths[b])); //                        (1, C)',
    '    const real = narrow(hidden, 0, b, 1); // (1, T, C)\n    rows.push(div(sum(real, 1), real.shape[1])); //                        (1, C)']], { catalogued: 'meanpool-padding', kitOps: true }),
];
