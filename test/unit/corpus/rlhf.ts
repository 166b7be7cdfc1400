/**
 * The rlhf track's grading-truth corpus (see test/unit/corpus.ts): learner files for lesson 12 (rlhf/ppo-run) and
 * lesson 13 (dpo/loss) written the way learners write them, independently of the catalogues: correct files in
 * other styles than the reference, and one-bug variants (more than half of them mistakes no catalogue names).
 *
 * Time: a training run is 20-60 s on a busy machine, so every entry runs only the quick, hand-worked checks,
 * except two per exercise that also run the training check: for lesson 12 a correct file with KL_COEF = 0.2 and one
 * with KL_COEF = 0.3 (0.2 was the false reject; 0.1-0.3 is the range the lesson recommends), for lesson 13
 * the by-hand softplus of the lesson's hint (the form that trains) and the Bradley-Terry two-way log-softmax.
 * `line` is the 1-based line of the bug in the learner file (sources below start with their first line).
 */
import type { CorpusEntry } from '../corpus';

// ----- lesson 12: rlhf/ppo-run ------------------------------------------------------------------------------

const RLHF_QUICK = [
  'the gae and PPO losses you import', 'tokenRewards: the worked example', 'tokenRewards: any length',
  'episodeAdvantages: the continuation ends',
];
const PPO_RUN = 'PPO on the bundled model';

/** The header every lesson-12 file has: its imports and the re-exports the checks use. */
const HEAD = (beta: number, kit = "import { tensor } from '@llm-lab/kit';") => `${kit}
import { gae } from '../10-gae/gae';
import { klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss } from '../11-ppo/ppo';

export { gae, klPenalty, normalizeAdvantages, ppoPolicyLoss, valueLoss };

export const KL_COEF = ${beta};
`;
// HEAD is lines 1-7; a file's own code starts on line 8.

/** tokenRewards with an index loop in float64, no tensors. Lines 8-15. */
const REWARDS_LOOP = `
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  const n = logProbs.length;
  const out = new Array<number>(n).fill(0);
  for (let t = 0; t < n; t++) out[t] = klCoef * (refLogProbs[t] - logProbs[t]);
  out[n - 1] = out[n - 1] + score;
  return out;
}
`;

/** GAE written inline, backwards, with the end of the continuation handled by hand. Lines 16-29 after REWARDS_LOOP. */
const GAE_INLINE = `
export function episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number) {
  const n = rewards.length;
  const advantages = new Array<number>(n).fill(0);
  let acc = 0;
  let nextValue = 0;
  for (let t = n - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * nextValue - values[t];
    acc = delta + gamma * lambda * acc;
    advantages[t] = acc;
    nextValue = values[t];
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}
`;

/** The lambda-return recursion: G_t = r_t + γ((1 − λ) V_{t+1} + λ G_{t+1}), then A = G − V. */
const GAE_LAMBDA_RETURN = `
export function episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number) {
  const n = rewards.length;
  const returns: number[] = [];
  let g = 0;
  for (let t = n - 1; t >= 0; t--) {
    const nextV = t === n - 1 ? 0 : values[t + 1];
    g = t === n - 1 ? rewards[t] : rewards[t] + gamma * ((1 - lambda) * nextV + lambda * g);
    returns[t] = g;
  }
  return { advantages: returns.map((r, t) => r - values[t]), returns };
}
`;

/** tokenRewards with kit tensors: −β·klPenalty, plus the score as a one-hot tensor. Lines 8-15. */
const REWARDS_TENSOR = `
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  const n = logProbs.length;
  const penalty = mul(klPenalty(tensor(logProbs), tensor(refLogProbs)), -klCoef);
  const bonus = tensor(Array.from({ length: n }, (_, t) => (t === n - 1 ? score : 0)));
  return Array.from(add(penalty, bonus).data);
}
`;

/** One pass of reduceRight over the steps. */
const GAE_REDUCE = `
export function episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number) {
  const advantages = rewards.map(() => 0);
  rewards.reduceRight((next, r, t) => {
    const last = t === rewards.length - 1;
    const a = r + (last ? 0 : gamma * values[t + 1] + gamma * lambda * next) - values[t];
    advantages[t] = a;
    return a;
  }, 0);
  const returns = advantages.map((a, t) => a + values[t]);
  return { advantages, returns };
}
`;

const RLHF: CorpusEntry[] = [
  // --- correct, in other styles ---
  {
    exercise: 'rlhf/ppo-run', kind: 'correct', name: 'index loops in float64, GAE inline, KL_COEF = 0.2 (trains)',
    source: HEAD(0.2) + REWARDS_LOOP + GAE_INLINE,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'correct', name: 'kit tensors with a one-hot score, lambda-returns, KL_COEF = 0.3 (trains)',
    source: HEAD(0.3, "import { add, mul, tensor } from '@llm-lab/kit';") + REWARDS_TENSOR + GAE_LAMBDA_RETURN,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'correct', name: 'map with an index, the score by slice and concat, gae without dones (lastValue 0)',
    checks: RLHF_QUICK,
    source: `${HEAD(0.15, '')}
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  const penalties = logProbs.map((lp, i) => -(lp - refLogProbs[i]) * klCoef);
  return [...penalties.slice(0, -1), penalties[penalties.length - 1] + score];
}

export function episodeAdvantages(rewards: number[], values: number[], gamma: number, lambda: number) {
  // Nothing after the last token, and its value is 0: the same as marking it done.
  return gae(rewards, values, rewards.map(() => false), 0, gamma, lambda);
}
`,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'correct', name: 'reduceRight GAE, dones from Array.from, a copy changed in place',
    checks: RLHF_QUICK,
    source: `${HEAD(0.1, '')}
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  const r = [...logProbs];
  for (let i = 0; i < r.length; i++) r[i] = -klCoef * r[i] + klCoef * refLogProbs[i];
  r[r.length - 1] += score;
  return r;
}
${GAE_REDUCE}`,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'correct', name: 'the solution with dones built by Array.from and a helper for the penalty',
    checks: RLHF_QUICK,
    edits: [
      ['const kl = klPenalty(tensor(logProbs), tensor(refLogProbs)).data; // (n) log pi - log pi_ref, per token\n  const rewards = Array.from(kl, (k) => -klCoef * k);',
        'const rewards = logProbs.map((lp, t) => penalty(lp, refLogProbs[t], klCoef));'],
      ['export function episodeAdvantages', 'const penalty = (lp: number, ref: number, beta: number): number => beta * (ref - lp);\n\nexport function episodeAdvantages'],
      ['const dones = rewards.map((_, t) => t === rewards.length - 1);', 'const dones = Array.from({ length: rewards.length }, (_, t) => t + 1 === rewards.length);'],
    ],
  },

  // --- one bug each, no catalogue names it ---
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the score on the second-to-last token (off by one)', checks: RLHF_QUICK,
    edits: [['rewards[rewards.length - 1] += score;', 'rewards[rewards.length - 2] += score;']], line: 27,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the loop skips the first token (loop bound)', checks: RLHF_QUICK,
    source: HEAD(0.1) + REWARDS_LOOP.replace('for (let t = 0; t < n; t++)', 'for (let t = 1; t < n; t++)') + GAE_INLINE, line: 12,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'KL_COEF used instead of the klCoef argument', checks: RLHF_QUICK,
    edits: [['const rewards = Array.from(kl, (k) => -klCoef * k);', 'const rewards = Array.from(kl, (k) => -KL_COEF * k);']], line: 26,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'logProbs changed in place to hold the log-ratios', checks: RLHF_QUICK,
    source: `${HEAD(0.1, '')}
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  for (let t = 0; t < logProbs.length; t++) logProbs[t] -= refLogProbs[t];
  const rewards = logProbs.map((k) => -klCoef * k);
  rewards[rewards.length - 1] += score;
  return rewards;
}
${GAE_REDUCE}`, line: 10,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the score scaled by klCoef too', checks: RLHF_QUICK,
    edits: [['rewards[rewards.length - 1] += score;', 'rewards[rewards.length - 1] += klCoef * score;']], line: 27,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the episode cut one step early', checks: RLHF_QUICK,
    edits: [['const dones = rewards.map((_, t) => t === rewards.length - 1);', 'const dones = rewards.map((_, t) => t === rewards.length - 2);']], line: 33,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'returns without the values (inline GAE)', checks: RLHF_QUICK,
    source: HEAD(0.1) + REWARDS_LOOP + GAE_INLINE.replace('returns: advantages.map((a, t) => a + values[t])', 'returns: advantages.map((a) => a)'), line: 28,
  },

  // --- one bug each, a catalogued mistake written a new way ---
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'index loop with the log-ratio the wrong way round', catalogued: 'kl-sign', checks: RLHF_QUICK,
    source: HEAD(0.1) + REWARDS_LOOP.replace('klCoef * (refLogProbs[t] - logProbs[t])', 'klCoef * (logProbs[t] - refLogProbs[t])') + GAE_INLINE, line: 12,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the score added by map over every entry', catalogued: 'score-every', checks: RLHF_QUICK,
    source: `${HEAD(0.1, '')}
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  const penalties = logProbs.map((lp, i) => -klCoef * (lp - refLogProbs[i]));
  return penalties.map((p) => p + score);
}
${GAE_REDUCE}`, line: 11,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the summed log-ratio charged with the score at the end', catalogued: 'kl-last-only', checks: RLHF_QUICK,
    source: `${HEAD(0.1, '')}
export function tokenRewards(score: number, logProbs: number[], refLogProbs: number[], klCoef: number): number[] {
  let drift = 0;
  for (let t = 0; t < logProbs.length; t++) drift += logProbs[t] - refLogProbs[t];
  const rewards = logProbs.map(() => 0);
  rewards[rewards.length - 1] = score - klCoef * drift;
  return rewards;
}
${GAE_REDUCE}`, line: 13,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'inline GAE that starts from the last value', catalogued: 'bootstrap-end', checks: RLHF_QUICK,
    source: HEAD(0.1) + REWARDS_LOOP + GAE_INLINE.replace('let nextValue = 0;', 'let nextValue = values[n - 1];'), line: 21,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'inline GAE discounting the next value by lambda', catalogued: 'gamma-lambda', checks: RLHF_QUICK,
    source: HEAD(0.1) + REWARDS_LOOP + GAE_INLINE.replace('rewards[t] + gamma * nextValue - values[t]', 'rewards[t] + lambda * nextValue - values[t]'), line: 23,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the log-ratios as rewards, klCoef forgotten', catalogued: 'no-beta', checks: RLHF_QUICK,
    source: HEAD(0.1) + REWARDS_LOOP.replace('out[t] = klCoef * (refLogProbs[t] - logProbs[t]);', 'out[t] = refLogProbs[t] - logProbs[t];') + GAE_INLINE, line: 12,
  },
  {
    exercise: 'rlhf/ppo-run', kind: 'bug', name: 'the one-hot score on token 0', catalogued: 'score-first', checks: RLHF_QUICK, kitOps: true,
    source: HEAD(0.1, "import { add, mul, tensor } from '@llm-lab/kit';") + REWARDS_TENSOR.replace('(t === n - 1 ? score : 0)', '(t === 0 ? score : 0)') + GAE_INLINE, line: 12,
  },
];

// ----- lesson 13: dpo/loss ----------------------------------------------------------------------------------

const DPO_QUICK = ['the worked example: one pair', 'a batch of pairs', 'gradients reach', 'huge margins'];

/** A dpoLoss file: the kit imports, then the body (lines 3 on). */
const dpo = (imports: string, body: string) => `import { type Tensor, ${imports} } from '@llm-lab/kit';

export function dpoLoss(policyChosen: Tensor, policyRejected: Tensor, refChosen: Tensor, refRejected: Tensor, beta: number): Tensor {
${body}}
`;
// Body lines start at line 4.

/** The lesson hint's by-hand form: a log-sum-exp with its max, m = relu(−z), taken out. Lines 4-9. */
const BY_HAND = `  const margin = sub(sub(policyChosen, refChosen), sub(policyRejected, refRejected));
  const z = mul(margin, beta);
  const m = relu(neg(z));
  const perPair = add(m, log(add(exp(neg(m)), exp(sub(neg(z), m)))));
  return mean(perPair);
`;
const BY_HAND_IMPORTS = 'add, exp, log, mean, mul, neg, relu, sub';

/** Bradley-Terry over the two implicit rewards: logSoftmax over (β·chosen, β·rejected), column 0. Lines 4-10. */
const TWO_WAY = `  const B = policyChosen.size;
  const chosen = mul(sub(policyChosen, refChosen), beta).reshape(B, 1);
  const rejected = mul(sub(policyRejected, refRejected), beta).reshape(B, 1);
  const logWin = narrow(logSoftmax(cat([chosen, rejected], 1), -1), 1, 0, 1);
  return neg(mean(logWin));
`;
const TWO_WAY_IMPORTS = 'cat, logSoftmax, mean, mul, narrow, neg, sub';

/** TRL's grouping, log σ(z) as column 1 of logSoftmax over (−z, 0), the mean as a sum over B. Lines 4-11. */
const TRL_STYLE = `  const B = policyChosen.size;
  const piLogratios = sub(policyChosen, policyRejected);
  const refLogratios = sub(refChosen, refRejected);
  const z = mul(sub(piLogratios, refLogratios), beta).reshape(B, 1);
  const logSig = narrow(logSoftmax(cat([neg(z), zeros([B, 1])], 1), 1), 1, 1, 1);
  return mul(sum(logSig), -1 / B);
`;
const TRL_IMPORTS = 'cat, logSoftmax, mul, narrow, neg, sub, sum, zeros';

const DPO: CorpusEntry[] = [
  // --- correct, in other styles ---
  {
    exercise: 'dpo/loss', kind: 'correct', name: 'the hint\'s by-hand form, m + log(e^(−m) + e^(−z−m)) with m = relu(−z) (trains)',
    source: dpo(BY_HAND_IMPORTS, BY_HAND),
  },
  {
    exercise: 'dpo/loss', kind: 'correct', name: 'Bradley-Terry: logSoftmax over the two implicit rewards (trains)',
    source: dpo(TWO_WAY_IMPORTS, TWO_WAY),
  },
  {
    exercise: 'dpo/loss', kind: 'correct', name: 'TRL\'s grouping, log σ(z) as column 1 of logSoftmax([−z, 0]), a sum times −1/B', checks: DPO_QUICK,
    source: dpo(TRL_IMPORTS, TRL_STYLE),
  },
  {
    exercise: 'dpo/loss', kind: 'correct', name: 'the margin divided by 1/β, per-pair log-softmax on a (B, 2) built by transposing', checks: DPO_QUICK,
    source: dpo('cat, logSoftmax, mean, neg, div, sub, zeros, transpose, narrow', `  const B = policyChosen.size;
  const margin = sub(sub(policyChosen, refChosen), sub(policyRejected, refRejected));
  const z = div(margin, 1 / beta).reshape(1, B);
  const pairs = transpose(cat([z, zeros([1, B])], 0), 0, 1);
  const logSig = narrow(logSoftmax(pairs, -1), 1, 0, 1);
  return neg(mean(logSig));
`),
  },
  {
    exercise: 'dpo/loss', kind: 'correct', name: 'the by-hand form in helper functions, the max taken out by z itself', checks: DPO_QUICK,
    source: `import { type Tensor, add, exp, log, mean, mul, neg, relu, sub } from '@llm-lab/kit';

/** log(1 + e^x), stably: with s = relu(x), s + log(e^(−s) + e^(x − s)). */
function softplus(x: Tensor): Tensor {
  const s = relu(x);
  return add(s, log(add(exp(neg(s)), exp(sub(x, s)))));
}

function logRatio(policy: Tensor, ref: Tensor): Tensor {
  return sub(policy, ref);
}

export function dpoLoss(policyChosen: Tensor, policyRejected: Tensor, refChosen: Tensor, refRejected: Tensor, beta: number): Tensor {
  const z = mul(sub(logRatio(policyChosen, refChosen), logRatio(policyRejected, refRejected)), beta);
  return mean(softplus(neg(z)));
}
`,
  },

  // --- one bug each, no catalogue names it ---
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'β applied twice', checks: DPO_QUICK, kitOps: true,
    source: dpo(BY_HAND_IMPORTS, BY_HAND.replace('const z = mul(margin, beta);', 'const z = mul(mul(margin, beta), beta);')), line: 5,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the margin adds the rejected log-ratio', checks: DPO_QUICK, kitOps: true,
    source: dpo(BY_HAND_IMPORTS,
      BY_HAND.replace('sub(sub(policyChosen, refChosen), sub(policyRejected, refRejected))', 'add(sub(policyChosen, refChosen), sub(policyRejected, refRejected))')), line: 4,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the chosen log-ratio the wrong way round (reference minus policy)', checks: DPO_QUICK, kitOps: true,
    source: dpo(TWO_WAY_IMPORTS, TWO_WAY.replace('sub(policyChosen, refChosen)', 'sub(refChosen, policyChosen)')), line: 5,
  },
  {
    // On the worked example this coincides with no-reference (β·1 + 1 = 0.5·3): only a second input tells them apart.
    exercise: 'dpo/loss', kind: 'bug', name: 'β on the chosen log-ratio only', checks: DPO_QUICK, kitOps: true,
    source: dpo(TWO_WAY_IMPORTS, TWO_WAY.replace('mul(sub(policyRejected, refRejected), beta)', 'sub(policyRejected, refRejected)')), line: 6,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the margins averaged before the log-sigmoid', checks: DPO_QUICK, kitOps: true,
    source: dpo(BY_HAND_IMPORTS, BY_HAND.replace('const z = mul(margin, beta);', 'const z = mul(mean(margin), beta);')), line: 5,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'log(1 + e^(−z)) with z clamped at −50 "for stability"', checks: DPO_QUICK, kitOps: true,
    source: dpo(BY_HAND_IMPORTS, `  const margin = sub(sub(policyChosen, refChosen), sub(policyRejected, refRejected));
  const z = mul(margin, beta);
  const clamped = sub(relu(add(z, 50)), 50);
  return mean(log(add(exp(neg(clamped)), 1)));
`), line: 6,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the mean divided by B − 1', checks: DPO_QUICK, kitOps: true,
    source: dpo(TRL_IMPORTS, TRL_STYLE.replace('-1 / B', '-1 / (B - 1)')), line: 9,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'logSoftmax over the pairs axis (0) instead of the two entries', checks: DPO_QUICK, kitOps: true,
    edits: [['narrow(logSoftmax(cat([z, zeros([B, 1])], 1), -1), 1, 0, 1)', 'narrow(logSoftmax(cat([z, zeros([B, 1])], 1), 0), 1, 0, 1)']], line: 17,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the lesson\'s old by-hand softplus, relu(−z) + log(1 + e^(−|z|)): flat at z = 0', checks: DPO_QUICK, kitOps: true,
    catalogued: 'flat-at-zero',
    source: dpo(BY_HAND_IMPORTS, BY_HAND.replace('const perPair = add(m, log(add(exp(neg(m)), exp(sub(neg(z), m)))));',
      'const perPair = add(m, log(add(exp(neg(add(relu(z), m))), 1)));')), line: 7,
  },

  // --- one bug each, a catalogued mistake written a new way ---
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the by-hand per-pair loss negated again', catalogued: 'positive-log', checks: DPO_QUICK, kitOps: true,
    source: dpo(BY_HAND_IMPORTS, BY_HAND.replace('return mean(perPair);', 'return neg(mean(perPair));')), line: 8,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'Bradley-Terry without β, the loss times β', catalogued: 'beta-outside', checks: DPO_QUICK, kitOps: true,
    source: dpo(TWO_WAY_IMPORTS, TWO_WAY.replace('mul(sub(policyChosen, refChosen), beta)', 'sub(policyChosen, refChosen)')
      .replace('mul(sub(policyRejected, refRejected), beta)', 'sub(policyRejected, refRejected)').replace('return neg(mean(logWin));', 'return mul(neg(mean(logWin)), beta);')), line: 5,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'TRL\'s grouping without the reference log-ratios', catalogued: 'no-reference', checks: DPO_QUICK, kitOps: true,
    source: dpo(TRL_IMPORTS, TRL_STYLE.replace('const z = mul(sub(piLogratios, refLogratios), beta).reshape(B, 1);', 'const z = mul(piLogratios, beta).reshape(B, 1);')), line: 7,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'column 1 of the two-way log-softmax (the rejected text wins)', catalogued: 'swapped', checks: DPO_QUICK, kitOps: true,
    source: dpo(TWO_WAY_IMPORTS, TWO_WAY.replace('narrow(logSoftmax(cat([chosen, rejected], 1), -1), 1, 0, 1)', 'narrow(logSoftmax(cat([chosen, rejected], 1), -1), 1, 1, 1)')), line: 7,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'log σ(z) as log(e^z / (e^z + 1))', catalogued: 'unstable', checks: DPO_QUICK, kitOps: true,
    source: dpo('add, div, exp, log, mean, mul, neg, sub', `  const margin = sub(sub(policyChosen, refChosen), sub(policyRejected, refRejected));
  const ez = exp(mul(margin, beta));
  return neg(mean(log(div(ez, add(ez, 1)))));
`), line: 6,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the loss from .data in a plain loop', catalogued: 'no-graph', checks: DPO_QUICK,
    source: dpo('tensor', `  let total = 0;
  for (let i = 0; i < policyChosen.size; i++) {
    const z = beta * ((policyChosen.data[i] - refChosen.data[i]) - (policyRejected.data[i] - refRejected.data[i]));
    total += Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return tensor([total / policyChosen.size]);
`), line: 9,
  },
  {
    exercise: 'dpo/loss', kind: 'bug', name: 'the per-pair losses summed, the sum written as a mean times B', catalogued: 'sum', checks: DPO_QUICK, kitOps: true,
    source: dpo(TRL_IMPORTS, TRL_STYLE.replace('return mul(sum(logSig), -1 / B);', 'return mul(sum(logSig), -1);')), line: 9,
  },
];

export const CORPUS: CorpusEntry[] = [...RLHF, ...DPO];
