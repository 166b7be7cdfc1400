/**
 * The makemore lesson's catalogue of known mistakes: what a learner is told when a check recognises one. One place
 * for the words, so the checks and the test that feeds every mistake through the runner (test/unit/mistakes/makemore.ts)
 * agree on them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const MAKEMORE_MISTAKES = defineMistakes({
  'earlier-lessons': {
    message: t(
      'A part this lesson builds on does not pass a quick test (your MLP lesson\'s MLP or crossEntropyLoss, or the optimizers lesson\'s AdamW, cosineLr or clipGradNorm), so a model trained with it here would be wrong too.',
      '本课依赖的某个部件没有通过一个简单测试（你在 MLP 一课写的 MLP 或 crossEntropyLoss，或在优化器一课写的 AdamW、cosineLr 或 clipGradNorm），用它在这里训练出的模型也会出错。',
    ),
    hint: t(
      'Finish the MLP lesson (mlp/layers, mlp/losses) and the optimizers lesson (optimizers/optim) first: names.ts imports them from ../01c-mlp/ and ../01d-optimizers/.',
      '请先完成 MLP 一课（mlp/layers、mlp/losses）和优化器一课（optimizers/optim）：names.ts 从 ../01c-mlp/ 和 ../01d-optimizers/ 导入它们。',
    ),
  },
  'no-start-padding': {
    message: t(
      'The contexts do not start with blockSize \'.\' characters: the first characters of a name are never predicted from the start of the name, so the model cannot learn how names begin (and sample, which starts from \'...\', has nothing to go on).',
      '上下文没有以 blockSize 个 \'.\' 开头：名字的前几个字符从来没有作为“从名字开头预测”的目标出现，模型学不到名字如何开头（而 sample 正是从 \'...\' 开始的，它无从下手）。',
    ),
    hint: t(
      'Start every name with context = new Array(blockSize).fill(0), and record an example for EVERY character of name + \'.\', the first one included.',
      '每个名字都从 context = new Array(blockSize).fill(0) 开始，并为 name + \'.\' 的每一个字符（包括第一个）记录一个样本。',
    ),
  },
  'no-end-token': {
    message: t(
      'No example has \'.\' as its target: the end of a name is never a target, so the model never learns to stop and sample never finishes a name.',
      '没有任何样本以 \'.\' 为目标：名字的结尾从来不是预测目标，模型学不会停下来，sample 也就永远生成不完一个名字。',
    ),
    hint: t(
      'Loop over the characters of name + \'.\', not of name: the final \'.\' is the last target of every name.',
      '遍历 name + \'.\' 的字符，而不是 name 的字符：结尾的 \'.\' 是每个名字的最后一个目标。',
    ),
  },
  'target-in-context': {
    message: t(
      'The window is one step ahead: each context already ends with the character it should predict (the context was updated before the example was recorded), so the target is in the input.',
      '窗口提前了一步：每个上下文的最后一个字符正是它要预测的字符（先更新了上下文，再记录样本），目标出现在了输入里。',
    ),
    hint: t(
      'Record the example first (X gets the current context, Y the character), THEN slide the window: context = [...context.slice(1), id].',
      '先记录样本（X 取当前上下文，Y 取这个字符），然后再滑动窗口：context = [...context.slice(1), id]。',
    ),
  },
  'context-not-reset': {
    message: t(
      'The context is carried over from one name to the next: the second name\'s first context holds the end of the first name instead of \'.\' characters. Names are independent: every name starts from \'...\'.',
      '上下文从一个名字带到了下一个名字：第二个名字的第一个上下文里是第一个名字的结尾，而不是 \'.\'。名字彼此独立：每个名字都从 \'...\' 开始。',
    ),
    hint: t(
      'Create the context inside the loop over names: for (const name of names) { let context = new Array(blockSize).fill(0); ... }.',
      '在遍历名字的循环内部创建上下文：for (const name of names) { let context = new Array(blockSize).fill(0); ... }。',
    ),
  },
  'softmax-in-forward': {
    message: t(
      'forward returns probabilities (every row sums to 1), not logits: crossEntropyLoss applies its own log-softmax, so the model would be trained through a softmax applied twice.',
      'forward 返回的是概率（每行之和为 1），而不是 logits：crossEntropyLoss 会自己做 log-softmax，模型就会经过两次 softmax 来训练。',
    ),
    hint: t(
      'Return the last Linear layer\'s output as it is: the MLP puts no activation after its last layer. Softmax belongs in sample, not in forward.',
      '直接返回最后一个 Linear 层的输出：MLP 的最后一层后面没有激活函数。softmax 应该放在 sample 里，而不是 forward 里。',
    ),
  },
  'no-zero-grad': {
    message: t(
      'The gradients are never cleared between steps: backward() adds into .grad, so every step uses the sum of all gradients so far.',
      '每一步之间没有清零梯度：backward() 是往 .grad 里累加的，所以每一步用的都是到目前为止所有梯度之和。',
    ),
    hint: t('optimizer.zeroGrad() before loss.backward() in every step.', '每一步在 loss.backward() 之前调用 optimizer.zeroGrad()。'),
  },
  'lr-not-scheduled': {
    message: t(
      'The learning rate never follows the schedule: the optimizer keeps the lr it was created with, so there is no warmup and no cosine decay.',
      '学习率没有按计划变化：优化器一直使用创建时的 lr，既没有预热，也没有余弦衰减。',
    ),
    hint: t(
      'Before every optimizer.step(): optimizer.lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps }).',
      '每次 optimizer.step() 之前：optimizer.lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps })。',
    ),
  },
  'schedule-off-by-one': {
    message: t(
      'The schedule runs one step ahead: the step counter passed to cosineLr starts at 1, but cosineLr counts steps from 0 (the first step has lr = maxLr / warmup).',
      '学习率计划提前了一步：传给 cosineLr 的步数从 1 开始，而 cosineLr 的步数从 0 开始计（第一步的 lr 是 maxLr / warmup）。',
    ),
    hint: t('Pass the step as the loop counts it from 0: cosineLr(step, ...) for step = 0, 1, ..., steps - 1.', '按循环从 0 开始的计数传入：对 step = 0, 1, ..., steps - 1 调用 cosineLr(step, ...)。'),
  },
  'no-clip': {
    message: t(
      'The gradients are not clipped before the optimizer step (clipGradNorm is missing, or called after optimizer.step(), when the step has already used them).',
      '优化器更新之前没有裁剪梯度（没有调用 clipGradNorm，或者在 optimizer.step() 之后才调用，那时梯度已经用过了）。',
    ),
    hint: t('Between loss.backward() and optimizer.step(): clipGradNorm(model.parameters(), config.clip).', '在 loss.backward() 和 optimizer.step() 之间：clipGradNorm(model.parameters(), config.clip)。'),
  },
  'greedy-sampling': {
    message: t(
      'sample always takes the most likely character (argmax) instead of drawing one from the probabilities: every name it makes is the same.',
      'sample 总是取概率最大的字符（argmax），而不是按概率抽取一个字符：它生成的每个名字都一样。',
    ),
    hint: t(
      'Draw the next id with rng.categorical(probs), probs = softmax(logits, -1).data: one uniform per character.',
      '用 rng.categorical(probs) 抽取下一个 id，其中 probs = softmax(logits, -1).data：每个字符一个均匀随机数。',
    ),
  },
  'end-in-name': {
    message: t(
      'The \'.\' that ends a name is part of what sample returns: \'.\' is the end token, not a character of the name.',
      'sample 返回的名字里带上了结尾的 \'.\'：\'.\' 是结束标记，不是名字里的字符。',
    ),
    hint: t('When the drawn id is 0 (\'.\'), stop before appending it: if (next === 0) break;', '抽到的 id 为 0（\'.\'）时，在拼接之前就停下：if (next === 0) break;'),
  },
  'context-not-shifted': {
    message: t(
      'sample does not slide its context: every character is predicted from the same \'...\' context, so the model never sees what it has written so far.',
      'sample 没有滑动上下文：每个字符都是从同一个 \'...\' 上下文预测出来的，模型从来看不到自己已经写出的字符。',
    ),
    hint: t('After each character: context.shift(); context.push(next); (the window moves by one).', '每生成一个字符之后：context.shift(); context.push(next);（窗口向前移动一格）。'),
  },
});

export type MakemoreMistake = keyof typeof MAKEMORE_MISTAKES;
