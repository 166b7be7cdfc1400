/**
 * The retrieval lesson's catalogue of known mistakes (and two other libraries' conventions): what a learner is told
 * when a check recognises one. The checks (retrieve.checks.ts) and the cases that feed every entry through the runner
 * (test/unit/mistakes/rag.ts) both read these words.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const RAG_MISTAKES = defineMistakes({
  'overlap-twice': {
    message: t(
      'The overlap is counted twice: consecutive chunks start size − 2·overlap words apart, so they share 2·overlap words instead of overlap.',
      '重叠被算了两次：相邻块的起点相隔 size − 2·overlap 个词，于是它们共享 2·overlap 个词，而不是 overlap 个。',
    ),
    hint: t(
      'The step between chunk starts is size − overlap: chunk i covers words [i·(size − overlap), i·(size − overlap) + size). Each chunk already contains its overlap with the next one.',
      '块起点之间的步长是 size − overlap：第 i 块覆盖词 [i·(size − overlap), i·(size − overlap) + size)。每一块本身已经包含了它与下一块的重叠部分。',
    ),
  },
  'cosine-unnormalised': {
    message: t(
      'The similarity is the plain dot product a·b: it is not divided by |a| |b|, so a longer vector scores higher whatever its direction. Cosine similarity is a·b / (|a| |b|).',
      '相似度是普通的点积 a·b：没有除以 |a| |b|，于是无论方向如何，越长的向量得分越高。余弦相似度是 a·b / (|a| |b|)。',
    ),
    hint: t(
      'Accumulate dot, |a|² and |b|² in one loop, return dot / Math.sqrt(na * nb), and 0 when either norm is 0.',
      '在同一个循环里累加 dot、|a|² 和 |b|²，返回 dot / Math.sqrt(na * nb)；任一范数为 0 时返回 0。',
    ),
  },
  'idf-log-base': {
    message: t(
      'The idf uses the wrong logarithm: log10 (or log2) instead of the natural log. This lesson\'s idf is ln(N/df) + 1 (and ln((1 + N)/(1 + df)) + 1 with smooth: true), as scikit-learn; another base changes how much the + 1 weighs against the log, so the ranking changes too.',
      'idf 用错了对数：用了 log10（或 log2），而不是自然对数。本课的 idf 是 ln(N/df) + 1（smooth: true 时为 ln((1 + N)/(1 + df)) + 1），与 scikit-learn 相同；换一个底数会改变 + 1 与对数项的相对权重，排序也会随之改变。',
    ),
    hint: t('Use Math.log (the natural logarithm), not Math.log10 or Math.log2.', '用 Math.log（自然对数），不要用 Math.log10 或 Math.log2。'),
  },
  'idf-smooth-default': {
    convention: 'scikit-learn',
    message: t(
      'This is scikit-learn\'s convention (TfidfVectorizer defaults to smooth_idf=True: idf = ln((1 + N)/(1 + df)) + 1, as if one extra document contained every word); this lesson\'s default is the unsmoothed ln(N/df) + 1 (scikit-learn\'s smooth_idf=False) because it is the formula the text works by hand, and it gives the smoothed form with fitIdf(docs, { smooth: true }). Make smooth default to false.',
      '这是 scikit-learn 的约定（TfidfVectorizer 默认 smooth_idf=True：idf = ln((1 + N)/(1 + df)) + 1，好像多了一篇包含所有词的文档）；本课的默认值是不平滑的 ln(N/df) + 1（即 scikit-learn 的 smooth_idf=False），因为正文手算的就是这个公式；平滑形式用 fitIdf(docs, { smooth: true }) 得到。请把 smooth 的默认值设为 false。',
    ),
    hint: t(
      'const smooth = opts.smooth ?? false; idf = smooth ? Math.log((1 + N) / (1 + df)) + 1 : Math.log(N / df) + 1.',
      'const smooth = opts.smooth ?? false；idf = smooth ? Math.log((1 + N) / (1 + df)) + 1 : Math.log(N / df) + 1。',
    ),
  },
  'idf-smooth-ignored': {
    message: t(
      'The smoothing option is ignored: with smooth: true the idf must be ln((1 + N)/(1 + df)) + 1, but the unsmoothed ln(N/df) + 1 came back.',
      'smooth 选项被忽略了：smooth: true 时 idf 应为 ln((1 + N)/(1 + df)) + 1，返回的却是不平滑的 ln(N/df) + 1。',
    ),
    hint: t('Read opts.smooth and add 1 to both N and df inside the log when it is true.', '读取 opts.smooth；为 true 时，在对数里给 N 和 df 都加 1。'),
  },
  'topk-off-by-one': {
    message: t(
      'top-k returns the wrong number of results: k − 1 or k + 1 instead of k (or all of them when there are fewer than k).',
      'top-k 返回的结果个数不对：是 k − 1 或 k + 1 个，而不是 k 个（不足 k 个时应全部返回）。',
    ),
    hint: t('After sorting, hits.slice(0, k): the first k, indices 0 .. k − 1.', '排序之后取 hits.slice(0, k)：前 k 个，下标 0 .. k − 1。'),
  },
  'ties-unstable': {
    message: t(
      'Equal scores come back in the wrong order: this lesson breaks ties by the lower index first, so that the same query always gives the same list.',
      '得分相同的结果顺序不对：本课规定并列时下标小的排在前面，这样同一个查询总是得到同一个列表。',
    ),
    hint: t(
      'Sort with (x, y) => y.score - x.score || x.index - y.index (a comparator that returns 0 or a random sign for equal scores is not enough).',
      '用 (x, y) => y.score - x.score || x.index - y.index 排序（对相同得分返回 0 或随机符号的比较函数都不够）。',
    ),
  },
  'stopwords-inconsistent': {
    message: t(
      'Stop words are handled differently in the query and in the chunks: they must be removed from both (the same tokenize(text, stopWords) for each), or the scores compare different kinds of text.',
      '查询和文本块对停用词的处理不一致：两者都必须去掉停用词（对每一方都调用同一个 tokenize(text, stopWords)），否则得分比较的是两种不同处理的文本。',
    ),
    hint: t(
      'docs = chunks.map((c) => tokenize(c, opts.stopWords)); q = tokenize(query, opts.stopWords).',
      'docs = chunks.map((c) => tokenize(c, opts.stopWords))；q = tokenize(query, opts.stopWords)。',
    ),
  },
  'bm25-no-k1-plus-1': {
    convention: 'Lucene',
    message: t(
      'This is Lucene\'s convention (since Lucene 8, BM25Similarity drops the constant (k1 + 1) from the numerator: tf / (tf + k1·(…))); this lesson keeps Robertson\'s formula tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)), as rank_bm25 does, so that a word that occurs once in a document of average length scores exactly its idf. The ranking is the same; multiply the term by (k1 + 1).',
      '这是 Lucene 的约定（从 Lucene 8 起，BM25Similarity 去掉了分子中的常数 (k1 + 1)：tf / (tf + k1·(…))）；本课保留 Robertson 的公式 tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))，与 rank_bm25 相同，这样一个词在平均长度的文档中出现一次时，得分恰好是它的 idf。排序不变；请把这一项乘以 (k1 + 1)。',
    ),
    hint: t(
      'score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)).',
      'score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))。',
    ),
  },
  'bm25-k1-default': {
    convention: 'Lucene',
    message: t(
      'This is Lucene\'s convention (BM25Similarity and Elasticsearch default to k1 = 1.2); this lesson\'s default is k1 = 1.5, as rank_bm25, so that its numbers match the text\'s and the checks\' float64 scorer. The formula is the same; change the default of k1 to 1.5.',
      '这是 Lucene 的约定（BM25Similarity 和 Elasticsearch 默认 k1 = 1.2）；本课的默认值是 k1 = 1.5，与 rank_bm25 相同，这样数值才与正文和检查中的 float64 打分器一致。公式相同；请把 k1 的默认值改为 1.5。',
    ),
    hint: t('const { k1 = 1.5, b = 0.75 } = opts;', 'const { k1 = 1.5, b = 0.75 } = opts;'),
  },
  'bm25-idf-rank-bm25': {
    convention: 'rank_bm25',
    message: t(
      'This is rank_bm25\'s convention (BM25Okapi uses idf = ln((N − df + 0.5)/(df + 0.5)) and replaces negative values with 0.25 × the mean idf); this lesson uses Lucene\'s idf = ln((N − df + 0.5)/(df + 0.5) + 1), which is positive for every word without a floor, so a word in most documents still counts a little and never lowers a score. Add 1 inside the log.',
      '这是 rank_bm25 的约定（BM25Okapi 使用 idf = ln((N − df + 0.5)/(df + 0.5))，并把负值替换为 0.25 × 平均 idf）；本课使用 Lucene 的 idf = ln((N − df + 0.5)/(df + 0.5) + 1)，它对每个词都为正，不需要下限，所以出现在大多数文档中的词仍有一点权重，也绝不会降低得分。请在对数里加 1。',
    ),
    hint: t('const idf = Math.log((N - df + 0.5) / (df + 0.5) + 1);', 'const idf = Math.log((N - df + 0.5) / (df + 0.5) + 1);'),
  },
  'meanpool-padding': {
    message: t(
      'The mean runs over all T positions, padding included: a short text\'s vector is pulled towards the padding\'s hidden states. Average row b over its lengths[b] real positions only.',
      '均值是在全部 T 个位置上取的，包括了填充位置：短文本的向量被拉向填充位置的隐藏状态。第 b 行只应在它的 lengths[b] 个真实位置上求平均。',
    ),
    hint: t(
      'For each b: narrow(narrow(hidden, 0, b, 1), 1, 0, lengths[b]), sum over axis 1, divide by lengths[b]; cat the rows.',
      '对每个 b：narrow(narrow(hidden, 0, b, 1), 1, 0, lengths[b])，沿第 1 维求和，再除以 lengths[b]；最后把各行 cat 起来。',
    ),
  },
});

export type RagMistake = keyof typeof RAG_MISTAKES;
