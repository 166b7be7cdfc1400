/**
 * The WebAssembly path of matmul: copies the operands into WebAssembly memory, runs the SIMD
 * kernel of matmul.wat on this thread and, for large products, on worker threads too, then copies
 * C back out. Read matmul.wat for how the kernel itself works; this file is the plumbing.
 *
 * Threads, and why `matmul` can still be synchronous:
 *  - All threads share one `WebAssembly.Memory({ shared: true })` (a SharedArrayBuffer), and each
 *    has its own instance of the same module over it.
 *  - A job is described by a few words at the start of that memory. The rows of C are cut into
 *    tasks; every thread calls the module's `work()`, which claims tasks with an atomic counter
 *    until none are left (so a busy or slow core simply ends up doing fewer tasks).
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
  JOB: 0, NEXT: 1, DONE: 2, NTASKS: 3, A: 4, B: 5, C: 6, M: 7, K: 8, N: 9, FLAGS: 10, ROWS: 11,
  SCRATCH: 12, SCRATCH_SIZE: 13, PACKED_A: 14, TILE: 15,
  GEN: 16, // bumped to wake the workers
  READY: 17, // how many workers have started (and so wait for jobs)
  FAILED: 18, // how many workers' `work()` threw (then a task was left unfinished)
} as const;
const HEADER_BYTES = 128;
/** NEXT while a job is being written: any claim gets a task index past the end. */
const LOCKED = 0x40000000;
/** Sizes the kernel in matmul.wat is built around: 4 x 8 blocks of C, k in blocks of 256. */
const MR = 4, NR = 8, KC = 256;
const PAGE = 65536, MAX_PAGES = 32768; // 2 GiB, as declared in matmul.wat

interface KernelExports {
  /** Compute rows [i0, i1) of C on thread t (packing B first if needed). */
  rows(t: number, i0: number, i1: number): void;
  /** Claim and compute tasks until none are left; returns how many this thread did. */
  work(t: number): number;
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
  f32: Float32Array; // all of memory; made again after each grow
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

/** Products with at least this many multiply-adds (m * k * n) are shared with the workers. */
export const THREADS_MIN_MACS = 1 << 18; // measured: 64x64x64 gains a little, half of it loses

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
  const kern = loadKernel();
  if (!kern) throw new Error('matmulWasm: WebAssembly SIMD with shared memory is not available');
  const { transA = false, transB = false, accumulate = false } = opts;
  if (m === 0 || n === 0) return;
  if (k === 0) { // a sum of no terms: C = 0, or C unchanged when accumulating
    if (!accumulate) out.fill(0, 0, m * n);
    return;
  }

  // Threads: only for products large enough to repay waking them, and only once they run.
  let nThreads = 1;
  const wanted = threads === 'force' || threads === 'workers' ||
    (threads === 'auto' && m * k * n >= THREADS_MIN_MACS && m >= 2 * MR);
  if (wanted && threadCount > 1) {
    void startMatmulWorkers();
    // Every worker of the pool wakes up for a threaded job, so each needs its scratch space.
    if (pool && Atomics.load(kern.ctl, W.READY) > 0) nThreads = 1 + pool.workers.length;
  }

  // Rows of C per task: enough tasks to balance the threads, at most 64 rows (the packed block of
  // A, 64 x 256 floats = 64 KB, then stays in the L2 cache).
  const rows = Math.min(64, align(Math.ceil(m / (4 * nThreads)), MR));
  const tasks = Math.ceil(m / rows);

  // Memory layout (bytes): header | A | B | C | scratch of each thread. A thread's scratch holds
  // all of B packed in 8-column panels, one packed block of A, and a 4 x 8 tile for ragged edges.
  const packedA = align(k * align(n, NR) * 4);
  const tile = packedA + (rows / MR) * (Math.min(k, KC) * MR * 4 + 64); // see packA in matmul.wat
  const scratchSize = tile + MR * NR * 4;
  const aAt = HEADER_BYTES;
  const bAt = aAt + align(m * k * 4);
  const cAt = bAt + align(k * n * 4);
  const scratchAt = cAt + align(m * n * 4);
  const end = scratchAt + nThreads * scratchSize;
  if (end > MAX_PAGES * PAGE) throw new RangeError(`matmul: ${m}x${k}x${n} needs more than 2 GiB of WebAssembly memory`);
  const have = kern.memory.buffer.byteLength;
  if (end > have) {
    kern.memory.grow(Math.ceil((end - have) / PAGE));
    kern.f32 = new Float32Array(kern.memory.buffer);
  }

  // Copy the operands in. (The arrays may be views: subarray keeps their byteOffset.)
  const f32 = kern.f32;
  f32.set(a.subarray(0, m * k), aAt / 4);
  f32.set(b.subarray(0, k * n), bAt / 4);
  if (accumulate) f32.set(out.subarray(0, m * n), cAt / 4);

  // Describe the job. NEXT stays LOCKED while we write, so that a worker still leaving the
  // previous job cannot claim a task of this one before its words are all written.
  const ctl = kern.ctl;
  Atomics.store(ctl, W.NEXT, LOCKED);
  ctl[W.A] = aAt; ctl[W.B] = bAt; ctl[W.C] = cAt;
  ctl[W.M] = m; ctl[W.K] = k; ctl[W.N] = n;
  ctl[W.FLAGS] = (transA ? 1 : 0) | (transB ? 2 : 0) | (accumulate ? 4 : 0);
  ctl[W.ROWS] = rows;
  ctl[W.SCRATCH] = scratchAt; ctl[W.SCRATCH_SIZE] = scratchSize;
  ctl[W.PACKED_A] = packedA; ctl[W.TILE] = tile;
  ctl[W.NTASKS] = tasks;
  ctl[W.DONE] = 0;
  ctl[W.JOB] = (ctl[W.JOB] + 1) | 0; // a new job: every thread packs B again

  let callerTasks = tasks;
  if (nThreads === 1) {
    // Alone: walk the blocks of rows in order (NEXT stays LOCKED, so no worker joins in).
    for (let i0 = 0; i0 < m; i0 += rows) kern.exports.rows(0, i0, Math.min(m, i0 + rows));
  } else {
    Atomics.store(ctl, W.NEXT, 0); // open the job (this also publishes the words above),
    Atomics.add(ctl, W.GEN, 1);
    Atomics.notify(ctl, W.GEN); // wake the workers,
    callerTasks = threads === 'workers' ? 0 : kern.exports.work(0); // work alongside them,
    if (!waitUntilDone(ctl, tasks)) { // and wait for the last task.
      // A worker failed (a bug: it should not happen). Close the job, let the other threads finish
      // the tasks they hold, then stop the threads and redo the whole product on this one.
      const claimed = Math.min(Atomics.exchange(ctl, W.NEXT, LOCKED), tasks);
      while (Atomics.load(ctl, W.DONE) + Atomics.load(ctl, W.FAILED) < claimed);
      Atomics.store(ctl, W.FAILED, 0);
      setMatmulThreads(1);
      if (accumulate) f32.set(out.subarray(0, m * n), cAt / 4);
      for (let i0 = 0; i0 < m; i0 += rows) kern.exports.rows(0, i0, Math.min(m, i0 + rows));
      nThreads = 1;
      callerTasks = tasks;
    }
  }
  lastRun = { threads: nThreads, tasks, callerTasks };

  out.set(f32.subarray(cAt / 4, cAt / 4 + m * n));
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
