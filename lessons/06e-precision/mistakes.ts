/**
 * The precision lesson's catalogue of known mistakes: what a learner is told when their rounding, accumulation, loss
 * scaler or mixed-precision step matches one (the course references in @llm-lab/course/tokens compute each wrong
 * variant). None of them is another library's convention: PyTorch, NVIDIA's apex and the mixed-precision paper agree
 * on every point named here (see the lesson's "Conventions" for where libraries do differ, and what is accepted).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const PRECISION_MISTAKES = defineMistakes({
  'fp16-ties-away': {
    message: t(
      'A value exactly halfway between two fp16 neighbours was rounded away from zero: IEEE 754 (and every GPU, and PyTorch\'s .half()) rounds a tie to the EVEN neighbour, the one whose last mantissa bit is 0. Rounding ties away from zero biases every sum upwards in magnitude.',
      '恰好落在两个相邻 fp16 值正中间的数被朝远离零的方向舍入了：IEEE 754（以及所有 GPU 和 PyTorch 的 .half()）把这种“平局”舍入到偶数邻居，即尾数最后一位为 0 的那个。平局远离零舍入会让每次求和在绝对值上系统性偏大。',
    ),
    hint: t(
      'With q = |x| / ulp: f = Math.floor(q), d = q - f; round up when d > 0.5, down when d < 0.5, and when d === 0.5 to whichever of f, f + 1 is even. Math.round(q) rounds every tie up.',
      '设 q = |x| / ulp：f = Math.floor(q)，d = q - f；d > 0.5 时进位，d < 0.5 时舍去，d === 0.5 时取 f 与 f + 1 中的偶数。Math.round(q) 会把所有平局都向上舍入。',
    ),
  },
  'fp16-saturate': {
    message: t(
      'A value too large for fp16 was clamped to 65504: in IEEE half precision (and in PyTorch) it becomes ±Infinity. |x| >= 65520, halfway between 65504 and 2^16, rounds to Infinity; that Infinity is exactly what loss scaling detects as an overflow.',
      '一个超出 fp16 范围的值被截到了 65504：在 IEEE 半精度（以及 PyTorch）中它会变成 ±Infinity。|x| >= 65520（65504 与 2^16 的中点）舍入为 Infinity；损失缩放正是靠这个 Infinity 来发现溢出的。',
    ),
    hint: t('if (Math.abs(x) >= 65520) the result is x > 0 ? Infinity : -Infinity.', 'if (Math.abs(x) >= 65520)，结果为 x > 0 ? Infinity : -Infinity。'),
  },
  'fp16-flush-subnormals': {
    message: t(
      'Values below 2^-14 (fp16\'s smallest normal number, about 6.1e-5) were flushed to zero: IEEE half precision has subnormals down to 2^-24 (about 6e-8), with a fixed spacing of 2^-24, and only values below 2^-25 round to zero. Small gradients live exactly there.',
      '小于 2^-14（fp16 最小的正规数，约 6.1e-5）的值被直接清零了：IEEE 半精度有非正规数，一直到 2^-24（约 6e-8），间距固定为 2^-24，只有小于 2^-25 的值才舍入为零。小梯度恰恰就落在这个区间。',
    ),
    hint: t('Below 2^-14 keep the exponent at -14: ulp = 2 ** (Math.max(e, -14) - 10), and round |x| / ulp as usual.', '在 2^-14 以下把指数固定为 -14：ulp = 2 ** (Math.max(e, -14) - 10)，然后照常对 |x| / ulp 舍入。'),
  },
  'bf16-truncate': {
    message: t(
      'bf16 was made by truncation (the last 16 bits of the float32 dropped, or rounded towards zero): PyTorch\'s .bfloat16() and the hardware round to nearest, ties to even. Truncation makes every value a little smaller in magnitude, a bias that adds up.',
      'bf16 是靠截断得到的（直接丢掉 float32 的低 16 位，或朝零舍入）：PyTorch 的 .bfloat16() 和硬件都是就近舍入、平局取偶。截断会让每个值的绝对值都偏小一点，这种偏差会不断累积。',
    ),
    hint: t(
      'On the float32 bits u: u + 0x7fff + ((u >>> 16) & 1), then keep the top 16 bits (& 0xffff0000). NaN stays NaN.',
      '对 float32 的位模式 u：先加上 0x7fff + ((u >>> 16) & 1)，再只保留高 16 位（& 0xffff0000）。NaN 保持为 NaN。',
    ),
  },
  'no-accum-scaling': {
    message: t(
      'The micro batches\' losses were backpropagated as they are: the accumulated gradient is the SUM of k mean gradients, about k times the full batch\'s. Each micro batch\'s loss must be weighted by its share of the batch (1/k when they are all the same size) before backward.',
      '各个微批次的损失被原样反向传播了：累积得到的梯度是 k 个平均梯度之和，约为整批梯度的 k 倍。每个微批次的损失在 backward 之前都要乘以它在整批中所占的比例（大小都相同时就是 1/k）。',
    ),
    hint: t(
      'N = Σ mb.tokens over the micro batches; for each one: mul(lossFn(mb), mb.tokens / N).backward().',
      'N = 所有微批次的 mb.tokens 之和；对每个微批次：mul(lossFn(mb), mb.tokens / N).backward()。',
    ),
  },
  'mean-of-means': {
    message: t(
      'Every micro batch was weighted 1/k although they hold different numbers of tokens (or sequences): that is the mean of the micro batches\' means, not the full batch\'s mean, and tokens in small micro batches count more. Weight each by its share, count / total (the bug Hugging Face transformers\' Trainer fixed in 2024; nanoGPT\'s division by the number of steps is exact because its micro batches are all full).',
      '尽管各个微批次含有的词元（或序列）数目不同，每个微批次却都按 1/k 加权：这算的是各微批次均值的平均，而不是整批的均值，小微批次里的词元会被多算。应按各自所占比例 count / total 加权（Hugging Face transformers 的 Trainer 在 2024 年修复的正是这个问题；nanoGPT 除以累积步数是精确的，因为它的微批次总是满的）。',
    ),
    hint: t(
      'Count the unit the mean is over (mb.tokens for mean "token", mb.sequences for "sequence"), total it over all micro batches first, then weight each loss by count / total.',
      '先确定均值所对应的单位（mean 为 "token" 时用 mb.tokens，为 "sequence" 时用 mb.sequences），先对所有微批次求总数，再把每个损失乘以 count / total。',
    ),
  },
  'scale-not-reduced': {
    message: t(
      'After an overflow the loss scale was not reduced: the next step overflows again, and again, and training stops. On inf/NaN gradients the scale is multiplied by backoffFactor (0.5) and the count of good steps restarts at 0.',
      '发生溢出之后损失缩放系数没有减小：下一步会再次溢出，一再溢出，训练就停滞了。梯度中出现 inf/NaN 时，缩放系数要乘以 backoffFactor（0.5），好步计数重新从 0 开始。',
    ),
    hint: t('In update(foundInf): if (foundInf) { this.scale *= this.backoffFactor; this.goodSteps = 0; return; }', '在 update(foundInf) 中：if (foundInf) { this.scale *= this.backoffFactor; this.goodSteps = 0; return; }'),
  },
  'step-not-skipped': {
    message: t(
      'The weights were updated with gradients that overflowed (inf or NaN): the step must be skipped, nothing updated, only the scale reduced. One such step puts NaN or Infinity into the master weights for good.',
      '用溢出（inf 或 NaN）的梯度更新了权重：这一步必须跳过，什么都不更新，只减小缩放系数。只要有一步这样做，NaN 或 Infinity 就会永久进入主权重。',
    ),
    hint: t(
      'After unscaling: if (scaler.foundInf(grads)) { scaler.update(true); return { loss, skipped: true, gradNorm: Infinity }; } before any clipping or update.',
      '反缩放之后：if (scaler.foundInf(grads)) { scaler.update(true); return { loss, skipped: true, gradNorm: Infinity }; }，要放在任何裁剪和更新之前。',
    ),
  },
  'unscale-after-clip': {
    message: t(
      'The gradients were clipped while still scaled, and unscaled after: their norm is then loss-scale times too large, every step is clipped, and after unscaling the update is tiny. Unscale first (divide by the scale), check for inf/NaN, then clip the true gradients to maxNorm (as PyTorch\'s scaler.unscale_(optimizer) before clip_grad_norm_).',
      '梯度在仍处于缩放状态时就被裁剪，之后才反缩放：这时它们的范数大了“缩放系数”倍，每一步都会被裁剪，反缩放之后更新量微乎其微。应先反缩放（除以缩放系数），检查 inf/NaN，再把真实梯度裁剪到 maxNorm（就像 PyTorch 在 clip_grad_norm_ 之前调用 scaler.unscale_(optimizer)）。',
    ),
    hint: t('Order: round to fp16, g /= scaler.scale, foundInf → skip, then the norm and the clipping, then the update.', '顺序：舍入到 fp16，g /= scaler.scale，foundInf 则跳过，然后求范数并裁剪，最后更新。'),
  },
  'fp16-update': {
    message: t(
      'The update was applied to the fp16 working copy instead of the fp32 master weights: every updated weight is rounded back to fp16, so an update smaller than half its spacing (between |w| · 2^-12 and |w| · 2^-11) is lost, and small steps never add up. Update the master, then copy master → fp16.',
      '更新被作用在了 fp16 工作副本上，而不是 fp32 主权重上：每个更新后的权重又被舍入回 fp16，所以小于其间距一半（介于 |w| · 2^-12 与 |w| · 2^-11 之间）的更新会丢失，小步长永远累积不起来。应更新主权重，再把主权重复制到 fp16。',
    ),
    hint: t(
      'master[j][i] -= lr * g[j][i] on the Float32Array master; then model[j].data.set(toFp16(master[j])).',
      '在 Float32Array 主权重上执行 master[j][i] -= lr * g[j][i]；然后 model[j].data.set(toFp16(master[j]))。',
    ),
  },
});

export type PrecisionMistake = keyof typeof PRECISION_MISTAKES;
