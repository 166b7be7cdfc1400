/**
 * The "Get Started" walkthrough's steps tick when the learner does the thing, however they do it.
 *
 * A step's `onCommand:` event only sees commands run through the workbench (the palette, a keybinding).
 * A tree item's command, a webview button, a CodeLens and the status bar run the command inside the
 * extension host, which the walkthrough never hears of. So each step also completes `onContext:` a key set
 * here when its event happens: a lesson is on screen, an exercise file is in the editor, a check started,
 * a hint was shown (package.json, contributes.walkthroughs).
 */
import * as vscode from 'vscode';
import type { CheckService } from './checker';
import type { CourseService } from './course';
import { Disposable } from './dispose';
import type { LearnerState } from './learner';
import type { LessonPanel } from './panels';

/** The context keys the walkthrough's steps complete on. */
export const WALKTHROUGH_KEYS = {
  lessonRead: 'llmLab.walkthrough.lessonRead',
  exerciseOpened: 'llmLab.walkthrough.exerciseOpened',
  checkRun: 'llmLab.walkthrough.checkRun',
  hintShown: 'llmLab.walkthrough.hintShown',
} as const;

export class WalkthroughProgress extends Disposable {
  private readonly set = new Set<string>();

  constructor(course: CourseService, learner: LearnerState, lessons: LessonPanel, checks: CheckService) {
    super();
    this.register(lessons.onDidShow(() => this.tick(WALKTHROUGH_KEYS.lessonRead)));
    this.register(checks.onDidStart(() => this.tick(WALKTHROUGH_KEYS.checkRun)));
    this.register(learner.onDidChange((id) => { if (id && learner.get(id).hintsShown > 0) this.tick(WALKTHROUGH_KEYS.hintShown); }));
    const editor = async (e: vscode.TextEditor | undefined) => {
      if (e?.document.uri.scheme !== 'file') return;
      if (learner.exerciseForFile(await course.get(), e.document.uri.fsPath)) this.tick(WALKTHROUGH_KEYS.exerciseOpened);
    };
    this.register(vscode.window.onDidChangeActiveTextEditor((e) => void editor(e)));
    void editor(vscode.window.activeTextEditor);
  }

  private tick(key: string): void {
    if (this.set.has(key)) return;
    this.set.add(key);
    void vscode.commands.executeCommand('setContext', key, true);
  }
}
