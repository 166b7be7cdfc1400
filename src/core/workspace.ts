/**
 * The learner's exercise folder (by default `llm-lab/` in the workspace):
 *
 *   llm-lab/
 *     tsconfig.json              strict settings + paths to the kit's type declarations
 *     .llm-lab/types/            declarations of @llm-lab/kit (rewritten on every open)
 *     .llm-lab/backups/<lesson>/ timestamped copies saved before a reset or restore
 *     01-tensors/basics.ts       the learner's copy of a scaffold
 *
 * Plain Node file operations. The one rule: a learner's file is never overwritten without a backup.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Catalog, type Exercise, type Lesson, type Locale, prerequisitesOf } from './lessons/catalog';
import type { Prerequisite } from '../harness/protocol';

export const DEFAULT_FOLDER = 'llm-lab';
const MARKER = 'Written by LLM Lab';

export function learnerFile(folder: string, lesson: Lesson, exercise: Exercise): string {
  return path.join(folder, lesson.folder, exercise.fileName);
}

export function backupDir(folder: string, lesson: Lesson): string {
  return path.join(folder, '.llm-lab', 'backups', lesson.folder);
}

const exists = (f: string) => fs.stat(f).then(() => true, () => false);

/**
 * Writes the folder's tsconfig.json (unless the learner wrote their own) and the kit's type declarations,
 * so IntelliSense and type errors work in exercise files.
 */
export async function prepareFolder(folder: string, typesSource: string): Promise<void> {
  const types = path.join(folder, '.llm-lab', 'types');
  await fs.rm(types, { recursive: true, force: true });
  await fs.mkdir(types, { recursive: true });
  await fs.cp(typesSource, types, { recursive: true });
  const tsconfig = path.join(folder, 'tsconfig.json');
  const current = await fs.readFile(tsconfig, 'utf8').catch(() => undefined);
  if (current === undefined || current.includes(MARKER)) {
    const config = {
      '//': `${MARKER}: type checking for your exercises. Delete this line to keep your own edits.`,
      compilerOptions: {
        target: 'ES2022', lib: ['ES2023'], module: 'preserve', moduleResolution: 'bundler', strict: true,
        noEmit: true, skipLibCheck: true, types: [],
        paths: {
          '@llm-lab/kit': ['./.llm-lab/types/src/kit/index.d.ts'],
          '@llm-lab/check': ['./.llm-lab/types/src/core/grading/index.d.ts'],
        },
      },
      include: ['**/*.ts'],
      exclude: ['.llm-lab'],
    };
    await fs.writeFile(tsconfig, JSON.stringify(config, null, 2) + '\n');
  }
}

/** The learner files of the earlier exercises this one imports, for the runner to check before bundling. */
export function prerequisiteFiles(folder: string, catalog: Catalog, exercise: Exercise): Prerequisite[] {
  return prerequisitesOf(catalog, exercise).map((p) => ({ file: learnerFile(folder, p.lesson, p.exercise), exerciseId: p.exercise.id, title: p.exercise.title }));
}

/** The earlier exercises whose learner files are not in the folder yet (what to open first). */
export async function missingPrerequisites(folder: string, catalog: Catalog, exercise: Exercise): Promise<{ lesson: Lesson; exercise: Exercise }[]> {
  const all = prerequisitesOf(catalog, exercise);
  const present = await Promise.all(all.map((p) => exists(learnerFile(folder, p.lesson, p.exercise))));
  return all.filter((_, i) => !present[i]);
}

/**
 * A learner folder holding the reference solutions of an exercise and of everything it builds on, each under
 * its learner file name (a solution imports `../07-lora/layer`, as the learner's own file does). What
 * `--solution` checks, and what the catalogue tests put mistakes into. Returns the exercise's file.
 */
export async function solutionFolder(folder: string, catalog: Catalog, exercise: Exercise): Promise<string> {
  const own = catalog.lessons.find((l) => l.exercises.includes(exercise));
  if (!own) throw new Error(`${exercise.id} is not in the catalog`);
  for (const p of [...prerequisitesOf(catalog, exercise), { lesson: own, exercise }]) {
    const file = learnerFile(folder, p.lesson, p.exercise);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.copyFile(p.exercise.solution, file);
  }
  return learnerFile(folder, own, exercise);
}

/**
 * Copies the scaffold (in the learner's language: the same code, comments translated) into the folder unless
 * the learner already has that file. Returns the learner's path.
 */
export async function openExercise(folder: string, lesson: Lesson, exercise: Exercise, locale: Locale = 'en'): Promise<{ file: string; created: boolean }> {
  const file = learnerFile(folder, lesson, exercise);
  if (await exists(file)) return { file, created: false };
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx' fails if the file appeared meanwhile: never overwrite.
    await fs.writeFile(file, await fs.readFile(exercise.scaffolds[locale] ?? exercise.scaffold), { flag: 'wx' });
    return { file, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { file, created: false };
    throw e;
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
}

/** A learner's file exists but could not be backed up: the reset or restore that asked is refused. */
export class BackupError extends Error {
  constructor(readonly file: string, cause: Error) {
    super(`cannot back up ${file} (${(cause as NodeJS.ErrnoException).code ?? cause.message}), so it was not replaced: your work is untouched`);
    this.name = 'BackupError';
  }
}

/** Saves a timestamped copy of the learner's file; returns its path (undefined if there was no file). */
export async function backup(folder: string, lesson: Lesson, exercise: Exercise, now = new Date()): Promise<string | undefined> {
  const file = learnerFile(folder, lesson, exercise);
  let content: Buffer;
  try {
    content = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // The file is there but cannot be read: it cannot be backed up, so nothing may replace it.
    throw new BackupError(file, e as Error);
  }
  const dir = backupDir(folder, lesson);
  await fs.mkdir(dir, { recursive: true });
  const base = path.basename(exercise.fileName, '.ts');
  for (let n = 0; ; n++) {
    const target = path.join(dir, `${base}.${stamp(now)}${n ? `-${n}` : ''}.ts`);
    try {
      await fs.writeFile(target, content, { flag: 'wx' });
      return target;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Backups of one exercise, newest first. */
export async function listBackups(folder: string, lesson: Lesson, exercise: Exercise): Promise<{ file: string; savedAt: Date }[]> {
  const dir = backupDir(folder, lesson);
  const base = path.basename(exercise.fileName, '.ts');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out = [];
  for (const name of names) {
    if (!name.startsWith(base + '.') || !name.endsWith('.ts')) continue;
    const file = path.join(dir, name);
    out.push({ file, savedAt: (await fs.stat(file)).mtime });
  }
  return out.sort((a, b) => b.savedAt.getTime() - a.savedAt.getTime() || b.file.localeCompare(a.file));
}

/** Backs up the learner's file, then puts the scaffold back. Returns the backup's path. */
export async function resetExercise(folder: string, lesson: Lesson, exercise: Exercise, locale: Locale = 'en'): Promise<string | undefined> {
  const saved = await backup(folder, lesson, exercise);
  const file = learnerFile(folder, lesson, exercise);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.copyFile(exercise.scaffolds[locale] ?? exercise.scaffold, file);
  return saved;
}

/** Backs up the current file, then restores `backupFile` over it. Returns the new backup's path. */
export async function restoreBackup(folder: string, lesson: Lesson, exercise: Exercise, backupFile: string): Promise<string | undefined> {
  const content = await fs.readFile(backupFile);
  const saved = await backup(folder, lesson, exercise);
  await fs.writeFile(learnerFile(folder, lesson, exercise), content);
  return saved;
}
