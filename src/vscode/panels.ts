/**
 * The two webview panels: the lesson text, and the results of the last check. Each is created on first
 * use and reused; both only draw, and send the learner's clicks back as commands. Both come back after a
 * window reload (`panelSerializers`: the webview keeps what it showed with setState). The results panel
 * follows the exercise the learner is editing: its last results in this window, or a Check button.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Artifact, CheckOutcome, RunResult, SourceLocation } from '../core/grading/result';
import type { Lesson } from '../core/lessons/catalog';
import type { PlannedCheck } from '../harness/protocol';
import { type FromWebview, type LessonView, type ToWebview, WEBVIEW_STRINGS, type WebviewState } from '../webview/messages';
import type { CourseService } from './course';
import { Disposable, lazy } from './dispose';
import type { LearnerState } from './learner';
import { settings } from './settings';
import { WebviewPanelHost } from './webview';

type RenderModule = typeof import('../core/render');

/** The webview strings in the display language. */
function strings(): Record<string, string> {
  return Object.fromEntries(Object.entries(WEBVIEW_STRINGS).map(([k, v]) => [k, vscode.l10n.t(v)]));
}

export async function revealLocation(loc: SourceLocation): Promise<void> {
  const pos = new vscode.Position(Math.max(0, loc.line - 1), Math.max(0, loc.column - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(loc.file), { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
}

function handle(msg: FromWebview): void {
  switch (msg.type) {
    case 'open-exercise': void vscode.commands.executeCommand('llmLab.openExercise', msg.exerciseId); break;
    case 'check': void vscode.commands.executeCommand('llmLab.checkExercise', msg.exerciseId); break;
    case 'hint': void vscode.commands.executeCommand('llmLab.showHint', msg.exerciseId); break;
    case 'reveal': void revealLocation(msg.location); break;
    case 'ready': break;
  }
}

export const LESSON_VIEW = 'llmLab.lesson';
export const RESULTS_VIEW = 'llmLab.results';

export class LessonPanel extends Disposable {
  private host: WebviewPanelHost | undefined;
  private shown: Lesson | undefined;
  private readonly showed = this.register(new vscode.EventEmitter<string>());
  /** A lesson is on screen (opened from anywhere: the tree, the palette, the status bar, a reload). */
  readonly onDidShow = this.showed.event;
  private readonly render = lazy<RenderModule>(() => require(path.join(this.extensionUri.fsPath, 'dist', 'render.js')) as RenderModule);

  constructor(private readonly extensionUri: vscode.Uri, private readonly learner: LearnerState) {
    super();
    this.register(learner.onDidChange(() => { if (this.shown) this.show(this.shown, false); }));
  }

  /** The open panel, for tests: undefined when closed. */
  get current(): WebviewPanelHost | undefined {
    return this.host;
  }

  /** Takes over the panel VS Code restored after a reload, and draws its lesson again. */
  revive(panel: vscode.WebviewPanel, lesson: Lesson): void {
    if (this.host) { panel.dispose(); return; }
    this.adopt(lesson.title, panel);
    this.show(lesson, false);
  }

  private adopt(title: string, restored?: vscode.WebviewPanel): WebviewPanelHost {
    const host = this.register(new WebviewPanelHost(this.extensionUri, {
      viewType: LESSON_VIEW, title, page: 'lesson', column: vscode.ViewColumn.One, strings: strings(), onMessage: handle,
    }, restored));
    host.onDidClose(() => { if (this.host === host) { this.host = undefined; this.shown = undefined; } });
    this.host = host;
    return host;
  }

  show(lesson: Lesson, reveal = true): void {
    const existing = this.host;
    const host = existing ?? this.adopt(lesson.title);
    if (existing && reveal) existing.panel.reveal(undefined, false);
    this.shown = lesson;
    const webview = host.panel.webview;
    host.panel.title = lesson.title;
    const html = this.render().renderMarkdown(lesson.body, {
      resolveImage: (rel) => {
        const file = path.resolve(lesson.dir, rel);
        return file.startsWith(lesson.dir + path.sep) ? webview.asWebviewUri(vscode.Uri.file(file)).toString() : undefined;
      },
    });
    const view: LessonView = {
      id: lesson.id, title: lesson.title, part: lesson.part, minutes: lesson.minutes, objectives: lesson.objectives, html,
      exercises: lesson.exercises.map((e) => ({ id: e.id, title: e.title, status: this.learner.get(e.id).status })),
    };
    host.post({ type: 'lesson', lesson: view });
    this.showed.fire(lesson.id);
  }
}

export class ResultsPanel extends Disposable {
  private host: WebviewPanelHost | undefined;
  /** The exercise whose results (or "none yet") the panel shows, and whether a check is drawing live. */
  private shownExercise: string | undefined;
  private live = false;
  /** The last results of each exercise checked in this window, for following the active editor. */
  private readonly last = new Map<string, { title: string; result: RunResult }>();

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
  }

  private ensure(restored?: vscode.WebviewPanel): WebviewPanelHost {
    if (!this.host) {
      const host = this.register(new WebviewPanelHost(this.extensionUri, {
        viewType: RESULTS_VIEW, title: vscode.l10n.t('LLM Lab Results'), page: 'results', column: vscode.ViewColumn.Beside,
        strings: strings(), onMessage: handle,
      }, restored));
      host.onDidClose(() => { if (this.host === host) { this.host = undefined; this.shownExercise = undefined; } });
      this.host = host;
    }
    return this.host;
  }

  /** Takes over the panel VS Code restored after a reload; the webview draws its saved view itself. */
  revive(panel: vscode.WebviewPanel, state: Extract<WebviewState, { page: 'results' }> | undefined): void {
    if (this.host) { panel.dispose(); return; }
    this.ensure(panel);
    const view = state?.view;
    if (view?.type === 'result') this.last.set(view.result.exerciseId, { title: view.title, result: view.result });
    this.shownExercise = view?.type === 'result' ? view.result.exerciseId : view?.exerciseId;
  }

  /**
   * The learner is now editing this exercise: the open panel shows its last results in this window, or
   * offers to check it. Nothing happens while a check is drawing live, or when the panel is closed.
   */
  follow(exerciseId: string, title: string): void {
    if (!this.host || this.live || exerciseId === this.shownExercise) return;
    this.shownExercise = exerciseId;
    const last = this.last.get(exerciseId);
    const msg: ToWebview = last ? { type: 'result', title: last.title, result: last.result } : { type: 'empty', exerciseId, title };
    this.host.post(msg);
  }

  /** A check ended, with or without a result (an unexpected error posts none). */
  ended(): void {
    this.live = false;
  }

  /** The open panel, for tests: undefined when closed. */
  get current(): WebviewPanelHost | undefined {
    return this.host;
  }

  /** The panel to draw in: opened on demand unless the learner turned that off (then only if open). */
  private target(): WebviewPanelHost | undefined {
    return settings.showResultsOnCheck() ? this.ensure() : this.host;
  }

  running(exerciseId: string, title: string, checks: PlannedCheck[]): void {
    const host = this.target();
    if (!host) return;
    this.live = true;
    this.shownExercise = exerciseId;
    host.post({ type: 'running', exerciseId, title, checks });
  }

  checkStarted(id: string): void {
    this.host?.post({ type: 'check-started', id });
  }

  checkProgress(id: string, artifact: Artifact): void {
    this.host?.post({ type: 'check-progress', id, artifact });
  }

  checkFinished(outcome: CheckOutcome): void {
    this.host?.post({ type: 'check-finished', outcome });
  }

  result(title: string, result: RunResult): void {
    this.live = false;
    this.last.set(result.exerciseId, { title, result });
    const host = this.target();
    if (!host) return;
    this.shownExercise = result.exerciseId;
    if (settings.showResultsOnCheck()) host.panel.reveal(vscode.ViewColumn.Beside, true);
    host.post({ type: 'result', title, result });
  }
}

/** Brings both panels back after a window reload, from what their webviews saved (see main.ts). */
export function panelSerializers(course: CourseService, lessons: LessonPanel, results: ResultsPanel, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(LESSON_VIEW, {
      async deserializeWebviewPanel(panel, state?: WebviewState) {
        const lesson = state?.page === 'lesson' ? await course.lesson(state.lessonId).catch(() => undefined) : undefined;
        log.info(`restoring the lesson panel: ${lesson ? lesson.id : `nothing to show (state ${JSON.stringify(state)?.slice(0, 80)})`}`);
        if (lesson) lessons.revive(panel, lesson);
        else panel.dispose(); // nothing to show: better no tab than an empty one
      },
    }),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW, {
      async deserializeWebviewPanel(panel, state?: WebviewState) {
        log.info(`restoring the results panel: ${state?.page === 'results' && state.view ? state.view.title : 'no results yet'}`);
        results.revive(panel, state?.page === 'results' ? state : undefined);
      },
    }),
  ];
}
