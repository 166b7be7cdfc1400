/**
 * Checks for the PPO-objective lesson (ppo/objective): ppoPolicyLoss, valueLoss, entropy, klPenalty and normalizeAdvantages.
 *
 * Expected values and gradients are computed here in float64 with plain loops (worked small cases in the
 * comments); the clipped surrogate's gradient is derived case by case (zero where the clipped term is the
 * smaller one). Every catalogued mistake (mistakes.ts) is computed as its own wrong value, so a failure names
 * it; NaN from 0·log 0 and 0/0 are recognised by behaviour. Finite differences of the learner's own functions
 * (the kit's gradcheck) confirm that backward agrees with forward.
 *
 * Other libraries' conventions: normalizeAdvantages accepts both the population std (÷ n) and torch's .std()
 * (÷ (n - 1), CleanRL / Stable-Baselines3 / TRL), and a single advantage left unchanged (Stable-Baselines3). The
 * value loss without ½ (Stable-Baselines3) and the k3 KL estimator (TRL) are named as those libraries' conventions.
 *
 * A mistake is named only when it explains a second input too: the policy loss's on PROBE (ratios far outside the band,
 * where every variant differs), the value loss's and the normalisation's on the check's other batch. A ratio that is
 * right for likely tokens and wrong for log-probs near -200 with the same differences is named 'ratio-of-probs'.
 *
 * Which check names which catalogued mistake (mistakes.ts; the catalogue runner holds one case per entry):
 *
 *   check                                         names
 *   ----------------------------------------------------------------------------------------------------------------
 *   ppoPolicyLoss: five tokens by hand            clip-advantage, max-not-min, sign-flipped, ratio-of-logs,
 *                                                 log-ratio-no-exp, old-new-swapped, no-clip
 *   ppoPolicyLoss: the clipped tokens get zero…   clipped-gradient, and the seven above (by their gradients)
 *   ppoPolicyLoss: an unchanged policy            clip-advantage, sign-flipped, log-ratio-no-exp, old-new-swapped
 *   ppoPolicyLoss: 64 random tokens, three ε      the seven surrogate mistakes
 *   ppoPolicyLoss: very unlikely tokens (-200)    ratio-of-probs, and the seven surrogate mistakes
 *   valueLoss                                     value-no-half (Stable-Baselines3), value-sum, value-abs
 *   entropy: uniform is log V…                    entropy-no-minus, entropy-sum, entropy-of-logits
 *   entropy: finite for huge logits…              entropy-nan
 *   klPenalty                                     kl-reversed, kl-ratio, kl-k3 (TRL), kl-k3-upside-down
 *   normalizeAdvantages: [1, 2, 3, 4]…            not-normalised, only-centred, by-max
 *   normalizeAdvantages: a constant batch…        no-eps, one-value-nan, not-normalised
 */
import { type CheckContext, type Misconception, type Numeric, defineChecks, describeType, expectClose, expectEqual, expectShape, expectTrue, fail, say, t, type Text } from '@llm-lab/check';
import { type Tensor, gradcheck, tensor } from '@llm-lab/kit';
import { PPO_MISTAKES as M, type PpoMistake } from './mistakes';

type Learner = typeof import('./ppo');

// ---------------------------------------------------------------------------------------------------------
// float64 references

const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
const meanOf = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
const wrong = (m: PpoMistake, value: Numeric): Misconception => ({ value, ...M[m] });

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

/**
 * A second input on which every catalogued policy-loss variant gives a different number: ratios far outside the band
 * (0.1 and 3) and inside it, advantages of both signs. A variant is named only when the learner's loss also follows it
 * here: on one check's input a different mistake can happen to give the same number (a band wide enough to contain
 * every ratio of the five tokens looks like no clipping at all). Right 0.408333; the variants 0.348333 (advantage
 * clipped), -0.175 (max), -0.408333 (sign), 0.222412 (ratio of logs), 0.742616 (no exp), 0.147354 (swapped), 0.208333
 * (no clip).
 */
const PROBE = (() => {
  const ratio = [0.1, 3, 0.5, 2, 1.05, 0.9];
  const old = [-1, -2.5, -0.5, -3, -1.5, -0.2].map(Math.fround);
  return { old, nw: old.map((o, i) => Math.fround(o + Math.log(ratio[i]))), A: [1, 0.5, -1, -2, 2, -0.5], eps: 0.2 };
})();

/** The catalogued variants the learner's ppoPolicyLoss follows on PROBE (none if it fails there in any way). */
function probeSurrogate(m: Learner): Set<Exclude<SurrogateVariant, 'right'>> {
  const { nw, old, A, eps } = PROBE;
  let got: number;
  try {
    got = Number(m.ppoPolicyLoss(tensor(nw), tensor(old), tensor(A), eps).data[0]);
  } catch {
    return new Set();
  }
  return new Set(SURROGATE_MISTAKES.filter((v) => closeTo(got, ppo64(nw, old, A, eps, v), 1e-4, 1e-6)));
}

/** The catalogued wrong losses on this input, those the learner's function also follows on PROBE. */
const surrogateMistakes = (m: Learner, nw: number[], old: number[], A: number[], eps: number): Misconception[] => {
  const follows = probeSurrogate(m);
  return SURROGATE_MISTAKES.filter((v) => follows.has(v)).map((v) => wrong(v, ppo64(nw, old, A, eps, v)));
};

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

/**
 * (a - mean) / (std + 1e-8) in float64. 'right' divides the squared deviations by n (NumPy's np.std, this lesson's
 * choice); 'unbiased' by n - 1 (torch's .std(), as CleanRL and Stable-Baselines3 normalise advantages, and TRL's
 * masked_whiten): both are accepted. The others are the catalogued mistakes.
 */
function normalize64(a: readonly number[], v: 'right' | 'unbiased' | 'only-centred' | 'by-max' = 'right'): number[] {
  const n = a.length;
  const mu = meanOf(a);
  if (v === 'only-centred') return a.map((x) => x - mu);
  if (v === 'by-max') {
    const m = Math.max(...a.map(Math.abs));
    return a.map((x) => x / m);
  }
  const ss = a.reduce((s, x) => s + (x - mu) ** 2, 0);
  const std = Math.sqrt(ss / (v === 'unbiased' ? n - 1 : n));
  return a.map((x) => (x - mu) / (std + 1e-8));
}

/** expectClose's rule for one number. */
const closeTo = (a: number, e: number, rtol: number, atol: number): boolean => Math.abs(a - e) <= atol + rtol * Math.abs(e);

/** The catalogued wrong value losses, as functions of the errors e = values - returns. */
const VALUE_MISTAKES: [PpoMistake, (e: number[]) => number][] = [
  ['value-no-half', (e) => meanOf(e.map((x) => x * x))],
  ['value-sum', (e) => 0.5 * e.reduce((s, x) => s + x * x, 0)],
  ['value-sum', (e) => e.reduce((s, x) => s + x * x, 0)],
  ['value-abs', (e) => 0.5 * meanOf(e.map(Math.abs))],
  ['value-abs', (e) => meanOf(e.map(Math.abs))],
];

/** The catalogued wrong normalisations. */
const NORMALIZE_MISTAKES: [PpoMistake, (a: readonly number[]) => number[]][] = [
  ['not-normalised', (a) => [...a]],
  ['only-centred', (a) => normalize64(a, 'only-centred')],
  ['by-max', (a) => normalize64(a, 'by-max')],
];

/**
 * What float32 allows for normalised advantages: the same function written with kit ops (tensor(a), mean, variance,
 * sqrt) rounds the inputs to float32, which moves a result near 0 by up to about 1e-7. The two standard deviations
 * it must tell apart differ by 0.5% even for 100 values, and every catalogued mistake by far more.
 */
const NORMALIZED_TOL = { rtol: 1e-5, atol: 1e-6 };

/** |a - e| <= atol + rtol·|e| everywhere (expectClose's rule), for deciding which accepted convention `got` follows. */
function allClose(got: readonly number[], want: readonly number[], rtol: number, atol: number): boolean {
  return got.length === want.length && want.every((e, i) => Math.abs(got[i] - e) <= atol + rtol * Math.abs(e));
}

/**
 * Compares normalizeAdvantages(x) with the reference, accepting both standard deviations: ÷ n (this lesson's) and
 * ÷ (n - 1) (torch's .std(): CleanRL, Stable-Baselines3, TRL). Returns which one the learner used (the divisor's
 * offset, 0 or 1), so that the std of the result can be measured the same way.
 */
function expectNormalised(got: number[], x: readonly number[], what: string, misconceptions: Misconception[], hint?: Text): 0 | 1 {
  const opts = NORMALIZED_TOL;
  if (x.length > 1 && allClose(got, normalize64(x, 'unbiased'), opts.rtol, opts.atol)) return 1;
  expectClose(got, normalize64(x), { what, ...opts, misconceptions, hint });
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Calling the learner

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v && ArrayBuffer.isView((v as Tensor).data);
}

/** Fails unless `got` is a kit Tensor holding one number; returns it. */
function expectScalar(got: unknown, what: string, hint: Text): Tensor {
  if (!isTensor(got)) {
    const type = describeType(got);
    fail(t(`${what} returned ${type.en}; expected a kit Tensor`, `${what} 返回了 ${type['zh-cn']}；应返回 kit 张量`), {
      hint: got === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : t('Return the Tensor your kit ops built.', '返回由你的 kit 算子构造出的张量。'),
    });
  }
  if (got.data.length !== 1) {
    const shape = `[${got.shape.join(', ')}]`;
    fail(t(`${what} returned a tensor of shape ${shape}; expected a scalar (one number)`, `${what} 返回了形状为 ${shape} 的张量；应返回标量（一个数）`), { hint });
  }
  return got;
}

/** Fails unless the result is connected to the graph (some input required grad). */
function expectGraph(x: Tensor, what: string): void {
  if (!x.requiresGrad) {
    fail(t(`No gradient can flow through ${what}: the result does not require grad. Did you compute it from .data with plain numbers?`,
      `梯度无法流过 ${what}：结果不需要梯度（requiresGrad 为 false）。你是不是用 .data 里的普通数字算出了它？`), {
      hint: t('Build it only from kit ops (sub, exp, mul, mean, ...) applied to the input tensors, so autograd records every step.',
        '只用作用在输入张量上的 kit 算子（sub、exp、mul、mean……）构造它，这样自动求导才能记录每一步。'),
    });
  }
}

/** Hints when a loss is not one number. */
const MEAN_HINT = t('Average over the tokens with mean(...).', '用 mean(...) 对词元求平均。');
const ONE_NUMBER = t('Reduce to one number.', '归约成一个数。');

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
      name: t('ppoPolicyLoss: five tokens by hand, one in each region of the clip', 'ppoPolicyLoss：手算五个词元，裁剪的每个区域各一个'),
      task: 'ppoPolicyLoss',
      run: (m) => {
        const { nw, old, A, eps } = HAND;
        const loss = expectScalar(m.ppoPolicyLoss(leaf(nw), tensor(old), tensor(A), eps), 'ppoPolicyLoss', t('Average over the tokens with mean(...) and negate.', '用 mean(...) 对词元求平均，再取负。'));
        expectClose(loss.data[0], ppo64(nw, old, A, eps), {
          what: say(t('ppoPolicyLoss (ratios 1.1, 1.5, 0.5, 1.5, 0.6; A = 1, 2, 0.5, -1, -2; ε = 0.2)', 'ppoPolicyLoss（比率 1.1, 1.5, 0.5, 1.5, 0.6；A = 1, 2, 0.5, -1, -2；ε = 0.2）')), rtol: 1e-5, atol: 1e-6,
          misconceptions: surrogateMistakes(m, nw, old, A, eps),
          hint: t('The per-token minima are (1.1, 2.4, 0.25, -1.5, -1.6): mean 0.13, so the loss is -0.13.',
            '逐词元的最小值是 (1.1, 2.4, 0.25, -1.5, -1.6)：均值 0.13，所以损失是 -0.13。'),
        });
      },
    },
    {
      name: t('ppoPolicyLoss: the clipped tokens get zero gradient', 'ppoPolicyLoss：被裁剪的词元梯度为零'),
      task: 'ppoPolicyLoss',
      run: (m) => {
        const { nw, old, A, eps } = HAND;
        const x = leaf(nw);
        const loss = expectScalar(m.ppoPolicyLoss(x, tensor(old), tensor(A), eps), 'ppoPolicyLoss', MEAN_HINT);
        expectGraph(loss, 'ppoPolicyLoss');
        loss.backward();
        const want = ppoGrad64(nw, old, A, eps);
        const got = Array.from(x.grad ?? new Float32Array(A.length));
        // Right wherever the unclipped term is active, but not 0 where the clipped one is: the gradient leaks.
        // That is the straight-through mistake only if the loss VALUE is right (a different clipping band, say, also
        // passes a gradient where this one is 0, but its value differs).
        const valueRight = Math.abs(loss.data[0] - ppo64(nw, old, A, eps)) <= 1e-6 + 1e-5 * Math.abs(ppo64(nw, old, A, eps));
        const leaked = want.findIndex((g, i) => g === 0 && Math.abs(got[i]) > 1e-6);
        if (valueRight && leaked >= 0 && want.every((g, i) => g === 0 || Math.abs(got[i] - g) < 1e-5)) {
          fail(t(`d loss / d newLogProbs[${leaked}] is ${got[leaked]}, expected 0. ${M['clipped-gradient'].message.en}`,
            `d loss / d newLogProbs[${leaked}] 是 ${got[leaked]}，应为 0。${M['clipped-gradient'].message['zh-cn']}`), { hint: M['clipped-gradient'].hint });
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
          misconceptions: [...probeSurrogate(m)].map((v) => wrong(v, fd(v))),
          hint: t('Only tokens whose unclipped term ratio·A is the smaller one pass a gradient, -ratio·A/N; clipped ones pass 0.',
            '只有未裁剪项 ratio·A 较小的词元才传递梯度 -ratio·A/N；被裁剪的词元传递 0。'),
        });
      },
    },
    {
      name: t('ppoPolicyLoss: an unchanged policy gives -mean(A) and gradient -A/N', 'ppoPolicyLoss：策略未变时损失为 -mean(A)，梯度为 -A/N'),
      task: 'ppoPolicyLoss',
      run: (m, ctx) => {
        const old = rand(ctx, 8, -4, -0.1);
        const A = rand(ctx, 8, -2, 2);
        const x = leaf(old);
        const loss = expectScalar(m.ppoPolicyLoss(x, tensor(old), tensor(A), 0.2), 'ppoPolicyLoss', MEAN_HINT);
        const follows = probeSurrogate(m);
        expectClose(loss.data[0], -meanOf(A), {
          what: say(t('ppoPolicyLoss with newLogProbs = oldLogProbs', 'newLogProbs = oldLogProbs 时的 ppoPolicyLoss')), rtol: 1e-5, atol: 1e-6,
          misconceptions: surrogateMistakes(m, old, old, A, 0.2),
          hint: t('When nothing has changed the ratio is exp(0) = 1, inside the band, so the loss is -mean(A).',
            '什么都没变时比率是 exp(0) = 1，落在区间内，所以损失是 -mean(A)。'),
        });
        expectGraph(loss, 'ppoPolicyLoss');
        loss.backward();
        expectClose(x.grad ?? new Float32Array(8), A.map((a) => -a / 8), {
          what: say(t('d loss / d newLogProbs at ratio 1', '比率为 1 时的 d loss / d newLogProbs')), rtol: 1e-4, atol: 1e-6,
          // At ratio 1 both give +A/N; the probe tells which one the learner's loss follows.
          misconceptions: (['old-new-swapped', 'sign-flipped'] as const).filter((v) => follows.has(v)).map((v) => wrong(v, A.map((a) => a / 8))),
          hint: t('At ratio 1, d ratio / d newLogProbs = ratio = 1, so each token\'s gradient is -A_i / N: good actions become more likely.',
            '比率为 1 时，d ratio / d newLogProbs = ratio = 1，所以每个词元的梯度是 -A_i / N：好动作的概率会升高。'),
        });
      },
    },
    {
      name: t('ppoPolicyLoss: 64 random tokens and three ε against a float64 reference', 'ppoPolicyLoss：64 个随机词元、三个 ε，与 float64 参考值比较'),
      task: 'ppoPolicyLoss',
      run: (m, ctx) => {
        for (const eps of [0.1, 0.2, 0.3]) {
          const old = rand(ctx, 64, -5, -0.05);
          const nw = old.map((o) => o + (ctx.random() * 2 - 1) * 0.6);
          const A = rand(ctx, 64, -2, 2);
          const x = leaf(nw);
          const loss = expectScalar(m.ppoPolicyLoss(x, tensor(old), tensor(A), eps), 'ppoPolicyLoss', MEAN_HINT);
          expectClose(loss.data[0], ppo64(nw, old, A, eps), { what: say(t(`ppoPolicyLoss on 64 random tokens, ε = ${eps}`, `64 个随机词元上的 ppoPolicyLoss，ε = ${eps}`)), rtol: 1e-4, atol: 1e-6, misconceptions: surrogateMistakes(m, nw, old, A, eps) });
          expectGraph(loss, 'ppoPolicyLoss');
          loss.backward();
          expectClose(x.grad ?? new Float32Array(64), ppoGrad64(nw, old, A, eps), { what: `d loss / d newLogProbs, ε = ${eps}`, rtol: 1e-3, atol: 1e-6 });
        }
      },
    },
    {
      name: t('ppoPolicyLoss: very unlikely tokens (log-probs down to -200) give the same loss as likely ones',
        'ppoPolicyLoss：概率极小的词元（对数概率低至 -200）与概率较大的词元给出同样的损失'),
      task: 'ppoPolicyLoss',
      run: (m) => {
        // The same five log-ratios (ratios ≈ 1.105, 0.741, 1.051, 1.284, 0.905) on tokens the old policy found very
        // unlikely, and on likely ones. The loss depends only on new - old, so both must give the float64 value.
        // In float32, exp(x) is denormal below -87 and 0 below -103.3: a ratio exp(new) / exp(old) is 0/0 there.
        const logRatio = [0.1, -0.3, 0.05, 0.25, -0.1];
        const A = [1, -0.5, 2, 1.5, -1];
        const eps = 0.2;
        const unlikely = [-200, -150, -120, -95, -2];
        const likely = [-1, -2, -0.5, -3, -0.2];
        // What the learner's float32 tensors hold (new - old of two float32 numbers near -200 is exact: Sterbenz).
        const f32 = (xs: number[]) => xs.map(Math.fround);
        const run = (old: number[]) => {
          const o = f32(old);
          const nw = f32(old.map((v, i) => v + logRatio[i]));
          const x = leaf(nw);
          const loss = expectScalar(m.ppoPolicyLoss(x, tensor(o), tensor(A), eps), 'ppoPolicyLoss', MEAN_HINT);
          return { loss, x, nw, o, want: ppo64(nw, o, A, eps) };
        };
        const far = run(unlikely);
        const near = run(likely);
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 + 1e-4 * Math.abs(b);
        // Right on likely tokens, wrong (or NaN) on unlikely ones with the same log-ratios: the ratio was not taken
        // from the difference alone.
        if (!close(far.loss.data[0], far.want) && close(near.loss.data[0], near.want)) {
          fail(t(`ppoPolicyLoss is ${far.loss.data[0]} for old log-probs (-200, -150, -120, -95, -2), expected ${far.want}, but right for the same log-ratios on likely tokens. ${M['ratio-of-probs'].message.en}`,
            `旧对数概率为 (-200, -150, -120, -95, -2) 时 ppoPolicyLoss 是 ${far.loss.data[0]}，应为 ${far.want}；而在概率较大的词元上，同样的对数比给出的结果是对的。${M['ratio-of-probs'].message['zh-cn']}`),
          { hint: M['ratio-of-probs'].hint, expected: { kind: 'number', value: far.want }, actual: { kind: 'number', value: far.loss.data[0] } });
        }
        expectClose(far.loss.data[0], far.want, {
          what: say(t('ppoPolicyLoss with old log-probs (-200, -150, -120, -95, -2)', '旧对数概率为 (-200, -150, -120, -95, -2) 时的 ppoPolicyLoss')), rtol: 1e-4, atol: 1e-6,
          misconceptions: surrogateMistakes(m, far.nw, far.o, A, eps),
        });
        expectGraph(far.loss, 'ppoPolicyLoss');
        far.loss.backward();
        expectClose(far.x.grad ?? new Float32Array(5), ppoGrad64(far.nw, far.o, A, eps), {
          what: say(t('d loss / d newLogProbs with old log-probs down to -200', '旧对数概率低至 -200 时的 d loss / d newLogProbs')), rtol: 1e-3, atol: 1e-6,
        });
      },
    },

    // ----- valueLoss ---------------------------------------------------------------------------------------
    {
      name: t('valueLoss: 0.5 · mean squared error, and its gradient', 'valueLoss：0.5 · 均方误差，及其梯度'),
      task: 'valueLoss',
      run: (m, ctx) => {
        // values (1, 2, 3), returns (1.5, 1, 3): errors (-0.5, 1, 0), squares (0.25, 1, 0), mean 5/12, loss 5/24 = 0.208333
        const v = leaf([1, 2, 3]);
        const loss = expectScalar(m.valueLoss(v, tensor([1.5, 1, 3])), 'valueLoss', MEAN_HINT);
        const values = rand(ctx, 40, -3, 3);
        const returns = rand(ctx, 40, -3, 3);
        const big = expectScalar(m.valueLoss(tensor(values), tensor(returns)), 'valueLoss', MEAN_HINT);
        // A known wrong form is named only when it explains BOTH inputs: on the small one, (v - R)·v happens to give
        // 0.25, which is also 0.5·mean|v - R|.
        const hand = { e: [-0.5, 1, 0], got: loss.data[0] };
        const random = { e: values.map((x, i) => x - returns[i]), got: big.data[0] };
        const named = VALUE_MISTAKES.filter(([, f]) => [hand, random].every(({ e, got }) => closeTo(got, f(e), 1e-5, 1e-6)));
        expectClose(hand.got, 5 / 24, {
          what: 'valueLoss([1, 2, 3], [1.5, 1, 3])', rtol: 1e-5,
          misconceptions: named.map(([k, f]) => wrong(k, f(hand.e))),
        });
        expectGraph(loss, 'valueLoss');
        loss.backward();
        expectClose(v.grad ?? new Float32Array(3), [-0.5 / 3, 1 / 3, 0], {
          what: 'd valueLoss / d values', rtol: 1e-5, atol: 1e-7,
          hint: t('The gradient of 0.5·mean((v - R)²) is (v - R) / N.', '0.5·mean((v - R)²) 的梯度是 (v - R) / N。'),
        });
        expectClose(random.got, 0.5 * meanOf(random.e.map((x) => x * x)), {
          what: say(t('valueLoss on 40 random tokens', '40 个随机词元上的 valueLoss')), rtol: 1e-5,
          misconceptions: named.map(([k, f]) => wrong(k, f(random.e))),
        });
      },
    },

    // ----- entropy -----------------------------------------------------------------------------------------
    {
      name: t('entropy: uniform is log V, a skewed row by hand, and the mean over positions', 'entropy：均匀分布为 log V，手算一个偏斜的行，以及对位置取平均'),
      task: 'entropy',
      run: (m) => {
        // Row 0 uniform over 4 tokens: log 4 = 1.386294. Row 1 logits (0, ln 3, -∞-ish): p ≈ (0.25, 0.75, 0, 0): 0.562335.
        const logits = [0, 0, 0, 0, 0, Math.log(3), -50, -50];
        const H = entropies64(logits, 4);
        const got = expectScalar(m.entropy(tensor(logits, [2, 4])), 'entropy', t('One entropy per position (sum over the last axis), then the mean over positions.', '每个位置一个熵（在最后一个轴上求和），再对各位置取平均。'));
        expectClose(got.data[0], meanOf(H), {
          what: say(t('entropy of logits [[0, 0, 0, 0], [0, ln 3, -50, -50]]', 'logits [[0, 0, 0, 0], [0, ln 3, -50, -50]] 的 entropy')), rtol: 1e-5, atol: 1e-6,
          misconceptions: [
            wrong('entropy-no-minus', -meanOf(H)), wrong('entropy-sum', H[0] + H[1]),
            wrong('entropy-of-logits', pTimesLogits(logits, 4)),
          ],
          hint: t('Row 0 is uniform over 4 tokens: log 4 = 1.3863. Row 1 is (0.25, 0.75, ≈0, ≈0): 0.5623. The mean is 0.9743.',
            '第 0 行在 4 个词元上均匀分布：log 4 = 1.3863。第 1 行是 (0.25, 0.75, ≈0, ≈0)：0.5623。均值是 0.9743。'),
        });
        const uniform = expectScalar(m.entropy(tensor(new Array(3 * 2 * 10).fill(1.5), [3, 2, 10])), 'entropy', ONE_NUMBER);
        expectClose(uniform.data[0], Math.log(10), {
          what: say(t('entropy of uniform logits (3, 2, 10)', '均匀 logits (3, 2, 10) 的 entropy')), rtol: 1e-5,
          misconceptions: [wrong('entropy-sum', 6 * Math.log(10)), wrong('entropy-no-minus', -Math.log(10))],
          hint: t('Every position is uniform over 10 tokens, so every entropy is log 10 and so is their mean.',
            '每个位置都在 10 个词元上均匀分布，所以每个熵都是 log 10，它们的均值也是。'),
        });
      },
    },
    {
      name: t('entropy: finite for huge logits, and gradients match finite differences', 'entropy：logits 很大时仍有限，梯度与有限差分一致'),
      task: 'entropy',
      run: (m, ctx) => {
        const huge = [1000, 0, -1000, 5, 999, 998];
        const got = expectScalar(m.entropy(tensor(huge, [2, 3])), 'entropy', ONE_NUMBER);
        if (!Number.isFinite(got.data[0])) {
          fail(t(`entropy of logits [[1000, 0, -1000], [5, 999, 998]] is ${got.data[0]}. ${M['entropy-nan'].message.en}`,
            `logits [[1000, 0, -1000], [5, 999, 998]] 的熵是 ${got.data[0]}。${M['entropy-nan'].message['zh-cn']}`), { hint: M['entropy-nan'].hint });
        }
        expectClose(got.data[0], meanOf(entropies64(huge, 3)), { what: say(t('entropy of logits [[1000, 0, -1000], [5, 999, 998]]', 'logits [[1000, 0, -1000], [5, 999, 998]] 的 entropy')), rtol: 1e-4, atol: 1e-5 });
        const x = leaf(rand(ctx, 12, -2, 2), [3, 4]);
        const out = expectScalar(m.entropy(x), 'entropy', ONE_NUMBER);
        expectGraph(out, 'entropy');
        const g = gradcheck(() => m.entropy(x), [x]);
        expectTrue(g.ok,
          t(`Your entropy's gradients disagree with finite differences of your own function: ${g.message}`, `你的 entropy 的梯度与对你自己的函数做有限差分的结果不一致：${g.message}`),
          t('Every step must be a kit op; values computed from .data are invisible to autograd.', '每一步都必须是 kit 算子；由 .data 算出的值，自动求导看不见。'));
      },
    },

    // ----- klPenalty ---------------------------------------------------------------------------------------
    {
      name: t('klPenalty: log π - log π_ref per token, same shape, gradient 1', 'klPenalty：逐词元 log π - log π_ref，形状不变，梯度为 1'),
      task: 'klPenalty',
      run: (m, ctx) => {
        const lp = [-1, -2, -0.5, -3, -0.1, -2.2];
        const ref = [-1.5, -1, -0.5, -2, -0.4, -2.2];
        const x = leaf(lp, [2, 3]);
        const got: unknown = m.klPenalty(x, tensor(ref, [2, 3]));
        if (!isTensor(got)) {
          const type = describeType(got);
          fail(t(`klPenalty returned ${type.en}; expected a kit Tensor`, `klPenalty 返回了 ${type['zh-cn']}；应返回 kit 张量`),
            { hint: t('Return sub(logProbs, refLogProbs).', '返回 sub(logProbs, refLogProbs)。') });
        }
        expectShape(got, [2, 3], 'klPenalty(logProbs (2, 3), refLogProbs (2, 3))');
        const want = lp.map((v, i) => v - ref[i]); // (0.5, -1, 0, -1, 0.3, 0)
        expectClose(got, tensor(want, [2, 3]), {
          what: 'klPenalty', rtol: 1e-5, atol: 1e-6,
          misconceptions: [
            wrong('kl-reversed', tensor(want.map((v) => -v), [2, 3])),
            wrong('kl-ratio', tensor(want.map(Math.exp), [2, 3])),
            // k3 with r = π_ref/π (TRL's kl_estimator="k3": a convention), and with the ratio upside down (a mistake).
            wrong('kl-k3', tensor(want.map((d) => Math.exp(-d) - 1 + d), [2, 3])),
            wrong('kl-k3-upside-down', tensor(want.map((d) => Math.exp(d) - 1 - d), [2, 3])),
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
          what: say(t('Σ_a π(a)·klPenalty(a), which is KL(π || π_ref)', 'Σ_a π(a)·klPenalty(a)，即 KL(π || π_ref)')), rtol: 1e-4, atol: 1e-6,
          misconceptions: [wrong('kl-reversed', -kl)],
        });
      },
    },

    // ----- normalizeAdvantages -----------------------------------------------------------------------------
    {
      name: t('normalizeAdvantages: [1, 2, 3, 4] by hand, and a random batch', 'normalizeAdvantages：手算 [1, 2, 3, 4]，以及一个随机批次'),
      task: 'normalizeAdvantages',
      run: (m, ctx) => {
        // mean 2.5; population std √1.25 = 1.118034: (-1.341641, -0.447214, 0.447214, 1.341641)
        //           torch's .std() √(5/3) = 1.290994: (-1.161895, -0.387298, 0.387298, 1.161895)   both accepted
        const a = [1, 2, 3, 4];
        const got = m.normalizeAdvantages([...a]);
        if (!Array.isArray(got) && !ArrayBuffer.isView(got)) {
          const type = describeType(got);
          fail(t(`normalizeAdvantages returned ${type.en}; expected an array of numbers`, `normalizeAdvantages 返回了 ${type['zh-cn']}；应返回一个数组`));
        }
        const x = rand(ctx, 100, -3, 5);
        const before = [...x];
        const y = Array.from(m.normalizeAdvantages(x));
        // A known wrong form is named only when it explains both batches: on [1, 2, 3, 4] the mean absolute deviation
        // is 1, so dividing by it looks exactly like not dividing at all.
        const named = NORMALIZE_MISTAKES.filter(([, f]) => allClose(Array.from(got), f(a), NORMALIZED_TOL.rtol, NORMALIZED_TOL.atol) && allClose(y, f(before), NORMALIZED_TOL.rtol, NORMALIZED_TOL.atol));
        const misconceptions = (v: number[]): Misconception[] => named.map(([k, f]) => wrong(k, f(v)));
        expectNormalised(Array.from(got), a, 'normalizeAdvantages([1, 2, 3, 4])', misconceptions(a),
          t('mean 2.5, std √1.25 = 1.1180 (divide by n), or √(5/3) = 1.2910 with the n - 1 of torch\'s .std(): both are accepted. (x - mean) / (std + 1e-8).',
            'mean 2.5，std √1.25 = 1.1180（除以 n），或用 torch 的 .std() 的 n - 1 得到 √(5/3) = 1.2910：两者都接受。(x - mean) / (std + 1e-8)。'));
        expectEqual(x, before, say(t('the input after the call', '调用之后的输入')), t('Return a new array; leave the input alone.', '返回一个新数组；不要修改输入。'));
        const ddof = expectNormalised(y, before, say(t('normalizeAdvantages on 100 random values', '100 个随机值上的 normalizeAdvantages')), misconceptions(before));
        // Unit std measured the way the learner divided (÷ n or ÷ (n - 1)).
        const mu = meanOf(y);
        const sd = Math.sqrt(y.reduce((s, v) => s + (v - mu) ** 2, 0) / (y.length - ddof));
        expectClose([mu, sd], [0, 1], { what: say(t('[mean, std] of the result', '结果的 [mean, std]')), atol: 1e-6, rtol: 1e-6 });
      },
    },
    {
      name: t('normalizeAdvantages: a constant batch gives zeros, not NaN', 'normalizeAdvantages：常数批次得到全零，而不是 NaN'),
      task: 'normalizeAdvantages',
      run: (m) => {
        const got = Array.from(m.normalizeAdvantages([3, 3, 3]));
        if (got.some(Number.isNaN)) {
          const shown = `[${got.join(', ')}]`;
          fail(t(`normalizeAdvantages([3, 3, 3]) is ${shown}. ${M['no-eps'].message.en}`, `normalizeAdvantages([3, 3, 3]) 是 ${shown}。${M['no-eps'].message['zh-cn']}`), { hint: M['no-eps'].hint });
        }
        expectClose(got, [0, 0, 0], { what: 'normalizeAdvantages([3, 3, 3])', atol: 1e-9, misconceptions: [wrong('not-normalised', [3, 3, 3])] });
        // One value: 0 (÷ n, with the eps), or left as it is (Stable-Baselines3 skips normalising a minibatch of one).
        // Not NaN, which the n - 1 std gives without that guard (0/0).
        const one = Array.from(m.normalizeAdvantages([-2]));
        if (one.length === 1 && Number.isNaN(one[0])) {
          fail(t(`normalizeAdvantages([-2]) is [NaN]. ${M['one-value-nan'].message.en}`, `normalizeAdvantages([-2]) 是 [NaN]。${M['one-value-nan'].message['zh-cn']}`), { hint: M['one-value-nan'].hint });
        }
        if (!(one.length === 1 && one[0] === -2)) {
          expectClose(one, [0], {
            what: 'normalizeAdvantages([-2])', atol: 1e-9,
            hint: t('One value normalises to [0] (its deviation from its own mean is 0), or may be returned unchanged, as Stable-Baselines3 does.',
              '单个值归一化后是 [0]（它与自身均值的偏差为 0），也可以像 Stable-Baselines3 那样原样返回。'),
          });
        }
        expectEqual(Array.from(m.normalizeAdvantages([])).length, 0, 'normalizeAdvantages([]).length');
      },
    },
  ],
});
