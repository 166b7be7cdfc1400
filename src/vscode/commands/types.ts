/** What every command gets: the services built in activate(). One command per file, `{ id, execute }`. */
import type * as vscode from 'vscode';
import type { Install } from '../../core/install';
import type { CheckService } from '../checker';
import type { CourseService } from '../course';
import type { LearnerState } from '../learner';
import type { LessonPanel, ResultsPanel } from '../panels';
import type { LessonsTree } from '../tree';

export interface Services {
  install: Install;
  course: CourseService;
  learner: LearnerState;
  checks: CheckService;
  lessonPanel: LessonPanel;
  results: ResultsPanel;
  tree: LessonsTree;
  log: vscode.LogOutputChannel;
}

export interface Command {
  id: string;
  execute(s: Services, ...args: unknown[]): unknown;
}
