/**
 * The CLIP lesson's catalogue of known mistakes, in English and Chinese. Shared by clip.checks.ts and the catalogue
 * runner (test/unit/mistakes/clip.ts puts each one into the reference solution and runs the check that names it).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const CLIP_MISTAKES = defineMistakes({
  'one-direction': {
    message: t(
      'The loss runs in one direction only: it is the cross-entropy over the rows (image → text) or over the columns (text → image), not the mean of both. CLIP\'s loss is symmetric: each image must pick its caption among the captions AND each caption its image among the images.',
      '损失只算了一个方向：它只是按行（图像 → 文本）或按列（文本 → 图像）的交叉熵，而不是两者的平均。CLIP 的损失是对称的：每张图像要在所有文本中选出自己的描述，每条文本也要在所有图像中选出自己的图像。',
    ),
    hint: t('loss = (crossEntropy(logits, labels) + crossEntropy(transpose(logits, 0, 1), labels)) / 2.', 'loss = (crossEntropy(logits, labels) + crossEntropy(transpose(logits, 0, 1), labels)) / 2。'),
  },
  'no-normalize': {
    message: t(
      'The similarities were computed without normalising the embeddings: the logits are dot products of raw vectors, not cosines. CLIP L2-normalises both embeddings first, so that only their directions count and exp(t) alone sets the scale of the logits.',
      '相似度是在没有归一化嵌入的情况下计算的：logits 是原始向量的点积，而不是余弦相似度。CLIP 先对两个嵌入做 L2 归一化，使得只有方向起作用，logits 的尺度只由 exp(t) 决定。',
    ),
    hint: t('Divide every row of both embeddings by its L2 norm (l2Normalize) before the matmul.', '在 matmul 之前，把两个嵌入的每一行都除以它的 L2 范数（l2Normalize）。'),
  },
  'divide-scale': {
    message: t(
      'The temperature is on the wrong side: the cosines were divided by the logit scale exp(t) instead of multiplied by it. exp(t) = 1/τ is already the inverse temperature (≈ 14.3 at the start), so dividing by it shrinks every logit to below 0.07 and the softmax stays almost uniform.',
      '温度用反了：余弦相似度被除以 logit scale exp(t)，而不是乘以它。exp(t) = 1/τ 本身就是温度的倒数（开始时约为 14.3），除以它会把每个 logit 压到 0.07 以下，softmax 几乎保持均匀。',
    ),
    hint: t('logits = mul(cosines, exp(logitScale)): multiply by exp(t), as CLIP\'s logit_scale.exp() * image @ text.T.', 'logits = mul(cosines, exp(logitScale))：乘以 exp(t)，就像 CLIP 的 logit_scale.exp() * image @ text.T。'),
  },
  'scale-not-exp': {
    message: t(
      'The logits were multiplied by t itself, not by exp(t). The learned parameter is the LOG of the scale (it starts at ln(1/0.07) ≈ 2.659, so the scale starts at 1/0.07 ≈ 14.3); keeping the log makes the scale positive whatever t becomes.',
      'logits 乘的是 t 本身，而不是 exp(t)。学习的参数是尺度的对数（初始为 ln(1/0.07) ≈ 2.659，所以尺度初始为 1/0.07 ≈ 14.3）；用对数参数化可以保证无论 t 变成多少，尺度都是正数。',
    ),
    hint: t('Use exp(logitScale) (the kit\'s exp keeps the gradient into t).', '使用 exp(logitScale)（kit 的 exp 会保留流向 t 的梯度）。'),
  },
  'labels-not-diagonal': {
    message: t(
      'The labels are not the diagonal: in a batch of N matching pairs, image i belongs with caption i, so the target of row i (and of column i) is i, labels = [0, 1, ..., N − 1].',
      '标签不是对角线：在一个由 N 个匹配对组成的批次里，图像 i 对应文本 i，所以第 i 行（以及第 i 列）的目标是 i，labels = [0, 1, ..., N − 1]。',
    ),
    hint: t('const labels = Array.from({ length: N }, (_, i) => i), for both directions.', 'const labels = Array.from({ length: N }, (_, i) => i)，两个方向都用它。'),
  },
  'sum-not-mean': {
    message: t(
      'Means and sums are mixed up: the loss is a multiple of the expected value (summed over the batch instead of averaged, or the two directions added instead of averaged). CLIP averages the cross-entropy over the N pairs and then averages the two directions, so the loss does not grow with the batch size.',
      '平均和求和混淆了：损失是正确值的整数倍（对批次求和而不是求平均，或者两个方向相加而不是求平均）。CLIP 先对 N 个样本对的交叉熵求平均，再对两个方向求平均，因此损失不会随批次大小增长。',
    ),
    hint: t('crossEntropy already averages over the rows; combine the two directions with (a + b) / 2.', 'crossEntropy 已经对各行求了平均；两个方向用 (a + b) / 2 合并。'),
  },
  'scale-not-learned': {
    message: t(
      'The temperature is not learned: no gradient reaches logitScale (t), so the optimizer never changes it. It was probably read as a plain number (logitScale.data[0], Math.exp(...)) or used under noGrad. CLIP learns t with the rest of the model.',
      '温度没有被学习：没有梯度流到 logitScale（t），所以优化器永远不会改变它。很可能是把它当成普通数字读取了（logitScale.data[0]、Math.exp(...)），或者在 noGrad 中使用了它。CLIP 的 t 和模型其余部分一起学习。',
    ),
    hint: t('Keep t a Tensor in the graph: mul(cosines, exp(logitScale)), with the kit\'s exp.', '让 t 保持为计算图中的 Tensor：mul(cosines, exp(logitScale))，使用 kit 的 exp。'),
  },
  'no-clamp': {
    message: t(
      't was not clamped after the optimizer\'s step: this lesson keeps it in [0, ln 100] as open_clip does, so that the logit scale exp(t) never exceeds 100 (the CLIP paper\'s cap, which keeps training stable) and never falls below 1.',
      '优化器更新之后没有截断 t：本课像 open_clip 一样把它保持在 [0, ln 100] 之内，使 logit scale exp(t) 永远不超过 100（CLIP 论文给的上限，用来保持训练稳定），也不低于 1。',
    ),
    hint: t('After opt.step(): const d = model.logitScale.data; d[0] = Math.min(Math.log(100), Math.max(0, d[0])).', '在 opt.step() 之后：const d = model.logitScale.data; d[0] = Math.min(Math.log(100), Math.max(0, d[0]))。'),
  },
  'hf-logits-per-text': {
    message: t(
      'This is Hugging Face\'s convention (CLIPModel returns logits_per_text, texts in the rows, and logits_per_image as its transpose); this lesson\'s clipLogits returns images in the rows (N images, M texts), as open_clip\'s logits_per_image and as zeroShot reads it. Change the order of the matmul to match.',
      '这是 Hugging Face 的约定（CLIPModel 返回 logits_per_text，文本在行上，logits_per_image 是它的转置）；本课的 clipLogits 让图像在行上（N 张图像，M 条文本），与 open_clip 的 logits_per_image 以及 zeroShot 的读法一致。请调换 matmul 的顺序来匹配。',
    ),
    hint: t('matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)): images first.', 'matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1))：图像在前。'),
    convention: 'Hugging Face',
  },
});

export type ClipMistake = keyof typeof CLIP_MISTAKES;
