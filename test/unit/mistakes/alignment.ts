/**
 * The alignment track's mistake cases (see test/unit/catalogue.ts): lessons 9 (reward model), 10 (GAE) and
 * 11 (PPO). Each case puts one catalogued bug into a reference solution; the check that catalogues it must fail
 * with the catalogue's own message, in English and in Chinese.
 */
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';
import { REWARD_MISTAKES } from '../../../lessons/09-reward-model/mistakes';
import { GAE_MISTAKES } from '../../../lessons/10-gae/mistakes';
import { PPO_MISTAKES } from '../../../lessons/11-ppo/mistakes';

// ----- lesson 9: Bradley-Terry ---------------------------------------------------------------------------------

const BT_HAND = 'preferenceLoss: three pairs by hand';
const PAIRS = 'pairAccuracy: strictly higher is right';
const REWARD_IMPORT = "import { type Tensor, cat, logSoftmax, mean, narrow, neg, sub, zeros } from '@llm-lab/kit';";
const withImports = (...names: string[]): [string, string] => [REWARD_IMPORT, REWARD_IMPORT.replace('zeros }', `zeros, ${names.join(', ')} }`)];
const LOG_WIN = 'const logWin = narrow(logSoftmax(pair, -1), 1, 0, 1);';
const BT_RETURN = 'return neg(mean(logWin));';
const COUNT = 'if (rChosen[i] > rRejected[i]) right++;';
// log σ(d) = -softplus(-d) = -(relu(-d) + log(1 + e^(-|d|))), with |d| = relu(d) + relu(-d): PyTorch's logsigmoid, stably.
const TRL_LOGSIGMOID = 'const logWin = neg(add(relu(neg(d)), log(add(exp(neg(add(relu(d), relu(neg(d))))), 1))));';

const REWARD = mistakeCases(REWARD_MISTAKES, 'reward-model/loss', [
  { key: 'sign-flipped', check: BT_HAND, edits: [['sub(rChosen, rRejected)', 'sub(rRejected, rChosen)']] },
  { key: 'sign-flipped', name: 'the trained reward model prefers the rejected texts', check: 'a reward model trained with your loss',
    edits: [['sub(rChosen, rRejected)', 'sub(rRejected, rChosen)']] },
  { key: 'sigmoid-not-log', check: BT_HAND, edits: [withImports('softmax'), [LOG_WIN, 'const logWin = narrow(softmax(pair, -1), 1, 0, 1);']] },
  // Column 1 of softmax over (d, 0) is σ(-d) = 1 - σ(d), returned without the log or the minus.
  { key: 'one-minus-sigmoid', check: BT_HAND,
    edits: [withImports('softmax'), [LOG_WIN, 'const logWin = narrow(softmax(pair, -1), 1, 1, 1);'], [BT_RETURN, 'return mean(logWin);']] },
  { key: 'log-likelihood-not-negated', check: BT_HAND, edits: [[BT_RETURN, 'return mean(logWin);']] },
  { key: 'sum-not-mean', check: BT_HAND, edits: [withImports('sum'), [BT_RETURN, 'return neg(sum(logWin));']] },
  { key: 'overflow', name: 'log(sigmoid(d)) written literally overflows at d = -100', check: 'preferenceLoss: stable for differences of ±100',
    edits: [withImports('add', 'div', 'exp', 'log'), [LOG_WIN, 'const logWin = log(div(1, add(exp(neg(d)), 1)));']] },
  { key: 'no-gradient', name: 'loss rebuilt from plain numbers', check: 'preferenceLoss: gradients reach both rewards',
    edits: [withImports('tensor'), [BT_RETURN, 'return tensor(-mean(logWin).item());']] },
  { key: 'ties-count-right', check: PAIRS, edits: [[COUNT, 'if (rChosen[i] >= rRejected[i]) right++;']] },
  { key: 'counts-wrong-pairs', check: PAIRS, edits: [[COUNT, 'if (rChosen[i] < rRejected[i]) right++;']] },
  { key: 'percent', check: PAIRS, edits: [['return right / rChosen.length;', 'return (100 * right) / rChosen.length;']] },
]);

// ----- lesson 10: GAE ------------------------------------------------------------------------------------------

const GAE_HAND = 'three steps by hand';
const GAE_EPISODES = 'episode ends: nothing crosses a done';
const GAE_MC = 'λ = 1 gives the Monte-Carlo return';
const LIVE = 'const live = dones[t] ? 0 : 1;';
const SHIFTED_LIVE = 'const live = (t + 1 < T ? dones[t + 1] : false) ? 0 : 1;';
const SHIFTED_LIVE_LAST_CUT = 'const live = (t + 1 < T ? dones[t + 1] : dones[t]) ? 0 : 1;';
// Discounted sums of the rewards alone, cut at episode ends and bootstrapped with lastValue: no λ, no values.
const REWARDS_TO_GO: [string, string] = ['const returns = advantages.map((a, t) => a + values[t]);',
  'const returns = new Array<number>(T);\n  let g = lastValue;\n  for (let t = T - 1; t >= 0; t--) {\n    g = rewards[t] + gamma * (dones[t] ? 0 : g);\n    returns[t] = g;\n  }'];

const GAE = mistakeCases(GAE_MISTAKES, 'gae/advantages', [
  { key: 'forward-order', check: GAE_HAND,
    edits: [['for (let t = T - 1; t >= 0; t--) {', 'for (let t = 0; t < T; t++) {'],
      ['const delta = rewards[t] + gamma * nextValue * live - values[t];', 'const delta = rewards[t] + gamma * (t + 1 < T ? values[t + 1] : lastValue) * live - values[t];']] },
  { key: 'ignores-dones', check: GAE_EPISODES, edits: [[LIVE, 'const live = 1;']] },
  { key: 'bootstraps-across-done', check: GAE_EPISODES, edits: [['gamma * nextValue * live', 'gamma * nextValue']] },
  { key: 'accumulates-across-done', check: GAE_EPISODES, edits: [['gamma * lambda * live * next', 'gamma * lambda * next']] },
  { key: 'no-lambda', check: GAE_HAND, edits: [['gamma * lambda * live * next', 'gamma * live * next']] },
  { key: 'no-gamma-in-trace', check: GAE_HAND, edits: [['gamma * lambda * live * next', 'lambda * live * next']] },
  { key: 'last-value-ignored', check: GAE_HAND, edits: [['let nextValue = lastValue;', 'let nextValue = 0;']] },
  { key: 'returns-without-values', check: GAE_HAND, edits: [['advantages.map((a, t) => a + values[t])', 'advantages.map((a) => a)']] },
  { key: 'returns-are-rewards', check: GAE_HAND, edits: [REWARDS_TO_GO] },
  // CleanRL's / Stable-Baselines3's indexing: step t cut by dones[t + 1]; the last step (their separate next_done) not cut.
  { key: 'dones-shifted', check: GAE_EPISODES, edits: [[LIVE, SHIFTED_LIVE]] },
  // (Not on 'lastValue bootstraps only': there this variant's numbers are also those of the forward-order mistake.)
  { key: 'dones-shifted', name: 'the last step cut by dones[T - 1]', check: GAE_MC, edits: [[LIVE, SHIFTED_LIVE_LAST_CUT]] },
]);

// ----- lesson 11: PPO ------------------------------------------------------------------------------------------

const PPO_HAND = 'ppoPolicyLoss: five tokens by hand';
const NORMALIZE = 'normalizeAdvantages: [1, 2, 3, 4] by hand';
const VALUE = 'valueLoss:';
const ENTROPY = 'entropy: uniform is log V';
const KL = 'klPenalty:';

const PPO_IMPORT = "import { type Tensor, add, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';";
const ppoImports = (...names: string[]): [string, string] => [PPO_IMPORT, PPO_IMPORT.replace('sum }', `sum, ${names.join(', ')} }`)];
const RATIO = 'exp(sub(newLogProbs, oldLogProbs))';
const CLIPPED = 'mul(clamp(ratio, 1 - clipEps, 1 + clipEps), advantages)';
const PPO_RETURN = 'return neg(mean(minimum(unclipped, clipped)));';
const CLEANRL_PG = 'return mean(maximum(neg(unclipped), neg(clipped)));';
const VALUE_RETURN = 'return mul(mean(pow(sub(values, returns), 2)), 0.5);';
const ENTROPY_H = 'const h = neg(sum(mul(p, logp), -1));';
const KL_RETURN = 'return sub(logProbs, refLogProbs);';
const NORMALISED = 'return a.map((x) => (x - mu) / (std + 1e-8));';
const CONSTANT = 'normalizeAdvantages: a constant batch';
const POPULATION = '(x - mu) ** 2, 0) / n)';
const UNBIASED = '(x - mu) ** 2, 0) / (n - 1))';
// TRL's k3 (kl_estimator="k3"): logr = log π_ref - log π, kl = (e^logr - 1) - logr.
const K3_TRL = 'const logr = sub(refLogProbs, logProbs);\n  return sub(sub(exp(logr), 1), logr);';

const PPO = mistakeCases(PPO_MISTAKES, 'ppo/objective', [
  { key: 'clip-advantage', check: PPO_HAND, edits: [[CLIPPED, 'mul(ratio, clamp(advantages, 1 - clipEps, 1 + clipEps))']] },
  { key: 'max-not-min', check: PPO_HAND, edits: [['minimum(unclipped, clipped)', 'maximum(unclipped, clipped)']] },
  { key: 'sign-flipped', check: PPO_HAND, edits: [[PPO_RETURN, 'return mean(minimum(unclipped, clipped));']] },
  { key: 'ratio-of-logs', check: PPO_HAND, edits: [ppoImports('div'), [RATIO, 'div(newLogProbs, oldLogProbs)']] },
  { key: 'log-ratio-no-exp', check: PPO_HAND, edits: [[RATIO, 'sub(newLogProbs, oldLogProbs)']] },
  // Probabilities divided: 0/0 = NaN once exp(old log-prob) underflows (below about -103 in float32).
  { key: 'ratio-of-probs', check: 'ppoPolicyLoss: very unlikely tokens', edits: [ppoImports('div'), [RATIO, 'div(exp(newLogProbs), exp(oldLogProbs))']] },
  { key: 'old-new-swapped', check: PPO_HAND, edits: [[RATIO, 'exp(sub(oldLogProbs, newLogProbs))']] },
  { key: 'no-clip', check: PPO_HAND, edits: [[PPO_RETURN, 'return neg(mean(unclipped));']] },
  { key: 'clipped-gradient', name: 'straight-through clip: right values, gradient leaks where clipped', check: 'ppoPolicyLoss: the clipped tokens get zero gradient',
    edits: [[CLIPPED, 'mul(add(ratio, sub(clamp(ratio, 1 - clipEps, 1 + clipEps), ratio).detach()), advantages)']] },
  { key: 'value-no-half', check: VALUE, edits: [[VALUE_RETURN, 'return mean(pow(sub(values, returns), 2));']] },
  { key: 'value-sum', check: VALUE, edits: [[VALUE_RETURN, 'return mul(sum(pow(sub(values, returns), 2)), 0.5);']] },
  // |x| = relu(x) + relu(-x): the kit has no abs.
  { key: 'value-abs', check: VALUE, edits: [[VALUE_RETURN, 'return mul(mean(add(relu(sub(values, returns)), relu(sub(returns, values)))), 0.5);']] },
  { key: 'entropy-no-minus', check: ENTROPY, edits: [[ENTROPY_H, 'const h = sum(mul(p, logp), -1);']] },
  { key: 'entropy-sum', check: ENTROPY, edits: [['return mean(h);', 'return sum(h);']] },
  { key: 'entropy-nan', name: 'log(softmax): 0 · log 0 = NaN', check: 'entropy: finite for huge logits',
    edits: [ppoImports('log'), ['const logp = logSoftmax(logits, -1);', 'const logp = log(p);']] },
  { key: 'entropy-of-logits', check: ENTROPY, edits: [[ENTROPY_H, 'const h = neg(sum(mul(p, logits), -1));']] },
  { key: 'kl-reversed', check: KL, edits: [[KL_RETURN, 'return sub(refLogProbs, logProbs);']] },
  { key: 'kl-ratio', check: KL, edits: [[KL_RETURN, 'return exp(sub(logProbs, refLogProbs));']] },
  { key: 'kl-k3', check: KL, edits: [[KL_RETURN, K3_TRL]] },
  // CleanRL's approx_kl carried over with logratio = log π - log π_ref: the ratio upside down.
  { key: 'kl-k3-upside-down', check: KL, edits: [[KL_RETURN, 'const logratio = sub(logProbs, refLogProbs);\n  return sub(sub(exp(logratio), 1), logratio);']] },
  { key: 'not-normalised', check: NORMALIZE, edits: [[NORMALISED, 'return a.map((x) => x);']] },
  { key: 'only-centred', check: NORMALIZE, edits: [[NORMALISED, 'return a.map((x) => x - mu);']] },
  { key: 'by-max', check: NORMALIZE, edits: [[NORMALISED, 'const top = Math.max(...a.map(Math.abs));\n  return a.map((x) => x / top);']] },
  // torch's .std() (÷ (n - 1)) is accepted, but without a guard one value is 0/0.
  { key: 'one-value-nan', check: CONSTANT, edits: [[POPULATION, UNBIASED]] },
  { key: 'no-eps', check: CONSTANT, edits: [[NORMALISED, 'return a.map((x) => (x - mu) / std);']] },
]);

export const CASES: MistakeCase[] = [...REWARD, ...GAE, ...PPO];

/** Other libraries' conventions put into the solutions: accepted, or named as conventions (never as mistakes). */
export const VARIANTS: LibraryVariant[] = [
  // ----- lesson 9: the loss and the accuracy as TRL's RewardTrainer writes them (both accepted)
  { library: 'TRL', name: 'RewardTrainer\'s -logsigmoid(r_c - r_r).mean(), logsigmoid(d) written as -softplus(-d)', exercise: 'reward-model/loss', check: BT_HAND,
    edits: [withImports('add', 'exp', 'log', 'relu'), [LOG_WIN, TRL_LOGSIGMOID]] },
  { library: 'TRL', name: '-logsigmoid as softplus, at differences of ±100', exercise: 'reward-model/loss', check: 'preferenceLoss: stable for differences of ±100',
    edits: [withImports('add', 'exp', 'log', 'relu'), [LOG_WIN, TRL_LOGSIGMOID]] },
  { library: 'TRL', name: 'accuracy as (rewards_chosen > rewards_rejected).float().mean()', exercise: 'reward-model/loss', check: PAIRS,
    edits: [[COUNT, 'right += Number(rChosen[i] > rRejected[i]);']] },

  // ----- lesson 10: CleanRL's dones / SB3's episode_starts (step t cut by dones[t + 1]): named as their convention
  { library: 'CleanRL / Stable-Baselines3', name: 'dones[t + 1] cuts step t; the last step (next_done) not cut', exercise: 'gae/advantages', check: GAE_EPISODES,
    edits: [[LIVE, SHIFTED_LIVE]] },
  { library: 'CleanRL / Stable-Baselines3', name: 'dones[t + 1] cuts step t; the last step cut by dones[T - 1]', exercise: 'gae/advantages', check: GAE_MC,
    edits: [[LIVE, SHIFTED_LIVE_LAST_CUT]] },
  { library: 'OpenAI Spinning Up', name: 'value targets are the discounted rewards-to-go', exercise: 'gae/advantages', check: GAE_HAND, edits: [REWARDS_TO_GO] },

  // ----- lesson 11
  { library: 'CleanRL', name: 'pg_loss = max(-A·ratio, -A·clamp(ratio)).mean()', exercise: 'ppo/objective', check: PPO_HAND, edits: [[PPO_RETURN, CLEANRL_PG]] },
  { library: 'CleanRL', name: 'pg_loss as the max of the negated terms: its gradient', exercise: 'ppo/objective', check: 'ppoPolicyLoss: the clipped tokens get zero gradient', edits: [[PPO_RETURN, CLEANRL_PG]] },
  { library: 'CleanRL', name: 'advantages normalised with torch\'s .std() (÷ (n - 1))', exercise: 'ppo/objective', check: NORMALIZE, edits: [[POPULATION, UNBIASED]] },
  { library: 'Stable-Baselines3', name: '.std() (÷ (n - 1)), and a minibatch of one left unnormalised (len(advantages) > 1)', exercise: 'ppo/objective', check: CONSTANT,
    edits: [['if (n === 0) return [];', 'if (n < 2) return [...a];'], [POPULATION, UNBIASED]] },
  { library: 'Stable-Baselines3', name: '.std() (÷ (n - 1)) on [1, 2, 3, 4] and a random batch', exercise: 'ppo/objective', check: NORMALIZE,
    edits: [['if (n === 0) return [];', 'if (n < 2) return [...a];'], [POPULATION, UNBIASED]] },
  { library: 'TRL', name: 'masked_whiten: unbiased variance, (a - mean) · rsqrt(var + 1e-8)', exercise: 'ppo/objective', check: NORMALIZE,
    edits: [['const std = Math.sqrt(a.reduce((s, x) => s + (x - mu) ** 2, 0) / n);', 'const variance = a.reduce((s, x) => s + (x - mu) ** 2, 0) / (n - 1);'],
      [NORMALISED, 'return a.map((x) => (x - mu) / Math.sqrt(variance + 1e-8));']] },
  { library: 'Stable-Baselines3', name: 'value loss F.mse_loss(returns, values), no ½', exercise: 'ppo/objective', check: VALUE, edits: [[VALUE_RETURN, 'return mean(pow(sub(values, returns), 2));']] },
  { library: 'TRL', name: 'the k3 KL estimator (kl_estimator="k3")', exercise: 'ppo/objective', check: KL, edits: [[KL_RETURN, K3_TRL]] },
];
