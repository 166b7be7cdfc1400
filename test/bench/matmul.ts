/**
 * Matmul benchmark: the kit's kernel against onnxruntime-node on one thread, and against PyTorch CPU (when
 * python3 can import torch: test/bench/torch.ts) on 1 thread and on 2 threads.
 *
 *   node --import tsx test/bench/matmul.ts          (or through `npm run bench`: benchMatmul())
 *
 * For each shape and transpose variant it prints GFLOP/s (2*m*k*n / seconds / 1e9) of
 *  - the kit's kernel on the caller's thread alone, and `matmul` as callers get it (with its
 *    worker threads);
 *  - onnxruntime's one-node model on one thread: MatMul for A @ B, and Gemm with its transA/transB
 *    attributes for the transposed variants (MatMul has no such flags);
 *  - PyTorch's torch.matmul on the same stored layouts (a transposed operand is a .t() view, as a learner
 *    would write it), with torch.set_num_threads(1) and (2), beside the kit on 1 thread and with its workers;
 * and the kit / onnxruntime and kit / PyTorch ratios (like with like: 1T/1T, 2T/2T). The kit's figures include copying the operands into
 * WebAssembly memory and the result back out, as every real call does.
 *
 * The machine may be shared: each figure is the best of a few short rounds, taken in turns, so a
 * burst of someone else's work lowers one round, not the figure. Then two small tables show where
 * `matmul` switches from JavaScript to WebAssembly and from one thread to several, and one shows attention's
 * batches of small products (one per head) as one `matmulBatch` job against one `matmul` call per product.
 * BENCH_MATMUL_MS sets the length of a round (default 40 ms); BENCH_MATMUL_SKIP_SHAPES=1 skips the first table.
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import {
  THREADS_MIN_MACS, WASM_MIN_MACS, getMatmulThreads, matmul, matmulBatch, matmulBatchWasm, matmulSmall, matmulWasm,
  startMatmulWorkers, stopMatmulWorkers, wasmFlavor, type MatmulOptions,
} from '../../src/kit/kernels/index';
import { TORCH_INSTALL_HINT, load, startTorch } from './torch';

const ROUND_MS = Number(process.env.BENCH_MATMUL_MS ?? 40);
const ROUNDS = 5;

/** (m, k, n): a square one, a transformer forward (B*T = 8*128, C = 128, 4C = 512), its backward. */
const SHAPES: [number, number, number][] = [[256, 256, 256], [1024, 128, 512], [1024, 512, 128]];
const VARIANTS: { name: string; opts: MatmulOptions }[] = [
  { name: 'A@B', opts: {} },
  { name: 'At@B', opts: { transA: true } },
  { name: 'A@Bt', opts: { transB: true } },
  { name: 'At@Bt', opts: { transA: true, transB: true } },
];

const gflops = (m: number, k: number, n: number, seconds: number): number => (2 * m * k * n) / seconds / 1e9;

function random(len: number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/** Seconds per call: the best of `rounds` rounds of about `ms` milliseconds each. */
async function secondsPerCall(fn: () => unknown, ms = ROUND_MS, rounds = 1): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      await fn();
      calls++;
      t = performance.now();
    }
    best = Math.min(best, (t - t0) / 1000 / calls);
  }
  return best;
}

/** A one-node ONNX model computing op(A) @ op(B) from inputs stored as the kit stores them. */
function onnxModel(m: number, k: number, n: number, { transA = false, transB = false }: MatmulOptions): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const valueInfo = (name: string, dims: number[]): onnx.IValueInfoProto => ({
    name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const INT = onnx.AttributeProto.AttributeType.INT;
  const node: onnx.INodeProto = transA || transB
    ? { opType: 'Gemm', input: ['A', 'B'], output: ['C'], attribute: [
      { name: 'transA', type: INT, i: transA ? 1 : 0 }, { name: 'transB', type: INT, i: transB ? 1 : 0 }] }
    : { opType: 'MatMul', input: ['A', 'B'], output: ['C'] };
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'llm-lab-bench', opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'matmul', node: [node],
      input: [valueInfo('A', transA ? [k, m] : [m, k]), valueInfo('B', transB ? [n, k] : [k, n])],
      output: [valueInfo('C', [m, n])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

async function ortSession(m: number, k: number, n: number, opts: MatmulOptions): Promise<() => Promise<unknown>> {
  const session = await ort.InferenceSession.create(onnxModel(m, k, n, opts), {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'], logSeverityLevel: 3,
  });
  const feeds = {
    A: new ort.Tensor('float32', random(m * k), opts.transA ? [k, m] : [m, k]),
    B: new ort.Tensor('float32', random(k * n), opts.transB ? [n, k] : [k, n]),
  };
  return () => session.run(feeds);
}

const pad = (s: string | number, w: number): string => String(s).padStart(w);

export async function benchMatmul(): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  const threads = getMatmulThreads();
  await startMatmulWorkers();
  const torch = await startTorch();
  console.log(`matmul: GFLOP/s, best of ${ROUNDS} rounds of ${ROUND_MS} ms, taken in turns. kit: the '${wasmFlavor()}' build, ` +
    `copies in and out included; onnxruntime-node on 1 thread (MatMul, or Gemm for transposed inputs)` +
    (torch ? `; PyTorch ${torch.version} torch.matmul on 1 and ${threads} threads` : ''));
  if (!torch) console.log(`  ${TORCH_INSTALL_HINT}`);
  console.log(`${'m x k x n'.padEnd(16)}${'op'.padEnd(7)}${pad('kit 1T', 8)}${pad(`kit ${threads}T`, 8)}` +
    `${pad('ort 1T', 8)}${pad('1T/ort', 8)}${pad(`${threads}T/ort`, 8)}` +
    (torch ? `${pad('pt 1T', 8)}${pad(`pt ${threads}T`, 8)}${pad('1T/pt', 8)}${pad(`${threads}T/pt`, 8)}` : ''));
  for (const [m, k, n] of (process.env.BENCH_MATMUL_SKIP_SHAPES ? [] : SHAPES)) {
    for (const { name, opts } of VARIANTS) {
      const a = random(m * k), b = random(k * n), c = new Float32Array(m * n);
      const one = (): void => matmulWasm(a, b, c, m, k, n, opts, 'off');
      const all = (): void => matmul(a, b, c, m, k, n, opts); // what every caller gets
      const runOrt = await ortSession(m, k, n, opts);
      const torchRound = async (t: number): Promise<number> => torch
        ? (await torch.ask({ cmd: 'matmul', m, k, n, transA: !!opts.transA, transB: !!opts.transB, threads: t, ms: ROUND_MS })).seconds_per_call
        : Infinity;
      for (let i = 0; i < 5; i++) { one(); all(); await runOrt(); } // warm up (and tier up the wasm)
      let s1 = Infinity, sT = Infinity, sOrt = Infinity, sPt1 = Infinity, sPtT = Infinity;
      for (let r = 0; r < ROUNDS; r++) { // in turns, so that a busy moment hits all of them alike
        s1 = Math.min(s1, await secondsPerCall(one));
        sT = Math.min(sT, await secondsPerCall(all));
        sOrt = Math.min(sOrt, await secondsPerCall(runOrt));
        sPt1 = Math.min(sPt1, await torchRound(1));
        sPtT = Math.min(sPtT, await torchRound(threads));
      }
      const g1 = gflops(m, k, n, s1), gT = gflops(m, k, n, sT), gOrt = gflops(m, k, n, sOrt);
      const gPt1 = gflops(m, k, n, sPt1), gPtT = gflops(m, k, n, sPtT);
      const key = `${m}x${k}x${n}.${name}`;
      Object.assign(results, {
        [`${key}.kit1`]: g1, [`${key}.kit${threads}`]: gT, [`${key}.ort`]: gOrt,
        [`${key}.ratio1`]: g1 / gOrt, [`${key}.ratio${threads}`]: gT / gOrt,
      });
      if (torch) {
        Object.assign(results, {
          [`${key}.torch1`]: gPt1, [`${key}.torch${threads}`]: gPtT,
          [`${key}.torch_ratio1`]: g1 / gPt1, [`${key}.torch_ratio${threads}`]: gT / gPtT,
        });
      }
      console.log(`${`${m}x${k}x${n}`.padEnd(16)}${name.padEnd(7)}${pad(g1.toFixed(1), 8)}${pad(gT.toFixed(1), 8)}` +
        `${pad(gOrt.toFixed(1), 8)}${pad(`${(100 * g1 / gOrt).toFixed(0)}%`, 8)}${pad(`${(100 * gT / gOrt).toFixed(0)}%`, 8)}` +
        (torch ? `${pad(gPt1.toFixed(1), 8)}${pad(gPtT.toFixed(1), 8)}${pad(`${(100 * g1 / gPt1).toFixed(0)}%`, 8)}${pad(`${(100 * gT / gPtT).toFixed(0)}%`, 8)}` : '') +
        `  [${load()}]`);
    }
  }

  // Where matmul leaves JavaScript for WebAssembly (WASM_MIN_MACS) ...
  console.log(`\nsmall products, microseconds per call (matmul uses WebAssembly from ${WASM_MIN_MACS} multiply-adds)`);
  console.log(`${'m x k x n'.padEnd(16)}${pad('macs', 8)}${pad('js', 8)}${pad('wasm', 8)}`);
  for (const s of [2, 4, 6, 8, 12, 16, 32]) {
    const a = random(s * s), b = random(s * s), c = new Float32Array(s * s);
    const js = await secondsPerCall(() => matmulSmall(a, b, c, s, s, s), 20, 2);
    const wasm = await secondsPerCall(() => matmulWasm(a, b, c, s, s, s, {}, 'off'), 20, 2);
    results[`small.${s}.js_us`] = js * 1e6;
    results[`small.${s}.wasm_us`] = wasm * 1e6;
    console.log(`${`${s}x${s}x${s}`.padEnd(16)}${pad(s * s * s, 8)}${pad((js * 1e6).toFixed(2), 8)}${pad((wasm * 1e6).toFixed(2), 8)}`);
  }

  // ... and where it starts sharing the work with its threads (THREADS_MIN_MACS).
  console.log(`\nmedium products, GFLOP/s (matmul shares the work from ${THREADS_MIN_MACS} multiply-adds)`);
  console.log(`${'m x k x n'.padEnd(16)}${pad('macs', 10)}${pad('1T', 8)}${pad(`${threads}T`, 8)}`);
  for (const [m, k, n] of [[32, 64, 64], [64, 64, 64], [64, 128, 64], [128, 64, 128], [128, 128, 128], [256, 128, 128]]) {
    const a = random(m * k), b = random(k * n), c = new Float32Array(m * n);
    const s1 = await secondsPerCall(() => matmulWasm(a, b, c, m, k, n, {}, 'off'), 30, 2);
    const sT = await secondsPerCall(() => matmulWasm(a, b, c, m, k, n, {}, 'force'), 30, 2);
    results[`medium.${m}x${k}x${n}.kit1`] = gflops(m, k, n, s1);
    results[`medium.${m}x${k}x${n}.kitT`] = gflops(m, k, n, sT);
    console.log(`${`${m}x${k}x${n}`.padEnd(16)}${pad(m * k * n, 10)}${pad(gflops(m, k, n, s1).toFixed(1), 8)}` +
      `${pad(gflops(m, k, n, sT).toFixed(1), 8)}${m * k * n >= THREADS_MIN_MACS ? '' : '   (matmul: 1 thread)'}`);
  }
  // Attention's products: 8 sequences x 4 heads = 32 small products, as one job or one call each.
  console.log(`\nbatched products (attention's heads), GFLOP/s: one matmul call per product, or one matmulBatch job`);
  console.log(`${'batch x m x k x n'.padEnd(22)}${'op'.padEnd(7)}${pad('loop 1T', 9)}${pad(`loop ${threads}T`, 9)}${pad('batch 1T', 9)}${pad(`batch ${threads}T`, 10)}`);
  for (const [count, m, k, n, name, opts] of [
    [32, 128, 32, 128, 'A@Bt', { transB: true }], [32, 128, 128, 32, 'A@B', {}],
  ] as [number, number, number, number, string, MatmulOptions][]) {
    const a = random(count * m * k), b = random(count * k * n), c = new Float32Array(count * m * n);
    const loop = (mode: 'off' | 'auto'): void => {
      for (let i = 0; i < count; i++) {
        const ai = a.subarray(i * m * k, (i + 1) * m * k), bi = b.subarray(i * k * n, (i + 1) * k * n), ci = c.subarray(i * m * n, (i + 1) * m * n);
        if (mode === 'off') matmulWasm(ai, bi, ci, m, k, n, opts, 'off');
        else matmul(ai, bi, ci, m, k, n, opts);
      }
    };
    const runs: [string, () => void][] = [
      ['loop1', () => loop('off')], ['loopT', () => loop('auto')],
      ['batch1', () => matmulBatchWasm(a, b, c, m, k, n, opts, count, {}, 'off')], ['batchT', () => matmulBatch(a, b, c, m, k, n, opts, count)],
    ];
    const best = runs.map(() => Infinity);
    for (let r = 0; r < ROUNDS; r++) runs.forEach(([, fn], i) => { best[i] = Math.min(best[i], secondsPerCallSync(fn)); });
    const g = best.map((sec) => gflops(count * m, k, n, sec));
    runs.forEach(([key], i) => { results[`batch.${count}x${m}x${k}x${n}.${name}.${key}`] = g[i]; });
    console.log(`${`${count} x ${m}x${k}x${n}`.padEnd(22)}${name.padEnd(7)}${g.map((x, i) => pad(x.toFixed(1), i === 3 ? 10 : 9)).join('')}  [${load()}]`);
  }
  await stopMatmulWorkers();
  return results;
}

/** secondsPerCall for a synchronous function (one round of ROUND_MS). */
function secondsPerCallSync(fn: () => void): number {
  fn();
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ROUND_MS) { fn(); calls++; t = performance.now(); }
  return (t - t0) / 1000 / calls;
}

if (require.main === module) {
  benchMatmul().catch((err) => { console.error(err); process.exit(1); });
}
