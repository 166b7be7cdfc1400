/**
 * Where things are inside an installed LLM Lab (the extension folder or the npm package):
 * the bundles in dist/, the course in lessons/.
 */
import * as path from 'node:path';

export interface Install {
  root: string;
  lessons: string;
  worker: string;
  /** Type declarations copied into the learner's folder. */
  types: string;
}

export function install(root: string): Install {
  return {
    root,
    lessons: path.join(root, 'lessons'),
    worker: path.join(root, 'dist', 'worker.js'),
    types: path.join(root, 'dist', 'types'),
  };
}

/** Default limits of a check run; the extension's settings override them. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MEMORY_MB = 1024;
