/**
 * The prompting lesson (prompting/prompt), beyond its mistake cases:
 * - the course's references are what the lesson says: the hand-worked prompt, the parser's rule, the vote's tie and
 *   null rules, the live task's budget (blockSize − maxNew = 120) and that every few-shot prompt keeps some examples
 *   and drops the oldest;
 * - the reference solution passes every check, in English, with each check's wall time, the accuracy table of the
 *   live evaluation (zero-shot, few-shot, self-consistency, greedy) and the load average printed; the quick checks
 *   together stay under 2 s;
 * - the live check can fail: a selfConsistency that returns the first sample's answer (no vote) gives another table.
 * Run alone with `node test/unit.mjs prompting-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { runInWorker } from '../../src/harness/host';
import { PROMPT_TASK, promptBuild, promptChars, promptExamplesFor, promptParse, promptVotes } from '../../src/course/apps/prompting';
import { WORKER, englishPlan, printRun, referenceSolution } from './helpers';

const EXERCISE = 'prompting/prompt';
const LIVE = 'few-shot prompting of the bundled model (live)';

test('prompting: the references follow the stated rules', () => {
  const four = ['Sperm', 'Right', 'White', 'Greenland'].map((input) => ({ input, output: 'Whale' }));
  assert.equal(promptBuild('Kinds of whale:', four, 'Fin', 55), 'Kinds of whale:\nWhite Whale, Greenland Whale, Fin');
  assert.equal(promptBuild('Kinds of whale:', four, 'Fin', 55, 'drop-newest'), 'Kinds of whale:\nSperm Whale, Right Whale, Fin');
  assert.throws(() => promptBuild('Kinds of whale:', four, 'Fin', 18), RangeError);
  assert.equal(promptBuild('Kinds of whale:', four, 'Fin', 19), 'Kinds of whale:\nFin');
  assert.equal(promptParse(' Whale, and so'), 'whale');
  assert.equal(promptParse('\nWhale'), null);
  assert.equal(promptParse('\nWhale', 'skip-lines'), 'whale');
  assert.deepEqual(promptVotes(['ship', 'whale', 'whale', 'ship']), [{ answer: 'ship', count: 2 }, { answer: 'whale', count: 2 }]);
  assert.deepEqual(promptVotes([null, null, 'whale']), [{ answer: 'whale', count: 1 }]);
  const maxChars = 128 - PROMPT_TASK.maxNew;
  PROMPT_TASK.queries.forEach((q, i) => {
    const few = promptBuild(PROMPT_TASK.instruction, promptExamplesFor(i), q, maxChars);
    assert.ok(promptChars(few) <= maxChars && promptChars(few) > maxChars - 20, `${q}: the few-shot prompt uses the budget`);
    const kept = few.split('\n')[1].split(', ').length - 1;
    assert.ok(kept >= 4 && kept < PROMPT_TASK.queries.length - 1, `${q}: keeps ${kept} examples, drops the oldest`);
  });
});

test('prompting: the reference passes every check (each timed, the accuracy table printed); a selfConsistency without a vote fails the live check', async () => {
  // The reference and the broken copy run at once, each in its own folder and runner process.
  const [{ exercise, file }, broken] = await Promise.all([referenceSolution(EXERCISE, 'llm-lab-prompting-'), referenceSolution(EXERCISE, 'llm-lab-prompting-vote-')]);
  const plan = await englishPlan(exercise.checks);
  const live = plan.find((p) => p.name.startsWith(LIVE));
  assert.ok(live);
  const source = readFileSync(broken.file, 'utf8');
  const from = 'return { answer: votes.length ? votes[0].answer : null, samples, answers, votes };';
  assert.ok(source.includes(from));
  writeFileSync(broken.file, source.replace(from, 'return { answer: answers[0], samples, answers, votes };'));
  const started = Date.now();
  const [r, bad] = await Promise.all([
    runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale: 'en' }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048 }),
    runInWorker({ exerciseId: EXERCISE, learnerFile: broken.file, checksFile: exercise.checks, locale: 'en', only: [live.id] }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048 }),
  ]);
  assert.equal(r.error, undefined, r.error?.message);
  printRun(r, started); // each check's time is printed (speed is the bench's business, never asserted here)
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);

  assert.equal(bad.error, undefined, bad.error?.message);
  const outcome = bad.checks.find((c) => c.id === live.id)!;
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.message ?? '', /your parts give/);
  console.log(`  no vote: ${outcome.message?.slice(0, 160)}…`);
});
