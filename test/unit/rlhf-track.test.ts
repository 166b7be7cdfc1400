/**
 * Lessons 12 (rlhf) and 13 (dpo): every catalogued mistake is recognised by name.
 *
 * The reference solutions are copied into a learner-style folder (imports of other lessons' `.solution` files
 * point at the learner's own files, as in the learner's llm-lab/ folder), one mistake is patched in, and the
 * exercise is checked through the real runner process: the check that catalogues the mistake must fail with its
 * own message. The untouched copies must pass every check, and KL_COEF = 0.001 must end in reward hacking.
 * Runs go two at a time: the machine has two cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInWorker } from '../../src/harness/host';
import type { RunResult } from '../../src/core/grading/result';
import { RLHF_MISTAKE_TEXT as R } from '../../lessons/12-rlhf/mistakes';
import { DPO_MISTAKE_TEXT as D } from '../../lessons/13-dpo/mistakes';
import { LESSONS, WORKER, tempDir, limiter, withEdits } from './helpers';

interface Lesson {
  folder: string;
  exercise: string;
  file: string;
  solution: string;
  checks?: string;
}

const GAE: Lesson = { folder: '10-gae', exercise: 'gae/advantages', file: 'gae.ts', solution: 'gae.solution.ts' };
const PPO: Lesson = { folder: '11-ppo', exercise: 'ppo/losses', file: 'ppo.ts', solution: 'ppo.solution.ts' };
const RLHF: Lesson = { folder: '12-rlhf', exercise: 'rlhf/ppo-run', file: 'rlhf.ts', solution: 'rlhf.solution.ts', checks: 'rlhf.checks.ts' };
const DPO: Lesson = { folder: '13-dpo', exercise: 'dpo/loss', file: 'dpo.ts', solution: 'dpo.solution.ts', checks: 'dpo.checks.ts' };
const LEARNER_FILES = [GAE, PPO, RLHF, DPO];

interface Mistake {
  name: string;
  lesson: Lesson;
  /** Exact text of the solution -> the buggy text. Each `from` must occur exactly once. */
  patch: [from: string, to: string][];
  /** The exercise whose checks run, when not the patched lesson's own (a broken lesson 10 under lesson 12). */
  checks?: Lesson;
  /** The check that catalogues this mistake (start of its name). */
  check: string;
  /** What its message (or hint) must say. */
  says: RegExp;
}

const first = (s: string) => new RegExp(s.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
const HAND_REWARDS = 'tokenRewards: the worked example';
const EPISODE = 'episodeAdvantages: the continuation ends';
const RUN = 'PPO on the bundled model';
const DPO_HAND = 'the worked example: one pair';
const KL_LINE = 'const rewards = Array.from(kl, (k) => -klCoef * k);';
const SCORE_LINE = 'rewards[rewards.length - 1] += score;';
const DONES = 'const dones = rewards.map((_, t) => t === rewards.length - 1);\n  return gae(rewards, values, dones, 0, gamma, lambda);';
const Z_LINE = 'const z = mul(sub(chosen, rejected), beta).reshape(B, 1);';
const RETURN = 'return neg(mean(logSigmoid));';
const IMPORT = "import { type Tensor, cat, logSoftmax, mean, mul, narrow, neg, sub, zeros } from '@llm-lab/kit';";

const IMPORTED = 'the gae (lesson 10) and PPO losses (lesson 11)';

const MISTAKES: Mistake[] = [
  // ----- lessons 10 and 11 under lesson 12 -----------------------------------------------------------------
  { name: 'a broken lesson-10 gae (lambda dropped)', lesson: GAE, checks: RLHF, check: IMPORTED, says: first(R['lesson-10'].message),
    patch: [['next = delta + gamma * lambda * live * next;', 'next = delta + gamma * live * next;']] },
  { name: 'a broken lesson-11 ppoPolicyLoss (not negated)', lesson: PPO, checks: RLHF, check: IMPORTED, says: first(R['lesson-11'].message),
    patch: [['return neg(mean(minimum(unclipped, clipped)));', 'return mean(minimum(unclipped, clipped));']] },
  // ----- lesson 12 -----------------------------------------------------------------------------------------
  { name: 'KL sign reversed in the per-token reward', lesson: RLHF, check: HAND_REWARDS, says: first(R['kl-sign'].message),
    patch: [[KL_LINE, 'const rewards = Array.from(kl, (k) => klCoef * k);']] },
  { name: 'the whole KL penalty charged on the last token only', lesson: RLHF, check: HAND_REWARDS, says: first(R['kl-last-only'].message),
    patch: [[KL_LINE, 'const rewards = Array.from(kl, () => 0);\n  rewards[rewards.length - 1] = -klCoef * kl.reduce((s, k) => s + k, 0);']] },
  { name: 'score added to the first token instead of the last', lesson: RLHF, check: HAND_REWARDS, says: first(R['score-first'].message),
    patch: [[SCORE_LINE, 'rewards[0] += score;']] },
  { name: 'score added to every token', lesson: RLHF, check: HAND_REWARDS, says: first(R['score-every'].message),
    patch: [[SCORE_LINE, 'for (let t = 0; t < rewards.length; t++) rewards[t] += score;']] },
  { name: 'KL not multiplied by beta', lesson: RLHF, check: HAND_REWARDS, says: first(R['no-beta'].message),
    patch: [[KL_LINE, 'const rewards = Array.from(kl, (k) => -k);']] },
  { name: 'GAE bootstraps past the last token', lesson: RLHF, check: EPISODE, says: first(R['bootstrap-end'].message),
    patch: [[DONES, 'return gae(rewards, values, rewards.map(() => false), values[values.length - 1], gamma, lambda);']] },
  { name: 'gamma and lambda swapped', lesson: RLHF, check: EPISODE, says: first(R['gamma-lambda'].message),
    patch: [['return gae(rewards, values, dones, 0, gamma, lambda);', 'return gae(rewards, values, dones, 0, lambda, gamma);']] },
  { name: 'KL_COEF = 0.001: reward hacking', lesson: RLHF, check: RUN, says: /reward hacking/,
    patch: [['export const KL_COEF = 0.1;', 'export const KL_COEF = 0.001;']] },

  // ----- lesson 13 -----------------------------------------------------------------------------------------
  { name: 'DPO without the reference log-ratios', lesson: DPO, check: DPO_HAND, says: first(D['no-reference'].message),
    patch: [['const chosen = sub(policyChosen, refChosen);', 'const chosen = policyChosen;'], ['const rejected = sub(policyRejected, refRejected);', 'const rejected = policyRejected;']] },
  { name: 'beta outside the sigmoid', lesson: DPO, check: DPO_HAND, says: first(D['beta-outside'].message),
    patch: [[Z_LINE, 'const z = sub(chosen, rejected).reshape(B, 1);'], [RETURN, 'return mul(neg(mean(logSigmoid)), beta);']] },
  { name: 'margin divided by beta', lesson: DPO, check: DPO_HAND, says: first(D['beta-divides'].message),
    patch: [[Z_LINE, 'const z = div(sub(chosen, rejected), beta).reshape(B, 1);'], [IMPORT, IMPORT.replace('cat,', 'cat, div,')]] },
  { name: 'chosen and rejected swapped', lesson: DPO, check: DPO_HAND, says: first(D.swapped.message),
    patch: [[Z_LINE, 'const z = mul(sub(rejected, chosen), beta).reshape(B, 1);']] },
  { name: 'summed over the pairs', lesson: DPO, check: 'a batch of pairs', says: first(D.sum.message),
    patch: [[RETURN, 'return neg(sum(logSigmoid));'], [IMPORT, IMPORT.replace('sub,', 'sub, sum,')]] },
  { name: 'log σ maximised instead of −log σ minimised', lesson: DPO, check: DPO_HAND, says: first(D['positive-log'].message),
    patch: [[RETURN, 'return mean(logSigmoid);']] },
  { name: 'log(sigmoid(z)) overflows for huge margins', lesson: DPO, check: 'huge margins', says: /not finite for large margins/,
    patch: [['const logSigmoid = narrow(logSoftmax(cat([z, zeros([B, 1])], 1), -1), 1, 0, 1); // (B, 1)', 'const logSigmoid = log(div(1, add(exp(neg(z)), 1)));'],
      [IMPORT, "import { type Tensor, add, div, exp, log, mean, mul, neg, sub } from '@llm-lab/kit';"]] },
  { name: 'the loss computed from plain numbers (no graph)', lesson: DPO, check: 'gradients reach', says: first(D['no-graph'].message),
    patch: [[RETURN, 'return tensor([neg(mean(logSigmoid)).item()]);'], [IMPORT, IMPORT.replace('sub,', 'sub, tensor,')]] },
];

const root = tempDir('llm-lab-rlhf-');

/** The solution's source as a learner would have it: imports of other solutions point at the learner's files. */
function learnerSource(lesson: Lesson): string {
  return readFileSync(path.join(LESSONS, lesson.folder, lesson.solution), 'utf8').replace(/\.solution(['"])/g, '$1');
}

/** A learner folder with lessons 10-13's correct files, and `buggy` (if given) replacing its lesson's file. */
function learnerFolder(name: string, buggy?: { lesson: Lesson; source: string }): string {
  const dir = path.join(root, name.replace(/[^a-z0-9]+/gi, '-'));
  for (const lesson of LEARNER_FILES) {
    mkdirSync(path.join(dir, lesson.folder), { recursive: true });
    writeFileSync(path.join(dir, lesson.folder, lesson.file), buggy?.lesson === lesson ? buggy.source : learnerSource(lesson));
  }
  return dir;
}

function check(dir: string, lesson: Lesson): Promise<RunResult> {
  return runInWorker({ exerciseId: lesson.exercise, learnerFile: path.join(dir, lesson.folder, lesson.file), checksFile: path.join(LESSONS, lesson.folder, lesson.checks!) },
    { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 2048 });
}

const limit = limiter(2); // two runner processes at a time

function patched(m: Mistake): string {
  return withEdits(learnerSource(m.lesson), m.patch, m.name);
}

// Start every run now (two at a time, the long ones first); each test awaits its own.
const correct = learnerFolder('correct');
const references = [RLHF, DPO].map((lesson) => ({ lesson, result: limit(() => check(correct, lesson)) }));
const mistakes = MISTAKES.map((m) => ({ m, result: limit(() => check(learnerFolder(m.name, { lesson: m.lesson, source: patched(m) }), m.checks ?? m.lesson)) }));

for (const { lesson, result } of references) {
  test(`${lesson.exercise}: the reference solution passes every check`, async () => {
    const r = await result;
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  });
}

for (const { m, result } of mistakes) {
  test(`${(m.checks ?? m.lesson).exercise}: recognises "${m.name}"`, async () => {
    const r = await result;
    assert.equal(r.error, undefined, r.error?.message);
    const c = r.checks.find((x) => x.name.startsWith(m.check));
    assert.ok(c, `no check named "${m.check}..."`);
    assert.notEqual(c.status, 'passed', `"${c.name}" passed with the bug "${m.name}"`);
    assert.match(`${c.message}\n${c.hint ?? ''}`, m.says, `"${c.name}" failed with: ${c.message}`);
  });
}
