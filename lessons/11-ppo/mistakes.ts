/**
 * The catalogued PPO mistakes and what the learner is told, in English and Simplified Chinese. One place for the
 * words, shared by ppo.checks.ts and test/unit/mistakes/alignment.ts.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const PPO_MISTAKES = defineMistakes({
  // ----- ppoPolicyLoss
  'clip-advantage': {
    message: t(
      'You clipped the ADVANTAGE instead of the ratio: min(ratio·A, ratio·clip(A, 1-ε, 1+ε)). The trust region is about how far the new policy moves from the old one, which is the ratio; the advantage is data and stays as it is.',
      '你裁剪的是优势而不是比率：min(ratio·A, ratio·clip(A, 1-ε, 1+ε))。信赖域约束的是新策略离旧策略有多远，也就是比率；优势是数据，应保持原样。',
    ),
    hint: t(
      'clamp(ratio, 1 - clipEps, 1 + clipEps) times advantages, then minimum(...) with ratio times advantages.',
      '用 clamp(ratio, 1 - clipEps, 1 + clipEps) 乘以 advantages，再与 ratio 乘以 advantages 取 minimum(...)。',
    ),
  },
  'max-not-min': {
    message: t(
      'You took the MAX of the two terms: that is the optimistic bound, which lets the ratio run away in exactly the direction the clipping is meant to stop. PPO takes the min, the pessimistic bound.',
      '你对两项取了最大值：那是乐观界，恰恰让比率朝裁剪本想阻止的方向失控。PPO 取最小值，即悲观界。',
    ),
    hint: t(
      'minimum(ratio·A, clamp(ratio, 1-ε, 1+ε)·A), then negate the mean. (CleanRL writes the same loss as mean(max(-ratio·A, -clamp(ratio, 1-ε, 1+ε)·A)): a max of the NEGATED terms, which is minus the min. A max of the terms themselves is not that.)',
      'minimum(ratio·A, clamp(ratio, 1-ε, 1+ε)·A)，再对均值取负。（CleanRL 把同一个损失写成 mean(max(-ratio·A, -clamp(ratio, 1-ε, 1+ε)·A))：对取了负的两项取最大值，等于最小值取负；对两项本身取最大值则不是这样。）',
    ),
  },
  'sign-flipped': {
    message: t(
      'The sign is flipped: you returned +mean(min(...)), the objective to MAXIMISE. The optimiser minimises what you return, so it would make good actions less likely.',
      '符号反了：你返回的是 +mean(min(...))，即要最大化的目标。优化器会最小化你返回的值，于是好动作的概率反而会降低。',
    ),
    hint: t(
      'Return neg(mean(minimum(...))): the loss is minus the surrogate objective.',
      '返回 neg(mean(minimum(...)))：损失是代理目标取负。',
    ),
  },
  'ratio-of-logs': {
    message: t(
      'The ratio was computed as newLogProbs / oldLogProbs: a quotient of LOG-probabilities means nothing. The probability ratio is π_new / π_old = exp(log π_new - log π_old).',
      '比率被算成了 newLogProbs / oldLogProbs：对数概率之商没有任何意义。概率比是 π_new / π_old = exp(log π_new - log π_old)。',
    ),
    hint: t('ratio = exp(sub(newLogProbs, oldLogProbs)).', 'ratio = exp(sub(newLogProbs, oldLogProbs))。'),
  },
  'log-ratio-no-exp': {
    message: t(
      'The ratio is missing its exp: newLogProbs - oldLogProbs is the LOG of the ratio (0 when nothing changed, not 1).',
      '比率缺了 exp：newLogProbs - oldLogProbs 是比率的对数（策略没变时为 0，而不是 1）。',
    ),
    hint: t(
      'ratio = exp(sub(newLogProbs, oldLogProbs)), which is 1 when the policy has not moved.',
      'ratio = exp(sub(newLogProbs, oldLogProbs))，策略没动时它等于 1。',
    ),
  },
  'ratio-of-probs': {
    message: t(
      'Your ratio depends on the log-probabilities themselves, not only on their difference: the loss is right for likely tokens and wrong for very unlikely ones (log-probs around -100 and below). exp(newLogProbs) / exp(oldLogProbs) turns each log-probability into a probability first, and in float32 exp(x) loses precision below x ≈ -87 and is exactly 0 below x ≈ -103: the ratio becomes 0/0 = NaN (or 0 · Infinity, written as exp(new) · exp(-old)), and one rare sampled token makes the whole loss NaN.',
      '你的比率依赖对数概率本身，而不只是它们的差：对概率较大的词元损失是对的，对概率极小的词元（对数概率在 -100 左右及以下）就错了。exp(newLogProbs) / exp(oldLogProbs) 先把每个对数概率变回概率，而在 float32 中 exp(x) 在 x ≈ -87 以下就会丢失精度，在 x ≈ -103 以下恰好为 0：比率变成 0/0 = NaN（写成 exp(new) · exp(-old) 时则是 0 · Infinity），只要采样到一个罕见词元，整个损失就是 NaN。',
    ),
    hint: t(
      'Subtract first, exponentiate once: ratio = exp(sub(newLogProbs, oldLogProbs)). The difference stays small even when both log-probabilities are large negative numbers.',
      '先相减，再只做一次指数：ratio = exp(sub(newLogProbs, oldLogProbs))。即使两个对数概率都是很大的负数，它们的差也仍然很小。',
    ),
  },
  'old-new-swapped': {
    message: t(
      'Old and new are swapped: you computed π_old / π_new = exp(old - new). Raising the probability of a good action then LOWERS the objective.',
      '新旧颠倒了：你算的是 π_old / π_new = exp(old - new)。这样一来，提高好动作的概率反而会降低目标。',
    ),
    hint: t(
      'ratio = exp(newLogProbs - oldLogProbs): the policy being trained on top.',
      'ratio = exp(newLogProbs - oldLogProbs)：正在训练的策略在分子上。',
    ),
  },
  'no-clip': {
    message: t(
      'There is no clipping: you returned -mean(ratio·A), the plain policy-gradient surrogate, which lets one batch move the policy arbitrarily far.',
      '没有裁剪：你返回的是 -mean(ratio·A)，即普通的策略梯度代理目标，它允许一个批次把策略推到任意远的地方。',
    ),
    hint: t(
      'Add the clipped term clamp(ratio, 1-ε, 1+ε)·A and take the minimum of the two.',
      '加上裁剪项 clamp(ratio, 1-ε, 1+ε)·A，并对两项取最小值。',
    ),
  },
  'clipped-gradient': {
    message: t(
      'Samples whose clipped term is the smaller one still got a gradient. In PPO, once the ratio has left [1-ε, 1+ε] in the direction the advantage favours, that sample stops pushing: its gradient is exactly 0.',
      '裁剪项较小的样本仍然得到了梯度。在 PPO 中，一旦比率朝优势所偏好的方向离开了 [1-ε, 1+ε]，该样本就不再推动策略：它的梯度恰好为 0。',
    ),
    hint: t(
      'Build the clipped term with clamp (gradient 0 outside the band) and combine with minimum; do not add anything else that depends on newLogProbs.',
      '用 clamp 构造裁剪项（区间外梯度为 0），再用 minimum 组合；不要再加任何依赖 newLogProbs 的东西。',
    ),
  },
  // ----- valueLoss
  'value-no-half': {
    convention: 'Stable-Baselines3',
    message: t(
      'This is Stable-Baselines3\'s convention: its value loss is F.mse_loss(returns, values), mean((values - returns)²) without the ½ (the PPO paper\'s L^VF has none either), weighted by vf_coef = 0.5 in the total loss. This lesson uses 0.5·mean((values - returns)²), as CleanRL and OpenAI Baselines\' ppo2 do, because the RLHF lesson\'s loop adds 0.5 · valueLoss (CleanRL\'s vf_coef) and expects this scale: the gradient is (values - returns)/N per token. Multiply by 0.5 to match.',
      '这是 Stable-Baselines3 的约定：它的价值损失是 F.mse_loss(returns, values)，即不带 ½ 的 mean((values - returns)²)（PPO 论文中的 L^VF 也没有 ½），在总损失里再乘以 vf_coef = 0.5。本课和 CleanRL、OpenAI Baselines 的 ppo2 一样用 0.5·mean((values - returns)²)，因为 RLHF 一课的训练循环加的是 0.5 · valueLoss（CleanRL 的 vf_coef），它预期的正是这个尺度：每个词元的梯度为 (values - returns)/N。乘以 0.5 即与本课一致。',
    ),
    hint: t('mul(mean(pow(sub(values, returns), 2)), 0.5).', 'mul(mean(pow(sub(values, returns), 2)), 0.5)。'),
  },
  'value-sum': {
    message: t(
      'You summed the squared errors instead of averaging them: the loss grows with the number of tokens.',
      '你对平方误差求了和而不是平均：损失会随词元数量增长。',
    ),
    hint: t('0.5 · mean((values - returns)²).', '0.5 · mean((values - returns)²)。'),
  },
  'value-abs': {
    message: t(
      'You used the absolute error; the value loss is the squared error, 0.5 · mean((values - returns)²).',
      '你用的是绝对误差；价值损失是平方误差 0.5 · mean((values - returns)²)。',
    ),
    hint: t('pow(sub(values, returns), 2), then mean, then times 0.5.', '先 pow(sub(values, returns), 2)，再取 mean，再乘以 0.5。'),
  },
  // ----- entropy
  'entropy-no-minus': {
    message: t(
      'The minus sign is missing: Σ p log p is ≤ 0; the entropy is -Σ p log p ≥ 0.',
      '缺了负号：Σ p log p ≤ 0；熵是 -Σ p log p ≥ 0。',
    ),
    hint: t(
      'neg(sum(mul(p, logp), -1)), then the mean over positions. (Stable-Baselines3\'s entropy_loss is the NEGATED mean entropy, a term it adds to the loss; entropy() returns H itself, as CleanRL\'s entropy does, and the minus goes into the total loss: - c₂·H.)',
      'neg(sum(mul(p, logp), -1))，再对各位置取平均。（Stable-Baselines3 的 entropy_loss 是取了负的平均熵，是它加进损失的一项；entropy() 返回的是 H 本身，和 CleanRL 的 entropy 一样，负号放在总损失里：- c₂·H。）',
    ),
  },
  'entropy-sum': {
    message: t(
      'You summed the entropies of the positions instead of averaging them.',
      '你对各位置的熵求了和，而不是取平均。',
    ),
    hint: t(
      'Sum over the vocabulary (the last axis), then mean(...) over the positions.',
      '在词表维（最后一个轴）上求和，再对各位置用 mean(...)。',
    ),
  },
  'entropy-nan': {
    message: t(
      'Huge logits gave a non-finite entropy: a probability that rounds to 0 gives log(0) = -Infinity, and 0 · -Infinity = NaN.',
      '很大的 logits 导致熵不是有限值：一个舍入为 0 的概率给出 log(0) = -Infinity，而 0 · -Infinity = NaN。',
    ),
    hint: t(
      'Take log-probabilities from logSoftmax(logits, -1) (finite for any logits), not log(softmax(...)).',
      '用 logSoftmax(logits, -1) 求对数概率（对任何 logits 都是有限值），而不是 log(softmax(...))。',
    ),
  },
  'entropy-of-logits': {
    message: t(
      'The entropy was computed from the logits directly; it is the entropy of the DISTRIBUTION p = softmax(logits).',
      '熵是直接用 logits 算的；要算的是分布 p = softmax(logits) 的熵。',
    ),
    hint: t(
      'p = softmax(logits, -1), logp = logSoftmax(logits, -1), H = -Σ p·logp over the last axis.',
      'p = softmax(logits, -1)，logp = logSoftmax(logits, -1)，在最后一个轴上求 H = -Σ p·logp。',
    ),
  },
  // ----- klPenalty
  'kl-reversed': {
    message: t(
      'The KL estimate has its sign reversed: you returned log π_ref - log π. The penalty must be positive where the policy puts MORE probability than the reference on the sampled token, so subtracting it pulls the policy back.',
      'KL 估计的符号反了：你返回的是 log π_ref - log π。当策略在采样到的词元上给出的概率比参考模型更大时，惩罚必须为正，这样减去它才能把策略拉回来。',
    ),
    hint: t('sub(logProbs, refLogProbs).', 'sub(logProbs, refLogProbs)。'),
  },
  'kl-ratio': {
    message: t(
      'You returned the probability ratio π / π_ref; the per-token KL estimate is the LOG ratio, log π - log π_ref (0 when the two agree).',
      '你返回的是概率比 π / π_ref；逐词元的 KL 估计是对数比 log π - log π_ref（两者一致时为 0）。',
    ),
    hint: t('sub(logProbs, refLogProbs), no exp.', 'sub(logProbs, refLogProbs)，不要 exp。'),
  },
  'kl-k3': {
    convention: 'TRL',
    message: t(
      'This is the k3 KL estimator, an option of TRL\'s PPOTrainer (kl_estimator="k3"; its GRPOTrainer\'s KL term is the same): (r - 1) - log r per token with r = π_ref/π, never negative, with the same expectation KL(π || π_ref) under π. This lesson uses k1, log π - log π_ref (TRL\'s default, and the penalty of Ziegler et al. and InstructGPT), because its sum over a continuation is exactly the log-ratio log π(y|x)/π_ref(y|x) of the RLHF objective, and the RLHF lesson puts it into the reward. Return the log-ratio itself to match.',
      '这是 k3 KL 估计量，是 TRL 的 PPOTrainer 的一个选项（kl_estimator="k3"；它的 GRPOTrainer 里的 KL 项也是这个）：每个词元上是 (r - 1) - log r，其中 r = π_ref/π，永不为负，在 π 下的期望同样是 KL(π || π_ref)。本课用 k1，即 log π - log π_ref（TRL 的默认值，也是 Ziegler 等人和 InstructGPT 的惩罚），因为它在一段续写上的和恰好是 RLHF 目标里的对数比 log π(y|x)/π_ref(y|x)，RLHF 一课也把它放进奖励里。直接返回对数比即与本课一致。',
    ),
    hint: t('sub(logProbs, refLogProbs): k1, no exp.', 'sub(logProbs, refLogProbs)：k1，不要 exp。'),
  },
  'kl-k3-upside-down': {
    message: t(
      'You returned (r - 1) - log r with r = π/π_ref: the k3 estimator with its ratio upside down. In k3 the ratio is (the other policy) / (the policy that sampled the tokens): in CleanRL\'s approx_kl the tokens come from π_old and r = π_new/π_old; here they come from π, so k3 would need r = π_ref/π. With r = π/π_ref its average over tokens sampled from π is not KL(π || π_ref).',
      '你返回的是 (r - 1) - log r，其中 r = π/π_ref：这是比率上下颠倒了的 k3 估计量。k3 中的比率是（另一个策略）/（采样出这些词元的策略）：CleanRL 的 approx_kl 里词元来自 π_old，所以 r = π_new/π_old；这里词元来自 π，k3 就需要 r = π_ref/π。用 r = π/π_ref 时，它在从 π 采样的词元上的平均并不是 KL(π || π_ref)。',
    ),
    hint: t('This lesson uses k1: sub(logProbs, refLogProbs), no exp.', '本课用 k1：sub(logProbs, refLogProbs)，不要 exp。'),
  },
  // ----- normalizeAdvantages
  'not-normalised': {
    message: t(
      'The advantages came back unchanged: they should have zero mean and unit standard deviation.',
      '优势原样返回了：结果应当均值为 0、标准差为 1。',
    ),
    hint: t('Subtract the mean, then divide by (std + 1e-8).', '先减去均值，再除以 (std + 1e-8)。'),
  },
  'only-centred': {
    message: t(
      'You subtracted the mean but did not divide by the standard deviation.',
      '你减去了均值，但没有除以标准差。',
    ),
    hint: t('(a - mean) / (std + 1e-8), with std = sqrt(mean((a - mean)²)).', '(a - mean) / (std + 1e-8)，其中 std = sqrt(mean((a - mean)²))。'),
  },
  'no-eps': {
    message: t(
      'A constant batch gave NaN: its std is 0, and (a - mean) / 0 = 0/0. The eps in the denominator is there for exactly this case.',
      '常数批次得到了 NaN：它的 std 为 0，而 (a - mean) / 0 = 0/0。分母里的 eps 正是为这种情况准备的。',
    ),
    hint: t('Divide by (std + 1e-8), not by std.', '除以 (std + 1e-8)，而不是 std。'),
  },
  'by-max': {
    message: t(
      'You scaled by the largest absolute value instead of the standard deviation: the result lies in [-1, 1] but its std is not 1.',
      '你除以的是最大绝对值而不是标准差：结果落在 [-1, 1] 内，但它的标准差不是 1。',
    ),
    hint: t('(a - mean) / (std + 1e-8), with std = sqrt(mean((a - mean)²)).', '(a - mean) / (std + 1e-8)，其中 std = sqrt(mean((a - mean)²))。'),
  },
  'one-value-nan': {
    message: t(
      'A single advantage gave NaN: with the n - 1 std (torch\'s .std(), as CleanRL and Stable-Baselines3 use) one value has no spread to measure, Σ(a - mean)² / (n - 1) = 0/0, and the eps cannot help. Stable-Baselines3 skips the normalisation when a minibatch has a single element (len(advantages) > 1).',
      '单个优势得到了 NaN：用 n - 1 的标准差（torch 的 .std()，CleanRL 和 Stable-Baselines3 用的就是它）时，一个值没有离散程度可言，Σ(a - mean)² / (n - 1) = 0/0，eps 也救不了。Stable-Baselines3 在小批次只有一个元素时跳过归一化（len(advantages) > 1）。',
    ),
    hint: t(
      'Handle n = 1 before dividing: return [0] (what dividing by n gives) or, as Stable-Baselines3 does, leave the single advantage as it is.',
      '在做除法之前先处理 n = 1：返回 [0]（除以 n 得到的结果），或者像 Stable-Baselines3 那样让这个唯一的优势保持原样。',
    ),
  },
});

export type PpoMistake = keyof typeof PPO_MISTAKES;
