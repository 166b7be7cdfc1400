/**
 * Checks for the LoRA lesson, exercise 4 (lora/merge): merge and unmerge.
 *
 * Expected weights come from the float64 reference (@llm-lab/course/lora); the merged layer is also run on inputs and
 * compared with the LoRA layer's output. The catalogued mistakes (the wrong transpose, the scale missing or
 * inverted, unmerge adding again or doing nothing) are each recognised, and so are two conventions, named as
 * such: W changed in place (PEFT's merge()) and rsLoRA's scale alpha / √r.
 *
 * Which check names which catalogued mistake (lessons/07-lora/mistakes.ts):
 *   check                                              names
 *   merge: a small example by hand                     merge-transposed, merge-no-scale, merge-inverted-scale, merge-in-place
 *                                                      (PEFT's convention; alpha / √r = alpha / r there: r = 1)
 *   the merged layer computes what the LoRA layer ...  merge-transposed (square W), merge-no-scale, merge-inverted-scale,
 *                                                      scale-rslora (rsLoRA's convention), merge-in-place
 *   unmerge(merge(W)) gives W back ...                 unmerge-adds, unmerge-noop, scale-rslora
 *   merge then unmerge with your own functions ...     merge-in-place, unmerge-adds, unmerge-noop, scale-rslora
 * A mistake is named only when the learner's function makes it again on a second, fixed input (square W, alpha = 6,
 * r = 3), so B A divided by r alone (alpha ignored) is not "without the factor alpha / r" on the hand example where
 * r = 1. An update W' - W that is a constant multiple of (alpha / r) B A otherwise says so, with the factor.
 */
import {
  type CheckContext, type Text, defineChecks, expectClose, expectCloseLazy, expectUnchanged, fail, isTensorLike, join, mistake, randomTensor, show, snapshot, t,
  withShapeAdvice,
} from '@llm-lab/check';
import {
  type Arr, MERGE_MISTAKES, type MergeMistake, UNMERGE_MISTAKES, type UnmergeMistake, allClose, factorOf, loraForward64, merge64, normalTensor, scaleNote, unmerge64,
} from '@llm-lab/course/lora';
import { Rng, type Tensor, linear, tensor } from '@llm-lab/kit';
import { LORA_MISTAKES as M } from './mistakes';

type Learner = typeof import('./merge');

const RTOL = 1e-4;
const ATOL = 1e-5;
const SHAPE_ADVICE = t(
  'Shapes: W is (out, in), B A is (out, r) @ (r, in) = (out, in); no transpose is needed.',
  '形状：W 是 (out, in)，B A 是 (out, r) @ (r, in) = (out, in)；不需要转置。',
);
const MERGE_HINT = t('W\' = W + (alpha / r) · B A.', 'W\' = W + (alpha / r) · B A。');
const UNMERGE_HINT = t('unmerge(W\') = W\' - (alpha / r) · B A.', 'unmerge(W\') = W\' - (alpha / r) · B A。');

interface Case { W: Tensor; A: Tensor; B: Tensor; alpha: number; r: number }

function randomCase(ctx: CheckContext, dIn: number, dOut: number, r: number, alpha: number): Case {
  return { W: randomTensor(ctx, [dOut, dIn], 1), A: randomTensor(ctx, [r, dIn], 1), B: randomTensor(ctx, [dOut, r], 1), alpha, r };
}

function callMerge(m: Learner, c: Case): Tensor {
  const before = [c.W, c.A, c.B].map(snapshot);
  const got = withShapeAdvice(() => m.merge(c.W, c.A, c.B, c.alpha, c.r), SHAPE_ADVICE);
  const changed = c.W.data.some((v, i) => v !== before[0].data[i]);
  if (changed) fail(...mistake(M['merge-in-place']));
  expectUnchanged(c.A, before[1], 'A');
  expectUnchanged(c.B, before[2], 'B');
  return got;
}

/**
 * A fixed second input on which a mistake seen on the check's own input must show again before it is named: W is
 * square (so the transposed merge runs), and s = alpha / r = 2 differs from every wrong scale (none 1, r / alpha 0.5,
 * alpha / √r ≈ 3.46) and from slips such as 1 / r, which equals "no scale" on the hand example (alpha = 2, r = 1).
 */
function confirmCase(): Case {
  const rng = new Rng(30);
  const random = () => rng.random();
  return { W: normalTensor(random, [4, 4]), A: normalTensor(random, [3, 4]), B: normalTensor(random, [4, 3]), alpha: 6, r: 3 };
}

/** The learner's merge (or unmerge, on the reference's merged weight) on the confirming input also gives `wrong(c)`. */
function confirmed(run: (c: Case) => unknown, wrong: (c: Case) => Arr | undefined): boolean {
  const c = confirmCase();
  const value = wrong(c);
  try {
    return value !== undefined && allClose(run(c), value, RTOL, ATOL);
  } catch {
    return false;
  }
}

const minus = (a: Arr, b: Arr): Arr => ({ data: Float64Array.from(a.data, (v, i) => Number(v) - Number(b.data[i])), shape: [...a.shape] });

/**
 * Compares with the right weight. A catalogued mistake is named only when the learner's function makes it on the
 * confirming input too; otherwise an update that is a constant multiple of (alpha / r) B A says so, with the factor.
 * `base` is the weight the update was added to (W for merge, W' for unmerge), `sign` +1 for merge and -1 for unmerge.
 */
function expectWeight(got: unknown, expected: Arr, base: Arr, c: Case, what: string, hint: Text,
  candidates: { key: MergeMistake | UnmergeMistake; value: Arr | undefined; confirm: () => boolean }[], sign: 1 | -1): void {
  if (allClose(got, expected, RTOL, ATOL)) return;
  const named = candidates.find((k) => k.value !== undefined && allClose(got, k.value, RTOL, ATOL) && k.confirm());
  if (!named && isTensorLike(got) && got.data.length === base.data.length) {
    const k = factorOf(minus(got, base), minus(expected, base));
    if (k !== undefined) {
      fail(join([t(`${what} differs from the right weight. `, `${what} 与正确的权重不同。`),
        scaleNote(sign > 0 ? t('The update added to W, merge(...) - W,', '加到 W 上的更新量 merge(...) - W') : t('The update taken from W\', W\' - unmerge(...),', '从 W\' 中减去的更新量 W\' - unmerge(...)'), k, c.alpha / c.r)], ''),
      { hint, expected: show(expected), actual: show(got) });
    }
  }
  expectCloseLazy(got, expected, { what, rtol: RTOL, atol: ATOL, hint }, () => (named ? [{ value: named.value!, ...M[named.key] }] : []));
}

function expectMerged(m: Learner, got: Tensor, c: Case, what: string): void {
  expectWeight(got, merge64(c.W, c.A, c.B, c.alpha, c.r)!, c.W, c, what, MERGE_HINT, MERGE_MISTAKES.map((key) => ({
    key, value: merge64(c.W, c.A, c.B, c.alpha, c.r, key),
    confirm: () => confirmed((k) => m.merge(k.W, k.A, k.B, k.alpha, k.r), (k) => merge64(k.W, k.A, k.B, k.alpha, k.r, key)),
  })), 1);
}

function expectUnmerged(m: Learner, got: unknown, merged: Tensor, W: Arr, c: Case, what: string, hint?: Text): void {
  const ref = (k: Case) => tensor(Float32Array.from(merge64(k.W, k.A, k.B, k.alpha, k.r)!.data), k.W.shape);
  expectWeight(got, W, merged, c, what, hint ?? UNMERGE_HINT, UNMERGE_MISTAKES.map((key) => ({
    key, value: unmerge64(merged, c.A, c.B, c.alpha, c.r, key),
    confirm: () => confirmed((k) => m.unmerge(ref(k), k.A, k.B, k.alpha, k.r), (k) => unmerge64(ref(k), k.A, k.B, k.alpha, k.r, key)),
  })), -1);
}

export default defineChecks<Learner>({
  exports: ['merge', 'unmerge'],
  checks: [
    {
      name: t('merge: a small example by hand', 'merge：一个可以手算的小例子'),
      task: 'merge',
      run: (m) => {
        // B A = (1, 0)ᵀ (1, 2) = [[1, 2], [0, 0]]; alpha / r = 2 / 1 = 2, so W' = I + [[2, 4], [0, 0]].
        const c: Case = { W: tensor([[1, 0], [0, 1]]), A: tensor([[1, 2]]), B: tensor([[1], [0]]), alpha: 2, r: 1 };
        const got = callMerge(m, c);
        expectMerged(m, got, c, 'merge(I, A, B, 2, 1)');
        expectClose(got, tensor([[3, 4], [0, 1]]), { what: 'merge(I, A, B, 2, 1)' });
      },
    },
    {
      name: t('the merged layer computes what the LoRA layer computes (square and non-square W)', '合并后的层与 LoRA 层算出相同的结果（W 为方阵和非方阵）'),
      task: 'merge',
      run: (m, ctx) => {
        for (const [dIn, dOut, r, alpha] of [[6, 6, 2, 16], [5, 8, 3, 6], [8, 3, 4, 4]]) {
          const c = randomCase(ctx, dIn, dOut, r, alpha);
          const what = `merge(W (${dOut}, ${dIn}), A, B, ${alpha}, ${r})`;
          const got = callMerge(m, c);
          expectMerged(m, got, c, what);
          const x = randomTensor(ctx, [4, dIn], 1);
          const b = randomTensor(ctx, [dOut], 1);
          expectClose(linear(x, got, b), loraForward64(x, c.W, b, c.A, c.B, alpha / r), {
            what: `linear(x, ${what}, b)`, rtol: RTOL, atol: 1e-4,
            hint: t('x W\'ᵀ + b must equal the LoRA layer\'s x Wᵀ + b + (alpha / r) x Aᵀ Bᵀ.', 'x W\'ᵀ + b 必须等于 LoRA 层的 x Wᵀ + b + (alpha / r) x Aᵀ Bᵀ。'),
          });
        }
      },
    },
    {
      name: t('unmerge(merge(W)) gives W back, up to float32 rounding', 'unmerge(merge(W)) 还原出 W，误差仅为 float32 舍入'),
      task: 'unmerge',
      run: (m, ctx) => {
        for (const [dIn, dOut, r, alpha] of [[6, 6, 2, 16], [5, 8, 3, 6]]) {
          const c = randomCase(ctx, dIn, dOut, r, alpha);
          // W' computed here in float32, from the reference: unmerge is checked on its own.
          const ref = merge64(c.W, c.A, c.B, alpha, r)!;
          const merged = tensor(Float32Array.from(ref.data), ref.shape);
          const before = snapshot(merged);
          const [A0, B0] = [snapshot(c.A), snapshot(c.B)];
          const got = withShapeAdvice(() => m.unmerge(merged, c.A, c.B, alpha, r), SHAPE_ADVICE);
          expectUnchanged(merged, before, 'merged');
          expectUnchanged(c.A, A0, 'A');
          expectUnchanged(c.B, B0, 'B');
          expectUnmerged(m, got, merged, c.W, c, `unmerge(merge(W), A, B, ${alpha}, ${r})`);
        }
      },
    },
    {
      name: t('merge then unmerge with your own functions: W is restored and was never modified', '用你自己的函数先 merge 再 unmerge：W 被还原，而且从未被修改'),
      task: 'unmerge',
      run: (m, ctx) => {
        const c = randomCase(ctx, 7, 7, 3, 12);
        const original = snapshot(c.W);
        const merged = callMerge(m, c);
        const before = [merged, c.A, c.B].map(snapshot);
        const back = withShapeAdvice(() => m.unmerge(merged, c.A, c.B, c.alpha, c.r), SHAPE_ADVICE);
        expectUnchanged(c.W, original, 'W');
        (['merged', 'A', 'B'] as const).forEach((name, i) => expectUnchanged([merged, c.A, c.B][i], before[i], name));
        expectUnmerged(m, back, merged, original, c, 'unmerge(merge(W, A, B), A, B)');
      },
    },
  ],
});
