/**
 * The CLIP lesson (clip/clip), beyond its mistake cases: the data split is what the lesson says (the four held-out
 * colour-shape pairs never in training, every colour and shape still in it), and the reference solution passes every
 * check ONCE in English, each timed, with the load average, the zero-shot accuracy the closing note asks for,
 * and the similarity heatmap's diagonal against its off-diagonal printed. The lesson suite runs the scaffold and the
 * other locale. Run alone with `node test/unit.mjs clip-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { runInWorker } from '../../src/harness/host';
import { CLIP_ALL, CLIP_COLOURS, CLIP_HELD_OUT, CLIP_SHAPES, CLIP_TRAIN, clipIsHeldOut, clipRender } from '../../src/course/apps/clip';
import { Rng } from '../../src/kit';
import { WORKER, printRun, referenceSolution } from './helpers';

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
  const { exercise, file } = await referenceSolution(EXERCISE, 'llm-lab-clip-');
  const started = Date.now();
  console.log(`  load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale: 'en' }, { workerPath: WORKER, timeoutMs: 90_000, memoryMb: 1024 });
  assert.equal(r.error, undefined, r.error?.message);
  printRun(r, started);
  const artifacts = r.checks.flatMap((c) => c.artifacts);
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
