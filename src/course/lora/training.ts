/**
 * The fine-tuning machinery of lesson 8's checks (and of test/bench/lora.ts): the bundled model as a kit GPT,
 * the excerpts as token ids, fixed evaluation windows, and a training loop that reports as it goes.
 *
 * Never learner code: the checks hand the learner's adapters to this loop, and compute every expected value
 * here or with onnxruntime. The loop yields to the event loop after every step, so live progress reaches
 * the results panel while it trains.
 */
import { AdamW, GPT, Linear, Module, Rng, type Tensor, add, clipGradNorm, linear, mul, noGrad, randn, zeros } from '@llm-lab/kit';
import { type LocalArtifact, type Text, t } from '@llm-lab/check';
import type { BundledModel } from '@llm-lab/model';
import { MOBY_VAL, SOTU_TRAIN, SOTU_VAL } from './excerpts';
import type { LoRATarget } from './reference';

/**
 * The recipe the checks and the benchmark use: about 8 s on two cores for the 4-layer, 128-wide model.
 * Chosen on the bundled model (see test/bench/lora.ts): adapters on every Linear of every block do clearly
 * better than on attention alone in so few steps, and 2e-3 beat 3e-3, 5e-3 and 1e-2 (the larger rates
 * lower the new domain's loss less and raise Moby-Dick's more).
 */
export const RECIPE = {
  r: 8,
  alpha: 16,
  targets: ['attn.q', 'attn.k', 'attn.v', 'attn.proj', 'mlp.fc', 'mlp.proj'] as LoRATarget[],
  seed: 0,
  steps: 48,
  batch: 8,
  seqLen: 64,
  lr: 2e-3,
  /** Validation every 16 steps (at 0, 16, 32 and 48): each costs about as much as two training steps. */
  evalEvery: 16,
  /** Evaluation windows per split (each a full context of up to 128 characters, evenly spaced). */
  evalWindows: 8,
};

/** Steps of linear learning-rate warmup. */
const WARMUP = 10;

export interface Corpus {
  train: Int32Array;
  val: Int32Array;
  moby: Int32Array;
  /** Characters of the excerpts that are not in the model's vocabulary, replaced by a space. */
  replaced: number;
}

/** Text -> ids in the model's vocabulary; a character the model has never seen becomes a space. */
export function encode(vocab: readonly string[], text: string): { ids: Int32Array; replaced: number } {
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  const fallback = index.get(' ') ?? 0;
  let replaced = 0;
  const ids = Int32Array.from([...text], (ch) => {
    const id = index.get(ch);
    if (id === undefined) replaced++;
    return id ?? fallback;
  });
  return { ids, replaced };
}

export function corpusFor(vocab: readonly string[]): Corpus {
  const [train, val, moby] = [SOTU_TRAIN, SOTU_VAL, MOBY_VAL].map((t) => encode(vocab, t));
  return { train: train.ids, val: val.ids, moby: moby.ids, replaced: train.replaced + val.replaced + moby.replaced };
}

/** The bundled model's weights in a fresh kit GPT (every tensor a copy: nothing here changes the model). */
export function kitGpt(model: BundledModel): GPT {
  const gpt = new GPT(model.config, new Rng(0));
  gpt.loadState(new Map([...model.weights()].map(([name, t]) => [name, t.data])));
  return gpt;
}

/** The tensor behind a parameter name ('h.0.attn.q.weight'), found by walking fields, frozen or not. */
export function tensorAt(root: object, name: string): Tensor {
  let at: unknown = root;
  for (const part of name.split('.')) at = (at as Record<string, unknown>)?.[part];
  if (!(at instanceof Object) || !('data' in at)) throw new Error(`no tensor at ${name}`);
  return at as Tensor;
}

/** Every weight of the model by name, read from wherever it now lives (for export). */
export function weightsOf(gpt: GPT, names: readonly string[]): Map<string, Float32Array> {
  return new Map(names.map((n) => [n, Float32Array.from(tensorAt(gpt, n).data)]));
}

/** Evenly spaced windows of T + 1 ids: inputs and targets as flat (n, T) arrays. */
export function windows(data: Int32Array, n: number, T: number): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(n * T);
  const y = new Int32Array(n * T);
  const stride = Math.floor((data.length - T - 1) / Math.max(1, n - 1));
  for (let b = 0; b < n; b++) {
    const start = b * stride;
    x.set(data.subarray(start, start + T), b * T);
    y.set(data.subarray(start + 1, start + T + 1), b * T);
  }
  return { x, y };
}

/** Mean cross-entropy (nats per character) over fixed windows, without a graph. */
export function evalLoss(gpt: GPT, data: Int32Array, n: number, T: number): number {
  const { x, y } = windows(data, n, T);
  return noGrad(() => gpt.forward(x, n, T, { targets: y }).loss!.item());
}

/**
 * The same mean cross-entropy for the bundled model itself, run by onnxruntime (the loss in float64 from its
 * logits): the "before" of a fine-tune, where the adapters (B = 0) leave the model exactly as it was.
 */
export async function evalLossBundled(model: BundledModel, data: Int32Array, n: number, T: number): Promise<number> {
  const { x, y } = windows(data, n, T);
  const { logits } = await model.run(x, n, T, ['logits']); // (n, T, V)
  const V = model.vocab.length;
  let sum = 0;
  for (let r = 0; r < n * T; r++) {
    const row = logits.data.subarray(r * V, (r + 1) * V);
    let max = -Infinity;
    for (let j = 0; j < V; j++) max = Math.max(max, row[j]);
    let z = 0;
    for (let j = 0; j < V; j++) z += Math.exp(row[j] - max);
    sum += max + Math.log(z) - row[y[r]];
  }
  return sum / (n * T);
}

/** Random training windows from the check's seeded generator. */
export function batch(data: Int32Array, B: number, T: number, random: () => number): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = Math.floor(random() * (data.length - T - 1));
    x.set(data.subarray(start, start + T), b * T);
    y.set(data.subarray(start + 1, start + T + 1), b * T);
  }
  return { x, y };
}

export interface History {
  step: number[];
  train: number[];
  evalStep: number[];
  val: number[];
  moby: number[];
  seconds: number;
  tokensPerSecond: number;
}

export interface TrainOptions {
  steps: number;
  batch: number;
  seqLen: number;
  lr: number;
  evalEvery: number;
  evalWindows: number;
  random: () => number;
  /** Called after every step with the history so far (for a live curve). */
  onStep?: (h: History) => void;
  /** The validation losses at step 0, when already known (the bundled model's, from onnxruntime): not evaluated again. */
  initial?: { val: number; moby: number };
}

/** AdamW on `params` (the adapters), next-character loss on SOTU training windows. */
export async function train(gpt: GPT, params: Tensor[], corpus: Corpus, o: TrainOptions): Promise<History> {
  const T = Math.min(o.seqLen, gpt.config.blockSize);
  const ET = Math.min(128, gpt.config.blockSize);
  const h: History = { step: [], train: [], evalStep: [], val: [], moby: [], seconds: 0, tokensPerSecond: 0 };
  const evaluate = (step: number) => {
    h.evalStep.push(step);
    h.val.push(evalLoss(gpt, corpus.val, o.evalWindows, ET));
    h.moby.push(evalLoss(gpt, corpus.moby, o.evalWindows, ET));
  };
  if (o.initial) {
    h.evalStep.push(0);
    h.val.push(o.initial.val);
    h.moby.push(o.initial.moby);
  } else {
    evaluate(0);
  }
  const optimizer = new AdamW(params, { lr: o.lr, weightDecay: 0 });
  const t0 = performance.now();
  let trainMs = 0;
  for (let step = 1; step <= o.steps; step++) {
    const s0 = performance.now();
    optimizer.lr = o.lr * Math.min(1, step / WARMUP); // a short linear warmup: Adam's first steps are full-size
    const { x, y } = batch(corpus.train, o.batch, T, o.random);
    const { loss } = gpt.forward(x, o.batch, T, { targets: y });
    optimizer.zeroGrad();
    loss!.backward();
    clipGradNorm(params, 1);
    optimizer.step();
    trainMs += performance.now() - s0;
    h.step.push(step);
    h.train.push(loss!.item());
    if (step % o.evalEvery === 0 || step === o.steps) evaluate(step);
    o.onStep?.(h);
    await new Promise((resolve) => setImmediate(resolve)); // let progress messages out
  }
  h.seconds = (performance.now() - t0) / 1000;
  h.tokensPerSecond = (o.steps * o.batch * T) / (trainMs / 1000);
  return h;
}

/** The loss curves as a curve artifact (title, axes and series in both languages). */
export function curve(h: History, title: Text): LocalArtifact {
  return {
    kind: 'curve', title, xLabel: t('step', '步数'), yLabel: t('loss (nats per character)', '损失（每字符 nat）'),
    series: [
      { name: t('train (SOTU, one batch)', '训练（国情咨文，单个批次）'), x: h.step, y: h.train.map(round4) },
      { name: t('validation: SOTU 1962', '验证：1962 年国情咨文'), x: h.evalStep, y: h.val.map(round4) },
      { name: t('validation: Moby-Dick', '验证：《白鲸记》'), x: h.evalStep, y: h.moby.map(round4) },
    ],
  };
}

export const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/** Greedy continuation with the kit model: the prompt, then n characters. */
export function sample(gpt: GPT, vocab: readonly string[], prompt: string, n: number): string {
  const ids = encode(vocab, prompt).ids;
  const out = gpt.generate(ids, n, { greedy: true });
  return [...out.slice(ids.length)].map((id) => vocab[id]).join('');
}

/**
 * The same greedy continuation by the bundled model itself, run by onnxruntime: what the model says before any
 * adapter is added (the kit GPT of kitGpt gives the same characters; a test compares them), in a third of the time.
 */
export async function sampleBundled(model: BundledModel, prompt: string, n: number): Promise<string> {
  const ids = encode(model.vocab, prompt).ids;
  const out = await model.greedy(ids, n);
  return [...out.slice(ids.length)].map((id) => model.vocab[id]).join('');
}

// --- A reference adapter, for the QLoRA check (which judges quantization, not the learner's layer) ----------

class RefLoRA extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;
  A: Tensor;
  B: Tensor;

  constructor(base: Linear, readonly scale: number, r: number, rng: Rng) {
    super();
    [this.inFeatures, this.outFeatures, this.weight, this.bias] = [base.inFeatures, base.outFeatures, base.weight, base.bias];
    this.A = randn([r, this.inFeatures], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });
    this.B = zeros([this.outFeatures, r], { requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    return add(linear(x, this.weight, this.bias), mul(linear(linear(x, this.A), this.B), this.scale));
  }
}

/** Freezes the model and wraps the recipe's targets with reference adapters; returns the trainable tensors. */
export function referenceLoRA(gpt: GPT, r: number, alpha: number, targets: readonly LoRATarget[], seed: number): Tensor[] {
  for (const p of gpt.parameters()) p.requiresGrad = false;
  const rng = new Rng(seed);
  for (const block of gpt.h) {
    for (const t of targets) {
      const [part, key] = t.split('.') as ['attn' | 'mlp', string];
      const parent = block[part] as unknown as Record<string, Linear>;
      parent[key] = new RefLoRA(parent[key], alpha / r, r, rng) as unknown as Linear;
    }
  }
  return gpt.parameters();
}
