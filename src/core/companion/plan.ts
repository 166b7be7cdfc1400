/**
 * The study plan: the learner's hours per day, days per week and start date lay the course's lessons over
 * weeks. Each lesson needs its `minutes` plus review time; a week holds hoursPerDay x 60 x daysPerWeek
 * minutes, and a lesson that does not fit in what is left of a week runs on into the next.
 * Replanning (after a missed week) keeps every lesson already done in the week it was done, and lays the
 * rest again from the current week. Dates are calendar days, 'YYYY-MM-DD'.
 */

export interface PlanSettings {
  hoursPerDay: number;
  daysPerWeek: number;
  /** First day of week 1, 'YYYY-MM-DD'. */
  start: string;
}

export interface PlanFile {
  version: 1;
  settings: PlanSettings;
  /** Set by a replan: the remaining lessons are laid from the week holding this day. */
  replannedFrom?: string;
}

export interface PlanLesson {
  id: string;
  title: string;
  part: string;
  minutes: number;
  questions: number;
}

export interface PlannedLesson {
  id: string;
  title: string;
  part: string;
  /** Minutes of study plus review. */
  load: number;
  review: number;
  /** 0-based weeks where the lesson starts and ends (the same week when it fits). */
  firstWeek: number;
  lastWeek: number;
  /** Done (every exercise passed), with the day. */
  doneOn?: string;
}

export interface PlanLayout {
  settings: PlanSettings;
  /** Minutes a week holds. */
  capacity: number;
  lessons: PlannedLesson[];
  weeks: number;
}

export interface Standing {
  /** 0-based week of `today` (negative before the start). */
  week: number;
  /** Minutes of lessons the plan expected done by the end of today, and the minutes of lessons done. */
  planned: number;
  done: number;
  /** done - planned in weeks of the plan (positive: ahead). */
  weeksAhead: number;
  status: 'not-started' | 'ahead' | 'on-track' | 'behind' | 'finished';
}

const DAY = 86_400_000;

/** Validates settings; returns why they are not usable, or undefined. */
export function settingsProblem(s: unknown): string | undefined {
  const p = s as Partial<PlanSettings> | null;
  if (typeof p !== 'object' || p === null) return 'settings must be an object';
  if (typeof p.hoursPerDay !== 'number' || !(p.hoursPerDay > 0 && p.hoursPerDay <= 24)) return 'hoursPerDay must be a number of hours between 0 and 24';
  if (typeof p.daysPerWeek !== 'number' || !Number.isInteger(p.daysPerWeek) || p.daysPerWeek < 1 || p.daysPerWeek > 7) return 'daysPerWeek must be a whole number from 1 to 7';
  if (typeof p.start !== 'string' || !isDay(p.start)) return 'start must be a date like 2026-01-05';
  return undefined;
}

export function planFileProblem(v: unknown): string | undefined {
  const p = v as Partial<PlanFile> | null;
  if (typeof p !== 'object' || p === null || p.version !== 1) return 'not a version 1 plan';
  const s = settingsProblem(p.settings);
  if (s) return s;
  if (p.replannedFrom !== undefined && (typeof p.replannedFrom !== 'string' || !isDay(p.replannedFrom))) return 'replannedFrom must be a date';
  return undefined;
}

export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

export const dayOf = (d: Date): string => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const ms = (day: string) => Date.parse(`${day}T00:00:00Z`);
export const addDays = (day: string, n: number): string => new Date(ms(day) + n * DAY).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string): number => Math.round((ms(to) - ms(from)) / DAY);

/** The 0-based plan week holding `day`. */
export function weekOf(settings: PlanSettings, day: string): number {
  return Math.floor(daysBetween(settings.start, day) / 7);
}

/** The first and last day of plan week `week`. */
export function weekRange(settings: PlanSettings, week: number): { from: string; to: string } {
  const from = addDays(settings.start, week * 7);
  return { from, to: addDays(from, 6) };
}

export const capacityOf = (s: PlanSettings): number => Math.round(s.hoursPerDay * 60 * s.daysPerWeek);

/** Review time of a lesson: a quarter of its minutes (at least 10), plus 2 minutes per review question. */
export const reviewMinutes = (l: Pick<PlanLesson, 'minutes' | 'questions'>): number => Math.max(10, Math.round(l.minutes / 4)) + 2 * l.questions;

/**
 * Lays the lessons over weeks. `done` maps lesson ids to the day they were done: those sit in that week
 * (and use its time); the others are laid in course order from week 0, or from the week of
 * `replannedFrom` after a replan, each after the previous one.
 */
export function layPlan(lessons: PlanLesson[], plan: PlanFile, done: Record<string, string>): PlanLayout {
  const { settings } = plan;
  const capacity = Math.max(1, capacityOf(settings));
  const used = new Map<number, number>();
  const out: PlannedLesson[] = [];
  for (const l of lessons) {
    const day = done[l.id];
    if (!day) continue;
    const week = Math.max(0, weekOf(settings, day));
    const review = reviewMinutes(l);
    used.set(week, (used.get(week) ?? 0) + l.minutes + review);
    out.push({ id: l.id, title: l.title, part: l.part, load: l.minutes + review, review, firstWeek: week, lastWeek: week, doneOn: day });
  }
  // The remaining lessons, in course order: a cursor in minutes from the start of the first week laid.
  const from = plan.replannedFrom ? Math.max(0, weekOf(settings, plan.replannedFrom)) : 0;
  let week = from;
  let at = used.get(week) ?? 0; // minutes already used in `week`
  for (const l of lessons) {
    if (done[l.id]) continue;
    const review = reviewMinutes(l);
    let left = l.minutes + review;
    while (at >= capacity) { week++; at = used.get(week) ?? 0; }
    const firstWeek = week;
    for (;;) {
      const room = capacity - at;
      if (left <= room) { at += left; break; }
      left -= room;
      week++;
      at = used.get(week) ?? 0;
    }
    out.push({ id: l.id, title: l.title, part: l.part, load: l.minutes + review, review, firstWeek, lastWeek: week });
  }
  const order = new Map(lessons.map((l, i) => [l.id, i]));
  out.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { settings, capacity, lessons: out, weeks: Math.max(1, ...out.map((l) => l.lastWeek + 1)) };
}

/** Lessons planned in (or spanning) `week`, done or not. */
export function lessonsOfWeek(layout: PlanLayout, week: number): PlannedLesson[] {
  return layout.lessons.filter((l) => l.firstWeek <= week && week <= l.lastWeek);
}

/** Where the learner stands on `today`: the minutes the plan expected done by the end of today, against the minutes of lessons done. */
export function standing(layout: PlanLayout, today: string): Standing {
  const { settings, capacity } = layout;
  const week = weekOf(settings, today);
  const done = layout.lessons.filter((l) => l.doneOn).reduce((s, l) => s + l.load, 0);
  const total = layout.lessons.reduce((s, l) => s + l.load, 0);
  // Each lesson's load is spread evenly over the study days of the weeks the plan gives it.
  const daysIn = Math.min(settings.daysPerWeek, Math.max(0, daysBetween(settings.start, today) - week * 7 + 1));
  let planned = 0;
  for (const l of layout.lessons) {
    if (l.lastWeek < week) planned += l.load;
    else if (l.firstWeek <= week) planned += l.load * ((week - l.firstWeek) + daysIn / settings.daysPerWeek) / (l.lastWeek - l.firstWeek + 1);
  }
  planned = Math.round(planned);
  const weeksAhead = (done - planned) / capacity;
  const status: Standing['status'] = done >= total && total > 0 ? 'finished' : week < 0 ? 'not-started'
    : weeksAhead >= 0.5 ? 'ahead' : weeksAhead <= -0.5 ? 'behind' : 'on-track';
  return { week, planned, done, weeksAhead: Math.round(weeksAhead * 10) / 10, status };
}

/** A replan on `today`: the same settings, the remaining lessons laid again from this week. */
export function replan(plan: PlanFile, today: string): PlanFile {
  return { ...plan, replannedFrom: today };
}
