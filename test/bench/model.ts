/**
 * The bundled model's speed, two ways:
 *  - training with the kit: forward + backward + gradient clipping + AdamW on the shipped config,
 *    with the training batch, as `npm run train:model` runs it, in a child process running the kit bundled by
 *    esbuild as the runner bundles it (kit-trainer.ts); and, when python3 can import torch, the same
 *    model, batch and optimizer in PyTorch CPU (test/bench/torch_anchor.py), timed in turns with the kit, on
 *    1 thread each and on 2 threads each, with the kit/PyTorch ratio (issue 19: the aim is >= 0.5);
 *  - inference with onnxruntime (1 thread, as the extension configures it): one forward pass of a
 *    full context (batch 1 x blockSize) returning the logits, the same returning every output the
 *    lessons can ask for, and greedy generation (one forward pass per new character, no KV cache).
 * The kit's own greedy generation is measured too, for comparison (with its KV cache while the context fits,
 * then a forward pass per character once the context slides), and one attention layer of the model, forward and
 * backward, fused (ops/attention.ts) and op by op.
 *
 * Run alone: node --import tsx test/bench/model.ts
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { GPT, Rng } from '../../src/kit';
import { getMatmulThreads } from '../../src/kit/kernels';
import { TORCH_INSTALL_HINT, lineProtocol, load, startTorch, stopTorch } from './torch';
import { defaultModelPath, loadModel } from '../../src/model';
import { FULL } from '../../src/model/train/recipe';
import { RUNNER_MALLOC_TUNABLES } from '../../src/harness/sandbox';

const ROOT = path.resolve(__dirname, '..', '..');

/** The kit trainer child (kit-trainer.ts bundled by esbuild into out/bench/, as the runner bundles the kit). */
async function startKitTrainer(): Promise<{ ask: ReturnType<typeof lineProtocol>; close(): void }> {
  const outfile = path.join(ROOT, 'out', 'bench', 'kit-trainer.js');
  await build({ entryPoints: [path.join(__dirname, 'kit-trainer.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning' });
  // With the runner's malloc settings (sandbox.ts), as a check's training runs.
  const env = { ...process.env, ...(process.platform === 'linux' ? { GLIBC_TUNABLES: RUNNER_MALLOC_TUNABLES } : {}) };
  const child = spawn(process.execPath, [outfile], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const ask = lineProtocol(child, 'kit-trainer.js', 'kit');
  await ask({ cmd: 'hello' });
  return { ask, close: () => child.kill() };
}

/** Mean milliseconds per call of fn over `runs` calls, after `warmup` calls. */
async function timeIt(fn: () => unknown, runs: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return (performance.now() - t0) / runs;
}

export async function benchModel(modelPath = defaultModelPath(ROOT)): Promise<Record<string, number>> {
  if (!existsSync(modelPath)) throw new Error(`benchModel: ${modelPath} is missing; run npm run train:model first`);
  const model = await loadModel(modelPath, { intraOpNumThreads: 1 });
  const { config } = model;
  const { batchSize: B, seqLen: T } = FULL.hyper;
  const out: Record<string, number> = {};

  // --- Training: the kit, and PyTorch on the same model in turns -----------------------------------
  // Like with like: 1 thread each, then 2 each (the kit's matmul workers; torch.set_num_threads). Each figure
  // is the best of ROUNDS rounds of STEPS steps; a round of the kit is followed at once by one of PyTorch, so
  // a busy moment on a shared machine hits both alike.
  // The kit runs as learners run it: bundled by esbuild in a child process (kit-trainer.ts), not through tsx.
  const ROUNDS = Number(process.env.BENCH_MODEL_ROUNDS ?? 3), STEPS = Number(process.env.BENCH_MODEL_STEPS ?? 3);
  const gpt = new GPT(config, new Rng(1));
  const rng = new Rng(2);
  const hyper = { lr: 1e-4, betas: FULL.hyper.betas, weightDecay: FULL.hyper.weightDecay };
  const kit = await startKitTrainer();
  await kit.ask({ cmd: 'model', config, B, T, ...hyper });
  const torch = await startTorch();
  if (torch) await torch.ask({ cmd: 'model', config, B, T, ...hyper });
  else console.log(`  ${TORCH_INSTALL_HINT}`);
  const defaultThreads = getMatmulThreads();
  if (os.loadavg()[0] > os.cpus().length) {
    console.log(`  (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores: other processes share the cores, so the 2-thread ` +
      'figures depend on who else runs; compare on a quiet machine)');
  }
  for (const threads of [1, 2]) {
    let kitMs = Infinity, torchMs = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      kitMs = Math.min(kitMs, (await kit.ask({ cmd: 'train', steps: STEPS, threads })).ms_per_step);
      if (torch) torchMs = Math.min(torchMs, (await torch.ask({ cmd: 'train', steps: STEPS, threads })).ms_per_step);
    }
    const kitTps = (B * T) / (kitMs / 1000), torchTps = (B * T) / (torchMs / 1000);
    out[`kit_train_tokens_per_s_${threads}t`] = kitTps;
    out[`kit_train_ms_per_step_${threads}t`] = kitMs;
    if (torch) {
      out[`torch_train_tokens_per_s_${threads}t`] = torchTps;
      out[`kit_over_torch_train_${threads}t`] = kitTps / torchTps;
    }
    console.log(`  training, ${threads} thread${threads > 1 ? 's' : ''} each: kit ${kitTps.toFixed(0)} tokens/s (${kitMs.toFixed(0)} ms/step)` +
      (torch ? `, PyTorch ${torch.version} ${torchTps.toFixed(0)} tokens/s (${torchMs.toFixed(0)} ms/step): kit/PyTorch ${(kitTps / torchTps).toFixed(2)}` : '') +
      ` [${load()}]`);
  }
  // One attention layer of this model, forward + backward, both ways nn.ts runs it (the fused op, and op by op).
  for (const threads of [1, 2]) {
    const a = await kit.ask({ cmd: 'attention', B, T, nEmbd: config.nEmbd, nHead: config.nHead, steps: 10, threads });
    out[`kit_attention_fused_ms_${threads}t`] = a.fused_ms;
    out[`kit_attention_op_by_op_ms_${threads}t`] = a.op_by_op_ms;
    console.log(`  one attention layer (B ${B}, T ${T}, ${config.nHead} heads), forward + backward, ${threads} thread${threads > 1 ? 's' : ''}: ` +
      `fused ${a.fused_ms.toFixed(1)} ms, op by op ${a.op_by_op_ms.toFixed(1)} ms (${(a.op_by_op_ms / a.fused_ms).toFixed(2)}x) [${load()}]`);
  }
  kit.close();
  out.kit_train_ms_per_step = out[`kit_train_ms_per_step_${defaultThreads}t`] ?? out.kit_train_ms_per_step_2t;
  out.kit_train_tokens_per_s = out[`kit_train_tokens_per_s_${defaultThreads}t`] ?? out.kit_train_tokens_per_s_2t;
  out.kit_matmul_threads = defaultThreads;
  const trainMs = out.kit_train_ms_per_step;

  // --- Inference with onnxruntime ------------------------------------------------------------------
  const ctx = config.blockSize;
  const ids = Int32Array.from({ length: ctx }, () => rng.randint(0, config.vocabSize));
  const logitsMs = await timeIt(() => model.run(ids, 1, ctx, ['logits']), 30, 5);
  out.ort_forward_ms = logitsMs;
  out.ort_forward_tokens_per_s = ctx / (logitsMs / 1000);
  const allMs = await timeIt(() => model.run(ids, 1, ctx), 20, 3);
  out.ort_forward_all_outputs_ms = allMs;
  out.ort_forward_all_outputs_tokens_per_s = ctx / (allMs / 1000);

  const prompt = model.tokenizer.encode('Call me Ishmael');
  const n = 200; // grows the context to 128, then keeps cropping it
  const greedyMs = await timeIt(() => model.greedy(prompt, n), 2, 1);
  out.ort_greedy_tokens_per_s = n / (greedyMs / 1000);
  const kitGreedyMs = await timeIt(() => gpt.generate(prompt, n, { greedy: true }), 1, 0);
  out.kit_greedy_tokens_per_s = n / (kitGreedyMs / 1000);
  await model.dispose();

  console.log(
    `model (${config.nLayer} layers, d_model ${config.nEmbd}, context ${ctx}):\n` +
    `  kit training:        ${out.kit_train_tokens_per_s.toFixed(0)} tokens/s (batch ${B} x ${T}, ${trainMs.toFixed(0)} ms/step, ${out.kit_matmul_threads} matmul threads, bundled as shipped)\n` +
    `  onnxruntime forward: ${out.ort_forward_tokens_per_s.toFixed(0)} tokens/s (1 x ${ctx}, logits only, ${logitsMs.toFixed(2)} ms); ` +
    `all outputs ${out.ort_forward_all_outputs_tokens_per_s.toFixed(0)} tokens/s (${allMs.toFixed(2)} ms), 1 thread\n` +
    `  greedy generation:   onnxruntime ${out.ort_greedy_tokens_per_s.toFixed(1)} tokens/s, kit ${out.kit_greedy_tokens_per_s.toFixed(1)} tokens/s (${n} tokens; onnxruntime without a KV cache, the kit with one until the context is full) [${load()}]`,
  );
  return out;
}

if (require.main === module) {
  benchModel().then(() => stopTorch()).then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
