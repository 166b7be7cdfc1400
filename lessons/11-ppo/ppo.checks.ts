/**
 * Checks for lesson 11 (ppo/objective): ppoPolicyLoss, valueLoss, entropy, klPenalty and normalizeAdvantages.
 *
 * Expected values and gradients are computed here in float64 with plain loops (worked small cases in the
 * comments); the clipped surrogate's gradient is derived case by case (zero where the clipped term is the
 * smaller one). Every catalogued mistake (mistakes.ts) is computed as its own wrong value, so a failure names
 * it; NaN from 0·log 0 and 0/0 are recognised by behaviour. Finite differences of the learner's own functions
 * (the kit's gradcheck) confirm that backward agrees with forward.
 */
import { type CheckContext, type Misconception, type Numeric, defineChecks, describeType, expectClose, expectEqual, expectShape, expectTrue, fail } from '@llm-lab/check';
import { type Tensor, gradcheck, tensor } from '@llm-lab/kit';
import { PPO_MISTAKE_TEXT as TEXT, type PpoMistake } from './mistakes';

type Learner = typeof import('./ppo');

// ---------------------------------------------------------------------------------------------------------
// float64 references

const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
const meanOf = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
const wrong = (m: PpoMistake, value: Numeric): Misconception => ({ value, ...TEXT[m] });

type SurrogateVariant = 'right' | 'clip-advantage' | 'max-not-min' | 'sign-flipped' | 'ratio-of-logs' | 'log-ratio-no-exp' | 'old-new-swapped' | 'no-clip';

/** The PPO loss -mean(min(rA, clip(r)A)) and the catalogued wrong ones. */
function ppo64(nw: readonly number[], old: readonly number[], A: readonly number[], eps: number, v: SurrogateVariant = 'right'): number {
  const terms = A.map((a, i) => {
    const r = v === 'ratio-of-logs' ? nw[i] / old[i] : v === 'log-ratio-no-exp' ? nw[i] - old[i]
      : v === 'old-new-swapped' ? Math.exp(old[i] - nw[i]) : Math.exp(nw[i] - old[i]);
    const unclipped = r * a;
    const clipped = v === 'clip-advantage' ? r * clip(a, 1 - eps, 1 + eps) : clip(r, 1 - eps, 1 + eps) * a;
    return v === 'no-clip' ? unclipped : v === 'max-not-min' ? Math.max(unclipped, clipped) : Math.min(unclipped, clipped);
  });
  return v === 'sign-flipped' ? meanOf(terms) : -meanOf(terms);
}

const SURROGATE_MISTAKES: Exclude<SurrogateVariant, 'right'>[] = [
  'clip-advantage', 'max-not-min', 'sign-flipped', 'ratio-of-logs', 'log-ratio-no-exp', 'old-new-swapped', 'no-clip',
];
const surrogateMistakes = (nw: number[], old: number[], A: number[], eps: number): Misconception[] =>
  SURROGATE_MISTAKES.map((m) => wrong(m, ppo64(nw, old, A, eps, m)));

/**
 * d loss / d newLogProbs: -(1/N)·ratio·A where the unclipped term is the smaller (or inside the band), 0 where the
 * clipped term is strictly smaller (the ratio has left the band in the direction A favours).
 */
function ppoGrad64(nw: readonly number[], old: readonly number[], A: readonly number[], eps: number): number[] {
  const N = A.length;
  return A.map((a, i) => {
    const r = Math.exp(nw[i] - old[i]);
    const clippedActive = r * a > clip(r, 1 - eps, 1 + eps) * a;
    return clippedActive ? 0 : -(r * a) / N;
  });
}

/** Entropy of softmax over the last axis of a (rows, V) array, per row, float64 and stable. */
function entropies64(logits: readonly number[], V: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < logits.length / V; o++) {
    const row = logits.slice(o * V, (o + 1) * V);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    out.push(-row.reduce((s, x) => s + Math.exp(x - lse) * (x - lse), 0));
  }
  return out;
}

/** The "entropy of the logits" mistake: -Σ p·logits (the logits used where log p belongs), averaged over rows. */
function pTimesLogits(logits: readonly number[], V: number): number {
  const rows: number[] = [];
  for (let o = 0; o < logits.length / V; o++) {
    const row = logits.slice(o * V, (o + 1) * V);
    const m = Math.max(...row);
    const z = row.reduce((s, x) => s + Math.exp(x - m), 0);
    rows.push(-row.reduce((s, x) => s + (Math.exp(x - m) / z) * x, 0));
  }
  return meanOf(rows);
}

function normalize64(a: readonly number[], v: 'right' | 'only-centred' | 'by-max' | 'unbiased-std' = 'right'): number[] {
  const n = a.length;
  const mu = meanOf(a);
  if (v === 'only-centred') return a.map((x) => x - mu);
  if (v === 'by-max') {
    const m = Math.max(...a.map(Math.abs));
    return a.map((x) => x / m);
  }
  const ss = a.reduce((s, x) => s + (x - mu) ** 2, 0);
  const std = Math.sqrt(ss / (v === 'unbiased-std' ? n - 1 : n));
  return a.map((x) => (x - mu) / (std + 1e-8));
}

// ---------------------------------------------------------------------------------------------------------
// Calling the learner

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v && ArrayBuffer.isView((v as Tensor).data);
}

/** Fails unless `got` is a kit Tensor holding one number; returns it. */
function expectScalar(got: unknown, what: string, hint: string): Tensor {
  if (!isTensor(got)) {
    fail(`${what} returned ${describeType(got)}; expected a kit Tensor`, { hint: got === undefined ? 'Did you forget to `return` the result?' : 'Return the Tensor your kit ops built.' });
  }
  if (got.data.length !== 1) fail(`${what} returned a tensor of shape [${got.shape.join(', ')}]; expected a scalar (one number)`, { hint });
  return got;
}

/** Fails unless the result is connected to the graph (some input required grad). */
function expectGraph(t: Tensor, what: string): void {
  if (!t.requiresGrad) {
    fail(`No gradient can flow through ${what}: the result does not require grad. Did you compute it from .data with plain numbers?`, {
      hint: 'Build it only from kit ops (sub, exp, mul, mean, ...) applied to the input tensors, so autograd records every step.',
    });
  }
}

const leaf = (values: readonly number[], shape: number[] = [values.length]) => tensor([...values], shape, { requiresGrad: true });
const rand = (ctx: CheckContext, n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => lo + ctx.random() * (hi - lo));

// The worked example: five tokens, ε = 0.2, one in each region of the clipped objective.
//   ratio  (1.1,  1.5,  0.5,  1.5,  0.6)     old log-probs (-1, -2, -0.5, -1.5, -3), new = old + ln(ratio)
//   A      (1,    2,    0.5,  -1,   -2)
//   r·A    (1.1,  3,    0.25, -1.5, -1.2)
//   clip·A (1.1,  2.4,  0.4,  -1.2, -1.6)
//   min    (1.1,  2.4,  0.25, -1.5, -1.6)     mean 0.13, loss -0.13
//   d/dnew (-0.22, 0,  -0.05, 0.3,  0)        zero where the clipped term is the smaller one
const HAND = (() => {
  const ratio = [1.1, 1.5, 0.5, 1.5, 0.6];
  const old = [-1, -2, -0.5, -1.5, -3];
  return { old, nw: old.map((o, i) => o + Math.log(ratio[i])), A: [1, 2, 0.5, -1, -2], eps: 0.2 };
})();

export default defineChecks<Learner>({
  exports: ['ppoPolicyLoss', 'valueLoss', 'entropy', 'klPenalty', 'normalizeAdvantages'],
  checks: [
    // ----- ppoPolicyLoss -----------------------------------------------------------------------------------
    {
      name: 'ppoPolicyLoss: five tokens by hand, one in each region of the clip',
      task: 'ppoPolicyLoss',
      run: (m) => {
        const { nw, old, A, eps } = HAND;
        const loss = expectScalar(m.ppoPolicyLoss(leaf(nw), tensor(old), tensor(A), eps), 'ppoPolicyLoss', 'Average over the tokens with mean(...) and negate.');
        expectClose(loss.data[0], ppo64(nw, old, A, eps), {
          what: 'ppoPolicyLoss (ratios 1.1, 1.5, 0.5, 1.5, 0.6; A = 1, 2, 0.5, -1, -2; ε = 0.2)', rtol: 1e-5, atol: 1e-6,
          misconceptions: surrogateMistakes(nw, old, A, eps),
          hint: 'The per-token minima are (1.1, 2.4, 0.25, -1.5, -1.6): mean 0.13, so the loss is -0.13.',
        });
      },
    },
    {
      name: 'ppoPolicyLoss: the clipped tokens get zero gradient',
      task: 'ppoPolicyLoss',
      run: (m) => {
        const { nw, old, A, eps } = HAND;
        const x = leaf(nw);
        const loss = expectScalar(m.ppoPolicyLoss(x, tensor(old), tensor(A), eps), 'ppoPolicyLoss', 'Average over the tokens with mean(...).');
        expectGraph(loss, 'ppoPolicyLoss');
        loss.backward();
        const want = ppoGrad64(nw, old, A, eps);
        const got = Array.from(x.grad ?? new Float32Array(A.length));
        // Right wherever the unclipped term is active, but not 0 where the clipped one is: the gradient leaks.
        const leaked = want.findIndex((g, i) => g === 0 && Math.abs(got[i]) > 1e-6);
        if (leaked >= 0 && want.every((g, i) => g === 0 || Math.abs(got[i] - g) < 1e-5)) {
          fail(`d loss / d newLogProbs[${leaked}] is ${got[leaked]}, expected 0. ${TEXT['clipped-gradient'].message}`, { hint: TEXT['clipped-gradient'].hint });
        }
        // The gradients of the wrong variants, by finite differences of their float64 losses.
        const fd = (v: SurrogateVariant) => nw.map((_, i) => {
          const h = 1e-6;
          const up = [...nw]; up[i] += h;
          const dn = [...nw]; dn[i] -= h;
          return (ppo64(up, old, A, eps, v) - ppo64(dn, old, A, eps, v)) / (2 * h);
        });
        expectClose(got, want, {
          what: 'd loss / d newLogProbs', rtol: 1e-4, atol: 1e-6,
          misconceptions: SURROGATE_MISTAKES.map((v) => wrong(v, fd(v))),
          hint: 'Only tokens whose unclipped term ratio·A is the smaller one pass a gradient, -ratio·A/N; clipped ones pass 0.',
        });
      },
    },
    {
      name: 'ppoPolicyLoss: an unchanged policy gives -mean(A) and gradient -A/N',
      task: 'ppoPolicyLoss',
      run: (m, ctx) => {
        const old = rand(ctx, 8, -4, -0.1);
        const A = rand(ctx, 8, -2, 2);
        const x = leaf(old);
        const loss = expectScalar(m.ppoPolicyLoss(x, tensor(old), tensor(A), 0.2), 'ppoPolicyLoss', 'Average over the tokens with mean(...).');
        expectClose(loss.data[0], -meanOf(A), {
          what: 'ppoPolicyLoss with newLogProbs = oldLogProbs', rtol: 1e-5, atol: 1e-6,
          misconceptions: surrogateMistakes(old, old, A, 0.2),
          hint: 'When nothing has changed the ratio is exp(0) = 1, inside the band, so the loss is -mean(A).',
        });
        expectGraph(loss, 'ppoPolicyLoss');
        loss.backward();
        expectClose(x.grad ?? new Float32Array(8), A.map((a) => -a / 8), {
          what: 'd loss / d newLogProbs at ratio 1', rtol: 1e-4, atol: 1e-6,
          misconceptions: [wrong('old-new-swapped', A.map((a) => a / 8)), wrong('sign-flipped', A.map((a) => a / 8))],
          hint: 'At ratio 1, d ratio / d newLogProbs = ratio = 1, so each token\'s gradient is -A_i / N: good actions become more likely.',
        });
      },
    },
    {
      name: 'ppoPolicyLoss: 64 random tokens and three ε against a float64 reference',
      task: 'ppoPolicyLoss',
      run: (m, ctx) => {
        for (const eps of [0.1, 0.2, 0.3]) {
          const old = rand(ctx, 64, -5, -0.05);
          const nw = old.map((o) => o + (ctx.random() * 2 - 1) * 0.6);
          const A = rand(ctx, 64, -2, 2);
          const x = leaf(nw);
          const loss = expectScalar(m.ppoPolicyLoss(x, tensor(old), tensor(A), eps), 'ppoPolicyLoss', 'Average over the tokens with mean(...).');
          expectClose(loss.data[0], ppo64(nw, old, A, eps), { what: `ppoPolicyLoss on 64 random tokens, ε = ${eps}`, rtol: 1e-4, atol: 1e-6, misconceptions: surrogateMistakes(nw, old, A, eps) });
          expectGraph(loss, 'ppoPolicyLoss');
          loss.backward();
          expectClose(x.grad ?? new Float32Array(64), ppoGrad64(nw, old, A, eps), { what: `d loss / d newLogProbs, ε = ${eps}`, rtol: 1e-3, atol: 1e-6 });
        }
      },
    },

    // ----- valueLoss ---------------------------------------------------------------------------------------
    {
      name: 'valueLoss: 0.5 · mean squared error, and its gradient',
      task: 'valueLoss',
      run: (m, ctx) => {
        // values (1, 2, 3), returns (1.5, 1, 3): errors (-0.5, 1, 0), squares (0.25, 1, 0), mean 5/12, loss 5/24 = 0.208333
        const v = leaf([1, 2, 3]);
        const loss = expectScalar(m.valueLoss(v, tensor([1.5, 1, 3])), 'valueLoss', 'Average over the tokens with mean(...).');
        expectClose(loss.data[0], 5 / 24, {
          what: 'valueLoss([1, 2, 3], [1.5, 1, 3])', rtol: 1e-5,
          misconceptions: [wrong('value-no-half', 5 / 12), wrong('value-sum', 0.625), wrong('value-sum', 1.25), wrong('value-abs', 0.25), wrong('value-abs', 0.5)],
        });
        expectGraph(loss, 'valueLoss');
        loss.backward();
        expectClose(v.grad ?? new Float32Array(3), [-0.5 / 3, 1 / 3, 0], {
          what: 'd valueLoss / d values', rtol: 1e-5, atol: 1e-7,
          misconceptions: [wrong('value-no-half', [-1 / 3, 2 / 3, 0])],
          hint: 'The gradient of 0.5·mean((v - R)²) is (v - R) / N.',
        });
        const values = rand(ctx, 40, -3, 3);
        const returns = rand(ctx, 40, -3, 3);
        const mse = meanOf(values.map((x, i) => (x - returns[i]) ** 2));
        const big = expectScalar(m.valueLoss(tensor(values), tensor(returns)), 'valueLoss', 'Average over the tokens with mean(...).');
        expectClose(big.data[0], 0.5 * mse, { what: 'valueLoss on 40 random tokens', rtol: 1e-5, misconceptions: [wrong('value-no-half', mse), wrong('value-sum', 20 * mse), wrong('value-sum', 40 * mse)] });
      },
    },

    // ----- entropy -----------------------------------------------------------------------------------------
    {
      name: 'entropy: uniform is log V, a skewed row by hand, and the mean over positions',
      task: 'entropy',
      run: (m) => {
        // Row 0 uniform over 4 tokens: log 4 = 1.386294. Row 1 logits (0, ln 3, -∞-ish): p ≈ (0.25, 0.75, 0, 0): 0.562335.
        const logits = [0, 0, 0, 0, 0, Math.log(3), -50, -50];
        const H = entropies64(logits, 4);
        const got = expectScalar(m.entropy(tensor(logits, [2, 4])), 'entropy', 'One entropy per position (sum over the last axis), then the mean over positions.');
        expectClose(got.data[0], meanOf(H), {
          what: 'entropy of logits [[0, 0, 0, 0], [0, ln 3, -50, -50]]', rtol: 1e-5, atol: 1e-6,
          misconceptions: [
            wrong('entropy-no-minus', -meanOf(H)), wrong('entropy-sum', H[0] + H[1]),
            wrong('entropy-of-logits', pTimesLogits(logits, 4)),
          ],
          hint: 'Row 0 is uniform over 4 tokens: log 4 = 1.3863. Row 1 is (0.25, 0.75, ≈0, ≈0): 0.5623. The mean is 0.9743.',
        });
        const uniform = expectScalar(m.entropy(tensor(new Array(3 * 2 * 10).fill(1.5), [3, 2, 10])), 'entropy', 'Reduce to one number.');
        expectClose(uniform.data[0], Math.log(10), {
          what: 'entropy of uniform logits (3, 2, 10)', rtol: 1e-5,
          misconceptions: [wrong('entropy-sum', 6 * Math.log(10)), wrong('entropy-no-minus', -Math.log(10))],
          hint: 'Every position is uniform over 10 tokens, so every entropy is log 10 and so is their mean.',
        });
      },
    },
    {
      name: 'entropy: finite for huge logits, and gradients match finite differences',
      task: 'entropy',
      run: (m, ctx) => {
        const huge = [1000, 0, -1000, 5, 999, 998];
        const got = expectScalar(m.entropy(tensor(huge, [2, 3])), 'entropy', 'Reduce to one number.');
        if (!Number.isFinite(got.data[0])) fail(`entropy of logits [[1000, 0, -1000], [5, 999, 998]] is ${got.data[0]}. ${TEXT['entropy-nan'].message}`, { hint: TEXT['entropy-nan'].hint });
        expectClose(got.data[0], meanOf(entropies64(huge, 3)), { what: 'entropy of logits [[1000, 0, -1000], [5, 999, 998]]', rtol: 1e-4, atol: 1e-5 });
        const x = leaf(rand(ctx, 12, -2, 2), [3, 4]);
        const out = expectScalar(m.entropy(x), 'entropy', 'Reduce to one number.');
        expectGraph(out, 'entropy');
        const g = gradcheck(() => m.entropy(x), [x]);
        expectTrue(g.ok, `Your entropy's gradients disagree with finite differences of your own function: ${g.message}`,
          'Every step must be a kit op; values computed from .data are invisible to autograd.');
      },
    },

    // ----- klPenalty ---------------------------------------------------------------------------------------
    {
      name: 'klPenalty: log π - log π_ref per token, same shape, gradient 1',
      task: 'klPenalty',
      run: (m, ctx) => {
        const lp = [-1, -2, -0.5, -3, -0.1, -2.2];
        const ref = [-1.5, -1, -0.5, -2, -0.4, -2.2];
        const x = leaf(lp, [2, 3]);
        const got: unknown = m.klPenalty(x, tensor(ref, [2, 3]));
        if (!isTensor(got)) fail(`klPenalty returned ${describeType(got)}; expected a kit Tensor`, { hint: 'Return sub(logProbs, refLogProbs).' });
        expectShape(got, [2, 3], 'klPenalty(logProbs (2, 3), refLogProbs (2, 3))');
        const want = lp.map((v, i) => v - ref[i]); // (0.5, -1, 0, -1, 0.3, 0)
        expectClose(got, tensor(want, [2, 3]), {
          what: 'klPenalty', rtol: 1e-5, atol: 1e-6,
          misconceptions: [
            wrong('kl-reversed', tensor(want.map((v) => -v), [2, 3])),
            wrong('kl-ratio', tensor(want.map(Math.exp), [2, 3])),
          ],
        });
        expectGraph(got, 'klPenalty');
        got.backward(new Float32Array(6).fill(1));
        expectClose(x.grad ?? new Float32Array(6), new Array(6).fill(1), {
          what: 'd sum(klPenalty) / d logProbs', rtol: 1e-6, misconceptions: [wrong('kl-reversed', new Array(6).fill(-1))],
        });
        // Its mean over tokens sampled from π estimates KL(π || π_ref) >= 0: check on a random distribution.
        const V = 5;
        const pl = rand(ctx, V, -2, 2);
        const rl = rand(ctx, V, -2, 2);
        const lse = (v: number[]) => Math.log(v.reduce((s, z) => s + Math.exp(z), 0));
        const logp = pl.map((z) => z - lse(pl));
        const logr = rl.map((z) => z - lse(rl));
        const kl = logp.reduce((s, l, i) => s + Math.exp(l) * (l - logr[i]), 0);
        const per = m.klPenalty(tensor(logp), tensor(logr)).data;
        const expectation = logp.reduce((s, l, i) => s + Math.exp(l) * per[i], 0);
        expectClose(expectation, kl, {
          what: 'Σ_a π(a)·klPenalty(a), which is KL(π || π_ref)', rtol: 1e-4, atol: 1e-6,
          misconceptions: [wrong('kl-reversed', -kl)],
        });
      },
    },

    // ----- normalizeAdvantages -----------------------------------------------------------------------------
    {
      name: 'normalizeAdvantages: [1, 2, 3, 4] by hand, and a random batch',
      task: 'normalizeAdvantages',
      run: (m, ctx) => {
        // mean 2.5, population std √1.25 = 1.118034: (-1.341641, -0.447214, 0.447214, 1.341641)
        const a = [1, 2, 3, 4];
        const misconceptions = (x: number[]): Misconception[] => [
          wrong('not-normalised', x), wrong('only-centred', normalize64(x, 'only-centred')),
          wrong('by-max', normalize64(x, 'by-max')), wrong('unbiased-std', normalize64(x, 'unbiased-std')),
        ];
        const got = m.normalizeAdvantages([...a]);
        if (!Array.isArray(got) && !ArrayBuffer.isView(got)) fail(`normalizeAdvantages returned ${describeType(got)}; expected an array of numbers`);
        expectClose(Array.from(got), normalize64(a), { what: 'normalizeAdvantages([1, 2, 3, 4])', rtol: 1e-6, atol: 1e-9, misconceptions: misconceptions(a) });
        const x = rand(ctx, 100, -3, 5);
        const before = [...x];
        const y = Array.from(m.normalizeAdvantages(x));
        expectEqual(x, before, 'the input after the call', 'Return a new array; leave the input alone.');
        expectClose(y, normalize64(x), { what: 'normalizeAdvantages on 100 random values', rtol: 1e-6, atol: 1e-9, misconceptions: misconceptions(x) });
        const mu = meanOf(y);
        const sd = Math.sqrt(meanOf(y.map((v) => (v - mu) ** 2)));
        expectClose([mu, sd], [0, 1], { what: '[mean, std] of the result', atol: 1e-6, rtol: 1e-6 });
      },
    },
    {
      name: 'normalizeAdvantages: a constant batch gives zeros, not NaN',
      task: 'normalizeAdvantages',
      run: (m) => {
        const got = Array.from(m.normalizeAdvantages([3, 3, 3]));
        if (got.some(Number.isNaN)) fail(`normalizeAdvantages([3, 3, 3]) is [${got.join(', ')}]. ${TEXT['no-eps'].message}`, { hint: TEXT['no-eps'].hint });
        expectClose(got, [0, 0, 0], { what: 'normalizeAdvantages([3, 3, 3])', atol: 1e-9, misconceptions: [wrong('not-normalised', [3, 3, 3])] });
        expectClose(Array.from(m.normalizeAdvantages([-2])), [0], { what: 'normalizeAdvantages([-2])', atol: 1e-9 });
        expectEqual(Array.from(m.normalizeAdvantages([])).length, 0, 'normalizeAdvantages([]).length');
      },
    },
  ],
});
