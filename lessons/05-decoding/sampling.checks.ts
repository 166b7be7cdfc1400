/**
 * Checks for lesson 5, exercise 1 (decoding/sampling): greedy, temperature, top-k, top-p, the
 * inverse-CDF sampler and the whole pipeline, on hand-worked distributions and on the bundled model.
 *
 * Expected values are worked out by hand (small cases, written as literals) or computed here in float64
 * with deliberately plain loops; no check uses one of the learner's functions to get an expected value.
 * The classic wrong answers (temperature applied after softmax, top-p without the token that crosses p,
 * a filter that forgets to renormalise...) are computed too, so a failure can name the mistake.
 * Distributions are compared, never random samples: the sampler gets its uniform number u from the check.
 */
import { type CheckContext, type Misconception, defineChecks, expectClose, expectEqual, expectThrows, expectTrue, fail } from '@llm-lab/check';
import { Rng } from '@llm-lab/kit';
import { PROMPT, lessonModel, nextLogits, readable, shown } from './model-helpers';

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

type TopPVariant = 'correct' | 'exclude-crossing' | 'strict' | 'unsorted';

/** The nucleus, or one of its classic wrong versions. */
function nucleus(probs: ArrayLike<number>, p: number, variant: TopPVariant = 'correct'): number[] {
  const order = variant === 'unsorted' ? Array.from({ length: probs.length }, (_, i) => i) : order64(probs);
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
const snapshot = (a: Float32Array) => Float32Array.from(a);
const fmtList = (a: ArrayLike<number>) => `[${Array.from(a, (v) => +Number(v).toFixed(4)).join(', ')}]`;

function expectUnchanged(arr: Float32Array, before: Float32Array, what: string): void {
  for (let i = 0; i < before.length; i++) {
    if (!Object.is(arr[i], before[i])) {
      fail(`${what}[${i}] changed from ${before[i]} to ${arr[i]}: your function modified its input`, {
        hint: 'Write the result into a new Float32Array. The caller may still need the original distribution (the checks reuse it, and so will you).',
      });
    }
  }
}

function expectDistribution(actual: unknown, what: string): void {
  if (!(actual instanceof Float32Array)) {
    fail(`${what} returned ${actual === undefined ? 'undefined' : typeof actual}, expected a Float32Array of probabilities`, {
      hint: actual === undefined ? 'Did you forget to `return` the result?' : 'Return a new Float32Array, one probability per token.',
    });
  }
}

const RENORMALISE = 'The kept probabilities no longer add up to 1. Divide each kept probability by their sum (the kept mass), so the result is a distribution again.';

// ---------------------------------------------------------------------------------------------------------
// Model-level helpers

/** Next-token distributions shown in the chart: the top tokens of the plain distribution, in that order. */
const SHOWN_TOKENS = 12;

function bars(ctx: CheckContext, title: string, vocab: readonly string[], ids: readonly number[], probs: ArrayLike<number>): void {
  ctx.artifact({ kind: 'bars', title, labels: ids.map((i) => readable(vocab[i])), values: ids.map((i) => Number(probs[i]) || 0) });
}

export default defineChecks<Learner>({
  exports: ['greedy', 'withTemperature', 'topK', 'topP', 'sample', 'pickNext'],
  checks: [
    // ----- greedy -----------------------------------------------------------------------------------------
    {
      name: 'greedy picks the index of the largest logit',
      task: 'greedy',
      run: (m) => {
        const cases: [number[], number, string?][] = [
          [[0.1, 2.5, -1, 2.4], 1],
          [[3, 1, 3, 2], 0, 'On a tie, keep the first (lowest) index: update only when a logit is strictly larger.'],
          [[-5, -2, -9, -3], 1, 'All logits are negative here. Start from the first logit (or -Infinity), not from 0.'],
          [[-1e9, 1000, 999.5, -Infinity], 1],
          [[7], 0],
        ];
        for (const [logits, expected, hint] of cases) {
          const x = f32(logits);
          const before = snapshot(x);
          expectEqual(m.greedy(x), expected, `greedy(${fmtList(logits)})`, hint);
          expectUnchanged(x, before, 'logits');
        }
      },
    },
    {
      name: 'greedy decoding of the bundled model matches its own argmax, step by step',
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
            fail(`step ${s}: greedy chose ${JSON.stringify(model.vocab[mine] ?? mine)} (logit ${logits[mine]}), but ${JSON.stringify(model.vocab[best])} has the largest logit (${logits[best]})`);
          }
          ids.push(mine);
        }
        ctx.artifact({ kind: 'text', title: `Greedy continuation (${steps} characters)`, text: shown(`${PROMPT}[${model.tokenizer.decode(ids.slice(-steps))}]`) });
      },
    },

    // ----- temperature -------------------------------------------------------------------------------------
    {
      name: 'withTemperature is softmax(logits / T)',
      task: 'withTemperature',
      run: (m) => {
        const logits = [2, 1, 0.5, -1, 3];
        const x = f32(logits);
        const before = snapshot(x);
        for (const T of [1, 0.5, 2]) {
          const got = m.withTemperature(x, T);
          expectDistribution(got, `withTemperature(logits, ${T})`);
          const p = softmax64(logits);
          const misconceptions: Misconception[] = T === 1 ? [] : [
            { value: p.map((q) => q ** (1 / T)), message: `These are softmax(logits) raised to the power 1/T, not renormalised: temperature was applied after softmax. Divide the LOGITS by T and then take softmax (p^(1/T) only works if you renormalise it afterwards; softmax(logits / T) does that for you).` },
            { value: p.map((q) => q / T), message: `These are softmax(logits) divided by T: temperature was applied to the probabilities, which no longer sum to 1. Divide the logits by T before softmax.` },
            { value: softmax64(logits.map((l) => l * T)), message: `You multiplied the logits by T. Temperature divides them: T = ${T} should make the distribution ${T < 1 ? 'sharper' : 'flatter'}, and yours is ${T < 1 ? 'flatter' : 'sharper'}.` },
          ];
          expectClose(got, softmax64(logits, T), {
            what: `withTemperature([2, 1, 0.5, -1, 3], ${T})`,
            hint: T === 1 ? 'With T = 1 this is plain softmax: exp(l_i - max) / sum_j exp(l_j - max).' : 'p_i = exp(l_i / T) / sum_j exp(l_j / T), with the max of l / T subtracted first.',
            misconceptions,
          });
        }
        expectUnchanged(x, before, 'logits');
      },
    },
    {
      name: 'temperature: stable for huge logits, near one-hot as T -> 0, near uniform as T grows',
      task: 'withTemperature',
      run: (m) => {
        const huge = [1000, 999, -1000];
        const got = m.withTemperature(f32(huge), 0.5);
        expectClose(got, softmax64(huge, 0.5), {
          what: 'withTemperature([1000, 999, -1000], 0.5)',
          hint: 'exp(1000 / 0.5) overflows to Infinity. Subtract the largest scaled logit before exponentiating.',
        });
        const logits = [1, 3, 2.5, 0];
        expectClose(m.withTemperature(f32(logits), 0.05), softmax64(logits, 0.05), { what: 'withTemperature([1, 3, 2.5, 0], 0.05)', atol: 1e-6 });
        expectTrue(m.withTemperature(f32(logits), 0.05)[1] > 0.99, 'At T = 0.05 almost all the mass should be on the largest logit (index 1): a small temperature approaches greedy.');
        expectClose(m.withTemperature(f32(logits), 1000), softmax64(logits, 1000), { what: 'withTemperature([1, 3, 2.5, 0], 1000)' });
        expectThrows(() => m.withTemperature(f32(logits), 0), 'withTemperature(logits, 0)', 'T = 0 would divide by zero. Throw an Error for T <= 0 (greedy() is the T -> 0 limit).');
        expectThrows(() => m.withTemperature(f32(logits), -1), 'withTemperature(logits, -1)', 'A negative temperature would favour the LEAST likely tokens. Throw an Error for T <= 0.');
      },
    },

    // ----- top-k ---------------------------------------------------------------------------------------------
    {
      name: 'topK keeps exactly the k most likely tokens and renormalises',
      task: 'topK',
      run: (m) => {
        const probs = [0.1, 0.4, 0.05, 0.3, 0.15];
        const x = f32(probs);
        const before = snapshot(x);
        const got = m.topK(x, 2);
        expectDistribution(got, 'topK(probs, 2)');
        // Keep tokens 1 (0.4) and 3 (0.3); their mass is 0.7, so they become 4/7 and 3/7.
        expectClose(got, [0, 4 / 7, 0, 3 / 7, 0], {
          what: 'topK([0.1, 0.4, 0.05, 0.3, 0.15], 2)',
          misconceptions: [
            { value: keep64(probs, [1, 3], false), message: `You kept the right two tokens but did not renormalise: they still add up to 0.7. ${RENORMALISE}` },
            { value: keep64(probs, [1, 3, 4]), message: 'You kept 3 tokens for k = 2: keep exactly k (an off-by-one in the loop or the slice?).' },
            { value: keep64(probs, [0, 1]), message: 'You kept the first k tokens in index order. Sort the tokens by probability, largest first, and keep the first k of that order.' },
            { value: keep64(probs, [2, 0]), message: 'You kept the k LEAST likely tokens: sort by probability in descending order.' },
          ],
        });
        expectUnchanged(x, before, 'probs');
        expectClose(m.topK(x, 1), [0, 1, 0, 0, 0], { what: 'topK(probs, 1)', hint: 'k = 1 keeps only the most likely token, which then has probability 1: greedy as a distribution.' });
        expectClose(m.topK(x, 5), probs, { what: 'topK(probs, 5)', hint: 'k equal to the vocabulary size keeps everything.' });
        expectClose(m.topK(x, 50), probs, { what: 'topK(probs, 50)', hint: 'k larger than the vocabulary keeps everything (there are only 5 tokens).' });
      },
    },
    {
      name: 'topK with ties keeps exactly k, the lower index first',
      task: 'topK',
      run: (m) => {
        const probs = [0.3, 0.2, 0.2, 0.2, 0.1];
        expectClose(m.topK(f32(probs), 2), [0.6, 0.4, 0, 0, 0], {
          what: 'topK([0.3, 0.2, 0.2, 0.2, 0.1], 2)',
          hint: 'Three tokens tie at 0.2 for the second place. Keep exactly k = 2: token 0 and the first of the tied ones (token 1).',
          misconceptions: [
            { value: keep64(probs, [0, 1, 2, 3]), message: 'You kept 4 tokens for k = 2: a threshold like "p >= the k-th largest" keeps every tied token. Keep exactly k tokens; among equal probabilities the lower index goes first (a stable sort does this).' },
            { value: keep64(probs, [0, 3]), message: 'You kept the right number of tokens, but broke the tie towards the higher index. The convention here is the lower index first (sort by probability, then by index).' },
            { value: keep64(probs, [0, 2]), message: 'You kept the right number of tokens, but broke the tie towards index 2. The convention here is the lower index first (sort by probability, then by index).' },
          ],
        });
      },
    },

    // ----- top-p ---------------------------------------------------------------------------------------------
    {
      name: 'topP keeps the smallest set whose mass reaches p, including the token that crosses p',
      task: 'topP',
      run: (m) => {
        // Sorted: token 1 (0.5), token 3 (0.3), token 2 (0.15), token 0 (0.05). Mass 0.5 < 0.75, then 0.8 >= 0.75: keep {1, 3}.
        const probs = [0.05, 0.5, 0.15, 0.3];
        const x = f32(probs);
        const before = snapshot(x);
        const got = m.topP(x, 0.75);
        expectDistribution(got, 'topP(probs, 0.75)');
        expectClose(got, [0, 0.625, 0, 0.375], {
          what: 'topP([0.05, 0.5, 0.15, 0.3], 0.75)',
          hint: 'Sorted by probability: 0.5, 0.3, 0.15, 0.05. The mass is 0.5 after one token (not yet 0.75) and 0.8 after two, so the nucleus is those two, renormalised: 0.5/0.8 and 0.3/0.8.',
          misconceptions: [
            { value: keep64(probs, nucleus(probs, 0.75, 'exclude-crossing')), message: 'You left out the token that crosses p. The nucleus is the SMALLEST set whose mass reaches p, so the token that takes the mass from 0.5 to 0.8 is in it. (Without it, the mass you keep is below p; with p = 0.4 you would keep nothing at all.)' },
            { value: keep64(probs, [1, 3], false), message: `You chose the right tokens but did not renormalise: they add up to 0.8. ${RENORMALISE}` },
            { value: probs, message: 'Nothing was filtered out. If you walked the tokens in index order (0.05, 0.5, 0.15, ...), the mass only reached 0.75 at the end: sort by probability first, largest first.' },
          ],
        });
        expectUnchanged(x, before, 'probs');
        expectClose(m.topP(x, 0.3), [0, 1, 0, 0], { what: 'topP(probs, 0.3)', hint: 'The most likely token alone (0.5) already reaches 0.3: the nucleus is one token, with probability 1 after renormalising.' });
        expectClose(m.topP(x, 1), probs, { what: 'topP(probs, 1)', hint: 'p = 1 keeps every token (the whole mass).' });
      },
    },
    {
      name: 'topP stops as soon as the mass reaches p exactly',
      task: 'topP',
      run: (m) => {
        // Powers of two add up exactly in floating point: 0.5 + 0.25 is exactly 0.75.
        const probs = [0.125, 0.5, 0.25, 0.125];
        expectClose(m.topP(f32(probs), 0.75), [0, 2 / 3, 1 / 3, 0], {
          what: 'topP([0.125, 0.5, 0.25, 0.125], 0.75)',
          hint: 'After 0.5 and 0.25 the mass is exactly 0.75: it has reached p, so stop there (mass >= p, not mass > p).',
          misconceptions: [
            { value: keep64(probs, nucleus(probs, 0.75, 'strict')), message: 'The mass reached p exactly (0.5 + 0.25 = 0.75) and you kept one more token: "reaches p" means mass >= p, so stop when the mass is equal to p too.' },
            { value: keep64(probs, nucleus(probs, 0.75, 'exclude-crossing')), message: 'You left out the token that makes the mass reach p. The nucleus includes it: keep a token, add its probability, then stop once the mass is >= p.' },
          ],
        });
      },
    },

    // ----- sample --------------------------------------------------------------------------------------------
    {
      name: 'sample inverts the cumulative distribution and never picks a token of probability 0',
      task: 'sample',
      run: (m) => {
        // Cumulative: token 0 covers [0, 0.25), token 1 nothing, token 2 [0.25, 0.75), token 3 [0.75, 1).
        const probs = f32([0.25, 0, 0.5, 0.25]);
        const before = snapshot(probs);
        const cases: [number, number][] = [[0, 0], [0.2499, 0], [0.25, 2], [0.5, 2], [0.7499, 2], [0.75, 3], [0.999999, 3]];
        const got = cases.map(([u]) => m.sample(probs, u));
        const ge = cases.map(([u]) => { let c = 0; for (let i = 0; i < 4; i++) { c += probs[i]; if (c >= u) return i; } return 3; });
        if (JSON.stringify(got) === JSON.stringify(ge)) {
          fail(`sample(probs, u) for u = ${cases.map(([u]) => u).join(', ')} gave ${got.join(', ')}: at u = 0.25 you picked token 0, whose interval [0, 0.25) ends just before 0.25`, {
            hint: 'Compare cumulative > u, not cumulative >= u. With >=, u = 0 picks the first token even when its probability is 0.',
          });
        }
        expectEqual(got, cases.map(([, e]) => e), `sample([0.25, 0, 0.5, 0.25], u) for u = ${cases.map(([u]) => u).join(', ')}`,
          'Walk the tokens adding up probabilities; return the first token where the running total is greater than u.');
        expectUnchanged(probs, before, 'probs');
        // A zero-probability token at the front: u = 0 must not pick it.
        expectEqual(m.sample(f32([0, 0.5, 0.5]), 0), 1, 'sample([0, 0.5, 0.5], 0)',
          'Token 0 has probability 0, so it must never be picked. With cumulative >= u it is picked for u = 0; use cumulative > u.');
        expectEqual(m.sample(f32([0.5, 0.5, 0]), 0.9999999), 1, 'sample([0.5, 0.5, 0], 0.9999999)',
          'Near u = 1 the answer is the last token with a non-zero probability, never a token of probability 0.');
        const again = [m.sample(probs, 0.6), m.sample(probs, 0.6), m.sample(probs, 0.6)];
        expectTrue(again.every((t) => t === 2), `sample(probs, 0.6) gave ${again.join(', ')} on three calls: the same u must give the same token`,
          'Use the u you are given; do not call Math.random() inside sample().');
      },
    },
    {
      name: 'sample with a seeded Rng draws each token as often as its probability',
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
            fail(`draw ${n}: sample(probs, ${u}) returned ${got}, expected ${expected}`, {
              hint: `probs = ${fmtList(probs)}; token i covers the interval [cumulative before i, cumulative after i).`,
            });
          }
          counts[got] = (counts[got] ?? 0) + 1;
        }
        ctx.artifact({
          kind: 'table', title: `${draws} draws with new Rng(2024): how often each token came up`,
          columns: ['token', 'probability', 'frequency'],
          rows: Array.from(probs, (p, i) => [i, +p.toFixed(4), +(counts[i] / draws).toFixed(4)]),
        });
      },
    },

    // ----- pickNext ------------------------------------------------------------------------------------------
    {
      name: 'pickNext applies temperature, then top-k, then top-p, then samples; temperature 0 is greedy',
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
            expectEqual(us.map((u) => m.pickNext(x, s, u)), us.map(() => 6), `${label} for 19 values of u`,
              'Temperature 0 means greedy: return the index of the largest logit (do not divide by 0).');
            continue;
          }
          const probs = pipeline64(logits, s);
          const got = us.map((u) => m.pickNext(x, s, u));
          const want = us.map((u) => sample64(probs, u));
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            const reversed = pipeline64(logits, s, 'p-then-k');
            if (s.topK !== undefined && s.topP !== undefined && JSON.stringify(got) === JSON.stringify(us.map((u) => sample64(reversed, u)))) {
              fail(`${label}: you applied top-p before top-k. The order is temperature, top-k, top-p: top-p measures its mass on the distribution top-k has already renormalised.`);
            }
            const noTemp = s.temperature !== 1 ? pipeline64(logits, { ...s, temperature: 1 }) : undefined;
            if (noTemp && JSON.stringify(got) === JSON.stringify(us.map((u) => sample64(noTemp, u)))) {
              fail(`${label}: the temperature had no effect. Start from withTemperature(logits, settings.temperature).`);
            }
            expectEqual(got, want, `${label} for u = (i + 0.5) / 19, i = 0..18`,
              'probs = withTemperature(logits, T); then topK(probs, k) if topK is set; then topP(probs, p) if topP is set; then sample(probs, u).');
          }
        }
      },
    },

    // ----- the bundled model ---------------------------------------------------------------------------------
    {
      name: 'the filters on the bundled model\'s next-character distribution',
      task: 'topP',
      run: async (m, ctx) => {
        const model = await lessonModel();
        const ids = Array.from(model.tokenizer.encode(PROMPT));
        const logits = await nextLogits(model, ids);
        const base = softmax64(logits);
        const shownIds = order64(base).slice(0, SHOWN_TOKENS);
        const title = (what: string) => `${what}: P(next character | "…${PROMPT.slice(-24)}")`;
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
      name: 'sampling text from the bundled model with pickNext (T = 0.8, top-p 0.95, seeded)',
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
            fail(`step ${s}: pickNext chose ${JSON.stringify(model.vocab[mine] ?? mine)}, expected ${JSON.stringify(model.vocab[expected])} (u = ${u})`, {
              hint: 'pickNext(logits, { temperature: 0.8, topP: 0.95 }, u) = sample(topP(withTemperature(logits, 0.8), 0.95), u).',
            });
          }
          ids.push(mine);
        }
        ctx.artifact({ kind: 'text', title: `Sampled with T = 0.8, top-p 0.95, new Rng(7) (${steps} characters)`, text: shown(`${PROMPT}[${model.tokenizer.decode(ids.slice(-steps))}]`) });
      },
    },
  ],
});
