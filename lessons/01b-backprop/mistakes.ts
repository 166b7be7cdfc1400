/**
 * The backprop lesson's catalogue of known mistakes in hand-written backward passes: what a learner is told when
 * their gradients match one. One place for the words, so the checks (ops.checks.ts) and the test that feeds every
 * mistake through the runner (test/unit/mistakes/backprop.ts) agree. The float64 reference computes each of them
 * as a wrong variant (@llm-lab/course/foundations, backprop.ts).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const BACKPROP_MISTAKES = defineMistakes({
  // sumToShape (and every gradient of a broadcast input, such as LayerNorm's γ and β)
  'broadcast-not-summed': {
    message: t(
      'The gradient has the shape of the broadcast output, not of the input: an input that was broadcast was copied to many positions, so its gradient is the sum of the output gradient over all of them, reduced back to the input\'s shape.',
      '梯度的形状是广播后输出的形状，而不是输入的形状：被广播的输入被复制到了许多位置，所以它的梯度是输出梯度在所有这些位置上的和，要归约回输入的形状。',
    ),
    hint: t(
      'Sum over the new leading axes and over every axis where the input has size 1: the result has exactly the input\'s shape (for LayerNorm, dγ and dβ are (C), summed over the rows).',
      '对新增的前导维度求和，并对输入中大小为 1 的每个维度求和：结果的形状必须恰好是输入的形状（对 LayerNorm 来说，dγ 和 dβ 的形状是 (C)，要对所有行求和）。',
    ),
  },
  'size-one-not-summed': {
    message: t(
      'The new leading axes are summed away, but the axes where the input has size 1 are not: an input of size 1 along an axis was broadcast along it too, so its gradient must be summed along that axis (keeping it, with size 1).',
      '新增的前导维度已经求和消掉了，但输入中大小为 1 的那些维度没有：输入在某个维度上大小为 1，说明它沿这个维度也被广播了，所以梯度必须沿这个维度求和（并保留这个维度，大小为 1）。',
    ),
    hint: t(
      'For each axis d of grad: summed when d is a new leading axis, or when shape has 1 there and grad does not. E.g. grad (2, 3, 4) to shape (3, 1): sum over axis 0 and over axis 2.',
      '对 grad 的每个维度 d：如果 d 是新增的前导维度，或者 shape 在这里是 1 而 grad 不是，就对它求和。例如把 grad (2, 3, 4) 归约到 shape (3, 1)：对第 0 维和第 2 维求和。',
    ),
  },
  'broadcast-mean': {
    message: t(
      'The gradient is averaged over the broadcast positions instead of summed: each copy of an input element contributes its full gradient, so the contributions add up.',
      '梯度在广播位置上取了平均，而不是求和：输入元素的每一份副本都贡献完整的梯度，这些贡献要相加。',
    ),
    hint: t(
      'Add (+=) every element of grad into the output element it came from; do not divide by the number of copies.',
      '把 grad 的每个元素加（+=）到它来自的那个输出元素上；不要除以副本的个数。',
    ),
  },
  // matmulBackward
  'matmul-transposed': {
    message: t(
      'A matmul gradient has a transpose in the wrong place: for C = A B the gradients are dA = dC Bᵀ (m, k) and dB = Aᵀ dC (k, n), each with the shape of its input.',
      'matmul 的梯度把转置放错了位置：对 C = A B，梯度是 dA = dC Bᵀ (m, k) 和 dB = Aᵀ dC (k, n)，各自与对应的输入同形。',
    ),
    hint: t(
      'Let the shapes decide: dA must be (m, k) and dC is (m, n), so dC is multiplied by an (n, k) matrix, Bᵀ; dB must be (k, n), so an (k, m) matrix, Aᵀ, multiplies dC. In loops: dA[i][p] += dC[i][j] · B[p][j] and dB[p][j] += A[i][p] · dC[i][j].',
      '让形状来决定：dA 必须是 (m, k)，而 dC 是 (m, n)，所以 dC 要乘一个 (n, k) 矩阵，即 Bᵀ；dB 必须是 (k, n)，所以要用一个 (k, m) 矩阵 Aᵀ 去乘 dC。写成循环：dA[i][p] += dC[i][j] · B[p][j]，dB[p][j] += A[i][p] · dC[i][j]。',
    ),
  },
  // softmaxBackward
  'softmax-diagonal': {
    message: t(
      'The softmax Jacobian is treated as diagonal, dx = y (1 − y) g: every output of a slice depends on every input of it (∂y_i/∂x_j = −y_i y_j for i ≠ j), so the off-diagonal terms are missing.',
      '把 softmax 的雅可比矩阵当成了对角矩阵，dx = y (1 − y) g：一个切片里的每个输出都依赖于它的每个输入（i ≠ j 时 ∂y_i/∂x_j = −y_i y_j），所以缺了非对角项。',
    ),
    hint: t(
      'The full Jacobian-vector product is dx_i = y_i (g_i − Σ_j g_j y_j): one dot product of g and y per slice along the axis, then y ⊙ (g − dot).',
      '完整的雅可比-向量积是 dx_i = y_i (g_i − Σ_j g_j y_j)：沿该维度每个切片先算一次 g 和 y 的点积，再算 y ⊙ (g − 点积)。',
    ),
  },
  'softmax-wrong-axis': {
    message: t(
      'The sum Σ g ⊙ y is taken along another axis than the one the softmax was computed along.',
      '求和 Σ g ⊙ y 所沿的维度不是 softmax 计算时所沿的那个维度。',
    ),
    hint: t(
      'Turn a negative axis into axis + ndim, then view the shape as (outer, size, inner) around it: the slice is size elements spaced inner apart, at (o · size + k) · inner + i.',
      '先把负的 axis 换成 axis + ndim，再以它为界把形状看成 (outer, size, inner)：一个切片是 size 个间隔为 inner 的元素，位置是 (o · size + k) · inner + i。',
    ),
  },
  // logSoftmaxNllBackward
  'nll-not-mean': {
    message: t(
      'The gradient is not divided by N: the loss is the mean over the N rows, so each row\'s softmax − onehot is scaled by 1/N. (Without it you have the gradient of the summed loss, PyTorch\'s reduction=\'sum\'; this function is the mean, the default of F.cross_entropy.)',
      '梯度没有除以 N：损失是对 N 行取的平均，所以每一行的 softmax − onehot 都要乘以 1/N。（不除的话，得到的是求和损失的梯度，即 PyTorch 的 reduction=\'sum\'；这个函数按平均计算，也就是 F.cross_entropy 的默认设置。）',
    ),
    hint: t('dlogits[n][c] = (softmax(logits[n])[c] − (c === targets[n] ? 1 : 0)) / N.', 'dlogits[n][c] = (softmax(logits[n])[c] − (c === targets[n] ? 1 : 0)) / N。'),
  },
  'nll-sign': {
    message: t(
      'The gradient has the wrong sign, onehot − softmax: that is the gradient of −L, and gradient descent with it would make the target less likely.',
      '梯度的符号反了，算成了 onehot − softmax：这是 −L 的梯度，用它做梯度下降会让目标类别的概率越来越小。',
    ),
    hint: t(
      'L = logsumexp(logits) − logits[target], so dL/dlogits = softmax − onehot: positive for the other classes, negative for the target.',
      'L = logsumexp(logits) − logits[target]，所以 dL/dlogits = softmax − onehot：其他类别为正，目标类别为负。',
    ),
  },
  'nll-unstable': {
    message: t(
      'Large logits give NaN or Infinity: exp(1000) overflows. The softmax must subtract the row\'s maximum before exp (the log-sum-exp trick), which changes nothing mathematically.',
      '较大的 logits 得到了 NaN 或 Infinity：exp(1000) 溢出了。softmax 在取 exp 之前必须先减去这一行的最大值（log-sum-exp 技巧），这在数学上不改变结果。',
    ),
    hint: t(
      'm = max of the row; p_c = exp(logits_c − m) / Σ_j exp(logits_j − m). The largest term is exp(0) = 1, so nothing overflows.',
      'm = 这一行的最大值；p_c = exp(logits_c − m) / Σ_j exp(logits_j − m)。最大的一项是 exp(0) = 1，不会溢出。',
    ),
  },
  // layerNormBackward
  'layernorm-direct-only': {
    message: t(
      'dx is only g ⊙ γ · rstd: the mean and the variance of each row depend on x too, and the gradient through both of them is missing.',
      'dx 只算了 g ⊙ γ · rstd：每一行的均值和方差也依赖于 x，经过它们的梯度都漏掉了。',
    ),
    hint: t(
      'With ĝ = g ⊙ γ: dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)). The mean(ĝ) term comes through the mean, the x̂ ⊙ mean(ĝ ⊙ x̂) term through the variance.',
      '记 ĝ = g ⊙ γ：dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))。mean(ĝ) 一项来自均值，x̂ ⊙ mean(ĝ ⊙ x̂) 一项来自方差。',
    ),
  },
  'layernorm-no-var-term': {
    message: t(
      'dx has the term through the mean but not the one through the variance: rstd = 1/sqrt(var + eps) depends on every x of the row, which adds −rstd · x̂ ⊙ mean(ĝ ⊙ x̂).',
      'dx 有经过均值的那一项，却没有经过方差的那一项：rstd = 1/sqrt(var + eps) 依赖于这一行的每个 x，它贡献 −rstd · x̂ ⊙ mean(ĝ ⊙ x̂)。',
    ),
    hint: t(
      'dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) with ĝ = g ⊙ γ and x̂ the normalised row.',
      'dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))，其中 ĝ = g ⊙ γ，x̂ 是归一化后的那一行。',
    ),
  },
  'layernorm-no-mean-term': {
    message: t(
      'dx has the term through the variance but not the one through the mean: the mean depends on every x of the row, which adds −rstd · mean(ĝ).',
      'dx 有经过方差的那一项，却没有经过均值的那一项：均值依赖于这一行的每个 x，它贡献 −rstd · mean(ĝ)。',
    ),
    hint: t(
      'dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)): subtract the row mean of ĝ = g ⊙ γ as well.',
      'dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))：还要减去 ĝ = g ⊙ γ 在这一行上的均值。',
    ),
  },
  'layernorm-annotated': {
    convention: 'The Annotated Transformer',
    message: t(
      'These are the gradients of the LayerNorm of The Annotated Transformer, (x − mean) / (std + eps) with the unbiased std (÷ (C − 1)) and eps outside the square root. This lesson uses PyTorch\'s nn.LayerNorm, (x − mean) / sqrt(var + eps) with the biased variance (÷ C), because the kit\'s layerNorm and every model of this course compute that function, and a backward must be the gradient of its own forward: divide the squared deviations by C and put eps inside the square root.',
      '这是 The Annotated Transformer 中 LayerNorm 的梯度，它的形式是 (x − mean) / (std + eps)，用无偏标准差（÷ (C − 1)），eps 放在平方根外面。本课使用 PyTorch 的 nn.LayerNorm，即 (x − mean) / sqrt(var + eps)，用有偏方差（÷ C），因为库的 layerNorm 和本课程的所有模型算的都是这个函数，而反向传播必须是它自己那个前向传播的梯度：请把平方偏差除以 C，并把 eps 放进平方根里。',
    ),
    hint: t(
      'variance = Σ (x − mean)² / C; rstd = 1 / Math.sqrt(variance + eps); then dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)).',
      'variance = Σ (x − mean)² / C；rstd = 1 / Math.sqrt(variance + eps)；然后 dx = rstd · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))。',
    ),
  },
});

export type BackpropMistake = keyof typeof BACKPROP_MISTAKES;
