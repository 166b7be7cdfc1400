/**
 * The WebAssembly path of matmul: copies the operands into WebAssembly memory, runs the SIMD
 * kernel of matmul.wat on this thread and, for large products, on worker threads too, then copies
 * C back out. Read matmul.wat for how the kernel itself works; this file is the plumbing.
 * The same module, memory and threads also run GELU jobs (geluWasm): the JavaScript loop of pointwise.ts in
 * float64, two elements at a time, on the same tasks-and-workers scheme; and causal attention jobs
 * (attentionWasm, attentionBackwardWasm: ops/attention.ts), one task per sequence and head.
 *
 * Threads, and why `matmul` can still be synchronous:
 *  - All threads share one `WebAssembly.Memory({ shared: true })` (a SharedArrayBuffer), and each
 *    has its own instance of the same module over it.
 *  - A job is described by a few words at the start of that memory. The rows of C are cut into
 *    tasks; every thread calls the module's `work()`, which claims tasks with an atomic counter
 *    until none are left (so a busy or slow core simply ends up doing fewer tasks).
 *  - A job may be a batch of products of one shape (matmulBatchWasm): attention's 32 heads of
 *    128 x 32 x 128 are one job of 64 tasks rather than 32 jobs of a few tasks each. Waking a
 *    sleeping worker measured 60 to 150 us on the 2-core VMs, longer than one such product takes:
 *    with a job per head, 2 threads were 20-50% slower than 1; with one job per batch, 2 threads
 *    were 1.2-1.3x faster than 1 (on a machine already busy). On one thread a batch runs product
 *    by product, which measured a little faster (each product's operands stay in the cache).
 *  - Workers sleep in `Atomics.wait` on a generation word; the caller bumps it and `notify`s,
 *    works on tasks itself, then waits until the DONE count reaches the number of tasks.
 *    Blocking the caller is fine: matmul is a synchronous computation anyway.
 *  - Workers start lazily, in the background, the first time a product is large enough, and are
 *    `unref`ed so they never keep the process alive. Until they are ready the caller works alone,
 *    so nothing ever waits for a worker to start.
 *
 * Memory: the operands are ordinary Float32Arrays, which WebAssembly cannot see, so every call
 * copies A and B in and C out (a few percent of the time of a large product, and counted in the
 * benchmark). The memory grows to fit the largest product so far and is reused; it never shrinks.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { MATMUL_WASM_FMA, MATMUL_WASM_SIMD } from './matmul-wasm';
import type { MatmulOptions } from './reference';

/** Words of the job description at the start of memory (see the table in matmul.wat). */
const W = {
  JOB: 0, NEXT: 1, DONE: 2, NTASKS: 3, PRODUCTS: 4, PER_PRODUCT: 5, KIND: 6, M: 7, K: 8, N: 9, FLAGS: 10, ROWS: 11,
  SCRATCH: 12, SCRATCH_SIZE: 13, PACKED_A: 14, TILE: 15,
  // The same words in a GELU job (KIND 1): M holds the element count, ROWS the elements per task, and these four:
  X: 12, Y: 13, D: 14, CONSTANTS: 15,
  // And in an attention job (KIND 2 forward, 3 backward; see $attentionTask), M, K, N hold T, HS, NH, and these:
  Q: 20, KEYS: 21, V: 22, OUT: 23, PROBS: 24, DQ: 25, DK: 26, DV: 27, ATTN_CONSTANTS: 28, // (SCALE: a float64 in words 30, 31)
  GEN: 16, // bumped to wake the workers
  READY: 17, // how many workers have started (and so wait for jobs)
  FAILED: 18, // how many workers' `work()` threw (then a task was left unfinished)
} as const;
const HEADER_BYTES = 128;
/**
 * After the header, the constants of the pointwise jobs (GELU: its doubles, then its table of 2^(k/32), see
 * $geluTask in matmul.wat), written once; the jobs' operands start after them.
 */
const CONSTANTS_AT = HEADER_BYTES;
const CONSTANTS_BYTES = 128 + 9216 * 8; // 16 doubles, then EXP2_32's 9216 (pointwise.ts; geluWasm checks the size)
const DATA_AT = Math.ceil((CONSTANTS_AT + CONSTANTS_BYTES) / 64) * 64;
/** NEXT while a job is being written: any claim gets a task index past the end. */
const LOCKED = 0x40000000;
/** Sizes the kernel in matmul.wat is built around: 4 x 8 blocks of C, k in blocks of 256. */
const MR = 4, NR = 8, KC = 256;
const PAGE = 65536, MAX_PAGES = 32768; // 2 GiB, as declared in matmul.wat

interface KernelExports {
  /** Do tasks [q0, q1) in order on thread t (packing B first where needed). */
  tasks(t: number, q0: number, q1: number): void;
  /** Claim and compute tasks until none are left; returns how many this thread did. */
  work(t: number): number;
  /** For each of `rows` rows: dst[j] += src[j] for j < n, then dst += dstStride, src += srcStride (bytes). */
  addRows(dst: number, src: number, rows: number, n: number, dstStride: number, srcStride: number): void;
}

/**
 * The two builds of matmul.wat (see build.mjs): 'fma' fuses each multiply-add into one Relaxed
 * SIMD instruction (faster; VS Code's Electron and Node 22+ accept it), 'simd' is the plain one.
 */
export type WasmFlavor = 'fma' | 'simd';

interface Kernel {
  flavor: WasmFlavor;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: KernelExports;
  ctl: Int32Array; // the job words (a view on memory that stays valid after memory.grow)
  geluConstants?: Float64Array; // the constants written at CONSTANTS_AT, once
  f32: Float32Array; // all of memory; made again after each grow
  i32: Int32Array; // the same, as words
}

let kernel: Kernel | null | undefined; // undefined: not tried yet; null: not available here

/**
 * Compile the kernel: the 'fma' build where this runtime accepts it, else 'simd'. The environment
 * variable LLM_LAB_MATMUL_WASM=simd (or fma) picks one, for tests and benchmarks.
 */
function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const fma = Buffer.from(MATMUL_WASM_FMA, 'base64');
    const wanted = process.env.LLM_LAB_MATMUL_WASM;
    const flavor: WasmFlavor = wanted === 'simd' || (wanted !== 'fma' && !relaxedSimd(fma)) ? 'simd' : 'fma';
    const module = new WebAssembly.Module(flavor === 'fma' ? fma : Buffer.from(MATMUL_WASM_SIMD, 'base64'));
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const ctl = new Int32Array(memory.buffer, 0, HEADER_BYTES / 4);
    Atomics.store(ctl, W.NEXT, LOCKED);
    kernel = {
      flavor, module, memory, ctl,
      exports: instance.exports as unknown as KernelExports,
      f32: new Float32Array(memory.buffer),
      i32: new Int32Array(memory.buffer),
    };
  } catch {
    kernel = null; // no SIMD or no shared memory in this runtime: matmul stays in JavaScript
  }
  return kernel;
}

/**
 * True if this runtime runs Relaxed SIMD (so the 'fma' build). It is on by default from V8 11.4: VS Code's
 * Electron, Node 22 and later. Node 20 (V8 11.3) has it complete but behind --experimental-wasm-relaxed-simd;
 * V8 reads that flag when it validates and compiles a module, so setting it now, before the kernel is
 * compiled, is enough (and changes nothing else). If the flag cannot be set or the module still does not
 * validate, the plain SIMD build runs.
 */
function relaxedSimd(fma: Parameters<typeof WebAssembly.validate>[0]): boolean {
  if (WebAssembly.validate(fma)) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return WebAssembly.validate(fma);
  } catch {
    return false;
  }
}

/** True if the WebAssembly kernel runs here (SIMD and shared memory are available). */
export function wasmAvailable(): boolean {
  return loadKernel() !== null;
}

/** Which build of the kernel runs here, or null if none can. */
export function wasmFlavor(): WasmFlavor | null {
  return loadKernel()?.flavor ?? null;
}

// ---------------------------------------------------------------------------------------------
// Worker threads
// ---------------------------------------------------------------------------------------------

/**
 * The worker's whole program. It is a string run with `eval: true`, so it lives inside whichever
 * bundle uses the kit and there is no extra file to ship or to find at run time.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, index, GEN, READY, FAILED, DONE } = workerData;
const { work } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, 32);
let gen = Atomics.load(ctl, GEN);
Atomics.add(ctl, READY, 1);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctl, GEN, gen); // sleep until the caller posts a job
  gen = Atomics.load(ctl, GEN);
  try {
    work(index);
  } catch (err) {
    Atomics.add(ctl, FAILED, 1); // tell the waiting caller rather than leave it waiting
    Atomics.notify(ctl, DONE);
    throw err;
  }
}
`;

interface Pool {
  workers: Worker[]; // worker i has thread index i + 1 (the caller is thread 0)
  ready: Promise<void>;
}
let pool: Pool | undefined;
/** Workers being stopped, if any: new ones start only after they are gone (see below). */
let stopping: Promise<unknown> | undefined;
/** Threads to use for large products, the caller's included. */
let threadCount = Math.max(1, Math.min(availableParallelism(), 4));

/** Threads that large products will use, the caller's included (1 = no workers). */
export function getMatmulThreads(): number {
  return threadCount;
}

/** Set how many threads large products may use, the caller's included (1 turns threads off). */
export function setMatmulThreads(n: number): void {
  const next = Math.max(1, Math.floor(n));
  if (next !== threadCount) void stopMatmulWorkers(); // the next large product starts the new number
  threadCount = next;
}

/**
 * Start the worker threads if they are not running, and resolve once they are all waiting for
 * jobs. `matmul` calls this by itself (without waiting); tests and benchmarks await it to get
 * threads from the first product. If workers cannot start, matmul runs on one thread.
 */
export function startMatmulWorkers(): Promise<void> {
  const k = loadKernel();
  if (!k || threadCount <= 1) return Promise.resolve();
  if (!pool) {
    const p: Pool = { workers: [], ready: Promise.resolve() };
    pool = p;
    // Start the threads right now, not in a callback: a training loop that never yields to the
    // event loop must still get its workers (they tell us they are ready through READY, in shared
    // memory). Only if old workers are still stopping, wait for them to be gone first: the new
    // ones reuse their thread indices, and so their scratch memory.
    const started = stopping ? stopping.then(() => spawnWorkers(k, p)) : spawnWorkers(k, p);
    p.ready = started.catch(() => {
      threadCount = 1; // could not start: stay on one thread from now on
      void stopMatmulWorkers();
    });
  }
  return pool.ready;
}

/** Create the workers of pool `p` (unless it was stopped meanwhile); resolves when all are ready. */
function spawnWorkers(k: Kernel, p: Pool): Promise<void> {
  if (pool !== p) return Promise.resolve();
  const started: Promise<void>[] = [];
  for (let index = 1; index < threadCount; index++) {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: k.module, memory: k.memory, index,
        GEN: W.GEN, READY: W.READY, FAILED: W.FAILED, DONE: W.DONE,
      },
    });
    worker.unref(); // a sleeping worker must not keep the process alive
    started.push(new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('matmul worker exited while starting')));
    }));
    worker.on('error', () => {}); // later errors reach the caller through FAILED
    p.workers.push(worker);
  }
  return Promise.all(started).then(() => undefined);
}

/** Stop the worker threads (tests; deactivation). The next large product starts them again. */
export function stopMatmulWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (!p) return stopping ? stopping.then(() => undefined) : Promise.resolve();
  if (kernel) Atomics.store(kernel.ctl, W.READY, 0); // no threaded jobs until new workers start
  const done: Promise<unknown> = Promise.all([stopping, p.ready])
    .then(() => Promise.all(p.workers.map((w) => w.terminate())))
    .finally(() => { if (stopping === done) stopping = undefined; });
  stopping = done;
  return done.then(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// One multiply
// ---------------------------------------------------------------------------------------------

/**
 * When to share a product with the worker threads (once they are running): 'auto' for large
 * products, 'off' never, 'force' always, 'workers' always and without the caller taking tasks
 * (so tests can check the workers' results on every shape).
 */
export type ThreadMode = 'auto' | 'off' | 'force' | 'workers';

/**
 * Products with at least this many multiply-adds (m * k * n) are shared with the workers. Measured by the bench's
 * medium products (2-core Xeon, December 2026): below about 2M (128 x 128 x 128) the second thread loses more to
 * waking and waiting than it gains (64 x 128 x 64: 39 GFLOP/s alone, 31 on two threads).
 */
export const THREADS_MIN_MACS = 1 << 21;

/** What the last call of matmulWasm did (for tests and the benchmark). */
export interface MatmulRun {
  threads: number; // threads the job was offered to, the caller's included
  tasks: number; // blocks of rows it was cut into
  callerTasks: number; // how many of them the calling thread did
}
let lastRun: MatmulRun = { threads: 0, tasks: 0, callerTasks: 0 };
export function lastMatmulRun(): MatmulRun {
  return { ...lastRun };
}

const align = (bytes: number, to = 64): number => Math.ceil(bytes / to) * to;

/**
 * C (+)= op(A) @ op(B) on the WebAssembly kernel. Throws if WebAssembly is not available here;
 * `matmul` checks that first.
 */
export function matmulWasm(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions = {}, threads: ThreadMode = 'auto',
): void {
  matmulBatchWasm(a, b, out, m, k, n, opts, 1, undefined, threads);
}

/**
 * Which matrices of a batch each product uses: product i computes matrix cIndex[i] of C from matrix
 * aIndex[i] of A and bIndex[i] of B (matrix j of A is a[j*m*k .. (j+1)*m*k), and so on). A missing
 * index means product i uses matrix i.
 */
export interface BatchIndex {
  a?: ArrayLike<number>;
  b?: ArrayLike<number>;
  c?: ArrayLike<number>;
}

/** The matrices [lo, hi] a batch index uses, and whether it uses each of them at most once. */
function extent(index: ArrayLike<number> | undefined, count: number): { lo: number; hi: number; distinct: boolean; covers: boolean } {
  if (!index) return { lo: 0, hi: count - 1, distinct: true, covers: true };
  let lo = Infinity, hi = -1;
  for (let i = 0; i < count; i++) {
    const v = index[i];
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`matmul: batch index ${v} is not a whole number >= 0`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const seen = new Uint8Array(hi - lo + 1);
  let distinct = true;
  for (let i = 0; i < count; i++) {
    if (seen[index[i] - lo]) distinct = false;
    seen[index[i] - lo] = 1;
  }
  return { lo, hi, distinct, covers: seen.every((x) => x === 1) };
}

/** Two jobs of linear layers that can be done while the numbers are in WebAssembly memory. */
export interface LinearExtras {
  /** Add this vector (n floats) to every row of C, after the product: a bias. */
  addToRows?: Float32Array;
  /** Add the rows of A (stored (m, k): not transA) into this vector (k floats): the gradient of a bias. */
  sumRowsOfA?: Float32Array;
}

/**
 * A batch of `count` products of the same shape in one job: C_i (+)= op(A_i) @ op(B_i), with the
 * matrices picked by `index` (see BatchIndex). Each operand is copied into WebAssembly memory once
 * (the matrices it uses, as one block), and the threads share the tasks of all the products. If
 * two products add into the same matrix of C, the job runs on this thread alone, in product order,
 * so the sums come out exactly as from one call per product.
 */
export function matmulBatchWasm(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions, count: number, index: BatchIndex = {},
  threads: ThreadMode = 'auto', extras: LinearExtras = {},
): void {
  const kern = loadKernel();
  if (!kern) throw new Error('matmulWasm: WebAssembly SIMD with shared memory is not available');
  const { transA = false, transB = false, accumulate = false } = opts;
  const { addToRows, sumRowsOfA } = extras;
  if ((addToRows || sumRowsOfA) && (count !== 1 || m * k * n === 0 || (sumRowsOfA && transA))) {
    throw new Error('matmulBatchWasm: addToRows and sumRowsOfA are for one product with m, k, n > 0, and A not transposed');
  }
  if (m === 0 || n === 0 || count === 0) return;
  const ea = extent(index.a, count), eb = extent(index.b, count), ec = extent(index.c, count);
  const mk = m * k, kn = k * n, mn = m * n;
  if (a.length < (ea.hi + 1) * mk || b.length < (eb.hi + 1) * kn || out.length < (ec.hi + 1) * mn) {
    throw new RangeError(`matmul: a batch index points past the end of an operand (${m}x${k}x${n}, ${count} products)`);
  }
  if (k === 0) { // a sum of no terms: C = 0, or C unchanged when accumulating
    if (!accumulate) for (let i = 0; i < count; i++) { const c = index.c ? index.c[i] : i; out.fill(0, c * mn, (c + 1) * mn); }
    return;
  }

  // Threads: only for jobs large enough to repay waking them, only once they run, and only if no
  // two products write the same matrix of C.
  const nThreads = threadsFor(kern, ec.distinct && (threads === 'force' || threads === 'workers' ||
    (threads === 'auto' && count * m * k * n >= THREADS_MIN_MACS && count * m >= 2 * MR)));

  if (nThreads === 1 && count > 1) {
    // Alone, one product after another measured faster (about 10% on attention's heads): each
    // product's operands are still in the cache when the kernel reads them and when C goes out.
    for (let i = 0; i < count; i++) {
      const ia = index.a ? index.a[i] : i, ib = index.b ? index.b[i] : i, ic = index.c ? index.c[i] : i;
      matmulBatchWasm(a.subarray(ia * mk, (ia + 1) * mk), b.subarray(ib * kn, (ib + 1) * kn),
        out.subarray(ic * mn, (ic + 1) * mn), m, k, n, opts, 1, {}, 'off');
    }
    return;
  }

  // Memory layout (bytes): header | products table | A | B | C | scratch of each thread (see plan).
  const { rows, perProduct, tasks, packedA, tile, scratchSize } = plan(m, k, n, count, nThreads);
  const tableAt = DATA_AT;
  const aAt = tableAt + align(count * 12);
  const bAt = aAt + align((ea.hi - ea.lo + 1) * mk * 4);
  const cAt = bAt + align((eb.hi - eb.lo + 1) * kn * 4);
  const biasAt = cAt + align((ec.hi - ec.lo + 1) * mn * 4); // the extras, if any
  const sumsAt = biasAt + (addToRows ? align(n * 4) : 0);
  const scratchAt = sumsAt + (sumRowsOfA ? align(k * 4) : 0);
  const end = scratchAt + nThreads * scratchSize;
  if (end > MAX_PAGES * PAGE) throw new RangeError(`matmul: ${count} x ${m}x${k}x${n} needs more than 2 GiB of WebAssembly memory`);
  ensureMemory(kern, end);

  // Copy the operands in: the block of matrices each uses. (The arrays may be views: subarray
  // keeps their byteOffset.) C is copied in when we add to it, and also when the products write
  // only some of its matrices, so that the others come back out unchanged.
  const f32 = kern.f32;
  f32.set(a.subarray(ea.lo * mk, (ea.hi + 1) * mk), aAt / 4);
  f32.set(b.subarray(eb.lo * kn, (eb.hi + 1) * kn), bAt / 4);
  const cFrom = ec.lo * mn, cTo = (ec.hi + 1) * mn;
  if (accumulate || !ec.covers) f32.set(out.subarray(cFrom, cTo), cAt / 4);
  if (addToRows) f32.set(addToRows.subarray(0, n), biasAt / 4);
  if (sumRowsOfA) f32.set(sumRowsOfA.subarray(0, k), sumsAt / 4);

  const i32 = kern.i32;
  for (let i = 0, w = tableAt / 4; i < count; i++, w += 3) {
    i32[w] = aAt + ((index.a ? index.a[i] : i) - ea.lo) * mk * 4;
    i32[w + 1] = bAt + ((index.b ? index.b[i] : i) - eb.lo) * kn * 4;
    i32[w + 2] = cAt + ((index.c ? index.c[i] : i) - ec.lo) * mn * 4;
  }
  runJob(kern, {
    tableAt, perProduct, m, k, n, flags: (transA ? 1 : 0) | (transB ? 2 : 0) | (accumulate ? 4 : 0),
    rows, scratchAt, scratchSize, packedA, tile, tasks,
  }, nThreads, threads, () => { if (accumulate || !ec.covers) f32.set(out.subarray(cFrom, cTo), cAt / 4); });

  if (addToRows) kern.exports.addRows(cAt, biasAt, m, n, n * 4, 0); // C[r][j] += bias[j]
  if (sumRowsOfA) { // sums[j] += A[r][j], for r = 0, 1, ... in turn
    kern.exports.addRows(sumsAt, aAt, m, k, 0, k * 4);
    sumRowsOfA.set(f32.subarray(sumsAt / 4, sumsAt / 4 + k));
  }
  out.set(f32.subarray(cAt / 4, cAt / 4 + (cTo - cFrom)), cFrom);
}

/**
 * The backward pass of a linear layer y = x W^T (+ b) with x (N, in), W (out, in), dy (N, out):
 *   dx (N, in) (+)= dy @ W,   dW (out, in) (+)= dy^T @ x,   db (out) += dy summed over its N rows
 * as two jobs that share one copy of dy (it is the A of both products), in that order. The same
 * numbers as two `matmulWasm` calls and the plain loop for db.
 */
export function linearBackwardWasm(
  dy: Float32Array, w: Float32Array, x: Float32Array, dx: Float32Array, dW: Float32Array, db: Float32Array | undefined,
  N: number, nIn: number, nOut: number, addX: boolean, addW: boolean, threads: ThreadMode = 'auto',
): void {
  const kern = loadKernel();
  if (!kern) throw new Error('matmulWasm: WebAssembly SIMD with shared memory is not available');
  if (N * nIn * nOut === 0) throw new Error('linearBackwardWasm: N, in and out must be > 0');
  // Both products have N * in * out multiply-adds: threads for both or for neither.
  const nThreads = threadsFor(kern, threads === 'force' || threads === 'workers' ||
    (threads === 'auto' && N * nIn * nOut >= THREADS_MIN_MACS && Math.min(N, nOut) >= 2 * MR));
  const pX = plan(N, nOut, nIn, 1, nThreads); //  dx = dy @ W:    m = N,   k = out, n = in
  const pW = plan(nOut, N, nIn, 1, nThreads); //  dW = dy^T @ x:  m = out, k = N,   n = in
  const scratchSize = Math.max(pX.scratchSize, pW.scratchSize);

  // Layout: header | two products | dy | W | x | dx | dW | db | scratch of each thread.
  const tableAt = DATA_AT;
  const dyAt = tableAt + 64;
  const wAt = dyAt + align(N * nOut * 4);
  const xAt = wAt + align(nOut * nIn * 4);
  const dxAt = xAt + align(N * nIn * 4);
  const dWAt = dxAt + align(N * nIn * 4);
  const dbAt = dWAt + align(nOut * nIn * 4);
  const scratchAt = dbAt + (db ? align(nOut * 4) : 0);
  const end = scratchAt + nThreads * scratchSize;
  if (end > MAX_PAGES * PAGE) throw new RangeError(`matmul: linear ${N}x${nIn}x${nOut} needs more than 2 GiB of WebAssembly memory`);
  ensureMemory(kern, end);

  const f32 = kern.f32;
  f32.set(dy.subarray(0, N * nOut), dyAt / 4);
  f32.set(w.subarray(0, nOut * nIn), wAt / 4);
  f32.set(x.subarray(0, N * nIn), xAt / 4);
  const restoreX = (): void => { if (addX) f32.set(dx.subarray(0, N * nIn), dxAt / 4); };
  const restoreW = (): void => { if (addW) f32.set(dW.subarray(0, nOut * nIn), dWAt / 4); };
  restoreX();
  restoreW();
  if (db) f32.set(db.subarray(0, nOut), dbAt / 4);

  const i32 = kern.i32, t = tableAt / 4;
  i32[t] = dyAt; i32[t + 1] = wAt; i32[t + 2] = dxAt; //  product 0: dx = dy @ W
  i32[t + 3] = dyAt; i32[t + 4] = xAt; i32[t + 5] = dWAt; // product 1: dW = dy^T @ x
  runJob(kern, {
    tableAt, perProduct: pX.perProduct, m: N, k: nOut, n: nIn, flags: addX ? 4 : 0,
    rows: pX.rows, scratchAt, scratchSize, packedA: pX.packedA, tile: pX.tile, tasks: pX.tasks,
  }, nThreads, threads, restoreX);
  runJob(kern, {
    tableAt: tableAt + 12, perProduct: pW.perProduct, m: nOut, k: N, n: nIn, flags: 1 | (addW ? 4 : 0),
    rows: pW.rows, scratchAt, scratchSize, packedA: pW.packedA, tile: pW.tile, tasks: pW.tasks,
  }, nThreads === 1 ? 1 : 1 + (pool?.workers.length ?? 0), threads, restoreW);
  if (db) { // db[j] += dy[r][j], for r = 0, 1, ... in turn
    kern.exports.addRows(dbAt, dyAt, N, nOut, 0, nOut * 4);
    db.set(f32.subarray(dbAt / 4, dbAt / 4 + nOut));
  }
  dx.set(f32.subarray(dxAt / 4, dxAt / 4 + N * nIn));
  dW.set(f32.subarray(dWAt / 4, dWAt / 4 + nOut * nIn));
}

// ---------------------------------------------------------------------------------------------
// GELU
// ---------------------------------------------------------------------------------------------

/** GELU jobs of at least this many elements are shared with the workers (once they run). */
export const GELU_THREADS_MIN = 1 << 15;

/**
 * y = gelu(x) (and d = gelu'(x) when d is given) on the WebAssembly kernel ($geluTask in matmul.wat): the
 * float64 arithmetic of geluForward / geluForwardWithGrad in pointwise.ts, done two elements at a time and,
 * for large arrays, on the worker threads too, with the same float32 results. `constants` are that loop's
 * doubles and table, laid out as $geluTask reads them (pointwise.ts makes them). False if WebAssembly is not
 * available here (then nothing was written).
 */
export function geluWasm(
  x: Float32Array, y: Float32Array, d: Float32Array | undefined, constants: Float64Array, threads: ThreadMode = 'auto',
): boolean {
  const kern = loadKernel();
  if (!kern) return false;
  const n = x.length;
  if (y.length < n || (d && d.length < n)) throw new RangeError(`gelu: y and d need ${n} elements`);
  if (constants.byteLength !== CONSTANTS_BYTES) throw new RangeError(`gelu: constants must be ${CONSTANTS_BYTES} bytes`);
  if (n === 0) return true;
  writeConstants(kern, constants);
  const nThreads = threadsFor(kern, threads === 'force' || threads === 'workers' || (threads === 'auto' && n >= GELU_THREADS_MIN));
  const xAt = DATA_AT, yAt = xAt + align(n * 4), dAt = yAt + align(n * 4);
  const end = dAt + (d ? align(n * 4) : 0);
  if (end > MAX_PAGES * PAGE) throw new RangeError(`gelu: ${n} elements need more than 2 GiB of WebAssembly memory`);
  ensureMemory(kern, end);
  const f32 = kern.f32;
  f32.set(x, xAt / 4);
  // Tasks of an even number of elements: a few per thread, so that a busy core simply does fewer.
  const per = nThreads === 1 ? n : Math.max(4096, 2 * Math.ceil(n / (2 * 4 * nThreads)));
  const ctl = kern.ctl;
  Atomics.store(ctl, W.NEXT, LOCKED);
  ctl[W.KIND] = 1;
  ctl[W.M] = n; ctl[W.ROWS] = per;
  ctl[W.X] = xAt; ctl[W.Y] = yAt; ctl[W.D] = d ? dAt : 0; ctl[W.CONSTANTS] = CONSTANTS_AT;
  runTasks(kern, Math.ceil(n / per), nThreads, threads, () => {});
  y.set(f32.subarray(yAt / 4, yAt / 4 + n));
  if (d) d.set(f32.subarray(dAt / 4, dAt / 4 + n));
  return true;
}

// ---------------------------------------------------------------------------------------------
// Causal attention
// ---------------------------------------------------------------------------------------------

/** Writes the float64 constants of exp32 (and GELU) at CONSTANTS_AT, once. */
function writeConstants(kern: Kernel, constants: Float64Array): void {
  if (constants.byteLength !== CONSTANTS_BYTES) throw new RangeError(`kernel constants must be ${CONSTANTS_BYTES} bytes`);
  if (kern.geluConstants !== constants) {
    new Float64Array(kern.memory.buffer, CONSTANTS_AT, constants.length).set(constants);
    kern.geluConstants = constants;
  }
}

/** The shape of an attention job: B sequences of T positions, nh heads of hs channels (C = nh * hs). */
export interface AttentionShape { B: number; T: number; nh: number; hs: number; scale: number }

/**
 * Lays out an attention job's arrays after the header: Q, K, V, Y (or dY), P, then dQ, dK, dV for the backward,
 * then each thread's scratch (the size $attentionTask uses), and writes the job's words. Returns the addresses.
 */
function attentionJob(kern: Kernel, s: AttentionShape, backward: boolean, nThreads: number, constants: Float64Array) {
  const { B, T, nh, hs } = s;
  const n = B * T * nh * hs, probs = B * nh * T * T;
  const T8 = align(T, NR), hs8 = align(hs, NR);
  const scratchSize = align(T8 * hs * 4 + 3 * hs8 * T * 4 + 16 * Math.max(T, hs) + 16 * T8 + 16 * hs8 + T * T * 4);
  const qAt = DATA_AT, kAt = qAt + align(n * 4), vAt = kAt + align(n * 4), yAt = vAt + align(n * 4);
  const pAt = yAt + align(n * 4), dqAt = pAt + align(probs * 4);
  const dkAt = dqAt + (backward ? align(n * 4) : 0), dvAt = dkAt + (backward ? align(n * 4) : 0);
  const scratchAt = dvAt + (backward ? align(n * 4) : 0);
  const end = scratchAt + nThreads * scratchSize;
  if (end > MAX_PAGES * PAGE) throw new RangeError(`attention: B=${B}, T=${T}, ${nh} heads of ${hs} need more than 2 GiB of WebAssembly memory`);
  ensureMemory(kern, end);
  writeConstants(kern, constants);
  const ctl = kern.ctl;
  Atomics.store(ctl, W.NEXT, LOCKED);
  ctl[W.KIND] = backward ? 3 : 2;
  ctl[W.M] = T; ctl[W.K] = hs; ctl[W.N] = nh;
  ctl[W.SCRATCH] = scratchAt; ctl[W.SCRATCH_SIZE] = scratchSize;
  ctl[W.Q] = qAt; ctl[W.KEYS] = kAt; ctl[W.V] = vAt; ctl[W.OUT] = yAt; ctl[W.PROBS] = pAt;
  ctl[W.DQ] = dqAt; ctl[W.DK] = dkAt; ctl[W.DV] = dvAt; ctl[W.ATTN_CONSTANTS] = CONSTANTS_AT;
  new Float64Array(kern.memory.buffer, 120, 1)[0] = s.scale;
  return { n, probs, qAt, kAt, vAt, yAt, pAt, dqAt, dkAt, dvAt };
}

/** Threads for an attention job: shared when it has enough work and more than one (batch, head). */
function attentionThreads(kern: Kernel, s: AttentionShape, threads: ThreadMode): number {
  const work = s.B * s.nh * s.T * s.T * s.hs;
  return threadsFor(kern, s.B * s.nh >= 2 && (threads === 'force' || threads === 'workers' || (threads === 'auto' && work >= THREADS_MIN_MACS)));
}

/**
 * Causal self-attention, forward ($attentionTask in matmul.wat): q, k, v (B, T, C) with head h in channels
 * [h hs, (h + 1) hs) -> y (B, T, C) the same way, and p (B, nh, T, T) the attention probabilities (unless null). The same
 * numbers as nn.ts's op-by-op lines (matmul, scaledMaskedSoftmax, matmul, with their transposes) for finite
 * keys and values (see ops/attention.ts). `constants`: pointwise.ts's GELU_CONSTANTS (exp32's). False if
 * WebAssembly is not available here.
 */
export function attentionWasm(
  q: Float32Array, k: Float32Array, v: Float32Array, y: Float32Array, p: Float32Array | null,
  s: AttentionShape, constants: Float64Array, threads: ThreadMode = 'auto',
): boolean {
  return runAttention(false, [q, k, v], [y, p], s, constants, threads);
}

/**
 * The backward of attentionWasm: from q, k, v, the probabilities p it made and dy (the gradient of y), the
 * gradients dq, dk, dv (B, T, C), written (not added). The same numbers as the op-by-op backward, as above.
 */
export function attentionBackwardWasm(
  q: Float32Array, k: Float32Array, v: Float32Array, p: Float32Array, dy: Float32Array,
  dq: Float32Array, dk: Float32Array, dv: Float32Array, s: AttentionShape, constants: Float64Array, threads: ThreadMode = 'auto',
): boolean {
  return runAttention(true, [q, k, v, dy, p], [dq, dk, dv], s, constants, threads);
}

/** An attention job: `ins` copied to Q, K, V (then Y and P for the backward), `outs` copied from Y, P (or DQ, DK, DV), but not a null one. */
function runAttention(
  backward: boolean, ins: Float32Array[], outs: (Float32Array | null)[], s: AttentionShape, constants: Float64Array, threads: ThreadMode,
): boolean {
  const kern = loadKernel();
  if (!kern) return false;
  const nThreads = attentionThreads(kern, s, threads);
  const at = attentionJob(kern, s, backward, nThreads, constants);
  const inAt = [at.qAt, at.kAt, at.vAt, at.yAt, at.pAt];
  const outAt = backward ? [at.dqAt, at.dkAt, at.dvAt] : [at.yAt, at.pAt];
  const floats = (address: number): number => (address === at.pAt ? at.probs : at.n);
  ins.forEach((a, i) => kern.f32.set(a.subarray(0, floats(inAt[i])), inAt[i] / 4));
  runTasks(kern, s.B * s.nh, nThreads, threads, () => {});
  outs.forEach((a, i) => a?.set(kern.f32.subarray(outAt[i] / 4, outAt[i] / 4 + floats(outAt[i]))));
  return true;
}

/**
 * How a job of `count` products of m x k x n on nThreads threads is cut into tasks, and the scratch
 * each thread needs: one B packed in 8-column panels, one packed block of A, and a 4 x 8 tile for
 * ragged edges.
 */
function plan(m: number, k: number, n: number, count: number, nThreads: number) {
  // Rows of C per task: enough tasks to balance the threads, at most 64 rows (the packed block of
  // A, 64 x 256 floats = 64 KB, then stays in the L2 cache), and no more than a product has. A batch
  // of many products: one task per product if its packed A fits those 64 KB, so that each thread
  // packs each B it uses once.
  let rows = Math.min(64, align(m, MR), align(Math.ceil((count * m) / (4 * nThreads)), MR));
  if (count >= 4 * nThreads && align(m, MR) * Math.min(k, KC) * 4 <= 65536) rows = align(m, MR);
  const perProduct = Math.ceil(m / rows);
  const packedA = align(k * align(n, NR) * 4);
  const tile = packedA + (rows / MR) * (Math.min(k, KC) * MR * 4 + 64); // see packA in matmul.wat
  return { rows, perProduct, tasks: count * perProduct, packedA, tile, scratchSize: tile + MR * NR * 4 };
}

/** How many threads a job may use: 1, or (when it is `wanted` and the workers run) all of them. */
function threadsFor(kern: Kernel, wanted: boolean): number {
  if (!wanted || threadCount <= 1) return 1;
  void startMatmulWorkers();
  // Every worker of the pool wakes up for a threaded job, so each needs its scratch space.
  return pool && Atomics.load(kern.ctl, W.READY) > 0 ? 1 + pool.workers.length : 1;
}

/** Grow the memory to at least `end` bytes (the views on it are made again). */
function ensureMemory(kern: Kernel, end: number): void {
  const have = kern.memory.buffer.byteLength;
  if (end > have) {
    kern.memory.grow(Math.ceil((end - have) / PAGE));
    kern.f32 = new Float32Array(kern.memory.buffer);
    kern.i32 = new Int32Array(kern.memory.buffer);
  }
}

/** The words of a job (see the table in matmul.wat); its products table is already in memory. */
interface Job {
  tableAt: number; perProduct: number; m: number; k: number; n: number; flags: number;
  rows: number; scratchAt: number; scratchSize: number; packedA: number; tile: number; tasks: number;
}

/**
 * Run a job: on this thread alone, or shared with the workers. If a worker fails, redo the whole
 * job here (after `restoreC` has put C back as it was before the job).
 */
function runJob(kern: Kernel, job: Job, nThreads: number, threads: ThreadMode, restoreC: () => void): void {
  // Describe the job. NEXT stays LOCKED while we write, so that a worker still leaving the
  // previous job cannot claim a task of this one before its words are all written.
  const ctl = kern.ctl;
  Atomics.store(ctl, W.NEXT, LOCKED);
  ctl[W.KIND] = 0;
  ctl[W.PRODUCTS] = job.tableAt; ctl[W.PER_PRODUCT] = job.perProduct;
  ctl[W.M] = job.m; ctl[W.K] = job.k; ctl[W.N] = job.n;
  ctl[W.FLAGS] = job.flags;
  ctl[W.ROWS] = job.rows;
  ctl[W.SCRATCH] = job.scratchAt; ctl[W.SCRATCH_SIZE] = job.scratchSize;
  ctl[W.PACKED_A] = job.packedA; ctl[W.TILE] = job.tile;
  runTasks(kern, job.tasks, nThreads, threads, restoreC);
}

/**
 * Run the tasks of the job whose words are written (NEXT still LOCKED): on this thread alone, or shared
 * with the workers. If a worker fails, redo them all here (after `restoreC` has put C back).
 */
function runTasks(kern: Kernel, tasks: number, nThreads: number, threads: ThreadMode, restoreC: () => void): void {
  const ctl = kern.ctl;
  ctl[W.NTASKS] = tasks;
  ctl[W.DONE] = 0;
  ctl[W.JOB] = (ctl[W.JOB] + 1) | 0; // a new job: every thread packs B again

  let callerTasks = tasks;
  if (nThreads === 1) {
    // Alone: the tasks in order (NEXT stays LOCKED, so no worker joins in).
    kern.exports.tasks(0, 0, tasks);
  } else {
    Atomics.store(ctl, W.NEXT, 0); // open the job (this also publishes the words above),
    Atomics.add(ctl, W.GEN, 1);
    Atomics.notify(ctl, W.GEN); // wake the workers,
    callerTasks = threads === 'workers' ? 0 : kern.exports.work(0); // work alongside them,
    if (!waitUntilDone(ctl, tasks)) { // and wait for the last task.
      // A worker failed (a bug: it should not happen). Close the job, let the other threads finish
      // the tasks they hold, then stop the threads and redo the whole job on this one.
      const claimed = Math.min(Atomics.exchange(ctl, W.NEXT, LOCKED), tasks);
      while (Atomics.load(ctl, W.DONE) + Atomics.load(ctl, W.FAILED) < claimed);
      Atomics.store(ctl, W.FAILED, 0);
      setMatmulThreads(1);
      restoreC();
      kern.exports.tasks(0, 0, tasks);
      nThreads = 1;
      callerTasks = tasks;
    }
  }
  lastRun = { threads: nThreads, tasks, callerTasks };
}

/**
 * Block until DONE reaches `tasks`; false if a worker failed. Spin a little first: the last task
 * is usually nearly finished, and waking from Atomics.wait takes some microseconds.
 */
function waitUntilDone(ctl: Int32Array, tasks: number): boolean {
  for (let spin = 0; spin < 10000; spin++) {
    if (Atomics.load(ctl, W.DONE) >= tasks) return true;
  }
  for (;;) {
    const done = Atomics.load(ctl, W.DONE);
    if (done >= tasks) return true;
    if (Atomics.load(ctl, W.FAILED)) return false;
    try {
      Atomics.wait(ctl, W.DONE, done, 20);
    } catch {
      // This thread may not block (a browser's main thread): keep spinning instead.
    }
  }
}
