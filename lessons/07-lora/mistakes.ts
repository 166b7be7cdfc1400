/**
 * The LoRA lesson's catalogue of known LoRA mistakes: what a learner is told when their numbers match one (the course
 * layer's reference, @llm-lab/course/lora, computes most of them as wrong variants). One place for the words,
 * so the checks and the test that feeds every mistake through the runner (test/unit/mistakes/lora.ts) agree.
 *
 * Entries marked `convention` are not mistakes but another library's way (nanoGPT's parameter count without
 * wpe, Hugging Face Conv1D's (in, out) layout, rsLoRA's alpha / √r, PEFT's in-place merge): the checks name
 * them as such. PEFT's and PyTorch's initialisation of A, U(±1/√in), is simply accepted (see the lesson).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const LORA_MISTAKES = defineMistakes({
  // exercise 1: counting
  'params-product': {
    message: t(
      'An adapter holds r·(d_in + d_out) numbers, not r·d_in·d_out: A is (r, d_in) and B is (d_out, r), two thin matrices side by side, not a stack of r full ones.',
      '一个适配器有 r·(d_in + d_out) 个数，而不是 r·d_in·d_out：A 是 (r, d_in)，B 是 (d_out, r)，是并排的两个瘦长矩阵，不是 r 个完整矩阵叠在一起。',
    ),
    hint: t('Count A and B separately: r·d_in + d_out·r.', '分别数 A 和 B：r·d_in + d_out·r。'),
  },
  'params-only-a': {
    message: t(
      'Only A was counted: B (d_out, r) is trained too, so the adapter has r·d_in + d_out·r numbers.',
      '只数了 A：B (d_out, r) 也要训练，所以适配器共有 r·d_in + d_out·r 个数。',
    ),
    hint: t('loraParams = r * dIn + dOut * r.', 'loraParams = r * dIn + dOut * r。'),
  },
  'params-full': {
    message: t(
      'That is the size of the full weight, d_in·d_out: the number full fine-tuning trains for this layer, not the adapter.',
      '这是完整权重的大小 d_in·d_out：是全量微调在这一层要训练的参数量，不是适配器的。',
    ),
    hint: t('The adapter is A (r, d_in) and B (d_out, r): r·(d_in + d_out).', '适配器是 A (r, d_in) 和 B (d_out, r)：共 r·(d_in + d_out)。'),
  },
  'tied-head-twice': {
    message: t(
      'The LM head was counted as a matrix of its own: it is tied to the token embedding wte (logits = x @ wteᵀ), so those V·C weights exist once.',
      '语言模型头被当成了单独的矩阵来数：它与词嵌入 wte 共享权重（logits = x @ wteᵀ），所以这 V·C 个权重只存在一份。',
    ),
    hint: t('Count wte, wpe, the blocks and ln_f; there is no separate head.', '数 wte、wpe、各个块和 ln_f；没有单独的输出头。'),
  },
  'no-biases': {
    message: t(
      'The count is short by exactly the biases and LayerNorm parameters: every Linear has a bias (out numbers), and every LayerNorm a weight and a bias (C each).',
      '总数恰好少了偏置和 LayerNorm 的参数：每个 Linear 都有一个偏置（out 个数），每个 LayerNorm 都有一个权重和一个偏置（各 C 个数）。',
    ),
    hint: t(
      'Per block: ln_1 (2C), q, k, v, proj (C·C + C each), ln_2 (2C), fc (C·4C + 4C), proj (4C·C + C); plus ln_f (2C) at the end.',
      '每个块：ln_1 (2C)，q、k、v、proj（各 C·C + C），ln_2 (2C)，fc (C·4C + 4C)，proj (4C·C + C)；最后再加 ln_f (2C)。',
    ),
  },
  'one-layer': {
    message: t(
      'countTrainable counted one block: every one of the nLayer blocks gets its own adapters, so multiply by nLayer.',
      'countTrainable 只数了一个块：nLayer 个块中的每一个都有自己的适配器，所以要乘以 nLayer。',
    ),
    hint: t('Sum loraParams over the targets, then multiply by config.nLayer.', '对所有目标层把 loraParams 加起来，再乘以 config.nLayer。'),
  },
  'gpt-no-wpe': {
    convention: 'nanoGPT',
    message: t(
      'The count leaves out the position embeddings wpe (blockSize·C): that is nanoGPT\'s convention (its get_num_params() subtracts them by default, non_embedding=True). This lesson counts every weight, because full fine-tuning trains wpe too and the count must equal the number of weights in the model file: add blockSize · C.',
      '这个总数没有算位置嵌入 wpe（blockSize·C）：这是 nanoGPT 的约定（它的 get_num_params() 默认 non_embedding=True，会减去它们）。本课要数每一个权重，因为全量微调也会训练 wpe，而且总数必须等于模型文件中的权重个数：请加上 blockSize · C。',
    ),
    hint: t(
      'gptParams = V·C (wte, also the head) + blockSize·C (wpe) + nLayer · (one block) + 2C (ln_f).',
      'gptParams = V·C（wte，同时也是输出头）+ blockSize·C（wpe）+ nLayer ·（一个块）+ 2C（ln_f）。',
    ),
  },
  'mlp-square': {
    message: t(
      'The MLP layers are not C×C: mlp.fc maps C to 4C and mlp.proj maps 4C back to C, so their adapters are r·(C + 4C) each.',
      'MLP 的层不是 C×C 的：mlp.fc 把 C 映射到 4C，mlp.proj 再把 4C 映射回 C，所以它们的适配器各有 r·(C + 4C) 个数。',
    ),
    hint: t(
      'attn.q, .k, .v, .proj: (C, C); mlp.fc: d_in = C, d_out = 4C; mlp.proj: d_in = 4C, d_out = C.',
      'attn.q、.k、.v、.proj：(C, C)；mlp.fc：d_in = C，d_out = 4C；mlp.proj：d_in = 4C，d_out = C。',
    ),
  },
  // exercise 2: the layer
  'b-nonzero': {
    message: t(
      'B does not start at zero, so the adapter changes the model\'s output before any training: step 0 of a fine-tune must be exactly the pretrained model.',
      'B 的初始值不是零，于是适配器在训练之前就改变了模型的输出：微调的第 0 步必须与预训练模型完全一致。',
    ),
    hint: t(
      'B = zeros([outFeatures, r], { requiresGrad: true }); only A is random. B A = 0 then, whatever A is.',
      'B = zeros([outFeatures, r], { requiresGrad: true })；只有 A 是随机的。这样无论 A 是什么，B A 都等于 0。',
    ),
  },
  'a-zero': {
    message: t(
      'A and B both start at zero: then dB = s·dYᵀ·(x Aᵀ) = 0 and dA = s·(dY B)ᵀ·x = 0, so the adapter never leaves zero and nothing is learned.',
      'A 和 B 都初始化为零：这时 dB = s·dYᵀ·(x Aᵀ) = 0，dA = s·(dY B)ᵀ·x = 0，适配器永远停在零，什么也学不到。',
    ),
    hint: t(
      'A must be small and random (e.g. randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures))); B starts at zero.',
      'A 必须是较小的随机值（例如 randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures))）；B 从零开始。',
    ),
  },
  'init-swapped': {
    message: t(
      'A is all zeros: it must start small and random (B is the one that starts at zero).',
      'A 全是零：它应当从较小的随机值开始（从零开始的是 B）。',
    ),
    hint: t(
      'A = randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures), { requiresGrad: true }); B = zeros([outFeatures, r], { requiresGrad: true }).',
      'A = randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures), { requiresGrad: true })；B = zeros([outFeatures, r], { requiresGrad: true })。',
    ),
  },
  'shapes-swapped': {
    convention: 'Hugging Face Conv1D',
    message: t(
      'A is laid out (in, r) or B (r, out), for y = x @ A @ B: that is the convention of Hugging Face Conv1D, which stores GPT-2\'s weights (c_attn, c_fc) as (in, out). This lesson stores every weight as nn.Linear does, (out, in), as PEFT\'s lora_A and lora_B also do, because the kit\'s linear(x, w) takes that layout and B A then has the shape of W, so merging needs no transpose: make A (r, in) and B (out, r).',
      'A 的布局是 (in, r)，或 B 是 (r, out)，对应 y = x @ A @ B：这是 Hugging Face Conv1D 的约定，它把 GPT-2 的权重（c_attn、c_fc）存成 (in, out)。本课程所有权重都按 nn.Linear 的方式存成 (out, in)，PEFT 的 lora_A 和 lora_B 也是如此，因为库里的 linear(x, w) 接受这种布局，而且这样 B A 与 W 同形，合并时无需转置：请让 A 为 (r, in)，B 为 (out, r)。',
    ),
    hint: t(
      'Like a Linear weight, each is (out, in) of its own step: A: in -> r is (r, in); B: r -> out is (out, r). Then x Aᵀ Bᵀ = linear(linear(x, A), B), in place of matmul(matmul(x, A), B).',
      '和 Linear 的权重一样，每个矩阵都是它那一步的 (out, in)：A 是 in -> r，形状 (r, in)；B 是 r -> out，形状 (out, r)。于是 x Aᵀ Bᵀ = linear(linear(x, A), B)，用它代替 matmul(matmul(x, A), B)。',
    ),
  },
  'scale-missing': {
    message: t(
      'The adapter\'s output is not scaled: y = x Wᵀ + b + x Aᵀ Bᵀ, without the factor alpha / r.',
      '适配器的输出没有缩放：算成了 y = x Wᵀ + b + x Aᵀ Bᵀ，少了系数 alpha / r。',
    ),
    hint: t(
      'Multiply the adapter path by this.scale = alpha / r: add(base, mul(linear(linear(x, A), B), alpha / r)).',
      '把适配器这条路径乘以 this.scale = alpha / r：add(base, mul(linear(linear(x, A), B), alpha / r))。',
    ),
  },
  'scale-inverted': {
    message: t('The adapter is scaled by r / alpha instead of alpha / r.', '适配器的缩放系数用了 r / alpha，应为 alpha / r。'),
    hint: t(
      'scale = alpha / r: a larger alpha makes the adapter louder, a larger rank does not.',
      'scale = alpha / r：alpha 越大，适配器的作用越强；秩变大则不会。',
    ),
  },
  'scale-rslora': {
    convention: 'rsLoRA (PEFT use_rslora=True)',
    message: t(
      'The scale here is alpha / √r: that is the convention of rsLoRA (PEFT use_rslora=True), rank-stabilised LoRA (Kalajdzievski, 2023), which PEFT offers as an option. This lesson uses s = alpha / r, the scale of the LoRA paper and PEFT\'s default, so its outputs, gradients and merged weights are those of a default PEFT adapter: change alpha / Math.sqrt(r) to alpha / r.',
      '这里的缩放系数是 alpha / √r：这是 rsLoRA (PEFT use_rslora=True) 的约定，即秩稳定 LoRA（Kalajdzievski，2023），PEFT 把它作为一个选项提供。本课使用 s = alpha / r，这是 LoRA 论文的缩放系数，也是 PEFT 的默认值，这样得到的输出、梯度和合并后的权重都与默认配置的 PEFT 适配器一致：请把 alpha / Math.sqrt(r) 改成 alpha / r。',
    ),
    hint: t(
      's = alpha / r wherever the scale appears: this.scale in the layer, s in the backward pass, and the factor of B A in merge and unmerge.',
      '凡是用到缩放系数的地方都用 s = alpha / r：层里的 this.scale、反向传播中的 s，以及 merge 和 unmerge 中 B A 前面的系数。',
    ),
  },
  'scale-alpha-only': {
    message: t(
      'The adapter is scaled by alpha, not alpha / r: then doubling the rank doubles the size of the update, which is what dividing by r prevents.',
      '适配器的缩放系数用了 alpha，而不是 alpha / r：这样秩翻倍，更新量也翻倍，而除以 r 正是为了避免这一点。',
    ),
    hint: t('scale = alpha / r.', 'scale = alpha / r。'),
  },
  'w-trainable': {
    message: t(
      'W (or b) is still trainable: gradient flows into the frozen weight, so the optimizer would change the pretrained model, and you would store a full copy of it per task.',
      'W（或 b）仍然可训练：梯度流进了本应冻结的权重，优化器会改动预训练模型，每个任务都得存一整份模型副本。',
    ),
    hint: t(
      'Set this.weight.requiresGrad = false (and the bias\'s) in the constructor: the kit then skips their gradients, and parameters() lists only A and B.',
      '在构造函数里设置 this.weight.requiresGrad = false（偏置也一样）：这样库就不会为它们计算梯度，parameters() 也只列出 A 和 B。',
    ),
  },
  'a-not-seeded': {
    message: t(
      'A does not come from the rng you were given: two layers built with the same seed should start identical, so a run can be repeated.',
      'A 不是用传进来的 rng 生成的：用同一个种子构造的两个层应当初始值完全相同，这样实验才能复现。',
    ),
    hint: t(
      'Draw A with randn([r, inFeatures], rng, std), passing the constructor\'s rng, not Math.random or the global generator.',
      '用 randn([r, inFeatures], rng, std) 生成 A，传入构造函数的 rng，不要用 Math.random 或全局随机数生成器。',
    ),
  },
  // exercise 3: backward
  'backward-no-scale': {
    message: t(
      'The gradients of A and B miss the factor alpha / r: the forward pass multiplies the adapter by s = alpha / r, so every gradient through it is multiplied by s too.',
      'A 和 B 的梯度少了系数 alpha / r：前向传播把适配器乘了 s = alpha / r，所以经过它的每个梯度也都要乘以 s。',
    ),
    hint: t(
      'dB = s · dYᵀ (x Aᵀ), dA = s · (dY B)ᵀ x, and the adapter\'s share of dx is s · dY B A.',
      'dB = s · dYᵀ (x Aᵀ)，dA = s · (dY B)ᵀ x，dx 中来自适配器的那一份是 s · dY B A。',
    ),
  },
  'backward-inverted-scale': {
    message: t('The gradients are scaled by r / alpha instead of alpha / r.', '梯度的缩放系数用了 r / alpha，应为 alpha / r。'),
    hint: t(
      'The chain rule carries the forward pass\'s factor s = alpha / r into every gradient of the adapter path.',
      '链式法则会把前向传播中的系数 s = alpha / r 带进适配器路径上的每一个梯度。',
    ),
  },
  'dx-base-only': {
    message: t(
      'dx has only the frozen path, dY W: x also reaches the output through the adapter, which adds s · dY B A.',
      'dx 只包含冻结路径 dY W：x 还会经过适配器影响输出，这条路径贡献 s · dY B A。',
    ),
    hint: t(
      'dx = dY W + s · (dY B) A: W is frozen, but gradient still flows through it to x, and through the adapter too.',
      'dx = dY W + s · (dY B) A：W 被冻结了，但梯度仍然穿过它流到 x，也穿过适配器流到 x。',
    ),
  },
  'dx-adapter-only': {
    message: t(
      'dx has only the adapter path: freezing W stops W\'s own gradient, not the gradient flowing through W to x. dx = dY W + s · dY B A.',
      'dx 只包含适配器路径：冻结 W 只是不计算 W 自己的梯度，并不阻断穿过 W 流向 x 的梯度。dx = dY W + s · dY B A。',
    ),
    hint: t(
      'Freezing means "do not update W", not "cut the graph": earlier layers still need dY W.',
      '冻结的意思是“不更新 W”，而不是“切断计算图”：前面的层仍然需要 dY W。',
    ),
  },
  'grads-transposed': {
    message: t(
      'A gradient has the transposed shape: dA must have A\'s shape (r, in) and dB must have B\'s shape (out, r), so the optimizer can subtract them.',
      '有一个梯度的形状是转置的：dA 必须和 A 同形 (r, in)，dB 必须和 B 同形 (out, r)，优化器才能拿它们做减法。',
    ),
    hint: t(
      'dA = s · (dY B)ᵀ x is (r, N) @ (N, in); dB = s · dYᵀ (x Aᵀ) is (out, N) @ (N, r).',
      'dA = s · (dY B)ᵀ x 是 (r, N) @ (N, in)；dB = s · dYᵀ (x Aᵀ) 是 (out, N) @ (N, r)。',
    ),
  },
  // exercise 4: merge
  'merge-transposed': {
    message: t(
      'The merge added (B A)ᵀ = Aᵀ Bᵀ: W is (out, in) and so is B A, with no transpose. (Aᵀ Bᵀ only fits because this W is square.)',
      '合并时加上的是 (B A)ᵀ = Aᵀ Bᵀ：W 是 (out, in)，B A 也是 (out, in)，不需要转置。（Aᵀ Bᵀ 能加上去，只是因为这里的 W 恰好是方阵。）',
    ),
    hint: t(
      'W\' = W + (alpha / r) · matmul(B, A): (out, r) @ (r, in) = (out, in).',
      'W\' = W + (alpha / r) · matmul(B, A)：(out, r) @ (r, in) = (out, in)。',
    ),
  },
  'merge-no-scale': {
    message: t(
      'The merge added B A without the factor alpha / r, so the merged layer computes something else than the LoRA layer.',
      '合并时加上的 B A 没有乘系数 alpha / r，于是合并后的层算出的结果与 LoRA 层不同。',
    ),
    hint: t('W\' = W + (alpha / r) · B A, the same scale as in forward.', 'W\' = W + (alpha / r) · B A，缩放系数与前向传播中相同。'),
  },
  'merge-inverted-scale': {
    message: t('The merge scaled B A by r / alpha instead of alpha / r.', '合并时 B A 的缩放系数用了 r / alpha，应为 alpha / r。'),
    hint: t('W\' = W + (alpha / r) · B A.', 'W\' = W + (alpha / r) · B A。'),
  },
  'merge-in-place': {
    convention: 'PEFT',
    message: t(
      'merge wrote the update into W itself: that is PEFT\'s convention (LoraLayer.merge() adds it into base_layer.weight.data in place, and unmerge() subtracts it again). This lesson\'s merge is a function that returns W\' as a new tensor and leaves W as it was, because W is the frozen pretrained weight that other code still reads (the checks compare with it, and one base can serve several adapters): return a new tensor instead.',
      'merge 把更新量直接写进了 W：这是 PEFT 的约定（LoraLayer.merge() 原地把它加到 base_layer.weight.data 上，unmerge() 再原地减掉）。本课的 merge 是一个函数，把 W\' 作为新张量返回，W 保持原样，因为 W 是冻结的预训练权重，别的代码还要读它（检查要拿它作比较，一个基座也可以配多个适配器）：请返回一个新张量。',
    ),
    hint: t(
      'add(W, mul(matmul(B, A), alpha / r)) returns a new tensor; do not write into W.data.',
      'add(W, mul(matmul(B, A), alpha / r)) 会返回一个新张量；不要写入 W.data。',
    ),
  },
  'unmerge-adds': {
    message: t(
      'unmerge added the update again instead of taking it away: W\' + s B A is W + 2 s B A, not W.',
      'unmerge 又把更新量加了一遍，而不是减掉它：W\' + s B A 等于 W + 2 s B A，不是 W。',
    ),
    hint: t('unmerge(W\') = W\' - (alpha / r) · B A.', 'unmerge(W\') = W\' - (alpha / r) · B A。'),
  },
  'unmerge-noop': {
    message: t('unmerge did not restore W: it returned the merged weight unchanged.', 'unmerge 没有恢复 W：它原样返回了合并后的权重。'),
    hint: t('Subtract the same update merge added: W\' - (alpha / r) · B A.', '减去 merge 加上的那份更新量：W\' - (alpha / r) · B A。'),
  },
});

export type LoRAMistake = keyof typeof LORA_MISTAKES;
