/**
 * Lessons 12 (rlhf/ppo-run) and 13 (dpo/loss), beyond their mistake catalogues (those run in
 * test/unit/mistakes/rlhf.ts):
 *  - a hand-worked check re-run alone does not train: the PPO and DPO runs are shared results that only the
 *    run checks ask for (the Test Explorer's re-run of one failed check takes a moment, not a training run);
 *  - the reference solutions, laid out as a learner folder, pass every check, and the run checks draw their curves;
 *  - KL_COEF = 0.001 (the lesson's experiment) ends in reward hacking.
 * Runs go through the real runner process, two at a time (the machine has two cores); the quick ones first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Catalog, findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { checkId } from '../../src/core/grading/define';
import type { Locale } from '../../src/core/grading/text';
import type { CheckOutcome, RunResult } from '../../src/core/grading/result';
import { runInWorker } from '../../src/harness/host';
import { learnerFile, prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { LESSONS, WORKER, limiter, tempDir, withEdits } from './helpers';

const PPO_RUN = 'PPO on the bundled model: the reward rises and the KL to the reference stays bounded';
const PPO_HAND = 'tokenRewards: the worked example, −β·KL on every token and the score on the last';
const DPO_RUN = 'DPO on the bundled model: the reward-model lesson\'s preference pairs, compared with the RLHF lesson\'s PPO';
const DPO_HAND = 'the worked example: one pair, margin 2, β = 0.5';

const dir = tempDir('llm-lab-rlhf-');
const catalog: Promise<Catalog> = loadCatalog(LESSONS);
const limit = limiter(2);

interface Run {
  exercise: string;
  /** A name for the learner folder. */
  name: string;
  /** Edits of the exercise's own solution. */
  edits?: [from: string, to: string][];
  /** English check names to run (default: all). */
  only?: string[];
  locale?: Locale;
}

/**
 * Lays out the reference solutions (with `edits`) as a learner folder and checks the exercise in the runner.
 * `wallMs`: from starting the runner process (with bundling) to its result, not counting the wait for a free core.
 */
async function check(r: Run): Promise<RunResult & { wallMs: number }> {
  const cat = await catalog;
  const found = findExercise(cat, r.exercise);
  if (!found) throw new Error(`no exercise ${r.exercise}`);
  const folder = path.join(dir, r.name);
  mkdirSync(folder, { recursive: true });
  const file = await solutionFolder(folder, cat, found.exercise);
  if (r.edits) {
    const own = learnerFile(folder, found.lesson, found.exercise);
    writeFileSync(own, withEdits(readFileSync(own, 'utf8'), r.edits, r.name));
  }
  return limit(async () => {
    const t0 = performance.now();
    const result = await runInWorker({
      exerciseId: found.exercise.id, learnerFile: file, checksFile: found.exercise.checks, locale: r.locale ?? 'en',
      only: r.only?.map(checkId), prerequisites: prerequisiteFiles(folder, cat, found.exercise),
    }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 2048 });
    return { ...result, wallMs: performance.now() - t0 };
  });
}

const started = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined); // awaited by its test
  return p;
};

// Started now, in this order (the quick ones first); each test awaits its own.
const quick = {
  ppo: started(check({ exercise: 'rlhf/ppo-run', name: 'ppo-quick', only: [PPO_HAND] })),
  dpo: started(check({ exercise: 'dpo/loss', name: 'dpo-quick', only: [DPO_HAND] })),
};
const reference = {
  ppo: started(check({ exercise: 'rlhf/ppo-run', name: 'ppo-reference' })),
  dpo: started(check({ exercise: 'dpo/loss', name: 'dpo-reference' })),
};
const hacking = started(check({
  exercise: 'rlhf/ppo-run', name: 'ppo-hacking', only: [PPO_RUN],
  edits: [['export const KL_COEF = 0.1;', 'export const KL_COEF = 0.001;']],
}));

const byName = (r: RunResult, name: string): CheckOutcome => {
  const c = r.checks.find((x) => x.id === checkId(name));
  assert.ok(c, `no check "${name}"; the run has: ${r.checks.map((x) => x.name).join(' | ')}`);
  return c;
};
const curves = (c: CheckOutcome) => c.artifacts.filter((a) => a.kind === 'curve');
const tables = (c: CheckOutcome) => c.artifacts.filter((a) => a.kind === 'table');

for (const [exercise, hand, run, result] of [
  ['rlhf/ppo-run', PPO_HAND, PPO_RUN, quick.ppo], ['dpo/loss', DPO_HAND, DPO_RUN, quick.dpo],
] as const) {
  test(`${exercise}: re-running only "${hand}" passes without training`, async () => {
    const r = await result;
    assert.equal(r.error, undefined, r.error?.message);
    const one = byName(r, hand);
    assert.equal(one.status, 'passed', one.message);
    const ran = r.checks.filter((c) => c.status !== 'skipped').map((c) => c.name);
    assert.deepEqual(ran, [hand], 'only the chosen check runs');
    assert.equal(byName(r, run).status, 'skipped');
    // A check that had started the shared run would hold its live curves (and the samples table): none here.
    assert.deepEqual(r.checks.flatMap((c) => c.artifacts).map((a) => `${a.kind}: ${a.title}`), [], 'no training artifacts');
    console.log(`${exercise}: "${hand}" alone took ${(r.wallMs / 1000).toFixed(2)} s (runner process, bundling and check; the check itself ${one.durationMs.toFixed(0)} ms)`);
  });
}

for (const [exercise, run, result] of [['rlhf/ppo-run', PPO_RUN, reference.ppo], ['dpo/loss', DPO_RUN, reference.dpo]] as const) {
  test(`${exercise}: the reference solution, in a learner folder, passes every check, and the run draws its curves`, async () => {
    const r = await result;
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
    const c = byName(r, run);
    assert.equal(curves(c).length, 2, `the run check should show two curves, it has ${c.artifacts.map((a) => a.title).join(', ')}`);
    for (const a of curves(c)) if (a.kind === 'curve') assert.ok(a.series[0].x.length > 1, `${a.title}: one point per iteration`);
    assert.equal(tables(c).length, 2, 'the samples before and after, and the numbers of the run');
    console.log(`${exercise}: every check with the reference took ${(r.wallMs / 1000).toFixed(1)} s (the run check ${(c.durationMs / 1000).toFixed(1)} s)`);
  });
}

test('rlhf/ppo-run: KL_COEF = 0.001 ends in reward hacking', async () => {
  const r = await hacking;
  assert.equal(r.error, undefined, r.error?.message);
  const c = byName(r, PPO_RUN);
  assert.equal(c.status, 'failed', `the run passed with KL_COEF = 0.001: ${c.message}`);
  assert.match(c.message ?? '', /this is reward hacking/);
  assert.match(c.message ?? '', /KL_COEF = 0\.001/);
  assert.match(c.hint ?? '', /Put KL_COEF back to 0\.1/);
  assert.equal(curves(c).length, 2, 'the curves show the KL growing');
});
