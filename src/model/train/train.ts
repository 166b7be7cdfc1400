/**
 * Trains the character-level GPT that ships with LLM Lab (media/model/moby-gpt.onnx) on the text
 * of Moby-Dick, with the course's own tensor kit, then writes the model card. The loss curve the
 * card shows is drawn afterwards by `npm run curve:model` (curve.ts, in headless Chromium).
 *
 *   npm run train:model              the shipped model (about 20-25 minutes on 2 cores)
 *   npm run train:model -- --tiny    a 1-layer, 32-wide model for 50 steps, written to a temp folder
 *   npm run train:model -- --report-only [--out DIR]   redraw the card from the files
 *
 * The recipe is nanoGPT's train.py (Karpathy) for shakespeare_char, shrunk to fit a laptop CPU:
 * random windows of the text, AdamW with decoupled weight decay on 2-D weights, betas (0.9, 0.95),
 * linear warmup then cosine decay of the learning rate, gradient clipping at norm 1, and a loss
 * estimate on fixed train and validation batches every few steps. Every random choice (weights,
 * batches, samples) comes from a seeded generator, so a run can be repeated exactly.
 *
 * Options: --steps N --batch N --lr X (min lr = X / 10) --warmup N --seed N --threads N --eval-every N --out DIR
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AdamW, GPT, Rng, clipGradNorm } from '../../kit';
import { getMatmulThreads, setMatmulThreads, startMatmulWorkers } from '../../kit/kernels';
import type { GptConfig } from '../config';
import { exportGptToOnnx } from '../export';
import { roundToFloat16 } from '../onnx-tensors';
import { DATA_SOURCE, NORMALISATION, buildCorpus, sampleBatch } from './data';
import { type Batch, datasetLoss, estimateLoss } from './evaluate';
import { FULL, type Recipe, TINY } from './recipe';
import { writeReport } from './report';
import { lrAt } from './schedule';
import { LOG_FILE, MODEL_FILE, type TrainLog, formatDuration } from './train-log';

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      tiny: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      out: { type: 'string' },
      steps: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      'eval-every': { type: 'string' },
      warmup: { type: 'string' },
    },
  });
  const recipe = structuredClone(args.tiny ? TINY : FULL);
  const out = resolve(args.out ?? recipe.out);
  if (args['report-only']) {
    await writeReport(out);
    return;
  }
  const h = recipe.hyper;
  const num = (flag: 'steps' | 'batch' | 'seed' | 'eval-every' | 'warmup' | 'lr' | 'threads', fallback: number, integer = true): number => {
    const text = args[flag];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`);
    return value;
  };
  h.steps = num('steps', h.steps);
  h.batchSize = num('batch', h.batchSize);
  h.seed = num('seed', h.seed);
  h.evalEvery = num('eval-every', h.evalEvery);
  h.warmupSteps = num('warmup', h.warmupSteps);
  if (args.lr !== undefined) [h.maxLr, h.minLr] = [num('lr', h.maxLr, false), Number((num('lr', h.maxLr, false) / 10).toPrecision(6))];
  setMatmulThreads(num('threads', Math.min(availableParallelism(), getMatmulThreads())));
  await startMatmulWorkers(); // large products then share the work with a worker thread per extra core

  await mkdir(out, { recursive: true });
  const log = await train(recipe, out);
  await writeReport(out, log);
}

async function train(recipe: Recipe, out: string): Promise<TrainLog> {
  const h = recipe.hyper;
  const startedAt = new Date();
  const wallStart = performance.now();

  const corpus = buildCorpus();
  const config: GptConfig = { vocabSize: corpus.vocab.length, ...recipe.model };
  if (h.seqLen > config.blockSize) throw new Error(`seqLen ${h.seqLen} exceeds the context ${config.blockSize}`);
  const model = new GPT(config, new Rng(h.seed));
  const params = model.parameters();
  const optimizer = new AdamW(params, { lr: h.maxLr, betas: h.betas, eps: h.eps, weightDecay: h.weightDecay });
  const batchRng = new Rng(h.seed + 1);
  const random = (): number => batchRng.random();

  // The same evaluation windows every time, so the curve follows the model, not the sample.
  const evalRng = new Rng(h.seed + 2);
  const fixedBatches = (data: Uint8Array, n: number): Batch[] =>
    Array.from({ length: n }, () => ({ ...sampleBatch(data, h.batchSize, h.seqLen, () => evalRng.random()), B: h.batchSize, T: h.seqLen }));
  const evalTrain = fixedBatches(corpus.train, h.evalBatches);
  const evalVal = fixedBatches(corpus.val, h.evalBatches);

  const threads = getMatmulThreads();
  console.log(`${recipe.name}: ${model.numParameters().toLocaleString('en')} parameters, config ${JSON.stringify(config)}`);
  console.log(`data: ${corpus.text.length.toLocaleString('en')} characters (train ${corpus.train.length}, val ${corpus.val.length}), sha256 ${corpus.sha256}`);
  console.log(`steps ${h.steps} x batch ${h.batchSize} x ${h.seqLen} chars, lr ${h.maxLr} -> ${h.minLr}, warmup ${h.warmupSteps}, seed ${h.seed}, matmul threads ${threads}`);

  const steps: TrainLog['steps'] = { loss: [], lr: [], gradNorm: [] };
  const evals: TrainLog['evals'] = [];
  let trainMs = 0;
  let evalMs = 0;
  const evaluate = (step: number): void => {
    const t0 = performance.now();
    const point = { step, train: estimateLoss(model, evalTrain), val: estimateLoss(model, evalVal) };
    evals.push(point);
    evalMs += performance.now() - t0;
    console.log(`  eval @ ${step}: train ${point.train.toFixed(4)}, val ${point.val.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };

  evaluate(0);
  for (let step = 0; step < h.steps; step++) {
    const t0 = performance.now();
    const lr = lrAt(step, h);
    optimizer.lr = lr;
    const { x, y } = sampleBatch(corpus.train, h.batchSize, h.seqLen, random);
    const loss = model.forward(x, h.batchSize, h.seqLen, { targets: y }).loss!;
    optimizer.zeroGrad();
    loss.backward();
    const gradNorm = clipGradNorm(params, h.gradClip);
    optimizer.step();
    trainMs += performance.now() - t0;

    const value = loss.item();
    if (!Number.isFinite(value) || !Number.isFinite(gradNorm)) {
      throw new Error(`training diverged at step ${step}: loss ${value}, gradient norm ${gradNorm} (try a lower --lr)`);
    }
    steps.loss.push(value);
    steps.lr.push(lr);
    steps.gradNorm.push(gradNorm);

    const done = step + 1;
    if (done % recipe.printEvery === 0 || done === h.steps) {
      const recent = steps.loss.slice(-recipe.printEvery);
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      const tokensPerSecond = (done * h.batchSize * h.seqLen) / (trainMs / 1000);
      const msPerStep = (trainMs + evalMs) / done;
      console.log(
        `step ${String(done).padStart(5)}/${h.steps}  loss ${mean.toFixed(4)}  lr ${lr.toExponential(2)}  ` +
        `|g| ${gradNorm.toFixed(2)}  ${Math.round(tokensPerSecond)} tok/s  ETA ${formatDuration(((h.steps - done) * msPerStep) / 1000)}`,
      );
    }
    if (done % h.evalEvery === 0 || done === h.steps) evaluate(done);
  }

  // The file stores weights in float16 (half the download); round them now so that the losses
  // below, the samples in the card and the shipped file all describe the same model.
  for (const p of params) roundToFloat16(p.data);
  console.log('final evaluation (weights rounded to float16, as shipped): every validation character, and as many random training windows');
  const finalTrain = estimateLoss(model, fixedBatches(corpus.train, recipe.finalTrainBatches));
  const finalVal = datasetLoss(model, corpus.val, h.batchSize, h.seqLen);
  console.log(`  train ${finalTrain.toFixed(4)}, val ${finalVal.loss.toFixed(4)} over ${finalVal.chars} characters`);

  const bytes = exportGptToOnnx(config, model.stateDict(), corpus.vocab, {
    trained_on: `Moby-Dick, ${DATA_SOURCE.package}@${corpus.packageVersion}`,
    data_sha256: corpus.sha256,
    train_steps: String(h.steps),
    val_loss: finalVal.loss.toFixed(4),
    train_loss: finalTrain.toFixed(4),
    seed: String(h.seed),
  }, { weightType: 'float16' });
  await writeFile(join(out, MODEL_FILE), bytes);
  const wallSeconds = (performance.now() - wallStart) / 1000;

  const cpu = cpus();
  const log: TrainLog = {
    formatVersion: 1,
    name: recipe.name,
    config,
    parameters: model.numParameters(),
    hyper: h,
    data: {
      source: DATA_SOURCE.package,
      packageVersion: corpus.packageVersion,
      packageLicense: DATA_SOURCE.packageLicense,
      textStatus: DATA_SOURCE.textStatus,
      normalisation: NORMALISATION,
      sha256: corpus.sha256,
      chars: corpus.ids.length,
      vocab: corpus.vocab,
      trainChars: corpus.train.length,
      valChars: corpus.val.length,
    },
    hardware: { cores: cpu.length, cpu: cpu[0]?.model ?? 'unknown', node: process.version, matmulThreads: threads },
    timing: {
      startedAt: startedAt.toISOString(),
      trainSeconds: trainMs / 1000,
      evalSeconds: evalMs / 1000,
      wallSeconds,
      tokensPerSecond: (h.steps * h.batchSize * h.seqLen) / (trainMs / 1000),
    },
    steps,
    evals,
    final: { trainLoss: finalTrain, trainChars: recipe.finalTrainBatches * h.batchSize * h.seqLen, valLoss: finalVal.loss, valChars: finalVal.chars },
  };
  await writeFile(join(out, LOG_FILE), JSON.stringify(log) + '\n');
  console.log(`wrote ${join(out, MODEL_FILE)} (${bytes.length.toLocaleString('en')} bytes) and ${LOG_FILE} after ${formatDuration(wallSeconds)}`);
  return log;
}

main().then(
  () => process.exit(0), // the matmul workers are unref'ed, but say so plainly
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
