/** Shared helpers for unit tests: paths of the built runner and the fixture course, temp folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

export const ROOT = path.resolve(__dirname, '..', '..');
export const WORKER = path.join(ROOT, 'dist', 'worker.js');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const FIXTURE_COURSE = path.join(ROOT, 'test', 'fixtures', 'course');
export const LESSONS = path.join(ROOT, 'lessons');

/** A fresh temporary folder, removed after the test file finishes. */
export function tempDir(prefix = 'llm-lab-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
