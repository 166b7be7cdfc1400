/**
 * The webview script for both LLM Lab panels (lesson text and check results). It only draws: every
 * action is a message to the extension. Built by esbuild as its own browser bundle (dist/webview.js).
 *
 * What it draws is also kept with `setState` (the lesson's id, or the last results), so that a window
 * reload brings the panel back as it was (the host registers a WebviewPanelSerializer for both).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { Artifact, CheckOutcome, RunResult, SourceLocation } from '../core/grading/result';
import type { PlannedCheck } from '../harness/protocol';
import { artifactView } from './artifacts';
import { renderCompanion } from './companion';
import { h } from './dom';
import { type FromWebview, type LessonView, type StringKey, type ToWebview, type WebviewState } from './messages';
import { setStrings, t } from './strings';
import { compareView } from './tensor';

declare function acquireVsCodeApi(): { postMessage(msg: FromWebview): void; getState(): unknown; setState(state: WebviewState): void };
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

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
  vscode.setState({ page: 'lesson', lessonId: l.id });
}

// ---- results page ----

let live: {
  exerciseId: string; title: string; checks: PlannedCheck[]; done: Map<string, CheckOutcome>;
  /** The check running now, and its live artifacts by title (a training curve redrawn as it grows). */
  current?: string; progress: Map<string, Artifact>;
} | undefined;

/** The finished view on screen (a result, or "no results yet"), redrawn when translations arrive. */
type ResultsView = Extract<ToWebview, { type: 'result' | 'empty' }>;
let shown: ResultsView | undefined;

const STATUS_ICON: Record<CheckOutcome['status'], string> = { passed: 'pass-filled', failed: 'error', error: 'warning', skipped: 'circle-slash' };
const failing = (c: CheckOutcome) => c.status === 'failed' || c.status === 'error';

/**
 * A check's artifacts. A failing check's are part of its explanation, so they show; a passing check's
 * tables are there to read on demand, folded under Details, except its curves: a training run's curve is
 * what the learner watched grow, and it stays in view when the run ends.
 */
function artifactsOf(c: CheckOutcome): (HTMLElement | null)[] {
  const passed = c.status === 'passed';
  const draw = (a: Artifact) => artifactView(a, { passed });
  if (failing(c) || !c.artifacts.length) return c.artifacts.map(draw);
  const curves = c.artifacts.filter((a) => a.kind === 'curve');
  const rest = c.artifacts.filter((a) => a.kind !== 'curve');
  return [
    ...curves.map(draw),
    rest.length ? h('details', { class: 'artifacts' }, h('summary', { class: 'dim' }, t('details')), ...rest.map(draw)) : null,
  ];
}

/** What is particular to one failing check: values, where, the stack. The message and hint are not. */
function specifics(c: CheckOutcome, withLocation = true): (HTMLElement | null)[] {
  return [
    c.expected || c.actual ? compareView(c.expected, c.actual, c.firstDifference) : null,
    c.firstDifference ? h('div', { class: 'dim' }, t('firstDifference', c.firstDifference.index.join(', '))) : null,
    withLocation && c.location ? h('div', {}, t('at'), ' ', locationLink(c.location)) : null,
    c.stack ? h('details', {}, h('summary', {}, t('stack')), h('pre', { class: 'stack' }, c.stack)) : null,
  ];
}

function checkHead(c: CheckOutcome, name: string | HTMLElement = c.name): HTMLElement {
  return h('div', { class: 'check-head' }, icon(STATUS_ICON[c.status], `icon-${c.status}`), h('span', { class: 'check-name' }, name),
    h('span', { class: 'dim time' }, `${c.durationMs.toFixed(1)} ms`));
}

/** One check; `sameAs` names an earlier check with the same diagnosis, written there and not again. */
function checkView(c: CheckOutcome, sameAs?: string): HTMLElement {
  // Another library's convention is not a mistake: said as a note, in the information colour, not the error one.
  const convention = c.convention ? h('p', { class: 'convention-note' }, icon('info'), ' ', t('convention', c.convention)) : null;
  const details = failing(c) ? h('div', { class: 'check-details' },
    sameAs ? h('p', { class: 'dim' }, t('sameAs', sameAs))
      : [convention, c.message ? h('p', { class: 'message' }, c.message) : null, c.hint ? h('p', { class: 'hint' }, icon('lightbulb'), ' ', c.hint) : null],
    ...specifics(c),
  ) : c.status === 'skipped' && c.message ? h('div', { class: 'check-details dim' }, c.message) : null;
  return h('li', { class: `check status-${c.status}${c.convention ? ' convention' : ''}`, 'data-check': c.id }, checkHead(c), details, ...artifactsOf(c));
}

/**
 * Checks that fail with the same diagnosis (one mistake, seen by several checks: a scaffold's TODO, a
 * missing scale): the message and hint once, then the checks by name, each with what is its own.
 */
function groupView(checks: CheckOutcome[]): HTMLElement {
  const [first] = checks;
  const where = new Set(checks.map((c) => (c.location ? `${c.location.file}:${c.location.line}:${c.location.column}` : '')));
  const shared = where.size === 1 && first.location ? first.location : undefined;
  const total = checks.reduce((p, c) => p + c.durationMs, 0);
  return h('li', { class: `check group status-${first.status}`, 'data-check': first.id },
    h('div', { class: 'check-head' }, icon(STATUS_ICON[first.status], `icon-${first.status}`),
      // In the panel's language (a heading of the panel, not a check's name, which is in the course's).
      h('span', { class: 'group-name' }, t('sameProblem', checks.length)), h('span', { class: 'dim time' }, `${total.toFixed(1)} ms`)),
    h('div', { class: 'check-details' },
      first.message ? h('p', { class: 'message' }, first.message) : null,
      first.hint ? h('p', { class: 'hint' }, icon('lightbulb'), ' ', first.hint) : null,
      shared ? h('div', {}, t('at'), ' ', locationLink(shared)) : null,
      h('ul', { class: 'group-members' }, ...checks.map((c) => {
        const own = [...specifics(c, !shared), ...c.artifacts.map((a) => artifactView(a))].filter((x): x is HTMLElement => x !== null);
        return h('li', { class: 'member', 'data-check': c.id },
          own.length ? h('details', {}, h('summary', {}, h('span', { class: 'check-name' }, c.name)), ...own) : h('span', { class: 'check-name' }, c.name));
      }))));
}

/** The key under which failing checks share a diagnosis: same status, message and hint. */
const diagnosis = (c: CheckOutcome) => (failing(c) && c.message ? `${c.status}\n${c.message}\n${c.hint ?? ''}` : undefined);

/** The checks in order, each diagnosis shared by several failing checks drawn once where it first occurs. */
function checkList(checks: CheckOutcome[]): HTMLElement[] {
  const groups = new Map<string, CheckOutcome[]>();
  for (const c of checks) {
    const k = diagnosis(c);
    if (k) groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  const drawn = new Set<string>();
  return checks.flatMap((c) => {
    const k = diagnosis(c);
    const group = k ? groups.get(k)! : [];
    if (!k || group.length < 2) return [checkView(c)];
    if (drawn.has(k)) return [];
    drawn.add(k);
    return [groupView(group)];
  });
}

const ORDER: Record<CheckOutcome['status'], number> = { failed: 0, error: 0, skipped: 1, passed: 2 };

function header(title: string, status: 'running' | 'none' | RunResult['status'], summary: string, exerciseId: string): HTMLElement {
  const statusIcon = status === 'running' ? h('vscode-progress-ring', { class: 'ring' })
    : status === 'none' ? icon('circle-large-outline', 'big icon-skipped')
      : icon(status === 'passed' ? 'pass-filled' : status === 'failed' ? 'error' : 'warning', `big icon-${status === 'passed' ? 'passed' : 'failed'}`);
  return h('header', { class: 'results-head' }, statusIcon,
    h('div', { class: 'grow' }, h('h1', {}, title), h('div', { class: 'summary' }, summary)),
    status === 'running' ? null : h('div', { class: 'actions' },
      button(status === 'none' ? t('check') : t('checkAgain'), () => post({ type: 'check', exerciseId }), { icon: 'play' }),
      button(t('hint'), () => post({ type: 'hint', exerciseId }), { secondary: true, icon: 'lightbulb' })));
}

function renderRunning(): void {
  if (!live) return;
  const { title, checks, done, exerciseId, current, progress } = live;
  // A diagnosis already written by an earlier check of this run is named, not repeated.
  const firstWith = new Map<string, string>();
  app.replaceChildren(header(title, 'running', t('running'), exerciseId),
    h('ul', { class: 'checks' }, ...checks.map((p) => {
      const d = done.get(p.id);
      if (d) {
        const k = diagnosis(d);
        const earlier = k ? firstWith.get(k) : undefined;
        if (k && !earlier) firstWith.set(k, d.name);
        return checkView(d, earlier);
      }
      if (p.id === current) {
        return h('li', { class: 'check running' },
          h('div', { class: 'check-head' }, h('vscode-progress-ring', { class: 'inline-ring' }), h('span', { class: 'check-name' }, p.name)),
          progress.size ? h('div', { class: 'artifacts' }, ...[...progress.values()].map((a) => artifactView(a, { passed: true }))) : null);
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
    h('ul', { class: 'checks' }, ...checkList([...r.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]))),
    r.logs.length ? h('vscode-collapsible', { title: `${t('output')} (${r.logs.length})` }, h('pre', { class: 'logs' }, r.logs.join('\n'))) : null,
  ].filter((x): x is HTMLElement => x !== null));
}

function renderEmpty(exerciseId: string, title: string): void {
  live = undefined;
  app.replaceChildren(header(title, 'none', t('notCheckedHere'), exerciseId));
}

/** Draws a finished view and keeps it for a window reload. */
function show(view: ResultsView): void {
  shown = view;
  if (view.type === 'result') renderResult(view.title, view.result);
  else renderEmpty(view.exerciseId, view.title);
  vscode.setState({ page: 'results', view });
}

// Whatever throws in the page is reported to the host's log: a blank panel should leave a trace.
const report = (what: string, e: unknown) => post({ type: 'page-error', message: `${what}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`.slice(0, 2000) });
window.addEventListener('error', (e) => report('error', e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => report('unhandled rejection', e.reason));

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  try {
    handle(event.data);
  } catch (e) {
    report(`drawing a '${event.data?.type}' message`, e);
  }
});

function handle(msg: ToWebview): void {
  switch (msg.type) {
    case 'init':
      setStrings(msg.strings);
      if (msg.page === 'results') {
        if (shown && !live) show(shown); // drawn from saved state before the translations came
        else if (!app.hasChildNodes()) app.replaceChildren(h('p', { class: 'dim empty' }, t('noResult')));
      }
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
    case 'result':
    case 'empty':
      show(msg);
      break;
    case 'companion': renderCompanion(app, msg.view, post); break;
    default: {
      // Every message the extension sends is handled above: a new kind fails to compile here.
      const unhandled: never = msg;
      console.warn('LLM Lab: unknown message', unhandled);
    }
  }
}

// After a window reload: draw what was on screen at once, before the host says anything.
const saved = vscode.getState() as WebviewState | undefined;
if (saved?.page === 'results' && saved.view && document.body.dataset.page === 'results') show(saved.view);

post({ type: 'ready', generation: document.body.dataset.generation });
