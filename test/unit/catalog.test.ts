/** The lesson loader: good lessons load in order; each malformed one is reported by file and field, and the rest keep working. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findExercise, formatProblem, loadCatalog, partsOf } from '../../src/core/lessons/catalog';
import { FIXTURE_COURSE, LESSONS, tempDir } from './helpers';

function course(): string {
  const root = tempDir();
  cpSync(FIXTURE_COURSE, root, { recursive: true });
  return root;
}

/** Writes a second lesson folder whose lesson.md is `front` (YAML without the dashes) + body. */
function addLesson(root: string, folder: string, front: string, files = ['x.ts', 'x.solution.ts', 'x.checks.ts']): string {
  const dir = path.join(root, folder);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(path.join(dir, f), 'export {};\n');
  writeFileSync(path.join(dir, 'lesson.md'), `---\n${front}\n---\nText.\n`);
  return path.join(dir, 'lesson.md');
}

const good = (id: string, order = 2, extra = '') => `id: ${id}
title: Second
part: Fixtures
order: ${order}
minutes: 5
objectives: [learn]
exercises:
  - id: ${id}/x
    title: X
    file: x.ts
    solution: x.solution.ts
    checks: x.checks.ts
    hints: [one]${extra}`;

test('the fixture course loads with its exercise, and lessons sort by order', async () => {
  const root = course();
  addLesson(root, '00-first', good('zeroth', 0.5));
  const c = await loadCatalog(root);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.lessons.map((l) => l.id), ['zeroth', 'add', 'scale']);
  const found = findExercise(c, 'add/vectors');
  assert.equal(found?.exercise.fileName, 'add.ts');
  assert.deepEqual(found?.exercise.hints, ['Loop over the elements.', 'out[i] = a[i] + b[i].']);
  assert.equal(found?.lesson.folder, '01-add');
  assert.deepEqual(partsOf(c.lessons).map((p) => p.title), ['Fixtures']);
});

const broken: [string, string, string | undefined, RegExp][] = [
  ['bad YAML', 'id: x\ntitle: [unclosed', undefined, /front matter is not valid YAML at line \d+/],
  ['missing title', good('m').replace('title: Second\n', ''), 'title', /"title" must be a non-empty string/],
  ['bad id', good('m').replace('id: m\n', 'id: Bad Id\n'), 'id', /lowercase letters, digits and dashes/],
  ['minutes not a number', good('m').replace('minutes: 5', 'minutes: soon'), 'minutes', /positive number/],
  ['objectives not a list', good('m').replace('objectives: [learn]', 'objectives: learn'), 'objectives', /list of non-empty strings/],
  ['no exercises', good('m').replace(/exercises:[\s\S]*/, 'exercises: []'), 'exercises', /non-empty list/],
  ['exercise id outside the lesson', good('m').replace('id: m/x', 'id: other/x'), 'exercises[0].id', /must look like "m\/<name>"/],
  ['missing scaffold file', good('m').replace('file: x.ts', 'file: nope.ts'), 'exercises[0].file', /names nope\.ts, which does not exist/],
  ['file outside the folder', good('m').replace('checks: x.checks.ts', 'checks: ../01-add/add.checks.ts'), 'exercises[0].checks', /must name a file in the lesson folder/],
  ['hints missing', good('m').replace('    hints: [one]', ''), 'exercises[0].hints', /list of non-empty strings/],
  ['duplicate lesson id', good('add'), 'id', /duplicate lesson id "add"/],
];

for (const [name, front, field, message] of broken) {
  test(`malformed lesson (${name}) is reported by file and field; the good lesson still loads`, async () => {
    const root = course();
    const file = addLesson(root, '02-broken', front);
    const c = await loadCatalog(root);
    assert.deepEqual(c.lessons.map((l) => l.id), ['add', 'scale']);
    assert.equal(c.problems.length, 1, JSON.stringify(c.problems));
    const p = c.problems[0];
    assert.equal(p.file, file);
    assert.equal(p.field, field);
    assert.equal(p.severity, 'error');
    assert.match(p.message, message);
    assert.match(formatProblem(p, root), new RegExp(`02-broken/lesson\\.md${field ? ` \\(${field.replace(/[[\]]/g, '\\$&')}\\)` : ''}: `));
  });
}

test('a lesson folder without lesson.md, or without front matter, is reported', async () => {
  const root = course();
  mkdirSync(path.join(root, '03-empty'));
  const dir = path.join(root, '04-nofront');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'lesson.md'), '# Just text\n');
  const c = await loadCatalog(root);
  assert.deepEqual(c.lessons.map((l) => l.id), ['add', 'scale']);
  assert.match(c.problems.find((p) => p.file.includes('03-empty'))!.message, /cannot read lesson\.md/);
  assert.match(c.problems.find((p) => p.file.includes('04-nofront'))!.message, /missing front matter/);
});

test('two exercises with the same id in one lesson are reported', async () => {
  const root = course();
  const twice = good('dup') + `
  - id: dup/x
    title: Again
    file: x.ts
    solution: x.solution.ts
    checks: x.checks.ts
    hints: [two]`;
  const file = addLesson(root, '05-dup', twice);
  const c = await loadCatalog(root);
  assert.deepEqual(c.lessons.map((l) => l.id), ['add', 'scale']);
  assert.equal(c.problems[0].file, file);
  assert.equal(c.problems[0].field, 'exercises[1].id');
  assert.match(c.problems[0].message, /duplicate exercise id "dup\/x"/);
});

test('the Chinese translation replaces title, part, objectives, exercise titles and hints', async () => {
  const c = await loadCatalog(course(), 'zh-cn');
  const l = c.lessons[0];
  assert.equal(l.locale, 'zh-cn');
  assert.equal(l.title, '向量相加');
  assert.equal(l.part, '测试夹具');
  assert.deepEqual(l.exercises[0].hints, ['遍历每个元素。', 'out[i] = a[i] + b[i]。']);
  assert.match(l.body, /夹具课程/);
});

test('a missing or incomplete translation falls back to English with a warning', async () => {
  const root = course();
  rmSync(path.join(root, '01-add', 'lesson.zh-cn.md'));
  const c = await loadCatalog(root, 'zh-cn');
  assert.equal(c.lessons[0].title, 'Adding vectors');
  assert.equal(c.problems[0].severity, 'warning');
  writeFileSync(path.join(root, '01-add', 'lesson.zh-cn.md'), '---\ntitle: 向量\npart: 夹具\nobjectives: [x]\nexercises:\n  - id: add/vectors\n    title: 相加\n    hints: [只有一个]\n---\n');
  const c2 = await loadCatalog(root, 'zh-cn');
  assert.equal(c2.lessons[0].title, 'Adding vectors');
  assert.match(c2.problems[0].message, /has 1 hints, the English lesson has 2/);
});

test('requires: an exercise that needs a missing or a later exercise is reported, and its lesson dropped', async () => {
  for (const [needs, message] of [['nope/x', /requires "nope\/x", which no lesson has/], ['late/x', /requires "late\/x", which does not come before it/]] as const) {
    const root = course();
    addLesson(root, '00-early', good('early', 0.5, `\n    requires: [${needs}]`));
    addLesson(root, '09-late', good('late', 9));
    const c = await loadCatalog(root);
    assert.deepEqual(c.lessons.map((l) => l.id), ['add', 'scale', 'late']);
    assert.equal(c.problems.length, 1, JSON.stringify(c.problems));
    assert.equal(c.problems[0].field, 'requires');
    assert.match(c.problems[0].message, message);
  }
  const root = course();
  addLesson(root, '00-bad', good('bad', 0.5, '\n    requires: [Not An Id]'));
  assert.match((await loadCatalog(root)).problems[0].message, /names exercise ids like/);
});

test('a missing lessons folder is one clear problem, not a crash', async () => {
  const c = await loadCatalog(path.join(tempDir(), 'nope'));
  assert.deepEqual(c.lessons, []);
  assert.match(c.problems[0].message, /lessons folder is missing/);
});

test('the real course loads without problems, in both languages', async () => {
  for (const locale of ['en', 'zh-cn'] as const) {
    const c = await loadCatalog(LESSONS, locale);
    assert.deepEqual(c.problems.map((p) => formatProblem(p)), []);
    assert.ok(c.lessons.length >= 1);
  }
});
