/** The pure core, the kit, the model layer and the runner never import 'vscode', so they run in plain Node (CLI, tests). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(ts|mts)$/.test(d.name))
    .map((d) => path.join(d.parentPath, d.name));
}

test("core, kit, model, harness and cli do not import 'vscode'", () => {
  const offenders = ['core', 'kit', 'model', 'harness', 'cli'].flatMap((d) => files(path.join(ROOT, 'src', d)))
    .filter((f) => /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => path.relative(ROOT, f)), []);
});

test("only src/extension.ts and src/vscode/ import 'vscode' at run time", () => {
  const all = files(path.join(ROOT, 'src'));
  const users = all.filter((f) => /^import \* as vscode from 'vscode'/m.test(readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f));
  assert.ok(users.length > 0);
  assert.deepEqual(users.filter((f) => !f.startsWith(path.join('src', 'vscode'))), []);
});
