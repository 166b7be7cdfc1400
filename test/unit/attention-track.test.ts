/**
 * The attention track (lessons 2-4) beyond its mistake catalogue (whose cases are in test/unit/mistakes/attention.ts):
 * the reference solutions, laid out as a learner folder (each under its learner file name, with the solutions
 * of the exercises it builds on), run through the real runner in Chinese: every check passes, and what the
 * learner reads (check names, artifact titles, axis names, labels) is in Chinese. The artifacts also say what
 * they should: every layer and head of the bundled model is drawn, and the greedy text of the learner's model
 * is onnxruntime's. And the holes issue 12 found in these lessons stay closed: one-bug files of the track's corpus
 * (test/unit/corpus/attention.ts) that passed, or were told a mistake they do not have, run through the checks concerned.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { hasChinese } from '../../src/core/grading/text';
import type { Artifact, RunResult } from '../../src/core/grading/result';
import { planInWorker, runInWorker } from '../../src/harness/host';
import { learnerFile, prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { LESSONS, WORKER, tempDir, withEdits } from './helpers';
import { CORPUS } from './corpus/attention';
import { ATTENTION_MISTAKE_TEXT } from '../../lessons/02-attention/mistakes';

const EXERCISES = ['attention/scaled-dot-product', 'multi-head-attention/layer', 'gpt-forward/model'];
/** The bundled model: 4 layers of 4 heads. */
const MAPS = 4 * 4;

const dir = tempDir('llm-lab-attention-');

async function runSolution(id: string): Promise<RunResult> {
  const catalog = await loadCatalog(LESSONS);
  const found = findExercise(catalog, id);
  assert.ok(found, `no exercise ${id}`);
  const folder = path.join(dir, id.replace('/', '--'));
  mkdirSync(folder, { recursive: true });
  const file = await solutionFolder(folder, catalog, found.exercise);
  return runInWorker({
    exerciseId: id, learnerFile: file, checksFile: found.exercise.checks, locale: 'zh-cn',
    prerequisites: prerequisiteFiles(folder, catalog, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048 });
}

/** Every piece of text of an artifact a learner reads (not data: token labels, code, numbers). */
function captions(a: Artifact): string[] {
  switch (a.kind) {
    case 'heatmaps': return [a.title, a.rowTitle ?? '', a.columnTitle ?? '', ...a.axes];
    case 'table': return [a.title];
    case 'generation': return [a.title, a.actual.label];
    default: return [a.title];
  }
}

for (const id of EXERCISES) {
  test(`${id}: the reference solutions pass every check in Chinese, and the learner reads Chinese`, async () => {
    const r = await runSolution(id);
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
    assert.deepEqual(r.checks.filter((c) => !hasChinese(c.name)).map((c) => c.name), [], 'check names in Chinese');
    const artifacts = r.checks.flatMap((c) => c.artifacts);
    assert.ok(artifacts.length > 0, 'the checks draw something');
    const english = artifacts.flatMap(captions).filter((s) => !hasChinese(s));
    assert.deepEqual(english, [], 'artifact titles and axis names in Chinese');

    for (const a of artifacts) {
      if (a.kind === 'heatmaps') {
        // The bundled model's attention: one map per (layer, head), each a T x T distribution over the keys.
        assert.deepEqual(a.axes, ['层', '头']);
        assert.equal(a.maps.length, MAPS);
        assert.deepEqual(a.maps.map((m) => m.at.join(',')), Array.from({ length: MAPS }, (_, i) => `${Math.floor(i / 4)},${i % 4}`));
        for (const m of a.maps) {
          assert.equal(m.values.length, a.rows.length);
          for (const row of m.values) assert.ok(Math.abs(row.reduce((s, w) => s + w, 0) - 1) < 1e-3, 'each row of a map sums to 1');
        }
      }
      if (a.kind === 'generation') {
        assert.equal(a.actual.text, a.expected.text, 'the greedy text of the reference is onnxruntime\'s');
        assert.equal([...a.actual.text].length, 50);
      }
    }
    const kinds = new Set(artifacts.map((a) => a.kind));
    if (id !== 'gpt-forward/model') assert.ok(kinds.has('heatmaps'), 'the bundled model\'s attention is drawn');
    else assert.ok(kinds.has('generation') && kinds.has('bars'), 'the greedy text and the next-character bars are drawn');
  });
}

/** Runs one entry of the track's corpus in English, only the checks whose English names start with `checks`. */
async function runEntry(name: string, checks: string[]): Promise<RunResult> {
  const entry = CORPUS.find((e) => e.name === name);
  assert.ok(entry, `no corpus entry ${name}`);
  const catalog = await loadCatalog(LESSONS);
  const found = findExercise(catalog, entry.exercise);
  assert.ok(found, `no exercise ${entry.exercise}`);
  const folder = path.join(dir, `entry-${CORPUS.indexOf(entry)}`);
  mkdirSync(folder, { recursive: true });
  const file = await solutionFolder(folder, catalog, found.exercise);
  const own = learnerFile(folder, found.lesson, found.exercise);
  writeFileSync(own, entry.source ?? withEdits(readFileSync(own, 'utf8'), entry.edits ?? [], entry.name));
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const only = plan.filter((p) => checks.some((c) => p.name.startsWith(c))).map((p) => p.id);
  assert.equal(only.length, checks.length, `checks ${checks.join(' | ')}`);
  return runInWorker({
    exerciseId: entry.exercise, learnerFile: file, checksFile: found.exercise.checks, locale: 'en', only,
    prerequisites: prerequisiteFiles(folder, catalog, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 1024 });
}

const failures = (r: RunResult): string[] => r.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.message ?? '');

test('attention: a loop over the first leading axis is told the truth, not "k is transposed along fixed axes"', async () => {
  const said = failures(await runEntry('a loop over the first leading axis that calls the 2-D helper', ['a batch (2, 3, 5, 4) gives']));
  assert.equal(said.length, 1);
  assert.ok(!said[0].includes(ATTENTION_MISTAKE_TEXT['k-wrong-axes'].message.en), said[0]);
  assert.match(said[0], /right for each \(5, 4\) slice on its own, but not for the \(2, 3, 5, 4\) batch/);
});

test('attention: a mask filled with -100 and weights that are not the ones used are not named a mistake they are not', async () => {
  const all = ATTENTION_MISTAKE_TEXT;
  for (const [name, checks] of [
    ['the mask is filled with -100 (a finite score that can still win)', ['causal: the future gets weight 0', 'huge scores give finite']],
    ['the weights returned are the unmasked ones', ['matches a float64 reference on a batch', 'causal: the future gets weight 0']],
  ] as const) {
    const said = failures(await runEntry(name, [...checks]));
    assert.ok(said.length > 0, `${name}: a buggy file passed`);
    for (const m of Object.values(all)) for (const s of said) assert.ok(!s.includes(m.message.en), `${name} was told: ${s}`);
  }
});

test('gpt-forward: a hard-coded head count and a context that cannot be filled fail on the small random model', async () => {
  for (const name of ['block uses 4 heads whatever the config says', 'a sequence of exactly blockSize tokens is refused']) {
    const said = failures(await runEntry(name, ['a small random model']));
    assert.equal(said.length, 1, `${name} passed the random-model check`);
  }
});
