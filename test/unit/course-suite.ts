/**
 * The permanent course test: for every lesson in lessons/, the reference solution passes every check (laid out
 * as a learner folder with the solutions of everything it builds on, each under its learner file name) and the
 * untouched scaffold fails every check, through the real runner process. New lessons join automatically.
 * Both run in Chinese: every failure of the scaffold, and every title and axis label of the reference's
 * artifacts (heatmaps, curves, tables, samples), must be in Chinese, so an untranslated one fails here.
 *
 * LLM_LAB_LESSONS=attention,lora/ limits the run to exercise ids starting with one of those prefixes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { hasChinese } from '../../src/core/grading/text';
import type { Artifact } from '../../src/core/grading/result';
import { WORKER, limiter, tempDir } from './helpers';

const only = process.env.LLM_LAB_LESSONS?.split(',').filter(Boolean);

/** Registers the suite for a course root (the real course, or a fixture course written from the README). */
export function testCourse(root: string): void {
  const dir = tempDir('llm-lab-lessons-');
  const limit = limiter(2);
  test(`${path.basename(root)}: every lesson's reference solution passes every check, its untouched scaffold fails every check`, async (t) => {
    const catalog = await loadCatalog(root);
    assert.ok(catalog.lessons.length > 0, 'the course has no lessons');
    assert.deepEqual(catalog.problems.filter((p) => p.severity === 'error'), []);
    const exercises = catalog.lessons.flatMap((lesson) => lesson.exercises)
      .filter((e) => !only || only.some((o) => e.id.startsWith(o)));
    const runs = exercises.map((exercise) => {
      const run = (file: string, folder?: string) => limit(() => runInWorker({
        exerciseId: exercise.id, learnerFile: file, checksFile: exercise.checks, locale: 'zh-cn',
        prerequisites: folder ? prerequisiteFiles(folder, catalog, exercise) : undefined,
      }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 2048 }));
      const folder = path.join(dir, exercise.id.replace('/', '--'));
      const solution = solutionFolder(folder, catalog, exercise).then((file) => run(file, folder));
      const scaffold = run(exercise.scaffold);
      solution.catch(() => undefined);
      scaffold.catch(() => undefined);
      return { exercise, solution, scaffold };
    });
    for (const { exercise, solution, scaffold } of runs) {
      await t.test(`${exercise.id}: the reference solution, in a learner folder, passes every check`, async () => {
        const r = await solution;
        const bad = r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`);
        assert.equal(r.error, undefined, r.error?.message);
        assert.deepEqual(bad, []);
        assert.ok(r.checks.length >= 2, 'an exercise needs several checks');
        assert.equal(r.status, 'passed');
        const captions = r.checks.flatMap((c) => c.artifacts.flatMap((a) => labelsOf(a).map((text) => ({ check: c.name, text }))));
        assert.deepEqual(captions.filter((x) => !hasChinese(x.text)).map((x) => `${x.check}: ${x.text}`), [], 'artifact captions without Chinese');
      });

      await t.test(`${exercise.id}: the untouched scaffold fails every check`, async () => {
        const r = await scaffold;
        assert.equal(r.error, undefined, `the scaffold must load and run: ${r.error?.message}`);
        const passing = r.checks.filter((c) => c.status === 'passed').map((c) => c.name);
        assert.deepEqual(passing, [], 'these checks pass on the scaffold, so they test nothing');
        for (const c of r.checks) {
          assert.match(c.message ?? '', /尚未实现.*TODO/, `${c.name} should fail because of a TODO, got: ${c.message}`);
          assert.ok(hasChinese(c.name), `the check name "${c.name}" is not in Chinese`);
        }
      });

      await t.test(`${exercise.id}: has at least two hints`, () => {
        assert.ok(exercise.hints.length >= 2);
      });
    }
  });
}


/** The texts of an artifact a learner reads as words: its title and, for curves, the axis labels. */
function labelsOf(a: Artifact): string[] {
  return a.kind === 'curve' ? [a.title, a.xLabel, a.yLabel] : [a.title];
}
