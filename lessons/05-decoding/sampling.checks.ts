/**
 * Checks for the decoding lesson, exercise 1 (decoding/sampling): greedy, temperature, top-k, top-p, the
 * inverse-CDF sampler and the whole pipeline, on hand-worked distributions and on the bundled model.
 *
 * Expected values are worked out by hand (small cases, written as literals) or computed here in float64
 * with deliberately plain loops; no check uses one of the learner's functions to get an expected value.
 * The classic wrong answers (temperature applied after softmax, top-p without the token that crosses p,
 * a filter that forgets to renormalise...) are computed too, so a failure can name the mistake in the words of
 * the lesson's catalogue (mistakes.ts).
 * Distributions are compared, never random samples: the sampler gets its uniform number u from the check.
 * A hypothesis about a mistake is confirmed before it is named: "nothing filtered out" is called walking in
 * index order only when a second input agrees, and a wrong pipeline is first traced to the learner's own
 * withTemperature, topK or topP (the first stage that differs is named) before pickNext's order is blamed.
 *
 * Which check names which catalogued mistake (SAMPLING_MISTAKES; (c) = another library's convention):
 *
 *   check                                              catalogued mistakes it names
 *   greedy picks the index of the largest logit        -  (ties, all-negative logits, a changed input: plain messages)
 *   greedy decoding of the bundled model ...           -
 *   withTemperature is softmax(logits / T)             temperature-after-softmax, temperature-on-probabilities,
 *                                                      logits-times-temperature
 *   temperature: stable for huge logits ...            -  (overflow, T <= 0 not refused: plain messages)
 *   topK keeps exactly the k most likely tokens ...    not-renormalised, top-k-off-by-one, top-k-index-order,
 *                                                      top-k-least-likely
 *   topK with ties keeps exactly k ...                 top-k-keeps-ties (c), tie-towards-higher-index
 *   topP keeps the smallest set whose mass reaches p   top-p-excludes-crossing, not-renormalised, top-p-unsorted,
 *                                                      top-p-one-drops-tokens
 *   topP stops as soon as the mass reaches p exactly   top-p-strict, top-p-excludes-crossing
 *   topP with ties keeps the lower index first         top-p-ties-higher-index (c), top-p-strict
 *   sample inverts the cumulative distribution ...     sample-greater-or-equal  (a zero-probability fallback: plain)
 *   sample with a seeded Rng ...                       -
 *   pickNext applies temperature, then top-k ...       top-p-before-top-k, temperature-ignored,
 *                                                      temperature-zero-refused (c)
 *   the filters on the bundled model's ...             -
 *   sampling text from the bundled model ...           -
 */
import {
  CheckFailure, type CheckContext, type Misconception, type Text, defineChecks, expectClose, expectEqual, expectThrows, expectTrue, fail, mistake, t,
} from '@llm-lab/check';
import { PROMPT, lessonModel, nextLogits, readable, shown, withDetails } from '@llm-lab/course/decoding';
import { NotImplementedError, Rng } from '@llm-lab/kit';
import { SAMPLING_MISTAKES as M } from './mistakes';

type Learner = typeof import('./sampling');

// ---------------------------------------------------------------------------------------------------------
// Independent references (float64)

/** softmax(values / temperature) in float64, max subtracted. */
function softmax64(values: ArrayLike<number>, temperature = 1): number[] {
  const scaled = Array.from(values, (v) => v / temperature);
  const max = Math.max(...scaled);
  const e = scaled.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Token indices by probability, largest first, ties in index order. */
function order64(probs: ArrayLike<number>): number[] {
  return Array.from({ length: probs.length }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
}

/** Keeps the listed tokens, zeroes the rest, and (unless told not to) rescales to sum 1. */
function keep64(probs: ArrayLike<number>, kept: readonly number[], renormalise = true): number[] {
  const mass = renormalise ? kept.reduce((s, i) => s + probs[i], 0) : 1;
  const out = new Array<number>(probs.length).fill(0);
  for (const i of kept) out[i] = probs[i] / mass;
  return out;
}

function topK64(probs: ArrayLike<number>, k: number): number[] {
  return keep64(probs, order64(probs).slice(0, k));
}

type TopPVariant = 'correct' | 'exclude-crossing' | 'strict' | 'unsorted' | 'higher-index';

/**
 * The nucleus, or one of its classic wrong versions, or Hugging Face's tie order ('higher-index': of tied
 * tokens, the higher index first, which is what TopPLogitsWarper's ascending sort keeps). p >= 1 is every token.
 */
function nucleus(probs: ArrayLike<number>, p: number, variant: TopPVariant = 'correct'): number[] {
  const all = Array.from({ length: probs.length }, (_, i) => i);
  const order = variant === 'unsorted' ? all : variant === 'higher-index' ? all.sort((a, b) => probs[b] - probs[a] || b - a) : order64(probs);
  if (p >= 1) return order;
  const kept: number[] = [];
  let mass = 0;
  for (const i of order) {
    if (variant === 'exclude-crossing' && mass + probs[i] >= p) break;
    kept.push(i);
    mass += probs[i];
    if (variant === 'strict' ? mass > p : mass >= p) break;
  }
  return kept;
}

function topP64(probs: ArrayLike<number>, p: number): number[] {
  return keep64(probs, nucleus(probs, p));
}

/** Inverse CDF in float64: the first token whose cumulative probability exceeds u. */
function sample64(probs: ArrayLike<number>, u: number): number {
  let c = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] <= 0) continue;
    c += probs[i];
    last = i;
    if (c > u) return i;
  }
  return last;
}

/** True when u lies within `eps` of a boundary of the cumulative distribution (where float32 and float64 may disagree). */
function nearBoundary(probs: ArrayLike<number>, u: number, eps = 1e-6): boolean {
  let c = 0;
  for (let i = 0; i < probs.length; i++) {
    c += probs[i];
    if (Math.abs(c - u) < eps) return true;
  }
  return false;
}

function argmax64(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

interface Settings {
  temperature: number;
  topK?: number;
  topP?: number;
}

function pipeline64(logits: ArrayLike<number>, s: Settings, order: 'k-then-p' | 'p-then-k' = 'k-then-p'): number[] {
  let probs = softmax64(logits, s.temperature);
  const k = (q: number[]) => (s.topK !== undefined ? topK64(q, s.topK) : q);
  const p = (q: number[]) => (s.topP !== undefined ? topP64(q, s.topP) : q);
  probs = order === 'k-then-p' ? p(k(probs)) : k(p(probs));
  return probs;
}

const f32 = (values: number[]) => Float32Array.from(values);
const copyOf = (a: Float32Array) => Float32Array.from(a);
const fmtList = (a: ArrayLike<number>) => `[${Array.from(a, (v) => +Number(v).toFixed(4)).join(', ')}]`;

/** Fails if a function wrote into the array it was given. */
function expectUntouched(arr: Float32Array, before: Float32Array, what: string): void {
  for (let i = 0; i < before.length; i++) {
    if (!Object.is(arr[i], before[i])) {
      fail(t(`${what}[${i}] changed from ${before[i]} to ${arr[i]}: your function modified its input`, `${what}[${i}] 从 ${before[i]} 变成了 ${arr[i]}：你的函数修改了它的输入`), {
        hint: t('Write the result into a new Float32Array. The caller may still need the original distribution (the checks reuse it, and so will you).',
          '把结果写进一个新的 Float32Array。调用者可能还需要原来的分布（检查会重复使用它，你自己以后也会）。'),
      });
    }
  }
}

function expectDistribution(actual: unknown, what: string): void {
  if (!(actual instanceof Float32Array)) {
    const got = actual === undefined ? 'undefined' : typeof actual;
    fail(t(`${what} returned ${got}, expected a Float32Array of probabilities`, `${what} 返回了 ${got}，应返回一个由概率组成的 Float32Array`), {
      hint: actual === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？')
        : t('Return a new Float32Array, one probability per token.', '返回一个新的 Float32Array，每个 token 一个概率。'),
    });
  }
}

/** Whether `actual` is a list of numbers within the checks' default tolerance of `expected`. */
function closeTo(actual: unknown, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): boolean {
  if (!(actual instanceof Float32Array || Array.isArray(actual)) || actual.length !== expected.length) return false;
  const a = actual as ArrayLike<number>;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) return false;
  return true;
}

/**
 * pickNext is only as right as the functions it calls. When its tokens are wrong, run the learner's own
 * withTemperature, topK and topP on this input, in the pipeline's order, each on the reference result of the
 * stage before; the first that differs from its reference is named, instead of guessing at pickNext's order.
 */
function blameStages(m: Learner, logits: number[], s: Settings, label: string): void {
  const stages: { fn: string; call: string; run: () => unknown; expected: number[] }[] = [];
  let probs = softmax64(logits, s.temperature);
  stages.push({ fn: 'withTemperature', call: `withTemperature(logits, ${s.temperature})`, run: () => m.withTemperature(f32(logits), s.temperature), expected: probs });
  const k = s.topK;
  if (k !== undefined) {
    const input = f32(probs);
    probs = topK64(input, k);
    stages.push({ fn: 'topK', call: `topK(probs, ${k})`, run: () => m.topK(input, k), expected: probs });
  }
  const p = s.topP;
  if (p !== undefined) {
    const input = f32(probs);
    probs = topP64(input, p);
    stages.push({ fn: 'topP', call: `topP(probs, ${p})`, run: () => m.topP(input, p), expected: probs });
  }
  for (const stage of stages) {
    let out: unknown;
    try {
      out = stage.run();
    } catch (e) {
      if (e instanceof NotImplementedError || e instanceof CheckFailure) throw e;
      out = e;
    }
    if (closeTo(out, stage.expected)) continue;
    const got = out instanceof Error ? t(`threw ${out.message}`, `抛出了 ${out.message}`) : out instanceof Float32Array ? t(`gave ${fmtList(out)}`, `给出 ${fmtList(out)}`) : t(`returned ${typeof out}`, `返回了 ${typeof out}`);
    fail(t(`${label} does not follow the pipeline, and the first step that goes wrong is your own ${stage.fn}: ${stage.call} ${got.en} where the reference gives ${fmtList(stage.expected)}.`,
      `${label} 没有得到流水线的结果，第一个出错的步骤是你自己的 ${stage.fn}：${stage.call} ${got['zh-cn']}，而参考结果是 ${fmtList(stage.expected)}。`), {
      hint: t(`pickNext can only be as right as the functions it calls: fix ${stage.fn} first (its own check says how), then run this check again.`,
        `pickNext 的正确性取决于它调用的函数：先修好 ${stage.fn}（它自己的检查会告诉你怎么改），再重新运行这项检查。`),
    });
  }
}

/** Same token sequences (plain arrays of numbers). */
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

// ---------------------------------------------------------------------------------------------------------
// Model-level helpers

/** Next-token distributions shown in the chart: the top tokens of the plain distribution, in that order. */
const SHOWN_TOKENS = 12;

function bars(ctx: CheckContext, title: Text, vocab: readonly string[], ids: readonly number[], probs: ArrayLike<number>): void {
  ctx.artifact({ kind: 'bars', title, labels: ids.map((i) => readable(vocab[i])), values: ids.map((i) => Number(probs[i]) || 0) });
}

export default defineChecks<Learner>({
  exports: ['greedy', 'withTemperature', 'topK', 'topP', 'sample', 'pickNext'],
  checks: [
    // ----- greedy -----------------------------------------------------------------------------------------
    {
      name: t('greedy picks the index of the largest logit', 'greedy 选出最大 logit 的下标'),
      task: 'greedy',
      run: (m) => {
        const cases: [number[], number, Text?][] = [
          [[0.1, 2.5, -1, 2.4], 1],
          [[3, 1, 3, 2], 0, t('On a tie, keep the first (lowest) index: update only when a logit is strictly larger.',
            '并列时保留第一个（最小的）下标：只有遇到严格更大的 logit 才更新。')],
          [[-5, -2, -9, -3], 1, t('All logits are negative here. Start from the first logit (or -Infinity), not from 0.',
            '这里所有 logit 都是负数。应从第一个 logit（或 -Infinity）开始比较，而不是从 0 开始。')],
          [[-1e9, 1000, 999.5, -Infinity], 1],
          [[7], 0],
        ];
        for (const [logits, expected, hint] of cases) {
          const x = f32(logits);
          const before = copyOf(x);
          expectEqual(m.greedy(x), expected, `greedy(${fmtList(logits)})`, hint);
          expectUntouched(x, before, 'logits');
        }
      },
    },
    {
      name: t('greedy decoding of the bundled model matches its own argmax, step by step', '在随附模型上逐步贪心解码，每一步都与模型自身的 argmax 一致'),
      task: 'greedy',
      run: async (m, ctx) => {
        const model = await lessonModel();
        const ids = Array.from(model.tokenizer.encode(PROMPT));
        const steps = 48;
        for (let s = 0; s < steps; s++) {
          const logits = await nextLogits(model, ids);
          const mine = m.greedy(logits);
          const best = argmax64(logits);
          if (mine !== best && logits[mine] !== logits[best]) {
            const chose = JSON.stringify(model.vocab[mine] ?? mine);
            const top = JSON.stringify(model.vocab[best]);
            fail(t(`step ${s}: greedy chose ${chose} (logit ${logits[mine]}), but ${top} has the largest logit (${logits[best]})`,
              `第 ${s} 步：greedy 选了 ${chose}（logit ${logits[mine]}），但 logit 最大的是 ${top}（${logits[best]}）`));
          }
          ids.push(mine);
        }
        ctx.artifact({ kind: 'text', title: t(`Greedy continuation (${steps} characters)`, `贪心续写（${steps} 个字符）`), text: shown(`${PROMPT}[${model.tokenizer.decode(ids.slice(-steps))}]`) });
      },
    },

    // ----- temperature -------------------------------------------------------------------------------------
    {
      name: t('withTemperature is softmax(logits / T)', 'withTemperature 就是 softmax(logits / T)'),
      task: 'withTemperature',
      run: (m) => {
        const logits = [2, 1, 0.5, -1, 3];
        const x = f32(logits);
        const before = copyOf(x);
        for (const T of [1, 0.5, 2]) {
          const got = m.withTemperature(x, T);
          // After every call, before the values: a function that writes into its input gets the next call wrong too.
          expectUntouched(x, before, 'logits');
          expectDistribution(got, `withTemperature(logits, ${T})`);
          const p = softmax64(logits);
          const sharper = T < 1;
          const misconceptions: Misconception[] = T === 1 ? [] : [
            { value: p.map((q) => q ** (1 / T)), ...M['temperature-after-softmax'] },
            { value: p.map((q) => q / T), ...M['temperature-on-probabilities'] },
            {
              value: softmax64(logits.map((l) => l * T)),
              ...withDetails(M['logits-times-temperature'], t(`T = ${T} should make the distribution ${sharper ? 'sharper' : 'flatter'}, and yours is ${sharper ? 'flatter' : 'sharper'}.`,
                `T = ${T} 应让分布${sharper ? '更尖锐' : '更平坦'}，而你的却${sharper ? '更平坦' : '更尖锐'}。`)),
            },
          ];
          expectClose(got, softmax64(logits, T), {
            what: `withTemperature([2, 1, 0.5, -1, 3], ${T})`,
            hint: T === 1 ? t('With T = 1 this is plain softmax: exp(l_i - max) / sum_j exp(l_j - max).', 'T = 1 时就是普通的 softmax：exp(l_i - max) / sum_j exp(l_j - max)。')
              : t('p_i = exp(l_i / T) / sum_j exp(l_j / T), with the max of l / T subtracted first.', 'p_i = exp(l_i / T) / sum_j exp(l_j / T)，先减去 l / T 的最大值。'),
            misconceptions,
          });
        }
      },
    },
    {
      name: t('temperature: stable for huge logits, near one-hot as T -> 0, near uniform as T grows', '温度：logits 极大时数值稳定，T -> 0 时接近 one-hot，T 增大时接近均匀分布'),
      task: 'withTemperature',
      run: (m) => {
        const huge = [1000, 999, -1000];
        const got = m.withTemperature(f32(huge), 0.5);
        expectClose(got, softmax64(huge, 0.5), {
          what: 'withTemperature([1000, 999, -1000], 0.5)',
          hint: t('exp(1000 / 0.5) overflows to Infinity. Subtract the largest scaled logit before exponentiating.', 'exp(1000 / 0.5) 会溢出为 Infinity。取指数之前先减去缩放后最大的 logit。'),
        });
        const logits = [1, 3, 2.5, 0];
        expectClose(m.withTemperature(f32(logits), 0.05), softmax64(logits, 0.05), { what: 'withTemperature([1, 3, 2.5, 0], 0.05)', atol: 1e-6 });
        expectTrue(m.withTemperature(f32(logits), 0.05)[1] > 0.99,
          t('At T = 0.05 almost all the mass should be on the largest logit (index 1): a small temperature approaches greedy.',
            'T = 0.05 时几乎全部概率质量都应落在最大的 logit（下标 1）上：温度很小时就接近贪心。'));
        expectClose(m.withTemperature(f32(logits), 1000), softmax64(logits, 1000), { what: 'withTemperature([1, 3, 2.5, 0], 1000)' });
        expectThrows(() => m.withTemperature(f32(logits), 0), 'withTemperature(logits, 0)',
          t('T = 0 would divide by zero. Throw an Error for T <= 0 (greedy() is the T -> 0 limit).', 'T = 0 会除以零。T <= 0 时抛出 Error（T -> 0 的极限就是 greedy()）。'));
        expectThrows(() => m.withTemperature(f32(logits), -1), 'withTemperature(logits, -1)',
          t('A negative temperature would favour the LEAST likely tokens. Throw an Error for T <= 0.', '负的温度会偏向“最不可能”的 token。T <= 0 时抛出 Error。'));
      },
    },

    // ----- top-k ---------------------------------------------------------------------------------------------
    {
      name: t('topK keeps exactly the k most likely tokens and renormalises', 'topK 恰好保留最可能的 k 个 token，并重新归一化'),
      task: 'topK',
      run: (m) => {
        const probs = [0.1, 0.4, 0.05, 0.3, 0.15];
        const x = f32(probs);
        const before = copyOf(x);
        const got = m.topK(x, 2);
        expectUntouched(x, before, 'probs');
        expectDistribution(got, 'topK(probs, 2)');
        // Keep tokens 1 (0.4) and 3 (0.3); their mass is 0.7, so they become 4/7 and 3/7.
        expectClose(got, [0, 4 / 7, 0, 3 / 7, 0], {
          what: 'topK([0.1, 0.4, 0.05, 0.3, 0.15], 2)',
          misconceptions: [
            { value: keep64(probs, [1, 3], false), ...withDetails(M['not-renormalised'], t('(The two tokens still add up to 0.7.)', '（这两个 token 的概率之和仍是 0.7。）')) },
            { value: keep64(probs, [1, 3, 4]), ...withDetails(M['top-k-off-by-one'], t('(3 tokens for k = 2.)', '（k = 2 时保留了 3 个。）')) },
            { value: keep64(probs, [0, 1]), ...M['top-k-index-order'] },
            { value: keep64(probs, [2, 0]), ...M['top-k-least-likely'] },
          ],
        });
        expectClose(m.topK(x, 1), [0, 1, 0, 0, 0], { what: 'topK(probs, 1)',
          hint: t('k = 1 keeps only the most likely token, which then has probability 1: greedy as a distribution.', 'k = 1 只保留最可能的那个 token，它的概率随之变成 1：这就是写成分布形式的贪心。') });
        expectClose(m.topK(x, 5), probs, { what: 'topK(probs, 5)', hint: t('k equal to the vocabulary size keeps everything.', 'k 等于词表大小时全部保留。') });
        expectClose(m.topK(x, 50), probs, { what: 'topK(probs, 50)', hint: t('k larger than the vocabulary keeps everything (there are only 5 tokens).', 'k 大于词表大小时全部保留（这里只有 5 个 token）。') });
      },
    },
    {
      name: t('topK with ties keeps exactly k, the lower index first', 'topK 遇到并列时恰好保留 k 个，下标小的优先'),
      task: 'topK',
      run: (m) => {
        const probs = [0.3, 0.2, 0.2, 0.2, 0.1];
        expectClose(m.topK(f32(probs), 2), [0.6, 0.4, 0, 0, 0], {
          what: 'topK([0.3, 0.2, 0.2, 0.2, 0.1], 2)',
          hint: t('Three tokens tie at 0.2 for the second place. Keep exactly k = 2: token 0 and the first of the tied ones (token 1).',
            '有三个 token 以 0.2 并列第二。恰好保留 k = 2 个：token 0，以及并列者中的第一个（token 1）。'),
          misconceptions: [
            { value: keep64(probs, [0, 1, 2, 3]), ...withDetails(M['top-k-keeps-ties'], t('(4 tokens for k = 2.)', '（k = 2 时保留了 4 个。）')) },
            { value: keep64(probs, [0, 3]), ...withDetails(M['tie-towards-higher-index'], t('(You kept token 3, the highest of the tied indices.)', '（你保留的是 token 3，即并列者中下标最大的。）')) },
            { value: keep64(probs, [0, 2]), ...withDetails(M['tie-towards-higher-index'], t('(You kept token 2 instead of token 1.)', '（你保留的是 token 2，而不是 token 1。）')) },
          ],
        });
      },
    },

    // ----- top-p ---------------------------------------------------------------------------------------------
    {
      name: t('topP keeps the smallest set whose mass reaches p, including the token that crosses p', 'topP 保留质量达到 p 的最小集合，包括跨过 p 的那个 token'),
      task: 'topP',
      run: (m) => {
        // Sorted: token 1 (0.5), token 3 (0.3), token 2 (0.15), token 0 (0.05). Mass 0.5 < 0.75, then 0.8 >= 0.75: keep {1, 3}.
        const probs = [0.05, 0.5, 0.15, 0.3];
        const x = f32(probs);
        const before = copyOf(x);
        const got = m.topP(x, 0.75);
        expectUntouched(x, before, 'probs');
        expectDistribution(got, 'topP(probs, 0.75)');
        // Nothing filtered out: index order is one explanation, an ascending sort another. Name the first only when a
        // second input, on which the two differ, confirms it.
        if (closeTo(got, probs)) {
          const other = [0.3, 0.05, 0.6, 0.05];
          const walked = keep64(other, nucleus(other, 0.5, 'unsorted'));
          let second: unknown;
          try {
            second = m.topP(f32(other), 0.5);
          } catch {
            second = undefined;
          }
          if (closeTo(second, walked)) {
            fail(...mistake(withDetails(M['top-p-unsorted'], t(
              `(In index order the probabilities are 0.05, 0.5, 0.15, 0.3; and topP([${other.join(', ')}], 0.5) gave ${fmtList(second as Float32Array)}, the tokens 0, 1, 2 in index order, where the nucleus is token 2 alone.)`,
              `（按下标顺序，概率依次是 0.05, 0.5, 0.15, 0.3；topP([${other.join(', ')}], 0.5) 给出 ${fmtList(second as Float32Array)}，即按下标顺序的 token 0、1、2，而核只有 token 2。）`))));
          }
        }
        expectClose(got, [0, 0.625, 0, 0.375], {
          what: 'topP([0.05, 0.5, 0.15, 0.3], 0.75)',
          hint: t('Sorted by probability: 0.5, 0.3, 0.15, 0.05. The mass is 0.5 after one token (not yet 0.75) and 0.8 after two, so the nucleus is those two, renormalised: 0.5/0.8 and 0.3/0.8.',
            '按概率排序：0.5, 0.3, 0.15, 0.05。一个 token 后质量是 0.5（还没到 0.75），两个后是 0.8，所以核就是这两个，重新归一化后为 0.5/0.8 和 0.3/0.8。'),
          misconceptions: [
            {
              value: keep64(probs, nucleus(probs, 0.75, 'exclude-crossing')),
              ...withDetails(M['top-p-excludes-crossing'], t('(Here that is the token that takes the mass from 0.5 to 0.8. Without it, the mass you keep is below p; with p = 0.4 you would keep nothing at all.)',
                '（这里就是把质量从 0.5 带到 0.8 的那个 token。少了它，保留的质量低于 p；如果 p = 0.4，你会什么都不保留。）')),
            },
            { value: keep64(probs, [1, 3], false), ...withDetails(M['not-renormalised'], t('(The two tokens add up to 0.8.)', '（这两个 token 的概率之和是 0.8。）')) },
          ],
        });
        expectClose(m.topP(x, 0.3), [0, 1, 0, 0], { what: 'topP(probs, 0.3)',
          hint: t('The most likely token alone (0.5) already reaches 0.3: the nucleus is one token, with probability 1 after renormalising.',
            '仅最可能的那个 token（0.5）就已达到 0.3：核只有一个 token，重新归一化后概率为 1。') });
        expectClose(m.topP(x, 1), probs, { what: 'topP(probs, 1)', hint: t('p = 1 keeps every token (the whole mass).', 'p = 1 保留所有 token（全部概率质量）。') });
        // In float32, 0.6 and 0.4 add up to 1.0000000298: a running mass reaches 1 before the 1e-8, which p = 1 must keep too.
        for (const tail of [[0.6, 0.4, 1e-8], [0.9, 0.1, 1e-8]]) {
          const y = f32(tail);
          const kept = m.topP(y, 1);
          expectDistribution(kept, `topP(${fmtList(tail)}, 1)`);
          const dropped = tail.findIndex((_, i) => y[i] > 0 && !(kept[i] > 0));
          if (dropped >= 0) {
            fail(...mistake(withDetails(M['top-p-one-drops-tokens'], t(
              `(topP(Float32Array.from([${tail.join(', ')}]), 1) gave ${fmtList(kept)}: token ${dropped}, of probability ${y[dropped]}, was dropped.)`,
              `（topP(Float32Array.from([${tail.join(', ')}]), 1) 给出 ${fmtList(kept)}：概率为 ${y[dropped]} 的 token ${dropped} 被去掉了。）`))));
          }
          expectClose(kept, Array.from(y), { what: `topP(Float32Array.from([${tail.join(', ')}]), 1)`, hint: t('p = 1 keeps every token (the whole mass).', 'p = 1 保留所有 token（全部概率质量）。') });
        }
      },
    },
    {
      name: t('topP stops as soon as the mass reaches p exactly', '质量恰好达到 p 时 topP 立即停止'),
      task: 'topP',
      run: (m) => {
        // Powers of two add up exactly in floating point: 0.5 + 0.25 is exactly 0.75.
        const probs = [0.125, 0.5, 0.25, 0.125];
        expectClose(m.topP(f32(probs), 0.75), [0, 2 / 3, 1 / 3, 0], {
          what: 'topP([0.125, 0.5, 0.25, 0.125], 0.75)',
          hint: t('After 0.5 and 0.25 the mass is exactly 0.75: it has reached p, so stop there (mass >= p, not mass > p).',
            '加上 0.5 和 0.25 后质量恰好是 0.75：已经达到 p，应就此停止（mass >= p，而不是 mass > p）。'),
          misconceptions: [
            { value: keep64(probs, nucleus(probs, 0.75, 'strict')), ...withDetails(M['top-p-strict'], t('(0.5 + 0.25 = 0.75.)', '（0.5 + 0.25 = 0.75。）')) },
            { value: keep64(probs, nucleus(probs, 0.75, 'exclude-crossing')), ...withDetails(M['top-p-excludes-crossing'], t('(Here that is the 0.25 that takes the mass from 0.5 to 0.75.)', '（这里就是把质量从 0.5 带到 0.75 的那个 0.25。）')) },
          ],
        });
      },
    },

    {
      name: t('topP with ties keeps the lower index first', 'topP 遇到并列时下标小的优先'),
      task: 'topP',
      run: (m) => {
        // Sorted: token 1 (0.5), then four tokens tied at 0.125. 0.5 + 0.125 + 0.125 is exactly 0.75: two of the tied ones join.
        const probs = [0.125, 0.5, 0.125, 0.125, 0.125];
        expectClose(m.topP(f32(probs), 0.75), [1 / 6, 2 / 3, 1 / 6, 0, 0], {
          what: 'topP([0.125, 0.5, 0.125, 0.125, 0.125], 0.75)',
          hint: t('Token 1 (0.5) comes first, then the four tokens tied at 0.125 in index order: 0, 2, 3, 4. The mass reaches 0.75 after tokens 1, 0 and 2.',
            'token 1（0.5）排第一，然后是以 0.125 并列的四个 token，按下标顺序：0、2、3、4。加上 token 1、0、2 后质量达到 0.75。'),
          misconceptions: [
            { value: keep64(probs, nucleus(probs, 0.75, 'higher-index')), ...withDetails(M['top-p-ties-higher-index'], t('(You kept tokens 3 and 4 of the tied ones, not 0 and 2.)', '（并列者中你保留的是 token 3 和 4，而不是 0 和 2。）')) },
            { value: keep64(probs, nucleus(probs, 0.75, 'strict')), ...withDetails(M['top-p-strict'], t('(0.5 + 0.125 + 0.125 = 0.75.)', '（0.5 + 0.125 + 0.125 = 0.75。）')) },
          ],
        });
      },
    },

    // ----- sample --------------------------------------------------------------------------------------------
    {
      name: t('sample inverts the cumulative distribution and never picks a token of probability 0', 'sample 反演累积分布，且从不选中概率为 0 的 token'),
      task: 'sample',
      run: (m) => {
        // Cumulative: token 0 covers [0, 0.25), token 1 nothing, token 2 [0.25, 0.75), token 3 [0.75, 1).
        const probs = f32([0.25, 0, 0.5, 0.25]);
        const before = copyOf(probs);
        const cases: [number, number][] = [[0, 0], [0.2499, 0], [0.25, 2], [0.5, 2], [0.7499, 2], [0.75, 3], [0.999999, 3]];
        const us = cases.map(([u]) => u).join(', ');
        const got = cases.map(([u]) => m.sample(probs, u));
        expectUntouched(probs, before, 'probs');
        const ge = cases.map(([u]) => { let c = 0; for (let i = 0; i < 4; i++) { c += before[i]; if (c >= u) return i; } return 3; });
        if (same(got, ge)) {
          fail(...mistake(withDetails(M['sample-greater-or-equal'], t(
            `(sample(probs, u) for u = ${us} gave ${got.join(', ')}: at u = 0.25 you picked token 0, whose interval [0, 0.25) ends just before 0.25.)`,
            `（u = ${us} 时 sample(probs, u) 给出 ${got.join(', ')}：在 u = 0.25 时你选了 token 0，而它的区间 [0, 0.25) 恰好在 0.25 之前结束。）`))));
        }
        expectEqual(got, cases.map(([, e]) => e), `sample([0.25, 0, 0.5, 0.25], u) for u = ${us}`,
          t('Walk the tokens adding up probabilities; return the first token where the running total is greater than u.', '逐个 token 累加概率；返回累计和第一次大于 u 的那个 token。'));
        // A zero-probability token at the front: u = 0 must not pick it.
        expectEqual(m.sample(f32([0, 0.5, 0.5]), 0), 1, 'sample([0, 0.5, 0.5], 0)',
          t('Token 0 has probability 0, so it must never be picked. With cumulative >= u it is picked for u = 0; use cumulative > u.',
            'token 0 的概率为 0，所以绝不能被选中。用 cumulative >= u 时，u = 0 会选中它；应使用 cumulative > u。'));
        expectEqual(m.sample(f32([0.5, 0.5, 0]), 0.9999999), 1, 'sample([0.5, 0.5, 0], 0.9999999)',
          t('Near u = 1 the answer is the last token with a non-zero probability, never a token of probability 0.', 'u 接近 1 时，答案是最后一个概率不为 0 的 token，绝不会是概率为 0 的 token。'));
        // Past the total: these float32 probabilities add up to 0.99999999254..., below u, so the walk ends without
        // passing u and the fallback decides. It must be the last token whose probability is not 0 (token 2).
        const short = f32([0.7, 0.2, 0.1, 0]);
        const total = short.reduce((s, q) => s + q, 0);
        const beyond = 0.9999999999;
        expectTrue(total < beyond, t('check bug: the probabilities should add up to less than u', '检查本身有误：这些概率之和应小于 u'));
        expectEqual(m.sample(short, beyond), 2, `sample(Float32Array.from([0.7, 0.2, 0.1, 0]), ${beyond})`,
          t(`In float32 these probabilities add up to ${total}, less than u = ${beyond}: no cumulative sum passes u. Then return the last token whose probability is not 0 (token 2); token 3 has probability 0 and must never be returned.`,
            `在 float32 下这些概率之和是 ${total}，小于 u = ${beyond}：没有哪个累计和超过 u。这时返回最后一个概率不为 0 的 token（token 2）；token 3 的概率为 0，绝不能返回。`));
        const again = [m.sample(probs, 0.6), m.sample(probs, 0.6), m.sample(probs, 0.6)];
        expectTrue(again.every((tok) => tok === 2),
          t(`sample(probs, 0.6) gave ${again.join(', ')} on three calls: the same u must give the same token`, `三次调用 sample(probs, 0.6) 得到 ${again.join(', ')}：同一个 u 必须给出同一个 token`),
          t('Use the u you are given; do not call Math.random() inside sample().', '使用传进来的 u；不要在 sample() 里调用 Math.random()。'));
      },
    },
    {
      name: t('sample with a seeded Rng draws each token as often as its probability', '用带种子的 Rng 采样，每个 token 出现的频率与其概率相符'),
      task: 'sample',
      run: (m, ctx) => {
        const probs = f32(softmax64([1.5, 0.2, -1, 2.2, 0.7, -0.4]));
        const rng = new Rng(2024);
        const draws = 4000;
        const counts = new Array<number>(probs.length).fill(0);
        for (let n = 0; n < draws; n++) {
          const u = rng.random();
          const got = m.sample(probs, u);
          const expected = sample64(probs, u);
          if (got !== expected && !nearBoundary(probs, u)) {
            fail(t(`draw ${n}: sample(probs, ${u}) returned ${got}, expected ${expected}`, `第 ${n} 次抽样：sample(probs, ${u}) 返回了 ${got}，应为 ${expected}`), {
              hint: t(`probs = ${fmtList(probs)}; token i covers the interval [cumulative before i, cumulative after i).`,
                `probs = ${fmtList(probs)}；token i 占有区间 [i 之前的累计和, 加上 i 之后的累计和)。`),
            });
          }
          counts[got] = (counts[got] ?? 0) + 1;
        }
        ctx.artifact({
          kind: 'table', title: t(`${draws} draws with new Rng(2024): how often each token came up`, `用 new Rng(2024) 抽样 ${draws} 次：每个 token 出现的频率`),
          columns: [t('token', 'token'), t('probability', '概率'), t('frequency', '频率')],
          rows: Array.from(probs, (p, i) => [i, +p.toFixed(4), +(counts[i] / draws).toFixed(4)]),
        });
      },
    },

    // ----- pickNext ------------------------------------------------------------------------------------------
    {
      name: t('pickNext applies temperature, then top-k, then top-p, then samples; temperature 0 is greedy', 'pickNext 依次应用温度、top-k、top-p，再采样；温度为 0 时就是贪心'),
      task: 'pickNext',
      run: (m) => {
        const logits = [1.1, 0.9, 0.7, 0.4, 0.1, -0.5, 2.0, -1.0];
        const x = f32(logits);
        const us = Array.from({ length: 19 }, (_, i) => (i + 0.5) / 19);
        const settings: Settings[] = [
          { temperature: 0 },
          { temperature: 1 },
          { temperature: 0.7, topK: 3 },
          { temperature: 1.3, topP: 0.8 },
          { temperature: 1, topK: 4, topP: 0.6 },
        ];
        for (const s of settings) {
          const label = `pickNext(logits, ${JSON.stringify(s)}, u)`;
          if (s.temperature === 0) {
            let picked: number[];
            try {
              picked = us.map((u) => m.pickNext(x, s, u));
            } catch (e) {
              if (e instanceof NotImplementedError || e instanceof CheckFailure) throw e;
              const why = e instanceof Error ? e.message : String(e);
              fail(...mistake(withDetails(M['temperature-zero-refused'], t(`(${label} threw: ${why})`, `（${label} 抛出了：${why}）`))));
            }
            expectEqual(picked, us.map(() => 6), `${label} for 19 values of u`,
              t('Temperature 0 means greedy: return the index of the largest logit (do not divide by 0).', '温度为 0 就是贪心：返回最大 logit 的下标（不要除以 0）。'));
            continue;
          }
          const probs = pipeline64(logits, s);
          const got = us.map((u) => m.pickNext(x, s, u));
          const want = us.map((u) => sample64(probs, u));
          if (!same(got, want)) {
            blameStages(m, logits, s, label);
            const reversed = pipeline64(logits, s, 'p-then-k');
            const where = t(`(${label}.)`, `（${label}。）`);
            if (s.topK !== undefined && s.topP !== undefined && same(got, us.map((u) => sample64(reversed, u)))) {
              fail(...mistake(withDetails(M['top-p-before-top-k'], where)));
            }
            const noTemp = s.temperature !== 1 ? pipeline64(logits, { ...s, temperature: 1 }) : undefined;
            if (noTemp && same(got, us.map((u) => sample64(noTemp, u)))) {
              fail(...mistake(withDetails(M['temperature-ignored'], where)));
            }
            expectEqual(got, want, `${label} for u = (i + 0.5) / 19, i = 0..18`,
              t('probs = withTemperature(logits, T); then topK(probs, k) if topK is set; then topP(probs, p) if topP is set; then sample(probs, u).',
                'probs = withTemperature(logits, T)；设置了 topK 时接 topK(probs, k)；设置了 topP 时接 topP(probs, p)；最后 sample(probs, u)。'));
          }
        }
      },
    },

    // ----- the bundled model ---------------------------------------------------------------------------------
    {
      name: t('the filters on the bundled model\'s next-character distribution', '在随附模型的下一字符分布上应用各个过滤器'),
      task: 'topP',
      run: async (m, ctx) => {
        const model = await lessonModel();
        const ids = Array.from(model.tokenizer.encode(PROMPT));
        const logits = await nextLogits(model, ids);
        const base = softmax64(logits);
        const shownIds = order64(base).slice(0, SHOWN_TOKENS);
        const context = PROMPT.slice(-24);
        const title = (what: string) => t(`${what}: P(next character | "…${context}")`, `${what}：P(下一个字符 | "…${context}")`);
        bars(ctx, title('T = 1'), model.vocab, shownIds, base);
        const steps: { label: string; run: () => Float32Array; expected: number[] }[] = [
          { label: 'withTemperature(logits, 0.6)', run: () => m.withTemperature(logits, 0.6), expected: softmax64(logits, 0.6) },
          { label: 'withTemperature(logits, 1.5)', run: () => m.withTemperature(logits, 1.5), expected: softmax64(logits, 1.5) },
          { label: 'topK(p, 5)', run: () => m.topK(Float32Array.from(base), 5), expected: topK64(base, 5) },
          { label: 'topP(p, 0.9)', run: () => m.topP(Float32Array.from(base), 0.9), expected: topP64(base, 0.9) },
        ];
        for (const s of steps) {
          const got = s.run();
          expectDistribution(got, s.label);
          bars(ctx, title(s.label), model.vocab, shownIds, got);
          expectClose(got, s.expected, { what: s.label, atol: 1e-6, rtol: 1e-4 });
        }
      },
    },
    {
      name: t('sampling text from the bundled model with pickNext (T = 0.8, top-p 0.95, seeded)', '用 pickNext 从随附模型采样文本（T = 0.8，top-p 0.95，固定种子）'),
      task: 'pickNext',
      run: async (m, ctx) => {
        const model = await lessonModel();
        const ids = Array.from(model.tokenizer.encode(PROMPT));
        const settings = { temperature: 0.8, topP: 0.95 };
        const rng = new Rng(7);
        const steps = 60;
        for (let s = 0; s < steps; s++) {
          const logits = await nextLogits(model, ids);
          const u = rng.random();
          const mine = m.pickNext(logits, settings, u);
          const probs = pipeline64(logits, settings);
          const expected = sample64(probs, u);
          if (mine !== expected && !nearBoundary(probs, u, 1e-5)) {
            const chose = JSON.stringify(model.vocab[mine] ?? mine);
            const want = JSON.stringify(model.vocab[expected]);
            fail(t(`step ${s}: pickNext chose ${chose}, expected ${want} (u = ${u})`, `第 ${s} 步：pickNext 选了 ${chose}，应为 ${want}（u = ${u}）`), {
              hint: t('pickNext(logits, { temperature: 0.8, topP: 0.95 }, u) = sample(topP(withTemperature(logits, 0.8), 0.95), u).',
                'pickNext(logits, { temperature: 0.8, topP: 0.95 }, u) = sample(topP(withTemperature(logits, 0.8), 0.95), u)。'),
            });
          }
          ids.push(mine);
        }
        ctx.artifact({ kind: 'text', title: t(`Sampled with T = 0.8, top-p 0.95, new Rng(7) (${steps} characters)`, `用 T = 0.8、top-p 0.95、new Rng(7) 采样（${steps} 个字符）`),
          text: shown(`${PROMPT}[${model.tokenizer.decode(ids.slice(-steps))}]`) });
      },
    },
  ],
});
