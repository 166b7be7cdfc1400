/**
 * The README's "Adding a lesson" section, tested on a lesson written from it: test/fixtures/course/02-scale
 * (texts in both languages, a scaffold and its Chinese twin, a solution that imports lesson 1's learner file,
 * checks with a shared result, a mistake catalogue). The loader, the lesson suite and the catalogue runner
 * pick it up with no registration anywhere else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalog, prerequisitesOf } from '../../src/core/lessons/catalog';
import { mistakeCases, testCatalogues } from './catalogue';
import { testCourse } from './course-suite';
import { FIXTURE_COURSE } from './helpers';
import { SCALE_MISTAKES } from '../fixtures/course/02-scale/mistakes';
import { ADD_MISTAKES } from '../fixtures/course/01-add/mistakes';

test('the loader finds the new lesson, its requires, its Chinese text and its Chinese scaffold', async () => {
  for (const locale of ['en', 'zh-cn'] as const) {
    const catalog = await loadCatalog(FIXTURE_COURSE, locale);
    assert.deepEqual(catalog.problems, []);
    const lesson = catalog.lessons.find((l) => l.id === 'scale');
    assert.ok(lesson, 'the scale lesson is loaded');
    assert.equal(lesson.title, locale === 'en' ? 'Scaling a sum' : '缩放向量之和');
    const [exercise] = lesson.exercises;
    assert.deepEqual(exercise.requires, ['add/vectors']);
    assert.deepEqual(prerequisitesOf(catalog, exercise).map((p) => p.exercise.id), ['add/vectors']);
    assert.match(exercise.scaffolds['zh-cn'], /scale\.zh-cn\.ts$/);
  }
});

testCourse(FIXTURE_COURSE);

testCatalogues(FIXTURE_COURSE, [
  ...mistakeCases(ADD_MISTAKES, 'add/vectors', [
    { key: 'subtracted', check: 'adds small vectors', edits: [['out[i] = a[i] + b[i]', 'out[i] = a[i] - b[i]']] },
  ]),
  ...mistakeCases(SCALE_MISTAKES, 'scale/sum', [
    { key: 'scale-added', check: 'scales the sum by 2', edits: [['x * s', 'x + s']] },
    { key: 'scale-added', name: 'a fraction', check: 'scales by a fraction', edits: [['x * s', 'x + s']] },
    { key: 'one-side', check: 'scales the sum by 2', edits: [['const sum = addVectors(a, b);', 'const sum = addVectors(a.map((x) => x * s), b).map((x) => x / s);']] },
  ]),
]);
