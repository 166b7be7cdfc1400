/**
 * The host side of the runner: starts a fresh process per check run and, while it boots, bundles the
 * learner file and the checks (the two overlap); enforces the time and memory limits, and turns every way
 * the process can end (finished, timed out, out of memory, exited, crashed, cancelled) into a RunResult.
 * The checks that completed before a fault are kept.
 */
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { CheckOutcome, RunError, RunResult } from '../core/grading/result';
import { bundleChecks, bundleExercise } from './bundle';
import { declarationOf } from './locate';
import type { FromWorker, PlannedCheck, ToWorker, WorkerRequest } from './protocol';

export interface RunOptions {
  /** Path of the built worker entry (dist/worker.js). */
  workerPath: string;
  timeoutMs: number;
  memoryMb: number;
  /** Every protocol event as it arrives (for live progress and the Test Explorer). */
  onEvent?(event: FromWorker): void;
  /** Raw stdout/stderr of the process (for an output channel). */
  onOutput?(text: string): void;
  signal?: AbortSignal;
}

const OOM = /heap out of memory|Reached heap limit|Allocation failed|invalid array length/i;
const STDERR_TAIL = 8192;

export interface PlanOptions {
  workerPath: string;
  timeoutMs: number;
  memoryMb?: number;
}

/**
 * The list of an exercise's checks without running any: a fresh runner loads only the lesson's checks
 * bundle and answers with its plan. No learner code is read or run, so this is safe in Restricted Mode.
 */
export function planInWorker(checksFile: string, opts: PlanOptions): Promise<PlannedCheck[]> {
  return new Promise<PlannedCheck[]>((resolve, reject) => {
    const child = fork(opts.workerPath, [], {
      execArgv: [`--max-old-space-size=${opts.memoryMb ?? 512}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let plan: PlannedCheck[] | undefined;
    let failure: string | undefined;
    let stderr = '';
    const bundled = bundleChecks(checksFile).catch((e: unknown) => ({ ok: false as const, error: { kind: 'setup' as const, message: `bundling failed: ${(e as Error)?.message ?? e}` } }));
    const timer = setTimeout(() => { failure = `listing the checks timed out after ${opts.timeoutMs} ms`; child.kill('SIGKILL'); }, opts.timeoutMs);
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-STDERR_TAIL); });
    child.on('message', (raw) => {
      const msg = raw as FromWorker;
      if (msg.type === 'plan') plan = msg.checks;
      if (msg.type !== 'ready') return;
      void bundled.then((b) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (!b.ok) { failure = b.error.message; child.kill('SIGKILL'); return; }
        child.send({ type: 'plan', checksFile, checks: b.checks } satisfies ToWorker);
      });
    });
    child.on('error', (e) => { stderr += `\n${e.message}`; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (plan) return resolve(plan);
      const tail = stderr.trim().split('\n').slice(-12).join('\n');
      reject(new Error(failure ?? `listing the checks of ${checksFile} failed (${signal ?? `exit code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
  });
}

export function runInWorker(req: WorkerRequest, opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise<RunResult>((resolve) => {
    const child = fork(opts.workerPath, [], {
      execArgv: [`--max-old-space-size=${opts.memoryMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Inside VS Code, process.execPath is Electron: make it behave as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let plan: PlannedCheck[] = [];
    const done = new Map<string, CheckOutcome>();
    let current: string | undefined;
    let finished: RunResult | undefined;
    let stopReason: 'timeout' | 'cancelled' | undefined;
    let stderr = '';
    const logs: string[] = [];
    let setupError: RunError | undefined;

    // Bundle while the process starts; send the job once both are ready.
    const bundled = bundleExercise(req.learnerFile, req.checksFile).catch((e: unknown): { ok: false; error: RunError } =>
      ({ ok: false, error: { kind: 'setup', message: `bundling failed: ${(e as Error)?.message ?? e}` } }));
    const onReady = async () => {
      const b = await bundled;
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (!b.ok) { setupError = b.error; child.kill('SIGKILL'); return; }
      child.send({ type: 'run', request: req, checks: b.checks, learner: b.learner, source: b.source } satisfies ToWorker);
    };

    // The time limit runs per check: a check that declares a longer budget (a training run) gets it,
    // and the clock starts again for each check. Loading the file counts against the first one.
    let budgetMs = opts.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      budgetMs = ms;
      timer = setTimeout(() => { stopReason = 'timeout'; child.kill('SIGKILL'); }, ms);
    };
    arm(opts.timeoutMs);
    const onAbort = () => { stopReason = 'cancelled'; child.kill('SIGKILL'); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    child.stdout?.on('data', (d: Buffer) => opts.onOutput?.(d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr = (stderr + text).slice(-STDERR_TAIL);
      opts.onOutput?.(text);
    });
    child.on('message', (raw) => {
      const msg = raw as FromWorker;
      switch (msg.type) {
        case 'ready': void onReady(); break;
        case 'plan': plan = msg.checks; break;
        case 'check-started': current = msg.id; arm(Math.max(opts.timeoutMs, msg.timeoutMs ?? 0)); break;
        case 'check-finished': done.set(msg.outcome.id, msg.outcome); current = undefined; arm(opts.timeoutMs); break;
        case 'log': logs.push(msg.text); break;
        case 'finished': finished = msg.result; break;
      }
      opts.onEvent?.(msg);
    });
    child.on('error', (e) => { stderr += `\n${e.message}`; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (finished && !stopReason) return resolve(finished);
      const error = setupError ?? describeEnd(code, signal, stopReason, stderr, budgetMs);
      void partialResult(req, plan, done, current, error, logs, started).then(resolve);
    });
  });
}

function describeEnd(code: number | null, signal: NodeJS.Signals | null, stop: string | undefined, stderr: string, timeoutMs: number): RunError {
  if (stop === 'timeout') return { kind: 'timeout', message: `timed out after ${(timeoutMs / 1000).toFixed(timeoutMs % 1000 ? 1 : 0)} s: an infinite loop?` };
  if (stop === 'cancelled') return { kind: 'cancelled', message: 'the check was cancelled' };
  const tail = stderr.trim().split('\n').slice(-12).join('\n') || undefined;
  if (OOM.test(stderr)) return { kind: 'out-of-memory', message: 'ran out of memory: is something growing without bound (an array in a loop, a recursion)?', detail: tail };
  if (signal === 'SIGSEGV' || signal === 'SIGBUS' || signal === 'SIGILL' || signal === 'SIGFPE') {
    return { kind: 'crash', message: `the runner process crashed (${signal})`, detail: tail };
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return { kind: 'exit', message: `the runner process ${how} before the checks finished: does your code call process.exit() or process.kill()?`, detail: tail };
}

/** Builds a result from what arrived before the process ended abnormally. */
async function partialResult(
  req: WorkerRequest, plan: PlannedCheck[], done: Map<string, CheckOutcome>, current: string | undefined,
  error: RunError, logs: string[], started: number,
): Promise<RunResult> {
  const source = await readFile(req.learnerFile, 'utf8').catch(() => '');
  const checks: CheckOutcome[] = plan.map((p) => {
    const got = done.get(p.id);
    if (got) return got;
    const location = p.task ? declarationOf(source, p.task, req.learnerFile) : undefined;
    if (p.id === current) {
      if (!error.location) error.location = location;
      return { id: p.id, name: p.name, task: p.task, status: 'error', message: error.message, location, artifacts: [], durationMs: Date.now() - started };
    }
    return { id: p.id, name: p.name, task: p.task, status: 'skipped', message: `not run: ${error.message}`, artifacts: [], durationMs: 0 };
  });
  return { exerciseId: req.exerciseId, file: req.learnerFile, status: 'error', checks, error, logs, durationMs: Date.now() - started };
}
