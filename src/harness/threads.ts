/**
 * Learner code in N worker threads, for the checks of the parallel-training lesson (`ctx.threads`).
 *
 * A check asks for `ctx.threads(n, { course, entry, data, shared })`. The runner starts n worker threads from its
 * own bundle (dist/worker.js, the file the permission model already lets it read; `--allow-worker` is set). Each
 * thread is a "rank": it loads the kit and the check library (its own copies, bundled in worker.js), the course part
 * named (code sent by the host with the run, never read from disk), and the learner's bundle with the SAME provider
 * as the main thread (`forLearner`: the kit and a few built-ins, nothing else), after the same lockdown of the
 * built-ins. Then it runs the course entry `part[entry]({ rank, world, learner, data, shared })` and posts back what
 * it returns (a structured clone: plain data, typed arrays). SharedArrayBuffers in `shared` are shared, not copied.
 *
 * What a malicious rank can do: compute whatever it likes and return it, or write anything into the shared buffers
 * (other ranks' mailboxes and counters included). It cannot reach the main thread's objects, its key or its verdict:
 * the main thread's checks compare the returned data against references the main thread computes itself. Counters
 * kept in shared memory (bytes sent) are written by the course's code in the rank's thread, so a rank determined to
 * lie can forge them; the lesson says so.
 *
 * Every thread is terminated when the call's time limit passes (the promise rejects with a clear message) and,
 * by the runner, when the check ends (`endThreads`).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { BundledCode } from './bundle';
import { say, setLocale, t, type Locale } from '../core/grading/text';

/** What a check asks for. */
export interface ThreadsRequest {
  /** The course part (`@llm-lab/course/<course>`) whose export `entry` each rank runs. */
  course: string;
  entry: string;
  /** Given to every rank (structured clone). */
  data?: unknown;
  /** Shared memory given to every rank as is. */
  shared?: SharedArrayBuffer[];
  /** After this long every thread is terminated and the call rejects (default 10 s). */
  timeoutMs?: number;
}

/** A rank that threw: its error, as plain strings. */
export class RankError extends Error {
  constructor(readonly rank: number, name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack) this.stack = stack;
  }
}

export type RunThreads = (n: number, request: ThreadsRequest) => Promise<unknown[]>;

interface RankSetup {
  llmLabRank: true;
  rank: number;
  world: number;
  locale: Locale;
  learner: BundledCode;
  course: Record<string, BundledCode>;
  part: string;
  entry: string;
  data: unknown;
  shared: SharedArrayBuffer[];
}

const live = new Set<Worker>();

/** The `ctx.threads` of one run: starts ranks from `workerFile` with the learner's bundle and the course code. */
export function makeThreads(setup: { workerFile: string; learner: BundledCode; course: Record<string, BundledCode>; locale: Locale }): RunThreads {
  return (n, request) => new Promise<unknown[]>((resolve, reject) => {
    if (!Number.isInteger(n) || n < 1 || n > 16) return reject(new Error(`check bug: ctx.threads(${n}): 1 to 16 threads`));
    const results: unknown[] = new Array(n);
    const workers: Worker[] = [];
    let left = n;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const w of workers) { live.delete(w); void w.terminate(); }
      if (err) reject(err); else resolve(results);
    };
    const limit = request.timeoutMs ?? 10_000;
    const timer = setTimeout(() => finish(new Error(say(t(`the ${n} threads did not finish within ${limit / 1000} s and were stopped`, `${n} 个线程没有在 ${limit / 1000} 秒内完成，已被终止`)))), limit);
    for (let rank = 0; rank < n; rank++) {
      const data: RankSetup = { llmLabRank: true, rank, world: n, locale: setup.locale, learner: setup.learner, course: setup.course,
        part: request.course, entry: request.entry, data: request.data, shared: request.shared ?? [] };
      const w = new Worker(setup.workerFile, { workerData: data, stdout: true, stderr: true });
      w.stdout.resume();
      w.stderr.resume();
      workers.push(w);
      live.add(w);
      w.on('message', (m: { ok: boolean; value?: unknown; name?: string; message?: string; stack?: string }) => {
        if (m.ok) {
          results[rank] = m.value;
          if (--left === 0) finish();
        } else finish(new RankError(rank, m.name ?? 'Error', `rank ${rank}: ${m.message ?? ''}`, m.stack));
      });
      w.on('error', (e) => finish(new RankError(rank, e?.name ?? 'Error', `rank ${rank}: ${e?.message ?? e}`, e?.stack)));
      w.on('exit', (code) => { if (!settled && results[rank] === undefined) finish(new RankError(rank, 'Error', say(t(`rank ${rank}: its thread exited (code ${code}) without a result`, `rank ${rank}：它的线程退出了（代码 ${code}），没有返回结果`)))); });
    }
  });
}

/** Terminates every thread still running (the runner calls it when a check ends). */
export function endThreads(): void {
  for (const w of live) void w.terminate();
  live.clear();
}

/** Whether this thread is a rank started by `makeThreads`. */
export function isRankThread(): boolean {
  return !isMainThread && (workerData as { llmLabRank?: unknown } | null)?.llmLabRank === true;
}

type Provider = (id: string) => unknown;

/** A rank's program: the runner's loader and providers are passed in, so the rules are the main thread's own. */
export async function rankThreadMain(deps: {
  loadBundle(code: string, filename: string, provide: Provider): Record<string, unknown>;
  forLearner: Provider;
  provided: Record<string, () => unknown>;
  lockDown(): void;
}): Promise<void> {
  const setup = workerData as RankSetup;
  const post = (m: unknown) => parentPort?.postMessage(m);
  try {
    setLocale(setup.locale);
    const parts = new Map<string, Record<string, unknown>>();
    const forCourse: Provider = (id) => {
      if (deps.provided[id]) return deps.provided[id]();
      const m = /^@llm-lab\/course\/([a-z0-9-]+)$/.exec(id);
      if (!m) return undefined;
      let part = parts.get(m[1]);
      if (!part) {
        const code = setup.course[m[1]];
        if (!code) throw new Error(`the course layer has no part "${m[1]}"`);
        part = deps.loadBundle(code.code, code.filename, forCourse);
        parts.set(m[1], part);
      }
      return part;
    };
    const part = forCourse(`@llm-lab/course/${setup.part}`) as Record<string, unknown>;
    const entry = part[setup.entry];
    if (typeof entry !== 'function') throw new Error(`check bug: @llm-lab/course/${setup.part} has no function ${setup.entry}`);
    deps.lockDown();
    const learner = deps.loadBundle(setup.learner.code, setup.learner.filename, deps.forLearner);
    const value = await (entry as (a: unknown) => unknown)({ rank: setup.rank, world: setup.world, learner, data: setup.data, shared: setup.shared });
    post({ ok: true, value });
  } catch (e) {
    const err = e as { name?: unknown; message?: unknown; stack?: unknown } | null;
    post({ ok: false, name: String(err?.name ?? 'Error'), message: String(err?.message ?? e), stack: typeof err?.stack === 'string' ? err.stack : undefined });
  }
}
