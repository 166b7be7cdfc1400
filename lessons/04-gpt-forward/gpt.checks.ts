/**
 * Checks for the GPT forward-pass lesson (gpt-forward/model): layerNorm, gelu, mlp, block, gptForward, and the
 * multi-head attention they build on.
 *
 * LayerNorm and GELU are compared with float64 references (@llm-lab/course/attention); everything model-sized with
 * onnxruntime running the bundled model on a real sentence: the intermediates in the order they are computed
 * (so a failure says where the first difference appears), the logits to 1e-4, a batch, causality, and 50
 * greedily generated characters (as minGPT checks its GPT-2 against Hugging Face's: logits, then identical
 * greedy text). Catalogued mistakes (post-LN, missing residuals or ln_f or position embedding, ReLU for
 * GELU, unbiased variance, eps outside the square root, ...) are computed as wrong variants and named. Other
 * libraries' conventions are recognised too and named as conventions, not as mistakes: nanoGPT's exact GELU
 * (nn.GELU()) and its last-position-only logits, and Hugging Face's Conv1D weight layout (x @ W + b) in the MLP.
 *
 * The mlp, block and model checks build on the learner's own gelu and layerNorm: when that gelu is one of the GELU
 * variants, the failure names the GELU mistake (a gelu that is ReLU makes a ReLU MLP, but the mistake is in gelu);
 * when gelu or layerNorm is wrong in another way, nothing is named and the hint says which piece to fix first.
 *
 * Which check names which catalogued entry (each case of test/unit/mistakes/attention.ts run through every check):
 *   your multi-head attention from the multi-head attention lesson ... lesson-3
 *   layerNorm: a worked example ................ ln-unbiased-variance, ln-eps-outside-sqrt, ln-divide-by-variance, ln-no-eps,
 *                                                ln-wrong-axis, ln-weight-bias-swapped
 *   layerNorm of a (2, 3, 8) tensor ............ ln-unbiased-variance, ln-divide-by-variance, ln-wrong-axis, ln-weight-bias-swapped
 *   layerNorm of a constant row ................ ln-no-eps, ln-wrong-axis, ln-weight-bias-swapped
 *   layerNorm uses its eps argument ............ ln-eps-ignored, and every other ln- mistake
 *   gelu at hand-picked points ................. gelu-relu, gelu-sigmoid, gelu-no-cubic, gelu-no-half, gelu-erf (convention)
 *   gelu of large inputs stays finite .......... (none: an overflowing tanh gets its own message)
 *   mlp of layer 0 ............................. mlp-relu, mlp-no-activation, the GELU mistakes, mlp-conv1d and gelu-erf (conventions)
 *   block i, fed what the model's block reads .. post-ln, no-residual, parallel-block, same-layer-norm, mlp-relu,
 *                                                mlp-no-activation, the GELU mistakes
 *   gptForward: the embeddings ................. no-position-embedding, logits-last-position-only (convention)
 *   the bundled model: your logits ............. every block mistake, no-position-embedding, no-final-layer-norm, the GELU
 *                                                mistakes, logits-last-position-only (convention)
 *   a batch / causal / 50 greedy characters .... logits-last-position-only (convention); otherwise a generic message
 *   a small random model at T = blockSize ...... the same as the logits check; also a hard-coded number of heads or layers,
 *                                                and a context that cannot be filled (generic messages)
 *   a sequence longer than the context ......... (none: the documented throw)
 */
import {
  type CheckContext, type Misconception, type Text, closeEnough, defineChecks, describeType, expectClose, expectCloseLazy, expectShape, expectUnchanged, fail,
  fmt, isTensorLike, maxAbsDiff, mistake, randomTensor, say, snapshot, t, withShapeAdvice,
} from '@llm-lab/check';
import { type Tensor, add, embedding, tensor, transpose } from '@llm-lab/kit';
import {
  BLOCK_MISTAKES, GELU_MISTAKES, GPT_MISTAKES, LAYER_NORM_MISTAKES, type GeluMistake, type GptMistake, type ModelFixture, blockVariant, gelu64, gptVariant,
  layerNorm64, mlpVariant, modelFixture, randomModel, round4, tokenLabel,
} from '@llm-lab/course/attention';
import { GPT_MISTAKE_TEXT as TEXT } from './mistakes';

type Learner = typeof import('./gpt');

const MODEL_ATOL = 1e-4;
/** The prompt greedy decoding starts from, and how many characters to generate. */
const PROMPT = 'Call me Ishmael.';
const GREEDY_STEPS = 50;
/** Two different sentences of the same length, for the batch check. */
const BATCH = ['Call me Ishmael.', 'It is not down '];

const SHAPE_ADVICE = t(
  'Shapes: x is (B, T, C); linear(x, W, b) needs W of shape (out, C); the tied LM head is linear(x, wte.weight): (B, T, C) @ (C, V).',
  '形状：x 是 (B, T, C)；linear(x, W, b) 要求 W 的形状为 (out, C)；共享权重的语言模型头是 linear(x, wte.weight)：(B, T, C) @ (C, V)。',
);
const FORGOT_RETURN = t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？');

/** A fresh Map of the model's weights as tensors, so nothing done to them can leak into another check. */
function weightsOf(f: ModelFixture): Map<string, Tensor> {
  return new Map(f.model.weightNames.map((name) => [name, f.weight(name)]));
}

const notImplemented = (e: unknown): boolean => e instanceof Error && e.name === 'NotImplementedError';

function expectTensor(v: unknown, what: string): Tensor {
  if (!isTensorLike(v)) {
    const got = describeType(v);
    fail(t(`${what} is ${got.en}; expected a Tensor`, `${what} 是 ${got['zh-cn']}；应是 Tensor`), { hint: v === undefined ? FORGOT_RETURN : undefined });
  }
  return v;
}

/** Runs the learner's gptForward and reads the result, with clear words for a wrong return value. */
function forward(m: Learner, w: Map<string, Tensor>, ids: number[][], config: ModelFixture['model']['config']): { logits: Tensor; get(name: string): Tensor | undefined } {
  const r = withShapeAdvice(() => m.gptForward(w, ids, config), SHAPE_ADVICE);
  if (typeof r !== 'object' || r === null) {
    const got = describeType(r);
    fail(t(`gptForward returned ${got.en}; expected { logits, intermediates }`, `gptForward 返回了 ${got['zh-cn']}；应返回 { logits, intermediates }`),
      { hint: r === undefined ? FORGOT_RETURN : undefined });
  }
  const logits = expectTensor(r.logits, 'gptForward(...).logits');
  // nanoGPT's forward, without targets, scores only the last position: its convention, named as such.
  if (ids[0].length > 1 && logits.shape.length === 3 && logits.shape[0] === ids.length && logits.shape[1] === 1) {
    fail(...mistake(TEXT['logits-last-position-only']));
  }
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

/**
 * Whether the learner's mlp, given its two weights transposed to (in, out) (Hugging Face's Conv1D layout), computes
 * the model's mlp: then it computes x @ W + b, right for that layout and not for this course's (out, in).
 */
function takesConv1dLayout(m: Learner, f: ModelFixture, x: Tensor, expected: Tensor): boolean {
  const w = weightsOf(f);
  for (const name of ['h.0.mlp.fc.weight', 'h.0.mlp.proj.weight']) w.set(name, transpose(w.get(name)!, 0, 1));
  try {
    const y = m.mlp(x, w, 0);
    return isTensorLike(y) && y.data.length === expected.data.length && maxAbsDiff(y, expected) <= 1e-4;
  } catch {
    return false;
  }
}

const GELU_POINTS = [-3, -2, -1.5, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 1.5, 2, 3, 4, -4, 0.25];

/** What the learner's gelu computes: the right GELU, one of the catalogued GELU variants, or something else (also when it throws). */
function learnerGelu(m: Learner): 'right' | GeluMistake | 'wrong' {
  try {
    const y: unknown = m.gelu(tensor(GELU_POINTS));
    if (!isTensorLike(y) || y.data.length !== GELU_POINTS.length) return 'wrong';
    const is = (mk?: GeluMistake) => GELU_POINTS.every((p, i) => closeEnough(Number(y.data[i]), gelu64(p, mk), 1e-5, 1e-6));
    return is() ? 'right' : GELU_MISTAKES.find((mk) => is(mk)) ?? 'wrong';
  } catch {
    return 'wrong';
  }
}

/** Whether the learner's layerNorm is right on a small input (a throw is a no). */
function learnerLayerNormRight(m: Learner): boolean {
  const x = tensor([[1, 2, 3, 4], [-1, 0, 1, 6]]);
  const [wt, b] = [tensor([1, 2, 0.5, -1]), tensor([0, 0.1, -0.2, 0.3])];
  const ref = layerNorm64(x, wt, b);
  try {
    const y: unknown = m.layerNorm(x, wt, b);
    return isTensorLike(y) && y.data.length === ref.data.length && ref.data.every((v, i) => closeEnough(Number(y.data[i]), v, 1e-4, 1e-5));
  } catch {
    return false;
  }
}

/**
 * What a wrong mlp, block or model value may be named, given the pieces it is built from: the catalogued mistakes in
 * `list` when the learner's gelu (and layerNorm, if `usesLayerNorm`) are right; the learner's own GELU mistake, computed
 * through the same layers, when their gelu is one of the catalogued variants (a gelu that is ReLU makes the MLP a ReLU
 * MLP, but the mistake is in gelu, not in mlp); nothing when their gelu or layerNorm is wrong in another way.
 */
function namedFrom(m: Learner, usesLayerNorm: boolean, list: readonly GptMistake[], value: (mistake?: GptMistake, act?: GeluMistake) => Tensor): () => Misconception[] {
  return () => {
    const g = learnerGelu(m);
    if (g === 'wrong' || (usesLayerNorm && !learnerLayerNormRight(m))) return [];
    if (g !== 'right') return [{ value: value(undefined, g), ...TEXT[g] }];
    return list.map((mk) => ({ value: value(mk), ...TEXT[mk] }));
  };
}

/** A hint that says which of the learner's own pieces is wrong, if one is (else `hint`). */
function piecesHint(m: Learner, usesLayerNorm: boolean, hint?: Text): Text | undefined {
  if (learnerGelu(m) === 'wrong') {
    return t('Your gelu is not right yet (its own checks say how), and the MLP uses it: fix gelu first.',
      '你的 gelu 还不对（它自己的检查会说明问题所在），而 MLP 用到了它：先修好 gelu。');
  }
  if (usesLayerNorm && !learnerLayerNormRight(m)) {
    return t('Your layerNorm is not right yet (its own checks say how), and every block uses it: fix layerNorm first.',
      '你的 layerNorm 还不对（它自己的检查会说明问题所在），而每个块都用到了它：先修好 layerNorm。');
  }
  return hint;
}

export default defineChecks<Learner>({
  exports: ['multiHeadAttention', 'layerNorm', 'gelu', 'mlp', 'block', 'gptForward'],
  checks: [
    {
      name: t('your multi-head attention from the multi-head attention lesson (imported) reproduces the model\'s layer 0', '你从多头注意力一课导入的多头注意力复现了模型的第 0 层'),
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
      name: t('layerNorm: a worked example, [1, 2, 3, 4] -> [-1.342, -0.447, 0.447, 1.342], and a nearly constant row', 'layerNorm：手算示例 [1, 2, 3, 4] -> [-1.342, -0.447, 0.447, 1.342]，以及一个几乎为常数的行'),
      task: 'layerNorm',
      run: (m) => {
        // Row 0: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, so (x - 2.5) / sqrt(1.25 + 1e-5).
        // Row 2 varies by a thousandth: its variance (1.25e-6) is smaller than eps, so where eps goes matters.
        const x = tensor([[1, 2, 3, 4], [-1, 0, 1, 6], [0.001, 0.002, 0.003, 0.004]]);
        const [wt, b] = [tensor([1, 1, 1, 1]), tensor([0, 0, 0, 0])];
        const before = snapshot(x);
        const y = withShapeAdvice(() => m.layerNorm(x, wt, b), t('mean(x, -1, true) keeps the last axis with size 1, so (x - mean) broadcasts: (3, 4) - (3, 1).',
          'mean(x, -1, true) 把最后一个轴保留为大小 1，所以 (x - mean) 能广播：(3, 4) - (3, 1)。'));
        expectUnchanged(x, before, 'x');
        expectClose(y, layerNorm64(x, wt, b), {
          what: 'layerNorm([[1, 2, 3, 4], [-1, 0, 1, 6], [0.001, 0.002, 0.003, 0.004]], ones, zeros)', rtol: 1e-5, atol: 1e-5,
          hint: t('Per row: subtract the mean, divide by sqrt(var + 1e-5), var = mean of squared deviations.', '逐行计算：减去均值，再除以 sqrt(var + 1e-5)，其中 var 是离差平方的均值。'),
          misconceptions: LAYER_NORM_MISTAKES.map((mk) => ({ value: layerNorm64(x, wt, b, 1e-5, mk), ...TEXT[mk] })),
        });
      },
    },
    {
      name: t('layerNorm of a (2, 3, 8) tensor with a weight and bias matches a float64 reference', '带 weight 和 bias 对 (2, 3, 8) 张量做 layerNorm，与 float64 参考实现一致'),
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
          if (Math.abs(mu) > 1e-4 || Math.abs(v - 1) > 1e-3) {
            const [mean5, var5] = [mu.toFixed(5), v.toFixed(5)];
            fail(t(`token ${r} of layerNorm(x, ones, zeros) has mean ${mean5} and variance ${var5}; expected 0 and 1`,
              `layerNorm(x, ones, zeros) 中 token ${r} 的均值是 ${mean5}，方差是 ${var5}；应为 0 和 1`));
          }
        }
      },
    },
    {
      name: t('layerNorm of a constant row is the bias, not NaN', '常数行的 layerNorm 结果是 bias，而不是 NaN'),
      task: 'layerNorm',
      run: (m) => {
        const x = tensor([[5, 5, 5, 5], [0, 0, 0, 0]]);
        const [wt, b] = [tensor([2, 2, 2, 2]), tensor([0.5, -1, 0, 3])];
        expectClose(m.layerNorm(x, wt, b), layerNorm64(x, wt, b), {
          what: say(t('layerNorm of constant rows', '常数行的 layerNorm')), rtol: 1e-5, atol: 1e-5, hint: TEXT['ln-no-eps'].hint,
          misconceptions: LAYER_NORM_MISTAKES.map((mk) => ({ value: layerNorm64(x, wt, b, 1e-5, mk), ...TEXT[mk] })),
        });
      },
    },

    {
      name: t('layerNorm uses its eps argument (eps = 0.1 and eps = 1e-3)', 'layerNorm 使用传入的 eps 参数（eps = 0.1 和 eps = 1e-3）'),
      task: 'layerNorm',
      run: (m) => {
        // Rows whose variance (1.25e-4, 0.0325, 0.125) is of the order of these eps: there eps moves the result a
        // lot, so a layerNorm that ignores its argument and always adds 1e-5 cannot pass.
        const x = tensor([[0.01, 0.02, 0.03, 0.04], [0.1, -0.2, 0.3, 0], [1, 1.5, 0.5, 1]]);
        const [wt, b] = [tensor([1, 2, 0.5, -1]), tensor([0, 0.1, -0.2, 0.3])];
        for (const eps of [0.1, 1e-3]) {
          const what = `layerNorm(x, weight, bias, ${eps})`;
          const y = withShapeAdvice(() => m.layerNorm(x, wt, b, eps), t('x is (3, 4); mean and variance keep the last axis with size 1.', 'x 的形状是 (3, 4)；均值和方差把最后一个轴保留为大小 1。'));
          expectClose(y, layerNorm64(x, wt, b, eps), {
            what, rtol: 1e-5, atol: 1e-5,
            hint: t('Divide by sqrt(var + eps) with the eps passed in; 1e-5 is only its default.', '用传入的 eps 除以 sqrt(var + eps)；1e-5 只是它的默认值。'),
            misconceptions: [
              { value: layerNorm64(x, wt, b, 1e-5), ...TEXT['ln-eps-ignored'] },
              ...LAYER_NORM_MISTAKES.map((mk) => ({ value: layerNorm64(x, wt, b, eps, mk), ...TEXT[mk] })),
            ],
          });
        }
      },
    },
    // ----- gelu ------------------------------------------------------------------------------------------
    {
      name: t('gelu at hand-picked points matches the tanh formula', 'gelu 在精选的点上与 tanh 公式一致'),
      task: 'gelu',
      run: (m) => {
        const points = [-3, -2, -1.5, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 1.5, 2, 3, 4, -4, 0.25];
        const x = tensor(points, [4, 4]);
        const before = snapshot(x);
        const y = m.gelu(x);
        expectUnchanged(x, before, 'x');
        expectShape(y, [4, 4], 'gelu(x (4, 4))');
        expectClose(y, tensor(points.map((p) => gelu64(p)), [4, 4]), {
          what: 'gelu(x)', rtol: 1e-5, atol: 1e-6, hint: TEXT['gelu-relu'].hint,
          misconceptions: GELU_MISTAKES.map((mk) => ({ value: tensor(points.map((p) => gelu64(p, mk)), [4, 4]), ...TEXT[mk] })),
        });
      },
    },
    {
      name: t('gelu of large inputs stays finite: about x for large x, 0 for very negative x', '输入很大时 gelu 仍然有限：x 很大时约为 x，x 很负时约为 0'),
      task: 'gelu',
      run: (m) => {
        const points = [30, -30, 1000, -1000, 1e6, -1e6];
        const y = m.gelu(tensor(points));
        for (let i = 0; i < points.length; i++) {
          if (!Number.isFinite(y.data[i])) {
            fail(t(`gelu(${points[i]}) is ${y.data[i]}: tanh of a large number is ±1, the result should be finite`,
              `gelu(${points[i]}) 是 ${y.data[i]}：很大的数的 tanh 是 ±1，结果应当是有限的`), {
              hint: t('Use the kit\'s tanh (Math.tanh never overflows); a tanh built from exp overflows for large inputs.',
                '用工具包的 tanh（Math.tanh 不会溢出）；用 exp 拼出来的 tanh 在输入很大时会溢出。'),
            });
          }
        }
        expectClose(y, tensor(points.map((p) => gelu64(p))), { what: `gelu([${points.join(', ')}])`, rtol: 1e-5, atol: 1e-6 });
      },
    },

    // ----- mlp -------------------------------------------------------------------------------------------
    {
      name: t('mlp of layer 0, with the model\'s weights, on a (1, 5, C) input', '用模型第 0 层的权重，对 (1, 5, C) 的输入计算 mlp'),
      task: 'mlp',
      run: async (m, ctx) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const get = (n: string) => w.get(n)!;
        const x = randomTensor(ctx, [1, 5, f.model.config.nEmbd], 1.5);
        const before = snapshot(x);
        let y: Tensor;
        try {
          y = withShapeAdvice(() => m.mlp(x, w, 0), t('Shapes: mlp.fc.weight is (4C, C), so linear(x, fc.weight, fc.bias) is (B, T, 4C); mlp.proj.weight is (C, 4C).',
            '形状：mlp.fc.weight 是 (4C, C)，所以 linear(x, fc.weight, fc.bias) 是 (B, T, 4C)；mlp.proj.weight 是 (C, 4C)。'));
        } catch (e) {
          // x @ W + b throws with (out, in) weights of shape (4C, C): see whether it is Hugging Face's Conv1D way.
          if (!notImplemented(e) && takesConv1dLayout(m, f, x, mlpVariant(x, get, 0))) fail(...mistake(TEXT['mlp-conv1d']));
          throw e;
        }
        expectUnchanged(x, before, 'x');
        expectShape(y, [1, 5, f.model.config.nEmbd], 'mlp(x (1, 5, C), w, 0)');
        expectCloseLazy(expectTensor(y, 'mlp(x, w, 0)'), mlpVariant(x, get, 0), {
          what: 'mlp(x, w, 0)', rtol: 1e-4, atol: 1e-4,
          hint: piecesHint(m, false, t('mlp(x) = linear(gelu(linear(x, fc.weight, fc.bias)), proj.weight, proj.bias), weights of layer 0.',
            'mlp(x) = linear(gelu(linear(x, fc.weight, fc.bias)), proj.weight, proj.bias)，用第 0 层的权重。')),
        }, namedFrom(m, false, ['gelu-erf', 'mlp-relu', 'mlp-no-activation'], (mk, act) => mlpVariant(x, get, 0, mk, act)));
      },
    },

    // ----- block -----------------------------------------------------------------------------------------
    {
      name: t('block i, fed what the model\'s block i reads, equals onnxruntime (every layer)', '给第 i 个块输入模型第 i 个块读到的内容，结果与 onnxruntime 一致（每一层）'),
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
          if (typeof r !== 'object' || r === null) {
            const got = describeType(r);
            fail(t(`block(x, w, ${i}, config) returned ${got.en}; expected { out, attnOut, attnWeights }`, `block(x, w, ${i}, config) 返回了 ${got['zh-cn']}；应返回 { out, attnOut, attnWeights }`),
              { hint: r === undefined ? FORGOT_RETURN : undefined });
          }
          const variants = (part: 'out' | 'attnOut' | 'attnWeights') => namedFrom(m, true, BLOCK_MISTAKES, (mk, act) => blockVariant(x, get, i, nHead, mk, act)[part]);
          const tol = { rtol: 1e-4, atol: MODEL_ATOL };
          const blockWhat = (part: string, onnx: string) => say(t(`block ${i}: ${part} vs onnxruntime's ${onnx}`, `第 ${i} 个块：${part} 与 onnxruntime 的 ${onnx}`));
          const field = (part: string) => say(t(`block ${i}: ${part}`, `第 ${i} 个块：${part}`));
          expectCloseLazy(expectTensor(r.attnWeights, field('attnWeights')), f.outputs[`attn_probs_${i}`], {
            what: blockWhat('attnWeights', `attn_probs_${i}`), ...tol,
            hint: piecesHint(m, true, t(`The attention reads layerNorm(x, h.${i}.ln_1.weight, h.${i}.ln_1.bias).`, `注意力读的是 layerNorm(x, h.${i}.ln_1.weight, h.${i}.ln_1.bias)。`)),
          }, variants('attnWeights'));
          expectCloseLazy(expectTensor(r.attnOut, field('attnOut')), f.outputs[`attn_out_${i}`], { what: blockWhat('attnOut', `attn_out_${i}`), ...tol }, variants('attnOut'));
          expectCloseLazy(expectTensor(r.out, field('out')), f.outputs[`block_out_${i}`], {
            what: blockWhat('out', `block_out_${i}`), ...tol,
            hint: piecesHint(m, true, t('The attention part is right: x + attnOut, then + mlp(layerNorm(that, ln_2)).', '注意力部分是对的：先 x + attnOut，再加上 mlp(layerNorm(结果, ln_2))。')),
          }, variants('out'));
        }
      },
    },

    // ----- gptForward ------------------------------------------------------------------------------------
    {
      name: t('gptForward: the embeddings are token + position', 'gptForward：嵌入是 token 嵌入加位置嵌入'),
      task: 'gptForward',
      run: async (m) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const r = forward(m, w, [f.ids], f.model.config);
        const emb = r.get('embeddings');
        if (!emb) {
          fail(t('intermediates has no \'embeddings\': record x right after adding the two embeddings, intermediates.set(\'embeddings\', x)',
            'intermediates 里没有 \'embeddings\'：在两个嵌入相加之后立即记录 x，intermediates.set(\'embeddings\', x)'));
        }
        expectCloseLazy(emb, f.outputs.embeddings, {
          what: say(t('intermediates.get(\'embeddings\') vs onnxruntime\'s embeddings', 'intermediates.get(\'embeddings\') 与 onnxruntime 的 embeddings')), rtol: 1e-5, atol: 1e-6,
          hint: t('x = wte[ids] + wpe[0..T): embedding(wte, ids.flat(), [B, T]) plus embedding(wpe, [0, ..., T-1], [T]).',
            'x = wte[ids] + wpe[0..T)：embedding(wte, ids.flat(), [B, T]) 加上 embedding(wpe, [0, ..., T-1], [T])。'),
        },
        () => [{ value: embedding(w.get('wte.weight')!, f.ids, [1, f.T]), ...TEXT['no-position-embedding'] }]);
      },
    },
    {
      name: t('the bundled model: your logits equal onnxruntime\'s (max |diff| <= 1e-4)', '内置模型：你的 logits 与 onnxruntime 的一致（max |diff| <= 1e-4）'),
      task: 'gptForward',
      run: async (m, ctx) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const get = (n: string) => w.get(n)!;
        const { nLayer, nHead, vocabSize: V } = f.model.config;
        const r = forward(m, w, [f.ids], f.model.config);
        expectShape(r.logits, [1, f.T, V], 'gptForward(w, [ids], config).logits');

        // Next-character probabilities after the sentence, from the learner's own logits.
        const last = Array.from(r.logits.data.slice((f.T - 1) * V, f.T * V));
        const max = Math.max(...last);
        const e = last.map((l) => Math.exp(l - max));
        const z = e.reduce((s, x) => s + x, 0);
        const top = e.map((p, id) => ({ id, p: p / z })).sort((a, b) => b.p - a.p).slice(0, 10);
        ctx.artifact({
          kind: 'bars', title: t(`Your model: the next character after "${f.text}"`, `你的模型：“${f.text}”之后的下一个字符`),
          labels: top.map((c) => tokenLabel(f.model.vocab[c.id])), values: top.map((c) => round4(c.p)),
        });

        // Where does the first difference appear? Compare in the order the model computes.
        const diffs: (string | number)[][] = [];
        const compare = (name: string, lazy: () => Misconception[], hint: Text, tol = { rtol: 1e-4, atol: MODEL_ATOL }) => {
          const got = r.get(name);
          if (!got) {
            fail(t(`intermediates has no '${name}': record it (intermediates.set('${name}', ...)) so the checks can find where a difference starts`,
              `intermediates 里没有 '${name}'：请记录它（intermediates.set('${name}', ...)），检查才能找出差异从哪里开始`));
          }
          diffs.push([name, maxAbsDiff(got, f.outputs[name]).toExponential(2)]);
          expectShape(got, f.outputs[name].shape, `intermediates.get('${name}')`);
          expectCloseLazy(got, f.outputs[name], { what: say(t(`intermediates.get('${name}') vs onnxruntime`, `intermediates.get('${name}') 与 onnxruntime`)), ...tol,
            hint: name === 'embeddings' ? hint : piecesHint(m, true, hint) }, lazy);
        };
        try {
          compare('embeddings', () => [{ value: embedding(get('wte.weight'), f.ids, [1, f.T]), ...TEXT['no-position-embedding'] }], t('x = wte[ids] + wpe[0..T).', 'x = wte[ids] + wpe[0..T)。'));
          for (let i = 0; i < nLayer; i++) {
            const variants = (part: 'out' | 'attnOut' | 'attnWeights') => namedFrom(m, true, BLOCK_MISTAKES, (mk, act) => blockVariant(f.blockInput(i), get, i, nHead, mk, act)[part]);
            compare(`attn_probs_${i}`, variants('attnWeights'), t(`Everything before layer ${i} matches: check what block ${i}'s attention reads, layerNorm(x, ln_1).`,
              `第 ${i} 层之前的一切都一致：检查第 ${i} 个块的注意力读的是什么，应为 layerNorm(x, ln_1)。`));
            compare(`attn_out_${i}`, variants('attnOut'), t(`Layer ${i}'s attention weights match: record multiHeadAttention's out.`,
              `第 ${i} 层的注意力权重一致：记录的应是 multiHeadAttention 的 out。`));
            compare(`block_out_${i}`, variants('out'), t(`Layer ${i}'s attention matches: x + attnOut, then + mlp(layerNorm(that, ln_2)).`,
              `第 ${i} 层的注意力一致：先 x + attnOut，再加上 mlp(layerNorm(结果, ln_2))。`));
          }
          const logitsDiff = maxAbsDiff(r.logits, f.outputs.logits);
          diffs.push(['logits', logitsDiff.toExponential(2)]);
          expectCloseLazy(r.logits, f.outputs.logits, {
            what: say(t('logits vs onnxruntime', 'logits 与 onnxruntime')), rtol: 0, atol: MODEL_ATOL,
            hint: t('Every block matches, so look at the end: ln_f, then the tied LM head linear(x, wte.weight).',
              '每个块都一致，所以问题在最后：ln_f，然后是共享权重的语言模型头 linear(x, wte.weight)。'),
          },
          namedFrom(m, true, GPT_MISTAKES, (mk, act) => gptVariant(get, [f.ids], f.model.config, mk, act)));
        } finally {
          ctx.artifact({
            kind: 'table', title: t('Largest |yours − onnxruntime| along the way', '沿途各处 |你的 − onnxruntime| 的最大值'),
            columns: [t('tensor', '张量'), 'max |diff|'], rows: diffs,
          });
        }
      },
    },
    {
      name: t('a batch of two different sentences: each row equals onnxruntime\'s', '两个不同句子组成的批次：每一行都与 onnxruntime 的一致'),
      task: 'gptForward',
      run: async (m) => {
        const f = await modelFixture();
        const ids = BATCH.map((s) => Array.from(f.model.tokenizer.encode(s.padEnd(16, '.').slice(0, 16))));
        const expected = await f.model.run(ids.flat(), 2, 16, ['logits']);
        const r = forward(m, weightsOf(f), ids, f.model.config);
        expectShape(r.logits, [2, 16, f.model.config.vocabSize], say(t('gptForward of a (2, 16) batch: logits', '(2, 16) 批次的 gptForward：logits')));
        expectClose(r.logits, expected.logits, {
          what: say(t('logits of a (2, 16) batch', '(2, 16) 批次的 logits')), rtol: 0, atol: MODEL_ATOL,
          hint: t('Each sequence of the batch goes through the same layers on its own: ids.flat() with shape [B, T] for wte, and a (T, C) position embedding that broadcasts over B.',
            '批次中的每个序列各自经过同样的层：wte 用 ids.flat() 和形状 [B, T]，位置嵌入是 (T, C)，沿 B 广播。'),
        });
      },
    },
    {
      name: t('causal: changing the last character changes no earlier logits', '因果：改动最后一个字符，不会改变前面任何位置的 logits'),
      task: 'gptForward',
      run: async (m) => {
        const f = await modelFixture();
        const w = weightsOf(f);
        const ids = f.ids.slice(0, 12);
        const a = forward(m, w, [ids], f.model.config).logits;
        const changed = [...ids.slice(0, 11), (ids[11] + 7) % f.model.config.vocabSize];
        const b = forward(m, w, [changed], f.model.config).logits;
        const V = f.model.config.vocabSize;
        for (let i = 0; i < 11 * V; i++) {
          if (Math.abs(a.data[i] - b.data[i]) > 1e-6) {
            const [pos, id] = [Math.floor(i / V), i % V];
            fail(t(`logits[0, ${pos}, ${id}] changed when only the character at position 11 changed: position ${pos} sees the future`,
              `只改动了位置 11 的字符，logits[0, ${pos}, ${id}] 却变了：位置 ${pos} 能看到未来`),
            { hint: t('Every attention layer must be causal: multiHeadAttention calls attention(q, k, v, true).', '每个注意力层都必须是因果的：multiHeadAttention 调用 attention(q, k, v, true)。') });
          }
        }
      },
    },
    {
      name: t(`${GREEDY_STEPS} greedy characters from your model equal onnxruntime's`, `你的模型贪心生成的 ${GREEDY_STEPS} 个字符与 onnxruntime 的相同`),
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
        const all = forward(m, w, [expected.slice(0, P + GREEDY_STEPS - 1)], f.model.config).logits; // (1, P + 49, V)
        const chosen = Array.from({ length: GREEDY_STEPS }, (_, s) => nextAfter(all, P - 1 + s));
        const text = (t: number[]) => f.model.tokenizer.decode(t);
        const wanted = expected.slice(P);
        const show = (mine: number[]) => ctx.artifact({
          kind: 'generation', title: t(`Greedy decoding after "${PROMPT}", ${GREEDY_STEPS} characters`, `在“${PROMPT}”之后贪心解码 ${GREEDY_STEPS} 个字符`), prompt: PROMPT,
          expected: { label: 'onnxruntime', text: text(wanted) }, actual: { label: t('your model', '你的模型'), text: text(mine) },
        });
        if (chosen.every((id, s) => id === wanted[s])) {
          show(chosen);
          return;
        }
        // A difference at step s. Up to s, your choices were onnxruntime's, so generate for real from there,
        // one character at a time, to show what your model writes (a dozen steps are enough to see it).
        const s = chosen.findIndex((id, k) => id !== wanted[k]);
        const ids = expected.slice(0, P + s);
        while (ids.length < Math.min(P + s + 12, P + GREEDY_STEPS)) ids.push(nextAfter(forward(m, w, [ids], f.model.config).logits, ids.length - 1));
        const mine = ids.slice(P);
        show(mine);
        if (mine[s] === wanted[s]) {
          const there = JSON.stringify(text([chosen[s]]));
          fail(t(`one character at a time, your model chooses onnxruntime's character ${s + 1}, but run over the whole text at once it predicts ${there} there: its predictions depend on characters that come later`,
            `逐个字符生成时，你的模型选出的第 ${s + 1} 个字符与 onnxruntime 相同，但一次跑完整段文本时，它在那里预测的是 ${there}：它的预测依赖于后面的字符`),
          { hint: t('The model must be causal: every attention layer masks the future (attention(q, k, v, true)).', '模型必须是因果的：每个注意力层都要遮住未来（attention(q, k, v, true)）。') });
        }
        const [theirs, yours] = [JSON.stringify(text(wanted.slice(s, s + 10))), JSON.stringify(text(mine.slice(s, s + 10)))];
        fail(t(`character ${s + 1} of ${GREEDY_STEPS} differs: onnxruntime continues with ${theirs}, your model with ${yours}`,
          `${GREEDY_STEPS} 个字符中的第 ${s + 1} 个不同：onnxruntime 接着写 ${theirs}，你的模型接着写 ${yours}`),
        { hint: t('Greedy decoding takes the most likely character at each step, so any difference in the logits can change it. Make the logits check pass first.',
          '贪心解码每一步都取最可能的字符，所以 logits 的任何差异都可能改变结果。先让 logits 的检查通过。') });
      },
    },
    {
      name: t('a small random model (2 layers, 2 heads, C = 16) at T = blockSize = 8: block and gptForward follow the config',
        '一个小的随机模型（2 层、2 个头、C = 16），T = blockSize = 8：block 和 gptForward 都按 config 计算'),
      task: 'gptForward',
      run: (m) => {
        // Everything above runs the bundled model, whose config never changes (4 layers, 4 heads, C = 128): a
        // hard-coded 4 heads or layers would pass there. Here another config, with a context of 8 tokens filled exactly.
        const config = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
        const model = randomModel(config, 4);
        const get = (name: string) => model.weight(name);
        const ids = [[3, 1, 4, 1, 5, 9, 2, 6], [5, 3, 5, 8, 9, 7, 9, 3]];
        const { nHead, nLayer } = config;
        let x = add(embedding(get('wte.weight'), ids.flat(), [2, 8]), embedding(get('wpe.weight'), [0, 1, 2, 3, 4, 5, 6, 7], [8])); // (2, 8, 16)
        for (let i = 0; i < nLayer; i++) {
          const before = snapshot(x);
          const r = withShapeAdvice(() => m.block(x, model.weights(), i, config), SHAPE_ADVICE);
          expectUnchanged(x, before, 'x');
          const what = (part: string) => say(t(`block(x, w, ${i}, config).${part} with config.nHead = ${nHead}`, `config.nHead = ${nHead} 时的 block(x, w, ${i}, config).${part}`));
          const weights = expectTensor(r?.attnWeights, what('attnWeights'));
          if (weights.shape.length === 4 && weights.shape[1] !== nHead) {
            fail(t(`${what('attnWeights')} has ${weights.shape[1]} heads, but config.nHead is ${nHead}: the block must take the number of heads from config.nHead.`,
              `${what('attnWeights')} 有 ${weights.shape[1]} 个头，而 config.nHead 是 ${nHead}：块必须从 config.nHead 读取头数。`),
            { hint: t('multiHeadAttention(layerNorm(x, ln_1 ...), weights of this layer, config.nHead).', 'multiHeadAttention(layerNorm(x, ln_1 ...), 这一层的权重, config.nHead)。') });
          }
          const expected = blockVariant(x, get, i, nHead);
          const variants = (part: 'out' | 'attnWeights') => namedFrom(m, true, BLOCK_MISTAKES, (mk, act) => blockVariant(x, get, i, nHead, mk, act)[part]);
          expectCloseLazy(weights, expected.attnWeights, { what: what('attnWeights'), rtol: 1e-4, atol: 1e-4, hint: piecesHint(m, true) }, variants('attnWeights'));
          expectCloseLazy(expectTensor(r.out, what('out')), expected.out, { what: what('out'), rtol: 1e-4, atol: 1e-4, hint: piecesHint(m, true) }, variants('out'));
          x = expected.out;
        }
        // The whole model, on exactly blockSize tokens: a context may be filled, only T > blockSize is refused.
        let logits: Tensor;
        try {
          logits = forward(m, model.weights(), ids, config).logits;
        } catch (e) {
          if (notImplemented(e) || !(e instanceof Error)) throw e;
          let shorter = false;
          try {
            m.gptForward(model.weights(), ids.map((row) => row.slice(0, 7)), config);
            shorter = true;
          } catch {
            shorter = false;
          }
          if (!shorter) throw e;
          const thrown = e.message.split('\n')[0];
          fail(t(`gptForward threw for T = blockSize = 8 tokens, though it runs on 7: ${thrown}. A sequence may fill the whole context.`,
            `T = blockSize = 8 个 token 时 gptForward 抛出了错误，而 7 个 token 时却能运行：${thrown}。序列可以填满整个上下文。`),
          { hint: t('The position ids are 0, 1, ..., T - 1, rows of wpe (which has blockSize rows); refuse only T > config.blockSize.',
            '位置 id 是 0, 1, ..., T - 1，即 wpe 的行（wpe 有 blockSize 行）；只在 T > config.blockSize 时拒绝。') });
        }
        expectShape(logits, [2, 8, 11], say(t('gptForward of the random model: logits', '随机模型的 gptForward：logits')));
        expectCloseLazy(logits, gptVariant(get, ids, config), {
          what: say(t('gptForward of the random model: logits', '随机模型的 gptForward：logits')), rtol: 1e-4, atol: 1e-4,
          hint: piecesHint(m, true, t('Read every size from config: config.nLayer blocks, config.nHead heads in each.', '所有尺寸都从 config 读取：config.nLayer 个块，每块 config.nHead 个头。')),
        }, namedFrom(m, true, GPT_MISTAKES, (mk, act) => gptVariant(get, ids, config, mk, act)));
      },
    },
    {
      name: t('a sequence longer than the context is refused with an error', '超过上下文长度的序列会被拒绝并报错'),
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
        const table = fmt([blockSize, f.model.config.nEmbd]);
        fail(t(`gptForward with ${blockSize + 1} tokens should throw: the position table wpe has only ${blockSize} rows ${table}`,
          `输入 ${blockSize + 1} 个 token 时 gptForward 应当抛出错误：位置表 wpe 只有 ${blockSize} 行 ${table}`),
        { hint: t('Throw an Error when T > config.blockSize (the kit\'s embedding also throws for a position id that has no row).',
          'T > config.blockSize 时抛出一个 Error（对于没有对应行的位置 id，工具包的 embedding 也会抛出错误）。') });
      },
    },
  ],
});
