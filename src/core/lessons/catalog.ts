/**
 * The course catalog: reads `lessons/<folder>/lesson.md` files, validates their front matter and files,
 * and returns the lessons in order. A malformed lesson becomes a `LessonProblem` naming the file and
 * field; it never stops the other lessons from loading.
 *
 * Translations sit beside the English text as `lesson.<locale>.md` (e.g. `lesson.zh-cn.md`); their front
 * matter may override `title`, `part`, `objectives` and each exercise's `title` and `hints`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import matter from 'gray-matter';
import { type Locale, LOCALES } from '../grading/text';

export { type Locale, LOCALES };

export interface Exercise {
  /** Globally unique: `<lesson id>/<name>`, e.g. `tensors/softmax`. */
  id: string;
  lessonId: string;
  title: string;
  /** Absolute path of the scaffold the learner starts from (English comments). */
  scaffold: string;
  /**
   * The scaffold for each locale: `<name>.zh-cn.ts` beside `<name>.ts` holds the same code with its doc
   * comments in Chinese (the English one where a lesson has no translation).
   */
  scaffolds: Record<Locale, string>;
  /**
   * Earlier exercises whose learner files this one imports (front matter `requires`), in the order to open
   * them: the learner's own code, built on, not the solutions.
   */
  requires: string[];
  /** The scaffold's file name; the learner's copy keeps it. */
  fileName: string;
  solution: string;
  checks: string;
  hints: string[];
}

export interface Lesson {
  id: string;
  title: string;
  part: string;
  order: number;
  minutes: number;
  objectives: string[];
  /** Folder name under lessons/, e.g. `01-tensors`; the learner's copies go in a folder of the same name. */
  folder: string;
  dir: string;
  /** The Markdown file the text came from (translated when available). */
  markdownFile: string;
  /** The lesson text without front matter. */
  body: string;
  locale: Locale;
  exercises: Exercise[];
  /** Review questions (front matter `questions`), in the lesson's language; malformed ones are left out with a warning. */
  questions: Question[];
  /** The lesson's reading list (front matter `papers`, English file only). */
  papers: Paper[];
}

/** A review question of a lesson. Numbers, tolerances and choice indices always come from the English file. */
export type Question =
  | { id: string; kind: 'numeric'; prompt: string; answer: number; tolerance: number; explanation?: string }
  | { id: string; kind: 'choice'; prompt: string; choices: string[]; answer: number; explanation?: string }
  /** `steps` in the correct order; shown shuffled. */
  | { id: string; kind: 'order'; prompt: string; steps: string[]; explanation?: string }
  /** Self-graded against the model answer. */
  | { id: string; kind: 'open'; prompt: string; answer: string; explanation?: string };

export type QuestionKind = Question['kind'];
export const QUESTION_KINDS: readonly QuestionKind[] = ['numeric', 'choice', 'order', 'open'];

export interface Paper {
  title: string;
  authors: string;
  year: number;
  arxiv?: string;
}

export interface LessonProblem {
  file: string;
  field?: string;
  message: string;
  /** 'error' drops the lesson; 'warning' keeps it (e.g. a missing translation falls back to English). */
  severity: 'error' | 'warning';
}

export interface Catalog {
  lessons: Lesson[];
  problems: LessonProblem[];
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

class Invalid extends Error {
  constructor(readonly file: string, readonly field: string | undefined, message: string) {
    super(message);
  }
}

type Data = Record<string, unknown>;

function str(data: Data, field: string, file: string, prefix = ''): string {
  const v = data[field];
  if (typeof v !== 'string' || v.trim() === '') throw new Invalid(file, prefix + field, `"${prefix + field}" must be a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v.trim();
}

function num(data: Data, field: string, file: string): number {
  const v = data[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Invalid(file, field, `"${field}" must be a positive number, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function strings(data: Data, field: string, file: string, prefix = '', required = true): string[] {
  const v = data[field];
  if (v === undefined && !required) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x.trim())) {
    throw new Invalid(file, prefix + field, `"${prefix + field}" must be a list of non-empty strings`);
  }
  return v as string[];
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

/** Reads and parses front matter; YAML errors become `Invalid` with the file name and line. */
async function readMarkdown(file: string): Promise<{ data: Data; body: string }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Invalid(file, undefined, `cannot read ${path.basename(file)}`);
  }
  if (!text.trimStart().startsWith('---')) throw new Invalid(file, undefined, 'missing front matter: the file must start with a `---` block');
  try {
    // An empty options object disables gray-matter's cache, so edits are seen on reload.
    const parsed = matter(text, {});
    return { data: (parsed.data ?? {}) as Data, body: parsed.content };
  } catch (e) {
    const reason = (e as { reason?: string; mark?: { line: number } });
    const where = reason.mark ? ` at line ${reason.mark.line + 2}` : '';
    throw new Invalid(file, undefined, `front matter is not valid YAML${where}: ${reason.reason ?? (e as Error).message}`);
  }
}

async function parseLesson(dir: string, locale: Locale, problems: LessonProblem[]): Promise<Lesson> {
  const file = path.join(dir, 'lesson.md');
  const { data, body } = await readMarkdown(file);
  const id = str(data, 'id', file);
  if (!ID.test(id)) throw new Invalid(file, 'id', `"id" must be lowercase letters, digits and dashes, got "${id}"`);
  const rawExercises = data.exercises;
  if (!Array.isArray(rawExercises) || rawExercises.length === 0) throw new Invalid(file, 'exercises', '"exercises" must be a non-empty list');
  const exercises: Exercise[] = [];
  for (const [i, raw] of rawExercises.entries()) {
    const prefix = `exercises[${i}].`;
    if (typeof raw !== 'object' || raw === null) throw new Invalid(file, `exercises[${i}]`, 'each exercise must be a mapping');
    const e = raw as Data;
    const exId = str(e, 'id', file, prefix);
    if (!exId.startsWith(id + '/') || !ID.test(exId.slice(id.length + 1))) {
      throw new Invalid(file, prefix + 'id', `"${prefix}id" must look like "${id}/<name>", got "${exId}"`);
    }
    if (exercises.some((x) => x.id === exId)) throw new Invalid(file, prefix + 'id', `duplicate exercise id "${exId}"`);
    const paths: Record<'file' | 'solution' | 'checks', string> = { file: '', solution: '', checks: '' };
    for (const field of ['file', 'solution', 'checks'] as const) {
      const rel = str(e, field, file, prefix);
      const abs = path.resolve(dir, rel);
      if (path.dirname(abs) !== dir) throw new Invalid(file, prefix + field, `"${prefix + field}" must name a file in the lesson folder, got "${rel}"`);
      if (!(await exists(abs))) throw new Invalid(file, prefix + field, `"${prefix + field}" names ${rel}, which does not exist`);
      paths[field] = abs;
    }
    const requires = strings(e, 'requires', file, prefix, false);
    for (const r of requires) {
      if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(r)) throw new Invalid(file, prefix + 'requires', `"${prefix}requires" names exercise ids like "attention/scaled-dot-product", got "${r}"`);
    }
    const zhScaffold = paths.file.replace(/\.ts$/, '.zh-cn.ts');
    exercises.push({
      id: exId, lessonId: id, title: str(e, 'title', file, prefix),
      scaffold: paths.file, fileName: path.basename(paths.file), solution: paths.solution, checks: paths.checks,
      scaffolds: { en: paths.file, 'zh-cn': (await exists(zhScaffold)) ? zhScaffold : paths.file },
      hints: strings(e, 'hints', file, prefix), requires,
    });
  }
  const lesson: Lesson = {
    id, title: str(data, 'title', file), part: str(data, 'part', file), order: num(data, 'order', file),
    minutes: num(data, 'minutes', file), objectives: strings(data, 'objectives', file),
    folder: path.basename(dir), dir, markdownFile: file, body, locale: 'en', exercises,
    questions: parseQuestions(data, file, problems), papers: parsePapers(data, file, problems),
  };
  return locale === 'en' ? lesson : translate(lesson, locale, problems);
}

/** Applies `lesson.<locale>.md` on top of the English lesson; a missing or broken translation is a warning. */
async function translate(lesson: Lesson, locale: Locale, problems: LessonProblem[]): Promise<Lesson> {
  const file = path.join(lesson.dir, `lesson.${locale}.md`);
  if (!(await exists(file))) {
    problems.push({ file, message: `no ${locale} translation; showing English`, severity: 'warning' });
    return lesson;
  }
  try {
    const { data, body } = await readMarkdown(file);
    const exercises = lesson.exercises.map((ex) => {
      const t = Array.isArray(data.exercises) ? (data.exercises as Data[]).find((x) => x && x.id === ex.id) : undefined;
      if (!t) throw new Invalid(file, 'exercises', `no translation for exercise "${ex.id}"`);
      const hints = strings(t, 'hints', file, `exercises[${ex.id}].`);
      if (hints.length !== ex.hints.length) throw new Invalid(file, `exercises[${ex.id}].hints`, `has ${hints.length} hints, the English lesson has ${ex.hints.length}`);
      return { ...ex, title: str(t, 'title', file, `exercises[${ex.id}].`), hints };
    });
    return {
      ...lesson, title: str(data, 'title', file), part: str(data, 'part', file),
      objectives: strings(data, 'objectives', file), body, markdownFile: file, locale, exercises,
      questions: translateQuestions(lesson.questions, data, file, locale, problems),
    };
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    problems.push({ file: e.file, field: e.field, message: `${e.message}; showing English`, severity: 'warning' });
    return lesson;
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * One question of the English file; throws `Invalid` naming the field (`questions[2].answer`) when it is
 * malformed. `ids` holds the ids seen so far (kebab-case, unique in the lesson).
 */
function parseQuestion(raw: unknown, i: number, file: string, ids: Set<string>): Question {
  const at = `questions[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid(file, at, `"${at}" must be a mapping`);
  const q = raw as Data;
  const id = str(q, 'id', file, `${at}.`);
  if (!ID.test(id)) throw new Invalid(file, `${at}.id`, `"${at}.id" must be kebab-case (lowercase letters, digits and dashes), got "${id}"`);
  if (ids.has(id)) throw new Invalid(file, `${at}.id`, `duplicate question id "${id}"`);
  const prompt = str(q, 'prompt', file, `${at}.`);
  const explanation = q.explanation === undefined ? undefined : str(q, 'explanation', file, `${at}.`);
  const extra = explanation === undefined ? {} : { explanation };
  const kind = q.kind;
  switch (kind) {
    case 'numeric': {
      if (typeof q.answer !== 'number' || !Number.isFinite(q.answer)) throw new Invalid(file, `${at}.answer`, `"${at}.answer" must be a number, got ${JSON.stringify(q.answer) ?? 'nothing'}`);
      const tol = q.tolerance ?? 1e-6;
      if (typeof tol !== 'number' || !Number.isFinite(tol) || tol < 0) throw new Invalid(file, `${at}.tolerance`, `"${at}.tolerance" must be a number >= 0 (a relative tolerance), got ${JSON.stringify(q.tolerance)}`);
      return { id, kind, prompt, answer: q.answer, tolerance: tol, ...extra };
    }
    case 'choice': {
      const choices = strings(q, 'choices', file, `${at}.`);
      if (choices.length < 2) throw new Invalid(file, `${at}.choices`, `"${at}.choices" must list at least two choices`);
      if (typeof q.answer !== 'number' || !Number.isInteger(q.answer) || q.answer < 0 || q.answer >= choices.length) {
        throw new Invalid(file, `${at}.answer`, `"${at}.answer" must be the 0-based index of a choice (0 to ${choices.length - 1}), got ${JSON.stringify(q.answer) ?? 'nothing'}`);
      }
      return { id, kind, prompt, choices, answer: q.answer, ...extra };
    }
    case 'order': {
      const steps = strings(q, 'steps', file, `${at}.`);
      if (steps.length < 2) throw new Invalid(file, `${at}.steps`, `"${at}.steps" must list at least two steps`);
      if (new Set(steps).size !== steps.length) throw new Invalid(file, `${at}.steps`, `"${at}.steps" has the same step twice`);
      return { id, kind, prompt, steps, ...extra };
    }
    case 'open':
      return { id, kind, prompt, answer: str(q, 'answer', file, `${at}.`), ...extra };
    default:
      throw new Invalid(file, `${at}.kind`, `"${at}.kind" must be one of ${QUESTION_KINDS.join(', ')}, got ${JSON.stringify(kind) ?? 'nothing'}`);
  }
}

/** The English file's questions: each malformed one is a warning naming its field, and is left out. */
function parseQuestions(data: Data, file: string, problems: LessonProblem[]): Question[] {
  if (data.questions === undefined) return [];
  if (!Array.isArray(data.questions)) {
    problems.push({ file, field: 'questions', message: '"questions" must be a list', severity: 'warning' });
    return [];
  }
  const ids = new Set<string>();
  const out: Question[] = [];
  for (const [i, raw] of data.questions.entries()) {
    try {
      const q = parseQuestion(raw, i, file, ids);
      ids.add(q.id);
      out.push(q);
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      problems.push({ file: e.file, field: e.field, message: `${e.message}; the question is left out`, severity: 'warning' });
    }
  }
  return out;
}

function parsePapers(data: Data, file: string, problems: LessonProblem[]): Paper[] {
  if (data.papers === undefined) return [];
  if (!Array.isArray(data.papers)) {
    problems.push({ file, field: 'papers', message: '"papers" must be a list', severity: 'warning' });
    return [];
  }
  const out: Paper[] = [];
  for (const [i, raw] of data.papers.entries()) {
    const at = `papers[${i}]`;
    const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Data;
    const bad = (field: string, why: string) => problems.push({ file, field: `${at}.${field}`, message: `"${at}.${field}" ${why}; the paper is left out`, severity: 'warning' });
    if (!isText(p.title)) { bad('title', 'must be a non-empty string'); continue; }
    if (!isText(p.authors)) { bad('authors', 'must be a non-empty string'); continue; }
    if (typeof p.year !== 'number' || !Number.isInteger(p.year) || p.year < 1900 || p.year > 2100) { bad('year', `must be a year, got ${JSON.stringify(p.year) ?? 'nothing'}`); continue; }
    // YAML reads 1706.03762 as a number: keep it as written (a trailing zero would be lost, so ids should be quoted).
    const arxiv = typeof p.arxiv === 'number' ? String(p.arxiv) : p.arxiv;
    if (arxiv !== undefined && (typeof arxiv !== 'string' || !/^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/.test(arxiv))) { bad('arxiv', `must be an arXiv id like "1706.03762", got ${JSON.stringify(p.arxiv)}`); continue; }
    out.push({ title: p.title.trim(), authors: p.authors.trim(), year: p.year, ...(arxiv ? { arxiv } : {}) });
  }
  return out;
}

/**
 * The translated file's `questions` over the English ones: the same ids and kinds, with the prompt, choices,
 * steps, model answer (open) and explanation in the translation. A missing or mismatched translation of a
 * question is a warning, and that question stays in English.
 */
function translateQuestions(english: Question[], data: Data, file: string, locale: Locale, problems: LessonProblem[]): Question[] {
  if (!english.length) return english;
  const list = Array.isArray(data.questions) ? (data.questions as unknown[]) : [];
  const warn = (field: string, message: string) => problems.push({ file, field, message: `${message}; showing English`, severity: 'warning' });
  if (!Array.isArray(data.questions)) {
    warn('questions', `no ${locale} translation of the ${english.length} questions`);
    return english;
  }
  const known = new Set(english.map((q) => q.id));
  for (const [i, raw] of list.entries()) {
    const id = (raw as Data | null)?.id;
    if (typeof id !== 'string' || !known.has(id)) warn(`questions[${i}].id`, `question ${JSON.stringify(id) ?? 'without an id'} is not in the English lesson`);
  }
  return english.map((q): Question => {
    const t = list.find((x): x is Data => typeof x === 'object' && x !== null && (x as Data).id === q.id);
    const at = `questions[${q.id}]`;
    if (!t) { warn(at, `no translation for question "${q.id}"`); return q; }
    if (t.kind !== q.kind) { warn(`${at}.kind`, `kind "${String(t.kind)}" differs from the English "${q.kind}"`); return q; }
    if (!isText(t.prompt)) { warn(`${at}.prompt`, 'missing prompt'); return q; }
    let explanation = q.explanation;
    if (q.explanation !== undefined) {
      if (!isText(t.explanation)) { warn(`${at}.explanation`, 'missing explanation'); return q; }
      explanation = t.explanation.trim();
    }
    const base = { ...q, prompt: t.prompt.trim(), ...(explanation === undefined ? {} : { explanation }) };
    const sameLength = (field: 'choices' | 'steps', n: number): string[] | undefined => {
      const v = t[field];
      if (!Array.isArray(v) || v.length !== n || v.some((x) => !isText(x))) { warn(`${at}.${field}`, `must list ${n} non-empty strings like the English lesson`); return undefined; }
      return (v as string[]).map((x) => x.trim());
    };
    switch (q.kind) {
      case 'numeric': return base;
      case 'choice': { const choices = sameLength('choices', q.choices.length); return choices ? { ...base, kind: 'choice', choices, answer: q.answer } : q; }
      case 'order': { const steps = sameLength('steps', q.steps.length); return steps ? { ...base, kind: 'order', steps } : q; }
      case 'open':
        if (!isText(t.answer)) { warn(`${at}.answer`, 'missing model answer'); return q; }
        return { ...base, kind: 'open', answer: t.answer.trim() };
    }
  });
}

/**
 * Loads every lesson under `root`, sorted by `order`. Never throws for a malformed lesson. `only` limits it to some
 * lesson folders (by name): the command line reads just the lessons a command needs.
 */
export async function loadCatalog(root: string, locale: Locale = 'en', only?: (folder: string) => boolean): Promise<Catalog> {
  const problems: LessonProblem[] = [];
  let entries: string[];
  try {
    entries = (await fs.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && (!only || only(d.name))).map((d) => d.name).sort();
  } catch {
    return { lessons: [], problems: [{ file: root, message: 'the lessons folder is missing', severity: 'error' }] };
  }
  const lessons: Lesson[] = [];
  const lessonIds = new Map<string, string>();
  for (const name of entries) {
    const dir = path.join(root, name);
    try {
      const lesson = await parseLesson(dir, locale, problems);
      const file = path.join(dir, 'lesson.md');
      const clash = lessonIds.get(lesson.id);
      if (clash) throw new Invalid(file, 'id', `duplicate lesson id "${lesson.id}" (also in ${clash})`);
      // Exercise ids start with their lesson's id, so unique lesson ids make them unique too.
      lessonIds.set(lesson.id, file);
      lessons.push(lesson);
    } catch (e) {
      if (e instanceof Invalid) problems.push({ file: e.file, field: e.field, message: e.message, severity: 'error' });
      else problems.push({ file: dir, message: `unexpected error: ${(e as Error).message}`, severity: 'error' });
    }
  }
  lessons.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  // A lesson whose exercise requires one that does not exist, or a later one, is dropped with a clear reason.
  const position = new Map(lessons.flatMap((l, i) => l.exercises.map((e, j) => [e.id, i * 1000 + j] as const)));
  const kept = lessons.filter((l, i) => {
    for (const e of l.exercises) {
      for (const r of e.requires) {
        const at = position.get(r);
        const why = at === undefined ? `requires "${r}", which no lesson has`
          : at >= i * 1000 + l.exercises.indexOf(e) ? `requires "${r}", which does not come before it` : undefined;
        if (why) {
          problems.push({ file: path.join(l.dir, 'lesson.md'), field: 'requires', message: `${e.id} ${why}`, severity: 'error' });
          return false;
        }
      }
    }
    return true;
  });
  return { lessons: kept, problems };
}

/** Every exercise `exercise` builds on, directly or through another, earliest first (without itself). */
export function prerequisitesOf(catalog: Catalog, exercise: Exercise): { lesson: Lesson; exercise: Exercise }[] {
  const out: { lesson: Lesson; exercise: Exercise }[] = [];
  const visit = (ex: Exercise) => {
    for (const id of ex.requires) {
      if (out.some((o) => o.exercise.id === id)) continue;
      const found = findExercise(catalog, id);
      if (!found) continue;
      visit(found.exercise);
      if (!out.some((o) => o.exercise.id === id)) out.push(found);
    }
  };
  visit(exercise);
  return out;
}

/** Groups lessons into parts, in the order their first lesson appears. */
export function partsOf(lessons: readonly Lesson[]): { title: string; lessons: Lesson[] }[] {
  const parts = new Map<string, Lesson[]>();
  for (const l of lessons) {
    const list = parts.get(l.part) ?? [];
    list.push(l);
    parts.set(l.part, list);
  }
  return [...parts].map(([title, ls]) => ({ title, lessons: ls }));
}

export function findExercise(catalog: Catalog, id: string): { lesson: Lesson; exercise: Exercise } | undefined {
  for (const lesson of catalog.lessons) {
    const exercise = lesson.exercises.find((e) => e.id === id);
    if (exercise) return { lesson, exercise };
  }
  return undefined;
}

/** Formats a problem for a log or the tree: "lessons/02-x/lesson.md: exercises[0].file: ...". */
export function formatProblem(p: LessonProblem, root?: string): string {
  const file = root ? path.relative(path.dirname(root), p.file) : p.file;
  return `${file}${p.field ? ` (${p.field})` : ''}: ${p.message}`;
}
