/**
 * The evaluation lesson's catalogue of known mistakes: what a learner is told when their perplexity, BLEU or ROUGE-L
 * follows one (the float64 references in @llm-lab/course/tokens compute each wrong variant).
 *
 * Two entries are other libraries' conventions, not mistakes: sacreBLEU's 0-100 scale, and NLTK's floor of each
 * sentence's n-gram count at 1 (it changes the score only when a hypothesis is shorter than n, as in sacreBLEU's
 * README corpus). rouge-score's lowercasing tokenizer is simply accepted (see the lesson).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const EVAL_MISTAKES = defineMistakes({
  'ppl-doc-mean': {
    message: t(
      'This is the mean of the documents\' perplexities, not the corpus perplexity: a short document then weighs as much as a long one, and since exp is convex the mean of exps is larger than the exp of the mean. Perplexity over a corpus is exp(total NLL / total tokens).',
      '这是各文档困惑度的平均值，而不是语料的困惑度：这样一来，短文档和长文档的权重一样大，而且 exp 是凸函数，exp 的平均值大于平均值的 exp。整个语料的困惑度是 exp(总 NLL / 总词元数)。',
    ),
    hint: t(
      'Sum −log p over every token of every document, count every token, and take Math.exp(nll / n) once at the end.',
      '对所有文档的所有词元累加 −log p，同时数出词元总数，最后只做一次 Math.exp(nll / n)。',
    ),
  },
  'ppl-mean-of-means': {
    message: t(
      'This is exp of the mean of the documents\' mean NLLs: every document weighs the same, whatever its length. Perplexity over a corpus weighs every TOKEN the same: exp(total NLL / total tokens).',
      '这是各文档平均 NLL 的平均值再取 exp：每篇文档的权重相同，与长度无关。整个语料的困惑度让每个“词元”权重相同：exp(总 NLL / 总词元数)。',
    ),
    hint: t(
      'Do not divide per document: add up the NLLs and the token counts over the whole corpus, then divide once.',
      '不要逐篇文档做除法：先在整个语料上累加 NLL 和词元数，最后只除一次。',
    ),
  },
  unclipped: {
    message: t(
      'The n-gram matches were not clipped: a hypothesis n-gram may count at most as often as it occurs in one reference (the most in any single reference). Unclipped, "the the the the the the the" gets unigram precision 7/7 against "the cat is on the mat".',
      'n 元组的匹配数没有截断（clip）：假设中的一个 n 元组，最多只能按它在某一个参考译文中出现的次数计数（取各参考中的最大次数）。不截断的话，"the the the the the the the" 对 "the cat is on the mat" 的一元精确率就是 7/7。',
    ),
    hint: t(
      'matches += Math.min(count, maxRef), where maxRef is the largest count of that n-gram in any one reference.',
      'matches += Math.min(count, maxRef)，其中 maxRef 是该 n 元组在任意单个参考中出现次数的最大值。',
    ),
  },
  'bp-inverted': {
    message: t(
      'The brevity penalty is inverted: it must be exp(1 − r/c) when the candidate is shorter (c < r), which is below 1 and falls fast as c shrinks; exp(1 − c/r) is above 1 there and rewards short candidates. For c ≥ r it is 1.',
      '简短惩罚（brevity penalty）写反了：当候选译文更短（c < r）时它应是 exp(1 − r/c)，小于 1，并且随 c 变小迅速下降；exp(1 − c/r) 在这里大于 1，反而奖励了短的候选。c ≥ r 时它等于 1。',
    ),
    hint: t('return c >= r ? 1 : Math.exp(1 - r / c) (and 0 for c = 0).', 'return c >= r ? 1 : Math.exp(1 - r / c)（c = 0 时返回 0）。'),
  },
  'shortest-ref': {
    message: t(
      'r was taken as the length of the shortest reference, not of the reference closest in length to the candidate (Papineni et al.\'s "best match length"; of two equally close, the shorter).',
      'r 取成了最短参考译文的长度，而不是与候选译文长度最接近的那个参考的长度（Papineni 等人所说的“最佳匹配长度”；两个一样接近时取较短的）。',
    ),
    hint: t(
      'For each reference compute d = |len − hypLen|; keep the length with the smallest d, and on a tie the smaller length.',
      '对每个参考计算 d = |len − hypLen|；保留 d 最小的长度，d 相同时取较小的长度。',
    ),
  },
  'arithmetic-mean': {
    message: t(
      'The n-gram precisions were averaged arithmetically: BLEU takes their geometric mean, exp(Σ (1/N) log p_n), so one precision near 0 pulls the whole score towards 0.',
      'n 元精确率用了算术平均：BLEU 取的是几何平均 exp(Σ (1/N) log p_n)，所以只要有一个精确率接近 0，整个分数就会被拉向 0。',
    ),
    hint: t('Sum Math.log(p_n) / N over n = 1..N and take Math.exp of the sum; any p_n = 0 gives BLEU 0.', '对 n = 1..N 累加 Math.log(p_n) / N，再对和取 Math.exp；任何一个 p_n = 0 都使 BLEU 为 0。'),
  },
  'sentence-average': {
    message: t(
      'This is the average of the sentences\' BLEU scores, not corpus BLEU: corpus BLEU sums the clipped matches, the n-gram counts and the lengths c and r over all sentences first, and computes one precision per order and one brevity penalty from the sums (NLTK\'s own example: 0.5920... against the average 0.6223...).',
      '这是各句 BLEU 分数的平均值，而不是语料级 BLEU：语料级 BLEU 先在所有句子上累加截断后的匹配数、n 元组总数以及长度 c 和 r，再由这些总和算出每一阶的精确率和一个简短惩罚（NLTK 自己的例子：0.5920...，而句子平均是 0.6223...）。',
    ),
    hint: t(
      'Keep running sums matches[n], totals[n], c and r across the hypotheses; compute the precisions and the penalty only after the loop.',
      '在遍历假设时维护累加量 matches[n]、totals[n]、c 和 r；循环结束之后再算精确率和简短惩罚。',
    ),
  },
  'bleu-percent': {
    convention: 'sacreBLEU',
    message: t(
      'This is sacreBLEU\'s convention: it reports BLEU on a 0–100 scale (a score of 59.2). This lesson returns it on 0–1, as NLTK\'s corpus_bleu and the BLEU paper do, because the other scores here (ROUGE-L, probabilities) are fractions too; divide by 100.',
      '这是 sacreBLEU 的约定：它把 BLEU 报告在 0–100 的刻度上（比如 59.2 分）。本课与 NLTK 的 corpus_bleu 和 BLEU 论文一样，返回 0–1 之间的值，因为本课其他的分数（ROUGE-L、概率）也都是分数；请除以 100。',
    ),
    hint: t('Return brevityPenalty(c, r) * Math.exp(logSum), without the factor 100.', '返回 brevityPenalty(c, r) * Math.exp(logSum)，不要乘 100。'),
  },
  'nltk-floor': {
    convention: 'NLTK',
    message: t(
      'This is NLTK\'s convention: its modified_precision counts a sentence\'s n-grams as max(1, count), so a hypothesis shorter than n adds 1 to the corpus denominator of order n. This lesson, like the BLEU paper and sacreBLEU, sums the true counts (a 3-token hypothesis has no 4-grams, right or wrong), which is why sacreBLEU\'s published 0.4919... on its README corpus needs them; use total = the number of n-grams, 0 when there are none.',
      '这是 NLTK 的约定：它的 modified_precision 把一个句子的 n 元组数记为 max(1, count)，所以比 n 还短的假设会让第 n 阶的语料分母多出 1。本课与 BLEU 论文和 sacreBLEU 一样累加真实的计数（3 个词元的假设根本没有 4 元组，谈不上对错），所以 sacreBLEU 在它 README 语料上公布的 0.4919... 要求用真实计数；请让 total 等于 n 元组的个数，没有时为 0。',
    ),
    hint: t('In modifiedPrecision return { matches, total } with total = Σ counts, without Math.max(1, ...).', '在 modifiedPrecision 中返回 { matches, total }，其中 total = Σ counts，不要用 Math.max(1, ...)。'),
  },
  'lcs-chars': {
    message: t(
      'The longest common subsequence was taken over characters, not tokens: ROUGE-L counts words in order, so the strings must be split into tokens (tokens(x)) before the LCS, and P and R divide by numbers of tokens.',
      '最长公共子序列是在字符上求的，而不是在词元上：ROUGE-L 统计的是按顺序出现的词，所以求 LCS 之前必须先把字符串切分成词元（tokens(x)），P 和 R 的分母也是词元数。',
    ),
    hint: t('const c = tokens(candidate), r = tokens(reference); then the LCS of the two arrays.', 'const c = tokens(candidate), r = tokens(reference)；再对这两个数组求 LCS。'),
  },
  'beta-swapped': {
    message: t(
      'β weighs the wrong side: in Lin\'s F = (1 + β²) P R / (R + β² P), a large β favours recall (ROUGE is recall-oriented; β → ∞ gives R). Yours favours precision, (1 + β²) P R / (P + β² R).',
      'β 加权到了错误的一侧：在 Lin 的 F = (1 + β²) P R / (R + β² P) 中，β 越大越偏向召回率（ROUGE 以召回为导向；β → ∞ 时 F 就是 R）。你的写法 (1 + β²) P R / (P + β² R) 偏向的是精确率。',
    ),
    hint: t('The denominator is recall + beta * beta * precision.', '分母是 recall + beta * beta * precision。'),
  },
});

export type EvalMistake = keyof typeof EVAL_MISTAKES;
