/**
 * The companion's commands: make a plan, replan, show the plan / weekly review / notebook / questions,
 * export the review, review a notebook mistake in a scratch copy, and write up a lesson as a blog draft.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { blogPost, buildReview, dayOf, isDay, reviewMarkdown, settingsProblem, slug, writeDraft, writeNew, replan, reviewedMistake, type PlanFile } from '../../core/companion';
import { learnerFile } from '../../core/workspace';
import type { CourseService } from '../course';
import { currentLocale } from '../course';
import type { LearnerState } from '../learner';
import type { CompanionPanel } from './panel';
import type { CompanionService } from './service';

interface Deps { course: CourseService; learner: LearnerState; companion: CompanionService; panel: CompanionPanel; log: vscode.LogOutputChannel }

async function lessonId(d: Deps, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'lessonId' in arg && typeof arg.lessonId === 'string') return arg.lessonId;
  if (arg && typeof arg === 'object' && 'lesson' in arg) return (arg as { lesson: { id: string } }).lesson.id;
  const catalog = await d.course.get();
  const editor = vscode.window.activeTextEditor?.document.uri;
  const id = editor?.scheme === 'file' ? d.learner.exerciseForFile(catalog, editor.fsPath) : undefined;
  const fromFile = id ? catalog.lessons.find((l) => l.exercises.some((e) => e.id === id))?.id : undefined;
  if (fromFile) return fromFile;
  const last = d.learner.lastLesson();
  const picked = await vscode.window.showQuickPick(
    catalog.lessons.map((l) => ({ label: l.title, description: l.part, id: l.id, picked: l.id === last })),
    { title: vscode.l10n.t('Which lesson?') },
  );
  return picked?.id;
}

async function makePlan(d: Deps, args: unknown): Promise<PlanFile | undefined> {
  // From tests or a link: { hoursPerDay, daysPerWeek, start }.
  let settings = args && typeof args === 'object' ? (args as PlanFile['settings']) : undefined;
  if (!settings || settingsProblem(settings)) {
    const old = d.companion.plan()?.settings;
    const hours = await vscode.window.showInputBox({
      title: vscode.l10n.t('Study plan (1/3)'), ignoreFocusOut: true, prompt: vscode.l10n.t('How many hours a day will you study?'), value: String(old?.hoursPerDay ?? 2),
      validateInput: (v) => (Number(v) > 0 && Number(v) <= 24 ? undefined : vscode.l10n.t('A number of hours between 0 and 24')),
    });
    if (hours === undefined) return undefined;
    const days = await vscode.window.showInputBox({
      title: vscode.l10n.t('Study plan (2/3)'), ignoreFocusOut: true, prompt: vscode.l10n.t('How many days a week?'), value: String(old?.daysPerWeek ?? 5),
      validateInput: (v) => (/^[1-7]$/.test(v.trim()) ? undefined : vscode.l10n.t('A whole number from 1 to 7')),
    });
    if (days === undefined) return undefined;
    const start = await vscode.window.showInputBox({
      title: vscode.l10n.t('Study plan (3/3)'), ignoreFocusOut: true, prompt: vscode.l10n.t('Start date (YYYY-MM-DD)'), value: dayOf(new Date()),
      validateInput: (v) => (isDay(v.trim()) ? undefined : vscode.l10n.t('A date like {0}', dayOf(new Date()))),
    });
    if (start === undefined) return undefined;
    settings = { hoursPerDay: Number(hours), daysPerWeek: Number(days.trim()), start: start.trim() };
  }
  const plan: PlanFile = { version: 1, settings: { hoursPerDay: settings.hoursPerDay, daysPerWeek: settings.daysPerWeek, start: settings.start } };
  d.companion.setPlan(plan);
  await d.panel.show('plan');
  return plan;
}

async function open(file: string, line?: number): Promise<void> {
  const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(pos, pos), preview: false });
}

export function registerCompanionCommands(d: Deps): vscode.Disposable[] {
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'llmLab.makePlan': (a) => makePlan(d, a),
    'llmLab.replan': async () => {
      const plan = d.companion.plan();
      if (!plan) return makePlan(d, undefined);
      const next = replan(plan, dayOf(new Date()));
      d.companion.setPlan(next);
      await d.panel.show('plan');
      return next;
    },
    'llmLab.showPlan': () => d.panel.show('plan'),
    'llmLab.weeklyReview': () => d.panel.show('review'),
    'llmLab.showNotebook': () => d.panel.show('notebook'),
    // From the palette: the questions due; from a lesson (the tree's context menu, a link): that lesson's.
    'llmLab.reviewQuestions': async (a) => d.panel.show('questions', {
      lessonId: typeof a === 'string' ? a : a && typeof a === 'object' && 'lesson' in a ? (a as { lesson: { id: string } }).lesson.id : undefined,
    }),
    'llmLab.exportReview': async () => {
      const catalog = await d.course.get();
      const r = buildReview({ lessons: catalog.lessons, history: d.companion.history(), layout: await d.companion.layout(), today: dayOf(new Date()), now: new Date() });
      const file = writeNew(d.companion.dir('reviews'), `review-${r.from}`, '.md', reviewMarkdown(r, currentLocale()));
      await open(file);
      return file;
    },
    'llmLab.reviewMistake': async (id) => {
      const entry = d.companion.history().notebook.find((n) => n.id === id);
      if (!entry) throw new Error(vscode.l10n.t('That mistake is no longer in the notebook.'));
      const stamp = entry.at.replace(/[:.]/g, '-').replace(/Z$/, '');
      const file = writeNew(d.companion.dir('scratch'), `${slug(entry.exerciseId)}-${stamp}`, path.extname(entry.fileName) || '.ts', entry.code);
      d.companion.update((h) => reviewedMistake(h, entry.id, new Date())); // reviewed: it comes back later
      await open(file, entry.line);
      return file;
    },
    'llmLab.writeBlogPost': async (a) => {
      const id = await lessonId(d, a);
      if (!id) return undefined;
      const lesson = await d.course.lesson(id);
      const folder = d.learner.folder();
      if (!folder) throw new Error(vscode.l10n.t('Open a folder first: LLM Lab keeps your plan and history beside your exercises.'));
      const exercises = lesson.exercises.map((e) => {
        const file = learnerFile(folder, lesson, e);
        return { id: e.id, title: e.title, fileName: e.fileName, code: existsSync(file) ? readFileSync(file, 'utf8') : undefined,
          passed: d.learner.get(e.id).status === 'passed', artifacts: d.companion.lastArtifacts(e.id) };
      });
      const mistakes = d.companion.history().notebook.filter((n) => n.lessonId === lesson.id);
      const locale = currentLocale();
      const { file } = writeDraft(path.join(folder, 'blog'), `${dayOf(new Date())}-${lesson.id}-${locale}`,
        (imageBase) => blogPost({ lesson, locale, exercises, mistakes, date: new Date(), imageBase }));
      await open(file);
      return file;
    },
  };
  return Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (e) {
      d.log.error(`${id} failed: ${(e as Error)?.stack ?? e}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('LLM Lab: {0}', (e as Error)?.message ?? String(e)));
      return undefined;
    }
  }));
}
