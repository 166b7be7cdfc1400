/**
 * The learner's side: where their exercise folder is, their progress (kept in global state so it
 * survives restarts), and which open files are exercises.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checked, FRESH, hintRevealed, opened, type ExerciseProgress, type Progress } from '../core/progress';
import type { RunResult } from '../core/grading/result';
import type { Catalog } from '../core/lessons/catalog';
import { DEFAULT_FOLDER, learnerFile } from '../core/workspace';
import { Disposable } from './dispose';

const PROGRESS_KEY = 'llmLab.progress';
const CHOSEN_FOLDER_KEY = 'llmLab.chosenFolder';
const LAST_LESSON_KEY = 'llmLab.lastLesson';

export class LearnerState extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<string | undefined>());
  /** Fires with the exercise id whose progress changed (undefined: the exercise folder changed). */
  readonly onDidChange = this.changed.event;
  private readonly lessonChanged = this.register(new vscode.EventEmitter<string>());
  /** Fires with the id of the lesson the learner is now on. */
  readonly onDidChangeLesson = this.lessonChanged.event;

  constructor(private readonly memento: vscode.Memento) {
    super();
  }

  /** The exercise folder if one is known, without asking. */
  folder(): string | undefined {
    const setting = vscode.workspace.getConfiguration('llmLab').get<string>('exerciseFolder', DEFAULT_FOLDER) || DEFAULT_FOLDER;
    if (path.isAbsolute(setting)) return setting;
    const ws = vscode.workspace.workspaceFolders?.[0];
    if (ws) return path.join(ws.uri.fsPath, setting);
    const chosen = this.memento.get<string>(CHOSEN_FOLDER_KEY);
    return chosen ? path.join(chosen, setting) : undefined;
  }

  /** The exercise folder, asking the learner to pick a parent folder when no workspace is open. */
  async folderOrAsk(): Promise<string | undefined> {
    return this.folder() ?? this.chooseFolder();
  }

  /** Asks where exercise files go when no workspace folder is open (also from the Lessons view's welcome). */
  async chooseFolder(): Promise<string | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
      openLabel: vscode.l10n.t('Keep my exercises here'),
      title: vscode.l10n.t('No folder is open. Where should LLM Lab put your exercise files?'),
    });
    if (!picked?.[0]) return undefined;
    await this.memento.update(CHOSEN_FOLDER_KEY, picked[0].fsPath);
    this.changed.fire(undefined);
    return this.folder();
  }

  /** The lesson the learner last opened (or whose exercise they last worked on). */
  lastLesson(): string | undefined {
    return this.memento.get<string>(LAST_LESSON_KEY);
  }

  async setLastLesson(id: string): Promise<void> {
    if (this.lastLesson() === id) return;
    await this.memento.update(LAST_LESSON_KEY, id);
    this.lessonChanged.fire(id);
  }

  all(): Progress {
    return this.memento.get<Progress>(PROGRESS_KEY, {});
  }

  get(id: string): ExerciseProgress {
    return this.all()[id] ?? FRESH;
  }

  private async set(id: string, p: ExerciseProgress): Promise<void> {
    await this.memento.update(PROGRESS_KEY, { ...this.all(), [id]: p });
    this.changed.fire(id);
  }

  markOpened(id: string) { return this.set(id, opened(this.get(id))); }
  /** A run of code the learner has not written yet (every failure is a TODO) is not a failed attempt. */
  recordRun(id: string, result: RunResult) {
    const before = this.get(id);
    const after = checked(before, result);
    return this.set(id, attemptedCode(result) ? after : { ...after, failedRuns: before.failedRuns });
  }
  revealHint(id: string, total: number) { return this.set(id, hintRevealed(this.get(id), total)); }

  /** The exercise a file belongs to, if it is a learner copy in the exercise folder. */
  exerciseForFile(catalog: Catalog, file: string): string | undefined {
    const folder = this.folder();
    if (!folder) return undefined;
    for (const l of catalog.lessons) {
      for (const e of l.exercises) if (path.resolve(learnerFile(folder, l, e)) === path.resolve(file)) return e.id;
    }
    return undefined;
  }

  /** Every learner file path, for the `llmLab.exerciseFiles` context key (editor title button). */
  exerciseFiles(catalog: Catalog): string[] {
    const folder = this.folder();
    if (!folder) return [];
    return catalog.lessons.flatMap((l) => l.exercises.map((e) => learnerFile(folder, l, e)));
  }
}

/**
 * Whether a run tried the learner's own code: a check failed on something other than a function that
 * still calls TODO(), or the file itself failed (a syntax error, a timeout...). Three checks of an
 * untouched scaffold are not three attempts, and do not unlock the solution. (The runner's TODO message
 * names `TODO('task')` in every language, so that is what is looked for.)
 */
export function attemptedCode(result: RunResult): boolean {
  if (result.error) return !['setup', 'prerequisite', 'cancelled'].includes(result.error.kind);
  return result.checks.some((c) => (c.status === 'failed' || c.status === 'error')
    && !/\bTODO\('[^']*'\)/.test(c.message ?? ''));
}
