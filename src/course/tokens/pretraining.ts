/**
 * Course code for the pretraining lesson (pretraining/train): what its checks share. Never learner code.
 *
 *   data        the lesson's Moby-Dick slices (lessons/06d-pretraining/moby.json, written by make-pretraining-data.ts)
 *               as ids in the bundled model's character vocabulary
 *   init        GPT-2's initialisation of a fresh model, seeded: N(0, 0.02), residual projections N(0, 0.02/√(2·nLayer))
 *   references  the batch of the lesson's getBatch, the token-mean loss in float64 (value and gradient), evaluation
 *   the loop    a training loop built from the learner's OWN parts, with named variants (no zeroGrad, clipping after the
 *               step, the schedule off by one, ...) to tell which mistake a loop makes
 *   the run     the shared live run: a GPT trained from scratch, its curve (train and validation), samples as it learns
 *   reference   the numbers of the reference solution's run, and the band the check accepts, measured over seeds
 */
import { Rng, Tensor, noGrad } from '@llm-lab/kit';
import { type LocalArtifact, type Text, t } from '@llm-lab/check';
import { gptWeightShapes } from '@llm-lab/model';

/** The model's shape (the same fields as the GPT lesson's GptConfig). */
export interface PretrainModelConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

/** The loop's settings (the lesson's TrainConfig). */
export interface PretrainTrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  betas: [number, number];
  clip: number;
  seed: number;
}

export type PretrainWeights = Map<string, Tensor>;

// --- data ------------------------------------------------------------------------------------------------------------

/** The lesson's data file, as the checks import it. */
export interface PretrainText {
  vocab: string;
  train: string;
  val: string;
}

/** Characters -> ids in `vocab` (one id per code point). Throws on a character outside it. */
export function pretrainEncode(text: string, vocab: string): number[] {
  const index = new Map([...vocab].map((ch, i) => [ch, i]));
  return Array.from(text, (ch) => {
    const id = index.get(ch);
    if (id === undefined) throw new Error(`pretrainEncode: ${JSON.stringify(ch)} is not in the vocabulary`);
    return id;
  });
}

/** ids -> text. */
export function pretrainDecode(ids: ArrayLike<number>, vocab: string): string {
  const chars = [...vocab];
  return Array.from(ids, (i) => chars[i] ?? '\uFFFD').join('');
}

// --- init ------------------------------------------------------------------------------------------------------------

/**
 * A fresh GPT's weights, GPT-2's and nanoGPT's initialisation, from new Rng(seed) in the order of gptWeightShapes:
 * every matrix and embedding N(0, 0.02), except the projections back into the residual stream (attn.proj and
 * mlp.proj weights) N(0, 0.02/√(2·nLayer)); biases 0; LayerNorm weights 1. Every tensor requires grad.
 */
export function pretrainInitWeights(config: PretrainModelConfig, seed: number): PretrainWeights {
  const rng = new Rng(seed);
  const w: PretrainWeights = new Map();
  for (const [name, shape] of gptWeightShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = new Float32Array(n);
    if (/ln_(1|2|f)\.weight$/.test(name)) d.fill(1);
    else if (shape.length === 2) {
      const std = name.endsWith('proj.weight') ? 0.02 / Math.sqrt(2 * config.nLayer) : 0.02;
      for (let i = 0; i < n; i++) d[i] = rng.normal(0, std);
    }
    w.set(name, new Tensor(d, shape, true));
  }
  return w;
}

/** A copy of weights (new tensors, same values, requiring grad). */
export function pretrainClone(w: ReadonlyMap<string, Tensor>): PretrainWeights {
  return new Map([...w].map(([k, v]) => [k, new Tensor(Float32Array.from(v.data), [...v.shape], true)]));
}

/** The largest absolute difference between two sets of weights with the same names (Infinity if they differ). */
export function pretrainMaxDiff(a: ReadonlyMap<string, Tensor>, b: ReadonlyMap<string, Tensor>): number {
  let d = 0;
  for (const [k, v] of a) {
    const u = b.get(k);
    if (!u || u.size !== v.size) return Infinity;
    for (let i = 0; i < v.size; i++) {
      const x = Math.abs(v.data[i] - u.data[i]);
      d = Number.isNaN(x) ? Infinity : Math.max(d, x);
    }
  }
  return d;
}

// --- references --------------------------------------------------------------------------------------------------

/**
 * The lesson's getBatch: for b = 0 .. batchSize-1 in order, start_b = rng.randint(0, data.length - blockSize);
 * x[b] = data[start_b .. start_b + blockSize), y[b] = data[start_b + 1 .. start_b + blockSize + 1).
 */
export function pretrainBatch(data: ArrayLike<number>, batchSize: number, blockSize: number, rng: Rng): { x: number[][]; y: number[][]; starts: number[] } {
  const x: number[][] = [];
  const y: number[][] = [];
  const starts: number[] = [];
  for (let b = 0; b < batchSize; b++) {
    const s = rng.randint(0, data.length - blockSize);
    starts.push(s);
    x.push(Array.from({ length: blockSize }, (_, k) => data[s + k]));
    y.push(Array.from({ length: blockSize }, (_, k) => data[s + k + 1]));
  }
  return { x, y, starts };
}

/**
 * Cross-entropy of flat (N, V) logits against N targets in float64: the sum of -log p(target) over the targets that
 * are not `ignoreIndex`, their count, and the gradient of the MEAN over them with respect to the logits.
 */
export function pretrainNll64(logits: ArrayLike<number>, targets: ArrayLike<number>, V: number, ignoreIndex = -100): { sum: number; count: number; grad: Float64Array } {
  let sum = 0;
  let count = 0;
  const grad = new Float64Array(targets.length * V);
  for (let n = 0; n < targets.length; n++) {
    if (targets[n] === ignoreIndex) continue;
    count++;
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[n * V + v]);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits[n * V + v] - m);
    sum += m + Math.log(z) - logits[n * V + targets[n]];
    for (let v = 0; v < V; v++) grad[n * V + v] = Math.exp(logits[n * V + v] - m) / z - (v === targets[n] ? 1 : 0);
  }
  if (count > 0) for (let i = 0; i < grad.length; i++) grad[i] /= count;
  return { sum, count, grad };
}

/** What a forward pass the checks can call looks like (the learner's gptForward). */
export type PretrainForward = (w: ReadonlyMap<string, Tensor>, ids: number[][], config: PretrainModelConfig) => { logits: Tensor };

/** Windows of blockSize + 1 ids over `data` (inputs the first blockSize, targets shifted by one): all side by side, or at most `max` evenly spaced. */
export function pretrainWindows(data: ArrayLike<number>, blockSize: number, max = Infinity): { x: number[][]; y: number[][] } {
  const all = Math.floor((data.length - 1) / blockSize);
  const n = Math.min(max, all);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let k = 0; k < n; k++) {
    // every window side by side, or n evenly spaced ones
    const s = n === all ? k * blockSize : Math.floor((k * (data.length - 1 - blockSize)) / Math.max(1, n - 1));
    x.push(Array.from({ length: blockSize }, (_, j) => data[s + j]));
    y.push(Array.from({ length: blockSize }, (_, j) => data[s + j + 1]));
  }
  return { x, y };
}

/** The token-mean loss (nats) of a model on windows, float64 from its float32 logits, in batches of 32, no graph. */
export function pretrainEvaluate64(forward: PretrainForward, w: ReadonlyMap<string, Tensor>, config: PretrainModelConfig, windows: { x: number[][]; y: number[][] }): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < windows.x.length; i += 32) {
    const x = windows.x.slice(i, i + 32);
    const y = windows.y.slice(i, i + 32).flat();
    const logits = noGrad(() => forward(w, x, config).logits).data;
    const r = pretrainNll64(logits, y, config.vocabSize);
    sum += r.sum;
    count += r.count;
  }
  return sum / count;
}

/**
 * `n` characters sampled after `prompt`: the last blockSize ids are fed to the model, the next id is drawn from the
 * float64 softmax of the last position's logits by one uniform of `rng` (inverse CDF).
 */
export function pretrainSample(forward: PretrainForward, w: ReadonlyMap<string, Tensor>, config: PretrainModelConfig, prompt: number[], n: number, rng: Rng): number[] {
  const ids = [...prompt];
  const V = config.vocabSize;
  for (let k = 0; k < n; k++) {
    const context = ids.slice(-config.blockSize);
    const logits = noGrad(() => forward(w, [context], config).logits).data;
    const at = (context.length - 1) * V;
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[at + v]);
    const p = Array.from({ length: V }, (_, v) => Math.exp(logits[at + v] - m));
    const z = p.reduce((a, b) => a + b, 0);
    const u = rng.random() * z;
    let cum = 0;
    let pick = V - 1;
    for (let v = 0; v < V; v++) {
      cum += p[v];
      if (u < cum) { pick = v; break; }
    }
    ids.push(pick);
  }
  return ids.slice(prompt.length);
}

// --- the loop, from the learner's own parts --------------------------------------------------------------------------

/** The parts a loop is built from: the learner's own (their getBatch, lmLoss, and the earlier lessons' re-exports). */
export interface PretrainParts {
  gptForward: PretrainForward;
  getBatch(data: ArrayLike<number>, batchSize: number, blockSize: number, rng: Rng): { x: number[][]; y: number[][] };
  lmLoss(logits: Tensor, targets: number[][], ignoreIndex?: number): Tensor;
  AdamW: new (params: Iterable<Tensor>, opts?: { lr?: number; weightDecay?: number; betas?: [number, number] }) => { lr: number; step(): void; zeroGrad(): void };
  cosineLr(step: number, opts: { maxLr: number; minLr: number; warmup: number; total: number }): number;
  clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number;
}

/** The lesson's loop, nanoGPT's way of decaying (only tensors of 2+ dims), or the loop with one known mistake. */
export type PretrainLoopVariant = 'reference' | 'nanogpt-decay' | 'no-zero-grad' | 'clip-after-step' | 'schedule-off-by-one' | 'lr-not-scheduled';

/**
 * The lesson's loop: rng = new Rng(seed); AdamW over every weight (lr maxLr, weightDecay, betas); each step: a batch from
 * getBatch(data, batchSize, blockSize, rng); loss = lmLoss(gptForward(w, x).logits, y); zeroGrad; backward;
 * clipGradNorm(params, clip); lr = cosineLr(step, { maxLr, minLr, warmup, total: steps }); step. Returns the losses.
 */
export function pretrainLoop(parts: PretrainParts, w: PretrainWeights, data: ArrayLike<number>, model: PretrainModelConfig, c: PretrainTrainConfig, variant: PretrainLoopVariant = 'reference'): number[] {
  const params = [...w.values()];
  const groups = variant === 'nanogpt-decay'
    ? [new parts.AdamW(params.filter((p) => p.ndim >= 2), { lr: c.maxLr, weightDecay: c.weightDecay, betas: c.betas }), new parts.AdamW(params.filter((p) => p.ndim < 2), { lr: c.maxLr, weightDecay: 0, betas: c.betas })]
    : [new parts.AdamW(params, { lr: c.maxLr, weightDecay: c.weightDecay, betas: c.betas })];
  const optimizer = {
    set lr(v: number) { for (const g of groups) g.lr = v; },
    zeroGrad: () => { for (const g of groups) g.zeroGrad(); },
    step: () => { for (const g of groups) g.step(); },
  };
  const rng = new Rng(c.seed);
  const schedule = { maxLr: c.maxLr, minLr: c.minLr, warmup: c.warmup, total: c.steps };
  const losses: number[] = [];
  for (let step = 0; step < c.steps; step++) {
    const { x, y } = parts.getBatch(data, c.batchSize, model.blockSize, rng);
    const loss = parts.lmLoss(parts.gptForward(w, x, model).logits, y);
    if (variant !== 'no-zero-grad') optimizer.zeroGrad();
    loss.backward();
    if (variant !== 'clip-after-step') parts.clipGradNorm(params, c.clip);
    if (variant !== 'lr-not-scheduled') optimizer.lr = parts.cosineLr(variant === 'schedule-off-by-one' ? step + 1 : step, schedule);
    optimizer.step();
    if (variant === 'clip-after-step') parts.clipGradNorm(params, c.clip);
    losses.push(loss.item());
  }
  return losses;
}

// --- the run ---------------------------------------------------------------------------------------------------------

/** The model the live check trains: 2 layers, 4 heads, 64 channels, a context of 32 characters (about 110,000 weights). */
export const PRETRAIN_MODEL: Omit<PretrainModelConfig, 'vocabSize'> = { blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 64 };

/** The loop's settings of the live run (the seed of its batches is 1; the weights' is PRETRAIN_INIT_SEED). */
export const PRETRAIN_SETTINGS: PretrainTrainConfig = { steps: 300, batchSize: 8, maxLr: 5e-3, minLr: 5e-4, warmup: 30, weightDecay: 0.1, betas: [0.9, 0.95], clip: 1, seed: 1 };
export const PRETRAIN_INIT_SEED = 1337;

/** Validation is measured this often during the run (on PRETRAIN_LIVE_WINDOWS windows), and on every window at the end. */
const EVAL_EVERY = 25;
const PRETRAIN_LIVE_WINDOWS = 48;
/** Samples are drawn after these steps (1-based), from the same seed, after the prompt. */
const SAMPLE_AFTER = [1, 100, 200, 300];
const SAMPLE_CHARS = 80; // one line of the results panel
export const PRETRAIN_PROMPT = 'The whale ';

/**
 * The reference solution's run (float64 validation loss on every window of the validation slice), recorded with
 * test/unit/pretraining-track.test.ts, and the band the check accepts. See the lesson's "What the check measures".
 */
export const PRETRAIN_REFERENCE = {
  /** The reference run: PRETRAIN_SETTINGS, init seed PRETRAIN_INIT_SEED (training loss, last 25 batches: 2.4279). */
  finalVal: 2.4722,
  /** The validation curve of the reference run, every EVAL_EVERY steps, on PRETRAIN_LIVE_WINDOWS windows. */
  curve: [[1, 4.4831], [25, 3.2384], [50, 3.1515], [75, 2.805], [100, 2.7488], [125, 2.6862], [150, 2.6197], [175, 2.6], [200, 2.566],
    [225, 2.5637], [250, 2.5283], [275, 2.5118], [300, 2.5035]] as [number, number][],
  /**
   * The band. Eight runs of the reference solution with these settings: init and batch seeds (1337, 1) 2.4722, (1, 2)
   * 2.5462, (2, 3) 2.4151, (3, 4) 2.4594, (4, 5) 2.4718, (5, 6) 2.4479, (6, 7) 2.4472, and nanoGPT's decay groups on
   * (1337, 1) 2.4560: 2.415 to 2.546 (mean 2.465). The band is that range widened by 0.1 on each side, rounded outwards.
   */
  band: [2.3, 2.65] as [number, number],
};

export interface PretrainRunResult {
  weights: PretrainWeights;
  config: PretrainModelConfig;
  seconds: number;
  steps: number[];
  batchLoss: number[];
  evalSteps: number[];
  valLoss: number[];
  /** Float64 loss on every validation window at the end, and the mean batch loss of the last 25 steps. */
  finalVal: number;
  finalTrain: number;
  samples: { step: number; text: string }[];
  /** Set if the learner's train threw, returned something else than a loss per step, or did not call onStep. */
  problem?: Text;
}

/** The live curve: training batches (smoothed), validation, the reference run's validation; x is the number of steps done. */
export function pretrainCurve(r: Pick<PretrainRunResult, 'steps' | 'batchLoss' | 'evalSteps' | 'valLoss'>): LocalArtifact {
  const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
  let ema = r.batchLoss[0] ?? 0;
  const smooth = r.batchLoss.map((v) => (ema = 0.9 * ema + 0.1 * v));
  // The reference before the learner's validation, so that the learner's line is drawn over it where they coincide.
  const series: { name: Text; x: number[]; y: number[] }[] = [
    { name: t('training batches (smoothed)', '训练批次（平滑）'), x: r.steps.map((s) => s + 1), y: smooth.map(r4) }, // x: steps done, as the validation points
    { name: t('reference solution (validation)', '参考解（验证）'), x: PRETRAIN_REFERENCE.curve.map((p) => p[0]), y: PRETRAIN_REFERENCE.curve.map((p) => p[1]) },
    { name: t('your model (validation, held-out chapters)', '你的模型（验证，留出的章节）'), x: [...r.evalSteps], y: r.valLoss.map(r4) },
  ];
  return {
    kind: 'curve', title: t('Pretraining a GPT from scratch on Moby-Dick (live): loss per character', '在《白鲸记》上从零预训练 GPT（实时）：每字符损失'),
    xLabel: t('step', '步数'), yLabel: t('loss (nats per character)', '损失（每字符 nat）'), series,
  };
}

/** The samples so far, as a text artifact. */
export function pretrainSamplesArtifact(samples: { step: number; text: string }[]): LocalArtifact {
  const body = (zh: boolean) => samples.map((s) => `${zh ? `第 ${s.step} 步之后` : `after step ${s.step}`}:\n${PRETRAIN_PROMPT}${s.text}`).join('\n\n');
  return { kind: 'text', title: t(`Samples as it learns (${SAMPLE_CHARS} characters after "${PRETRAIN_PROMPT.trim()}", the same random draws each time)`, `训练过程中的样本（"${PRETRAIN_PROMPT.trim()}" 之后的 ${SAMPLE_CHARS} 个字符，每次用同样的随机数）`),
    text: t(body(false), body(true)) };
}

/**
 * The shared run: fresh weights (pretrainInitWeights), the learner's train on the training slice, validation every
 * EVAL_EVERY steps and at the end with the learner's gptForward (float64 loss), samples after SAMPLE_AFTER steps.
 * `progress` receives the curve and the samples as they change.
 */
export async function pretrainRun(
  text: PretrainText,
  forward: PretrainForward,
  train: (w: PretrainWeights, data: number[], model: PretrainModelConfig, config: PretrainTrainConfig, hooks: { onStep?: (step: number, loss: number) => void | Promise<void> }) => unknown,
  progress: (a: LocalArtifact) => void,
  settings: PretrainTrainConfig = PRETRAIN_SETTINGS,
  initSeed = PRETRAIN_INIT_SEED,
): Promise<PretrainRunResult> {
  const config: PretrainModelConfig = { vocabSize: [...text.vocab].length, ...PRETRAIN_MODEL };
  const trainIds = pretrainEncode(text.train, text.vocab);
  const valIds = pretrainEncode(text.val, text.vocab);
  const liveWindows = pretrainWindows(valIds, config.blockSize, PRETRAIN_LIVE_WINDOWS);
  const allWindows = pretrainWindows(valIds, config.blockSize);
  const prompt = pretrainEncode(PRETRAIN_PROMPT, text.vocab);
  const weights = pretrainInitWeights(config, initSeed);
  const r: PretrainRunResult = { weights, config, seconds: 0, steps: [], batchLoss: [], evalSteps: [], valLoss: [], finalVal: NaN, finalTrain: NaN, samples: [] };
  const started = performance.now();
  let calls = 0;
  try {
    const losses = await train(weights, trainIds, { ...config }, { ...settings }, {
      onStep: (step: number, loss: number) => {
        calls++;
        r.steps.push(step);
        r.batchLoss.push(loss);
        const done = step + 1;
        if (done % EVAL_EVERY === 0 || done === 1) {
          r.evalSteps.push(done);
          r.valLoss.push(pretrainEvaluate64(forward, weights, config, liveWindows));
        }
        if (SAMPLE_AFTER.includes(done)) {
          r.samples.push({ step: done, text: pretrainDecode(pretrainSample(forward, weights, config, prompt, SAMPLE_CHARS, new Rng(7)), text.vocab) });
          progress(pretrainSamplesArtifact(r.samples));
        }
        progress(pretrainCurve(r));
      },
    });
    r.seconds = (performance.now() - started) / 1000;
    if (!Array.isArray(losses) || losses.length !== settings.steps) {
      r.problem = t(`train returned ${Array.isArray(losses) ? `${losses.length} losses` : typeof losses} for ${settings.steps} steps.`, `train 在 ${settings.steps} 步后返回了 ${Array.isArray(losses) ? `${losses.length} 个损失` : typeof losses}。`);
    } else if (calls !== settings.steps) {
      r.problem = t(`hooks.onStep was called ${calls} times for ${settings.steps} steps: the live curve needs it once after every step.`, `${settings.steps} 步中 hooks.onStep 被调用了 ${calls} 次：实时曲线需要每步之后调用一次。`);
    }
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    r.problem = t(`train threw: ${why}`, `train 抛出了异常：${why}`);
    if (e instanceof Error && e.name === 'NotImplementedError') throw e;
  }
  r.finalVal = pretrainEvaluate64(forward, weights, config, allWindows);
  const tail = r.batchLoss.slice(-25);
  r.finalTrain = tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
  progress(pretrainCurve(r));
  return r;
}
