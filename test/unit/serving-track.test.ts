/**
 * The serving lesson (serving/export, serving/server), beyond its mistake cases: the course's references agree with
 * onnxruntime on the shipped model (the float64 forward pass with a cache, and the one-token-at-a-time model the server
 * gets), the reference generation follows its stated rule, and the reference solutions pass every check ONCE in
 * English, each timed, with the load average, and with the numbers the closing note asks for: the time to
 * first token and the tokens per second through the server. Run alone with `node test/unit.mjs serving-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { runInWorker } from '../../src/harness/host';
import { serveBundledModel, serveForward64, serveGenerate } from '../../src/course/apps/serving';
import { WORKER, printRun, referenceSolution } from './helpers';

const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');

test('serving: the float64 reference with a cache and the server\'s model agree with onnxruntime on the shipped model', async () => {
  const { model, serve } = await serveBundledModel();
  const ids = Array.from(model.tokenizer.encode('Call me Ishmael. Some years ago'));
  const V = model.config.vocabSize;
  const ort = (await model.run(ids, 1, ids.length, ['logits'])).logits.data;
  const weights = model.weights();
  const w = (name: string) => weights.get(name)!.data;
  // The full pass, then the same sequence in chunks of 10, 1, 1, ... with the cache fed back.
  const full = serveForward64(w, model.config, [ids], null).logits;
  let worst = 0;
  for (let k = 0; k < ids.length * V; k++) worst = Math.max(worst, Math.abs(full[k] - ort[k]));
  let r = serveForward64(w, model.config, [ids.slice(0, 10)], null);
  for (let t = 10; t < ids.length; t++) {
    r = serveForward64(w, model.config, [[ids[t]]], r.cache);
    for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(r.logits[v] - ort[t * V + v]));
  }
  // The server's model: the prompt's last logits, then one token at a time.
  const state = serve.start(ids.slice(0, 5));
  for (let t = 5; t < ids.length; t++) {
    for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(state.logits[v] - ort[(t - 1) * V + v]));
    serve.next(state, ids[t]);
  }
  console.log(`  largest |difference| from onnxruntime's logits: ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-4, `the course's references differ from onnxruntime by ${worst}`);
});

test('serving: the reference generation follows its stated rule (stops cut before the stop, max_tokens, greedy at temperature 0)', async () => {
  const { serve } = await serveBundledModel();
  const free = serveGenerate(serve, { prompt: 'Call me', max_tokens: 40, temperature: 0 });
  assert.equal(free.finish_reason, 'length');
  assert.equal(free.tokens, 40);
  assert.equal([...free.text].length, 40);
  const stop = free.text.slice(10, 13);
  const cut = serveGenerate(serve, { prompt: 'Call me', max_tokens: 40, temperature: 0, stop });
  assert.equal(cut.finish_reason, 'stop');
  assert.equal(cut.text, free.text.slice(0, free.text.indexOf(stop)));
  assert.equal(cut.tokens, free.text.indexOf(stop) + stop.length);
  // Seeded sampling is reproducible, and another seed gives another text.
  const a = serveGenerate(serve, { prompt: 'The whale', max_tokens: 30, seed: 4, temperature: 1 });
  const b = serveGenerate(serve, { prompt: 'The whale', max_tokens: 30, seed: 4, temperature: 1 });
  const c = serveGenerate(serve, { prompt: 'The whale', max_tokens: 30, seed: 5, temperature: 1 });
  assert.deepEqual(a, b);
  assert.notEqual(a.text, c.text);
});

test('serving: the reference solutions pass every check once (en), each timed, with time to first token and tokens/s printed', async () => {
  const failures: string[] = [];
  for (const exercise of ['serving/export', 'serving/server']) {
    const { exercise: found, file } = await referenceSolution(exercise, 'llm-lab-serving-');
    const started = Date.now();
    console.log(`  ${exercise}: load average before the run: ${load()}`);
    const r = await runInWorker({ exerciseId: exercise, learnerFile: file, checksFile: found.checks, locale: 'en' }, { workerPath: WORKER, timeoutMs: 90_000, memoryMb: 1024 });
    assert.equal(r.error, undefined, r.error?.message);
    printRun(r, started, { tag: exercise });
    failures.push(...r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`));
    const artifacts = r.checks.flatMap((c) => c.artifacts);
    if (exercise === 'serving/export') {
      const steps = artifacts.find((a) => a.kind === 'table' && a.title.startsWith('Cached steps'));
      assert.ok(steps && steps.kind === 'table');
      assert.equal(steps.rows.length, 9);
      assert.ok(steps.rows.every((row) => Number(row[3]) < 1e-4), 'every step within 1e-4 of the full forward pass');
    } else {
      const curve = artifacts.find((a) => a.kind === 'curve');
      assert.ok(curve && curve.kind === 'curve');
      assert.equal(curve.series.length, 3);
      for (const s of curve.series) {
        assert.equal(s.y.length, 100);
        assert.ok(s.y.every((v, i) => i === 0 || v >= s.y[i - 1]), `${s.name}: arrival times never go back`);
        assert.ok(s.y[s.y.length - 1] - s.y[0] > 0, `${s.name}: the tokens arrived over time`);
      }
      const table = artifacts.find((a) => a.kind === 'table' && a.title.startsWith('Time to first token'));
      assert.ok(table && table.kind === 'table');
      const [alone] = table.rows;
      console.log(`  DONE-WHEN numbers: time to first token ${alone[1]} ms, ${alone[4]} tokens/s (one stream alone, 100 tokens; load average ${load()})`);
    }
  }
  assert.deepEqual(failures, []);
});
