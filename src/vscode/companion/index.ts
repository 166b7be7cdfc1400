/** The study companion in VS Code: its service, panel, commands, "This week" tree group and status bar item. */
import * as vscode from 'vscode';
import type { CheckService } from '../checker';
import type { CourseService } from '../course';
import type { LearnerState } from '../learner';
import type { LessonsTree } from '../tree';
import { registerCompanionCommands } from './commands';
import { COMPANION_VIEW, CompanionPanel } from './panel';
import { CompanionService } from './service';
import { ThisWeek } from './week';

export { CompanionPanel, CompanionService };

export function createCompanion(extensionUri: vscode.Uri, s: { course: CourseService; learner: LearnerState; checks: CheckService; tree: LessonsTree; log: vscode.LogOutputChannel }):
  { companion: CompanionService; panel: CompanionPanel; disposables: vscode.Disposable[] } {
  const companion = new CompanionService(s.course, s.learner, s.checks, s.log);
  const panel = new CompanionPanel(extensionUri, s.course, companion, s.log);
  const week = new ThisWeek(s.course, companion);
  return {
    companion, panel,
    disposables: [companion, panel, week, s.tree.addGroup(week), ...registerCompanionCommands({ ...s, companion, panel }),
      // After a window reload the companion's tab comes back (showing the plan).
      vscode.window.registerWebviewPanelSerializer(COMPANION_VIEW, { async deserializeWebviewPanel(p) { panel.revive(p); } })],
  };
}
