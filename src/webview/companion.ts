/**
 * The study companion's pages in the panel's webview: the plan (a timeline drawn by uPlot, and the weeks
 * with their lessons), the weekly review, the mistake notebook and the review questions. It only draws; every
 * action is a message to the extension, which sends the page again.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import uPlot from 'uplot';
import type { CompanionAction, CompanionView, NotebookEntryView, QuestionView } from './companion-types';
import { h } from './dom';
import type { FromWebview } from './messages';

type Post = (msg: FromWebview) => void;
type Words = Record<string, string>;

const fill = (s: string, ...args: (string | number)[]) => s.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));

function button(label: string, onClick: () => void, opts: { secondary?: boolean; icon?: string; cls?: string } = {}): HTMLElement {
  return h('vscode-button', { secondary: opts.secondary, icon: opts.icon, class: opts.cls, onclick: onClick }, label);
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function renderCompanion(app: HTMLElement, view: CompanionView, post: Post): void {
  const act = (action: CompanionAction) => post({ type: 'companion', action });
  document.body.dataset.companion = view.page;
  const nav = h('nav', { class: 'cp-nav' }, ...(['plan', 'review', 'notebook', 'questions'] as const).map((p) =>
    h('a', { href: '#', class: p === view.page ? 'cp-tab current' : 'cp-tab', onclick: (e) => { e.preventDefault(); act({ kind: 'show', page: p }); } }, view.words[`tab_${p}`])));
  let page: HTMLElement;
  switch (view.page) {
    case 'plan': page = planPage(view, act); break;
    case 'review': page = reviewPage(view, act); break;
    case 'notebook': page = notebookPage(view, act); break;
    case 'questions': page = questionsPage(view, act); break;
  }
  app.replaceChildren(nav, page);
}

// ---- plan ----

function planPage(v: Extract<CompanionView, { page: 'plan' }>, act: (a: CompanionAction) => void): HTMLElement {
  const w = v.words;
  if (!v.plan) {
    return h('section', { class: 'cp-page cp-plan' }, h('h1', {}, w.planTitle), h('p', { class: 'dim' }, w.noPlan),
      button(w.makePlan, () => act({ kind: 'make-plan' }), { icon: 'calendar' }));
  }
  const p = v.plan;
  const chart = h('div', { class: 'cp-timeline', 'aria-label': w.timeline });
  const section = h('section', { class: 'cp-page cp-plan' },
    h('header', { class: 'cp-head' }, h('h1', {}, w.planTitle), h('div', { class: 'cp-actions' },
      button(w.replan, () => act({ kind: 'replan' }), { secondary: true, icon: 'history' }),
      button(w.makePlan, () => act({ kind: 'make-plan' }), { secondary: true, icon: 'calendar' }))),
    h('p', { class: 'cp-summary' }, p.summary, ' ', h('vscode-badge', { class: `cp-status` }, p.status)),
    h('figure', { class: 'cp-figure' }, h('figcaption', {}, w.timeline), chart),
    h('ol', { class: 'cp-weeks' }, ...p.weeks.map((wk) => h('li', { class: wk.current ? 'cp-week current' : 'cp-week' },
      h('div', { class: 'cp-week-head' }, h('strong', {}, fill(w.week, wk.week + 1)), ' ', h('span', { class: 'dim' }, `${wk.from} – ${wk.to}`),
        wk.current ? h('vscode-badge', {}, w.thisWeek) : null),
      h('ul', { class: 'cp-lessons' }, ...wk.lessons.map((l) => h('li', { class: l.done ? 'cp-lesson done' : 'cp-lesson' },
        h('a', { href: '#', onclick: (e) => { e.preventDefault(); act({ kind: 'open-lesson', lessonId: l.id }); } }, l.title),
        ' ', h('span', { class: 'dim' }, `${l.part} · ${fill(w.minutes, l.load)}`), l.done ? h('span', { class: 'cp-done' }, ' ✓ ', w.done) : null)))))),
  );
  requestAnimationFrame(() => drawTimeline(chart, p, w));
  return section;
}

function drawTimeline(box: HTMLElement, p: NonNullable<Extract<CompanionView, { page: 'plan' }>['plan']>, w: Words): void {
  const xs = p.planned.map((_, i) => i + 1);
  const text = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-widget-border', 'rgba(128,128,128,0.25)') || 'rgba(128,128,128,0.25)';
  const axis = (label: string, size: number): uPlot.Axis => ({ label, stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, labelGap: 4, size });
  const width = () => Math.max(220, Math.min(900, Math.floor(box.clientWidth || 600)));
  const hours = (a: (number | null)[]) => a.map((m) => (m === null ? null : Math.round((m / 60) * 10) / 10));
  const plot = new uPlot({
    width: width(), height: 200, scales: { x: { time: false } },
    // Whole weeks on the x axis.
    axes: [{ ...axis(w.axisWeek, 36), incrs: [1, 2, 5, 10, 20, 50] }, axis(w.axisHours, 50)],
    legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } },
    series: [
      { label: w.axisWeek },
      { label: w.seriesPlanned, width: 2, stroke: cssVar('--vscode-charts-blue', '#3794ff'), points: { show: xs.length <= 30 } },
      { label: w.seriesDone, width: 2, stroke: cssVar('--vscode-charts-green', '#89d185'), points: { show: true }, spanGaps: false },
    ],
  }, [xs, hours(p.planned), hours(p.done)] as uPlot.AlignedData, box);
  new ResizeObserver(() => { const nw = width(); if (Math.abs(nw - plot.width) > 1) plot.setSize({ width: nw, height: 200 }); }).observe(box);
}

// ---- weekly review ----

function reviewPage(v: Extract<CompanionView, { page: 'review' }>, act: (a: CompanionAction) => void): HTMLElement {
  const w = v.words;
  const none = () => h('p', { class: 'dim' }, w.none);
  return h('section', { class: 'cp-page cp-review' },
    h('header', { class: 'cp-head' }, h('h1', {}, v.title), h('div', { class: 'cp-actions' }, button(w.exportReview, () => act({ kind: 'export-review' }), { icon: 'export' }))),
    h('h2', {}, w.passed), v.passed.length ? h('ul', {}, ...v.passed.map((p) => h('li', {}, h('strong', {}, p.title), ' ', h('span', { class: 'dim' }, `${p.exerciseId} · ${p.day}`)))) : none(),
    h('h2', {}, w.time), h('p', {}, v.timeLine),
    v.time.length ? h('div', { class: 'table-box' }, h('table', { class: 'data cp-time' },
      h('tr', {}, h('th', {}, w.exercise), h('th', {}, w.open), h('th', {}, w.checking), h('th', {}, w.runs)),
      ...v.time.map((t) => h('tr', {}, h('td', {}, t.title), h('td', { class: 'num' }, t.focus), h('td', { class: 'num' }, t.checking), h('td', { class: 'num' }, t.runs))))) : null,
    h('h2', {}, w.mistakes), v.mistakes.length ? h('ul', { class: 'cp-mistakes' }, ...v.mistakes.map((m) => h('li', { class: m.fixed ? 'fixed' : 'open' },
      h('strong', {}, m.check), ' ', h('span', { class: 'dim' }, `${m.exerciseId} · ${m.times}`), h('div', {}, m.kind),
      h('div', { class: m.fixed ? 'cp-fixed' : 'cp-open' }, m.fixed ? `✓ ${m.fixed}` : w.notFixed)))) : none(),
    h('p', {}, v.answers),
    h('h2', {}, w.due), v.due.length ? h('ul', {}, ...v.due.map((d) => h('li', {}, h('span', { class: 'dim' }, d.lessonTitle, ': '), d.prompt))) : h('p', { class: 'dim' }, w.nothingDue),
    v.due.length ? button(w.answerNow, () => act({ kind: 'show', page: 'questions' }), { secondary: true, icon: 'question' }) : null,
    h('h2', {}, w.nextWeek), v.noPlan ? h('p', { class: 'dim' }, w.noPlanYet) : v.nextWeek.length ? h('ul', {}, ...v.nextWeek.map((l) => h('li', {}, l.title, ' ', h('span', { class: 'dim' }, l.minutes)))) : none(),
  );
}

// ---- notebook ----

function entryView(e: NotebookEntryView, w: Words, act: (a: CompanionAction) => void): HTMLElement {
  const code = h('pre', { class: 'cp-code' }, ...e.excerpt.map((line, i) => {
    const n = e.excerptStart + i;
    return h('div', { class: n === e.line ? 'cp-line located' : 'cp-line' }, h('span', { class: 'cp-ln' }, String(n)), line);
  }));
  return h('li', { class: e.fixedAt ? 'cp-entry fixed' : 'cp-entry open', 'data-id': e.id },
    h('div', { class: 'cp-entry-head' }, h('strong', {}, e.check), ' ',
      h('vscode-badge', {}, e.fixedAt ? fill(w.fixedOn, e.fixedAt.slice(0, 10)) : w.notFixed),
      e.due ? h('vscode-badge', { class: 'cp-due', variant: 'counter' }, w.dueAgain) : null,
      e.count > 1 ? h('span', { class: 'dim' }, ' ', fill(w.times, e.count)) : null),
    h('div', { class: 'dim' }, `${e.lessonTitle} · ${e.exerciseId} · ${e.at.slice(0, 16).replace('T', ' ')}`),
    e.checks.length > 1 ? h('details', { class: 'cp-checks' }, h('summary', {}, fill(w.checksFailing, e.checks.length)), h('ul', {}, ...e.checks.map((c) => h('li', {}, c)))) : null,
    h('p', { class: 'message' }, e.message),
    e.hint ? h('p', { class: 'hint' }, w.hint, ': ', e.hint) : null,
    h('div', { class: 'dim' }, e.line ? fill(w.atLine, e.fileName, e.line) : e.fileName),
    code,
    h('div', { class: 'cp-actions' }, button(w.reviewEntry, () => act({ kind: 'review-entry', id: e.id }), { secondary: true, icon: 'go-to-file', cls: 'cp-review-entry' })));
}

function notebookPage(v: Extract<CompanionView, { page: 'notebook' }>, act: (a: CompanionAction) => void): HTMLElement {
  const w = v.words;
  const groups = new Map<string, NotebookEntryView[]>();
  for (const e of v.entries) {
    const key = v.groupBy === 'lesson' ? e.lessonTitle : e.kind;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return h('section', { class: 'cp-page cp-notebook' },
    h('header', { class: 'cp-head' }, h('h1', {}, w.notebookTitle), h('div', { class: 'cp-actions' },
      h('span', { class: 'dim' }, w.groupBy, ' '),
      button(w.byLesson, () => act({ kind: 'group', by: 'lesson' }), { secondary: v.groupBy !== 'lesson' }),
      button(w.byKind, () => act({ kind: 'group', by: 'kind' }), { secondary: v.groupBy !== 'kind' }))),
    v.entries.length ? null : h('p', { class: 'dim' }, w.emptyNotebook),
    ...[...groups].map(([title, entries]) => h('section', { class: 'cp-group' }, h('h2', {}, title, ' ', h('span', { class: 'dim' }, `(${entries.length})`)),
      h('ul', { class: 'cp-entries' }, ...entries.map((e) => entryView(e, w, act))))),
  );
}

// ---- questions ----

function questionView(q: QuestionView, w: Words, act: (a: CompanionAction) => void): HTMLElement {
  const answer = (a: Extract<CompanionAction, { kind: 'answer' }>['answer']) => act({ kind: 'answer', key: q.key, answer: a });
  const li = h('li', { class: 'cp-question', 'data-key': q.key, 'data-kind': q.kind },
    h('div', { class: 'dim' }, q.lessonTitle, q.fresh ? ` · ${w.fresh}` : ''),
    h('p', { class: 'cp-prompt' }, q.prompt));
  const f = q.feedback;
  if (f) {
    li.classList.add(f.correct === true ? 'right' : f.correct === 'partly' ? 'partly' : 'wrong');
    li.append(h('div', { class: 'cp-feedback' },
      h('strong', {}, f.correct === true ? w.right : f.correct === 'partly' ? w.partly : w.wrong),
      f.yours ? h('div', {}, w.yourAnswer, ': ', f.yours) : null,
      h('div', {}, w.correctAnswer, ':'), h('pre', { class: 'cp-answer' }, f.answer),
      f.explanation ? h('p', {}, f.explanation) : null));
    return li;
  }
  switch (q.kind) {
    case 'numeric': {
      const input = h('input', { type: 'text', class: 'cp-input', inputmode: 'decimal', 'aria-label': w.yourAnswer, placeholder: w.number }) as HTMLInputElement;
      const submit = () => answer({ kind: 'numeric', value: input.value });
      input.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Enter') submit(); });
      li.append(h('div', { class: 'cp-row' }, input, button(w.submit, submit, { cls: 'cp-submit' })));
      break;
    }
    case 'choice':
      li.append(h('ol', { class: 'cp-choices' }, ...(q.choices ?? []).map((c, i) => h('li', {},
        h('button', { class: 'cp-choice', type: 'button', onclick: () => answer({ kind: 'choice', index: i }) }, c)))));
      break;
    case 'order': {
      const steps = [...(q.steps ?? [])];
      const list = h('ol', { class: 'cp-steps' });
      const draw = () => list.replaceChildren(...steps.map((s, i) => h('li', { class: 'cp-step' }, h('span', { class: 'cp-step-text' }, s.text),
        h('span', { class: 'cp-step-moves' },
          h('button', { type: 'button', class: 'cp-move', 'aria-label': w.up, disabled: i === 0, onclick: () => { [steps[i - 1], steps[i]] = [steps[i], steps[i - 1]]; draw(); } }, '↑'),
          h('button', { type: 'button', class: 'cp-move', 'aria-label': w.down, disabled: i === steps.length - 1, onclick: () => { [steps[i + 1], steps[i]] = [steps[i], steps[i + 1]]; draw(); } }, '↓')))));
      draw();
      li.append(list, button(w.submit, () => answer({ kind: 'order', order: steps.map((s) => s.index) }), { cls: 'cp-submit' }));
      break;
    }
    case 'open': {
      const notes = h('textarea', { class: 'cp-input cp-notes', rows: 3, 'aria-label': w.yourAnswer, placeholder: w.writeFirst });
      const grades = h('div', { class: 'cp-grades' });
      const reveal = button(w.showModel, () => {
        reveal.remove();
        grades.replaceChildren(h('div', {}, w.modelAnswer, ':'), h('pre', { class: 'cp-answer' }, q.model ?? ''), h('div', { class: 'cp-row' },
          button(w.gotIt, () => answer({ kind: 'open', grade: true })),
          button(w.partlyGot, () => answer({ kind: 'open', grade: 'partly' }), { secondary: true }),
          button(w.missedIt, () => answer({ kind: 'open', grade: false }), { secondary: true })));
      }, { cls: 'cp-show-model', secondary: true });
      li.append(notes, reveal, grades);
      break;
    }
  }
  return li;
}

function questionsPage(v: Extract<CompanionView, { page: 'questions' }>, act: (a: CompanionAction) => void): HTMLElement {
  const w = v.words;
  return h('section', { class: 'cp-page cp-questions' },
    h('header', { class: 'cp-head' }, h('h1', {}, w.questionsTitle)),
    v.questions.length ? h('ol', { class: 'cp-question-list' }, ...v.questions.map((q) => questionView(q, w, act))) : h('p', { class: 'dim' }, w.nothingDue),
    ...v.lessons.filter((l) => l.papers.length).map((l) => h('section', { class: 'cp-papers' }, h('h2', {}, fill(w.readingList, l.title)),
      h('ul', {}, ...l.papers.map((p) => h('li', {}, p))),
      button(w.writePost, () => act({ kind: 'write-post', lessonId: l.id }), { secondary: true, icon: 'edit' }))),
  );
}

