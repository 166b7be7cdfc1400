/**
 * Checks for lesson 13 (dpo/loss): dpoLoss on hand-worked and random pairs against a float64 reference, its
 * gradients (closed form and finite differences), its stability for huge margins, then a DPO run on the
 * bundled model with lesson 9's preference pairs, compared with lesson 12's PPO run.
 *
 * Each catalogued mistake (no reference log-ratios, β outside the sigmoid or dividing, chosen and rejected
 * swapped, a sum instead of a mean, the sign of the loss) is computed as its own wrong variant, so a failure
 * names it. Expected values never use the learner's code.
 */
import { type Artifact, type Misconception, defineChecks, expectClose, fail } from '@llm-lab/check';
import { type Tensor, gradcheck, tensor } from '@llm-lab/kit';
import { EVAL, type Evaluation, PPO_DEFAULTS, evaluate, mean, visible } from '../12-rlhf/ppo-loop';
import { rewardSource } from '../12-rlhf/reward';
import { loadRlModel } from '../12-rlhf/rl-model';
import { type DpoStats, runDpo } from './dpo-loop';
import { DPO_MISTAKE_TEXT as TEXT, type DpoMistake } from './mistakes';
import { preferencePairs } from './pairs';
import { ppoComparison } from './ppo-comparison';

type Learner = typeof import('./dpo');

// ---------------------------------------------------------------------------------------------------------
// Float64 reference and the catalogued wrong variants

/** −log σ(z) = log(1 + e^(−z)), stable for any z. */
const softplusNeg = (z: number) => Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

interface Pairs {
  pc: number[];
  pr: number[];
  rc: number[];
  rr: number[];
}

function dpo64(p: Pairs, beta: number, v: DpoMistake | 'correct' = 'correct'): number {
  const per = p.pc.map((_, i) => {
    const margin = (p.pc[i] - p.rc[i]) - (p.pr[i] - p.rr[i]);
    switch (v) {
      case 'no-reference': return softplusNeg(beta * (p.pc[i] - p.pr[i]));
      case 'beta-outside': return beta * softplusNeg(margin);
      case 'beta-divides': return softplusNeg(margin / beta);
      case 'swapped': return softplusNeg(-beta * margin);
      case 'positive-log': return -softplusNeg(beta * margin);
      default: return softplusNeg(beta * margin);
    }
  });
  const total = per.reduce((s, x) => s + x, 0);
  return v === 'sum' ? total : total / per.length;
}

const MISTAKES: DpoMistake[] = ['no-reference', 'beta-outside', 'beta-divides', 'swapped', 'sum', 'positive-log'];

function misconceptions(p: Pairs, beta: number): Misconception[] {
  const right = dpo64(p, beta);
  return MISTAKES.map((v) => ({ value: dpo64(p, beta, v), ...TEXT[v] }))
    .filter((m) => Math.abs((m.value as number) - right) > 1e-4 * (1 + Math.abs(right))); // only the ones that differ here
}

const fmt = (a: readonly number[]) => `[${a.map((x) => +x.toFixed(3)).join(', ')}]`;

/** Calls the learner's dpoLoss on fresh tensors; returns the loss and the policy tensors (with gradients on). */
function call(m: Learner, p: Pairs, beta: number): { loss: Tensor; pc: Tensor; pr: Tensor; rc: Tensor; rr: Tensor; what: string } {
  const pc = tensor(p.pc, [p.pc.length], { requiresGrad: true });
  const pr = tensor(p.pr, [p.pr.length], { requiresGrad: true });
  const rc = tensor(p.rc);
  const rr = tensor(p.rr);
  const what = p.pc.length === 1
    ? `dpoLoss([${p.pc[0]}], [${p.pr[0]}], [${p.rc[0]}], [${p.rr[0]}], ${beta})`
    : `dpoLoss(${p.pc.length} pairs, β = ${beta})`;
  const before = [pc, pr, rc, rr].map((t) => Float32Array.from(t.data));
  const loss = m.dpoLoss(pc, pr, rc, rr, beta);
  if (!loss || typeof loss !== 'object' || !('data' in loss) || !('shape' in loss)) {
    fail(`${what} returned ${loss === undefined ? 'undefined (did you forget to `return`?)' : typeof loss}; expected a one-element Tensor`);
  }
  if (loss.size !== 1) fail(`${what} returned a tensor of shape (${loss.shape.join(', ')}); expected one number, the mean over the pairs`, { hint: 'Reduce with mean(...) at the end.' });
  [pc, pr, rc, rr].forEach((t, i) => {
    if (t.data.some((x, j) => x !== before[i][j])) fail(`dpoLoss changed its argument ${['policyChosen', 'policyRejected', 'refChosen', 'refRejected'][i]}`, { hint: 'Build new tensors with ops; never write into the inputs.' });
  });
  return { loss, pc, pr, rc, rr, what };
}

function expectLoss(m: Learner, p: Pairs, beta: number, hint?: string): { loss: Tensor; pc: Tensor; pr: Tensor } {
  const r = call(m, p, beta);
  const expected = dpo64(p, beta);
  if (!Number.isFinite(r.loss.data[0]) && Number.isFinite(expected)) fail(`${r.what} is ${r.loss.data[0]}, expected ${+expected.toFixed(6)}.\n${TEXT.unstable.message}`, { hint: TEXT.unstable.hint });
  expectClose(r.loss.data[0], expected, { what: r.what, rtol: 1e-4, atol: 1e-5, hint, misconceptions: misconceptions(p, beta) });
  return r;
}

function randomPairs(rand: () => number, n: number, spread: number): Pairs {
  const lp = () => Array.from({ length: n }, () => -20 - spread * rand());
  return { pc: lp(), pr: lp(), rc: lp(), rr: lp() };
}

// ---------------------------------------------------------------------------------------------------------
// The run

export const DPO_RUN = {
  /** The mean reward of the evaluation samples must rise by at least this much. */
  minRise: 0.3,
  /** Fraction of training pairs (last 5 steps) whose implicit reward prefers the chosen text. */
  minAccuracy: 0.6,
};

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function curve(title: string, yLabel: string, history: DpoStats[], pick: (s: DpoStats) => number): Artifact {
  return { kind: 'curve', title, xLabel: 'step', yLabel, series: [{ name: yLabel, x: history.map((s) => s.step + 1), y: history.map((s) => round(pick(s), 4)) }] };
}

function samplesTable(before: Evaluation, after: Evaluation): Artifact {
  return {
    kind: 'table', title: 'Samples before and after DPO (the prompts and seed of lesson 12)', columns: ['prompt', 'before', 'reward', 'after DPO', 'reward'],
    rows: before.samples.map((s, i) => [visible(s.prompt), visible(s.text), round(s.reward), visible(after.samples[i].text), round(after.samples[i].reward)]),
  };
}

export default defineChecks<Learner>({
  exports: ['dpoLoss'],
  checks: [
    {
      name: 'the worked example: one pair, margin 2, β = 0.5',
      task: 'dpoLoss',
      run: (m) => {
        // margin = (−12 − (−13)) − (−15 − (−14)) = 1 − (−1) = 2; z = 0.5 · 2 = 1; −log σ(1) = log(1 + e^−1) = 0.31326
        expectLoss(m, { pc: [-12], pr: [-15], rc: [-13], rr: [-14] }, 0.5,
          'margin = (policyChosen − refChosen) − (policyRejected − refRejected) = 2; z = β·margin = 1; loss = −log σ(1) = log(1 + e^(−1)) ≈ 0.3133.');
      },
    },
    {
      name: 'a batch of pairs: the mean over the pairs, for several β',
      task: 'dpoLoss',
      run: (m, ctx) => {
        for (const beta of [0.1, 0.5, 2]) expectLoss(m, randomPairs(ctx.random, 6, 10), beta);
        expectLoss(m, randomPairs(ctx.random, 1, 10), 0.3);
      },
    },
    {
      name: 'gradients reach the policy log-probs: −β·σ(−z)/B for chosen, +β·σ(−z)/B for rejected',
      task: 'dpoLoss',
      run: (m, ctx) => {
        const p = randomPairs(ctx.random, 5, 8);
        const beta = 0.4;
        const { loss, pc, pr } = expectLoss(m, p, beta);
        if (!loss.requiresGrad) fail(TEXT['no-graph'].message, { hint: TEXT['no-graph'].hint });
        loss.backward();
        const B = p.pc.length;
        const dz = p.pc.map((_, i) => {
          const z = beta * ((p.pc[i] - p.rc[i]) - (p.pr[i] - p.rr[i]));
          return beta / (1 + Math.exp(z)) / B; // β·σ(−z)/B
        });
        expectClose(pc.grad ?? new Float32Array(B), dz.map((g) => -g), { what: 'd loss / d policyChosen', rtol: 1e-3, atol: 1e-6, hint: 'Pushing a chosen text\'s log-prob up lowers the loss, by β·σ(−z)/B: most for the pairs the policy still gets wrong.' });
        expectClose(pr.grad ?? new Float32Array(B), dz, { what: 'd loss / d policyRejected', rtol: 1e-3, atol: 1e-6 });
        // And the same by finite differences, through the learner's own function.
        const a = tensor(p.pc, [B], { requiresGrad: true });
        const b = tensor(p.pr, [B], { requiresGrad: true });
        const r = gradcheck(() => m.dpoLoss(a, b, tensor(p.rc), tensor(p.rr), beta), [a, b], { eps: 1e-2, atol: 1e-3, rtol: 2e-2 });
        if (!r.ok) fail(`finite differences disagree with backward(): ${r.message}`, { hint: 'Build the loss only from kit ops on the arguments, so backward() knows every step.' });
      },
    },
    {
      name: 'huge margins give finite, exact losses and gradients (no log of 0)',
      task: 'dpoLoss',
      run: (m) => {
        // β·margin = ±300: σ(−300) is 5e-131, far below float32's smallest number.
        const p = { pc: [-10, -400], pr: [-400, -10], rc: [-50, -50], rr: [-50, -50] };
        const beta = 300 / 390;
        const { loss, pc } = expectLoss(m, p, beta, 'For z = +300 the pair costs log(1 + e^−300) ≈ 0; for z = −300 it costs 300. The mean is 150.');
        loss.backward();
        const g = pc.grad ? Array.from(pc.grad) : [NaN, NaN];
        if (g.some((x) => !Number.isFinite(x))) fail(`the gradient is ${fmt(g)} for margins of ±390: ${TEXT.unstable.message}`, { hint: TEXT.unstable.hint });
        expectClose(g, [0, -beta / 2], { what: 'd loss / d policyChosen for margins +390 and −390', rtol: 1e-3, atol: 1e-6 });
      },
    },
    {
      name: 'DPO on the bundled model: the preference pairs of lesson 9, compared with lesson 12\'s PPO',
      task: 'dpoLoss',
      timeoutSeconds: 90,
      run: async (m, ctx) => {
        expectLoss(m, { pc: [-12], pr: [-15], rc: [-13], rr: [-14] }, 0.5); // a wrong loss would waste the run
        const [model, reward, pairs] = await Promise.all([loadRlModel(), rewardSource(), preferencePairs()]);
        const before = await evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);
        const started = performance.now();
        const history = runDpo(model, (a, b, c, d, beta) => m.dpoLoss(a, b, c, d, beta), pairs.train, {}, (_, h) => {
          ctx.progress(curve('DPO loss per step', 'loss', h, (s) => s.loss));
          ctx.progress(curve('Pairs whose implicit reward prefers the chosen text', 'accuracy', h, (s) => s.accuracy));
        });
        const seconds = (performance.now() - started) / 1000;
        const after = await evaluate(model, reward.score, EVAL.prompts, PPO_DEFAULTS.newTokens, EVAL.seed);
        ctx.artifact(samplesTable(before, after));
        const ppo = ppoComparison();
        const accuracy = mean(history.slice(-5).map((s) => s.accuracy));
        ctx.artifact({
          kind: 'table', title: `DPO: ${history.length} steps in ${seconds.toFixed(1)} s, β = 0.1; PPO: lesson 12's reference run (recorded)`, columns: ['', 'before', 'after DPO', 'after PPO (lesson 12)'],
          rows: [
            [`mean reward of the evaluation samples (${reward.name})`, round(before.reward), round(after.reward), ppo ? round(ppo.reward) : '-'],
            ['KL to the reference per continuation (nats)', round(before.kl), round(after.kl), ppo ? round(ppo.kl) : '-'],
            ['time (s)', '', round(seconds, 1), ppo ? round(ppo.seconds, 1) : '-'],
          ],
        });
        if (!(accuracy >= DPO_RUN.minAccuracy)) {
          fail(`After ${history.length} steps only ${Math.round(accuracy * 100)}% of the training pairs prefer the chosen text (the check asks for ${DPO_RUN.minAccuracy * 100}%).`, {
            hint: 'Look at the loss curve: it should fall below log 2 ≈ 0.693 (the loss when policy and reference agree).',
          });
        }
        if (!(after.reward - before.reward >= DPO_RUN.minRise)) {
          fail(`DPO fit the pairs but the reward of the samples did not rise enough: ${round(before.reward)} before, ${round(after.reward)} after (the check asks for +${DPO_RUN.minRise}).`);
        }
      },
    },
  ],
});
