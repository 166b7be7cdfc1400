/**
 * The webview script for both LLM Lab panels (lesson text and check results). It only draws: every
 * action is a message to the extension. Built by esbuild as its own browser bundle (dist/webview.js).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { Artifact, CheckOutcome, RunResult, SourceLocation } from '../core/grading/result';
import type { PlannedCheck } from '../harness/protocol';
import { artifactView as drawArtifact } from './artifacts';
import { h } from './dom';
import { type FromWebview, type LessonView, type StringKey, type ToWebview, WEBVIEW_STRINGS } from './messages';
import { valueView } from './tensor';

declare function acquireVsCodeApi(): { postMessage(msg: FromWebview): void };
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let strings: Record<string, string> = { ...WEBVIEW_STRINGS };

function t(key: StringKey, ...args: (string | number)[]): string {
  return (strings[key] ?? WEBVIEW_STRINGS[key]).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
}

const post = (msg: FromWebview) => vscode.postMessage(msg);
const icon = (name: string, cls = '') => h('vscode-icon', { name, class: cls || undefined });
const base = (file: string) => file.split(/[\\/]/).pop() ?? file;

function button(label: string, onClick: () => void, opts: { secondary?: boolean; icon?: string } = {}): HTMLElement {
  return h('vscode-button', { secondary: opts.secondary, icon: opts.icon, onclick: onClick }, label);
}

function locationLink(loc: SourceLocation): HTMLElement {
  return h('a', { href: '#', class: 'location', onclick: (e) => { e.preventDefault(); post({ type: 'reveal', location: loc }); } },
    `${base(loc.file)}:${loc.line}:${loc.column}`);
}

// ---- lesson page ----

function renderLesson(l: LessonView): void {
  const body = h('article', { class: 'lesson-body' });
  body.innerHTML = l.html; // sanitised by the extension (sanitize-html) before it was sent
  app.replaceChildren(
    h('header', { class: 'lesson-head' },
      h('div', { class: 'eyebrow' }, l.part, ' · ', t('minutes', l.minutes)),
      h('h1', {}, l.title),
      h('div', { class: 'objectives' }, h('strong', {}, t('objectives')), h('ul', {}, ...l.objectives.map((o) => h('li', {}, o))))),
    body,
    h('section', { class: 'exercise-list' }, h('h2', {}, t('exercises')),
      ...l.exercises.map((e) => h('div', { class: `exercise-card status-${e.status}` },
        h('div', {}, h('strong', {}, e.title), ' ', h('vscode-badge', { variant: 'counter' }, t(`status_${e.status}` as StringKey)), h('div', { class: 'dim' }, e.id)),
        h('div', { class: 'actions' },
          button(t('openExercise'), () => post({ type: 'open-exercise', exerciseId: e.id }), { icon: 'go-to-file' }),
          button(t('check'), () => post({ type: 'check', exerciseId: e.id }), { secondary: true, icon: 'play' }))))),
  );
}

// ---- results page ----

let live: {
  exerciseId: string; title: string; checks: PlannedCheck[]; done: Map<string, CheckOutcome>;
  /** The check running now, and its live artifacts by title (a training curve redrawn as it grows). */
  current?: string; progress: Map<string, Artifact>;
} | undefined;

const STATUS_ICON: Record<CheckOutcome['status'], string> = { passed: 'pass-filled', failed: 'error', error: 'warning', skipped: 'circle-slash' };

function artifactView(a: Artifact): HTMLElement {
  return drawArtifact(a); // tables, bars, heatmaps, generated text: see artifacts.ts
}

function checkView(c: CheckOutcome): HTMLElement {
  const open = c.status === 'failed' || c.status === 'error';
  const details = open ? h('div', { class: 'check-details' },
    c.message ? h('p', { class: 'message' }, c.message) : null,
    c.hint ? h('p', { class: 'hint' }, icon('lightbulb'), ' ', c.hint) : null,
    c.expected || c.actual ? h('div', { class: 'compare' },
      c.expected ? h('div', {}, h('div', { class: 'label' }, t('expected')), valueView(c.expected, c.firstDifference)) : null,
      c.actual ? h('div', {}, h('div', { class: 'label' }, t('actual')), valueView(c.actual, c.firstDifference)) : null) : null,
    c.firstDifference ? h('div', { class: 'dim' }, t('firstDifference', c.firstDifference.index.join(', '))) : null,
    c.location ? h('div', {}, t('at'), ' ', locationLink(c.location)) : null,
    c.stack ? h('details', {}, h('summary', {}, t('stack')), h('pre', { class: 'stack' }, c.stack)) : null,
  ) : c.status === 'skipped' && c.message ? h('div', { class: 'check-details dim' }, c.message) : null;
  return h('li', { class: `check status-${c.status}`, 'data-check': c.id },
    h('div', { class: 'check-head' }, icon(STATUS_ICON[c.status], `icon-${c.status}`), h('span', { class: 'check-name' }, c.name),
      h('span', { class: 'dim time' }, `${c.durationMs.toFixed(1)} ms`)),
    details,
    // A passing check's tables are there to read on demand; a failing check's are part of the explanation.
    open || !c.artifacts.length ? c.artifacts.map(artifactView)
      : h('details', { class: 'artifacts' }, h('summary', { class: 'dim' }, t('details')), ...c.artifacts.map(artifactView)));
}

const ORDER: Record<CheckOutcome['status'], number> = { failed: 0, error: 0, skipped: 1, passed: 2 };

function header(title: string, status: 'running' | RunResult['status'], summary: string, exerciseId: string): HTMLElement {
  const statusIcon = status === 'running' ? h('vscode-progress-ring', { class: 'ring' })
    : icon(status === 'passed' ? 'pass-filled' : status === 'failed' ? 'error' : 'warning', `big icon-${status === 'passed' ? 'passed' : 'failed'}`);
  return h('header', { class: 'results-head' }, statusIcon,
    h('div', { class: 'grow' }, h('h1', {}, title), h('div', { class: 'summary' }, summary)),
    status === 'running' ? null : h('div', { class: 'actions' },
      button(t('checkAgain'), () => post({ type: 'check', exerciseId }), { icon: 'play' }),
      button(t('hint'), () => post({ type: 'hint', exerciseId }), { secondary: true, icon: 'lightbulb' })));
}

function renderRunning(): void {
  if (!live) return;
  const { title, checks, done, exerciseId, current, progress } = live;
  app.replaceChildren(header(title, 'running', t('running'), exerciseId),
    h('ul', { class: 'checks' }, ...checks.map((p) => {
      const d = done.get(p.id);
      if (d) return checkView(d);
      if (p.id === current) {
        return h('li', { class: 'check running' },
          h('div', { class: 'check-head' }, h('vscode-progress-ring', { class: 'inline-ring' }), h('span', { class: 'check-name' }, p.name)),
          progress.size ? h('div', { class: 'artifacts' }, ...[...progress.values()].map(artifactView)) : null);
      }
      return h('li', { class: 'check pending' }, h('div', { class: 'check-head' }, icon('circle-large-outline'), h('span', { class: 'check-name' }, p.name)));
    })));
}

function renderResult(title: string, r: RunResult): void {
  live = undefined;
  const passed = r.checks.filter((c) => c.status === 'passed').length;
  const summary = [r.status === 'passed' ? t('passedAll', r.checks.length) : t('passedSome', passed, r.checks.length),
    `${Math.round(r.durationMs)} ms`, base(r.file)].join(' · ');
  app.replaceChildren(...[
    header(title, r.status, summary, r.exerciseId),
    r.error ? h('section', { class: `run-error kind-${r.error.kind}` },
      h('div', { class: 'label' }, icon('warning'), ' ', t(`error_${r.error.kind}` as StringKey)),
      h('p', { class: 'message' }, r.error.message),
      r.error.location ? h('div', {}, t('at'), ' ', locationLink(r.error.location)) : null,
      r.error.detail ? h('pre', { class: 'stack' }, r.error.detail) : null) : null,
    // What needs attention first; the sort is stable, so each group keeps the lesson's order.
    h('ul', { class: 'checks' }, ...[...r.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]).map(checkView)),
    r.logs.length ? h('vscode-collapsible', { title: `${t('output')} (${r.logs.length})` }, h('pre', { class: 'logs' }, r.logs.join('\n'))) : null,
  ].filter((x): x is HTMLElement => x !== null));
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'init':
      strings = { ...WEBVIEW_STRINGS, ...msg.strings };
      if (msg.page === 'results' && !app.hasChildNodes()) app.replaceChildren(h('p', { class: 'dim empty' }, t('noResult')));
      break;
    case 'lesson': renderLesson(msg.lesson); break;
    case 'running':
      live = { exerciseId: msg.exerciseId, title: msg.title, checks: msg.checks, done: new Map(), progress: new Map() };
      renderRunning();
      break;
    case 'check-started':
      if (live) { live.current = msg.id; live.progress = new Map(); renderRunning(); }
      break;
    case 'check-progress':
      if (live && live.current === msg.id) { live.progress.set(msg.artifact.title, msg.artifact); renderRunning(); }
      break;
    case 'check-finished':
      if (live) { live.done.set(msg.outcome.id, msg.outcome); live.current = undefined; renderRunning(); }
      break;
    case 'result': renderResult(msg.title, msg.result); break;
  }
});

post({ type: 'ready' });
