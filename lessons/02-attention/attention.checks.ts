/**
 * Checks for lesson 2 (attention/scaled-dot-product): attention(q, k, v, causal) -> { out, weights }.
 *
 * Expected values come from a float64 reference written with plain loops (reference.ts) and, for the bundled
 * model, from onnxruntime. Every catalogued mistake (missing scale, wrong softmax axis, mask after the softmax
 * or with 0, off-by-one masks, k not transposed or transposed along the wrong axes) is computed as its own
 * wrong variant, so a failure names the mistake; an overflowing softmax and a batch-only transpose bug are
 * recognised by how they behave.
 */
import { type CheckContext, type Misconception, defineChecks, expectClose, expectShape, expectTrue, fail } from '@llm-lab/check';
import { type Tensor, linear, tensor, transpose } from '@llm-lab/kit';
import {
  expectCloseLazy, expectTensorField, expectUnchanged, fmt, maxAbsDiff, randomIntTensor, randomTensor, snapshot, withShapeAdvice,
} from './check-helpers';
import { ATTENTION_MISTAKE_TEXT as TEXT } from './mistakes';
import { headMatrices, headsOf, modelFixture } from './model-fixture';
import { ATTENTION_MISTAKES, type Arr, type AttentionResult64, attention64 } from './reference';

type Learner = typeof import('./attention');

const RTOL = 1e-4;
const ATOL = 1e-5;
/** Model-level comparisons against onnxruntime: absolute, as in the model's own tests. */
const MODEL_ATOL = 1e-4;

const SHAPE_ADVICE = 'Shapes: q @ kᵀ is (..., T_q, d) @ (..., d, T_k), so transpose k along its LAST two axes: transpose(k, -2, -1). '
  + 'Then weights @ v is (..., T_q, T_k) @ (..., T_k, d_v).';

/** Calls the learner's attention, checks that it returned { out, weights } and left its inputs alone. */
function call(m: Learner, q: Tensor, k: Tensor, v: Tensor, causal: boolean, what: string): { out: Tensor; weights: Tensor } {
  const before = [snapshot(q), snapshot(k), snapshot(v)];
  const result = withShapeAdvice(() => m.attention(q, k, v, causal), SHAPE_ADVICE);
  const weights = expectTensorField(result, 'weights', what, '{ out, weights }');
  const out = expectTensorField(result, 'out', what, '{ out, weights }');
  expectUnchanged(q, before[0], 'q');
  expectUnchanged(k, before[1], 'k');
  expectUnchanged(v, before[2], 'v');
  return { out, weights };
}

/** Every catalogued mistake that can run on these inputs, with its wrong weights. */
function wrongVariants(q: Arr, k: Arr, v: Arr, causal: boolean): { mistake: (typeof ATTENTION_MISTAKES)[number]; result: AttentionResult64 }[] {
  return ATTENTION_MISTAKES.flatMap((mistake) => {
    const result = attention64(q, k, v, causal, mistake);
    return result ? [{ mistake, result }] : [];
  });
}

/** Compares weights, then out, with the float64 reference; a mismatch that matches a known mistake names it. */
function expectAttention(got: { out: Tensor; weights: Tensor }, q: Tensor, k: Tensor, v: Tensor, causal: boolean, what: string,
  tol: { rtol: number; atol: number } = { rtol: RTOL, atol: ATOL }): void {
  const ref = attention64(q, k, v, causal)!;
  const misconceptions = (part: 'weights' | 'out') => (): Misconception[] =>
    wrongVariants(q, k, v, causal).map(({ mistake, result }) => ({ value: result[part], ...TEXT[mistake] }));
  expectCloseLazy(got.weights, ref.weights, {
    what: `${what}.weights`, ...tol,
    hint: 'weights = softmax(q @ kᵀ / √d_k, -1), with -Infinity in the future (j > i) before the softmax when causal.',
  }, misconceptions('weights'));
  expectCloseLazy(got.out, ref.out, {
    what: `${what}.out`, ...tol,
    hint: 'Your weights are right, so the last step is off: out = weights @ v, of shape (..., T_q, d_v).',
  }, misconceptions('out'));
}

/** The text of the first catalogued mistake whose weights these are, if any. */
function nameMistake(weights: Tensor, q: Tensor, k: Tensor, v: Tensor, causal: boolean): { message: string; hint: string } | undefined {
  for (const { mistake, result } of wrongVariants(q, k, v, causal)) {
    if (result.weights.data.length === weights.data.length && maxAbsDiff(weights, result.weights) <= ATOL + RTOL) return TEXT[mistake];
  }
  return undefined;
}

/** Sums of the weights along the keys (rows) and along the queries (columns), per leading index. */
function sums(w: Tensor, along: 'rows' | 'columns'): number[] {
  const [R, C] = w.shape.slice(-2);
  const batch = w.data.length / (R * C);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < (along === 'rows' ? R : C); s++) {
      let t = 0;
      for (let a = 0; a < (along === 'rows' ? C : R); a++) t += along === 'rows' ? w.data[b * R * C + s * C + a] : w.data[b * R * C + a * C + s];
      out.push(t);
    }
  }
  return out;
}

const index = (flat: number, shape: readonly number[]): string => {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return idx.join(', ');
};

export default defineChecks<Learner>({
  exports: ['attention'],
  checks: [
    {
      name: 'a worked example: 3 tokens, d = 2, no mask',
      task: 'attention',
      run: (m, ctx) => {
        // The example from the lesson text. Scores q·k / √2; row 0 is (1, 0)·(2, 0) / √2 = √2 for key 0, ...
        const q = tensor([[1, 0], [0, 2], [1, 1]]);
        const k = tensor([[2, 0], [0, 1], [1, 1]]);
        const v = tensor([[1, 0], [0, 1], [1, 1]]);
        const got = call(m, q, k, v, false, 'attention(q, k, v, false)');
        const ref = attention64(q, k, v, false)!;
        ctx.artifact({
          kind: 'heatmap', title: 'Your weights (rows: queries, columns: keys)', rows: ['q0', 'q1', 'q2'], columns: ['k0', 'k1', 'k2'],
          values: [0, 1, 2].map((i) => [0, 1, 2].map((j) => Number((got.weights.data[i * 3 + j] ?? NaN).toFixed(4)))),
        });
        expectAttention(got, q, k, v, false, 'attention(q, k, v, false)');
        expectClose(got.weights.data[0], ref.weights.data[0], { what: 'weights[0, 0]', rtol: RTOL, atol: ATOL });
      },
    },
    {
      name: 'matches a float64 reference on a batch of heads (2, 3, 5, 4), causal and not',
      task: 'attention',
      run: (m, ctx) => {
        const q = randomTensor(ctx, [2, 3, 5, 4], 1.5);
        const k = randomTensor(ctx, [2, 3, 5, 4], 1.5);
        const v = randomTensor(ctx, [2, 3, 5, 4], 1);
        for (const causal of [false, true]) {
          const what = `attention(q, k, v, ${causal})`;
          expectAttention(call(m, q, k, v, causal, what), q, k, v, causal, what);
        }
      },
    },
    {
      name: 'a square batch (3, 3, 3, 3): k transposed along its last two axes',
      task: 'attention',
      run: (m, ctx) => {
        // Every axis has size 3, so q @ k, transpose(k, 0, 1) and transpose(k, 1, 2) all run without a shape
        // error: only the values can tell them apart.
        const q = randomTensor(ctx, [3, 3, 3, 3], 1.5);
        const k = randomTensor(ctx, [3, 3, 3, 3], 1.5);
        const v = randomTensor(ctx, [3, 3, 3, 3], 1);
        for (const causal of [false, true]) {
          const what = `attention(q, k, v, ${causal})`;
          expectAttention(call(m, q, k, v, causal, what), q, k, v, causal, what);
        }
      },
    },
    {
      name: 'each row of weights is a probability distribution over the keys',
      task: 'attention',
      run: (m, ctx) => {
        const q = randomTensor(ctx, [2, 6, 4], 1.5);
        const k = randomTensor(ctx, [2, 6, 4], 1.5);
        const v = randomTensor(ctx, [2, 6, 4], 1);
        for (const causal of [false, true]) {
          const what = `attention(q, k, v, ${causal}).weights`;
          const { weights } = call(m, q, k, v, causal, what);
          expectShape(weights, [2, 6, 6], what);
          for (let i = 0; i < weights.data.length; i++) {
            const w = weights.data[i];
            if (!(w >= 0 && w <= 1)) {
              const known = nameMistake(weights, q, k, v, causal);
              fail(known?.message ?? `${what}[${index(i, weights.shape)}] is ${w}: a weight is a probability, between 0 and 1.`, { hint: known?.hint });
            }
          }
          const rows = sums(weights, 'rows');
          const bad = rows.findIndex((s) => Math.abs(s - 1) > 1e-5);
          if (bad >= 0) {
            const known = nameMistake(weights, q, k, v, causal);
            const columnsSumTo1 = sums(weights, 'columns').every((s) => Math.abs(s - 1) <= 1e-5);
            const text = known ?? (columnsSumTo1 ? TEXT['softmax-over-queries'] : undefined);
            fail(text?.message ?? `row ${bad % 6} of ${what}[${Math.floor(bad / 6)}] sums to ${rows[bad]}, expected 1`, {
              hint: text?.hint ?? 'The softmax along the last axis makes every row sum to 1; anything done to the weights after it must keep that.',
            });
          }
        }
      },
    },
    {
      name: 'causal: the future gets weight 0 and cannot change an output',
      task: 'attention',
      run: (m, ctx) => {
        const T = 6;
        const q = randomTensor(ctx, [2, T, 4], 1.5);
        const k = randomTensor(ctx, [2, T, 4], 1.5);
        const v = randomTensor(ctx, [2, T, 4], 1);
        const base = call(m, q, k, v, true, 'attention(q, k, v, true)');
        expectShape(base.weights, [2, T, T], 'attention(q, k, v, true).weights');
        const known = () => nameMistake(base.weights, q, k, v, true);
        for (let at = 0; at < base.weights.data.length; at++) {
          const i = Math.floor(at / T) % T;
          const j = at % T;
          if (j > i && base.weights.data[at] !== 0) {
            fail(known()?.message ?? `weights[${index(at, base.weights.shape)}] is ${base.weights.data[at]}: key ${j} is in the future of query ${i}, so its weight must be exactly 0.`,
              { hint: known()?.hint ?? TEXT['mask-with-zero'].hint });
          }
        }
        // Replace everything from position t on (queries, keys and values); outputs before t must not move.
        for (let t = 1; t < T; t++) {
          const change = (x: Tensor) => {
            const y = Float32Array.from(x.data);
            for (let b = 0; b < 2; b++) for (let s = t; s < T; s++) for (let c = 0; c < 4; c++) y[(b * T + s) * 4 + c] = (ctx.random() * 2 - 1) * 3;
            return tensor(y, x.shape);
          };
          const [q2, k2, v2] = [change(q), change(k), change(v)];
          const after = call(m, q2, k2, v2, true, 'attention(q, k, v, true) with the future changed');
          for (let b = 0; b < 2; b++) {
            for (let i = 0; i < t; i++) {
              for (let c = 0; c < 4; c++) {
                const at = (b * T + i) * 4 + c;
                if (Math.abs(after.out.data[at] - base.out.data[at]) > 1e-6) {
                  fail(known()?.message ?? `out[${b}, ${i}, ${c}] changed from ${base.out.data[at]} to ${after.out.data[at]} when only positions ${t}..${T - 1} changed: query ${i} can see its future.`,
                    { hint: known()?.hint ?? 'Mask every score with j > i to -Infinity before the softmax.' });
                }
              }
            }
          }
        }
      },
    },
    {
      name: 'huge scores give finite, correct weights (no overflow)',
      task: 'attention',
      run: (m, ctx) => {
        // Whole numbers up to 24: q·k reaches several hundred, and e^89 is already Infinity in float32.
        // Products and sums of whole numbers are exact in float32, so only the softmax is judged here.
        const q = randomIntTensor(ctx, [2, 4, 4], 24);
        const k = randomIntTensor(ctx, [2, 4, 4], 24);
        const v = randomTensor(ctx, [2, 4, 3], 1);
        for (const causal of [false, true]) {
          const what = `attention(q, k, v, ${causal}) with scores in the hundreds`;
          const got = call(m, q, k, v, causal, what);
          const ref = attention64(q, k, v, causal)!;
          expectShape(got.weights, ref.weights.shape, `${what}.weights`);
          const bad = Array.from(got.weights.data).findIndex((w) => !Number.isFinite(w));
          if (bad >= 0 && !nameMistake(got.weights, q, k, v, causal)) {
            fail(TEXT.overflow.message, { hint: TEXT.overflow.hint, actual: { kind: 'number', value: got.weights.data[bad] } });
          }
          expectAttention(got, q, k, v, causal, what);
        }
      },
    },
    {
      name: 'shapes: T_q ≠ T_k, d_v ≠ d_k, and 2-D inputs',
      task: 'attention',
      run: (m, ctx) => {
        // Cross-attention shapes (no mask): 3 queries over 5 keys whose values have 6 features.
        const cases: [number[], number[], number[]][] = [[[2, 3, 4], [2, 5, 4], [2, 5, 6]], [[3, 4], [5, 4], [5, 2]], [[1, 4], [1, 4], [1, 3]]];
        for (const [qs, ks, vs] of cases) {
          const [q, k, v] = [randomTensor(ctx, qs, 1.5), randomTensor(ctx, ks, 1.5), randomTensor(ctx, vs, 1)];
          const what = `attention(q ${fmt(qs)}, k ${fmt(ks)}, v ${fmt(vs)}, false)`;
          const got = call(m, q, k, v, false, what);
          expectShape(got.weights, [...qs.slice(0, -1), ks[ks.length - 2]], `${what}.weights`);
          expectShape(got.out, [...qs.slice(0, -1), vs[vs.length - 1]], `${what}.out`);
          expectAttention(got, q, k, v, false, what);
        }
        // A single token attends only to itself.
        const one = randomTensor(ctx, [1, 4], 1);
        const got = call(m, one, one, one, true, 'attention of a single token');
        expectClose(got.weights, tensor([[1]]), { what: 'attention of a single token: weights', hint: 'One key, so all the weight goes to it.' });
      },
    },
    {
      name: 'a batch (2, 3, 5, 4) gives, for every (batch, head), the attention of that (5, 4) slice',
      task: 'attention',
      run: (m, ctx) => {
        const shape = [2, 3, 5, 4];
        const [q, k, v] = [randomTensor(ctx, shape, 1.5), randomTensor(ctx, shape, 1.5), randomTensor(ctx, shape, 1)];
        const slice = (x: Tensor, s: number) => tensor(x.data.slice(s * 20, (s + 1) * 20), [5, 4]);
        let slicesRight = true;
        for (let s = 0; s < 6 && slicesRight; s++) {
          try {
            const r = m.attention(slice(q, s), slice(k, s), slice(v, s), true);
            const ref = attention64(slice(q, s), slice(k, s), slice(v, s), true)!;
            slicesRight = maxAbsDiff(r.out, ref.out) <= 1e-4 && r.out.data.length === ref.out.data.length;
          } catch {
            slicesRight = false;
          }
        }
        let got: { out: Tensor; weights: Tensor };
        try {
          got = call(m, q, k, v, true, 'attention(q, k, v, true) on (2, 3, 5, 4)');
        } catch (e) {
          if (slicesRight && e instanceof Error && /inner dimensions differ|broadcast/.test(e.message)) {
            fail(`${TEXT['k-wrong-axes'].message}\nOn (2, 3, 5, 4) inputs it throws: ${e.message.split('\n')[0]}`, { hint: TEXT['k-wrong-axes'].hint });
          }
          throw e;
        }
        const ref = attention64(q, k, v, true)!;
        if (slicesRight && (got.out.data.length !== ref.out.data.length || maxAbsDiff(got.out, ref.out) > 1e-4)) {
          fail(TEXT['k-wrong-axes'].message, { hint: TEXT['k-wrong-axes'].hint });
        }
        expectAttention(got, q, k, v, true, 'attention(q, k, v, true) on (2, 3, 5, 4)');
      },
    },
    {
      name: 'the bundled model: your attention reproduces every layer and head',
      task: 'attention',
      run: async (m, ctx: CheckContext) => {
        const f = await modelFixture();
        const { nLayer, nHead, nEmbd } = f.model.config;
        const T = f.T;
        const layers = Array.from({ length: nLayer }, (_, i) => {
          const [q, k, v] = (['q', 'k', 'v'] as const).map((p) => headsOf(f, i, p)); // (1, nh, T, hs)
          return { q, k, v, got: call(m, q, k, v, true, `attention(q, k, v, true) of layer ${i}`) };
        });
        // Drawn before anything is compared: a wrong pattern is worth seeing.
        if (layers.every(({ got }) => got.weights.data.length === nHead * T * T)) {
          ctx.artifact({
            kind: 'heatmaps', title: `Your attention weights for "${f.text}", every layer and head`,
            rows: f.tokens, columns: f.tokens, rowTitle: 'query (reading)', columnTitle: 'key (read)', axes: ['layer', 'head'],
            maps: layers.flatMap(({ got }, layer) => headMatrices(got.weights, nHead, T).map((values, head) => ({ at: [layer, head], values }))),
          });
        }
        const diffs: (string | number)[][] = [];
        layers.forEach(({ q, k, v, got }, i) => {
          const expected = f.outputs[`attn_probs_${i}`];
          expectShape(got.weights, expected.shape, `layer ${i}: weights`);
          expectCloseLazy(got.weights, expected, { what: `layer ${i}: your weights vs onnxruntime's attn_probs_${i}`, rtol: 0, atol: MODEL_ATOL },
            () => wrongVariants(q, k, v, true).map(({ mistake, result }) => ({ value: result.weights, ...TEXT[mistake] })));
          // Put the heads side by side again and apply the layer's output projection, as the model does.
          expectShape(got.out, [1, nHead, T, nEmbd / nHead], `layer ${i}: out`);
          const merged = transpose(got.out, 1, 2).reshape(1, T, nEmbd); // (1, T, C)
          const projected = linear(merged, f.weight(`h.${i}.attn.proj.weight`), f.weight(`h.${i}.attn.proj.bias`));
          expectCloseLazy(projected, f.outputs[`attn_out_${i}`], {
            what: `layer ${i}: your out, merged and projected, vs onnxruntime's attn_out_${i}`, rtol: 0, atol: MODEL_ATOL,
            hint: 'The weights match, so out = weights @ v is where to look.',
          }, () => []);
          diffs.push([i, maxAbsDiff(got.weights, expected), maxAbsDiff(projected, f.outputs[`attn_out_${i}`])]);
        });
        ctx.artifact({ kind: 'table', title: 'Largest difference from onnxruntime', columns: ['layer', 'weights', 'output (after projection)'],
          rows: diffs.map(([i, w, o]) => [i, Number(w).toExponential(2), Number(o).toExponential(2)]) });
        expectTrue(diffs.length === nLayer, 'every layer was compared');
      },
    },
  ],
});
