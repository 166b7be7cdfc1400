/**
 * The WebAssembly path of matmul: copies the operands into WebAssembly memory, runs the SIMD
 * kernel of matmul.wat on this thread and, for large products, on worker threads too, then copies
 * C back out. Read matmul.wat for how the kernel itself works; this file is the plumbing.
 *
 * Threads, and why `matmul` can still be synchronous:
 *  - All threads share one `WebAssembly.Memory({ shared: true })` (a SharedArrayBuffer) and each
 *    has its own instance of the same module over it.
 *  - A job is described by a few words at the start of that memory. The rows of C are cut into
 *    tasks; every thread calls the module's `work()`, which claims tasks with an atomic counter
 *    until none are left (so a busy or slow core just ends up doing fewer tasks).
 *  - Workers sleep in `Atomics.wait` on a generation word; the caller bumps it and `notify`s,
 *    works on tasks itself, then `Atomics.wait`s until the DONE count reaches the task count.
 *    Blocking the caller is fine: matmul is a synchronous computation anyway.
 *  - Workers start lazily, in the background, the first time a product is large enough, and are
 *    `unref`ed so they never keep the process alive. Until they are ready, the caller works alone.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MATMUL_WASM_BASE64 } from './matmul-wasm';
import type { MatmulOptions } from './reference';

/** Words of the job description at the start of memory (see the table in matmul.wat). */
const W = {
  JOB: 0, NEXT: 1, DONE: 2, NTASKS: 3, A: 4, B: 5, C: 6, M: 7, K: 8, N: 9, FLAGS: 10, ROWS: 11,
  SCRATCH: 12, SCRATCH_SIZE: 13, PACKED_A: 14, TILE: 15,
  GEN: 16, // bumped to wake the workers
  READY: 17, // number of workers waiting for jobs
  FAILED: 18, // set by a worker whose `work()` threw
} as const;
const HEADER_BYTES = 128;
/** NEXT while a job is being written: any claim gets a task index past the end. */
const LOCKED = 0x40000000;
/** Constants of the kernel in matmul.wat. */
const MR = 4, NR = 8, KC = 256;
const PAGE = 65536, MAX_PAGES = 32768; // 2 GiB, as declared in matmul.wat

interface KernelExports {
  /** Compute rows [i0, i1) of C on thread t (packing B first if needed). */
  rows(t: number, i0: number, i1: number): void;
  /** Claim and compute tasks until none are left; returns how many this thread did. */
  work(t: number): number;
}

interface Kernel {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: KernelExports;
  ctl: Int32Array; // the job words (a view on memory that survives memory.grow)
  f32: Float32Array; // all of memory; re-made after each grow
}

let kernel: Kernel | null | undefined; // undefined: not tried yet; null: WebAssembly unavailable

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const module = new WebAssembly.Module(Buffer.from(MATMUL_WASM_BASE64, 'base64'));
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const ctl = new Int32Array(memory.buffer, 0, HEADER_BYTES / 4);
    Atomics.store(ctl, W.NEXT, LOCKED);
    kernel = {
      module, memory, ctl,
      exports: instance.exports as unknown as KernelExports,
      f32: new Float32Array(memory.buffer),
    };
  } catch {
    kernel = null; // no SIMD or no shared memory here: the caller falls back to JavaScript
  }
  return kernel;
}

/** True if the WebAssembly kernel can run in this runtime. */
export function wasmAvailable(): boolean {
  return loadKernel() !== null;
}

// ---------------------------------------------------------------------------------------------
// Worker threads
// ---------------------------------------------------------------------------------------------

/**
 * The worker's whole program. It is a string run with `eval: true` so that it survives bundling
 * into any of the extension's bundles with no extra file to ship.
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
  Atomics.wait(ctl, GEN, gen);   // sleep until the caller posts a job
  gen = Atomics.load(ctl, GEN);
  try {
    work(index);
  } catch (err) {
    Atomics.store(ctl, FAILED, 1);   // tell the waiting caller instead of leaving it waiting
    Atomics.notify(ctl, DONE);
    throw err;
  }
}
`;

interface Pool {
  workers: Worker[];
  ready: Promise<void>;
}
let pool: Pool | undefined;
/** Threads to use for large products, the caller's included. */
let threadCount = Math.max(1, Math.min(availableParallelism(), 4));

/** Threads that large products will use, the caller's included (1 = no workers). */
export function getMatmulThreads(): number {
  return threadCount;
}

/**
 * Set how many threads large products may use, the caller's included (1 turns threads off).
 * Takes effect for workers started after this (see stopMatmulWorkers).
 */
export function setMatmulThreads(n: number): void {
  threadCount = Math.max(1, Math.floor(n));
}

/** Start the worker threads (if not already started) and resolve once they are all waiting. */
export function startMatmulWorkers(): Promise<void> {
  const k = loadKernel();
  if (!k || threadCount <= 1) return Promise.resolve();
  if (!pool) {
    const workers: Worker[] = [];
    const readies: Promise<void>[] = [];
    for (let index = 1; index < threadCount; index++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: k.module, memory: k.memory, index,
          GEN: W.GEN, READY: W.READY, FAILED: W.FAILED, DONE: W.DONE,
        },
      });
      worker.unref(); // a sleeping worker must not keep the process alive
      readies.push(new Promise((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }));
      // After startup, an error has already been reported to the caller through FAILED.
      worker.on('error', () => {});
      workers.push(worker);
    }
    pool = { workers, ready: Promise.all(readies).then(() => undefined) };
  }
  return pool.ready;
}

/** Stop the worker threads (tests, deactivation). The next large product starts them again. */
export async function stopMatmulWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (!p) return;
  await Promise.all(p.workers.map((w) => w.terminate()));
  if (kernel) Atomics.store(kernel.ctl, W.READY, 0);
}

// ---------------------------------------------------------------------------------------------
// One multiply
// ---------------------------------------------------------------------------------------------

/** What the last call of matmulWasm did (for tests and the benchmark). */
export interface MatmulRun {
  threads: number; // threads the job was offered to, the caller's included
  tasks: number; // tasks (blocks of rows) it was cut into
  callerTasks: number; // of which the calling thread did
}
let lastRun: MatmulRun = { threads: 0, tasks: 0, callerTasks: 0 };
export function lastMatmulRun(): MatmulRun {
  return { ...lastRun };
}

/** Products with at least this many multiply-adds (m * k * n) are shared with the workers. */
export const THREADS_MIN_MACS = 1 << 18;

const align = (bytes: number, to = 64): number => Math.ceil(bytes / to) * to;

/**
 * When to share a product with the worker threads: 'auto' (large products, once the workers are
 * running), 'off' (never), 'force' (always once they are running: tests and benchmarks).
 */
export type ThreadMode = 'auto' | 'off' | 'force';

/**
 * C (+)= op(A) @ op(B) on the WebAssembly kernel. Throws if WebAssembly is unavailable; `matmul`
 * checks that first.
 */
export function matmulWasm(
  a: Float32Array, b: Float32Array, out: Float32Array,
  m: number, k: number, n: number, opts: MatmulOptions = {}, threads: ThreadMode = 'auto',
): void {
  const kern = loadKernel();
  if (!kern) throw new Error('matmulWasm: WebAssembly SIMD with shared memory is not available');
  const { transA = false, transB = false, accumulate = false } = opts;
  if (m === 0 || n === 0) return;
  if (k === 0) { // no terms: C = 0 (or unchanged when accumulating)
    if (!accumulate) out.fill(0, 0, m * n);
    return;
  }

  // Share the work only if it is big enough and the workers are up; start them for next time.
  // (Every worker wakes up for a threaded job, so each gets scratch space.)
  let nThreads = 1;
  const wanted = threads === 'force' || (threads === 'auto' && m * k * n >= THREADS_MIN_MACS && m >= 2 * MR);
  if (wanted && threadCount > 1) {
    void startMatmulWorkers();
    if (pool && Atomics.load(kern.ctl, W.READY) > 0) nThreads = 1 + pool.workers.length;
  }

  // Rows of C per task: enough tasks to balance the threads, at most 64 rows (the packed block of
  // A, 64 x 256 floats = 64 KB, then stays in the L2 cache).
  const rows = Math.min(64, align(Math.ceil(m / (4 * nThreads)), MR));
  const tasks = Math.ceil(m / rows);

  // Memory layout (bytes): header | A | B | C | scratch for each thread. A thread's scratch holds
  // all of B packed in 8-column panels, one packed block of A, and one 4 x 8 tile for ragged edges.
  const nPadded = align(n, NR);
  const packedA = align(k * nPadded * 4);
  const tile = packedA + (rows / MR) * (Math.min(k, KC) * MR * 4 + 64); // panels 64 bytes apart: see packA
  const scratchSize = tile + align(MR * NR * 4);
  const aAt = HEADER_BYTES;
  const bAt = aAt + align(m * k * 4);
  const cAt = bAt + align(k * n * 4);
  const scratchAt = cAt + align(m * n * 4);
  const end = scratchAt + nThreads * scratchSize;
  if (end > MAX_PAGES * PAGE) throw new RangeError(`matmulWasm: ${m}x${k}x${n} needs more than 2 GiB`);
  const have = kern.memory.buffer.byteLength;
  if (end > have) {
    kern.memory.grow(Math.ceil((end - have) / PAGE));
    kern.f32 = new Float32Array(kern.memory.buffer);
  }

  // Copy the operands in. (subarray gives a view starting at the caller's byteOffset.)
  const f32 = kern.f32;
  f32.set(a.subarray(0, m * k), aAt / 4);
  f32.set(b.subarray(0, k * n), bAt / 4);
  if (accumulate) f32.set(out.subarray(0, m * n), cAt / 4);

  // Describe the job. NEXT stays LOCKED while we write, so a worker still finishing the previous
  // job cannot claim a task of this one before its words are complete.
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
  ctl[W.JOB] = (ctl[W.JOB] + 1) | 0; // every thread repacks B for a new job

  let callerTasks = tasks;
  if (nThreads === 1) {
    // Alone: walk the row blocks ourselves (NEXT stays LOCKED, so no worker joins in).
    for (let i0 = 0; i0 < m; i0 += rows) kern.exports.rows(0, i0, Math.min(m, i0 + rows));
  } else {
    Atomics.store(ctl, W.NEXT, 0); // open the job (publishes the words above)...
    Atomics.add(ctl, W.GEN, 1);
    Atomics.notify(ctl, W.GEN); // ...wake the workers, and work alongside them
    callerTasks = kern.exports.work(0);
    waitUntilDone(ctl, tasks);
  }
  lastRun = { threads: nThreads, tasks, callerTasks };

  out.set(f32.subarray(cAt / 4, cAt / 4 + m * n));
}

/** Block until DONE reaches `tasks`: spin briefly (the last task is usually nearly finished). */
function waitUntilDone(ctl: Int32Array, tasks: number): void {
  for (let spin = 0; spin < 10000; spin++) {
    if (Atomics.load(ctl, W.DONE) >= tasks) return;
  }
  for (;;) {
    const done = Atomics.load(ctl, W.DONE);
    if (done >= tasks) return;
    if (Atomics.load(ctl, W.FAILED)) throw new Error('matmul: a worker thread failed');
    Atomics.wait(ctl, W.DONE, done, 50);
  }
}
