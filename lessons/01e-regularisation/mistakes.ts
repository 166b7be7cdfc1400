/**
 * The regularisation lesson's catalogue of known mistakes (exercise regularisation/norm): what a learner is told
 * when their dropout, BatchNorm1d or layerNorm does one of these. One place for the words, so the checks and the test
 * that puts every mistake through the runner (test/unit/mistakes/regularisation.ts) agree.
 *
 * Entries marked `convention` are another library's (or paper's) way, not a mistake: TensorFlow 1's keep_prob, the
 * original dropout paper's scaling at test time, and Keras's definition of BatchNorm's momentum. The checks name them
 * as conventions.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const REGULARISATION_MISTAKES = defineMistakes({
  // dropout
  'dropout-in-eval': {
    message: t(
      'dropout changed x in eval mode: with training = false it must return x unchanged, whatever p is. At inference every unit is present, and the 1 / (1 - p) scale in training already made the expected values match.',
      'dropout 在评估模式下改变了 x：training = false 时，无论 p 是多少，都必须原样返回 x。推理时所有单元都在，训练时乘的 1 / (1 - p) 已经让期望值对上了。',
    ),
    hint: t(
      'Start with: if (!training || p === 0) return x; only training mode draws a mask.',
      '开头先写 if (!training || p === 0) return x，只有训练模式才抽取掩码。',
    ),
  },
  'dropout-no-rescale': {
    message: t(
      'dropout zeroed elements but did not rescale the kept ones: their expected value is then (1 - p) · x in training and x in eval, so the next layer sees inputs of another size at inference. Inverted dropout multiplies the kept elements by 1 / (1 - p).',
      'dropout 把部分元素置零了，却没有放大保留下来的元素：这样训练时的期望值是 (1 - p) · x，评估时却是 x，下一层在推理时看到的输入大小就变了。倒置 dropout 要把保留的元素乘以 1 / (1 - p)。',
    ),
    hint: t(
      'mask[i] = rng.random() < p ? 0 : 1 / (1 - p); return mul(x, mask).',
      'mask[i] = rng.random() < p ? 0 : 1 / (1 - p)；然后 return mul(x, mask)。',
    ),
  },
  'dropout-scale-p': {
    message: t(
      'dropout multiplied the kept elements by p instead of 1 / (1 - p): each element must keep its expected value, (1 - p) · x / (1 - p) = x.',
      'dropout 把保留的元素乘以了 p，而不是 1 / (1 - p)：每个元素的期望值必须保持不变，即 (1 - p) · x / (1 - p) = x。',
    ),
    hint: t(
      'p is the probability of DROPPING an element; a kept element (probability 1 - p) is scaled by 1 / (1 - p).',
      'p 是丢弃一个元素的概率；被保留的元素（概率 1 - p）乘以 1 / (1 - p)。',
    ),
  },
  'dropout-keep-prob': {
    convention: 'TensorFlow 1.x (keep_prob)',
    message: t(
      'Here p is the probability of KEEPING an element (kept with probability p, scaled by 1 / p): that is the convention of TensorFlow 1.x (keep_prob), whose tf.nn.dropout took keep_prob. This lesson, like PyTorch (nn.Dropout(p)) and TensorFlow 2 (rate), takes p as the probability of dropping: zero an element when rng.random() < p and scale the kept ones by 1 / (1 - p).',
      '这里的 p 是保留一个元素的概率（以概率 p 保留，乘以 1 / p）：这是 TensorFlow 1.x (keep_prob) 的约定，它的 tf.nn.dropout 接收的是 keep_prob。本课和 PyTorch（nn.Dropout(p)）、TensorFlow 2（rate）一样，把 p 当作丢弃的概率：当 rng.random() < p 时把元素置零，保留的元素乘以 1 / (1 - p)。',
    ),
    hint: t(
      'Drop with probability p, keep with probability 1 - p: mask[i] = rng.random() < p ? 0 : 1 / (1 - p).',
      '以概率 p 丢弃、以概率 1 - p 保留：mask[i] = rng.random() < p ? 0 : 1 / (1 - p)。',
    ),
  },
  'dropout-test-time-scale': {
    convention: 'Srivastava et al. (2014)',
    message: t(
      'dropout leaves the kept elements unscaled in training and multiplies x by (1 - p) in eval mode: that is the convention of the original dropout paper, Srivastava et al. (2014), which scales the weights at test time. This lesson uses inverted dropout, as PyTorch and TensorFlow do: the 1 / (1 - p) goes into training, so eval mode is the plain network and returns x unchanged. Scale the kept elements by 1 / (1 - p) in training and return x in eval.',
      'dropout 在训练时不放大保留的元素，在评估模式下把 x 乘以 (1 - p)：这是最初的 dropout 论文 Srivastava et al. (2014) 的约定，它在测试时缩放权重。本课和 PyTorch、TensorFlow 一样使用倒置 dropout：1 / (1 - p) 放在训练时，于是评估模式就是原来的网络，原样返回 x。请在训练时把保留的元素乘以 1 / (1 - p)，评估时返回 x。',
    ),
    hint: t(
      'Training: mul(x, mask) with mask values 0 or 1 / (1 - p). Eval: return x.',
      '训练：mul(x, mask)，掩码的值是 0 或 1 / (1 - p)。评估：return x。',
    ),
  },
  'dropout-p1-nan': {
    message: t(
      'dropout with p = 1 returned NaN: 1 / (1 - p) is Infinity there, and a dropped element is 0 · Infinity = NaN. With p = 1 every element is dropped, so the output is all zeros.',
      'p = 1 时 dropout 返回了 NaN：此时 1 / (1 - p) 是 Infinity，被丢弃的元素成了 0 · Infinity = NaN。p = 1 时所有元素都被丢弃，输出应当全是零。',
    ),
    hint: t(
      'Handle p === 1 before computing the scale: return mul(x, 0) (or zeros of x\'s shape).',
      '在计算缩放系数之前先处理 p === 1：return mul(x, 0)（或与 x 同形的全零张量）。',
    ),
  },
  'dropout-not-seeded': {
    message: t(
      'The dropout mask does not come from the rng you were given: the same seed must give the same mask (so a training run can be repeated), and another seed another mask.',
      'dropout 的掩码不是用传进来的 rng 生成的：同一个种子必须得到同一个掩码（这样训练才能复现），不同的种子得到不同的掩码。',
    ),
    hint: t(
      'Draw every decision with rng.random(), the rng argument, not Math.random() or a new Rng of your own.',
      '每个元素的去留都用参数 rng 的 rng.random() 来抽取，不要用 Math.random() 或自己新建的 Rng。',
    ),
  },
  // BatchNorm1d
  'bn-eval-batch-stats': {
    message: t(
      'In eval mode BatchNorm1d normalised with the statistics of the batch it was given: eval mode must use the running mean and variance, so that a sample\'s output does not depend on the other samples in its batch (and a batch of one works).',
      '在评估模式下，BatchNorm1d 用的是当前批次的统计量：评估模式必须使用滑动平均的均值和方差，这样一个样本的输出才不依赖于同一批次里的其他样本（批次大小为 1 时也能工作）。',
    ),
    hint: t(
      'if (this.training) { batch statistics, update the running ones } else { m = this.runningMean; v = this.runningVar; }',
      'if (this.training) { 用批次统计量，并更新滑动统计量 } else { m = this.runningMean; v = this.runningVar; }',
    ),
  },
  'bn-running-not-updated': {
    message: t(
      'The running statistics were never updated in training: runningMean is still 0 and runningVar still 1, so eval mode would normalise with numbers that have nothing to do with the data.',
      '训练时滑动统计量从未更新：runningMean 仍然是 0，runningVar 仍然是 1，于是评估模式会用与数据毫无关系的数去做归一化。',
    ),
    hint: t(
      'In training, after computing the batch mean and variance: runningMean = (1 - momentum) · runningMean + momentum · mean, the same for runningVar (with the unbiased variance). Assign the new tensors to this.runningMean and this.runningVar.',
      '训练时算出批次均值和方差之后：runningMean = (1 - momentum) · runningMean + momentum · mean，runningVar 同理（用无偏方差）。把新张量赋给 this.runningMean 和 this.runningVar。',
    ),
  },
  'bn-momentum-reversed': {
    convention: 'Keras',
    message: t(
      'The running statistics keep momentum of the old value and take 1 - momentum of the batch: that is the convention of Keras, whose BatchNormalization computes moving = moving · momentum + batch · (1 - momentum) with momentum = 0.99. This lesson follows PyTorch: momentum (0.1 by default) is the weight of the NEW batch statistic, running = (1 - momentum) · running + momentum · batch. Swap the two weights.',
      '滑动统计量保留了旧值的 momentum，只取了批次统计量的 1 - momentum：这是 Keras 的约定，它的 BatchNormalization 计算 moving = moving · momentum + batch · (1 - momentum)，默认 momentum = 0.99。本课遵循 PyTorch：momentum（默认 0.1）是新批次统计量的权重，running = (1 - momentum) · running + momentum · batch。请把两个权重对调。',
    ),
    hint: t(
      'add(mul(this.runningMean, 1 - momentum), mul(batchMean, momentum)).',
      'add(mul(this.runningMean, 1 - momentum), mul(batchMean, momentum))。',
    ),
  },
  'bn-default-momentum-keras': {
    convention: 'Keras',
    message: t(
      'The default momentum is 0.99: that is the convention of Keras, whose BatchNormalization(momentum=0.99) keeps 0.99 of the old moving average at each step. This lesson follows PyTorch, where momentum is the weight of the NEW batch statistic (PyTorch\'s momentum is 1 - Keras\'s), with the default 0.1: make the default 0.1.',
      '默认 momentum 是 0.99：这是 Keras 的约定，它的 BatchNormalization(momentum=0.99) 每一步保留旧滑动平均的 0.99。本课遵循 PyTorch：momentum 是新批次统计量的权重（PyTorch 的 momentum 等于 1 - Keras 的 momentum），默认值为 0.1：请把默认值设为 0.1。',
    ),
    hint: t(
      'this.momentum = opts.momentum ?? 0.1; and running = (1 - momentum) · running + momentum · batch.',
      '写成 this.momentum = opts.momentum ?? 0.1，并且 running = (1 - momentum) · running + momentum · batch。',
    ),
  },
  'bn-running-var-biased': {
    message: t(
      'The running variance was updated with the biased batch variance (÷ N): this lesson, like PyTorch and the BatchNorm paper, normalises the batch with the biased variance but updates the running variance with the unbiased one (÷ (N - 1)), the better estimate of the population\'s variance for eval mode.',
      '滑动方差是用有偏的批次方差（÷ N）更新的：本课和 PyTorch、BatchNorm 论文一样，用有偏方差归一化当前批次，但用无偏方差（÷ (N - 1)）更新滑动方差，因为它对评估时所用的总体方差估计得更好。',
    ),
    hint: t(
      'Multiply the biased variance by N / (N - 1) before the running update, or use variance(x, 0, false, true).',
      '在滑动更新之前把有偏方差乘以 N / (N - 1)，或者用 variance(x, 0, false, true)。',
    ),
  },
  'bn-unbiased-normalise': {
    message: t(
      'BatchNorm1d normalised the batch with the unbiased variance (÷ (N - 1)): training mode normalises with the biased one (÷ N), as PyTorch and the BatchNorm paper do; only the running variance uses ÷ (N - 1).',
      'BatchNorm1d 用无偏方差（÷ (N - 1)）归一化了当前批次：训练模式应当用有偏方差（÷ N）来归一化，PyTorch 和 BatchNorm 论文都是这样；只有滑动方差才用 ÷ (N - 1)。',
    ),
    hint: t(
      'variance(x, 0, true) is biased by default; the unbiased flag is only for the running update.',
      'variance(x, 0, true) 默认就是有偏的；无偏只用于滑动统计量的更新。',
    ),
  },
  'bn-wrong-axis': {
    message: t(
      'BatchNorm1d normalised each sample over its features (axis 1, what LayerNorm does): BatchNorm normalises each feature over the batch, axis 0 of the (N, C) input, so every feature gets mean 0 and variance 1 across the samples.',
      'BatchNorm1d 对每个样本在它的特征上做了归一化（第 1 轴，这是 LayerNorm 的做法）：BatchNorm 要对每个特征在批次上归一化，即 (N, C) 输入的第 0 轴，使每个特征在所有样本上的均值为 0、方差为 1。',
    ),
    hint: t(
      'mean(x, 0, true) and variance(x, 0, true) are (1, C): one statistic per feature, broadcast over the N rows.',
      'mean(x, 0, true) 和 variance(x, 0, true) 的形状是 (1, C)：每个特征一个统计量，在 N 行上广播。',
    ),
  },
  'bn-stats-detached': {
    message: t(
      'The gradient of x treats the batch mean and variance as constants: in training they are computed from x, so gradient flows through them too (that is what makes BatchNorm\'s dx sum to zero over the batch).',
      'x 的梯度把批次均值和方差当成了常数：训练时它们是由 x 算出来的，所以梯度也要流过它们（正因如此，BatchNorm 的 dx 在批次上求和为零）。',
    ),
    hint: t(
      'Compute the batch statistics with kit ops on x (mean(x, 0, true), variance(x, 0, true)), not from x.data into a new tensor, and do not detach them; only the running update goes under noGrad.',
      '用库里的运算基于 x 计算批次统计量（mean(x, 0, true)、variance(x, 0, true)），不要从 x.data 读出来再新建张量，也不要 detach；只有滑动统计量的更新放在 noGrad 里。',
    ),
  },
  // layerNorm
  'ln-wrong-axis': {
    message: t(
      'layerNorm normalised over the first axis (across the batch, what BatchNorm does): LayerNorm normalises each row over the LAST axis, the C features of one sample, so it does not depend on the other samples.',
      'layerNorm 在第一个轴上做了归一化（跨批次，这是 BatchNorm 的做法）：LayerNorm 要对每一行在最后一个轴上归一化，即一个样本的 C 个特征，这样它就不依赖于其他样本。',
    ),
    hint: t(
      'mean(x, -1, true) and variance(x, -1, true): -1 is the last axis, and keepdim makes them (..., 1) so they broadcast.',
      'mean(x, -1, true) 和 variance(x, -1, true)：-1 是最后一个轴，keepdim 让它们的形状为 (..., 1)，可以广播。',
    ),
  },
  'ln-unbiased': {
    message: t(
      'layerNorm used the unbiased variance (÷ (C - 1)): LayerNorm divides by C, as PyTorch\'s nn.LayerNorm and the kit\'s layerNorm do.',
      'layerNorm 用了无偏方差（÷ (C - 1)）：LayerNorm 应当除以 C，PyTorch 的 nn.LayerNorm 和库里的 layerNorm 都是这样。',
    ),
    hint: t(
      'variance(x, -1, true) is biased (÷ C) by default; torch.var is unbiased by default, so PyTorch code writes unbiased=False.',
      'variance(x, -1, true) 默认是有偏的（÷ C）；torch.var 默认是无偏的，所以 PyTorch 代码里要写 unbiased=False。',
    ),
  },
  'ln-eps-ignored': {
    message: t(
      'layerNorm ignored its eps argument: the result matches eps = 1e-5 whatever eps was passed. eps goes under the square root, √(var + eps).',
      'layerNorm 忽略了参数 eps：无论传入的 eps 是多少，结果都与 eps = 1e-5 时一样。eps 要加在平方根里面：√(var + eps)。',
    ),
    hint: t(
      'sqrt(add(v, eps)) with the eps you were given (its default, 1e-5, is only for calls that pass none).',
      'sqrt(add(v, eps))，用传进来的 eps（默认值 1e-5 只用于调用时没有传 eps 的情况）。',
    ),
  },
});

export type RegularisationMistake = keyof typeof REGULARISATION_MISTAKES;
