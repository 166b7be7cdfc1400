/**
 * The LoRA fine-tune of lesson 8, timed: the bundled model (media/model/moby-gpt.onnx, or $LLM_LAB_MODEL) in a
 * kit GPT, the course layer's reference adapters (r = 8, alpha = 16 on the recipe's targets: the same layers,
 * initialisation and seed as the lesson's reference solution), the check's own recipe and training loop
 * (src/course/lora/training.ts), outside the runner. Reports wall time, throughput, both validation losses before
 * and after, and parameter counts; then how fast a cancelled fine-tune stops.
 *
 * Run alone: node --import tsx test/bench/lora.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RECIPE, corpusFor, kitGpt, referenceLoRA, train } from '../../src/course/lora';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { type GPT, Rng } from '../../src/kit';
import { shippedModel } from '../../src/model';

const ROOT = path.resolve(__dirname, '..', '..');

export async function benchLora(): Promise<Record<string, number>> {
  const model = await shippedModel();
  const corpus = corpusFor(model.vocab);
  const gpt: GPT = kitGpt(model);
  const total = gpt.numParameters();
  const t0 = performance.now();
  const params = referenceLoRA(gpt, RECIPE.r, RECIPE.alpha, RECIPE.targets, RECIPE.seed);
  const rng = new Rng(1);
  const h = await train(gpt, params, corpus, { ...RECIPE, random: () => rng.random() });
  const out: Record<string, number> = {
    finetune_wall_s: (performance.now() - t0) / 1000,
    train_tokens_per_s: h.tokensPerSecond,
    steps: RECIPE.steps,
    sotu_val_loss_before: h.val[0],
    sotu_val_loss_after: h.val[h.val.length - 1],
    moby_val_loss_before: h.moby[0],
    moby_val_loss_after: h.moby[h.moby.length - 1],
    trainable_params: params.reduce((s, p) => s + p.size, 0),
    total_params: total,
  };
  out.cancel_ms = await cancelDuringFineTune();
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(24)} ${Number.isInteger(v) ? v : v.toFixed(4)}`);
  return out;
}

/**
 * Cancelling, as the learner does from the progress notification: the fine-tune check runs in the real runner
 * process, on the reference solutions laid out as a learner folder (lesson 8's imports lesson 7's); 3 s into it
 * the run is aborted. Returns the milliseconds from the abort to the runner's result (target: under a second;
 * the process is killed, so nothing of the learner's is touched).
 */
async function cancelDuringFineTune(): Promise<number> {
  const catalog = await loadCatalog(path.join(ROOT, 'lessons'));
  const found = findExercise(catalog, 'lora-finetune/finetune');
  if (!found) throw new Error('no exercise lora-finetune/finetune');
  const folder = mkdtempSync(path.join(tmpdir(), 'llm-lab-bench-lora-'));
  try {
    const learnerFile = await solutionFolder(folder, catalog, found.exercise);
    const abort = new AbortController();
    let abortedAt = 0;
    const started = new Promise<void>((resolve) => setTimeout(resolve, 3000)).then(() => { abortedAt = performance.now(); abort.abort(); });
    const result = await runInWorker(
      { exerciseId: found.exercise.id, learnerFile, checksFile: found.exercise.checks, prerequisites: prerequisiteFiles(folder, catalog, found.exercise) },
      { workerPath: path.join(ROOT, 'dist', 'worker.js'), timeoutMs: 60_000, memoryMb: 1024, signal: abort.signal },
    );
    await started;
    if (result.error?.kind !== 'cancelled') throw new Error(`the fine-tune was not cancelled: ${result.error?.kind ?? result.status}`);
    return performance.now() - abortedAt;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (require.main === module) benchLora().catch((e) => { console.error(e); process.exit(1); });
