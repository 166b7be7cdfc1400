/**
 * The warm runner: one runner process started ahead and waiting, so that a check does not wait for Node to start.
 *
 * A spare is started exactly as a cold runner would be (launch.ts: same flags, memory limit, environment, worker
 * file) and boots to the point just before it receives any code: Node started, the kit and the check library
 * loaded, `ready` said. There it waits on its IPC channel, costing no CPU, with its handles unreferenced (once ready
 * it never keeps the host alive) and ending itself if the host goes away (the worker exits on `disconnect`).
 *
 * A run takes the spare (runInWorker in host.ts) and from then on it is that run's process, exactly as if the run
 * had started it: the same limits, signatures, ledger, fault kinds, cancel and process-group kill, and it is
 * killed when the run ends. A process is never handed out twice, and never after it ran any code: the pool gives
 * up its reference before the run's job is sent. The run's host starts a fresh spare when it is over.
 *
 * A spare is discarded (killed), never used, when it died, is stopped or does not answer a `ping` in time, took
 * too long to boot, waited longer than the idle limit, or was started with other options than the run asks for
 * (launchKey: worker file, memory limit, permission flags, environment, language). The run then starts a fresh
 * process, as without a pool.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type LaunchOptions, launchKey, startRunner } from './launch';
import type { FromWorker, SpareReply, ToWorker } from './protocol';
import { killTree } from './sandbox';

type Ready = Extract<FromWorker, { type: 'ready' }>;

/** A waiting runner handed to a run: its process, the `ready` it said, and what it wrote so far. */
export interface TakenRunner {
  child: ChildProcess;
  ready: Ready;
  /** Its stdout and stderr text so far, in order (the runtime's own warnings, if any). */
  output: string[];
  /** The tail of its stderr so far. */
  stderr: string;
}

export interface PoolLimits {
  /** A spare not ready after this long is discarded. */
  bootMs: number;
  /** A spare that waited this long unused is ended (it holds memory, not CPU). */
  idleMs: number;
  /** How long a run waits for a spare that is still booting when it takes it (then it starts a fresh process). */
  takeWaitMs: number;
  /** How long a spare has to answer a `ping` when taken. */
  pingMs: number;
}

export interface PoolOptions extends PoolLimits {
  /** Look in /proc for a stopped spare before pinging it (Linux; tests of the ping itself turn it off). */
  lookForStopped: boolean;
}

const DEFAULT_OPTIONS: PoolOptions = { bootMs: 20_000, idleMs: 15 * 60_000, takeWaitMs: 5_000, pingMs: 1_000, lookForStopped: true };
const STDERR_TAIL = 8192;

interface Spare {
  child: ChildProcess;
  key: string;
  ready?: Ready;
  /** Resolves once `ready` arrived (true), or the spare ended or timed out first (false). */
  readyWait: Promise<boolean>;
  output: string[];
  stderr: string;
  timer?: NodeJS.Timeout;
  /** Removes the pool's listeners (on hand-over or discard). */
  off(): void;
  /** The `pong` waiters. */
  pongs: (() => void)[];
}

/** What happened to the pool's spares, for tests and the bench. */
export interface PoolStats {
  started: number;
  /** Handed to a run. */
  used: number;
  /** Killed unused: died, hung, options changed, idle too long, disposed. */
  discarded: number;
  /** Why each discarded one was. */
  reasons: string[];
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.connected;
}

/** Whether a process is stopped (SIGSTOP), traced or a zombie (Linux; elsewhere the ping finds out). */
function stopped(pid: number | undefined): boolean {
  if (!pid || process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[TtZXx]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true; // gone
  }
}

/** The handles of a child that keep the host's event loop alive: released while it waits, held again when used. */
function hold(child: ChildProcess, on: boolean): void {
  const handles: ({ ref?(): unknown; unref?(): unknown } | null | undefined)[] = [child, child.channel as never, child.stdout as never, child.stderr as never];
  for (const h of handles) {
    try {
      if (on) h?.ref?.(); else h?.unref?.();
    } catch {
      // a closed handle
    }
  }
}

export class RunnerPool {
  private spare: Spare | undefined;
  private disposed = false;
  private readonly limits: PoolOptions;
  readonly stats: PoolStats = { started: 0, used: 0, discarded: 0, reasons: [] };

  constructor(options: Partial<PoolOptions> = {}) {
    this.limits = { ...DEFAULT_OPTIONS, ...options };
  }

  /** The process waiting now, if any (tests: to kill or stop it). */
  get waiting(): ChildProcess | undefined {
    return this.spare?.child;
  }

  /** Resolves when the waiting spare is ready (false when there is none, or it ended first). */
  whenReady(): Promise<boolean> {
    return this.spare?.readyWait ?? Promise.resolve(false);
  }

  /**
   * Keeps a spare waiting for runs with these options: starts one when there is none, or when the one waiting was
   * started with other options (it is killed).
   */
  prepare(opts: LaunchOptions): void {
    if (this.disposed) return;
    const key = launchKey(opts);
    if (this.spare && this.spare.key === key && alive(this.spare.child)) return;
    if (this.spare) this.discard(this.spare, this.spare.key === key ? 'it ended' : 'started with other options');
    this.start(opts, key);
  }

  /**
   * The waiting spare, if it was started with exactly these options and is alive and answering: it is the caller's
   * from now on (the pool forgets it, and the caller must end it). undefined when there is none to use (the caller
   * starts a fresh process).
   * A spare still booting is waited for (it is ahead of a fresh one).
   */
  async take(opts: LaunchOptions): Promise<TakenRunner | undefined> {
    const spare = this.spare;
    if (!spare || this.disposed) return undefined;
    // Never handed out twice: from here on it is this call's, to use or to kill.
    this.spare = undefined;
    if (spare.key !== launchKey(opts)) return this.discard(spare, 'started with other options');
    if (!(await this.readyWithin(spare, this.limits.takeWaitMs))) return this.discard(spare, 'it did not get ready');
    if (!alive(spare.child) || (this.limits.lookForStopped && stopped(spare.child.pid))) return this.discard(spare, 'it died or was stopped');
    if (!(await this.ping(spare))) return this.discard(spare, 'it did not answer');
    if (!alive(spare.child)) return this.discard(spare, 'it died');
    spare.off();
    hold(spare.child, true);
    this.stats.used++;
    return { child: spare.child, ready: spare.ready!, output: spare.output, stderr: spare.stderr };
  }

  /** Kills the waiting spare and starts no other (the extension is deactivating). */
  dispose(): void {
    this.disposed = true;
    const spare = this.spare;
    this.spare = undefined;
    if (spare) this.discard(spare, 'disposed');
  }

  private start(opts: LaunchOptions, key: string): void {
    let child: ChildProcess;
    try {
      child = startRunner(opts.workerPath, opts.memoryMb, !opts.unsandboxed, true);
    } catch {
      return; // cannot start one now: runs start their own
    }
    this.stats.started++;
    let settle!: (ok: boolean) => void;
    const readyWait = new Promise<boolean>((resolve) => { settle = resolve; });
    const spare: Spare = { child, key, readyWait, output: [], stderr: '', pongs: [], off: () => undefined };
    const onMessage = (raw: unknown) => {
      const msg = raw as Ready | SpareReply | null;
      if (!spare.ready && msg?.type === 'ready') {
        spare.ready = msg;
        clearTimeout(spare.timer);
        // Waiting: an unused spare ends after a while (it holds memory), and never keeps the host alive.
        spare.timer = setTimeout(() => { if (this.spare === spare) { this.spare = undefined; this.discard(spare, 'idle too long'); } }, this.limits.idleMs);
        spare.timer.unref();
        // From now on it only waits: it never keeps the host alive (a booting one does, briefly).
        hold(child, false);
        settle(true);
        return;
      }
      if (spare.ready && msg?.type === 'pong') return void spare.pongs.shift()?.();
      // Nothing else is expected from a process that has no job: not to be trusted with one.
      if (this.spare === spare) this.spare = undefined;
      this.discard(spare, `an unexpected message (${String(msg?.type)})`);
    };
    const onOutput = (d: Buffer) => { spare.output.push(d.toString()); };
    const onError = (d: Buffer) => { spare.stderr = (spare.stderr + d.toString()).slice(-STDERR_TAIL); spare.output.push(d.toString()); };
    const onExit = () => {
      settle(false);
      if (this.spare === spare) { this.spare = undefined; this.discard(spare, 'it ended'); }
    };
    const onSpawnError = () => onExit();
    child.on('message', onMessage);
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onError);
    child.on('exit', onExit);
    child.on('error', onSpawnError);
    spare.off = () => {
      clearTimeout(spare.timer);
      child.off('message', onMessage);
      child.stdout?.off('data', onOutput);
      child.stderr?.off('data', onError);
      child.off('exit', onExit);
      child.off('error', onSpawnError);
    };
    spare.timer = setTimeout(() => {
      settle(false);
      if (this.spare === spare) { this.spare = undefined; this.discard(spare, 'it did not get ready in time'); }
    }, this.limits.bootMs);
    spare.timer.unref();
    this.spare = spare;
  }

  private readyWithin(spare: Spare, ms: number): Promise<boolean> {
    if (spare.ready) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void spare.readyWait.then((ok) => { clearTimeout(timer); resolve(ok); });
    });
  }

  private ping(spare: Spare): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { spare.pongs = spare.pongs.filter((p) => p !== answered); resolve(false); }, this.limits.pingMs);
      const answered = () => { clearTimeout(timer); resolve(true); };
      spare.pongs.push(answered);
      try {
        spare.child.send({ type: 'ping' } satisfies ToWorker, (e) => { if (e) { clearTimeout(timer); resolve(false); } });
      } catch {
        clearTimeout(timer);
        resolve(false);
      }
    });
  }

  private discard(spare: Spare, why: string): undefined {
    spare.off();
    killTree(spare.child.pid);
    this.stats.discarded++;
    this.stats.reasons.push(why);
    return undefined;
  }
}

let fromEnv: RunnerPool | undefined;
/**
 * A pool shared by every run of this process when LLM_LAB_WARM_RUNNER=1 (and no pool was passed): how the fault
 * suites run against warm processes unchanged. Its spare never keeps the process alive.
 */
export function envPool(): RunnerPool | undefined {
  if (process.env.LLM_LAB_WARM_RUNNER !== '1') return undefined;
  if (!fromEnv) {
    const pool = new RunnerPool();
    fromEnv = pool;
    // LLM_LAB_WARM_RUNNER_STATS=1: what the pool did, on stderr at exit (how the fault suites show they ran warm).
    if (process.env.LLM_LAB_WARM_RUNNER_STATS === '1') {
      process.on('exit', () => process.stderr.write(`warm runner: ${pool.stats.started} started, ${pool.stats.used} used, ${pool.stats.discarded} discarded (${[...new Set(pool.stats.reasons)].join(', ')})\n`));
    }
  }
  return fromEnv;
}
