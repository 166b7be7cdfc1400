/**
 * The status bar item: the lesson the learner is on (of the active exercise file, else the one last
 * opened, else the first one not passed) and the course's progress, e.g. "$(mortar-board) Tensors · 1/4".
 * Clicking it opens the lesson.
 */
import * as vscode from 'vscode';
import type { Catalog, Lesson } from '../core/lessons/catalog';
import { lessonStatus } from '../core/progress';
import type { CourseService } from './course';
import { Disposable } from './dispose';
import type { LearnerState } from './learner';
import { shortTitle } from './labels';
import { affects, settings } from './settings';

export { shortTitle } from './labels';

export class LessonStatusBar extends Disposable {
  readonly item = this.register(vscode.window.createStatusBarItem('llmLab.lesson', vscode.StatusBarAlignment.Left, 50));
  private updating: Promise<void> = Promise.resolve();

  constructor(private readonly course: CourseService, private readonly learner: LearnerState) {
    super();
    this.item.name = vscode.l10n.t('LLM Lab Lesson');
    const update = () => void this.update();
    this.register(course.onDidChange(update));
    this.register(learner.onDidChange(update));
    this.register(learner.onDidChangeLesson(update));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'statusBar')) update(); }));
    this.register(vscode.window.onDidChangeActiveTextEditor(() => void this.followEditor()));
    void this.followEditor();
  }

  /** The active editor's exercise makes its lesson the current one. */
  private async followEditor(): Promise<void> {
    const file = vscode.window.activeTextEditor?.document.uri;
    if (file?.scheme === 'file') {
      const catalog = await this.course.get();
      const id = this.learner.exerciseForFile(catalog, file.fsPath);
      const lesson = id ? catalog.lessons.find((l) => l.exercises.some((e) => e.id === id)) : undefined;
      if (lesson) await this.learner.setLastLesson(lesson.id);
    }
    await this.update();
  }

  private current(catalog: Catalog): Lesson | undefined {
    const last = this.learner.lastLesson();
    return catalog.lessons.find((l) => l.id === last)
      ?? catalog.lessons.find((l) => lessonStatus(l.exercises.map((e) => this.learner.get(e.id))) !== 'passed')
      ?? catalog.lessons[0];
  }

  /** Redraws the item; resolves when it is up to date. */
  update(): Promise<void> {
    this.updating = this.updating.then(() => this.draw(), () => this.draw());
    return this.updating;
  }

  private async draw(): Promise<void> {
    const catalog = await this.course.get();
    const lesson = this.current(catalog);
    if (!settings.statusBar() || !lesson) { this.item.hide(); return; }
    const exercises = catalog.lessons.flatMap((l) => l.exercises);
    const passed = exercises.filter((e) => this.learner.get(e.id).status === 'passed').length;
    this.item.text = `$(mortar-board) ${shortTitle(lesson.title)} · ${passed}/${exercises.length}`;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${escape(lesson.title)}**  \n${escape(lesson.part)} · ${vscode.l10n.t('{0} min', lesson.minutes)}\n\n`);
    for (const e of lesson.exercises) {
      const p = this.learner.get(e.id);
      tip.appendMarkdown(`- ${escape(e.title)}: ${p.lastRun ? vscode.l10n.t('{0} of {1} checks passed', p.lastRun.passed, p.lastRun.total) : vscode.l10n.t('not checked yet')}\n`);
    }
    tip.appendMarkdown(`\n${vscode.l10n.t('Course progress: {0} of {1} exercises passed', passed, exercises.length)}\n\n`);
    tip.appendMarkdown(vscode.l10n.t('Click to open the lesson.'));
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: vscode.l10n.t('LLM Lab: lesson {0}, {1} of {2} exercises passed', lesson.title, passed, exercises.length) };
    this.item.command = { command: 'llmLab.openLesson', title: vscode.l10n.t('Open Lesson'), arguments: [lesson.id] };
    this.item.show();
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_[\]<>]/g, '\\$&');
}
