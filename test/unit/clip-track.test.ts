/**
 * The CLIP lesson (clip/clip), beyond its mistake cases: the data split is what the lesson says (the four held-out
 * colour-shape pairs never in training, every colour and shape still in it), and the reference solution passes every
 * check ONCE in English, each timed, with the load average, the zero-shot accuracy the issue's closing note asks for,
 * and the similarity heatmap's diagonal against its off-diagonal printed. The lesson suite runs the scaffold and the
 * other locale. Run alone with `node test/unit.mjs clip-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { runInWorker } from '../../src/harness/host';
import { solutionFolder } from '../../src/core/workspace';
import { CLIP_ALL, CLIP_COLOURS, CLIP_HELD_OUT, CLIP_SHAPES, CLIP_TRAIN, clipIsHeldOut, clipRender } from '../../src/course/apps/clip';
import { Rng } from '../../src/kit';
import { LESSONS, WORKER, tempDir } from './helpers';

const EXERCISE = 'clip/clip';

test('clip: the held-out pairs are never trained on; every colour and shape is', () => {
  assert.equal(CLIP_ALL.length, 16);
  assert.equal(CLIP_TRAIN.length, 12);
  assert.ok(CLIP_TRAIN.every((p) => !clipIsHeldOut(p)));
  for (const c of CLIP_COLOURS) assert.equal(CLIP_TRAIN.filter((p) => p.colour === c).length, 3, c);
  for (const s of CLIP_SHAPES) assert.equal(CLIP_TRAIN.filter((p) => p.shape === s).length, 3, s);
  assert.deepEqual(new Set(CLIP_HELD_OUT.map((p) => p.colour)).size, 4);
  assert.deepEqual(new Set(CLIP_HELD_OUT.map((p) => p.shape)).size, 4);
  // Seeded rendering: the same seed gives the same image, values in [0, 1].
  const [a, b] = [clipRender(CLIP_ALL[0], new Rng(3)), clipRender(CLIP_ALL[0], new Rng(3))];
  assert.deepEqual(a, b);
  assert.ok(a.every((v) => v >= 0 && v <= 1));
});

test('clip: the reference passes every check once (en), each timed, with the zero-shot accuracy printed', async () => {
  const root = path.join(tempDir('llm-lab-clip-'), 'lessons');
  mkdirSync(root, { recursive: true });
  cpSync(path.join(LESSONS, '15d-clip'), path.join(root, '15d-clip'), { recursive: true });
  const catalog = await loadCatalog(root);
  assert.deepEqual(catalog.problems.filter((p) => p.severity === 'error'), []);
  const found = findExercise(catalog, EXERCISE);
  assert.ok(found);
  const file = await solutionFolder(path.join(path.dirname(root), 'learner'), catalog, found.exercise);
  const started = Date.now();
  console.log(`  load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: found.exercise.checks, locale: 'en' }, { workerPath: WORKER, timeoutMs: 90_000, memoryMb: 1024 });
  assert.equal(r.error, undefined, r.error?.message);
  for (const c of r.checks) console.log(`  ${c.status} ${String(Math.round(c.durationMs ?? NaN)).padStart(5)} ms  ${c.name}${c.status === 'passed' ? '' : `\n      ${c.message}`}`);
  console.log(`  whole run (process included): ${Date.now() - started} ms; load average after: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  const artifacts = r.checks.flatMap((c) => c.artifacts);
  for (const a of artifacts) {
    if (a.kind === 'table') console.log(`  ${a.title}\n    ${a.columns.join(' | ')}\n${a.rows.map((row) => `    ${row.join(' | ')}`).join('\n')}`);
    if (a.kind === 'curve') console.log(`  ${a.title}: ${a.series.map((s) => `${s.name} ${s.y[0].toFixed(4)} → ${s.y[s.y.length - 1].toFixed(4)} after ${s.y.length} steps`).join('; ')}`);
  }
  const heat = artifacts.find((a) => a.kind === 'heatmap');
  assert.ok(heat && heat.kind === 'heatmap');
  assert.equal(heat.values.length, 16);
  assert.ok(heat.values.every((row) => row.length === 16));
  const diag = heat.values.map((row, i) => row[i]);
  const off = heat.values.flatMap((row, i) => row.filter((_, j) => j !== i));
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  console.log(`  similarity heatmap: mean cosine on the diagonal ${mean(diag).toFixed(3)}, off the diagonal ${mean(off).toFixed(3)}`);
  assert.ok(mean(diag) > mean(off) + 0.3);
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
});
