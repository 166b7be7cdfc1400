/**
 * What a learner is told when their flashAttention matches a catalogued mistake (src/course/scale/flash.ts computes
 * each one as a wrong variant, tile by tile), in English and Simplified Chinese.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const FLASH_MISTAKES = defineMistakes({
  'no-rescale': {
    message: t(
      'The accumulator is not rescaled when the running max grows: what was summed against the old max m_old is added to what is summed against the new max m_new as if they were on the same scale.',
      '运行最大值变大时没有重新缩放累加器：按旧最大值 m_old 累加的部分，与按新最大值 m_new 累加的部分被当成同一尺度直接相加。',
    ),
    hint: t(
      'Before adding a tile, multiply every entry of the row\'s accumulator by alpha = Math.exp(m_old - m_new), as you do with l.',
      '在加入一个分块之前，把这一行累加器的每个元素乘以 alpha = Math.exp(m_old - m_new)，和处理 l 时一样。',
    ),
  },
  'l-not-rescaled': {
    message: t(
      'The running sum l is not rescaled when the running max grows: l mixes terms exp(s - m_old) and exp(s - m_new).',
      '运行最大值变大时没有重新缩放运行和 l：l 里混着 exp(s - m_old) 和 exp(s - m_new) 两种尺度的项。',
    ),
    hint: t(
      'l = l * Math.exp(m_old - m_new) + Σ_c exp(s_c - m_new): the same alpha as the accumulator.',
      'l = l * Math.exp(m_old - m_new) + Σ_c exp(s_c - m_new)：与累加器用同一个 alpha。',
    ),
  },
  'lse-without-m': {
    message: t(
      'lse is log(l) without the max: l was summed against m, so log Σ_j exp(s_j) = m + log(l).',
      'lse 算成了 log(l)，漏掉了最大值：l 是减去 m 之后求的和，所以 log Σ_j exp(s_j) = m + log(l)。',
    ),
    hint: t('lse = m + Math.log(l) for each row, after the last tile.', '处理完最后一个分块后，每一行 lse = m + Math.log(l)。'),
  },
  'no-final-division': {
    message: t(
      'out is the accumulator itself: the final division by l is missing, so the weights do not sum to 1.',
      'out 就是累加器本身：缺少最后除以 l 这一步，所以权重之和不为 1。',
    ),
    hint: t(
      'The accumulator holds Σ_j exp(s_j - m) · v_j; after the last tile, out = acc / l.',
      '累加器里是 Σ_j exp(s_j - m) · v_j；处理完最后一个分块后，out = acc / l。',
    ),
  },
  'nan-masked-tile': {
    message: t(
      'NaN in a causal run: a row that sees no key of a tile (every score -Infinity) gave exp(-Infinity - (-Infinity)) = NaN.',
      'causal 运行中出现了 NaN：某一行在一个分块里看不到任何 key（分数全是 -Infinity），于是算出了 exp(-Infinity - (-Infinity)) = NaN。',
    ),
    hint: t(
      'When a row\'s largest score in the tile is -Infinity, skip that row for this tile (continue): it adds nothing.',
      '当某一行在分块内的最大分数是 -Infinity 时，这一行跳过这个分块（continue）：它没有任何贡献。',
    ),
  },
  'tile-local-mask': {
    message: t(
      'The causal mask compares indices inside the tile (c > r) instead of positions in the sequence (j0 + c > i0 + r): tiles below the diagonal lose keys the query may see.',
      '因果掩码比较的是分块内的下标（c > r），而不是序列中的位置（j0 + c > i0 + r）：对角线以下的分块丢掉了 query 本可以看到的 key。',
    ),
    hint: t(
      'Mask key j = j0 + c for query i = i0 + r when j > i: both positions counted from the start of the sequence.',
      '当 j > i 时屏蔽：key 的位置 j = j0 + c，query 的位置 i = i0 + r，两者都从序列开头数起。',
    ),
  },
  'full-score-matrix': {
    message: t(
      'The function allocates a buffer as large as T_q × T_k: FlashAttention never holds the whole score matrix, only one tile of it.',
      '函数分配了一个与 T_q × T_k 一样大的缓冲区：FlashAttention 从不保存完整的分数矩阵，只保存其中一个分块。',
    ),
    hint: t(
      'Keep one tile of scores (blockQ × blockK) and, per query row of the tile, m, l and an accumulator of d_v numbers; reuse them for every tile.',
      '只保留一个分数分块（blockQ × blockK），以及分块内每个 query 行的 m、l 和一个长为 d_v 的累加器；每个分块都复用它们。',
    ),
  },
});

export type FlashMistakeKey = keyof typeof FLASH_MISTAKES;
