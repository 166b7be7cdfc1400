/** What every command gets: the services built in activate(). One command per file, `{ id, execute }`. */
import type * as vscode from 'vscode';
import type { Install } from '../../core/install';
import type { CheckService } from '../checker';
import type { ExerciseCodeLens } from '../codelens';
import type { CourseService } from '../course';
import type { DiagnosticsService } from '../diagnostics';
import type { LearnerState } from '../learner';
import type { LessonPanel, ResultsPanel } from '../panels';
import type { PlanService } from '../plans';
import type { LessonStatusBar } from '../statusBar';
import type { TestingService } from '../testing';
import type { LessonsTree, LessonsView } from '../tree';

export interface Services {
  /** This extension's id (publisher.name), e.g. for its walkthrough. */
  extensionId: string;
  install: Install;
  course: CourseService;
  learner: LearnerState;
  checks: CheckService;
  plans: PlanService;
  lessonPanel: LessonPanel;
  results: ResultsPanel;
  tree: LessonsTree;
  lessonsView: LessonsView;
  testing: TestingService;
  codeLens: ExerciseCodeLens;
  diagnostics: DiagnosticsService;
  statusBar: LessonStatusBar;
  log: vscode.LogOutputChannel;
}

export interface Command {
  id: string;
  execute(s: Services, ...args: unknown[]): unknown;
}
