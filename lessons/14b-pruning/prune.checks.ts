/**
 * Checks for the pruning lesson (pruning/prune): per-tensor magnitude pruning, 2:4 structured sparsity, which
 * tensors of a GPT are pruned and how sparse they are, then the bundled model's validation loss as sparsity grows
 * (the sparsity curve). Expected values come from the float64 references in @llm-lab/course/scale (pruning.ts),
 * which also compute each catalogued wrong variant, so a failure can name it. Every comparison is exact: pruning
 * only copies or zeroes weights, so there is no rounding to allow for.
 *
 * Which check names which catalogued mistake (lessons/14b-pruning/mistakes.ts):
 *   check                                                   names
 *   magnitudePrune: a small example by hand ...             by-value, largest
 *   magnitudePrune: the exact number of zeros ...           by-value, largest
 *   prune24: a small example by hand ...                    by-value, largest
 *   prune24: the exact 2:4 pattern ...                      by-value, largest, wrong-axis
 *   prunableWeights: the six Linear weights ...             prunes-extra
 *   sparsityOf: zeros over the Linear weights only ...      wrong-count
 *   the bundled model: validation loss as sparsity grows    wrong-count (sparsityOf after each pruning); otherwise the functions' own
 *                                                           checks repeated on the real weights, by their generic messages
 */
import {
  type CheckContext, type Text, defineChecks, describeType, expectClose, expectEqual, expectError, expectTrue, expectUnchanged, fail, isTensorLike, snapshot, t,
} from '@llm-lab/check';
import { corpusFor, evalLoss, kitGpt } from '@llm-lab/course/lora';
import {
  PRUNE_EVAL, PRUNE_NM_KEEP, PRUNE_PRUNABLE, PRUNE_SPARSITIES, pruneGlobal, pruneMagnitude64, pruneNM64, pruneSortedAbs,
} from '@llm-lab/course/scale';
import { GPT, Rng, type Tensor, tensor } from '@llm-lab/kit';
import { shippedModel } from '@llm-lab/model';
import { PRUNING_MISTAKES as M } from './mistakes';

type Learner = typeof import('./prune');

/** Calls a prune function on W: it must return a tensor of W's shape and leave W unchanged. */
function pruned(W: Tensor, call: () => unknown, what: string): Tensor {
  const before = snapshot(W);
  const got = call();
  expectUnchanged(W, before, 'W');
  if (!isTensorLike(got)) {
    const type = describeType(got);
    fail(t(`${what} returned ${type.en}; expected a Tensor of W's shape`, `${what} 返回了${type['zh-cn']}；应返回与 W 形状相同的 Tensor`));
  }
  const r = got as Tensor;
  expectEqual([...r.shape], [...W.shape], `${what}.shape`);
  return r;
}

/** Values rounded to multiples of `step`, so that equal |w| (ties) occur and the tie rule matters. */
function withTies(ctx: CheckContext, shape: number[], step: number, scale = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, () => Math.round(((ctx.random() * 2 - 1) * scale) / step) * step), shape);
}

const zerosIn = (data: ArrayLike<number>): number => { let z = 0; for (let i = 0; i < data.length; i++) if (data[i] === 0) z++; return z; };

function expectMagnitude(m: Learner, W: Tensor, s: number): void {
  const what = `magnitudePrune(W, ${s})`;
  const got = pruned(W, () => m.magnitudePrune(W, s), what);
  const k = Math.round(s * W.size);
  const expected = pruneMagnitude64(W.data, s);
  expectClose(Array.from(got.data), Array.from(expected), {
    what, rtol: 0, atol: 0,
    misconceptions: [{ value: Array.from(pruneMagnitude64(W.data, s, 'by-value')), ...M['by-value'] }, { value: Array.from(pruneMagnitude64(W.data, s, 'largest')), ...M.largest }],
    hint: t(`k = Math.round(${s} · ${W.size}) = ${k} weights of smallest |w| become 0 (${zerosIn(expected)} zeros in all, counting the zeros W already had); among equal |w|, the lower index goes first; every other weight is copied unchanged.`,
      `k = Math.round(${s} · ${W.size}) = ${k} 个 |w| 最小的权重置为 0（连同 W 原有的零，共 ${zerosIn(expected)} 个零）；|w| 相等时下标较小的先剪；其余权重原样复制。`),
  });
}

function expect24(m: Learner, W: Tensor): void {
  const what = 'prune24(W)';
  const got = pruned(W, () => m.prune24(W), what);
  const expected = pruneNM64(W.data, W.shape, 2, 4);
  const wrong = (v: 'by-value' | 'wrong-axis' | 'largest') => Array.from(pruneNM64(W.data, W.shape, 2, 4, v));
  expectClose(Array.from(got.data), Array.from(expected), {
    what, rtol: 0, atol: 0,
    misconceptions: [
      { value: wrong('wrong-axis'), ...M['wrong-axis'] }, { value: wrong('by-value'), ...M['by-value'] }, { value: wrong('largest'), ...M.largest },
    ],
    hint: t('For each row o and each j: the 4 weights W[o, 4j .. 4j + 3]; keep the 2 largest |w| (the lower index among equals), zero the other 2.',
      '对每一行 o 和每个 j：取 4 个权重 W[o, 4j .. 4j + 3]；保留 |w| 最大的 2 个（相等时保留下标较小的），其余 2 个置零。'),
  });
}

/** A small GPT with random weights (biases and LayerNorm parameters too, so none of them is accidentally 0 or 1). */
function smallGpt(seed: number): GPT {
  const gpt = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 }, new Rng(seed));
  const rng = new Rng(seed + 1);
  for (const [name, p] of gpt.namedParameters()) if (!PRUNE_PRUNABLE.test(name)) for (let i = 0; i < p.size; i++) p.data[i] = 0.5 + rng.random();
  return gpt;
}

function expectPrunable(m: Learner, gpt: GPT): Tensor[] {
  const got = m.prunableWeights(gpt);
  if (!Array.isArray(got)) {
    const type = describeType(got);
    fail(t(`prunableWeights(model) returned ${type.en}; expected an array of Tensors`, `prunableWeights(model) 返回了${type['zh-cn']}；应返回 Tensor 数组`));
  }
  const named = [...gpt.namedParameters()];
  const want = named.filter(([n]) => PRUNE_PRUNABLE.test(n)).map(([, p]) => p);
  const nameOf = (x: unknown) => named.find(([, p]) => p === x)?.[0];
  const extra = got.filter((x) => !want.includes(x as Tensor));
  if (extra.length) {
    const names = extra.map((x) => nameOf(x) ?? '?').slice(0, 4).join(', ');
    if (extra.some((x) => nameOf(x) !== undefined)) {
      fail(t(`${M['prunes-extra'].message.en} (for example ${names})`, `${M['prunes-extra'].message['zh-cn']}（例如 ${names}）`), { hint: M['prunes-extra'].hint });
    }
    fail(t(`prunableWeights(model) returned tensors that are not the model's own (${extra.length} of them): return the model's weight tensors themselves, not copies, so that pruning them prunes the model.`,
      `prunableWeights(model) 返回了 ${extra.length} 个不属于模型本身的张量：请返回模型自己的权重张量，而不是副本，这样剪它们才会剪到模型。`));
  }
  const missing = want.filter((p) => !got.includes(p)).map((p) => nameOf(p));
  if (missing.length) {
    const list = missing.slice(0, 4).join(', ');
    fail(t(`prunableWeights(model) leaves out ${missing.length} of the ${want.length} Linear weights, e.g. ${list}.`,
      `prunableWeights(model) 漏掉了 ${want.length} 个 Linear 权重中的 ${missing.length} 个，例如 ${list}。`),
    { hint: t('Six per block: attn.q, attn.k, attn.v, attn.proj, mlp.fc, mlp.proj, for every block of model.h.', '每块六个：attn.q、attn.k、attn.v、attn.proj、mlp.fc、mlp.proj，model.h 的每个块都要。') });
  }
  expectEqual(got.length, want.length, 'prunableWeights(model).length', t('Each Linear weight once.', '每个 Linear 权重只出现一次。'));
  return got as Tensor[];
}

interface CurvePoint { sparsity: number; loss: number }

export default defineChecks<Learner>({
  exports: ['magnitudePrune', 'prune24', 'prunableWeights', 'sparsityOf'],
  checks: [
    {
      name: t('magnitudePrune: a small example by hand, negative weights and a tie', 'magnitudePrune：一个可以手算的小例子，含负权重和并列'),
      task: 'magnitudePrune',
      run: (m) => {
        // |w| = 0.5 0.9 0.1 0.2 / 0.3 0.05 0.05 0.7. Half of 8 = 4 zeros: the two 0.05, then 0.1 and 0.2 (not -0.9,
        // the most negative, which is the largest weight). At 1/8 one zero: the 0.05s tie, the lower index (5) goes.
        const W = tensor([[0.5, -0.9, 0.1, -0.2], [0.3, 0.05, -0.05, 0.7]]);
        expectMagnitude(m, W, 0.5);
        expectMagnitude(m, W, 0.125);
        expectMagnitude(m, W, 0);
      },
    },
    {
      name: t('magnitudePrune: the exact number of zeros at several sparsities, with ties', 'magnitudePrune：多个稀疏度下零的个数分毫不差，含并列值'),
      task: 'magnitudePrune',
      run: (m, ctx) => {
        const W = withTies(ctx, [16, 24], 0.01);
        for (const s of [0.1, 0.37, 0.5, 0.9, 1]) expectMagnitude(m, W, s);
        const V = withTies(ctx, [3, 5, 7], 0.05, 0.5); // any shape: pruning is over all the tensor's weights
        expectMagnitude(m, V, 0.6);
      },
    },
    {
      name: t('prune24: a small example by hand, with ties', 'prune24：一个可以手算的小例子，含并列值'),
      task: 'prune24',
      run: (m) => {
        // Row 0: (0.1, -0.8, 0.3, 0.2) keeps -0.8 and 0.3; (0.5, 0.5, -0.5, 0.1) keeps the first two 0.5s (a tie: lower index).
        // Row 1: (-0.4, 0.05, 0.6, -0.7) keeps 0.6 and -0.7; (0, 0.2, 0.1, -0.3) keeps 0.2 and -0.3.
        const W = tensor([[0.1, -0.8, 0.3, 0.2, 0.5, 0.5, -0.5, 0.1], [-0.4, 0.05, 0.6, -0.7, 0, 0.2, 0.1, -0.3]]);
        expect24(m, W);
        const got = m.prune24(W);
        const kept = Array.from(got.data, (v) => (v === 0 ? 0 : 1));
        expectEqual(kept, [0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1], 'the kept positions of prune24(W)');
      },
    },
    {
      name: t('prune24: the exact 2:4 pattern on a random matrix, groups along the input axis', 'prune24：随机矩阵上精确的 2:4 模式，沿输入轴分组'),
      task: 'prune24',
      run: (m, ctx) => {
        const W = withTies(ctx, [12, 16], 0.1);
        expect24(m, W);
        const V = withTies(ctx, [8, 4], 0.02, 0.3);
        expect24(m, V);
        expectError(() => m.prune24(tensor(Array.from({ length: 18 }, (_, i) => i - 9), [3, 6])), 'prune24 on a (3, 6) weight (6 inputs: not a multiple of 4)',
          t('The input axis must split into groups of 4: throw an Error when in % 4 !== 0.', '输入轴必须能分成每组 4 个：当 in % 4 !== 0 时抛出 Error。'));
      },
    },
    {
      name: t('prunableWeights: the six Linear weights of every block, nothing else', 'prunableWeights：每个块的六个 Linear 权重，别无其他'),
      task: 'prunableWeights',
      run: (m) => {
        expectPrunable(m, smallGpt(3));
      },
    },
    {
      name: t('sparsityOf: zeros over the Linear weights only', 'sparsityOf：只在 Linear 权重中统计零的比例'),
      task: 'sparsityOf',
      run: (m) => {
        const gpt = smallGpt(5);
        const named = [...gpt.namedParameters()];
        // Zero some weights by hand: every third weight of the prunable tensors, and a few LayerNorm and bias values.
        let zeros = 0; let total = 0; let zerosAll = 0; let all = 0;
        for (const [name, p] of named) {
          const prunable = PRUNE_PRUNABLE.test(name);
          for (let i = 0; i < p.size; i++) {
            if ((prunable && i % 3 === 0) || (!prunable && i % 5 === 0)) p.data[i] = 0;
            if (p.data[i] === 0) { zerosAll++; if (prunable) zeros++; }
          }
          all += p.size;
          if (prunable) total += p.size;
        }
        const got = m.sparsityOf(gpt);
        expectClose(got, zeros / total, {
          what: 'sparsityOf(model)', rtol: 1e-9, atol: 0,
          misconceptions: [{ value: zeros / all, ...M['wrong-count'] }, { value: zerosAll / all, ...M['wrong-count'] }],
          hint: t(`${zeros} zeros among the ${total} weights of the Linear layers: ${zeros} / ${total}.`, `Linear 层的 ${total} 个权重中有 ${zeros} 个零：${zeros} / ${total}。`),
        });
      },
    },
    {
      name: t('the bundled model: validation loss as sparsity grows, magnitude and 2:4 (the sparsity curve)', '内置模型：验证损失随稀疏度的变化，幅值剪枝与 2:4（稀疏度曲线）'),
      task: 'magnitudePrune',
      timeoutSeconds: 30,
      run: async (m, ctx) => {
        const model = await shippedModel();
        const gpt = kitGpt(model);
        const moby = corpusFor(model.vocab).moby; // the bundled model's own validation text
        const loss = () => evalLoss(gpt, moby, PRUNE_EVAL.windows, PRUNE_EVAL.T);
        const weights = expectPrunable(m, gpt);
        const original = weights.map((w) => Float32Array.from(w.data));
        const restore = () => weights.forEach((w, i) => w.data.set(original[i]));
        const n = original.reduce((s, w) => s + w.length, 0);
        const block0 = new Set([...gpt.namedParameters()].filter(([name]) => name.startsWith('h.0.')).map(([, p]) => p));
        const dense = loss();

        const magnitude: CurvePoint[] = [];
        const global: CurvePoint[] = [{ sparsity: 0, loss: dense }];
        const structured: CurvePoint[] = [{ sparsity: 0, loss: dense }];
        const x = (c: CurvePoint[]) => c.map((p) => Math.round(p.sparsity * 100) / 100);
        const y = (c: CurvePoint[]) => c.map((p) => Math.round(p.loss * 1e4) / 1e4);
        const upTo = (c: CurvePoint[], max: number) => c.filter((p) => p.sparsity <= max + 1e-9);
        const series = (max: number) => [
          { name: t('magnitude, per layer (yours)', '幅值剪枝，逐层（你的）'), x: x(upTo(magnitude, max)), y: y(upTo(magnitude, max)) },
          { name: t('magnitude, global', '幅值剪枝，全局'), x: x(upTo(global, max)), y: y(upTo(global, max)) },
          { name: t('N:4 structured (yours at 2:4)', 'N:4 结构化（2:4 是你的）'), x: x(upTo(structured, max)), y: y(upTo(structured, max)) },
          { name: t('dense model', '未剪枝模型'), x: [0, max], y: [Math.round(dense * 1e4) / 1e4, Math.round(dense * 1e4) / 1e4] },
        ];
        const xLabel = t('sparsity of the Linear weights (%)', 'Linear 权重的稀疏度（%）');
        const yLabel = t('validation loss', '验证损失');
        const fullTitle = t('Pruning the bundled GPT: validation loss (nats per character) vs sparsity, 0 to 90 %', '剪枝内置 GPT：验证损失（每字符奈特）随稀疏度的变化，0 到 90 %');
        /** The full curve, drawn live as its points come in (the same title: replaced each time). */
        const draw = async () => {
          ctx.progress({ kind: 'curve', xLabel, yLabel, series: series(90), title: fullTitle });
          await new Promise((resolve) => setImmediate(resolve)); // let the progress message out
        };

        // Your magnitudePrune on every Linear weight of the model, one sparsity at a time.
        for (const s of PRUNE_SPARSITIES) {
          restore();
          weights.forEach((w, i) => {
            const p = m.magnitudePrune(w, s);
            if (!isTensorLike(p) || p.data.length !== w.size) fail(t(`magnitudePrune(W, ${s}) did not return a Tensor of W's size on the model's weights.`, `在模型权重上，magnitudePrune(W, ${s}) 没有返回与 W 大小相同的 Tensor。`));
            if (s === 0 && p.data.some((v, j) => v !== original[i][j])) {
              fail(t(`magnitudePrune(W, 0) changed the model's weight ${i}: sparsity 0 prunes nothing.`, `magnitudePrune(W, 0) 改动了模型的第 ${i} 个权重：稀疏度为 0 时什么都不该剪。`));
            }
            if (s === 0.5 && block0.has(w)) { // the real weights of block 0, checked exactly once (the reference sorts every tensor: it costs time)
              const ref = Float32Array.from(original[i]);
              pruneGlobal([ref], s); // one tensor at a time: the per-tensor rule
              for (let j = 0; j < ref.length; j++) {
                if (p.data[j] !== ref[j]) fail(t(`magnitudePrune(W, 0.5) on the model's weight ${i} differs from the reference at index ${j}: ${p.data[j]}, expected ${ref[j]}.`,
                  `magnitudePrune(W, 0.5) 在模型第 ${i} 个权重上与参考结果在下标 ${j} 处不同：得到 ${p.data[j]}，应为 ${ref[j]}。`));
              }
            }
            w.data.set(p.data);
          });
          const expectedZeros = original.reduce((z, w) => z + Math.max(Math.round(s * w.length), zerosIn(w)), 0);
          const got = m.sparsityOf(gpt);
          expectClose(got, expectedZeros / n, { what: `sparsityOf(model) after magnitudePrune(W, ${s})`, rtol: 1e-9, atol: 0,
            misconceptions: [{ value: expectedZeros / gpt.numParameters(), ...M['wrong-count'] }] });
          magnitude.push({ sparsity: 100 * got, loss: s === 0 ? dense : loss() }); // at 0 the weights were just checked to be the dense ones
          await draw();
        }

        // Global magnitude pruning (one threshold for all the Linear weights, PyTorch's global_unstructured): the course's, to compare.
        const sortedAbs = pruneSortedAbs(original);
        for (const s of PRUNE_SPARSITIES.slice(1)) {
          restore();
          pruneGlobal(weights.map((w) => w.data as Float32Array), s, sortedAbs);
          global.push({ sparsity: 100 * s, loss: loss() });
          await draw();
        }

        // N:4 structured: your prune24 for 2:4; 3:4 and 1:4 by the course's reference, 4:4 is the dense model.
        for (const keep of PRUNE_NM_KEEP.slice(1)) {
          restore();
          weights.forEach((w, i) => {
            if (keep === 2) {
              const p = m.prune24(w);
              if (!isTensorLike(p) || p.data.length !== w.size) fail(t('prune24(W) did not return a Tensor of W\'s size on the model\'s weights.', '在模型权重上，prune24(W) 没有返回与 W 大小相同的 Tensor。'));
              const ref = pruneNM64(original[i], w.shape, 2, 4);
              for (let j = 0; j < ref.length; j++) {
                if (p.data[j] !== ref[j]) fail(t(`prune24(W) on the model's weight ${i} differs from the reference at index ${j}: ${p.data[j]}, expected ${ref[j]}.`,
                  `prune24(W) 在模型第 ${i} 个权重上与参考结果在下标 ${j} 处不同：得到 ${p.data[j]}，应为 ${ref[j]}。`));
              }
              w.data.set(p.data);
            } else {
              w.data.set(pruneNM64(original[i], w.shape, keep, 4));
            }
          });
          structured.push({ sparsity: 100 * m.sparsityOf(gpt), loss: loss() });
          await draw();
        }
        restore();

        ctx.artifact({
          kind: 'curve', xLabel, yLabel, series: series(60),
          title: t('The same, up to 60 %: where pruning starts to cost', '同一曲线的 0 到 60 % 部分：剪枝从哪里开始有代价'),
        });
        const row = (label: Text | string, s: number): (Text | string)[] => {
          const at = (c: CurvePoint[]) => c.find((p) => Math.abs(p.sparsity - 100 * s) < 0.01);
          const f = (p?: CurvePoint) => (p ? p.loss.toFixed(4) : '');
          return [label, f(at(magnitude)), f(at(global)), f(at(structured))];
        };
        ctx.artifact({
          kind: 'table',
          title: t('Validation loss by sparsity (Moby-Dick, nats per character)', '各稀疏度下的验证损失（《白鲸记》，每字符奈特）'),
          columns: [t('sparsity', '稀疏度'), t('magnitude, per layer', '幅值，逐层'), t('magnitude, global', '幅值，全局'), t('N:4 structured', 'N:4 结构化')],
          rows: PRUNE_SPARSITIES.concat([0.25, 0.75]).sort((a, b) => a - b).map((s) => row(`${Math.round(100 * s)} %`, s)),
        });

        // What the curve must show: a small cost at moderate sparsity, a large one at 90 %.
        const at = (s: number) => magnitude[PRUNE_SPARSITIES.indexOf(s)].loss;
        expectTrue(at(0.3) < dense + 0.1, t(`pruning 30 % of the smallest weights per layer raised the loss from ${dense.toFixed(4)} to ${at(0.3).toFixed(4)}: it should cost almost nothing.`,
          `逐层剪掉 30 % 的最小权重让损失从 ${dense.toFixed(4)} 升到 ${at(0.3).toFixed(4)}：这几乎不该有代价。`));
        expectTrue(at(0.9) > at(0.5) && at(0.9) > dense + 0.5, t(`at 90 % sparsity the loss is ${at(0.9).toFixed(4)} (dense ${dense.toFixed(4)}): so many weights cannot go for free; the wrong weights were probably kept.`,
          `90 % 稀疏度下损失是 ${at(0.9).toFixed(4)}（未剪枝时 ${dense.toFixed(4)}）：剪掉这么多权重不可能毫无代价；很可能保留错了权重。`));
      },
    },
  ],
});
