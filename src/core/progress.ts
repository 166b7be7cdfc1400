/**
 * A learner's progress on each exercise, as plain data that the extension keeps in global state.
 * The transitions are pure functions so they are tested without VS Code.
 */
import type { RunResult } from './grading/result';

export type ExerciseStatus = 'not-started' | 'in-progress' | 'passed' | 'failed';

export interface ExerciseProgress {
  status: ExerciseStatus;
  /** Check runs that did not pass, since the exercise was opened. */
  failedRuns: number;
  /** How many hints the learner has revealed. */
  hintsShown: number;
  /** Whether it ever passed (a later failure does not take this away). */
  everPassed: boolean;
  lastRun?: { at: string; passed: number; total: number };
}

export type Progress = Record<string, ExerciseProgress>;

export const FRESH: ExerciseProgress = { status: 'not-started', failedRuns: 0, hintsShown: 0, everPassed: false };

/** After the scaffold is copied into the workspace. */
export function opened(p: ExerciseProgress = FRESH): ExerciseProgress {
  return p.status === 'not-started' ? { ...p, status: 'in-progress' } : p;
}

/** After a check run. */
export function checked(p: ExerciseProgress = FRESH, result: RunResult, now = new Date()): ExerciseProgress {
  const passed = result.checks.filter((c) => c.status === 'passed').length;
  const ok = result.status === 'passed';
  return {
    ...p,
    status: ok ? 'passed' : 'failed',
    failedRuns: ok ? p.failedRuns : p.failedRuns + 1,
    everPassed: p.everPassed || ok,
    lastRun: { at: now.toISOString(), passed, total: result.checks.length },
  };
}

export function hintRevealed(p: ExerciseProgress = FRESH, total: number): ExerciseProgress {
  return { ...p, hintsShown: Math.min(total, p.hintsShown + 1) };
}

/** Failed runs after which the solution may be revealed without having passed. */
export const SOLUTION_AFTER_FAILED_RUNS = 3;

export function solutionAvailable(p: ExerciseProgress = FRESH): boolean {
  return p.everPassed || p.failedRuns >= SOLUTION_AFTER_FAILED_RUNS;
}

/** A lesson's status from its exercises'. */
export function lessonStatus(list: ExerciseProgress[]): ExerciseStatus {
  if (list.length && list.every((p) => p.status === 'passed')) return 'passed';
  if (list.some((p) => p.status === 'failed')) return 'failed';
  if (list.some((p) => p.status !== 'not-started')) return 'in-progress';
  return 'not-started';
}
