/**
 * What a learner is told when their DPO loss matches a catalogued mistake, in English and Chinese. Shared by
 * dpo.checks.ts and by the catalogue runner (test/unit/mistakes/rlhf.ts puts each mistake into the reference
 * solution and runs the check that names it).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const DPO_MISTAKES = defineMistakes({
  'no-reference': {
    message: t('The reference model is missing: your loss uses β·(log π(y_c) − log π(y_r)), not the log-RATIOS log π/π_ref. Without them DPO just pushes likelihoods apart and nothing holds the policy near the reference. (TRL\'s reference_free=True, off by default, computes this on purpose: a different objective, not the DPO of this lesson.)',
      '缺少参考模型：你的损失用的是 β·(log π(y_c) − log π(y_r))，而不是对数比 log π/π_ref。没有它们，DPO 只会把两个似然推开，没有任何东西把策略留在参考模型附近。（TRL 的 reference_free=True 选项默认关闭，打开时它有意这样计算：那是另一个目标，不是本课的 DPO。）'),
    hint: t('margin = (policyChosen − refChosen) − (policyRejected − refRejected): each text\'s log-probability measured against what the reference gave it.',
      'margin = (policyChosen − refChosen) − (policyRejected − refRejected)：每段文本的对数概率都要和参考模型给它的对数概率相比。'),
  },
  'beta-outside': {
    message: t('β is outside the sigmoid: your loss is −β·log σ(margin). β belongs INSIDE, as the scale of the implicit reward: −log σ(β·margin). Outside, it only rescales the gradient; inside, it decides how far the policy may move from the reference.',
      'β 放在了 sigmoid 外面：你的损失是 −β·log σ(margin)。β 应该在里面，作为隐式奖励的尺度：−log σ(β·margin)。放在外面，它只是缩放梯度；放在里面，它决定策略可以离参考模型多远。'),
    hint: t('z = β·margin first, then −log σ(z).', '先算 z = β·margin，再算 −log σ(z)。'),
  },
  'beta-divides': {
    message: t('The margin was divided by β instead of multiplied: σ(margin/β). With β = 0.1 that makes the implicit rewards 100 times too large. (β is sometimes called a "temperature", but in the DPO paper and in TRL it multiplies: −logsigmoid(β·margin).)',
      'margin 被 β 除了，而不是乘以 β：σ(margin/β)。β = 0.1 时，这让隐式奖励大了 100 倍。（β 有时被称为“温度”，但在 DPO 论文和 TRL 中它都是乘上去的：−logsigmoid(β·margin)。）'),
    hint: t('z = β · margin: the implicit reward of a text is β · log(π/π_ref).', 'z = β · margin：一段文本的隐式奖励是 β · log(π/π_ref)。'),
  },
  'swapped': {
    message: t('Chosen and rejected are the wrong way round: your loss falls when the policy prefers the REJECTED text. (Your numbers equal −log σ(−β·margin).)',
      'chosen 和 rejected 弄反了：策略更喜欢被拒绝（rejected）的文本时，你的损失反而下降。（你的结果等于 −log σ(−β·margin)。）'),
    hint: t('margin = (chosen log-ratio) − (rejected log-ratio); the loss is small when the margin is large and positive.',
      'margin = （chosen 的对数比）−（rejected 的对数比）；margin 是较大的正数时，损失才小。'),
  },
  'sum': {
    message: t('The loss is summed over the pairs instead of averaged: it grows with the batch size, and so does the step size.',
      '损失在各个偏好对上求了和，而不是取平均：它随批次大小增长，步长也跟着增长。'),
    hint: t('Take mean(...) over the B pairs.', '对 B 个偏好对取 mean(...)。'),
  },
  'positive-log': {
    message: t('The sign of the loss is reversed: log σ(z) is the log-likelihood of the preferences, which you MAXIMISE; the loss to minimise is its negative, −log σ(z) (always ≥ 0).',
      '损失的符号反了：log σ(z) 是偏好的对数似然，要最大化它；需要最小化的损失是它的相反数 −log σ(z)（总是 ≥ 0）。'),
    hint: t('loss = −mean log σ(β·margin).', 'loss = −mean log σ(β·margin)。'),
  },
  'unstable': {
    message: t('Your loss is not finite for large margins: log(sigmoid(z)) rounds σ(z) to 0 for z below about −100 in float32 (or e^(−z) overflows), and log(0) = −Infinity.',
      'margin 很大时你的损失不是有限值：在 float32 下，z 小于约 −100 时 log(sigmoid(z)) 会把 σ(z) 舍入成 0（或者 e^(−z) 溢出），而 log(0) = −Infinity。'),
    hint: t('Use −log σ(z) = log(1 + e^(−z)) = m + log(e^(−m) + e^(−z−m)) with m = relu(−z), or −logSoftmax([z, 0])[0]: never the log of a number that can round to 0.',
      '用 −log σ(z) = log(1 + e^(−z)) = m + log(e^(−m) + e^(−z−m))（其中 m = relu(−z)），或者 −logSoftmax([z, 0])[0]：绝不要对可能舍入成 0 的数取对数。'),
  },
  'flat-at-zero': {
    message: t('Your loss has no gradient at z = 0, where every pair starts (the policy is a copy of the reference, so every margin is exactly 0): there d loss / d policyChosen should be −β/(2B), and yours is 0, so training never starts. This is what relu(−z) + log(1 + e^(−|z|)) gives when relu and |z| are kit ops: both have gradient 0 at 0 (as in PyTorch), so the form is flat at exactly 0.',
      '你的损失在 z = 0 处没有梯度，而每个偏好对都从这里开始（策略是参考模型的副本，所以每个 margin 都恰好为 0）：那里 d loss / d policyChosen 应为 −β/(2B)，你的却是 0，于是训练根本不会开始。用工具包的运算写 relu(−z) + log(1 + e^(−|z|)) 就会这样：relu 和 |z| 在 0 处的梯度都是 0（PyTorch 也一样），所以这个写法在恰好为 0 的地方是平的。'),
    hint: t('Take the max out of a log-sum-exp instead: −log σ(z) = m + log(e^(−m) + e^(−z−m)) with m = relu(−z). Its value does not depend on m, so the gradient through m cancels and the kink of relu at 0 does no harm. Or use −logSoftmax([z, 0])[0].',
      '改成从 log-sum-exp 中提出最大值：−log σ(z) = m + log(e^(−m) + e^(−z−m))，其中 m = relu(−z)。它的值与 m 无关，所以经过 m 的梯度正好抵消，relu 在 0 处的折点也就无害。或者用 −logSoftmax([z, 0])[0]。'),
  },
  'no-graph': {
    message: t('No gradient reached policyChosen or policyRejected: your loss was not built from them with kit ops (a value computed from .data with plain numbers has no graph).',
      '梯度没有传到 policyChosen 或 policyRejected：你的损失不是用工具包的运算从它们构造出来的（用 .data 和普通数算出的值没有计算图）。'),
    hint: t('Use sub, mul, neg, mean, logSoftmax... on the tensors themselves; the result then knows how to backpropagate.',
      '直接在张量上用 sub、mul、neg、mean、logSoftmax……这样结果才知道如何反向传播。'),
  },
});

export type DpoMistake = keyof typeof DPO_MISTAKES;
