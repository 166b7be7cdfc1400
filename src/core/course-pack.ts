/**
 * The course as one compressed file (lessons.pack) in the packaged extension, unpacked into a folder on first use.
 *
 * Why: a VSIX is a ZIP, which compresses every file on its own with deflate's 32 KB window. The course is about
 * two hundred small text files that share most of their words (two languages, the same check library, the same
 * phrasing), and compressed one by one they cannot share anything. One Brotli stream of all of them (quality 11,
 * a 16 MB window) is about 60 % of their size zipped one by one (test/unit/course-pack.test.ts prints both), and
 * the extension's size budget (25,000,000 bytes for linux-x64) is what limits how many lessons can ship.
 *
 * Format: Brotli of the UTF-8 JSON `{ "format": "llm-lab-course", "version": 1, "files": { "<lesson>/<file>": text } }`
 * (every course file is text: the lesson contract allows Markdown, TypeScript, JSON, TXT and CSV only).
 * Unpacking writes every file into `<into>/course-<first 16 hex digits of the pack's SHA-256>/`, first under a
 * temporary name and then renamed, so a folder that exists is complete; a second window finding it there uses it.
 * A damaged pack is a clear error that names the file, never a half-written course.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** The pack's file name, beside dist/ in the packaged extension. */
export const COURSE_PACK = 'lessons.pack';
const FORMAT = 'llm-lab-course';
const VERSION = 1;
const DAY_MS = 24 * 60 * 60 * 1000;

interface PackJson {
  format: string;
  version: number;
  files: Record<string, string>;
}

/** Every file under `lessonsDir` that `ships(relativePath)` accepts, as one Brotli stream. */
export function packCourse(lessonsDir: string, ships: (relative: string) => boolean): Buffer {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = path.relative(lessonsDir, full).split(path.sep).join('/');
        if (ships(rel)) files[rel] = readFileSync(full, 'utf8');
      }
    }
  };
  walk(lessonsDir);
  const json = Buffer.from(JSON.stringify({ format: FORMAT, version: VERSION, files } satisfies PackJson), 'utf8');
  return brotliCompressSync(json, { params: {
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_QUALITY]: 11,
    [constants.BROTLI_PARAM_LGWIN]: 24,
    [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
  } });
}

/** A path from the pack that stays inside the course folder: relative, forward slashes, no `..` or empty parts. */
function safeRelative(rel: string): boolean {
  return rel.length > 0 && !rel.startsWith('/') && !/^[a-zA-Z]:/.test(rel) && !rel.includes('\\') && !rel.includes('\0')
    && rel.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The pack's files, or an Error saying what is wrong with it. */
export function readCoursePack(packFile: string): Map<string, string> {
  const damaged = (why: string) => new Error(`The course file of this installation is damaged (${packFile}: ${why}). Reinstall LLM Lab.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(brotliDecompressSync(readFileSync(packFile)).toString('utf8'));
  } catch (e) {
    throw damaged(e instanceof Error ? e.message : String(e));
  }
  const pack = parsed as Partial<PackJson> | null;
  if (!pack || pack.format !== FORMAT) throw damaged('not an LLM Lab course pack');
  if (pack.version !== VERSION) throw damaged(`format version ${String(pack.version)}, this LLM Lab reads ${VERSION}`);
  if (!pack.files || typeof pack.files !== 'object') throw damaged('no files');
  const out = new Map<string, string>();
  for (const [rel, text] of Object.entries(pack.files)) {
    if (!safeRelative(rel)) throw damaged(`a file path that leaves the course folder: ${JSON.stringify(rel)}`);
    if (typeof text !== 'string') throw damaged(`${rel} is not text`);
    out.set(rel, text);
  }
  if (!out.size) throw damaged('no files');
  return out;
}

/**
 * The folder the pack unpacks into under `into` (unpacking it there first if it is not there yet). The name comes
 * from the pack's bytes, so a new version of the extension gets a new folder; older folders are removed.
 */
export function unpackCourse(packFile: string, into: string): string {
  const hash = createHash('sha256').update(readFileSync(packFile)).digest('hex').slice(0, 16);
  const target = path.join(into, `course-${hash}`);
  if (!existsSync(target)) {
    const files = readCoursePack(packFile);
    mkdirSync(into, { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
    try {
      for (const [rel, text] of files) {
        const file = path.join(tmp, ...rel.split('/'));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      // Another window unpacked the same pack meanwhile: its folder is complete (renamed whole), use it.
      if (!existsSync(target)) throw e;
    }
  }
  // Folders of other versions, and temporary folders a crash left, are removed once they are a day old (a window
  // still running the previous version keeps its course until it reloads).
  for (const name of readdirSync(into)) {
    if (!/^course-[0-9a-f]{16}(\.tmp-.*)?$/.test(name) || name === path.basename(target)) continue;
    try {
      if (Date.now() - statSync(path.join(into, name)).mtimeMs > DAY_MS) rmSync(path.join(into, name), { recursive: true, force: true });
    } catch { /* gone already, or in use: next time */ }
  }
  return target;
}
