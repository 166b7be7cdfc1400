/**
 * The study companion's core (src/core/companion): plan arithmetic (weeks, replanning keeps what was done),
 * the history and notebook store (write-then-rename, corrupt and hand-edited files set aside and reported,
 * exports that never overwrite), the notebook from real check results, the question grader and the spaced
 * repetition (a wrong answer comes back sooner), focused time with an idle cutoff, and the weekly review.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildReview, emptyHistory, FocusClock, grade, type History, historyProblem, isDue, layPlan, lessonsOfWeek, newCard, type PlanFile,
  planFileProblem, type PlanLesson, rate, readJson, readNumber, recordAnswer, recordFocus, recordRun, replan, reviewMarkdown, shuffled,
  standing, writeJson, writeNew, dueQuestions, excerptOf, weekOf, reviewedMistake,
} from '../../src/core/companion';
import type { CheckOutcome, RunResult } from '../../src/core/grading/result';
import type { Lesson, Question } from '../../src/core/lessons/catalog';
import { tempDir } from './helpers';

// ---- plan arithmetic ----

const L = (id: string, minutes: number, questions = 0): PlanLesson => ({ id, title: id.toUpperCase(), part: 'P', minutes, questions });
/** 1 h a day, 5 days a week = 300 minutes a week. Review: max(10, minutes/4) + 2 per question. */
const plan: PlanFile = { version: 1, settings: { hoursPerDay: 1, daysPerWeek: 5, start: '2026-01-05' } };

test('plan: lessons are laid over weeks by their minutes plus review time, a long lesson runs into the next week', () => {
  // a: 120 + 30 = 150; b: 100 + 25 + 2*5 = 135 (week 0 has 300: 285 used); c: 200 + 50 = 250 -> 15 in week 0, rest in 1; d: 40 + 10 = 50.
  const layout = layPlan([L('a', 120), L('b', 100, 5), L('c', 200), L('d', 40)], plan, {});
  assert.equal(layout.capacity, 300);
  const by = Object.fromEntries(layout.lessons.map((l) => [l.id, [l.firstWeek, l.lastWeek, l.load]]));
  assert.deepEqual(by, { a: [0, 0, 150], b: [0, 0, 135], c: [0, 1, 250], d: [1, 1, 50] });
  assert.equal(layout.weeks, 2);
  assert.deepEqual(lessonsOfWeek(layout, 1).map((l) => l.id), ['c', 'd']);
  // A lesson longer than a whole week spans three.
  const long = layPlan([L('x', 600)], plan, {});
  assert.deepEqual([long.lessons[0].firstWeek, long.lessons[0].lastWeek], [0, 2]); // 750 minutes
});

test('plan: weeks and days are calendar arithmetic from the start date', () => {
  assert.equal(weekOf(plan.settings, '2026-01-05'), 0);
  assert.equal(weekOf(plan.settings, '2026-01-11'), 0);
  assert.equal(weekOf(plan.settings, '2026-01-12'), 1);
  assert.equal(weekOf(plan.settings, '2026-01-04'), -1);
  assert.equal(planFileProblem(plan), undefined);
  assert.match(planFileProblem({ ...plan, settings: { ...plan.settings, daysPerWeek: 8 } })!, /daysPerWeek/);
  assert.match(planFileProblem({ ...plan, settings: { ...plan.settings, start: '2026-02-30' } })!, /start/);
});

test('plan: standing against the plan (on track, behind after a missed week, ahead)', () => {
  const lessons = [L('a', 120), L('b', 120), L('c', 120), L('d', 120)]; // 150 each: two a week
  const none = layPlan(lessons, plan, {});
  assert.equal(standing(none, '2026-01-04').status, 'not-started');
  // End of week 0 (Friday, the 5th study day): 300 planned, none done -> one week behind.
  const fri = standing(none, '2026-01-09');
  assert.deepEqual([fri.planned, fri.done, fri.weeksAhead, fri.status], [300, 0, -1, 'behind']);
  const both = layPlan(lessons, plan, { a: '2026-01-06', b: '2026-01-08' });
  assert.equal(standing(both, '2026-01-09').status, 'on-track');
  const ahead = layPlan(lessons, plan, { a: '2026-01-06', b: '2026-01-07', c: '2026-01-08' });
  assert.equal(standing(ahead, '2026-01-07').status, 'ahead');
  const all = layPlan(lessons, plan, { a: '2026-01-06', b: '2026-01-07', c: '2026-01-08', d: '2026-01-08' });
  assert.equal(standing(all, '2026-01-09').status, 'finished');
});

test('plan: replanning after a missed week keeps what was done where it was done and lays the rest from this week', () => {
  const lessons = [L('a', 120), L('b', 120), L('c', 120), L('d', 120)];
  // Week 0: a done. Week 1 missed entirely. Replan on Wednesday of week 2.
  const done = { a: '2026-01-06' };
  const before = layPlan(lessons, plan, done);
  assert.deepEqual(before.lessons.map((l) => [l.id, l.firstWeek]), [['a', 0], ['b', 0], ['c', 1], ['d', 1]]);
  assert.equal(standing(before, '2026-01-21').status, 'behind');
  const again = replan(plan, '2026-01-21');
  assert.equal(again.replannedFrom, '2026-01-21');
  assert.deepEqual(again.settings, plan.settings);
  const after = layPlan(lessons, again, done);
  assert.deepEqual(after.lessons.map((l) => [l.id, l.firstWeek, l.lastWeek, !!l.doneOn]), [['a', 0, 0, true], ['b', 2, 2, false], ['c', 2, 2, false], ['d', 3, 3, false]]);
  // A lesson done in the week being replanned uses that week's time.
  const after2 = layPlan(lessons, again, { ...done, b: '2026-01-20' });
  assert.deepEqual(after2.lessons.map((l) => [l.id, l.firstWeek, l.lastWeek]), [['a', 0, 0], ['b', 2, 2], ['c', 2, 2], ['d', 3, 3]]);
  assert.equal(after2.lessons.find((l) => l.id === 'b')!.doneOn, '2026-01-20');
});

// ---- the store ----

test('store: JSON is written with write-then-rename (no temporary file left) and read back', () => {
  const dir = tempDir();
  const file = path.join(dir, 'companion', 'history.json');
  const h = recordFocus(emptyHistory(), 'x/y', 1000, new Date('2026-01-05T10:00:00Z'));
  writeJson(file, h);
  assert.deepEqual(readdirSync(path.dirname(file)), ['history.json']);
  const back = readJson(file, historyProblem, emptyHistory, () => assert.fail('not corrupt'));
  assert.deepEqual(back, h);
  // A missing file is an empty history, without a report.
  assert.deepEqual(readJson(path.join(dir, 'none.json'), historyProblem, emptyHistory, () => assert.fail('missing is not corrupt')), emptyHistory());
});

test('store: a corrupt or hand-edited file is reported and set aside as <name>.corrupt-<timestamp>.json, never silently reset', () => {
  const dir = tempDir();
  const file = path.join(dir, 'history.json');
  for (const [what, text, reason] of [
    ['truncated JSON', '{"version": 1, "events": [', /not valid JSON/],
    ['hand-edited: a bad event', JSON.stringify({ version: 1, events: [{ type: 'run', at: 'yesterday' }], notebook: [], questions: {} }), /events\[0\] has no valid "at" time/],
    ['hand-edited: wrong version', JSON.stringify({ version: 7 }), /not a version 1 history/],
  ] as const) {
    writeFileSync(file, text);
    const reports: { file: string; movedTo: string; reason: string }[] = [];
    const h = readJson(file, historyProblem, emptyHistory, (c) => reports.push(c), new Date('2026-01-05T10:00:00.123Z'));
    assert.deepEqual(h, emptyHistory(), what);
    assert.equal(reports.length, 1, what);
    assert.equal(reports[0].file, file);
    assert.match(reports[0].reason, reason, what);
    assert.match(path.basename(reports[0].movedTo), /^history\.corrupt-2026-01-05T10-00-00-123Z(-\d+)?\.json$/);
    assert.equal(readFileSync(reports[0].movedTo, 'utf8'), text, `${what}: the copy keeps what the file held`);
    assert.ok(!existsSync(file));
  }
  // Three set aside in the same millisecond: three copies, none overwritten.
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('history.corrupt-')).length, 3);
  // A plan file too.
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify({ version: 1, settings: { hoursPerDay: 'lots', daysPerWeek: 5, start: '2026-01-05' } }));
  let reported = '';
  assert.equal(readJson(planFile, planFileProblem, () => undefined, (c) => { reported = c.reason; }), undefined);
  assert.match(reported, /hoursPerDay/);
});

test('store: exports never overwrite a file (-2, -3...)', () => {
  const dir = tempDir();
  const a = writeNew(dir, 'review-2026-01-05', '.md', 'one');
  const b = writeNew(dir, 'review-2026-01-05', '.md', 'two');
  const c = writeNew(dir, 'review-2026-01-05', '.md', 'three');
  assert.deepEqual([a, b, c].map((f) => path.basename(f)), ['review-2026-01-05.md', 'review-2026-01-05-2.md', 'review-2026-01-05-3.md']);
  assert.deepEqual([a, b, c].map((f) => readFileSync(f, 'utf8')), ['one', 'two', 'three']);
});

// ---- history and notebook from check results ----

const FILE = '/work/llm-lab/02-attention/attention.ts';
const CODE = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
const outcome = (id: string, status: CheckOutcome['status'], message?: string, line?: number): CheckOutcome => ({
  id, name: `check ${id}`, status, durationMs: 5, artifacts: [], ...(message ? { message, hint: 'a hint' } : {}),
  ...(line ? { location: { file: FILE, line, column: 3 } } : {}),
});
const run = (status: RunResult['status'], checks: CheckOutcome[]): RunResult => ({ exerciseId: 'attention/sdp', file: FILE, status, checks, logs: [], durationMs: 1200 });
const at = (s: string) => new Date(s);

test('notebook: a diagnosed mistake is kept with its message, located line and code; TODOs are not mistakes; a later pass marks it fixed', () => {
  let h = emptyHistory();
  h = recordRun(h, { result: run('failed', [outcome('a', 'failed', "TODO('attention') is not written yet")]), lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'en', now: at('2026-01-05T10:00:00Z') });
  assert.equal(h.notebook.length, 0, 'an untouched scaffold is not a mistake');
  const bad = run('failed', [outcome('a', 'passed'), outcome('b', 'failed', 'The scores are not scaled by 1/√d.\nexpected 0.5, got 0.7', 10),
    outcome('c', 'failed', 'The scores are not scaled by 1/√d.\nexpected 0.1, got 0.2', 10)]);
  h = recordRun(h, { result: bad, lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'en', now: at('2026-01-05T10:05:00Z') });
  assert.equal(h.notebook.length, 1);
  const e = h.notebook[0];
  assert.deepEqual([e.exerciseId, e.lessonId, e.checkId, e.kind, e.line, e.count, e.fixedAt], ['attention/sdp', 'attention', 'b', 'The scores are not scaled by 1/√d.', 10, 1, undefined]);
  assert.deepEqual([e.checkIds, e.checks], [['b', 'c'], ['check b', 'check c']], 'two checks failing the same way are one mistake');
  assert.deepEqual([e.excerptStart, e.excerpt], [7, ['line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13']]);
  assert.equal(e.code, CODE);
  assert.ok(!isDue(e.card, at('2026-01-05T12:00:00Z')) && isDue(e.card, at('2026-01-06T10:05:00Z')), 'a fresh mistake comes back the next day');
  // The same mistake again: one entry, seen twice.
  h = recordRun(h, { result: bad, lessonId: 'attention', code: CODE + '\n// edit', fileName: 'attention.ts', locale: 'en', now: at('2026-01-05T10:07:00Z') });
  assert.deepEqual([h.notebook.length, h.notebook[0].count, h.notebook[0].code], [1, 2, CODE]);
  // Fixed: the check passes.
  // Only one of its checks run, and passing: still fixed only when every check of it that ran passes.
  const partly = recordRun(h, { result: run('failed', [outcome('b', 'passed'), outcome('c', 'failed', 'another problem')]), lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'en', now: at('2026-01-05T10:20:00Z') });
  assert.equal(partly.notebook[0].fixedAt, undefined);
  h = recordRun(h, { result: run('passed', [outcome('a', 'passed'), outcome('b', 'passed'), outcome('c', 'passed')]), lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'en', now: at('2026-01-05T10:30:00Z') });
  assert.equal(h.notebook[0].fixedAt, '2026-01-05T10:30:00.000Z');
  assert.deepEqual(h.events.map((x) => x.type), ['run', 'run', 'run', 'run', 'passed']);
  assert.equal(historyProblem(JSON.parse(JSON.stringify(h))), undefined, 'the history survives a JSON round trip');
  // A partial run that passes is not a pass.
  const h2 = recordRun(emptyHistory(), { result: run('passed', [outcome('a', 'passed')]), lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'en', now: at('2026-01-05T10:00:00Z'), partial: true });
  assert.deepEqual(h2.events.map((x) => x.type), ['run']);
  assert.deepEqual(excerptOf('a\nb', 1), { excerptStart: 1, excerpt: ['a', 'b'] });
});

test('focused time: gaps under the idle cutoff count, longer ones do not, and no exercise means no time', () => {
  const clock = new FocusClock(5 * 60_000);
  assert.equal(clock.activity('x', 0), undefined);
  assert.deepEqual(clock.activity('x', 60_000), { exerciseId: 'x', ms: 60_000 });
  assert.equal(clock.activity('x', 60_000 + 6 * 60_000), undefined, 'six idle minutes count nothing');
  assert.deepEqual(clock.activity(undefined, 60_000 + 7 * 60_000), { exerciseId: 'x', ms: 60_000 }, 'time up to leaving the editor counts');
  assert.equal(clock.activity('y', 60_000 + 8 * 60_000), undefined, 'time away from any exercise does not count');
  let h = recordFocus(emptyHistory(), 'x', 30_000, at('2026-01-05T10:00:30Z'));
  h = recordFocus(h, 'x', 30_000, at('2026-01-05T10:01:00Z'));
  assert.deepEqual(h.events, [{ type: 'focus', at: '2026-01-05T10:01:00.000Z', exerciseId: 'x', ms: 60_000 }], 'consecutive slices merge');
});

// ---- questions ----

const numeric: Question = { id: 'n', kind: 'numeric', prompt: 'LoRA r=8 on 768x768', answer: 12288, tolerance: 1e-6 };
const close: Question = { id: 'c', kind: 'numeric', prompt: 'weight', answer: 0.6698, tolerance: 0.01 };
const choice: Question = { id: 'ch', kind: 'choice', prompt: 'axis', choices: ['last', 'first'], answer: 0 };
const order: Question = { id: 'o', kind: 'order', prompt: 'steps', steps: ['a', 'b', 'c'] };
const open: Question = { id: 'op', kind: 'open', prompt: 'why', answer: 'because' };

test('grader: numbers by value within the relative tolerance, choices by index, orders as a whole, open ones self-graded', () => {
  assert.equal(grade(numeric, { kind: 'numeric', value: '12,288' }).grade, true);
  assert.equal(grade(numeric, { kind: 'numeric', value: '12288.5' }).grade, false);
  assert.equal(grade(numeric, { kind: 'numeric', value: 'twelve' }).grade, false);
  assert.equal(grade(close, { kind: 'numeric', value: '0.67' }).grade, true);
  assert.equal(grade(close, { kind: 'numeric', value: '0.66' }).grade, false);
  assert.equal(grade(close, { kind: 'numeric', value: '2/3' }).grade, true);
  assert.equal(readNumber('1e-3'), 0.001);
  assert.equal(readNumber('−2'), -2);
  assert.equal(grade({ ...numeric, answer: 0, tolerance: 1e-6 }, { kind: 'numeric', value: '0' }).grade, true);
  assert.equal(grade(choice, { kind: 'choice', index: 0 }).grade, true);
  assert.equal(grade(choice, { kind: 'choice', index: 1 }).grade, false);
  assert.equal(grade(order, { kind: 'order', order: [0, 1, 2] }).grade, true);
  assert.equal(grade(order, { kind: 'order', order: [1, 0, 2] }).grade, false);
  assert.equal(grade(order, { kind: 'order', order: [0, 1] }).grade, false);
  assert.equal(grade(open, { kind: 'open', grade: 'partly' }).grade, 'partly');
  assert.throws(() => grade(open, { kind: 'choice', index: 0 }), /a choice answer to the open question/);
  // Steps are shown shuffled, never in the right order, the same way for the same seed.
  for (const seed of ['a', 'b', 'c', 'd', 'e']) {
    const s = shuffled(3, seed);
    assert.deepEqual([...s].sort(), [0, 1, 2]);
    assert.notDeepEqual(s, [0, 1, 2]);
    assert.deepEqual(shuffled(3, seed), s);
  }
});

test('spaced repetition (ts-fsrs): a wrong answer comes back sooner than a right one, and is listed first', () => {
  const now = at('2026-01-05T10:00:00Z');
  const right = rate(newCard(now), true, now);
  const wrong = rate(newCard(now), false, now);
  assert.ok(Date.parse(wrong.due) < Date.parse(right.due), `${wrong.due} < ${right.due}`);
  const lesson = { id: 'attention', title: 'Attention', questions: [numeric, choice, order] } as unknown as Lesson;
  let h: History = emptyHistory();
  // Nothing is due for a lesson not started; all of a started one.
  assert.deepEqual(dueQuestions([lesson], h, new Set(), now), []);
  assert.equal(dueQuestions([lesson], h, new Set(['attention']), now).length, 3);
  h = recordAnswer(h, 'attention/n', true, now);
  h = recordAnswer(h, 'attention/ch', false, now);
  assert.deepEqual([h.questions['attention/n'].answers, h.questions['attention/ch'].wrong], [1, 1]);
  const later = new Date(now.getTime() + 24 * 3600_000);
  const due = dueQuestions([lesson], h, new Set(['attention']), later).map((d) => d.key);
  assert.deepEqual(due, ['attention/ch', 'attention/o'], 'the wrong one first, then the new one; the right one is not due');
  assert.equal(historyProblem(JSON.parse(JSON.stringify(h))), undefined);
});

// ---- weekly review ----

test('weekly review: passed exercises, measured time, mistakes and whether fixed, answers, questions due, next week', () => {
  const lesson = { id: 'attention', title: 'Attention', part: 'P', minutes: 45, questions: [numeric, choice], exercises: [{ id: 'attention/sdp', title: 'Scaled dot-product attention' }] } as unknown as Lesson;
  const next = { id: 'mha', title: 'Multi-head', part: 'P', minutes: 300, questions: [], exercises: [{ id: 'mha/x', title: 'Heads' }] } as unknown as Lesson;
  let h = emptyHistory();
  h = recordFocus(h, 'attention/sdp', 25 * 60_000, at('2026-01-06T10:25:00Z'));
  h = recordRun(h, { result: run('failed', [outcome('b', 'failed', 'The scores are not scaled by 1/√d.', 10)]), lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'en', now: at('2026-01-06T10:26:00Z') });
  h = recordRun(h, { result: run('passed', [outcome('b', 'passed')]), lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'en', now: at('2026-01-06T10:40:00Z') });
  h = recordAnswer(h, 'attention/n', false, at('2026-01-06T11:00:00Z'));
  h = recordAnswer(h, 'attention/ch', true, at('2026-01-06T11:01:00Z'));
  h = recordFocus(h, 'attention/sdp', 60_000, at('2026-01-20T10:00:00Z')); // another week
  const layout = layPlan([{ ...lesson, questions: 2 }, { ...next, questions: 0 }].map((l) => ({ id: l.id, title: l.title, part: l.part, minutes: l.minutes, questions: l.questions })), plan, { attention: '2026-01-06' });
  const r = buildReview({ lessons: [lesson, next], history: h, layout, today: '2026-01-08', now: at('2026-01-08T12:00:00Z') });
  assert.deepEqual([r.week, r.from, r.to], [1, '2026-01-05', '2026-01-11']);
  assert.deepEqual(r.passed.map((p) => p.exerciseId), ['attention/sdp']);
  assert.deepEqual([r.focusMs, r.checkMs, r.runs], [25 * 60_000, 2400, 2]);
  assert.deepEqual(r.mistakes.map((m) => [m.entry.kind, m.fixed]), [['The scores are not scaled by 1/√d.', true]]);
  assert.deepEqual(r.answers, { right: 1, wrong: 1 });
  assert.deepEqual(r.due.map((d) => d.key), ['attention/n'], 'the wrong answer is due again');
  assert.deepEqual(r.nextWeek.map((l) => l.id), ['mha']);
  assert.equal(r.mistakesDue, 1, 'the notebook mistake of Tuesday is due again on Thursday');
  const reviewed = reviewedMistake(h, h.notebook[0].id, at('2026-01-08T12:00:00Z'));
  assert.equal(buildReview({ lessons: [lesson, next], history: reviewed, layout, today: '2026-01-08', now: at('2026-01-08T12:00:00Z') }).mistakesDue, 0, 'reviewed: not due any more');
  const md = reviewMarkdown(r, 'en');
  assert.match(md, /^# Weekly review, week 1 \(2026-01-05 – 2026-01-11\)/);
  assert.match(md, /25 min with an exercise open, 2 s checking \(2 runs\)/);
  assert.match(md, /The scores are not scaled by 1\/√d\. — fixed 2026-01-06/);
  assert.match(md, /Notebook mistakes to look at again: 1\./);
  const zh = reviewMarkdown(r, 'zh-cn');
  assert.match(zh, /^# 每周复盘：第 1 周（2026-01-05 – 2026-01-11）/);
  assert.match(zh, /答对 1 道，答错 1 道/);
  assert.match(zh, /## 下周计划\n\n- Multi-head/);
});

test('the store and the review keep working on a history read back from disk after a restart', () => {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'history.json');
  let h = recordRun(emptyHistory(), { result: run('failed', [outcome('b', 'failed', 'wrong axis', 4)]), lessonId: 'attention', code: CODE, fileName: 'attention.ts', locale: 'zh-cn', now: at('2026-01-06T10:26:00Z') });
  writeJson(file, h);
  h = readJson(file, historyProblem, emptyHistory, () => assert.fail('not corrupt'));
  h = recordAnswer(h, 'attention/n', true, at('2026-01-06T11:00:00Z'));
  writeJson(file, h);
  const back = readJson(file, historyProblem, emptyHistory, () => assert.fail('not corrupt'));
  assert.equal(back.notebook[0].locale, 'zh-cn');
  assert.equal(back.questions['attention/n'].answers, 1);
});

test('the companion pages have every word in both languages, with the same placeholders', async () => {
  const { WORDS } = await import('../../src/vscode/companion/words');
  const { hasChinese } = await import('../../src/core/grading/text');
  const ph = (s: string) => [...s.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort().join(',');
  assert.deepEqual(Object.keys(WORDS['zh-cn']).sort(), Object.keys(WORDS.en).sort());
  for (const [k, en] of Object.entries(WORDS.en)) {
    const zh = WORDS['zh-cn'][k as keyof typeof WORDS.en];
    assert.ok(hasChinese(zh), `${k}: "${zh}" is not Chinese`);
    assert.equal(ph(zh), ph(en), `${k}: placeholders`);
  }
});
