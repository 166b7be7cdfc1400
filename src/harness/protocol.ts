/**
 * The typed protocol between the host (extension or CLI) and the runner process that executes learner
 * code, over IPC (structured clone). The worker says `ready` once it has started; the host then sends one
 * `run` with the bundled code; the worker answers with events, ending with exactly one `finished`.
 *
 * A `plan` job instead carries only the lesson's checks: the worker loads them, answers with one `plan`
 * event and exits without loading any learner code (the Test Explorer lists checks this way).
 */
import type { Artifact, CheckOutcome, RunError, RunResult } from '../core/grading/result';
import type { BundledCode } from './bundle';

export interface WorkerRequest {
  exerciseId: string;
  /** The learner's TypeScript file (absolute). */
  learnerFile: string;
  /** The lesson's checks file (absolute). */
  checksFile: string;
}

export interface PlannedCheck {
  id: string;
  name: string;
  task?: string;
}

export type ToWorker =
  | {
    type: 'run';
    request: WorkerRequest;
    checks: BundledCode;
    /** The learner's bundled file, or why it does not compile (the worker still reports the plan). */
    learner: BundledCode | { error: RunError };
    /** The learner's source, to find where functions are declared. */
    source: string;
  }
  | { type: 'plan'; checksFile: string; checks: BundledCode };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'plan'; checks: PlannedCheck[] }
  /** timeoutMs: this check's own time budget (CheckSpec.timeoutSeconds), when it declares one. */
  | { type: 'check-started'; id: string; timeoutMs?: number }
  /** A live artifact of the running check: replaces the one with the same title. */
  | { type: 'check-progress'; id: string; artifact: Artifact }
  | { type: 'check-finished'; outcome: CheckOutcome }
  | { type: 'log'; text: string }
  | { type: 'finished'; result: RunResult };

/** Marker the worker's stderr carries when an internal (not learner) error happened. */
export const INTERNAL_ERROR_PREFIX = '[llm-lab worker internal error]';
