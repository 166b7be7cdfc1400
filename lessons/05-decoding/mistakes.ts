/**
 * The decoding lesson's known wrong answers, in English and Chinese: what a learner is told when their sampler or
 * beam search matches one. The checks (sampling.checks.ts, beam.checks.ts) name them with these words, and
 * test/unit/mistakes/decoding.ts puts each one into the reference solutions to prove it is recognised.
 */
import { defineMistakes, t } from '@llm-lab/check';

const RENORMALISE_HINT = t(
  'Divide each kept probability by their sum (the kept mass), so the result is a distribution again.',
  '把每个保留下来的概率除以它们的和（保留的概率质量），结果才重新成为一个概率分布。',
);
const TIE_HINT = t(
  'Sort by probability, then by index: Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b). A stable sort does the same.',
  '先按概率排序，概率相同再按下标排序：Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b)。稳定排序也能做到这一点。',
);

export const SAMPLING_MISTAKES = defineMistakes({
  'temperature-after-softmax': {
    message: t(
      'These are softmax(logits) raised to the power 1/T, not renormalised: temperature was applied after softmax.',
      '这是 softmax(logits) 的 1/T 次方，而且没有重新归一化：温度被用在了 softmax 之后。',
    ),
    hint: t(
      'Divide the LOGITS by T and then take softmax (p^(1/T) only works if you renormalise it afterwards; softmax(logits / T) does that for you).',
      '先把 LOGITS 除以 T，再做 softmax（p^(1/T) 只有在之后重新归一化时才成立；softmax(logits / T) 会替你完成这一步）。',
    ),
  },
  'temperature-on-probabilities': {
    message: t(
      'These are softmax(logits) divided by T: temperature was applied to the probabilities, which no longer sum to 1.',
      '这是 softmax(logits) 除以 T：温度被作用在概率上，它们的和不再是 1。',
    ),
    hint: t('Divide the logits by T before softmax: p_i = exp(l_i / T) / sum_j exp(l_j / T).', '在 softmax 之前把 logits 除以 T：p_i = exp(l_i / T) / sum_j exp(l_j / T)。'),
  },
  'logits-times-temperature': {
    message: t(
      'You multiplied the logits by T. Temperature divides them: T < 1 makes the distribution sharper, T > 1 flatter.',
      '你把 logits 乘以了 T。温度是用来除的：T < 1 让分布更尖锐，T > 1 让分布更平坦。',
    ),
    hint: t('p_i = exp(l_i / T) / sum_j exp(l_j / T), with the max of l / T subtracted first.', 'p_i = exp(l_i / T) / sum_j exp(l_j / T)，先减去 l / T 的最大值。'),
  },
  'not-renormalised': {
    message: t(
      'You kept the right tokens but did not renormalise: the kept probabilities no longer add up to 1.',
      '你保留的 token 是对的，但没有重新归一化：保留下来的概率之和不再是 1。',
    ),
    hint: RENORMALISE_HINT,
  },
  'top-k-off-by-one': {
    message: t('You kept k + 1 tokens: keep exactly k (an off-by-one in the loop or the slice?).', '你保留了 k + 1 个 token：应当恰好保留 k 个（循环或 slice 差了一位？）。'),
    hint: t('byProbability(probs).slice(0, k) holds exactly k indices.', 'byProbability(probs).slice(0, k) 恰好包含 k 个下标。'),
  },
  'top-k-index-order': {
    message: t(
      'You kept the first k tokens in index order. Sort the tokens by probability, largest first, and keep the first k of that order.',
      '你按下标顺序保留了前 k 个 token。应先把 token 按概率从大到小排序，再保留这个顺序里的前 k 个。',
    ),
    hint: TIE_HINT,
  },
  'top-k-least-likely': {
    message: t('You kept the k LEAST likely tokens: sort by probability in descending order.', '你保留的是概率最小的 k 个 token：应按概率从大到小（降序）排序。'),
    hint: t('sort((a, b) => probs[b] - probs[a]) puts the largest probability first.', 'sort((a, b) => probs[b] - probs[a]) 会把最大的概率排在最前面。'),
  },
  'top-k-keeps-ties': {
    convention: 'Hugging Face / nanoGPT',
    message: t(
      'You kept every token tied with the k-th. This is the convention of Hugging Face / nanoGPT: their top-k removes only the tokens whose score is below the k-th largest (scores < torch.topk(scores, k)[0][..., -1]), so every token tied with the k-th stays and more than k can survive. This lesson keeps exactly k, the lower index first among ties, so that k is the size of the set whatever the ties; change the threshold test to a sort by probability, then by index, and keep the first k.',
      '你把与第 k 个并列的 token 全都留下了。这是 Hugging Face / nanoGPT 的约定：它们的 top-k 只去掉分数低于第 k 大值的 token（scores < torch.topk(scores, k)[0][..., -1]），所以与第 k 个并列的 token 都会留下，留下的可能多于 k 个。本课恰好保留 k 个，并列时下标小的优先，这样无论有没有并列，k 都是集合的大小；请把阈值判断改成先按概率、再按下标排序，然后保留前 k 个。',
    ),
    hint: TIE_HINT,
  },
  'tie-towards-higher-index': {
    message: t(
      'You kept the right number of tokens, but broke the tie the wrong way. The convention here is the lower index first.',
      '你保留的 token 数量是对的，但并列时选错了：这里的约定是下标小的优先。',
    ),
    hint: TIE_HINT,
  },
  'top-p-excludes-crossing': {
    message: t(
      'You left out the token that makes the mass reach p. The nucleus is the SMALLEST set whose mass reaches p, so that token belongs to it.',
      '你漏掉了让概率质量达到 p 的那个 token。核（nucleus）是质量达到 p 的“最小”集合，所以这个 token 属于它。',
    ),
    hint: t('Keep a token, add its probability, then stop once the mass is >= p.', '先保留这个 token，再加上它的概率，一旦质量 >= p 就停止。'),
  },
  'top-p-strict': {
    message: t(
      'The mass reached p exactly and you kept one more token: "reaches p" means mass >= p, so stop when the mass is equal to p too.',
      '概率质量恰好等于 p 时你又多保留了一个 token：“达到 p”的意思是 mass >= p，所以质量等于 p 时也要停止。',
    ),
    hint: t('Test mass >= p, not mass > p.', '判断 mass >= p，而不是 mass > p。'),
  },
  'top-p-ties-higher-index': {
    convention: 'Hugging Face',
    message: t(
      'Among tokens tied at the edge of the nucleus you kept the higher index. This is Hugging Face\'s convention: its TopPLogitsWarper sorts the probabilities in ascending order and removes tokens from the least likely end, so of tied tokens it keeps the ones with the higher index. This lesson keeps the lower index first, the order topK and greedy use too (the lower index wins a tie, as with torch.argmax), so that every filter agrees on which of two equal tokens comes first; change the tie-break to index order.',
      '在核边缘并列的 token 中，你保留了下标大的。这是 Hugging Face 的约定：它的 TopPLogitsWarper 把概率按升序排序，从最不可能的一端开始去掉 token，所以并列时留下的是下标大的。本课让下标小的优先，topK 和 greedy 用的也是这个顺序（并列时下标小的胜出，和 torch.argmax 一样），这样所有过滤器对两个相等 token 的先后看法一致；请把并列时的顺序改为按下标从小到大。',
    ),
    hint: TIE_HINT,
  },
  'top-p-one-drops-tokens': {
    message: t(
      'topP(probs, 1) set a token whose probability is not 0 to 0: rounding made the running mass reach 1 before the last token. p = 1 keeps every token, whatever the rounding.',
      'topP(probs, 1) 把一个概率不为 0 的 token 置成了 0：舍入误差让累计质量在最后一个 token 之前就达到了 1。p = 1 要保留所有 token，不管舍入如何。',
    ),
    hint: t(
      'When p >= 1, keep every token (renormalised) before walking the order: the float32 probabilities of a distribution can add up to a hair more than 1 before the last, tiny one.',
      'p >= 1 时，在按顺序累加之前就保留所有 token（重新归一化）：一个分布的 float32 概率，在加到最后一个极小的概率之前，和就可能已经比 1 略大。',
    ),
  },
  'top-p-unsorted': {
    message: t(
      'Nothing was filtered out: walking the tokens in index order, the mass only reached p at the end. Sort by probability first, largest first.',
      '什么都没有被过滤掉：按下标顺序累加，质量直到最后才达到 p。应先按概率从大到小排序。',
    ),
    hint: TIE_HINT,
  },
  'sample-greater-or-equal': {
    message: t(
      'You compared cumulative >= u instead of cumulative > u: token i owns the interval [c_{i-1}, c_i), so a u equal to c_i belongs to the next token.',
      '你比较的是 cumulative >= u，而不是 cumulative > u：token i 占有区间 [c_{i-1}, c_i)，所以等于 c_i 的 u 属于下一个 token。',
    ),
    hint: t(
      'Compare cumulative > u, not cumulative >= u. With >=, u = 0 picks the first token even when its probability is 0.',
      '比较 cumulative > u，而不是 cumulative >= u。用 >= 时，u = 0 即使第一个 token 概率为 0 也会选中它。',
    ),
  },
  'top-p-before-top-k': {
    message: t(
      'You applied top-p before top-k. The order is temperature, top-k, top-p: top-p measures its mass on the distribution top-k has already renormalised.',
      '你先做了 top-p 再做 top-k。正确的顺序是温度、top-k、top-p：top-p 是在 top-k 重新归一化之后的分布上累计质量的。',
    ),
    hint: t(
      'probs = withTemperature(logits, T); then topK(probs, k) if topK is set; then topP(probs, p) if topP is set; then sample(probs, u).',
      'probs = withTemperature(logits, T)；设置了 topK 时接 topK(probs, k)；设置了 topP 时接 topP(probs, p)；最后 sample(probs, u)。',
    ),
  },
  'temperature-ignored': {
    message: t('The temperature had no effect: pickNext chose the tokens it would choose at T = 1.', '温度没有起任何作用：pickNext 选出的 token 和 T = 1 时一模一样。'),
    hint: t('Start from withTemperature(logits, settings.temperature).', '从 withTemperature(logits, settings.temperature) 开始。'),
  },
  'temperature-zero-refused': {
    convention: 'Hugging Face',
    message: t(
      'pickNext threw an error at temperature 0. This is Hugging Face\'s convention: its TemperatureLogitsWarper refuses temperature 0, and greedy decoding is a separate switch (do_sample=False). These settings have no such switch, so in this lesson temperature 0 means greedy, the limit of T -> 0; return greedy(logits) when the temperature is 0 to match.',
      'pickNext 在温度为 0 时抛出了错误。这是 Hugging Face 的约定：它的 TemperatureLogitsWarper 拒绝温度 0，贪心解码由另一个开关控制（do_sample=False）。本课的设置里没有这样的开关，所以温度 0 就表示贪心，即 T -> 0 的极限；请在温度为 0 时返回 greedy(logits)。',
    ),
    hint: t(
      'Start pickNext with: if (settings.temperature === 0) return greedy(logits); withTemperature itself still throws for T <= 0, as Hugging Face\'s warper does.',
      '在 pickNext 开头写：if (settings.temperature === 0) return greedy(logits);。withTemperature 本身在 T <= 0 时仍然抛出错误，和 Hugging Face 的 warper 一样。',
    ),
  },
});

export const BEAM_MISTAKES = defineMistakes({
  'product-of-probabilities': {
    message: t(
      'The logProb is the PRODUCT of its probabilities, not the sum of their logarithms.',
      'logProb 是这条束上各概率的“乘积”，而不是它们对数的和。',
    ),
    hint: t(
      'Score with log-probabilities: logProb = parent.logProb + Math.log(p). Ranking by a product of probabilities is the same on paper, but after a few hundred tokens the product underflows to 0 and every beam ties.',
      '用对数概率打分：logProb = parent.logProb + Math.log(p)。按概率乘积排序在纸面上是一样的，但几百个 token 之后乘积会下溢为 0，所有束的分数都一样。',
    ),
  },
  'sum-of-probabilities': {
    message: t(
      'The logProb is the SUM of its probabilities, not the sum of their logarithms.',
      'logProb 是这条束上各概率的“和”，而不是它们对数的和。',
    ),
    hint: t(
      'Add Math.log(p), not p: the probability of a sequence is the product of its step probabilities, and the log turns that product into a sum.',
      '要加的是 Math.log(p)，而不是 p：一个序列的概率是各步概率的乘积，取对数后乘积变成求和。',
    ),
  },
  underflow: {
    message: t(
      'The product of the probabilities underflowed (to 0, whose log is -Infinity): the beams were ranked by a product, not by summed log-probabilities.',
      '概率的乘积下溢了（变成 0，其对数是 -Infinity）：束是按乘积排序的，而不是按对数概率之和。',
    ),
    hint: t(
      'Products of hundreds of probabilities of about 0.1 are far below the smallest double (about 5e-324). Add log-probabilities instead of multiplying probabilities.',
      '几百个 0.1 左右的概率相乘，远小于 double 能表示的最小正数（约 5e-324）。应把对数概率相加，而不是把概率相乘。',
    ),
  },
  'shared-tokens': {
    message: t(
      'Two beams are the same tokens array: your beams are not kept separate.',
      '两条束是同一个 tokens 数组：你的束没有彼此分开。',
    ),
    hint: t(
      'Every candidate needs its own copy of its parent\'s tokens: [...beam.tokens, t]. Pushing onto beam.tokens changes the parent and every other candidate built from it.',
      '每个候选都需要父束 tokens 的一份独立拷贝：[...beam.tokens, t]。往 beam.tokens 上 push 会改动父束，以及由它生成的所有其他候选。',
    ),
  },
  'own-best': {
    message: t(
      'Each beam only followed its own most likely token: that is several separate greedy searches, not a beam search.',
      '每条束只沿着自己最可能的 token 走：这是几次各自独立的贪心搜索，而不是束搜索。',
    ),
    hint: t(
      'Pool the candidates of ALL beams (width x V of them) and keep the best `width` overall: two of the survivors may come from the same parent.',
      '把“所有”束的候选放在一起（共 width x V 个），整体保留最好的 `width` 个：留下来的两个候选可能来自同一个父束。',
    ),
  },
  'length-normalised': {
    convention: 'Hugging Face',
    message: t(
      'The logProb is the summed log-probability divided by the length. This is Hugging Face\'s convention: generate() divides a finished beam\'s summed log-probability by its length to the power length_penalty (1.0 by default). In this lesson logProb is the plain sum, the log-probability of the sequence itself: every beam here has the same length, so dividing would change no ranking; return the sum to match.',
      'logProb 是对数概率之和再除以长度。这是 Hugging Face 的约定：generate() 把一条已完成的束的对数概率之和除以它长度的 length_penalty 次方（默认 1.0）。本课的 logProb 就是这个和本身，即该序列自己的对数概率：这里所有束一样长，除以长度不会改变任何排名；请返回这个和。',
    ),
    hint: t(
      'logProb = parent.logProb + Math.log(p[t]) at every step, with nothing divided at the end.',
      '每一步 logProb = parent.logProb + Math.log(p[t])，最后不要再除以任何东西。',
    ),
  },
  'worst-first': {
    message: t('The beams are not sorted best first: return the beams best first.', '束没有按从好到差排序：应按从好到差的顺序返回束。'),
    hint: t('Sort by logProb in descending order: candidates.sort((a, b) => b.logProb - a.logProb).', '按 logProb 降序排序：candidates.sort((a, b) => b.logProb - a.logProb)。'),
  },
});
