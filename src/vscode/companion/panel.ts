/**
 * The companion's webview panel: one tab that shows the plan, the weekly review, the mistake notebook or the
 * review questions (the panel's own machinery: WebviewPanelHost, its CSP and the one webview bundle). It
 * builds each page's data from the companion service and acts on the page's clicks.
 */
import * as vscode from 'vscode';
import {
  answerText, buildReview, isDue, dayOf, dueQuestions, duration, grade, lessonsOfWeek, questionKey, recordAnswer, shuffled,
  standing, type PlanLayout, weekRange, type Answer, WORDS as REVIEW_WORDS,
} from '../../core/companion';
import type { Lesson, Question } from '../../core/lessons/catalog';
import type { CompanionAction, CompanionPage, CompanionView, QuestionView } from '../../webview/companion-types';
import type { FromWebview } from '../../webview/messages';
import { type CourseService, currentLocale } from '../course';
import { Disposable } from '../dispose';
import { WebviewPanelHost } from '../webview';
import type { CompanionService } from './service';
import { fill, WORDS } from './words';

export const COMPANION_VIEW = 'llmLab.companion';

interface Shown { lessons: Lesson[]; items: { lesson: Lesson; question: Question; key: string; fresh: boolean }[]; feedback: Map<string, QuestionView['feedback']> }

export class CompanionPanel extends Disposable {
  private host: WebviewPanelHost | undefined;
  private page: CompanionPage = 'plan';
  private groupBy: 'lesson' | 'kind' = 'lesson';
  /** The questions on screen (kept while the learner answers them, each with its feedback). */
  private shown: Shown | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly course: CourseService, private readonly companion: CompanionService,
    private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(companion.onDidChange(() => { if (this.host && this.page !== 'questions') void this.draw(); }));
    this.register(course.onDidChange(() => { if (this.host) { this.shown = undefined; void this.draw(); } }));
  }

  /** The open panel, for tests. */
  get current(): WebviewPanelHost | undefined {
    return this.host;
  }

  async show(page: CompanionPage, opts: { lessonId?: string } = {}): Promise<void> {
    this.page = page;
    if (page === 'questions') this.shown = await this.pickQuestions(opts.lessonId);
    if (!this.host) this.adopt();
    else this.host.panel.reveal(undefined, false);
    await this.draw();
  }

  private adopt(restored?: vscode.WebviewPanel): void {
    const host = this.register(new WebviewPanelHost(this.extensionUri, {
      viewType: COMPANION_VIEW, title: WORDS[currentLocale()][`tab_${this.page}`], page: 'companion', column: vscode.ViewColumn.Active, strings: {},
      onMessage: (m) => void this.onMessage(m).catch((e) => {
        this.log.error(`companion: ${(e as Error).stack ?? e}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('LLM Lab: {0}', (e as Error).message));
      }),
    }, restored));
    host.onDidClose(() => { if (this.host === host) this.host = undefined; });
    this.host = host;
  }

  /**
   * Takes over the panel VS Code restored after a window reload, and draws the plan in it. (A restored companion page
   * has been seen never to load; WebviewPanelHost loads a page again when it stays silent once shown.)
   */
  revive(panel: vscode.WebviewPanel): void {
    if (this.host) { this.log.info('companion: a second restored tab closed'); panel.dispose(); return; }
    this.log.info('companion: restoring its tab (the plan)');
    this.page = 'plan';
    this.adopt(panel);
    void this.draw().catch((e: unknown) => this.log.error(`companion: the restored tab could not be drawn: ${(e as Error).stack ?? e}`));
  }

  private async onMessage(m: FromWebview): Promise<void> {
    if (m.type !== 'companion') return;
    const a: CompanionAction = m.action;
    switch (a.kind) {
      case 'show': await this.show(a.page); break;
      case 'group': this.groupBy = a.by; await this.draw(); break;
      case 'open-lesson': await vscode.commands.executeCommand('llmLab.openLesson', a.lessonId); break;
      case 'review-entry': await vscode.commands.executeCommand('llmLab.reviewMistake', a.id); break;
      case 'export-review': await vscode.commands.executeCommand('llmLab.exportReview'); break;
      case 'write-post': await vscode.commands.executeCommand('llmLab.writeBlogPost', a.lessonId); break;
      case 'make-plan': await vscode.commands.executeCommand('llmLab.makePlan'); break;
      case 'replan': await vscode.commands.executeCommand('llmLab.replan'); break;
      case 'answer': this.answer(a.key, a.answer); await this.draw(); break;
    }
  }

  private answer(key: string, answer: Answer): void {
    const item = this.shown?.items.find((i) => i.key === key);
    if (!item || this.shown?.feedback.has(key)) return;
    const g = grade(item.question, answer);
    this.companion.update((h) => recordAnswer(h, key, g.grade, new Date()));
    const yours = answer.kind === 'numeric' ? answer.value : answer.kind === 'choice' && item.question.kind === 'choice' ? item.question.choices[answer.index]
      : answer.kind === 'order' && item.question.kind === 'order' ? answer.order.map((i, n) => `${n + 1}. ${(item.question as Extract<Question, { kind: 'order' }>).steps[i]}`).join('\n') : undefined;
    this.shown!.feedback.set(key, { correct: g.grade, answer: answerText(item.question), ...(item.question.explanation ? { explanation: item.question.explanation } : {}), ...(yours !== undefined ? { yours } : {}) });
  }

  private async pickQuestions(lessonId?: string): Promise<Shown> {
    const catalog = await this.course.get();
    const lessons = lessonId ? catalog.lessons.filter((l) => l.id === lessonId) : catalog.lessons;
    const h = this.companion.history();
    const due = lessonId
      ? lessons.flatMap((lesson) => lesson.questions.map((question) => ({ lesson, question, key: questionKey(lesson.id, question.id), fresh: !h.questions[questionKey(lesson.id, question.id)] })))
      : dueQuestions(lessons, h, await this.companion.started(), new Date()).slice(0, 10);
    const inList = new Set(due.map((d) => d.lesson.id));
    return { lessons: lessons.filter((l) => inList.has(l.id)), items: due, feedback: new Map() };
  }

  private async draw(): Promise<void> {
    if (!this.host) return;
    const view = await this.view();
    this.host.panel.title = view.words[`tab_${this.page}`];
    this.host.post({ type: 'companion', view });
  }

  async view(): Promise<CompanionView> {
    const locale = currentLocale();
    const words: Record<string, string> = { ...WORDS[locale] };
    const catalog = await this.course.get();
    const today = dayOf(new Date());
    switch (this.page) {
      case 'plan': {
        const layout = await this.companion.layout();
        if (!layout) return { page: 'plan', words };
        return { page: 'plan', words, plan: planView(layout, today, words) };
      }
      case 'review': {
        const layout = await this.companion.layout();
        const r = buildReview({ lessons: catalog.lessons, history: this.companion.history(), layout, today, now: new Date() });
        const rw = REVIEW_WORDS[locale];
        return {
          page: 'review', words, title: rw.review(r.week, r.from, r.to),
          passed: r.passed.map((p) => ({ title: p.title, exerciseId: p.exerciseId, day: dayOf(new Date(p.at)) })),
          timeLine: rw.timeLine(duration(r.focusMs, locale), duration(r.checkMs, locale), r.runs),
          time: r.time.map((t) => ({ title: t.title, focus: duration(t.focusMs, locale), checking: duration(t.checkMs, locale), runs: t.runs })),
          mistakes: r.mistakes.map(({ entry, fixed }) => ({ check: entry.check, exerciseId: entry.exerciseId, kind: entry.kind, times: rw.times(entry.count),
            fixed: fixed ? `${rw.fixed} ${dayOf(new Date(entry.fixedAt!))}` : undefined })),
          answers: `${rw.answers(r.answers.right, r.answers.wrong)} ${rw.mistakesDue(r.mistakesDue)}`,
          due: r.due.map((d) => ({ lessonTitle: d.lesson.title, prompt: d.question.prompt })),
          nextWeek: r.nextWeek.map((l) => ({ title: l.title, minutes: rw.minutes(l.load) })), noPlan: r.week === undefined,
        };
      }
      case 'notebook': {
        const now = new Date();
        const titles = new Map(catalog.lessons.map((l) => [l.id, l.title]));
        const entries = [...this.companion.history().notebook].reverse().map((n) => ({
          id: n.id, lessonId: n.lessonId, lessonTitle: titles.get(n.lessonId) ?? n.lessonId, exerciseId: n.exerciseId, check: n.check, checks: n.checks, kind: n.kind,
          message: n.message, ...(n.hint ? { hint: n.hint } : {}), at: n.at, count: n.count, ...(n.fixedAt ? { fixedAt: n.fixedAt } : {}),
          fileName: n.fileName, ...(n.line ? { line: n.line } : {}), excerptStart: n.excerptStart, excerpt: n.excerpt, due: isDue(n.card, now),
        }));
        return { page: 'notebook', words, groupBy: this.groupBy, entries };
      }
      case 'questions': {
        const shown = this.shown ?? (this.shown = await this.pickQuestions());
        const h = this.companion.history();
        const questions: QuestionView[] = shown.items.map(({ lesson, question: q, key, fresh }) => ({
          key, lessonId: lesson.id, lessonTitle: lesson.title, kind: q.kind, prompt: q.prompt, fresh,
          ...(q.kind === 'choice' ? { choices: q.choices } : {}),
          ...(q.kind === 'order' ? { steps: shuffled(q.steps.length, `${key}#${h.questions[key]?.answers ?? 0}`).map((index) => ({ index, text: q.steps[index] })) } : {}),
          ...(q.kind === 'open' ? { model: q.answer } : {}),
          ...(shown.feedback.has(key) ? { feedback: shown.feedback.get(key) } : {}),
        }));
        const papers = shown.lessons.map((l) => ({ id: l.id, title: l.title,
          papers: l.papers.map((p) => `${p.authors} (${p.year}). ${p.title}.${p.arxiv ? ` arXiv:${p.arxiv}` : ''}`) }));
        return { page: 'questions', words, questions, lessons: papers };
      }
    }
  }
}

function planView(layout: PlanLayout, today: string, words: Record<string, string>): NonNullable<Extract<CompanionView, { page: 'plan' }>['plan']> {
  const st = standing(layout, today);
  const { settings, capacity } = layout;
  const weeks = Array.from({ length: layout.weeks }, (_, w) => {
    const lessons = lessonsOfWeek(layout, w);
    return { week: w, ...weekRange(settings, w), current: w === st.week, minutes: lessons.reduce((s, l) => s + l.load, 0),
      lessons: lessons.map((l) => ({ id: l.id, title: l.title, part: l.part, load: l.load, done: !!l.doneOn })) };
  });
  const planned = weeks.map((_, w) => Math.round(layout.lessons.reduce((s, l) => s + l.load * Math.min(1, Math.max(0, (w + 1 - l.firstWeek) / (l.lastWeek - l.firstWeek + 1))), 0)));
  const done = weeks.map((_, w) => (w > st.week ? null : layout.lessons.filter((l) => l.doneOn && l.firstWeek <= w).reduce((s, l) => s + l.load, 0)));
  const status = st.status === 'ahead' ? fill(words.status_ahead, st.weeksAhead) : st.status === 'behind' ? fill(words.status_behind, -st.weeksAhead)
    : st.status === 'not-started' ? fill(words['status_not-started'], settings.start) : words[`status_${st.status}`];
  return {
    summary: fill(words.summary, settings.hoursPerDay, settings.daysPerWeek, settings.start, Math.round((capacity / 60) * 10) / 10, layout.weeks),
    status, weeks, capacity, planned, done,
  };
}

