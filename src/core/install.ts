/**
 * Where things are inside an installed LLM Lab (the extension folder or the npm package):
 * the bundles in dist/, the course in lessons/. A packaged extension carries the course as one compressed file
 * (lessons.pack, see course-pack.ts) instead of the lessons/ folder; it is unpacked on first use into
 * `unpackTo` (the extension's global storage) or, without one, the system's temporary folder.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COURSE_PACK, unpackCourse } from './course-pack';

export interface Install {
  root: string;
  lessons: string;
  worker: string;
  /** Type declarations copied into the learner's folder. */
  types: string;
}

export function install(root: string, opts: { unpackTo?: string } = {}): Install {
  const folder = path.join(root, 'lessons');
  const pack = path.join(root, COURSE_PACK);
  const lessons = !existsSync(folder) && existsSync(pack) ? unpackCourse(pack, opts.unpackTo ?? path.join(tmpdir(), 'llm-lab')) : folder;
  return {
    root,
    lessons,
    worker: path.join(root, 'dist', 'worker.js'),
    types: path.join(root, 'dist', 'types'),
  };
}

/** Default limits of a check run; the extension's settings override them. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MEMORY_MB = 1024;
