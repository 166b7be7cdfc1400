/**
 * "This week" in the Lessons tree (through the tree's extension point, `LessonsTree.addGroup`) and the plan's
 * status bar item: the week of the plan, where the learner stands against it, this week's lessons and the
 * review questions due.
 */
import * as vscode from 'vscode';
import { dayOf, dueQuestions, lessonsOfWeek, standing, type Standing } from '../../core/companion';
import type { CourseService } from '../course';
import { Disposable } from '../dispose';
import { settings } from '../settings';
import type { Node, TreeGroup } from '../tree';
import type { CompanionService } from './service';

function standingText(st: Standing): string {
  switch (st.status) {
    case 'ahead': return vscode.l10n.t('{0} weeks ahead', st.weeksAhead);
    case 'behind': return vscode.l10n.t('{0} weeks behind', -st.weeksAhead);
    case 'on-track': return vscode.l10n.t('on track');
    case 'not-started': return vscode.l10n.t('not started yet');
    case 'finished': return vscode.l10n.t('finished');
  }
}

export class ThisWeek extends Disposable implements TreeGroup {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  readonly item = this.register(vscode.window.createStatusBarItem('llmLab.plan', vscode.StatusBarAlignment.Left, 49));

  constructor(private readonly course: CourseService, private readonly companion: CompanionService) {
    super();
    this.item.name = vscode.l10n.t('LLM Lab Study Plan');
    const update = () => { this.changed.fire(); void this.drawStatus(); };
    this.register(companion.onDidChange(update));
    this.register(course.onDidChange(update));
    void this.drawStatus();
  }

  async nodes(): Promise<Node[]> {
    if (!this.companion.folder()) return [];
    const layout = await this.companion.layout();
    if (!layout) return [];
    const st = standing(layout, dayOf(new Date()));
    const week = Math.max(0, st.week);
    const catalog = await this.course.get();
    const due = dueQuestions(catalog.lessons, this.companion.history(), await this.companion.started(), new Date());
    const children: Node[] = lessonsOfWeek(layout, week).map((l) => {
      const item = new vscode.TreeItem(l.title, vscode.TreeItemCollapsibleState.None);
      item.id = `week:lesson:${l.id}`;
      item.description = vscode.l10n.t('{0} min', l.load);
      item.iconPath = new vscode.ThemeIcon(l.doneOn ? 'pass-filled' : 'book', l.doneOn ? new vscode.ThemeColor('testing.iconPassed') : undefined);
      item.command = { command: 'llmLab.openLesson', title: vscode.l10n.t('Open Lesson'), arguments: [l.id] };
      return { kind: 'custom', item };
    });
    const q = new vscode.TreeItem(vscode.l10n.t('{0} review questions due', due.length), vscode.TreeItemCollapsibleState.None);
    q.id = 'week:questions';
    q.iconPath = new vscode.ThemeIcon('question');
    q.command = { command: 'llmLab.reviewQuestions', title: vscode.l10n.t('Review Questions') };
    children.push({ kind: 'custom', item: q });
    const group = new vscode.TreeItem(vscode.l10n.t('This week (week {0})', week + 1), vscode.TreeItemCollapsibleState.Expanded);
    group.id = 'week';
    group.description = standingText(st);
    group.iconPath = new vscode.ThemeIcon('calendar');
    group.contextValue = 'thisWeek';
    group.tooltip = vscode.l10n.t('Your study plan: {0} of {1} planned minutes done so far', st.done, st.planned);
    return [{ kind: 'custom', item: group, children }];
  }

  private async drawStatus(): Promise<void> {
    try {
      const layout = this.companion.folder() ? await this.companion.layout() : undefined;
      if (!layout || !settings.statusBar()) { this.item.hide(); return; }
      const st = standing(layout, dayOf(new Date()));
      this.item.text = `$(calendar) ${vscode.l10n.t('Week {0}', Math.max(0, st.week) + 1)} · ${standingText(st)}`;
      this.item.tooltip = vscode.l10n.t('Your study plan: {0} of {1} planned minutes done so far', st.done, st.planned);
      this.item.command = 'llmLab.showPlan';
      this.item.show();
    } catch {
      this.item.hide();
    }
  }
}
