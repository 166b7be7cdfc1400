/**
 * The PyTorch anchor of the bench: a long-lived `python3 torch_anchor.py` that runs the same work as the kit
 * (the training step of test/bench/model.ts, the products of test/bench/matmul.ts) on PyTorch's CPU backend,
 * one command at a time, so that the two can be timed in turns within one run. Bench only: tests and CI never
 * start it.
 *
 * Which Python: LLM_LAB_BENCH_PYTHON if set, else the first of `python3` and /usr/bin/python3 (Debian's, where
 * `apt-get install python3-torch` puts torch even when another python3 comes first on the PATH) that imports
 * torch. Without one, `startTorch` returns null and the benches print how to install it.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

export const TORCH_INSTALL_HINT =
  'PyTorch anchor skipped: no python3 here imports torch. Install Debian\'s build (bench only, never tests or CI): ' +
  'apt-get install -y python3-torch libopenblas0-pthread';

export interface TorchAnchor {
  python: string;
  version: string;
  /** OMP_WAIT_POLICY of the anchor process: ACTIVE (spin, PyTorch's default) or PASSIVE (sleep; on a busy machine). */
  waitPolicy: string;
  /** Sends one command (see torch_anchor.py) and resolves with its JSON answer. */
  ask<T = Record<string, number>>(cmd: Record<string, unknown>): Promise<T>;
  close(): void;
}

function findPython(): string | null {
  const candidates = process.env.LLM_LAB_BENCH_PYTHON ? [process.env.LLM_LAB_BENCH_PYTHON] : ['python3', '/usr/bin/python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

let shared: Promise<TorchAnchor | null> | undefined;

/** The anchor process (started once per bench run and shared), or null without torch. */
export function startTorch(): Promise<TorchAnchor | null> {
  shared ??= (async () => {
    const python = findPython();
    if (!python) return null;
    // OpenMP threads spin while they wait for work (PyTorch's default, its best on idle cores). When other
    // processes keep the cores busy, a spinning thread holds a core that the one with work needs, and PyTorch's
    // 2-thread figures collapse (measured here at load 11: 4.2 s per step instead of 0.46 s), which would flatter
    // the kit. So on a busy machine the anchor's threads sleep instead (OMP_WAIT_POLICY=PASSIVE), and the bench
    // says so. LLM_LAB_BENCH_OMP_WAIT=ACTIVE or PASSIVE chooses.
    const waitPolicy = process.env.LLM_LAB_BENCH_OMP_WAIT ?? (os.loadavg()[0] > os.cpus().length ? 'PASSIVE' : 'ACTIVE');
    const child: ChildProcessWithoutNullStreams = spawn(python, [path.join(__dirname, 'torch_anchor.py')], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // One thread until a command asks for more; OpenBLAS must not start its own pool on top of torch's.
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', OMP_WAIT_POLICY: waitPolicy },
    });
    const ask = lineProtocol(child, 'torch_anchor.py', 'torch');
    const hello = await ask<{ torch: string }>({ cmd: 'hello' });
    console.log(`  PyTorch ${hello.torch} (${python}), OpenMP wait policy ${waitPolicy} [${load()}]`);
    return { python, version: hello.torch, waitPolicy, ask, close: () => child.kill() };
  })();
  return shared;
}

/**
 * Talks to a child that answers one JSON line per JSON command line (the PyTorch anchor, the bundled kit trainer):
 * `ask` sends a command and resolves with its answer, or rejects with the child's `error`. The child is unref'ed.
 */
export function lineProtocol(child: ChildProcessWithoutNullStreams, name: string, tag: string): <T = Record<string, number>>(cmd: Record<string, unknown>) => Promise<T> {
  child.stderr.on('data', (d: Buffer) => process.stderr.write(`[${tag}] ${d}`));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  return <T>(cmd: Record<string, unknown>): Promise<T> => new Promise((resolve, reject) => {
    waiting.push((line) => {
      const reply = JSON.parse(line) as T & { error?: string };
      if (reply.error) reject(new Error(`${name}: ${reply.error}`));
      else resolve(reply);
    });
    child.stdin.write(JSON.stringify(cmd) + '\n');
  });
}

/** Stops the anchor process, if it was started. */
export async function stopTorch(): Promise<void> {
  const t = await shared;
  t?.close();
  shared = undefined;
}

/** The 1-minute load average, for every printed figure: timings from a busy machine are not comparable. */
export const load = (): string => `load ${os.loadavg()[0].toFixed(2)}`;
