/**
 * The reward model of the alignment track: preference pairs, a frozen feature extractor (the bundled GPT),
 * and a linear reward head trained with a pairwise loss. Lesson 9's run check trains it with the learner's
 * preferenceLoss; lessons 12 (RLHF with PPO) and 13 (DPO) import it from here.
 *
 *   const { train, test } = loadPreferencePairs();              // { chosen, rejected }[] each
 *   const rm = await trainRewardModel(preferenceLoss, { onProgress: (h) => draw(h) });
 *   rm.score(['The crew felt brave.', 'The crew felt weary.']);  // e.g. [0.8, -1.1]: higher is preferred
 *   await rm.scoreAsync(manyTexts);                              // the same, onnxruntime features: faster in bulk
 *   rm.accuracy(test);                                           // held-out pair accuracy
 *   const ready = await referenceRewardModel();                  // trained once with the reference loss, cached
 *
 * The design (InstructGPT's reward model, Ouyang et al. 2022, made small): a pretrained language model reads
 * the text, and a scalar head on its last hidden states gives the reward. Here the language model stays
 * frozen and only the head learns, so the features are computed once and training takes milliseconds:
 *
 *   text -> kit GPT with the shipped weights -> ln_f output (T, C) -> mean over the T positions (C)
 *        -> standardised with the training texts' mean and std (C) -> dot with the head w (C) -> reward
 *
 * Hugging Face's AutoModelForSequenceClassification (what TRL's RewardTrainer trains) reads the hidden state of the
 * last non-padding token instead; with a frozen model and only a linear head to learn, the mean over positions gives
 * the head every character's features (lesson 9's Conventions section). The loss is TRL's, -logsigmoid(r_c - r_r).
 *
 * There is no bias: the Bradley-Terry loss only sees differences r_c - r_r, in which a bias cancels (Hugging Face's
 * score layer has none either, in GPT-2 and Llama). The standardisation makes the mean reward over the training
 * texts exactly 0; score() also divides by the rewards' std over those texts (÷ n), so rewards are in units of one
 * standard deviation, which is what PPO wants anyway.
 * Training reads the data set's features through onnxruntime (several times faster); score() uses the kit GPT,
 * synchronously, so it can sit inside a training loop, and scoreAsync() onnxruntime again.
 */
import { fail, t } from '@llm-lab/check';
import { AdamW, GPT, Rng, type Tensor, cat, layerNorm, logSoftmax, matmul, mean, narrow, neg, noGrad, randn, sub, tensor, zeros } from '@llm-lab/kit';
import { type BundledModel, shippedModel } from '@llm-lab/model';
import shippedHead from './reward-head.json';
import data from './preferences.json';

/** The Bradley–Terry loss the course's own reward model trains with: −mean log σ(r_chosen − r_rejected). */
export function referencePreferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const d = sub(rChosen, rRejected).reshape(-1, 1);
  const logWin = narrow(logSoftmax(cat([d, zeros([d.shape[0], 1])], 1), -1), 1, 0, 1);
  return neg(mean(logWin));
}

export interface PreferencePair {
  /** The text a human (here: the AFINN lexicon) prefers. */
  chosen: string;
  rejected: string;
}

export interface PreferenceData {
  train: PreferencePair[];
  /** Held out: built from words that never occur in a training pair. */
  test: PreferencePair[];
}

/** The committed pairs (preferences.json, made by make-preferences.ts from AFINN-111): fresh copies each call. */
export function loadPreferencePairs(): PreferenceData {
  const copy = (ps: readonly PreferencePair[]) => ps.map((p) => ({ chosen: p.chosen, rejected: p.rejected }));
  return { train: copy(data.pairs.train), test: copy(data.pairs.test) };
}

/** The words behind the pairs, for display: positive/negative, train/held out. */
export function preferenceWords(): typeof data.words {
  return data.words;
}

// ---------------------------------------------------------------------------------------------------------
// The frozen feature extractor

export interface FeatureExtractor {
  /** The bundled model as a kit GPT (weights loaded from the ONNX file). Treat it as read-only. */
  readonly gpt: GPT;
  readonly model: BundledModel;
  /** C, the length of one feature vector. */
  readonly dim: number;
  /**
   * Mean-pooled final hidden states: (N, C) row-major, one row per text. Texts longer than the model's
   * context keep their last blockSize characters. Throws on a character outside the vocabulary.
   */
  features(texts: readonly string[]): Float32Array;
  /** The same, computed by onnxruntime: several times faster for many texts. */
  featuresAsync(texts: readonly string[]): Promise<Float32Array>;
}

let extractor: Promise<FeatureExtractor> | undefined;

/** The shipped model as a frozen feature extractor, loaded once per process. */
export function loadFeatureExtractor(): Promise<FeatureExtractor> {
  extractor ??= buildExtractor().catch((e: unknown) => {
    extractor = undefined;
    throw e;
  });
  return extractor;
}

/** The shipped weights in a kit GPT: the same network onnxruntime runs, but synchronous and in TypeScript. */
export async function shippedGPT(model?: BundledModel): Promise<GPT> {
  const m = model ?? (await shippedModel());
  const { vocabSize, blockSize, nLayer, nHead, nEmbd } = m.config;
  const gpt = new GPT({ vocabSize, blockSize, nLayer, nHead, nEmbd });
  gpt.loadState(new Map([...m.weights()].map(([name, w]) => [name, w.data])));
  return gpt;
}

async function buildExtractor(): Promise<FeatureExtractor> {
  const model = await shippedModel();
  const gpt = await shippedGPT(model);
  const { blockSize, nEmbd: C, nLayer } = model.config;
  const pad = model.tokenizer.encode(' ')[0];
  const BATCH = 64;

  const top = `block_out_${nLayer - 1}`; // the residual stream after the last block, before ln_f

  /** A batch of texts as ids (B, T), padded on the right: the causal mask keeps padding out of every real position. */
  const encodeBatch = (texts: readonly string[]) => {
    const encoded = texts.map((t) => {
      if (!model.tokenizer.canEncode(t)) {
        const bad = [...t].find((ch) => !model.tokenizer.canEncode(ch));
        throw new Error(`reward model: the character ${JSON.stringify(bad)} in ${JSON.stringify(t)} is not in the model's vocabulary`);
      }
      return Array.from(model.tokenizer.encode(t)).slice(-blockSize);
    });
    const B = texts.length;
    const T = Math.max(1, ...encoded.map((e) => e.length));
    const ids = new Int32Array(B * T).fill(pad);
    encoded.forEach((e, b) => ids.set(e, b * T));
    return { encoded, ids, B, T };
  };

  /** ln_f of the top hidden states (B, T, C), averaged over each text's own positions: (B, C). */
  const pool = (encoded: number[][], last: Tensor, T: number): Float32Array => {
    const h = noGrad(() => layerNorm(last, gpt.ln_f.weight, gpt.ln_f.bias)).data; // (B, T, C) what the LM head reads
    const out = new Float32Array(encoded.length * C);
    encoded.forEach((e, b) => {
      for (let t = 0; t < e.length; t++) {
        for (let c = 0; c < C; c++) out[b * C + c] += h[(b * T + t) * C + c] / e.length;
      }
    });
    return out;
  };

  /** Synchronous: the kit GPT. */
  const viaKit = (texts: readonly string[]): Float32Array => {
    const { encoded, ids, B, T } = encodeBatch(texts);
    const last = noGrad(() => gpt.forward(ids, B, T, { record: true }).intermediates.get(top)!);
    return pool(encoded, last, T);
  };

  /** The same numbers (to about 1e-4) from onnxruntime: several times faster for a data set. */
  const viaOnnx = async (texts: readonly string[]): Promise<Float32Array> => {
    const { encoded, ids, B, T } = encodeBatch(texts);
    const out = (await model.run(ids, B, T, [top]))[top];
    return pool(encoded, tensor(out.data, out.shape), T);
  };

  // Features of texts already seen (a text's features never change: the GPT is frozen). Capped, so scoring an
  // endless stream of generated texts cannot grow it without bound.
  const cache = new Map<string, Float32Array>();
  const CACHE_LIMIT = 50_000;
  /** The texts not in the cache, once each, in batches of similar length (little padding). */
  const batchesToCompute = (texts: readonly string[]): string[][] => {
    const todo = [...new Set(texts.filter((t) => !cache.has(t)))].sort((a, b) => a.length - b.length);
    return Array.from({ length: Math.ceil(todo.length / BATCH) }, (_, i) => todo.slice(i * BATCH, (i + 1) * BATCH));
  };
  const remember = (chunk: string[], rows: Float32Array): void => {
    if (cache.size + chunk.length > CACHE_LIMIT) cache.clear();
    chunk.forEach((t, r) => cache.set(t, rows.slice(r * C, (r + 1) * C)));
  };
  const gather = (texts: readonly string[]): Float32Array => {
    const out = new Float32Array(texts.length * C); // (N, C)
    texts.forEach((t, i) => out.set(cache.get(t) ?? viaKit([t]), i * C)); // (a miss only if the cache was just cleared)
    return out;
  };

  return {
    gpt, model, dim: C,
    features(texts) {
      for (const chunk of batchesToCompute(texts)) remember(chunk, viaKit(chunk));
      return gather(texts);
    },
    async featuresAsync(texts) {
      for (const chunk of batchesToCompute(texts)) remember(chunk, await viaOnnx(chunk));
      return gather(texts);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Training the head

/** A pairwise loss: rewards of the chosen and rejected texts (N,) each -> a scalar to minimise. */
export type PreferenceLossFn = (rChosen: Tensor, rRejected: Tensor) => Tensor;

export interface TrainingPoint {
  step: number;
  /** The loss function's value on the training pairs at this step (before the update). */
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
}

export interface TrainOptions {
  /** Default: loadPreferencePairs(). */
  pairs?: PreferenceData;
  /** Full-batch AdamW steps. Default 150. */
  steps?: number;
  /** Default 0.05. */
  lr?: number;
  /** AdamW's decoupled weight decay on the head. Default 0.05. */
  weightDecay?: number;
  /** Called with the history so far every `progressEvery` steps and after the last one (for a live curve). */
  onProgress?: (history: readonly TrainingPoint[]) => void;
  /** Default 10. */
  progressEvery?: number;
  /** Seeds the head's initial weights. Default 0. */
  seed?: number;
}

export interface RewardModel {
  /**
   * One reward per text; higher means more preferred. Normalised: mean 0 and std 1 over the training texts.
   * Synchronous (one kit forward pass of the frozen GPT per batch of 64 texts).
   */
  score(texts: readonly string[]): number[];
  /** The same rewards (to about 1e-4), with the features computed by onnxruntime: faster for many texts. */
  scoreAsync(texts: readonly string[]): Promise<number[]>;
  /** Fraction of pairs with score(chosen) > score(rejected); a tie counts as wrong. */
  accuracy(pairs: readonly PreferencePair[]): number;
  /** One point per step. */
  readonly history: readonly TrainingPoint[];
  readonly extractor: FeatureExtractor;
  /** The head: (C,) weights over the standardised features. */
  readonly head: Float32Array;
  /** Everything scoring needs (the standardisation, the head, the spread): what reward-head.json ships. */
  readonly parameters: RewardHeadParameters;
  /** Milliseconds spent computing the training and test features, and training the head. */
  readonly timings: { featuresMs: number; trainMs: number };
}

/** Fraction of i with chosen[i] > rejected[i]: a tie is not a correct ranking (as TRL's RewardTrainer counts accuracy). */
function rankedRight(chosen: ArrayLike<number>, rejected: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < chosen.length; i++) if (chosen[i] > rejected[i]) right++;
  return chosen.length ? right / chosen.length : 0;
}

/**
 * Trains the reward head on frozen features with `lossFn` and full-batch AdamW. The loss function is called
 * once per step with the rewards of every training pair, (N,) chosen and (N,) rejected, and must return a
 * scalar Tensor that gradients flow through. Fails (a CheckFailure, in the learner's language) if it does not.
 */
export async function trainRewardModel(lossFn: PreferenceLossFn, opts: TrainOptions = {}): Promise<RewardModel> {
  const { pairs = loadPreferencePairs(), steps = 150, lr = 0.05, weightDecay = 0.05, onProgress, progressEvery = 10, seed = 0 } = opts;
  const fx = await loadFeatureExtractor();
  const C = fx.dim;

  const t0 = performance.now();
  const texts = (ps: readonly PreferencePair[]) => [...ps.map((p) => p.chosen), ...ps.map((p) => p.rejected)];
  const trainRaw = await fx.featuresAsync(texts(pairs.train)); // (2N, C): chosen rows, then rejected rows
  const testRaw = await fx.featuresAsync(texts(pairs.test)); //   (2M, C)
  const featuresMs = performance.now() - t0;

  // Standardise every feature with the training texts' statistics (the head then trains well with one lr).
  const rows = trainRaw.length / C;
  const mu = new Float64Array(C);
  const sd = new Float64Array(C);
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) mu[c] += trainRaw[r * C + c] / rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) sd[c] += (trainRaw[r * C + c] - mu[c]) ** 2 / rows;
  for (let c = 0; c < C; c++) sd[c] = Math.sqrt(sd[c]) + 1e-6;
  const standardise = (raw: Float32Array): Float32Array => raw.map((v, i) => (v - mu[i % C]) / sd[i % C]);

  const N = pairs.train.length;
  const M = pairs.test.length;
  const train = standardise(trainRaw);
  const test = standardise(testRaw);
  const zChosen = tensor(train.subarray(0, N * C), [N, C]);
  const zRejected = tensor(train.subarray(N * C), [N, C]);
  // The head (C, 1), small and random: with exact zeros every pair would start as a tie (d = 0), where a loss
  // built from relu has gradient 0 (relu'(0) = 0) and training would never start.
  const w = randn([C, 1], new Rng(seed), 0.01, { requiresGrad: true });
  const opt = new AdamW([w], { lr, weightDecay, betas: [0.9, 0.99] });

  const rewards = (z: Float32Array): Float32Array => noGrad(() => matmul(tensor(z, [z.length / C, C]), w).data); // (n,)
  const accuracyOn = (z: Float32Array, n: number): number => {
    const r = rewards(z);
    return rankedRight(r.subarray(0, n), r.subarray(n));
  };

  const history: TrainingPoint[] = [];
  const t1 = performance.now();
  for (let step = 0; step <= steps; step++) {
    opt.zeroGrad();
    const rc = matmul(zChosen, w).reshape(N); //   (N,)
    const rr = matmul(zRejected, w).reshape(N); // (N,)
    const loss = lossFn(rc, rr);
    const value = loss.size === 1 ? loss.data[0] : NaN;
    history.push({ step, loss: value, trainAccuracy: rankedRight(rc.data, rr.data), testAccuracy: accuracyOn(test, M) });
    if (onProgress && (step % progressEvery === 0 || step === steps)) {
      onProgress(history);
      await new Promise((resolve) => setImmediate(resolve)); // let a live chart's message go out
    }
    if (step === steps) break;
    if (loss.size !== 1) {
      const shape = `[${loss.shape.join(', ')}]`;
      fail(t(`the preference loss must be a scalar, got shape ${shape}`, `偏好损失必须是标量，实际形状为 ${shape}`));
    }
    if (!loss.requiresGrad) {
      fail(t('the preference loss does not depend on the rewards: no gradient can reach the reward head',
        '偏好损失与奖励无关：没有梯度能传到奖励头'));
    }
    loss.backward();
    opt.step();
  }
  const trainMs = performance.now() - t1;
  const head = Float32Array.from(w.data);

  // Rewards are reported in units of their spread over the training texts (mean 0 there by construction, std 1),
  // as Ziegler et al. (2019) normalise their reward model before RL: the scale of PPO's rewards then does not
  // depend on how long the head was trained. Dividing by a positive number changes no ranking.
  const trainRewards = rewards(train);
  const spread = Math.sqrt(trainRewards.reduce((s, r) => s + r * r, 0) / trainRewards.length) || 1;
  const parameters: RewardHeadParameters = { mu: Array.from(mu), sd: Array.from(sd), head: Array.from(head), spread };
  return { ...scorer(fx, parameters), history, head, parameters, timings: { featuresMs, trainMs } };
}

/** What scores a text once the head is trained: the features' standardisation, the head, the rewards' spread. */
export interface RewardHeadParameters {
  /** (C) mean and standard deviation (+1e-6) of each feature over the training texts. */
  mu: number[];
  sd: number[];
  /** (C) the head's weights over the standardised features (float32 values). */
  head: number[];
  /** RMS of the raw rewards over the training texts: rewards are divided by it. */
  spread: number;
}

/** Scoring with given parameters: the same arithmetic as right after training, so the same numbers. */
function scorer(fx: FeatureExtractor, p: RewardHeadParameters): Pick<RewardModel, 'score' | 'scoreAsync' | 'accuracy' | 'extractor'> {
  const C = fx.dim;
  if (p.mu.length !== C || p.sd.length !== C || p.head.length !== C) throw new Error(`reward head: parameters for ${p.head.length} features, the model has ${C}`);
  const mu = Float64Array.from(p.mu);
  const sd = Float64Array.from(p.sd);
  const w = tensor(Float32Array.from(p.head), [C, 1]);
  const standardise = (raw: Float32Array): Float32Array => raw.map((v, i) => (v - mu[i % C]) / sd[i % C]);
  const fromFeatures = (raw: Float32Array): number[] => {
    const z = standardise(raw);
    return Array.from(noGrad(() => matmul(tensor(z, [z.length / C, C]), w).data), (r) => r / p.spread);
  };
  const score = (input: readonly string[]): number[] => (input.length ? fromFeatures(fx.features(input)) : []);
  return {
    score,
    async scoreAsync(input) {
      return input.length ? fromFeatures(await fx.featuresAsync(input)) : [];
    },
    accuracy(ps) {
      const s = score([...ps.map((q) => q.chosen), ...ps.map((q) => q.rejected)]);
      return rankedRight(s.slice(0, ps.length), s.slice(ps.length));
    },
    extractor: fx,
  };
}

/**
 * The reference reward model's scoring as shipped in reward-head.json (written by make-reward-head.ts from
 * referenceRewardModel(); a test trains it again and compares): the RLHF and DPO checks score with it without
 * spending 1.7 s training the head in every run. The features are still the bundled model's.
 */
export async function shippedRewardScorer(): Promise<Pick<RewardModel, 'score' | 'scoreAsync' | 'accuracy' | 'extractor'>> {
  return scorer(await loadFeatureExtractor(), shippedHead as RewardHeadParameters);
}

let reference: Promise<RewardModel> | undefined;

/** A reward model trained with the reference loss and the default options, once per process. */
export function referenceRewardModel(): Promise<RewardModel> {
  reference ??= trainRewardModel(referencePreferenceLoss).catch((e: unknown) => {
    reference = undefined;
    throw e;
  });
  return reference;
}
