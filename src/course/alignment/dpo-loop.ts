/**
 * The DPO run of the DPO lesson: the same policy as the RLHF lesson (the bundled model, only its last block and
 * final LayerNorm train, a frozen reference copy), trained on preference pairs with the learner's dpoLoss.
 *
 *   log π(y | x) = Σ_t log π(y_t | x, y_<t)   x: the start the two texts of a pair share ("The crew felt "),
 *                                             y: the rest ("brave." or "weary.")
 *
 * Summed over the tokens of y, the prompt excluded, as TRL's DPOTrainer does for its default loss (it averages
 * per token only for loss_type="ipo").
 *
 * The reference's log-probabilities and the frozen trunk's features of every pair are computed once, before
 * the first step; each step then runs the last block forward and backward on a minibatch of pairs.
 * Used by the checks of the DPO lesson and by test/bench/rlhf.ts. Seeded: same code, same numbers.
 */
import { fail, t } from '@llm-lab/check';
import { AdamW, Rng, type Tensor, clipGradNorm, matmul, noGrad, tensor } from '@llm-lab/kit';
import { type Batch, type RlModel, features, head, makeBatch, responsePositions } from './rl-model';

export interface Pair {
  chosen: string;
  rejected: string;
}

export type DpoLossFn = (policyChosen: Tensor, policyRejected: Tensor, refChosen: Tensor, refRejected: Tensor, beta: number) => Tensor;

export interface DpoOptions {
  steps: number;
  /** Pairs per step. */
  batch: number;
  /** At most this many training pairs are used (their features are computed once). */
  maxPairs: number;
  lr: number;
  beta: number;
  seed: number;
}

export const DPO_DEFAULTS: DpoOptions = { steps: 50, batch: 16, maxPairs: 128, lr: 1.5e-3, beta: 0.1, seed: 13 };

export interface DpoStats {
  step: number;
  loss: number;
  /** Fraction of this step's pairs whose implicit reward prefers the chosen text. */
  accuracy: number;
  /** Mean β·margin of this step's pairs (the implicit reward gap). */
  margin: number;
  seconds: number;
}

/** One minibatch, prepared once: frozen features, positions, the reference's sequence log-probs. */
interface Prepared {
  batch: Batch;
  feats: Tensor;
  pos: ReturnType<typeof responsePositions>;
  /** (2b, M): row i sums the log-probs of sequence i (chosen rows first, then rejected). */
  summer: Tensor;
  refChosen: Tensor;
  refRejected: Tensor;
  b: number;
}

/** The pairs whose texts the model can read, cut to its context. */
export function usablePairs(model: RlModel, pairs: readonly Pair[]): { pair: Pair; chosen: number[]; rejected: number[] }[] {
  const out: { pair: Pair; chosen: number[]; rejected: number[] }[] = [];
  for (const pair of pairs) {
    try {
      const cut = (s: string) => model.encode(s).slice(0, model.config.blockSize);
      const [chosen, rejected] = [cut(pair.chosen), cut(pair.rejected)];
      if (chosen.length >= 2 && rejected.length >= 2) out.push({ pair, chosen, rejected });
    } catch {
      // a character outside the vocabulary: skip the pair
    }
  }
  return out;
}

function prepare(model: RlModel, group: { chosen: number[]; rejected: number[] }[]): Prepared {
  const b = group.length;
  const rows = [...group.map((g) => g.chosen), ...group.map((g) => g.rejected)]; // 2b sequences
  const shared = group.map((g) => sharedPrefix(g.chosen, g.rejected));
  const batch = makeBatch(rows, [...shared, ...shared]);
  const pos = responsePositions(batch);
  const summer = new Float32Array(2 * b * pos.row.length);
  pos.row.forEach((r, j) => { summer[r * pos.row.length + j] = 1; });
  const summerT = tensor(summer, [2 * b, pos.row.length]);
  const feats = features(model, batch);
  const ref = noGrad(() => sequenceLogProbs(model, 'reference', feats, pos, summerT));
  return { batch, feats, pos, summer: summerT, refChosen: tensor(ref.data.slice(0, b)), refRejected: tensor(ref.data.slice(b)), b };
}

function sequenceLogProbs(model: RlModel, which: 'policy' | 'reference', feats: Tensor, pos: Prepared['pos'], summer: Tensor): Tensor {
  const lp = head(model, which, feats, pos).logProbs; //       (M)
  return matmul(summer, lp.reshape(lp.size, 1)).reshape(summer.shape[0]); // (2b)
}

/** Length of the start two texts share (the prompt), at least 1 and leaving at least one token of each. */
export function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length - 1 && n < b.length - 1 && a[n] === b[n]) n++;
  return Math.max(1, n);
}

/** Trains the policy with `loss` on the pairs. `onStep` sees each step's numbers as they come. */
export function runDpo(model: RlModel, loss: DpoLossFn, pairs: readonly Pair[], options: Partial<DpoOptions> = {},
  onStep?: (s: DpoStats, history: DpoStats[]) => void): DpoStats[] {
  const o = { ...DPO_DEFAULTS, ...options };
  const rng = new Rng(o.seed);
  const usable = rng.shuffle(usablePairs(model, pairs)).slice(0, o.maxPairs);
  if (usable.length < o.batch) throw new Error(`runDpo: only ${usable.length} usable preference pairs`);
  // Minibatches of pairs of similar length (Hugging Face's group_by_length): a batch is padded to its longest text,
  // so mixed lengths waste a fifth of every step on padding. The batches then come in a shuffled order.
  const byLength = [...usable].sort((a, b) => Math.max(a.chosen.length, a.rejected.length) - Math.max(b.chosen.length, b.rejected.length));
  const groups: Prepared[] = [];
  for (let i = 0; i + o.batch <= byLength.length; i += o.batch) groups.push(prepare(model, byLength.slice(i, i + o.batch)));
  rng.shuffle(groups);
  const optimizer = new AdamW(model.trainable, { lr: o.lr, weightDecay: 0, betas: [0.9, 0.95] });
  const history: DpoStats[] = [];
  const started = performance.now();
  for (let step = 0; step < o.steps; step++) {
    const g = groups[step % groups.length];
    const policy = sequenceLogProbs(model, 'policy', g.feats, g.pos, g.summer); // (2b), with a graph
    const idx = (from: number) => Int32Array.from({ length: g.b }, (_, i) => from + i);
    const pc = pick(policy, idx(0));
    const pr = pick(policy, idx(g.b));
    const l = loss(pc, pr, g.refChosen, g.refRejected, o.beta);
    if (!l || typeof l !== 'object' || l.size !== 1) {
      const got = l && typeof l === 'object' ? t(`shape (${l.shape.join(', ')})`, `形状为 (${l.shape.join(', ')}) 的张量`) : t(String(l), String(l));
      fail(t(`dpoLoss must return a one-element Tensor, got ${got.en}`, `dpoLoss 必须返回只有一个元素的张量，实际得到 ${got['zh-cn']}`));
    }
    if (!l.requiresGrad) {
      fail(t('dpoLoss returned a Tensor without a graph: no gradient can reach the policy. Build it from its arguments with kit ops.',
        'dpoLoss 返回的张量没有计算图：梯度传不到策略。请用工具包的运算从参数构造它。'));
    }
    optimizer.zeroGrad();
    l.backward();
    clipGradNorm(model.trainable, 1);
    optimizer.step();
    const margins = Array.from({ length: g.b }, (_, i) => o.beta * ((pc.data[i] - g.refChosen.data[i]) - (pr.data[i] - g.refRejected.data[i])));
    const stats: DpoStats = {
      step, loss: l.data[0], accuracy: margins.filter((m) => m > 0).length / g.b, margin: margins.reduce((s, m) => s + m, 0) / g.b,
      seconds: (performance.now() - started) / 1000,
    };
    history.push(stats);
    onStep?.(stats, history);
  }
  return history;
}

/** Entries `idx` of a 1-D tensor, with gradient. */
function pick(x: Tensor, idx: Int32Array): Tensor {
  const sel = new Float32Array(idx.length * x.size);
  idx.forEach((j, i) => { sel[i * x.size + j] = 1; });
  return matmul(tensor(sel, [idx.length, x.size]), x.reshape(x.size, 1)).reshape(idx.length); // (b)
}
