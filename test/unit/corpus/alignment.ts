/**
 * The alignment track's grading-truth corpus (see test/unit/corpus.ts): other correct styles and one-bug variants of
 * lessons 9 (reward-model/loss), 10 (gae/advantages) and 11 (ppo/objective), written the way learners write, not
 * from the catalogues. Bug lines are computed from a marker (the text of the faulty line) in the resulting file.
 *
 * Budget: lesson 9's last check trains a reward model; only two entries (two correct styles) run it, every other
 * entry runs the quick checks. Lessons 10 and 11 have no training check.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

/** The 1-based line of the one occurrence of `marker` in `source`. */

interface BugOptions {
  /** The text of the faulty line (default: the first line of the last edit's replacement). */
  at?: string;
  catalogued?: string;
  kitOps?: boolean;
  checks?: string[];
}

/** A bug written as edits of the reference solution. */
function editBug(exercise: string, solution: string, name: string, edits: [string, string][], o: BugOptions = {}): CorpusEntry {
  const file = withEdits(readFileSync(path.join(LESSONS, solution), 'utf8'), edits, name);
  const at = o.at ?? edits[edits.length - 1][1].split('\n')[0];
  return { exercise, name, kind: 'bug', edits, line: lineOf(file, at, name), catalogued: o.catalogued, kitOps: o.kitOps, checks: o.checks };
}

/** A bug written as a whole file. */
function sourceBug(exercise: string, name: string, source: string, at: string, o: BugOptions = {}): CorpusEntry {
  return { exercise, name, kind: 'bug', source, line: lineOf(source, at, name), catalogued: o.catalogued, kitOps: o.kitOps, checks: o.checks };
}

/** A bug written as edits of one of this corpus's correct files. */
function variantBug(exercise: string, base: string, name: string, edits: [string, string][], o: BugOptions = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  return sourceBug(exercise, name, source, o.at ?? edits[edits.length - 1][1].split('\n')[0], o);
}

const correct = (exercise: string, name: string, source: string, checks?: string[]): CorpusEntry => ({ exercise, name, kind: 'correct', source, checks });

// =====================================================================================================================
// Lesson 9: reward-model/loss (preferenceLoss, pairAccuracy)

const RM = 'reward-model/loss';
const RM_SOLUTION = '09-reward-model/reward.solution.ts';
/** Every check but the training run. */
const RM_QUICK = ['preferenceLoss: three pairs', 'preferenceLoss: no preference', 'preferenceLoss: 64 random', 'preferenceLoss: gradients',
  'preferenceLoss: stable', 'pairAccuracy: strictly', 'pairAccuracy: random'];
const RM_LOSS = RM_QUICK.slice(0, 5);
const RM_ACCURACY = RM_QUICK.slice(5);

/** Softplus from relus, as the lesson's section 3 writes it; accuracy with a counting loop. */
const RM_SOFTPLUS = `import { type Tensor, add, exp, log, mean, neg, relu, sub } from '@llm-lab/kit';

/** softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^(-|x|)): the exponent is never positive. */
function softplus(x: Tensor): Tensor {
  const abs = add(relu(x), relu(neg(x)));
  return add(relu(x), log(add(exp(neg(abs)), 1)));
}

export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const d = sub(rChosen, rRejected);
  const perPair = softplus(neg(d)); // -log σ(d)
  return mean(perPair);
}

export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  const n = rChosen.length;
  if (n !== rRejected.length) throw new Error('pairAccuracy: the lengths differ');
  if (n === 0) throw new Error('pairAccuracy: no pairs');
  let right = 0;
  for (let i = 0; i < n; i++) {
    if (rChosen[i] > rRejected[i]) right += 1;
  }
  return right / n;
}
`;

/** The kit's crossEntropy on the logits (d, 0) with target class 0; accuracy with filter. */
const RM_CROSS_ENTROPY = `import { type Tensor, cat, crossEntropy, sub, zeros } from '@llm-lab/kit';

export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const n = rChosen.shape[0];
  const logits = cat([sub(rChosen, rRejected).reshape(n, 1), zeros([n, 1])], 1); // class 0: "chosen wins"
  const targets = new Array<number>(n).fill(0);
  return crossEntropy(logits, targets);
}

export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  if (rChosen.length !== rRejected.length || rChosen.length === 0) {
    throw new RangeError(\`pairAccuracy: \${rChosen.length} and \${rRejected.length} rewards\`);
  }
  const wins = Array.from(rChosen).filter((c, i) => c > rRejected[i]).length;
  return wins / rChosen.length;
}
`;

/** logSoftmax over the two rewards of each pair, stacked as rows (2, N), along axis 0; accuracy in float64. */
const RM_ROWS = `import { type Tensor, cat, logSoftmax, mean, narrow, neg } from '@llm-lab/kit';

export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const both = cat([rChosen.reshape(1, -1), rRejected.reshape(1, -1)], 0); // (2, N)
  const logp = logSoftmax(both, 0); // over the two texts of each pair
  const logWin = narrow(logp, 0, 0, 1); // (1, N): rc - log(e^rc + e^rr) = log σ(rc - rr)
  return neg(mean(logWin));
}

export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  const c = Float64Array.from(rChosen);
  const r = Float64Array.from(rRejected);
  if (c.length !== r.length) throw new Error('mismatched lengths');
  if (!c.length) throw new Error('empty');
  let wins = 0;
  c.forEach((v, i) => {
    wins += v > r[i] ? 1 : 0;
  });
  return wins / c.length;
}
`;

/** log σ(d) = -relu(-d) - log(1 + e^(-|d|)), summed and scaled by -1/N; accuracy with a while loop. */
const RM_SUM = `import { type Tensor, add, exp, log, mul, neg, relu, sub, sum } from '@llm-lab/kit';

export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const n = rChosen.size;
  const d = sub(rChosen, rRejected);
  const absD = add(relu(d), relu(neg(d)));
  const logSigmoid = sub(neg(relu(neg(d))), log(add(1, exp(neg(absD)))));
  return mul(sum(logSigmoid), -1 / n);
}

export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  const n = rChosen.length;
  if (n === 0 || n !== rRejected.length) throw new Error('pairAccuracy needs two equally long, non-empty lists');
  let i = 0;
  let count = 0;
  while (i < n) {
    if (rChosen[i] - rRejected[i] > 0) count++;
    i++;
  }
  return count / n;
}
`;

/** crossEntropy on the logits (0, -d)... written as (rRejected - rChosen, 0) with target class 1, mean via mul. */
const RM_CLASS_ONE = `import { type Tensor, cat, crossEntropy, sub, zeros } from '@llm-lab/kit';

export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const n = rChosen.shape[0];
  const flipped = sub(rRejected, rChosen).reshape(-1, 1);
  const logits = cat([flipped, zeros([n, 1])], 1); // logits (-d, 0): class 1 wins with probability σ(d)
  return crossEntropy(logits, Array.from({ length: n }, () => 1));
}

export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  if (rChosen.length !== rRejected.length) throw new Error('lengths differ');
  if (rChosen.length < 1) throw new Error('no pairs');
  let right = 0;
  for (const [i, c] of Array.from(rChosen).entries()) {
    if (c > rRejected[i]) right++;
  }
  return right / rChosen.length;
}
`;

/** logSoftmax over (d, 0) per row and gather of column 0, averaged along axis 0. */
const RM_GATHER = `import { type Tensor, cat, gather, logSoftmax, mean, neg, sub, zeros } from '@llm-lab/kit';

export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const n = rChosen.shape[0];
  const d = sub(rChosen, rRejected).reshape(n, 1);
  const logp = logSoftmax(cat([d, zeros([n, 1])], 1), 1); // (N, 2)
  const logWin = gather(logp, 1, new Array<number>(n).fill(0), [n, 1]); // (N, 1)
  return neg(mean(logWin, 0));
}

export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  if (rChosen.length !== rRejected.length) throw new Error(\`pairAccuracy: \${rChosen.length} vs \${rRejected.length}\`);
  if (rChosen.length === 0) throw new Error('pairAccuracy: nothing to score');
  let right = 0;
  for (let i = 0; i < rChosen.length; i++) right += Number(rChosen[i] > rRejected[i]);
  return right / rChosen.length;
}
`;

const REWARD: CorpusEntry[] = [
  correct(RM, 'gather of column 0 of a per-row logSoftmax, mean along axis 0', RM_GATHER, RM_QUICK),
  correct(RM, 'softplus from relus (the lesson\'s section 3), counting loop', RM_SOFTPLUS),
  correct(RM, 'crossEntropy on logits (d, 0) with target 0, accuracy with filter', RM_CROSS_ENTROPY),
  correct(RM, 'logSoftmax over the rewards stacked as rows, along axis 0; Float64Array accuracy', RM_ROWS, RM_QUICK),
  correct(RM, 'log σ(d) = -relu(-d) - log(1 + e^-|d|), summed times -1/N; while loop', RM_SUM, RM_QUICK),
  correct(RM, 'crossEntropy on logits (-d, 0) with target 1; for-of over entries', RM_CLASS_ONE, RM_QUICK),

  // ----- bugs no catalogue names
  variantBug(RM, RM_SUM, 'averaged over N - 1 pairs', [['mul(sum(logSigmoid), -1 / n)', 'mul(sum(logSigmoid), -1 / (n - 1))']], { kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_SOFTPLUS, 'softplus without its max(x, 0) term', [['return add(relu(x), log(add(exp(neg(abs)), 1)));', 'return log(add(exp(neg(abs)), 1));']], { kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_SOFTPLUS, 'the mean difference through softplus (mean taken first)', [['const perPair = softplus(neg(d)); // -log σ(d)', 'const perPair = softplus(neg(mean(d))); // -log σ(d)']], { kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_ROWS, 'gradient stopped at the rejected rewards', [['cat([rChosen.reshape(1, -1), rRejected.reshape(1, -1)], 0)', 'cat([rChosen.reshape(1, -1), rRejected.detach().reshape(1, -1)], 0)']], { kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_SOFTPLUS, 'accuracy loop starts at 1', [['for (let i = 0; i < n; i++) {', 'for (let i = 1; i < n; i++) {']], { checks: RM_ACCURACY }),
  variantBug(RM, RM_CROSS_ENTROPY, 'accuracy over no pairs returns 0 instead of throwing', [['if (rChosen.length !== rRejected.length || rChosen.length === 0) {', 'if (rChosen.length !== rRejected.length) {']], { checks: RM_ACCURACY }),
  variantBug(RM, RM_SOFTPLUS, 'the difference floored at -50 "for safety"', [['const d = sub(rChosen, rRejected);', 'const d = sub(relu(add(sub(rChosen, rRejected), 50)), 50);']], { kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_GATHER, 'a hinge loss relu(1 - d) instead of the log-likelihood', [['const logWin = gather(logp, 1, new Array<number>(n).fill(0), [n, 1]); // (N, 1)', 'const logWin = neg(relu(sub(1, d)));'],
    ["import { type Tensor, cat, gather, logSoftmax, mean, neg, sub, zeros } from '@llm-lab/kit';", "import { type Tensor, cat, gather, logSoftmax, mean, neg, relu, sub, zeros } from '@llm-lab/kit';"]],
  { at: 'const logWin = neg(relu(sub(1, d)));', kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_SUM, 'accuracy divides by n + 1', [['return count / n;', 'return count / (n + 1);']], { checks: RM_ACCURACY }),

  // ----- catalogued mistakes written a new way
  variantBug(RM, RM_ROWS, 'the rejected row of the two-way log-softmax', [['const logWin = narrow(logp, 0, 0, 1);', 'const logWin = narrow(logp, 0, 1, 1);']], { catalogued: 'sign-flipped', kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_CROSS_ENTROPY, 'crossEntropy negated', [['return crossEntropy(logits, targets);', 'return neg(crossEntropy(logits, targets));'],
    ["import { type Tensor, cat, crossEntropy, sub, zeros } from '@llm-lab/kit';", "import { type Tensor, cat, crossEntropy, neg, sub, zeros } from '@llm-lab/kit';"]],
  { at: 'return neg(crossEntropy(logits, targets));', catalogued: 'log-likelihood-not-negated', kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_SOFTPLUS, 'softplus as log(1 + e^x) literally', [['return add(relu(x), log(add(exp(neg(abs)), 1)));', 'return log(add(exp(x), 1));']], { catalogued: 'overflow', kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_SUM, 'the sum without the 1/N', [['mul(sum(logSigmoid), -1 / n)', 'neg(sum(logSigmoid))']], { catalogued: 'sum-not-mean', kitOps: true, checks: RM_LOSS }),
  variantBug(RM, RM_SUM, 'a tie counted by !(c < r)', [['if (rChosen[i] - rRejected[i] > 0) count++;', 'if (!(rChosen[i] < rRejected[i])) count++;']], { catalogued: 'ties-count-right', checks: RM_ACCURACY }),
  variantBug(RM, RM_ROWS, 'accuracy as a percentage', [['return wins / c.length;', 'return (wins * 100) / c.length;']], { catalogued: 'percent', checks: RM_ACCURACY }),
  sourceBug(RM, 'the loss computed in float64 and wrapped in a new tensor', `import { type Tensor, tensor } from '@llm-lab/kit';

export function preferenceLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  let total = 0;
  for (let i = 0; i < rChosen.size; i++) {
    const d = rChosen.data[i] - rRejected.data[i];
    total += Math.max(-d, 0) + Math.log1p(Math.exp(-Math.abs(d)));
  }
  return tensor([total / rChosen.size]);
}

export function pairAccuracy(rChosen: ArrayLike<number>, rRejected: ArrayLike<number>): number {
  if (rChosen.length !== rRejected.length || rChosen.length === 0) throw new Error('bad input');
  let right = 0;
  for (let i = 0; i < rChosen.length; i++) if (rChosen[i] > rRejected[i]) right++;
  return right / rChosen.length;
}
`, 'return tensor([total / rChosen.size]);', { catalogued: 'no-gradient', checks: RM_LOSS }),
];

// =====================================================================================================================
// Lesson 10: gae/advantages

const GAE = 'gae/advantages';
const GAE_SOLUTION = '10-gae/gae.solution.ts';
const SIGNATURE = 'export function gae(rewards: number[], values: number[], dones: boolean[], lastValue: number, gamma: number, lambda: number): { advantages: number[]; returns: number[] } {';

/** The definition: A_t = Σ_k (γλ)^k δ_{t+k} up to the episode's end, O(T²). */
const GAE_SUM = `${SIGNATURE}
  const T = rewards.length;
  if (values.length !== T || dones.length !== T) throw new Error('gae: lengths differ');
  const delta: number[] = [];
  for (let t = 0; t < T; t++) {
    const next = dones[t] ? 0 : t + 1 < T ? values[t + 1] : lastValue;
    delta.push(rewards[t] + gamma * next - values[t]);
  }
  const advantages: number[] = [];
  for (let t = 0; t < T; t++) {
    let sum = 0;
    let weight = 1;
    for (let k = t; k < T; k++) {
      sum += weight * delta[k];
      if (dones[k]) break;
      weight *= gamma * lambda;
    }
    advantages.push(sum);
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}
`;

/** Two passes (TD errors, then the backward accumulation), Float64Arrays, a numeric mask. */
const GAE_TWO_PASS = `${SIGNATURE}
  const T = rewards.length;
  if (values.length !== T) throw new Error('gae: one value per reward');
  if (dones.length !== T) throw new Error('gae: one done flag per reward');
  const deltas = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const mask = 1 - Number(dones[t]);
    const vNext = t === T - 1 ? lastValue : values[t + 1];
    deltas[t] = rewards[t] + gamma * vNext * mask - values[t];
  }
  const adv = new Float64Array(T);
  let acc = 0;
  for (let t = T - 1; t >= 0; t--) {
    acc = deltas[t] + gamma * lambda * (1 - Number(dones[t])) * acc;
    adv[t] = acc;
  }
  const advantages = Array.from(adv);
  const returns = advantages.map((a, t) => a + values[t]);
  return { advantages, returns };
}
`;

/** Reversed copies and a forward loop, then the result reversed back. */
const GAE_REVERSED = `${SIGNATURE}
  const T = rewards.length;
  if (![values.length, dones.length].every((n) => n === T)) throw new RangeError('gae: rewards, values and dones differ in length');
  const r = [...rewards].reverse();
  const v = [...values].reverse();
  const d = [...dones].reverse();
  const out: number[] = [];
  let carry = 0;
  let vNext = lastValue;
  for (let i = 0; i < T; i++) {
    const keep = d[i] ? 0 : 1;
    const delta = r[i] + gamma * keep * vNext - v[i];
    carry = delta + gamma * lambda * keep * carry;
    out.push(carry);
    vNext = v[i];
  }
  const advantages = out.reverse();
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}
`;

/** The λ-return recursion G_t = r_t + γ(1 - d_t)((1 - λ)V_{t+1} + λ G_{t+1}), then A = G - V. */
const GAE_LAMBDA_RETURN = `${SIGNATURE}
  const T = rewards.length;
  if (values.length !== T || dones.length !== T) throw new Error('gae: lengths differ');
  const returns = new Array<number>(T);
  let nextReturn = lastValue;
  let nextValue = lastValue;
  for (let t = T - 1; t >= 0; t--) {
    const notDone = dones[t] ? 0 : 1;
    returns[t] = rewards[t] + gamma * notDone * ((1 - lambda) * nextValue + lambda * nextReturn);
    nextReturn = returns[t];
    nextValue = values[t];
  }
  const advantages = returns.map((g, t) => g - values[t]);
  return { advantages, returns };
}
`;

/** Split into episodes; each one is plain GAE bootstrapped with lastValue only if it is unfinished. */
const GAE_SEGMENTS = `function segmentAdvantages(r: number[], v: number[], bootstrap: number, gamma: number, lambda: number): number[] {
  const n = r.length;
  const a = new Array<number>(n);
  let next = 0;
  for (let i = n - 1; i >= 0; i--) {
    const vNext = i === n - 1 ? bootstrap : v[i + 1];
    next = r[i] + gamma * vNext - v[i] + gamma * lambda * next;
    a[i] = next;
  }
  return a;
}

${SIGNATURE}
  const T = rewards.length;
  if (values.length !== T || dones.length !== T) throw new Error('gae: lengths differ');
  const advantages: number[] = [];
  let s = 0;
  while (s < T) {
    let e = s;
    while (e < T - 1 && !dones[e]) e++;
    const bootstrap = dones[e] ? 0 : lastValue;
    advantages.push(...segmentAdvantages(rewards.slice(s, e + 1), values.slice(s, e + 1), bootstrap, gamma, lambda));
    s = e + 1;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}
`;

/** CleanRL's loop with this lesson's dones: nextnonterminal from dones[t], lastValue on the last step. */
const GAE_CLEANRL = `${SIGNATURE}
  const T = rewards.length;
  if (values.length !== T || dones.length !== T) {
    throw new Error(\`gae: \${T} rewards, \${values.length} values, \${dones.length} dones\`);
  }
  const advantages = new Array<number>(T);
  let lastgaelam = 0;
  for (let t = T - 1; t >= 0; t--) {
    const nextnonterminal = 1.0 - (dones[t] ? 1 : 0);
    const nextvalues = t === T - 1 ? lastValue : values[t + 1];
    const delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t];
    lastgaelam = delta + gamma * lambda * nextnonterminal * lastgaelam;
    advantages[t] = lastgaelam;
  }
  const returns = advantages.map((adv, i) => adv + values[i]);
  return { advantages, returns };
}
`;

/** Float32Array storage, the recursion reading A_{t+1} back from it. */
const GAE_FLOAT32 = `${SIGNATURE}
  const T = rewards.length;
  if (values.length !== T || dones.length !== T) throw new Error('gae: lengths differ');
  const adv = new Float32Array(T);
  for (let t = T - 1; t >= 0; t--) {
    const live = dones[t] ? 0 : 1;
    const vNext = t + 1 < T ? values[t + 1] : lastValue;
    const aNext = t + 1 < T ? adv[t + 1] : 0;
    adv[t] = rewards[t] + gamma * vNext * live - values[t] + gamma * lambda * live * aNext;
  }
  const ret = Float32Array.from(adv, (a, t) => a + values[t]);
  return { advantages: Array.from(adv), returns: Array.from(ret) };
}
`;

const GAE_ENTRIES: CorpusEntry[] = [
  correct(GAE, 'Float32Array storage of advantages and returns, A_{t+1} read back from it', GAE_FLOAT32),
  correct(GAE, 'the definition: a sum over the future, cut at the episode end', GAE_SUM),
  correct(GAE, 'two passes over Float64Arrays with a numeric mask', GAE_TWO_PASS),
  correct(GAE, 'reversed copies and a forward loop', GAE_REVERSED),
  correct(GAE, 'the λ-return recursion, advantages = returns - values', GAE_LAMBDA_RETURN),
  correct(GAE, 'split into episodes, each bootstrapped only if unfinished', GAE_SEGMENTS),
  correct(GAE, 'CleanRL\'s loop with this lesson\'s dones', GAE_CLEANRL),

  // ----- bugs no catalogue names
  editBug(GAE, GAE_SOLUTION, 'the loop starts at T - 2', [['for (let t = T - 1; t >= 0; t--) {', 'for (let t = T - 2; t >= 0; t--) {']]),
  editBug(GAE, GAE_SOLUTION, 'returns from the next step\'s value', [['const returns = advantages.map((a, t) => a + values[t]);', 'const returns = advantages.map((a, t) => a + (t + 1 < T ? values[t + 1] : lastValue));']]),
  editBug(GAE, GAE_SOLUTION, 'γ·γ as the trace instead of γ·λ', [['next = delta + gamma * lambda * live * next;', 'next = delta + gamma * gamma * live * next;']]),
  editBug(GAE, GAE_SOLUTION, 'λ hard-coded to 0.95 (the argument ignored)', [['next = delta + gamma * lambda * live * next;', 'next = delta + gamma * 0.95 * live * next;']]),
  editBug(GAE, GAE_SOLUTION, 'the value added instead of subtracted in δ', [['const delta = rewards[t] + gamma * nextValue * live - values[t];', 'const delta = rewards[t] + gamma * nextValue * live + values[t];']]),
  variantBug(GAE, GAE_TWO_PASS, 'V_t where V_{t+1} belongs', [['const vNext = t === T - 1 ? lastValue : values[t + 1];', 'const vNext = t === T - 1 ? lastValue : values[t];']]),
  variantBug(GAE, GAE_TWO_PASS, 'lastValue pushed onto the caller\'s values', [
    ['const deltas = new Float64Array(T);', 'values.push(lastValue);\n  const deltas = new Float64Array(T);'],
    ['const vNext = t === T - 1 ? lastValue : values[t + 1];', 'const vNext = values[t + 1];']], { at: 'values.push(lastValue);' }),
  editBug(GAE, GAE_SOLUTION, 'nextValue never moves off lastValue', [['nextValue = values[t];', 'nextValue = lastValue;']], { at: '    nextValue = lastValue;' }),
  editBug(GAE, GAE_SOLUTION, 'returns = advantages - values', [['const returns = advantages.map((a, t) => a + values[t]);', 'const returns = advantages.map((a, t) => a - values[t]);']]),
  variantBug(GAE, GAE_SUM, 'only the values\' length is checked', [["if (values.length !== T || dones.length !== T) throw new Error('gae: lengths differ');", "if (values.length !== T) throw new Error('gae: lengths differ');"]]),

  // ----- catalogued mistakes written a new way
  variantBug(GAE, GAE_CLEANRL, 'the bootstrap not masked by nextnonterminal', [['const delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t];', 'const delta = rewards[t] + gamma * nextvalues - values[t];']], { catalogued: 'bootstraps-across-done' }),
  variantBug(GAE, GAE_TWO_PASS, 'the accumulation runs forwards', [['for (let t = T - 1; t >= 0; t--) {', 'for (let t = 0; t <= T - 1; t++) {']], { catalogued: 'forward-order' }),
  variantBug(GAE, GAE_CLEANRL, 'the trace without γ', [['lastgaelam = delta + gamma * lambda * nextnonterminal * lastgaelam;', 'lastgaelam = delta + lambda * nextnonterminal * lastgaelam;']], { catalogued: 'no-gamma-in-trace' }),
  variantBug(GAE, GAE_SUM, 'no bootstrap after the last step', [['const next = dones[t] ? 0 : t + 1 < T ? values[t + 1] : lastValue;', 'const next = dones[t] ? 0 : t + 1 < T ? values[t + 1] : 0;']], { catalogued: 'last-value-ignored' }),
  variantBug(GAE, GAE_TWO_PASS, 'the accumulation not masked', [['acc = deltas[t] + gamma * lambda * (1 - Number(dones[t])) * acc;', 'acc = deltas[t] + gamma * lambda * acc;']], { catalogued: 'accumulates-across-done' }),
  variantBug(GAE, GAE_LAMBDA_RETURN, 'the λ-return without the done mask', [['returns[t] = rewards[t] + gamma * notDone * ((1 - lambda) * nextValue + lambda * nextReturn);', 'returns[t] = rewards[t] + gamma * ((1 - lambda) * nextValue + lambda * nextReturn);']], { catalogued: 'ignores-dones' }),
  variantBug(GAE, GAE_SEGMENTS, 'segments without λ in the trace', [['next = r[i] + gamma * vNext - v[i] + gamma * lambda * next;', 'next = r[i] + gamma * vNext - v[i] + gamma * next;']], { catalogued: 'no-lambda' }),
];

// =====================================================================================================================
// Lesson 11: ppo/objective

const PPO = 'ppo/objective';
const PROVIDED = `/** Provided: elementwise min(a, b) = a - relu(a - b). The gradient goes to whichever input is smaller. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return sub(a, relu(sub(a, b)));
}

/** Provided: elementwise max(a, b) = b + relu(a - b). The gradient goes to whichever input is larger. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return add(b, relu(sub(a, b)));
}

/** Provided: clamp(x, lo, hi) = lo + relu(x - lo) - relu(x - hi). Gradient 1 strictly inside (lo, hi), 0 outside. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  return sub(add(relu(sub(x, lo)), lo), relu(sub(x, hi)));
}
`;

/** Per-sign caps (A ≥ 0: min(r, 1 + ε); A < 0: max(r, 1 - ε)), e·e / 2N, exp(logSoftmax), one-pass variance. */
const PPO_SIGN_SPLIT = `import { type Tensor, add, div, exp, full, logSoftmax, mean, mul, neg, relu, sub, sum, tensor } from '@llm-lab/kit';

${PROVIDED}
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  const ratio = exp(sub(newLogProbs, oldLogProbs));
  const n = ratio.size;
  const up = tensor(Array.from(advantages.data, (a) => (a >= 0 ? 1 : 0)));
  const down = tensor(Array.from(advantages.data, (a) => (a >= 0 ? 0 : 1)));
  const capped = add(mul(minimum(ratio, full([n], 1 + clipEps)), up), mul(maximum(ratio, full([n], 1 - clipEps)), down));
  return neg(mean(mul(capped, advantages)));
}

export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  const e = sub(values, returns);
  return div(sum(mul(e, e)), 2 * e.size);
}

export function entropy(logits: Tensor): Tensor {
  const V = logits.shape[logits.ndim - 1];
  const positions = logits.size / V;
  const logp = logSoftmax(logits, -1);
  const plogp = mul(exp(logp), logp);
  return neg(div(sum(plogp), positions));
}

export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return add(logProbs, neg(refLogProbs));
}

export function normalizeAdvantages(a: number[]): number[] {
  const n = a.length;
  if (n === 0) return [];
  let s = 0;
  let s2 = 0;
  for (const x of a) {
    s += x;
    s2 += x * x;
  }
  const mu = s / n;
  const std = Math.sqrt(Math.max(s2 / n - mu * mu, 0));
  return a.map((x) => (x - mu) / (std + 1e-8));
}
`;

/** CleanRL's pg_loss, a (rows, V) reshape for the entropy, Welford with n - 1 and a guard for one value. */
const PPO_CLEANRL = `import { type Tensor, add, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';

${PROVIDED}
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  const logratio = sub(newLogProbs, oldLogProbs);
  const ratio = exp(logratio);
  const pgLoss1 = mul(neg(advantages), ratio);
  const pgLoss2 = mul(neg(advantages), clamp(ratio, 1 - clipEps, 1 + clipEps));
  return mean(maximum(pgLoss1, pgLoss2));
}

export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  return mul(0.5, mean(pow(sub(returns, values), 2)));
}

export function entropy(logits: Tensor): Tensor {
  const V = logits.shape[logits.ndim - 1];
  const rows = logits.reshape(-1, V);
  const h = sum(mul(softmax(rows, 1), logSoftmax(rows, 1)), 1);
  return neg(mean(h));
}

export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return neg(sub(refLogProbs, logProbs));
}

export function normalizeAdvantages(a: number[]): number[] {
  if (a.length === 0) return [];
  if (a.length === 1) return [0];
  let mu = 0;
  let m2 = 0;
  a.forEach((x, i) => {
    const d = x - mu;
    mu += d / (i + 1);
    m2 += d * (x - mu);
  });
  const std = Math.sqrt(m2 / (a.length - 1));
  return a.map((x) => (x - mu) / (std + 1e-8));
}
`;

/** Clip built from minimum/maximum, the sum over N, the ½ inside the mean, Math.hypot for the std. */
const PPO_MINMAX = `import { type Tensor, add, div, exp, full, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';

${PROVIDED}
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  const ratio = exp(sub(newLogProbs, oldLogProbs));
  const shape = ratio.shape;
  const clipped = maximum(minimum(ratio, full(shape, 1 + clipEps)), full(shape, 1 - clipEps));
  const surr1 = mul(advantages, ratio);
  const surr2 = mul(advantages, clipped);
  return div(neg(sum(minimum(surr1, surr2))), ratio.size);
}

export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  return mean(mul(pow(sub(values, returns), 2), 0.5));
}

export function entropy(logits: Tensor): Tensor {
  const p = softmax(logits, -1);
  const h = sum(mul(p, logSoftmax(logits, -1)), -1);
  return mul(mean(h), -1);
}

export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return mul(sub(refLogProbs, logProbs), -1);
}

export function normalizeAdvantages(a: number[]): number[] {
  const n = a.length;
  if (!n) return [];
  const mu = a.reduce((s, x) => s + x, 0) / n;
  const std = Math.hypot(...a.map((x) => x - mu)) / Math.sqrt(n);
  return a.map((x) => (x - mu) / (std + 1e-8));
}
`;

/** The log-ratio clipped in log space, entropy = logsumexp - Σ p·x, float64 helpers. */
const PPO_LOG_SPACE = `import { type Tensor, add, exp, logSoftmax, mean, mul, narrow, neg, relu, softmax, sub, sum } from '@llm-lab/kit';

${PROVIDED}
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  const logRatio = sub(newLogProbs, oldLogProbs);
  const ratio = exp(logRatio);
  const clippedRatio = exp(clamp(logRatio, Math.log(1 - clipEps), Math.log(1 + clipEps)));
  const objective = minimum(mul(ratio, advantages), mul(clippedRatio, advantages));
  return neg(mean(objective));
}

export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  const diff = sub(returns, values);
  return mul(mean(mul(diff, diff)), 0.5);
}

export function entropy(logits: Tensor): Tensor {
  const last = logits.ndim - 1;
  const logZ = narrow(sub(logits, logSoftmax(logits, -1)), last, 0, 1); // logsumexp, kept as (..., 1)
  const expected = sum(mul(softmax(logits, -1), logits), -1, true); //   Σ p·x, (..., 1)
  return mean(sub(logZ, expected));
}

export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return sub(logProbs, refLogProbs);
}

const average = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const populationStd = (xs: readonly number[]): number => {
  const mu = average(xs);
  return Math.sqrt(average(xs.map((x) => (x - mu) ** 2)));
};

export function normalizeAdvantages(a: number[]): number[] {
  if (a.length === 0) return [];
  const mu = average(a);
  const sd = populationStd(a);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) out.push((a[i] - mu) / (sd + 1e-8));
  return out;
}
`;

/** Kit ops throughout, even for the normalisation (float32 tensors, the kit's variance). */
const PPO_KIT = `import { type Tensor, add, div, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sqrt, sub, sum, tensor, variance } from '@llm-lab/kit';

${PROVIDED}
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  const ratio = exp(add(newLogProbs, neg(oldLogProbs)));
  const unclipped = mul(ratio, advantages);
  const clipped = mul(clamp(ratio, 1 - clipEps, 1 + clipEps), advantages);
  return mean(neg(minimum(unclipped, clipped)));
}

export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  return div(mean(pow(sub(values, returns), 2)), 2);
}

export function entropy(logits: Tensor): Tensor {
  return mean(neg(sum(mul(softmax(logits, -1), logSoftmax(logits, -1)), -1)));
}

export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return sub(logProbs, refLogProbs);
}

export function normalizeAdvantages(a: number[]): number[] {
  if (a.length === 0) return [];
  const x = tensor(a);
  const std = sqrt(variance(x));
  return Array.from(div(sub(x, mean(x)), add(std, 1e-8)).data);
}
`;

const PPO_ENTRIES: CorpusEntry[] = [
  correct(PPO, 'kit ops throughout, the normalisation on float32 tensors', PPO_KIT),
  correct(PPO, 'per-sign caps, e·e / 2N, exp(logSoftmax), one-pass variance', PPO_SIGN_SPLIT),
  correct(PPO, 'CleanRL\'s pg_loss, a (rows, V) entropy, Welford with n - 1', PPO_CLEANRL),
  correct(PPO, 'clip from minimum/maximum, sum over N, ½ inside the mean, Math.hypot', PPO_MINMAX),
  correct(PPO, 'log-space clip, entropy = logsumexp - Σ p·x, float64 helpers', PPO_LOG_SPACE),

  // ----- bugs no catalogue names
  variantBug(PPO, PPO_CLEANRL, 'clip band starts at ε instead of 1 - ε', [['clamp(ratio, 1 - clipEps, 1 + clipEps)', 'clamp(ratio, clipEps, 1 + clipEps)']], { kitOps: true }),
  variantBug(PPO, PPO_LOG_SPACE, 'ε ignored: the band hard-coded to 0.2', [['exp(clamp(logRatio, Math.log(1 - clipEps), Math.log(1 + clipEps)))', 'exp(clamp(logRatio, Math.log(0.8), Math.log(1.2)))']], { kitOps: true }),
  variantBug(PPO, PPO_MINMAX, 'the policy loss summed, not averaged', [['return div(neg(sum(minimum(surr1, surr2))), ratio.size);', 'return neg(sum(minimum(surr1, surr2)));']], { kitOps: true }),
  variantBug(PPO, PPO_SIGN_SPLIT, 'value loss (v - R)·v instead of (v - R)²', [['return div(sum(mul(e, e)), 2 * e.size);', 'return div(sum(mul(e, values)), 2 * e.size);']], { kitOps: true }),
  variantBug(PPO, PPO_MINMAX, 'entropy summed over the first axis', [['const h = sum(mul(p, logSoftmax(logits, -1)), -1);', 'const h = sum(mul(p, logSoftmax(logits, -1)), 0);']], { kitOps: true }),
  variantBug(PPO, PPO_MINMAX, 'probabilities taken over the first axis', [['const p = softmax(logits, -1);', 'const p = softmax(logits, 0);']], { kitOps: true }),
  variantBug(PPO, PPO_LOG_SPACE, 'the KL averaged into one number', [['return sub(logProbs, refLogProbs);', 'return mean(sub(logProbs, refLogProbs));']], { kitOps: true }),
  variantBug(PPO, PPO_CLEANRL, 'the band three times too wide', [['clamp(ratio, 1 - clipEps, 1 + clipEps)', 'clamp(ratio, 1 - 3 * clipEps, 1 + 3 * clipEps)']], { kitOps: true }),
  variantBug(PPO, PPO_MINMAX, 'the KL detached from the graph', [['return mul(sub(refLogProbs, logProbs), -1);', 'return mul(sub(refLogProbs, logProbs), -1).detach();']], { kitOps: true }),
  variantBug(PPO, PPO_MINMAX, 'eps 1e-5 in the normalisation', [['return a.map((x) => (x - mu) / (std + 1e-8));', 'return a.map((x) => (x - mu) / (std + 1e-5));']]),
  variantBug(PPO, PPO_SIGN_SPLIT, 'normalised in place', [['return a.map((x) => (x - mu) / (std + 1e-8));', 'a.forEach((x, i) => {\n    a[i] = (x - mu) / (std + 1e-8);\n  });\n  return a;']], { at: 'a[i] = (x - mu) / (std + 1e-8);' }),
  variantBug(PPO, PPO_LOG_SPACE, 'the mean absolute deviation as the std', [['return Math.sqrt(average(xs.map((x) => (x - mu) ** 2)));', 'return average(xs.map((x) => Math.abs(x - mu)));']]),

  // ----- catalogued mistakes written a new way
  variantBug(PPO, PPO_CLEANRL, 'the ratio as exp(new) · exp(-old)', [['const ratio = exp(logratio);', 'const ratio = mul(exp(newLogProbs), exp(neg(oldLogProbs)));']], { catalogued: 'ratio-of-probs', kitOps: true }),
  variantBug(PPO, PPO_CLEANRL, 'CleanRL\'s max of the negated terms written as a min', [['return mean(maximum(pgLoss1, pgLoss2));', 'return mean(minimum(pgLoss1, pgLoss2));']], { catalogued: 'max-not-min', kitOps: true }),
  variantBug(PPO, PPO_SIGN_SPLIT, 'the reference model first in the KL', [['return add(logProbs, neg(refLogProbs));', 'return add(refLogProbs, neg(logProbs));']], { catalogued: 'kl-reversed', kitOps: true }),
  variantBug(PPO, PPO_SIGN_SPLIT, 'one-pass std without the eps', [['return a.map((x) => (x - mu) / (std + 1e-8));', 'return a.map((x) => (x - mu) / std);']], { catalogued: 'no-eps' }),
  variantBug(PPO, PPO_CLEANRL, 'log of the softmax of the rows', [['const h = sum(mul(softmax(rows, 1), logSoftmax(rows, 1)), 1);', 'const h = sum(mul(softmax(rows, 1), log(softmax(rows, 1))), 1);'],
    ["import { type Tensor, add, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';", "import { type Tensor, add, exp, log, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';"]],
  { at: 'const h = sum(mul(softmax(rows, 1), log(softmax(rows, 1))), 1);', catalogued: 'entropy-nan', kitOps: true }),
  variantBug(PPO, PPO_MINMAX, 'the ½ and the mean but the square forgotten', [['return mean(mul(pow(sub(values, returns), 2), 0.5));', 'return mean(mul(add(relu(sub(values, returns)), relu(sub(returns, values))), 0.5));']], { catalogued: 'value-abs', kitOps: true }),
];

export const CORPUS: CorpusEntry[] = [...REWARD, ...GAE_ENTRIES, ...PPO_ENTRIES];
