/**
 * What a learner is told when their attention matches a catalogued mistake (the course's reference.ts computes
 * each one as a wrong variant), in English and Simplified Chinese. One place for the words, so the checks and
 * the test that puts every mistake through the runner (test/unit/mistakes/attention.ts) agree on them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const ATTENTION_MISTAKE_TEXT = defineMistakes({
  'no-scale': {
    message: t(
      'The scores are not scaled: your weights are softmax(q·kᵀ), not softmax(q·kᵀ / √d_k). Without the scale the scores grow with the head size and the softmax turns nearly one-hot.',
      '注意力分数没有缩放：你的权重是 softmax(q·kᵀ)，而不是 softmax(q·kᵀ / √d_k)。不缩放的话，分数会随头维度增大而变大，softmax 几乎变成 one-hot。',
    ),
    hint: t(
      'Multiply q @ kᵀ by 1 / Math.sqrt(d), where d is the last dimension of q.',
      '把 q @ kᵀ 乘以 1 / Math.sqrt(d)，其中 d 是 q 的最后一维。',
    ),
  },
  'scale-by-d': {
    message: t(
      'The scores were divided by d_k instead of √d_k: the weights come out too flat.',
      '分数除以了 d_k，而不是 √d_k：得到的权重太平了。',
    ),
    hint: t(
      'The dot product of two random d-vectors has a standard deviation of about √d, so that is what to divide by: 1 / Math.sqrt(d).',
      '两个随机 d 维向量的点积，标准差约为 √d，所以应当除以它：1 / Math.sqrt(d)。',
    ),
  },
  'softmax-over-queries': {
    message: t(
      'The softmax ran over the wrong axis: your columns sum to 1, not your rows. Each query (a row) needs its own probability distribution over the keys.',
      'softmax 沿错了轴：你的每一列之和为 1，而不是每一行。每个 query（一行）都需要一个在 key 上的概率分布。',
    ),
    hint: t(
      'softmax(scores, -1): the last axis of the (..., T_q, T_k) scores is the keys.',
      'softmax(scores, -1)：形状为 (..., T_q, T_k) 的分数，最后一个轴是 key。',
    ),
  },
  'mask-after-softmax': {
    message: t(
      'The mask was applied after the softmax: the future gets weight 0, but the rows no longer sum to 1 (the probability the future had was thrown away, not shared out).',
      '掩码是在 softmax 之后施加的：未来位置的权重虽然是 0，但每行之和不再是 1（原本分给未来的概率被直接丢掉了，而没有重新分配）。',
    ),
    hint: t(
      'Fill the future scores with -Infinity first, then take the softmax: e^(-∞) = 0, and the remaining weights are normalised among themselves.',
      '先把未来位置的分数填成 -Infinity，再做 softmax：e^(-∞) = 0，剩下的权重在它们之间归一化。',
    ),
  },
  'mask-with-zero': {
    message: t(
      'The future was masked with 0 instead of -Infinity: a score of 0 still gets weight e^0 / sum > 0, so every query still looks at tokens that come after it.',
      '未来位置用 0 而不是 -Infinity 填充：分数为 0 仍然得到 e^0 / sum > 0 的权重，所以每个 query 仍然能看到它后面的 token。',
    ),
    hint: t(
      'maskedFill(scores, mask, -Infinity): after the softmax, e^(-∞) = 0 exactly.',
      'maskedFill(scores, mask, -Infinity)：softmax 之后，e^(-∞) 恰好等于 0。',
    ),
  },
  'no-mask': {
    message: t(
      'With causal = true there is no mask: query i sees every key, including the future (j > i).',
      'causal = true 时却没有掩码：query i 能看到所有 key，包括未来的（j > i）。',
    ),
    hint: t(
      'Build a (T, T) mask that is 1 where j > i and fill those scores with -Infinity before the softmax.',
      '构造一个 (T, T) 的掩码，在 j > i 处为 1，并在 softmax 之前把这些位置的分数填成 -Infinity。',
    ),
  },
  'mask-includes-diagonal': {
    message: t(
      'The causal mask is off by one: it also hides the diagonal (key j = query i), so a token cannot see itself, and the first row, with nothing left to see, becomes NaN.',
      '因果掩码差了一位：它把对角线（key j = query i）也遮住了，于是 token 看不见自己，而第一行什么都看不到，变成了 NaN。',
    ),
    hint: t(
      'Mask only the strict future: j > i, not j >= i.',
      '只遮住严格的未来：j > i，而不是 j >= i。',
    ),
  },
  'mask-leaks-next': {
    message: t(
      'The causal mask is off by one: query i can still see key i + 1, one token into the future.',
      '因果掩码差了一位：query i 仍然能看到 key i + 1，即未来的一个 token。',
    ),
    hint: t(
      'Mask every key with j > i (the first masked key of row i is i + 1).',
      '遮住所有 j > i 的 key（第 i 行第一个被遮住的 key 是 i + 1）。',
    ),
  },
  'k-not-transposed': {
    message: t(
      'k was not transposed: you computed q @ k instead of q @ kᵀ. (It ran only because this input is square, d = T.)',
      'k 没有转置：你算的是 q @ k，而不是 q @ kᵀ。（能运行只是因为这个输入是方阵，d = T。）',
    ),
    hint: t(
      'transpose(k, -2, -1) turns (..., T, d) into (..., d, T), so q (..., T, d) @ kᵀ (..., d, T) gives the (..., T, T) scores.',
      'transpose(k, -2, -1) 把 (..., T, d) 变成 (..., d, T)，于是 q (..., T, d) @ kᵀ (..., d, T) 得到 (..., T, T) 的分数。',
    ),
  },
  'k-transposed-0-1': {
    message: t(
      'k was transposed along the wrong axes: transpose(k, 0, 1) swaps the batch and head axes of a (B, nh, T, d) tensor, not time and features.',
      'k 沿错了轴转置：对 (B, nh, T, d) 的张量，transpose(k, 0, 1) 交换的是批次轴和头轴，而不是时间轴和特征轴。',
    ),
    hint: t(
      'Use transpose(k, -2, -1): always the last two axes, whatever the rank.',
      '用 transpose(k, -2, -1)：无论有几个维度，总是最后两个轴。',
    ),
  },
  'k-transposed-1-2': {
    message: t(
      'k was transposed along the wrong axes: transpose(k, 1, 2) is the head/time swap of multi-head attention, not kᵀ.',
      'k 沿错了轴转置：transpose(k, 1, 2) 是多头注意力里交换头轴和时间轴的那一步，不是 kᵀ。',
    ),
    hint: t(
      'Use transpose(k, -2, -1): always the last two axes, whatever the rank.',
      '用 transpose(k, -2, -1)：无论有几个维度，总是最后两个轴。',
    ),
  },
  'k-wrong-axes': {
    message: t(
      'Your attention is right for a single (T, d) matrix but not for a batch (..., T, d): k is transposed along fixed axes such as (0, 1), which are the time and feature axes only when k is 2-D.',
      '你的注意力对单个 (T, d) 矩阵是对的，对批次 (..., T, d) 却不对：k 沿 (0, 1) 这样写死的轴转置，而它们只有在 k 是二维时才是时间轴和特征轴。',
    ),
    hint: t(
      'Use transpose(k, -2, -1): negative axes count from the end, so this is kᵀ for every rank.',
      '用 transpose(k, -2, -1)：负数轴从末尾数起，所以对任意维数它都是 kᵀ。',
    ),
  },
  overflow: {
    message: t(
      'Huge scores overflowed: e^score became Infinity (past e^88 in float32, past e^709 even in float64) and Infinity / Infinity = NaN. Your softmax does not subtract each row\'s maximum first.',
      '很大的分数溢出了：e^score 变成了 Infinity（float32 中超过 e^88 就会溢出，即使用 float64，超过 e^709 也会溢出），而 Infinity / Infinity = NaN。你的 softmax 没有先减去每行的最大值。',
    ),
    hint: t(
      'Use the kit\'s softmax(scores, -1), or subtract the row maximum before exp (as in the tensors lesson): the result is the same and nothing overflows.',
      '用工具包的 softmax(scores, -1)，或在 exp 之前先减去该行的最大值（和张量一课一样）：结果不变，也不会溢出。',
    ),
  },
});
