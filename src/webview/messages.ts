/**
 * Messages between the extension and its webviews: one discriminated union each way, shared by both
 * sides. The webview posts `ready` first; the host posts nothing before that.
 */
import type { Artifact, CheckOutcome, RunResult, SourceLocation } from '../core/grading/result';
import type { ExerciseStatus } from '../core/progress';
import type { PlannedCheck } from '../harness/protocol';
import type { CompanionAction, CompanionView } from './companion-types';

export interface LessonView {
  id: string;
  title: string;
  part: string;
  minutes: number;
  objectives: string[];
  /** Sanitised HTML of the lesson text. */
  html: string;
  exercises: { id: string; title: string; status: ExerciseStatus }[];
}

/** UI strings, translated by the host. */
export type Strings = Record<string, string>;

export type ToWebview =
  | { type: 'init'; page: 'lesson' | 'results' | 'companion'; strings: Strings }
  | { type: 'lesson'; lesson: LessonView }
  | { type: 'running'; exerciseId: string; title: string; checks: PlannedCheck[] }
  | { type: 'check-started'; id: string }
  /** A live artifact of the running check (a training curve): replaces the one with the same title. */
  | { type: 'check-progress'; id: string; artifact: Artifact }
  | { type: 'check-finished'; outcome: CheckOutcome }
  | { type: 'result'; title: string; result: RunResult }
  /** The learner switched to an exercise this window has no results of yet: say so, offer a check. */
  | { type: 'empty'; exerciseId: string; title: string }
  /** A page of the study companion (src/webview/companion.ts). */
  | { type: 'companion'; view: CompanionView };

/**
 * What a panel keeps across a window reload (`setState` in the webview, handed to the host's
 * WebviewPanelSerializer): the lesson's id, or the results view last drawn.
 */
export type WebviewState =
  | { page: 'lesson'; lessonId: string }
  | { page: 'results'; view?: Extract<ToWebview, { type: 'result' | 'empty' }> };

export type FromWebview =
  | { type: 'ready'; generation?: string }
  /** The page's script threw (drawing a message, or anywhere else): the host writes it to the LLM Lab log. */
  | { type: 'page-error'; message: string }
  | { type: 'open-exercise'; exerciseId: string }
  | { type: 'check'; exerciseId: string }
  | { type: 'hint'; exerciseId: string }
  | { type: 'reveal'; location: SourceLocation }
  | { type: 'companion'; action: CompanionAction };

/** Every string the webviews show, in English; the host sends them translated. */
export const WEBVIEW_STRINGS = {
  minutes: '{0} min',
  objectives: 'You will',
  exercises: 'Exercises',
  openExercise: 'Open exercise',
  check: 'Check',
  checkAgain: 'Check again',
  hint: 'Hint',
  running: 'Checking…',
  passedAll: 'All {0} checks passed',
  passedSome: '{0} of {1} checks passed',
  expected: 'Expected',
  actual: 'Actual',
  firstDifference: 'first difference at [{0}]',
  at: 'at',
  output: 'Output of your code',
  stack: 'Stack',
  details: 'Details',
  noResult: 'Run “LLM Lab: Check Exercise” to see results here.',
  status_passed: 'passed',
  status_failed: 'failed',
  status_error: 'error',
  status_skipped: 'not run',
  'status_not-started': 'not started',
  'status_in-progress': 'in progress',
  error_syntax: 'Your file does not compile',
  'error_missing-export': 'A function is missing',
  error_load: 'Your file threw while loading',
  error_timeout: 'Timed out',
  'error_out-of-memory': 'Out of memory',
  error_exit: 'The process exited',
  error_crash: 'The runner crashed',
  error_cancelled: 'Cancelled',
  error_setup: 'The lesson is broken',
  error_prerequisite: 'Open an earlier exercise first',
  error_tampered: 'Results not trusted',
  sameProblem: '{0} checks fail the same way',
  showAll: 'Show all {0}',
  showAround: 'Show only around the first difference',
  showLess: 'Show less',
  sameAs: 'the same problem as “{0}”',
  convention: 'A convention of {0}, not a mistake: this lesson does it the other way.',
  showRows: 'Show all {0} rows',
  showFewerRows: 'Show the first {0} rows',
  window: 'rows {0}–{1}, columns {2}–{3}',
  genSame: 'identical: all {0} characters match',
  genDiffers: 'first difference at character {0}; {1} of {2} differ',
  genChanged: '{0} of {1} characters changed',
  axes: 'rows: {0} · columns: {1}',
  row: 'row',
  column: 'column',
  notCheckedHere: 'This window has no results of this exercise yet.',
} as const;

export type StringKey = keyof typeof WEBVIEW_STRINGS;
