/**
 * The subword lesson beyond its mistake catalogue (test/unit/mistakes/subword.ts has those): the reference solution
 * laid out as a learner folder, through the real runner.
 * - Every check passes; the EM check's live curve grows step by step, the likelihood never falls, and the artifacts
 *   (the curve and the table of Viterbi cuts) are kept with the EM check, the side-by-side table with the SentencePiece check.
 * - The timings of every check are printed (the lesson's budget: under 2 s for all of them on a quiet machine);
 *   they are not asserted, as two shared cores make them vary severalfold.
 */
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { test } from 'node:test';
import type { Artifact } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER, tempDir } from './helpers';

const EM = 'emStep:';

test('subword/tokenizers: every check passes, EM draws a live curve that never falls, and the timings', async () => {
  const cat = await loadCatalog(LESSONS);
  const found = findExercise(cat, 'subword/tokenizers');
  assert.ok(found);
  const folder = tempDir('llm-lab-subword-');
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: { id: string; artifact: Artifact }[] = [];
  const r = await runInWorker({
    exerciseId: 'subword/tokenizers', learnerFile, checksFile: found.exercise.checks, locale: 'en', prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024, onEvent: (e) => { if (e.type === 'check-progress') live.push({ id: e.id, artifact: e.artifact }); } });
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const em = r.checks.find((c) => c.name.startsWith(EM));
  assert.ok(em);
  assert.ok(live.length >= 1 && live.every((l) => l.id === em.id), 'live updates come from the EM check');
  const curve = em.artifacts.find((a) => a.kind === 'curve');
  assert.ok(curve?.kind === 'curve');
  const y = curve.series[0].y;
  assert.equal(y.length, 5, 'five EM steps');
  for (let i = 1; i < y.length; i++) assert.ok(y[i] >= y[i - 1], `the likelihood fell at step ${i}: ${y[i - 1]} -> ${y[i]}`);
  assert.ok(em.artifacts.some((a) => a.kind === 'table'), 'the table of Viterbi cuts');
  const sp = r.checks.find((c) => c.name.startsWith('spEncode and spDecode'));
  assert.ok(sp && sp.artifacts.some((a) => a.kind === 'table'), 'the side-by-side table of wordpiece and spEncode');
  assert.deepEqual(r.checks.filter((c) => c.id !== em.id && c.id !== sp.id && c.artifacts.length).map((c) => c.name), [], 'only the EM and SentencePiece checks draw');
  const total = r.checks.reduce((s, c) => s + c.durationMs, 0);
  console.log(`subword: EM log-likelihood ${y.map((v) => v.toFixed(1)).join(' -> ')}`);
  console.log(`subword: ${r.checks.map((c) => `${c.name.split(':')[0]} ${Math.round(c.durationMs)} ms`).join('; ')}; all checks ${Math.round(total)} ms; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
});
