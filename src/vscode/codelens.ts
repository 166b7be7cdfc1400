/**
 * "▶ Check" and "💡 Hint" above each function of a learner's exercise file that a check targets. Which
 * functions those are comes from the exercise's plan (the checks' `task`), listed without running the
 * learner's code; where they are comes from the file's text.
 */
import * as vscode from 'vscode';
import { declarationOf } from '../harness/locate';
import type { CourseService } from './course';
import { Disposable } from './dispose';
import type { LearnerState } from './learner';
import type { PlanService } from './plans';
import { affects, settings } from './settings';

export const CODELENS_SELECTOR: vscode.DocumentSelector = { scheme: 'file', language: 'typescript' };

export class ExerciseCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly course: CourseService, private readonly learner: LearnerState, private readonly plans: PlanService) {
    super();
    const fire = () => this.changed.fire();
    this.register(course.onDidChange(fire));
    this.register(plans.onDidChange(fire));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'codeLens') || affects(e, 'exerciseFolder')) fire(); }));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!settings.codeLens()) return [];
    const catalog = await this.course.get();
    const id = this.learner.exerciseForFile(catalog, doc.uri.fsPath);
    if (!id) return [];
    const plan = await this.plans.get(id).catch(() => undefined);
    if (!plan) return [];
    const { exercise } = await this.course.exercise(id);
    const tasks = [...new Set(plan.flatMap((c) => (c.task ? [c.task] : [])))];
    const source = doc.getText();
    const lenses: vscode.CodeLens[] = [];
    for (const task of tasks) {
      const loc = declarationOf(source, task, doc.uri.fsPath);
      if (!loc) continue;
      const count = plan.filter((c) => c.task === task).length;
      const range = new vscode.Range(loc.line - 1, 0, loc.line - 1, 0);
      lenses.push(
        new vscode.CodeLens(range, {
          title: `$(play) ${vscode.l10n.t('Check')}`, command: 'llmLab.checkExercise', arguments: [id],
          tooltip: vscode.l10n.t('Run the checks of "{0}" ({1} of them test {2}())', exercise.title, count, task),
        }),
        new vscode.CodeLens(range, {
          title: `$(lightbulb) ${vscode.l10n.t('Hint')}`, command: 'llmLab.showHint', arguments: [id],
          tooltip: vscode.l10n.t('Show the next hint for "{0}"', exercise.title),
        }),
      );
    }
    return lenses;
  }
}
