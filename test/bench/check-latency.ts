/**
 * Check latency as a learner feels it: the whole `llm-lab check <id> --solution` process, from spawn to
 * exit (Node start, catalog, runner process, esbuild bundling, the checks). 20 runs after 2 warm-ups.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function benchCheckLatency(exerciseId = 'tensors/basics', runs = 20): Record<string, number> {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, 'check', exerciseId, '--solution'], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`check failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
    return ms;
  };
  once(); once();
  const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
  const out = { p50_ms: percentile(times, 50), p95_ms: percentile(times, 95), min_ms: times[0], max_ms: times[times.length - 1] };
  console.log(`check latency (${exerciseId}, whole process, ${runs} runs): p50 ${out.p50_ms.toFixed(0)} ms, p95 ${out.p95_ms.toFixed(0)} ms (min ${out.min_ms.toFixed(0)}, max ${out.max_ms.toFixed(0)}); target p50 <= 300 ms`);
  return out;
}
