/**
 * The typed protocol between the host (extension or CLI) and the runner process that executes learner
 * code, over IPC (structured clone). The worker says `ready` once it has started; the host then sends one
 * `run` with the bundled code; the worker answers with events, ending with exactly one `finished`.
 *
 * A `plan` job instead carries only the lesson's checks: the worker loads them, answers with one `plan`
 * event and exits without loading any learner code (the Test Explorer lists checks this way).
 */
import type { Artifact, CheckOutcome, RunError, RunResult } from '../core/grading/result';
import type { Locale } from '../core/grading/text';
import type { BundledCode } from './bundle';

export interface WorkerRequest {
  exerciseId: string;
  /** The learner's TypeScript file (absolute). */
  learnerFile: string;
  /** The lesson's checks file (absolute). */
  checksFile: string;
  /** The learner's language for check names, messages, hints and captions (default English). */
  locale?: Locale;
  /**
   * The ids of the checks to run (the Test Explorer's run of one check, or of the failed ones); the others
   * are reported as skipped. Absent: every check.
   */
  only?: string[];
  /**
   * Earlier learner files this exercise imports (its lesson's `requires`), with the exercise to open for
   * each: checked before bundling, so a missing one is named instead of "Could not resolve".
   */
  prerequisites?: Prerequisite[];
}

export interface Prerequisite {
  /** The learner file that must exist (absolute). */
  file: string;
  /** The exercise that creates it, e.g. `lora/layer`. */
  exerciseId: string;
  /** Its title, in the learner's language. */
  title: string;
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
    /** The run's signing key (hex): every event after this message is signed with it (seal.ts). */
    key: string;
    checks: BundledCode;
    /** The course layer's parts (`@llm-lab/course/<part>`), by name: the runner reads no course file itself. */
    course: Record<string, BundledCode>;
    /** The reference solution, to find where a failed check's computation first differs (diverge.ts). */
    reference?: BundledCode;
    /** The learner's bundled file, or why it does not compile (the worker still reports the plan). */
    learner: BundledCode | { error: RunError };
    /** The learner's source, to find where functions are declared. */
    source: string;
  }
  | { type: 'plan'; checksFile: string; checks: BundledCode; locale?: Locale; course?: Record<string, BundledCode> }
  /** To a warm runner waiting for its job (warm.ts): are you alive and responsive? Answered with a `pong`. */
  | { type: 'ping' };

/** A waiting runner's answer to a `ping`, unsigned like `ready` (no run, so no key, has begun). */
export type SpareReply = { type: 'pong' };

export type FromWorker =
  /** sandboxed: the runtime's permission model is on (no files but the runner's own, no processes). */
  | { type: 'ready'; sandboxed?: boolean }
  | { type: 'plan'; checks: PlannedCheck[] }
  /** timeoutMs: this check's own time budget (CheckSpec.timeoutSeconds), when it declares one. */
  | { type: 'check-started'; id: string; timeoutMs?: number }
  /** A live artifact of the running check: replaces the one with the same title. */
  | { type: 'check-progress'; id: string; artifact: Artifact }
  | { type: 'check-finished'; outcome: CheckOutcome }
  | { type: 'log'; text: string }
  | { type: 'finished'; result: RunResult }
  /** The built-ins the checks rely on were changed by learner code: nothing this run says can be trusted. */
  | { type: 'tampered'; changes: string[] };

/** How much console output of learner code is kept (the rest is counted and dropped, in the runner and the host). */
export const LOG_LIMITS = { lines: 200, bytes: 64 * 1024, lineChars: 2000 } as const;

/** Marker the worker's stderr carries when an internal (not learner) error happened. */
export const INTERNAL_ERROR_PREFIX = '[llm-lab worker internal error]';

/**
 * JSON has no NaN or Infinity (JSON.stringify writes null): a failure that shows an expected or actual NaN, or a
 * curve that diverged to Infinity, would reach the host as null. The runner's events carry them as
 * { "$number": "NaN" } (this replacer), and the host turns them back (reviveNonFinite).
 */
export function keepNonFinite(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v;
}

/** JSON.parse reviver for the runner's events: { "$number": "NaN" | "Infinity" | "-Infinity" } is that number. */
export function reviveNonFinite(_key: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const n = (v as { $number?: unknown }).$number;
    if ((n === 'NaN' || n === 'Infinity' || n === '-Infinity') && Object.keys(v).length === 1) return Number(n);
  }
  return v;
}
