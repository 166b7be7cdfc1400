/**
 * Checks for lesson 4 (gpt-forward/model): layerNorm, gelu, mlp, block, gptForward, and the lesson-3
 * multi-head attention they build on.
 *
 * LayerNorm and GELU are compared with float64 references (reference.ts); everything model-sized with
 * onnxruntime running the bundled model on a real sentence: the intermediates in the order they are computed
 * (so a failure says where the first difference appears), the logits to 1e-4, a batch, causality, and 50
 * greedily generated characters (as minGPT checks its GPT-2 against Hugging Face's: logits, then identical
 * greedy text). Catalogued mistakes (post-LN, missing residuals or ln_f or position embedding, ReLU for
 * GELU, unbiased variance, eps outside the square root, ...) are computed as wrong variants and named.
 */
import { type CheckContext, type Misconception, defineChecks, expectClose, expectShape, fail } from '@llm-lab/check';
import { type Tensor, embedding, tensor } from '@llm-lab/kit';
import {
  expectCloseLazy, expectUnchanged, fmt, isTensorLike, maxAbsDiff, randomTensor, snapshot, withShapeAdvice,
} from '../02-attention/check-helpers';
import { type ModelFixture, modelFixture, round4, tokenLabel } from '../02-attention/model-fixture';
import { GPT_MISTAKE_TEXT as TEXT } from './mistakes';
import {
  BLOCK_MISTAKES, GELU_MISTAKES, GPT_MISTAKES, LAYER_NORM_MISTAKES, type GptMistake, blockVariant, gelu64, gptVariant, layerNorm64, mlpVariant,
} from './reference';

type Learner = typeof import('./gpt');

const MODEL_ATOL = 1e-4;
/** The prompt greedy decoding starts from, and how many characters to generate. */
const PROMPT = 'Call me Ishmael.';
const GREEDY_STEPS = 50;
/** Two different sentences of the same length, for the batch check. */
const BATCH = ['Call me Ishmael.', 'It is not down '];

const SHAPE_ADVICE = 'Shapes: x is (B, T, C); linear(x, W, b) needs W of shape (out, C); the tied LM head is linear(x, wte.weight): (B, T, C) @ (C, V).';

/** A fresh Map of the model's weights as tensors, so nothing done to them can leak into another check. */
function weightsOf(f: ModelFixture): Map<string, Tensor> {
  return new Map(f.model.weightNames.map((name) => [name, f.weight(name)]));
}

const notImplemented = (e: unknown): boolean => e instanceof Error && e.name === 'NotImplementedError';

function expectTensor(v: unknown, what: string): Tensor {
  if (!isTensorLike(v)) fail(`${what} is ${v === undefined ? 'undefined (did you forget to `return`?)' : typeof v}; expected a Tensor`);
  return v;
}

/** Runs the learner's gptForward and reads the result, with clear words for a wrong return value. */
function forward(m: Learner, w: Map<string, Tensor>, ids: number[][], f: ModelFixture): { logits: Tensor; get(name: string): Tensor | undefined } {
  const r = withShapeAdvice(() => m.gptForward(w, ids, f.model.config), SHAPE_ADVICE);
  if (typeof r !== 'object' || r === null) fail(`gptForward returned ${r === undefined ? 'undefined (did you forget to `return`?)' : typeof r}; expected { logits, intermediates }`);
  const logits = expectTensor(r.logits, 'gptForward(...).logits');
  const inter = r.intermediates as unknown;
  const get = (name: string): Tensor | undefined => {
    const v = inter instanceof Map ? inter.get(name) : typeof inter === 'object' && inter !== null ? (inter as Record<string, unknown>)[name] : undefined;
    return isTensorLike(v) ? v : undefined;
  };
  return { logits, get };
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

const lazyVariants = (values: () => { mistake: GptMistake; value: Tensor }[]) => (): Misconception[] =>
  values().map(({ mistake, value }) => ({ value, ...TEXT[mistake] }));

export default defineChecks<Learner>({
  exports: ['multiHeadAttention', 'layerNorm', 'gelu', 'mlp', 'block', 'gptForward'],
  checks: [
    {
      name: 'your multi-head attention from lesson 3 (imported) reproduces the model\'s layer 0',
      task: 'multiHeadAttention',
      run: async (m) => {
        const f = await modelFixture();
        const lin = (part: string) => ({ weight: f.weight(`h.0.attn.${part}.weight`), bias: f.weight(`h.0.attn.${part}.bias`) });
        let ok = false;
        try {
          const r = m.multiHeadAttention(f.attentionInput(0), { q: lin('q'), k: lin('k'), v: lin('v'), proj: lin('proj') }, f.model.config.nHead);
          ok = isTensorLike(r?.out) && isTensorLike(r?.weights) && r.out.data.length === f.outputs.attn_out_0.data.length
            && maxAbsDiff(r.out, f.outputs.attn_out_0) <= MODEL_ATOL && maxAbsDiff(r.weights, f.outputs.attn_probs_0) <= MODEL_ATOL;
        } catch (e) {
          if (notImplemented(e)) throw e;
        }
        if (!ok) fail(TEXT['lesson-3'].message, { hint: TEXT['lesson-3'].hint });
      },
    },

    // ----- layerNorm -------------------------------------------------------------------------------------
    {
      name: 'layerNorm: a worked example, [1, 2, 3, 4] -> [-1.342, -0.447, 0.447, 1.342], and a nearly constant row',
      task: 'layerNorm',
      run: (m) => {
        // Row 0: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, so (x - 2.5) / sqrt(1.25 + 1e-5).
        // Row 2 varies by a thousandth: its variance (1.25e-6) is smaller than eps, so where eps goes matters.
        const x = tensor([[1, 2, 3, 4], [-1, 0, 1, 6], [0.001, 0.002, 0.003, 0.004]]);
        const [wt, b] = [tensor([1, 1, 1, 1]), tensor([0, 0, 0, 0])];
        const before = snapshot(x);
        const y = withShapeAdvice(() => m.layerNorm(x, wt, b), 'mean(x, -1, true) keeps the last axis with size 1, so (x - mean) broadcasts: (3, 4) - (3, 1).');
        expectUnchanged(x, before, 'x');
        expectClose(y, layerNorm64(x, wt, b), {
          what: 'layerNorm([[1, 2, 3, 4], [-1, 0, 1, 6], [0.001, 0.002, 0.003, 0.004]], ones, zeros)', rtol: 1e-5, atol: 1e-5,
          hint: 'Per row: subtract the mean, divide by sqrt(var + 1e-5), var = mean of squared deviations.',
          misconceptions: LAYER_NORM_MISTAKES.map((mk) => ({ value: layerNorm64(x, wt, b, 1e-5, mk), ...TEXT[mk] })),
        });
      },
    },
    {
      name: 'layerNorm of a (2, 3, 8) tensor with a weight and bias matches a float64 reference',
      task: 'layerNorm',
      run: (m, ctx) => {
        const x = tensor(Float32Array.from({ length: 48 }, () => 3 + (ctx.random() * 2 - 1) * 4), [2, 3, 8]);
        const wt = randomTensor(ctx, [8], 1.5);
        const b = randomTensor(ctx, [8], 1);
        const y = m.layerNorm(x, wt, b);
        expectShape(y, [2, 3, 8], 'layerNorm(x (2, 3, 8), weight, bias)');
        expectClose(y, layerNorm64(x, wt, b), {
          what: 'layerNorm(x, weight, bias)', rtol: 1e-4, atol: 1e-5,
          misconceptions: LAYER_NORM_MISTAKES.map((mk) => ({ value: layerNorm64(x, wt, b, 1e-5, mk), ...TEXT[mk] })),
        });
        // With weight 1 and bias 0, every token comes out with mean 0 and variance 1.
        const z = m.layerNorm(x, tensor(new Float32Array(8).fill(1)), tensor(new Float32Array(8)));
        for (let r = 0; r < 6; r++) {
          const row = Array.from(z.data.slice(r * 8, r * 8 + 8));
          const mu = row.reduce((s, v) => s + v, 0) / 8;
          const v = row.reduce((s, x2) => s + (x2 - mu) ** 2, 0) / 8;
          if (Math.abs(mu) > 1e-4 || Math.abs(v - 1) > 1e-3) fail(`token ${r} of layerNorm(x, ones, zeros) has mean ${mu.toFixed(5)} and variance ${v.toFixed(5)}; expected 0 and 1`);
        }
      },
    },
    {
      name: 'layerNorm of a constant row is the bias, not NaN',
      task: 'layerNorm',
      run: (m) => {
        const x = tensor([[5, 5, 5, 5], [0, 0, 0, 0]]);
        const [wt, b] = [tensor([2, 2, 2, 2]), tensor([0.5, -1, 0, 3])];
        expectClose(m.layerNorm(x, wt, b), layerNorm64(x, wt, b), {
          what: 'layerNorm of constant rows', rtol: 1e-5, atol: 1e-5, hint: TEXT['ln-no-eps'].hint,
          misconceptions: LAYER_NORM_MISTAKES.map((mk) => ({ value: layerNorm64(x, wt, b, 1e-5, mk), ...TEXT[mk] })),
        });
      },
    },

    // ----- gelu ------------------------------------------------------------------------------------------
    {
      name: 'gelu at hand-picked points matches the tanh formula',
      task: 'gelu',
      run: (m) => {
        const points = [-3, -2, -1.5, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 1.5, 2, 3, 4, -4, 0.25];
        const x = tensor(points, [4, 4]);
        const before = snapshot(x);
        const y = m.gelu(x);
        expectUnchanged(x, before, 'x');
        expectShape(y, [4, 4], 'gelu(x (4, 4))');
        expectClose(y, tensor(points.map((p) => gelu64(p)), [4, 4]), {
          what: 'gelu(x)', rtol: 1e-5, atol: 1e-6, hint: TEXT['gelu-erf'].hint,
          misconceptions: GELU_MISTAKES.map((mk) => ({ value: tensor(points.map((p) => gelu64(p, mk)), [4, 4]), ...TEXT[mk] })),
        });
      },
    },
    {
      name: 'gelu of large inputs stays finite: about x for large x, 0 for very negative x',
      task: 'gelu',
      run: (m) => {
        const points = [30, -30, 1000, -1000, 1e6, -1e6];
        const y = m.gelu(tensor(points));
        for (let i = 0; i < points.length; i++) {
          if (!Number.isFinite(y.data[i])) {
            fail(`gelu(${points[i]}) is ${y.data[i]}: tanh of a large number is ±1, the result should be finite`, {
              hint: 'Use the kit\'s tanh (Math.tanh never overflows); a tanh built from exp overflows for large inputs.',
            });
          }
        }
        expectClose(y, tensor(points.map((p) => gelu64(p))), { what: `gelu([${points.join(', ')}])`, rtol: 1e-5, atol: 1e-6 });
      },
    },

    // ----- mlp -------------------------------------------------------------------------------------------
    {
      name: 'mlp of layer 0, with the model\'s weights, on a (1, 5, C) input',
      task: 'mlp',
      run: async (m, ctx) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const get = (n: string) => w.get(n)!;
        const x = randomTensor(ctx, [1, 5, f.model.config.nEmbd], 1.5);
        const before = snapshot(x);
        const y = withShapeAdvice(() => m.mlp(x, w, 0), 'Shapes: mlp.fc.weight is (4C, C), so linear(x, fc.weight, fc.bias) is (B, T, 4C); mlp.proj.weight is (C, 4C).');
        expectUnchanged(x, before, 'x');
        expectShape(y, [1, 5, f.model.config.nEmbd], 'mlp(x (1, 5, C), w, 0)');
        expectCloseLazy(expectTensor(y, 'mlp(x, w, 0)'), mlpVariant(x, get, 0), { what: 'mlp(x, w, 0)', rtol: 1e-4, atol: 1e-4, hint: 'mlp(x) = linear(gelu(linear(x, fc.weight, fc.bias)), proj.weight, proj.bias), weights of layer 0.' },
          lazyVariants(() => (['mlp-relu', 'mlp-no-activation'] as const).map((mistake) => ({ mistake, value: mlpVariant(x, get, 0, mistake) }))));
      },
    },

    // ----- block -----------------------------------------------------------------------------------------
    {
      name: 'block i, fed what the model\'s block i reads, equals onnxruntime (every layer)',
      task: 'block',
      run: async (m) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const get = (n: string) => w.get(n)!;
        const { nLayer, nHead } = f.model.config;
        for (let i = 0; i < nLayer; i++) {
          const x = f.blockInput(i); // (1, T, C), from onnxruntime
          const before = snapshot(x);
          const r = withShapeAdvice(() => m.block(x, w, i, f.model.config), SHAPE_ADVICE);
          expectUnchanged(x, before, 'x');
          if (typeof r !== 'object' || r === null) fail(`block(x, w, ${i}, config) returned ${typeof r}; expected { out, attnOut, attnWeights }`);
          const variants = (part: 'out' | 'attnOut' | 'attnWeights') => lazyVariants(() => BLOCK_MISTAKES.map((mistake) => ({ mistake, value: blockVariant(x, get, i, nHead, mistake)[part] })));
          const tol = { rtol: 1e-4, atol: MODEL_ATOL };
          expectCloseLazy(expectTensor(r.attnWeights, `block ${i}: attnWeights`), f.outputs[`attn_probs_${i}`], { what: `block ${i}: attnWeights vs onnxruntime's attn_probs_${i}`, ...tol,
            hint: `The attention reads layerNorm(x, h.${i}.ln_1.weight, h.${i}.ln_1.bias).` }, variants('attnWeights'));
          expectCloseLazy(expectTensor(r.attnOut, `block ${i}: attnOut`), f.outputs[`attn_out_${i}`], { what: `block ${i}: attnOut vs onnxruntime's attn_out_${i}`, ...tol }, variants('attnOut'));
          expectCloseLazy(expectTensor(r.out, `block ${i}: out`), f.outputs[`block_out_${i}`], { what: `block ${i}: out vs onnxruntime's block_out_${i}`, ...tol,
            hint: 'The attention part is right: x + attnOut, then + mlp(layerNorm(that, ln_2)).' }, variants('out'));
        }
      },
    },

    // ----- gptForward ------------------------------------------------------------------------------------
    {
      name: 'gptForward: the embeddings are token + position',
      task: 'gptForward',
      run: async (m) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const r = forward(m, w, [f.ids], f);
        const emb = r.get('embeddings');
        if (!emb) fail('intermediates has no \'embeddings\': record x right after adding the two embeddings, intermediates.set(\'embeddings\', x)');
        expectCloseLazy(emb, f.outputs.embeddings, { what: 'intermediates.get(\'embeddings\') vs onnxruntime\'s embeddings', rtol: 1e-5, atol: 1e-6,
          hint: 'x = wte[ids] + wpe[0..T): embedding(wte, ids.flat(), [B, T]) plus embedding(wpe, [0, ..., T-1], [T]).' },
        () => [{ value: embedding(w.get('wte.weight')!, f.ids, [1, f.T]), ...TEXT['no-position-embedding'] }]);
      },
    },
    {
      name: 'the bundled model: your logits equal onnxruntime\'s (max |diff| <= 1e-4)',
      task: 'gptForward',
      run: async (m, ctx) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const get = (n: string) => w.get(n)!;
        const { nLayer, nHead, vocabSize: V } = f.model.config;
        const r = forward(m, w, [f.ids], f);
        expectShape(r.logits, [1, f.T, V], 'gptForward(w, [ids], config).logits');

        // Next-character probabilities after the sentence, from the learner's own logits.
        const last = Array.from(r.logits.data.slice((f.T - 1) * V, f.T * V));
        const max = Math.max(...last);
        const e = last.map((l) => Math.exp(l - max));
        const z = e.reduce((s, x) => s + x, 0);
        const top = e.map((p, id) => ({ id, p: p / z })).sort((a, b) => b.p - a.p).slice(0, 10);
        ctx.artifact({ kind: 'bars', title: `Your model: the next character after "${f.text}"`, labels: top.map((t) => tokenLabel(f.model.vocab[t.id])), values: top.map((t) => round4(t.p)) });

        // Where does the first difference appear? Compare in the order the model computes.
        const diffs: (string | number)[][] = [];
        const compare = (name: string, lazy: () => Misconception[], hint: string, tol = { rtol: 1e-4, atol: MODEL_ATOL }) => {
          const got = r.get(name);
          if (!got) fail(`intermediates has no '${name}': record it (intermediates.set('${name}', ...)) so the checks can find where a difference starts`);
          diffs.push([name, maxAbsDiff(got, f.outputs[name]).toExponential(2)]);
          expectShape(got, f.outputs[name].shape, `intermediates.get('${name}')`);
          expectCloseLazy(got, f.outputs[name], { what: `intermediates.get('${name}') vs onnxruntime`, ...tol, hint }, lazy);
        };
        try {
          compare('embeddings', () => [{ value: embedding(get('wte.weight'), f.ids, [1, f.T]), ...TEXT['no-position-embedding'] }], 'x = wte[ids] + wpe[0..T).');
          for (let i = 0; i < nLayer; i++) {
            const variants = (part: 'out' | 'attnOut' | 'attnWeights') => lazyVariants(() => BLOCK_MISTAKES.map((mistake) => ({ mistake, value: blockVariant(f.blockInput(i), get, i, nHead, mistake)[part] })));
            compare(`attn_probs_${i}`, variants('attnWeights'), `Everything before layer ${i} matches: check what block ${i}'s attention reads, layerNorm(x, ln_1).`);
            compare(`attn_out_${i}`, variants('attnOut'), `Layer ${i}'s attention weights match: record multiHeadAttention's out.`);
            compare(`block_out_${i}`, variants('out'), `Layer ${i}'s attention matches: x + attnOut, then + mlp(layerNorm(that, ln_2)).`);
          }
          const logitsDiff = maxAbsDiff(r.logits, f.outputs.logits);
          diffs.push(['logits', logitsDiff.toExponential(2)]);
          expectCloseLazy(r.logits, f.outputs.logits, { what: 'logits vs onnxruntime', rtol: 0, atol: MODEL_ATOL,
            hint: 'Every block matches, so look at the end: ln_f, then the tied LM head linear(x, wte.weight).' },
          lazyVariants(() => GPT_MISTAKES.map((mistake) => ({ mistake, value: gptVariant(get, [f.ids], f.model.config, mistake) }))));
        } finally {
          ctx.artifact({ kind: 'table', title: 'Largest |yours − onnxruntime| along the way', columns: ['tensor', 'max |diff|'], rows: diffs });
        }
      },
    },
    {
      name: 'a batch of two different sentences: each row equals onnxruntime\'s',
      task: 'gptForward',
      run: async (m) => {
        const f = await modelFixture();
        const ids = BATCH.map((s) => Array.from(f.model.tokenizer.encode(s.padEnd(16, '.').slice(0, 16))));
        const expected = await f.model.run(ids.flat(), 2, 16, ['logits']);
        const r = forward(m, weightsOf(f), ids, f);
        expectShape(r.logits, [2, 16, f.model.config.vocabSize], 'gptForward of a (2, 16) batch: logits');
        expectClose(r.logits, expected.logits, { what: 'logits of a (2, 16) batch', rtol: 0, atol: MODEL_ATOL,
          hint: 'Each sequence of the batch goes through the same layers on its own: ids.flat() with shape [B, T] for wte, and a (T, C) position embedding that broadcasts over B.' });
      },
    },
    {
      name: 'causal: changing the last character changes no earlier logits',
      task: 'gptForward',
      run: async (m) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const ids = f.ids.slice(0, 12);
        const a = forward(m, w, [ids], f).logits;
        const changed = [...ids.slice(0, 11), (ids[11] + 7) % f.model.config.vocabSize];
        const b = forward(m, w, [changed], f).logits;
        const V = f.model.config.vocabSize;
        for (let i = 0; i < 11 * V; i++) {
          if (Math.abs(a.data[i] - b.data[i]) > 1e-6) {
            fail(`logits[0, ${Math.floor(i / V)}, ${i % V}] changed when only the character at position 11 changed: position ${Math.floor(i / V)} sees the future`,
              { hint: 'Every attention layer must be causal: multiHeadAttention calls attention(q, k, v, true).' });
          }
        }
      },
    },
    {
      name: `${GREEDY_STEPS} greedy characters from your model equal onnxruntime's`,
      task: 'gptForward',
      run: async (m, ctx: CheckContext) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const { vocabSize: V } = f.model.config;
        const prompt = Array.from(f.model.tokenizer.encode(PROMPT));
        const P = prompt.length;
        const expected = Array.from(await f.model.greedy(prompt, GREEDY_STEPS)); // prompt + 50, by onnxruntime
        const nextAfter = (logits: Tensor, position: number) => argmax(logits.data.subarray(position * V, (position + 1) * V));
        // Teacher forcing: one forward pass over onnxruntime's text gives your model's next-character choice
        // at every position at once. A causal model (the check above) sees at position p only what greedy
        // decoding would have fed it at that step, so these ARE the characters your model would generate,
        // computed in one pass instead of 50. (The same trick makes training parallel.)
        const all = forward(m, w, [expected.slice(0, P + GREEDY_STEPS - 1)], f).logits; // (1, P + 49, V)
        const chosen = Array.from({ length: GREEDY_STEPS }, (_, s) => nextAfter(all, P - 1 + s));
        const text = (t: number[]) => f.model.tokenizer.decode(t);
        const wanted = expected.slice(P);
        const show = (mine: number[]) => ctx.artifact({ kind: 'generation', title: `Greedy decoding after "${PROMPT}", ${GREEDY_STEPS} characters`, prompt: PROMPT,
          expected: { label: 'onnxruntime', text: text(wanted) }, actual: { label: 'your model', text: text(mine) } });
        if (chosen.every((id, s) => id === wanted[s])) {
          show(chosen);
          return;
        }
        // A difference at step s. Up to s, your choices were onnxruntime's, so generate for real from there,
        // one character at a time, to show what your model writes (a dozen steps are enough to see it).
        const s = chosen.findIndex((id, k) => id !== wanted[k]);
        const ids = expected.slice(0, P + s);
        while (ids.length < Math.min(P + s + 12, P + GREEDY_STEPS)) ids.push(nextAfter(forward(m, w, [ids], f).logits, ids.length - 1));
        const mine = ids.slice(P);
        show(mine);
        if (mine[s] === wanted[s]) {
          fail(`one character at a time, your model chooses onnxruntime's character ${s + 1}, but run over the whole text at once it predicts ${JSON.stringify(text([chosen[s]]))} there: its predictions depend on characters that come later`,
            { hint: 'The model must be causal: every attention layer masks the future (attention(q, k, v, true)).' });
        }
        fail(`character ${s + 1} of ${GREEDY_STEPS} differs: onnxruntime continues with ${JSON.stringify(text(wanted.slice(s, s + 10)))}, your model with ${JSON.stringify(text(mine.slice(s, s + 10)))}`,
          { hint: 'Greedy decoding takes the most likely character at each step, so any difference in the logits can change it. Make the logits check pass first.' });
      },
    },
    {
      name: 'a sequence longer than the context is refused with an error',
      task: 'gptForward',
      run: async (m) => {
        const f = await modelFixture();
        const { blockSize } = f.model.config;
        const ids = Array.from({ length: blockSize + 1 }, (_, t) => f.ids[t % f.T]);
        try {
          m.gptForward(weightsOf(f), [ids], f.model.config);
        } catch (e) {
          if (notImplemented(e)) throw e;
          return;
        }
        fail(`gptForward with ${blockSize + 1} tokens should throw: the position table wpe has only ${blockSize} rows ${fmt([blockSize, f.model.config.nEmbd])}`,
          { hint: 'Throw an Error when T > config.blockSize (the kit\'s embedding also throws for a position id that has no row).' });
      },
    },
  ],
});
