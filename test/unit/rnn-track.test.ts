/**
 * The rnn lesson (lessons/01g-rnn) beyond its mistake catalogue (test/unit/mistakes/rnn.ts has those):
 * - the float64 references the checks trust are themselves right: the hand-written backprop through time
 *   (rnnBptt64) against central finite differences of the float64 forward (rnnUnroll64), for both cells, and the
 *   float64 steps against the kit-op reference steps;
 * - the gradient-norm plot: the reference solution, through the real runner, in both languages, draws one curve
 *   with an RNN and an LSTM series over t = 0..50, both starting from ‖v‖ at t = 50, the RNN's ending far below
 *   the LSTM's; and the figures the lesson text states (≈ 3.5e-11 and ≈ 2.5e-5 at t = 0) are what it measures;
 * - the whole exercise's checks stay under the lesson's 2 s budget.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  type RnnWeights64, lstmKitStep, lstmStep64, rnnBptt64, rnnKitStep, rnnStep64, rnnUniform64, rnnUnroll64,
} from '../../src/course/foundations/rnn';
import { tensor } from '../../src/kit';
import { Rng } from '../../src/kit/random';
import type { Locale } from '../../src/core/grading/text';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { LESSONS, WORKER, tempDir } from './helpers';

const dir = tempDir('llm-lab-rnn-');

function weights(rng: Rng, gates: 1 | 4, I: number, H: number): RnnWeights64 {
  const r = () => rng.random();
  return {
    I, H, gates, wIh: rnnUniform64(r, gates * H * I, 0.8), wHh: rnnUniform64(r, gates * H * H, 0.8),
    bIh: rnnUniform64(r, gates * H, 0.8), bHh: rnnUniform64(r, gates * H, 0.8),
  };
}

for (const gates of [1, 4] as const) {
  const kind = gates === 1 ? 'RNN' : 'LSTM';
  test(`rnn reference: the hand-written float64 BPTT of the ${kind} equals central finite differences`, () => {
    const rng = new Rng(gates);
    const [B, I, H, T] = [2, 3, 4, 5];
    const w = weights(rng, gates, I, H);
    const xs = Array.from({ length: T }, () => rnnUniform64(() => rng.random(), B * I, 1.5));
    const h0 = rnnUniform64(() => rng.random(), B * H, 0.9);
    const c0 = gates === 4 ? rnnUniform64(() => rng.random(), B * H, 1) : null;
    const dhs = Array.from({ length: T }, () => rnnUniform64(() => rng.random(), B * H, 1));
    const loss = (ww: RnnWeights64, hh0: Float64Array) =>
      rnnUnroll64(ww, xs, hh0, c0, B).reduce((s, h, t) => s + h.reduce((a, v, k) => a + v * dhs[t][k], 0), 0);
    const g = rnnBptt64(w, xs, h0, c0, B, dhs);
    const eps = 1e-6;
    const fields = [['wIh', g.dWIh], ['wHh', g.dWHh], ['bIh', g.dBIh], ['bHh', g.dBHh]] as const;
    for (const [field, grad] of fields) {
      for (let k = 0; k < w[field].length; k++) {
        const plus = { ...w, [field]: Float64Array.from(w[field]) };
        const minus = { ...w, [field]: Float64Array.from(w[field]) };
        plus[field][k] += eps;
        minus[field][k] -= eps;
        const fd = (loss(plus, h0) - loss(minus, h0)) / (2 * eps);
        assert.ok(Math.abs(fd - grad[k]) < 1e-6 + 1e-5 * Math.abs(fd), `${kind} d${field}[${k}]: BPTT ${grad[k]}, finite differences ${fd}`);
      }
    }
    for (let k = 0; k < h0.length; k++) {
      const [p, m] = [Float64Array.from(h0), Float64Array.from(h0)];
      p[k] += eps;
      m[k] -= eps;
      const fd = (loss(w, p) - loss(w, m)) / (2 * eps);
      assert.ok(Math.abs(fd - g.dh[0][k]) < 1e-6 + 1e-5 * Math.abs(fd), `${kind} dh0[${k}]: BPTT ${g.dh[0][k]}, finite differences ${fd}`);
    }
  });

  test(`rnn reference: the float64 ${kind} step equals the kit-op reference step`, () => {
    const rng = new Rng(10 + gates);
    const [B, I, H] = [3, 4, 5];
    const w = weights(rng, gates, I, H);
    const x = rnnUniform64(() => rng.random(), B * I, 1.5);
    const h = rnnUniform64(() => rng.random(), B * H, 0.9);
    const c = rnnUniform64(() => rng.random(), B * H, 2);
    const p = {
      weightIh: tensor(w.wIh, [gates * H, I]), weightHh: tensor(w.wHh, [gates * H, H]), biasIh: tensor(w.bIh, [gates * H]), biasHh: tensor(w.bHh, [gates * H]),
    };
    const w32: RnnWeights64 = { ...w, wIh: Float64Array.from(p.weightIh.data), wHh: Float64Array.from(p.weightHh.data), bIh: Float64Array.from(p.biasIh.data), bHh: Float64Array.from(p.biasHh.data) };
    const [xt, ht, ct] = [tensor(x, [B, I]), tensor(h, [B, H]), tensor(c, [B, H])];
    const pairs: [ArrayLike<number>, ArrayLike<number>][] = gates === 1
      ? [[rnnKitStep(p, xt, ht).data, rnnStep64(w32, xt.data, ht.data, B)]]
      : (() => {
        const [h2, c2] = lstmKitStep(p, xt, [ht, ct]);
        const ref = lstmStep64(w32, xt.data, ht.data, ct.data, B);
        return [[h2.data, ref.h], [c2.data, ref.c]] as [ArrayLike<number>, ArrayLike<number>][];
      })();
    for (const [got, want] of pairs) {
      for (let k = 0; k < want.length; k++) assert.ok(Math.abs(got[k] - want[k]) < 1e-5 + 1e-5 * Math.abs(want[k]), `${kind}[${k}]: ${got[k]} vs ${want[k]}`);
    }
  });
}

async function runSolution(locale: Locale) {
  const cat = await loadCatalog(LESSONS);
  const found = findExercise(cat, 'rnn/cells');
  assert.ok(found, 'no exercise rnn/cells');
  const folder = path.join(dir, `run-${locale}`);
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  return runInWorker({
    exerciseId: 'rnn/cells', learnerFile, checksFile: found.exercise.checks, locale, prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 2048 });
}

for (const locale of ['en', 'zh-cn'] as const) {
  test(`rnn/cells [${locale}]: the gradient-norm plot shows the RNN's gradient vanishing where the LSTM's survives, as the lesson states`, async () => {
    const r = await runSolution(locale);
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
    const total = r.checks.reduce((s, c) => s + c.durationMs, 0);
    assert.ok(total < 2000, `the checks took ${total.toFixed(0)} ms; the lesson's budget is 2 s`);
    const check = r.checks.find((c) => c.id.startsWith('vanishing-gradients'));
    assert.ok(check, 'no vanishing-gradients check');
    const curves = check.artifacts.filter((a) => a.kind === 'curve');
    assert.equal(curves.length, 1);
    const curve = curves[0];
    assert.ok(curve.kind === 'curve');
    if (locale === 'zh-cn') assert.match(curve.title + curve.xLabel + curve.yLabel, /[\u4e00-\u9fff]/);
    assert.equal(curve.series.length, 2);
    const [rnn, lstm] = curve.series;
    assert.match(rnn.name, /RNN/);
    assert.match(lstm.name, /LSTM/);
    for (const s of curve.series) {
      assert.deepEqual(s.x, Array.from({ length: 51 }, (_, k) => k));
      assert.ok(s.y.every(Number.isFinite), `${s.name}: every value finite`);
    }
    // At t = 50 both are ‖v‖: the same loss vector.
    assert.ok(Math.abs(rnn.y[50] - lstm.y[50]) < 1e-6);
    // The figures the lesson text gives: ≈ 3.5e-11 (RNN) and ≈ 2.5e-5 (LSTM) at t = 0, ≈ 2.2 at t = 50.
    assert.ok(Math.abs(rnn.y[0] - Math.log10(3.5e-11)) < 0.1, `RNN at t = 0: 10^${rnn.y[0]}`);
    assert.ok(Math.abs(lstm.y[0] - Math.log10(2.5e-5)) < 0.1, `LSTM at t = 0: 10^${lstm.y[0]}`);
    assert.ok(Math.abs(rnn.y[50] - Math.log10(2.2)) < 0.05, `t = 50: 10^${rnn.y[50]}`);
    // The RNN falls steadily: every 10 steps back lose at least one order of magnitude.
    for (let t = 0; t + 10 <= 50; t += 10) assert.ok(rnn.y[t] < rnn.y[t + 10] - 1, `RNN from t = ${t + 10} to ${t}`);
  });
}
