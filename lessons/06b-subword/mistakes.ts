/**
 * The subword lesson's catalogue of known mistakes: what a learner is told when a check recognises one (the float64
 * references in @llm-lab/course/tokens compute each as a wrong variant, and the check compares).
 *
 * 'sentencepiece-digamma' is a convention, not a mistake: SentencePiece's (and Hugging Face tokenizers') M-step is
 * the Bayesian one, digamma(c) − digamma(Σc), after dropping pieces whose expected count is below 0.5.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const SUBWORD_MISTAKES = defineMistakes({
  'shortest-match': {
    message: t(
      'wordpiece takes the SHORTEST piece that matches at each position: WordPiece is greedy longest-match-first, it tries the whole rest of the word first and shortens it one character at a time.',
      'wordpiece 在每个位置取了能匹配的最短片段：WordPiece 是贪心的“最长匹配优先”，先尝试剩下的整段，再每次缩短一个字符。',
    ),
    hint: t(
      'Start with end = chars.length and decrease it (end--) until chars.slice(start, end) (with ## when start > 0) is in the vocabulary.',
      '从 end = chars.length 开始并逐步减小（end--），直到 chars.slice(start, end)（start > 0 时加上 ##）在词表中。',
    ),
  },
  'prefix-first': {
    message: t(
      'The first piece of a word also got the ## prefix: ## marks a piece that CONTINUES a word, so only pieces after the first one carry it.',
      '单词的第一个片段也加上了 ## 前缀：## 表示“接在单词中间”的片段，只有第一个片段之后的片段才带它。',
    ),
    hint: t('Add "##" only when start > 0.', '只在 start > 0 时加 "##"。'),
  },
  'partial-unk': {
    message: t(
      'Only the part of the word that could not be matched became [UNK], after the pieces found before it: BERT\'s WordPiece gives up on the WHOLE word, [UNK] alone, as soon as one position cannot be matched.',
      '只把无法匹配的那一部分变成了 [UNK]，前面已经找到的片段还保留着：BERT 的 WordPiece 只要有一个位置无法匹配，就放弃整个单词，只输出一个 [UNK]。',
    ),
    hint: t('When no piece matches at start, return [unk] (a new array), not pieces.concat(unk).', '当 start 处没有片段能匹配时，返回 [unk]（一个新数组），而不是 pieces.concat(unk)。'),
  },
  'viterbi-underflow': {
    message: t(
      'The segmentation is right on short texts but lost on a long one: the probabilities were multiplied (or their product kept) instead of adding log-probabilities, and the product underflowed to 0 (float32 stops near 1e-45, float64 near 1e-324).',
      '短文本上的切分是对的，长文本上却失败了：你把概率相乘（或保存了概率的乘积），而不是把对数概率相加，乘积下溢成了 0（float32 在 1e-45 附近、float64 在 1e-324 附近就到头了）。',
    ),
    hint: t(
      'Keep best[] in log space, in a Float64Array filled with -Infinity (best[0] = 0), and add: best[start] + logProbs.get(piece).',
      '让 best[] 保存对数值：用填满 -Infinity 的 Float64Array（best[0] = 0），并做加法：best[start] + logProbs.get(piece)。',
    ),
  },
  'counts-once': {
    message: t(
      'A piece used several times in one sentence was counted at most once there: the E-step needs the EXPECTED NUMBER of occurrences, the sum of the posteriors of every place the piece can stand, which can be above 1.',
      '一个片段在同一个句子里出现多次，却最多只计了一次：E 步需要的是出现次数的期望，即该片段所有可能位置的后验概率之和，它可以大于 1。',
    ),
    hint: t(
      'For every arc [s, e) add exp(fwd[s] + logP(piece) + bwd[e] − Z) to counts(piece), and add each sentence\'s counts to the corpus total as they are.',
      '对每条弧 [s, e)，把 exp(fwd[s] + logP(piece) + bwd[e] − Z) 加到 counts(piece) 上，再把每个句子的计数原样加到语料总数中。',
    ),
  },
  'sentencepiece-digamma': {
    convention: 'SentencePiece',
    message: t(
      "This is SentencePiece's convention (also Hugging Face tokenizers' Unigram trainer): its M-step drops pieces whose expected count is below 0.5 and sets log p = digamma(c) − digamma(Σc), a Bayesian EM that acts as a sparse prior. This lesson uses the plain maximum-likelihood M-step of Kudo's paper, log p = log(c / Σc), so that one EM step never lowers the likelihood (the check tests that); change the M-step to match.",
      '这是 SentencePiece 的约定（Hugging Face tokenizers 的 Unigram 训练器也是如此）：它的 M 步去掉期望计数低于 0.5 的片段，并令 log p = digamma(c) − digamma(Σc)，这是一种相当于稀疏先验的贝叶斯 EM。本课使用 Kudo 论文中的普通最大似然 M 步 log p = log(c / Σc)，这样一次 EM 迭代绝不会降低似然（检查会测试这一点）；请改成这种 M 步。',
    ),
    hint: t('next.set(p, Math.log(c / sum)) for every piece with c > 0, with sum the total expected count.', '对每个 c > 0 的片段执行 next.set(p, Math.log(c / sum))，其中 sum 是期望计数的总和。'),
  },
  'prune-chars': {
    message: t(
      'A single character was pruned: a Unigram vocabulary must keep every character, or some text can no longer be segmented at all (Kudo keeps them always, to avoid out-of-vocabulary text).',
      '剪枝删掉了单个字符：Unigram 词表必须保留每一个字符，否则有些文本就根本无法切分（Kudo 总是保留它们，以避免出现词表外的文本）。',
    ),
    hint: t('Set the single characters (Array.from(p).length === 1) aside before ranking, and fill the rest of the size with the ranked longer pieces.', '排序之前先把单个字符（Array.from(p).length === 1）放在一边，剩下的名额再用排好序的较长片段填满。'),
  },
  'prune-by-logprob': {
    message: t(
      'The pieces kept are the most PROBABLE ones, not the ones whose removal costs the most likelihood: a likely piece can be redundant (its text is segmented almost as well without it), and the pruning step ranks by that loss.',
      '保留下来的是概率最大的片段，而不是删掉后似然损失最大的片段：一个概率大的片段可能是多余的（没有它，这段文本也能切分得几乎一样好），剪枝步骤要按这个损失排序。',
    ),
    hint: t('loss(p) = L(V) − L(V without p), with L the corpus log-likelihood from expectedCounts; keep the largest losses.', 'loss(p) = L(V) − L(V 去掉 p)，其中 L 是由 expectedCounts 求得的语料对数似然；保留损失最大的那些。'),
  },
  'space-at-end': {
    message: t(
      'The ▁ was put at the END of the text (or after each word): SentencePiece marks the start of a word, so the one extra ▁ goes IN FRONT of the text (add_dummy_prefix) and every space becomes ▁ where it stands.',
      '把 ▁ 放在了文本末尾（或每个单词之后）：SentencePiece 标记的是单词的开头，所以额外的那个 ▁ 要加在文本前面（add_dummy_prefix），每个空格在原处变成 ▁。',
    ),
    hint: t("Encode SPACE + text.replaceAll(' ', SPACE).", "对 SPACE + text.replaceAll(' ', SPACE) 进行编码。"),
  },
  'byte-decimal': {
    message: t(
      'The fallback bytes were written in decimal, like <228>: SentencePiece\'s byte pieces are two upper-case hex digits, <0xE4>.',
      '回退的字节写成了十进制，例如 <228>：SentencePiece 的字节片段是两位大写十六进制数，<0xE4>。',
    ),
    hint: t("`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>` for each byte b.", "对每个字节 b 写 `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`。"),
  },
  'byte-codepoint': {
    message: t(
      'An unknown character became ONE piece from its code point, like <0x4E2D> for 中: byte fallback writes its UTF-8 BYTES, one piece each (中 is <0xE4> <0xB8> <0xAD>), so that 256 byte pieces cover every character.',
      '一个未知字符被按码位写成了一个片段，例如把“中”写成 <0x4E2D>：字节回退要写出它的 UTF-8 字节，每个字节一个片段（“中”是 <0xE4> <0xB8> <0xAD>），这样 256 个字节片段就能覆盖所有字符。',
    ),
    hint: t('new TextEncoder().encode(ch) gives the bytes; one <0xHH> piece per byte.', 'new TextEncoder().encode(ch) 给出字节；每个字节一个 <0xHH> 片段。'),
  },
});

export type SubwordMistake = keyof typeof SUBWORD_MISTAKES;
