/**
 * The typed protocol between the host (extension or CLI) and the runner process that executes learner
 * code. The host passes the request on the command line (no start-up race) and the worker answers with
 * IPC messages (structured clone), ending with exactly one `finished`.
 */
import type { CheckOutcome, RunResult } from '../core/grading/result';

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

export type FromWorker =
  | { type: 'plan'; checks: PlannedCheck[] }
  | { type: 'check-started'; id: string }
  | { type: 'check-finished'; outcome: CheckOutcome }
  | { type: 'log'; text: string }
  | { type: 'finished'; result: RunResult };

/** Marker the worker's stderr carries when an internal (not learner) error happened. */
export const INTERNAL_ERROR_PREFIX = '[llm-lab worker internal error]';
