/**
 * Checks for lesson 1 (tensors/basics): strides, offset, matmul, softmax.
 *
 * Every expected value is either worked out by hand (small cases, written as literals) or computed here
 * with plain float64 loops; no check calls one of the learner's functions to get an expected value.
 * Known wrong answers (column-major strides, b @ a, softmax over the wrong axis, exp overflow...) are
 * computed too, so a failure can say which mistake it looks like.
 */
import { type CheckContext, type Misconception, defineChecks, expectClose, expectEqual, expectShape, expectTrue, fail } from '@llm-lab/check';
import { type NDArray, ndarray } from '@llm-lab/kit';

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

const NEGATIVE_AXIS_HINT = 'A negative axis counts from the end: use axis + ndim, so axis -1 of a 3-D tensor is axis 2.';

const fmt = (s: readonly number[]) => `(${s.join(', ')})`;
const num = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : String(v));

function randomArray(ctx: CheckContext, shape: number[], scale: number): NDArray {
  const n = shape.reduce((p, d) => p * d, 1);
  return ndarray(Array.from({ length: n }, () => (ctx.random() * 2 - 1) * scale), shape);
}

/** A copy to compare against later ("did the function modify its input?"). */
const snapshot = (x: NDArray) => ({ data: Float32Array.from(x.data), shape: [...x.shape] });

function expectUnchanged(x: NDArray, before: { data: Float32Array; shape: number[] }, what: string): void {
  expectEqual([...x.shape], before.shape, `${what}.shape after the call`, 'Leave the input alone: build the result in a new array.');
  for (let i = 0; i < before.data.length; i++) {
    const a = x.data[i];
    const b = before.data[i];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) {
      fail(`${what}.data[${i}] changed from ${b} to ${a}: the function modified its input`, {
        hint: 'Allocate a new Float32Array for the result (new Float32Array(n)) and write only into that.',
      });
    }
  }
}

/**
 * Asserts that `fn` throws an Error. A TODO marker is passed through untouched, so an unfinished function
 * is reported as "not implemented yet" rather than as a pass.
 */
function expectError(fn: () => unknown, what: string, hint?: string): void {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (e instanceof Error && e.name === 'NotImplementedError') throw e;
    if (!(e instanceof Error)) fail(`${what} threw ${typeof e === 'string' ? JSON.stringify(e) : String(e)}, not an Error`, { hint: 'Write `throw new Error("...")` so the message comes with a stack trace.' });
    if (!e.message.trim()) fail(`${what} threw an Error with an empty message`, { hint: 'Say what was wrong and with which values: the message is what the person calling your function will read.' });
    return;
  }
  const shown = typeof result === 'object' && result !== null && 'shape' in result
    ? `a tensor of shape [${String((result as { shape: unknown }).shape)}]`
    : JSON.stringify(result) ?? String(result);
  fail(`${what} should have thrown an Error, but returned ${shown}`, { hint });
}

/** Calls the learner's softmax and checks that it left `x` alone (so later expectations use the real input). */
function callSoftmax(m: typeof import('./basics'), x: NDArray, axis: number): NDArray {
  const before = snapshot(x);
  const y = m.softmax(x, axis);
  expectUnchanged(x, before, 'x');
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
  const where = `${what}[${sliceKey(bad[0], x.shape, axis)}] contains ${data[bad[0]]}`;
  if (!badSlices.has(sliceWithGlobalMax)) {
    fail(`${where}, while the slice holding the largest logit is fine: it looks like you subtracted one max for the whole tensor. Slices far below that max then get exp(...) = 0 for every element, and 0/0 = NaN.`, {
      hint: 'Compute the max separately for each slice along the axis, inside the loop over slices.',
    });
  }
  const slice = bad[0];
  const sliceLogits = Array.from(x.data).filter((_, i) => sliceKey(i, x.shape, axis) === sliceKey(slice, x.shape, axis));
  if (Math.max(...sliceLogits) < -80) {
    fail(`${where} although every logit is finite: exp underflowed to 0 for every element of that slice and 0/0 = NaN: subtract the row max before exp.`, {
      hint: 'In float32, exp(-104) is already 0. After subtracting the slice max, the largest term is exp(0) = 1, so the sum is at least 1.',
    });
  }
  fail(`${where} although every logit is finite: exp overflowed: subtract the row max before exp.`, {
    hint: 'In float32, exp(89) is already Infinity, and Infinity / Infinity = NaN. softmax(x) = softmax(x - max(x)), and after the subtraction every exponent is <= 0, so exp stays in (0, 1].',
  });
}

/** Checks learner softmax against the float64 reference, naming the classic wrong answers. */
function expectSoftmax(y: unknown, x: NDArray, axis: number, what: string): void {
  const ndim = x.shape.length;
  const ax = axis < 0 ? axis + ndim : axis;
  expectFiniteSoftmax(y, x, ax, what);
  const misconceptions: Misconception[] = [];
  for (let other = 0; other < ndim; other++) {
    if (other === ax || x.shape[other] === 1) continue;
    misconceptions.push({
      value: ndarray(softmax64(x.data, x.shape, other), x.shape),
      message: `${what} normalised along axis ${other} instead of axis ${ax}${axis < 0 ? ` (axis ${axis} of a ${ndim}-D tensor)` : ''}: each slice along axis ${ax} (length ${x.shape[ax]}) should sum to 1.`,
      hint: axis < 0 ? NEGATIVE_AXIS_HINT : `Along axis ${ax}, neighbours in a slice are ${x.shape.slice(ax + 1).reduce((p, d) => p * d, 1)} places apart in the flat array (the stride of axis ${ax}).`,
    });
  }
  misconceptions.push(
    { value: ndarray(softmaxAll64(x.data), x.shape), message: `${what} normalised over the whole tensor (all values together sum to 1): softmax along an axis makes each slice along that axis sum to 1.` },
    { value: ndarray(softmax64(x.data, x.shape, ax, 'no-divide'), x.shape), message: `${what} returned exp(x - max) without dividing by the slice's sum.` },
  );
  expectClose(y, ndarray(softmax64(x.data, x.shape, ax), x.shape), { what, misconceptions, hint: axis < 0 ? NEGATIVE_AXIS_HINT : undefined });
}

// ---------------------------------------------------------------------------------------------------------

export default defineChecks<typeof import('./basics')>({
  exports: ['strides', 'offset', 'matmul', 'softmax'],
  checks: [
    // ----- strides ---------------------------------------------------------------------------------------
    {
      name: 'strides of shape (2, 3, 4) are (12, 4, 1)',
      task: 'strides',
      run: (m) => {
        expectClose(m.strides([2, 3, 4]), [12, 4, 1], {
          what: 'strides([2, 3, 4])', rtol: 0, atol: 0,
          hint: 'Stride of the last dimension is 1; each stride to the left is the one to its right times that size: 4, then 3 * 4 = 12.',
          misconceptions: [
            { value: [1, 2, 6], message: 'strides([2, 3, 4]) gave [1, 2, 6]: those are column-major strides, where the FIRST index moves fastest. Row-major means the LAST index moves fastest, so the last stride is 1 and the products go right to left.' },
            { value: [1, 4, 12], message: 'strides([2, 3, 4]) gave [1, 4, 12]: the right numbers in reverse order. strides[d] belongs to dimension d: the first dimension has the largest stride, the last has stride 1.' },
            { value: [24, 12, 4], message: 'strides([2, 3, 4]) gave [24, 12, 4]: each stride should be the product of the sizes strictly to the right of d; you also multiplied in shape[d] itself.' },
            { value: [3, 4, 1], message: 'strides([2, 3, 4]) gave [3, 4, 1]: a stride is the product of ALL sizes to the right, not just the next one (the first stride is 3 * 4 = 12).' },
          ],
        });
      },
    },
    {
      name: 'strides of a scalar, a vector and shapes with size-1 dimensions',
      task: 'strides',
      run: (m) => {
        const cases: [number[], number[]][] = [[[], []], [[5], [1]], [[7, 2], [2, 1]], [[4, 1, 3], [3, 3, 1]], [[2, 3, 4, 5], [60, 20, 5, 1]]];
        for (const [shape, expected] of cases) {
          const input = [...shape];
          const got = m.strides(input);
          if (!Array.isArray(got) && !ArrayBuffer.isView(got)) fail(`strides([${shape.join(', ')}]) returned ${got === undefined ? 'undefined (missing return?)' : typeof got}, expected an array`);
          expectEqual(Array.from(got), expected, `strides([${shape.join(', ')}])`,
            shape.length === 0 ? 'A scalar has no dimensions, so it has no strides: return an empty array.' : 'Walk the shape from the right, keeping a running product that starts at 1.');
          expectEqual(input, shape, `the shape passed to strides([${shape.join(', ')}])`, 'strides must not modify its argument: Array.prototype.reverse() works in place, for example.');
        }
      },
    },

    // ----- offset ----------------------------------------------------------------------------------------
    {
      name: 'offset visits every element of (2, 3, 4) once, in row-major order',
      task: 'offset',
      run: (m, ctx) => {
        const shape = [2, 3, 4];
        const indices = allIndices(shape);
        const got = indices.map((idx) => m.offset(shape, idx));
        if (typeof got[0] !== 'number') fail(`offset([2, 3, 4], [0, 0, 0]) returned ${got[0] === undefined ? 'undefined (missing return?)' : typeof got[0]}, expected a number`);
        const expected = indices.map((_, i) => i); // row-major order IS the flat order
        const colMajor = columnMajorStrides(shape);
        ctx.artifact({
          kind: 'table', title: 'offset([2, 3, 4], index) = i·12 + j·4 + k·1',
          columns: ['index (i, j, k)', 'i·12 + j·4 + k·1', 'expected', 'yours'],
          rows: indices.map((idx, i) => [fmt(idx), `${idx[0]}·12 + ${idx[1]}·4 + ${idx[2]}·1`, expected[i], String(got[i])]),
        });
        expectClose(got, expected, {
          what: 'offsets of all indices of (2, 3, 4)', rtol: 0, atol: 0,
          hint: 'offset = index[0]*strides[0] + index[1]*strides[1] + index[2]*strides[2], with strides (12, 4, 1).',
          misconceptions: [{
            value: indices.map((idx) => idx.reduce((s, v, d) => s + v * colMajor[d], 0)),
            message: 'These are column-major offsets (the first index moves fastest, strides (1, 2, 6)). In row-major order the last index moves fastest: index (0, 0, 1) is at 1 and (0, 1, 0) is at 4.',
          }],
        });
        // A second shape with a size-1 dimension, and the scalar case.
        const shape2 = [3, 1, 2, 5];
        const got2 = allIndices(shape2).map((idx) => m.offset(shape2, idx));
        expectClose(got2, got2.map((_, i) => i), { what: 'offsets of all indices of (3, 1, 2, 5)', rtol: 0, atol: 0 });
        expectEqual(m.offset([], []), 0, 'offset([], [])', 'A scalar has one element, at position 0.');
      },
    },
    {
      name: 'offset throws for an index out of range',
      task: 'offset',
      run: (m) => {
        const shape = [2, 3, 4];
        expectEqual(m.offset(shape, [1, 2, 3]), 23, 'offset([2, 3, 4], [1, 2, 3])');
        expectError(() => m.offset(shape, [2, 0, 0]), 'offset([2, 3, 4], [2, 0, 0])', 'Dimension 0 has size 2, so its valid indices are 0 and 1.');
        expectError(() => m.offset(shape, [0, 0, 4]), 'offset([2, 3, 4], [0, 0, 4])',
          'Without a bounds check, [0, 0, 4] lands on position 4, which is element [0, 1, 0]: a wrong element, silently. Check 0 <= index[d] < shape[d] for every d.');
        expectError(() => m.offset(shape, [0, 3, 0]), 'offset([2, 3, 4], [0, 3, 0])', 'Check every dimension: 0 <= index[d] < shape[d].');
        expectError(() => m.offset(shape, [1, -1, 0]), 'offset([2, 3, 4], [1, -1, 0])', 'Negative indices are out of range here: check index[d] >= 0 too.');
      },
    },
    {
      name: 'offset throws for the wrong number of indices',
      task: 'offset',
      run: (m) => {
        expectEqual(m.offset([5], [4]), 4, 'offset([5], [4])');
        const hint = 'Compare index.length with shape.length before using them.';
        expectError(() => m.offset([2, 3, 4], [1, 2]), 'offset([2, 3, 4], [1, 2]) (too few indices)', hint);
        expectError(() => m.offset([2, 3, 4], [1, 2, 3, 0]), 'offset([2, 3, 4], [1, 2, 3, 0]) (too many indices)', hint);
        expectError(() => m.offset([], [0]), 'offset([], [0]) (a scalar takes no indices)', hint);
      },
    },

    // ----- matmul ----------------------------------------------------------------------------------------
    {
      name: 'matmul of a hand-worked 2x2 case',
      task: 'matmul',
      run: (m) => {
        const a = ndarray([[1, 2], [3, 4]], [2, 2]);
        const b = ndarray([[5, 6], [7, 8]], [2, 2]);
        // c[0][0] = 1*5 + 2*7 = 19, c[0][1] = 1*6 + 2*8 = 22, c[1][0] = 3*5 + 4*7 = 43, c[1][1] = 3*6 + 4*8 = 50
        expectClose(m.matmul(a, b), ndarray([[19, 22], [43, 50]], [2, 2]), {
          what: 'matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]])',
          hint: 'c[i][j] is row i of a dotted with column j of b: c[0][0] = 1*5 + 2*7 = 19.',
          misconceptions: [
            { value: ndarray([[23, 34], [31, 46]], [2, 2]), message: 'You computed b @ a. Matrix multiplication is not commutative: c[i][j] takes row i of a (the FIRST argument) and column j of b.' },
            { value: ndarray([[17, 23], [39, 53]], [2, 2]), message: 'You computed a @ b^T: you paired row i of a with row j of b. Walk down column j of b instead: b[p][j] is at p*m + j.' },
            { value: ndarray([[26, 30], [38, 44]], [2, 2]), message: 'You computed a^T @ b: you paired column i of a with column j of b. Use row i of a: a[i][p] is at i*k + p.' },
            { value: ndarray([[5, 12], [21, 32]], [2, 2]), message: 'You multiplied element by element (a * b). Matrix multiplication sums over the shared dimension: c[i][j] = sum over p of a[i][p] * b[p][j].' },
          ],
        });
      },
    },
    {
      name: 'matmul of non-square shapes: (2, 3) @ (3, 4) -> (2, 4)',
      task: 'matmul',
      run: (m) => {
        const a = ndarray([[1, 2, 3], [4, 5, 6]], [2, 3]);
        const b = ndarray([[1, 0, -1, 2], [0, 1, 1, 0], [2, -1, 0, 1]], [3, 4]);
        const c = m.matmul(a, b);
        expectShape(c, [2, 4], 'matmul of (2, 3) @ (3, 4)');
        // Row 0: (1, 2, 3) against each column of b; row 1: (4, 5, 6).
        const expected = ndarray([[7, -1, 1, 5], [16, -1, 1, 14]], [2, 4]);
        expectClose(c, expected, {
          what: 'matmul((2, 3), (3, 4))',
          hint: 'With a of shape (n, k) and b of shape (k, m): a[i][p] is at i*k + p, b[p][j] at p*m + j, c[i][j] at i*m + j.',
          misconceptions: [
            { value: ndarray(matmul64(a.data, b.data, 2, 3, 4, undefined, (p, j) => p * 3 + j), [2, 4]), message: 'b was read with the wrong row length: b has m = 4 columns, so b[p][j] is at p*4 + j, not p*3 + j. (Square matrices hide this bug.)' },
            { value: ndarray(matmul64(a.data, b.data, 2, 3, 4, (i, p) => i * 4 + p), [2, 4]), message: 'a was read with the wrong row length: a has k = 3 columns, so a[i][p] is at i*3 + p, not i*4 + p. (Square matrices hide this bug.)' },
          ],
        });
      },
    },
    {
      name: 'matmul by the identity leaves a matrix unchanged',
      task: 'matmul',
      run: (m) => {
        const a = ndarray([[1, -2, 3, 0.5, 4], [0, 7, -1, 2, 2.25], [-3, 1, 1, 8, -0.5]], [3, 5]);
        const eye = (n: number) => ndarray(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), [n, n]);
        expectClose(m.matmul(a, eye(5)), a, { what: 'a @ I (a is 3x5, I is 5x5)', hint: 'Multiplying by the identity on the right keeps every row of a.' });
        expectClose(m.matmul(eye(3), a), a, { what: 'I @ a (I is 3x3, a is 3x5)', hint: 'Multiplying by the identity on the left keeps every row of a.' });
      },
    },
    {
      name: 'matmul of random (7, 5) @ (5, 3) matches a float64 reference',
      task: 'matmul',
      run: (m, ctx) => {
        const a = randomArray(ctx, [7, 5], 2);
        const b = randomArray(ctx, [5, 3], 2);
        const [aBefore, bBefore] = [snapshot(a), snapshot(b)];
        const c = m.matmul(a, b);
        expectShape(c, [7, 3], 'matmul of (7, 5) @ (5, 3)');
        expectClose(c, ndarray(matmul64(a.data, b.data, 7, 5, 3), [7, 3]), { what: 'matmul(a, b)', rtol: 1e-4, atol: 1e-5 });
        expectUnchanged(a, aBefore, 'a');
        expectUnchanged(b, bBefore, 'b');
      },
    },
    {
      name: 'matmul throws when the inner dimensions differ',
      task: 'matmul',
      run: (m) => {
        expectClose(m.matmul(ndarray([[1, 2]], [1, 2]), ndarray([[3], [4]], [2, 1])), ndarray([[11]], [1, 1]), { what: 'matmul((1, 2), (2, 1))' });
        const hint = 'Compare a.shape[1] (columns of a) with b.shape[0] (rows of b) and throw new Error(...) naming both shapes.';
        expectError(() => m.matmul(ndarray(new Float32Array(6), [2, 3]), ndarray(new Float32Array(8), [4, 2])), 'matmul of (2, 3) @ (4, 2)', hint);
        expectError(() => m.matmul(ndarray(new Float32Array(6), [3, 2]), ndarray(new Float32Array(6), [3, 2])), 'matmul of (3, 2) @ (3, 2)', `${hint} (Equal shapes are not enough: (3, 2) @ (3, 2) has 2 columns against 3 rows.)`);
        expectError(() => m.matmul(ndarray(new Float32Array(3), [3]), ndarray(new Float32Array(6), [3, 2])), 'matmul of a 1-D (3) with (3, 2)', 'matmul here takes 2-D tensors only: check a.shape.length and b.shape.length.');
      },
    },

    // ----- softmax ---------------------------------------------------------------------------------------
    {
      name: 'softmax slices sum to 1 along axis 0, 1 and -1 of a 3-D tensor',
      task: 'softmax',
      run: (m, ctx) => {
        const x = randomArray(ctx, [3, 4, 5], 6);
        for (const axis of [0, 1, -1]) {
          const ax = axis < 0 ? axis + 3 : axis;
          const y = callSoftmax(m, x, axis);
          expectShape(y, [3, 4, 5], `softmax(x, ${axis})`);
          for (let i = 0; i < y.data.length; i++) {
            expectTrue(y.data[i] >= 0 && y.data[i] <= 1, `softmax(x, ${axis}).data[${i}] is ${y.data[i]}: probabilities lie between 0 and 1.`);
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
            const other = [0, 1, 2].find((d) => d !== ax && !sumsTo1(d));
            fail(`softmax(x, ${axis})[${wrong.key}] sums to ${wrong.s}, expected 1` +
              (other !== undefined ? `; your slices along axis ${other} sum to 1 instead: wrong axis.` : '.'), {
              hint: axis < 0 ? NEGATIVE_AXIS_HINT : `Slice along axis ${ax}: its elements are ${x.shape.slice(ax + 1).reduce((p, d) => p * d, 1)} apart in the flat array.`,
            });
          }
        }
      },
    },
    {
      name: 'softmax matches a float64 reference along every axis',
      task: 'softmax',
      run: (m, ctx) => {
        const x = randomArray(ctx, [2, 3, 4], 3);
        for (const axis of [0, 1, 2, -1, -3]) expectSoftmax(callSoftmax(m, x, axis), x, axis, `softmax(x, ${axis})`);
        const v = randomArray(ctx, [6], 3);
        expectSoftmax(callSoftmax(m, v, 0), v, 0, 'softmax(vector, 0)');
      },
    },
    {
      name: 'softmax of huge logits like [1000, 1000, 999] is finite and correct',
      task: 'softmax',
      run: (m, ctx) => {
        // Row 0 overflows a naive exp, row 1 underflows it to 0/0, row 2 has a -1e9 mask (as in causal
        // attention), row 3 spans 2000 units. Expected row 0, by hand: e^0, e^0, e^-1 over 2 + e^-1.
        const x = ndarray([[1000, 1000, 999], [-1000, -1000, -999], [0, -1e9, 1], [1000, 0, -1000]], [4, 3]);
        const y = callSoftmax(m, x, -1);
        const expected = ndarray(softmax64(x.data, x.shape, 1), x.shape);
        const rowOf = (arr: ArrayLike<number> | undefined, r: number) => (arr ? `[${Array.from({ length: 3 }, (_, j) => num(Number(arr[r * 3 + j]))).join(', ')}]` : '?');
        ctx.artifact({
          kind: 'table', title: 'softmax(x, -1) on extreme logits',
          columns: ['logits', 'expected probabilities', 'yours'],
          rows: [0, 1, 2, 3].map((r) => [rowOf(x.data, r), rowOf(expected.data, r), rowOf((y as NDArray | undefined)?.data, r)]),
        });
        expectFiniteSoftmax(y, x, 1, 'softmax(x, -1)');
        const a = 1 / (2 + Math.exp(-1));
        expectClose(y, expected, { what: 'softmax(x, -1)', hint: NEGATIVE_AXIS_HINT });
        expectClose(y.data[0], a, { what: 'softmax([1000, 1000, 999])[0] (= 1 / (2 + e^-1))' });
      },
    },
    {
      name: 'softmax is unchanged by adding a constant to every logit',
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
          expectClose(y, expected, { what: `softmax(${xc}, 1)`, hint: 'softmax(x + c) = softmax(x): the factor e^c cancels between numerator and denominator.' });
        }
      },
    },
    {
      name: 'a NaN makes its own slice NaN and leaves the others alone',
      task: 'softmax',
      run: (m) => {
        const x = ndarray([[0.5, -1, 2, 0], [1, 3, NaN, -2], [0, 0, 1, 1]], [3, 4]);
        for (const [axis, ax, label] of [[1, 1, 'row 1'], [-2, 0, 'column 2']] as const) {
          const y = callSoftmax(m, x, axis);
          expectShape(y, [3, 4], `softmax(x, ${axis})`);
          const expected = softmax64(x.data, x.shape, ax);
          const inNaNSlice = (i: number) => (ax === 1 ? Math.floor(i / 4) === 1 : i % 4 === 2);
          const at = (i: number) => `softmax(x, ${axis})[${Math.floor(i / 4)}, ${i % 4}]`;
          // 1. The NaN must not leak out of its slice.
          for (let i = 0; i < 12; i++) {
            if (!inNaNSlice(i) && Number.isNaN(y.data[i])) {
              fail(`${at(i)} is NaN, but only ${label} contains a NaN: it leaked into another slice`, {
                hint: 'Each slice needs its own max and its own sum, taken along the requested axis. One max or sum over the whole tensor (or along another axis) spreads the NaN.',
              });
            }
          }
          // 2. The other slices are ordinary softmax values.
          //    (Compare everything, with the NaN slice taken as given; step 3 judges that slice.)
          const outside = ndarray(Array.from(y.data, (v, i) => (inNaNSlice(i) ? NaN : v)), [3, 4]);
          expectClose(outside, ndarray(expected, [3, 4]), { what: `softmax(x, ${axis})`, hint: axis < 0 ? NEGATIVE_AXIS_HINT : undefined });
          // 3. The slice holding the NaN is NaN all through.
          for (let i = 0; i < 12; i++) {
            if (inNaNSlice(i) && !Number.isNaN(y.data[i])) {
              fail(`${at(i)} is ${y.data[i]}, but ${label} contains a NaN, so every value in ${label} should be NaN`, {
                hint: 'Do not skip or replace NaN: let it flow through max, exp and the sum. A NaN you can see is a bug you can find; a hidden one corrupts everything downstream quietly.',
              });
            }
          }
        }
      },
    },
    {
      name: 'softmax keeps the shape and leaves its input unchanged',
      task: 'softmax',
      run: (m, ctx) => {
        const cases: [number[], number][] = [[[5], 0], [[2, 3, 4], 1], [[1, 4], 0], [[3, 1], -1], [[2, 1, 3, 2], 2]];
        for (const [shape, axis] of cases) {
          const x = randomArray(ctx, shape, 4);
          const before = snapshot(x);
          const y = m.softmax(x, axis);
          const what = `softmax(x, ${axis}) with x of shape ${fmt(shape)}`;
          expectShape(y, shape, what);
          expectTrue(y.data !== x.data, `${what} returned the input's own data array: the result must be a new array`, 'Create the output with new Float32Array(x.data.length).');
          expectUnchanged(x, before, 'x');
          expectClose(y, ndarray(softmax64(x.data, shape, axis < 0 ? axis + shape.length : axis), shape), {
            what: `softmax(x, ${axis})`, hint: shape[axis < 0 ? axis + shape.length : axis] === 1 ? 'A slice of length 1 has softmax [1].' : axis < 0 ? NEGATIVE_AXIS_HINT : undefined,
          });
        }
      },
    },
  ],
});
