/**
 * Checks for the FlashAttention lesson (flash-attention/flash): flashAttention(q, k, v, causal, blockQ, blockK)
 * -> { out, lse }.
 *
 * Expected values come from a float64 reference that computes every score at once (no tiles), and, on the bundled
 * model, from the attention lesson's float64 reference and onnxruntime's attention probabilities. Each catalogued
 * mistake is computed as its own wrong variant, tile by tile with the learner's tile sizes (src/course/scale/flash.ts),
 * and named only when the learner's numbers are that variant's; a NaN is named only in a causal run whose tiles
 * really have rows that see nothing; the memory check counts allocations (kit tensors and typed arrays).
 *
 * Which check names which catalogued mistake (test/unit/mistakes/flash.ts runs each case through its check):
 *   not causal: a float64 reference, several tile sizes ... no-rescale, l-not-rescaled, lse-without-m, no-final-division
 *   causal: rows that see nothing inside a tile ........... nan-masked-tile, tile-local-mask, and the four above
 *   huge scores ............................................ no-rescale, l-not-rescaled, lse-without-m, no-final-division
 *   the bundled model's heads .............................. tile-local-mask, nan-masked-tile, and the four above
 *   memory: bounded by the tiles ........................... full-score-matrix
 *   inputs unchanged, causal T_q ≠ T_k refused ............. (no catalogued mistake)
 *
 * The memory check counts, during the learner's call only (flashCountAllocations in src/course/scale/flash.ts): every
 * kit Tensor and every typed array made with `new`, `.from` or `.of`. Allowed: the largest of q, k, v, out
 * (B·T·d) and one tile per batch element (B·blockQ·blockK); at T = 128 and 256 that is 8 to 16 times less than
 * T_q·T_k. Not counted, as the lesson says: plain JS arrays, typed-array copies by .slice()/.map(), and a constructor
 * captured before the call. It catches the natural T × T buffer; it is not a proof.
 */
import {
  type CheckContext, type Misconception, defineChecks, expectCloseLazy, expectError, expectTensorField, expectTrue,
  expectUnchanged, fail, join, randomTensor, snapshot, t, withShapeAdvice,
} from '@llm-lab/check';
import type { Tensor } from '@llm-lab/kit';
import { attention64, headsOf, modelFixture } from '@llm-lab/course/attention';
import {
  FLASH_VARIANTS as VARIANTS, type FlashMistake, type FlashResult64, flashCountAllocations, flashReference64, flashTiled64,
} from '@llm-lab/course/scale';
import { FLASH_MISTAKES as M, type FlashMistakeKey } from './mistakes';

type Learner = typeof import('./flash');
type Got = { out: Tensor; lse: Tensor };

const TOL = { rtol: 1e-4, atol: 1e-5 };
/** Model-level comparisons, absolute, as the attention lesson's. */
const MODEL_ATOL = 1e-4;

const SHAPE_ADVICE = t(
  'Shapes: q (..., T_q, d), k (..., T_k, d), v (..., T_k, d_v); out is (..., T_q, d_v) and lse is (..., T_q).',
  '形状：q (..., T_q, d)，k (..., T_k, d)，v (..., T_k, d_v)；out 是 (..., T_q, d_v)，lse 是 (..., T_q)。',
);

/** The variant of each catalogue entry the course computes (tile-local-mask has two: with and without tile skipping). */
const KEY_OF: Record<FlashMistake, FlashMistakeKey> = {
  'no-rescale': 'no-rescale', 'l-not-rescaled': 'l-not-rescaled', 'lse-without-m': 'lse-without-m', 'no-final-division': 'no-final-division',
  'tile-local-mask': 'tile-local-mask', 'tile-local-mask-all': 'tile-local-mask',
};

/** Calls the learner's function (inside `around`, e.g. an allocation counter) and checks its result's fields and that q, k, v were left alone. */
function call(m: Learner, q: Tensor, k: Tensor, v: Tensor, causal: boolean, bq: number, bk: number, what: string,
  around: (fn: () => unknown) => unknown = (fn) => fn()): Got {
  const before = [snapshot(q), snapshot(k), snapshot(v)];
  const result = withShapeAdvice(() => around(() => m.flashAttention(q, k, v, causal, bq, bk)), SHAPE_ADVICE);
  const out = expectTensorField(result, 'out', what, '{ out, lse }');
  const lse = expectTensorField(result, 'lse', what, '{ out, lse }');
  expectUnchanged(q, before[0], 'q');
  expectUnchanged(k, before[1], 'k');
  expectUnchanged(v, before[2], 'v');
  return { out, lse };
}

function hasNaN(a: { data: ArrayLike<number> }): boolean {
  for (let i = 0; i < a.data.length; i++) if (Number.isNaN(a.data[i])) return true;
  return false;
}

/** Whether row i of the query tile that holds it sees none of the keys of some tile that is not skipped (causal). */
function rowHasEmptyTile(i: number, T: number, bq: number, bk: number): boolean {
  const i0 = Math.floor(i / bq) * bq;
  const last = Math.min(i0 + bq, T) - 1;
  for (let j0 = 0; j0 <= last; j0 += bk) if (j0 > i) return true;
  return false;
}

/**
 * The NaN of the masked-tile mistake: every row with a NaN is a row that sees nothing of some processed tile, and
 * every other row is right (a mask that hides the diagonal also gives NaN rows, but not only those, and others wrong).
 */
function isMaskedTileNaN(got: Got, ref: FlashResult64, T: number, bq: number, bk: number, dv: number, tol: { rtol: number; atol: number }): boolean {
  let nanRows = 0;
  for (let row = 0; row < got.lse.data.length; row++) {
    const outRow = Array.from(got.out.data.subarray(row * dv, (row + 1) * dv));
    if (outRow.some(Number.isNaN) || Number.isNaN(got.lse.data[row])) {
      if (!rowHasEmptyTile(row % T, T, bq, bk)) return false;
      nanRows += 1;
    } else if (!close(outRow, ref.out.data.subarray(row * dv, (row + 1) * dv), tol) || !close([got.lse.data[row]], [ref.lse.data[row]], tol)) {
      return false;
    }
  }
  return nanRows > 0;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: { rtol: number; atol: number }): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (!(Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y))) return false;
  }
  return true;
}

/**
 * Compares out, then lse, with the float64 reference; a mismatch that is a catalogued variant (with the same tiles)
 * names it. A NaN in a causal run whose tiles have rows that see nothing is the masked-tile mistake.
 */
function expectFlash(got: Got, q: Tensor, k: Tensor, v: Tensor, causal: boolean, bq: number, bk: number, what: string,
  ref: FlashResult64 = flashReference64(q, k, v, causal), tol = TOL): void {
  if ((hasNaN(got.out) || hasNaN(got.lse)) && !hasNaN(ref.out) && !hasNaN(ref.lse)) {
    const T = q.shape[q.ndim - 2];
    const shapesRight = got.out.data.length === ref.out.data.length && got.lse.data.length === ref.lse.data.length;
    if (causal && shapesRight && isMaskedTileNaN(got, ref, T, bq, bk, v.shape[v.ndim - 1], tol)) {
      fail(join([M['nan-masked-tile'].message, t(`(${what} with T = ${T}, tiles ${bq} × ${bk}.)`, `（${what}，T = ${T}，分块 ${bq} × ${bk}。）`)], ' '),
        { hint: M['nan-masked-tile'].hint });
    }
    fail(t(`${what} contains NaN where the reference has finite numbers.`, `${what} 中出现了 NaN，而参考结果全是有限数。`),
      { hint: t('Look for exp(-Infinity - (-Infinity)), 0 / 0 or Math.log of a negative number.', '检查是否出现 exp(-Infinity - (-Infinity))、0 / 0，或对负数取 Math.log。') });
  }
  const variants = (field: 'out' | 'lse'): Misconception[] => VARIANTS.flatMap((name) => {
    if (!causal && (name === 'tile-local-mask' || name === 'tile-local-mask-all')) return [];
    const wrong = flashTiled64(q, k, v, causal, bq, bk, name);
    if (close(wrong[field].data, ref[field].data, tol)) return []; // the mistake does not show on this input
    return [{ value: wrong[field], ...M[KEY_OF[name]] }];
  });
  expectCloseLazy(got.out, ref.out, {
    what: `${what}.out`, ...tol,
    hint: t('out_i = Σ_j softmax(s_i)_j · v_j with s_ij = q_i·k_j / √d: after the last tile, acc / l.', 'out_i = Σ_j softmax(s_i)_j · v_j，其中 s_ij = q_i·k_j / √d：处理完最后一个分块后，等于 acc / l。'),
  }, () => variants('out'));
  expectCloseLazy(got.lse, ref.lse, {
    what: `${what}.lse`, ...tol,
    hint: t('Your out is right; lse_i = log Σ_j exp(s_ij) = m_i + log(l_i) over the keys row i sees.', '你的 out 是对的；lse_i = log Σ_j exp(s_ij) = m_i + log(l_i)，只对第 i 行能看到的 key 求和。'),
  }, () => variants('lse'));
}

function inputs(ctx: CheckContext, lead: number[], Tq: number, Tk: number, d: number, dv: number, scale = 1): [Tensor, Tensor, Tensor] {
  return [randomTensor(ctx, [...lead, Tq, d], scale), randomTensor(ctx, [...lead, Tk, d], scale), randomTensor(ctx, [...lead, Tk, dv])];
}

const TILE_HINT = t(
  'Per query tile: m = -Infinity, l = 0, acc = 0 per row; per key tile: scores, the tile\'s row max, m_new = max(m, tileMax), alpha = exp(m - m_new), l = alpha·l + Σ exp(s - m_new), acc = alpha·acc + Σ exp(s - m_new)·v; at the end out = acc / l, lse = m + log(l).',
  '每个 query 分块：每行 m = -Infinity，l = 0，acc = 0；每个 key 分块：计算分数和行内最大值，m_new = max(m, tileMax)，alpha = exp(m - m_new)，l = alpha·l + Σ exp(s - m_new)，acc = alpha·acc + Σ exp(s - m_new)·v；最后 out = acc / l，lse = m + log(l)。',
);

/** The memory check's sizes. */
const MEMORY_RUNS: { lead: number[]; T: number; d: number; bq: number; bk: number }[] = [
  { lead: [1, 2], T: 128, d: 8, bq: 16, bk: 16 },
  { lead: [1, 2], T: 256, d: 8, bq: 16, bk: 16 },
  { lead: [1, 2], T: 256, d: 8, bq: 32, bk: 8 },
];

export default defineChecks<Learner>({
  exports: ['flashAttention'],
  checks: [
    {
      name: t('not causal: out and lse match a float64 reference for several tile sizes', '非因果：多种分块大小下，out 和 lse 与 float64 参考结果一致'),
      task: 'flashAttention',
      hint: TILE_HINT,
      run: (m, ctx) => {
        const [q, k, v] = inputs(ctx, [2, 3], 10, 13, 4, 5, 1.5);
        for (const [bq, bk] of [[4, 3], [3, 4], [16, 16], [1, 1], [10, 13]]) {
          expectFlash(call(m, q, k, v, false, bq, bk, `flashAttention(q, k, v, false, ${bq}, ${bk})`), q, k, v, false, bq, bk, `flashAttention(q, k, v, false, ${bq}, ${bk})`);
        }
        const [q2, k2, v2] = inputs(ctx, [], 7, 7, 3, 2, 1.5); // 2-D: no batch axes
        expectFlash(call(m, q2, k2, v2, false, 2, 3, 'flashAttention(q2, k2, v2, false, 2, 3)'), q2, k2, v2, false, 2, 3, 'flashAttention(q2, k2, v2, false, 2, 3)');
      },
    },
    {
      name: t('causal: tiles below the diagonal, tiles skipped above it, and rows that see nothing inside a tile', '因果：对角线下方的分块、上方被跳过的分块，以及在某个分块内什么也看不到的行'),
      task: 'flashAttention',
      hint: TILE_HINT,
      run: (m, ctx) => {
        const [q, k, v] = inputs(ctx, [2, 2], 11, 11, 4, 3, 1.5);
        for (const [bq, bk] of [[4, 4], [4, 2], [3, 5], [5, 3], [1, 1], [16, 16]]) {
          const what = `flashAttention(q, k, v, true, ${bq}, ${bk})`;
          expectFlash(call(m, q, k, v, true, bq, bk, what), q, k, v, true, bq, bk, what);
        }
      },
    },
    {
      name: t('huge scores: no overflow, and a max that grows from tile to tile', '极大的分数：不溢出，且最大值在分块之间不断变大'),
      task: 'flashAttention',
      hint: TILE_HINT,
      run: (m, ctx) => {
        // Scores of about 90 + 1.5·j (exp(88.7) overflows float32) that grow along the keys, so every new tile
        // raises the running max and the rescaling is exercised on every tile, with weight spread over a few keys.
        const T = 12;
        const d = 4;
        const q = randomTensor(ctx, [1, T, d], 1);
        for (let i = 0; i < q.data.length; i += d) q.data[i] = 30 + 0.1 * q.data[i];
        const k = randomTensor(ctx, [1, T, d], 1);
        for (let j = 0; j < T; j++) k.data[j * d] = 6 + 0.1 * j;
        const v = randomTensor(ctx, [1, T, 3], 1);
        for (const [bq, bk] of [[4, 3], [2, 5]]) {
          for (const causal of [false, true]) {
            const what = `flashAttention(q, k, v, ${causal}, ${bq}, ${bk})`;
            expectFlash(call(m, q, k, v, causal, bq, bk, what), q, k, v, causal, bq, bk, what, undefined, { rtol: 1e-4, atol: 1e-4 });
          }
        }
      },
    },
    {
      name: t('the bundled model\'s heads: equal to the attention lesson\'s attention (layers 0 and 1, causal)', '内置模型的注意力头：与注意力一课的 attention 结果相同（第 0、1 层，因果）'),
      task: 'flashAttention',
      hint: TILE_HINT,
      run: async (m) => {
        const f = await modelFixture();
        const { nHead } = f.model.config;
        for (const layer of [0, 1]) {
          const [q, k, v] = (['q', 'k', 'v'] as const).map((p) => headsOf(f, layer, p)); // (1, nh, T, hs)
          const hs = q.shape[3];
          const what = `flashAttention(q, k, v, true, 8, 5) on layer ${layer}'s heads`;
          const got = call(m, q, k, v, true, 8, 5, what);
          expectFlash(got, q, k, v, true, 8, 5, what, undefined, { rtol: 1e-4, atol: MODEL_ATOL });
          // The attention lesson's float64 attention, and onnxruntime's probabilities times v: the same out.
          const lesson = attention64(q, k, v, true)!;
          expectCloseLazy(got.out, lesson.out, { what: `${what}.out vs the attention lesson's attention(q, k, v, true).out`, rtol: 0, atol: MODEL_ATOL }, () => []);
          const probs = f.outputs[`attn_probs_${layer}`].data;
          const onnx = new Float64Array(got.out.data.length);
          for (let h = 0; h < nHead; h++) for (let i = 0; i < f.T; i++) for (let j = 0; j < f.T; j++) {
            const p = Number(probs[(h * f.T + i) * f.T + j]);
            for (let x = 0; x < hs; x++) onnx[(h * f.T + i) * hs + x] += p * v.data[(h * f.T + j) * hs + x];
          }
          expectCloseLazy(got.out, { data: onnx, shape: [...got.out.shape] }, { what: `${what}.out vs onnxruntime's attn_probs_${layer} @ v`, rtol: 0, atol: MODEL_ATOL }, () => []);
        }
      },
    },
    {
      name: t('memory: the largest buffer is bounded by the tiles and the inputs, never T_q × T_k', '内存：最大的缓冲区受分块和输入大小限制，绝不是 T_q × T_k'),
      task: 'flashAttention',
      hint: M['full-score-matrix'].hint,
      run: (m, ctx) => {
        const rows: (string | number)[][] = [];
        for (const { lead, T, d, bq, bk } of MEMORY_RUNS) {
          const [q, k, v] = inputs(ctx, lead, T, T, d, d, 1);
          const what = `flashAttention(q, k, v, true, ${bq}, ${bk}) with T = ${T}`;
          let counted = { largest: 0, total: 0, count: 0 };
          const got = call(m, q, k, v, true, bq, bk, what, (fn) => {
            const c = flashCountAllocations(fn); // only the learner's call is counted, not the checks' own copies
            counted = c;
            return c.result;
          });
          expectFlash(got, q, k, v, true, bq, bk, what);
          const B = lead.reduce((a, b) => a * b, 1);
          // Allowed: a copy of an input or of the output (B·T·d), and a tile for every batch element at once.
          const limit = Math.max(q.data.length, k.data.length, v.data.length, B * T * d, B * bq * bk);
          rows.push([T, `${bq} × ${bk}`, counted.largest, limit, T * T, counted.count]);
          if (counted.largest > limit) {
            fail(join([M['full-score-matrix'].message, t(
              `With T = ${T}, tiles ${bq} × ${bk}, (${[...lead, T, d].join(', ')}) inputs, the largest tensor or typed array created was ${counted.largest} numbers; allowed: ${limit} (the larger of an input's size and a tile per batch element, ${B} × ${bq} × ${bk}); T_q × T_k = ${T * T}.`,
              `T = ${T}、分块 ${bq} × ${bk}、输入形状 (${[...lead, T, d].join(', ')}) 时，创建的最大张量或类型化数组有 ${counted.largest} 个数；允许的上限是 ${limit}（输入大小与每个批次元素一个分块 ${B} × ${bq} × ${bk} 中的较大者）；T_q × T_k = ${T * T}。`,
            )], ' '), { hint: M['full-score-matrix'].hint });
          }
        }
        ctx.artifact({
          kind: 'table',
          title: t('Allocations of flashAttention (causal, d = 8, 2 heads)', 'flashAttention 的内存分配（因果，d = 8，2 个头）'),
          columns: [t('T', 'T'), t('tiles', '分块'), t('largest buffer (numbers)', '最大缓冲区（数的个数）'), t('allowed', '上限'), t('T_q × T_k', 'T_q × T_k'), t('allocations', '分配次数')],
          rows,
        });
      },
    },
    {
      name: t('leaves q, k, v unchanged and refuses causal attention with T_q ≠ T_k', '不修改 q、k、v，并拒绝 T_q ≠ T_k 的因果注意力'),
      task: 'flashAttention',
      run: (m, ctx) => {
        const [q, k, v] = inputs(ctx, [2], 6, 6, 4, 4);
        call(m, q, k, v, true, 4, 4, 'flashAttention(q, k, v, true, 4, 4)'); // checks q, k, v afterwards
        // The default tiles (16 × 16) when none are given.
        const before = [snapshot(q), snapshot(k), snapshot(v)];
        const byDefault = withShapeAdvice(() => m.flashAttention(q, k, v, true), SHAPE_ADVICE);
        expectUnchanged(q, before[0], 'q');
        expectUnchanged(k, before[1], 'k');
        expectUnchanged(v, before[2], 'v');
        expectFlash({ out: expectTensorField(byDefault, 'out', 'flashAttention(q, k, v, true)', '{ out, lse }'), lse: expectTensorField(byDefault, 'lse', 'flashAttention(q, k, v, true)', '{ out, lse }') },
          q, k, v, true, 16, 16, 'flashAttention(q, k, v, true)');
        const [q2, k2, v2] = inputs(ctx, [2], 4, 6, 4, 4);
        const e = expectError(() => m.flashAttention(q2, k2, v2, true, 4, 4), 'flashAttention(q (2, 4, 4), k (2, 6, 4), v, true, 4, 4)',
          t('With T_q ≠ T_k, "key j is in the future of query i" depends on where the queries sit (top-left or bottom-right): throw an Error, as the attention lesson does.',
            'T_q ≠ T_k 时，“key j 在 query i 的未来”取决于 query 在序列中的位置（左上对齐还是右下对齐）：像注意力一课那样抛出 Error。'));
        expectTrue(e instanceof Error, t('the throw should be an Error', '抛出的应当是 Error'));
        const r = m.flashAttention(q2, k2, v2, false, 4, 4); // not causal: any T_k is fine
        expectFlash({ out: expectTensorField(r, 'out', 'flashAttention(q2, k2, v2, false)', '{ out, lse }'), lse: expectTensorField(r, 'lse', 'flashAttention(q2, k2, v2, false)', '{ out, lse }') },
          q2, k2, v2, false, 4, 4, 'flashAttention(q2, k2, v2, false, 4, 4)');
      },
    },
  ],
});
