/**
 * What a learner is told when their preference loss or pair accuracy matches a catalogued mistake, in English and
 * Simplified Chinese. One place for the words, so the checks and the test that feeds every mistake through the
 * runner (test/unit/mistakes/alignment.ts) agree on them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const REWARD_MISTAKES = defineMistakes({
  'sign-flipped': {
    message: t(
      'The sign of the difference is flipped: you computed -log σ(r_rejected - r_chosen), which is smallest when the REJECTED text gets the higher reward. A reward model trained on it learns the opposite of the preferences.',
      '差值的符号反了：你算的是 -log σ(r_rejected - r_chosen)，它在被拒绝的文本奖励更高时最小。用它训练出的奖励模型学到的恰恰是偏好的反面。',
    ),
    hint: t(
      'd = r_chosen - r_rejected, and the loss is -log σ(d): it goes to 0 as the chosen text pulls ahead (d → +∞).',
      'd = r_chosen - r_rejected，损失是 -log σ(d)：被选中的文本领先越多（d → +∞），损失越趋近于 0。',
    ),
  },
  'sigmoid-not-log': {
    message: t(
      'You returned -mean(σ(d)): the probability itself, not its logarithm. Bradley-Terry is a likelihood, and the loss is the negative LOG-likelihood, -mean(log σ(d)); without the log a pair that is badly wrong (σ(d) ≈ 0) costs almost nothing more than one that is slightly wrong, and its gradient vanishes.',
      '你返回的是 -mean(σ(d))：概率本身，而不是它的对数。Bradley-Terry 是一个似然，损失是负对数似然 -mean(log σ(d))；没有 log，一个错得离谱的偏好对（σ(d) ≈ 0）几乎不比一个略有偏差的偏好对代价更高，而且它的梯度会消失。',
    ),
    hint: t(
      'Take the log of σ(d), stably: log σ(d) = -softplus(-d), or the first column of logSoftmax over (d, 0).',
      '以数值稳定的方式对 σ(d) 取对数：log σ(d) = -softplus(-d)，或者对 (d, 0) 做 logSoftmax 后取第一列。',
    ),
  },
  'one-minus-sigmoid': {
    message: t(
      'You returned mean(1 - σ(d)): a probability of being wrong, not a negative log-likelihood. Its gradient vanishes exactly on the pairs the model gets badly wrong.',
      '你返回的是 mean(1 - σ(d))：排错的概率，而不是负对数似然。恰恰在模型错得离谱的偏好对上，它的梯度会消失。',
    ),
    hint: t(
      'The loss is -mean(log σ(d)) with d = r_chosen - r_rejected.',
      '损失是 -mean(log σ(d))，其中 d = r_chosen - r_rejected。',
    ),
  },
  'log-likelihood-not-negated': {
    message: t(
      'You returned mean(log σ(d)), the log-likelihood, which is ≤ 0 and should be MAXIMISED. The optimiser minimises what you return, so it would push the chosen rewards down.',
      '你返回的是 mean(log σ(d))，即对数似然：它 ≤ 0，应当被最大化。优化器会最小化你返回的值，于是它会把被选中文本的奖励往下压。',
    ),
    hint: t('Negate it: the loss is -mean(log σ(d)).', '取负：损失是 -mean(log σ(d))。'),
  },
  'sum-not-mean': {
    message: t(
      'You summed over the pairs instead of averaging: the loss (and every gradient) grows with the batch size, so the same learning rate behaves differently for 8 pairs and for 800.',
      '你对偏好对求了和而不是平均：损失（以及每个梯度）随批次大小增长，同一个学习率在 8 个偏好对和 800 个偏好对上的效果就不一样了。',
    ),
    hint: t('mean(...) over the N pairs, not sum(...).', '对 N 个偏好对用 mean(...)，而不是 sum(...)。'),
  },
  overflow: {
    message: t(
      'A difference of ±100 overflowed: your loss is not finite. log(σ(d)) with σ(d) = 1 / (1 + e^(-d)) computes e^100, which is Infinity in float32 (the largest float32 is about 3.4e38 ≈ e^88.7), and log(0) = -Infinity.',
      '±100 的差值溢出了：你的损失不是有限值。按 σ(d) = 1 / (1 + e^(-d)) 计算 log(σ(d)) 要算 e^100，它在 float32 中是 Infinity（float32 的最大值约为 3.4e38 ≈ e^88.7），而 log(0) = -Infinity。',
    ),
    hint: t(
      'Use a form that never exponentiates a large positive number: -log σ(d) = softplus(-d) = relu(-d) + log(1 + e^(-|d|)), or log σ(d) = the first column of logSoftmax over (d, 0), which subtracts the maximum first.',
      '换一种永远不会对大正数取指数的写法：-log σ(d) = softplus(-d) = relu(-d) + log(1 + e^(-|d|))；或者令 log σ(d) 为对 (d, 0) 做 logSoftmax 后的第一列，logSoftmax 会先减去最大值。',
    ),
  },
  'no-gradient': {
    message: t(
      'No gradient flows from your loss back to the rewards: the result does not require grad. Did you compute it from .data with plain numbers and wrap it in a new tensor?',
      '梯度无法从你的损失流回奖励：结果不需要梯度（requiresGrad 为 false）。你是不是用 .data 里的普通数字算出结果，再包进了一个新张量？',
    ),
    hint: t(
      'Build the loss only from kit ops applied to rChosen and rRejected (sub, neg, mean, exp, log, relu, logSoftmax, ...), so autograd records every step.',
      '只用作用在 rChosen 和 rRejected 上的 kit 算子（sub、neg、mean、exp、log、relu、logSoftmax……）构造损失，这样自动求导才能记录每一步。',
    ),
  },
  'ties-count-right': {
    message: t(
      'A tie was counted as a correct ranking. A reward model that gives every text the same reward would then score 100%; a tie has not ranked the pair at all.',
      '平局被算成了排序正确。这样一来，给所有文本同一个奖励的奖励模型会得到 100%；而平局根本没有对这个偏好对排序。',
    ),
    hint: t(
      'Count pair i as right only when rChosen[i] > rRejected[i], strictly.',
      '只有当 rChosen[i] > rRejected[i]（严格大于）时，才把第 i 个偏好对算作正确。',
    ),
  },
  'counts-wrong-pairs': {
    message: t(
      'You counted the pairs ranked the WRONG way round (rejected above chosen).',
      '你数的是排反了的偏好对（被拒绝的排在被选中的前面）。',
    ),
    hint: t(
      'Count rChosen[i] > rRejected[i], then divide by the number of pairs.',
      '数出 rChosen[i] > rRejected[i] 的个数，再除以偏好对的数量。',
    ),
  },
  percent: {
    message: t(
      'You returned a percentage; pairAccuracy returns a fraction between 0 and 1.',
      '你返回的是百分数；pairAccuracy 应返回 0 到 1 之间的比例。',
    ),
    hint: t(
      'Divide the count of correct pairs by the number of pairs, and do not multiply by 100.',
      '用排对的偏好对个数除以偏好对总数，不要再乘以 100。',
    ),
  },
});

export type RewardMistake = keyof typeof REWARD_MISTAKES;
