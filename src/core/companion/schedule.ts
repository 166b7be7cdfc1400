/**
 * Spaced repetition with ts-fsrs (FSRS, MIT): every review question and every notebook mistake has a card.
 * A right answer is rated Good, a wrong one Again, so what the learner got wrong comes back sooner. Cards
 * are kept as plain JSON (dates as ISO strings).
 */
import { type Card as FsrsCard, createEmptyCard, fsrs, type Grade, Rating, State } from 'ts-fsrs';

export interface Card {
  due: string;
  stability: number;
  difficulty: number;
  elapsed_days: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
  last_review?: string;
}

/** No fuzz: the same answers give the same schedule. No same-day learning steps: a wrong answer is back the next day, a right one days later. */
const scheduler = fsrs({ enable_fuzz: false, enable_short_term: false });

function plain(c: FsrsCard): Card {
  return {
    due: c.due.toISOString(), stability: c.stability, difficulty: c.difficulty, elapsed_days: c.elapsed_days,
    scheduled_days: c.scheduled_days, learning_steps: c.learning_steps, reps: c.reps, lapses: c.lapses, state: c.state,
    ...(c.last_review ? { last_review: c.last_review.toISOString() } : {}),
  };
}

export function newCard(now: Date): Card {
  return plain(createEmptyCard<FsrsCard>(now));
}

/** Self-grading of open questions has a middle: "partly". */
export type Grading = boolean | 'partly';

export function rate(card: Card, grade: Grading, now: Date): Card {
  const rating: Grade = grade === 'partly' ? Rating.Hard : grade ? Rating.Good : Rating.Again;
  const c = { ...card, due: new Date(card.due), last_review: card.last_review ? new Date(card.last_review) : undefined, state: card.state as State };
  return plain(scheduler.next(c, now, rating).card);
}

export const isDue = (card: Card, now: Date): boolean => Date.parse(card.due) <= now.getTime();

export function cardProblem(v: unknown): string | undefined {
  const c = v as Partial<Card> | null;
  if (typeof c !== 'object' || c === null) return 'missing';
  if (typeof c.due !== 'string' || Number.isNaN(Date.parse(c.due))) return 'no valid due date';
  for (const f of ['stability', 'difficulty', 'reps', 'lapses', 'state'] as const) if (typeof c[f] !== 'number') return `${f} must be a number`;
  return undefined;
}
