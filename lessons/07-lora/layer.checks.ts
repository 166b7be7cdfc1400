/**
 * Checks for the LoRA lesson, exercise 2 (lora/layer): the LoRALinear class.
 *
 * Expected outputs and gradients come from the float64 reference (@llm-lab/course/lora), never from the
 * learner's other code. Each catalogued mistake (B not zero, A zero, the scale missing, inverted or alpha alone,
 * W still trainable, A not drawn from the given rng) is recognised by what it does, and so are two other
 * libraries' conventions, named as conventions: A and B in Hugging Face Conv1D's (in, out) layout, and rsLoRA's
 * scale alpha / √r. Any small random A is accepted: this course's N(0, 1/in), PyTorch's and PEFT's U(±1/√in),
 * PEFT's 'gaussian' N(0, 1/r²).
 *
 * Which check names which catalogued mistake (lessons/07-lora/mistakes.ts):
 *   check                                              names
 *   step 0: B is zero ...                              b-nonzero, init-swapped
 *   A is (r, in) and B is (out, r)                     shapes-swapped (Hugging Face Conv1D's convention)
 *   A is small, random, and drawn from the rng ...     a-zero, init-swapped, a-not-seeded, shapes-swapped
 *   W and b are frozen ...                             w-trainable, shapes-swapped
 *   a trained adapter: y = ...                         scale-missing, scale-inverted, scale-alpha-only, scale-rslora (rsLoRA's
 *                                                      convention), shapes-swapped
 *   gradients: A, B and x ...                          scale-missing, scale-inverted, scale-alpha-only, scale-rslora, shapes-swapped
 * A wrong scale is named only when it explains every case of the check (three layers for the output, two for the
 * gradients), with alpha and r chosen so that no two scales coincide, the scale applied twice included ((alpha / r)²
 * = alpha for alpha = 16, r = 4). An adapter path that is a constant multiple of the right one otherwise says so, with
 * the factor (a scale put in twice, a constant for alpha, a flipped sign); anything else fails with the first value
 * that differs.
 */
import {
  type CheckContext, defineChecks, describeType, expectClose, expectCloseLazy, expectTrue, expectUnchanged, fail, fmt, isTensorLike, join, mistake, randomTensor, show, snapshot, t,
  withShapeAdvice,
} from '@llm-lab/check';
import {
  type LoRALayerLike, type ScaleVariant, allClose, baseLinear, factorOf, scaleNote, expectLoRAShapes, isZero, loraBackward64, loraForward64, normalTensor, scaleOf, setValues,
} from '@llm-lab/course/lora';
import { Rng, type Tensor, linear, tensor } from '@llm-lab/kit';
import { type LoRAMistake, LORA_MISTAKES as M } from './mistakes';

type Learner = typeof import('./layer');

const RTOL = 1e-4;
const ATOL = 1e-5;
const SHAPE_ADVICE = t(
  'Shapes: A is (r, in) and B is (out, r), so linear(x, A) is (..., r) and linear(that, B) is (..., out).',
  '形状：A 是 (r, in)，B 是 (out, r)，所以 linear(x, A) 是 (..., r)，再 linear(它, B) 得到 (..., out)。',
);

function make(m: Learner, dIn: number, dOut: number, r: number, alpha: number, seed = 1, bias = true): LoRALayerLike {
  const base = baseLinear(dIn, dOut, 100 + seed, bias);
  return new m.LoRALinear(base, r, alpha, new Rng(seed)) as LoRALayerLike;
}

const UNCHANGED_HINT = t(
  'forward computes a new tensor from x, W, b, A and B and must not write into any of them: a scale folded into B in place, for instance, is applied again at every call.',
  'forward 用 x、W、b、A 和 B 算出一个新张量，不能写入其中任何一个：例如把缩放系数原地乘进 B，每调用一次就会再乘一次。',
);

/**
 * layer.forward(x), which must return a tensor and leave x and the layer's tensors as they were: the expected values
 * are computed from them afterwards, so they are compared with copies taken before the call.
 */
function forward(layer: LoRALayerLike, x: Tensor, what: string): Tensor {
  const named: [string, unknown][] = [['x', x], ['layer.weight', layer.weight], ['layer.bias', layer.bias], ['layer.A', layer.A], ['layer.B', layer.B]];
  const inputs = named.flatMap(([name, v]) => (isTensorLike(v) ? [{ name, v, before: snapshot(v) }] : []));
  const y = withShapeAdvice(() => layer.forward(x), SHAPE_ADVICE);
  for (const { name, v, before } of inputs) expectUnchanged(v, before, name, UNCHANGED_HINT);
  if (!isTensorLike(y)) {
    const got = describeType(y);
    fail(t(`${what} returned ${got.en}; expected a Tensor.`, `${what} 返回了${got['zh-cn']}；应返回 Tensor。`),
      { hint: y === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  return y;
}

/** A layer whose adapter has been "trained": A and B set to random values. */
function trained(m: Learner, ctx: CheckContext, dIn: number, dOut: number, r: number, alpha: number, bias = true): LoRALayerLike {
  const layer = make(m, dIn, dOut, r, alpha, 3, bias);
  expectLoRAShapes(layer, dIn, dOut, r, M['shapes-swapped']);
  setValues(layer.A, normalTensor(ctx.random, [r, dIn], 0.5));
  setValues(layer.B, normalTensor(ctx.random, [dOut, r], 0.5));
  return layer;
}

const minus = (a: { data: ArrayLike<number>; shape: readonly number[] }, b: { data: ArrayLike<number> }) =>
  ({ data: Float64Array.from(a.data, (v, i) => Number(v) - Number(b.data[i])), shape: [...a.shape] });

const SCALE_MISTAKES: [ScaleVariant, LoRAMistake][] = [
  ['none', 'scale-missing'], ['r/alpha', 'scale-inverted'], ['alpha', 'scale-alpha-only'], ['alpha/sqrt(r)', 'scale-rslora'],
];

export default defineChecks<Learner>({
  exports: ['LoRALinear'],
  checks: [
    {
      name: t('step 0: B is zero, so the layer computes exactly the pretrained Linear', '第 0 步：B 为零，所以该层的结果与预训练的 Linear 完全相同'),
      task: 'LoRALinear',
      run: (m, ctx) => {
        const layer = make(m, 6, 5, 2, 4);
        const x = randomTensor(ctx, [3, 6], 1);
        const before = linear(x, layer.weight, layer.bias); // the pretrained layer, computed by the kit
        const y = forward(layer, x, 'layer.forward(x)');
        // B random with A zero also gives B A = 0, but it is not this lesson's layer (A random, B zero): named as such.
        if (layer.B && !isZero(layer.B)) fail(...mistake(layer.A && isZero(layer.A) ? M['init-swapped'] : M['b-nonzero']));
        expectClose(y, before, { what: 'layer.forward(x)', rtol: RTOL, atol: ATOL,
          hint: t('With B = 0 the adapter adds exactly 0: y = x Wᵀ + b.', 'B = 0 时适配器恰好加上 0：y = x Wᵀ + b。') });
      },
    },
    {
      name: t('A is (r, in) and B is (out, r)', 'A 是 (r, in)，B 是 (out, r)'),
      task: 'LoRALinear',
      run: (m) => {
        for (const [dIn, dOut, r] of [[7, 5, 3], [4, 9, 2], [8, 8, 1]]) expectLoRAShapes(make(m, dIn, dOut, r, 2), dIn, dOut, r, M['shapes-swapped']);
      },
    },
    {
      name: t('A is small, random, and drawn from the rng you are given', 'A 是较小的随机值，并且由传入的 rng 生成'),
      task: 'LoRALinear',
      run: (m) => {
        const a = make(m, 64, 32, 4, 8, 7);
        expectLoRAShapes(a, 64, 32, 4, M['shapes-swapped']);
        if (isZero(a.A)) fail(...mistake(isZero(a.B) ? M['a-zero'] : M['init-swapped']));
        // Any small random init passes: N(0, 1/in) (std 0.125 here), PyTorch's and PEFT's U(±1/√in) (std 1/√(3·in) ≈ 0.072),
        // PEFT's init_lora_weights='gaussian' N(0, 1/r²) (std 0.25).
        const values = Array.from(a.A.data);
        const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
        const sd = std.toFixed(4);
        const want = (1 / 8).toFixed(3);
        expectTrue(std > 0.005 && std < 1,
          t(`A's values have a standard deviation of ${sd}: keep them small, of the order of 1/√in = ${want} here.`, `A 的值的标准差是 ${sd}：应当较小，与 1/√in = ${want} 同一量级。`),
          t('randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures), { requiresGrad: true }), or PEFT\'s U(±1/√in): new Linear(inFeatures, r, false, rng).weight.',
            'randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures), { requiresGrad: true })，或者 PEFT 的 U(±1/√in)：new Linear(inFeatures, r, false, rng).weight。'));
        const again = make(m, 64, 32, 4, 8, 7);
        const other = make(m, 64, 32, 4, 8, 8);
        const same = (p: Tensor, q: Tensor) => p.data.every((v, i) => v === q.data[i]);
        if (!same(a.A, again.A) || same(a.A, other.A)) fail(...mistake(M['a-not-seeded']));
      },
    },
    {
      name: t('W and b are frozen: the only parameters are A and B, and backward leaves W without a gradient', 'W 和 b 已冻结：参数只有 A 和 B，反向传播后 W 没有梯度'),
      task: 'LoRALinear',
      run: (m, ctx) => {
        const layer = trained(m, ctx, 6, 4, 2, 4);
        if (layer.weight.requiresGrad || layer.bias?.requiresGrad) fail(...mistake(M['w-trainable']));
        expectTrue(layer.A.requiresGrad && layer.B.requiresGrad,
          t('A and B must train: create them with { requiresGrad: true }.', 'A 和 B 必须可训练：创建时传入 { requiresGrad: true }。'));
        const names = [...layer.namedParameters().keys()].sort();
        const listed = names.join(', ');
        expectTrue(names.join(',') === 'A,B', t(`layer.namedParameters() lists [${listed}]; expected exactly [A, B], the tensors an optimizer should update.`,
          `layer.namedParameters() 列出的是 [${listed}]；应当恰好是 [A, B]，即优化器要更新的张量。`), M['w-trainable'].hint);
        const x = randomTensor(ctx, [3, 6], 1);
        const y = forward(layer, x, 'layer.forward(x)');
        y.backward(randomTensor(ctx, [3, 4], 1));
        if (layer.weight.grad && !isZero({ data: layer.weight.grad })) fail(...mistake(M['w-trainable']));
        expectTrue(layer.A.grad !== null && layer.B.grad !== null,
          t('after backward, A.grad and B.grad should be filled in: is the adapter path built from A and B with kit ops?',
            '反向传播之后 A.grad 和 B.grad 应当有值：适配器路径是用库里的运算基于 A 和 B 搭建的吗？'));
      },
    },
    {
      name: t('a trained adapter: y = x Wᵀ + b + (alpha / r) · x Aᵀ Bᵀ, for any leading axes, with or without bias',
        '训练过的适配器：y = x Wᵀ + b + (alpha / r) · x Aᵀ Bᵀ，任意前导维度，有无偏置均可'),
      task: 'LoRALinear',
      run: (m, ctx) => {
        // alpha and r are chosen so that no two scales coincide in any case: none (1), r / alpha, alpha, alpha / √r,
        // alpha / r and (alpha / r)² (the scale applied twice) all differ. (With alpha = 16, r = 4, (alpha / r)² = alpha:
        // a layer that scales twice would have been told it scaled by alpha.)
        const cases: [number, number, number, number, number[], boolean][] = [[6, 5, 4, 12, [2, 3, 6], true], [3, 7, 2, 3, [4, 3], false], [8, 8, 2, 8, [1, 8], true]];
        const runs = cases.map(([dIn, dOut, r, alpha, xShape, bias]) => {
          const layer = trained(m, ctx, dIn, dOut, r, alpha, bias);
          const x = randomTensor(ctx, xShape, 1);
          const what = `LoRALinear(Linear(${dIn}, ${dOut}${bias ? '' : ', bias = false'}), r = ${r}, alpha = ${alpha}).forward(x ${fmt(xShape)})`;
          const y = forward(layer, x, what);
          const at = (v?: ScaleVariant) => loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, scaleOf(alpha, r, v));
          return { y, ref: at(), at, plain: loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, 0), what, alpha, r };
        });
        // A catalogued scale is named only when it explains every case, not one of them by coincidence.
        const confirmed = SCALE_MISTAKES.filter(([v]) => runs.every((run) => allClose(run.y, run.at(v), RTOL, ATOL)));
        const hint = t('add(linear(x, W, b), mul(linear(linear(x, A), B), alpha / r)).', 'add(linear(x, W, b), mul(linear(linear(x, A), B), alpha / r))。');
        for (const { y, ref, at, plain, what, alpha, r } of runs) {
          const named = confirmed.filter(([v]) => scaleOf(alpha, r, v) !== scaleOf(alpha, r));
          if (!named.length && !allClose(y, ref, RTOL, ATOL)) {
            // Otherwise, an adapter path that is a constant multiple of the right one says so (the scale put in twice, a
            // constant in place of alpha, a flipped sign): measured on the adapter's share of the output, y - (x Wᵀ + b).
            const k = factorOf(minus(y, plain), minus(ref, plain));
            if (k !== undefined) {
              fail(join([t(`${what} differs from the right output. `, `${what} 与正确的输出不同。`),
                scaleNote(t('The adapter\'s share of it, forward(x) - (x Wᵀ + b),', '其中适配器的份额 forward(x) - (x Wᵀ + b)'), k, alpha / r)], ''),
              { hint, expected: show(ref), actual: show(y) });
            }
          }
          expectCloseLazy(y, ref, { what, rtol: RTOL, atol: ATOL, hint }, () => named.map(([v, key]) => ({ value: at(v), ...M[key] })));
        }
      },
    },
    {
      name: t('gradients: A, B and x get the right ones through your forward', '梯度：经过你的前向传播，A、B 和 x 都得到正确的梯度'),
      task: 'LoRALinear',
      run: (m, ctx) => {
        const grad = (v: Tensor, what: string) => {
          if (!v.grad) {
            fail(t(`${what} has no gradient after backward: build the forward pass from kit ops on A and B.`,
              `反向传播之后 ${what} 没有梯度：请用库里的运算基于 A 和 B 搭建前向传播。`));
          }
          return tensor(v.grad, v.shape);
        };
        // Two layers whose scales differ from every wrong scale and from each other's wrong scales (with alpha = 6,
        // r = 2 alone, a scale of 2 / r would equal "no scale").
        const runs = ([[5, 4, 2, 6], [4, 6, 4, 12]] as const).map(([dIn, dOut, r, alpha]) => {
          const layer = trained(m, ctx, dIn, dOut, r, alpha);
          const x = randomTensor(ctx, [3, dIn], 1);
          x.requiresGrad = true;
          const dY = randomTensor(ctx, [3, dOut], 1);
          forward(layer, x, 'layer.forward(x)').backward(dY);
          const at = (v?: ScaleVariant) => loraBackward64(x, layer.weight, layer.A, layer.B, scaleOf(alpha, r, v) * r, r, dY);
          return { got: { dB: grad(layer.B, 'B'), dA: grad(layer.A, 'A'), dx: grad(x, 'x') }, ref: at(), at, alpha, r };
        });
        // A wrong scale in forward shows up in every gradient too: the same variants, through the reference backward,
        // named only when one of them explains every gradient of both layers.
        const parts = ['dB', 'dA', 'dx'] as const;
        const confirmed = SCALE_MISTAKES.filter(([v]) => runs.every((run) => parts.every((p) => allClose(run.got[p], run.at(v)[p], RTOL, ATOL))));
        for (const { got, ref, at, alpha, r } of runs) {
          for (const [part, name] of [['dB', 'B.grad'], ['dA', 'A.grad'], ['dx', 'x.grad']] as const) {
            expectClose(got[part], ref[part], { what: `${name} (r = ${r}, alpha = ${alpha})`, rtol: RTOL, atol: ATOL,
              misconceptions: confirmed.map(([v, key]) => ({ value: at(v)[part], ...M[key] })) });
          }
        }
      },
    },
  ],
});
