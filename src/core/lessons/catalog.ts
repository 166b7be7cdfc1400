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
    };
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    problems.push({ file: e.file, field: e.field, message: `${e.message}; showing English`, severity: 'warning' });
    return lesson;
  }
}

/** Loads every lesson under `root`, sorted by `order`. Never throws for a malformed lesson. */
export async function loadCatalog(root: string, locale: Locale = 'en'): Promise<Catalog> {
  const problems: LessonProblem[] = [];
  let entries: string[];
  try {
    entries = (await fs.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
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
