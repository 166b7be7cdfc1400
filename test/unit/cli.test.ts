/** The llm-lab command line: list, check with its exit codes, and --json. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findExercise, loadCatalog, type Catalog, type Exercise, type Lesson } from '../../src/core/lessons/catalog';
import { prerequisiteFiles } from '../../src/core/workspace';
import { catalogFor } from '../../src/cli/catalog';
import { CLI, LESSONS, tempDir } from './helpers';

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
let catalog: Catalog;
let first: Lesson;
let ex: Exercise;
before(async () => {
  catalog = await loadCatalog(LESSONS);
  first = catalog.lessons[0];
  ex = first.exercises[0];
});

test('list prints every exercise id; --json is structured', () => {
  const out = cli('list');
  assert.equal(out.status, 0, out.stderr);
  for (const l of catalog.lessons) for (const e of l.exercises) assert.match(out.stdout, new RegExp(e.id.replace('/', '\\/')));
  const json = JSON.parse(cli('list', '--json').stdout);
  assert.equal(json[0].id, first.id);
  assert.equal(json[0].exercises[0].id, ex.id);
  const zh = cli('list', '--lang', 'zh-cn');
  assert.equal(zh.status, 0);
  assert.match(zh.stdout, /[\u4e00-\u9fff]/);
});

test('check --solution passes with exit code 0 and one line per check', () => {
  const out = cli('check', ex.id, '--solution');
  assert.equal(out.status, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /^All \d+ checks passed/m);
  assert.ok(out.stdout.split('\n').filter((l) => l.startsWith('  ✓ ')).length >= 3);
});

test('check of the scaffold fails with exit code 1; --json has the structured result', () => {
  const dir = tempDir();
  const file = path.join(dir, ex.fileName);
  copyFileSync(ex.scaffold, file);
  const out = cli('check', ex.id, '--file', file);
  assert.equal(out.status, 1);
  assert.match(out.stdout, /✗ .*\n\s+not implemented yet/);
  const json = JSON.parse(cli('check', ex.id, '--file', file, '--json').stdout);
  assert.equal(json.status, 'failed');
  assert.equal(json.file, file);
  assert.ok(json.checks.every((c: { status: string }) => c.status === 'failed'));
});

test('check defaults to the copy in ./llm-lab', () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'llm-lab', first.folder), { recursive: true });
  copyFileSync(ex.solution, path.join(dir, 'llm-lab', first.folder, ex.fileName));
  const out = spawnSync(process.execPath, [CLI, 'check', ex.id], { cwd: dir, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stdout + out.stderr);
});

test('a syntax error fails with exit code 1 and names the line', () => {
  const file = path.join(tempDir(), 'broken.ts');
  writeFileSync(file, 'export function (\n');
  const out = cli('check', ex.id, '--file', file);
  assert.equal(out.status, 1);
  assert.match(out.stdout, /does not compile: broken\.ts:1:/);
});

test('usage and setup errors exit with code 2 and say what is wrong', () => {
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['check'], /needs an exercise id/],
    [['check', 'nope/nope'], /no exercise "nope\/nope"; known: /],
    [['check', ex.id, '--file', '/nonexistent/x.ts'], /no file at \/nonexistent\/x\.ts/],
    [['check', ex.id, '--solution', '--file', 'x.ts'], /either --file or --solution/],
    [['check', ex.id, '--solution', '--timeout', 'soon'], /--timeout must be a positive number/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
    [['list', '--lang', 'fr'], /unknown --lang fr/],
  ];
  for (const [args, message] of cases) {
    const out = cli(...args);
    assert.equal(out.status, 2, `${args.join(' ')}: ${out.stdout}${out.stderr}`);
    assert.match(out.stderr, message);
  }
});

test('check --lang zh-cn reports in Chinese; a diagnosis shared by several checks is written once', () => {
  const dir = tempDir();
  const file = path.join(dir, ex.fileName);
  copyFileSync(ex.scaffold, file);
  const out = cli('check', ex.id, '--file', file, '--lang', 'zh-cn');
  assert.equal(out.status, 1);
  assert.match(out.stdout, /项检查中通过 0 项/);
  assert.match(out.stdout, /尚未实现/);
  // The scaffold's checks fail with one of a few "not implemented yet" messages: each is printed once, then referred to.
  const said = out.stdout.split('\n').filter((l) => /尚未实现/.test(l));
  assert.equal(new Set(said).size, said.length, 'each diagnosis is written once');
  assert.match(out.stdout, /与上面的“.*”相同/);
});

test('a check reads only the lessons it needs, and sees each exercise and what it builds on as the whole catalog does', async () => {
  for (const lang of ['en', 'zh-cn'] as const) {
    const whole = await loadCatalog(LESSONS, lang);
    for (const l of whole.lessons) {
      for (const e of l.exercises) {
        const some = await catalogFor(LESSONS, e.id, lang);
        const a = findExercise(whole, e.id)!;
        const b = findExercise(some, e.id);
        assert.ok(b, `${e.id} (${lang}) is found`);
        assert.deepEqual(b.exercise, a.exercise, `${e.id} (${lang})`);
        assert.equal(b.lesson.folder, a.lesson.folder);
        assert.deepEqual(prerequisiteFiles('/learner', some, b.exercise), prerequisiteFiles('/learner', whole, a.exercise), `${e.id} (${lang}): what it builds on`);
      }
    }
  }
  const first = await catalogFor(LESSONS, ex.id, 'en');
  assert.ok(first.lessons.length < catalog.lessons.length, 'fewer lessons than the whole course');
  // An unknown exercise: the whole catalog (its error lists every known id).
  assert.equal((await catalogFor(LESSONS, 'no-such/exercise', 'en')).lessons.length, catalog.lessons.length);
});
