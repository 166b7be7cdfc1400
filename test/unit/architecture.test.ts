/** The pure core, the kit, the model layer and the runner never import 'vscode', so they run in plain Node (CLI, tests). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contractViolations, importsOf } from './contract';
import { FIXTURE_COURSE, LESSONS, ROOT, tempDir } from './helpers';

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

test('the course layer never imports a lesson, and imports only the kit, the check library, the model and its own parts', () => {
  const course = path.join(ROOT, 'src', 'course');
  const bad = files(course).flatMap((f) => importsOf(readFileSync(f, 'utf8')).map((spec) => ({ f, spec })))
    .filter(({ f, spec }) => {
      if (/^@llm-lab\/(kit|check|model)$/.test(spec) || /^@llm-lab\/course\/[a-z0-9-]+$/.test(spec) || spec.startsWith('node:')) return false;
      // A data generator (make-*.ts, never shipped) may read an npm data package and the model's training data.
      const generator = path.basename(f).startsWith('make-');
      if (!spec.startsWith('.')) return !generator;
      const target = path.resolve(path.dirname(f), spec);
      // Relative imports stay inside the file's own part (a generator may read the model's training data).
      const part = path.relative(course, f).split(path.sep)[0];
      return !target.startsWith(path.join(course, part) + path.sep) && !(generator && target.startsWith(path.join(ROOT, 'src', 'model')));
    })
    .map(({ f, spec }) => `${path.relative(ROOT, f)}: ${spec}`);
  assert.deepEqual(bad, []);
});

test('the lessons follow the lesson contract', async () => {
  assert.deepEqual(await contractViolations(LESSONS), []);
});

test('the fixture course written from the README follows the contract', async () => {
  assert.deepEqual(await contractViolations(FIXTURE_COURSE), []);
});

test('the contract test fails on a cross-lesson import of a non-scaffold, a file outside the contract, a missing requires and a mistake without Chinese', async () => {
  const root = path.join(tempDir('llm-lab-contract-'), 'course');
  const fresh = () => { rmSync(root, { recursive: true, force: true }); cpSync(FIXTURE_COURSE, root, { recursive: true }); };
  const scale = (f: string) => path.join(root, '02-scale', f);

  fresh();
  const solution = readFileSync(scale('scale.solution.ts'), 'utf8');
  writeFileSync(scale('scale.solution.ts'), solution.replace("from '../01-add/add'", "from '../01-add/add.solution'"));
  assert.match((await contractViolations(root)).join('\n'), /scale\.solution\.ts: imports \.\.\/01-add\/add\.solution: from another lesson only a scaffold/);

  fresh();
  writeFileSync(scale('helpers.ts'), 'export const x = 1;\n');
  assert.match((await contractViolations(root)).join('\n'), /02-scale\/helpers\.ts: not a lesson file/);

  fresh();
  const md = readFileSync(scale('lesson.md'), 'utf8');
  writeFileSync(scale('lesson.md'), md.replace('    requires: [add/vectors]\n', ''));
  assert.match((await contractViolations(root)).join('\n'), /scale\.ts: imports \.\.\/01-add\/add but scale\/sum does not list add\/vectors under requires/);

  fresh();
  const mistakes = readFileSync(scale('mistakes.ts'), 'utf8');
  writeFileSync(scale('mistakes.ts'), mistakes.replace("'和被加上了 s，而不是乘以 s。'", "''"));
  assert.match((await contractViolations(root)).join('\n'), /02-scale\/mistakes\.ts: mistake "scale-added": message needs a non-empty text in en and zh-cn/);

  fresh();
  writeFileSync(scale('scale.ts'), `import { x } from '@llm-lab/course/attention';\n${readFileSync(scale('scale.ts'), 'utf8')}`);
  assert.match((await contractViolations(root)).join('\n'), /scale\.ts: imports @llm-lab\/course\/attention: only checks use the course layer/);
});
