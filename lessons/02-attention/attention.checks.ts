/**
 * Checks for the attention lesson (attention/scaled-dot-product): attention(q, k, v, causal) -> { out, weights }.
 *
 * Expected values come from a float64 reference written with plain loops (@llm-lab/course/attention) and, for the bundled
 * model, from onnxruntime. Every catalogued mistake (missing scale, wrong softmax axis, mask after the softmax
 * or with 0, off-by-one masks, k not transposed or transposed along the wrong axes) is computed as its own
 * wrong variant, so a failure names the mistake; an overflowing softmax and a batch-only transpose bug are
 * recognised by how they behave.
 *
 * A mistake is named only when it is true of the learner's function: the weights match the mistake's, the out is not
 * the right out (next to a right out, the weights returned are not the ones used, and the hint says so), and the
 * function gives that mistake's weights on a second, ordinary input of the same rank too (every axis 4), so a mask
 * filled with -100 is not called a mask filled with 0. An overflow is named only if the same function is right once the scores are 64
 * times smaller; "k transposed along fixed axes" only if the function computes q[b, h] @ k[h, b] on a square batch.
 * Anything else gets the first difference and a true generic sentence.
 *
 * Which check names which catalogued mistake (each case of test/unit/mistakes/attention.ts run through every check):
 *   a worked example ........................... no-scale, scale-by-d, softmax-over-queries
 *   matches a float64 reference (2, 3, 5, 4) ... no-scale, scale-by-d, softmax-over-queries, mask-with-zero, mask-after-softmax,
 *                                                no-mask, mask-includes-diagonal, mask-leaks-next
 *   a square batch (3, 3, 3, 3) ................ the same, and k-not-transposed, k-transposed-0-1, k-transposed-1-2
 *   each row of weights is a distribution ...... softmax-over-queries, mask-after-softmax, mask-includes-diagonal
 *   causal: the future gets weight 0 ........... softmax-over-queries, mask-with-zero, mask-after-softmax, no-mask,
 *                                                mask-includes-diagonal, mask-leaks-next
 *   huge scores (no overflow) .................. overflow, k-not-transposed, and the mask mistakes
 *   shapes: T_q ≠ T_k, d_v ≠ d_k, 2-D .......... no-scale, scale-by-d, softmax-over-queries
 *   a batch (2, 3, 5, 4) gives ... slice ....... k-wrong-axes, and the scale, softmax and mask mistakes
 *   the bundled model .......................... the scale, softmax and mask mistakes
 */
import {
  type CheckContext, type Mistake, closeEnough, defineChecks, expectClose, expectCloseLazy, expectShape, expectTensorField, expectTrue,
  expectUnchanged, fail, fmt, maxAbsDiff, randomIntTensor, randomTensor, say, seededRandom, snapshot, t, withShapeAdvice,
} from '@llm-lab/check';
import { type Tensor, linear, tensor, transpose } from '@llm-lab/kit';
import {
  ATTENTION_MISTAKES, type Arr, type AttentionMistake, type AttentionResult64, attention64, attentionHeatmaps, headsOf, matmul64, modelFixture,
} from '@llm-lab/course/attention';
import { ATTENTION_MISTAKE_TEXT as TEXT } from './mistakes';

type Learner = typeof import('./attention');

const RTOL = 1e-4;
const ATOL = 1e-5;
/** Model-level comparisons against onnxruntime: absolute, as in the model's own tests. */
const MODEL_ATOL = 1e-4;

const SHAPE_ADVICE = t(
  'Shapes: q @ kᵀ is (..., T_q, d) @ (..., d, T_k), so transpose k along its LAST two axes: transpose(k, -2, -1). '
    + 'Then weights @ v is (..., T_q, T_k) @ (..., T_k, d_v).',
  '形状：q @ kᵀ 是 (..., T_q, d) @ (..., d, T_k)，所以要沿 k 的最后两个轴转置：transpose(k, -2, -1)。'
    + '然后 weights @ v 是 (..., T_q, T_k) @ (..., T_k, d_v)。',
);

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

type Got = { out: Tensor; weights: Tensor };

/** Same shape and values within the checks' tolerance (NaN equals only NaN). */
function same(a: Arr, b: Arr, tol: { rtol: number; atol: number } = { rtol: RTOL, atol: ATOL }): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]) || a.data.length !== b.data.length) return false;
  for (let i = 0; i < b.data.length; i++) if (!closeEnough(Number(a.data[i]), Number(b.data[i]), tol.rtol, tol.atol)) return false;
  return true;
}

/**
 * Every catalogued mistake that can run on these inputs and gives something other than the right answer on them
 * (on a 3-D input transpose(k, 1, 2) IS kᵀ, and with one token every mask is right: such a variant names nothing).
 */
function wrongVariants(q: Arr, k: Arr, v: Arr, causal: boolean): { mistake: (typeof ATTENTION_MISTAKES)[number]; result: AttentionResult64 }[] {
  const ref = attention64(q, k, v, causal)!;
  return ATTENTION_MISTAKES.flatMap((mistake) => {
    const result = attention64(q, k, v, causal, mistake);
    return result && !(same(result.weights, ref.weights) && same(result.out, ref.out)) ? [{ mistake, result }] : [];
  });
}

/**
 * A second, ordinary input on which a hypothesis is confirmed before it is said: of the same rank as the input that
 * failed, every axis of size 4 (so that every catalogued variant runs on it: q @ k needs d = T, transpose(k, 0, 1) and
 * (1, 2) need equal axes), with scores of a few units. Numbers that match a mistake on one input by coincidence (a
 * mask filled with -100 looks like a mask filled with 0 when every visible score is far below -100) do not match it
 * here; softmax(scores, 0) is a softmax over the queries for a 2-D input, and is named so only there.
 */
function confirmInputs(rank: number): [Tensor, Tensor, Tensor] {
  const random = seededRandom(20_17);
  const r = (scale: number) => randomTensor({ random }, new Array<number>(rank).fill(4), scale);
  return [r(1.5), r(1.5), r(1)];
}

type Confirm = (mistake: AttentionMistake) => boolean;

/** Whether the learner's attention gives `mistake`'s weights on the second input too (run once, then remembered). */
function confirmer(m: Learner, causal: boolean, rank: number): Confirm {
  let got: Got | null | undefined;
  const [q, k, v] = confirmInputs(rank);
  return (mistake) => {
    if (got === undefined) {
      try {
        const r = m.attention(tensor(Float32Array.from(q.data), q.shape), tensor(Float32Array.from(k.data), k.shape), tensor(Float32Array.from(v.data), v.shape), causal);
        got = r && typeof r === 'object' && r.out?.data && r.weights?.data ? r : null;
      } catch {
        got = null;
      }
    }
    if (got === null) return false;
    const variant = attention64(q, k, v, causal, mistake);
    return variant !== undefined && same(got.weights, variant.weights);
  };
}

/**
 * Compares weights, then out, with the float64 reference; a mismatch that matches a known mistake names it, if the
 * learner's function makes that mistake on a second input too. Weights are never named a mistake next to a right
 * out: then they are not the weights out was computed with, and the hint says so.
 */
function expectAttention(m: Learner, got: Got, q: Tensor, k: Tensor, v: Tensor, causal: boolean, what: string,
  tol: { rtol: number; atol: number } = { rtol: RTOL, atol: ATOL }): void {
  const ref = attention64(q, k, v, causal)!;
  const confirm = confirmer(m, causal, q.ndim);
  const outRight = same(got.out, ref.out, tol);
  expectCloseLazy(got.weights, ref.weights, {
    what: `${what}.weights`, ...tol,
    hint: outRight
      ? t('Your out is right but your weights are not: the weights you return are not the ones out was computed with. Return the softmax you multiplied v by.',
        '你的 out 是对的，weights 却不对：你返回的 weights 并不是计算 out 时用的那个。请返回与 v 相乘的那个 softmax 结果。')
      : t('weights = softmax(q @ kᵀ / √d_k, -1), with -Infinity in the future (j > i) before the softmax when causal.',
        'weights = softmax(q @ kᵀ / √d_k, -1)；causal 时，在 softmax 之前把未来位置（j > i）填成 -Infinity。'),
  }, () => (outRight ? [] : wrongVariants(q, k, v, causal)
    .filter(({ mistake, result }) => same(got.weights, result.weights, tol) && confirm(mistake))
    .map(({ mistake, result }) => ({ value: result.weights, ...TEXT[mistake] }))));
  // The weights are right here, so no mistake (all of which change the weights) can explain a wrong out.
  expectCloseLazy(got.out, ref.out, {
    what: `${what}.out`, ...tol,
    hint: t('Your weights are right, so the last step is off: out = weights @ v, of shape (..., T_q, d_v).',
      '你的 weights 是对的，所以问题出在最后一步：out = weights @ v，形状为 (..., T_q, d_v)。'),
  }, () => []);
}

/** The catalogue entry of the first mistake whose weights these are (with a wrong out), confirmed on a second input. */
function nameMistake(m: Learner, got: Got, q: Tensor, k: Tensor, v: Tensor, causal: boolean): Mistake | undefined {
  const ref = attention64(q, k, v, causal)!;
  if (same(got.out, ref.out)) return undefined;
  const confirm = confirmer(m, causal, q.ndim);
  for (const { mistake, result } of wrongVariants(q, k, v, causal)) {
    if (same(got.weights, result.weights) && confirm(mistake)) return TEXT[mistake];
  }
  return undefined;
}

/** Whether the learner's attention gives the right weights and out on these inputs (a throw is a no). */
function rightOn(m: Learner, q: Tensor, k: Tensor, v: Tensor, causal: boolean): boolean {
  try {
    const r = m.attention(q, k, v, causal);
    const ref = attention64(q, k, v, causal)!;
    return same(r.weights, ref.weights) && same(r.out, ref.out);
  } catch {
    return false;
  }
}

/** Whether out is the learner's own weights times v (float64): the weights returned are the ones used. */
const outFollowsWeights = (got: Got, v: Tensor): boolean => {
  const product = matmul64(got.weights, v);
  return product !== undefined && same(got.out, product);
};

/** Sums of the weights along the keys (rows) and along the queries (columns), per leading index. */
function sums(w: Tensor, along: 'rows' | 'columns'): number[] {
  const [R, C] = w.shape.slice(-2);
  const batch = w.data.length / (R * C);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < (along === 'rows' ? R : C); s++) {
      let total = 0;
      for (let a = 0; a < (along === 'rows' ? C : R); a++) total += along === 'rows' ? w.data[b * R * C + s * C + a] : w.data[b * R * C + a * C + s];
      out.push(total);
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
      name: t('a worked example: 3 tokens, d = 2, no mask', '手算示例：3 个 token，d = 2，不加掩码'),
      task: 'attention',
      run: (m, ctx) => {
        // The example from the lesson text. Scores q·k / √2; row 0 is (1, 0)·(2, 0) / √2 = √2 for key 0, ...
        const q = tensor([[1, 0], [0, 2], [1, 1]]);
        const k = tensor([[2, 0], [0, 1], [1, 1]]);
        const v = tensor([[1, 0], [0, 1], [1, 1]]);
        const got = call(m, q, k, v, false, 'attention(q, k, v, false)');
        const ref = attention64(q, k, v, false)!;
        ctx.artifact({
          kind: 'heatmap', title: t('Your weights (rows: queries, columns: keys)', '你的 weights（行：query，列：key）'), rows: ['q0', 'q1', 'q2'], columns: ['k0', 'k1', 'k2'],
          values: [0, 1, 2].map((i) => [0, 1, 2].map((j) => Number((got.weights.data[i * 3 + j] ?? NaN).toFixed(4)))),
        });
        expectAttention(m, got, q, k, v, false, 'attention(q, k, v, false)');
        expectClose(got.weights.data[0], ref.weights.data[0], { what: 'weights[0, 0]', rtol: RTOL, atol: ATOL });
      },
    },
    {
      name: t('matches a float64 reference on a batch of heads (2, 3, 5, 4), causal and not', '在一批头 (2, 3, 5, 4) 上与 float64 参考实现一致，因果和非因果都测'),
      task: 'attention',
      run: (m, ctx) => {
        const q = randomTensor(ctx, [2, 3, 5, 4], 1.5);
        const k = randomTensor(ctx, [2, 3, 5, 4], 1.5);
        const v = randomTensor(ctx, [2, 3, 5, 4], 1);
        for (const causal of [false, true]) {
          const what = `attention(q, k, v, ${causal})`;
          expectAttention(m, call(m, q, k, v, causal, what), q, k, v, causal, what);
        }
      },
    },
    {
      name: t('a square batch (3, 3, 3, 3): k transposed along its last two axes', '各维相等的批次 (3, 3, 3, 3)：k 沿最后两个轴转置'),
      task: 'attention',
      run: (m, ctx) => {
        // Every axis has size 3, so q @ k, transpose(k, 0, 1) and transpose(k, 1, 2) all run without a shape
        // error: only the values can tell them apart.
        const q = randomTensor(ctx, [3, 3, 3, 3], 1.5);
        const k = randomTensor(ctx, [3, 3, 3, 3], 1.5);
        const v = randomTensor(ctx, [3, 3, 3, 3], 1);
        for (const causal of [false, true]) {
          const what = `attention(q, k, v, ${causal})`;
          expectAttention(m, call(m, q, k, v, causal, what), q, k, v, causal, what);
        }
      },
    },
    {
      name: t('each row of weights is a probability distribution over the keys', 'weights 的每一行都是 key 上的概率分布'),
      task: 'attention',
      run: (m, ctx) => {
        const q = randomTensor(ctx, [2, 6, 4], 1.5);
        const k = randomTensor(ctx, [2, 6, 4], 1.5);
        const v = randomTensor(ctx, [2, 6, 4], 1);
        for (const causal of [false, true]) {
          const what = `attention(q, k, v, ${causal}).weights`;
          const got = call(m, q, k, v, causal, what);
          const { weights } = got;
          expectShape(weights, [2, 6, 6], what);
          for (let i = 0; i < weights.data.length; i++) {
            const w = weights.data[i];
            if (!(w >= 0 && w <= 1)) {
              const known = nameMistake(m, got, q, k, v, causal);
              const at = index(i, weights.shape);
              fail(known?.message ?? t(`${what}[${at}] is ${w}: a weight is a probability, between 0 and 1.`, `${what}[${at}] 是 ${w}：权重是概率，应在 0 和 1 之间。`),
                { hint: known?.hint });
            }
          }
          const rows = sums(weights, 'rows');
          const bad = rows.findIndex((s) => Math.abs(s - 1) > 1e-5);
          if (bad >= 0) {
            const known = nameMistake(m, got, q, k, v, causal);
            // Columns that sum to 1 are a softmax over the queries only if out was computed with these weights
            // (weights returned transposed, next to a right out, are another story).
            const columnsSumTo1 = sums(weights, 'columns').every((s) => Math.abs(s - 1) <= 1e-5) && outFollowsWeights(got, v);
            const text = known ?? (columnsSumTo1 ? TEXT['softmax-over-queries'] : undefined);
            const [row, batch] = [bad % 6, Math.floor(bad / 6)];
            fail(text?.message ?? t(`row ${row} of ${what}[${batch}] sums to ${rows[bad]}, expected 1`, `${what}[${batch}] 的第 ${row} 行之和是 ${rows[bad]}，应为 1`), {
              hint: text?.hint ?? t('The softmax along the last axis makes every row sum to 1; anything done to the weights after it must keep that.',
                '沿最后一个轴的 softmax 使每一行之和为 1；之后对权重做的任何处理都必须保持这一点。'),
            });
          }
        }
      },
    },
    {
      name: t('causal: the future gets weight 0 and cannot change an output', '因果：未来位置的权重为 0，也改变不了任何输出'),
      task: 'attention',
      run: (m, ctx) => {
        const T = 6;
        const q = randomTensor(ctx, [2, T, 4], 1.5);
        const k = randomTensor(ctx, [2, T, 4], 1.5);
        const v = randomTensor(ctx, [2, T, 4], 1);
        const base = call(m, q, k, v, true, 'attention(q, k, v, true)');
        expectShape(base.weights, [2, T, T], 'attention(q, k, v, true).weights');
        const known = () => nameMistake(m, base, q, k, v, true);
        for (let at = 0; at < base.weights.data.length; at++) {
          const i = Math.floor(at / T) % T;
          const j = at % T;
          if (j > i && base.weights.data[at] !== 0) {
            const where = index(at, base.weights.shape);
            const w = base.weights.data[at];
            fail(known()?.message ?? t(`weights[${where}] is ${w}: key ${j} is in the future of query ${i}, so its weight must be exactly 0.`,
              `weights[${where}] 是 ${w}：key ${j} 位于 query ${i} 的未来，它的权重必须恰好为 0。`),
            { hint: known()?.hint ?? TEXT['mask-with-zero'].hint });
          }
        }
        // Replace everything from position `from` on (queries, keys and values); outputs before `from` must not move.
        for (let from = 1; from < T; from++) {
          const change = (x: Tensor) => {
            const y = Float32Array.from(x.data);
            for (let b = 0; b < 2; b++) for (let s = from; s < T; s++) for (let c = 0; c < 4; c++) y[(b * T + s) * 4 + c] = (ctx.random() * 2 - 1) * 3;
            return tensor(y, x.shape);
          };
          const [q2, k2, v2] = [change(q), change(k), change(v)];
          const after = call(m, q2, k2, v2, true, say(t('attention(q, k, v, true) with the future changed', '改动未来之后的 attention(q, k, v, true)')));
          for (let b = 0; b < 2; b++) {
            for (let i = 0; i < from; i++) {
              for (let c = 0; c < 4; c++) {
                const at = (b * T + i) * 4 + c;
                if (Math.abs(after.out.data[at] - base.out.data[at]) > 1e-6) {
                  const [was, now] = [base.out.data[at], after.out.data[at]];
                  fail(known()?.message ?? t(`out[${b}, ${i}, ${c}] changed from ${was} to ${now} when only positions ${from}..${T - 1} changed: query ${i} can see its future.`,
                    `只改动了位置 ${from}..${T - 1}，out[${b}, ${i}, ${c}] 却从 ${was} 变成了 ${now}：query ${i} 能看到它的未来。`),
                  { hint: known()?.hint ?? t('Mask every score with j > i to -Infinity before the softmax.', '在 softmax 之前，把所有 j > i 的分数填成 -Infinity。') });
                }
              }
            }
          }
        }
      },
    },
    {
      name: t('huge scores give finite, correct weights (no overflow)', '分数很大时权重仍然有限且正确（不溢出）'),
      task: 'attention',
      run: (m, ctx) => {
        // Whole numbers up to 24: q·k reaches several hundred, and e^89 is already Infinity in float32. Query 0 and
        // key 0 of each batch are all 30s, so one score is (4 · 900) / √4 = 1800: past e^709, where even a softmax
        // accumulated in float64 overflows. Products and sums of whole numbers are exact in float32, so only the
        // softmax is judged here.
        const q = randomIntTensor(ctx, [2, 4, 4], 24);
        const k = randomIntTensor(ctx, [2, 4, 4], 24);
        const v = randomTensor(ctx, [2, 4, 3], 1);
        for (const x of [q, k]) for (let b = 0; b < 2; b++) x.data.fill(30, b * 16, b * 16 + 4);
        // The same q and k divided by 8 (exact): scores 64 times smaller, at most 28, where nothing overflows.
        const [qSmall, kSmall] = [q, k].map((x) => tensor(Float32Array.from(x.data, (u) => u / 8), x.shape));
        for (const causal of [false, true]) {
          const what = say(t(`attention(q, k, v, ${causal}) with scores in the hundreds`, `分数达到数百时的 attention(q, k, v, ${causal})`));
          const got = call(m, q, k, v, causal, what);
          const ref = attention64(q, k, v, causal)!;
          expectShape(got.weights, ref.weights.shape, `${what}.weights`);
          const bad = Array.from(got.weights.data).findIndex((w) => !Number.isFinite(w));
          // An overflow, if the same function is right once the scores are small: NaN only where e^score is huge.
          if (bad >= 0 && !nameMistake(m, got, q, k, v, causal) && rightOn(m, qSmall, kSmall, v, causal)) {
            fail(TEXT.overflow.message, { hint: TEXT.overflow.hint, actual: { kind: 'number', value: got.weights.data[bad] } });
          }
          expectAttention(m, got, q, k, v, causal, what);
        }
      },
    },
    {
      name: t('shapes: T_q ≠ T_k, d_v ≠ d_k, and 2-D inputs', '形状：T_q ≠ T_k、d_v ≠ d_k，以及二维输入'),
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
          expectAttention(m, got, q, k, v, false, what);
        }
        // A single token attends only to itself.
        const one = randomTensor(ctx, [1, 4], 1);
        const got = call(m, one, one, one, true, say(t('attention of a single token', '单个 token 的注意力')));
        expectClose(got.weights, tensor([[1]]), {
          what: say(t('attention of a single token: weights', '单个 token 的注意力：weights')),
          hint: t('One key, so all the weight goes to it.', '只有一个 key，所以全部权重都给它。'),
        });
      },
    },
    {
      name: t('a batch (2, 3, 5, 4) gives, for every (batch, head), the attention of that (5, 4) slice', '对批次 (2, 3, 5, 4)，每个（批次，头）的结果都等于单独对那个 (5, 4) 切片做注意力'),
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
        const what = say(t('attention(q, k, v, true) on (2, 3, 5, 4)', '(2, 3, 5, 4) 上的 attention(q, k, v, true)'));
        let got: Got | undefined;
        let thrown: string | undefined;
        try {
          got = call(m, q, k, v, true, what);
        } catch (e) {
          if (!(slicesRight && e instanceof Error && /inner dimensions differ|broadcast/.test(e.message))) throw e;
          thrown = e.message.split('\n')[0];
        }
        const ref = attention64(q, k, v, true)!;
        if (slicesRight && (got === undefined || got.out.data.length !== ref.out.data.length || maxAbsDiff(got.out, ref.out) > 1e-4)) {
          // Right on every slice, wrong on the batch. "k transposed along fixed axes" is said only if the function
          // computes exactly that on a (3, 3, 4, 4) batch, where transpose(k, 0, 1) runs: q[b, h] @ k[h, b].
          const square = [3, 3, 4, 4];
          const [q2, k2, v2] = [randomTensor(ctx, square, 1.5), randomTensor(ctx, square, 1.5), randomTensor(ctx, square, 1)];
          const fixed = attention64(q2, k2, v2, false, 'k-transposed-0-1')!;
          let fixedAxes = false;
          try {
            const r = m.attention(q2, k2, v2, false);
            fixedAxes = same(r.weights, fixed.weights) && same(r.out, fixed.out);
          } catch {
            fixedAxes = false;
          }
          const threw = thrown === undefined ? t('', '') : t(`\nOn (2, 3, 5, 4) inputs it throws: ${thrown}`, `\n输入为 (2, 3, 5, 4) 时它抛出：${thrown}`);
          if (fixedAxes) {
            const known = TEXT['k-wrong-axes'];
            fail(t(`${known.message.en}${threw.en}`, `${known.message['zh-cn']}${threw['zh-cn']}`), { hint: known.hint });
          }
          fail(t(`Your attention is right for each (5, 4) slice on its own, but not for the (2, 3, 5, 4) batch of them: something in it works only for a 2-D input.${threw.en}`,
            `你的注意力对每个 (5, 4) 切片单独计算都是对的，对由它们组成的 (2, 3, 5, 4) 批次却不对：其中有某一步只适用于二维输入。${threw['zh-cn']}`), {
            hint: t('Write it once for any number of leading axes: transpose(k, -2, -1), d = q.shape[q.ndim - 1], T = q.shape[q.ndim - 2], softmax(scores, -1). '
              + 'The kit\'s ops treat every leading axis as a batch, and a (T, T) mask broadcasts over them; a loop over q.shape[0] covers only the first one.',
            '写一个对任意多个前导轴都成立的版本：transpose(k, -2, -1)，d = q.shape[q.ndim - 1]，T = q.shape[q.ndim - 2]，softmax(scores, -1)。'
              + '工具包的运算把每个前导轴都当作批次，(T, T) 的掩码也会沿这些轴广播；对 q.shape[0] 做循环只覆盖了第一个前导轴。'),
          });
        }
        expectAttention(m, got!, q, k, v, true, what);
      },
    },
    {
      name: t('the bundled model: your attention reproduces every layer and head', '内置模型：你的注意力复现了每一层的每一个头'),
      task: 'attention',
      run: async (m, ctx: CheckContext) => {
        const f = await modelFixture();
        const { nLayer, nHead, nEmbd } = f.model.config;
        const T = f.T;
        const layers = Array.from({ length: nLayer }, (_, i) => {
          const [q, k, v] = (['q', 'k', 'v'] as const).map((p) => headsOf(f, i, p)); // (1, nh, T, hs)
          return { q, k, v, got: call(m, q, k, v, true, say(t(`attention(q, k, v, true) of layer ${i}`, `第 ${i} 层的 attention(q, k, v, true)`))) };
        });
        // Drawn before anything is compared: a wrong pattern is worth seeing.
        if (layers.every(({ got }) => got.weights.data.length === nHead * T * T)) {
          ctx.artifact(attentionHeatmaps(f, t(`Your attention weights for "${f.text}", every layer and head`, `你的注意力对“${f.text}”的权重：每一层、每一个头`),
            layers.map(({ got }) => got.weights)));
        }
        const diffs: (string | number)[][] = [];
        layers.forEach(({ q, k, v, got }, i) => {
          const expected = f.outputs[`attn_probs_${i}`];
          expectShape(got.weights, expected.shape, say(t(`layer ${i}: weights`, `第 ${i} 层：weights`)));
          expectCloseLazy(got.weights, expected, {
            what: say(t(`layer ${i}: your weights vs onnxruntime's attn_probs_${i}`, `第 ${i} 层：你的 weights 与 onnxruntime 的 attn_probs_${i}`)), rtol: 0, atol: MODEL_ATOL,
          },
            () => {
              // As in expectAttention: no mistake is named next to a right out, nor one not confirmed on a second input.
              const tol = { rtol: 0, atol: MODEL_ATOL };
              if (same(got.out, attention64(q, k, v, true)!.out, tol)) return [];
              const confirm = confirmer(m, true, q.ndim);
              return wrongVariants(q, k, v, true).filter(({ mistake, result }) => same(got.weights, result.weights, tol) && confirm(mistake))
                .map(({ mistake, result }) => ({ value: result.weights, ...TEXT[mistake] }));
            });
          // Put the heads side by side again and apply the layer's output projection, as the model does.
          expectShape(got.out, [1, nHead, T, nEmbd / nHead], say(t(`layer ${i}: out`, `第 ${i} 层：out`)));
          const merged = transpose(got.out, 1, 2).reshape(1, T, nEmbd); // (1, T, C)
          const projected = linear(merged, f.weight(`h.${i}.attn.proj.weight`), f.weight(`h.${i}.attn.proj.bias`));
          expectCloseLazy(projected, f.outputs[`attn_out_${i}`], {
            what: say(t(`layer ${i}: your out, merged and projected, vs onnxruntime's attn_out_${i}`,
              `第 ${i} 层：你的 out（合并各头并投影之后）与 onnxruntime 的 attn_out_${i}`)), rtol: 0, atol: MODEL_ATOL,
            hint: t('The weights match, so out = weights @ v is where to look.', 'weights 是对的，所以该检查 out = weights @ v 这一步。'),
          }, () => []);
          diffs.push([i, maxAbsDiff(got.weights, expected), maxAbsDiff(projected, f.outputs[`attn_out_${i}`])]);
        });
        ctx.artifact({
          kind: 'table', title: t('Largest difference from onnxruntime', '与 onnxruntime 的最大差异'),
          columns: [t('layer', '层'), 'weights', t('output (after projection)', '输出（投影之后）')],
          rows: diffs.map(([i, w, o]) => [i, Number(w).toExponential(2), Number(o).toExponential(2)]),
        });
        expectTrue(diffs.length === nLayer, t('every layer was compared', '每一层都比较过'));
      },
    },
  ],
});
