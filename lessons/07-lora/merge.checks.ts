/**
 * Checks for lesson 7, exercise 4 (lora/merge): merge and unmerge.
 *
 * Expected weights come from the float64 reference (@llm-lab/course/lora); the merged layer is also run on inputs and
 * compared with the LoRA layer's output. The catalogued mistakes (the wrong transpose, the scale missing or
 * inverted, unmerge adding again or doing nothing) are each recognised, and so are two conventions, named as
 * such: W changed in place (PEFT's merge()) and rsLoRA's scale alpha / √r.
 */
import {
  type CheckContext, defineChecks, expectClose, expectCloseLazy, expectUnchanged, fail, mistake, randomTensor, snapshot, t, withShapeAdvice,
} from '@llm-lab/check';
import { MERGE_MISTAKES, UNMERGE_MISTAKES, loraForward64, merge64, unmerge64 } from '@llm-lab/course/lora';
import { type Tensor, linear, tensor } from '@llm-lab/kit';
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

function expectMerged(got: Tensor, c: Case, what: string): void {
  expectCloseLazy(got, merge64(c.W, c.A, c.B, c.alpha, c.r)!, { what, rtol: RTOL, atol: ATOL, hint: MERGE_HINT },
    () => MERGE_MISTAKES.map((key) => {
      const value = merge64(c.W, c.A, c.B, c.alpha, c.r, key);
      return value && { value, ...M[key] };
    }));
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
        expectMerged(got, c, 'merge(I, A, B, 2, 1)');
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
          expectMerged(got, c, what);
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
          const got = withShapeAdvice(() => m.unmerge(merged, c.A, c.B, alpha, r), SHAPE_ADVICE);
          expectUnchanged(merged, before, 'merged');
          expectCloseLazy(got, c.W, { what: `unmerge(merge(W), A, B, ${alpha}, ${r})`, rtol: RTOL, atol: ATOL, hint: UNMERGE_HINT },
            () => UNMERGE_MISTAKES.map((key) => ({ value: unmerge64(merged, c.A, c.B, alpha, r, key), ...M[key] })));
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
        const back = withShapeAdvice(() => m.unmerge(merged, c.A, c.B, c.alpha, c.r), SHAPE_ADVICE);
        expectUnchanged(c.W, original, 'W');
        expectCloseLazy(back, original, { what: 'unmerge(merge(W, A, B), A, B)', rtol: RTOL, atol: ATOL },
          () => UNMERGE_MISTAKES.map((key) => ({ value: unmerge64(merged, c.A, c.B, c.alpha, c.r, key), ...M[key] })));
      },
    },
  ],
});
