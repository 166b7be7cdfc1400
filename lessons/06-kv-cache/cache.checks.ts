/**
 * Checks for lesson 6 (kv-cache/step): attention for one query over a cache, one cached decoding step,
 * and cached greedy generation, against the bundled model.
 *
 * The independent reference is onnxruntime running the ONNX file on the whole sequence at once: one run
 * gives the logits of every position, and the learner's step-by-step logits must match each of them to
 * 1e-4. Small attention cases are worked by hand or computed here in float64. The classic cache bugs
 * (positions restarting at 0, keys cached but not values, one layer's cache shared by all, a causal mask
 * that hides the cache from the new query) are simulated with a separate reference step below, so a
 * failure can say which one it looks like.
 */
import { performance } from 'node:perf_hooks';
import { defineChecks, expectClose, expectEqual, expectTrue, fail } from '@llm-lab/check';
import { NotImplementedError } from '@llm-lab/kit';
import { type BundledModel, shippedModel } from '@llm-lab/model';
import { type ModelParts, modelParts } from './model-parts';

type Learner = typeof import('./cache');

interface LayerCache {
  keys: Float32Array[];
  values: Float32Array[];
}
interface KVCache {
  layers: LayerCache[];
}

const TOLERANCE = 1e-4;
/** Fed one character at a time and compared with one full forward pass. */
const STEP_TEXT = 'Call me Ishmael. Some years ago,';
/** The prompt of the 200-token generation. */
const GEN_PROMPT = 'It was the whale';
const GEN_TOKENS = 200;

// ---------------------------------------------------------------------------------------------------------
// The model, loaded once per run and shared by the checks

let loaded: Promise<{ model: BundledModel; parts: ModelParts }> | undefined;

function lesson(): Promise<{ model: BundledModel; parts: ModelParts }> {
  loaded ??= shippedModel().then((model) => ({ model, parts: modelParts(model.config, model.weights()) }));
  return loaded;
}

const emptyCache = (nLayer: number): KVCache => ({ layers: Array.from({ length: nLayer }, () => ({ keys: [], values: [] })) });

/** The parts, counting how many positions get embedded; past `limit` the check stops with a message. */
function counting(parts: ModelParts, limit: number, expected: number): { parts: ModelParts; count: () => number } {
  let n = 0;
  return {
    count: () => n,
    parts: {
      ...parts,
      config: parts.config,
      embed: (token, position) => {
        if (++n > limit) {
          fail(`generate() pushed more than ${limit} positions through the model for ${GEN_TOKENS} new tokens; with the cache it needs about ${expected}`, {
            hint: 'Each new token should cost one step(): feed it to the cache you already have. Start a new cache only when the window is full (blockSize positions).',
          });
        }
        return parts.embed(token, position);
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Independent references, with the classic bugs as switches

type AttendBug = 'correct' | 'first-only' | 'exclude-self' | 'no-scale' | 'one-head' | 'one-head-c';

/** One query over cached keys and values, in float64. */
function attend64(q: ArrayLike<number>, keys: readonly ArrayLike<number>[], values: readonly ArrayLike<number>[], nHead: number, bug: AttendBug = 'correct'): number[] {
  const C = q.length;
  const heads = bug === 'one-head' || bug === 'one-head-c' ? 1 : nHead;
  const hs = C / heads;
  const scale = bug === 'no-scale' ? 1 : 1 / Math.sqrt(bug === 'one-head-c' ? C : C / nHead);
  const visible = bug === 'first-only' ? Math.min(1, keys.length) : bug === 'exclude-self' ? keys.length - 1 : keys.length;
  const y = new Array<number>(C).fill(0);
  for (let h = 0; h < heads; h++) {
    const off = h * hs;
    const s = Array.from({ length: visible }, (_, j) => {
      let d = 0;
      for (let i = 0; i < hs; i++) d += q[off + i] * keys[j][off + i];
      return d * scale;
    });
    const max = Math.max(...s);
    const e = s.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < visible; j++) for (let i = 0; i < hs; i++) y[off + i] += (e[j] / sum) * values[j][off + i];
  }
  return y;
}

type StepBug = AttendBug | 'position-zero' | 'values-are-keys' | 'shared-layer';

/** One cached decoding step with the given parts, in the plainest possible form. */
function step64(parts: ModelParts, cache: KVCache, token: number, bug: StepBug = 'correct'): Float32Array {
  const { nLayer, nHead } = parts.config;
  const position = bug === 'position-zero' ? 0 : cache.layers[0].keys.length;
  const x = parts.embed(token, position);
  for (let l = 0; l < nLayer; l++) {
    const layer = cache.layers[bug === 'shared-layer' ? 0 : l];
    const { q, k, v } = parts.qkv(l, x);
    layer.keys.push(k);
    layer.values.push(bug === 'values-are-keys' ? k : v);
    const attnBug: AttendBug = bug === 'position-zero' || bug === 'values-are-keys' || bug === 'shared-layer' ? 'correct' : bug;
    const a = parts.project(l, Float32Array.from(attend64(q, layer.keys, layer.values, nHead, attnBug)));
    for (let i = 0; i < x.length; i++) x[i] += a[i];
    const f = parts.mlp(l, x);
    for (let i = 0; i < x.length; i++) x[i] += f[i];
  }
  return parts.logits(x);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

const ATTEND_BUGS: { bug: AttendBug; message: string; hint?: string }[] = [
  {
    bug: 'first-only',
    message: 'The new query only attended to the first cached position: a causal mask built for this step compared key j with the query\'s index in the step (0) instead of its position in the sequence.',
    hint: 'With a cache, the single new query comes after every cached position, so it may see all of them: no mask is needed at all.',
  },
  {
    bug: 'exclude-self',
    message: 'The new query attended to every cached position except the newest one, its own. A causal mask allows j <= i: a token also attends to itself.',
    hint: 'Append the new key and value to the cache BEFORE attending, and attend over all of cache.keys.',
  },
  {
    bug: 'no-scale',
    message: 'The scores were not divided by sqrt(hs). Attention uses q . k / sqrt(hs), with hs = C / nHead the head size.',
  },
  ...(['one-head', 'one-head-c'] as const).map((bug) => ({
    bug,
    message: 'You computed one attention over all C channels. Each head h has its own scores and softmax, over its own channels [h*hs, (h+1)*hs).',
  })),
];

const STEP_BUGS: { bug: StepBug; message: string; hint?: string }[] = [
  {
    bug: 'position-zero',
    message: 'Every token got position 0: the position embedding restarted for each new token. A token fed to the cache sits at position cache length (the number of tokens before it).',
    hint: 'position = cache.layers[0].keys.length, read before this step appends anything; then model.embed(token, position).',
  },
  {
    bug: 'values-are-keys',
    message: 'The value cache holds the keys: you appended k where v belongs. Attention then averages keys instead of values.',
    hint: 'layer.keys.push(k); layer.values.push(v);',
  },
  {
    bug: 'shared-layer',
    message: 'Every layer used the cache of layer 0. Each layer has its own keys and values: use cache.layers[l] in layer l.',
  },
  ...ATTEND_BUGS,
];

/** The cache must hold one key and one value per token in every layer. */
function expectCacheShape(cache: KVCache, nLayer: number, tokens: number): void {
  if (!cache || !Array.isArray(cache.layers) || cache.layers.length !== nLayer) {
    fail(`the cache should have ${nLayer} layers, it has ${Array.isArray(cache?.layers) ? cache.layers.length : 'none'}`, { hint: 'Do not replace cache.layers: push into cache.layers[l].keys and .values.' });
  }
  const counts = cache.layers.map((l) => `${l.keys.length}/${l.values.length}`).join(', ');
  for (const [l, layer] of cache.layers.entries()) {
    if (layer.keys.length === tokens && layer.values.length !== tokens) {
      fail(`after ${tokens} token(s), layer ${l} caches ${layer.keys.length} keys but ${layer.values.length} values (keys/values per layer: ${counts}): the values were not appended`, {
        hint: 'Attention needs both: keys to compute the weights, values to average. Push v into layer.values next to k.',
      });
    }
  }
  if (cache.layers[0].keys.length === nLayer * tokens && cache.layers.slice(1).every((l) => l.keys.length === 0)) {
    fail(`after ${tokens} token(s), layer 0 caches ${cache.layers[0].keys.length} keys and the other layers none (keys/values per layer: ${counts}): every layer appended to the cache of layer 0`, {
      hint: 'Each layer has its own cache: in layer l, use cache.layers[l].',
    });
  }
  for (const [l, layer] of cache.layers.entries()) {
    if (layer.keys.length !== tokens || layer.values.length !== tokens) {
      fail(`after ${tokens} token(s), layer ${l} caches ${layer.keys.length} keys and ${layer.values.length} values; expected ${tokens} of each (keys/values per layer: ${counts})`, {
        hint: 'Each step appends exactly one key and one value to every layer\'s cache.',
      });
    }
  }
}

/** Token ids of the window the uncached model reads when it predicts token i (the half-window rule). */
function windowStarts(total: number, promptLength: number, blockSize: number): number[] {
  const half = blockSize / 2;
  const starts: number[] = [];
  let start = 0;
  for (let i = promptLength; i < total; i++) {
    if (i - start > blockSize) start = i - half;
    starts[i] = start;
  }
  return starts;
}

/** Positions a cached generation computes: the prompt, one per new token, and a refill of blockSize/2 at each restart. */
function cachedPositions(promptLength: number, n: number, blockSize: number): number {
  const starts = windowStarts(promptLength + n, promptLength, blockSize);
  let positions = promptLength;
  for (let i = promptLength + 1; i < promptLength + n; i++) positions += starts[i] !== starts[i - 1] ? i - starts[i] : 1;
  return positions;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** The learner's 200-token generation and its time, kept by the generate check (when it passes) for the speed-up check. */
const generated = new WeakMap<object, { out: number[]; ms: number }>();

const ms = (t: number) => (t >= 1000 ? `${(t / 1000).toFixed(2)} s` : `${t.toFixed(t < 10 ? 2 : 0)} ms`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default defineChecks<Learner>({
  exports: ['attend', 'step', 'generate'],
  checks: [
    // ----- attend ------------------------------------------------------------------------------------------
    {
      name: 'attend: one query over three cached positions (worked by hand)',
      task: 'attend',
      run: (m) => {
        // One head of size 2. Scores q.k / sqrt(2) = ln 4, 0, ln 4, so the weights are 4/9, 1/9, 4/9.
        const q = Float32Array.of(Math.SQRT2 * Math.log(4), 0);
        const keys = [Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1)];
        const values = [Float32Array.of(1, 0), Float32Array.of(0, 2), Float32Array.of(3, 3)];
        const cache = { keys: [...keys], values: [...values] };
        const got = m.attend(q, cache, 1);
        expectClose(got, [16 / 9, 14 / 9], {
          what: 'attend(q, 3 cached positions, 1 head)',
          hint: 'scores_j = q . k_j / sqrt(hs); weights = softmax(scores); output = sum_j weight_j * v_j. Here the weights are 4/9, 1/9, 4/9.',
          misconceptions: ATTEND_BUGS.map((b) => ({ value: attend64(q, keys, values, 1, b.bug), message: b.message, hint: b.hint })),
        });
        expectEqual([cache.keys.length, cache.values.length], [3, 3], '[keys, values] in the cache after attend()', 'attend() only reads the cache; appending is step()\'s job.');
        expectClose(m.attend(Float32Array.of(5, -3), { keys: [keys[1]], values: [values[1]] }, 1), [0, 2], {
          what: 'attend(q, 1 cached position, 1 head)', hint: 'With a single position its weight is 1: the output is that value vector.',
        });
      },
    },
    {
      name: 'attend: 4 heads over 6 positions match a float64 reference',
      task: 'attend',
      run: (m, ctx) => {
        const C = 16;
        const nHead = 4;
        const vec = () => Float32Array.from({ length: C }, () => 2 * ctx.random() - 1);
        const q = vec();
        const keys = Array.from({ length: 6 }, vec);
        const values = Array.from({ length: 6 }, vec);
        expectClose(m.attend(q, { keys, values }, nHead), attend64(q, keys, values, nHead), {
          what: 'attend(q, 6 cached positions, 4 heads of size 4)',
          rtol: 1e-5, atol: 1e-6,
          hint: 'Head h uses channels [h*hs, (h+1)*hs) of q, of every key and of every value, and writes the same channels of the output.',
          misconceptions: ATTEND_BUGS.map((b) => ({ value: attend64(q, keys, values, nHead, b.bug), message: b.message, hint: b.hint })),
        });
      },
    },

    // ----- step -----------------------------------------------------------------------------------------------
    {
      name: 'step: cached logits equal a full forward pass at every position (max abs diff <= 1e-4)',
      task: 'step',
      run: async (m, ctx) => {
        const { model, parts } = await lesson();
        const { nLayer } = parts.config;
        const ids = Array.from(model.tokenizer.encode(STEP_TEXT));
        const V = parts.config.vocabSize;
        const { logits: full } = await model.run(ids, 1, ids.length, ['logits']); // (1, T, V): the uncached reference, all positions at once
        const cache = emptyCache(nLayer);
        const reference = emptyCache(nLayer);
        let worst = 0;
        const rows: (string | number)[][] = [];
        for (let t = 0; t < ids.length; t++) {
          let got: Float32Array;
          try {
            got = m.step(parts, cache, ids[t]);
          } catch (e) {
            // A missing value cache shows up as a TypeError inside attend(): say what is missing instead.
            if (!(e instanceof NotImplementedError)) expectCacheShape(cache, nLayer, t + 1);
            throw e;
          }
          expectCacheShape(cache, nLayer, t + 1);
          step64(parts, reference, ids[t]);
          const expected = full.data.subarray(t * V, (t + 1) * V);
          const diff = maxAbsDiff(got, expected);
          if (!(diff <= TOLERANCE)) {
            for (const b of STEP_BUGS) {
              const variant = emptyCache(nLayer);
              let out: Float32Array = new Float32Array(0);
              for (let s = 0; s <= t; s++) out = step64(parts, variant, ids[s], b.bug);
              if (maxAbsDiff(got, out) <= TOLERANCE) fail(`step ${t} (character ${JSON.stringify(STEP_TEXT[t])}): ${b.message}`, { hint: b.hint });
            }
            expectClose(got, expected, {
              what: `step() logits for character ${t} (${JSON.stringify(STEP_TEXT[t])}), against the full forward pass`, atol: TOLERANCE, rtol: 0,
              hint: t === 0 ? 'Position 0: embed, then per layer qkv -> append k and v -> attend -> project -> add; mlp -> add; then logits.' : 'The first steps were right; what changes with the position? The position embedding, and how many cached positions attention reads.',
            });
          }
          // The cache holds what the model computed: the newest key and value of every layer.
          for (let l = 0; l < nLayer; l++) {
            const [k, v] = [cache.layers[l].keys[t], cache.layers[l].values[t]];
            const [rk, rv] = [reference.layers[l].keys[t], reference.layers[l].values[t]];
            if (maxAbsDiff(v, rk) <= TOLERANCE && maxAbsDiff(v, rv) > TOLERANCE) fail(`layer ${l} caches the key as the value at position ${t}: the value cache holds keys`, { hint: 'layer.values.push(v), not k.' });
            expectClose(k, rk, { what: `cache.layers[${l}].keys[${t}]`, atol: TOLERANCE, rtol: 0, hint: 'Cache exactly the k returned by model.qkv(l, x) for this layer.' });
            expectClose(v, rv, { what: `cache.layers[${l}].values[${t}]`, atol: TOLERANCE, rtol: 0, hint: 'Cache exactly the v returned by model.qkv(l, x) for this layer.' });
          }
          worst = Math.max(worst, diff);
          if (t < 3 || t === ids.length - 1) rows.push([t, STEP_TEXT[t] === ' ' ? '␣' : STEP_TEXT[t], t, diff.toExponential(2)]);
          else if (t === 3) rows.push(['…', '', '', '']);
        }
        ctx.artifact({ kind: 'table', title: `step() vs one full forward pass of ${ids.length} characters (max abs diff ${worst.toExponential(2)})`, columns: ['step', 'character', 'position', 'max |yours - full|'], rows });
      },
    },
    {
      name: 'step: the position is the number of cached tokens, and a full cache is refused',
      task: 'step',
      run: async (m) => {
        const { model, parts } = await lesson();
        const { nLayer, blockSize } = parts.config;
        const ids = Array.from(model.tokenizer.encode('whale'));
        const positions: number[] = [];
        const spy: ModelParts = { ...parts, config: parts.config, embed: (token, position) => (positions.push(position), parts.embed(token, position)) };
        const cache = emptyCache(nLayer);
        for (const id of ids) m.step(spy, cache, id);
        expectEqual(positions, [0, 1, 2, 3, 4], 'the positions step() passed to model.embed for 5 tokens',
          'position = the number of tokens already in the cache (cache.layers[0].keys.length), read before appending.');
        // A cache that is already full: position blockSize does not exist in the position table.
        const full = emptyCache(nLayer);
        const k = new Float32Array(parts.config.nEmbd);
        for (const layer of full.layers) for (let j = 0; j < blockSize; j++) { layer.keys.push(k); layer.values.push(k); }
        let threw = false;
        try {
          m.step(parts, full, ids[0]);
        } catch {
          threw = true;
        }
        expectTrue(threw, `step() on a cache that already holds ${blockSize} positions should throw: there is no position ${blockSize} in a model with a context of ${blockSize}`,
          'Check position < blockSize and throw an Error otherwise (model.embed also refuses it).');
      },
    },

    // ----- generate -------------------------------------------------------------------------------------------
    {
      name: `generate: ${GEN_TOKENS} cached tokens equal uncached greedy decoding`,
      task: 'generate',
      run: async (m, ctx) => {
        const { model, parts } = await lesson();
        const { blockSize, vocabSize: V } = parts.config;
        const prompt = Array.from(model.tokenizer.encode(GEN_PROMPT));
        const expectedPositions = cachedPositions(prompt.length, GEN_TOKENS, blockSize);
        const counter = counting(parts, 3 * expectedPositions, expectedPositions);
        const t0 = performance.now();
        const out = m.generate(counter.parts, prompt, GEN_TOKENS);
        const elapsed = performance.now() - t0;
        if (!Array.isArray(out)) fail(`generate() returned ${out === undefined ? 'undefined' : typeof out}, expected an array of token ids`, { hint: 'Return the prompt followed by the new tokens.' });
        expectEqual(out.length, prompt.length + GEN_TOKENS, `generate(model, prompt of ${prompt.length}, ${GEN_TOKENS}).length`, 'Return the prompt followed by the n new tokens.');
        expectEqual(out.slice(0, prompt.length), prompt, 'the first tokens of generate()\'s result', 'Start with a copy of the prompt.');
        ctx.artifact({ kind: 'text', title: `${GEN_TOKENS} characters, greedy, with your KV cache`, text: `${GEN_PROMPT}[${out.slice(prompt.length).map((t) => model.vocab[t] ?? '�').join('')}]` });
        // The uncached reference: onnxruntime over each window. Within one window the model is causal,
        // so one run over the longest context of that window gives the logits of every step in it.
        const starts = windowStarts(out.length, prompt.length, blockSize);
        const byStart = new Map<number, number>(); // start -> last index predicted from it
        for (let i = prompt.length; i < out.length; i++) byStart.set(starts[i], i);
        for (const [start, last] of byStart) {
          const ctxIds = out.slice(start, last); // predicts tokens start+1 .. last
          const { logits } = await model.run(ctxIds, 1, ctxIds.length, ['logits']);
          for (let i = Math.max(prompt.length, start + 1); i <= last; i++) {
            if (starts[i] !== start) continue;
            const row = logits.data.subarray((i - 1 - start) * V, (i - start) * V);
            const best = argmax(row);
            if (out[i] !== best && !(row[out[i]] >= row[best] - TOLERANCE)) {
              const n = i - prompt.length;
              const restarted = i > prompt.length && starts[i] !== starts[i - 1];
              fail(`new token ${n}: you generated ${JSON.stringify(model.vocab[out[i]] ?? out[i])}, uncached greedy decoding gives ${JSON.stringify(model.vocab[best])}` +
                (restarted ? ` (this is the first token after the window filled up)` : ''), {
                hint: restarted
                  ? `When the cache holds blockSize = ${blockSize} positions, start a new cache from the last blockSize / 2 = ${blockSize / 2} tokens (the newest one included) and feed them with step(); positions then start again at 0.`
                  : 'Each new token is argmax of the logits from the previous step; then feed that token with step() on the same cache.',
              });
            }
          }
        }
        expectTrue(counter.count() <= Math.ceil(1.2 * expectedPositions),
          `generate() computed ${counter.count()} positions for ${GEN_TOKENS} new tokens; with the cache it needs about ${expectedPositions}`,
          'Feed each new token once with step() on the existing cache; refill only when the window is full.');
        generated.set(m, { out, ms: elapsed });
      },
    },
    {
      name: `the cache's speed-up, measured: ${GEN_TOKENS} tokens, and one token at a full window`,
      task: 'generate',
      run: async (m, ctx) => {
        const { model, parts } = await lesson();
        const { blockSize, nLayer } = parts.config;
        const prompt = Array.from(model.tokenizer.encode(GEN_PROMPT));
        // 1. 200 tokens: your cached generate() (timed by the previous check when it ran) against
        //    onnxruntime recomputing the window at every step.
        const cachedPositionsCount = cachedPositions(prompt.length, GEN_TOKENS, blockSize);
        const done = generated.get(m);
        if (!done) {
          m.generate(counting(parts, 3 * cachedPositionsCount, cachedPositionsCount).parts, prompt, GEN_TOKENS);
          fail('not measured: generate() must first match uncached decoding (the check above)');
        }
        const { out, ms: cachedMs } = done;
        let t0 = performance.now();
        const starts = windowStarts(prompt.length + GEN_TOKENS, prompt.length, blockSize);
        const tokens = [...prompt];
        let uncachedPositions = 0;
        t0 = performance.now();
        for (let i = prompt.length; i < prompt.length + GEN_TOKENS; i++) {
          const context = tokens.slice(starts[i]);
          const { logits } = await model.run(context, 1, context.length, ['logits']);
          tokens.push(argmax(logits.data.subarray((context.length - 1) * parts.config.vocabSize)));
          uncachedPositions += context.length;
        }
        const uncachedMs = performance.now() - t0;
        // 2. One token at a full window, same code both ways: your step() on a cache of blockSize - 1
        //    positions, and your step() recomputing all blockSize positions from an empty cache.
        const window = out.slice(0, blockSize);
        const cache = emptyCache(nLayer);
        for (const id of window.slice(0, -1)) m.step(parts, cache, id);
        const copy = (c: KVCache): KVCache => ({ layers: c.layers.map((l) => ({ keys: [...l.keys], values: [...l.values] })) });
        const stepMs = median(Array.from({ length: 5 }, () => {
          const c = copy(cache);
          const s = performance.now();
          m.step(parts, c, window[window.length - 1]);
          return performance.now() - s;
        }));
        t0 = performance.now();
        const fresh = emptyCache(nLayer);
        for (const id of window) m.step(parts, fresh, id);
        const recomputeMs = performance.now() - t0;
        ctx.artifact({
          kind: 'table', title: 'KV cache: measured on this machine',
          columns: ['', 'positions computed', 'time', 'speed-up'],
          rows: [
            [`${GEN_TOKENS} tokens, no cache: onnxruntime (native code) recomputes the window every step`, uncachedPositions, ms(uncachedMs), '1×'],
            [`${GEN_TOKENS} tokens, your generate() with the cache (TypeScript)`, cachedPositionsCount, ms(cachedMs), `${(uncachedMs / cachedMs).toFixed(1)}×`],
            [`1 token at a full window, your step() recomputing all ${blockSize} positions`, blockSize, ms(recomputeMs), '1×'],
            [`1 token at a full window, your step() with ${blockSize - 1} cached positions`, 1, ms(stepMs), `${(recomputeMs / stepMs).toFixed(0)}×`],
          ],
        });
        ctx.artifact({
          kind: 'text', title: 'Speed-up',
          text: `${GEN_TOKENS} tokens: ${(uncachedMs / cachedMs).toFixed(1)}× faster with your cache (in TypeScript) than without one in native onnxruntime.\n` +
            `One token at a full window, same code: ${(recomputeMs / stepMs).toFixed(0)}× faster with the cache.\n` +
            'Timings vary from run to run; the positions column does not.',
        });
        expectTrue(stepMs <= recomputeMs, `one cached step took ${ms(stepMs)}, more than recomputing all ${blockSize} positions (${ms(recomputeMs)})`,
          'A cached step computes one position and reads the cache; it should never be slower than recomputing the window.');
      },
    },
  ],
});
