/**
 * The two webview panels: the lesson text, and the results of the last check. Each is created on first
 * use and reused; both only draw, and send the learner's clicks back as commands.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Artifact, CheckOutcome, RunResult, SourceLocation } from '../core/grading/result';
import type { Lesson } from '../core/lessons/catalog';
import type { PlannedCheck } from '../harness/protocol';
import { type FromWebview, type LessonView, WEBVIEW_STRINGS } from '../webview/messages';
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

export class LessonPanel extends Disposable {
  private host: WebviewPanelHost | undefined;
  private shown: Lesson | undefined;
  private readonly render = lazy<RenderModule>(() => require(path.join(this.extensionUri.fsPath, 'dist', 'render.js')) as RenderModule);

  constructor(private readonly extensionUri: vscode.Uri, private readonly learner: LearnerState) {
    super();
    this.register(learner.onDidChange(() => { if (this.shown) this.show(this.shown, false); }));
  }

  /** The open panel, for tests: undefined when closed. */
  get current(): WebviewPanelHost | undefined {
    return this.host;
  }

  show(lesson: Lesson, reveal = true): void {
    if (!this.host) {
      this.host = this.register(new WebviewPanelHost(this.extensionUri, {
        viewType: 'llmLab.lesson', title: lesson.title, page: 'lesson', column: vscode.ViewColumn.One, strings: strings(), onMessage: handle,
      }));
      this.host.onDidClose(() => { this.host = undefined; this.shown = undefined; });
    } else if (reveal) {
      this.host.panel.reveal(undefined, false);
    }
    this.shown = lesson;
    const webview = this.host.panel.webview;
    this.host.panel.title = lesson.title;
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
    this.host.post({ type: 'lesson', lesson: view });
  }
}

export class ResultsPanel extends Disposable {
  private host: WebviewPanelHost | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
  }

  private ensure(): WebviewPanelHost {
    if (!this.host) {
      this.host = this.register(new WebviewPanelHost(this.extensionUri, {
        viewType: 'llmLab.results', title: vscode.l10n.t('LLM Lab Results'), page: 'results', column: vscode.ViewColumn.Beside,
        strings: strings(), onMessage: handle,
      }));
      this.host.onDidClose(() => { this.host = undefined; });
    }
    return this.host;
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
    this.target()?.post({ type: 'running', exerciseId, title, checks });
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
    const host = this.target();
    if (!host) return;
    if (settings.showResultsOnCheck()) host.panel.reveal(vscode.ViewColumn.Beside, true);
    host.post({ type: 'result', title, result });
  }
}
