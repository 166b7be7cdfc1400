/**
 * How the host starts and ends a runner process so that learner code stays in its box:
 *
 * - **Node's permission model** (`--experimental-permission`; `--permission` from Node 23.5): the runner may
 *   read only its own two bundles, onnxruntime and the bundled model; it may not write files, start processes
 *   or open the inspector (worker threads are allowed: the kit's matmul pool; they share the same limits). The solutions, the checks and the course layer are never
 *   readable: the host sends the code the runner needs. Where the runtime does not accept the flags (an Electron
 *   build that does not honour them), the runner starts without them and says so (`ready.sandboxed`).
 * - **Memory**: the V8 heap is capped with --max-old-space-size, and the whole process (typed arrays and buffers
 *   live outside the heap) is watched by its resident size, read from /proc on Linux and `ps` on macOS.
 * - **Processes**: on Linux and macOS the runner leads its own process group, and the whole group is killed when
 *   a run ends; on Linux, descendants that left the group (setsid) are found by parent id and killed too.
 * - **Environment**: the runner gets a minimal environment, not the editor's.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The files a runner may read: its bundles, onnxruntime (with its native library) and the bundled model. */
export function readablePaths(workerPath: string): string[] {
  const dist = path.dirname(workerPath);
  const out = [workerPath, path.join(dist, 'model.js')];
  for (const pkg of ['onnxruntime-node', 'onnxruntime-common']) {
    try {
      // The package folder (its package.json may not be exported, so resolve the entry and cut at the name).
      const entry = require.resolve(pkg, { paths: [dist] });
      const at = entry.lastIndexOf(`${path.sep}node_modules${path.sep}${pkg.split('/').join(path.sep)}${path.sep}`);
      if (at >= 0) out.push(path.join(entry.slice(0, at), 'node_modules', pkg, '*'));
    } catch {
      // Not installed here (a lesson without the model still runs).
    }
  }
  const root = path.join(dist, '..');
  // The model layer finds the extension's root by its package.json, then media/model/ (or $LLM_LAB_MODEL).
  out.push(path.join(root, 'package.json'));
  const model = path.join(root, 'media', 'model');
  if (existsSync(model)) out.push(path.join(model, '*'));
  if (process.env.LLM_LAB_MODEL) out.push(path.resolve(process.env.LLM_LAB_MODEL));
  return out;
}

/** The permission flags for this runtime, or [] where the model is unknown (Node < 20). */
export function permissionFlags(workerPath: string): string[] {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20) return [];
  const flag = major > 23 || (major === 23 && minor >= 5) ? '--permission' : '--experimental-permission';
  // Worker threads are the kit's matmul pool (they share this process's limits); learner code cannot import them.
  return [flag, '--allow-addons', '--allow-worker', '--no-warnings', ...readablePaths(workerPath).map((p) => `--allow-fs-read=${p}`)];
}

/**
 * glibc's malloc settings for the runner (Linux; other C libraries ignore the variable). Node takes the memory of
 * every typed array from malloc, and glibc serves each one of 128 KB or more with a fresh mmap and gives it back
 * with munmap once it is collected; a training step allocates its activations and gradients (0.5 to 4 MB each)
 * anew, so the kernel mapped and zeroed 12,000 to 18,000 fresh pages per step of the bundled model's shape. Served
 * from the heap up to 32 MB, and kept for the next arrays: 100 to 2,000 page faults per step, the same peak memory
 * (within 2 %). Measured in the runner, the DPO check took 4.21 s without them and 4.09 s with them
 * (means of 4 runs each, in turns, load average 1.3 to 1.7); the pretraining step about 1 % less.
 */
export const RUNNER_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=67108864';

/** A minimal environment for the runner: enough for the runtime to start, nothing of the editor's. */
export function runnerEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'SystemRoot', 'SYSTEMROOT', 'TEMP', 'TMP', 'TMPDIR', 'LANG', 'LC_ALL', 'LLM_LAB_MODEL'];
  const env: NodeJS.ProcessEnv = { ELECTRON_RUN_AS_NODE: '1' };
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  if (process.platform === 'linux') env.GLIBC_TUNABLES = RUNNER_MALLOC_TUNABLES;
  return env;
}

/** Resident memory of a process in MB, or undefined where it cannot be read. */
export function residentMb(pid: number): Promise<number | undefined> {
  if (process.platform === 'linux') {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return Promise.resolve(m ? Number(m[1]) / 1024 : undefined);
    } catch {
      return Promise.resolve(undefined);
    }
  }
  if (process.platform === 'darwin') {
    return new Promise((resolve) => execFile('ps', ['-o', 'rss=', '-p', String(pid)], (err, out) => {
      const kb = Number(out.trim());
      resolve(err || !Number.isFinite(kb) || kb <= 0 ? undefined : kb / 1024);
    }));
  }
  return Promise.resolve(undefined);
}

/** Every descendant of `pid` (Linux: by parent id in /proc, which also finds those that left the group). */
export function descendants(pid: number): number[] {
  if (process.platform !== 'linux') return [];
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parent) if (pp === p && !out.includes(c)) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

/**
 * Kills the runner, its process group and every descendant found; safe to call more than once. `scan` false skips
 * the look for descendants that left the group, for a runner already known to have ended: its children were then
 * given to another parent, so a look by parent id finds none (and it reads every process's /proc entry).
 */
export function killTree(pid: number | undefined, scan = true): void {
  if (!pid) return;
  const kids = scan ? descendants(pid) : [];
  const kill = (target: number) => { try { process.kill(target, 'SIGKILL'); } catch { /* gone already */ } };
  if (process.platform !== 'win32') kill(-pid);
  for (const k of kids) kill(k);
  kill(pid);
  if (process.platform === 'win32') execFile('taskkill', ['/pid', String(pid), '/T', '/F'], () => undefined);
}
