/**
 * The quantization lesson's catalogue of known mistakes: what a learner is told when a check recognises one. The
 * checks (quantize.checks.ts) and the test that feeds every entry through the runner (test/unit/mistakes/quantization.ts)
 * both read these words.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const QUANTIZATION_MISTAKES = defineMistakes({
  'scale-from-max': {
    message: t(
      'The scale was taken from max(w) instead of max(|w|): a tensor whose largest magnitude is negative gets a step too small, and its most negative weights are clamped at −127.',
      '缩放系数取自 max(w)，而不是 max(|w|)：绝对值最大的元素为负数时，步长就偏小，最负的那些权重被截断在 −127。',
    ),
    hint: t('scale = max over the tensor (or the row) of Math.abs(w) / 127.', 'scale = 整个张量（或该行）上 Math.abs(w) 的最大值 / 127。'),
  },
  'clamp-128': {
    message: t(
      'The codes were clamped to [−128, 128]: 128 does not fit in an int8 (Int8Array wraps it to −128), and symmetric int8 uses [−127, 127] so that +x and −x get codes of the same size.',
      '编码被截断到了 [−128, 128]：128 放不进 int8（Int8Array 会把它绕回成 −128），而对称 int8 用的是 [−127, 127]，这样 +x 和 −x 的编码大小相同。',
    ),
    hint: t('q = Math.max(-127, Math.min(127, roundHalfEven(w / scale))).', 'q = Math.max(-127, Math.min(127, roundHalfEven(w / scale)))。'),
  },
  'round-half-up': {
    message: t(
      'Halves were rounded up (Math.round: 2.5 -> 3, −2.5 -> −2), not to even as this lesson (and torch.round) states: 2.5 -> 2, 3.5 -> 4, −2.5 -> −2.',
      '恰好在一半处的值被向上舍入了（Math.round：2.5 -> 3，−2.5 -> −2），而不是本课（以及 torch.round）规定的“取偶”：2.5 -> 2，3.5 -> 4，−2.5 -> −2。',
    ),
    hint: t('f = Math.floor(x), d = x − f: d > 0.5 → f + 1; d < 0.5 → f; d === 0.5 → whichever of f, f + 1 is even.', 'f = Math.floor(x)，d = x − f：d > 0.5 → f + 1；d < 0.5 → f；d === 0.5 → f 与 f + 1 中的偶数。'),
  },
  'zero-off-by-one': {
    message: t(
      'The zero point is off by one: it must be round(−min / scale), so that the group\'s min lands on code 0 and the real 0 on an integer code.',
      '零点差了一：它应当是 round(−min / scale)，这样组内最小值落在编码 0 上，实数 0 也正好落在某个整数编码上。',
    ),
    hint: t('zero = clamp(roundHalfEven(−min / scale), 0, 15); q = clamp(roundHalfEven(w / scale) + zero, 0, 15).', 'zero = clamp(roundHalfEven(−min / scale), 0, 15)；q = clamp(roundHalfEven(w / scale) + zero, 0, 15)。'),
  },
  'group-wrong-axis': {
    message: t(
      'The groups run down the output axis (G rows of one column); they must be G consecutive weights of one row, along the input axis, which is what one output\'s dot product reads.',
      '分组沿着输出轴划分了（同一列的 G 行）；应当是同一行里连续的 G 个权重，沿输入轴划分——这正是一个输出的点积所读取的那些权重。',
    ),
    hint: t('Group g of row o holds w[o, g·G .. g·G + G − 1]; its scale and zero are at index o · (in / G) + g.', '第 o 行的第 g 组是 w[o, g·G .. g·G + G − 1]；它的缩放系数和零点位于下标 o · (in / G) + g。'),
  },
  'int4-range-8': {
    message: t(
      'Codes outside 0 .. 15: int4 has 16 levels. A range of [−8, 8] has 17 and does not fit in 4 bits; this lesson\'s asymmetric int4 stores unsigned codes 0 .. 15 and a zero point.',
      '编码超出了 0 .. 15：int4 只有 16 个等级。[−8, 8] 有 17 个，放不进 4 位；本课的非对称 int4 存储无符号编码 0 .. 15 加一个零点。',
    ),
    hint: t('scale = (max − min) / 15; q = clamp(roundHalfEven(w / scale) + zero, 0, 15).', 'scale = (max − min) / 15；q = clamp(roundHalfEven(w / scale) + zero, 0, 15)。'),
  },
  'dequant-no-zero': {
    message: t(
      'dequantizeInt4 multiplied the codes by the scale without subtracting the zero point: every value is shifted by zero · scale.',
      'dequantizeInt4 直接把编码乘以缩放系数，没有先减去零点：每个值都平移了 zero · scale。',
    ),
    hint: t('w ≈ (q − zero) · scale, with the scale and zero of the weight\'s group.', 'w ≈ (q − zero) · scale，用该权重所在组的缩放系数和零点。'),
  },
  'gptq-no-propagation': {
    message: t(
      'gptqQuantize returned exactly round-to-nearest on the same grid: the rounding error of column j was never spread over the columns after it.',
      'gptqQuantize 的结果与同一网格上的“就近舍入”完全相同：第 j 列的舍入误差没有分摊到它后面的各列。',
    ),
    hint: t('After rounding column j: err = (w[o][j] − q̂) / Hinv[j][j]; for k > j: w[o][k] −= err · Hinv[j][k]; then remove column j from Hinv.', '舍入第 j 列之后：err = (w[o][j] − q̂) / Hinv[j][j]；对 k > j：w[o][k] −= err · Hinv[j][k]；然后把第 j 列从 Hinv 中消去。'),
  },
});

export type QuantizationMistake = keyof typeof QUANTIZATION_MISTAKES;
