/**
 * Check latency as a learner feels it, for tensors/basics (a unit-level exercise), 20 runs after warm-ups each:
 *
 * - **extension, warm**: the code the extension's Check Exercise runs (runInWorker with the checker's RunnerPool,
 *   the catalog already loaded, esbuild's service running), from the request to the RunResult, with a runner
 *   started ahead and waiting. Each run waits until the pool's fresh spare is ready first (a learner does not check
 *   twice within the ~0.1 s a spare takes to boot; a run that does gets a cold process).
 * - **extension, cold**: the same without a pool: a fresh process started per run (what the extension did before).
 * - **CLI**: the whole `llm-lab check <id> --solution` process, from spawn to exit (Node start, the lessons it
 *   needs, the runner, bundling, the checks).
 *
 * Each figure prints the load average (1 min) when it was taken; on a busy machine they are not comparable.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../../src/core/install';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { RunnerPool } from '../../src/harness/warm';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'worker.js');

export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const load = () => os.loadavg()[0].toFixed(2);

function summary(label: string, times: number[], target: number | undefined, extra = ''): Record<string, number> {
  const s = [...times].sort((a, b) => a - b);
  const out = { p50_ms: percentile(s, 50), p95_ms: percentile(s, 95), min_ms: s[0], max_ms: s[s.length - 1], load: os.loadavg()[0] };
  console.log(`${label.padEnd(28)} p50 ${out.p50_ms.toFixed(0).padStart(4)} ms, p95 ${out.p95_ms.toFixed(0).padStart(4)} ms (min ${out.min_ms.toFixed(0)}, max ${out.max_ms.toFixed(0)}, ${times.length} runs)`
    + `${target ? `; target p50 <= ${target} ms` : ''}; load average ${load()}${extra}`);
  return out;
}

/** The extension's path, from the request to the RunResult: warm (with a pool) or cold (without). */
async function benchExtension(exerciseId: string, runs: number, warm: boolean): Promise<Record<string, number>> {
  const catalog = await loadCatalog(path.join(ROOT, 'lessons'), 'en');
  const found = findExercise(catalog, exerciseId);
  if (!found) throw new Error(`no exercise ${exerciseId}`);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'llm-lab-bench-'));
  const pool = warm ? new RunnerPool() : undefined;
  try {
    const learnerFile = await solutionFolder(folder, catalog, found.exercise);
    const req = { exerciseId, learnerFile, checksFile: found.exercise.checks, locale: 'en' as const, prerequisites: prerequisiteFiles(folder, catalog, found.exercise) };
    pool?.prepare({ workerPath: WORKER, memoryMb: DEFAULT_MEMORY_MB, locale: 'en' });
    const phases = { ready: [] as number[], plan: [] as number[], worker: [] as number[] };
    const once = async (): Promise<number> => {
      if (pool) await pool.whenReady();
      const t0 = performance.now();
      let ready = 0;
      let plan = 0;
      const r = await runInWorker(req, {
        workerPath: WORKER, timeoutMs: DEFAULT_TIMEOUT_MS, memoryMb: DEFAULT_MEMORY_MB, pool,
        onEvent: (e) => { if (e.type === 'ready') ready = performance.now() - t0; if (e.type === 'plan') plan = performance.now() - t0; },
      });
      const ms = performance.now() - t0;
      if (r.status !== 'passed') throw new Error(`check failed: ${JSON.stringify(r.error ?? r.checks.filter((c) => c.status !== 'passed'))}`);
      phases.ready.push(ready);
      phases.plan.push(plan);
      phases.worker.push(r.durationMs);
      return ms;
    };
    for (let i = 0; i < 3; i++) await once();
    phases.ready.length = phases.plan.length = phases.worker.length = 0;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50).toFixed(0);
    const extra = `\n${' '.repeat(30)}medians: runner ready ${med(phases.ready)} ms (taken${warm ? '' : ' = started'}; bundling overlaps), plan ${med(phases.plan)} ms (checks loaded), checks in the runner ${med(phases.worker)} ms${pool ? `; spares ${pool.stats.started} started, ${pool.stats.used} used, ${pool.stats.discarded} discarded` : ''}`;
    return summary(`extension, ${warm ? 'warm runner' : 'cold (no spare)'}`, times, warm ? 100 : undefined, extra);
  } finally {
    pool?.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
}

function benchCli(exerciseId: string, runs: number): Record<string, number> {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, 'check', exerciseId, '--solution'], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`check failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
    return ms;
  };
  once(); once();
  const times = Array.from({ length: runs }, once);
  return summary('CLI, whole process', times, 250);
}

export async function benchCheckLatency(exerciseId = 'tensors/basics', runs = 20): Promise<Record<string, number>> {
  console.log(`check latency of ${exerciseId} (${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  const warm = await benchExtension(exerciseId, runs, true);
  const cold = await benchExtension(exerciseId, runs, false);
  const cli = benchCli(exerciseId, runs);
  const flat: Record<string, number> = {};
  for (const [name, r] of Object.entries({ extension_warm: warm, extension_cold: cold, cli })) for (const [k, v] of Object.entries(r)) flat[`${name}_${k}`] = v;
  return flat;
}
