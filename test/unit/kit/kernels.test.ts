/**
 * The matmul kernels against `matmulReference` (the plain triple loop): every path (JavaScript,
 * WebAssembly on one thread, WebAssembly on worker threads), every transpose combination,
 * accumulate, odd sizes that leave ragged edges, subarray views, NaN and Infinity.
 *
 * Tolerance: the reference sums in float64, the kernels in float32 and in another order, so an
 * element may differ by a few float32 roundings of the terms it adds up. We allow
 * 1e-5 * (sum over p of |A[i][p] * B[p][j]|, plus |C| when accumulating): about 100 roundings,
 * far above what float32 summation of these sizes loses, far below any real mistake.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  THREADS_MIN_MACS, WASM_MIN_MACS, lastMatmulRun, matmul, matmulPath, matmulReference, matmulSmall,
  matmulWasm, startMatmulWorkers, stopMatmulWorkers, wasmAvailable, wasmFlavor, type MatmulOptions,
  type ThreadMode,
} from '../../../src/kit/kernels/index';
import { Rng } from '../../../src/kit/random';
import { exp as fastExp, tanh as fastTanh } from '../../../src/kit/kernels/pointwise';
import { addRepeated, fillRepeated, repeatPeriod, sumRepeated, unfilledGrad } from '../../../src/kit/kernels/broadcast';
import { broadcastIndex } from '../../../src/kit/shape';
import { softmaxRows, softmaxRowsBackward } from '../../../src/kit/kernels/softmax';

const rng = new Rng(7);
const random = (len: number): Float32Array => Float32Array.from({ length: len }, () => rng.random() * 2 - 1);

const TRANSPOSES: MatmulOptions[] = [
  {}, { transA: true }, { transB: true }, { transA: true, transB: true },
];
const ALL_OPTIONS: MatmulOptions[] = TRANSPOSES.flatMap((t) => [t, { ...t, accumulate: true }]);
const describeOpts = (o: MatmulOptions): string =>
  `${o.transA ? 'At' : 'A'}@${o.transB ? 'Bt' : 'B'}${o.accumulate ? ' (+=)' : ''}`;

type Kernel = (a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, o: MatmulOptions) => void;

/**
 * Run `kernel` and the reference on the same random inputs (and the same starting C) and compare,
 * naming the first element out of tolerance like a good teacher would.
 */
function checkAgainstReference(kernel: Kernel, m: number, k: number, n: number, o: MatmulOptions, what: string): void {
  const a = random(m * k), b = random(k * n), start = random(m * n);
  const expected = Float32Array.from(start), actual = Float32Array.from(start);
  matmulReference(a, b, expected, m, k, n, o);
  kernel(a, b, actual, m, k, n, o);
  assertMatmulClose(actual, expected, a, b, start, m, k, n, o, what);
}

function assertMatmulClose(
  actual: Float32Array, expected: Float32Array, a: Float32Array, b: Float32Array, start: Float32Array,
  m: number, k: number, n: number, o: MatmulOptions, what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const x = actual[i * n + j], y = expected[i * n + j];
      if (!Number.isFinite(y)) { // strict: NaN only matches NaN, Infinity only the same Infinity
        if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) {
          assert.fail(`${what}: C[${i}][${j}] is ${x}, expected ${y}`);
        }
        continue;
      }
      let scale = o.accumulate ? Math.abs(start[i * n + j]) : 0;
      for (let p = 0; p < k; p++) {
        const av = o.transA ? a[p * m + i] : a[i * k + p];
        const bv = o.transB ? b[j * k + p] : b[p * n + j];
        scale += Math.abs(av * bv);
      }
      const tol = 1e-5 * scale + 1e-30;
      if (!(Math.abs(x - y) <= tol)) {
        assert.fail(`${what}: C[${i}][${j}] is ${x}, expected ${y} (difference ${Math.abs(x - y)}, tolerance ${tol})`);
      }
    }
  }
}

/** Odd sizes leave partial 4-row and 8-column panels; 257+ crosses the k blocks of 256. */
const ODD_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [3, 1, 5], [1, 17, 33], [33, 17, 1], [17, 33, 9], [4, 8, 8], [5, 9, 7],
  [127, 3, 33], [16, 127, 17], [12, 257, 20], [33, 300, 65],
];

describe('matmulSmall (the JavaScript path)', () => {
  for (const o of ALL_OPTIONS) {
    test(describeOpts(o), () => {
      for (const [m, k, n] of ODD_SHAPES) checkAgainstReference(matmulSmall, m, k, n, o, `${m}x${k}x${n} ${describeOpts(o)}`);
    });
  }
});

describe('matmulWasm on one thread', () => {
  test('WebAssembly SIMD with shared memory is available here', () => {
    assert.ok(wasmAvailable(), 'the WebAssembly kernel did not load: every matmul would fall back to JavaScript');
  });
  const wasm1: Kernel = (a, b, out, m, k, n, o) => {
    matmulWasm(a, b, out, m, k, n, o, 'off');
    assert.equal(lastMatmulRun().threads, 1, 'expected the one-thread path');
  };
  for (const o of ALL_OPTIONS) {
    test(describeOpts(o), () => {
      for (const [m, k, n] of ODD_SHAPES) checkAgainstReference(wasm1, m, k, n, o, `${m}x${k}x${n} ${describeOpts(o)}`);
      checkAgainstReference(wasm1, 64, 96, 80, o, `64x96x80 ${describeOpts(o)}`);
    });
  }

  test('one product after another, of growing and shrinking sizes, each with fresh operands', () => {
    for (const [m, k, n] of [[8, 8, 8], [200, 300, 100], [3, 5, 7], [400, 20, 500], [9, 9, 9]] as const) {
      checkAgainstReference(wasm1, m, k, n, { transB: true, accumulate: true }, `${m}x${k}x${n}`);
    }
  });

  test('k = 0 gives zeros, or leaves C as it was when accumulating', () => {
    const c = Float32Array.from([1, 2, 3, 4, 5, 6]);
    matmulWasm(new Float32Array(0), new Float32Array(0), c, 2, 0, 3, { accumulate: true });
    assert.deepEqual([...c], [1, 2, 3, 4, 5, 6]);
    matmulWasm(new Float32Array(0), new Float32Array(0), c, 2, 0, 3);
    assert.deepEqual([...c], [0, 0, 0, 0, 0, 0]);
  });
});

describe('matmulWasm on worker threads', { skip: availableParallelism() < 2 && 'needs 2 cores' }, () => {
  before(() => startMatmulWorkers());
  after(() => stopMatmulWorkers());

  /** The worker threads do every task (the caller only waits), so their results are what we check. */
  const onWorkers: Kernel = (a, b, out, m, k, n, o) => {
    matmulWasm(a, b, out, m, k, n, o, 'workers');
    const run = lastMatmulRun();
    assert.ok(run.threads >= 2 && run.callerTasks === 0, `expected only the workers to work, got ${JSON.stringify(run)}`);
  };
  /** Caller and workers share the tasks. */
  const shared: Kernel = (a, b, out, m, k, n, o) => {
    matmulWasm(a, b, out, m, k, n, o, 'force');
    assert.ok(lastMatmulRun().threads >= 2, `expected the threaded path, got ${JSON.stringify(lastMatmulRun())}`);
  };

  for (const o of ALL_OPTIONS) {
    test(`${describeOpts(o)}, odd shapes`, () => {
      for (const [m, k, n] of ODD_SHAPES) {
        checkAgainstReference(onWorkers, m, k, n, o, `${m}x${k}x${n} ${describeOpts(o)} on the workers`);
        checkAgainstReference(shared, m, k, n, o, `${m}x${k}x${n} ${describeOpts(o)} shared`);
      }
    });
  }

  test('a large product uses the threads by itself (a small one does not), and the workers do part of it', () => {
    const [m, k, n] = [256, 160, 200];
    assert.ok(m * k * n >= THREADS_MIN_MACS);
    let workerTasks = 0;
    const auto: Kernel = (a, b, out, mm, kk, nn, o) => {
      matmul(a, b, out, mm, kk, nn, o);
      const run = lastMatmulRun();
      assert.ok(run.threads >= 2, `expected the threaded path, got ${JSON.stringify(run)}`);
      workerTasks += run.tasks - run.callerTasks;
    };
    for (const o of ALL_OPTIONS) checkAgainstReference(auto, m, k, n, o, `${m}x${k}x${n} ${describeOpts(o)}`);
    // Timing decides who claims which task; on a busy machine the worker may be late a few times.
    for (let i = 0; i < 100 && workerTasks === 0; i++) checkAgainstReference(auto, m, k, n, {}, `${m}x${k}x${n} again`);
    assert.ok(workerTasks > 0, 'the workers did no task at all');

    checkAgainstReference(matmul, 40, 40, 40, {}, '40x40x40');
    assert.ok(40 * 40 * 40 < THREADS_MIN_MACS);
    assert.equal(lastMatmulRun().threads, 1, 'a small product should stay on the calling thread');
  });

  test('threaded and one-thread products interleave, and memory grows under running workers', () => {
    const shapes: [number, number, number, Kernel][] = [
      [64, 64, 64, onWorkers], [9, 9, 9, (a, b, out, m, k, n, o) => matmulWasm(a, b, out, m, k, n, o, 'off')],
      [300, 200, 129, shared], [17, 5, 3, matmul], [40, 513, 36, onWorkers], [333, 100, 222, matmul],
    ];
    for (const [m, k, n, kernel] of shapes) {
      checkAgainstReference(kernel, m, k, n, { transA: true, accumulate: true }, `${m}x${k}x${n}`);
    }
  });

  test('stopping and starting the workers again', async () => {
    await stopMatmulWorkers();
    checkAgainstReference((a, b, out, m, k, n, o) => {
      matmulWasm(a, b, out, m, k, n, o, 'force'); // starts them again, but they are not ready yet
      assert.equal(lastMatmulRun().threads, 1, 'with no worker running, the caller works alone');
    }, 70, 50, 60, {}, 'just after stopping');
    await startMatmulWorkers();
    checkAgainstReference(onWorkers, 70, 50, 60, { transB: true }, 'on the new workers');
  });
});

describe('matmul (picks the path)', () => {
  test('small products stay in JavaScript, larger ones go to WebAssembly', () => {
    assert.equal(matmulPath(2, 3, 4), 'js');
    assert.ok(2 * 3 * 4 < WASM_MIN_MACS);
    assert.equal(matmulPath(16, 16, 16), 'wasm');
    assert.ok(16 * 16 * 16 >= WASM_MIN_MACS);
  });

  for (const o of ALL_OPTIONS) {
    test(`${describeOpts(o)} on both sides of the thresholds`, () => {
      for (const [m, k, n] of [[2, 3, 4], [3, 5, 17], [16, 16, 16], [37, 29, 41], [70, 70, 70]] as const) {
        checkAgainstReference(matmul, m, k, n, o, `${m}x${k}x${n} ${describeOpts(o)}`);
      }
    });
  }

  test('operands may be subarray views at any offset, and nothing outside C is written', () => {
    for (const [m, k, n] of [[3, 4, 5], [33, 20, 17], [70, 90, 50]] as const) {
      for (const o of ALL_OPTIONS) {
        const aBuf = random(m * k + 13), bBuf = random(k * n + 7), cBuf = random(m * n + 10);
        const a = aBuf.subarray(5, 5 + m * k); // byteOffset 20: not even 16-byte aligned
        const b = bBuf.subarray(3); // longer than needed: only the first k*n values count
        const c = cBuf.subarray(4, 4 + m * n);
        const expected = Float32Array.from(c);
        const before = Float32Array.from(cBuf);
        matmulReference(a, b, expected, m, k, n, o);
        matmul(a, b, c, m, k, n, o);
        assertMatmulClose(c, expected, a, b, before.subarray(4, 4 + m * n), m, k, n, o, `${m}x${k}x${n} ${describeOpts(o)}`);
        for (const i of [0, 1, 2, 3, ...Array.from({ length: 6 }, (_, t) => 4 + m * n + t)]) {
          assert.ok(Object.is(cBuf[i], before[i]), `cBuf[${i}] outside C was written`);
        }
      }
    }
  });

  test('rejects operands too short for the shape, with the sizes in the message', () => {
    assert.throws(() => matmul(new Float32Array(5), new Float32Array(6), new Float32Array(4), 2, 3, 2), /a has 5 elements, but op\(A\) 2x3 needs 6/);
    assert.throws(() => matmul(new Float32Array(6), new Float32Array(6), new Float32Array(3), 2, 3, 2), /out has 3 elements/);
    assert.throws(() => matmul(new Float32Array(6), new Float32Array(6), new Float32Array(4), 2, 3.5, 2), /k must be a whole number/);
  });
});

describe('NaN and Infinity propagate as in the reference (no silent zeroing)', () => {
  const paths: [string, Kernel][] = [
    ['js', matmulSmall],
    ['wasm, 1 thread', (a, b, out, m, k, n, o) => matmulWasm(a, b, out, m, k, n, o, 'off')],
    ['wasm, on the workers', (a, b, out, m, k, n, o) => matmulWasm(a, b, out, m, k, n, o, 'workers')],
  ];
  before(() => startMatmulWorkers());
  after(() => stopMatmulWorkers());

  for (const [name, kernel] of paths) {
    for (const o of TRANSPOSES) {
      test(`${name}: ${describeOpts(o)}`, () => {
        const [m, k, n] = [13, 300, 19];
        const a = random(m * k), b = random(k * n);
        // NaN at A[5][260] (in the second k block): row 5 of C is all NaN.
        a[o.transA ? 260 * m + 5 : 5 * k + 260] = NaN;
        // NaN at B[7][18] (in the ragged last column panel): column 18 of C is all NaN.
        b[o.transB ? 18 * k + 7 : 7 * n + 18] = NaN;
        // +Infinity at A[12][0] (in the ragged last row panel): row 12 is +-Infinity, or NaN.
        a[o.transA ? 0 * m + 12 : 12 * k + 0] = Infinity;
        const expected = new Float32Array(m * n), actual = new Float32Array(m * n);
        matmulReference(a, b, expected, m, k, n, o);
        kernel(a, b, actual, m, k, n, o);
        for (let j = 0; j < n; j++) assert.ok(Number.isNaN(actual[5 * n + j]), `C[5][${j}] = ${actual[5 * n + j]}, expected NaN`);
        for (let i = 0; i < m; i++) assert.ok(Number.isNaN(actual[i * n + 18]), `C[${i}][18] = ${actual[i * n + 18]}, expected NaN`);
        assert.ok(!Number.isFinite(actual[12 * n]), 'row 12 should not be finite');
        assertMatmulClose(actual, expected, a, b, new Float32Array(m * n), m, k, n, o, `${name} ${describeOpts(o)}`);
      });
    }
  }
});

describe('matmul-wasm.ts is the assembled matmul.wat', () => {
  test('rebuilding from matmul.wat gives the committed bytes (run `node src/kit/kernels/build.mjs` if not)', async () => {
    const buildPath = path.resolve(__dirname, '../../../src/kit/kernels/build.mjs');
    const build = await import(buildPath) as {
      assembleMatmulWat(): Promise<{ simd: Uint8Array; fma: Uint8Array }>;
      renderMatmulWasmTs(bytes: { simd: Uint8Array; fma: Uint8Array }): string;
    };
    const fresh = build.renderMatmulWasmTs(await build.assembleMatmulWat());
    const committed = readFileSync(path.resolve(__dirname, '../../../src/kit/kernels/matmul-wasm.ts'), 'utf8');
    assert.ok(fresh === committed, 'src/kit/kernels/matmul-wasm.ts is stale: run `node src/kit/kernels/build.mjs`');
  });
});

describe('the other build of the kernel', () => {
  // This process runs one build of matmul.wat (see build.mjs): 'fma' where the runtime accepts
  // Relaxed SIMD, else 'simd'. Run this whole file again in a child process on the other one.
  const here = wasmFlavor();
  const other = here === 'fma' ? 'simd' : 'fma';
  const child = process.env.LLM_LAB_MATMUL_WASM !== undefined; // we are that child: don't recurse
  test(`all of the above on the '${other}' build`, { skip: child && 'already the child' }, () => {
    const flags = other === 'fma' ? ['--experimental-wasm-relaxed-simd'] : [];
    const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--test', __filename], {
      encoding: 'utf8', env: { ...process.env, LLM_LAB_MATMUL_WASM: other }, timeout: 120_000,
    });
    if (/bad option|unrecognized/i.test(r.stderr)) return; // a Node without that flag: nothing to run it on
    assert.equal(r.status, 0, `the '${other}' build failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  });
  test(`this process runs the '${here}' build`, () => {
    if (process.env.LLM_LAB_MATMUL_WASM) assert.equal(here, process.env.LLM_LAB_MATMUL_WASM);
    else assert.ok(here === 'fma' || here === 'simd');
  });
});

describe('Relaxed SIMD on Node 20', () => {
  test("the 'fma' build runs where the runtime has Relaxed SIMD, even behind Node 20's flag", () => {
    if (process.env.LLM_LAB_MATMUL_WASM) return; // a child that was told which build to run
    // wasm.ts turns --experimental-wasm-relaxed-simd on where V8 has it (Node 20); later V8s have it by default.
    assert.equal(wasmFlavor(), 'fma', `Node ${process.version} (V8 ${process.versions.v8}) runs the '${wasmFlavor()}' build`);
  });
});

describe('pointwise exp and tanh (kernels/pointwise.ts) against Math.exp and Math.tanh', () => {
  const xs = [0, -0, 1e-300, -1e-12, 1e-8, 0.01, -0.0299, 0.03, 0.031, 0.5, -1, 2.5, -7.3, 19, 19.2, -19.2, 30, 88.7, -87.3,
    -103, -700, -708.1, 700, 708.9, 1000, -1000, Infinity, -Infinity, NaN];
  for (let i = 0; i < 2000; i++) xs.push((rng.random() * 2 - 1) * [1, 10, 100, 708][i % 4]);
  test('exp: relative error below 1e-9; 0 below -708 (exp(-Infinity) = 0); Infinity and NaN as Math.exp', () => {
    for (const x of xs) {
      const got = fastExp(x), want = Math.exp(x);
      if (x < -708) assert.equal(got, 0, `exp(${x})`);
      else if (!Number.isFinite(want)) assert.ok(Object.is(got, want), `exp(${x}) = ${got}, Math.exp says ${want}`);
      else assert.ok(Math.abs(got - want) <= 1e-9 * want, `exp(${x}) = ${got}, Math.exp says ${want}`);
    }
  });
  test('tanh: relative error below 1e-9, odd, +-1 far out, NaN stays NaN', () => {
    for (const x of xs) {
      const got = fastTanh(x), want = Math.tanh(x);
      if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `tanh(${x})`);
      else assert.ok(Math.abs(got - want) <= 1e-9 * Math.abs(want), `tanh(${x}) = ${got}, Math.tanh says ${want}`);
      if (!Number.isNaN(x)) assert.equal(fastTanh(-x), -got, `tanh(-${x})`);
    }
  });
});

describe('repeated broadcasts (kernels/broadcast.ts) against the index-map path', () => {
  test('repeatPeriod: only shapes that repeat as a block', () => {
    assert.equal(repeatPeriod([3, 5, 7], [3, 5, 7]), 105);
    assert.equal(repeatPeriod([5, 7], [3, 5, 7]), 35);
    assert.equal(repeatPeriod([1, 1, 7], [3, 5, 7]), 7);
    assert.equal(repeatPeriod([], [3, 5]), 1);
    assert.equal(repeatPeriod([5, 1], [3, 5, 7]), 0); // a size-1 dim inside: not a block repeat
    assert.equal(repeatPeriod([3, 1, 7], [3, 5, 7]), 0);
    assert.equal(repeatPeriod([2, 3, 5, 7], [3, 5, 7]), 0);
  });
  // Odd shapes: the result, and an input broadcast to it; each checked against broadcastIndex.
  const CASES: [number[], number[]][] = [
    [[3, 5, 7], [3, 5, 7]], [[3, 5, 7], [5, 7]], [[3, 5, 7], [7]], [[3, 5, 7], [1, 7]], [[2, 3, 5, 7], [5, 7]],
    [[1], [1]], [[9], []], [[4, 1, 3], [1, 3]],
  ];
  for (const [to, from] of CASES) {
    test(`(${from.join(', ')}) repeated to (${to.join(', ')})`, () => {
      const period = repeatPeriod(from, to);
      assert.ok(period > 0);
      const len = to.reduce((p, n) => p * n, 1);
      const idx = broadcastIndex(from, to);
      const x = random(len), y = random(period), out = new Float32Array(len);
      addRepeated(x, len, y, period, out);
      for (let i = 0; i < len; i++) assert.equal(out[i], Math.fround(x[i] + y[idx[i]]), `x + y at ${i}`);
      addRepeated(y, period, x, len, out);
      for (let i = 0; i < len; i++) assert.equal(out[i], Math.fround(y[idx[i]] + x[i]), `y + x at ${i}`);
      const g = random(len), acc = random(period), expected = Float64Array.from(acc);
      for (let i = 0; i < len; i++) expected[idx[i]] += g[i];
      sumRepeated(g, acc, period);
      for (let j = 0; j < period; j++) assert.ok(Math.abs(acc[j] - expected[j]) <= 1e-5, `sum at ${j}: ${acc[j]} vs ${expected[j]}`);
      const mask = Float32Array.from({ length: period }, (_, j) => (j % 3 === 1 ? 1 : 0));
      const filled = new Float32Array(len), gx = new Float32Array(len);
      fillRepeated(x, mask, period, -Infinity, filled);
      unfilledGrad(g, mask, period, gx);
      for (let i = 0; i < len; i++) {
        assert.equal(filled[i], mask[idx[i]] ? -Infinity : x[i], `filled at ${i}`);
        assert.equal(gx[i], mask[idx[i]] ? 0 : g[i], `gradient at ${i}`);
      }
    });
  }
});

describe('softmaxRows (kernels/softmax.ts) against the plain formula', () => {
  test('odd rows and sizes, with -Infinity (masked), a NaN row and an all -Infinity row', () => {
    for (const [rows, size] of [[1, 1], [3, 7], [5, 33], [2, 128]]) {
      const x = random(rows * size).map((v, i) => (i % 5 === 3 ? -Infinity : v * 20));
      if (rows > 2) { x.fill(-Infinity, size, 2 * size); x[2 * size] = NaN; }
      const y = new Float32Array(x.length);
      softmaxRows(x, y, rows, size);
      const g = random(x.length), gx = random(x.length), gx0 = Float32Array.from(gx);
      softmaxRowsBackward(y, g, gx, rows, size);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * size, (r + 1) * size));
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, b) => a + b, 0);
        const want = e.map((v) => v / sum);
        const dot = want.reduce((s, p, k) => s + p * g[r * size + k], 0);
        for (let k = 0; k < size; k++) {
          const at = r * size + k;
          if (Number.isNaN(want[k])) { assert.ok(Number.isNaN(y[at]), `y[${r}][${k}]`); continue; }
          assert.ok(Math.abs(y[at] - want[k]) <= 1e-6 * Math.max(1e-30, want[k]) + 1e-12, `y[${r}][${k}] = ${y[at]}, want ${want[k]}`);
          const dx = gx0[at] + want[k] * (g[at] - dot);
          assert.ok(Math.abs(gx[at] - dx) <= 1e-5, `dx[${r}][${k}] = ${gx[at]}, want ${dx}`);
        }
      }
    }
  });
});
