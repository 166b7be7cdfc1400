/**
 * Checks for lesson 7, exercise 2 (lora/layer): the LoRALinear class.
 *
 * Expected outputs and gradients come from the float64 reference (reference.ts), never from the learner's
 * other code. Each catalogued mistake (B not zero, A and B swapped, the scale missing, inverted or alpha
 * alone, W still trainable, A not drawn from the given rng) is recognised by what it does.
 */
import { type CheckContext, defineChecks, expectClose, expectTrue, fail } from '@llm-lab/check';
import { Rng, type Tensor, linear, tensor } from '@llm-lab/kit';
import { expectCloseLazy, expectTensorField, randomTensor, withShapeAdvice } from '../02-attention/check-helpers';
import { type LoRALayerLike, baseLinear, expectLoRAShapes, isZero, normalTensor, setValues } from './lora-helpers';
import { LORA_MISTAKE_TEXT as TEXT } from './mistakes';
import { type ScaleVariant, loraBackward64, loraForward64, scaleOf } from './reference';

type Learner = typeof import('./layer');

const RTOL = 1e-4;
const ATOL = 1e-5;
const SHAPE_ADVICE = 'Shapes: A is (r, in) and B is (out, r), so linear(x, A) is (..., r) and linear(that, B) is (..., out).';

function make(m: Learner, dIn: number, dOut: number, r: number, alpha: number, seed = 1, bias = true): LoRALayerLike {
  const base = baseLinear(dIn, dOut, 100 + seed, bias);
  return new m.LoRALinear(base, r, alpha, new Rng(seed)) as LoRALayerLike;
}

function forward(layer: LoRALayerLike, x: Tensor, what: string): Tensor {
  const y = withShapeAdvice(() => layer.forward(x), SHAPE_ADVICE);
  return expectTensorField({ y }, 'y', what, 'a Tensor');
}

/** A layer whose adapter has been "trained": A and B set to random values. */
function trained(m: Learner, ctx: CheckContext, dIn: number, dOut: number, r: number, alpha: number, bias = true): LoRALayerLike {
  const layer = make(m, dIn, dOut, r, alpha, 3, bias);
  expectLoRAShapes(layer, dIn, dOut, r);
  setValues(layer.A, normalTensor(ctx.random, [r, dIn], 0.5));
  setValues(layer.B, normalTensor(ctx.random, [dOut, r], 0.5));
  return layer;
}

const SCALE_MISTAKES: [ScaleVariant, keyof typeof TEXT][] = [['none', 'scale-missing'], ['r/alpha', 'scale-inverted'], ['alpha', 'scale-alpha-only']];

export default defineChecks<Learner>({
  exports: ['LoRALinear'],
  checks: [
    {
      name: 'step 0: B is zero, so the layer computes exactly the pretrained Linear',
      task: 'LoRALinear',
      run: (m, ctx) => {
        const layer = make(m, 6, 5, 2, 4);
        const x = randomTensor(ctx, [3, 6], 1);
        const before = linear(x, layer.weight, layer.bias); // the pretrained layer, computed by the kit
        const y = forward(layer, x, 'layer.forward(x)');
        if (layer.B && !isZero(layer.B)) fail(TEXT['b-nonzero'].message, { hint: TEXT['b-nonzero'].hint });
        expectClose(y, before, { what: 'layer.forward(x) at step 0', rtol: RTOL, atol: ATOL, hint: 'With B = 0 the adapter adds exactly 0: y = x Wᵀ + b.' });
      },
    },
    {
      name: 'A is (r, in) and B is (out, r)',
      task: 'LoRALinear',
      run: (m) => {
        for (const [dIn, dOut, r] of [[7, 5, 3], [4, 9, 2], [8, 8, 1]]) expectLoRAShapes(make(m, dIn, dOut, r, 2), dIn, dOut, r);
      },
    },
    {
      name: 'A is small, random, and drawn from the rng you are given',
      task: 'LoRALinear',
      run: (m) => {
        const a = make(m, 64, 32, 4, 8, 7);
        expectLoRAShapes(a, 64, 32, 4);
        if (isZero(a.A)) fail(isZero(a.B) ? TEXT['a-zero'].message : 'A is all zeros: it must start small and random (B is the one that starts at zero).', { hint: TEXT['a-zero'].hint });
        const values = Array.from(a.A.data);
        const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
        expectTrue(std > 0.005 && std < 1, `A's values have a standard deviation of ${std.toFixed(4)}: keep them small, about 1/√in = ${(1 / 8).toFixed(3)} here.`,
          'randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures), { requiresGrad: true }).');
        const again = make(m, 64, 32, 4, 8, 7);
        const other = make(m, 64, 32, 4, 8, 8);
        const same = (p: Tensor, q: Tensor) => p.data.every((v, i) => v === q.data[i]);
        if (!same(a.A, again.A) || same(a.A, other.A)) fail(TEXT['a-not-seeded'].message, { hint: TEXT['a-not-seeded'].hint });
      },
    },
    {
      name: 'W and b are frozen: the only parameters are A and B, and backward leaves W without a gradient',
      task: 'LoRALinear',
      run: (m, ctx) => {
        const layer = trained(m, ctx, 6, 4, 2, 4);
        if (layer.weight.requiresGrad || layer.bias?.requiresGrad) fail(TEXT['w-trainable'].message, { hint: TEXT['w-trainable'].hint });
        expectTrue(layer.A.requiresGrad && layer.B.requiresGrad, 'A and B must train: create them with { requiresGrad: true }.');
        const names = [...layer.namedParameters().keys()].sort();
        expectTrue(names.join(',') === 'A,B', `layer.namedParameters() lists [${names.join(', ')}]; expected exactly [A, B], the tensors an optimizer should update.`,
          TEXT['w-trainable'].hint);
        const x = randomTensor(ctx, [3, 6], 1);
        const y = forward(layer, x, 'layer.forward(x)');
        y.backward(randomTensor(ctx, [3, 4], 1));
        if (layer.weight.grad && !isZero({ data: layer.weight.grad })) fail(TEXT['w-trainable'].message, { hint: TEXT['w-trainable'].hint });
        expectTrue(layer.A.grad !== null && layer.B.grad !== null, 'after backward, A.grad and B.grad should be filled in: is the adapter path built from A and B with kit ops?');
      },
    },
    {
      name: 'a trained adapter: y = x Wᵀ + b + (alpha / r) · x Aᵀ Bᵀ, for any leading axes, with or without bias',
      task: 'LoRALinear',
      run: (m, ctx) => {
        const cases: [number, number, number, number, number[], boolean][] = [[6, 5, 4, 16, [2, 3, 6], true], [3, 7, 2, 3, [4, 3], false], [8, 8, 2, 8, [1, 8], true]];
        for (const [dIn, dOut, r, alpha, xShape, bias] of cases) {
          const layer = trained(m, ctx, dIn, dOut, r, alpha, bias);
          const x = randomTensor(ctx, xShape, 1);
          const what = `forward(x ${JSON.stringify(xShape)}) with in = ${dIn}, out = ${dOut}, r = ${r}, alpha = ${alpha}${bias ? '' : ', no bias'}`;
          const y = forward(layer, x, what);
          const ref = loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, scaleOf(alpha, r));
          expectCloseLazy(y, ref, { what, rtol: RTOL, atol: ATOL, hint: 'add(linear(x, W, b), mul(linear(linear(x, A), B), alpha / r)).' },
            () => SCALE_MISTAKES.filter(([v]) => scaleOf(alpha, r, v) !== scaleOf(alpha, r))
              .map(([v, key]) => ({ value: loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, scaleOf(alpha, r, v)), ...TEXT[key] })));
        }
      },
    },
    {
      name: 'gradients: A, B and x get the right ones through your forward',
      task: 'LoRALinear',
      run: (m, ctx) => {
        const [dIn, dOut, r, alpha] = [5, 4, 2, 6];
        const layer = trained(m, ctx, dIn, dOut, r, alpha);
        const x = randomTensor(ctx, [3, dIn], 1);
        x.requiresGrad = true;
        const dY = randomTensor(ctx, [3, dOut], 1);
        forward(layer, x, 'layer.forward(x)').backward(dY);
        const ref = loraBackward64(x, layer.weight, layer.A, layer.B, alpha, r, dY);
        const grad = (t: Tensor, what: string) => {
          if (!t.grad) fail(`${what} has no gradient after backward: build the forward pass from kit ops on A and B.`);
          return tensor(t.grad, t.shape);
        };
        // A wrong scale in forward shows up in every gradient too: the same variants, through the reference backward.
        const wrong = (part: 'dA' | 'dB' | 'dx') => SCALE_MISTAKES.map(([v, key]) => (
          { value: loraBackward64(x, layer.weight, layer.A, layer.B, scaleOf(alpha, r, v) * r, r, dY)[part], ...TEXT[key] }));
        expectClose(grad(layer.B, 'B'), ref.dB, { what: 'B.grad', rtol: RTOL, atol: ATOL, misconceptions: wrong('dB') });
        expectClose(grad(layer.A, 'A'), ref.dA, { what: 'A.grad', rtol: RTOL, atol: ATOL, misconceptions: wrong('dA') });
        expectClose(grad(x, 'x'), ref.dx, { what: 'x.grad', rtol: RTOL, atol: ATOL, misconceptions: wrong('dx') });
      },
    },
  ],
});
