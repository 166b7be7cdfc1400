/** The learner's folder: scaffolds are copied once and never overwrite; resets and restores always leave a backup. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from '../../src/core/lessons/catalog';
import { backup, learnerFile, listBackups, openExercise, prepareFolder, resetExercise, restoreBackup } from '../../src/core/workspace';
import { FIXTURE_COURSE, ROOT, tempDir } from './helpers';

async function setup() {
  const c = await loadCatalog(FIXTURE_COURSE);
  const lesson = c.lessons[0];
  return { folder: path.join(tempDir(), 'llm-lab'), lesson, exercise: lesson.exercises[0] };
}

test('opening copies the scaffold the first time and never overwrites the learner file', async () => {
  const { folder, lesson, exercise } = await setup();
  const first = await openExercise(folder, lesson, exercise);
  assert.equal(first.created, true);
  assert.equal(first.file, path.join(folder, '01-add', 'add.ts'));
  assert.equal(readFileSync(first.file, 'utf8'), readFileSync(exercise.scaffold, 'utf8'));
  writeFileSync(first.file, 'my work');
  const second = await openExercise(folder, lesson, exercise);
  assert.equal(second.created, false);
  assert.equal(readFileSync(first.file, 'utf8'), 'my work');
});

test('reset saves a backup first; restore saves the current file first', async () => {
  const { folder, lesson, exercise } = await setup();
  const file = (await openExercise(folder, lesson, exercise)).file;
  writeFileSync(file, 'version 1');
  const saved = await resetExercise(folder, lesson, exercise);
  assert.ok(saved && existsSync(saved));
  assert.equal(readFileSync(saved, 'utf8'), 'version 1');
  assert.equal(readFileSync(file, 'utf8'), readFileSync(exercise.scaffold, 'utf8'));
  writeFileSync(file, 'version 2');
  const saved2 = await restoreBackup(folder, lesson, exercise, saved);
  assert.equal(readFileSync(file, 'utf8'), 'version 1');
  assert.equal(readFileSync(saved2!, 'utf8'), 'version 2');
  const list = await listBackups(folder, lesson, exercise);
  assert.equal(list.length, 2);
  assert.deepEqual(new Set(list.map((b) => readFileSync(b.file, 'utf8'))), new Set(['version 1', 'version 2']));
});

test('backups made in the same second do not overwrite each other', async () => {
  const { folder, lesson, exercise } = await setup();
  const file = (await openExercise(folder, lesson, exercise)).file;
  const now = new Date('2026-01-01T00:00:00Z');
  writeFileSync(file, 'a');
  const a = await backup(folder, lesson, exercise, now);
  writeFileSync(file, 'b');
  const b = await backup(folder, lesson, exercise, now);
  assert.notEqual(a, b);
  assert.equal(readFileSync(a!, 'utf8'), 'a');
  assert.equal(readFileSync(b!, 'utf8'), 'b');
  assert.equal(await backup(path.join(folder, 'nothing'), lesson, exercise), undefined);
});

test('the folder gets a tsconfig with the kit types, and a learner-edited tsconfig is kept', async () => {
  const { folder } = await setup();
  await prepareFolder(folder, path.join(ROOT, 'dist', 'types'));
  const cfg = JSON.parse(readFileSync(path.join(folder, 'tsconfig.json'), 'utf8'));
  assert.equal(cfg.compilerOptions.strict, true);
  for (const target of Object.values(cfg.compilerOptions.paths) as string[][]) assert.ok(existsSync(path.join(folder, target[0])), target[0]);
  writeFileSync(path.join(folder, 'tsconfig.json'), '{"mine": true}');
  await prepareFolder(folder, path.join(ROOT, 'dist', 'types'));
  assert.equal(readFileSync(path.join(folder, 'tsconfig.json'), 'utf8'), '{"mine": true}');
});

test('learner file paths mirror the lesson folder', async () => {
  const { lesson, exercise } = await setup();
  assert.equal(learnerFile('/ws/llm-lab', lesson, exercise), path.join('/ws/llm-lab', '01-add', 'add.ts'));
});

test('type checking works in the learner folder: the scaffold compiles, a type error is reported', async () => {
  const catalog = await loadCatalog(path.join(ROOT, 'lessons'));
  const lesson = catalog.lessons[0];
  const folder = path.join(tempDir(), 'llm-lab');
  await prepareFolder(folder, path.join(ROOT, 'dist', 'types'));
  const { file } = await openExercise(folder, lesson, lesson.exercises[0]);
  const tsc = (cwd: string) => spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', cwd], { encoding: 'utf8' });
  const clean = tsc(folder);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  writeFileSync(file, readFileSync(file, 'utf8') + `\nexport const wrong: NDArray = { data: [1, 2], shape: [2] };\n`);
  const broken = tsc(folder);
  assert.notEqual(broken.status, 0);
  assert.match(broken.stdout, /basics\.ts\(\d+,\d+\): error TS\d+: Type 'number\[\]' is (not assignable to|missing the following properties from) type 'Float32Array/);
});

test('reset and restore never replace a file they could not back up', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, async () => {
  const c = await loadCatalog(FIXTURE_COURSE);
  const lesson = c.lessons[0];
  const exercise = lesson.exercises[0];
  const folder = tempDir();
  const { file } = await openExercise(folder, lesson, exercise);
  writeFileSync(file, 'my precious work\n');
  chmodSync(file, 0o200); // writable, not readable
  try {
    await assert.rejects(resetExercise(folder, lesson, exercise), /cannot back up .* so it was not replaced: your work is untouched/);
  } finally {
    chmodSync(file, 0o600);
  }
  assert.equal(readFileSync(file, 'utf8'), 'my precious work\n');
});

test('a file that cannot be read is not backed up as missing (the unreadable case, simulated as a folder)', async () => {
  const c = await loadCatalog(FIXTURE_COURSE);
  const lesson = c.lessons[0];
  const exercise = lesson.exercises[0];
  const folder = tempDir();
  const file = learnerFile(folder, lesson, exercise);
  mkdirSync(file, { recursive: true }); // reading a folder fails with EISDIR, as an unreadable file fails with EACCES
  await assert.rejects(resetExercise(folder, lesson, exercise), /cannot back up .*EISDIR.* so it was not replaced/);
});
