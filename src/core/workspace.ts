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
import type { Exercise, Lesson } from './lessons/catalog';

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

/** Copies the scaffold into the folder unless the learner already has that file. Returns the learner's path. */
export async function openExercise(folder: string, lesson: Lesson, exercise: Exercise): Promise<{ file: string; created: boolean }> {
  const file = learnerFile(folder, lesson, exercise);
  if (await exists(file)) return { file, created: false };
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx' fails if the file appeared meanwhile: never overwrite.
    await fs.writeFile(file, await fs.readFile(exercise.scaffold), { flag: 'wx' });
    return { file, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { file, created: false };
    throw e;
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
}

/** Saves a timestamped copy of the learner's file; returns its path (undefined if there was no file). */
export async function backup(folder: string, lesson: Lesson, exercise: Exercise, now = new Date()): Promise<string | undefined> {
  const file = learnerFile(folder, lesson, exercise);
  const content = await fs.readFile(file).catch(() => undefined);
  if (content === undefined) return undefined;
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
export async function resetExercise(folder: string, lesson: Lesson, exercise: Exercise): Promise<string | undefined> {
  const saved = await backup(folder, lesson, exercise);
  const file = learnerFile(folder, lesson, exercise);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.copyFile(exercise.scaffold, file);
  return saved;
}

/** Backs up the current file, then restores `backupFile` over it. Returns the new backup's path. */
export async function restoreBackup(folder: string, lesson: Lesson, exercise: Exercise, backupFile: string): Promise<string | undefined> {
  const content = await fs.readFile(backupFile);
  const saved = await backup(folder, lesson, exercise);
  await fs.writeFile(learnerFile(folder, lesson, exercise), content);
  return saved;
}
