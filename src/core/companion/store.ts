/**
 * The companion's files: plain JSON under the learner folder's `.llm-lab/companion/`, written with
 * write-then-rename (a crash leaves the old file or the new one, never half of one). A file that does not
 * parse, or does not have the expected shape (hand-edited), is reported and set aside as
 * `<name>.corrupt-<timestamp>.json`: the learner keeps a copy, and nothing is silently reset.
 * Exports never overwrite a file: `post.md`, then `post-2.md`, `post-3.md`...
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';

export interface CorruptFile {
  /** The file that could not be read. */
  file: string;
  /** Where it was moved. */
  movedTo: string;
  reason: string;
}

/** Writes `text` to `file` atomically: a temporary file beside it, flushed, then renamed over it. */
export function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** `<dir>/<name>.corrupt-<timestamp>.json` for `<dir>/<name>.json`, never an existing file. */
export function corruptName(file: string, now: Date): string {
  const dir = path.dirname(file);
  const name = path.basename(file).replace(/\.json$/, '');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let candidate = path.join(dir, `${name}.corrupt-${stamp}.json`);
  for (let i = 2; existsSync(candidate); i++) candidate = path.join(dir, `${name}.corrupt-${stamp}-${i}.json`);
  return candidate;
}

/**
 * Reads a JSON file. Missing: `empty()`. Unreadable or the wrong shape (`check` returns why, or undefined
 * when it is fine): moved aside, reported through `onCorrupt`, and `empty()` is returned.
 */
export function readJson<T>(file: string, check: (v: unknown) => string | undefined, empty: () => T,
  onCorrupt: (c: CorruptFile) => void, now = new Date()): T {
  if (!existsSync(file)) return empty();
  let reason: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
    reason = check(value);
  } catch (e) {
    reason = `not valid JSON: ${(e as Error).message}`;
  }
  if (reason === undefined) return value as T;
  const movedTo = corruptName(file, now);
  renameSync(file, movedTo);
  onCorrupt({ file, movedTo, reason });
  return empty();
}

export function writeJson(file: string, value: unknown): void {
  writeAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

/**
 * Creates `<dir>/<base><ext>` with `content`, or `<base>-2<ext>`, `<base>-3<ext>`... when it exists: an
 * export never overwrites a file (the `wx` flag makes that hold even against a race). Returns the path.
 */
export function writeNew(dir: string, base: string, ext: string, content: string | Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 1; ; i++) {
    const file = path.join(dir, `${base}${i === 1 ? '' : `-${i}`}${ext}`);
    try {
      writeFileSync(file, content, { flag: 'wx' });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** A name safe as a file name: `attention/scaled-dot-product` -> `attention-scaled-dot-product`. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9\u4e00-\u9fff]+/g, '-').replace(/^-+|-+$/g, '') || 'untitled';
}
