/**
 * Review questions: grading an answer, the order steps are shown in, and which questions are due.
 * Numeric answers are checked by value within the question's relative tolerance; choice by index; order
 * by the whole sequence; open questions are graded by the learner against the model answer.
 */
import type { Lesson, Question } from '../lessons/catalog';
import type { History } from './history';
import { type Grading, isDue, newCard, rate } from './schedule';

export type Answer =
  | { kind: 'numeric'; value: string }
  | { kind: 'choice'; index: number }
  /** The step indices (into the question's correct order) in the order the learner put them. */
  | { kind: 'order'; order: number[] }
  /** The learner's own grade after comparing with the model answer. */
  | { kind: 'open'; grade: Grading };

export interface Graded {
  /** true, false, or 'partly' (open questions only). */
  grade: Grading;
  /** numeric: the number read from the answer (undefined when it is not one). */
  read?: number;
}

/** Reads a number as a learner types it: "589,824", "1e-3", "1/8", " 7 ". */
export function readNumber(s: string): number | undefined {
  const t = s.trim().replace(/[,_\s]/g, '').replace(/[−–]/g, '-');
  if (!t) return undefined;
  const frac = /^([-+]?\d*\.?\d+(?:e[-+]?\d+)?)\/([-+]?\d*\.?\d+(?:e[-+]?\d+)?)$/i.exec(t);
  const v = frac ? Number(frac[1]) / Number(frac[2]) : Number(t);
  return Number.isFinite(v) ? v : undefined;
}

export function grade(q: Question, a: Answer): Graded {
  if (a.kind !== q.kind) throw new Error(`a ${a.kind} answer to the ${q.kind} question "${q.id}"`);
  switch (q.kind) {
    case 'numeric': {
      const v = readNumber((a as Extract<Answer, { kind: 'numeric' }>).value);
      if (v === undefined) return { grade: false };
      const ok = Math.abs(v - q.answer) <= q.tolerance * Math.abs(q.answer) || (q.answer === 0 && Math.abs(v) <= q.tolerance);
      return { grade: ok, read: v };
    }
    case 'choice': return { grade: (a as Extract<Answer, { kind: 'choice' }>).index === q.answer };
    case 'order': {
      const order = (a as Extract<Answer, { kind: 'order' }>).order;
      return { grade: order.length === q.steps.length && order.every((s, i) => s === i) };
    }
    case 'open': return { grade: (a as Extract<Answer, { kind: 'open' }>).grade };
  }
}

/** A deterministic shuffle of 0..n-1 from `seed` (never the correct order when n > 1). */
export function shuffled(n: number, seed: string): number[] {
  let x = 2166136261;
  for (const ch of seed) x = Math.imul(x ^ ch.charCodeAt(0), 16777619) >>> 0;
  const next = () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32; };
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  if (n > 1 && out.every((v, i) => v === i)) out.push(out.shift()!);
  return out;
}

export const questionKey = (lessonId: string, questionId: string): string => `${lessonId}/${questionId}`;

/** Records an answer: the card is rated (wrong: Again, so it comes back soon) and an `answer` event kept. */
export function recordAnswer(h: History, key: string, g: Grading, now: Date): History {
  const before = h.questions[key];
  const card = rate(before?.card ?? newCard(now), g, now);
  const correct = g === true;
  return {
    ...h,
    questions: { ...h.questions, [key]: { card, answers: (before?.answers ?? 0) + 1, wrong: (before?.wrong ?? 0) + (correct ? 0 : 1), last: { at: now.toISOString(), correct } } },
    events: [...h.events, { type: 'answer', at: now.toISOString(), question: key, correct }],
  };
}

export interface DueQuestion {
  lesson: Lesson;
  question: Question;
  key: string;
  /** Never answered yet. */
  fresh: boolean;
  due: string;
}

/**
 * Questions due on `now`: those whose card is due, and the never answered ones of lessons the learner has
 * started (`started`: lesson ids), wrong answers first, then the most overdue.
 */
export function dueQuestions(lessons: Lesson[], h: History, started: Set<string>, now: Date): DueQuestion[] {
  const out: DueQuestion[] = [];
  for (const lesson of lessons) {
    for (const question of lesson.questions) {
      const key = questionKey(lesson.id, question.id);
      const r = h.questions[key];
      if (r ? isDue(r.card, now) : started.has(lesson.id)) out.push({ lesson, question, key, fresh: !r, due: r?.card.due ?? now.toISOString() });
    }
  }
  const wrong = (d: DueQuestion) => (h.questions[d.key]?.last?.correct === false ? 0 : 1);
  return out.sort((a, b) => wrong(a) - wrong(b) || a.due.localeCompare(b.due));
}

/** The correct answer as text, for the feedback and the review. */
export function answerText(q: Question): string {
  switch (q.kind) {
    case 'numeric': return String(q.answer);
    case 'choice': return q.choices[q.answer];
    case 'order': return q.steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
    case 'open': return q.answer;
  }
}
