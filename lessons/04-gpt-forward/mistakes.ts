/**
 * What a learner is told when their GPT pieces match a catalogued mistake (the course's gpt-reference.ts
 * computes each one), in English and Simplified Chinese. Shared with test/unit/mistakes/attention.ts, which
 * checks that each mistake is recognised.
 */
import { defineMistakes, t } from '@llm-lab/check';

const GELU_FORMULA = t(
  'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).',
  'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))。',
);

export const GPT_MISTAKE_TEXT = defineMistakes({
  'ln-unbiased-variance': {
    message: t(
      'LayerNorm used the unbiased variance (dividing by C − 1). LayerNorm in GPT-2 and in PyTorch (nn.LayerNorm) divides by C, even though torch.var divides by C − 1 by default.',
      'LayerNorm 用了无偏方差（除以 C − 1）。GPT-2 和 PyTorch（nn.LayerNorm）的 LayerNorm 除以的是 C，尽管 torch.var 默认除以 C − 1。',
    ),
    hint: t(
      'var = mean((x - mean)^2) over the last axis: divide the sum of squares by C. (The kit\'s variance(x, -1, true) does that by default.)',
      'var = 沿最后一个轴的 mean((x - mean)^2)：平方和除以 C。（工具包的 variance(x, -1, true) 默认就是这样。）',
    ),
  },
  'ln-eps-outside-sqrt': {
    message: t(
      'LayerNorm added eps outside the square root: it divides by √(var + eps), not by √var + eps.',
      'LayerNorm 把 eps 加在了平方根外面：应当除以 √(var + eps)，而不是 √var + eps。',
    ),
    hint: t('sqrt(add(var, eps)), then divide.', '先 sqrt(add(var, eps))，再做除法。'),
  },
  'ln-divide-by-variance': {
    message: t(
      'LayerNorm divided by the variance instead of the standard deviation √(var + eps): the result does not have variance 1.',
      'LayerNorm 除以了方差，而不是标准差 √(var + eps)：结果的方差不是 1。',
    ),
    hint: t('Divide x - mean by sqrt(var + eps).', '用 x - mean 除以 sqrt(var + eps)。'),
  },
  'ln-no-eps': {
    message: t(
      'A constant row has variance 0, and without eps LayerNorm computes 0 / 0 = NaN. That is what eps is for: √(var + eps) is never 0.',
      '常数行的方差为 0，没有 eps 的话 LayerNorm 会算出 0 / 0 = NaN。eps 就是为此而设的：√(var + eps) 永远不为 0。',
    ),
    hint: t('Divide by sqrt(var + eps), with eps = 1e-5.', '除以 sqrt(var + eps)，其中 eps = 1e-5。'),
  },
  'ln-wrong-axis': {
    message: t(
      'LayerNorm normalised along the wrong axis: each token (each slice along the LAST axis, its C channels) is normalised on its own.',
      'LayerNorm 沿错了轴归一化：应当对每个 token（沿最后一个轴的每个切片，即它的 C 个通道）单独归一化。',
    ),
    hint: t(
      'mean(x, -1, true) and variance(x, -1, true): keepdim = true keeps a size-1 axis so the result broadcasts against x.',
      'mean(x, -1, true) 和 variance(x, -1, true)：keepdim = true 会保留一个大小为 1 的轴，结果才能和 x 广播。',
    ),
  },
  'ln-eps-ignored': {
    message: t(
      'layerNorm ignored its eps argument: called with another eps, it gave the result for eps = 1e-5. eps is a parameter (GPT-2 uses 1e-5, other models 1e-6 or 1e-12), and 1e-5 is only its default.',
      'layerNorm 忽略了传入的 eps 参数：用别的 eps 调用时，它给出的是 eps = 1e-5 的结果。eps 是一个参数（GPT-2 用 1e-5，其他模型用 1e-6 或 1e-12），1e-5 只是它的默认值。',
    ),
    hint: t(
      'Use the eps of the signature, layerNorm(x, weight, bias, eps = 1e-5): sqrt(add(var, eps)), not a 1e-5 written into the formula.',
      '使用函数签名里的 eps，即 layerNorm(x, weight, bias, eps = 1e-5)：写 sqrt(add(var, eps))，而不是在公式里写死 1e-5。',
    ),
  },
  'ln-weight-bias-swapped': {
    message: t(
      'LayerNorm\'s weight and bias were swapped: the normalised value is multiplied by the weight (gain) and then the bias is added.',
      'LayerNorm 的 weight 和 bias 弄反了：归一化后的值先乘以 weight（增益），再加上 bias。',
    ),
    hint: t('y = xhat * weight + bias.', 'y = xhat * weight + bias。'),
  },
  'gelu-erf': {
    convention: 'nanoGPT (nn.GELU())',
    message: t(
      'This is the exact GELU, x·Φ(x) computed with erf: the convention of nanoGPT (nn.GELU()), whose MLP uses PyTorch\'s default, exact GELU. This model, like GPT-2, was trained with the tanh approximation (Hugging Face\'s gelu_new, PyTorch\'s nn.GELU(approximate=\'tanh\')), and your logits must match it to 1e-4; the two forms differ by up to about 5e-4, enough to move a trained model\'s logits by more than that. Change gelu to the tanh form.',
      '这是精确的 GELU，即用 erf 计算的 x·Φ(x)：这是 nanoGPT (nn.GELU()) 的约定，它的 MLP 用的是 PyTorch 默认的精确 GELU。这个模型和 GPT-2 一样，是用 tanh 近似训练的（Hugging Face 的 gelu_new，PyTorch 的 nn.GELU(approximate=\'tanh\')），而你的 logits 必须与它相差不超过 1e-4；两种形式最多相差约 5e-4，足以让训练好的模型的 logits 偏离超过这个容差。把 gelu 改成 tanh 形式。',
    ),
    hint: t(
      'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))): in PyTorch, nn.GELU(approximate=\'tanh\'), not nn.GELU().',
      'gelu(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))：在 PyTorch 中是 nn.GELU(approximate=\'tanh\')，而不是 nn.GELU()。',
    ),
  },
  'gelu-relu': {
    message: t(
      'This is ReLU, max(0, x), not GELU: GELU is smooth and lets small negative values through (gelu(-1) ≈ -0.159).',
      '这是 ReLU，即 max(0, x)，不是 GELU：GELU 是光滑的，并且允许较小的负值通过（gelu(-1) ≈ -0.159）。',
    ),
    hint: GELU_FORMULA,
  },
  'gelu-sigmoid': {
    message: t(
      'This is the sigmoid approximation x·σ(1.702·x), not the tanh approximation GPT-2 uses.',
      '这是 sigmoid 近似 x·σ(1.702·x)，不是 GPT-2 使用的 tanh 近似。',
    ),
    hint: GELU_FORMULA,
  },
  'gelu-no-cubic': {
    message: t(
      'The 0.044715·x³ term is missing from inside the tanh.',
      'tanh 里面少了 0.044715·x³ 这一项。',
    ),
    hint: t('tanh(√(2/π) · (x + 0.044715 · x³)).', 'tanh(√(2/π) · (x + 0.044715 · x³))。'),
  },
  'gelu-no-half': {
    message: t(
      'The factor 0.5 is missing: for large x, gelu(x) should be close to x, not 2x.',
      '少了系数 0.5：x 很大时，gelu(x) 应接近 x，而不是 2x。',
    ),
    hint: t('gelu(x) = 0.5 · x · (1 + tanh(...)).', 'gelu(x) = 0.5 · x · (1 + tanh(...))。'),
  },
  'mlp-relu': {
    message: t(
      'The MLP uses ReLU between its two layers; GPT-2 uses GELU (your gelu).',
      'MLP 在两层之间用了 ReLU；GPT-2 用的是 GELU（你写的 gelu）。',
    ),
    hint: t(
      'mlp(x) = linear(gelu(linear(x, fc.weight, fc.bias)), proj.weight, proj.bias).',
      'mlp(x) = linear(gelu(linear(x, fc.weight, fc.bias)), proj.weight, proj.bias)。',
    ),
  },
  'mlp-no-activation': {
    message: t(
      'The MLP has no activation between its two layers: two linear maps in a row are just one linear map.',
      'MLP 的两层之间没有激活函数：两个线性映射连在一起仍然只是一个线性映射。',
    ),
    hint: t(
      'Apply gelu to the (B, T, 4C) hidden layer before the second projection.',
      '在第二个投影之前，对 (B, T, 4C) 的隐藏层做 gelu。',
    ),
  },
  'mlp-conv1d': {
    convention: 'Hugging Face (Conv1D)',
    message: t(
      'Your mlp computes x @ W + b: that is the convention of Hugging Face (Conv1D), whose GPT-2 stores c_fc and c_proj as (in, out). This course stores every weight as PyTorch\'s nn.Linear does, (out, in), like nanoGPT (which transposes the Conv1D weights when it loads GPT-2), so h.<i>.mlp.fc.weight is (4C, C) and each layer is x @ Wᵀ + b. Your mlp gives the right numbers when the weights are handed to it transposed; change x @ W to x @ Wᵀ.',
      '你的 mlp 算的是 x @ W + b：这是 Hugging Face (Conv1D) 的约定，它的 GPT-2 把 c_fc 和 c_proj 存成 (in, out)。本课程和 nanoGPT 一样，按 PyTorch 的 nn.Linear 的方式存所有权重，即 (out, in)（nanoGPT 加载 GPT-2 时会把 Conv1D 的权重转置过来），所以 h.<i>.mlp.fc.weight 是 (4C, C)，每一层都是 x @ Wᵀ + b。把权重转置后再交给你的 mlp，它就能算出正确的数值；把 x @ W 改成 x @ Wᵀ。',
    ),
    hint: t(
      'linear(x, weight, bias) computes x @ weightᵀ + bias: h = linear(x, fc.weight, fc.bias), then linear(gelu(h), proj.weight, proj.bias).',
      'linear(x, weight, bias) 计算 x @ weightᵀ + bias：h = linear(x, fc.weight, fc.bias)，再 linear(gelu(h), proj.weight, proj.bias)。',
    ),
  },
  'post-ln': {
    message: t(
      'The block normalises after the residual addition (post-LN, the original Transformer\'s order). GPT-2 is pre-LN: x = x + attn(ln_1(x)), then x = x + mlp(ln_2(x)); the residual stream itself is never normalised inside a block.',
      '这个块在残差相加之后才做归一化（post-LN，原始 Transformer 的顺序）。GPT-2 是 pre-LN：x = x + attn(ln_1(x))，然后 x = x + mlp(ln_2(x))；块内部从不对残差流本身做归一化。',
    ),
    hint: t(
      'LayerNorm goes on the branch, before attention and before the MLP, and the branch\'s result is added to the untouched x.',
      'LayerNorm 放在分支上，在注意力之前、在 MLP 之前；分支的结果加到未经处理的 x 上。',
    ),
  },
  'no-residual': {
    message: t(
      'The residual connections are missing: the block replaces x by attn(...) and mlp(...) instead of adding them to x.',
      '缺少残差连接：这个块用 attn(...) 和 mlp(...) 替换了 x，而不是把它们加到 x 上。',
    ),
    hint: t('x = add(x, attnOut); then x = add(x, mlp(ln_2(x))).', 'x = add(x, attnOut)；然后 x = add(x, mlp(ln_2(x)))。'),
  },
  'parallel-block': {
    message: t(
      'The MLP reads the block\'s input instead of x + attention: in GPT-2 the MLP comes after the attention has been added to the residual stream.',
      'MLP 读的是块的输入，而不是 x + 注意力：在 GPT-2 中，MLP 在注意力的结果加入残差流之后才计算。',
    ),
    hint: t(
      'x = add(x, attnOut) first, then x = add(x, mlp(layerNorm(x, ln_2 ...))) with that new x.',
      '先 x = add(x, attnOut)，再用这个新的 x 计算 x = add(x, mlp(layerNorm(x, ln_2 ...)))。',
    ),
  },
  'same-layer-norm': {
    message: t(
      'ln_1\'s weight and bias were used for both LayerNorms; the one before the MLP has its own, h.<i>.ln_2.',
      '两个 LayerNorm 都用了 ln_1 的 weight 和 bias；MLP 之前的那个有它自己的参数 h.<i>.ln_2。',
    ),
    hint: t(
      'Attention reads layerNorm(x, h.i.ln_1.weight, h.i.ln_1.bias); the MLP reads layerNorm(x, h.i.ln_2.weight, h.i.ln_2.bias).',
      '注意力读 layerNorm(x, h.i.ln_1.weight, h.i.ln_1.bias)；MLP 读 layerNorm(x, h.i.ln_2.weight, h.i.ln_2.bias)。',
    ),
  },
  'no-position-embedding': {
    message: t(
      'The position embedding is missing: without wpe the model cannot tell "dog bites man" from "man bites dog", since attention itself ignores order.',
      '缺少位置嵌入：没有 wpe，模型分不清“狗咬人”和“人咬狗”，因为注意力本身不考虑顺序。',
    ),
    hint: t(
      'x = wte[ids] + wpe[0..T): embedding(wpe, [0, 1, ..., T-1], [T]) is (T, C) and broadcasts over the batch.',
      'x = wte[ids] + wpe[0..T)：embedding(wpe, [0, 1, ..., T-1], [T]) 的形状是 (T, C)，会沿批次广播。',
    ),
  },
  'no-final-layer-norm': {
    message: t(
      'The final LayerNorm (ln_f) is missing: GPT-2 normalises the last block\'s output before the LM head.',
      '缺少最后的 LayerNorm（ln_f）：GPT-2 在语言模型头之前会对最后一个块的输出做归一化。',
    ),
    hint: t(
      'logits = linear(layerNorm(x, ln_f.weight, ln_f.bias), wte.weight).',
      'logits = linear(layerNorm(x, ln_f.weight, ln_f.bias), wte.weight)。',
    ),
  },
  'logits-last-position-only': {
    convention: 'nanoGPT',
    message: t(
      'Your logits cover only the last position, (B, 1, V): that is the convention of nanoGPT at inference (without targets, its forward applies lm_head to x[:, [-1], :] only, to save work while generating). This lesson returns the logits at every position, (B, T, V), as Hugging Face\'s GPT-2 does, because the checks compare every position with onnxruntime and read the next-character prediction at each one. Apply the LM head to all T positions.',
      '你的 logits 只有最后一个位置，形状是 (B, 1, V)：这是 nanoGPT 在推理时的约定（没有 targets 时，它的 forward 只对 x[:, [-1], :] 做 lm_head，以便生成时省些计算）。本课和 Hugging Face 的 GPT-2 一样，返回每个位置的 logits (B, T, V)，因为检查要把每个位置都与 onnxruntime 比较，并读取每个位置对下一个字符的预测。对全部 T 个位置做语言模型头。',
    ),
    hint: t(
      'logits = linear(x, param(w, \'wte.weight\')) on the whole (B, T, C) output of ln_f: (B, T, C) @ (C, V) = (B, T, V).',
      '对 ln_f 输出的整个 (B, T, C) 张量做 logits = linear(x, param(w, \'wte.weight\'))：(B, T, C) @ (C, V) = (B, T, V)。',
    ),
  },
  'lesson-3': {
    message: t(
      'The multi-head attention this file imports from the multi-head attention lesson (03-multi-head-attention/multihead.ts) does not reproduce the model\'s attention yet, so the whole model cannot.',
      '这个文件从多头注意力一课导入的多头注意力（03-multi-head-attention/multihead.ts）还复现不了模型的注意力，所以整个模型也不可能对。',
    ),
    hint: t(
      'Open the multi-head attention lesson\'s exercise and run its checks: they say exactly what is off.',
      '打开多头注意力一课的练习并运行它的检查：它们会准确指出哪里有问题。',
    ),
  },
});
