/**
 * Checks for the retrieval lesson (rag/retrieve): word chunks with overlap, TF-IDF, cosine top-k, BM25, a retriever
 * with stop words, mean pooling of the bundled model's hidden states, and recall@k on Moby-Dick's chapters.
 *
 * Every expected value comes from the float64 references in @llm-lab/course/apps (ragChunkWords, ragFitIdf, ragTfidf,
 * ragCosine, ragRank, ragBm25, ragRetrieve, ragMeanPool), computed from copies of the inputs taken before the
 * learner's code runs. The known wrong answers are computed by the same references with a variant, so a failure
 * says which mistake it looks like only when the learner's result equals that variant's.
 *
 * Which check names which catalogued mistake (lessons/15c-rag/mistakes.ts):
 *   check                                                    names
 *   chunkWords: hand-worked boundaries ...                   overlap-twice
 *   fitIdf and tfidfVector: against float64 ...              idf-log-base, idf-smooth-default (scikit-learn's default:
 *                                                            a convention), idf-smooth-ignored
 *   cosine and topK: against brute force ...                 cosine-unnormalised, topk-off-by-one, ties-unstable
 *   bm25Scores: against a float64 scorer ...                 bm25-no-k1-plus-1, bm25-k1-default (Lucene's: conventions),
 *                                                            bm25-idf-rank-bm25 (rank_bm25's idf: a convention)
 *   retrieve: TF-IDF and BM25 over chunks ...                stopwords-inconsistent
 *   meanPool: the mean over real positions only              meanpool-padding
 *   retrieval evaluation (live) ...                          (none: it compares your pipeline's recall with the
 *                                                            reference's and shows the table)
 * Accepted as well: any column order of the vocabulary, float32 or float64 accumulation, loops or kit ops in meanPool.
 * Not catalogued, said in plain words: a missing or extra last chunk, chunks that are not the words joined by one
 * space, missing throws, an idf without its + 1, an unnormalised TF-IDF vector, NaN for zero vectors, BM25 with b ignored,
 * repeated query words counted once, stop words ignored altogether, a
 * mutated input, shapes.
 */
import { type Text, defineChecks, expectTrue, fail, isTensorLike, join, snapshot, expectUnchanged, t } from '@llm-lab/check';
import {
  RAG_CHUNK, RAG_STOP_WORDS, type RagChapter, type RagHit, ragBm25, type RagBm25Variant, ragChapterRanking, ragChunkWords, ragChunks, ragCosine,
  ragFitIdf, ragHiddenStates, ragIdf, type RagIdfVariant, ragMeanPool, ragQuestions, ragRank, ragRecallAt, ragRetrieve, ragRetrieveAll, ragTextVectors, ragTfidf,
} from '@llm-lab/course/apps';
import { Tensor } from '@llm-lab/kit';
import CHAPTERS from './chapters.json';
import { RAG_MISTAKES as M, type RagMistake } from './mistakes';

type Learner = typeof import('./retrieve');

const failWith = (key: RagMistake, detail?: Text): never => {
  const m = M[key];
  return fail(detail ? join([m.message, detail], ' ') : m.message, { hint: m.hint, convention: m.convention });
};
const show = (x: unknown): string => JSON.stringify(x, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));
const near = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

// --- chunks ----------------------------------------------------------------------------------------------------------

const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');

function expectChunks(m: Learner, text: string, size: number, overlap: number, hand?: string[]): void {
  const what = `chunkWords(${text.length > 40 ? `<${text.split(/\s+/).filter(Boolean).length} words>` : JSON.stringify(text)}, ${size}, ${overlap})`;
  const got = m.chunkWords(text, size, overlap);
  const want = hand ?? ragChunkWords(text, size, overlap);
  if (Array.isArray(got) && got.length === want.length && got.every((c, i) => c === want[i])) return;
  const same = (v: string[]) => Array.isArray(got) && got.length === v.length && got.every((c, i) => c === v[i]);
  const detail = t(`${what} returned ${show(got)}; expected ${show(want)}.`, `${what} 返回了 ${show(got)}；应为 ${show(want)}。`);
  if (2 * overlap < size && same(ragChunkWords(text, size, overlap, 'overlap-twice'))) failWith('overlap-twice', detail);
  if (same(ragChunkWords(text, size, overlap, 'no-last'))) {
    fail(join([t('The last chunk is missing: when the words run out before a full chunk, the remaining words (after the overlap) still make a last, shorter chunk.',
      '缺少最后一块：当剩下的词不足一个完整块时，（重叠之后）剩余的词仍要组成最后一个较短的块。'), detail], ' '),
    { hint: t('Emit the chunk [start, start + size) cut at the end of the text, and stop right after the first chunk that reaches the last word.', '输出块 [start, start + size)（超出文本末尾的部分截掉），并在第一个到达最后一个词的块之后立即停止。') });
  }
  if (same(ragChunkWords(text, size, overlap, 'extra-last'))) {
    fail(join([t('There is one chunk too many at the end: a chunk that lies entirely inside the previous one (the previous chunk already reached the last word).',
      '末尾多了一块：这一块完全落在前一块之内（前一块已经到达了最后一个词）。'), detail], ' '),
    { hint: t('Stop as soon as a chunk reaches the last word: if (start + size >= words.length) break.', '一旦某块到达最后一个词就停止：if (start + size >= words.length) break。') });
  }
  fail(detail, { hint: t('Chunk i is words [i·(size − overlap), i·(size − overlap) + size) joined by one space; the last chunk is the first that reaches the last word.',
    '第 i 块是词 [i·(size − overlap), i·(size − overlap) + size)，用一个空格连接；最后一块是第一个到达最后一个词的块。') });
}

// --- TF-IDF ------------------------------------------------------------------------------------------------------

const VOCAB = ['whale', 'ship', 'sea', 'ahab', 'harpoon', 'boat', 'captain', 'white', 'line', 'deck', 'oil', 'mast'];

function randomDocs(random: () => number, N: number, minLen: number, maxLen: number, vocab = VOCAB, skew = 1): string[][] {
  return Array.from({ length: N }, () => Array.from({ length: minLen + Math.floor(random() * (maxLen - minLen + 1)) },
    () => vocab[Math.floor(random() ** skew * vocab.length)]));
}

/** The learner's idf of every word, by word (any column order), or a failure that says what is wrong with the index. */
function idfByWord(index: unknown, docs: string[][], what: string): Map<string, number> {
  const ix = index as { vocab?: unknown; idf?: unknown };
  if (!ix || !(ix.vocab instanceof Map) || !ix.idf || typeof (ix.idf as ArrayLike<number>).length !== 'number') {
    fail(t(`${what} returned ${show(index)}; expected { vocab: Map<word, column>, idf: Float64Array }.`, `${what} 返回了 ${show(index)}；应返回 { vocab: Map<词, 列>, idf: Float64Array }。`));
  }
  const vocab = ix.vocab as Map<string, number>;
  const idf = ix.idf as ArrayLike<number>;
  const all = [...new Set(docs.flat())];
  const missing = all.filter((w) => !vocab.has(w));
  const extra = [...vocab.keys()].filter((w) => !all.includes(w));
  const cols = [...vocab.values()].sort((a, b) => a - b);
  if (missing.length || extra.length || idf.length !== all.length || cols.some((c, i) => c !== i)) {
    fail(t(`${what}: the vocabulary must hold every word of the documents once, with columns 0 .. ${all.length - 1} (idf of the same length); ${missing.length ? `missing ${show(missing)}` : extra.length ? `extra ${show(extra)}` : `columns ${show(cols)}, idf.length ${idf.length}`}.`,
      `${what}：词表必须恰好包含文档中的每个词一次，列号为 0 .. ${all.length - 1}（idf 长度相同）；${missing.length ? `缺少 ${show(missing)}` : extra.length ? `多出 ${show(extra)}` : `列号 ${show(cols)}，idf.length 为 ${idf.length}`}。`));
  }
  return new Map(all.map((w) => [w, Number(idf[vocab.get(w)!])]));
}

function expectIdf(m: Learner, docs: string[][], smooth: boolean | undefined): ReturnType<Learner['fitIdf']> {
  const copy = docs.map((d) => [...d]);
  const what = smooth === undefined ? 'fitIdf(docs)' : `fitIdf(docs, { smooth: ${smooth} })`;
  const index = smooth === undefined ? m.fitIdf(copy) : m.fitIdf(copy, { smooth });
  if (copy.some((d, i) => d.length !== docs[i].length || d.some((w, j) => w !== docs[i][j]))) fail(t(`${what} changed the documents it was given.`, `${what} 修改了传给它的文档。`));
  const got = idfByWord(index, docs, what);
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const N = docs.length;
  const table = (v: RagIdfVariant | ((d: number) => number)) => new Map([...df].map(([w, d]) => [w, typeof v === 'function' ? v(d) : ragIdf(d, N, v)]));
  const matches = (ref: Map<string, number>) => [...ref].every(([w, v]) => near(got.get(w)!, v, 1e-9));
  const want = table(smooth ? 'smooth' : 'plain');
  if (matches(want)) return index;
  const [w0] = [...want.keys()].filter((w) => !near(got.get(w)!, want.get(w)!, 1e-9));
  const detail = t(`${what}: the idf of '${w0}' (df = ${df.get(w0)}, N = ${N}) is ${got.get(w0)}, expected ${want.get(w0)}.`,
    `${what}：'${w0}'（df = ${df.get(w0)}，N = ${N}）的 idf 是 ${got.get(w0)}，应为 ${want.get(w0)}。`);
  if (!smooth && matches(table('smooth'))) {
    if (smooth === undefined) failWith('idf-smooth-default', detail);
    fail(join([t('With smooth: false the idf must be the unsmoothed ln(N/df) + 1, but the smoothed form came back.', 'smooth: false 时 idf 应为不平滑的 ln(N/df) + 1，返回的却是平滑形式。'), detail], ' '),
      { hint: t('Read opts.smooth: ln(N/df) + 1 when it is false or absent.', '读取 opts.smooth：为 false 或未给出时用 ln(N/df) + 1。') });
  }
  if (smooth && matches(table('plain'))) failWith('idf-smooth-ignored', detail);
  for (const v of [smooth ? 'log10-smooth' : 'log10', (d: number) => Math.log2(smooth ? (1 + N) / (1 + d) : N / d) + 1,
    smooth ? 'log10' : 'log10-smooth'] as const) if (matches(table(v))) failWith('idf-log-base', detail);
  if (matches(table((d) => (smooth ? Math.log((1 + N) / (1 + d)) : Math.log(N / d))))) {
    fail(join([t('The + 1 is missing: idf = ln(N/df) + 1 (scikit-learn\'s), so that a word in every document keeps a weight of 1 instead of 0.', '缺少 + 1：idf = ln(N/df) + 1（与 scikit-learn 相同），这样出现在每篇文档中的词权重为 1，而不是 0。'), detail], ' '));
  }
  return fail(detail, { hint: t('df = the number of documents that contain the word (not its count); idf = Math.log(N / df) + 1, or Math.log((1 + N) / (1 + df)) + 1 with smooth: true.',
    'df = 包含该词的文档数（不是出现次数）；idf = Math.log(N / df) + 1，smooth: true 时为 Math.log((1 + N) / (1 + df)) + 1。') });
}

// --- ranking -------------------------------------------------------------------------------------------------------

/** The learner's hits against the reference ranking (`scores`: every candidate's reference score), naming the off-by-one and the tie order. */
function expectHits(got: unknown, scores: ArrayLike<number>, k: number, what: string, dots?: ArrayLike<number>, tol = 1e-6): void {
  const want = ragRank(scores, k);
  const hits = got as RagHit[];
  if (!Array.isArray(hits) || hits.some((h) => !h || typeof h.index !== 'number' || typeof h.score !== 'number')) {
    fail(t(`${what} returned ${show(got)}; expected an array of { index, score }.`, `${what} 返回了 ${show(got)}；应返回 { index, score } 的数组。`));
  }
  const n = Math.min(k, scores.length);
  const detail = t(`${what} returned ${show(hits)}; expected ${show(want)}.`, `${what} 返回了 ${show(hits)}；应为 ${show(want)}。`);
  if (hits.length !== n) {
    if (Math.abs(hits.length - n) === 1) failWith('topk-off-by-one', detail);
    fail(join([t(`${what} returned ${hits.length} hits; expected ${n} (k = ${k}, ${scores.length} candidates).`, `${what} 返回了 ${hits.length} 个结果；应为 ${n} 个（k = ${k}，共 ${scores.length} 个候选）。`), detail], ' '));
  }
  if (hits.every((h, i) => h.index === want[i].index && near(h.score, want[i].score, tol))) return;
  const byDot = dots && ragRank(dots, k);
  if (byDot && hits.every((h, i) => h.index === byDot[i].index && near(h.score, byDot[i].score, tol))) failWith('cosine-unnormalised', detail);
  // the right scores in the right order, with other members of groups of equal scores: only the tie order is wrong
  const distinct = new Set(hits.map((h) => h.index)).size === hits.length;
  if (distinct && hits.every((h, i) => h.index >= 0 && h.index < scores.length && scores[h.index] === want[i].score && near(h.score, want[i].score, tol))) failWith('ties-unstable', detail);
  fail(detail, { hint: t('Score every candidate, sort by score descending (ties: lower index first), keep the first k.', '给每个候选打分，按得分降序排序（并列时下标小的在前），保留前 k 个。') });
}

// --- meanPool ------------------------------------------------------------------------------------------------------

function expectPool(m: Learner, hidden: Tensor, lengths: number[], atol = 1e-5): Float64Array {
  const before = snapshot(hidden);
  const copy = Float32Array.from(hidden.data);
  const [B, T, C] = hidden.shape;
  const what = `meanPool(hidden (${B}, ${T}, ${C}), ${show(lengths)})`;
  const out = m.meanPool(hidden, [...lengths]);
  expectUnchanged(hidden, before, 'hidden');
  if (!isTensorLike(out) || out.shape.length !== 2 || out.shape[0] !== B || out.shape[1] !== C) {
    fail(t(`${what} returned ${isTensorLike(out) ? `a tensor of shape (${out.shape.join(', ')})` : show(out)}; expected a Tensor of shape (${B}, ${C}).`,
      `${what} 返回了${isTensorLike(out) ? `形状为 (${out.shape.join(', ')}) 的张量` : ` ${show(out)}`}；应返回形状为 (${B}, ${C}) 的 Tensor。`));
  }
  const want = ragMeanPool(copy, [B, T, C], lengths);
  const ok = (ref: Float64Array) => ref.every((v, i) => Math.abs(out.data[i] - v) <= atol + 1e-5 * Math.abs(v));
  if (ok(want)) return want;
  const i = want.findIndex((v, j) => !(Math.abs(out.data[j] - v) <= atol + 1e-5 * Math.abs(v)));
  const detail = t(`${what}[${Math.floor(i / C)}, ${i % C}] is ${out.data[i]}, expected ${want[i]}.`, `${what}[${Math.floor(i / C)}, ${i % C}] 是 ${out.data[i]}，应为 ${want[i]}。`);
  if (lengths.some((L) => L < T) && ok(ragMeanPool(copy, [B, T, C], lengths, true))) failWith('meanpool-padding', detail);
  return fail(detail, { hint: M['meanpool-padding'].hint });
}

// --- the evaluation ----------------------------------------------------------------------------------------------

const chapters = (CHAPTERS as { chapters: RagChapter[] }).chapters;
const pct = (x: number, n: number) => `${(100 * x).toFixed(1)}% (${Math.round(x * n)}/${n})`;

export default defineChecks<Learner>({
  exports: ['tokenize', 'chunkWords', 'fitIdf', 'tfidfVector', 'cosine', 'rankScores', 'topK', 'bm25Scores', 'retrieve', 'meanPool'],
  checks: [
    {
      name: t('chunkWords: hand-worked boundaries, the last chunk, and throws', 'chunkWords：手算的边界、最后一块，以及抛出的错误'),
      task: 'chunkWords',
      run: (m, ctx) => {
        expectChunks(m, words(10), 4, 1, ['w0 w1 w2 w3', 'w3 w4 w5 w6', 'w6 w7 w8 w9']);
        expectChunks(m, words(11), 4, 1, ['w0 w1 w2 w3', 'w3 w4 w5 w6', 'w6 w7 w8 w9', 'w9 w10']);
        expectChunks(m, words(12), 5, 2, ['w0 w1 w2 w3 w4', 'w3 w4 w5 w6 w7', 'w6 w7 w8 w9 w10', 'w9 w10 w11']);
        expectChunks(m, words(13), 6, 2, ['w0 w1 w2 w3 w4 w5', 'w4 w5 w6 w7 w8 w9', 'w8 w9 w10 w11 w12']);
        expectChunks(m, words(6), 3, 0, ['w0 w1 w2', 'w3 w4 w5']);
        expectChunks(m, '  Call me\nIshmael.  Some   years ago ', 10, 3, ['Call me Ishmael. Some years ago']);
        expectChunks(m, '', 4, 1, []);
        for (let r = 0; r < 6; r++) {
          const size = 3 + Math.floor(ctx.random() * 8);
          const overlap = Math.floor(ctx.random() * ((size + 1) / 2));
          const n = 1 + Math.floor(ctx.random() * 40);
          expectChunks(m, words(n).replace(/ /g, () => (ctx.random() < 0.2 ? '\n' : ' ')), size, overlap);
        }
        for (const [size, overlap] of [[4, 4], [4, 6], [0, 0], [5, -1]]) {
          let threw = false;
          try { m.chunkWords('', size, overlap); } catch { threw = true; }
          expectTrue(threw, t(`chunkWords('', ${size}, ${overlap}) should throw: it needs size ≥ 1 and 0 ≤ overlap < size (with overlap ≥ size the chunks never advance), checked before anything else.`,
            `chunkWords('', ${size}, ${overlap}) 应当抛出错误：要求 size ≥ 1 且 0 ≤ overlap < size（overlap ≥ size 时块永远不会前进），并且要在做任何其他事之前检查。`),
          t('At the top: if (size < 1 || overlap < 0 || overlap >= size) throw new RangeError(...).', '在函数开头：if (size < 1 || overlap < 0 || overlap >= size) throw new RangeError(...)。'));
        }
      },
    },
    {
      name: t('fitIdf and tfidfVector: against float64, both idf forms', 'fitIdf 与 tfidfVector：与 float64 参考对比，两种 idf 形式'),
      task: 'fitIdf',
      run: (m, ctx) => {
        for (const N of [5, 9]) {
          const docs = randomDocs(ctx.random, N, 2, 9, VOCAB, 1.6);
          docs[0].push('queequeg'); // df = 1
          for (const smooth of [undefined, true, false]) expectIdf(m, docs, smooth);
          const index = m.fitIdf(docs.map((d) => [...d]));
          const table = ragFitIdf(docs);
          const byWord = (v: ArrayLike<number>) => new Map([...index.vocab].map(([w, j]) => [w, Number(v[j])]));
          for (const tokens of [docs[1], ['whale', 'whale', 'ahab', 'pequod', 'sea', 'whale'], ['pequod'], []]) {
            const copy = [...tokens];
            const what = `tfidfVector(index, ${show(tokens)})`;
            const got = m.tfidfVector(index, copy);
            expectTrue(copy.length === tokens.length && copy.every((w, i) => w === tokens[i]), t(`${what} changed its tokens.`, `${what} 修改了传给它的 tokens。`));
            if (!got || got.length !== table.vocab.size) fail(t(`${what} has length ${got?.length}; expected ${table.vocab.size} (one entry per vocabulary word).`, `${what} 的长度是 ${got?.length}；应为 ${table.vocab.size}（每个词表中的词一项）。`));
            const want = ragTfidf(table, tokens);
            const mine = byWord(got);
            const bad = [...table.vocab].find(([w, j]) => !(Math.abs(mine.get(w)! - want[j]) <= 1e-9));
            if (!bad) continue;
            const [w, j] = bad;
            const raw = ragTfidf(table, tokens, false);
            const unnormalised = [...table.vocab].every(([x, c]) => Math.abs(mine.get(x)! - raw[c]) <= 1e-9 * Math.max(1, raw[c]));
            fail(t(`${what}: the entry of '${w}' is ${mine.get(w)}, expected ${want[j]}${unnormalised ? ': the vector is tf × idf but not divided by its L2 norm' : ''}.`,
              `${what}：'${w}' 这一项是 ${mine.get(w)}，应为 ${want[j]}${unnormalised ? '：向量是 tf × idf，但没有除以它的 L2 范数' : ''}。`),
            { hint: t('v[column of w] += 1 for each known token (tf = raw count), multiply by idf, divide by the L2 norm when it is not 0; words outside the vocabulary are skipped.',
              '对每个词表中的词元 v[w 的列] += 1（tf = 原始计数），乘以 idf，范数不为 0 时除以 L2 范数；词表外的词跳过。') });
          }
        }
      },
    },
    {
      name: t('cosine and topK: against brute force, ties by lower index', 'cosine 与 topK：与暴力计算对比，并列时下标小者优先'),
      task: 'topK',
      run: (m, ctx) => {
        const vec = (n: number, scale: number) => Float64Array.from({ length: n }, () => scale * (2 * ctx.random() - 1));
        for (const [a, b] of [[vec(8, 1), vec(8, 5)], [vec(5, 0.1), vec(5, 3)], [vec(6, 2), vec(6, 2)]]) {
          const got = m.cosine(a.slice(), b.slice());
          const want = ragCosine(a, b);
          if (near(got, want, 1e-6)) continue;
          const detail = t(`cosine(a, b) is ${got}, expected ${want} (|a| = ${Math.sqrt(ragCosine(a, a, false)).toFixed(4)}, |b| = ${Math.sqrt(ragCosine(b, b, false)).toFixed(4)}).`,
            `cosine(a, b) 是 ${got}，应为 ${want}（|a| = ${Math.sqrt(ragCosine(a, a, false)).toFixed(4)}，|b| = ${Math.sqrt(ragCosine(b, b, false)).toFixed(4)}）。`);
          if (near(got, ragCosine(a, b, false), 1e-6)) failWith('cosine-unnormalised', detail);
          fail(detail, { hint: M['cosine-unnormalised'].hint });
        }
        const z = m.cosine(new Float64Array(4), Float64Array.of(1, 2, 3, 4));
        expectTrue(z === 0, t(`cosine(zeros, b) is ${z}; expected 0 (a zero vector is similar to nothing; not NaN).`, `cosine(zeros, b) 是 ${z}；应为 0（零向量与任何向量都不相似；不能是 NaN）。`),
          t('Return 0 when |a| or |b| is 0, before dividing.', '在做除法之前，|a| 或 |b| 为 0 时返回 0。'));

        const vectors = Array.from({ length: 14 }, () => vec(6, 1 + 3 * ctx.random()));
        const query = vec(6, 1);
        vectors[9] = vectors[2].slice(); // exact ties: the same vector twice, and twice the query's direction
        vectors[11] = query.map((x) => 2 * x);
        vectors[4] = query.map((x) => 2 * x);
        vectors[13] = new Float64Array(6); // a zero vector scores 0
        for (const k of [1, 2, 3, 5, 14, 20]) {
          const copies = vectors.map((v) => v.slice());
          const what = `topK(query, vectors, ${k})`;
          const got = m.topK(query.slice(), copies, k);
          expectTrue(copies.every((v, i) => v.every((x, j) => x === vectors[i][j])), t(`${what} changed the vectors.`, `${what} 修改了 vectors。`));
          expectHits(got, vectors.map((v) => ragCosine(query, v)), k, what, vectors.map((v) => ragCosine(query, v, false)));
        }
        // a ranking where the vector lengths differ a lot: the dot product ranks by length
        const long = [vec(6, 0.1), vec(6, 10), vec(6, 1), vec(6, 3)];
        const got = m.topK(query, long.map((v) => v.slice()), 4);
        const dots = ragRank(long.map((v) => ragCosine(query, v, false)), 4);
        if (Array.isArray(got) && got.length === 4 && got.every((h, i) => h?.index === dots[i].index && near(h.score, dots[i].score))) {
          failWith('cosine-unnormalised', t(`topK(query, vectors of different lengths, 4) ranked by the dot product: ${show(got)}.`, `topK(query, 长度各异的向量, 4) 按点积排序了：${show(got)}。`));
        }
        expectHits(got, long.map((v) => ragCosine(query, v)), 4, 'topK(query, vectors of different lengths, 4)');
        for (const k of [0, -1]) {
          let threw = false;
          try { m.topK(query, vectors, k); } catch { threw = true; }
          expectTrue(threw, t(`topK(query, vectors, ${k}) should throw: k must be at least 1.`, `topK(query, vectors, ${k}) 应当抛出错误：k 至少为 1。`));
        }
      },
    },
    {
      name: t('bm25Scores: against a float64 scorer (k1 = 1.5, b = 0.75 by default)', 'bm25Scores：与 float64 打分器对比（默认 k1 = 1.5，b = 0.75）'),
      task: 'bm25Scores',
      run: (m, ctx) => {
        const docs = randomDocs(ctx.random, 9, 1, 14, VOCAB, 1.5);
        docs[3].push('queequeg', 'queequeg');
        const queries = [['whale', 'queequeg'], ['ship', 'sea', 'sea', 'pequod'], ['whale', 'ship', 'sea', 'ahab'], [VOCAB[11], VOCAB[10]]];
        for (const opts of [undefined, { k1: 1.2, b: 0.5 }, { b: 0 }, { k1: 2, b: 1 }, { k1: 0.5 }]) {
          for (const q of queries) {
            const copy = docs.map((d) => [...d]);
            const what = `bm25Scores(${show(q)}, docs${opts ? `, ${show(opts)}` : ''})`;
            const got = opts ? m.bm25Scores([...q], copy, opts) : m.bm25Scores([...q], copy);
            expectTrue(copy.every((d, i) => d.length === docs[i].length && d.every((w, j) => w === docs[i][j])), t(`${what} changed the documents.`, `${what} 修改了文档。`));
            const k1 = opts?.k1 ?? 1.5;
            const b = opts?.b ?? 0.75;
            const ref = (v: RagBm25Variant) => ragBm25(q, docs, k1, b, v);
            const want = ref('correct');
            const same = (r: Float64Array) => !!got && got.length === r.length && Array.from(r).every((v, i) => near(Number(got[i]), v, 1e-6));
            if (same(want)) continue;
            const i = got && got.length === want.length ? want.findIndex((v, j) => !near(Number(got[j]), v, 1e-6)) : -1;
            const detail = i >= 0 ? t(`${what}[${i}] is ${got[i]}, expected ${want[i]}.`, `${what}[${i}] 是 ${got[i]}，应为 ${want[i]}。`)
              : t(`${what} returned ${show(got && Array.from(got))}; expected ${docs.length} scores ${show(Array.from(want))}.`, `${what} 返回了 ${show(got && Array.from(got))}；应为 ${docs.length} 个得分 ${show(Array.from(want))}。`);
            if (same(ref('no-k1-plus-1'))) failWith('bm25-no-k1-plus-1', detail);
            if (opts?.k1 === undefined && same(ragBm25(q, docs, 1.2, b))) failWith('bm25-k1-default', detail);
            if (same(ref('idf-no-plus-one')) || same(ref('rank-bm25-idf'))) failWith('bm25-idf-rank-bm25', detail);
            const plain: [RagBm25Variant, Text][] = [
              ['b-ignored', t('The b argument is ignored (0.75 is always used): b sets how much a long document is penalised (b = 0: not at all; b = 1: fully).', 'b 参数被忽略了（总是用 0.75）：b 决定长文档受到多少惩罚（b = 0：完全不惩罚；b = 1：完全按长度归一化）。')],
              ['unique-query', t('A repeated query word is counted once: this lesson sums over the query\'s tokens, so a word asked twice counts twice (as rank_bm25 does).', '重复的查询词只算了一次：本课对查询的每个词元求和，所以出现两次的词要算两次（与 rank_bm25 相同）。')],
            ];
            for (const [v, message] of plain) if (same(ref(v))) fail(join([message, detail], ' '));
            fail(detail, { hint: t('score[i] += idf · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)) for every query token that occurs in some document; idf = ln((N − df + 0.5)/(df + 0.5) + 1); dl = the document\'s length in tokens, avgdl = the mean length.',
              '对每个出现在某篇文档中的查询词元：score[i] += idf · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))；idf = ln((N − df + 0.5)/(df + 0.5) + 1)；dl = 文档的词元数，avgdl = 平均长度。') });
          }
        }
      },
    },
    {
      name: t('retrieve: TF-IDF and BM25 over chunks, stop words on both sides', 'retrieve：在文本块上用 TF-IDF 和 BM25 检索，两边都去停用词'),
      task: 'retrieve',
      run: (m) => {
        const chunks = [
          'The whale is white and the whale is old',
          'Ahab stood on the deck of the ship and looked at the sea',
          'The ship and the boat and the line and the mast',
          'Queequeg threw the harpoon at the whale from the boat',
          'In the cabin the captain and the mate read the chart of the sea',
          'the the the of of and and a a a whale',
          'Oil was boiled in the try-works on the deck all night',
          'Starbuck is the mate of the ship',
        ];
        const stop = new Set(['the', 'and', 'of', 'a', 'is', 'at', 'in', 'on', 'was', 'from']);
        const queries = ['the whale and the boat', 'the mate of the ship', 'a deck of the sea', 'whale'];
        for (const method of ['tfidf', 'bm25'] as const) {
          for (const stopWords of [stop, undefined]) {
            for (const [qi, query] of queries.entries()) {
              const k = [3, 1, 8, 5][qi];
              const copy = [...chunks];
              const what = `retrieve(${JSON.stringify(query)}, chunks, ${k}, { method: '${method}'${stopWords ? ', stopWords' : ''} })`;
              const got = m.retrieve(query, copy, k, { method, stopWords });
              expectTrue(copy.every((c, i) => c === chunks[i]), t(`${what} changed the chunks.`, `${what} 修改了文本块。`));
              const want = ragRetrieve(query, chunks, k, method, stopWords);
              const same = (r: RagHit[]) => Array.isArray(got) && got.length === r.length && got.every((h, i) => h?.index === r[i].index && near(h.score, r[i].score, 1e-6));
              if (same(want)) continue;
              const detail = t(`${what} returned ${show(got)}; expected ${show(want)}.`, `${what} 返回了 ${show(got)}；应为 ${show(want)}。`);
              if (stopWords && same(ragRetrieve(query, chunks, k, method, stopWords, 'docs-keep-stop-words'))) failWith('stopwords-inconsistent', detail);
              if (stopWords && same(ragRetrieve(query, chunks, k, method, undefined))) {
                fail(join([t('The stop words are ignored: with opts.stopWords they must be removed from the chunks and from the query.', '停用词被忽略了：给出 opts.stopWords 时，必须从文本块和查询中都去掉它们。'), detail], ' '), { hint: M['stopwords-inconsistent'].hint });
              }
              if (method === 'tfidf' && same(ragRetrieve(query, chunks, k, 'bm25', stopWords))) fail(join([t('method: \'tfidf\' ranked by BM25.', 'method: \'tfidf\' 却按 BM25 排序了。'), detail], ' '));
              if (method === 'bm25' && same(ragRetrieve(query, chunks, k, 'tfidf', stopWords))) fail(join([t('method: \'bm25\' ranked by TF-IDF cosine.', 'method: \'bm25\' 却按 TF-IDF 余弦排序了。'), detail], ' '));
              fail(detail, { hint: t('Tokenize every chunk and the query with the same tokenize(text, opts.stopWords); TF-IDF: fitIdf on the chunks, tfidfVector of each, topK by cosine; BM25: rankScores(bm25Scores(query, docs), k).',
                '用同一个 tokenize(text, opts.stopWords) 处理每个文本块和查询；TF-IDF：在文本块上 fitIdf，对每一块求 tfidfVector，按余弦取 topK；BM25：rankScores(bm25Scores(query, docs), k)。') });
            }
          }
        }
      },
    },
    {
      name: t('meanPool: the mean over real positions only', 'meanPool：只在真实位置上求平均'),
      task: 'meanPool',
      run: (m, ctx) => {
        for (const [shape, lengths] of [[[3, 5, 4], [5, 2, 3]], [[2, 7, 3], [1, 7]], [[4, 3, 6], [3, 3, 3, 3]]] as [number[], number[]][]) {
          const n = shape.reduce((a, b) => a * b, 1);
          const hidden = new Tensor(Float32Array.from({ length: n }, () => 4 * ctx.random() - 1), shape);
          expectPool(m, hidden, lengths);
        }
      },
    },
    {
      name: t('retrieval evaluation (live): recall@1 and recall@5 on Moby-Dick\'s chapters', '检索评测（实时）：《白鲸记》各章上的 recall@1 与 recall@5'),
      task: 'retrieve',
      timeoutSeconds: 60,
      run: async (m, ctx) => {
        const questions = ragQuestions(chapters);
        const nq = questions.length;
        const refChunks = ragChunks(chapters, (text) => ragChunkWords(text, RAG_CHUNK.size, RAG_CHUNK.overlap));
        const mine = ragChunks(chapters, (text) => m.chunkWords(text, RAG_CHUNK.size, RAG_CHUNK.overlap));
        if (mine.length !== refChunks.length || mine.some((c, i) => c.text !== refChunks[i].text)) {
          fail(t(`chunkWords(chapter, ${RAG_CHUNK.size}, ${RAG_CHUNK.overlap}) gives ${mine.length} chunks over the ${chapters.length} chapters; the lesson's gives ${refChunks.length} (see the chunkWords check).`,
            `chunkWords(chapter, ${RAG_CHUNK.size}, ${RAG_CHUNK.overlap}) 在 ${chapters.length} 章上得到 ${mine.length} 个文本块；本课的实现得到 ${refChunks.length} 个（见 chunkWords 的检查）。`));
        }
        const texts = refChunks.map((c) => c.text);
        type Row = { label: Text; method?: 'tfidf' | 'bm25'; stop?: boolean; r1: number; r5: number; ref1: number; ref5: number; top: number[] };
        const rows: Row[] = [];
        const lexical: [Text, 'tfidf' | 'bm25', boolean][] = [
          [t('TF-IDF + cosine', 'TF-IDF + 余弦'), 'tfidf', false],
          [t('TF-IDF + cosine, no stop words', 'TF-IDF + 余弦，去停用词'), 'tfidf', true],
          [t('BM25', 'BM25'), 'bm25', false],
          [t('BM25, no stop words', 'BM25，去停用词'), 'bm25', true],
        ];
        for (const [label, method, stop] of lexical) {
          const sw = stop ? RAG_STOP_WORDS : undefined;
          const ranks = questions.map((q) => ragChapterRanking(m.retrieve(q.text, texts, texts.length, { method, stopWords: sw }).map((h) => h.index), refChunks));
          const refRanks = ragRetrieveAll(questions.map((q) => q.text), texts, texts.length, method, sw).map((hits) => ragChapterRanking(hits.map((h) => h.index), refChunks));
          rows.push({ label, method, stop, r1: ragRecallAt(ranks, questions, 1), r5: ragRecallAt(ranks, questions, 5), ref1: ragRecallAt(refRanks, questions, 1), ref5: ragRecallAt(refRanks, questions, 5), top: ranks.map((r) => r[0]) });
          ctx.progress({ kind: 'text', title: t('Retrieval evaluation', '检索评测'), text: t(`${rows.length} of 5 retrievers evaluated…`, `已评测 ${rows.length}/5 种检索方式…`) });
        }
        const h = await ragHiddenStates([...texts, ...questions.map((q) => q.text)]);
        const C = h.shape[2];
        const pooledT = m.meanPool(new Tensor(h.hidden.slice(), h.shape), [...h.lengths]);
        const refPooled = ragMeanPool(h.hidden, h.shape, h.lengths);
        if (!isTensorLike(pooledT) || pooledT.data.length !== refPooled.length || refPooled.some((v, i) => !(Math.abs(pooledT.data[i] - v) <= 1e-4 + 1e-4 * Math.abs(v)))) {
          fail(t('meanPool on the bundled model\'s hidden states differs from the mean over the real positions (see the meanPool check).', 'meanPool 在内置模型隐藏状态上的结果与真实位置上的均值不一致（见 meanPool 的检查）。'), { hint: M['meanpool-padding'].hint });
        }
        const vecs = ragTextVectors(pooledT.data, C, h, texts.length + nq);
        const refVecs = ragTextVectors(refPooled, C, h, texts.length + nq);
        const chunkVecs = vecs.slice(0, texts.length);
        const embRanks = questions.map((_, i) => ragChapterRanking(m.topK(vecs[texts.length + i], chunkVecs, texts.length).map((x) => x.index), refChunks));
        const refEmb = questions.map((_, i) => ragChapterRanking(ragRank(refVecs.slice(0, texts.length).map((v) => ragCosine(refVecs[texts.length + i], v)), texts.length).map((x) => x.index), refChunks));
        rows.push({ label: t('bundled model, mean-pooled', '内置模型，均值池化'), r1: ragRecallAt(embRanks, questions, 1), r5: ragRecallAt(embRanks, questions, 5),
          ref1: ragRecallAt(refEmb, questions, 1), ref5: ragRecallAt(refEmb, questions, 5), top: embRanks.map((r) => r[0]) });
        ctx.progress({ kind: 'text', title: t('Retrieval evaluation', '检索评测'), text: t('5 of 5 retrievers evaluated: the tables below.', '5 种检索方式都已评测：见下面的表格。') });
        const nc = chapters.length;
        const p1 = (x: number) => `${(100 * x).toFixed(1)}%`;
        ctx.artifact({
          kind: 'table',
          title: t(`Retrieval on Moby-Dick: ${nq} questions (5-word partial quotes), ${nc} chapters, ${texts.length} chunks of ${RAG_CHUNK.size} words (overlap ${RAG_CHUNK.overlap}); BM25 with k1 = 1.5, b = 0.75; the model's last block mean-pooled over ${h.shape[0]} windows`,
            `《白鲸记》上的检索：${nq} 个问题（5 个词的部分引文），${nc} 章，${texts.length} 个文本块（每块 ${RAG_CHUNK.size} 词，重叠 ${RAG_CHUNK.overlap}）；BM25 取 k1 = 1.5、b = 0.75；模型末层 block 的输出在 ${h.shape[0]} 个窗口上均值池化`),
          columns: [t('retriever', '检索方式'), 'recall@1', 'recall@5', t('reference @1', '参考解 @1'), t('reference @5', '参考解 @5')],
          rows: [
            ...rows.map((r) => [r.label, p1(r.r1), p1(r.r5), p1(r.ref1), p1(r.ref5)]),
            [t('chance', '随机'), p1(1 / nc), p1(5 / nc), p1(1 / nc), p1(5 / nc)],
          ],
        });
        ctx.artifact({
          kind: 'bars',
          title: t('recall@5 (%) by retriever, with your functions', '各检索方式的 recall@5（%），用你的函数计算'),
          labels: [t('TF-IDF', 'TF-IDF'), t('TF-IDF, no stop words', 'TF-IDF，去停用词'), t('BM25', 'BM25'), t('BM25, no stop words', 'BM25，去停用词'), t('model embeddings', '模型嵌入'), t('chance', '随机')],
          values: [...rows.map((r) => Math.round(1000 * r.r5) / 10), Math.round(1000 * 5 / nc) / 10],
        });
        const title = (n: number) => { const c = chapters.find((x) => x.chapter === n)!; return `${n}. ${c.title}`; };
        ctx.artifact({
          kind: 'table',
          title: t('Five questions and the chapter each retriever puts first (✓ = the chapter the quote is from)', '五个问题，以及每种检索方式排在第一的章节（✓ = 引文所在的章节）'),
          columns: [t('question', '问题'), t('answer', '答案'), 'TF-IDF', 'BM25', t('model embeddings', '模型嵌入')],
          rows: [0, 9, 18, 27, 36].map((i) => [`“${questions[i].text}”`, title(questions[i].chapter),
            ...[rows[0], rows[2], rows[4]].map((r) => `${r.top[i] === questions[i].chapter ? '✓' : '✗'} ${title(r.top[i])}`)]),
        });
        for (const r of rows.slice(0, 4)) {
          expectTrue(Math.abs(r.r1 - r.ref1) <= 1 / nq + 1e-9 && Math.abs(r.r5 - r.ref5) <= 1 / nq + 1e-9, join([t('Your pipeline\'s recall differs from the reference\'s for ', '你的流程的召回率与参考解不同：'), r.label,
            t(`: recall@1 ${pct(r.r1, nq)} vs ${pct(r.ref1, nq)}, recall@5 ${pct(r.r5, nq)} vs ${pct(r.ref5, nq)} (rounding may move one question where two chunks score almost the same, not more).`, `：recall@1 为 ${pct(r.r1, nq)}，参考为 ${pct(r.ref1, nq)}；recall@5 为 ${pct(r.r5, nq)}，参考为 ${pct(r.ref5, nq)}（两个文本块得分几乎相同时，舍入最多改变一个问题的结果）。`)], ''),
          t('The quick checks above test each piece; run them first.', '上面的快速检查逐个测试了每个部分；请先让它们通过。'));
        }
        const e = rows[4];
        expectTrue(Math.abs(e.r1 - e.ref1) <= 2 / nq && Math.abs(e.r5 - e.ref5) <= 2 / nq,
          t(`With your meanPool and topK, the model embeddings' recall@1 is ${pct(e.r1, nq)} and recall@5 ${pct(e.r5, nq)}; the reference gets ${pct(e.ref1, nq)} and ${pct(e.ref5, nq)} (float32 rounding may move one or two questions, not more).`,
            `用你的 meanPool 和 topK，模型嵌入的 recall@1 为 ${pct(e.r1, nq)}，recall@5 为 ${pct(e.r5, nq)}；参考解为 ${pct(e.ref1, nq)} 和 ${pct(e.ref5, nq)}（float32 舍入最多改变一两个问题的结果）。`));
      },
    },
  ],
});
