/**
 * How a runner process is started, shared by the cold path (host.ts: one fresh process per run) and the warm
 * runner (warm.ts: one started ahead and waiting): the same flags, limits and environment either way, and a key
 * that says which options a process was started with, so a waiting one is used only for a run that would have
 * started it exactly the same way.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { permissionFlags, runnerEnv } from './sandbox';

/** Whether this runtime accepted the permission flags (learnt from the first start; Electron may refuse them). */
let permissionFlagsWork: boolean | undefined;

export const sandboxSupport = {
  /** undefined until a runner said whether it started under the permission model. */
  get known(): boolean | undefined { return permissionFlagsWork; },
  /** What a runner's `ready` said (the first answer is kept). */
  learn(sandboxed: boolean): void { permissionFlagsWork ??= sandboxed; },
  /** This runtime refuses the flags: every later runner starts without them. */
  refuse(): void { permissionFlagsWork = false; },
};

/**
 * A runtime that refuses the permission flags, or whose start-up itself is denied by them (an Electron build may
 * need files Node does not): the runner is started again without them, and the session remembers.
 */
export const BAD_OPTION = /bad option|is not allowed in NODE_OPTIONS|unknown option|not supported|ERR_ACCESS_DENIED|Access to this API has been restricted/i;

export interface LaunchOptions {
  /** Path of the built worker entry (dist/worker.js). */
  workerPath: string;
  /** The whole process's memory (heap and arrays), in MB. */
  memoryMb: number;
  /** Start without Node's permission model. */
  unsandboxed?: boolean;
  /** The learner's language (part of a waiting runner's key: a change of language never reuses one). */
  locale?: string;
}

function execArgv(workerPath: string, memoryMb: number, sandbox: boolean): string[] {
  const flags = sandbox && permissionFlagsWork !== false ? permissionFlags(workerPath) : [];
  return [`--max-old-space-size=${memoryMb}`, ...flags];
}

export function startRunner(workerPath: string, memoryMb: number, sandbox: boolean, output: boolean): ChildProcess {
  return fork(workerPath, [], {
    execArgv: execArgv(workerPath, memoryMb, sandbox),
    serialization: 'advanced',
    stdio: ['ignore', output ? 'pipe' : 'ignore', 'pipe', 'ipc'],
    env: runnerEnv(),
    // Its own process group, so that the whole group can be killed at the end (POSIX).
    detached: process.platform !== 'win32',
  });
}

/**
 * Everything a runner for a check run is started with, as one string: the runtime, the worker file (its path, size
 * and modification time, so a rebuilt worker is never served by an old process), the flags (memory limit,
 * permission model and what it may read), the environment, the language. Two runs with the same key would have
 * started identical processes.
 */
export function launchKey(opts: LaunchOptions): string {
  let worker = 'missing';
  try {
    const s = statSync(opts.workerPath);
    worker = `${s.size}:${s.mtimeMs}`;
  } catch {
    // A missing worker: no runner can start either way.
  }
  return JSON.stringify({
    node: process.execPath, worker: opts.workerPath, file: worker, argv: execArgv(opts.workerPath, opts.memoryMb, !opts.unsandboxed),
    env: runnerEnv(), locale: opts.locale ?? 'en', platform: process.platform,
  });
}
