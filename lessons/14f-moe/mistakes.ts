/**
 * The moe lesson's catalogue of known mistakes: what a learner is told when a check recognises one. One place for the
 * words, so the checks and the test that feeds every mistake through the runner (test/unit/mistakes/moe.ts) agree.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const MOE_MISTAKES = defineMistakes({
  'no-renormalize': {
    message: t(
      'The gates are the raw softmax probabilities of the chosen experts, though renormalize is true: with renormalisation, the k gates of a token are p_e / (sum of the k chosen p), so that they sum to 1 (the same as a softmax over the k chosen logits, as Mixtral writes it).',
      '虽然 renormalize 为 true，门控权重却是被选中专家的原始 softmax 概率：重新归一化时，一个词元的 k 个门控权重是 p_e /（选中的 k 个 p 之和），使它们的和为 1（与 Mixtral 写法中只对选中的 k 个 logits 做 softmax 相同）。',
    ),
    hint: t('After choosing the k experts, divide each chosen probability by their sum when opts.renormalize is not false.', '选出 k 个专家后，当 opts.renormalize 不为 false 时，用它们的和去除每个被选中的概率。'),
  },
  'double-renormalize': {
    message: t(
      'The gates were normalised twice: a softmax was applied to probabilities that were already a softmax (or renormalised), which flattens them towards 1/k. One normalisation only: p_e / (sum of the k chosen p), or equivalently a softmax over the k chosen LOGITS.',
      '门控权重被归一化了两次：对已经是 softmax（或已重新归一化）的概率又做了一次 softmax，使它们被拉平向 1/k。只能归一化一次：p_e /（选中的 k 个 p 之和），或者等价地，对选中的 k 个 logits 做 softmax。',
    ),
    hint: t('gates = chosen.map((e) => p[e] / total), where p = softmax(logits) and total = the sum of p over the chosen experts; no second softmax.', 'gates = chosen.map((e) => p[e] / total)，其中 p = softmax(logits)，total 为被选中专家的 p 之和；不要再做第二次 softmax。'),
  },
  'no-capacity': {
    message: t(
      'The capacity is not enforced: an expert accepted more assignments than its capacity. Once an expert holds `capacity` assignments, every later assignment to it (in token order) is dropped.',
      '没有执行容量限制：某个专家接收的分配超过了它的容量。一个专家收满 `capacity` 个分配后，之后（按词元顺序）再分给它的每个分配都要被丢弃。',
    ),
    hint: t('Keep a count per expert: if (load[e] >= capacity) the assignment is dropped (false); else load[e] += 1 and it is kept.', '为每个专家计数：若 load[e] >= capacity，该分配被丢弃（false）；否则 load[e] += 1 并保留它。'),
  },
  'rank-priority': {
    convention: 'GShard',
    message: t(
      'Your dispatch gives every token\'s FIRST choice priority over any token\'s second choice (all rank-0 assignments in token order, then all rank-1 assignments). This is GShard\'s convention (its top-2 gating offsets the positions of second choices by the number of first choices). This lesson fills the experts in token order, each token\'s choices in rank order, the simplest rule to state and check; change the loops to go token by token.',
      '你的 dispatch 让每个词元的第一选择都优先于任何词元的第二选择（先按词元顺序处理所有名次 0 的分配，再处理所有名次 1 的分配）。这是 GShard 的约定（它的 top-2 门控把第二选择的位置排在所有第一选择之后）。本课按词元顺序填充专家，每个词元内部按名次顺序，这是最容易陈述和检查的规则；请把循环改为逐个词元处理。',
    ),
    hint: t('for (const t of tokens) for (const j of 0 .. k - 1): keep when load[experts[t][j]] < capacity.', 'for（每个词元 t）for（j = 0 .. k - 1）：当 load[experts[t][j]] < capacity 时保留。'),
  },
  'aux-swapped': {
    message: t(
      'The load-balancing loss does not pair f with P: Switch Transformer multiplies f_i, the share of assignments (a count, no gradient), by P_i, the mean router probability (differentiable); your loss looks like N · Σ f_i² or N · Σ P_i², one of the two used twice in place of the other.',
      '负载均衡损失没有把 f 和 P 配对：Switch Transformer 把 f_i（分配比例，是计数，没有梯度）与 P_i（路由概率的均值，可微）相乘；你的损失看起来是 N · Σ f_i² 或 N · Σ P_i²，把其中一个当成了另一个，用了两次。',
    ),
    hint: t('f_i = (number of choices of expert i) / (T · k) from the routing; P_i = mean over tokens of probs[:, i] as a Tensor; loss = N · sum(f · P).', 'f_i =（选中专家 i 的次数）/ (T · k)，由路由结果得到；P_i = probs[:, i] 在词元上的均值，保持为 Tensor；loss = N · sum(f · P)。'),
  },
  'aux-no-n': {
    message: t(
      'The load-balancing loss is missing the factor N (the number of experts): Switch Transformer multiplies Σ f_i · P_i by N so that perfectly uniform routing gives 1 whatever the number of experts.',
      '负载均衡损失缺少因子 N（专家数）：Switch Transformer 把 Σ f_i · P_i 乘以 N，使完全均匀的路由无论专家多少都得到 1。',
    ),
    hint: t('Multiply the sum by N = probs.shape[1].', '把求和结果乘以 N = probs.shape[1]。'),
  },
  'aux-hf-k': {
    convention: 'Hugging Face',
    message: t(
      'Your loss is k times this lesson\'s: f_i counts the choices of expert i divided by T, not by T · k. This is Hugging Face\'s convention (load_balancing_loss_func in transformers\' Mixtral code averages the one-hot top-k mask over tokens only, so uniform top-2 routing gives 2). This lesson divides by T · k so that f is a distribution over the experts and uniform routing gives 1 for every k, as Switch Transformer\'s top-1 form does; divide f by T · k to match.',
      '你的损失是本课的 k 倍：f_i 是专家 i 被选中的次数除以 T，而不是除以 T · k。这是 Hugging Face 的约定（transformers 的 Mixtral 代码中的 load_balancing_loss_func 只在词元上对 top-k 的 one-hot 掩码取平均，所以均匀的 top-2 路由得到 2）。本课除以 T · k，使 f 是专家上的一个分布，对任何 k 均匀路由都得到 1，与 Switch Transformer 的 top-1 形式一致；请把 f 除以 T · k。',
    ),
    hint: t('f_i = (number of choices of expert i) / (T · k), where k = experts[0].length.', 'f_i =（选中专家 i 的次数）/ (T · k)，其中 k = experts[0].length。'),
  },
  'drop-zero': {
    message: t(
      'A token whose every assignment was dropped got a zero output: dropped tokens pass through the residual connection unchanged (y_t = x_t), as in Switch Transformer; the MoE adds nothing to them, it does not erase them.',
      '所有分配都被丢弃的词元得到了零输出：被丢弃的词元应原样经过残差连接（y_t = x_t），与 Switch Transformer 相同；MoE 对它们什么也不加，而不是把它们抹掉。',
    ),
    hint: t('Start y as a copy of x and ADD each kept expert\'s gated output to it.', '令 y 从 x 的副本开始，再把每个保留下来的专家经门控加权后的输出加上去。'),
  },
  'no-gates': {
    message: t(
      'The expert outputs were added without their gates: each kept expert\'s output must be multiplied by its gate (gates[t][j]) before it is added; without the gates the router gets no say in the output (and, in training, no gradient).',
      '专家的输出没有乘以门控权重就加了上去：每个保留下来的专家输出在相加之前都必须乘以它的门控权重（gates[t][j]）；没有门控，路由器对输出毫无影响（训练时也得不到梯度）。',
    ),
    hint: t('y_t += gates[t][j] · expert(x_t) for each kept assignment (t, j).', '对每个保留下来的分配 (t, j)：y_t += gates[t][j] · expert(x_t)。'),
  },
});

export type MoeMistake = keyof typeof MOE_MISTAKES;
