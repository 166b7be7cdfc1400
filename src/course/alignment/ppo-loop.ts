/**
 * The RLHF loop of the RLHF lesson: PPO on the bundled model, with the learner's own pieces plugged in.
 *
 *   for each iteration:
 *     sample a continuation of each prompt from the policy               (rl-model.ts, KV cache, seeded)
 *     score each whole text with the reward model                         (a parameter: any texts -> numbers)
 *     log-probs of the sampled tokens under the policy and the reference, values V(s)
 *     per-token rewards       = learner's tokenRewards(score, logp, refLogp, klCoef)
 *     advantages, returns     = learner's episodeAdvantages(rewards, values, gamma, lambda)   (their GAE)
 *     advantages normalised   = learner's normalizeAdvantages (PPO objective), over every token of the batch
 *                               (where TRL whitens them with masked_whiten)
 *     a few epochs of AdamW on  learner's ppoPolicyLoss + 0.5 * learner's valueLoss   (PPO objective)
 *
 * Used by the checks of the RLHF and DPO lessons and by test/bench/rlhf.ts. Everything random is seeded, so two runs
 * with the same learner code and the same model give the same numbers.
 */
import { fail, t } from '@llm-lab/check';
import { AdamW, Rng, type Tensor, add, clipGradNorm, mul, noGrad, tensor } from '@llm-lab/kit';
import { type RlModel, exactKl, features, head, makeBatch, responsePositions, sample, values } from './rl-model';

/** What the loop needs from the learner (the RLHF lesson's glue and the PPO-objective lesson's losses). */
export interface PpoPieces {
  tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[];
  episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number): { advantages: number[]; returns: number[] };
  normalizeAdvantages(a: number[]): number[];
  ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor;
  valueLoss(values: Tensor, returns: Tensor): Tensor;
}

/** Whole texts (prompt + continuation) -> one score each (higher is better). */
export type RewardFn = (texts: string[]) => number[] | Promise<number[]>;

/**
 * Openings in the style of the reward-model lesson's sentences (the reward model read those), and a few more from the book.
 * Every character is in the model's vocabulary.
 */
export const PROMPTS = [
  'The crew felt ', 'It was ', 'Starbuck cried, "', 'The mate wrote: ', 'And then, ', 'Queequeg said, "', 'A ', 'The sea was ',
  'Ahab said, "', 'I felt ', 'The whale was ', 'My heart was ', 'We were ', 'The ship was ', 'He looked ', 'All day the ',
];

/**
 * The evaluation of the RLHF and DPO lessons, before and after training: four continuations of each prompt (64
 * in all, PROMPTS four times over), with this seed. The first PROMPTS.length samples hold one continuation of each prompt
 * (what the samples tables show). Sixteen samples were too few: their mean reward, with a spread of about 1 from
 * one text to the next, moved by ±0.25 with any change to the sampled texts, and the untrained model's sixteen
 * scored −0.77 where its mean over many is about −0.65.
 */
export const EVAL = { prompts: [...PROMPTS, ...PROMPTS, ...PROMPTS, ...PROMPTS], seed: 2024, shown: PROMPTS.length };

export interface PpoOptions {
  iterations: number;
  /** Continuations per iteration (prompts are drawn from PROMPTS). */
  batch: number;
  /** Characters generated per continuation. */
  newTokens: number;
  /** Passes of PPO over each batch. */
  epochs: number;
  lr: number;
  /** Learning rate of the value head. */
  valueLr: number;
  klCoef: number;
  clipEps: number;
  gamma: number;
  lambda: number;
  seed: number;
}

export const PPO_DEFAULTS: PpoOptions = {
  iterations: 30, batch: 16, newTokens: 20, epochs: 4, lr: 1.5e-3, valueLr: 3e-3, klCoef: 0.1, clipEps: 0.2, gamma: 1, lambda: 0.95, seed: 12,
};

export interface Sampled {
  prompt: string;
  text: string;
  reward: number;
}

export interface IterationStats {
  iteration: number;
  /** Mean reward-model score of this iteration's continuations. */
  reward: number;
  /** Mean over continuations of the summed exact KL(policy || reference) per generated token, in nats. */
  kl: number;
  /** Mean PPO policy loss of the last epoch. */
  policyLoss: number;
  /** Fraction of the tokens whose ratio was outside [1 − ε, 1 + ε] in the last epoch. */
  clipFraction: number;
  seconds: number;
}

export interface Evaluation {
  /** Mean score of the evaluation samples. */
  reward: number;
  /** Mean summed KL to the reference. */
  kl: number;
  samples: Sampled[];
}

/** Samples one continuation of each prompt with a fixed seed, scores it, and measures KL to the reference. */
export async function evaluate(model: RlModel, reward: RewardFn, prompts: readonly string[], newTokens: number, seed: number): Promise<Evaluation> {
  const encoded = prompts.map((p) => model.encode(p));
  const rows = sample(model, encoded, fitting(model, encoded, newTokens), new Rng(seed));
  const texts = rows.map((r, b) => model.decode(r.slice(encoded[b].length)));
  const scores = await reward(rows.map((r) => model.decode(r)));
  const kl = sequenceKl(model, rows, encoded.map((p) => p.length));
  return {
    reward: mean(scores), kl: mean(kl),
    samples: prompts.map((prompt, b) => ({ prompt, text: texts[b], reward: scores[b] })),
  };
}

/** Summed exact KL(policy || reference) over each row's response positions. */
export function sequenceKl(model: RlModel, rows: number[][], promptLen: number[]): number[] {
  const batch = makeBatch(rows, promptLen);
  const pos = responsePositions(batch);
  return noGrad(() => {
    const feats = features(model, batch);
    const kl = exactKl(head(model, 'policy', feats, pos).logits, head(model, 'reference', feats, pos).logits);
    const out = new Array<number>(batch.B).fill(0);
    pos.row.forEach((b, j) => { out[b] += kl[j]; });
    return out;
  });
}

/** newTokens, or fewer if the longest prompt would not leave room in the model's context. */
export function fitting(model: RlModel, prompts: readonly number[][], newTokens: number): number {
  return Math.min(newTokens, model.config.blockSize - Math.max(...prompts.map((p) => p.length)));
}

/** A text for a table cell: newlines shown as ⏎. */
export const visible = (text: string): string => text.replace(/\n/g, '⏎');

export const mean = (a: readonly number[]): number => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);

/**
 * Runs PPO. `onIteration` sees each iteration's numbers as they come (the live curves). Throws what the
 * learner's functions throw; checks the shapes of what they return (a failed check, in the learner's language).
 */
export async function runPpo(model: RlModel, pieces: PpoPieces, reward: RewardFn, options: Partial<PpoOptions> = {},
  onIteration?: (s: IterationStats, history: IterationStats[]) => void): Promise<IterationStats[]> {
  const o = { ...PPO_DEFAULTS, ...options };
  const rng = new Rng(o.seed);
  // No weight decay: it would pull the policy towards 0, not towards the reference. The value head starts at 0
  // and has everything to learn, so it gets a larger step.
  const optimizer = new AdamW(model.trainable, { lr: o.lr, weightDecay: 0, betas: [0.9, 0.95] });
  const valueOptimizer = new AdamW([model.value.weight, model.value.bias], { lr: o.valueLr, weightDecay: 0, betas: [0.9, 0.95] });
  const history: IterationStats[] = [];
  const started = performance.now();
  for (let it = 0; it < o.iterations; it++) {
    // 1. Roll out: one continuation per row, from the current policy.
    const prompts = Array.from({ length: o.batch }, () => PROMPTS[rng.randint(0, PROMPTS.length)]);
    const encoded = prompts.map((p) => model.encode(p));
    const rows = sample(model, encoded, fitting(model, encoded, o.newTokens), rng);
    const batch = makeBatch(rows, encoded.map((p) => p.length));
    const pos = responsePositions(batch);
    const scores = await reward(rows.map((r) => model.decode(r)));

    // 2. What the rollout policy and the reference thought of those tokens, and the values.
    const feats = features(model, batch); // (B, T, C), frozen: shared by every epoch
    const { old, ref, vals, kl } = noGrad(() => {
      const p = head(model, 'policy', feats, pos);
      const r = head(model, 'reference', feats, pos);
      return { old: p.logProbs.data.slice(), ref: r.logProbs.data.slice(), vals: values(model, p.hidden).data.slice(), kl: exactKl(p.logits, r.logits) };
    });

    // 3. The learner's glue: per-token rewards, GAE per continuation, normalised advantages.
    const advantages: number[] = [];
    const returns: number[] = [];
    let start = 0;
    for (let b = 0; b < batch.B; b++) {
      const n = batch.responseLen[b];
      const slice = (a: Float32Array) => Array.from(a.subarray(start, start + n));
      const rewards = pieces.tokenRewards(scores[b], slice(old), slice(ref), o.klCoef);
      expectNumbers(rewards, n, 'tokenRewards');
      const r = pieces.episodeAdvantages(rewards, slice(vals), o.gamma, o.lambda);
      expectNumbers(r?.advantages, n, 'episodeAdvantages(...).advantages');
      expectNumbers(r?.returns, n, 'episodeAdvantages(...).returns');
      advantages.push(...r.advantages);
      returns.push(...r.returns);
      start += n;
    }
    const normalised = pieces.normalizeAdvantages(advantages);
    expectNumbers(normalised, advantages.length, 'normalizeAdvantages');
    const oldT = tensor(old);
    const advT = tensor(normalised);
    const retT = tensor(returns);

    // 4. A few epochs of PPO on this batch.
    let policyLoss = 0;
    let clipFraction = 0;
    for (let e = 0; e < o.epochs; e++) {
      const p = head(model, 'policy', feats, pos);
      const pg = pieces.ppoPolicyLoss(p.logProbs, oldT, advT, o.clipEps);
      const vl = pieces.valueLoss(values(model, p.hidden), retT);
      if (e === o.epochs - 1) clipFraction = mean(Array.from(p.logProbs.data, (lp, j) => (Math.abs(Math.exp(lp - old[j]) - 1) > o.clipEps ? 1 : 0)));
      optimizer.zeroGrad();
      valueOptimizer.zeroGrad();
      const loss = pg.size === 1 && vl.size === 1 ? addScalars(pg, vl, 0.5) : undefined;
      if (!loss) {
        fail(t(`ppoPolicyLoss and valueLoss must return one number each (a tensor of size 1), got sizes ${pg.size} and ${vl.size}`,
          `ppoPolicyLoss 和 valueLoss 都应返回一个数（大小为 1 的张量），实际大小是 ${pg.size} 和 ${vl.size}`));
      }
      loss.backward();
      clipGradNorm(model.trainable, 1);
      optimizer.step();
      valueOptimizer.step();
      policyLoss = pg.item();
    }
    const stats: IterationStats = {
      iteration: it, reward: mean(scores), kl: mean(sumPerRow(kl, pos.row, batch.B)), policyLoss, clipFraction,
      seconds: (performance.now() - started) / 1000,
    };
    history.push(stats);
    onIteration?.(stats, history);
  }
  return history;
}

/** a + wb * b for two one-element tensors. */
function addScalars(a: Tensor, b: Tensor, wb: number): Tensor {
  return add(a.reshape(1), mul(b.reshape(1), wb)); // (1)
}

function sumPerRow(perToken: readonly number[], row: readonly number[], B: number): number[] {
  const out = new Array<number>(B).fill(0);
  row.forEach((b, j) => { out[b] += perToken[j]; });
  return out;
}

function expectNumbers(a: unknown, n: number, what: string): asserts a is number[] {
  if (!Array.isArray(a) || a.length !== n || a.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    const nonFinite = Array.isArray(a) && a.some((x) => !Number.isFinite(x));
    const got = Array.isArray(a)
      ? t(`an array of length ${a.length}${nonFinite ? ' with a non-finite value' : ''}`, `长度为 ${a.length} 的数组${nonFinite ? '（含有非有限值）' : ''}`)
      : t(typeof a, typeof a);
    fail(t(`${what} returned ${got.en}, expected ${n} finite numbers (one per generated token)`,
      `${what} 返回了${got['zh-cn']}，应返回 ${n} 个有限的数（每个生成的 token 一个）`));
  }
}
