/**
 * Checks for the multi-head attention lesson (multi-head-attention/layer): splitHeads, mergeHeads, multiHeadAttention.
 *
 * Layouts are tested with inputs whose values name their own position (1000·b + 100·t + c), so a wrong
 * split shows which channels each head received. Values are compared with a float64 reference (@llm-lab/course/attention)
 * and, for the bundled model, with onnxruntime's attn_probs_i and attn_out_i for every layer. Each
 * catalogued mistake (heads split or merged in the wrong order, no output projection, nHead ignored) is
 * computed as its own variant, so a failure names it; so are two other libraries' conventions, named as such:
 * x @ W + b (Hugging Face's Conv1D layout) and weights averaged over the heads (nn.MultiheadAttention).
 *
 * Which check names which catalogued entry (each case of test/unit/mistakes/attention.ts run through every check):
 *   your attention from the attention lesson ... lesson-2
 *   splitHeads: (2, 3, 8) into 4 heads ......... split-without-transpose, split-interleaved
 *   splitHeads: 1 head, C heads, an error ...... split-without-transpose, split-interleaved
 *   mergeHeads: (2, 4, 3, 2) ................... merge-without-transpose, merge-interleaved
 *   mergeHeads(splitHeads(x)) gives x back ..... (none: any layout bug that does not undo itself)
 *   multiHeadAttention matches a float64 ref ... every layout mistake, no-output-projection, single-head, and the
 *                                                conventions weight-not-transposed (Conv1D) and heads-averaged
 *   multiHeadAttention is causal ............... (none: a generic message, any future leak)
 *   the bundled model: every layer ............. the same as the float64 reference check
 * The inputs (x and every weight and bias) must come back unchanged from every call.
 */
import {
  type CheckContext, type Text, defineChecks, describeType, expectClose, expectCloseLazy, expectShape, expectTensorField, expectUnchanged, fail,
  fmt, maxAbsDiff, randomTensor, say, snapshot, t, withShapeAdvice,
} from '@llm-lab/check';
import { type Tensor, tensor } from '@llm-lab/kit';
import {
  type AttentionParamsArr, MHA_MISTAKES, attention64, attentionHeatmaps, averageHeads64, mergeHeads64, mha64, modelFixture, splitHeads64,
} from '@llm-lab/course/attention';
import { MHA_MISTAKE_TEXT as TEXT } from './mistakes';

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
  const result = withShapeAdvice(() => m.multiHeadAttention(x, p, nHead), t(
    'Shapes: linear(x, weight, bias) takes x (B, T, C) and weight (out, in); split gives (B, nh, T, hs); attention keeps that; merge gives (B, T, C).',
    '形状：linear(x, weight, bias) 接收 x (B, T, C) 和 weight (out, in)；拆分得到 (B, nh, T, hs)；attention 保持这个形状；合并得到 (B, T, C)。',
  ));
  const weights = expectTensorField(result, 'weights', what, '{ out, weights }');
  const out = expectTensorField(result, 'out', what, '{ out, weights }');
  expectUnchanged(x, before[0], 'x');
  const names = ['w.q.weight', 'w.q.bias', 'w.k.weight', 'w.k.bias', 'w.v.weight', 'w.v.bias', 'w.proj.weight', 'w.proj.bias'];
  [p.q.weight, p.q.bias, p.k.weight, p.k.bias, p.v.weight, p.v.bias, p.proj.weight, p.proj.bias].forEach((w, i) => expectUnchanged(w, before[i + 1], names[i]));
  return { out, weights };
}

function expectMha(got: { out: Tensor; weights: Tensor }, x: Tensor, p: AttentionParamsArr, nHead: number, what: string,
  expected: { weights: { data: ArrayLike<number>; shape: readonly number[] }; out: { data: ArrayLike<number>; shape: readonly number[] } },
  tol: { rtol: number; atol: number }): void {
  const variants = () => MHA_MISTAKES.map((mistake) => ({ mistake, r: mha64(x, p, nHead, mistake) }));
  // No separate shape check first: a wrong shape may itself be a known mistake (nHead ignored gives one head)
  // or another library's convention (nn.MultiheadAttention's weights, averaged over the heads).
  expectCloseLazy(got.weights, expected.weights, {
    what: `${what}.weights`, ...tol,
    hint: t('weights are the attention weights (as in the attention lesson) of every head: (B, nh, T, T).', 'weights 是每个头的注意力权重（与注意力一课相同）：(B, nh, T, T)。'),
  },
    () => [
      ...variants().map(({ mistake, r }) => ({ value: r.weights, ...TEXT[mistake] })),
      { value: averageHeads64(mha64(x, p, nHead).weights), ...TEXT['heads-averaged'] },
    ]);
  expectCloseLazy(got.out, expected.out, {
    what: `${what}.out`, ...tol,
    hint: t('The weights are right: look at what happens after attention (merging the heads, the output projection).',
      'weights 是对的：看看 attention 之后的步骤（合并各头、输出投影）。'),
  },
    () => variants().map(({ mistake, r }) => ({ value: r.out, ...TEXT[mistake] })));
}

/** Calls a function the learner wrote for one tensor, with the input checked for changes. */
function callOn(x: Tensor, fn: () => unknown, what: string, advice: Text): Tensor {
  const before = snapshot(x);
  const y = withShapeAdvice(fn, advice);
  if (!(typeof y === 'object' && y !== null && 'data' in y && 'shape' in y)) {
    const got = describeType(y);
    fail(t(`${what} returned ${got.en}; expected a Tensor`, `${what} 返回了 ${got['zh-cn']}；应返回 Tensor`),
      { hint: y === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  expectUnchanged(x, before, say(t('the input', '输入')));
  return y as Tensor;
}

const SPLIT_ADVICE = t('Shapes: view (B, T, C) as (B, T, nh, hs), then transpose(x, 1, 2).', '形状：先把 (B, T, C) 看作 (B, T, nh, hs)，再 transpose(x, 1, 2)。');

export default defineChecks<Learner>({
  exports: ['attention', 'splitHeads', 'mergeHeads', 'multiHeadAttention'],
  checks: [
    {
      name: t('your attention from the attention lesson (imported) is right', '你从注意力一课导入的注意力是对的'),
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
      name: t('splitHeads: (2, 3, 8) into 4 heads, head h takes channels [2h, 2h + 2)', 'splitHeads：把 (2, 3, 8) 拆成 4 个头，头 h 拿到通道 [2h, 2h + 2)'),
      task: 'splitHeads',
      run: (m, ctx) => {
        const x = positional([2, 3, 8], [1000, 100, 1]); // x[b, t, c] = 1000 b + 100 t + c
        const got = callOn(x, () => m.splitHeads(x, 4), 'splitHeads(x, 4)', SPLIT_ADVICE);
        expectShape(got, [2, 4, 3, 2], 'splitHeads(x (2, 3, 8), 4)');
        // Which channels of token 0 (batch 0) ended up in each head, according to the values.
        ctx.artifact({
          kind: 'table', title: t('Channels of token 0 that each of your heads received (value mod 100)', '你的每个头拿到了 token 0 的哪些通道（值 mod 100）'),
          columns: [t('head', '头'), t('your channels', '你的通道'), t('expected', '应为')],
          rows: [0, 1, 2, 3].map((h) => [h, [0, 1].map((s) => String(got.data[(h * 3 + 0) * 2 + s] % 100)).join(', '), `${2 * h}, ${2 * h + 1}`]),
        });
        expectClose(got, splitHeads64(x, 4), {
          what: 'splitHeads(x, 4)', rtol: 0, atol: 0,
          hint: t('The values are 1000·b + 100·t + c: out[b, h, t, s] should be x[b, t, h·hs + s].', '输入的值是 1000·b + 100·t + c：out[b, h, t, s] 应等于 x[b, t, h·hs + s]。'),
          misconceptions: (['split-without-transpose', 'split-interleaved'] as const).map((mk) => ({ value: splitHeads64(x, 4, mk), ...TEXT[mk] })),
        });
      },
    },
    {
      name: t('splitHeads: 1 head, C heads, and an error when nHead does not divide C', 'splitHeads：1 个头、C 个头，以及 nHead 不能整除 C 时报错'),
      task: 'splitHeads',
      run: (m) => {
        const x = positional([1, 4, 6], [0, 10, 1]);
        for (const nh of [1, 2, 3, 6]) {
          const got = callOn(x, () => m.splitHeads(x, nh), `splitHeads(x, ${nh})`, SPLIT_ADVICE);
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
        if (!threw) {
          fail(t('splitHeads(x (1, 4, 6), 4) should throw: 4 heads cannot share 6 channels equally', 'splitHeads(x (1, 4, 6), 4) 应当抛出错误：4 个头无法平分 6 个通道'),
            { hint: t('Check C % nHead === 0 and throw new Error(...) naming both numbers.', '检查 C % nHead === 0，不满足就 throw new Error(...)，并在消息里写出这两个数。') });
        }
      },
    },
    {
      name: t('mergeHeads: (2, 4, 3, 2) back to (2, 3, 8), heads side by side', 'mergeHeads：把 (2, 4, 3, 2) 合并回 (2, 3, 8)，各头并排'),
      task: 'mergeHeads',
      run: (m) => {
        const y = positional([2, 4, 3, 2], [1000, 100, 10, 1]); // y[b, h, t, s] = 1000 b + 100 h + 10 t + s
        const got = callOn(y, () => m.mergeHeads(y), 'mergeHeads(y)', t('Shapes: transpose(y, 1, 2) gives (B, T, nh, hs); then reshape to (B, T, C).',
          '形状：transpose(y, 1, 2) 得到 (B, T, nh, hs)；再 reshape 成 (B, T, C)。'));
        expectShape(got, [2, 3, 8], 'mergeHeads(y (2, 4, 3, 2))');
        expectClose(got, mergeHeads64(y), {
          what: 'mergeHeads(y)', rtol: 0, atol: 0,
          hint: t('The values are 1000·b + 100·h + 10·t + s: out[b, t, h·hs + s] should be y[b, h, t, s].', '输入的值是 1000·b + 100·h + 10·t + s：out[b, t, h·hs + s] 应等于 y[b, h, t, s]。'),
          misconceptions: (['merge-without-transpose', 'merge-interleaved'] as const).map((mk) => ({ value: mergeHeads64(y, mk), ...TEXT[mk] })),
        });
      },
    },
    {
      name: t('mergeHeads(splitHeads(x)) gives x back', 'mergeHeads(splitHeads(x)) 还原出 x'),
      task: 'mergeHeads',
      run: (m, ctx) => {
        for (const [shape, nh] of [[[2, 5, 12], 3], [[1, 1, 4], 4], [[3, 2, 6], 1]] as [number[], number][]) {
          const x = randomTensor(ctx, shape, 2);
          const back = callOn(x, () => m.mergeHeads(m.splitHeads(x, nh)), `mergeHeads(splitHeads(x, ${nh}))`,
            t('Merging undoes splitting: transpose back, then reshape.', '合并是拆分的逆操作：先转置回来，再 reshape。'));
          expectClose(back, x, {
            what: `mergeHeads(splitHeads(x ${fmt(shape)}, ${nh}))`, rtol: 0, atol: 0,
            hint: t('Merging must undo splitting exactly: transpose(y, 1, 2), then reshape to (B, T, C).', '合并必须恰好撤销拆分：transpose(y, 1, 2)，再 reshape 成 (B, T, C)。'),
          });
        }
      },
    },
    {
      name: t('multiHeadAttention matches a float64 reference (B = 2, T = 5, C = 8, 2 heads)', 'multiHeadAttention 与 float64 参考实现一致（B = 2，T = 5，C = 8，2 个头）'),
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
      name: t('multiHeadAttention is causal: no output depends on a later token', 'multiHeadAttention 是因果的：没有哪个输出依赖后面的 token'),
      task: 'multiHeadAttention',
      run: (m, ctx) => {
        const C = 8;
        const T = 6;
        const p = randomParams(ctx, C);
        const x = randomTensor(ctx, [1, T, C], 1.5);
        const base = callMha(m, x, p, 2, 'multiHeadAttention(x, w, 2)');
        expectShape(base.out, [1, T, C], 'multiHeadAttention(x (1, 6, 8), w, 2).out');
        for (let from = 1; from < T; from++) {
          const y = Float32Array.from(x.data);
          for (let i = from * C; i < T * C; i++) y[i] = (ctx.random() * 2 - 1) * 2;
          const after = callMha(m, tensor(y, [1, T, C]), p, 2, say(t('multiHeadAttention with the future changed', '改动未来之后的 multiHeadAttention')));
          for (let i = 0; i < from * C; i++) {
            if (Math.abs(after.out.data[i] - base.out.data[i]) > 1e-5) {
              const [tok, c] = [Math.floor(i / C), i % C];
              fail(t(`out[0, ${tok}, ${c}] changed when only tokens ${from}..${T - 1} changed: token ${tok} sees its future`,
                `只改动了 token ${from}..${T - 1}，out[0, ${tok}, ${c}] 却变了：token ${tok} 能看到它的未来`), {
                hint: t('Call attention(q, k, v, true) (causal), and split the heads with the transpose: without it a "head" mixes several tokens, and with them the future.',
                  '调用 attention(q, k, v, true)（因果），并在拆分头时做转置：不转置的话，一个“头”会混入好几个 token，其中就有未来的 token。'),
              });
            }
          }
        }
      },
    },
    {
      name: t('the bundled model: every layer\'s attention, all heads, equals onnxruntime\'s', '内置模型：每一层、所有头的注意力都与 onnxruntime 的一致'),
      task: 'multiHeadAttention',
      run: async (m, ctx) => {
        const f = await modelFixture();
        const { nLayer, nHead } = f.model.config;
        const lin = (i: number, part: string) => ({ weight: f.weight(`h.${i}.attn.${part}.weight`), bias: f.weight(`h.${i}.attn.${part}.bias`) });
        const layers = Array.from({ length: nLayer }, (_, i) => {
          const x = f.attentionInput(i); // (1, T, C): ln_1 of what block i reads, computed by the kit
          const p = { q: lin(i, 'q'), k: lin(i, 'k'), v: lin(i, 'v'), proj: lin(i, 'proj') };
          return { x, p, got: callMha(m, x, p, nHead, say(t(`multiHeadAttention of layer ${i}`, `第 ${i} 层的 multiHeadAttention`))) };
        });
        if (layers.every(({ got }) => got.weights.data.length === nHead * f.T * f.T)) {
          ctx.artifact(attentionHeatmaps(f, t(`Your multi-head attention on "${f.text}", every layer and head`, `你的多头注意力在“${f.text}”上的权重：每一层、每一个头`),
            layers.map(({ got }) => got.weights)));
        }
        const diffs: (string | number)[][] = [];
        layers.forEach(({ x, p, got }, i) => {
          const expected = { weights: f.outputs[`attn_probs_${i}`], out: f.outputs[`attn_out_${i}`] };
          expectMha(got, x, p, nHead, say(t(`layer ${i}`, `第 ${i} 层`)), expected, { rtol: 0, atol: MODEL_ATOL });
          diffs.push([i, maxAbsDiff(got.weights, expected.weights).toExponential(2), maxAbsDiff(got.out, expected.out).toExponential(2)]);
        });
        ctx.artifact({
          kind: 'table', title: t('Largest difference from onnxruntime', '与 onnxruntime 的最大差异'),
          columns: [t('layer', '层'), 'weights (attn_probs)', 'out (attn_out)'], rows: diffs,
        });
      },
    },
  ],
});
