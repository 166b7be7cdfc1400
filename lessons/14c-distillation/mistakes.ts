/**
 * The distillation lesson's catalogue of known mistakes: what a learner is told when a check recognises one. One place
 * for the words, so the checks and the test that feeds every mistake through the runner
 * (test/unit/mistakes/distillation.ts) agree on them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const DISTILL_MISTAKES = defineMistakes({
  'no-t-squared': {
    message: t(
      'The soft term is not multiplied by T²: the gradient of KL(softmax(t/T) ‖ softmax(s/T)) with respect to the student\'s logits shrinks like 1/T², so without T² the soft targets count less and less against the hard labels as the temperature rises.',
      '软目标项没有乘以 T²：KL(softmax(t/T) ‖ softmax(s/T)) 对学生 logits 的梯度按 1/T² 缩小，不乘 T² 的话，温度越高，软目标相对于硬标签的分量就越小。',
    ),
    hint: t(
      'loss = alpha * T * T * kl + (1 - alpha) * ce (Hinton et al. 2015: "it is important to multiply them by T²").',
      'loss = alpha * T * T * kl + (1 - alpha) * ce（Hinton 等人 2015：软目标产生的梯度要乘以 T²）。',
    ),
  },
  'kl-reversed': {
    message: t(
      'The KL divergence is taken the other way round, KL(student ‖ teacher): the lesson\'s loss (and PyTorch\'s kl_div(log_softmax(s/T), softmax(t/T))) is KL(teacher ‖ student) = Σ p_t · (log p_t − log p_s), the cross-entropy of the student against the teacher\'s soft targets minus a constant.',
      'KL 散度的方向反了，算成了 KL(student ‖ teacher)：本课的损失（以及 PyTorch 的 kl_div(log_softmax(s/T), softmax(t/T))）是 KL(teacher ‖ student) = Σ p_t · (log p_t − log p_s)，即学生相对于教师软目标的交叉熵减去一个常数。',
    ),
    hint: t(
      'Weight by the TEACHER\'s probabilities: kl = Σ_rows Σ_c p_t[c] · (log p_t[c] − log p_s[c]) / N with p_t = softmax(t / T), log p_s = logSoftmax(s / T).',
      '用教师的概率加权：kl = Σ_行 Σ_c p_t[c] · (log p_t[c] − log p_s[c]) / N，其中 p_t = softmax(t / T)，log p_s = logSoftmax(s / T)。',
    ),
  },
  'one-side-temperature': {
    message: t(
      'The temperature divides only one side\'s logits: both the teacher\'s and the student\'s logits must be divided by T before the softmax, so that the student is asked to match the softened teacher with its own softened distribution.',
      '温度只作用在了一边的 logits 上：教师和学生的 logits 都要在 softmax 之前除以 T，学生才是用自己软化后的分布去拟合软化后的教师分布。',
    ),
    hint: t(
      'p_t = softmax(teacher / T) and log p_s = logSoftmax(student / T) in the KL term; only the hard-label cross-entropy uses the student\'s logits at T = 1.',
      'KL 项中 p_t = softmax(teacher / T)，log p_s = logSoftmax(student / T)；只有硬标签的交叉熵使用温度为 1 的学生 logits。',
    ),
  },
  'alpha-swapped': {
    convention: 'Keras',
    message: t(
      'This is Keras\'s convention (the keras.io knowledge-distillation example weights the student\'s hard-label loss by alpha and the distillation loss by 1 − alpha); this lesson follows Hinton et al. and the α of distillLoss weights the SOFT term: α · T² · KL + (1 − α) · CE, so that α = 0 is plain training on the labels. Swap the two weights.',
      '这是 Keras 的约定（keras.io 的知识蒸馏示例用 alpha 加权学生的硬标签损失，用 1 − alpha 加权蒸馏损失）；本课沿用 Hinton 等人的写法，distillLoss 的 α 加权的是软目标项：α · T² · KL + (1 − α) · CE，因此 α = 0 就是只用标签的普通训练。请交换这两个权重。',
    ),
    hint: t(
      'loss = alpha * T * T * kl + (1 - alpha) * ce: alpha goes with the KL term, 1 - alpha with the cross-entropy on the labels.',
      'loss = alpha * T * T * kl + (1 - alpha) * ce：alpha 乘 KL 项，1 - alpha 乘标签上的交叉熵。',
    ),
  },
  't-after-softmax': {
    message: t(
      'The temperature is applied after the softmax (softmax(z) / T): that only scales the probabilities, which then no longer sum to 1, and does not soften anything. The temperature divides the LOGITS: softmax(z / T).',
      '温度用在了 softmax 之后（softmax(z) / T）：这只是把概率整体缩放，概率之和不再为 1，也没有起到软化的作用。温度应当除的是 logits：softmax(z / T)。',
    ),
    hint: t(
      'Divide first, then normalise: softmax(div(teacher, T), -1) and logSoftmax(div(student, T), -1).',
      '先除以 T 再归一化：softmax(div(teacher, T), -1) 和 logSoftmax(div(student, T), -1)。',
    ),
  },
  'kl-mean-over-classes': {
    message: t(
      'The KL term is averaged over every element (N rows × V classes), as PyTorch\'s kl_div does with reduction=\'mean\' (its documentation warns that this is not the KL divergence): it is V times too small. Sum over the classes and average over the rows (reduction=\'batchmean\').',
      'KL 项在所有元素（N 行 × V 个类别）上求了平均，就像 PyTorch 的 kl_div 在 reduction=\'mean\' 时那样（其文档提醒这并不是 KL 散度）：结果小了 V 倍。应在类别上求和、在行上求平均（reduction=\'batchmean\'）。',
    ),
    hint: t(
      'kl = sum(p_t * (log p_t − log p_s)) / N, N the number of rows (positions), not N · V.',
      'kl = sum(p_t * (log p_t − log p_s)) / N，N 是行（位置）的个数，而不是 N · V。',
    ),
  },
});
