/**
 * The study companion's state in the extension: the learner's history and notebook and the plan, kept in
 * `<exercise folder>/.llm-lab/companion/` (history.json, plan.json; runs/<exercise>.json holds the artifacts
 * of the last passing run, for blog posts). Everything comes from what really happens: every finished check
 * (CheckService.onDidFinish, whoever started it), exercise files opened, and the time an exercise editor is
 * focused (signs of work: typing, selection, editor and window focus; a gap over 5 minutes counts nothing).
 * A file that cannot be read is reported and set aside by the core store, never silently replaced.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  dayOf, emptyHistory, FocusClock, type History, historyProblem, layPlan, type PlanFile, planFileProblem, type PlanLayout,
  type PlanLesson, passedOn, readJson, recordFocus, recordOpened, recordRun, slug, writeJson,
} from '../../core/companion';
import type { Artifact } from '../../core/grading/result';
import type { Catalog } from '../../core/lessons/catalog';
import { learnerFile } from '../../core/workspace';
import type { CheckService } from '../checker';
import { type CourseService, currentLocale } from '../course';
import { Disposable } from '../dispose';
import type { LearnerState } from '../learner';

const PICTURES = new Set<Artifact['kind']>(['curve', 'heatmap', 'heatmaps', 'bars']);

export class CompanionService extends Disposable {
  private loaded: { folder: string; history: History; plan: PlanFile | undefined } | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** The history or the plan changed. */
  readonly onDidChange = this.changed.event;
  private readonly clock = new FocusClock(5 * 60_000);
  private files = new Map<string, string>(); // learner file -> exercise id
  private saveTimer: NodeJS.Timeout | undefined;
  private openedToday = new Set<string>();

  constructor(private readonly course: CourseService, private readonly learner: LearnerState, checks: CheckService, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(checks.onDidFinish((run) => void this.onRun(run.exerciseId, run.result).catch((e) => this.log.error(`companion: ${(e as Error).stack ?? e}`))));
    const refreshFiles = () => void this.course.get().then((c) => this.indexFiles(c));
    refreshFiles();
    this.register(course.onDidChange(refreshFiles));
    this.register(learner.onDidChange((id) => { if (id === undefined) { this.flush(); this.loaded = undefined; refreshFiles(); this.changed.fire(); } }));
    const work = () => this.activity();
    this.register(vscode.window.onDidChangeActiveTextEditor(() => { work(); this.noteOpened(); }));
    this.register(vscode.window.onDidChangeTextEditorSelection(work));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => { if (e.document === vscode.window.activeTextEditor?.document) work(); }));
    this.register(vscode.window.onDidChangeWindowState(work));
    this.register({ dispose: () => { this.activity(true); this.flush(); } });
    this.noteOpened();
  }

  private indexFiles(catalog: Catalog): void {
    const folder = this.learner.folder();
    this.files = new Map(folder ? catalog.lessons.flatMap((l) => l.exercises.map((e) => [path.resolve(learnerFile(folder, l, e)), e.id] as const)) : []);
  }

  /** The exercise whose file the focused editor shows, if the window has focus. */
  private activeExercise(): string | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.uri.scheme !== 'file' || !vscode.window.state.focused) return undefined;
    return this.files.get(path.resolve(doc.uri.fsPath));
  }

  private activity(stop = false): void {
    const credit = this.clock.activity(stop ? undefined : this.activeExercise(), Date.now());
    if (!credit || !this.folder()) return;
    this.update((h) => recordFocus(h, credit.exerciseId, credit.ms, new Date()), false);
  }

  private noteOpened(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const id = doc?.uri.scheme === 'file' ? this.files.get(path.resolve(doc.uri.fsPath)) : undefined;
    const key = `${id}@${dayOf(new Date())}`;
    if (!id || this.openedToday.has(key) || !this.folder()) return;
    this.openedToday.add(key);
    this.update((h) => recordOpened(h, id, new Date()), false);
  }

  folder(): string | undefined {
    return this.learner.folder();
  }

  /** `<exercise folder>/.llm-lab/<...parts>`. */
  dir(...parts: string[]): string {
    const folder = this.folder();
    if (!folder) throw new Error(vscode.l10n.t('Open a folder first: LLM Lab keeps your plan and history beside your exercises.'));
    return path.join(folder, '.llm-lab', ...parts);
  }

  private corrupt = (c: { file: string; movedTo: string; reason: string }) => {
    this.log.warn(`companion: ${c.file} could not be read (${c.reason}); moved to ${c.movedTo}`);
    void vscode.window.showWarningMessage(vscode.l10n.t('LLM Lab could not read {0} ({1}). It was set aside as {2}, and a new one was started.',
      path.basename(c.file), c.reason, path.basename(c.movedTo)));
  };

  private state(): { folder: string; history: History; plan: PlanFile | undefined } {
    const folder = this.folder();
    if (!folder) throw new Error(vscode.l10n.t('Open a folder first: LLM Lab keeps your plan and history beside your exercises.'));
    if (this.loaded?.folder !== folder) {
      const history = readJson(this.dir('companion', 'history.json'), historyProblem, emptyHistory, this.corrupt);
      const plan = readJson<PlanFile | undefined>(this.dir('companion', 'plan.json'), planFileProblem, () => undefined, this.corrupt);
      this.loaded = { folder, history, plan };
    }
    return this.loaded;
  }

  history(): History {
    return this.state().history;
  }

  plan(): PlanFile | undefined {
    return this.state().plan;
  }

  /** Changes the history; saved at once (`now`) or within a few seconds (focus time). */
  update(change: (h: History) => History, now = true): void {
    const s = this.state();
    s.history = change(s.history);
    if (now) this.flush();
    else this.saveTimer ??= setTimeout(() => this.flush(), 3000);
    this.changed.fire();
  }

  /** Writes the history if it is loaded (write-then-rename). */
  flush(): void {
    if (this.saveTimer) { clearTimeout(this.saveTimer); this.saveTimer = undefined; }
    if (!this.loaded) return;
    try {
      writeJson(path.join(this.loaded.folder, '.llm-lab', 'companion', 'history.json'), this.loaded.history);
    } catch (e) {
      this.log.error(`companion: could not save the history: ${(e as Error).message}`);
    }
  }

  setPlan(plan: PlanFile): void {
    const s = this.state();
    writeJson(this.dir('companion', 'plan.json'), plan);
    s.plan = plan;
    this.changed.fire();
  }

  private async onRun(exerciseId: string, result: import('../../core/grading/result').RunResult): Promise<void> {
    if (!this.folder() || result.error?.kind === 'cancelled') return;
    const { lesson, exercise } = await this.course.exercise(exerciseId);
    let code = '';
    try { code = readFileSync(result.file, 'utf8'); } catch { /* the file went away: keep the notebook entry without code */ }
    // Progress is recorded for whole runs only: a passing run of some checks is not a pass.
    const partial = result.status === 'passed' && this.learner.get(exerciseId).status !== 'passed';
    this.update((h) => recordRun(h, { result, lessonId: lesson.id, code, fileName: exercise.fileName, locale: currentLocale(), now: new Date(), partial }));
    if (result.status === 'passed' && !partial) {
      const artifacts = result.checks.flatMap((c) => c.artifacts).filter((a) => PICTURES.has(a.kind));
      writeJson(this.dir('companion', 'runs', `${slug(exerciseId)}.json`), { exerciseId, at: new Date().toISOString(), artifacts });
    }
  }

  /** The artifacts (curves, heatmaps) of the exercise's last passing run. */
  lastArtifacts(exerciseId: string): Artifact[] {
    const file = this.dir('companion', 'runs', `${slug(exerciseId)}.json`);
    if (!existsSync(file)) return [];
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as { artifacts?: Artifact[] };
      return Array.isArray(v.artifacts) ? v.artifacts : [];
    } catch {
      return [];
    }
  }

  /** The day each lesson was done (every exercise passed), from the history (or, for a pass before the history began, the plan's start). */
  doneDays(catalog: Catalog, plan: PlanFile): Record<string, string> {
    const passed = passedOn(this.history());
    const out: Record<string, string> = {};
    for (const l of catalog.lessons) {
      const days: string[] = [];
      for (const e of l.exercises) {
        const at = passed.get(e.id);
        if (at) days.push(dayOf(new Date(at)));
        else if (this.learner.get(e.id).status === 'passed') days.push(plan.settings.start);
        else { days.length = 0; break; }
      }
      if (days.length === l.exercises.length) out[l.id] = days.sort().pop()!;
    }
    return out;
  }

  async layout(): Promise<PlanLayout | undefined> {
    const plan = this.plan();
    if (!plan) return undefined;
    const catalog = await this.course.get();
    const lessons: PlanLesson[] = catalog.lessons.map((l) => ({ id: l.id, title: l.title, part: l.part, minutes: l.minutes, questions: l.questions.length }));
    return layPlan(lessons, plan, this.doneDays(catalog, plan));
  }

  /** Lessons the learner has started (opened or checked an exercise of). */
  async started(): Promise<Set<string>> {
    const catalog = await this.course.get();
    const byExercise = new Map(catalog.lessons.flatMap((l) => l.exercises.map((e) => [e.id, l.id] as const)));
    const out = new Set<string>();
    for (const e of this.history().events) if ((e.type === 'opened' || e.type === 'run') && byExercise.has(e.exerciseId)) out.add(byExercise.get(e.exerciseId)!);
    for (const [id, lessonId] of byExercise) if (this.learner.get(id).status !== 'not-started') out.add(lessonId);
    return out;
  }
}
