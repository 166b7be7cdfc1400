/**
 * Check Exercise, the one code path every trigger uses (palette, editor button, tree, results panel,
 * CodeLens, check on save and the Test Explorer): saves the file, runs the checks in a separate process
 * with progress and cancel, records progress, and shows the results. Its events let the Test Explorer,
 * the diagnostics and the status bar follow every run, whoever started it.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunResult } from '../core/grading/result';
import type { Install } from '../core/install';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../core/install';
import { learnerFile, prerequisiteFiles } from '../core/workspace';
import { runInWorker } from '../harness/host';
import { type PoolStats, RunnerPool } from '../harness/warm';
import type { FromWorker } from '../harness/protocol';
import { type CourseService, currentLocale } from './course';
import { Disposable } from './dispose';
import type { LearnerState } from './learner';
import type { ResultsPanel } from './panels';

/** One check run that has started: the learner file exists and the runner is about to start. */
export interface CheckStart {
  readonly exerciseId: string;
  readonly file: string;
  readonly title: string;
  /** Who asked: 'testing' when the Test Explorer's run profile did (it maps its own run's events). */
  readonly origin?: CheckOrigin;
}

export type CheckOrigin = 'testing';

export interface CheckRun {
  exerciseId: string;
  result: RunResult;
  start: CheckStart;
}

export interface CheckHooks {
  /** Every runner event of this run, as it arrives. */
  onEvent?(e: FromWorker): void;
  token?: vscode.CancellationToken;
  origin?: CheckOrigin;
  /** Run only these checks (ids): the Test Explorer's run of one check, or Re-run Failed. */
  only?: string[];
}

export class CheckService extends Disposable {
  private readonly inFlight = new Map<string, AbortController>();
  /**
   * One runner process started ahead and waiting (warm.ts), so that a check does not wait for Node to start: each
   * run takes it and a fresh one replaces it afterwards. Killed when the extension deactivates.
   */
  private readonly runners = new RunnerPool();
  private readonly started = this.register(new vscode.EventEmitter<CheckStart>());
  private readonly events = this.register(new vscode.EventEmitter<{ start: CheckStart; event: FromWorker }>());
  private readonly finished = this.register(new vscode.EventEmitter<CheckRun>());
  /** A run started (from anywhere: palette, tree, editor, CodeLens, results panel, Test Explorer). */
  readonly onDidStart = this.started.event;
  /** A runner event of a started run. */
  readonly onDidEvent = this.events.event;
  private readonly ended = this.register(new vscode.EventEmitter<CheckStart>());
  /** A started run has a result (also when cancelled; then progress is not recorded). */
  readonly onDidFinish = this.finished.event;
  /** A started run is over, with or without a result (after onDidFinish, or after an unexpected error). */
  readonly onDidEnd = this.ended.event;

  constructor(
    private readonly install: Install,
    private readonly course: CourseService,
    private readonly learner: LearnerState,
    private readonly results: ResultsPanel,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
  }

  /**
   * Has a runner started and waiting for the next check (the learner is looking at an exercise file). Nothing in
   * Restricted Mode, where checks do not run.
   */
  prewarm(): void {
    if (!vscode.workspace.isTrusted) return;
    const { memoryMb } = limits();
    this.runners.prepare({ workerPath: this.install.worker, memoryMb, locale: currentLocale() });
  }

  /** Resolves when a runner is waiting and ready (false when there is none): tests and the latency probe. */
  runnerReady(): Promise<boolean> {
    return this.runners.whenReady();
  }

  /** What the waiting runners did (started, used, discarded). */
  get runnerStats(): Readonly<PoolStats> {
    return this.runners.stats;
  }

  /** Whether a check of this exercise is running. */
  isRunning(exerciseId: string): boolean {
    return this.inFlight.has(exerciseId);
  }

  /** Checks one exercise; resolves to undefined when it could not start (the learner was told why). */
  async check(exerciseId: string, hooks: CheckHooks = {}): Promise<RunResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Checks run your code, so they are off in Restricted Mode. Trust this workspace to run them.'));
      return undefined;
    }
    const { lesson, exercise } = await this.course.exercise(exerciseId);
    const folder = await this.learner.folderOrAsk();
    if (!folder) return undefined;
    const file = learnerFile(folder, lesson, exercise);
    if (!existsSync(file)) {
      const open = vscode.l10n.t('Open Exercise');
      const pick = await vscode.window.showWarningMessage(vscode.l10n.t('You have not opened "{0}" yet: there is no {1} to check.', exercise.title, exercise.fileName), open);
      if (pick === open) await vscode.commands.executeCommand('llmLab.openExercise', exerciseId);
      return undefined;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (doc?.isDirty) await doc.save();

    this.inFlight.get(exerciseId)?.abort();
    const abort = new AbortController();
    this.inFlight.set(exerciseId, abort);
    const { timeoutMs, memoryMb } = limits();
    this.log.info(`check ${exerciseId}: ${file} (timeout ${timeoutMs} ms, memory ${memoryMb} MB)`);
    const start: CheckStart = { exerciseId, file, title: exercise.title, origin: hooks.origin };
    this.started.fire(start);

    try {
      const result = await vscode.window.withProgress({
        // The Test Explorer shows its own progress and cancel button.
        location: hooks.origin === 'testing' ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, cancellable: true,
        title: vscode.l10n.t('Checking {0}', exercise.title),
      }, (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        const cancelled = hooks.token?.onCancellationRequested(() => abort.abort());
        if (hooks.token?.isCancellationRequested) abort.abort();
        let total = 0;
        const names = new Map<string, string>(); // check id -> name: the toast names the check that is running
        const catalog = this.course.get();
        return catalog.then((c) => runInWorker({
          exerciseId, learnerFile: file, checksFile: exercise.checks, locale: currentLocale(), only: hooks.only,
          prerequisites: prerequisiteFiles(folder, c, exercise),
        }, {
          workerPath: this.install.worker, timeoutMs, memoryMb, signal: abort.signal, pool: this.runners,
          onOutput: (text) => this.log.trace(`[runner] ${text.trimEnd()}`),
          onEvent: (e) => {
            hooks.onEvent?.(e);
            this.events.fire({ start, event: e });
            if (e.type === 'plan') { total = e.checks.length; e.checks.forEach((p) => names.set(p.id, p.name)); this.results.running(exerciseId, exercise.title, e.checks); }
            if (e.type === 'check-started') { this.results.checkStarted(e.id); progress.report({ message: names.get(e.id) }); }
            if (e.type === 'check-progress') this.results.checkProgress(e.id, e.artifact);
            if (e.type === 'check-finished') {
              this.results.checkFinished(e.outcome);
              progress.report({ increment: 100 / Math.max(1, total) });
            }
            if (e.type === 'log') this.log.info(`[${exerciseId}] ${e.text}`);
          },
        })).finally(() => cancelled?.dispose());
      });
      const passed = result.checks.filter((c) => c.status === 'passed').length;
      this.log.info(`check ${exerciseId}: ${result.status}, ${passed}/${result.checks.length} passed in ${Math.round(result.durationMs)} ms${result.error ? ` (${result.error.kind}: ${result.error.message})` : ''}`);
      // A run of some checks only says nothing about the others: progress is recorded for whole runs. The record
      // is in the learner's state at once; writing it to VS Code's storage takes a round trip (0.1 to 1 s on a busy
      // machine), so the result is shown meanwhile, and the command returns once it is saved.
      const recorded = result.error?.kind !== 'cancelled' && !hooks.only ? this.learner.recordRun(exerciseId, result) : undefined;
      this.results.result(exercise.title, result);
      this.finished.fire({ exerciseId, result, start });
      await recorded;
      return result;
    } finally {
      if (this.inFlight.get(exerciseId) === abort) this.inFlight.delete(exerciseId);
      this.ended.fire(start);
    }
  }

  override dispose(): void {
    for (const a of this.inFlight.values()) a.abort();
    this.runners.dispose();
    super.dispose();
  }
}

/** A check run's limits, from the settings. */
function limits(): { timeoutMs: number; memoryMb: number } {
  const config = vscode.workspace.getConfiguration('llmLab');
  const timeoutMs = Math.max(1, config.get<number>('checkTimeoutSeconds', DEFAULT_TIMEOUT_MS / 1000)) * 1000;
  const memoryMb = Math.max(64, config.get<number>('memoryLimitMb', DEFAULT_MEMORY_MB));
  return { timeoutMs, memoryMb };
}
