/**
 * The batched and linear-layer entry points of the matmul kernels (kernels/index.ts: matmulBatch,
 * matmulLinear) against the plain code they replace: one `matmul` call per product, and the loops
 * that add a bias to every row and sum the rows of dy. They promise exactly the same numbers, not
 * close ones (the same kernel per product, the same float32 additions in the same order), so these
 * tests compare bit for bit, on odd shapes, batch index maps with repeats and gaps, subarray views,
 * one thread and worker threads; then the ops built on them (matmul's backward, linear) against the
 * loops they used to run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableParallelism } from 'node:os';
import {
  lastMatmulRun, linearBackward, linearBackwardWasm, matmul, matmulBatch, matmulBatchWasm, matmulWasm, matmulLinear, startMatmulWorkers, stopMatmulWorkers,
  type BatchIndex, type MatmulOptions, type ThreadMode,
} from '../../../src/kit/kernels/index';
import { Rng } from '../../../src/kit/random';
import { tensor } from '../../../src/kit/tensor';
import { linear, matmul as matmulOp } from '../../../src/kit/ops/matmul';

const rng = new Rng(11);
const random = (len: number): Float32Array => Float32Array.from({ length: len }, () => rng.random() * 2 - 1);

const OPTIONS: MatmulOptions[] = [{}, { transA: true }, { transB: true }, { transA: true, transB: true }]
  .flatMap((t) => [t, { ...t, accumulate: true }]);
const name = (o: MatmulOptions): string => `${o.transA ? 'At' : 'A'}@${o.transB ? 'Bt' : 'B'}${o.accumulate ? ' (+=)' : ''}`;

/** Equal bit for bit (NaN matches NaN), naming the first difference. */
function assertSame(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (one matmul per product)`);
  }
}

type Kernel = (a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, o: MatmulOptions) => void;

/** The definition: one `matmul` per product, in order (or one call of `kernel`: the WebAssembly one alone). */
function batchByLoop(
  a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number,
  o: MatmulOptions, count: number, index: BatchIndex, kernel: Kernel = matmul,
): void {
  for (let i = 0; i < count; i++) {
    const ia = index.a ? index.a[i] : i, ib = index.b ? index.b[i] : i, ic = index.c ? index.c[i] : i;
    kernel(a.subarray(ia * m * k, (ia + 1) * m * k), b.subarray(ib * k * n, (ib + 1) * k * n), out.subarray(ic * m * n, (ic + 1) * m * n), m, k, n, o);
  }
}

/** Small ones stay in JavaScript, the rest go to WebAssembly; odd sizes leave ragged panels. */
const SHAPES: [number, number, number][] = [[3, 5, 7], [5, 9, 7], [17, 33, 9], [33, 17, 13], [12, 257, 20], [128, 32, 128]];

/** Index maps: products 0..count-1 over `mats` matrices of each operand. */
interface Case { label: string; count: number; mats: [number, number, number]; index: BatchIndex }
const CASES: Case[] = [
  { label: 'one matrix each', count: 4, mats: [4, 4, 4], index: {} },
  { label: 'B shared (broadcast), as (B, nh, T, hs) @ (hs, T)', count: 5, mats: [5, 1, 5], index: { b: [0, 0, 0, 0, 0] } },
  { label: 'C repeated: products add into the same matrix, in order', count: 4, mats: [4, 4, 2], index: { c: [1, 0, 1, 1] } },
  { label: 'C with gaps: matrices no product writes stay as they were', count: 2, mats: [2, 3, 4], index: { b: [2, 0], c: [3, 1] } },
];

function checkBatch(
  run: (a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, o: MatmulOptions, c: Case) => void,
  kernel: Kernel = matmul,
): void {
  for (const c of CASES) {
    for (const o of OPTIONS) {
      for (const [m, k, n] of SHAPES) {
        const [na, nb, nc] = c.mats;
        // Views at an offset, with something on either side that must not change.
        const pad = 3;
        const a = random(na * m * k + 2 * pad).subarray(pad, pad + na * m * k);
        const b = random(nb * k * n + 2 * pad).subarray(pad, pad + nb * k * n);
        const start = random(nc * m * n + 2 * pad);
        const expected = Float32Array.from(start), actual = Float32Array.from(start);
        batchByLoop(a, b, expected.subarray(pad, pad + nc * m * n), m, k, n, o, c.count, c.index, kernel);
        run(a, b, actual.subarray(pad, pad + nc * m * n), m, k, n, o, c);
        assertSame(actual, expected, `${c.label}: ${c.count} x ${m}x${k}x${n} ${name(o)}`);
      }
    }
  }
}

describe('matmulBatch: exactly one matmul per product', () => {
  test('on one thread', () => {
    checkBatch((a, b, out, m, k, n, o, c) => matmulBatch(a, b, out, m, k, n, o, c.count, c.index));
  });

  test('k = 0: zeros, or C unchanged when accumulating; count = 0 does nothing', () => {
    for (const accumulate of [false, true]) {
      const out = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      matmulBatchWasm(new Float32Array(0), new Float32Array(0), out, 2, 0, 2, { accumulate }, 2, { c: [1, 0] });
      assert.deepEqual([...out], accumulate ? [1, 2, 3, 4, 5, 6, 7, 8] : [0, 0, 0, 0, 0, 0, 0, 0]);
    }
    const out = Float32Array.from([1, 2]);
    matmulBatch(random(4), random(4), out, 1, 4, 1, {}, 0);
    assert.deepEqual([...out], [1, 2]);
  });

  test('an index past the end of an operand is a RangeError, not a read of other memory', () => {
    assert.throws(() => matmulBatch(random(2 * 64), random(64), new Float32Array(2 * 64), 8, 8, 8, {}, 2, { b: [0, 1] }), RangeError);
    assert.throws(() => matmulBatch(random(2 * 64), random(64), new Float32Array(64), 8, 8, 8, {}, 2, { b: [0, 0] }), RangeError);
  });
});

describe('matmulBatch on worker threads', { skip: availableParallelism() < 2 && 'needs 2 cores' }, () => {
  before(() => startMatmulWorkers());
  after(() => stopMatmulWorkers());

  for (const mode of ['workers', 'force'] as ThreadMode[]) {
    test(`${mode === 'workers' ? 'the workers alone' : 'caller and workers'}, every case (repeated C runs on one thread, in order)`, () => {
      checkBatch((a, b, out, m, k, n, o, c) => {
        matmulBatchWasm(a, b, out, m, k, n, o, c.count, c.index, mode);
        const run = lastMatmulRun();
        const distinct = !c.index.c || new Set(Array.from(c.index.c)).size === c.index.c.length;
        if (!distinct) assert.equal(run.threads, 1, 'products adding into one matrix must not run side by side');
        else if (mode === 'workers' && k > 0) assert.ok(run.threads >= 2 && run.callerTasks === 0, JSON.stringify(run));
      }, (a, b, out, m, k, n, o) => matmulWasm(a, b, out, m, k, n, o, 'off')); // the same kernel, product by product
    });
  }

  test("attention's heads are one job the threads share", () => {
    const [count, m, k, n] = [32, 128, 32, 128];
    const a = random(count * m * k), b = random(count * k * n);
    const expected = new Float32Array(count * m * n), actual = new Float32Array(count * m * n);
    batchByLoop(a, b, expected, m, k, n, { transB: true }, count, {});
    matmulBatch(a, b, actual, m, k, n, { transB: true }, count);
    assert.ok(lastMatmulRun().threads >= 2, `expected a threaded job, got ${JSON.stringify(lastMatmulRun())}`);
    assert.ok(lastMatmulRun().tasks >= count, 'tasks cover every product');
    assertSame(actual, expected, '32 heads');
  });
});

describe('matmulLinear: the bias and its gradient, as the plain loops', () => {
  const plain = (a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, o: MatmulOptions,
    bias?: Float32Array, sums?: Float32Array): void => {
    matmul(a, b, out, m, k, n, o);
    if (bias) for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) out[r * n + j] += bias[j];
    if (sums) for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) sums[j] += a[r * k + j];
  };
  const run = (threads: boolean): void => {
    // n and k not multiples of 4 leave a tail for the vector loop; 1024 x 128 x 512 is the MLP's.
    for (const [m, k, n] of [[3, 5, 7], [17, 33, 9], [65, 31, 127], [1024, 128, 512]] as [number, number, number][]) {
      for (const o of [{ transB: true }, { accumulate: true }, {}] as MatmulOptions[]) {
        const a = random(m * k), b = random(k * n), start = random(m * n), bias = random(n), sums = random(k);
        const expected = Float32Array.from(start), actual = Float32Array.from(start);
        const eSums = Float32Array.from(sums), aSums = Float32Array.from(sums);
        plain(a, b, expected, m, k, n, o, bias, eSums);
        matmulLinear(a, b, actual, m, k, n, o, { addToRows: bias, sumRowsOfA: aSums });
        if (threads && m * k * n > 1 << 20) assert.ok(lastMatmulRun().threads >= 2, 'expected threads');
        assertSame(actual, expected, `${m}x${k}x${n} ${name(o)} + bias`);
        assertSame(aSums, eSums, `${m}x${k}x${n} ${name(o)} row sums of A`);
        // Each extra alone.
        const c1 = Float32Array.from(start), c2 = Float32Array.from(start);
        plain(a, b, c1, m, k, n, o, bias);
        matmulLinear(a, b, c2, m, k, n, o, { addToRows: bias });
        assertSame(c2, c1, `${m}x${k}x${n} ${name(o)} bias alone`);
      }
    }
  };
  test('one thread', () => run(false));
  test('worker threads', { skip: availableParallelism() < 2 && 'needs 2 cores' }, async () => {
    await startMatmulWorkers();
    try { run(true); } finally { await stopMatmulWorkers(); }
  });
  test('sumRowsOfA needs A as stored (no transA), and both extras need room', () => {
    assert.throws(() => matmulLinear(random(64), random(64), new Float32Array(64), 8, 8, 8, { transA: true }, { sumRowsOfA: new Float32Array(8) }), RangeError);
    assert.throws(() => matmulLinear(random(64), random(64), new Float32Array(64), 8, 8, 8, {}, { sumRowsOfA: new Float32Array(7) }), RangeError);
    assert.throws(() => matmulLinear(random(64), random(64), new Float32Array(64), 8, 8, 8, {}, { addToRows: new Float32Array(7) }), RangeError);
  });
});

describe('the ops on top: the same numbers as their old loops', () => {
  /** matmul's forward and backward as ops/matmul.ts computed them before: one kernel call per product. */
  function oldMatmul(A: Float32Array, B: Float32Array, g: Float32Array, m: number, k: number, n: number,
    ia: number[], ib: number[], gA: Float32Array, gB: Float32Array): Float32Array {
    const nb = ia.length;
    const C = new Float32Array(nb * m * n);
    for (let i = 0; i < nb; i++) {
      matmul(A.subarray(ia[i] * m * k, (ia[i] + 1) * m * k), B.subarray(ib[i] * k * n, (ib[i] + 1) * k * n), C.subarray(i * m * n, (i + 1) * m * n), m, k, n);
    }
    for (let i = 0; i < nb; i++) {
      const dC = g.subarray(i * m * n, (i + 1) * m * n);
      matmul(dC, B.subarray(ib[i] * k * n, (ib[i] + 1) * k * n), gA.subarray(ia[i] * m * k, (ia[i] + 1) * m * k), m, n, k, { transB: true, accumulate: true });
      matmul(A.subarray(ia[i] * m * k, (ia[i] + 1) * m * k), dC, gB.subarray(ib[i] * k * n, (ib[i] + 1) * k * n), k, m, n, { transA: true, accumulate: true });
    }
    return C;
  }

  const cases: { label: string; a: number[]; b: number[]; ia: number[]; ib: number[] }[] = [
    { label: "(2, 3, 33, 17) @ (2, 3, 17, 9), attention's shape", a: [2, 3, 33, 17], b: [2, 3, 17, 9], ia: [0, 1, 2, 3, 4, 5], ib: [0, 1, 2, 3, 4, 5] },
    { label: '(2, 3, 33, 17) @ (17, 9): B broadcast', a: [2, 3, 33, 17], b: [17, 9], ia: [0, 1, 2, 3, 4, 5], ib: [0, 0, 0, 0, 0, 0] },
    { label: '(33, 17) @ (3, 17, 9): A broadcast', a: [33, 17], b: [3, 17, 9], ia: [0, 0, 0], ib: [0, 1, 2] },
    { label: '(4, 64, 32) @ (4, 32, 64): on the WebAssembly path', a: [4, 64, 32], b: [4, 32, 64], ia: [0, 1, 2, 3], ib: [0, 1, 2, 3] },
  ];
  for (const c of cases) {
    test(`matmul ${c.label}: forward and gradients`, () => {
      const size = (s: number[]): number => s.reduce((p, x) => p * x, 1);
      const A = random(size(c.a)), B = random(size(c.b));
      const [m, k] = c.a.slice(-2), n = c.b[c.b.length - 1];
      const g = random(c.ia.length * m * n);
      const gA = new Float32Array(A.length), gB = new Float32Array(B.length);
      const C = oldMatmul(A, B, g, m, k, n, c.ia, c.ib, gA, gB);
      const a = tensor(A, c.a, { requiresGrad: true }), b = tensor(B, c.b, { requiresGrad: true });
      const y = matmulOp(a, b);
      y.backward(Float32Array.from(g));
      assertSame(y.data, C, 'forward');
      assertSame(a.grad!, gA, 'dA');
      assertSame(b.grad!, gB, 'dB');
    });
  }

  test('x @ x (both gradients into one buffer) keeps the order of the loop', () => {
    const X = random(3 * 40 * 40);
    const g = random(X.length);
    const gX = new Float32Array(X.length);
    const C = oldMatmul(X, X, g, 40, 40, 40, [0, 1, 2], [0, 1, 2], gX, gX);
    const x = tensor(X, [3, 40, 40], { requiresGrad: true });
    const y = matmulOp(x, x);
    y.backward(Float32Array.from(g));
    assertSame(y.data, C, 'forward');
    assertSame(x.grad!, gX, 'dX');
  });

  for (const [N, nIn, nOut] of [[5, 3, 7], [64, 33, 65], [1024, 128, 512]]) {
    for (const gradX of [true, false]) {
      test(`linear (${N}, ${nIn}) -> ${nOut}, bias${gradX ? '' : ', x without a gradient'}`, () => {
        const X = random(N * nIn), W = random(nOut * nIn), bv = random(nOut), g = random(N * nOut);
        // The old code: y = x @ W^T, then + bias row by row; dx = dy @ W, dW = dy^T @ x, db = sum of dy's rows.
        const y0 = new Float32Array(N * nOut);
        matmul(X, W, y0, N, nIn, nOut, { transB: true });
        for (let r = 0; r < N; r++) for (let j = 0; j < nOut; j++) y0[r * nOut + j] += bv[j];
        const dx = new Float32Array(N * nIn), dW = new Float32Array(nOut * nIn), db = new Float32Array(nOut);
        matmul(g, W, dx, N, nOut, nIn, { accumulate: true });
        matmul(g, X, dW, nOut, N, nIn, { transA: true, accumulate: true });
        for (let r = 0; r < N; r++) for (let j = 0; j < nOut; j++) db[j] += g[r * nOut + j];

        const x = tensor(X, [N, nIn], { requiresGrad: gradX });
        const w = tensor(W, [nOut, nIn], { requiresGrad: true });
        const b = tensor(bv, [nOut], { requiresGrad: true });
        const y = linear(x, w, b);
        y.backward(Float32Array.from(g));
        assertSame(y.data, y0, 'y');
        if (gradX) assertSame(x.grad!, dx, 'dx');
        assertSame(w.grad!, dW, 'dW');
        assertSame(b.grad!, db, 'db');
      });
    }
  }
});

describe('gradients that are written rather than added to (still null) only when that is safe', () => {
  test('linear(w, w): both gradients add into w.grad', () => {
    const W = random(48 * 48), g = random(48 * 48);
    const dx = new Float32Array(W.length);
    matmul(g, W, dx, 48, 48, 48, { accumulate: true }); // dx += dy @ W
    matmul(g, W, dx, 48, 48, 48, { transA: true, accumulate: true }); // dW += dy^T @ x, into the same buffer
    const w = tensor(W, [48, 48], { requiresGrad: true });
    linear(w, w).backward(Float32Array.from(g));
    assertSame(w.grad!, dx, 'dw');
  });

  test('a gradient already holding something is added to', () => {
    const A = random(2 * 16 * 24), B = random(2 * 24 * 16), g = random(2 * 16 * 16);
    const a = tensor(A, [2, 16, 24], { requiresGrad: true }), b = tensor(B, [2, 24, 16], { requiresGrad: true });
    a.grad = Float32Array.from({ length: A.length }, () => 1);
    matmulOp(a, b).backward(Float32Array.from(g));
    const expected = Float32Array.from({ length: A.length }, () => 1);
    for (let i = 0; i < 2; i++) {
      matmul(g.subarray(i * 256, (i + 1) * 256), B.subarray(i * 384, (i + 1) * 384), expected.subarray(i * 384, (i + 1) * 384), 16, 16, 24, { transB: true, accumulate: true });
    }
    assertSame(a.grad, expected, 'dA on top of ones');
  });
});

describe('linearBackward: dx, dW and db in one trip, as the separate calls', () => {
  const check = (mode: ThreadMode | 'entry'): void => {
    for (const [N, nIn, nOut] of [[5, 3, 7], [17, 33, 9], [64, 33, 65], [1024, 128, 512]]) {
      for (const [addX, addW] of [[false, false], [true, true], [true, false]]) {
        const dy = random(N * nOut), w = random(nOut * nIn), x = random(N * nIn);
        const dx0 = random(N * nIn), dW0 = random(nOut * nIn), db0 = random(nOut);
        const e = [Float32Array.from(dx0), Float32Array.from(dW0), Float32Array.from(db0)];
        const a = [Float32Array.from(dx0), Float32Array.from(dW0), Float32Array.from(db0)];
        const direct = mode !== 'entry' && N * nIn * nOut >= 256;
        if (direct) { // the WebAssembly kernel alone, on both sides
          matmulBatchWasm(dy, w, e[0], N, nOut, nIn, { accumulate: addX }, 1, {}, 'off', { sumRowsOfA: e[2] });
          matmulWasm(dy, x, e[1], nOut, N, nIn, { transA: true, accumulate: addW }, 'off');
          linearBackwardWasm(dy, w, x, a[0], a[1], a[2], N, nIn, nOut, addX, addW, mode);
        } else {
          matmulLinear(dy, w, e[0], N, nOut, nIn, { accumulate: addX }, { sumRowsOfA: e[2] });
          matmul(dy, x, e[1], nOut, N, nIn, { transA: true, accumulate: addW });
          linearBackward(dy, w, x, a[0], a[1], a[2], N, nIn, nOut, addX, addW);
        }
        const what = `${N}x${nIn}->${nOut} addX ${addX} addW ${addW} (${mode})`;
        assertSame(a[0], e[0], `${what}: dx`);
        assertSame(a[1], e[1], `${what}: dW`);
        assertSame(a[2], e[2], `${what}: db`);
      }
    }
  };
  test('through kernels/index.ts, one thread', () => check('entry'));
  test('on worker threads', { skip: availableParallelism() < 2 && 'needs 2 cores' }, async () => {
    await startMatmulWorkers();
    try { check('workers'); check('force'); } finally { await stopMatmulWorkers(); }
  });
});
