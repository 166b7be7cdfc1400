/**
 * Checks for lesson 7, exercise 4 (lora/merge): merge and unmerge.
 *
 * Expected weights come from the float64 reference (reference.ts); the merged layer is also run on inputs and
 * compared with the LoRA layer's output. The catalogued mistakes (the wrong transpose, the scale missing or
 * inverted, W changed in place, unmerge adding again or doing nothing) are each recognised.
 */
import { type CheckContext, defineChecks, expectClose, fail } from '@llm-lab/check';
import { type Tensor, linear, tensor } from '@llm-lab/kit';
import { expectCloseLazy, expectUnchanged, randomTensor, snapshot, withShapeAdvice } from '../02-attention/check-helpers';
import { LORA_MISTAKE_TEXT as TEXT } from './mistakes';
import { MERGE_MISTAKES, UNMERGE_MISTAKES, loraForward64, merge64, unmerge64 } from './reference';

type Learner = typeof import('./merge');

const RTOL = 1e-4;
const ATOL = 1e-5;
const SHAPE_ADVICE = 'Shapes: W is (out, in), B A is (out, r) @ (r, in) = (out, in); no transpose is needed.';

interface Case { W: Tensor; A: Tensor; B: Tensor; alpha: number; r: number }

function randomCase(ctx: CheckContext, dIn: number, dOut: number, r: number, alpha: number): Case {
  return { W: randomTensor(ctx, [dOut, dIn], 1), A: randomTensor(ctx, [r, dIn], 1), B: randomTensor(ctx, [dOut, r], 1), alpha, r };
}

function callMerge(m: Learner, c: Case): Tensor {
  const before = [c.W, c.A, c.B].map(snapshot);
  const got = withShapeAdvice(() => m.merge(c.W, c.A, c.B, c.alpha, c.r), SHAPE_ADVICE);
  const changed = c.W.data.some((v, i) => v !== before[0].data[i]);
  if (changed) fail(TEXT['merge-in-place'].message, { hint: TEXT['merge-in-place'].hint });
  expectUnchanged(c.A, before[1], 'A');
  expectUnchanged(c.B, before[2], 'B');
  return got;
}

function expectMerged(got: Tensor, c: Case, what: string): void {
  expectCloseLazy(got, merge64(c.W, c.A, c.B, c.alpha, c.r)!, { what, rtol: RTOL, atol: ATOL, hint: 'W\' = W + (alpha / r) · B A.' },
    () => MERGE_MISTAKES.map((mistake) => {
      const value = merge64(c.W, c.A, c.B, c.alpha, c.r, mistake);
      return value && { value, ...TEXT[mistake] };
    }));
}

export default defineChecks<Learner>({
  exports: ['merge', 'unmerge'],
  checks: [
    {
      name: 'merge: a small example by hand',
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
      name: 'the merged layer computes what the LoRA layer computes (square and non-square W)',
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
            what: `x W'ᵀ + b against the LoRA layer x Wᵀ + b + (alpha / r) x Aᵀ Bᵀ (${what})`, rtol: RTOL, atol: 1e-4,
          });
        }
      },
    },
    {
      name: 'unmerge(merge(W)) gives W back, up to float32 rounding',
      task: 'unmerge',
      run: (m, ctx) => {
        for (const [dIn, dOut, r, alpha] of [[6, 6, 2, 16], [5, 8, 3, 6]]) {
          const c = randomCase(ctx, dIn, dOut, r, alpha);
          // W' computed here in float32, from the reference: unmerge is checked on its own.
          const ref = merge64(c.W, c.A, c.B, alpha, r)!;
          const merged = tensor(Float32Array.from(ref.data), ref.shape);
          const before = snapshot(merged);
          const got = withShapeAdvice(() => m.unmerge(merged, c.A, c.B, alpha, r), SHAPE_ADVICE);
          expectUnchanged(merged, before, 'the merged weight');
          expectCloseLazy(got, c.W, { what: `unmerge(merge(W), A, B, ${alpha}, ${r})`, rtol: RTOL, atol: ATOL, hint: 'unmerge(W\') = W\' - (alpha / r) · B A.' },
            () => UNMERGE_MISTAKES.map((mistake) => ({ value: unmerge64(merged, c.A, c.B, alpha, r, mistake), ...TEXT[mistake] })));
        }
      },
    },
    {
      name: 'merge then unmerge with your own functions: W is restored and was never modified',
      task: 'unmerge',
      run: (m, ctx) => {
        const c = randomCase(ctx, 7, 7, 3, 12);
        const original = snapshot(c.W);
        const merged = callMerge(m, c);
        const back = withShapeAdvice(() => m.unmerge(merged, c.A, c.B, c.alpha, c.r), SHAPE_ADVICE);
        expectUnchanged(c.W, original, 'W');
        expectCloseLazy(back, original, { what: 'unmerge(merge(W, A, B), A, B)', rtol: RTOL, atol: ATOL },
          () => UNMERGE_MISTAKES.map((mistake) => ({ value: unmerge64(merged, c.A, c.B, c.alpha, c.r, mistake), ...TEXT[mistake] })));
      },
    },
  ],
});
