/**
 * The Lessons tree: parts, then lessons, then exercises, each with a status icon and a tooltip. Labels
 * are short (labels.ts: "Tensors", "Strides, offset, matmul") so they fit the default sidebar; the full
 * title, the minutes, the file and the last check are in the tooltip.
 * Lessons that failed to load appear as warnings naming the file and field, so a broken lesson is
 * visible without hiding the others. In Restricted Mode the lessons stay readable and the view says why
 * checks are off.
 */
import * as vscode from 'vscode';
import { formatProblem, partsOf, type Exercise, type Lesson, type LessonProblem } from '../core/lessons/catalog';
import { lessonStatus, type ExerciseStatus } from '../core/progress';
import type { CourseService } from './course';
import { Disposable } from './dispose';
import { shortLabel } from './labels';
import type { LearnerState } from './learner';

export type Node =
  | { kind: 'part'; title: string; lessons: Lesson[] }
  | { kind: 'lesson'; lesson: Lesson }
  | { kind: 'exercise'; lesson: Lesson; exercise: Exercise; exerciseId: string }
  | { kind: 'problem'; problem: LessonProblem }
  /** A node of a group added with `addGroup` (the study companion's "This week"): drawn by its group. */
  | { kind: 'custom'; item: vscode.TreeItem; children?: Node[] };

/** The tree's extension point: nodes shown above the parts, redrawn when the group says it changed. */
export interface TreeGroup {
  nodes(): Promise<Node[]>;
  readonly onDidChange: vscode.Event<void>;
}

const ICONS: Record<ExerciseStatus, vscode.ThemeIcon> = {
  'not-started': new vscode.ThemeIcon('circle-large-outline'),
  'in-progress': new vscode.ThemeIcon('circle-large-filled', new vscode.ThemeColor('charts.yellow')),
  passed: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

function statusLabel(s: ExerciseStatus): string {
  switch (s) {
    case 'not-started': return vscode.l10n.t('not started');
    case 'in-progress': return vscode.l10n.t('in progress');
    case 'passed': return vscode.l10n.t('passed');
    case 'failed': return vscode.l10n.t('failed');
  }
}

export class LessonsTree extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this.register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  private readonly groups: TreeGroup[] = [];

  constructor(private readonly course: CourseService, private readonly learner: LearnerState) {
    super();
    this.register(course.onDidChange(() => this.changed.fire(undefined)));
    this.register(learner.onDidChange(() => this.changed.fire(undefined)));
  }

  /** Adds a group above the parts. */
  addGroup(group: TreeGroup): vscode.Disposable {
    this.groups.push(group);
    const sub = group.onDidChange(() => this.changed.fire(undefined));
    this.changed.fire(undefined);
    return { dispose: () => { sub.dispose(); this.groups.splice(this.groups.indexOf(group), 1); this.changed.fire(undefined); } };
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      // No folder for exercise files yet: the view's welcome content explains and offers to open one.
      if (!this.learner.folder()) return [];
      const catalog = await this.course.get();
      const problems: Node[] = catalog.problems.filter((p) => p.severity === 'error').map((problem) => ({ kind: 'problem', problem }));
      const extra = (await Promise.all(this.groups.map((g) => g.nodes().catch(() => [])))).flat();
      return [...extra, ...partsOf(catalog.lessons).map((p): Node => ({ kind: 'part', ...p })), ...problems];
    }
    if (node.kind === 'custom') return node.children ?? [];
    if (node.kind === 'part') return node.lessons.map((lesson) => ({ kind: 'lesson', lesson }));
    if (node.kind === 'lesson') return node.lesson.exercises.map((exercise) => ({ kind: 'exercise', lesson: node.lesson, exercise, exerciseId: exercise.id }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'custom': return node.item;
      case 'part': {
        const item = new vscode.TreeItem(node.title, vscode.TreeItemCollapsibleState.Expanded);
        item.contextValue = 'part';
        return item;
      }
      case 'lesson': {
        const { lesson } = node;
        const status = lessonStatus(lesson.exercises.map((e) => this.learner.get(e.id)));
        const item = new vscode.TreeItem(shortLabel(lesson.title), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `lesson:${lesson.id}`;
        item.accessibilityInformation = { label: lesson.title };
        item.iconPath = new vscode.ThemeIcon('book', status === 'passed' ? new vscode.ThemeColor('testing.iconPassed') : undefined);
        item.contextValue = 'lesson';
        const tip = new vscode.MarkdownString(`**${lesson.title}**  \n${lesson.part} · ${vscode.l10n.t('{0} min', lesson.minutes)} · ${statusLabel(status)}\n\n`);
        for (const o of lesson.objectives) tip.appendMarkdown(`- ${o.replace(/[\\`*_[\]<>]/g, '\\$&')}\n`);
        item.tooltip = tip;
        item.command = { command: 'llmLab.openLesson', title: vscode.l10n.t('Open Lesson'), arguments: [lesson.id] };
        return item;
      }
      case 'exercise': {
        const { exercise } = node;
        const p = this.learner.get(exercise.id);
        const item = new vscode.TreeItem(shortLabel(exercise.title), vscode.TreeItemCollapsibleState.None);
        item.id = `exercise:${exercise.id}`;
        item.iconPath = ICONS[p.status];
        item.accessibilityInformation = { label: `${exercise.title}, ${statusLabel(p.status)}` };
        item.contextValue = 'exercise';
        item.tooltip = new vscode.MarkdownString(`**${exercise.title}** (\`${exercise.fileName}\`)  \n${statusLabel(p.status)}` +
          (p.lastRun ? `  \n${vscode.l10n.t('Last check: {0} of {1} passed', p.lastRun.passed, p.lastRun.total)}` : ''));
        item.command = { command: 'llmLab.openExercise', title: vscode.l10n.t('Open Exercise'), arguments: [exercise.id] };
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(vscode.l10n.t('Broken lesson: {0}', node.problem.file.split(/[\\/]/).slice(-2, -1)[0] ?? node.problem.file));
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.description = node.problem.field ?? '';
        item.tooltip = formatProblem(node.problem);
        item.contextValue = 'problem';
        item.command = { command: 'vscode.open', title: vscode.l10n.t('Open File'), arguments: [vscode.Uri.file(node.problem.file)] };
        return item;
      }
    }
  }
}

/** The Lessons view around the tree, with a message while the workspace is not trusted. */
export class LessonsView extends Disposable {
  readonly view: vscode.TreeView<Node>;

  constructor(tree: LessonsTree) {
    super();
    this.view = this.register(vscode.window.createTreeView('llmLab.lessons', { treeDataProvider: tree, showCollapseAll: true }));
    this.update();
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()));
  }

  private update(): void {
    this.view.message = vscode.workspace.isTrusted
      ? undefined
      : vscode.l10n.t('Restricted Mode: you can read every lesson, but checks are off because they run your code. Trust this workspace to run them.');
  }
}
