/**
 * The distillation lesson (distillation/distill), beyond its mistake cases:
 * - the course's float64 reference is itself right: its gradient against central finite differences of its own loss,
 *   and every catalogued variant gives a value distinct from the reference and from the others on the settings the
 *   value check uses (so a named mistake is never ambiguous);
 * - the reference solution passes every check, in English, with each check's wall time, the live run's held-out
 *   losses and wall times, and the load average printed (the numbers of the closing note; the lesson suite runs the
 *   reference in Chinese, and this is the one other run of the live training);
 * - the live check can fail: a distillLoss that ignores the teacher (plain cross-entropy) trains the same student as
 *   the hard-label run and fails it (only that check runs).
 * Run alone with `node test/unit.mjs distillation-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { runInWorker } from '../../src/harness/host';
import { DISTILL_VARIANTS, distillLoss64 } from '../../src/course/scale/distillation';
import { WORKER, englishPlan, printRun, referenceSolution } from './helpers';

const EXERCISE = 'distillation/distill';

/** A small deterministic generator (the test's inputs, independent of the checks' ctx.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('distillation: the float64 reference gradient matches finite differences; the catalogued variants are all distinct', () => {
  const rand = lcg(7);
  for (const [N, V, T, alpha] of [[3, 5, 2, 0.7], [2, 7, 0.5, 0.3], [4, 4, 5, 1], [2, 6, 3, 0]]) {
    const s = Array.from({ length: N * V }, () => 6 * rand() - 3);
    const tl = Array.from({ length: N * V }, () => 8 * rand() - 4);
    const y = Array.from({ length: N }, () => Math.floor(rand() * V));
    const { grad } = distillLoss64(s, tl, y, V, T, alpha);
    const h = 1e-6;
    for (let i = 0; i < N * V; i++) {
      const [up, down] = [[...s], [...s]];
      up[i] += h;
      down[i] -= h;
      const fd = (distillLoss64(up, tl, y, V, T, alpha).loss - distillLoss64(down, tl, y, V, T, alpha).loss) / (2 * h);
      assert.ok(Math.abs(fd - grad[i]) < 1e-7, `N ${N} V ${V} T ${T} alpha ${alpha}: d/ds[${i}] ${grad[i]} vs finite difference ${fd}`);
    }
  }
  // The value check's settings (T ≠ 1, alpha ∉ {0, 0.5, 1}): every two of the reference and the variants differ, on at
  // least one setting, by far more than the check's tolerance (1e-4 relative). The check names a variant only when it
  // matches on all four, so no mistake can be named for another, and none passes as the reference.
  const names = ['reference', ...DISTILL_VARIANTS] as const;
  const table = [[5, 7, 2, 0.7], [3, 11, 4, 0.3], [4, 6, 0.5, 0.8], [6, 9, 3, 0.25]].map(([N, V, T, alpha]) => {
    const s = Array.from({ length: N * V }, () => 6 * rand() - 3);
    const tl = Array.from({ length: N * V }, () => 8 * rand() - 4);
    const y = Array.from({ length: N }, () => Math.floor(rand() * V));
    return names.map((v) => distillLoss64(s, tl, y, V, T, alpha, v).loss);
  });
  for (let a = 0; a < names.length; a++) {
    for (let b = a + 1; b < names.length; b++) {
      const apart = Math.max(...table.map((row) => Math.abs(row[a] - row[b]) / Math.max(1, Math.abs(row[a]))));
      assert.ok(apart > 1e-2, `${names[a]} and ${names[b]} differ by at most ${apart} (relative) on the check's settings`);
    }
  }
});

test('distillation: the reference passes every check (each timed, the live run\'s numbers printed); a loss that ignores the teacher fails the live check', async () => {
  const { exercise, file } = await referenceSolution(EXERCISE, 'llm-lab-distill-');
  const started = Date.now();
  const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale: 'en' }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048 });
  assert.equal(r.error, undefined, r.error?.message);
  printRun(r, started);
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const quick = r.checks.filter((c) => !c.name.startsWith('distillation run (live)'));
  console.log(`  quick checks together: ${quick.reduce((s, c) => s + (c.durationMs ?? 0), 0).toFixed(0)} ms (speed is the bench's to measure, not asserted here)`);

  // The teacher ignored: distillLoss returns the plain cross-entropy, so both students train identically.
  const plan = await englishPlan(exercise.checks);
  const live = plan.find((p) => p.name.startsWith('distillation run (live)'));
  assert.ok(live);
  const source = readFileSync(file, 'utf8');
  const from = 'return add(mul(kl, alpha * T * T), mul(ce, 1 - alpha));';
  assert.ok(source.includes(from));
  writeFileSync(file, source.replace(from, 'void kl;\n  return ce;'));
  const bad = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale: 'en', only: [live.id] }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048 });
  assert.equal(bad.error, undefined, bad.error?.message);
  const outcome = bad.checks.find((c) => c.id === live.id)!;
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.message ?? '', /the distilled student's held-out loss is .* the hard-label student's/);
  console.log(`  teacher ignored: ${outcome.message?.slice(0, 140)}…`);
});
