/**
 * Lessons 9 (reward model), 10 (GAE) and 11 (PPO): every catalogued mistake is recognised by name.
 *
 * For each mistake, the reference solution with exactly that bug is written to a temporary folder and checked
 * through the real runner process; the check that catalogues the mistake must fail with its own message. The
 * untouched reference solutions must pass every check. (test/unit/lessons.test.ts also runs every solution and
 * every untouched scaffold.) Runs go two at a time: the machine has two cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Mistake, exercise, testCatalogue } from './catalogue';

const REWARD = exercise('reward-model/loss', '09-reward-model', 'reward');
const GAE = exercise('gae/advantages', '10-gae', 'gae');
const PPO = exercise('ppo/objective', '11-ppo', 'ppo');

const BT_HAND = 'preferenceLoss: three pairs by hand';
const GAE_HAND = 'three steps by hand';
const GAE_EPISODES = 'episode ends: nothing crosses a done';
const PPO_HAND = 'ppoPolicyLoss: five tokens by hand';
const NORMALIZE = 'normalizeAdvantages: [1, 2, 3, 4] by hand';

const REWARD_IMPORT = "import { type Tensor, cat, logSoftmax, mean, narrow, neg, sub, zeros } from '@llm-lab/kit';";
const withImports = (...names: string[]): [string, string] => [REWARD_IMPORT, REWARD_IMPORT.replace('zeros }', `zeros, ${names.join(', ')} }`)];
const LOG_WIN = 'const logWin = narrow(logSoftmax(pair, -1), 1, 0, 1);';
const BT_RETURN = 'return neg(mean(logWin));';

const PPO_IMPORT = "import { type Tensor, add, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';";
const ppoImports = (...names: string[]): [string, string] => [PPO_IMPORT, PPO_IMPORT.replace('sum }', `sum, ${names.join(', ')} }`)];
const RATIO = 'exp(sub(newLogProbs, oldLogProbs))';
const CLIPPED = 'mul(clamp(ratio, 1 - clipEps, 1 + clipEps), advantages)';
const PPO_RETURN = 'return neg(mean(minimum(unclipped, clipped)));';
const NORMALISED = 'return a.map((x) => (x - mu) / (std + 1e-8));';

const MISTAKES: Mistake[] = [
  // ----- lesson 9: Bradley-Terry --------------------------------------------------------------------------
  { name: 'difference sign flipped', exercise: REWARD, check: BT_HAND, says: /sign of the difference is flipped/,
    edits: [['sub(rChosen, rRejected)', 'sub(rRejected, rChosen)']] },
  { name: 'difference sign flipped: the trained reward model prefers the rejected texts', exercise: REWARD,
    check: 'a reward model trained with your loss', says: /prefers the rejected texts/,
    edits: [['sub(rChosen, rRejected)', 'sub(rRejected, rChosen)']] },
  { name: 'sigmoid instead of log-sigmoid', exercise: REWARD, check: BT_HAND, says: /not its logarithm/,
    edits: [withImports('softmax'), [LOG_WIN, 'const logWin = narrow(softmax(pair, -1), 1, 0, 1);']] },
  { name: 'log(sigmoid(d)) written literally overflows at d = -100', exercise: REWARD, check: 'preferenceLoss: stable for differences of ±100', says: /overflowed/,
    edits: [withImports('add', 'div', 'exp', 'log'), [LOG_WIN, 'const logWin = log(div(1, add(exp(neg(d)), 1)));']] },
  { name: 'log-likelihood not negated', exercise: REWARD, check: BT_HAND, says: /the log-likelihood, which is ≤ 0/,
    edits: [[BT_RETURN, 'return mean(logWin);']] },
  { name: 'summed over pairs instead of averaged', exercise: REWARD, check: BT_HAND, says: /summed over the pairs/,
    edits: [withImports('sum'), [BT_RETURN, 'return neg(sum(logWin));']] },
  { name: 'loss rebuilt from plain numbers: no gradient', exercise: REWARD, check: 'preferenceLoss: gradients reach both rewards', says: /No gradient flows/,
    edits: [withImports('tensor'), [BT_RETURN, 'return tensor(-mean(logWin).item());']] },
  { name: 'pair accuracy counts ties as right', exercise: REWARD, check: 'pairAccuracy: strictly higher is right', says: /tie was counted as a correct ranking/,
    edits: [['if (rChosen[i] > rRejected[i]) right++;', 'if (rChosen[i] >= rRejected[i]) right++;']] },

  // ----- lesson 10: GAE ------------------------------------------------------------------------------------
  { name: 'GAE accumulated in forward order', exercise: GAE, check: GAE_HAND, says: /FORWARD order/,
    edits: [['for (let t = T - 1; t >= 0; t--) {', 'for (let t = 0; t < T; t++) {'],
      ['const delta = rewards[t] + gamma * nextValue * live - values[t];', 'const delta = rewards[t] + gamma * (t + 1 < T ? values[t + 1] : lastValue) * live - values[t];']] },
  { name: 'GAE bootstraps and accumulates through episode ends (dones ignored)', exercise: GAE, check: GAE_EPISODES, says: /bootstraps through episode ends/,
    edits: [['const live = dones[t] ? 0 : 1;', 'const live = 1;']] },
  { name: 'GAE bootstraps the next value across an episode end', exercise: GAE, check: GAE_EPISODES, says: /still bootstraps from the next value/,
    edits: [['gamma * nextValue * live', 'gamma * nextValue']] },
  { name: 'GAE carries the next advantage across an episode end', exercise: GAE, check: GAE_EPISODES, says: /advantage of the next episode still flowed back/,
    edits: [['gamma * lambda * live * next', 'gamma * lambda * next']] },
  { name: 'GAE without λ', exercise: GAE, check: GAE_HAND, says: /λ is missing/,
    edits: [['gamma * lambda * live * next', 'gamma * live * next']] },
  { name: 'GAE ignores lastValue', exercise: GAE, check: GAE_HAND, says: /lastValue was ignored/,
    edits: [['let nextValue = lastValue;', 'let nextValue = 0;']] },
  { name: 'returns without the values', exercise: GAE, check: GAE_HAND, says: /returns are not advantages \+ values/,
    edits: [['advantages.map((a, t) => a + values[t])', 'advantages.map((a) => a)']] },

  // ----- lesson 11: PPO ------------------------------------------------------------------------------------
  { name: 'advantage clipped instead of the ratio', exercise: PPO, check: PPO_HAND, says: /clipped the ADVANTAGE/,
    edits: [[CLIPPED, 'mul(ratio, clamp(advantages, 1 - clipEps, 1 + clipEps))']] },
  { name: 'max where min belongs', exercise: PPO, check: PPO_HAND, says: /took the MAX/,
    edits: [['minimum(unclipped, clipped)', 'maximum(unclipped, clipped)']] },
  { name: 'objective not negated', exercise: PPO, check: PPO_HAND, says: /sign is flipped/,
    edits: [[PPO_RETURN, 'return mean(minimum(unclipped, clipped));']] },
  { name: 'ratio as a quotient of log-probabilities', exercise: PPO, check: PPO_HAND, says: /quotient of LOG-probabilities/,
    edits: [ppoImports('div'), [RATIO, 'div(newLogProbs, oldLogProbs)']] },
  { name: 'ratio without exp', exercise: PPO, check: PPO_HAND, says: /missing its exp/,
    edits: [[RATIO, 'sub(newLogProbs, oldLogProbs)']] },
  { name: 'old and new swapped', exercise: PPO, check: PPO_HAND, says: /Old and new are swapped/,
    edits: [[RATIO, 'exp(sub(oldLogProbs, newLogProbs))']] },
  { name: 'no clipping', exercise: PPO, check: PPO_HAND, says: /There is no clipping/,
    edits: [[PPO_RETURN, 'return neg(mean(unclipped));']] },
  { name: 'straight-through clip: right values, gradient leaks where clipped', exercise: PPO, check: 'ppoPolicyLoss: the clipped tokens get zero gradient', says: /still got a gradient/,
    edits: [[CLIPPED, 'mul(add(ratio, sub(clamp(ratio, 1 - clipEps, 1 + clipEps), ratio).detach()), advantages)']] },
  { name: 'value loss without the 0.5', exercise: PPO, check: 'valueLoss:', says: /0\.5 is missing/,
    edits: [['return mul(mean(pow(sub(values, returns), 2)), 0.5);', 'return mean(pow(sub(values, returns), 2));']] },
  { name: 'entropy without the minus sign', exercise: PPO, check: 'entropy: uniform is log V', says: /minus sign is missing/,
    edits: [['const h = neg(sum(mul(p, logp), -1));', 'const h = sum(mul(p, logp), -1);']] },
  { name: 'entropy summed over positions', exercise: PPO, check: 'entropy: uniform is log V', says: /summed the entropies/,
    edits: [['return mean(h);', 'return sum(h);']] },
  { name: 'entropy from log(softmax): 0 · log 0 = NaN', exercise: PPO, check: 'entropy: finite for huge logits', says: /non-finite entropy/,
    edits: [ppoImports('log'), ['const logp = logSoftmax(logits, -1);', 'const logp = log(p);']] },
  { name: 'KL penalty sign reversed', exercise: PPO, check: 'klPenalty:', says: /sign reversed/,
    edits: [['return sub(logProbs, refLogProbs);', 'return sub(refLogProbs, logProbs);']] },
  { name: 'advantages not normalised', exercise: PPO, check: NORMALIZE, says: /came back unchanged/,
    edits: [[NORMALISED, 'return a.map((x) => x);']] },
  { name: 'advantages only centred', exercise: PPO, check: NORMALIZE, says: /did not divide by the standard deviation/,
    edits: [[NORMALISED, 'return a.map((x) => x - mu);']] },
  { name: 'advantages normalised by the maximum', exercise: PPO, check: NORMALIZE, says: /largest absolute value/,
    edits: [[NORMALISED, 'const top = Math.max(...a.map(Math.abs));\n  return a.map((x) => x / top);']] },
  { name: 'advantages divided by the unbiased std', exercise: PPO, check: NORMALIZE, says: /unbiased std/,
    edits: [['(x - mu) ** 2, 0) / n)', '(x - mu) ** 2, 0) / (n - 1))']] },
  { name: 'advantages divided by std without eps', exercise: PPO, check: 'normalizeAdvantages: a constant batch', says: /gave NaN/,
    edits: [[NORMALISED, 'return a.map((x) => (x - mu) / std);']] },
];

testCatalogue([REWARD, GAE, PPO], MISTAKES);

// ----- the reward-model module that lessons 12 and 13 import ---------------------------------------------------

test('reward-model: the committed pairs are well formed, and held-out pairs use only held-out words', async () => {
  const { loadPreferencePairs, preferenceWords } = await import('../../lessons/09-reward-model/reward-model');
  const { train, test: heldOut } = loadPreferencePairs();
  assert.equal(train.length, 800);
  assert.equal(heldOut.length, 200);
  const words = preferenceWords();
  const trainWords = new Set([...words.train.positive, ...words.train.negative]);
  const testWords = new Set([...words.test.positive, ...words.test.negative]);
  assert.deepEqual([...trainWords].filter((w) => testWords.has(w)), [], 'a word is in both splits');
  const { templates } = (await import('../../lessons/09-reward-model/preferences.json')).default;
  const frame = new Set(templates.flatMap((t) => t.replace('{w}', '').toLowerCase().match(/[a-z]+/g) ?? []));
  const wordsOf = (s: string) => (s.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => !frame.has(w));
  for (const p of heldOut) {
    assert.notEqual(p.chosen, p.rejected);
    for (const w of [...wordsOf(p.chosen), ...wordsOf(p.rejected)]) assert.ok(!trainWords.has(w), `held-out pair ${JSON.stringify(p)} uses the training word "${w}"`);
  }
  assert.ok(train.every((p) => /^[ -~]+$/.test(p.chosen) && /^[ -~]+$/.test(p.rejected)), 'every sentence is printable ASCII');
  loadPreferencePairs().train[0].chosen = 'changed';
  assert.notEqual(loadPreferencePairs().train[0].chosen, 'changed', 'loadPreferencePairs must return fresh copies');
});

test('reward-model: the reference reward model ranks held-out pairs, score and scoreAsync agree', async () => {
  const { loadPreferencePairs, referenceRewardModel } = await import('../../lessons/09-reward-model/reward-model');
  const rm = await referenceRewardModel();
  const { train, test: heldOut } = loadPreferencePairs();
  const accuracy = rm.accuracy(heldOut);
  assert.ok(accuracy >= 0.6, `held-out accuracy ${accuracy}`);
  assert.ok(rm.accuracy(train) > accuracy - 0.05, 'train accuracy should not be below held-out accuracy');
  const texts = ['The crew felt brave.', 'The crew felt weary.', 'Call me Ishmael.', ''];
  const sync = rm.score(texts);
  const viaOnnx = await rm.scoreAsync(texts);
  assert.equal(sync.length, 4);
  sync.forEach((s, i) => assert.ok(Math.abs(s - viaOnnx[i]) < 1e-2, `score ${s} vs scoreAsync ${viaOnnx[i]} for ${JSON.stringify(texts[i])}`));
  const all = rm.score([...train.map((p) => p.chosen), ...train.map((p) => p.rejected)]);
  const mean = all.reduce((s, x) => s + x, 0) / all.length;
  const std = Math.sqrt(all.reduce((s, x) => s + (x - mean) ** 2, 0) / all.length);
  assert.ok(Math.abs(mean) < 1e-3 && Math.abs(std - 1) < 1e-3, `rewards over the training texts: mean ${mean}, std ${std}`);
  assert.throws(() => rm.score(['naïve']), /not in the model's vocabulary/);
});
