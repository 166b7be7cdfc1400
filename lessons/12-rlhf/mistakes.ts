/**
 * What a learner is told when their RLHF glue matches a catalogued mistake, in English and Chinese. One place for
 * the words, shared by rlhf.checks.ts and by the catalogue runner (test/unit/mistakes/rlhf.ts puts each mistake
 * into the reference solution and runs the check that names it).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const RLHF_MISTAKES = defineMistakes({
  // tokenRewards
  'kl-sign': {
    message: t('The KL term has the wrong sign: your per-token reward is +β·(log π − log π_ref), so the policy is PAID for drifting away from the reference instead of charged for it.',
      'KL 项的符号反了：你的逐 token 奖励是 +β·(log π − log π_ref)，于是策略偏离参考模型反而得到奖励，而不是为此付出代价。'),
    hint: t('r_t = −β · (log π(a_t) − log π_ref(a_t)): where the policy likes a token more than the reference does, the reward goes down.',
      'r_t = −β · (log π(a_t) − log π_ref(a_t))：策略比参考模型更喜欢某个 token 时，这个 token 的奖励要下降。'),
  },
  'score-first': {
    message: t('The reward-model score was added to the FIRST generated token. The reward model judges the finished text, so its score belongs to the step that finishes it: the last token.',
      '奖励模型的分数被加到了生成的第一个 token 上。奖励模型评判的是写完的文本，所以分数属于写完它的那一步：最后一个 token。'),
    hint: t('rewards[rewards.length - 1] += score. GAE then carries it back to the earlier tokens, discounted by γλ.',
      'rewards[rewards.length - 1] += score。之后 GAE 会把它按 γλ 折扣传回前面的 token。'),
  },
  'score-every': {
    message: t('The reward-model score was added to every token: a text of n tokens then earns n times its score, and longer texts look better whatever they say.',
      '奖励模型的分数被加到了每个 token 上：n 个 token 的文本就得到 n 倍的分数，无论内容如何，越长的文本看起来越好。'),
    hint: t('The score is one number for the whole text: add it once, on the last token.',
      '分数是整段文本的一个数：只加一次，加在最后一个 token 上。'),
  },
  'kl-last-only': {
    message: t('The whole KL penalty was charged on the last token (−β·Σ KL added to the score). This lesson puts it on every token, where the drift happens: each token then pays for its own divergence and GAE credits it locally.',
      '整个 KL 惩罚都记在了最后一个 token 上（−β·Σ KL 加到了分数上）。本课把它放在每个 token 上，也就是偏离发生的地方：每个 token 为自己的偏离付出代价，GAE 也就能在局部分配功劳。'),
    hint: t('Every token t gets −β·(log π(a_t) − log π_ref(a_t)); only the score is special, added to the last one.',
      '每个 token t 都得到 −β·(log π(a_t) − log π_ref(a_t))；只有分数特殊，只加在最后一个上。'),
  },
  'kl-k3': {
    convention: 'TRL',
    message: t('This is the k3 KL estimator, an option of TRL\'s PPOTrainer (kl_estimator="k3"): (r − 1) − log r per token, with r = π_ref/π, never negative. This lesson uses k1, log π − log π_ref (TRL\'s default), because its sum over a continuation is exactly the log-ratio log π(y|x)/π_ref(y|x) of the RLHF objective (and the implicit reward of the DPO lesson); change the penalty to k1 to match.',
      '这是 k3 KL 估计量，是 TRL 的 PPOTrainer 的一个选项（kl_estimator="k3"）：每个 token 上是 (r − 1) − log r，其中 r = π_ref/π，永不为负。本课用 k1，即 log π − log π_ref（TRL 的默认值），因为它在一段续写上的和恰好是 RLHF 目标里的对数比 log π(y|x)/π_ref(y|x)（也是 DPO 一课的隐式奖励）；请把惩罚改成 k1 与本课一致。'),
    hint: t('Per token: −klCoef · (logProbs[t] − refLogProbs[t]), no exp: k1, not k3 = e^(refLogProbs[t] − logProbs[t]) − 1 − (refLogProbs[t] − logProbs[t]).',
      '每个 token：−klCoef · (logProbs[t] − refLogProbs[t])，不要 exp：用 k1，而不是 k3 = e^(refLogProbs[t] − logProbs[t]) − 1 − (refLogProbs[t] − logProbs[t])。'),
  },
  'no-beta': {
    message: t('The KL term is not multiplied by klCoef (β): every nat of drift costs a full point of reward, whatever β the run asks for.',
      'KL 项没有乘以 klCoef（β）：无论训练要求的 β 是多少，每一奈特（nat）的偏离都要扣掉整整 1 分奖励。'),
    hint: t('r_t = −klCoef · (log π(a_t) − log π_ref(a_t)); use the klCoef argument, not KL_COEF (the check passes other values).',
      'r_t = −klCoef · (log π(a_t) − log π_ref(a_t))；用参数 klCoef，不要用 KL_COEF（检查会传入别的值）。'),
  },
  // episodeAdvantages
  'bootstrap-end': {
    message: t('Your GAE bootstraps from the value of the last token, as if the text went on. A continuation ENDS at its last token: there is no next state, so nothing is added after the final reward.',
      '你的 GAE 用最后一个 token 的价值做了自举，好像文本还会继续。续写在最后一个 token 处结束：没有下一个状态，所以最后一个奖励之后不再加任何东西。'),
    hint: t('Mark the last step as done (dones = [false, ..., false, true]) and pass lastValue 0: δ_T = r_T − V(s_T).',
      '把最后一步标记为结束（dones = [false, ..., false, true]），并传入 lastValue 0：δ_T = r_T − V(s_T)。'),
  },
  'gamma-lambda': {
    message: t('gamma and lambda were passed the wrong way round: gae(rewards, values, dones, lastValue, gamma, lambda) takes γ (the discount) before λ (the GAE smoothing).',
      'gamma 和 lambda 传反了：gae(rewards, values, dones, lastValue, gamma, lambda) 先接收 γ（折扣因子），再接收 λ（GAE 的平滑系数）。'),
    hint: t('Pass them in the order of the signature: gae(rewards, values, dones, 0, gamma, lambda).',
      '按签名的顺序传入：gae(rewards, values, dones, 0, gamma, lambda)。'),
  },
  // the earlier lessons this one imports
  'lesson-10': {
    message: t('Your gae from the GAE lesson, imported here, gives a different answer from the reference on a plain case. Fix it in the GAE lesson first: this lesson builds on it.',
      '这里导入的你在 GAE 一课写的 gae，在一个简单的例子上与参考答案不一致。请先在 GAE 一课里修好它：这一课建立在它之上。'),
    hint: t('Run the GAE lesson\'s checks on ../10-gae/gae.ts until they pass, then come back.',
      '对 ../10-gae/gae.ts 运行 GAE 一课的检查，直到全部通过，再回到这里。'),
  },
  'lesson-11': {
    message: t('Your function from the PPO-objective lesson, imported here, gives a different answer from the reference on a plain case. Fix it in the PPO-objective lesson first: this lesson builds on it.',
      '这里导入的你在 PPO 目标一课写的函数，在一个简单的例子上与参考答案不一致。请先在 PPO 目标一课里修好它：这一课建立在它之上。'),
    hint: t('Run the PPO-objective lesson\'s checks on ../11-ppo/ppo.ts until they pass, then come back.',
      '对 ../11-ppo/ppo.ts 运行 PPO 目标一课的检查，直到全部通过，再回到这里。'),
  },
});

export type RlhfMistake = keyof typeof RLHF_MISTAKES;

