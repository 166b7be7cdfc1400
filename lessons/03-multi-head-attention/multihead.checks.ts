/**
 * Checks for lesson 3 (multi-head-attention/layer): splitHeads, mergeHeads, multiHeadAttention.
 *
 * Layouts are tested with inputs whose values name their own position (1000·b + 100·t + c), so a wrong
 * split shows which channels each head received. Values are compared with a float64 reference (reference.ts)
 * and, for the bundled model, with onnxruntime's attn_probs_i and attn_out_i for every layer. Each
 * catalogued mistake (heads split or merged in the wrong order, x @ W instead of x @ Wᵀ, no output
 * projection, nHead ignored) is computed as its own variant, so a failure names it.
 */
import { type CheckContext, defineChecks, expectClose, expectShape, fail } from '@llm-lab/check';
import { type Tensor, tensor } from '@llm-lab/kit';
import {
  expectCloseLazy, expectTensorField, expectUnchanged, fmt, maxAbsDiff, randomTensor, snapshot, withShapeAdvice,
} from '../02-attention/check-helpers';
import { headMatrices, modelFixture } from '../02-attention/model-fixture';
import { attention64 } from '../02-attention/reference';
import { MHA_MISTAKE_TEXT as TEXT } from './mistakes';
import { type AttentionParamsArr, MHA_MISTAKES, mergeHeads64, mha64, splitHeads64 } from './reference';

type Learner = typeof import('./multihead');
type Params = Parameters<Learner['multiHeadAttention']>[1];

const RTOL = 1e-4;
const ATOL = 1e-5;
const MODEL_ATOL = 1e-4;

/** x[b, t, c] = 1000·b + 100·t + c: every value says where it came from. */
function positional(shape: number[], weights: number[]): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0, rest = 0; i < n; i++) {
    rest = i;
    let v = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      v += (rest % shape[d]) * weights[d];
      rest = Math.floor(rest / shape[d]);
    }
    data[i] = v;
  }
  return tensor(data, shape);
}

function randomParams(ctx: CheckContext, C: number): Params {
  const lin = () => ({ weight: randomTensor(ctx, [C, C], 1 / Math.sqrt(C) * 1.5), bias: randomTensor(ctx, [C], 0.3) });
  return { q: lin(), k: lin(), v: lin(), proj: lin() };
}

function callMha(m: Learner, x: Tensor, p: Params, nHead: number, what: string): { out: Tensor; weights: Tensor } {
  const before = [x, p.q.weight, p.q.bias, p.k.weight, p.k.bias, p.v.weight, p.v.bias, p.proj.weight, p.proj.bias].map(snapshot);
  const result = withShapeAdvice(() => m.multiHeadAttention(x, p, nHead), 'Shapes: linear(x, weight, bias) takes x (B, T, C) and weight (out, in); split gives (B, nh, T, hs); attention keeps that; merge gives (B, T, C).');
  const weights = expectTensorField(result, 'weights', what, '{ out, weights }');
  const out = expectTensorField(result, 'out', what, '{ out, weights }');
  expectUnchanged(x, before[0], 'x');
  return { out, weights };
}

function expectMha(got: { out: Tensor; weights: Tensor }, x: Tensor, p: AttentionParamsArr, nHead: number, what: string,
  expected: { weights: { data: ArrayLike<number>; shape: readonly number[] }; out: { data: ArrayLike<number>; shape: readonly number[] } },
  tol: { rtol: number; atol: number }): void {
  const variants = () => MHA_MISTAKES.map((mistake) => ({ mistake, r: mha64(x, p, nHead, mistake) }));
  // No separate shape check first: a wrong shape may itself be a known mistake (nHead ignored gives one head).
  expectCloseLazy(got.weights, expected.weights, { what: `${what}.weights`, ...tol, hint: 'weights are lesson 2\'s attention weights of every head: (B, nh, T, T).' },
    () => variants().map(({ mistake, r }) => ({ value: r.weights, ...TEXT[mistake] })));
  expectCloseLazy(got.out, expected.out, { what: `${what}.out`, ...tol, hint: 'The weights are right: look at what happens after attention (merging the heads, the output projection).' },
    () => variants().map(({ mistake, r }) => ({ value: r.out, ...TEXT[mistake] })));
}

/** Calls a function the learner wrote for one tensor, with the input checked for changes. */
function callOn(x: Tensor, fn: () => unknown, what: string, advice: string): Tensor {
  const before = snapshot(x);
  const y = withShapeAdvice(fn, advice);
  if (!(typeof y === 'object' && y !== null && 'data' in y && 'shape' in y)) fail(`${what} returned ${y === undefined ? 'undefined (did you forget to `return`?)' : typeof y}; expected a Tensor`);
  expectUnchanged(x, before, 'the input');
  return y as Tensor;
}

export default defineChecks<Learner>({
  exports: ['attention', 'splitHeads', 'mergeHeads', 'multiHeadAttention'],
  checks: [
    {
      name: 'your attention from lesson 2 (imported) is right',
      task: 'attention',
      run: (m, ctx) => {
        const [q, k, v] = [randomTensor(ctx, [2, 4, 3], 1.5), randomTensor(ctx, [2, 4, 3], 1.5), randomTensor(ctx, [2, 4, 3], 1)];
        const ref = attention64(q, k, v, true)!;
        const got = m.attention(q, k, v, true);
        const ok = got && typeof got === 'object' && got.out?.data?.length === ref.out.data.length
          && maxAbsDiff(got.out, ref.out) <= 1e-4 && maxAbsDiff(got.weights, ref.weights) <= 1e-4;
        if (!ok) fail(TEXT['lesson-2'].message, { hint: TEXT['lesson-2'].hint });
      },
    },
    {
      name: 'splitHeads: (2, 3, 8) into 4 heads, head h takes channels [2h, 2h + 2)',
      task: 'splitHeads',
      run: (m, ctx) => {
        const x = positional([2, 3, 8], [1000, 100, 1]); // x[b, t, c] = 1000 b + 100 t + c
        const got = callOn(x, () => m.splitHeads(x, 4), 'splitHeads(x, 4)', 'Shapes: view (B, T, C) as (B, T, nh, hs), then transpose(x, 1, 2).');
        expectShape(got, [2, 4, 3, 2], 'splitHeads(x (2, 3, 8), 4)');
        // Which channels of token 0 (batch 0) ended up in each head, according to the values.
        ctx.artifact({
          kind: 'table', title: 'Channels of token 0 that each of your heads received (value mod 100)', columns: ['head', 'your channels', 'expected'],
          rows: [0, 1, 2, 3].map((h) => [h, [0, 1].map((s) => String(got.data[(h * 3 + 0) * 2 + s] % 100)).join(', '), `${2 * h}, ${2 * h + 1}`]),
        });
        expectClose(got, splitHeads64(x, 4), {
          what: 'splitHeads(x, 4)', rtol: 0, atol: 0,
          hint: 'The values are 1000·b + 100·t + c: out[b, h, t, s] should be x[b, t, h·hs + s].',
          misconceptions: (['split-without-transpose', 'split-interleaved'] as const).map((mk) => ({ value: splitHeads64(x, 4, mk), ...TEXT[mk] })),
        });
      },
    },
    {
      name: 'splitHeads: 1 head, C heads, and an error when nHead does not divide C',
      task: 'splitHeads',
      run: (m) => {
        const x = positional([1, 4, 6], [0, 10, 1]);
        for (const nh of [1, 2, 3, 6]) {
          const got = callOn(x, () => m.splitHeads(x, nh), `splitHeads(x, ${nh})`, 'Shapes: view (B, T, C) as (B, T, nh, hs), then transpose(x, 1, 2).');
          expectShape(got, [1, nh, 4, 6 / nh], `splitHeads(x (1, 4, 6), ${nh})`);
          expectClose(got, splitHeads64(x, nh), {
            what: `splitHeads(x, ${nh})`, rtol: 0, atol: 0,
            misconceptions: (['split-without-transpose', 'split-interleaved'] as const).map((mk) => ({ value: splitHeads64(x, nh, mk), ...TEXT[mk] })),
          });
        }
        let threw = false;
        try {
          m.splitHeads(x, 4);
        } catch (e) {
          if (e instanceof Error && e.name === 'NotImplementedError') throw e;
          threw = true;
        }
        if (!threw) fail('splitHeads(x (1, 4, 6), 4) should throw: 4 heads cannot share 6 channels equally', { hint: 'Check C % nHead === 0 and throw new Error(...) naming both numbers.' });
      },
    },
    {
      name: 'mergeHeads: (2, 4, 3, 2) back to (2, 3, 8), heads side by side',
      task: 'mergeHeads',
      run: (m) => {
        const y = positional([2, 4, 3, 2], [1000, 100, 10, 1]); // y[b, h, t, s] = 1000 b + 100 h + 10 t + s
        const got = callOn(y, () => m.mergeHeads(y), 'mergeHeads(y)', 'Shapes: transpose(y, 1, 2) gives (B, T, nh, hs); then reshape to (B, T, C).');
        expectShape(got, [2, 3, 8], 'mergeHeads(y (2, 4, 3, 2))');
        expectClose(got, mergeHeads64(y), {
          what: 'mergeHeads(y)', rtol: 0, atol: 0,
          hint: 'The values are 1000·b + 100·h + 10·t + s: out[b, t, h·hs + s] should be y[b, h, t, s].',
          misconceptions: (['merge-without-transpose', 'merge-interleaved'] as const).map((mk) => ({ value: mergeHeads64(y, mk), ...TEXT[mk] })),
        });
      },
    },
    {
      name: 'mergeHeads(splitHeads(x)) gives x back',
      task: 'mergeHeads',
      run: (m, ctx) => {
        for (const [shape, nh] of [[[2, 5, 12], 3], [[1, 1, 4], 4], [[3, 2, 6], 1]] as [number[], number][]) {
          const x = randomTensor(ctx, shape, 2);
          const back = callOn(x, () => m.mergeHeads(m.splitHeads(x, nh)), `mergeHeads(splitHeads(x, ${nh}))`, 'Merging undoes splitting: transpose back, then reshape.');
          expectClose(back, x, { what: `mergeHeads(splitHeads(x ${fmt(shape)}, ${nh}))`, rtol: 0, atol: 0, hint: 'Merging must undo splitting exactly: transpose(y, 1, 2), then reshape to (B, T, C).' });
        }
      },
    },
    {
      name: 'multiHeadAttention matches a float64 reference (B = 2, T = 5, C = 8, 2 heads)',
      task: 'multiHeadAttention',
      run: (m, ctx) => {
        const C = 8;
        const x = randomTensor(ctx, [2, 5, C], 1.5);
        const p = randomParams(ctx, C);
        for (const nh of [2, 4]) {
          const what = `multiHeadAttention(x, w, ${nh})`;
          const got = callMha(m, x, p, nh, what);
          expectMha(got, x, p, nh, what, mha64(x, p, nh), { rtol: RTOL, atol: ATOL });
        }
      },
    },
    {
      name: 'multiHeadAttention is causal: no output depends on a later token',
      task: 'multiHeadAttention',
      run: (m, ctx) => {
        const C = 8;
        const T = 6;
        const p = randomParams(ctx, C);
        const x = randomTensor(ctx, [1, T, C], 1.5);
        const base = callMha(m, x, p, 2, 'multiHeadAttention(x, w, 2)');
        expectShape(base.out, [1, T, C], 'multiHeadAttention(x (1, 6, 8), w, 2).out');
        for (let t = 1; t < T; t++) {
          const y = Float32Array.from(x.data);
          for (let i = t * C; i < T * C; i++) y[i] = (ctx.random() * 2 - 1) * 2;
          const after = callMha(m, tensor(y, [1, T, C]), p, 2, 'multiHeadAttention with the future changed');
          for (let i = 0; i < t * C; i++) {
            if (Math.abs(after.out.data[i] - base.out.data[i]) > 1e-5) {
              fail(`out[0, ${Math.floor(i / C)}, ${i % C}] changed when only tokens ${t}..${T - 1} changed: token ${Math.floor(i / C)} sees its future`, {
                hint: 'Call attention(q, k, v, true) (causal), and split the heads with the transpose: without it a "head" mixes several tokens, and with them the future.',
              });
            }
          }
        }
      },
    },
    {
      name: 'the bundled model: every layer\'s attention, all heads, equals onnxruntime\'s',
      task: 'multiHeadAttention',
      run: async (m, ctx) => {
        const f = await modelFixture();
        const { nLayer, nHead } = f.model.config;
        const lin = (i: number, part: string) => ({ weight: f.weight(`h.${i}.attn.${part}.weight`), bias: f.weight(`h.${i}.attn.${part}.bias`) });
        const layers = Array.from({ length: nLayer }, (_, i) => {
          const x = f.attentionInput(i); // (1, T, C): ln_1 of what block i reads, computed by the kit
          const p = { q: lin(i, 'q'), k: lin(i, 'k'), v: lin(i, 'v'), proj: lin(i, 'proj') };
          return { x, p, got: callMha(m, x, p, nHead, `multiHeadAttention of layer ${i}`) };
        });
        if (layers.every(({ got }) => got.weights.data.length === nHead * f.T * f.T)) {
          ctx.artifact({
            kind: 'heatmaps', title: `Your multi-head attention on "${f.text}", every layer and head`,
            rows: f.tokens, columns: f.tokens, rowTitle: 'query (reading)', columnTitle: 'key (read)', axes: ['layer', 'head'],
            maps: layers.flatMap(({ got }, layer) => headMatrices(got.weights, nHead, f.T).map((values, head) => ({ at: [layer, head], values }))),
          });
        }
        const diffs: (string | number)[][] = [];
        layers.forEach(({ x, p, got }, i) => {
          const expected = { weights: f.outputs[`attn_probs_${i}`], out: f.outputs[`attn_out_${i}`] };
          expectMha(got, x, p, nHead, `layer ${i}`, expected, { rtol: 0, atol: MODEL_ATOL });
          diffs.push([i, maxAbsDiff(got.weights, expected.weights).toExponential(2), maxAbsDiff(got.out, expected.out).toExponential(2)]);
        });
        ctx.artifact({ kind: 'table', title: 'Largest difference from onnxruntime', columns: ['layer', 'weights (attn_probs)', 'out (attn_out)'], rows: diffs });
      },
    },
  ],
});
