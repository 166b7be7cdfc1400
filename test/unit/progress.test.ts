import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checked, FRESH, hintRevealed, lessonStatus, opened, solutionAvailable } from '../../src/core/progress';
import type { RunResult } from '../../src/core/grading/result';

const run = (status: RunResult['status']): RunResult => ({
  exerciseId: 'x/y', file: '/f.ts', status, logs: [], durationMs: 1,
  checks: [{ id: 'a', name: 'a', status: status === 'passed' ? 'passed' : 'failed', artifacts: [], durationMs: 1 }],
});

test('status moves from not started to in progress to failed or passed', () => {
  let p = opened(FRESH);
  assert.equal(p.status, 'in-progress');
  p = checked(p, run('failed'));
  assert.deepEqual([p.status, p.failedRuns, p.everPassed, p.lastRun?.passed, p.lastRun?.total], ['failed', 1, false, 0, 1]);
  p = checked(p, run('passed'));
  assert.deepEqual([p.status, p.failedRuns, p.everPassed], ['passed', 1, true]);
  p = checked(p, run('error'));
  assert.deepEqual([p.status, p.everPassed], ['failed', true]);
  assert.equal(opened(p).status, 'failed');
});

test('the solution opens after passing or after three failed runs', () => {
  assert.equal(solutionAvailable(FRESH), false);
  let p = FRESH;
  for (let i = 0; i < 2; i++) p = checked(p, run('failed'));
  assert.equal(solutionAvailable(p), false);
  assert.equal(solutionAvailable(checked(p, run('failed'))), true);
  assert.equal(solutionAvailable(checked(FRESH, run('passed'))), true);
});

test('hints count up to the number available; lesson status summarises exercises', () => {
  assert.equal(hintRevealed(hintRevealed(hintRevealed(FRESH, 2), 2), 2).hintsShown, 2);
  const passed = checked(FRESH, run('passed'));
  assert.equal(lessonStatus([passed, passed]), 'passed');
  assert.equal(lessonStatus([passed, FRESH]), 'in-progress');
  assert.equal(lessonStatus([passed, checked(FRESH, run('failed'))]), 'failed');
  assert.equal(lessonStatus([FRESH]), 'not-started');
});
