/**
 * The alignment track's reward model (src/course/alignment/reward-model.ts), which lesson 9's checks train with the
 * learner's loss and lessons 12 and 13 use: its committed data, and the reference model it trains.
 *
 * The catalogued mistakes of lessons 9-11 are in test/unit/mistakes/alignment.ts (run by catalogues.test.ts), and
 * every reference solution and scaffold by lessons.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

test('reward-model: the committed pairs are well formed, and held-out pairs use only held-out words', async () => {
  const { loadPreferencePairs, preferenceWords } = await import('../../src/course/alignment/reward-model');
  const { train, test: heldOut } = loadPreferencePairs();
  assert.equal(train.length, 800);
  assert.equal(heldOut.length, 200);
  const words = preferenceWords();
  const trainWords = new Set([...words.train.positive, ...words.train.negative]);
  const testWords = new Set([...words.test.positive, ...words.test.negative]);
  assert.deepEqual([...trainWords].filter((w) => testWords.has(w)), [], 'a word is in both splits');
  const { templates } = (await import('../../src/course/alignment/preferences.json')).default;
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

test('reward-model: reward-head.json is what the reference recipe trains (the RLHF and DPO checks score with it)', async () => {
  const { referenceRewardModel, shippedRewardScorer } = await import('../../src/course/alignment/reward-model');
  const [rm, shipped] = await Promise.all([referenceRewardModel(), shippedRewardScorer()]);
  const file = JSON.parse(readFileSync(path.join(ROOT, 'src', 'course', 'alignment', 'reward-head.json'), 'utf8')) as typeof rm.parameters;
  // Exact on the machine that wrote it; onnxruntime's kernels may round the features differently on another CPU.
  const close = (a: number[], b: number[], what: string) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-5 * (1 + Math.abs(b[i])), `${what}[${i}]: trained ${b[i]}, shipped ${x}`));
  close(file.mu, rm.parameters.mu, 'mu');
  close(file.sd, rm.parameters.sd, 'sd');
  close(file.head, rm.parameters.head, 'head');
  close([file.spread], [rm.parameters.spread], 'spread');
  const texts = ['The crew felt brave.', 'The crew felt weary.', 'Call me Ishmael.'];
  const [a, b] = [await rm.scoreAsync(texts), await shipped.scoreAsync(texts)];
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-4, `score of ${JSON.stringify(texts[i])}: trained ${x}, shipped ${b[i]}`));
  console.log(`  reward-head.json matches a fresh training (spread ${rm.parameters.spread.toFixed(4)}); scores ${b.map((x) => x.toFixed(3)).join(', ')}`);
});

test('baseline-evaluation.json is the bundled model evaluated now (the RLHF and DPO checks\' "before" column)', async () => {
  const { EVAL, PPO_DEFAULTS, baselineEvaluation, evaluate, loadRlModel, rewardSource } = await import('../../src/course/alignment');
  const [model, reward] = await Promise.all([loadRlModel(), rewardSource()]);
  const fresh = await evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);
  const recorded = baselineEvaluation();
  const regenerate = ' (run node --import tsx src/course/alignment/make-baseline.ts and commit the result)';
  assert.equal(recorded.samples.length, fresh.samples.length, `samples${regenerate}`);
  fresh.samples.forEach((s, i) => {
    assert.equal(recorded.samples[i].prompt, s.prompt, `prompt ${i}${regenerate}`);
    assert.equal(recorded.samples[i].text, s.text, `the sample of ${JSON.stringify(s.prompt)}${regenerate}`);
    // Exact on the machine that wrote it; onnxruntime (the reward) may round differently on another CPU.
    assert.ok(Math.abs(recorded.samples[i].reward - s.reward) < 1e-4, `reward of sample ${i}: recorded ${recorded.samples[i].reward}, now ${s.reward}${regenerate}`);
  });
  assert.ok(Math.abs(recorded.reward - fresh.reward) < 1e-4, `mean reward: recorded ${recorded.reward}, now ${fresh.reward}${regenerate}`);
  assert.equal(fresh.kl, 0, 'before any fine-tuning the policy is the reference: KL 0');
  assert.equal(recorded.kl, 0);
  recorded.samples[0].text = 'changed';
  assert.notEqual(baselineEvaluation().samples[0].text, 'changed', 'baselineEvaluation must return fresh copies');
  console.log(`  baseline-evaluation.json matches: ${fresh.samples.length} samples, mean reward ${fresh.reward.toFixed(4)}`);
});

test('reward-model: the reference reward model ranks held-out pairs, score and scoreAsync agree', async () => {
  const { loadPreferencePairs, referenceRewardModel } = await import('../../src/course/alignment/reward-model');
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
