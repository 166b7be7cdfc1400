/**
 * The MLP lesson's catalogue of known mistakes: what a learner is told when their layer, init or loss matches one.
 * One place for the words, so the checks and the test that feeds every mistake through the runner
 * (test/unit/mistakes/mlp.ts) agree. Entries marked `convention` are another library's way, not errors: PyTorch's
 * exact-erf GELU, PyTorch's nn.Linear default init, Keras' (in, out) kernel layout, PyTorch's broadcasting
 * mse_loss.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const MLP_MISTAKES = defineMistakes({
  // exercise 1: layers
  'tanh-overflow': {
    message: t(
      'tanh is not finite for large inputs: written as (e^x - e^-x) / (e^x + e^-x), e^x overflows float32 above x ≈ 88 and Infinity / Infinity is NaN.',
      'tanh 在输入较大时不是有限值：写成 (e^x - e^-x) / (e^x + e^-x) 时，x 超过约 88 后 e^x 在 float32 中溢出，而 Infinity / Infinity 是 NaN。',
    ),
    hint: t(
      'Use z = e^{-2|x|}, which is at most 1: tanh(x) = sign(x) (1 - z) / (1 + z), with sign(x) a constant ±1 tensor.',
      '改用 z = e^{-2|x|}，它不超过 1：tanh(x) = sign(x) (1 - z) / (1 + z)，其中 sign(x) 是一个常量 ±1 张量。',
    ),
  },
  'sigmoid-overflow': {
    message: t(
      'sigmoid (or its gradient) is not finite at x = -1000: 1 / (1 + e^{-x}) computes e^{1000} = Infinity, and the backward pass multiplies that Infinity by 0, which is NaN.',
      'sigmoid（或它的梯度）在 x = -1000 处不是有限值：1 / (1 + e^{-x}) 要算 e^{1000} = Infinity，反向传播再把这个 Infinity 乘以 0，得到 NaN。',
    ),
    hint: t(
      'Write it through a function that cannot overflow: sigmoid(x) = (1 + tanh(x / 2)) / 2 with your stable tanh, or e^{-|x|} in both branches.',
      '借助一个不会溢出的函数来写：sigmoid(x) = (1 + tanh(x / 2)) / 2，用你那个稳定的 tanh；或者两个分支都用 e^{-|x|}。',
    ),
  },
  'gelu-erf': {
    convention: 'PyTorch (nn.GELU())',
    message: t(
      'This GELU is the exact one, x Φ(x) with erf: that is the default of PyTorch (nn.GELU()), and of nanoGPT which uses it. This lesson uses the tanh form 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), as GPT-2 did and as the kit\'s GPT does (PyTorch\'s approximate=\'tanh\'), so that later lessons can load GPT-2 weights and get its numbers: use the tanh form.',
      '这个 GELU 是精确形式 x Φ(x)（用 erf）：这是 PyTorch (nn.GELU()) 的默认做法，使用它的 nanoGPT 也是如此。本课用 tanh 形式 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))，与 GPT-2 以及库里的 GPT 相同（即 PyTorch 的 approximate=\'tanh\'），这样后面的课程载入 GPT-2 权重时能得到它的数值：请改用 tanh 形式。',
    ),
    hint: t(
      'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))): mul(mul(x, 0.5), add(tanh(u), 1)).',
      'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))：mul(mul(x, 0.5), add(tanh(u), 1))。',
    ),
  },
  'weight-in-out': {
    convention: 'Keras',
    message: t(
      'The weight is laid out (in, out), for y = x @ W: that is the convention of Keras (a Dense layer\'s kernel is (input_dim, units)). This lesson stores it as PyTorch\'s nn.Linear does, (out, in), for y = x Wᵀ + b, because the kit\'s linear(x, w) and every later lesson (and GPT-2 checkpoints converted to PyTorch) use that layout: make weight (out, in).',
      '权重的布局是 (in, out)，对应 y = x @ W：这是 Keras 的约定（Dense 层的 kernel 形状是 (input_dim, units)）。本课像 PyTorch 的 nn.Linear 那样把它存成 (out, in)，对应 y = x Wᵀ + b，因为库里的 linear(x, w) 和后面所有课程（以及转成 PyTorch 格式的 GPT-2 权重）都用这种布局：请把 weight 做成 (out, in)。',
    ),
    hint: t(
      'weight = new Tensor(values, [outFeatures, inFeatures], true); forward: linear(x, this.weight, this.bias).',
      'weight = new Tensor(values, [outFeatures, inFeatures], true)；forward：linear(x, this.weight, this.bias)。',
    ),
  },
  'init-pytorch-default': {
    convention: 'PyTorch (nn.Linear)',
    message: t(
      'The weights are U(±1/√in), std 1/√(3·in): that is the default init of PyTorch (nn.Linear), kaiming_uniform_ with a = √5. This lesson\'s \'kaiming\' is He\'s init for ReLU, U(±√(6/in)), std √(2/in), because that is what keeps the activations\' variance constant through a deep ReLU network (PyTorch\'s default shrinks it by 6 at every layer): use the bound √(6/in).',
      '权重是 U(±1/√in)，标准差 1/√(3·in)：这是 PyTorch (nn.Linear) 的默认初始化，即 a = √5 的 kaiming_uniform_。本课的 \'kaiming\' 指 He 针对 ReLU 的初始化 U(±√(6/in))，标准差 √(2/in)，因为只有这样，激活值的方差在很深的 ReLU 网络中才能保持不变（PyTorch 的默认值每层会把它缩小 6 倍）：请用上界 √(6/in)。',
    ),
    hint: t(
      'bound = Math.sqrt(6 / inFeatures); w = (2 * rng.random() - 1) * bound. A uniform on [-a, a] has std a / √3.',
      'bound = Math.sqrt(6 / inFeatures)；w = (2 * rng.random() - 1) * bound。[-a, a] 上均匀分布的标准差是 a / √3。',
    ),
  },
  'init-bound-as-std': {
    message: t(
      'The weights\' std is √3 times too small: the formula\'s std was used as the bound of the uniform. U(-a, a) has std a / √3, so for std √(2/in) the bound is √(6/in) (and √(6/(in+out)) for xavier).',
      '权重的标准差小了 √3 倍：把公式里的标准差当成了均匀分布的上界。U(-a, a) 的标准差是 a / √3，所以要得到标准差 √(2/in)，上界应为 √(6/in)（xavier 则是 √(6/(in+out))）。',
    ),
    hint: t(
      'kaiming: bound = Math.sqrt(6 / inFeatures); xavier: bound = Math.sqrt(6 / (inFeatures + outFeatures)).',
      'kaiming：bound = Math.sqrt(6 / inFeatures)；xavier：bound = Math.sqrt(6 / (inFeatures + outFeatures))。',
    ),
  },
  'zero-init': {
    message: t(
      'Every weight starts at zero: then every hidden unit of a layer computes the same thing and gets the same gradient, so they stay identical however long you train (the symmetry is never broken); with zero biases too, no weight gets any gradient at all.',
      '所有权重都从零开始：这样同一层的每个隐藏单元算的都是同一个东西、得到的梯度也相同，无论训练多久它们都一模一样（对称性永远打不破）；偏置也为零时，没有任何权重能得到梯度。',
    ),
    hint: t(
      'Only init: \'zeros\' gives zeros. The default \'kaiming\' draws every weight from opts.rng: (2 * rng.random() - 1) * Math.sqrt(6 / inFeatures).',
      '只有 init: \'zeros\' 才给零。默认的 \'kaiming\' 要从 opts.rng 抽取每个权重：(2 * rng.random() - 1) * Math.sqrt(6 / inFeatures)。',
    ),
  },
  'rng-ignored': {
    message: t(
      'The weights do not come from opts.rng: two layers built with the same seed must start identical (and different seeds must differ), so a run can be repeated.',
      '权重不是用 opts.rng 生成的：用同一个种子构造的两个层初始值必须完全相同（不同种子必须不同），这样一次实验才能复现。',
    ),
    hint: t(
      'const rng = opts.rng ?? globalRng, and draw every weight with rng.random() (MLP passes its rng on to every Linear).',
      'const rng = opts.rng ?? globalRng，每个权重都用 rng.random() 抽取（MLP 要把它的 rng 传给每个 Linear）。',
    ),
  },
  'act-after-last': {
    message: t(
      'The activation is also applied after the last layer: the output of an MLP is logits (or a regression value), which may be negative; with ReLU at the end, every negative output becomes 0 and gets no gradient.',
      '最后一层之后也用了激活函数：MLP 的输出是 logits（或回归值），可以是负数；最后再加 ReLU 的话，所有负的输出都变成 0，也得不到梯度。',
    ),
    hint: t(
      'In forward, apply the activation only when i < this.layers.length - 1.',
      '在 forward 中，只在 i < this.layers.length - 1 时使用激活函数。',
    ),
  },
  // exercise 2: losses
  'mse-broadcast': {
    convention: 'PyTorch (mse_loss)',
    message: t(
      'mseLoss accepted pred and target of different shapes: that is the convention of PyTorch (mse_loss), which broadcasts them and only warns. This lesson throws instead, because broadcasting a (4, 1) prediction against a (4) target silently averages a (4, 4) matrix of every prediction against every target: compare the shapes and throw if they differ.',
      'mseLoss 接受了形状不同的 pred 和 target：这是 PyTorch (mse_loss) 的约定，它会把两者广播，只给出警告。本课改为抛出错误，因为把 (4, 1) 的预测和 (4) 的目标广播，会悄悄地对“每个预测配每个目标”的 (4, 4) 矩阵求平均：请比较两者的形状，不同就抛出错误。',
    ),
    hint: t(
      'if (pred.shape.length !== target.shape.length || pred.shape.some((d, i) => d !== target.shape[i])) throw new Error(...).',
      'if (pred.shape.length !== target.shape.length || pred.shape.some((d, i) => d !== target.shape[i])) throw new Error(...)。',
    ),
  },
  'softmax-then-log': {
    message: t(
      'The loss is not finite for logits of ±1000: log(softmax(x)) rounds the probability of a wrong class to 0 and its log to -Infinity (and e^{1000} overflows to Infinity, Infinity / Infinity is NaN).',
      '当 logits 为 ±1000 时损失不是有限值：log(softmax(x)) 会把错误类别的概率舍入成 0，其对数就是 -Infinity（而 e^{1000} 溢出成 Infinity，Infinity / Infinity 是 NaN）。',
    ),
    hint: t(
      'Never take the log of a probability: -log p_t = logsumexp(x) - x_t, with logsumexp(x) = m + log Σ e^{x - m}, m the row max.',
      '不要对概率取对数：-log p_t = logsumexp(x) - x_t，其中 logsumexp(x) = m + log Σ e^{x - m}，m 是该行的最大值。',
    ),
  },
  'ce-on-probabilities': {
    message: t(
      'The loss matches cross-entropy computed on softmax(logits), i.e. softmax applied twice: crossEntropyLoss takes raw logits and applies the softmax itself, like PyTorch\'s F.cross_entropy.',
      '这个损失等于对 softmax(logits) 再算交叉熵，也就是 softmax 用了两次：crossEntropyLoss 接收的是原始 logits，softmax 由它自己来做，与 PyTorch 的 F.cross_entropy 一样。',
    ),
    hint: t(
      'Do not softmax the logits first: loss_n = logsumexp(logits_n) - logits_n[t_n].',
      '不要先对 logits 做 softmax：loss_n = logsumexp(logits_n) - logits_n[t_n]。',
    ),
  },
  'mse-for-classification': {
    message: t(
      'This is a squared error between probabilities (or logits) and the one-hot target, not cross-entropy: for a confidently wrong prediction the softmax saturates and the squared error\'s gradient all but vanishes, while cross-entropy\'s stays near 1 / N.',
      '这是概率（或 logits）与 one-hot 目标之间的平方误差，不是交叉熵：当预测很自信却错了时，softmax 饱和，平方误差的梯度几乎消失，而交叉熵的梯度仍接近 1 / N。',
    ),
    hint: t(
      'Cross-entropy is the negative log-probability of the target: mean over rows of logsumexp(logits_n) - logits_n[t_n].',
      '交叉熵是目标类别的负对数概率：对每行的 logsumexp(logits_n) - logits_n[t_n] 取平均。',
    ),
  },
  'ce-sum': {
    message: t(
      'The loss is the sum over the N rows, not the mean: then the gradient (and the right learning rate) depends on the batch size.',
      '这个损失是 N 行之和，而不是平均值：这样梯度（以及合适的学习率）会随批次大小而变。',
    ),
    hint: t('Divide by N: mean(...) over the rows.', '除以 N：对各行取 mean(...)。'),
  },
  'bce-unstable': {
    message: t(
      'The loss is not finite for logits of ±1000: log(sigmoid(x)) is log(0) = -Infinity when sigmoid rounds to 0, and log(1 + e^x) overflows to Infinity at x = 1000.',
      '当 logits 为 ±1000 时损失不是有限值：sigmoid 被舍入成 0 时，log(sigmoid(x)) 就是 log(0) = -Infinity；而在 x = 1000 时 log(1 + e^x) 会溢出成 Infinity。',
    ),
    hint: t(
      'Use loss = softplus(x) - x·y, with softplus(x) = log(1 + e^x) = c + log(e^{-c} + e^{x - c}), c = max(x, 0) as a constant.',
      '用 loss = softplus(x) - x·y，其中 softplus(x) = log(1 + e^x) = c + log(e^{-c} + e^{x - c})，c = max(x, 0) 取为常量。',
    ),
  },
  'bce-grad-at-zero': {
    message: t(
      'At logit 0 the gradient is wrong (it should be (0.5 - y) / n): max(x, 0) - x·y + log(1 + e^{-|x|}) has the right value, but built from relu and |x|, whose derivatives at 0 are taken as 0 (as in PyTorch), its gradient there loses the ±0.5 of both terms. A zero-initialised output layer starts exactly there.',
      '在 logit 为 0 处梯度错了（应为 (0.5 - y) / n）：max(x, 0) - x·y + log(1 + e^{-|x|}) 的值是对的，但用 relu 和 |x| 搭出来时，它们在 0 处的导数都取 0（与 PyTorch 相同），于是这里的梯度丢掉了两项中的 ±0.5。从零初始化的输出层恰好就从这里开始。',
    ),
    hint: t(
      'Write softplus with a constant c = max(x, 0): c + log(e^{-c} + e^{x - c}); its gradient is sigmoid(x) everywhere, x = 0 included.',
      '用常量 c = max(x, 0) 来写 softplus：c + log(e^{-c} + e^{x - c})；它的梯度处处都是 sigmoid(x)，x = 0 处也不例外。',
    ),
  },
});

export type MlpMistake = keyof typeof MLP_MISTAKES;
