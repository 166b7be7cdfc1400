/**
 * Model-level checks as a learner waits for them: each check that runs the learner's code against the
 * bundled model (attention of every layer and head, multi-head attention, the GPT's logits and greedy text,
 * the KV cache), timed by the runner itself (the check's own duration, not the process start). The
 * reference solutions are checked `runs` times through the CLI's --json output; p50 and p95 per check.
 * The first model check of a run also pays for loading the model and starting onnxruntime.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { RunResult } from '../../src/core/grading/result';
import { percentile } from './check-latency';

const ROOT = path.resolve(__dirname, '..', '..');

/** The exercises with model checks, and which of their checks use the model (by a word in the name). */
const EXERCISES: [id: string, match: RegExp][] = [
  ['attention/scaled-dot-product', /bundled model/],
  ['multi-head-attention/layer', /bundled model/],
  ['gpt-forward/model', /onnxruntime|bundled model/],
  ['kv-cache/step', /full forward pass/],
];

export function benchModelChecks(runs = 10): Record<string, number> {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const out: Record<string, number> = {};
  const all: number[] = [];
  for (const [id, match] of EXERCISES) {
    const times = new Map<string, number[]>();
    for (let i = 0; i < runs + 1; i++) {
      const r = spawnSync(process.execPath, [cli, 'check', id, '--solution', '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`${id}: check failed (exit ${r.status}): ${r.stderr}`);
      if (i === 0) continue; // warm-up: the disk cache
      const result = JSON.parse(r.stdout) as RunResult;
      for (const c of result.checks.filter((c) => match.test(c.name))) {
        times.set(c.name, [...(times.get(c.name) ?? []), c.durationMs]);
      }
    }
    for (const [name, t] of times) {
      t.sort((a, b) => a - b);
      all.push(...t);
      const key = `${id} :: ${name}`;
      out[`${key} p50_ms`] = percentile(t, 50);
      out[`${key} p95_ms`] = percentile(t, 95);
      console.log(`${id}: "${name}": p50 ${percentile(t, 50).toFixed(0)} ms, p95 ${percentile(t, 95).toFixed(0)} ms`);
    }
  }
  all.sort((a, b) => a - b);
  out.all_p50_ms = percentile(all, 50);
  out.all_p95_ms = percentile(all, 95);
  out.slowest_ms = all[all.length - 1];
  console.log(`every model-level check (${all.length} timings): p50 ${out.all_p50_ms.toFixed(0)} ms, p95 ${out.all_p95_ms.toFixed(0)} ms, slowest ${out.slowest_ms.toFixed(0)} ms; target p50 <= 1000 ms`);
  return out;
}
