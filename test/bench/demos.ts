/**
 * The live training runs as a learner waits for them: each exercise whose checks train (the LoRA fine-tune, the RLHF
 * run, DPO, and every live lesson of the newer tracks) is checked once through the real runner process, on its
 * reference solution laid out as a learner folder, with the extension's default memory limit. Prints the whole
 * run's wall time, the longest check, the runner's peak resident memory (measured by the host) and the target the
 * issue sets, with the load average. Numbers only: nothing is asserted.
 *
 * Run alone: node --import tsx test/bench/index.ts --only demos   (LLM_LAB_DEMOS=sft/sft,clip/clip for a subset)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';

const ROOT = path.resolve(__dirname, '..', '..');

/** Exercise, and its target in seconds for the whole check (issue 19: the demos, and 30 s for live lessons). */
const DEMOS: [id: string, targetS: number][] = [
  ['lora-finetune/finetune', 8],
  ['rlhf/ppo-run', 12],
  ['dpo/loss', 4],
  ['makemore/names', 30],
  ['pretraining/train', 30],
  ['distillation/distill', 30],
  ['parallel/parallel', 30],
  ['sft/sft', 30],
  ['clip/clip', 30],
];

export async function benchDemos(): Promise<Record<string, number>> {
  const catalog = await loadCatalog(path.join(ROOT, 'lessons'));
  const wanted = process.env.LLM_LAB_DEMOS?.split(',');
  const out: Record<string, number> = {};
  console.log(`${'exercise'.padEnd(24)} ${'run s'.padStart(7)} ${'target'.padStart(7)}  ${'peak MB'.padStart(8)}  longest check`);
  for (const [id, target] of DEMOS) {
    if (wanted && !wanted.includes(id)) continue;
    const found = findExercise(catalog, id);
    if (!found) { console.log(`${id.padEnd(24)} (no such exercise)`); continue; }
    const folder = mkdtempSync(path.join(os.tmpdir(), 'llm-lab-bench-demo-'));
    try {
      const learnerFile = await solutionFolder(folder, catalog, found.exercise);
      const load = os.loadavg()[0];
      const t0 = performance.now();
      const r = await runInWorker(
        { exerciseId: id, learnerFile, checksFile: found.exercise.checks, prerequisites: prerequisiteFiles(folder, catalog, found.exercise) },
        { workerPath: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 120_000, memoryMb: 1024 },
      );
      const wall = (performance.now() - t0) / 1000;
      const longest = [...r.checks].sort((a, b) => b.durationMs - a.durationMs)[0];
      const failed = r.checks.filter((c) => c.status !== 'passed').length;
      out[`${id} run_s`] = wall;
      out[`${id} peak_mb`] = r.peakMb ?? NaN;
      console.log(`${id.padEnd(24)} ${wall.toFixed(1).padStart(7)} ${`≤ ${target}`.padStart(7)}  ${String(r.peakMb ?? '?').padStart(8)}  ` +
        `${longest ? `${(longest.durationMs / 1000).toFixed(1)} s "${longest.name}"` : '-'}` +
        `${failed ? `  (${failed} checks did not pass: ${r.error?.message ?? r.checks.find((c) => c.status !== 'passed')?.message})` : ''}` +
        `  [load ${load.toFixed(2)}→${os.loadavg()[0].toFixed(2)}]`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  return out;
}

if (require.main === module) benchDemos().catch((e) => { console.error(e); process.exit(1); });
