/** The command line's catalog: only the lessons a command needs. */
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { type Catalog, findExercise, loadCatalog, type Locale } from '../core/lessons/catalog';

/**
 * The lessons a check of exercise `id` needs: its own and, through `requires`, every lesson it builds on. Lesson
 * folders are named <order>-<lesson id>; each one's front matter is scanned for exercise ids (a superset of what it
 * requires), and those lessons are read too. Anything unexpected (no such folder, two of them, a problem in one of
 * them, the exercise not found) falls back to the whole catalog, so a check sees what it would in the whole catalog.
 */
export async function catalogFor(root: string, id: string, lang: Locale): Promise<Catalog> {
  const whole = () => loadCatalog(root, lang);
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return whole();
  }
  const folders = new Map<string, string[]>();
  for (const name of names) {
    const m = /^\d+[a-z]?-([a-z0-9-]+)$/.exec(name);
    if (m) folders.set(m[1], [...(folders.get(m[1]) ?? []), name]);
  }
  const wanted = new Set<string>();
  const queue = [id.split('/')[0]];
  while (queue.length) {
    const found = folders.get(queue.pop()!);
    if (!found || found.length !== 1) return whole();
    if (wanted.has(found[0])) continue;
    wanted.add(found[0]);
    const text = await readFile(path.join(root, found[0], 'lesson.md'), 'utf8').catch(() => undefined);
    if (text === undefined) return whole();
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? text;
    for (const m of front.matchAll(/([a-z0-9]+(?:-[a-z0-9]+)*)\/[a-z0-9]+(?:-[a-z0-9]+)*/g)) if (folders.has(m[1])) queue.push(m[1]);
  }
  const some = await loadCatalog(root, lang, (name) => wanted.has(name));
  if (!findExercise(some, id) || some.problems.some((p) => p.severity === 'error')) return whole();
  return some;
}
