/**
 * The SFT lesson's catalogue of known mistakes: what a learner is told when a check recognises one. One place for
 * the words, so the checks and the test that feeds every mistake through the runner (test/unit/mistakes/sft.ts)
 * agree on them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const SFT_MISTAKES = defineMistakes({
  'prompt-trained': {
    message: t(
      'The prompt\'s tokens have labels too (not -100): the loss trains the model to write the questions as well, and the response is only a small part of what it learns.',
      '提示（prompt）部分的 token 也有标签（不是 -100）：损失也在训练模型去写问题，而回答只占它所学内容的一小部分。',
    ),
    hint: t(
      'labels = [...prompt.map(() => -100), ...response]: -100 for every token of "Q: <question>\\nA: ", the ids themselves for the response.',
      'labels = [...prompt.map(() => -100), ...response]：对 "Q: <question>\\nA: " 的每个 token 用 -100，回答部分用 token id 本身。',
    ),
  },
  'mask-shifted': {
    message: t(
      'The mask is shifted by one: the boundary between -100 and the response\'s labels sits one position off, so the loss either trains the last token of the prompt (the space after "A:") or skips the first character of the answer.',
      '掩码错开了一位：-100 与回答标签之间的分界偏了一个位置，于是损失要么训练了提示的最后一个 token（"A:" 后面的空格），要么漏掉了答案的第一个字符。',
    ),
    hint: t(
      'The labels are aligned with ids (not shifted): labels[i] = -100 for i < prompt.length and labels[i] = ids[i] from i = prompt.length on. The shift happens once, inside sftLoss.',
      '标签与 ids 对齐（不错位）：i < prompt.length 时 labels[i] = -100，从 i = prompt.length 起 labels[i] = ids[i]。错位只在 sftLoss 内部做一次。',
    ),
  },
  'no-end-marker': {
    message: t(
      'The end marker is missing from the trained response (the newline after the answer is not in ids, or its label is -100): the model never learns to stop, and generation runs on after the answer.',
      '训练的回答里缺少结束标记（答案后的换行符不在 ids 中，或者它的标签是 -100）：模型永远学不会停下，生成会在答案之后继续写下去。',
    ),
    hint: t(
      'The response is `${answer}\\n`, and its last token, the newline, has its own id as label like every other response token.',
      '回答是 `${answer}\\n`，它的最后一个 token（换行符）和回答的其他 token 一样，以自己的 id 作为标签。',
    ),
  },
  'pre-shifted': {
    convention: 'nanoGPT',
    message: t(
      'This is nanoGPT\'s convention (targets already shifted by one in the data, y[t] = x[t + 1], compared with logits[t] position by position, as in the pretraining lesson); this lesson uses Hugging Face\'s: labels aligned with input_ids and shifted once inside the loss, so that labels[i] says whether token i itself is trained. Keep labels aligned with ids in buildExample, and in sftLoss compare logits[b, t] with labels[b][t + 1].',
      '这是 nanoGPT 的约定（目标在数据里就已错开一位，y[t] = x[t + 1]，与 logits[t] 逐位置比较，就像预训练一课那样）；本课采用 Hugging Face 的约定：labels 与 input_ids 对齐，只在损失内部错位一次，这样 labels[i] 表示 token i 本身是否参与训练。请在 buildExample 中让 labels 与 ids 对齐，并在 sftLoss 中把 logits[b, t] 与 labels[b][t + 1] 比较。',
    ),
    hint: t(
      'buildExample: labels[i] is -100 or ids[i]. sftLoss: for t = 0 .. T - 2, row b·T + t of the logits goes with labels[b][t + 1] (skip it when that is -100); the last position predicts nothing.',
      'buildExample：labels[i] 是 -100 或 ids[i]。sftLoss：对 t = 0 .. T - 2，logits 的第 b·T + t 行对应 labels[b][t + 1]（若它是 -100 就跳过）；最后一个位置不预测任何东西。',
    ),
  },
  'loss-all-tokens': {
    message: t(
      'The loss is averaged over all positions, not over the response tokens only: the -100 positions add 0 to the sum but still count in the mean, so the loss (and its gradient) shrinks with the prompt and padding length.',
      '损失是对所有位置取平均，而不是只对回答 token 取平均：-100 的位置对总和贡献 0，却仍被计入分母，于是损失（及其梯度）会随提示和填充的长度而变小。',
    ),
    hint: t(
      'Divide the summed negative log-likelihood by the number of labels that are not -100 (after the shift), not by B·T or B·(T − 1). crossEntropy on only the kept rows does exactly that.',
      '把负对数似然之和除以（错位之后）不是 -100 的标签个数，而不是除以 B·T 或 B·(T − 1)。只对保留的行调用 crossEntropy 恰好就是这样。',
    ),
  },
  'padding-counted': {
    message: t(
      'The padding is counted: the padded positions\' labels are the pad id, not -100, so the loss trains the model to write pad characters after the end marker and the mean includes them.',
      '填充被计入了：填充位置的标签是填充 id 而不是 -100，于是损失会训练模型在结束标记之后写填充字符，平均值里也包含了它们。',
    ),
    hint: t(
      'Pad ids with padId, but labels with -100: labels.push([...e.labels, ...new Array(T - e.labels.length).fill(-100)]).',
      'ids 用 padId 填充，labels 则用 -100 填充：labels.push([...e.labels, ...new Array(T - e.labels.length).fill(-100)])。',
    ),
  },
});
