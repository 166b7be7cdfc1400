/**
 * The objectives lesson's catalogue of known mistakes: what a learner is told when a check recognises one. One place
 * for the words, so the checks and the test that feeds every mistake through the runner (test/unit/mistakes/objectives.ts)
 * agree on them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const OBJECTIVES_MISTAKES = defineMistakes({
  'labels-everywhere': {
    message: t(
      'labels holds a token at positions that were not selected: only the selected positions (about 15 %) get a label; every other position must be -100, so the loss ignores it. With a label everywhere, the model is mostly trained to copy tokens it can see.',
      'labels 在没有被选中的位置上也有词元：只有被选中的位置（约 15 %）才有标签；其余每个位置都必须是 -100，让损失忽略它。如果处处都有标签，模型大部分时间学的是照抄它看得见的词元。',
    ),
    hint: t(
      'Start with labels = new Int32Array(n).fill(IGNORE_INDEX), and write labels[i] = ids[i] only when position i is selected (u < prob).',
      '先令 labels = new Int32Array(n).fill(IGNORE_INDEX)，只有当位置 i 被选中（u < prob）时才写 labels[i] = ids[i]。',
    ),
  },
  'branch-for-all': {
    message: t(
      'The input is changed at positions that were not selected: the 80/10/10 rule ([MASK] / random token / unchanged) applies only to the selected positions; every other token must reach the model as it is.',
      '输入在没有被选中的位置上也被改动了：80/10/10 规则（[MASK] / 随机词元 / 保持不变）只作用于被选中的位置；其余词元必须原样交给模型。',
    ),
    hint: t(
      'Draw v (and the random token) only inside `if (u < prob) { ... }`; an unselected position keeps input[i] = ids[i] and draws nothing more.',
      '只在 `if (u < prob) { ... }` 里面抽取 v（以及随机词元）；未被选中的位置保持 input[i] = ids[i]，也不再抽取随机数。',
    ),
  },
  'special-masked': {
    message: t(
      'A special token ([CLS], [SEP], [PAD]...) was selected for masking: special ids are never selected (they keep label -100 and their input), and they take no draw from the generator.',
      '一个特殊词元（[CLS]、[SEP]、[PAD]……）被选中做了掩码：特殊 id 永远不会被选中（标签保持 -100，输入保持不变），也不从生成器抽取随机数。',
    ),
    hint: t(
      'Make a Set of opts.special and skip those positions before drawing: if (special.has(ids[i])) continue;',
      '用 opts.special 建一个 Set，在抽取随机数之前跳过这些位置：if (special.has(ids[i])) continue;',
    ),
  },
  'labels-corrupted': {
    message: t(
      'labels holds the corrupted input ([MASK] or the random token) instead of the original token: the model must learn to predict what WAS there.',
      'labels 中存的是破坏后的输入（[MASK] 或随机词元），而不是原来的词元：模型要学会预测的是原来在那里的词元。',
    ),
    hint: t('Set labels[i] = ids[i] (the original) when position i is selected, before or without looking at what input[i] becomes.', '位置 i 被选中时令 labels[i] = ids[i]（原来的词元），不要用 input[i] 变成的值。'),
  },
  'always-mask': {
    message: t(
      'Every selected position becomes [MASK]: BERT replaces only 80 % of them with [MASK], 10 % with a random token and leaves 10 % unchanged, so that the model cannot assume that a visible token is always right ([MASK] never appears at fine-tuning time).',
      '每个被选中的位置都变成了 [MASK]：BERT 只把其中 80 % 换成 [MASK]，10 % 换成随机词元，10 % 保持不变，这样模型就不能假定看得见的词元一定是对的（微调时根本不会出现 [MASK]）。',
    ),
    hint: t(
      'After selecting, draw v = rng.random(): v < 0.8 -> maskId; else v < 0.9 -> rng.randint(0, vocabSize); else keep the token.',
      '选中之后抽取 v = rng.random()：v < 0.8 -> maskId；否则 v < 0.9 -> rng.randint(0, vocabSize)；否则保持原词元。',
    ),
  },
  'rng-order': {
    convention: 'Hugging Face',
    message: t(
      'Your masking has the right statistics (about 15 % selected, 80/10/10, labels only there, special tokens kept), but it draws from the generator in another order than this lesson states. This is how Hugging Face\'s DataCollatorForLanguageModeling works (a Bernoulli draw for every position, then whole tensors of draws for the [MASK] and random choices), and BERT\'s original code picks exactly 15 % of the positions by shuffling; the distribution is the same. This lesson fixes one order so that the checks can compare exact positions; change the draws to match it.',
      '你的掩码统计上是对的（约 15 % 被选中、80/10/10、只有这些位置有标签、特殊词元保持不变），但它从生成器抽取随机数的顺序与本课规定的不同。这是 Hugging Face 的 DataCollatorForLanguageModeling 的做法（先为每个位置做一次伯努利抽样，再为 [MASK] 和随机替换整张量地抽样），而 BERT 的原始代码则通过打乱恰好选出 15 % 的位置；两者的分布相同。本课固定了一种顺序，以便检查能逐个位置地比较；请按它修改抽取方式。',
    ),
    hint: t(
      'Per position, in order: special -> skip (no draw); u = rng.random(), selected when u < prob; if selected, v = rng.random(), and rng.randint(0, vocabSize) only when 0.8 <= v < 0.9.',
      '按顺序逐个位置：特殊词元 -> 跳过（不抽取）；u = rng.random()，u < prob 时选中；选中后 v = rng.random()，只有当 0.8 <= v < 0.9 时才调用 rng.randint(0, vocabSize)。',
    ),
  },
  'nsp-same-doc': {
    message: t(
      'A NotNext pair takes its second sentence from the same document as the first: it must come from ANOTHER document, otherwise a "random" sentence can be the true next one, or so close in topic that the label is wrong.',
      '一个 NotNext 句子对的第二句和第一句来自同一篇文档：它必须来自**另一篇**文档，否则“随机”的句子可能恰好就是真正的下一句，或者主题太接近，标签就错了。',
    ),
    hint: t(
      'j = rng.randint(0, docs.length - 1); if (j >= d) j++; then the sentence rng.randint(0, docs[j].length) of docs[j].',
      'j = rng.randint(0, docs.length - 1)；if (j >= d) j++；然后取 docs[j] 中第 rng.randint(0, docs[j].length) 句。',
    ),
  },
  'nsp-label-flipped': {
    message: t(
      'The NSP labels are the wrong way round: label 0 means b follows a (IsNext), label 1 means b is random (NotNext), as BERT\'s next_sentence_label.',
      'NSP 标签反了：label 0 表示 b 紧跟在 a 之后（IsNext），label 1 表示 b 是随机的（NotNext），与 BERT 的 next_sentence_label 一致。',
    ),
    hint: t('{ a, b: next sentence, label: 0 } when u < 0.5; { a, b: random sentence, label: 1 } otherwise.', 'u < 0.5 时为 { a, b: 下一句, label: 0 }；否则为 { a, b: 随机句子, label: 1 }。'),
  },
  'nsp-across-docs': {
    message: t(
      'The last sentence of a document is paired with the first sentence of the next document as IsNext: documents are independent, so the last sentence of a document has no next sentence and makes no pair.',
      '一篇文档的最后一句与下一篇文档的第一句被配成了 IsNext：文档彼此独立，文档的最后一句没有下一句，不构成句子对。',
    ),
    hint: t('Loop i from 0 to doc.length - 2 inside each document: for (let i = 0; i + 1 < doc.length; i++).', '在每篇文档内部让 i 从 0 循环到 doc.length - 2：for (let i = 0; i + 1 < doc.length; i++)。'),
  },
  'sentinels-out-of-order': {
    message: t(
      'The sentinels are not numbered 0, 1, 2, ... in the order of the spans: the k-th span (counting from 0) gets sentinel(k), in the inputs and in the targets, so that each target span can be matched to its place.',
      '哨兵词元没有按片段的顺序编号为 0, 1, 2, ...：第 k 个片段（从 0 数起）在输入和目标中都用 sentinel(k)，这样目标中的每个片段才能对应到它原来的位置。',
    ),
    hint: t('Keep one counter k = 0; each time a span starts, push sentinel(k) to both lists and k++.', '维护一个计数器 k = 0；每开始一个片段，就把 sentinel(k) 放进两个列表，然后 k++。'),
  },
  'spans-not-merged': {
    message: t(
      'Each noise token got its own sentinel: consecutive noise tokens form ONE span and are replaced by one sentinel (that is what makes the inputs shorter, and the task "fill in a span", not "fill in a token").',
      '每个噪声词元都有了自己的哨兵词元：连续的噪声词元构成**一个**片段，只用一个哨兵词元替换（这正是输入变短的原因，任务也因此是“补全一个片段”，而不是“补全一个词元”）。',
    ),
    hint: t('Push a sentinel only where a span starts: noiseMask[i] && (i === 0 || !noiseMask[i - 1]).', '只在片段开始处放哨兵词元：noiseMask[i] && (i === 0 || !noiseMask[i - 1])。'),
  },
  'no-final-sentinel': {
    message: t(
      'The targets do not end with the final sentinel: after the last span comes sentinel(n), n = the number of spans (<Z> in the T5 paper\'s example), which marks the end of the targets.',
      '目标序列没有以结尾哨兵词元结束：最后一个片段之后是 sentinel(n)，n = 片段数（T5 论文例子中的 <Z>），它标志着目标序列的结束。',
    ),
    hint: t('After the loop: targets.push(sentinel(k)), with k the number of spans.', '循环结束后：targets.push(sentinel(k))，k 为片段数。'),
  },
  't5-code-targets': {
    convention: 'T5',
    message: t(
      'Your targets replace each run of KEPT tokens with a sentinel: this is the T5 code\'s convention (noise_span_to_unique_sentinel on the inverted mask). It gives the paper\'s targets (up to the final sentinel) only when the mask starts with a kept token, which T5\'s own random masks always do; for a mask that starts with noise it puts the first span before sentinel 0, so the sentinels of the inputs and the targets no longer match. This lesson\'s spanCorrupt takes any mask and follows the paper: each noise span is written after its own sentinel; change the targets to that.',
      '你的目标序列把每一段**保留**的词元替换成一个哨兵词元：这是 T5 代码的约定（对取反后的掩码调用 noise_span_to_unique_sentinel）。只有当掩码以保留的词元开头时，它才得到论文中的目标序列（结尾哨兵词元除外），而 T5 自己生成的随机掩码总是如此；对以噪声开头的掩码，它会把第一个片段放在哨兵 0 之前，输入和目标中的哨兵词元就对不上了。本课的 spanCorrupt 接受任意掩码并遵循论文：每个噪声片段写在它自己的哨兵词元之后；请把目标序列改成这样。',
    ),
    hint: t(
      'Build the targets in the same loop as the inputs: at the start of the k-th noise span push sentinel(k) to both, then push each noise token to the targets; end with sentinel(n).',
      '在构造输入的同一个循环里构造目标：在第 k 个噪声片段开始处把 sentinel(k) 放进两个列表，然后把每个噪声词元放进目标；最后放 sentinel(n)。',
    ),
  },
  'noise-per-token': {
    message: t(
      'The noise is drawn token by token: each token independently noise with probability density, so most "spans" are one token long. T5 corrupts SPANS: a fixed number of noise tokens, round(length · density), in round(noise / meanSpanLength) spans of mean length meanSpanLength.',
      '噪声是逐个词元抽取的：每个词元独立地以 density 的概率成为噪声，于是大多数“片段”只有一个词元长。T5 破坏的是**片段**：固定数目的噪声词元 round(length · density)，分成 round(noise / meanSpanLength) 个平均长度为 meanSpanLength 的片段。',
    ),
    hint: t(
      'Count first (noise, kept, spans), then split the noise tokens into spans segments and the kept tokens into spans segments (one rng.shuffle each), and interleave them: kept, noise, kept, noise, ...',
      '先计数（noise、kept、spans），再把噪声词元分成 spans 段、把保留的词元分成 spans 段（各一次 rng.shuffle），然后交替排列：保留、噪声、保留、噪声……',
    ),
  },
});

export type ObjectivesMistake = keyof typeof OBJECTIVES_MISTAKES;
