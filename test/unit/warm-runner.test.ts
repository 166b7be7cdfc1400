/**
 * The warm runner (src/harness/warm.ts): one runner process started ahead and waiting. It is used for one run only
 * and replaced; one that died, hung or was started with other options is never used (the run starts a fresh process
 * and still succeeds); it dies with its pool; and what learner code did in one run cannot reach the next.
 * (The fault suites run against warm processes too: LLM_LAB_WARM_RUNNER=1 node test/unit.mjs harness integrity.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInWorker, type RunOptions } from '../../src/harness/host';
import { killTree } from '../../src/harness/sandbox';
import { RunnerPool } from '../../src/harness/warm';
import type { RunResult } from '../../src/core/grading/result';
import { FIXTURE_COURSE, ROOT, WORKER, tempDir } from './helpers';

const CHECKS = path.join(FIXTURE_COURSE, '01-add', 'add.checks.ts');
const dir = tempDir();
const MEMORY_MB = 256;
const LAUNCH = { workerPath: WORKER, memoryMb: MEMORY_MB, locale: 'en' };

function learner(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

const correct = learner('ok.ts', `export function addVectors(a: Float32Array, b: Float32Array) {
  return a.map((x, i) => x + b[i]);
}
`);

function check(file: string, opts: Partial<RunOptions> = {}, locale: 'en' | 'zh-cn' = 'en'): Promise<RunResult> {
  return runInWorker({ exerciseId: 'add/vectors', learnerFile: file, checksFile: CHECKS, locale }, { workerPath: WORKER, timeoutMs: 10_000, memoryMb: MEMORY_MB, ...opts });
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0: it is dead for our purposes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** Waits (polling, up to a generous limit) until `ok` holds; false if it never did. */
async function eventually(ok: () => boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return ok();
}

const pools: RunnerPool[] = [];
after(() => { for (const p of pools) p.dispose(); });

async function readyPool(): Promise<{ pool: RunnerPool; pid: number }> {
  const pool = new RunnerPool();
  pools.push(pool);
  pool.prepare(LAUNCH);
  assert.ok(await pool.whenReady(), 'the spare got ready');
  const pid = pool.waiting?.pid;
  assert.ok(pid && alive(pid));
  return { pool, pid };
}

test('a waiting runner is used for one run, killed at its end, and a fresh one takes its place', async () => {
  const { pool, pid } = await readyPool();
  try {
    let readyFirst = false;
    const r = await check(correct, { pool, onEvent: (e) => { if (e.type === 'ready') readyFirst = true; } });
    assert.equal(r.status, 'passed', JSON.stringify(r.error ?? r.checks));
    assert.ok(readyFirst, 'the run saw the waiting runner\'s ready');
    assert.equal(pool.stats.used, 1);
    assert.ok(await eventually(() => !alive(pid)), 'the used runner is dead');
    const next = pool.waiting?.pid;
    assert.ok(next && next !== pid, 'a fresh spare was started');
    assert.ok(await pool.whenReady());
    const again = await check(correct, { pool });
    assert.equal(again.status, 'passed');
    assert.equal(pool.stats.used, 2);
    assert.ok(await eventually(() => !alive(next)), 'the second runner is dead too');
    assert.notEqual(pool.waiting?.pid, next);
  } finally {
    pool.dispose();
  }
});

test('a waiting runner that was killed is discarded and the run still passes in a fresh process', async () => {
  const { pool, pid } = await readyPool();
  try {
    process.kill(pid, 'SIGKILL');
    const r = await check(correct, { pool });
    assert.equal(r.status, 'passed', JSON.stringify(r.error ?? r.checks));
    assert.equal(pool.stats.used, 0);
    assert.equal(pool.stats.discarded, 1);
  } finally {
    pool.dispose();
  }
});

test('a waiting runner that hangs (stopped) is discarded and killed, and the run still passes in a fresh process', async () => {
  const { pool, pid } = await readyPool();
  try {
    process.kill(pid, 'SIGSTOP');
    await eventually(() => /^[Tt]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? ''), 2000);
    const r = await check(correct, { pool });
    assert.equal(r.status, 'passed', JSON.stringify(r.error ?? r.checks));
    assert.equal(pool.stats.used, 0);
    assert.equal(pool.stats.discarded, 1);
    assert.ok(await eventually(() => !alive(pid)), 'the hung runner was killed');
  } finally {
    pool.dispose();
  }
});

test('a waiting runner that does not answer its ping in time is discarded and killed, and the run still passes', async () => {
  // Stopped, and not looked up in /proc (the check that would find it first): only the ping can tell.
  const pool = new RunnerPool({ pingMs: 300, lookForStopped: false });
  pools.push(pool);
  pool.prepare(LAUNCH);
  assert.ok(await pool.whenReady());
  const pid = pool.waiting!.pid!;
  process.kill(pid, 'SIGSTOP');
  const taken = await pool.take(LAUNCH);
  try {
    assert.equal(taken, undefined);
    assert.deepEqual(pool.stats.reasons, ['it did not answer']);
    assert.ok(await eventually(() => !alive(pid)));
    // A run with that pool still passes, in a fresh process.
    pool.prepare(LAUNCH);
    assert.ok(await pool.whenReady());
    process.kill(pool.waiting!.pid!, 'SIGSTOP');
    const r = await check(correct, { pool });
    assert.equal(r.status, 'passed');
    assert.equal(pool.stats.used, 0);
  } finally {
    if (taken) killTree(taken.child.pid);
    pool.dispose();
  }
});

test('a waiting runner started with other options (memory limit, language, sandbox, worker) is never used', async () => {
  for (const [what, opts, locale] of [
    ['memory limit', { memoryMb: MEMORY_MB + 64 }, 'en'],
    ['language', {}, 'zh-cn'],
    ['no sandbox', { unsandboxed: true }, 'en'],
  ] as const) {
    const { pool, pid } = await readyPool();
    try {
      const r = await check(correct, { pool, ...opts }, locale);
      assert.equal(r.status, 'passed', `${what}: ${JSON.stringify(r.error ?? r.checks)}`);
      assert.equal(pool.stats.used, 0, what);
      assert.deepEqual(pool.stats.reasons, ['started with other options'], what);
      assert.ok(await eventually(() => !alive(pid)), `${what}: the mismatched spare was killed`);
    } finally {
      pool.dispose();
    }
  }
  // A rebuilt worker (another size or modification time) is another option too.
  const pool = new RunnerPool();
  pools.push(pool);
  const copy = path.join(dir, 'worker-copy.js');
  writeFileSync(copy, readFileSync(WORKER));
  try {
    pool.prepare({ ...LAUNCH, workerPath: copy });
    assert.ok(await pool.whenReady());
    const taken = await pool.take(LAUNCH);
    if (taken) killTree(taken.child.pid);
    assert.equal(taken, undefined);
    assert.deepEqual(pool.stats.reasons, ['started with other options']);
  } finally {
    pool.dispose();
  }
});

test('cancel: a run cancelled before it starts leaves the waiting runner alone; one cancelled while running ends its process', async () => {
  const { pool, pid } = await readyPool();
  try {
    const early = new AbortController();
    early.abort();
    const r = await check(correct, { pool, signal: early.signal });
    assert.equal(r.error?.kind, 'cancelled');
    assert.equal(pool.stats.used, 0);
    assert.equal(pool.waiting?.pid, pid, 'the waiting runner is still the same one');
    assert.ok(alive(pid));

    const loop = learner('loop.ts', `export function addVectors(a: Float32Array, b: Float32Array) {\n  for (;;) { /* spins */ }\n  return a;\n}\n`);
    const abort = new AbortController();
    const running = check(loop, { pool, signal: abort.signal, onEvent: (e) => { if (e.type === 'check-started') abort.abort(); } });
    const c = await running;
    assert.equal(c.error?.kind, 'cancelled');
    assert.equal(pool.stats.used, 1);
    assert.ok(await eventually(() => !alive(pid)), 'the cancelled run\'s process is dead');
    assert.ok(await pool.whenReady());
    assert.notEqual(pool.waiting?.pid, pid);
    const after = await check(correct, { pool });
    assert.equal(after.status, 'passed');
  } finally {
    pool.dispose();
  }
});

test('dispose kills the waiting runner and starts no other', async () => {
  const { pool, pid } = await readyPool();
  pool.dispose();
  assert.ok(await eventually(() => !alive(pid)), 'the spare is dead');
  pool.prepare(LAUNCH);
  assert.equal(pool.waiting, undefined);
  // Runs still work, cold.
  const r = await check(correct, { pool });
  assert.equal(r.status, 'passed');
  assert.equal(pool.waiting, undefined);
});

test('what learner code did to globals and prototypes in one run has no effect on the next (another process)', async () => {
  const { pool } = await readyPool();
  try {
    const patcher = learner('patcher.ts', `(globalThis as any).__leaked = 'from run N';
(Float32Array.prototype as any).map = function () { return Float32Array.of(11, 22, 33); };
export function addVectors(a: Float32Array, b: Float32Array) {
  return a.map((x, i) => x + b[i]);
}
`);
    const n = await check(patcher, { pool });
    assert.equal(n.error?.kind, 'tampered');
    assert.ok(await pool.whenReady());
    // Run N+1 sees none of it: the global is not there, and map is the real one (these vectors would get 11, 22, 33).
    const probe = learner('probe.ts', `export function addVectors(a: Float32Array, b: Float32Array) {
  if ((globalThis as any).__leaked !== undefined) throw new Error('saw a global of an earlier run');
  return a.map((x, i) => x + b[i]);
}
`);
    const next = await check(probe, { pool });
    assert.equal(next.status, 'passed', JSON.stringify(next.error ?? next.checks));
    assert.equal(pool.stats.used, 2);
  } finally {
    pool.dispose();
  }
});

test('a waiting runner keeps no host alive, ends when its host does, and costs no CPU while it waits', async () => {
  // A host that starts a spare and then has nothing else to do exits; its spare follows it.
  const script = `
    const { RunnerPool } = require(${JSON.stringify(path.join(ROOT, 'src', 'harness', 'warm.ts'))});
    const pool = new RunnerPool();
    pool.prepare({ workerPath: ${JSON.stringify(WORKER)}, memoryMb: 256, locale: 'en' });
    pool.whenReady().then((ok) => console.log(JSON.stringify({ ok, pid: pool.waiting && pool.waiting.pid })));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const { ok, pid } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; pid: number };
  assert.ok(ok);
  assert.ok(await eventually(() => !alive(pid)), 'the spare ended with its host');

  // Idle: its CPU time (utime + stime, in clock ticks) does not grow while it waits.
  const { pool, pid: idle } = await readyPool();
  try {
    const ticks = () => { const f = readFileSync(`/proc/${idle}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
    await new Promise((r2) => setTimeout(r2, 1500)); // its own warm-up, then nothing
    const before = ticks();
    await new Promise((r2) => setTimeout(r2, 1000));
    assert.ok(ticks() - before <= 5, `an idle spare used ${ticks() - before} ticks in a second`);
  } finally {
    pool.dispose();
  }
});
