/**
 * The result of checking one exercise: what the runner process sends back, what the CLI prints,
 * what the results panel and the Test Explorer draw. Plain data (structured-clone safe), no classes.
 */

/** A place in a file, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A value shown to the learner as "expected" or "actual". */
export type ShownValue =
  | { kind: 'tensor'; shape: number[]; data: number[]; truncated?: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'text'; text: string };

/** Where the first mismatch is: a multi-dimensional index with both values. */
export interface FirstDifference {
  index: number[];
  expected: number;
  actual: number;
}

/** Something a check draws for the learner besides pass/fail. */
export type Artifact =
  | { kind: 'table'; title: string; columns: string[]; rows: (string | number)[][] }
  | { kind: 'text'; title: string; text: string }
  | { kind: 'heatmap'; title: string; rows: string[]; columns: string[]; values: number[][] }
  | { kind: 'curve'; title: string; xLabel: string; yLabel: string; series: { name: string; x: number[]; y: number[] }[] }
  | { kind: 'bars'; title: string; labels: string[]; values: number[] }
  /**
   * Several heatmaps over the same rows and columns, one for each combination of `axes` (e.g. every
   * layer and head of a model's attention), shown one at a time with a selector and an overview.
   */
  | { kind: 'heatmaps'; title: string; rows: string[]; columns: string[]; rowTitle?: string; columnTitle?: string;
      axes: string[]; maps: { at: number[]; values: number[][] }[] }
  /** Two continuations of the same prompt, e.g. onnxruntime's and the learner's model's; differing characters are marked. */
  | { kind: 'generation'; title: string; prompt: string; expected: { label: string; text: string }; actual: { label: string; text: string } };

export type CheckStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface CheckOutcome {
  /** Stable id within the exercise (used by the Test Explorer). */
  id: string;
  name: string;
  /** The exported function this check is about (for CodeLens and locations). */
  task?: string;
  status: CheckStatus;
  /** Why it failed, in plain words. */
  message?: string;
  /**
   * The failure is another library's convention, not a mistake (that library's name): shown as a note on
   * conventions, in a different tone, and filed as a convention, not an error.
   */
  convention?: string;
  hint?: string;
  expected?: ShownValue;
  actual?: ShownValue;
  firstDifference?: FirstDifference;
  /** The learner's line that threw, or the declaration of the function being checked. */
  location?: SourceLocation;
  /** Stack of the learner's error, mapped to their own file. */
  stack?: string;
  durationMs: number;
  artifacts: Artifact[];
}

/** Faults that stop a run before or outside the checks. */
export type RunErrorKind =
  | 'syntax'          // the learner file does not compile
  | 'missing-export'  // a function the checks need is not exported
  | 'load'            // the file threw while being loaded (top-level code)
  | 'timeout'         // killed after the time limit
  | 'out-of-memory'   // the heap limit was hit
  | 'exit'            // the code called process.exit or the process died
  | 'crash'           // the runner process crashed for another reason
  | 'cancelled'       // the learner stopped the run
  | 'setup'           // the lesson or the installation is broken (not the learner's fault)
  | 'prerequisite'    // an earlier exercise this one builds on has not been opened yet
  | 'tampered';       // the learner's code changed what the checks rely on, or forged the runner's messages

export interface RunError {
  kind: RunErrorKind;
  message: string;
  location?: SourceLocation;
  detail?: string;
}

export type RunStatus = 'passed' | 'failed' | 'error';

export interface RunResult {
  exerciseId: string;
  /** The file that was checked (absolute). */
  file: string;
  status: RunStatus;
  checks: CheckOutcome[];
  error?: RunError;
  /** What the learner's code printed (console.log and friends), capped. */
  logs: string[];
  durationMs: number;
  /**
   * The runner process's peak resident memory in MB (typed arrays and buffers included), as the host measured it
   * by polling, when it could; the host's own figure, never the runner's word.
   */
  peakMb?: number;
}

/** Summarises a run as "3 passed, 1 failed". */
export function summarize(result: RunResult): { passed: number; failed: number; total: number } {
  const passed = result.checks.filter((c) => c.status === 'passed').length;
  return { passed, failed: result.checks.length - passed, total: result.checks.length };
}
