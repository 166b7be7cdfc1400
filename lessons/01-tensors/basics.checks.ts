/**
 * Checks for lesson 1 (tensors/basics): strides, offset, matmul, softmax.
 *
 * Every expected value is either worked out by hand (small cases, written as literals) or computed here
 * with plain float64 loops; no check calls one of the learner's functions to get an expected value.
 * Known wrong answers (b @ a, softmax over the wrong axis, exp overflow...) are computed too, so a failure
 * can say which mistake it looks like: the words are in ./mistakes.ts. So are other libraries' conventions
 * (column-major strides, NumPy's byte strides), which are named as conventions, never as mistakes; where the
 * lesson can accept another library's way without losing its point, it does: an offset that counts a negative
 * index from the end (Python indexing), a matmul that promotes a 1-D input (np.matmul, torch.matmul).
 */
import {
  type Misconception, type Mistake, type Text, deepEqual, defineChecks, expectClose, expectEqual, expectError, expectShape,
  expectTrue, expectUnchanged, fail, fmt, isTensorLike, randomArray, showPlain, snapshot, t,
} from '@llm-lab/check';
import { type NDArray, ndarray, numel } from '@llm-lab/kit';
import { TENSORS_MISTAKES as M } from './mistakes';

/** Lesson 1 writes plain loops, so the advice for a changed input is about arrays, not kit ops. */
const NEW_ARRAY = t('Allocate a new Float32Array for the result (new Float32Array(n)) and write only into that.',
  '为结果新建一个 Float32Array（new Float32Array(n)），只往它里面写。');

// ---------------------------------------------------------------------------------------------------------
// Independent references (float64, deliberately naive and separate from the learner's code)

/** Every multi-index of `shape`, in row-major order (last index fastest): (0,0,0), (0,0,1), ... */
function allIndices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const size of shape) {
    const next: number[][] = [];
    for (const prefix of out) for (let i = 0; i < size; i++) next.push([...prefix, i]);
    out = next;
  }
  return out;
}

/** Column-major strides (first index fastest): the classic wrong answer. */
function columnMajorStrides(shape: readonly number[]): number[] {
  const s: number[] = [];
  let step = 1;
  for (const size of shape) {
    s.push(step);
    step *= size;
  }
  return s;
}

/**
 * float64 matmul with explicit index functions, so the checks can also compute known-wrong variants.
 * Reading past the end of a Float32Array gives undefined, which turns into NaN: mimic that.
 */
function matmul64(
  a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number,
  aAt: (i: number, p: number) => number = (i, p) => i * k + p,
  bAt: (p: number, j: number) => number = (p, j) => p * m + j,
): number[] {
  const read = (arr: ArrayLike<number>, at: number) => (at >= 0 && at < arr.length ? arr[at] : NaN);
  const c = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += read(a, aAt(i, p)) * read(b, bAt(p, j));
      c[i * m + j] = s;
    }
  }
  return c;
}

type SoftmaxVariant = 'correct' | 'no-divide';

/** float64 softmax along `axis` (already non-negative), one slice at a time. */
function softmax64(x: ArrayLike<number>, shape: readonly number[], axis: number, variant: SoftmaxVariant = 'correct'): number[] {
  const len = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const y = new Array<number>(x.length);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const at = (a: number) => (o * len + a) * inner + r;
      let max = -Infinity;
      for (let a = 0; a < len; a++) max = Math.max(max, x[at(a)]);
      let sum = 0;
      for (let a = 0; a < len; a++) sum += Math.exp(x[at(a)] - max);
      for (let a = 0; a < len; a++) y[at(a)] = Math.exp(x[at(a)] - max) / (variant === 'correct' ? sum : 1);
    }
  }
  return y;
}

/** Softmax over every element at once (sums to 1 overall): the "forgot the axis" mistake. */
function softmaxAll64(x: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(x));
  const e = Array.from(x, (v) => Math.exp(v - max));
  const sum = e.reduce((p, v) => p + v, 0);
  return e.map((v) => v / sum);
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const NEGATIVE_AXIS_HINT = M['softmax-negative-axis'].hint;

const num = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : String(v));

/** Sentences in a row: the English ones separated by spaces, the Chinese ones (full-width punctuation) run together. */
function sentences(...parts: (Text | undefined)[]): Text {
  const kept = parts.filter((p): p is Text => p !== undefined && (p.en !== '' || p['zh-cn'] !== ''));
  return t(kept.map((p) => p.en).join(' '), kept.map((p) => p['zh-cn']).join(''));
}

/** A message that names a catalogued mistake: what happened on this input, then the catalogue's words. */
function named(what: Text, m: Mistake, detail?: Text): Text {
  return sentences(what, m.message, detail);
}

/** Fails naming a catalogue entry, with its hint, and marked as a convention when the entry is one. */
function failNamed(what: Text, m: Mistake, detail?: Text, extra: Record<string, unknown> = {}): never {
  return fail(named(what, m, detail), { ...extra, hint: m.hint, convention: m.convention });
}

/** A misconception for expectClose that names a catalogue entry after saying what happened on this input. */
function misconception(value: Misconception['value'], what: Text, m: Mistake, detail?: Text): Misconception {
  return { value, message: named(what, m, detail), hint: m.hint, convention: m.convention };
}

/** NumPy's strides and offsets count bytes: 4 per float32 element. */
const FLOAT32_BYTES = Float32Array.BYTES_PER_ELEMENT;

/** `offset(shape, index)` must be `expected`; a byte offset (NumPy's unit) is named as that convention. */
function expectOffset(m: typeof import('./basics'), shape: number[], index: number[], expected: number): void {
  const call = `offset([${shape.join(', ')}], [${index.join(', ')}])`;
  const got = m.offset(shape, index);
  if (expected !== 0 && got === expected * FLOAT32_BYTES) {
    failNamed(t(`${call} gave ${got}, ${FLOAT32_BYTES} times ${expected}.`, `${call} 返回了 ${got}，是 ${expected} 的 ${FLOAT32_BYTES} 倍。`), M['strides-in-bytes']);
  }
  expectEqual(got, expected, call);
}

/** Uniform values in [-scale, scale) from the check's seeded generator, as an NDArray of the given shape. */
const randomNd = (ctx: { random(): number }, shape: number[], scale: number): NDArray => ndarray(randomArray(ctx, numel(shape), scale), shape);

/** What a function returned, for "returned ... instead of throwing". */
function describeResult(result: unknown): Text {
  if (typeof result === 'object' && result !== null && 'shape' in result) {
    const raw = (result as { shape: unknown }).shape;
    const shape = Array.isArray(raw) ? raw.join(', ') : String(raw);
    return t(`a tensor of shape [${shape}]`, `一个形状为 [${shape}] 的张量`);
  }
  const shown = showPlain(result);
  return t(shown, ` ${shown}`);
}

/**
 * Asserts that `fn` throws an Error with a message (the library's expectError, with this lesson's rules on
 * top). A TODO marker is passed through untouched, so an unfinished function is reported as "not implemented
 * yet" rather than as a pass. When `fn` returns instead of throwing, the failure says what it returned and
 * names `missing`, the catalogued mistake of the check it lacks (`detail`: a sentence about this input),
 * unless `accepts(result)`: another library's legitimate answer for this input, which passes as well.
 */
function expectRejects(fn: () => unknown, what: string, missing: Mistake, detail?: Text, accepts?: (result: unknown) => boolean): void {
  let thrown: unknown;
  let returned = false;
  let accepted = false;
  const err = expectError(() => {
    let result: unknown;
    try {
      result = fn();
    } catch (e) {
      thrown = e;
      throw e;
    }
    if (accepts?.(result)) {
      accepted = true;
      throw new Error('accepted');
    }
    returned = true;
    const got = describeResult(result);
    failNamed(t(`${what} returned ${got.en} instead of throwing an Error.`, `${what} 返回了${got['zh-cn']}，而没有抛出 Error。`), missing, detail);
  }, what, missing.hint);
  if (accepted) return;
  if (returned) throw err; // the failure above
  if (thrown instanceof Error && thrown.name === 'NotImplementedError') throw thrown;
  if (!(thrown instanceof Error)) {
    const shown = typeof thrown === 'string' ? JSON.stringify(thrown) : String(thrown);
    fail(t(`${what} threw ${shown}, not an Error`, `${what} 抛出的是 ${shown}，而不是 Error`), {
      hint: t('Write `throw new Error("...")` so the message comes with a stack trace.', '请写 `throw new Error("...")`，这样消息会附带调用栈。'),
    });
  }
  if (!err.message.trim()) {
    fail(t(`${what} threw an Error with an empty message`, `${what} 抛出的 Error 消息为空`), {
      hint: t('Say what was wrong and with which values: the message is what the person calling your function will read.',
        '写明哪里不对、涉及哪些值：调用你函数的人读到的就是这条消息。'),
    });
  }
}

/** Calls the learner's softmax and checks that it left `x` alone (so later expectations use the real input). */
function callSoftmax(m: typeof import('./basics'), x: NDArray, axis: number): NDArray {
  const before = snapshot(x);
  const y = m.softmax(x, axis);
  expectUnchanged(x, before, 'x', NEW_ARRAY);
  return y;
}

/** Index of a slice along `axis` for flat position i: the slice's own coordinates (axis dimension dropped). */
function sliceKey(i: number, shape: readonly number[], axis: number): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  idx[axis] = -1;
  return idx.map((v) => (v < 0 ? ':' : String(v))).join(', ');
}

/** The distance between neighbours of a slice along `ax` in the flat array: the stride of that axis. */
const strideOf = (shape: readonly number[], ax: number) => shape.slice(ax + 1).reduce((p, d) => p * d, 1);

/** "4 places apart" (or "next to each other") in the flat array. */
function apart(stride: number): Text {
  return stride === 1 ? t('next to each other', '彼此紧挨着') : t(`${stride} places apart`, `彼此相隔 ${stride} 个位置`);
}

/** Names a wrong axis: a negative axis not counted from the end, or another axis than the one asked for. */
function wrongAxisMistake(axis: number): Mistake {
  return axis < 0 ? M['softmax-negative-axis'] : M['softmax-wrong-axis'];
}

/**
 * Softmax outputs for finite logits must be finite. If they are not, say why: exp overflowed (no max
 * subtraction), or one max was used for the whole tensor so some slices underflowed to 0/0.
 */
function expectFiniteSoftmax(y: unknown, x: NDArray, axis: number, what: string): void {
  if (typeof y !== 'object' || y === null || !('data' in y)) return; // expectClose reports the type problem
  const data = (y as { data: ArrayLike<number> }).data;
  if (!data || typeof data.length !== 'number') return;
  const bad: number[] = [];
  for (let i = 0; i < Math.min(data.length, x.data.length); i++) if (!Number.isFinite(data[i])) bad.push(i);
  if (bad.length === 0) return;
  const badSlices = new Set(bad.map((i) => sliceKey(i, x.shape, axis)));
  const sliceWithGlobalMax = sliceKey(x.data.indexOf(Math.max(...x.data)), x.shape, axis);
  const at = `${what}[${sliceKey(bad[0], x.shape, axis)}]`;
  const value = data[bad[0]];
  if (!badSlices.has(sliceWithGlobalMax)) {
    const m = M['softmax-global-max'];
    fail(named(t(`${at} contains ${value}, while the slice holding the largest logit is fine.`, `${at} 中出现了 ${value}，而含有最大 logit 的切片却正常。`), m), { hint: m.hint });
  }
  const where = t(`${at} contains ${value} although every logit is finite:`, `${at} 中出现了 ${value}，尽管每个 logit 都是有限值：`);
  const slice = bad[0];
  const sliceLogits = Array.from(x.data).filter((_, i) => sliceKey(i, x.shape, axis) === sliceKey(slice, x.shape, axis));
  const m = Math.max(...sliceLogits) < -80 ? M['softmax-underflow'] : M['softmax-overflow'];
  fail(named(where, m), { hint: m.hint });
}

/** Checks learner softmax against the float64 reference, naming the classic wrong answers. */
function expectSoftmax(y: unknown, x: NDArray, axis: number, what: string): void {
  const ndim = x.shape.length;
  const ax = axis < 0 ? axis + ndim : axis;
  expectFiniteSoftmax(y, x, ax, what);
  const misconceptions: Misconception[] = [];
  const mistake = wrongAxisMistake(axis);
  for (let other = 0; other < ndim; other++) {
    if (other === ax || x.shape[other] === 1) continue;
    const asked = axis < 0 ? t(` (axis ${axis} of a ${ndim}-D tensor)`, `（${ndim} 维张量的 axis ${axis}）`) : t('', '');
    misconceptions.push({
      value: ndarray(softmax64(x.data, x.shape, other), x.shape),
      message: named(
        t(`${what} normalised along axis ${other} instead of axis ${ax}${asked.en}.`, `${what} 沿 axis ${other} 做了归一化，而不是 axis ${ax}${asked['zh-cn']}。`),
        mistake,
        t(`Along axis ${ax}, a slice holds ${x.shape[ax]} values, ${apart(strideOf(x.shape, ax)).en} in the flat array.`,
          `沿 axis ${ax}，一个切片有 ${x.shape[ax]} 个值，在扁平数组中${apart(strideOf(x.shape, ax))['zh-cn']}。`),
      ),
      hint: mistake.hint,
    });
  }
  misconceptions.push(
    { value: ndarray(softmaxAll64(x.data), x.shape), message: named(t(`${what}:`, `${what}：`), M['softmax-whole-tensor']), hint: M['softmax-whole-tensor'].hint },
    { value: ndarray(softmax64(x.data, x.shape, ax, 'no-divide'), x.shape), message: named(t(`${what}:`, `${what}：`), M['softmax-no-divide']), hint: M['softmax-no-divide'].hint },
  );
  expectClose(y, ndarray(softmax64(x.data, x.shape, ax), x.shape), { what, misconceptions, hint: axis < 0 ? NEGATIVE_AXIS_HINT : undefined });
}

// ---------------------------------------------------------------------------------------------------------

export default defineChecks<typeof import('./basics')>({
  exports: ['strides', 'offset', 'matmul', 'softmax'],
  checks: [
    // ----- strides ---------------------------------------------------------------------------------------
    {
      name: t('strides of shape (2, 3, 4) are (12, 4, 1)', '形状 (2, 3, 4) 的步长是 (12, 4, 1)'),
      task: 'strides',
      run: (m) => {
        const gave = (v: string) => t(`strides([2, 3, 4]) gave ${v}:`, `strides([2, 3, 4]) 返回了 ${v}：`);
        expectClose(m.strides([2, 3, 4]), [12, 4, 1], {
          what: 'strides([2, 3, 4])', rtol: 0, atol: 0,
          hint: t('Stride of the last dimension is 1; each stride to the left is the one to its right times that size: 4, then 3 * 4 = 12.',
            '最后一维的步长是 1；往左每一个步长，都等于它右边的步长乘以右边那一维的大小：先是 4，然后是 3 * 4 = 12。'),
          misconceptions: [
            misconception([1, 2, 6], gave('[1, 2, 6]'), M['strides-column-major']),
            misconception([48, 16, 4], gave('[48, 16, 4]'), M['strides-in-bytes']),
            misconception([1, 4, 12], gave('[1, 4, 12]'), M['strides-reversed']),
            misconception([24, 12, 4], gave('[24, 12, 4]'), M['strides-own-size']),
            misconception([3, 4, 1], gave('[3, 4, 1]'), M['strides-next-size-only']),
          ],
        });
      },
    },
    {
      name: t('strides of a scalar, a vector and shapes with size-1 dimensions', '标量、向量以及含大小为 1 的维度的形状的步长'),
      task: 'strides',
      run: (m) => {
        const cases: [number[], number[]][] = [[[], []], [[5], [1]], [[7, 2], [2, 1]], [[4, 1, 3], [3, 3, 1]], [[2, 3, 4, 5], [60, 20, 5, 1]]];
        for (const [shape, expected] of cases) {
          const call = `strides([${shape.join(', ')}])`;
          const input = [...shape];
          const got = m.strides(input);
          if (!Array.isArray(got) && !ArrayBuffer.isView(got)) {
            const what = got === undefined ? t('undefined (missing return?)', 'undefined（是不是忘了 return？）') : t(typeof got, typeof got);
            fail(t(`${call} returned ${what.en}, expected an array`, `${call} 返回了 ${what['zh-cn']}，应返回一个数组`));
          }
          if (expected.length > 0 && deepEqual(Array.from(got), expected.map((s) => s * FLOAT32_BYTES))) {
            failNamed(t(`${call} gave [${Array.from(got).join(', ')}], ${FLOAT32_BYTES} times [${expected.join(', ')}].`,
              `${call} 返回了 [${Array.from(got).join(', ')}]，是 [${expected.join(', ')}] 的 ${FLOAT32_BYTES} 倍。`), M['strides-in-bytes']);
          }
          expectEqual(Array.from(got), expected, call,
            shape.length === 0
              ? t('A scalar has no dimensions, so it has no strides: return an empty array.', '标量没有维度，所以也没有步长：返回一个空数组。')
              : t('Walk the shape from the right, keeping a running product that starts at 1.', '从右往左遍历形状，维护一个从 1 开始的累乘积。'));
          if (!deepEqual(input, shape)) {
            const now = `[${input.join(', ')}]`;
            failNamed(t(`${call} changed its argument to ${now}.`, `${call} 把它的参数改成了 ${now}。`), M['strides-modifies-shape'], undefined, {
              expected: { kind: 'text', text: `[${shape.join(', ')}]` }, actual: { kind: 'text', text: now },
            });
          }
        }
      },
    },

    // ----- offset ----------------------------------------------------------------------------------------
    {
      name: t('offset visits every element of (2, 3, 4) once, in row-major order', 'offset 按行主序把 (2, 3, 4) 的每个元素恰好访问一次'),
      task: 'offset',
      run: (m, ctx) => {
        const shape = [2, 3, 4];
        const indices = allIndices(shape);
        const got = indices.map((idx) => m.offset(shape, idx));
        if (typeof got[0] !== 'number') {
          const what = got[0] === undefined ? t('undefined (missing return?)', 'undefined（是不是忘了 return？）') : t(typeof got[0], typeof got[0]);
          fail(t(`offset([2, 3, 4], [0, 0, 0]) returned ${what.en}, expected a number`, `offset([2, 3, 4], [0, 0, 0]) 返回了 ${what['zh-cn']}，应返回一个数`));
        }
        const expected = indices.map((_, i) => i); // row-major order IS the flat order
        const colMajor = columnMajorStrides(shape);
        ctx.artifact({
          kind: 'table', title: t('offset([2, 3, 4], index) = i·12 + j·4 + k·1', 'offset([2, 3, 4], index) = i·12 + j·4 + k·1：逐个下标对照'),
          columns: [t('index (i, j, k)', '下标 (i, j, k)'), 'i·12 + j·4 + k·1', t('expected', '期望值'), t('yours', '你的结果')],
          rows: indices.map((idx, i) => [fmt(idx), `${idx[0]}·12 + ${idx[1]}·4 + ${idx[2]}·1`, expected[i], String(got[i])]),
        });
        expectClose(got, expected, {
          what: 'indices.map((index) => offset([2, 3, 4], index))', rtol: 0, atol: 0,
          hint: t('offset = index[0]*strides[0] + index[1]*strides[1] + index[2]*strides[2], with strides (12, 4, 1).',
            'offset = index[0]*strides[0] + index[1]*strides[1] + index[2]*strides[2]，步长为 (12, 4, 1)。'),
          misconceptions: [
            { value: indices.map((idx) => idx.reduce((s, v, d) => s + v * colMajor[d], 0)), ...M['offset-column-major'] },
            misconception(expected.map((i) => i * FLOAT32_BYTES), t(`Your offsets are ${FLOAT32_BYTES} times the element positions.`, `你的偏移是元素位置的 ${FLOAT32_BYTES} 倍。`), M['strides-in-bytes']),
          ],
        });
        // A second shape with a size-1 dimension, and the scalar case.
        const shape2 = [3, 1, 2, 5];
        const got2 = allIndices(shape2).map((idx) => m.offset(shape2, idx));
        expectClose(got2, got2.map((_, i) => i), { what: 'indices.map((index) => offset([3, 1, 2, 5], index))', rtol: 0, atol: 0 });
        expectEqual(m.offset([], []), 0, 'offset([], [])', t('A scalar has one element, at position 0.', '标量只有一个元素，位于位置 0。'));
      },
    },
    {
      name: t('offset throws for an index out of range', 'offset 对越界下标抛出错误'),
      task: 'offset',
      run: (m) => {
        const shape = [2, 3, 4];
        expectOffset(m, shape, [1, 2, 3], 23);
        const bounds = M['offset-no-bounds-check'];
        expectRejects(() => m.offset(shape, [2, 0, 0]), 'offset([2, 3, 4], [2, 0, 0])', bounds,
          t('Dimension 0 has size 2, so its valid indices are 0 and 1.', '第 0 维的大小是 2，合法的下标只有 0 和 1。'));
        expectRejects(() => m.offset(shape, [0, 0, 4]), 'offset([2, 3, 4], [0, 0, 4])', bounds,
          t('Here [0, 0, 4] lands on position 4, which is element [0, 1, 0]: a wrong element, silently.', '这里 [0, 0, 4] 落在位置 4，也就是元素 [0, 1, 0]：悄无声息地取错了元素。'));
        expectRejects(() => m.offset(shape, [0, 3, 0]), 'offset([2, 3, 4], [0, 3, 0])', bounds,
          t('Check every dimension, not only the first or the last: dimension 1 has size 3.', '每一维都要检查，而不只是第一维或最后一维：第 1 维的大小是 3。'));
        // A negative index: throwing (this lesson, np.ravel_multi_index) or counting it from the end as NumPy's and
        // PyTorch's indexing do ([1, -1, 0] is [1, 2, 0], at 20) are both accepted; anything else is a wrong element.
        const negative = M['offset-negative-index'];
        expectRejects(() => m.offset(shape, [1, -1, 0]), 'offset([2, 3, 4], [1, -1, 0])', negative,
          t('Counted from the end, as NumPy and PyTorch indexing do, [1, -1, 0] would be [1, 2, 0], at 20.', '若像 NumPy 和 PyTorch 的索引那样从末尾倒数，[1, -1, 0] 就是 [1, 2, 0]，位于 20。'),
          (result) => result === 20);
        expectRejects(() => m.offset(shape, [1, -4, 0]), 'offset([2, 3, 4], [1, -4, 0])', negative,
          t('Even counted from the end, -4 is out of range for a dimension of size 3.', '即使从末尾倒数，-4 对大小为 3 的维度也是越界的。'));
      },
    },
    {
      name: t('offset throws for the wrong number of indices', 'offset 对个数不对的下标抛出错误'),
      task: 'offset',
      run: (m) => {
        expectOffset(m, [5], [4], 4);
        const length = M['offset-no-length-check'];
        expectRejects(() => m.offset([2, 3, 4], [1, 2]), 'offset([2, 3, 4], [1, 2])', length,
          t('Two indices for three dimensions: one is missing.', '三个维度只给了两个下标：少了一个。'));
        expectRejects(() => m.offset([2, 3, 4], [1, 2, 3, 0]), 'offset([2, 3, 4], [1, 2, 3, 0])', length,
          t('Four indices for three dimensions: one too many.', '三个维度却给了四个下标：多了一个。'));
        expectRejects(() => m.offset([], [0]), 'offset([], [0])', length,
          t('A scalar (shape []) takes no indices.', '标量（形状 []）不接受任何下标。'));
      },
    },

    // ----- matmul ----------------------------------------------------------------------------------------
    {
      name: t('matmul of a hand-worked 2x2 case', '手算的 2x2 矩阵乘法'),
      task: 'matmul',
      run: (m) => {
        const a = ndarray([[1, 2], [3, 4]], [2, 2]);
        const b = ndarray([[5, 6], [7, 8]], [2, 2]);
        // c[0][0] = 1*5 + 2*7 = 19, c[0][1] = 1*6 + 2*8 = 22, c[1][0] = 3*5 + 4*7 = 43, c[1][1] = 3*6 + 4*8 = 50
        expectClose(m.matmul(a, b), ndarray([[19, 22], [43, 50]], [2, 2]), {
          what: 'matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]])',
          hint: t('c[i][j] is row i of a dotted with column j of b: c[0][0] = 1*5 + 2*7 = 19.', 'c[i][j] 是 a 的第 i 行与 b 的第 j 列的点积：c[0][0] = 1*5 + 2*7 = 19。'),
          misconceptions: [
            { value: ndarray([[23, 34], [31, 46]], [2, 2]), ...M['matmul-b-at-a'] },
            { value: ndarray([[17, 23], [39, 53]], [2, 2]), ...M['matmul-b-transposed'] },
            { value: ndarray([[26, 30], [38, 44]], [2, 2]), ...M['matmul-a-transposed'] },
            { value: ndarray([[5, 12], [21, 32]], [2, 2]), ...M['matmul-elementwise'] },
          ],
        });
      },
    },
    {
      name: t('matmul of non-square shapes: (2, 3) @ (3, 4) -> (2, 4)', '非方阵的矩阵乘法：(2, 3) @ (3, 4) -> (2, 4)'),
      task: 'matmul',
      run: (m) => {
        const a = ndarray([[1, 2, 3], [4, 5, 6]], [2, 3]);
        const b = ndarray([[1, 0, -1, 2], [0, 1, 1, 0], [2, -1, 0, 1]], [3, 4]);
        const c = m.matmul(a, b);
        expectShape(c, [2, 4], 'matmul((2, 3), (3, 4))');
        // Row 0: (1, 2, 3) against each column of b; row 1: (4, 5, 6).
        const expected = ndarray([[7, -1, 1, 5], [16, -1, 1, 14]], [2, 4]);
        expectClose(c, expected, {
          what: 'matmul((2, 3), (3, 4))',
          hint: M['matmul-a-row-length'].hint,
          misconceptions: [
            {
              value: ndarray(matmul64(a.data, b.data, 2, 3, 4, undefined, (p, j) => p * 3 + j), [2, 4]),
              message: sentences(M['matmul-b-row-length'].message, t('Here b has m = 4 columns, so b[p][j] is at p*4 + j, not p*3 + j.', '这里 b 有 m = 4 列，所以 b[p][j] 位于 p*4 + j，而不是 p*3 + j。')),
              hint: M['matmul-b-row-length'].hint,
            },
            {
              value: ndarray(matmul64(a.data, b.data, 2, 3, 4, (i, p) => i * 4 + p), [2, 4]),
              message: sentences(M['matmul-a-row-length'].message, t('Here a has k = 3 columns, so a[i][p] is at i*3 + p, not i*4 + p.', '这里 a 有 k = 3 列，所以 a[i][p] 位于 i*3 + p，而不是 i*4 + p。')),
              hint: M['matmul-a-row-length'].hint,
            },
          ],
        });
      },
    },
    {
      name: t('matmul by the identity leaves a matrix unchanged', '乘以单位矩阵，矩阵保持不变'),
      task: 'matmul',
      run: (m) => {
        const a = ndarray([[1, -2, 3, 0.5, 4], [0, 7, -1, 2, 2.25], [-3, 1, 1, 8, -0.5]], [3, 5]);
        const eye = (n: number) => ndarray(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), [n, n]);
        expectClose(m.matmul(a, eye(5)), a, {
          what: 'matmul(a, eye(5))', hint: t('Multiplying by the identity on the right keeps every row of a.', '右乘单位矩阵，a 的每一行都保持不变。'),
        });
        expectClose(m.matmul(eye(3), a), a, {
          what: 'matmul(eye(3), a)', hint: t('Multiplying by the identity on the left keeps every row of a.', '左乘单位矩阵，a 的每一行都保持不变。'),
        });
      },
    },
    {
      name: t('matmul of random (7, 5) @ (5, 3) matches a float64 reference', '随机 (7, 5) @ (5, 3) 的矩阵乘法与 float64 参考结果一致'),
      task: 'matmul',
      run: (m, ctx) => {
        const a = randomNd(ctx, [7, 5], 2);
        const b = randomNd(ctx, [5, 3], 2);
        const [aBefore, bBefore] = [snapshot(a), snapshot(b)];
        const c = m.matmul(a, b);
        expectShape(c, [7, 3], 'matmul((7, 5), (5, 3))');
        expectClose(c, ndarray(matmul64(a.data, b.data, 7, 5, 3), [7, 3]), { what: 'matmul(a, b)', rtol: 1e-4, atol: 1e-5 });
        expectUnchanged(a, aBefore, 'a', NEW_ARRAY);
        expectUnchanged(b, bBefore, 'b', NEW_ARRAY);
      },
    },
    {
      name: t('matmul throws when the inner dimensions differ', '内侧维度不一致时 matmul 抛出错误'),
      task: 'matmul',
      run: (m) => {
        expectClose(m.matmul(ndarray([[1, 2]], [1, 2]), ndarray([[3], [4]], [2, 1])), ndarray([[11]], [1, 1]), { what: 'matmul((1, 2), (2, 1))' });
        const inner = M['matmul-no-shape-check'];
        expectRejects(() => m.matmul(ndarray(new Float32Array(6), [2, 3]), ndarray(new Float32Array(8), [4, 2])), 'matmul((2, 3), (4, 2))', inner,
          t('(2, 3) @ (4, 2) has 3 columns against 4 rows.', '(2, 3) @ (4, 2) 是 3 列对 4 行。'));
        expectRejects(() => m.matmul(ndarray(new Float32Array(6), [3, 2]), ndarray(new Float32Array(6), [3, 2])), 'matmul((3, 2), (3, 2))', inner,
          t('Equal shapes are not enough: (3, 2) @ (3, 2) has 2 columns against 3 rows.', '形状相同并不够：(3, 2) @ (3, 2) 是 2 列对 3 行。'));
        // A 1-D input: throwing (this lesson, torch.mm) or promoting it as np.matmul and torch.matmul do are both accepted.
        const vector = ndarray([1, 2, 3], [3]);
        const matrix = ndarray([[1, 0], [0, 1], [1, 1]], [3, 2]);
        const promoted = (shape: number[], data: number[]) => (r: unknown) => isTensorLike(r) && deepEqual(Array.from(r.shape), shape)
          && r.data.length === data.length && data.every((v, i) => Math.abs(r.data[i] - v) <= 1e-6);
        expectRejects(() => m.matmul(vector, matrix), 'matmul((3), (3, 2))', M['matmul-not-2d'],
          t('np.matmul and torch.matmul would return shape [2], [1, 2, 3] @ b = [4, 5]; torch.mm refuses.', 'np.matmul 和 torch.matmul 会返回形状 [2] 的 [1, 2, 3] @ b = [4, 5]；torch.mm 则会拒绝。'),
          promoted([2], [4, 5]));
        const wide = ndarray([[1, 2, 3], [4, 5, 6]], [2, 3]);
        expectRejects(() => m.matmul(wide, vector), 'matmul((2, 3), (3))', M['matmul-not-2d'],
          t('np.matmul and torch.matmul would return shape [2], a @ [1, 2, 3] = [14, 32]; torch.mm refuses.', 'np.matmul 和 torch.matmul 会返回形状 [2] 的 a @ [1, 2, 3] = [14, 32]；torch.mm 则会拒绝。'),
          promoted([2], [14, 32]));
      },
    },

    // ----- softmax ---------------------------------------------------------------------------------------
    {
      name: t('softmax slices sum to 1 along axis 0, 1 and -1 of a 3-D tensor', '三维张量沿 axis 0、1 和 -1 的 softmax 切片之和为 1'),
      task: 'softmax',
      run: (m, ctx) => {
        const x = randomNd(ctx, [3, 4, 5], 6);
        for (const axis of [0, 1, -1]) {
          const ax = axis < 0 ? axis + 3 : axis;
          const y = callSoftmax(m, x, axis);
          expectShape(y, [3, 4, 5], `softmax(x, ${axis})`);
          for (let i = 0; i < y.data.length; i++) {
            const v = y.data[i];
            expectTrue(v >= 0 && v <= 1, t(`softmax(x, ${axis}).data[${i}] is ${v}: probabilities lie between 0 and 1.`, `softmax(x, ${axis}).data[${i}] 是 ${v}：概率应在 0 和 1 之间。`));
          }
          const sumsTo1 = (along: number) => {
            const sums = new Map<string, number>();
            for (let i = 0; i < y.data.length; i++) {
              const key = sliceKey(i, x.shape, along);
              sums.set(key, (sums.get(key) ?? 0) + y.data[i]);
            }
            for (const [key, s] of sums) if (Math.abs(s - 1) > 1e-5) return { key, s };
            return undefined;
          };
          const wrong = sumsTo1(ax);
          if (wrong) {
            const at = `softmax(x, ${axis})[${wrong.key}]`;
            const other = [0, 1, 2].find((d) => d !== ax && !sumsTo1(d));
            if (other !== undefined) {
              const mistake = wrongAxisMistake(axis);
              fail(named(t(`${at} sums to ${wrong.s}, expected 1; your slices along axis ${other} sum to 1 instead.`,
                `${at} 之和为 ${wrong.s}，应为 1；你沿 axis ${other} 的切片之和反倒是 1。`), mistake), { hint: mistake.hint });
            }
            fail(t(`${at} sums to ${wrong.s}, expected 1.`, `${at} 之和为 ${wrong.s}，应为 1。`), {
              hint: axis < 0 ? NEGATIVE_AXIS_HINT
                : t(`Slice along axis ${ax}: its elements are ${apart(strideOf(x.shape, ax)).en} in the flat array.`, `沿 axis ${ax} 取切片：切片中的元素在扁平数组里${apart(strideOf(x.shape, ax))['zh-cn']}。`),
            });
          }
        }
      },
    },
    {
      name: t('softmax matches a float64 reference along every axis', 'softmax 沿每个轴都与 float64 参考结果一致'),
      task: 'softmax',
      run: (m, ctx) => {
        const x = randomNd(ctx, [2, 3, 4], 3);
        for (const axis of [0, 1, 2, -1, -3]) expectSoftmax(callSoftmax(m, x, axis), x, axis, `softmax(x, ${axis})`);
        const v = randomNd(ctx, [6], 3);
        expectSoftmax(callSoftmax(m, v, 0), v, 0, 'softmax(v, 0)');
      },
    },
    {
      name: t('softmax of huge logits like [1000, 1000, 999] is finite and correct', '对 [1000, 1000, 999] 这样的巨大 logits，softmax 结果有限且正确'),
      task: 'softmax',
      run: (m, ctx) => {
        // Row 0 overflows a naive exp, row 1 underflows it to 0/0, row 2 has a -1e9 mask (as in causal
        // attention), row 3 spans 2000 units. Expected row 0, by hand: e^0, e^0, e^-1 over 2 + e^-1.
        const x = ndarray([[1000, 1000, 999], [-1000, -1000, -999], [0, -1e9, 1], [1000, 0, -1000]], [4, 3]);
        const y = callSoftmax(m, x, -1);
        const expected = ndarray(softmax64(x.data, x.shape, 1), x.shape);
        const rowOf = (arr: ArrayLike<number> | undefined, r: number) => (arr ? `[${Array.from({ length: 3 }, (_, j) => num(Number(arr[r * 3 + j]))).join(', ')}]` : '?');
        ctx.artifact({
          kind: 'table', title: t('softmax(x, -1) on extreme logits', '极端 logits 上的 softmax(x, -1)'),
          columns: [t('logits', '输入 logits'), t('expected probabilities', '期望的概率'), t('yours', '你的结果')],
          rows: [0, 1, 2, 3].map((r) => [rowOf(x.data, r), rowOf(expected.data, r), rowOf((y as NDArray | undefined)?.data, r)]),
        });
        expectFiniteSoftmax(y, x, 1, 'softmax(x, -1)');
        const a = 1 / (2 + Math.exp(-1));
        expectClose(y, expected, { what: 'softmax(x, -1)', hint: NEGATIVE_AXIS_HINT });
        expectClose(y.data[0], a, { what: 'softmax([1000, 1000, 999])[0] (= 1 / (2 + e^-1))' });
      },
    },
    {
      name: t('softmax is unchanged by adding a constant to every logit', '给每个 logit 加上同一个常数，softmax 不变'),
      task: 'softmax',
      run: (m, ctx) => {
        // Logits are multiples of 1/8 and the shifts whole numbers, so x + c is exact in float32.
        const base = Array.from({ length: 15 }, () => Math.round((ctx.random() * 2 - 1) * 32) / 8);
        const x = ndarray(base, [3, 5]);
        const expected = ndarray(softmax64(x.data, x.shape, 1), x.shape);
        for (const c of [-200, 30, 100, 800]) {
          const xc = c < 0 ? `x - ${-c}` : `x + ${c}`;
          const shifted = ndarray(base.map((v) => v + c), [3, 5]);
          const y = callSoftmax(m, shifted, 1);
          expectFiniteSoftmax(y, shifted, 1, `softmax(${xc}, 1)`);
          expectClose(y, expected, {
            what: `softmax(${xc}, 1)`,
            hint: t('softmax(x + c) = softmax(x): the factor e^c cancels between numerator and denominator.', 'softmax(x + c) = softmax(x)：因子 e^c 在分子和分母之间相互抵消。'),
          });
        }
      },
    },
    {
      name: t('a NaN makes its own slice NaN and leaves the others alone', 'NaN 让它所在的切片全部变成 NaN，其他切片不受影响'),
      task: 'softmax',
      run: (m) => {
        const x = ndarray([[0.5, -1, 2, 0], [1, 3, NaN, -2], [0, 0, 1, 1]], [3, 4]);
        const cases: [axis: number, ax: number, label: Text][] = [[1, 1, t('row 1', '第 1 行')], [-2, 0, t('column 2', '第 2 列')]];
        for (const [axis, ax, label] of cases) {
          const y = callSoftmax(m, x, axis);
          expectShape(y, [3, 4], `softmax(x, ${axis})`);
          const expected = softmax64(x.data, x.shape, ax);
          const inNaNSlice = (i: number) => (ax === 1 ? Math.floor(i / 4) === 1 : i % 4 === 2);
          const at = (i: number) => `softmax(x, ${axis})[${Math.floor(i / 4)}, ${i % 4}]`;
          // 1. The NaN must not leak out of its slice.
          for (let i = 0; i < 12; i++) {
            if (!inNaNSlice(i) && Number.isNaN(y.data[i])) {
              const leak = M['softmax-nan-leak'];
              fail(named(t(`${at(i)} is NaN, but only ${label.en} contains a NaN.`, `${at(i)} 是 NaN，但只有${label['zh-cn']}含有 NaN。`), leak), { hint: leak.hint });
            }
          }
          // 2. The other slices are ordinary softmax values.
          //    (Compare everything, with the NaN slice taken as given; step 3 judges that slice.)
          const outside = ndarray(Array.from(y.data, (v, i) => (inNaNSlice(i) ? NaN : v)), [3, 4]);
          expectClose(outside, ndarray(expected, [3, 4]), { what: `softmax(x, ${axis})`, hint: axis < 0 ? NEGATIVE_AXIS_HINT : undefined });
          // 3. The slice holding the NaN is NaN all through.
          for (let i = 0; i < 12; i++) {
            if (inNaNSlice(i) && !Number.isNaN(y.data[i])) {
              const hidden = M['softmax-nan-hidden'];
              fail(named(t(`${at(i)} is ${y.data[i]}, but ${label.en} contains a NaN, so every value in ${label.en} should be NaN.`,
                `${at(i)} 是 ${y.data[i]}，但${label['zh-cn']}含有 NaN，所以${label['zh-cn']}的每个值都应是 NaN。`), hidden), { hint: hidden.hint });
            }
          }
        }
      },
    },
    {
      name: t('softmax keeps the shape and leaves its input unchanged', 'softmax 保持形状不变，且不修改输入'),
      task: 'softmax',
      run: (m, ctx) => {
        const cases: [number[], number][] = [[[5], 0], [[2, 3, 4], 1], [[1, 4], 0], [[3, 1], -1], [[2, 1, 3, 2], 2]];
        for (const [shape, axis] of cases) {
          const x = randomNd(ctx, shape, 4);
          const before = snapshot(x);
          const y = m.softmax(x, axis);
          const what = `softmax(x, ${axis})`;
          const ofShape = t(`with x of shape ${fmt(shape)}`, `（x 的形状为 ${fmt(shape)}）`);
          expectShape(y, shape, what);
          expectTrue(y.data !== x.data,
            t(`${what} ${ofShape.en} returned the input's own data array: the result must be a new array`, `${what}${ofShape['zh-cn']}返回的是输入自己的 data 数组：结果必须是一个新数组`),
            t('Create the output with new Float32Array(x.data.length).', '用 new Float32Array(x.data.length) 创建输出。'));
          expectUnchanged(x, before, 'x', NEW_ARRAY);
          const ax = axis < 0 ? axis + shape.length : axis;
          expectClose(y, ndarray(softmax64(x.data, shape, ax), shape), {
            what,
            hint: shape[ax] === 1 ? t('A slice of length 1 has softmax [1].', '长度为 1 的切片，其 softmax 是 [1]。') : axis < 0 ? NEGATIVE_AXIS_HINT : undefined,
          });
        }
      },
    },
  ],
});
