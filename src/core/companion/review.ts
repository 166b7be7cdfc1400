/**
 * The weekly review (复盘), built from the learner's own history: exercises passed, time with an exercise
 * open (focused, idle time cut) and checking (the runs' own durations), the mistakes diagnosed that week
 * and which were later fixed, review questions due, and next week's lessons from the plan. As data for the
 * review page, and as Markdown in the learner's language.
 */
import type { Lesson } from '../lessons/catalog';
import type { Locale } from '../grading/text';
import type { History, NotebookEntry } from './history';
import { type DueQuestion, dueQuestions } from './questions';
import { isDue } from './schedule';
import { addDays, lessonsOfWeek, type PlanLayout, type PlannedLesson, weekOf, weekRange } from './plan';

export interface ExerciseTime {
  exerciseId: string;
  title: string;
  focusMs: number;
  checkMs: number;
  runs: number;
}

export interface WeeklyReview {
  /** 1-based week of the plan, when there is a plan. */
  week?: number;
  from: string;
  to: string;
  passed: { exerciseId: string; title: string; at: string }[];
  time: ExerciseTime[];
  focusMs: number;
  checkMs: number;
  runs: number;
  mistakes: { entry: NotebookEntry; fixed: boolean }[];
  answers: { right: number; wrong: number };
  due: DueQuestion[];
  /** Notebook mistakes whose card is due: to look at again. */
  mistakesDue: number;
  nextWeek: PlannedLesson[];
}

const dayOfIso = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/**
 * The review of the 7 days `from`..`from + 6` (the plan's week holding `today` when there is a plan, else
 * the 7 days ending today). Questions due are those due at `now`.
 */
export function buildReview(args: { lessons: Lesson[]; history: History; layout?: PlanLayout; today: string; now: Date }): WeeklyReview {
  const { lessons, history, layout, today, now } = args;
  const week = layout ? weekOf(layout.settings, today) : undefined;
  const { from, to } = layout && week !== undefined && week >= 0 ? weekRange(layout.settings, week) : { from: addDays(today, -6), to: today };
  const inWeek = (iso: string) => { const d = dayOfIso(iso); return d >= from && d <= to; };
  const titles = new Map(lessons.flatMap((l) => l.exercises.map((e) => [e.id, e.title] as const)));
  const title = (id: string) => titles.get(id) ?? id;
  const time = new Map<string, ExerciseTime>();
  const slot = (id: string) => time.get(id) ?? time.set(id, { exerciseId: id, title: title(id), focusMs: 0, checkMs: 0, runs: 0 }).get(id)!;
  const passed: WeeklyReview['passed'] = [];
  const answers = { right: 0, wrong: 0 };
  for (const e of history.events) {
    if (!inWeek(e.at)) continue;
    if (e.type === 'focus') slot(e.exerciseId).focusMs += e.ms;
    if (e.type === 'run') { const s = slot(e.exerciseId); s.checkMs += e.durationMs; s.runs++; }
    if (e.type === 'passed') passed.push({ exerciseId: e.exerciseId, title: title(e.exerciseId), at: e.at });
    if (e.type === 'answer') answers[e.correct ? 'right' : 'wrong']++;
  }
  const list = [...time.values()].sort((a, b) => b.focusMs + b.checkMs - (a.focusMs + a.checkMs));
  const started = new Set(history.events.filter((e) => e.type === 'opened' || e.type === 'run').map((e) => lessons.find((l) => l.exercises.some((x) => x.id === (e as { exerciseId: string }).exerciseId))?.id).filter((x): x is string => !!x));
  const nextWeek = layout && week !== undefined ? lessonsOfWeek(layout, Math.max(0, week + 1)).filter((l) => !l.doneOn) : [];
  return {
    ...(week !== undefined ? { week: week + 1 } : {}), from, to, passed, time: list,
    focusMs: list.reduce((s, t) => s + t.focusMs, 0), checkMs: list.reduce((s, t) => s + t.checkMs, 0), runs: list.reduce((s, t) => s + t.runs, 0),
    mistakes: history.notebook.filter((n) => inWeek(n.at) || inWeek(n.lastSeen)).map((entry) => ({ entry, fixed: !!entry.fixedAt })),
    answers, due: dueQuestions(lessons, history, started, now), mistakesDue: history.notebook.filter((n) => isDue(n.card, now)).length, nextWeek,
  };
}

export const WORDS = {
  en: {
    review: (w: number | undefined, from: string, to: string) => `Weekly review${w ? `, week ${w}` : ''} (${from} – ${to})`,
    passed: 'Exercises passed', none: 'None this week.', time: 'Time spent',
    timeLine: (focus: string, check: string, runs: number) => `${focus} with an exercise open, ${check} checking (${runs} runs)`,
    exercise: 'Exercise', open: 'Editor focused', checking: 'Checking', runs: 'Runs',
    mistakes: 'Mistakes diagnosed', fixed: 'fixed', notFixed: 'not fixed yet', times: (n: number) => (n === 1 ? 'once' : `${n} times`),
    answers: (r: number, w: number) => `Review questions answered: ${r} right, ${w} wrong.`,
    mistakesDue: (n: number) => `Notebook mistakes to look at again: ${n}.`,
    due: 'Review questions due', nextWeek: 'Next week', noPlan: 'No plan yet: make one with “LLM Lab: Make a Study Plan”.',
    minutes: (m: number) => `${m} min`, nothingDue: 'Nothing due.',
  },
  'zh-cn': {
    review: (w: number | undefined, from: string, to: string) => `每周复盘${w ? `：第 ${w} 周` : ''}（${from} – ${to}）`,
    passed: '本周通过的练习', none: '本周没有。', time: '投入时间',
    timeLine: (focus: string, check: string, runs: number) => `打开练习编辑 ${focus}，运行检查 ${check}（共 ${runs} 次）`,
    exercise: '练习', open: '编辑器聚焦', checking: '检查', runs: '次数',
    mistakes: '诊断出的错误', fixed: '已改正', notFixed: '尚未改正', times: (n: number) => `${n} 次`,
    answers: (r: number, w: number) => `本周回答复习题：答对 ${r} 道，答错 ${w} 道。`,
    mistakesDue: (n: number) => `错题本中该复习的错题：${n} 道。`,
    due: '待复习的题目', nextWeek: '下周计划', noPlan: '还没有学习计划：用“LLM Lab: 制定学习计划”来制定。',
    minutes: (m: number) => `${m} 分钟`, nothingDue: '没有待复习的题目。',
  },
} as const;

/** "1 h 05 min", "12 min", "40 s" (both languages use the same units in the review). */
export function duration(msTotal: number, locale: Locale): string {
  const s = Math.round(msTotal / 1000);
  if (s < 60) return locale === 'zh-cn' ? `${s} 秒` : `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return locale === 'zh-cn' ? `${m} 分钟` : `${m} min`;
  return locale === 'zh-cn' ? `${Math.floor(m / 60)} 小时 ${m % 60} 分钟` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reviewMarkdown(r: WeeklyReview, locale: Locale): string {
  const w = WORDS[locale];
  const out: string[] = [`# ${w.review(r.week, r.from, r.to)}`, '', `## ${w.passed}`, ''];
  out.push(...(r.passed.length ? r.passed.map((p) => `- ${p.title} (\`${p.exerciseId}\`), ${dayOfIso(p.at)}`) : [w.none]), '');
  out.push(`## ${w.time}`, '', w.timeLine(duration(r.focusMs, locale), duration(r.checkMs, locale), r.runs), '');
  if (r.time.length) {
    out.push(`| ${w.exercise} | ${w.open} | ${w.checking} | ${w.runs} |`, '|---|---:|---:|---:|');
    for (const t of r.time) out.push(`| ${cell(t.title)} | ${duration(t.focusMs, locale)} | ${duration(t.checkMs, locale)} | ${t.runs} |`);
    out.push('');
  }
  out.push(`## ${w.mistakes}`, '');
  out.push(...(r.mistakes.length ? r.mistakes.map(({ entry, fixed }) => `- **${cell(entry.check)}** (\`${entry.exerciseId}\`, ${w.times(entry.count)}): ${cell(entry.kind)} — ${fixed ? `${w.fixed} ${dayOfIso(entry.fixedAt!)}` : w.notFixed}`) : [w.none]), '');
  out.push(w.answers(r.answers.right, r.answers.wrong), '', w.mistakesDue(r.mistakesDue), '', `## ${w.due}`, '');
  out.push(...(r.due.length ? r.due.map((d) => `- ${cell(d.lesson.title)}: ${cell(d.question.prompt)}`) : [w.nothingDue]), '');
  out.push(`## ${w.nextWeek}`, '');
  out.push(...(r.week === undefined ? [w.noPlan] : r.nextWeek.length ? r.nextWeek.map((l) => `- ${l.title} (${w.minutes(l.load)})`) : [w.none]), '');
  return out.join('\n');
}
