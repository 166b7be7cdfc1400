/**
 * What the study companion's pages (plan, weekly review, mistake notebook, review questions) get from the
 * extension, and send back. Every word on these pages comes in `words`, already in the course's language.
 */
export type CompanionPage = 'plan' | 'review' | 'notebook' | 'questions';

export interface PlanWeekView {
  week: number;
  from: string;
  to: string;
  current: boolean;
  lessons: { id: string; title: string; part: string; load: number; done: boolean }[];
  minutes: number;
}

export interface QuestionView {
  key: string;
  lessonId: string;
  lessonTitle: string;
  kind: 'numeric' | 'choice' | 'order' | 'open';
  prompt: string;
  choices?: string[];
  /** order: the steps as shown (shuffled), with each one's index in the correct order. */
  steps?: { index: number; text: string }[];
  /** open: the model answer (shown on request, then the learner grades themselves). */
  model?: string;
  fresh: boolean;
  feedback?: { correct: boolean | 'partly'; answer: string; explanation?: string; yours?: string };
}

export interface NotebookEntryView {
  id: string;
  lessonId: string;
  lessonTitle: string;
  exerciseId: string;
  check: string;
  /** Every check that failed with this diagnosis. */
  checks: string[];
  kind: string;
  message: string;
  hint?: string;
  at: string;
  count: number;
  fixedAt?: string;
  fileName: string;
  line?: number;
  excerptStart: number;
  excerpt: string[];
  /** Its spaced-repetition card is due: time to look at it again. */
  due: boolean;
}

export type CompanionView =
  | { page: 'plan'; words: Record<string, string>;
      plan?: { summary: string; status: string; weeks: PlanWeekView[]; capacity: number;
        /** Cumulative minutes by the end of each week: planned, and done (up to the current week). */
        planned: number[]; done: (number | null)[] } }
  | { page: 'review'; words: Record<string, string>; title: string;
      passed: { title: string; exerciseId: string; day: string }[];
      timeLine: string; time: { title: string; focus: string; checking: string; runs: number }[];
      mistakes: { check: string; exerciseId: string; kind: string; fixed: string | undefined; times: string }[];
      answers: string; due: { lessonTitle: string; prompt: string }[]; nextWeek: { title: string; minutes: string }[]; noPlan: boolean }
  | { page: 'notebook'; words: Record<string, string>; groupBy: 'lesson' | 'kind'; entries: NotebookEntryView[] }
  | { page: 'questions'; words: Record<string, string>; questions: QuestionView[]; lessons: { id: string; title: string; papers: string[] }[] };

export type CompanionAnswer =
  | { kind: 'numeric'; value: string }
  | { kind: 'choice'; index: number }
  | { kind: 'order'; order: number[] }
  | { kind: 'open'; grade: boolean | 'partly' };

export type CompanionAction =
  | { kind: 'answer'; key: string; answer: CompanionAnswer }
  | { kind: 'open-lesson'; lessonId: string }
  | { kind: 'review-entry'; id: string }
  | { kind: 'group'; by: 'lesson' | 'kind' }
  | { kind: 'export-review' }
  | { kind: 'write-post'; lessonId: string }
  | { kind: 'make-plan' }
  | { kind: 'replan' }
  | { kind: 'show'; page: CompanionPage };
