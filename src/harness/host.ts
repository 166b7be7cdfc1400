/**
 * The host side of the runner: starts a fresh process per check run (in its own process group, under Node's
 * permission model where the runtime has it: sandbox.ts) and, while it boots, bundles the learner file and the
 * checks (the two overlap); enforces the time and memory limits, and turns every way the process can end
 * (finished, timed out, out of memory, exited, crashed, cancelled, tampered) into a RunResult. The checks that
 * completed before a fault are kept. Every event after `ready` must carry the run's signature and follow the
 * plan (RunLedger): the verdict is the host's record of what the runner reported, never a result learner code
 * could have written.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Locale } from '../core/grading/text';
import type { CheckOutcome, RunError, RunResult } from '../core/grading/result';
import { type BundledCode, type ExerciseBundle, bundleChecks, bundleExercise, bundleReference } from './bundle';
import { declarationOf } from './locate';
import { LOG_LIMITS, reviveNonFinite, type FromWorker, type PlannedCheck, type Prerequisite, type ToWorker, type WorkerRequest } from './protocol';
import { BAD_OPTION, type LaunchOptions, sandboxSupport, startRunner } from './launch';
import { killTree, residentMb } from './sandbox';
import { isSealed, macOf, sameMac } from './seal';
import { type RunnerPool, type TakenRunner, envPool } from './warm';

/**
 * The earlier exercises whose learner files are missing, as a message in the learner's language, or
 * undefined when all are there.
 */
export function missingPrerequisites(prerequisites: readonly Prerequisite[] | undefined, locale: Locale = 'en'): RunError | undefined {
  const missing = (prerequisites ?? []).filter((p) => !existsSync(p.file));
  if (!missing.length) return undefined;
  const list = missing.map((p) => `"${p.title}" (${p.exerciseId}, ${path.basename(path.dirname(p.file))}/${path.basename(p.file)})`).join(', ');
  const message = locale === 'zh-cn'
    ? `这个练习要用到你之前写的代码，请先打开这些练习：${list}。`
    : `This exercise builds on your earlier work: open ${missing.length === 1 ? 'this exercise' : 'these exercises'} first: ${list}.`;
  return { kind: 'prerequisite', message };
}

export interface RunOptions {
  /** Path of the built worker entry (dist/worker.js). */
  workerPath: string;
  timeoutMs: number;
  /** The whole process's memory (heap and arrays), in MB. */
  memoryMb: number;
  /** Every protocol event as it arrives (for live progress and the Test Explorer). */
  onEvent?(event: FromWorker): void;
  /** Raw stdout/stderr of the process (for an output channel). */
  onOutput?(text: string): void;
  signal?: AbortSignal;
  /** Start without Node's permission model (tests of what the other layers catch on their own). */
  unsandboxed?: boolean;
  /**
   * Runners started ahead (warm.ts): the run takes the waiting one when it was started with the same options, and a
   * fresh one is started for the next run when this one is over. Without a pool, a process is started for the run.
   */
  pool?: RunnerPool;
}

const OOM = /heap out of memory|Reached heap limit|Allocation failed|invalid array length|Array buffer allocation failed/i;
const STDERR_TAIL = 8192;
/** How often the runner's resident memory is read. */
const MEMORY_POLL_MS = 100;

export interface PlanOptions {
  workerPath: string;
  timeoutMs: number;
  memoryMb?: number;
}

/** The course layer's bundles beside the worker (dist/course/<part>.js), sent to the runner with each job. */
async function courseBundles(workerPath: string): Promise<Record<string, BundledCode>> {
  const dir = path.join(path.dirname(workerPath), 'course');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.js'));
  const out: Record<string, BundledCode> = {};
  for (const name of names) {
    const filename = path.join(dir, name);
    out[name.slice(0, -3)] = { code: await cachedRead(filename), filename };
  }
  return out;
}

/** A file's text, read again only when its modification time changes (the course bundles, on every check run). */
const readCache = new Map<string, { mtimeMs: number; text: string }>();
async function cachedRead(file: string): Promise<string> {
  const { mtimeMs } = await stat(file);
  const hit = readCache.get(file);
  if (hit?.mtimeMs === mtimeMs) return hit.text;
  const text = await readFile(file, 'utf8');
  readCache.set(file, { mtimeMs, text });
  return text;
}

/**
 * The list of an exercise's checks without running any: a fresh runner loads only the lesson's checks
 * bundle and answers with its plan. No learner code is read or run, so this is safe in Restricted Mode.
 */
export function planInWorker(checksFile: string, opts: PlanOptions & { locale?: Locale }): Promise<PlannedCheck[]> {
  return new Promise<PlannedCheck[]>((resolve, reject) => {
    const child = startRunner(opts.workerPath, opts.memoryMb ?? 512, true, false);
    let plan: PlannedCheck[] | undefined;
    let failure: string | undefined;
    let stderr = '';
    const bundled = Promise.all([bundleChecks(checksFile), courseBundles(opts.workerPath)]).catch((e: unknown) =>
      [{ ok: false as const, error: { kind: 'setup' as const, message: `bundling failed: ${(e as Error)?.message ?? e}` } }, {}] as const);
    const timer = setTimeout(() => { failure = `listing the checks timed out after ${opts.timeoutMs} ms`; killTree(child.pid); }, opts.timeoutMs);
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-STDERR_TAIL); });
    child.on('message', (raw) => {
      const msg = raw as FromWorker;
      if (msg.type === 'plan') plan = msg.checks;
      if (msg.type !== 'ready') return;
      if (msg.sandboxed !== undefined) sandboxSupport.learn(msg.sandboxed);
      void bundled.then(([b, course]) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (!b.ok) { failure = b.error.message; killTree(child.pid); return; }
        child.send({ type: 'plan', checksFile, checks: b.checks, locale: opts.locale, course } satisfies ToWorker);
      });
    });
    child.on('error', (e) => { stderr += `\n${e.message}`; });
    // 'close', not 'exit': the plan message may still be on its way when the process has exited.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killTree(child.pid);
      if (plan) return resolve(plan);
      if (!failure && sandboxSupport.known === undefined && BAD_OPTION.test(stderr)) {
        // This runtime refuses the permission flags: remember, and list again without them.
        sandboxSupport.refuse();
        return planInWorker(checksFile, opts).then(resolve, reject);
      }
      const tail = stderr.trim().split('\n').slice(-12).join('\n');
      reject(new Error(failure ?? `listing the checks of ${checksFile} failed (${signal ?? `exit code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
  });
}

/**
 * What the host expects of a run's events, in order: the plan, then each planned check (started and finished,
 * or finished as skipped), logs and progress in between, and one `finished` whose checks are the ones it saw.
 * Anything else (an unsigned message, a check out of order, a verdict it did not see) is tampering.
 */
class RunLedger {
  plan: PlannedCheck[] | undefined;
  readonly done = new Map<string, CheckOutcome>();
  current: string | undefined;
  private next = 0;
  private seq = 0;

  constructor(private readonly key: number[], private readonly only: ReadonlySet<string> | undefined) {}

  /** The event a raw message carries, or a reason to reject it. */
  open(raw: unknown): { event: FromWorker } | { bad: string } {
    if (!isSealed(raw)) return { bad: 'a message without the runner\'s signature' };
    if (!sameMac(macOf(this.key, raw.body), raw.mac)) return { bad: 'a message with a forged signature' };
    let parsed: { seq?: unknown; event?: FromWorker };
    try { parsed = JSON.parse(raw.body, reviveNonFinite) as typeof parsed; } catch { return { bad: 'an unreadable message' }; }
    if (parsed.seq !== ++this.seq) return { bad: 'a message out of sequence (replayed or dropped)' };
    return parsed.event && typeof parsed.event === 'object' ? { event: parsed.event } : { bad: 'a message without an event' };
  }

  /** Checks one event against the plan and records it; a string says what is wrong. */
  accept(e: FromWorker): string | undefined {
    switch (e.type) {
      case 'ready': return 'a second ready';
      case 'plan':
        if (this.plan) return 'a second plan';
        this.plan = e.checks;
        return undefined;
      case 'log': return undefined;
      case 'tampered': return undefined;
      case 'check-started': {
        const want = this.plan?.[this.next];
        if (!want || want.id !== e.id || this.current) return `check "${e.id}" started out of order`;
        if (this.only && !this.only.has(e.id)) return `check "${e.id}" was not asked for`;
        this.current = e.id;
        return undefined;
      }
      case 'check-progress': return e.id === this.current ? undefined : `progress of "${e.id}", which is not running`;
      case 'check-finished': {
        const want = this.plan?.[this.next];
        const o = e.outcome;
        if (!want || !o || want.id !== o.id) return `check "${o?.id}" finished out of order`;
        if (this.current !== o.id && o.status !== 'skipped') return `check "${o.id}" finished without starting`;
        if (this.current === o.id && o.status === 'skipped') return `check "${o.id}" started and was skipped`;
        if (this.only && !this.only.has(o.id) && o.status !== 'skipped') return `check "${o.id}" ran but was not asked for`;
        this.done.set(o.id, o);
        this.current = undefined;
        this.next++;
        return undefined;
      }
      case 'finished': {
        const checks = e.result?.checks ?? [];
        if (!this.plan) return e.result?.status === 'passed' ? 'a passing result without a plan' : undefined;
        // The runner itself failed (an internal error): no verdicts come with it.
        if (!checks.length && e.result?.status === 'error') return undefined;
        if (this.current) return 'finished while a check was running';
        if (checks.length !== this.plan.length || checks.some((c, i) => c.id !== this.plan![i].id)) return 'a result whose checks are not the plan\'s';
        for (const c of checks) {
          const seen = this.done.get(c.id);
          if (seen ? seen.status !== c.status : c.status === 'passed' || c.status === 'failed') return `a verdict for "${c.id}" that was never reported`;
        }
        if (e.result.status === 'passed' && !checks.some((c) => c.status === 'passed')) return 'a passing result with no passing check';
        return undefined;
      }
    }
  }
}

const tamperedText = (locale: Locale | undefined, why: string): string => locale === 'zh-cn'
  ? `结果不可信：你的代码改动了检查所依赖的东西（${why}）。去掉修改内置对象、进程或通信通道的代码后再检查一次。`
  : `These results cannot be trusted: your code changed what the checks rely on (${why}). Remove the code that patches built-ins, the process or its channel, and check again.`;

type Bundled = readonly [ExerciseBundle, Record<string, BundledCode>, BundledCode | undefined];

/** The learner file, the checks, the course layer and the reference, bundled (started at once, awaited when the runner is ready). */
function bundleRun(req: WorkerRequest, opts: RunOptions): Promise<Bundled> {
  return Promise.all([bundleExercise(req.learnerFile, req.checksFile), courseBundles(opts.workerPath), bundleReference(req.checksFile).catch(() => undefined)])
    .catch((e: unknown) => [{ ok: false as const, error: { kind: 'setup' as const, message: `bundling failed: ${(e as Error)?.message ?? e}` } }, {}, undefined] as const);
}

/**
 * Runs one exercise's checks in a runner process: the pool's waiting one when it has one started with the same
 * options (warm.ts), otherwise a fresh one; either way a process that runs nothing else before or after. With a
 * pool, a fresh spare is started once the run is over.
 */
export async function runInWorker(req: WorkerRequest, opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const pool = opts.pool ?? envPool();
  const launch: LaunchOptions = { workerPath: opts.workerPath, memoryMb: opts.memoryMb, unsandboxed: opts.unsandboxed, locale: req.locale };
  // Bundle while the runner is taken or starts.
  const bundled = bundleRun(req, opts);
  const taken = pool && !opts.signal?.aborted ? await pool.take(launch).catch(() => undefined) : undefined;
  try {
    return await runIn(req, opts, bundled, taken, started);
  } finally {
    pool?.prepare(launch);
  }
}

function runIn(req: WorkerRequest, opts: RunOptions, bundled: Promise<Bundled>, taken: TakenRunner | undefined, started: number): Promise<RunResult> {
  return new Promise<RunResult>((resolve) => {
    const child = taken?.child ?? startRunner(opts.workerPath, opts.memoryMb, !opts.unsandboxed, true);
    const key = randomBytes(32);
    const ledger = new RunLedger([...key], req.only ? new Set(req.only) : undefined);
    let runSent = false;
    let finished: RunResult | undefined;
    let tampered: string | undefined;
    let stopReason: 'timeout' | 'cancelled' | 'memory' | undefined;
    let peakMb = 0;
    let stderr = taken?.stderr ?? '';
    const logs: string[] = [];
    let logBytes = 0;
    let setupError: RunError | undefined;

    // Send the job once the runner is ready and the bundles are done. A missing earlier exercise is
    // named (the learner is told which to open) instead of a compile error about an import.
    const unmet = missingPrerequisites(req.prerequisites, req.locale);
    const onReady = async () => {
      const [b, course, reference] = await bundled;
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (!b.ok) { setupError = b.error; killTree(child.pid); return; }
      const learner = unmet ? { error: unmet } : b.learner;
      runSent = true;
      child.send({ type: 'run', request: req, key: key.toString('hex'), checks: b.checks, course, reference, learner, source: b.source } satisfies ToWorker);
    };

    // The time limit runs per check: a check that declares a longer budget (a training run) gets it,
    // and the clock starts again for each check. Loading the file counts against the first one.
    let budgetMs = opts.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      budgetMs = ms;
      timer = setTimeout(() => { stopReason ??= 'timeout'; killTree(child.pid); }, ms);
    };
    arm(opts.timeoutMs);
    const onAbort = () => { stopReason ??= 'cancelled'; killTree(child.pid); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    // The whole process's memory, arrays outside the V8 heap included.
    let polling = false;
    const memory = setInterval(() => {
      if (polling || !child.pid) return;
      polling = true;
      void residentMb(child.pid).then((mb) => {
        polling = false;
        if (mb === undefined) return;
        peakMb = Math.max(peakMb, mb);
        if (mb > opts.memoryMb && !stopReason) { stopReason = 'memory'; killTree(child.pid); }
      });
    }, MEMORY_POLL_MS);

    const tamper = (why: string) => {
      if (tampered) return;
      tampered = why;
      killTree(child.pid);
    };

    child.stdout?.on('data', (d: Buffer) => opts.onOutput?.(d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr = (stderr + text).slice(-STDERR_TAIL);
      opts.onOutput?.(text);
    });
    const onMessage = (raw: unknown) => {
      if (tampered || finished) return;
      if (!runSent) {
        const msg = raw as FromWorker;
        if (msg?.type !== 'ready') return tamper('a message before the run began');
        if (msg.sandboxed !== undefined && !opts.unsandboxed) sandboxSupport.learn(msg.sandboxed);
        void onReady();
        return opts.onEvent?.(msg);
      }
      const opened = ledger.open(raw);
      if ('bad' in opened) return tamper(opened.bad);
      const msg = opened.event;
      const wrong = ledger.accept(msg);
      if (wrong) return tamper(wrong);
      switch (msg.type) {
        case 'check-started': arm(Math.max(opts.timeoutMs, msg.timeoutMs ?? 0)); break;
        case 'check-finished': arm(opts.timeoutMs); break;
        case 'log':
          // Capped here too: what the runner says about its own limits is not taken on trust.
          if (logs.length > LOG_LIMITS.lines || logBytes + msg.text.length > LOG_LIMITS.bytes + 1024) return; // + the runner's note
          logs.push(msg.text);
          logBytes += msg.text.length;
          break;
        case 'tampered': return tamper(msg.changes.join('; '));
        case 'finished':
          // The verdicts are the ones the host saw arrive, one by one; the rest are the runner's word for checks
          // that never ran (a file that does not compile), which the ledger allowed only as not passed.
          finished = { ...msg.result, logs, checks: ledger.plan?.map((p) => ledger.done.get(p.id) ?? msg.result.checks.find((c) => c.id === p.id)
            ?? { id: p.id, name: p.name, task: p.task, status: 'skipped' as const, message: msg.result.error?.message, artifacts: [], durationMs: 0 }) ?? msg.result.checks };
          // The result is in: end the runner and anything it started.
          killTree(child.pid);
          break;
      }
      opts.onEvent?.(msg);
    };
    child.on('message', onMessage);
    child.on('error', (e) => { stderr += `\n${e.message}`; });
    // A waiting runner said `ready` before this run took it: what it wrote so far, then its `ready`, as if just arrived.
    if (taken) {
      for (const text of taken.output) opts.onOutput?.(text);
      onMessage(taken.ready);
    }
    // 'close', not 'exit': messages sent just before the process ended may still be arriving.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(memory);
      opts.signal?.removeEventListener('abort', onAbort);
      // The runner has ended (its descendants were killed with it, or were reparented): what is left of its group.
      killTree(child.pid, false);
      if (!runSent && !setupError && !stopReason && sandboxSupport.known === undefined && !opts.unsandboxed && BAD_OPTION.test(stderr)) {
        // This runtime refuses the permission flags: remember, and run again without them.
        sandboxSupport.refuse();
        return void runInWorker(req, opts).then(resolve);
      }
      if (taken && !runSent && !setupError && !stopReason && !tampered) {
        // The waiting runner ended after it was taken and before it got the job: the run starts a fresh one.
        return void runIn(req, opts, bundled, undefined, started).then(resolve);
      }
      if (tampered) return void resolve(tamperedResult(req, ledger, logs, started, tampered));
      if (finished && !stopReason) return resolve({ ...finished, peakMb: peakMb > 0 ? Math.round(peakMb) : undefined });
      const error = setupError ?? describeEnd(code, signal, stopReason, stderr, budgetMs, req.locale ?? 'en', opts.memoryMb, peakMb);
      void partialResult(req, ledger.plan ?? [], ledger.done, ledger.current, error, logs, started).then(resolve);
    });
  });
}

/** A tampered run: no check keeps a verdict, whatever the runner said before. */
function tamperedResult(req: WorkerRequest, ledger: RunLedger, logs: string[], started: number, why: string): RunResult {
  const message = tamperedText(req.locale, why);
  const checks: CheckOutcome[] = (ledger.plan ?? []).map((p) => ({ id: p.id, name: p.name, task: p.task, status: 'error', message, artifacts: [], durationMs: 0 }));
  return { exerciseId: req.exerciseId, file: req.learnerFile, status: 'error', checks, error: { kind: 'tampered', message }, logs, durationMs: Date.now() - started };
}

function describeEnd(code: number | null, signal: NodeJS.Signals | null, stop: string | undefined, stderr: string, timeoutMs: number, locale: Locale,
  memoryMb: number, peakMb: number): RunError {
  const zh = locale === 'zh-cn';
  if (stop === 'memory') {
    const used = Math.round(peakMb);
    return { kind: 'out-of-memory', message: zh
      ? `用了超过 ${memoryMb} MB 内存（测得 ${used} MB，包括数组和缓冲区）：是不是有东西在无限增长（循环里分配的数组、递归）？上限可在设置 llmLab.memoryLimitMb 中调整。`
      : `used more than ${memoryMb} MB of memory (measured ${used} MB, arrays and buffers included): is something growing without bound (arrays allocated in a loop, a recursion)? The limit is the llmLab.memoryLimitMb setting.` };
  }
  if (stop === 'timeout') {
    const s = (timeoutMs / 1000).toFixed(timeoutMs % 1000 ? 1 : 0);
    return { kind: 'timeout', message: zh ? `${s} 秒后超时：是不是有死循环？` : `timed out after ${s} s: an infinite loop?` };
  }
  if (stop === 'cancelled') return { kind: 'cancelled', message: zh ? '检查已取消' : 'the check was cancelled' };
  const tail = stderr.trim().split('\n').slice(-12).join('\n') || undefined;
  if (OOM.test(stderr)) {
    return { kind: 'out-of-memory', detail: tail, message: zh ? '内存耗尽：是不是有东西在无限增长（循环里的数组、递归）？'
      : 'ran out of memory: is something growing without bound (an array in a loop, a recursion)?' };
  }
  if (signal === 'SIGSEGV' || signal === 'SIGBUS' || signal === 'SIGILL' || signal === 'SIGFPE') {
    return { kind: 'crash', message: zh ? `运行进程崩溃了（${signal}）` : `the runner process crashed (${signal})`, detail: tail };
  }
  const how = signal ? (zh ? `被 ${signal} 终止` : `was killed by ${signal}`) : (zh ? `以退出码 ${code} 退出` : `exited with code ${code}`);
  return { kind: 'exit', detail: tail, message: zh ? `运行进程在检查完成前${how}：你的代码调用了 process.exit() 或 process.kill() 吗？`
    : `the runner process ${how} before the checks finished: does your code call process.exit() or process.kill()?` };
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
    const message = req.locale === 'zh-cn' ? `未运行：${error.message}` : `not run: ${error.message}`;
    return { id: p.id, name: p.name, task: p.task, status: 'skipped', message, artifacts: [], durationMs: 0 };
  });
  return { exerciseId: req.exerciseId, file: req.learnerFile, status: 'error', checks, error, logs, durationMs: Date.now() - started };
}
