/**
 * The rlhf track's mistake cases (see test/unit/catalogue.ts): lesson 12 (rlhf/ppo-run, with a broken lesson-10
 * or lesson-11 file under it) and lesson 13 (dpo/loss). Every case names a hand-worked check: none of them
 * trains (the PPO and DPO runs are shared results only the run checks ask for).
 */
import type { LibraryVariant, MistakeCase } from '../catalogue';
import { mistakeCases } from '../catalogue';
import { RLHF_MISTAKES } from '../../../lessons/12-rlhf/mistakes';
import { DPO_MISTAKES } from '../../../lessons/13-dpo/mistakes';

// ----- lesson 12 -------------------------------------------------------------------------------------------

const IMPORTED = 'the gae and PPO losses you import';
const HAND_REWARDS = 'tokenRewards: the worked example';
const EPISODE = 'episodeAdvantages: the continuation ends';
const KL_LINE = 'const rewards = Array.from(kl, (k) => -klCoef * k);';
const SCORE_LINE = 'rewards[rewards.length - 1] += score;';
/** TRL's PPOTrainer with kl_estimator="k3": logr = ref_logprobs - logprobs; kl = (logr.exp() - 1) - logr. */
const K3_LINE = 'const rewards = refLogProbs.map((r, t) => { const logr = r - logProbs[t]; return -klCoef * (Math.exp(logr) - 1 - logr); });';
const DONES = 'const dones = rewards.map((_, t) => t === rewards.length - 1);\n  return gae(rewards, values, dones, 0, gamma, lambda);';

const RLHF = mistakeCases(RLHF_MISTAKES, 'rlhf/ppo-run', [
  // lessons 10 and 11, broken, under lesson 12
  { key: 'lesson-10', name: 'a broken lesson-10 gae (lambda dropped)', check: IMPORTED, in: 'gae/advantages',
    edits: [['next = delta + gamma * lambda * live * next;', 'next = delta + gamma * live * next;']] },
  { key: 'lesson-11', name: 'a broken lesson-11 ppoPolicyLoss (not negated)', check: IMPORTED, in: 'ppo/objective',
    edits: [['return neg(mean(minimum(unclipped, clipped)));', 'return mean(minimum(unclipped, clipped));']] },
  // tokenRewards
  { key: 'kl-sign', check: HAND_REWARDS, edits: [[KL_LINE, 'const rewards = Array.from(kl, (k) => klCoef * k);']] },
  { key: 'kl-last-only', check: HAND_REWARDS,
    edits: [[KL_LINE, 'const rewards = Array.from(kl, () => 0);\n  rewards[rewards.length - 1] = -klCoef * kl.reduce((s, k) => s + k, 0);']] },
  { key: 'score-first', check: HAND_REWARDS, edits: [[SCORE_LINE, 'rewards[0] += score;']] },
  { key: 'score-every', check: HAND_REWARDS, edits: [[SCORE_LINE, 'for (let t = 0; t < rewards.length; t++) rewards[t] += score;']] },
  { key: 'no-beta', check: HAND_REWARDS, edits: [[KL_LINE, 'const rewards = Array.from(kl, (k) => -k);']] },
  // TRL's kl_estimator="k3": a convention entry (TRL's option), not a mistake
  { key: 'kl-k3', check: HAND_REWARDS, edits: [[KL_LINE, K3_LINE]] },
  // episodeAdvantages
  { key: 'bootstrap-end', check: EPISODE,
    edits: [[DONES, 'return gae(rewards, values, rewards.map(() => false), values[values.length - 1], gamma, lambda);']] },
  { key: 'gamma-lambda', check: EPISODE,
    edits: [['return gae(rewards, values, dones, 0, gamma, lambda);', 'return gae(rewards, values, dones, 0, lambda, gamma);']] },
]);

// ----- lesson 13 -------------------------------------------------------------------------------------------

const DPO_HAND = 'the worked example: one pair';
const Z_LINE = 'const z = mul(sub(chosen, rejected), beta).reshape(B, 1);';
const RETURN = 'return neg(mean(logSigmoid));';
const IMPORT = "import { type Tensor, cat, logSoftmax, mean, mul, narrow, neg, sub, zeros } from '@llm-lab/kit';";

const DPO = mistakeCases(DPO_MISTAKES, 'dpo/loss', [
  { key: 'no-reference', check: DPO_HAND,
    edits: [['const chosen = sub(policyChosen, refChosen);', 'const chosen = policyChosen;'], ['const rejected = sub(policyRejected, refRejected);', 'const rejected = policyRejected;']] },
  { key: 'beta-outside', check: DPO_HAND,
    edits: [[Z_LINE, 'const z = sub(chosen, rejected).reshape(B, 1);'], [RETURN, 'return mul(neg(mean(logSigmoid)), beta);']] },
  { key: 'beta-divides', check: DPO_HAND,
    edits: [[Z_LINE, 'const z = div(sub(chosen, rejected), beta).reshape(B, 1);'], [IMPORT, IMPORT.replace('cat,', 'cat, div,')]] },
  { key: 'swapped', check: DPO_HAND, edits: [[Z_LINE, 'const z = mul(sub(rejected, chosen), beta).reshape(B, 1);']] },
  { key: 'sum', check: 'a batch of pairs', edits: [[RETURN, 'return neg(sum(logSigmoid));'], [IMPORT, IMPORT.replace('sub,', 'sub, sum,')]] },
  { key: 'positive-log', check: DPO_HAND, edits: [[RETURN, 'return mean(logSigmoid);']] },
  { key: 'unstable', check: 'huge margins',
    edits: [['const logSigmoid = narrow(logSoftmax(cat([z, zeros([B, 1])], 1), -1), 1, 0, 1); // (B, 1)', 'const logSigmoid = log(div(1, add(exp(neg(z)), 1)));'],
      [IMPORT, "import { type Tensor, add, div, exp, log, mean, mul, neg, sub } from '@llm-lab/kit';"]] },
  // The lesson's old by-hand hint, softplus(−z) = relu(−z) + log(1 + e^(−|z|)) with |z| = relu(z) + relu(−z): right values,
  // right gradients except at exactly z = 0, where relu is flat, and where every pair of the run starts.
  { key: 'flat-at-zero', check: 'gradients reach',
    edits: [['const logSigmoid = narrow(logSoftmax(cat([z, zeros([B, 1])], 1), -1), 1, 0, 1); // (B, 1)', 'const logSigmoid = neg(add(relu(neg(z)), log(add(exp(neg(add(relu(z), relu(neg(z))))), 1))));'],
      [IMPORT, "import { type Tensor, add, exp, log, mean, mul, neg, relu, sub } from '@llm-lab/kit';"]] },
  { key: 'no-graph', check: 'gradients reach',
    edits: [[RETURN, 'return tensor([neg(mean(logSigmoid)).item()]);'], [IMPORT, IMPORT.replace('sub,', 'sub, tensor,')]] },
]);

export const CASES: MistakeCase[] = [...RLHF, ...DPO];

// ----- other libraries' conventions ------------------------------------------------------------------------

/** Lesson 11's population std (÷ n, 1e-8 after the square root), in ../11-ppo/ppo.ts. */
const STD_LINE = 'const std = Math.sqrt(a.reduce((s, x) => s + (x - mu) ** 2, 0) / n);';
const NORMALISE_LINE = 'return a.map((x) => (x - mu) / (std + 1e-8));';
/** TRL's PPOTrainer with its default kl_estimator="k1": logr = ref_logprobs - logprobs; kl = -logr; non_score_reward = -kl_coef * kl. */
const K1_TRL = 'const rewards = refLogProbs.map((r, t) => { const logr = r - logProbs[t]; return -klCoef * -logr; });';
/** TRL's DPOTrainer: logits = pi_logratios - ref_logratios, then -logsigmoid(beta * logits). */
const TRL_DPO: [string, string][] = [
  ['const chosen = sub(policyChosen, refChosen);', 'const piLogratios = sub(policyChosen, policyRejected);'],
  ['const rejected = sub(policyRejected, refRejected);', 'const refLogratios = sub(refChosen, refRejected);'],
  [Z_LINE, 'const z = mul(sub(piLogratios, refLogratios), beta).reshape(B, 1);'],
];

/** Other libraries' conventions put into the solutions: accepted, or named as conventions (never as mistakes). */
export const VARIANTS: LibraryVariant[] = [
  // lesson 12: tokenRewards (TRL's PPOTrainer)
  { library: 'TRL', name: 'per-token k1 penalty written as TRL\'s PPOTrainer writes it (kl = -(ref - logp))', exercise: 'rlhf/ppo-run', check: HAND_REWARDS,
    edits: [[KL_LINE, K1_TRL]] },
  { library: 'TRL', name: 'the k3 KL estimator (kl_estimator="k3")', exercise: 'rlhf/ppo-run', check: HAND_REWARDS, edits: [[KL_LINE, K3_LINE]] },
  // lesson 12: the lesson-11 normalizeAdvantages it imports, written as other libraries normalise
  { library: 'CleanRL / Stable-Baselines3', name: 'advantages normalised with torch\'s .std() (÷ (n − 1))', exercise: 'rlhf/ppo-run', in: 'ppo/objective', check: IMPORTED,
    edits: [[STD_LINE, STD_LINE.replace('/ n)', '/ (n - 1))')]] },
  { library: 'TRL', name: 'advantages whitened as masked_whiten does (Bessel-corrected variance, 1e-8 inside the square root)', exercise: 'rlhf/ppo-run', in: 'ppo/objective', check: IMPORTED,
    edits: [[STD_LINE, 'const std = Math.sqrt(a.reduce((s, x) => s + (x - mu) ** 2, 0) / (n - 1) + 1e-8);'], [NORMALISE_LINE, 'return a.map((x) => (x - mu) / std);']] },
  // lesson 13: the margin grouped as TRL's DPOTrainer groups it
  ...[DPO_HAND, 'a batch of pairs', 'gradients reach', 'huge margins'].map((check): LibraryVariant => ({
    library: 'TRL', name: `margin as pi_logratios - ref_logratios (${check})`, exercise: 'dpo/loss', check, edits: TRL_DPO,
  })),
];
