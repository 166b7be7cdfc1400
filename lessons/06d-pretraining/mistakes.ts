/**
 * The pretraining lesson's catalogue of known mistakes: what a learner is told when a check recognises one. One place
 * for the words, so the checks and the test that feeds every mistake through the runner
 * (test/unit/mistakes/pretraining.ts) agree on them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const PRETRAIN_MISTAKES = defineMistakes({
  'earlier-lessons': {
    message: t(
      'A part this lesson builds on does not pass a quick test (your GPT lesson\'s gptForward, the MLP lesson\'s crossEntropyLoss, or the optimizers lesson\'s AdamW, cosineLr or clipGradNorm), so a model trained with it here would be wrong too.',
      '本课依赖的某个部件没有通过一个简单测试（你在 GPT 一课写的 gptForward、在 MLP 一课写的 crossEntropyLoss，或在优化器一课写的 AdamW、cosineLr 或 clipGradNorm），用它在这里训练出的模型也会出错。',
    ),
    hint: t(
      'Finish the GPT forward-pass lesson (gpt-forward/model), the MLP lesson (mlp/losses) and the optimizers lesson (optimizers/optim) first: pretrain.ts imports them from ../04-gpt-forward/, ../01c-mlp/ and ../01d-optimizers/.',
      '请先完成 GPT 前向计算一课（gpt-forward/model）、MLP 一课（mlp/losses）和优化器一课（optimizers/optim）：pretrain.ts 从 ../04-gpt-forward/、../01c-mlp/ 和 ../01d-optimizers/ 导入它们。',
    ),
  },
  'targets-not-shifted': {
    message: t(
      'The targets are the inputs themselves (y[b][t] = x[b][t]), not the next characters: the model learns to copy the character it already sees, which is trivially easy and useless for generating text.',
      '目标就是输入本身（y[b][t] = x[b][t]），而不是下一个字符：模型学到的是复制它已经看到的字符，这轻而易举，却对生成文本毫无用处。',
    ),
    hint: t(
      'Shift by one: x[b] = data[s .. s + blockSize), y[b] = data[s + 1 .. s + blockSize + 1). Position t of y is the character that follows position t of x.',
      '错开一位：x[b] = data[s .. s + blockSize)，y[b] = data[s + 1 .. s + blockSize + 1)。y 的第 t 个位置是 x 第 t 个位置之后的那个字符。',
    ),
  },
  'hf-shift-in-loss': {
    convention: 'Hugging Face',
    message: t(
      'This is Hugging Face\'s convention (labels = input_ids, and the causal-LM loss shifts inside the model: logits[..., :-1, :] against labels[..., 1:]); this lesson shifts in getBatch instead, so that lmLoss, evaluate and the checks see the target of position t at position t. Return targets shifted by one from getBatch, and compare logits and targets position by position in lmLoss.',
      '这是 Hugging Face 的约定（labels = input_ids，因果语言模型的损失在模型内部错位：logits[..., :-1, :] 对 labels[..., 1:]）；本课改为在 getBatch 中错位，这样 lmLoss、evaluate 和检查在位置 t 上看到的就是位置 t 的目标。请让 getBatch 返回错开一位的目标，并在 lmLoss 中逐位置比较 logits 和目标。',
    ),
    hint: t(
      'getBatch: y[b] = data[start + 1 .. start + blockSize + 1). lmLoss: logits[b, t] goes with targets[b][t] for every t (no slicing off the last position or the first target).',
      'getBatch：y[b] = data[start + 1 .. start + blockSize + 1)。lmLoss：对每个 t，logits[b, t] 对应 targets[b][t]（不要去掉最后一个位置或第一个目标）。',
    ),
  },
  'loss-over-padding': {
    message: t(
      'The loss is divided by every position, padding included: the ignored targets (ignoreIndex) add nothing to the sum but still count in the mean, so a batch with padding gets a smaller loss and smaller gradients than its real tokens deserve.',
      '损失除以了所有位置的个数，包括填充：被忽略的目标（ignoreIndex）没有计入总和，却计入了平均的分母，于是带填充的批次得到的损失和梯度都比其真实词元应得的小。',
    ),
    hint: t(
      'Average over the targets that are not ignoreIndex only: sum of -log p(target) over kept positions, divided by their COUNT (as PyTorch\'s cross_entropy with ignore_index, reduction="mean").',
      '只在不等于 ignoreIndex 的目标上求平均：对保留位置的 -log p(target) 求和，再除以它们的个数（与 PyTorch 的 cross_entropy 在 ignore_index、reduction="mean" 下的做法相同）。',
    ),
  },
  'ppl-mean-of-batches': {
    message: t(
      'The perplexity is the mean of per-batch perplexities: exp is convex, so this is larger than the perplexity of the whole set, and it depends on how the text was cut into batches.',
      '困惑度是各批次困惑度的平均：exp 是凸函数，所以这个值大于整个数据集的困惑度，而且它取决于文本是怎样切分成批次的。',
    ),
    hint: t(
      'Perplexity = exp(total NLL / total tokens): add up every batch\'s summed NLL (its mean loss × its number of real targets) and its number of real targets, divide once at the end, then take exp.',
      '困惑度 = exp(总 NLL / 总词元数)：把每个批次的 NLL 之和（其平均损失 × 其真实目标的个数）和真实目标的个数分别累加，最后只除一次，再取 exp。',
    ),
  },
  'loss-mean-of-batches': {
    message: t(
      'The loss is the plain mean of the per-batch mean losses: batches with few real tokens weigh as much as full ones, so the result is not the loss per token of the whole set.',
      '损失是各批次平均损失的简单平均：真实词元很少的批次和满批次权重相同，所以结果不是整个数据集上每个词元的损失。',
    ),
    hint: t(
      'Weight each batch by its number of real targets: total NLL = Σ (batch mean loss × batch tokens), tokens = Σ batch tokens, loss = total NLL / tokens.',
      '按每个批次真实目标的个数加权：总 NLL = Σ（批次平均损失 × 批次词元数），词元数 = Σ 批次词元数，损失 = 总 NLL / 词元数。',
    ),
  },
  'padding-counted': {
    message: t(
      'The padded positions are counted as tokens: the total NLL is divided by every position of every batch, so the loss and the perplexity come out too small.',
      '填充位置被算作了词元：总 NLL 除以了所有批次的所有位置，所以损失和困惑度都偏小。',
    ),
    hint: t(
      'Count only the targets that are not -100 (ignoreIndex): tokens += y.flat().filter((v) => v !== -100).length.',
      '只统计不等于 -100（ignoreIndex）的目标：tokens += y.flat().filter((v) => v !== -100).length。',
    ),
  },
  'no-zero-grad': {
    message: t(
      'The gradients are never cleared: backward() adds into .grad, so every step uses the sum of all gradients so far.',
      '梯度从未清零：backward() 会累加到 .grad 上，于是每一步用的都是此前所有梯度之和。',
    ),
    hint: t('Call optimizer.zeroGrad() every step, before loss.backward().', '每一步都在 loss.backward() 之前调用 optimizer.zeroGrad()。'),
  },
  'clip-after-step': {
    message: t(
      'The gradients reach optimizer.step() unclipped: clipGradNorm is called after the step (or not at all), so it changes nothing the optimizer uses.',
      '梯度未经裁剪就进入了 optimizer.step()：clipGradNorm 在更新之后才调用（或者根本没调用），所以它没有改变优化器用到的任何东西。',
    ),
    hint: t('Order: zeroGrad, backward, clipGradNorm(params, config.clip), set the lr, optimizer.step().', '顺序：zeroGrad、backward、clipGradNorm(params, config.clip)、设置学习率、optimizer.step()。'),
  },
  'schedule-off-by-one': {
    message: t(
      'The learning rate is one step ahead of the schedule: step `step` (counted from 0) got cosineLr(step + 1, ...), so the warmup is one step short and the first step is already at the second step\'s rate.',
      '学习率比计划提前了一步：第 step 步（从 0 开始计）用的是 cosineLr(step + 1, ...)，于是预热少了一步，第一步就用了第二步的学习率。',
    ),
    hint: t('optimizer.lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps }) with step = 0, 1, ..., steps - 1.', 'optimizer.lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps })，其中 step = 0, 1, ..., steps - 1。'),
  },
  'lr-not-scheduled': {
    message: t(
      'The learning rate is never set from the schedule: every step runs at the optimizer\'s initial lr, with no warmup and no cosine decay.',
      '学习率从未按计划设置：每一步都用优化器的初始学习率，既没有预热也没有余弦衰减。',
    ),
    hint: t('Before every optimizer.step(): optimizer.lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps }).', '每次 optimizer.step() 之前：optimizer.lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps })。'),
  },
});

export type PretrainMistake = keyof typeof PRETRAIN_MISTAKES;
