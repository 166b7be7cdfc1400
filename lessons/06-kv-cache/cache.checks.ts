/**
 * Checks for the KV-cache lesson (kv-cache/step): attention for one query over a cache, one cached decoding step,
 * and cached greedy generation, against the bundled model.
 *
 * The independent reference is onnxruntime running the ONNX file on the whole sequence at once: one run
 * gives the logits of every position, and the learner's step-by-step logits must match each of them to
 * 1e-4. Small attention cases are worked by hand or computed here in float64. The classic cache bugs
 * (positions restarting at 0, keys cached but not values, one layer's cache shared by all, a causal mask
 * that hides the cache from the new query) are simulated with a separate reference step below, so a
 * failure can say which one it looks like, in the words of the lesson's catalogue (mistakes.ts).
 *
 * The 200-token generation is run once per run (`shared`), by whichever of the two generate checks asks
 * first: the correctness check and the speed-up check can each run alone.
 * attend()'s expectations are computed from copies of q and the cache taken before the learner's code runs, and
 * the cache must come back unchanged: an attend that scales the cached keys in place is told so, and is not
 * mistaken for a missing 1/sqrt(hs).
 *
 * Which check names which catalogued mistake (CACHE_MISTAKES):
 *
 *   check                                              catalogued mistakes it names
 *   attend: one query over three cached positions      mask-first-only, exclude-self, no-scale, one-head
 *                                                      (a changed q or cache: plain message)
 *   attend: 4 heads over 6 positions ...               mask-first-only, exclude-self, no-scale, one-head
 *   step: cached logits equal a full forward pass ...  position-zero, values-not-appended, values-are-keys,
 *                                                      shared-layer, and the four attend mistakes inside step
 *   step: the position is the number of cached tokens  -  (positions, a full cache not refused: plain messages)
 *   generate: 200 cached tokens equal uncached ...     recomputes-context (a changed prompt, n = 0 and n = 1: plain)
 *   the cache's speed-up, measured ...                 recomputes-context (through the verified generation)
 */
import { performance } from 'node:perf_hooks';
import { CheckFailure, type Mistake, type Text, defineChecks, expectClose, expectEqual, expectTrue, fail, mistake, t } from '@llm-lab/check';
import { type ModelParts, modelParts, withDetails } from '@llm-lab/course/decoding';
import { NotImplementedError } from '@llm-lab/kit';
import { type BundledModel, shippedModel } from '@llm-lab/model';
import { CACHE_MISTAKES as M } from './mistakes';

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
// The model, loaded once per run (it does not depend on the learner's code)

let loaded: Promise<{ model: BundledModel; parts: ModelParts }> | undefined;

function lesson(): Promise<{ model: BundledModel; parts: ModelParts }> {
  loaded ??= shippedModel().then((model) => ({ model, parts: modelParts(model.config, model.weights()) }));
  return loaded;
}

const emptyCache = (nLayer: number): KVCache => ({ layers: Array.from({ length: nLayer }, () => ({ keys: [], values: [] })) });

/** A catalogued mistake, with the details of this case after it (in both languages). */
function failWith(m: Mistake, details: Text): never {
  return fail(...mistake(withDetails(m, details)));
}

/** The parts, counting how many positions get embedded; past `limit` the check stops with a message. */
function counting(parts: ModelParts, limit: number, expected: number): { parts: ModelParts; count: () => number } {
  let n = 0;
  return {
    count: () => n,
    parts: {
      ...parts,
      config: parts.config,
      embed: (token: number, position: number) => {
        if (++n > limit) {
          failWith(M['recomputes-context'], t(`(It pushed more than ${limit} positions through the model for ${GEN_TOKENS} new tokens; with the cache it needs about ${expected}.)`,
            `（为了 ${GEN_TOKENS} 个新 token，它让超过 ${limit} 个位置经过了模型；有缓存时大约只需要 ${expected} 个。）`));
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

/** Each simulated attention bug and the catalogued mistake it is. */
const ATTEND_BUGS: { bug: AttendBug; mistake: Mistake }[] = [
  { bug: 'first-only', mistake: M['mask-first-only'] },
  { bug: 'exclude-self', mistake: M['exclude-self'] },
  { bug: 'no-scale', mistake: M['no-scale'] },
  { bug: 'one-head', mistake: M['one-head'] },
  { bug: 'one-head-c', mistake: M['one-head'] },
];

const STEP_BUGS: { bug: StepBug; mistake: Mistake }[] = [
  { bug: 'position-zero', mistake: M['position-zero'] },
  { bug: 'values-are-keys', mistake: M['values-are-keys'] },
  { bug: 'shared-layer', mistake: M['shared-layer'] },
  ...ATTEND_BUGS,
];

interface AttendInputs {
  q: Float32Array;
  keys: Float32Array[];
  values: Float32Array[];
}

/** Copies of attend()'s inputs, taken before the learner's code runs. */
function snapshot(q: Float32Array, cache: LayerCache): AttendInputs {
  return { q: Float32Array.from(q), keys: cache.keys.map((k) => Float32Array.from(k)), values: cache.values.map((v) => Float32Array.from(v)) };
}

/** attend() reads q and the cache and changes neither: not the lists, not a number in a cached vector. */
function expectReadOnly(q: Float32Array, cache: LayerCache, before: AttendInputs): void {
  expectEqual([cache.keys.length, cache.values.length], [before.keys.length, before.values.length], '[keys, values] in the cache after attend()',
    t('attend() only reads the cache; appending is step()\'s job.', 'attend() 只读取缓存；追加是 step() 的工作。'));
  const vectors: [string, Float32Array, Float32Array][] = [
    ['q', q, before.q],
    ...cache.keys.map((k, j): [string, Float32Array, Float32Array] => [`cache.keys[${j}]`, k, before.keys[j]]),
    ...cache.values.map((v, j): [string, Float32Array, Float32Array] => [`cache.values[${j}]`, v, before.values[j]]),
  ];
  for (const [what, now, then] of vectors) {
    const i = then.findIndex((x, n) => !Object.is(now[n], x));
    if (i < 0) continue;
    fail(t(`attend() changed ${what}[${i}] from ${then[i]} to ${now[i]}: it must only read q and the cache`,
      `attend() 把 ${what}[${i}] 从 ${then[i]} 改成了 ${now[i]}：它只能读取 q 和缓存`), {
      hint: t('Compute scores and weights into new numbers or arrays; never write into q, a cached key or a cached value. step() reads the same keys and values again at every later position, so a change made once is made again and again.',
        '把分数和权重算进新的变量或数组里；绝不要写入 q、缓存的键或值。step() 在之后的每个位置都会再次读取同样的键和值，改动一次就会一再累积。'),
    });
  }
}

/** The cache must hold one key and one value per token in every layer. */
function expectCacheShape(cache: KVCache, nLayer: number, tokens: number): void {
  if (!cache || !Array.isArray(cache.layers) || cache.layers.length !== nLayer) {
    const has = Array.isArray(cache?.layers) ? String(cache.layers.length) : undefined;
    fail(t(`the cache should have ${nLayer} layers, it has ${has ?? 'none'}`, `缓存应有 ${nLayer} 层，实际${has === undefined ? '一层也没有' : `有 ${has} 层`}`),
      { hint: t('Do not replace cache.layers: push into cache.layers[l].keys and .values.', '不要替换 cache.layers：往 cache.layers[l].keys 和 .values 里 push。') });
  }
  const counts = cache.layers.map((l) => `${l.keys.length}/${l.values.length}`).join(', ');
  for (const [l, layer] of cache.layers.entries()) {
    if (layer.keys.length === tokens && layer.values.length !== tokens) {
      failWith(M['values-not-appended'], t(`(After ${tokens} token(s), layer ${l} caches ${layer.keys.length} keys but ${layer.values.length} values; keys/values per layer: ${counts}.)`,
        `（送入 ${tokens} 个 token 后，第 ${l} 层缓存了 ${layer.keys.length} 个键，却只有 ${layer.values.length} 个值；各层键/值数：${counts}。）`));
    }
  }
  if (cache.layers[0].keys.length === nLayer * tokens && cache.layers.slice(1).every((l) => l.keys.length === 0)) {
    failWith(M['shared-layer'], t(`(After ${tokens} token(s), layer 0 caches ${cache.layers[0].keys.length} keys and the other layers none; keys/values per layer: ${counts}.)`,
      `（送入 ${tokens} 个 token 后，第 0 层缓存了 ${cache.layers[0].keys.length} 个键，其他层一个也没有；各层键/值数：${counts}。）`));
  }
  for (const [l, layer] of cache.layers.entries()) {
    if (layer.keys.length !== tokens || layer.values.length !== tokens) {
      fail(t(`after ${tokens} token(s), layer ${l} caches ${layer.keys.length} keys and ${layer.values.length} values; expected ${tokens} of each (keys/values per layer: ${counts})`,
        `送入 ${tokens} 个 token 后，第 ${l} 层缓存了 ${layer.keys.length} 个键和 ${layer.values.length} 个值；两者都应为 ${tokens} 个（各层键/值数：${counts}）`), {
        hint: t('Each step appends exactly one key and one value to every layer\'s cache.', '每一步都恰好向每一层的缓存追加一个键和一个值。'),
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

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---------------------------------------------------------------------------------------------------------
// The learner's 200-token generation, run once and shared by the two generate checks

interface Generation {
  prompt: number[];
  /** The array handed to generate() (a copy of `prompt`), as it was after the call. */
  given: number[];
  out: number[];
  /** How long the learner's generate() took. */
  ms: number;
  /** Positions it pushed through the model, and what a cached generation needs. */
  positions: number;
  expectedPositions: number;
}

/** The learner's result is an array that starts with the prompt and has n new tokens. */
function expectGenerationShape(g: Generation): void {
  const { out, prompt } = g;
  if (!same(g.given, prompt)) {
    const i = g.given.findIndex((tok, n) => tok !== prompt[n]);
    const how = g.given.length !== prompt.length
      ? t(`it held ${prompt.length} tokens, and ${g.given.length} after the call`, `原来有 ${prompt.length} 个 token，调用之后有 ${g.given.length} 个`)
      : t(`prompt[${i}] was ${prompt[i]} and is ${g.given[i]} after the call`, `prompt[${i}] 原来是 ${prompt[i]}，调用之后是 ${g.given[i]}`);
    fail(t(`generate() changed the prompt it was given: ${how.en}`, `generate() 修改了传给它的提示：${how['zh-cn']}`),
      { hint: t('Build the result in a copy, tokens = [...prompt], and push onto that; the caller still needs its prompt.', '在一份拷贝里构造结果，tokens = [...prompt]，再往它上面 push；调用者还需要原来的提示。') });
  }
  if (!Array.isArray(out)) {
    const type = out === undefined ? 'undefined' : typeof out;
    fail(t(`generate() returned ${type}, expected an array of token ids`, `generate() 返回了 ${type}，应返回一个 token id 数组`),
      { hint: t('Return the prompt followed by the new tokens.', '返回提示，后面接上新生成的 token。') });
  }
  expectEqual(out.length, prompt.length + GEN_TOKENS, `generate(model, prompt of ${prompt.length}, ${GEN_TOKENS}).length`,
    t('Return the prompt followed by the n new tokens.', '返回提示，后面接上 n 个新 token。'));
  expectEqual(out.slice(0, prompt.length), prompt, 'the first tokens of generate()\'s result', t('Start with a copy of the prompt.', '以提示的一份拷贝开头。'));
}

/** Every generated token is what uncached greedy decoding (onnxruntime over each window) gives, at about the cached cost. */
async function verifyGeneration(g: Generation): Promise<Generation> {
  const { model, parts } = await lesson();
  const { blockSize, vocabSize: V } = parts.config;
  const { out, prompt } = g;
  expectGenerationShape(g);
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
        const yours = JSON.stringify(model.vocab[out[i]] ?? out[i]);
        const want = JSON.stringify(model.vocab[best]);
        fail(t(`new token ${n}: you generated ${yours}, uncached greedy decoding gives ${want}${restarted ? ' (this is the first token after the window filled up)' : ''}`,
          `第 ${n} 个新 token：你生成的是 ${yours}，不带缓存的贪心解码给出的是 ${want}${restarted ? '（这是窗口填满后的第一个 token）' : ''}`), {
          hint: restarted
            ? t(`When the cache holds blockSize = ${blockSize} positions, start a new cache from the last blockSize / 2 = ${blockSize / 2} tokens (the newest one included) and feed them with step(); positions then start again at 0.`,
              `当缓存已有 blockSize = ${blockSize} 个位置时，用最后 blockSize / 2 = ${blockSize / 2} 个 token（包括最新的那个）新建一个缓存，并用 step() 依次送入；位置随之重新从 0 开始。`)
            : t('Each new token is argmax of the logits from the previous step; then feed that token with step() on the same cache.',
              '每个新 token 都是上一步 logits 的 argmax；然后用 step() 把这个 token 送进同一个缓存。'),
        });
      }
    }
  }
  if (g.positions > Math.ceil(1.2 * g.expectedPositions)) {
    failWith(M['recomputes-context'], t(`(It computed ${g.positions} positions for ${GEN_TOKENS} new tokens; with the cache it needs about ${g.expectedPositions}.)`,
      `（为了 ${GEN_TOKENS} 个新 token，它计算了 ${g.positions} 个位置；有缓存时大约只需要 ${g.expectedPositions} 个。）`));
  }
  return g;
}

export default defineChecks<Learner>({
  exports: ['attend', 'step', 'generate'],
  shared: {
    /** The learner's cached generation of 200 tokens, timed, with the positions it computed. */
    generation: async (m): Promise<Generation> => {
      const { model, parts } = await lesson();
      const prompt = Array.from(model.tokenizer.encode(GEN_PROMPT));
      const expectedPositions = cachedPositions(prompt.length, GEN_TOKENS, parts.config.blockSize);
      const counter = counting(parts, 3 * expectedPositions, expectedPositions);
      const t0 = performance.now();
      const given = [...prompt];
      const out = m.generate(counter.parts, given, GEN_TOKENS);
      const elapsed = performance.now() - t0;
      return { prompt, given, out, ms: elapsed, positions: counter.count(), expectedPositions };
    },
    /** The same generation, once it has been compared with uncached greedy decoding (fails like the check). */
    verified: async (_m, ctx) => verifyGeneration(await ctx.shared<Generation>('generation')),
  },
  checks: [
    // ----- attend ------------------------------------------------------------------------------------------
    {
      name: t('attend: one query over three cached positions (worked by hand)', 'attend：一个查询作用于三个缓存位置（手算验证）'),
      task: 'attend',
      run: (m) => {
        // One head of size 2. Scores q.k / sqrt(2) = ln 4, 0, ln 4, so the weights are 4/9, 1/9, 4/9.
        const q = Float32Array.of(Math.SQRT2 * Math.log(4), 0);
        const keys = [Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1)];
        const values = [Float32Array.of(1, 0), Float32Array.of(0, 2), Float32Array.of(3, 3)];
        const cache = { keys: [...keys], values: [...values] };
        // Every expectation comes from copies taken before the call: an attend that writes into the cache must not move them.
        const before = snapshot(q, cache);
        const misconceptions = ATTEND_BUGS.map((b) => ({ value: attend64(before.q, before.keys, before.values, 1, b.bug), ...b.mistake }));
        const got = m.attend(q, cache, 1);
        expectReadOnly(q, cache, before);
        expectClose(got, [16 / 9, 14 / 9], {
          what: 'attend(q, 3 cached positions, 1 head)',
          hint: t('scores_j = q . k_j / sqrt(hs); weights = softmax(scores); output = sum_j weight_j * v_j. Here the weights are 4/9, 1/9, 4/9.',
            'scores_j = q . k_j / sqrt(hs)；weights = softmax(scores)；output = sum_j weight_j * v_j。这里的权重是 4/9, 1/9, 4/9。'),
          misconceptions,
        });
        expectClose(m.attend(Float32Array.of(5, -3), { keys: [keys[1]], values: [values[1]] }, 1), [0, 2], {
          what: 'attend(q, 1 cached position, 1 head)',
          hint: t('With a single position its weight is 1: the output is that value vector.', '只有一个位置时它的权重是 1：输出就是那个值向量。'),
        });
      },
    },
    {
      name: t('attend: 4 heads over 6 positions match a float64 reference', 'attend：4 个头、6 个位置，与 float64 参考实现一致'),
      task: 'attend',
      run: (m, ctx) => {
        // Heads of size 6 with 4 heads: a head size equal to the number of heads would hide channels taken at h * nHead.
        const C = 24;
        const nHead = 4;
        const vec = () => Float32Array.from({ length: C }, () => 2 * ctx.random() - 1);
        const q = vec();
        const cache = { keys: Array.from({ length: 6 }, vec), values: Array.from({ length: 6 }, vec) };
        const before = snapshot(q, cache);
        const expected = attend64(before.q, before.keys, before.values, nHead);
        const misconceptions = ATTEND_BUGS.map((b) => ({ value: attend64(before.q, before.keys, before.values, nHead, b.bug), ...b.mistake }));
        const got = m.attend(q, cache, nHead);
        expectReadOnly(q, cache, before);
        expectClose(got, expected, {
          what: 'attend(q, 6 cached positions, 4 heads of size 6)',
          rtol: 1e-5, atol: 1e-6,
          hint: t('Head h uses channels [h*hs, (h+1)*hs) of q, of every key and of every value, and writes the same channels of the output.',
            '头 h 使用 q、每个键和每个值的通道 [h*hs, (h+1)*hs)，并写入输出的相同通道。'),
          misconceptions,
        });
      },
    },

    // ----- step -----------------------------------------------------------------------------------------------
    {
      name: t('step: cached logits equal a full forward pass at every position (max abs diff <= 1e-4)', 'step：每个位置上带缓存的 logits 都等于完整前向传播的结果（最大绝对误差 <= 1e-4）'),
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
        for (let tok = 0; tok < ids.length; tok++) {
          const char = JSON.stringify(STEP_TEXT[tok]);
          let got: Float32Array;
          try {
            got = m.step(parts, cache, ids[tok]);
          } catch (e) {
            // A missing value cache shows up as a TypeError inside attend(): say what is missing instead.
            if (!(e instanceof NotImplementedError)) expectCacheShape(cache, nLayer, tok + 1);
            throw e;
          }
          expectCacheShape(cache, nLayer, tok + 1);
          step64(parts, reference, ids[tok]);
          const expected = full.data.subarray(tok * V, (tok + 1) * V);
          const diff = maxAbsDiff(got, expected);
          if (!(diff <= TOLERANCE)) {
            for (const b of STEP_BUGS) {
              const variant = emptyCache(nLayer);
              let out: Float32Array = new Float32Array(0);
              for (let s = 0; s <= tok; s++) out = step64(parts, variant, ids[s], b.bug);
              if (maxAbsDiff(got, out) <= TOLERANCE) failWith(b.mistake, t(`(Step ${tok}, character ${char}.)`, `（第 ${tok} 步，字符 ${char}。）`));
            }
            expectClose(got, expected, {
              what: `step() logits for character ${tok} (${char}), against the full forward pass`, atol: TOLERANCE, rtol: 0,
              hint: tok === 0
                ? t('Position 0: embed, then per layer qkv -> append k and v -> attend -> project -> add; mlp -> add; then logits.',
                  '位置 0：先 embed，然后每一层 qkv -> 追加 k 和 v -> attend -> project -> 相加；mlp -> 相加；最后 logits。')
                : t('The first steps were right; what changes with the position? The position embedding, and how many cached positions attention reads.',
                  '前几步是对的；随位置变化的是什么？是位置嵌入，以及注意力读取多少个缓存位置。'),
            });
          }
          // The cache holds what the model computed: the newest key and value of every layer.
          for (let l = 0; l < nLayer; l++) {
            const [k, v] = [cache.layers[l].keys[tok], cache.layers[l].values[tok]];
            const [rk, rv] = [reference.layers[l].keys[tok], reference.layers[l].values[tok]];
            if (maxAbsDiff(v, rk) <= TOLERANCE && maxAbsDiff(v, rv) > TOLERANCE) {
              failWith(M['values-are-keys'], t(`(Layer ${l}, position ${tok}.)`, `（第 ${l} 层，位置 ${tok}。）`));
            }
            expectClose(k, rk, { what: `cache.layers[${l}].keys[${tok}]`, atol: TOLERANCE, rtol: 0,
              hint: t('Cache exactly the k returned by model.qkv(l, x) for this layer, and never write into it afterwards: attend() only reads the cache.',
                '缓存的必须正是这一层 model.qkv(l, x) 返回的 k，之后也绝不要再写入它：attend() 只读取缓存。') });
            expectClose(v, rv, { what: `cache.layers[${l}].values[${tok}]`, atol: TOLERANCE, rtol: 0,
              hint: t('Cache exactly the v returned by model.qkv(l, x) for this layer, and never write into it afterwards: attend() only reads the cache.',
                '缓存的必须正是这一层 model.qkv(l, x) 返回的 v，之后也绝不要再写入它：attend() 只读取缓存。') });
          }
          worst = Math.max(worst, diff);
          if (tok < 3 || tok === ids.length - 1) rows.push([tok, STEP_TEXT[tok] === ' ' ? '␣' : STEP_TEXT[tok], tok, diff.toExponential(2)]);
          else if (tok === 3) rows.push(['…', '', '', '']);
        }
        const w = worst.toExponential(2);
        ctx.artifact({
          kind: 'table',
          title: t(`step() vs one full forward pass of ${ids.length} characters (max abs diff ${w})`, `step() 与对 ${ids.length} 个字符的一次完整前向传播对比（最大绝对误差 ${w}）`),
          columns: [t('step', '步'), t('character', '字符'), t('position', '位置'), t('max |yours - full|', 'max |你的 - 完整|')],
          rows,
        });
      },
    },
    {
      name: t('step: the position is the number of cached tokens, and a full cache is refused', 'step：位置等于已缓存的 token 数，缓存已满时拒绝继续'),
      task: 'step',
      run: async (m) => {
        const { model, parts } = await lesson();
        const { nLayer, blockSize } = parts.config;
        const ids = Array.from(model.tokenizer.encode('whale'));
        const positions: number[] = [];
        const spy: ModelParts = { ...parts, config: parts.config, embed: (token: number, position: number) => (positions.push(position), parts.embed(token, position)) };
        const cache = emptyCache(nLayer);
        for (const id of ids) m.step(spy, cache, id);
        expectEqual(positions, [0, 1, 2, 3, 4], 'the positions step() passed to model.embed for 5 tokens',
          t('position = the number of tokens already in the cache (cache.layers[0].keys.length), read before appending.',
            'position = 缓存中已有的 token 数（cache.layers[0].keys.length），要在追加之前读取。'));
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
        expectTrue(threw,
          t(`step() on a cache that already holds ${blockSize} positions should throw: there is no position ${blockSize} in a model with a context of ${blockSize}`,
            `对已有 ${blockSize} 个位置的缓存调用 step() 应当抛出错误：上下文长度为 ${blockSize} 的模型没有位置 ${blockSize}`),
          t('Check position < blockSize and throw an Error otherwise (model.embed also refuses it).', '检查 position < blockSize，否则抛出 Error（model.embed 也会拒绝它）。'));
      },
    },

    // ----- generate -------------------------------------------------------------------------------------------
    {
      name: t(`generate: ${GEN_TOKENS} cached tokens equal uncached greedy decoding`, `generate：带缓存生成的 ${GEN_TOKENS} 个 token 与不带缓存的贪心解码一致`),
      task: 'generate',
      run: async (m, ctx) => {
        const { model } = await lesson();
        const g = await ctx.shared<Generation>('generation');
        expectGenerationShape(g);
        ctx.artifact({
          kind: 'text', title: t(`${GEN_TOKENS} characters, greedy, with your KV cache`, `用你的 KV 缓存贪心生成的 ${GEN_TOKENS} 个字符`),
          text: `${GEN_PROMPT}[${g.out.slice(g.prompt.length).map((tok) => model.vocab[tok] ?? '�').join('')}]`,
        });
        await ctx.shared<Generation>('verified');
        // n is an argument like any other: no new token, and exactly one (the first of the 200 just verified).
        const { parts } = await lesson();
        for (const n of [0, 1]) {
          const out = m.generate(parts, [...g.prompt], n);
          expectEqual(out, g.out.slice(0, g.prompt.length + n), `generate(model, prompt of ${g.prompt.length}, ${n})`,
            n === 0
              ? t('n = 0 asks for no new token: return (a copy of) the prompt and nothing else.', 'n = 0 表示不要新 token：返回提示（的拷贝），别的什么都不加。')
              : t('n = 1: the prompt, then the argmax of the logits after its last token (the first token of your 200-token generation).',
                'n = 1：提示，然后是它最后一个 token 之后 logits 的 argmax（也就是你生成 200 个 token 时的第一个）。'));
        }
      },
    },
    {
      name: t(`the cache's speed-up, measured: ${GEN_TOKENS} tokens, and one token at a full window`, `实测缓存带来的加速：${GEN_TOKENS} 个 token，以及窗口已满时的单个 token`),
      task: 'generate',
      run: async (m, ctx) => {
        const { model, parts } = await lesson();
        const { blockSize, nLayer } = parts.config;
        // 1. 200 tokens: your cached generate() (run and timed once, shared with the check above) against
        //    onnxruntime recomputing the window at every step. Only a generation that is right is measured.
        let g: Generation;
        try {
          g = await ctx.shared<Generation>('verified');
        } catch (e) {
          if (!(e instanceof CheckFailure)) throw e;
          fail(t(`not measured: generate() must first match uncached decoding (the check above). ${e.details.message}`,
            `未测量：generate() 必须先与不带缓存的解码一致（见上一项检查）。${e.details.message}`), { hint: e.details.hint === undefined ? undefined : t(e.details.hint, e.details.hint) });
        }
        const { prompt, out, ms: cachedMs, expectedPositions: cachedPositionsCount } = g;
        const starts = windowStarts(prompt.length + GEN_TOKENS, prompt.length, blockSize);
        const tokens = [...prompt];
        let uncachedPositions = 0;
        let t0 = performance.now();
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
        const total = (uncachedMs / cachedMs).toFixed(1);
        const one = (recomputeMs / stepMs).toFixed(0);
        ctx.artifact({
          kind: 'table', title: t('KV cache: measured on this machine', 'KV 缓存：在本机上的实测'),
          columns: ['', t('positions computed', '计算的位置数'), t('time', '耗时'), t('speed-up', '加速比')],
          rows: [
            [t(`${GEN_TOKENS} tokens, no cache: onnxruntime (native code) recomputes the window every step`, `${GEN_TOKENS} 个 token，无缓存：onnxruntime（原生代码）每一步都重算整个窗口`),
              uncachedPositions, ms(uncachedMs), '1×'],
            [t(`${GEN_TOKENS} tokens, your generate() with the cache (TypeScript)`, `${GEN_TOKENS} 个 token，你带缓存的 generate()（TypeScript）`),
              cachedPositionsCount, ms(cachedMs), `${total}×`],
            [t(`1 token at a full window, your step() recomputing all ${blockSize} positions`, `窗口已满时的 1 个 token，你的 step() 重算全部 ${blockSize} 个位置`),
              blockSize, ms(recomputeMs), '1×'],
            [t(`1 token at a full window, your step() with ${blockSize - 1} cached positions`, `窗口已满时的 1 个 token，你的 step() 使用 ${blockSize - 1} 个缓存位置`),
              1, ms(stepMs), `${one}×`],
          ],
        });
        ctx.artifact({
          kind: 'text', title: t('Speed-up', '加速'),
          text: t(
            `${GEN_TOKENS} tokens: ${total}× faster with your cache (in TypeScript) than without one in native onnxruntime.\n` +
              `One token at a full window, same code: ${one}× faster with the cache.\n` +
              'Timings vary from run to run; the positions column does not.',
            `${GEN_TOKENS} 个 token：用你的缓存（TypeScript）比不带缓存的原生 onnxruntime 快 ${total}×。\n` +
              `窗口已满时的 1 个 token，同一份代码：有缓存快 ${one}×。\n` +
              '每次运行的耗时都会有所不同；“计算的位置数”一列不会变。',
          ),
        });
        expectTrue(stepMs <= recomputeMs,
          t(`one cached step took ${ms(stepMs)}, more than recomputing all ${blockSize} positions (${ms(recomputeMs)})`,
            `一次带缓存的 step 用了 ${ms(stepMs)}，比重算全部 ${blockSize} 个位置（${ms(recomputeMs)}）还慢`),
          t('A cached step computes one position and reads the cache; it should never be slower than recomputing the window.',
            '带缓存的一步只计算一个位置并读取缓存；它绝不应比重算整个窗口更慢。'));
      },
    },
  ],
});
