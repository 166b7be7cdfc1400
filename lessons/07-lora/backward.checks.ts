/**
 * Checks for the LoRA lesson, exercise 3 (lora/backward): loraBackward(x, W, A, B, alpha, r, dY) -> { dx, dA, dB }.
 *
 * Two independent references: central finite differences of L = Σ y ⊙ dY on a float64 forward pass, and the
 * kit's autograd (backward() through linear layers with W frozen). The catalogued mistakes (the scale
 * missing or inverted, dx without one of its two paths, a gradient transposed) are recognised, and rsLoRA's
 * scale alpha / √r is named as that library's convention.
 *
 * Which check names which catalogued mistake (lessons/07-lora/mistakes.ts):
 *   check                                              names
 *   a small example by hand ...                        backward-no-scale, backward-inverted-scale, dx-base-only, dx-adapter-only,
 *                                                      grads-transposed (alpha / √r = alpha / r there: r = 1)
 *   matches central finite differences ...             the same, and scale-rslora (rsLoRA's convention)
 *   matches the kit's autograd ...                     the same, and scale-rslora
 *   step 0 (B = 0) ...                                 the same but dx-base-only (dY W is the right dx when B = 0)
 *   shapes: a tall batch ...                           the same, and scale-rslora
 * A mistake is named only when it explains all three gradients, on the check's input and on a second, fixed input
 * where the right scale differs from every wrong one (alpha = 6, r = 3): a dB without its scale next to a right dA
 * and dx is not "the gradients of A and B miss the factor", and 1 / r is not "no scale" although they agree when
 * r = 1. A gradient that is a constant multiple of the right one otherwise says so, with the factor.
 */
import {
  type CheckContext, defineChecks, expectClose, expectCloseLazy, expectShape, expectTensorField, expectUnchanged, fail, mistake, randomTensor, show, snapshot, t,
  withShapeAdvice,
} from '@llm-lab/check';
import {
  type Arr, BACKWARD_MISTAKES, type BackwardMistake, type Grads64, allClose, factorOf, loraBackward64, loraForward64, normalTensor, scaleNote,
} from '@llm-lab/course/lora';
import { Rng, type Tensor, add, linear, mul, tensor } from '@llm-lab/kit';
import { LORA_MISTAKES as M } from './mistakes';

type Learner = typeof import('./backward');

const RTOL = 1e-4;
const ATOL = 1e-5;
const SHAPE_ADVICE = t(
  'Shapes: x (N, in), W (out, in), A (r, in), B (out, r), dY (N, out); dx is (N, in), dA (r, in), dB (out, r).',
  '形状：x (N, in)，W (out, in)，A (r, in)，B (out, r)，dY (N, out)；dx 是 (N, in)，dA 是 (r, in)，dB 是 (out, r)。',
);

interface Case { x: Tensor; W: Tensor; A: Tensor; B: Tensor; dY: Tensor; alpha: number; r: number }

function randomCase(ctx: CheckContext, N: number, dIn: number, dOut: number, r: number, alpha: number): Case {
  return {
    x: randomTensor(ctx, [N, dIn], 1), W: randomTensor(ctx, [dOut, dIn], 1), A: randomTensor(ctx, [r, dIn], 1),
    B: randomTensor(ctx, [dOut, r], 1), dY: randomTensor(ctx, [N, dOut], 1), alpha, r,
  };
}

function call(m: Learner, c: Case, what: string): { dx: Tensor; dA: Tensor; dB: Tensor } {
  const before = [c.x, c.W, c.A, c.B, c.dY].map(snapshot);
  const got = withShapeAdvice(() => m.loraBackward(c.x, c.W, c.A, c.B, c.alpha, c.r, c.dY), SHAPE_ADVICE);
  const out = { dx: expectTensorField(got, 'dx', what, '{ dx, dA, dB }'), dA: expectTensorField(got, 'dA', what, '{ dx, dA, dB }'), dB: expectTensorField(got, 'dB', what, '{ dx, dA, dB }') };
  (['x', 'W', 'A', 'B', 'dY'] as const).forEach((k, i) => expectUnchanged(c[k], before[i], k));
  const transposed = (t: Tensor, shape: number[]) => t.shape.length === 2 && t.shape[0] === shape[1] && t.shape[1] === shape[0] && shape[0] !== shape[1];
  if (transposed(out.dA, c.A.shape) || transposed(out.dB, c.B.shape)) fail(...mistake(M['grads-transposed']));
  expectShape(out.dx, c.x.shape, `${what}.dx`);
  expectShape(out.dA, c.A.shape, `${what}.dA`);
  expectShape(out.dB, c.B.shape, `${what}.dB`);
  return out;
}

/**
 * A second input, fixed, on which a catalogued mistake seen on the check's own input must show again before it is
 * named: its scale s = alpha / r = 2 differs from every wrong scale there (none 1, r / alpha 0.5, alpha / √r ≈ 3.46)
 * and from slips such as 1 / r or 2 / r, which coincide with "no scale" on the hand example (alpha = 2, r = 1).
 */
function confirmCase(): Case {
  const rng = new Rng(20);
  const random = () => rng.random();
  return { x: normalTensor(random, [2, 3]), W: normalTensor(random, [4, 3]), A: normalTensor(random, [3, 3]), B: normalTensor(random, [4, 3]), dY: normalTensor(random, [2, 4]), alpha: 6, r: 3 };
}

type Got = { dx: Tensor; dA: Tensor; dB: Tensor };
const PARTS = ['dB', 'dA', 'dx'] as const;

/** Whether all three gradients are what `key` gives (within tolerance). */
function isMistake(got: Got, c: Case, key: BackwardMistake, tol: { rtol: number; atol: number }): boolean {
  const wrong = loraBackward64(c.x, c.W, c.A, c.B, c.alpha, c.r, c.dY, key);
  return PARTS.every((p) => allClose(got[p], wrong[p], tol.rtol, tol.atol));
}

/** Whether the learner's function makes mistake `key` on the confirming input too. */
function confirmed(m: Learner, key: BackwardMistake): boolean {
  const c = confirmCase();
  try {
    return isMistake(m.loraBackward(c.x, c.W, c.A, c.B, c.alpha, c.r, c.dY), c, key, { rtol: RTOL, atol: ATOL });
  } catch {
    return false;
  }
}

/**
 * Compares each gradient with `expected`. A catalogued mistake is named only when it explains all three gradients,
 * here and on a second input (a dB without its scale while dA and dx have it is not "the gradients of A and B miss
 * the factor"); otherwise a gradient that is a constant multiple of the right one says so, with the factor.
 */
function expectGrads(m: Learner, got: Got, expected: Grads64 | { dx: Arr; dA: Arr; dB: Arr }, c: Case, what: string, tol = { rtol: RTOL, atol: ATOL }): void {
  if (PARTS.every((p) => allClose(got[p], expected[p], tol.rtol, tol.atol))) return;
  const key = BACKWARD_MISTAKES.find((k) => isMistake(got, c, k, tol) && confirmed(m, k));
  const wrong = key && loraBackward64(c.x, c.W, c.A, c.B, c.alpha, c.r, c.dY, key);
  for (const part of PARTS) {
    if (allClose(got[part], expected[part], tol.rtol, tol.atol)) continue;
    const k = key ? undefined : factorOf(got[part], expected[part]);
    if (k !== undefined) {
      fail(scaleNote(`${what}.${part}`, k, c.alpha / c.r), {
        hint: t('Put s = alpha / r into each gradient once: dB = s · dYᵀ h, dh = s · dY B, dA = dhᵀ x, dx = dY W + dh A.',
          '每个梯度里恰好放一次 s = alpha / r：dB = s · dYᵀ h，dh = s · dY B，dA = dhᵀ x，dx = dY W + dh A。'),
        expected: show(expected[part]), actual: show(got[part]),
      });
    }
    expectCloseLazy(got[part], expected[part], { what: `${what}.${part}`, ...tol }, () => (key && wrong ? [{ value: wrong[part], ...M[key] }] : []));
  }
}

/** L(x, A, B) = Σ y ⊙ dY in float64; its gradient is what loraBackward returns. */
function objective(c: Case, x: Arr, A: Arr, B: Arr): number {
  const y = loraForward64(x, c.W, null, A, B, c.alpha / c.r);
  let L = 0;
  for (let i = 0; i < y.data.length; i++) L += y.data[i] * c.dY.data[i];
  return L;
}

/** Central differences, (L(v + h) - L(v - h)) / 2h, for every element of x, A and B. */
function numericGrads(c: Case, h = 1e-4): { dx: Arr; dA: Arr; dB: Arr } {
  const f64 = (t: Tensor) => ({ data: Float64Array.from(t.data), shape: [...t.shape] });
  const [x, A, B] = [f64(c.x), f64(c.A), f64(c.B)];
  const grad = (v: { data: Float64Array; shape: number[] }) => {
    const g = new Float64Array(v.data.length);
    for (let i = 0; i < g.length; i++) {
      const keep = v.data[i];
      v.data[i] = keep + h;
      const up = objective(c, x, A, B);
      v.data[i] = keep - h;
      const down = objective(c, x, A, B);
      v.data[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return { data: g, shape: v.shape };
  };
  return { dx: grad(x), dA: grad(A), dB: grad(B) };
}

export default defineChecks<Learner>({
  exports: ['loraBackward'],
  checks: [
    {
      name: t('a small example by hand: N = 1, in = 2, out = 2, r = 1', '一个可以手算的小例子：N = 1，in = 2，out = 2，r = 1'),
      task: 'loraBackward',
      run: (m) => {
        // h = x Aᵀ = 1·1 + 2·0 = 1; s = alpha / r = 2; dB = s·dYᵀ h = 2·(1, -1)ᵀ; dh = s·dY B = 2·(1·1 + (-1)·3) = -4;
        // dA = dhᵀ x = -4·(1, 2); dx = dY W + dh A = (1, -1) W + (-4, 0).
        const c: Case = {
          x: tensor([[1, 2]]), W: tensor([[1, 0], [0, 1]]), A: tensor([[1, 0]]), B: tensor([[1], [3]]), dY: tensor([[1, -1]]), alpha: 2, r: 1,
        };
        const got = call(m, c, 'loraBackward(x, W, A, B, 2, 1, dY)');
        expectGrads(m, got, { dB: tensor([[2], [-2]]), dA: tensor([[-4, -8]]), dx: tensor([[-3, -1]]) }, c, 'loraBackward(x, W, A, B, 2, 1, dY)');
      },
    },
    {
      name: t('matches central finite differences (N = 4, in = 5, out = 3, r = 2, alpha = 8)', '与中心有限差分一致（N = 4，in = 5，out = 3，r = 2，alpha = 8）'),
      task: 'loraBackward',
      run: (m, ctx) => {
        const c = randomCase(ctx, 4, 5, 3, 2, 8);
        expectGrads(m, call(m, c, 'loraBackward(x, W, A, B, 8, 2, dY)'), numericGrads(c), c, 'loraBackward(x, W, A, B, 8, 2, dY)', { rtol: 1e-3, atol: 1e-4 });
      },
    },
    {
      name: t('matches the kit\'s autograd, with W frozen (N = 6, in = 7, out = 4, r = 3, alpha = 6)', '与库的自动求导一致，W 冻结（N = 6，in = 7，out = 4，r = 3，alpha = 6）'),
      task: 'loraBackward',
      run: (m, ctx) => {
        const c = randomCase(ctx, 6, 7, 4, 3, 6);
        // The same forward pass with kit ops; only x, A and B require gradients.
        const [x, A, B] = [c.x, c.A, c.B].map((t) => tensor(t.data, t.shape, { requiresGrad: true }));
        const y = add(linear(x, c.W), mul(linear(linear(x, A), B), c.alpha / c.r));
        y.backward(c.dY);
        const auto = { dx: tensor(x.grad!, x.shape), dA: tensor(A.grad!, A.shape), dB: tensor(B.grad!, B.shape) };
        expectGrads(m, call(m, c, 'loraBackward(x, W, A, B, 6, 3, dY)'), auto, c, 'loraBackward(x, W, A, B, 6, 3, dY)');
        if (c.W.grad) throw new Error('check bug: W got a gradient');
      },
    },
    {
      name: t('step 0 (B = 0): dA is exactly zero and dB is not, so B moves first', '第 0 步（B = 0）：dA 恰好为零而 dB 不为零，所以 B 先动'),
      task: 'loraBackward',
      run: (m, ctx) => {
        const c = { ...randomCase(ctx, 3, 4, 5, 2, 4), B: tensor(new Float32Array(10), [5, 2]) };
        const got = call(m, c, 'loraBackward(x, W, A, zeros([5, 2]), 4, 2, dY)');
        expectClose(got.dA, tensor(new Float32Array(8), [2, 4]), { what: 'loraBackward(x, W, A, zeros([5, 2]), 4, 2, dY).dA',
          hint: t('dA = s · (dY B)ᵀ x, and dY B = 0 when B = 0.', 'dA = s · (dY B)ᵀ x，而 B = 0 时 dY B = 0。') });
        expectGrads(m, got, loraBackward64(c.x, c.W, c.A, c.B, c.alpha, c.r, c.dY), c, 'loraBackward(x, W, A, zeros([5, 2]), 4, 2, dY)');
      },
    },
    {
      name: t('shapes: a tall batch with in ≠ out ≠ r (N = 9, in = 6, out = 10, r = 4)', '形状：一个较高的批次，in ≠ out ≠ r（N = 9，in = 6，out = 10，r = 4）'),
      task: 'loraBackward',
      run: (m, ctx) => {
        const c = randomCase(ctx, 9, 6, 10, 4, 32);
        expectGrads(m, call(m, c, 'loraBackward(x, W, A, B, 32, 4, dY)'), loraBackward64(c.x, c.W, c.A, c.B, c.alpha, c.r, c.dY), c, 'loraBackward(x, W, A, B, 32, 4, dY)');
      },
    },
  ],
});
