/**
 * The learner's history, from what really happens: exercises opened, every check run (status, counts, how
 * long), exercises passed, time with an exercise editor focused, and answers to review questions. And the
 * mistake notebook (错题本): every diagnosed failure the learner hit (the check, the message in the learner's
 * language, the located line, the code around it and the whole file at that moment), and when it was fixed.
 * Pure functions over plain data; the extension saves it with store.ts.
 */
import type { CheckOutcome, RunResult, RunStatus } from '../grading/result';
import type { Locale } from '../grading/text';
import { type Card, cardProblem, newCard, rate } from './schedule';

export type HistoryEvent =
  | { type: 'opened'; at: string; exerciseId: string }
  | { type: 'run'; at: string; exerciseId: string; status: RunStatus; passed: number; total: number; durationMs: number; mistakes: string[] }
  | { type: 'passed'; at: string; exerciseId: string }
  /** `ms` of focused time with the exercise's editor, ending at `at`. */
  | { type: 'focus'; at: string; exerciseId: string; ms: number }
  | { type: 'answer'; at: string; question: string; correct: boolean };

export interface NotebookEntry {
  /** `<exercise id>#<n>`: unique in the notebook. */
  id: string;
  exerciseId: string;
  lessonId: string;
  /** The first check that showed the mistake, and every check of the exercise that showed the same diagnosis. */
  checkId: string;
  check: string;
  checkIds: string[];
  checks: string[];
  /** The diagnosis (first line of the message): what "by kind" groups on. */
  kind: string;
  message: string;
  hint?: string;
  locale: Locale;
  /** First and last time this mistake was hit, and how often. */
  at: string;
  lastSeen: string;
  count: number;
  /** The located line (1-based) in the learner's file, if the runner found one. */
  line?: number;
  /** The lines around it: `excerpt[0]` is line `excerptStart`. */
  excerptStart: number;
  excerpt: string[];
  /** The learner's whole file when the mistake was first hit (for a review in a scratch copy). */
  code: string;
  fileName: string;
  fixedAt?: string;
  /** Spaced repetition: mistakes come back for review like questions. */
  card: Card;
}

export interface QuestionRecord {
  card: Card;
  answers: number;
  wrong: number;
  last?: { at: string; correct: boolean };
}

export interface History {
  version: 1;
  events: HistoryEvent[];
  notebook: NotebookEntry[];
  /** By `<lesson id>/<question id>`. */
  questions: Record<string, QuestionRecord>;
}

export const emptyHistory = (): History => ({ version: 1, events: [], notebook: [], questions: {} });

/** Why a parsed history.json is not one (hand-edited), or undefined. */
export function historyProblem(v: unknown): string | undefined {
  const h = v as Partial<History> | null;
  if (typeof h !== 'object' || h === null || h.version !== 1) return 'not a version 1 history';
  if (!Array.isArray(h.events)) return '"events" must be a list';
  for (const [i, e] of h.events.entries()) {
    if (typeof e !== 'object' || e === null || typeof e.at !== 'string' || Number.isNaN(Date.parse(e.at))) return `events[${i}] has no valid "at" time`;
    if (!['opened', 'run', 'passed', 'focus', 'answer'].includes(e.type)) return `events[${i}] has an unknown type ${JSON.stringify(e.type)}`;
    if (e.type === 'focus' && !(typeof e.ms === 'number' && e.ms >= 0)) return `events[${i}].ms must be a number of milliseconds`;
  }
  if (!Array.isArray(h.notebook)) return '"notebook" must be a list';
  for (const [i, n] of h.notebook.entries()) {
    if (typeof n !== 'object' || n === null) return `notebook[${i}] must be an object`;
    for (const f of ['id', 'exerciseId', 'lessonId', 'checkId', 'check', 'kind', 'message', 'at', 'lastSeen', 'code', 'fileName'] as const) {
      if (typeof n[f] !== 'string') return `notebook[${i}].${f} must be a string`;
    }
    if (!Array.isArray(n.excerpt) || typeof n.excerptStart !== 'number') return `notebook[${i}] has no code excerpt`;
    if (!Array.isArray(n.checkIds) || !Array.isArray(n.checks)) return `notebook[${i}] must list its checks`;
    const c = cardProblem(n.card);
    if (c) return `notebook[${i}].card: ${c}`;
  }
  if (typeof h.questions !== 'object' || h.questions === null || Array.isArray(h.questions)) return '"questions" must be an object';
  for (const [k, q] of Object.entries(h.questions)) {
    const c = typeof q === 'object' && q !== null ? cardProblem(q.card) : 'missing';
    if (c) return `questions["${k}"].card: ${c}`;
  }
  return undefined;
}

/** A failure that is a diagnosis of the learner's code (not a TODO left, not a run that did not start). */
export function isMistake(c: CheckOutcome): boolean {
  return (c.status === 'failed' || c.status === 'error') && !!c.message && !c.convention && !/\bTODO\('[^']*'\)/.test(c.message);
}

/** Lines `line - before` .. `line + after` of `code` (1-based), clamped to the file. */
export function excerptOf(code: string, line: number | undefined, before = 3, after = 3): { excerptStart: number; excerpt: string[] } {
  const lines = code.split('\n');
  if (!line) return { excerptStart: 1, excerpt: lines.slice(0, 1 + before + after) };
  const start = Math.max(1, line - before);
  return { excerptStart: start, excerpt: lines.slice(start - 1, Math.min(lines.length, line + after)) };
}

const diagnosis = (c: CheckOutcome) => (c.message ?? '').split('\n')[0].trim();

/**
 * Records one finished check run: a `run` event, a `passed` event the first time the exercise passes,
 * every mistake into the notebook (a mistake seen again updates its entry; a fixed one hit again is open
 * again), and each open entry whose check now passes is marked fixed. `code` is the learner's file as it was
 * checked. A run of only some checks (`partial`) records no pass.
 */
export function recordRun(h: History, args: {
  result: RunResult; lessonId: string; code: string; fileName: string; locale: Locale; now: Date; partial?: boolean;
}): History {
  const { result, lessonId, code, fileName, locale, now, partial } = args;
  const at = now.toISOString();
  const notebook = h.notebook.map((n) => ({ ...n }));
  const ids: string[] = [];
  const seen = new Set<NotebookEntry>();
  for (const c of result.checks) {
    if (!isMistake(c)) continue;
    const kind = diagnosis(c);
    const line = c.location && sameFile(c.location.file, result.file) ? c.location.line : undefined;
    // One entry per diagnosis of an exercise: several checks failing the same way are one mistake.
    let entry = notebook.find((n) => n.exerciseId === result.exerciseId && n.kind === kind);
    if (entry && seen.has(entry)) {
      if (!entry.checkIds.includes(c.id)) { entry.checkIds = [...entry.checkIds, c.id]; entry.checks = [...entry.checks, c.name]; }
      if (!entry.line && line) Object.assign(entry, excerptOf(code, line), { line });
      continue;
    }
    if (entry) {
      entry.lastSeen = at;
      entry.count++;
      if (!entry.checkIds.includes(c.id)) { entry.checkIds = [...entry.checkIds, c.id]; entry.checks = [...entry.checks, c.name]; }
      if (entry.fixedAt) { // back again: the learner's current code is the one to review
        delete entry.fixedAt;
        Object.assign(entry, excerptOf(code, line), { code, line, card: rate(entry.card, false, now) });
      }
    } else {
      const n = notebook.filter((x) => x.exerciseId === result.exerciseId).length + 1;
      entry = {
        id: `${result.exerciseId}#${n}`, exerciseId: result.exerciseId, lessonId, checkId: c.id, check: c.name, checkIds: [c.id], checks: [c.name], kind,
        message: c.message ?? '', ...(c.hint ? { hint: c.hint } : {}), locale, at, lastSeen: at, count: 1,
        ...(line ? { line } : {}), ...excerptOf(code, line), code, fileName,
        // A mistake comes back for review: rated "again" the moment it happens.
        card: rate(newCard(now), false, now),
      };
      notebook.push(entry);
    }
    seen.add(entry);
    ids.push(entry.id);
  }
  // An open entry is fixed when every one of its checks that ran now passes (a run of some checks says
  // nothing about the others) and nothing failed with its diagnosis.
  const status = new Map(result.checks.map((c) => [c.id, c.status]));
  for (const n of notebook) {
    if (n.exerciseId !== result.exerciseId || n.fixedAt || seen.has(n)) continue;
    const ran = n.checkIds.filter((id) => status.has(id));
    if (ran.length && ran.every((id) => status.get(id) === 'passed')) n.fixedAt = at;
  }
  const passed = result.checks.filter((c) => c.status === 'passed').length;
  const events: HistoryEvent[] = [...h.events, {
    type: 'run', at, exerciseId: result.exerciseId, status: result.status, passed, total: result.checks.length,
    durationMs: Math.round(result.durationMs), mistakes: ids,
  }];
  const everPassed = h.events.some((e) => e.type === 'passed' && e.exerciseId === result.exerciseId);
  if (!partial && result.status === 'passed' && !everPassed) events.push({ type: 'passed', at, exerciseId: result.exerciseId });
  return { ...h, events, notebook };
}

function sameFile(a: string, b: string): boolean {
  return a.replace(/\\/g, '/').toLowerCase() === b.replace(/\\/g, '/').toLowerCase();
}

/** The learner reviewed a notebook mistake (in a scratch copy): its card is rated, so it comes back later. */
export function reviewedMistake(h: History, id: string, now: Date): History {
  return { ...h, notebook: h.notebook.map((n) => (n.id === id ? { ...n, card: rate(n.card, true, now) } : n)) };
}

export function recordOpened(h: History, exerciseId: string, now: Date): History {
  return { ...h, events: [...h.events, { type: 'opened', at: now.toISOString(), exerciseId }] };
}

/** Adds focused time; consecutive slices of the same exercise within a minute merge into one event. */
export function recordFocus(h: History, exerciseId: string, msFocused: number, now: Date): History {
  if (msFocused <= 0) return h;
  const last = h.events[h.events.length - 1];
  if (last?.type === 'focus' && last.exerciseId === exerciseId && now.getTime() - Date.parse(last.at) - msFocused < 60_000
    && new Date(last.at).toDateString() === now.toDateString()) {
    return { ...h, events: [...h.events.slice(0, -1), { ...last, at: now.toISOString(), ms: last.ms + Math.round(msFocused) }] };
  }
  return { ...h, events: [...h.events, { type: 'focus', at: now.toISOString(), exerciseId, ms: Math.round(msFocused) }] };
}

/** The day each exercise first passed. */
export function passedOn(h: History): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of h.events) if (e.type === 'passed' && !out.has(e.exerciseId)) out.set(e.exerciseId, e.at);
  return out;
}

/**
 * Focused-time tracking with an idle cutoff: `activity()` on every sign of work (typing, selection,
 * focus); time between two signs counts only when the gap is under `idleMs`, and only for the exercise
 * the editor shows.
 */
export class FocusClock {
  private current: { exerciseId: string; last: number } | undefined;
  constructor(private readonly idleMs = 5 * 60_000) {}

  /** A sign of work on `exerciseId` (undefined: not an exercise, or the window lost focus) at `now` (ms). Returns the time to credit. */
  activity(exerciseId: string | undefined, now: number): { exerciseId: string; ms: number } | undefined {
    const prev = this.current;
    this.current = exerciseId ? { exerciseId, last: now } : undefined;
    if (!prev) return undefined;
    const gap = now - prev.last;
    if (gap <= 0) return undefined;
    // A gap longer than the cutoff counts nothing: the learner was away.
    if (gap > this.idleMs) return undefined;
    return { exerciseId: prev.exerciseId, ms: gap };
  }
}
