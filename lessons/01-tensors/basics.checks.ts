/**
 * Checks for the tensors lesson (tensors/basics): strides, offset, matmul, softmax.
 *
 * Every expected value is either worked out by hand (small cases, written as literals) or computed here
 * with plain float64 loops; no check calls one of the learner's functions to get an expected value.
 * Known wrong answers (b @ a, softmax over the wrong axis, exp overflow...) are computed too, so a failure
 * can say which mistake it looks like: the words are in ./mistakes.ts. So are other libraries' conventions
 * (column-major strides, NumPy's byte strides), which are named as conventions, never as mistakes; where the
 * lesson can accept another library's way without losing its point, it does: an offset that counts a negative
 * index from the end (Python indexing), a matmul that promotes a 1-D input (np.matmul, torch.matmul).
 *
 * A mistake is named only when the learner's own output confirms it: the whole output is what that mistake
 * computes (every value, NaN and finite alike), or a second call shows it (a negative axis is "not counted from
 * the end" only if the same axis counted from the front works; a leaked NaN is a leak only if the same input
 * without the NaN comes out right). Expectations come from copies taken before the learner's call. Anything
 * else is said as it is (which value, what was expected), never with a borrowed diagnosis.
 *
 * Which check catches which catalogued mistake (keys of ./mistakes.ts; (c) = another library's convention):
 *
 *   strides of shape (2, 3, 4)                 strides-column-major (c), strides-in-bytes (c), strides-reversed,
 *                                              strides-own-size, strides-next-size-only
 *   strides of a scalar, a vector ...          strides-in-bytes (c), strides-modifies-shape
 *   offset visits every element ...            offset-column-major (c), strides-in-bytes (c)
 *   offset throws for an index out of range    offset-no-bounds-check, offset-negative-index, strides-in-bytes (c);
 *                                              and an index or shape changed by offset (said as it is)
 *   offset throws for the wrong number ...     offset-no-length-check, strides-in-bytes (c)
 *   matmul of a hand-worked 2x2 case           matmul-b-at-a, matmul-b-transposed, matmul-a-transposed, matmul-elementwise
 *   matmul of non-square shapes                matmul-b-row-length, matmul-a-row-length
 *   matmul by the identity                     (none: values said as they are)
 *   matmul of random (7, 5) @ (5, 3)           (none: a changed input, float64 reference values)
 *   matmul throws when the inner dims differ   matmul-no-shape-check, matmul-not-2d (1-D and 3-D inputs)
 *   softmax slices sum to 1                    softmax-wrong-axis, softmax-negative-axis
 *   softmax matches a float64 reference        softmax-wrong-axis, softmax-negative-axis (also when it throws),
 *                                              softmax-whole-tensor, softmax-no-divide
 *   softmax of huge logits (rows, columns)     softmax-overflow, softmax-underflow, softmax-global-max
 *   softmax is unchanged by adding a constant  softmax-overflow (x + 100, x + 800), softmax-underflow (x - 200)
 *   a NaN makes its own slice NaN              softmax-nan-leak, softmax-nan-hidden, softmax-wrong-axis,
 *                                              softmax-negative-axis, softmax-whole-tensor
 *   softmax keeps the shape ...                (none: shape, a new array, the input unchanged)
 */
import {
  CheckFailure, type Misconception, type Mistake, type Text, deepEqual, defineChecks, expectClose, expectEqual, expectError, expectShape,
  expectTrue, expectUnchanged, fail, fmt, isTensorLike, randomArray, showPlain, snapshot, t,
} from '@llm-lab/check';
import { type NDArray, ndarray, numel } from '@llm-lab/kit';
import { TENSORS_MISTAKES as M } from './mistakes';

/** The tensors lesson writes plain loops, so the advice for a changed input is about arrays, not kit ops. */
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

/**
 * Calls `offset(shape, index)` on copies the learner may change, and fails if they changed (a negative index
 * normalised in place, a reversed index...): the caller still needs both arrays. Returns what offset returned.
 * A throw is passed through untouched (expectRejects judges it), after the same test.
 */
function offsetOf(m: typeof import('./basics'), shape: readonly number[], index: readonly number[]): number {
  const [s, i] = [[...shape], [...index]];
  let result: number | undefined;
  let thrown: { e: unknown } | undefined;
  try {
    result = m.offset(s, i);
  } catch (e) {
    thrown = { e };
  }
  const call = `offset([${shape.join(', ')}], [${index.join(', ')}])`;
  for (const [name, before, after] of [['shape', shape, s], ['index', index, i]] as const) {
    if (!deepEqual(after, [...before])) {
      const now = `[${after.join(', ')}]`;
      fail(t(`${call} changed its argument ${name} to ${now}: the caller still needs it as it was.`,
        `${call} 把参数 ${name} 改成了 ${now}：调用者之后还要用它，它必须保持原样。`), {
        hint: t('Only read shape and index. Keep an adjusted value in a local variable (const i = ...), never write it back into the array.',
          '对 shape 和 index 只读不写。调整后的值放进局部变量（const i = ...），不要写回数组。'),
        expected: { kind: 'text', text: `[${before.join(', ')}]` }, actual: { kind: 'text', text: now },
      });
    }
  }
  if (thrown) throw thrown.e;
  return result as number;
}

/** `offset(shape, index)` must be `expected`; a byte offset (NumPy's unit) is named as that convention. */
function expectOffset(m: typeof import('./basics'), shape: number[], index: number[], expected: number): void {
  const call = `offset([${shape.join(', ')}], [${index.join(', ')}])`;
  const got = offsetOf(m, shape, index);
  if (expected !== 0 && got === expected * FLOAT32_BYTES) {
    failNamed(t(`${call} gave ${got}, ${FLOAT32_BYTES} times ${expected}.`, `${call} 返回了 ${got}，是 ${expected} 的 ${FLOAT32_BYTES} 倍。`), M['strides-in-bytes']);
  }
  expectEqual(got, expected, call);
}

/** Whether the learner's strides(shape) gives `expected` (false when it throws): to confirm a hypothesis only. */
function stridesGive(m: typeof import('./basics'), shape: readonly number[], expected: readonly number[]): boolean {
  try {
    const got: unknown = m.strides([...shape]);
    return (Array.isArray(got) || ArrayBuffer.isView(got)) && deepEqual(Array.from(got as ArrayLike<number>), [...expected]);
  } catch {
    return false;
  }
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
  let failure: CheckFailure | undefined;
  let returned = false;
  let accepted = false;
  const err = expectError(() => {
    let result: unknown;
    try {
      result = fn();
    } catch (e) {
      if (e instanceof CheckFailure) failure = e; // the check's own verdict on the call (a changed argument), not a throw
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
  if (failure) throw failure;
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

/** Does `y` have `shape` and values within the lesson's tolerance of `expected` (NaN and ±Infinity only where expected)? */
function agrees(y: unknown, shape: readonly number[], expected: ArrayLike<number>): boolean {
  if (!isTensorLike(y) || !deepEqual(Array.from(y.shape), [...shape]) || y.data.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) {
    const [got, want] = [Number(y.data[i]), expected[i]];
    if (!Number.isFinite(want) ? !Object.is(got, want) : !(Math.abs(got - want) <= 1e-6 + 1e-5 * Math.abs(want))) return false;
  }
  return true;
}

/**
 * The learner's softmax of a fresh copy of `x`, or undefined if it throws: only to test a hypothesis about a
 * failure already seen (never to compute an expected value).
 */
function probeSoftmax(m: typeof import('./basics'), x: NDArray, axis: number): unknown {
  try {
    return m.softmax(ndarray(x.data, x.shape), axis);
  } catch {
    return undefined;
  }
}

/**
 * Which catalogued mistake a softmax along the wrong axis is, confirmed on the learner's own function: a
 * negative axis is named as "not counted from the end" only when the same axis counted from the front
 * (axis + ndim) gives the right answer. Otherwise the axis itself is wrong, whatever its sign.
 */
function axisMistake(m: typeof import('./basics'), x: NDArray, axis: number): Mistake {
  if (axis >= 0) return M['softmax-wrong-axis'];
  const ax = axis + x.shape.length;
  return agrees(probeSoftmax(m, x, ax), x.shape, softmax64(x.data, x.shape, ax)) ? M['softmax-negative-axis'] : M['softmax-wrong-axis'];
}

/**
 * Calls the learner's softmax and checks that it left `x` alone (so later expectations use the real input).
 * A negative axis that throws while the same axis counted from the front works is named as that mistake.
 */
function callSoftmax(m: typeof import('./basics'), x: NDArray, axis: number): NDArray {
  const before = snapshot(x);
  const copy = ndarray(x.data, x.shape);
  let y: NDArray;
  try {
    y = m.softmax(x, axis);
  } catch (e) {
    if (axis < 0 && !(e instanceof Error && e.name === 'NotImplementedError')) {
      const ax = axis + x.shape.length;
      if (agrees(probeSoftmax(m, copy, ax), copy.shape, softmax64(copy.data, copy.shape, ax))) {
        const said = e instanceof Error ? e.message : String(e);
        failNamed(t(`softmax(x, ${axis}) threw "${said}", while softmax(x, ${ax}), the same axis counted from the front, works.`,
          `softmax(x, ${axis}) 抛出了 "${said}"，而 softmax(x, ${ax})（从前往后数的同一个轴）却是对的。`), M['softmax-negative-axis']);
      }
    }
    throw e;
  }
  expectUnchanged(x, before, 'x', NEW_ARRAY);
  return y;
}

/** The multi-index of flat position i in a row-major `shape`. */
function coordinates(i: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/** Index of a slice along `axis` for flat position i: the slice's own coordinates, ':' along the axis. */
function sliceKey(i: number, shape: readonly number[], axis: number): string {
  return coordinates(i, shape).map((v, d) => (d === axis ? ':' : String(v))).join(', ');
}

/** The slices of `shape` along `axis`: key (as sliceKey) -> flat positions, in order along the axis. */
function slicesOf(shape: readonly number[], axis: number): Map<string, number[]> {
  const slices = new Map<string, number[]>();
  for (let i = 0; i < numel(shape); i++) {
    const key = sliceKey(i, shape, axis);
    slices.set(key, [...(slices.get(key) ?? []), i]);
  }
  return slices;
}

/** The distance between neighbours of a slice along `ax` in the flat array: the stride of that axis. */
const strideOf = (shape: readonly number[], ax: number) => shape.slice(ax + 1).reduce((p, d) => p * d, 1);

/** "4 places apart" (or "next to each other") in the flat array. */
function apart(stride: number): Text {
  return stride === 1 ? t('next to each other', '彼此紧挨着') : t(`${stride} places apart`, `彼此相隔 ${stride} 个位置`);
}

/**
 * What a softmax that subtracts `shift(slice values)` instead of each slice's own max returns, computed the
 * three ways learners do: 0, everything in float64; 1, every exp rounded to float32 first (stored in a
 * Float32Array or a kit tensor, then summed); 2, float32 numerators over a float64 sum. Overflow and underflow
 * come out as they would there: Infinity / Infinity and 0/0 are NaN.
 */
function shiftedSoftmax(x: NDArray, axis: number, shift: (values: number[]) => number, precision: 0 | 1 | 2): number[] {
  const y = new Array<number>(x.data.length);
  for (const at of slicesOf(x.shape, axis).values()) {
    const values = at.map((i) => x.data[i]);
    const c = shift(values);
    const exps = values.map((v) => Math.exp(v - c));
    const numerators = precision === 0 ? exps : exps.map((e) => Math.fround(e));
    const sum = (precision === 1 ? numerators : exps).reduce((p, e) => p + e, 0);
    at.forEach((i, j) => { y[i] = Math.fround(numerators[j] / sum); });
  }
  return y;
}

/** Whether `y` is, value for value (NaN and finite alike), what shiftedSoftmax computes in one of its precisions. */
function reproduces(y: unknown, x: NDArray, axis: number, shift: (values: number[]) => number): boolean {
  return ([0, 1, 2] as const).some((precision) => agrees(y, x.shape, shiftedSoftmax(x, axis, shift, precision)));
}

/**
 * Rows on which the three hypotheses below differ, row by row: no max overflows row 0 and underflows row 1; a
 * max that starts at 0 breaks row 1 only; one max for the whole tensor (1000) breaks rows 1 and 2.
 */
const HYPOTHESIS_PROBE = ndarray([[1000, 999], [-1000, -999], [-1, 0]], [3, 2]);

/**
 * Does subtracting `shift` (instead of each slice's own max) explain the learner's output on this input, and
 * also on HYPOTHESIS_PROBE along its last axis? The second input rules out a coincidence of this one (a max
 * read at the wrong places can equal the global max of these logits everywhere).
 */
function explains(m: typeof import('./basics'), y: unknown, x: NDArray, axis: number, shift: (values: number[], all: ArrayLike<number>) => number): boolean {
  const on = (input: NDArray) => (values: number[]) => shift(values, input.data);
  return reproduces(y, x, axis, on(x)) && reproduces(probeSoftmax(m, HYPOTHESIS_PROBE, 1), HYPOTHESIS_PROBE, 1, on(HYPOTHESIS_PROBE));
}

const FINITE_HINT = t(
  "Subtract each slice's own max (the largest value of that slice, along the requested axis) before exp: every exponent is then <= 0, so exp cannot overflow, and the largest term is exp(0) = 1, so the sum is at least 1 and there is no 0/0. A logit of -Infinity is fine: exp(-Infinity) = 0.",
  '在求 exp 之前，减去每个切片自己的最大值（沿指定轴，这个切片里最大的那个值）：这样每个指数都 <= 0，exp 不会溢出；最大的一项是 exp(0) = 1，总和至少为 1，不会出现 0/0。logit 为 -Infinity 没有问题：exp(-Infinity) = 0。',
);

/**
 * Softmax outputs must be finite wherever no logit of the slice is NaN. If they are not, say why, but only a
 * reason that reproduces the learner's whole output, here and on a second input: no max subtracted at all
 * (exp overflowed, or underflowed to 0/0), a max that starts at 0, or one max for the whole tensor. Anything
 * else (slices read at the wrong places, a max that skips an element...) is said as it is, with the expected values.
 */
function expectFiniteSoftmax(m: typeof import('./basics'), y: unknown, x: NDArray, axis: number, what: string): void {
  if (!isTensorLike(y) || y.data.length !== x.data.length) return; // expectClose reports the type or shape problem
  const bad: number[] = [];
  for (let i = 0; i < x.data.length; i++) if (!Number.isFinite(y.data[i])) bad.push(i);
  if (bad.length === 0) return;
  const key = sliceKey(bad[0], x.shape, axis);
  const at = `${what}[${key}]`;
  const value = y.data[bad[0]];
  const positions = slicesOf(x.shape, axis).get(key) ?? [];
  const sliceMax = Math.max(...positions.map((i) => x.data[i]));
  const where = t(`${at} contains ${value}, though no logit in it is NaN or +Infinity:`, `${at} 中出现了 ${value}，尽管其中没有一个 logit 是 NaN 或 +Infinity：`);
  // No max subtracted: the slice broke by overflow if it holds a large logit, by underflow if all are very negative.
  if (explains(m, y, x, axis, () => 0)) failNamed(where, M[sliceMax > 0 ? 'softmax-overflow' : 'softmax-underflow']);
  // The max subtracted only when it is positive (a max that starts at 0): slices of negative logits underflow.
  if (explains(m, y, x, axis, (v) => Math.max(0, ...v))) failNamed(where, M['softmax-underflow']);
  if (explains(m, y, x, axis, (_, all) => Math.max(...Array.from(all)))) {
    failNamed(t(`${at} contains ${value}, while the slice holding the largest logit is fine.`, `${at} 中出现了 ${value}，而含有最大 logit 的切片却正常。`), M['softmax-global-max']);
  }
  const expected = softmax64(x.data, x.shape, axis);
  const row = `[${positions.map((i) => num(expected[i])).join(', ')}]`;
  fail(t(`${at} contains ${value}, though no logit in it is NaN or +Infinity: expected ${row}.`,
    `${at} 中出现了 ${value}，尽管其中没有一个 logit 是 NaN 或 +Infinity：期望值是 ${row}。`), { hint: FINITE_HINT });
}

/** Checks learner softmax against the float64 reference, naming the classic wrong answers. */
function expectSoftmax(m: typeof import('./basics'), y: unknown, x: NDArray, axis: number, what: string): void {
  const ndim = x.shape.length;
  const ax = axis < 0 ? axis + ndim : axis;
  expectFiniteSoftmax(m, y, x, ax, what);
  const expected = softmax64(x.data, x.shape, ax);
  const misconceptions: Misconception[] = [];
  if (!agrees(y, x.shape, expected)) {
    const mistake = axisMistake(m, x, axis);
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
  }
  expectClose(y, ndarray(expected, x.shape), { what, misconceptions, hint: axis < 0 ? NEGATIVE_AXIS_HINT : undefined });
}

/**
 * A NaN leaked out of its slice (`where` says where). Named as the leak only when the learner's softmax is
 * right on the same x with the NaN replaced by 0: the slices are right and only the NaN crossed over (one max
 * or one sum for the whole tensor). If there it computes another axis or the whole tensor, that is named
 * instead; otherwise the failure says what differs.
 */
function failLeak(m: typeof import('./basics'), x: NDArray, axis: number, ax: number, where: Text): never {
  const clean = ndarray(Array.from(x.data, (v) => (Number.isNaN(v) ? 0 : v)), x.shape);
  const y = probeSoftmax(m, clean, axis);
  if (agrees(y, clean.shape, softmax64(clean.data, clean.shape, ax))) failNamed(where, M['softmax-nan-leak']);
  const cleaned = t(`With the NaN replaced by 0, softmax(x, ${axis})`, `把 NaN 换成 0 之后，softmax(x, ${axis})`);
  for (let other = 0; other < x.shape.length; other++) {
    if (other !== ax && agrees(y, clean.shape, softmax64(clean.data, clean.shape, other))) {
      failNamed(where, axisMistake(m, clean, axis),
        t(`${cleaned.en} normalises along axis ${other} instead of axis ${ax}.`, `${cleaned['zh-cn']} 沿 axis ${other} 做了归一化，而不是 axis ${ax}。`));
    }
  }
  if (agrees(y, clean.shape, softmaxAll64(clean.data))) {
    failNamed(where, M['softmax-whole-tensor'], t(`${cleaned.en} sums to 1 over the whole tensor.`, `${cleaned['zh-cn']} 在整个张量上之和为 1。`));
  }
  const expected = softmax64(clean.data, clean.shape, ax);
  const i = isTensorLike(y) ? expected.findIndex((v, j) => !(Math.abs(Number(y.data[j]) - v) <= 1e-6 + 1e-5 * Math.abs(v))) : -1;
  const index = `[${coordinates(i, x.shape).join(', ')}]`;
  const detail = isTensorLike(y) && i >= 0
    ? t(`${cleaned.en} is wrong as well: its element ${index} is ${num(Number(y.data[i]))}, expected ${num(expected[i])}.`,
      `${cleaned['zh-cn']} 同样不对：其元素 ${index} 是 ${num(Number(y.data[i]))}，应为 ${num(expected[i])}。`)
    : undefined;
  fail(sentences(where, detail), {
    hint: t('Compute each slice along the requested axis on its own: its own max, its own sum, its own outputs. Nothing from one slice may reach another.',
      '沿指定轴把每个切片单独计算：它自己的最大值、自己的总和、自己的输出。一个切片里的任何东西都不应影响到另一个切片。'),
  });
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
        const got = indices.map((idx) => offsetOf(m, shape, idx));
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
            // Column-major offsets from column-major strides are one mistake, the strides' (said once, by its name).
            stridesGive(m, shape, colMajor)
              ? misconception(indices.map((idx) => idx.reduce((s, v, d) => s + v * colMajor[d], 0)),
                t(`Your offsets are column-major, and so are your strides: strides([2, 3, 4]) gives [${colMajor.join(', ')}].`,
                  `你的偏移是列主序的，你的步长也是：strides([2, 3, 4]) 返回 [${colMajor.join(', ')}]。`), M['strides-column-major'])
              : { value: indices.map((idx) => idx.reduce((s, v, d) => s + v * colMajor[d], 0)), ...M['offset-column-major'] },
            misconception(expected.map((i) => i * FLOAT32_BYTES), t(`Your offsets are ${FLOAT32_BYTES} times the element positions.`, `你的偏移是元素位置的 ${FLOAT32_BYTES} 倍。`), M['strides-in-bytes']),
          ],
        });
        // A second shape with a size-1 dimension, and the scalar case.
        const shape2 = [3, 1, 2, 5];
        const got2 = allIndices(shape2).map((idx) => offsetOf(m, shape2, idx));
        expectClose(got2, got2.map((_, i) => i), { what: 'indices.map((index) => offset([3, 1, 2, 5], index))', rtol: 0, atol: 0 });
        expectEqual(offsetOf(m, [], []), 0, 'offset([], [])', t('A scalar has one element, at position 0.', '标量只有一个元素，位于位置 0。'));
      },
    },
    {
      name: t('offset throws for an index out of range', 'offset 对越界下标抛出错误'),
      task: 'offset',
      run: (m) => {
        const shape = [2, 3, 4];
        expectOffset(m, shape, [1, 2, 3], 23);
        const bounds = M['offset-no-bounds-check'];
        expectRejects(() => offsetOf(m, shape, [2, 0, 0]), 'offset([2, 3, 4], [2, 0, 0])', bounds,
          t('Dimension 0 has size 2, so its valid indices are 0 and 1.', '第 0 维的大小是 2，合法的下标只有 0 和 1。'));
        expectRejects(() => offsetOf(m, shape, [0, 0, 4]), 'offset([2, 3, 4], [0, 0, 4])', bounds,
          t('Here [0, 0, 4] lands on position 4, which is element [0, 1, 0]: a wrong element, silently.', '这里 [0, 0, 4] 落在位置 4，也就是元素 [0, 1, 0]：悄无声息地取错了元素。'));
        expectRejects(() => offsetOf(m, shape, [0, 3, 0]), 'offset([2, 3, 4], [0, 3, 0])', bounds,
          t('Check every dimension, not only the first or the last: dimension 1 has size 3.', '每一维都要检查，而不只是第一维或最后一维：第 1 维的大小是 3。'));
        // A negative index: throwing (this lesson, np.ravel_multi_index) or counting it from the end as NumPy's and
        // PyTorch's indexing do ([1, -1, 0] is [1, 2, 0], at 20) are both accepted; anything else is a wrong element.
        const negative = M['offset-negative-index'];
        expectRejects(() => offsetOf(m, shape, [1, -1, 0]), 'offset([2, 3, 4], [1, -1, 0])', negative,
          t('Counted from the end, as NumPy and PyTorch indexing do, [1, -1, 0] would be [1, 2, 0], at 20.', '若像 NumPy 和 PyTorch 的索引那样从末尾倒数，[1, -1, 0] 就是 [1, 2, 0]，位于 20。'),
          (result) => result === 20);
        expectRejects(() => offsetOf(m, shape, [1, -4, 0]), 'offset([2, 3, 4], [1, -4, 0])', negative,
          t('Even counted from the end, -4 is out of range for a dimension of size 3.', '即使从末尾倒数，-4 对大小为 3 的维度也是越界的。'));
      },
    },
    {
      name: t('offset throws for the wrong number of indices', 'offset 对个数不对的下标抛出错误'),
      task: 'offset',
      run: (m) => {
        expectOffset(m, [5], [4], 4);
        const length = M['offset-no-length-check'];
        expectRejects(() => offsetOf(m, [2, 3, 4], [1, 2]), 'offset([2, 3, 4], [1, 2])', length,
          t('Two indices for three dimensions: one is missing.', '三个维度只给了两个下标：少了一个。'));
        expectRejects(() => offsetOf(m, [2, 3, 4], [1, 2, 3, 0]), 'offset([2, 3, 4], [1, 2, 3, 0])', length,
          t('Four indices for three dimensions: one too many.', '三个维度却给了四个下标：多了一个。'));
        expectRejects(() => offsetOf(m, [], [0]), 'offset([], [0])', length,
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
        // The expectation comes from the inputs as they were before the call.
        const [aBefore, bBefore] = [snapshot(a), snapshot(b)];
        const expected = ndarray(matmul64(a.data, b.data, 7, 5, 3), [7, 3]);
        const c = m.matmul(a, b);
        expectUnchanged(a, aBefore, 'a', NEW_ARRAY);
        expectUnchanged(b, bBefore, 'b', NEW_ARRAY);
        expectShape(c, [7, 3], 'matmul((7, 5), (5, 3))');
        expectClose(c, expected, { what: 'matmul(a, b)', rtol: 1e-4, atol: 1e-5 });
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
        // A 3-D input whose first two sizes happen to fit: every library refuses these (np.matmul and torch.matmul read
        // a 3-D input as a stack of matrices, whose inner sizes do not match here), so only an Error passes.
        const stack = ndarray(Array.from({ length: 24 }, (_, i) => (i % 5) - 2), [2, 3, 4]);
        const square = ndarray(Array.from({ length: 12 }, (_, i) => (i % 3) - 1), [3, 4]);
        expectRejects(() => m.matmul(stack, square), 'matmul((2, 3, 4), (3, 4))', M['matmul-not-2d'],
          t('(2, 3, 4) is a stack of two (3, 4) matrices; np.matmul and torch.matmul refuse it too, 4 columns against 3 rows.',
            '(2, 3, 4) 是两个 (3, 4) 矩阵叠成的一摞；np.matmul 和 torch.matmul 同样会拒绝：4 列对 3 行。'));
        expectRejects(() => m.matmul(wide, ndarray(Array.from({ length: 12 }, (_, i) => (i % 4) - 1), [3, 2, 2])), 'matmul((2, 3), (3, 2, 2))', M['matmul-not-2d'],
          t('(3, 2, 2) is a stack of three (2, 2) matrices; np.matmul and torch.matmul refuse it too, 3 columns against 2 rows.',
            '(3, 2, 2) 是三个 (2, 2) 矩阵叠成的一摞；np.matmul 和 torch.matmul 同样会拒绝：3 列对 2 行。'));
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
              const mistake = axisMistake(m, x, axis);
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
        for (const axis of [0, 1, 2, -1, -3]) expectSoftmax(m, callSoftmax(m, x, axis), x, axis, `softmax(x, ${axis})`);
        const v = randomNd(ctx, [6], 3);
        expectSoftmax(m, callSoftmax(m, v, 0), v, 0, 'softmax(v, 0)');
      },
    },
    {
      name: t('softmax of huge logits like [1000, 1000, 999] is finite and correct', '对 [1000, 1000, 999] 这样的巨大 logits，softmax 结果有限且正确'),
      task: 'softmax',
      run: (m, ctx) => {
        // Row 0 overflows a naive exp, row 1 underflows it to 0/0, row 2 has a -1e9 mask (as in causal
        // attention), rows 3 and 4 span 2000 units with the max first and last (a max that skips an end of the
        // slice overflows), row 5 is masked with -Infinity (exp(-Infinity) = 0, a legitimate logit).
        // Expected row 0, by hand: e^0, e^0, e^-1 over 2 + e^-1.
        const x = ndarray([[1000, 1000, 999], [-1000, -1000, -999], [0, -1e9, 1], [1000, 0, -1000], [-1000, 0, 1000], [0, 1, -Infinity]], [6, 3]);
        const expected = ndarray(softmax64(x.data, x.shape, 1), x.shape);
        const y = callSoftmax(m, x, -1);
        const rowOf = (arr: ArrayLike<number> | undefined, r: number) => (arr ? `[${Array.from({ length: 3 }, (_, j) => num(Number(arr[r * 3 + j]))).join(', ')}]` : '?');
        ctx.artifact({
          kind: 'table', title: t('softmax(x, -1) on extreme logits', '极端 logits 上的 softmax(x, -1)'),
          columns: [t('logits', '输入 logits'), t('expected probabilities', '期望的概率'), t('yours', '你的结果')],
          rows: [0, 1, 2, 3, 4, 5].map((r) => [rowOf(x.data, r), rowOf(expected.data, r), rowOf((y as NDArray | undefined)?.data, r)]),
        });
        expectFiniteSoftmax(m, y, x, 1, 'softmax(x, -1)');
        const a = 1 / (2 + Math.exp(-1));
        expectClose(y, expected, { what: 'softmax(x, -1)', hint: NEGATIVE_AXIS_HINT });
        expectClose(y.data[0], a, { what: 'softmax([1000, 1000, 999])[0] (= 1 / (2 + e^-1))' });
        // The same slices as columns, along axis 0: a max (or anything else) read with the wrong stride shows here,
        // where every slice's values are `inner` = 6 places apart.
        const xt = ndarray(Array.from({ length: 18 }, (_, i) => x.data[(i % 6) * 3 + Math.floor(i / 6)]), [3, 6]);
        const expectedT = ndarray(softmax64(xt.data, xt.shape, 0), xt.shape);
        const yt = callSoftmax(m, xt, 0);
        expectFiniteSoftmax(m, yt, xt, 0, 'softmax(xᵀ, 0)');
        expectClose(yt, expectedT, { what: 'softmax(xᵀ, 0)' });
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
        // The large shifts come first: a softmax without the max overflows there, and is told so once, as in
        // the check above; -200 then finds a softmax that only underflows (its max starts at 0, say).
        for (const c of [30, 100, 800, -200]) {
          const xc = c < 0 ? `x - ${-c}` : `x + ${c}`;
          const shifted = ndarray(base.map((v) => v + c), [3, 5]);
          const y = callSoftmax(m, shifted, 1);
          expectFiniteSoftmax(m, y, shifted, 1, `softmax(${xc}, 1)`);
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
          const expected = softmax64(x.data, x.shape, ax);
          const y = callSoftmax(m, x, axis);
          expectShape(y, [3, 4], `softmax(x, ${axis})`);
          const inNaNSlice = (i: number) => (ax === 1 ? Math.floor(i / 4) === 1 : i % 4 === 2);
          const at = (i: number) => `softmax(x, ${axis})[${Math.floor(i / 4)}, ${i % 4}]`;
          // 1. The NaN must not leak out of its slice (named as a leak only if the slices are right without it).
          for (let i = 0; i < 12; i++) {
            if (!inNaNSlice(i) && Number.isNaN(y.data[i])) {
              failLeak(m, x, axis, ax, t(`${at(i)} is NaN, but only ${label.en} contains a NaN.`, `${at(i)} 是 NaN，但只有${label['zh-cn']}含有 NaN。`));
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
