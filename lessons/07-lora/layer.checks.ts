/**
 * Checks for lesson 7, exercise 2 (lora/layer): the LoRALinear class.
 *
 * Expected outputs and gradients come from the float64 reference (@llm-lab/course/lora), never from the
 * learner's other code. Each catalogued mistake (B not zero, A zero, the scale missing, inverted or alpha alone,
 * W still trainable, A not drawn from the given rng) is recognised by what it does, and so are two other
 * libraries' conventions, named as conventions: A and B in Hugging Face Conv1D's (in, out) layout, and rsLoRA's
 * scale alpha / √r. Any small random A is accepted: this course's N(0, 1/in), PyTorch's and PEFT's U(±1/√in),
 * PEFT's 'gaussian' N(0, 1/r²).
 */
import {
  type CheckContext, defineChecks, describeType, expectClose, expectCloseLazy, expectTrue, fail, fmt, isTensorLike, mistake, randomTensor, t, withShapeAdvice,
} from '@llm-lab/check';
import {
  type LoRALayerLike, type ScaleVariant, baseLinear, expectLoRAShapes, isZero, loraBackward64, loraForward64, normalTensor, scaleOf, setValues,
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

function forward(layer: LoRALayerLike, x: Tensor, what: string): Tensor {
  const y = withShapeAdvice(() => layer.forward(x), SHAPE_ADVICE);
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
        const cases: [number, number, number, number, number[], boolean][] = [[6, 5, 4, 16, [2, 3, 6], true], [3, 7, 2, 3, [4, 3], false], [8, 8, 2, 8, [1, 8], true]];
        for (const [dIn, dOut, r, alpha, xShape, bias] of cases) {
          const layer = trained(m, ctx, dIn, dOut, r, alpha, bias);
          const x = randomTensor(ctx, xShape, 1);
          const what = `LoRALinear(Linear(${dIn}, ${dOut}${bias ? '' : ', bias = false'}), r = ${r}, alpha = ${alpha}).forward(x ${fmt(xShape)})`;
          const y = forward(layer, x, what);
          const ref = loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, scaleOf(alpha, r));
          expectCloseLazy(y, ref, { what, rtol: RTOL, atol: ATOL,
            hint: t('add(linear(x, W, b), mul(linear(linear(x, A), B), alpha / r)).', 'add(linear(x, W, b), mul(linear(linear(x, A), B), alpha / r))。') },
          () => SCALE_MISTAKES.filter(([v]) => scaleOf(alpha, r, v) !== scaleOf(alpha, r))
            .map(([v, key]) => ({ value: loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, scaleOf(alpha, r, v)), ...M[key] })));
        }
      },
    },
    {
      name: t('gradients: A, B and x get the right ones through your forward', '梯度：经过你的前向传播，A、B 和 x 都得到正确的梯度'),
      task: 'LoRALinear',
      run: (m, ctx) => {
        const [dIn, dOut, r, alpha] = [5, 4, 2, 6];
        const layer = trained(m, ctx, dIn, dOut, r, alpha);
        const x = randomTensor(ctx, [3, dIn], 1);
        x.requiresGrad = true;
        const dY = randomTensor(ctx, [3, dOut], 1);
        forward(layer, x, 'layer.forward(x)').backward(dY);
        const ref = loraBackward64(x, layer.weight, layer.A, layer.B, alpha, r, dY);
        const grad = (v: Tensor, what: string) => {
          if (!v.grad) {
            fail(t(`${what} has no gradient after backward: build the forward pass from kit ops on A and B.`,
              `反向传播之后 ${what} 没有梯度：请用库里的运算基于 A 和 B 搭建前向传播。`));
          }
          return tensor(v.grad, v.shape);
        };
        // A wrong scale in forward shows up in every gradient too: the same variants, through the reference backward.
        const wrong = (part: 'dA' | 'dB' | 'dx') => SCALE_MISTAKES.map(([v, key]) => (
          { value: loraBackward64(x, layer.weight, layer.A, layer.B, scaleOf(alpha, r, v) * r, r, dY)[part], ...M[key] }));
        expectClose(grad(layer.B, 'B'), ref.dB, { what: 'B.grad', rtol: RTOL, atol: ATOL, misconceptions: wrong('dB') });
        expectClose(grad(layer.A, 'A'), ref.dA, { what: 'A.grad', rtol: RTOL, atol: ATOL, misconceptions: wrong('dA') });
        expectClose(grad(x, 'x'), ref.dx, { what: 'x.grad', rtol: RTOL, atol: ATOL, misconceptions: wrong('dx') });
      },
    },
  ],
});
