/**
 * The course as the extension sees it: the catalog in the learner's language, reloaded on demand,
 * with every lesson problem written to the output channel.
 */
import * as vscode from 'vscode';
import { findExercise, formatProblem, loadCatalog, type Catalog, type Exercise, type Lesson, type Locale } from '../core/lessons/catalog';
import type { Install } from '../core/install';
import { Disposable } from './dispose';

export function currentLocale(): Locale {
  const setting = vscode.workspace.getConfiguration('llmLab').get<string>('language', 'auto');
  if (setting === 'en' || setting === 'zh-cn') return setting;
  return vscode.env.language.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en';
}

export class CourseService extends Disposable {
  private catalog: Promise<Catalog> | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(readonly install: Install, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('llmLab.language')) this.reload();
    }));
  }

  get(): Promise<Catalog> {
    return (this.catalog ??= loadCatalog(this.install.lessons, currentLocale()).then((c) => {
      for (const p of c.problems) {
        const line = formatProblem(p, this.install.lessons);
        if (p.severity === 'error') this.log.error(`lesson problem: ${line}`);
        else this.log.warn(`lesson: ${line}`);
      }
      this.log.info(`loaded ${c.lessons.length} lessons (${currentLocale()})`);
      return c;
    }));
  }

  reload(): void {
    this.catalog = undefined;
    this.changed.fire();
  }

  async exercise(id: string): Promise<{ lesson: Lesson; exercise: Exercise }> {
    const found = findExercise(await this.get(), id);
    if (!found) throw new Error(vscode.l10n.t('No exercise with id "{0}".', id));
    return found;
  }

  async lesson(id: string): Promise<Lesson> {
    const lesson = (await this.get()).lessons.find((l) => l.id === id);
    if (!lesson) throw new Error(vscode.l10n.t('No lesson with id "{0}".', id));
    return lesson;
  }
}
