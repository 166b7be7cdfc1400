/**
 * 检索一课：找出一本书中能回答某个问题的段落，即检索增强生成（RAG）中的“R”。
 *
 * 任务（各有各的检查）：
 *   chunkWords    把文本切成每块 `size` 个词（按词计）的文本块，相邻块共享 `overlap` 个词
 *   fitIdf        词表以及每个词的 idf = ln(N/df) + 1（smooth: true 时为 ln((1+N)/(1+df)) + 1）
 *   tfidfVector   原始计数 tf × idf，再除以其 L2 范数
 *   cosine        a·b / (|a| |b|)，任一向量为零时为 0
 *   rankScores    得分最高的 k 个，从高到低，得分相同时下标小的在前
 *   topK          按余弦相似度与查询最接近的 k 个向量
 *   bm25Scores    使用 Lucene 的 idf 的 Okapi BM25，默认 k1 = 1.5，b = 0.75
 *   retrieve      在文本块上用 TF-IDF 或 BM25 检索，文本块和查询用同一个分词器（以及同一组停用词）
 *   meanPool      从内置模型的隐藏状态得到每段文本一个向量：在真实位置上取均值
 *
 * `tokenize` 已经替你写好：文本块和查询都要用它。
 * meanPool 可用的 kit 部件：narrow(x, dim, start, length)、sum(x, dim)、div(x, number)、cat(tensors, dim)。
 * 循环遍历 hidden.data 再用 new Tensor(data, [B, C]) 构造结果也可以。
 */
import { type Tensor, TODO, cat, div, narrow, sum } from '@llm-lab/kit';

/** 小写的词：由字母和数字组成的连续片段（词中间的撇号不拆开），去掉停用词。 */
export function tokenize(text: string, stopWords?: ReadonlySet<string>): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+(?:\x27[a-z0-9]+)*/g) ?? []; // \x27 是撇号
  return stopWords ? words.filter((w) => !stopWords.has(w)) : words;
}

/**
 * 每块 `size` 个词（按空白切分，用一个空格连接）的文本块，相邻块共享 `overlap` 个词。
 * 第 i 块从第 i·(size − overlap) 个词开始；最后一块是第一个到达最后一个词的块。
 * 除非 size ≥ 1 且 0 ≤ overlap < size，否则抛出 RangeError（最先检查，即使文本为空也要检查）。
 */
export function chunkWords(text: string, size: number, overlap: number): string[] {
  // TODO：检查参数，切分成词，以 size − overlap 为步长前进，在到达末尾的那一块之后停止。
  return TODO('chunkWords');
}

export interface TfIdfIndex {
  /** 词 -> 列（顺序任意；按首次出现的顺序最简单）。 */
  vocab: Map<string, number>;
  /** 每一列的 idf。 */
  idf: Float64Array;
}

/** idf = ln(N / df) + 1（scikit-learn 的 smooth_idf=False），smooth: true 时为 ln((1 + N) / (1 + df)) + 1（scikit-learn 的默认值）。 */
export function fitIdf(docs: readonly (readonly string[])[], opts: { smooth?: boolean } = {}): TfIdfIndex {
  // TODO：df = 包含该词的文档数（每篇文档中每个词只计一次）。
  return TODO('fitIdf');
}

/** 每一列为 tf（原始计数）× idf，再除以 L2 范数（零向量保持为零）；词表外的词忽略。 */
export function tfidfVector(index: TfIdfIndex, tokens: readonly string[]): Float64Array {
  return TODO('tfidfVector');
}

/** a·b / (|a| |b|)，任一向量为零时为 0。 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return TODO('cosine');
}

export interface Hit {
  index: number;
  score: number;
}

/** 得分最高的 k 个，从高到低；得分相同时按下标从小到大；k > scores.length 时全部返回。 */
export function rankScores(scores: ArrayLike<number>, k: number): Hit[] {
  // TODO：比较函数对两个不同的下标永远不返回 0，这样在任何引擎上顺序都相同。
  return TODO('rankScores');
}

/** 按余弦相似度与 `query` 最接近的 k 个向量。k < 1 时抛出 RangeError。 */
export function topK(query: ArrayLike<number>, vectors: readonly ArrayLike<number>[], k: number): Hit[] {
  return TODO('topK');
}

/**
 * 每篇文档的 BM25：对查询的每个词元（重复的词元再算一次）求和
 * idf · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))，idf = ln((N − df + 0.5) / (df + 0.5) + 1)（Lucene 的形式）。
 */
export function bm25Scores(query: readonly string[], docs: readonly (readonly string[])[], opts: { k1?: number; b?: number } = {}): Float64Array {
  // TODO：dl = 文档的词元数，avgdl = 所有文档的平均长度；没有任何文档包含的词跳过。
  return TODO('bm25Scores');
}

export interface RetrieveOptions {
  method: 'tfidf' | 'bm25';
  /** 从文本块和查询中都去掉。 */
  stopWords?: ReadonlySet<string>;
}

/** 最能回答 `query` 的 k 个文本块：TF-IDF 加余弦，或 BM25；文本块和查询用同一个分词器。 */
export function retrieve(query: string, chunks: readonly string[], k: number, opts: RetrieveOptions): Hit[] {
  return TODO('retrieve');
}

/** hidden (B, T, C)，第 b 行在 t < lengths[b] 处是真实位置（其余是填充）-> (B, C)：在真实位置上取均值。 */
export function meanPool(hidden: Tensor, lengths: readonly number[]): Tensor {
  // TODO：对每一行 b，只对它的前 lengths[b] 个位置求平均。
  return TODO('meanPool');
}
