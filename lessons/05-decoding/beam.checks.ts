/**
 * Checks for lesson 5, exercise 2 (decoding/beam): beam search.
 *
 * The "models" here are mostly tiny and fixed: a transition table P(next | last token), so every score
 * can be worked out by hand. Expected beams come from hand calculation, from brute force over every
 * sequence, or from a separate float64 implementation below; then, on the bundled model, beam search
 * with width 1 must walk exactly the greedy path.
 * When the learner's beams are wrong, `diagnose` looks for the classic mistakes by name: products of
 * probabilities instead of sums of logs, beams that share one tokens array, beams that never compete.
 */
import { defineChecks, expectEqual, expectTrue, fail } from '@llm-lab/check';
import { mulberry32 } from '@llm-lab/model';
import { PROMPT, lessonModel, logitsOf, shown } from './model-helpers';

type Learner = typeof import('./beam');

interface RefBeam {
  tokens: number[];
  logProb: number;
}

/** A bigram "model": the next token's probabilities depend on the last token only. */
type Table = readonly (readonly number[])[];

const fromTable = (table: Table) => (tokens: readonly number[]) => table[tokens[tokens.length - 1]];

// ---------------------------------------------------------------------------------------------------------
// Independent references

type Variant = 'correct' | 'own-best';

/** Beam search in float64. 'own-best': after the first step every beam only follows its own most likely token. */
function beamSearch64(next: (t: readonly number[]) => ArrayLike<number>, prompt: readonly number[], steps: number, width: number, variant: Variant = 'correct'): RefBeam[] {
  let beams: RefBeam[] = [{ tokens: [...prompt], logProb: 0 }];
  for (let s = 0; s < steps; s++) {
    const candidates: RefBeam[] = [];
    for (const b of beams) {
      const p = next(b.tokens);
      const options = Array.from({ length: p.length }, (_, t) => t).filter((t) => p[t] > 0);
      const chosen = variant === 'own-best' && s > 0 ? [options.reduce((best, t) => (p[t] > p[best] ? t : best), options[0])] : options;
      for (const t of chosen) candidates.push({ tokens: [...b.tokens, t], logProb: b.logProb + Math.log(p[t]) });
    }
    candidates.sort((a, b) => b.logProb - a.logProb);
    beams = candidates.slice(0, width);
  }
  return beams;
}

/** Every sequence of `steps` tokens after the prompt, scored exactly: the answer when the beam is wide enough. */
function bruteForce(next: (t: readonly number[]) => ArrayLike<number>, prompt: readonly number[], steps: number): RefBeam[] {
  let all: RefBeam[] = [{ tokens: [...prompt], logProb: 0 }];
  for (let s = 0; s < steps; s++) {
    all = all.flatMap((b) => Array.from(next(b.tokens), (p, t) => ({ tokens: [...b.tokens, t], logProb: b.logProb + Math.log(p) })));
  }
  return all.sort((a, b) => b.logProb - a.logProb);
}

/** log-probability, product and sum of the probabilities of the generated part of `tokens`. */
function scoresOf(next: (t: readonly number[]) => ArrayLike<number>, tokens: readonly number[], promptLength: number) {
  let logProb = 0;
  let product = 1;
  let sum = 0;
  for (let i = promptLength; i < tokens.length; i++) {
    const p = Number(next(tokens.slice(0, i))[tokens[i]]);
    logProb += Math.log(p);
    product *= p;
    sum += p;
  }
  return { logProb, product, sum };
}

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const fmtBeams = (beams: readonly RefBeam[], name: (t: number) => string) =>
  beams.map((b) => `${b.tokens.map(name).join('')} (${b.logProb.toFixed(4)})`).join(', ');

interface Case {
  what: string;
  next: (t: readonly number[]) => ArrayLike<number>;
  prompt: readonly number[];
  steps: number;
  width: number;
  name: (t: number) => string;
}

/**
 * Compares the learner's beams with the expected ones. On a mismatch, names the classic mistake it looks
 * like before falling back to "expected ..., got ...".
 */
function diagnose(got: unknown, expected: readonly RefBeam[], c: Case): void {
  const { what, next, prompt, steps, width, name } = c;
  if (!Array.isArray(got)) fail(`${what} returned ${got === undefined ? 'undefined' : typeof got}, expected an array of beams { tokens, logProb }`, { hint: got === undefined ? 'Did you forget to `return` the beams?' : undefined });
  const beams = got as unknown[];
  for (const [i, b] of beams.entries()) {
    const ok = typeof b === 'object' && b !== null && Array.isArray((b as RefBeam).tokens) && typeof (b as RefBeam).logProb === 'number';
    if (!ok) fail(`${what}[${i}] is not a beam { tokens: number[], logProb: number }`);
  }
  const mine = beams as RefBeam[];
  if (mine.length !== expected.length) {
    fail(`${what} returned ${mine.length} beams, expected ${expected.length} (the width)`, { hint: 'After every step keep the best `width` candidates: candidates.slice(0, width) after sorting.' });
  }
  const length = prompt.length + steps;
  for (const [i, b] of mine.entries()) {
    if (mine.some((o, j) => j !== i && o.tokens === b.tokens)) {
      fail(`${what}: beams ${i} and ${mine.findIndex((o, j) => j !== i && o.tokens === b.tokens)} are the same tokens array: your beams are not kept separate`, {
        hint: 'Every candidate needs its own copy of its parent\'s tokens: [...beam.tokens, t]. Pushing onto beam.tokens changes the parent and every other candidate built from it.',
      });
    }
    if (b.tokens.length !== length) {
      fail(`${what}[${i}].tokens has ${b.tokens.length} tokens, expected ${length} (the ${prompt.length}-token prompt plus ${steps} new ones)`, {
        hint: b.tokens.length > length
          ? 'Extra tokens usually mean the candidates of one beam share one array: pushing token t onto beam.tokens adds it for every candidate. Copy instead: [...beam.tokens, t].'
          : 'Return the whole sequence: the prompt, then one new token per step.',
      });
    }
    if (prompt.some((t, j) => b.tokens[j] !== t)) {
      fail(`${what}[${i}].tokens does not start with the prompt [${prompt.join(', ')}]`, { hint: 'Start from one beam holding a copy of the prompt, with logProb 0.' });
    }
  }
  for (const [i, b] of mine.entries()) {
    const s = scoresOf(next, b.tokens, prompt.length);
    if (close(b.logProb, s.logProb)) continue;
    if (close(b.logProb, s.product, 1e-6)) {
      fail(`${what}[${i}].logProb is ${b.logProb}, the PRODUCT of its probabilities; expected their summed log-probability ${s.logProb}`, {
        hint: 'Score with log-probabilities: logProb = parent.logProb + Math.log(p). Ranking by a product of probabilities is the same on paper, but after a few hundred tokens the product underflows to 0 and every beam ties.',
      });
    }
    if (close(b.logProb, s.sum, 1e-6)) {
      fail(`${what}[${i}].logProb is ${b.logProb}, the SUM of its probabilities; expected the sum of their logarithms, ${s.logProb}`, {
        hint: 'Add Math.log(p), not p: the probability of a sequence is the product of its step probabilities, and the log turns that product into a sum.',
      });
    }
    if (b.logProb === 0 || b.logProb === -Infinity) {
      fail(`${what}[${i}].logProb is ${b.logProb}: the product of ${steps} probabilities underflowed (to 0, whose log is -Infinity)`, {
        hint: `Products of ${steps} probabilities of about 0.1 are about 10^-${steps}, far below the smallest double (about 5e-324). Add log-probabilities instead of multiplying probabilities.`,
      });
    }
    fail(`${what}[${i}] is ${b.tokens.map(name).join('')} with logProb ${b.logProb}, but those tokens have log-probability ${s.logProb}`, {
      hint: 'A beam\'s score must belong to its own tokens: logProb = parent.logProb + Math.log(p[t]) for the token t you appended.',
    });
  }
  for (let i = 1; i < mine.length; i++) {
    if (mine[i].logProb > mine[i - 1].logProb) {
      fail(`${what}: beam ${i} (logProb ${mine[i].logProb}) scores higher than beam ${i - 1} (${mine[i - 1].logProb}); return the beams best first`, {
        hint: 'Sort by logProb in descending order: candidates.sort((a, b) => b.logProb - a.logProb).',
      });
    }
  }
  const seqs = (bs: readonly RefBeam[]) => JSON.stringify(bs.map((b) => b.tokens));
  if (seqs(mine) !== seqs(expected)) {
    const ownBest = beamSearch64(next, prompt, steps, width, 'own-best');
    if (seqs(mine) === seqs(ownBest)) {
      fail(`${what} returned ${fmtBeams(mine, name)}: each beam only followed its own most likely token`, {
        hint: `That is ${width} separate greedy searches. Pool the candidates of ALL beams (width x V of them) and keep the best ${width} overall: two of the survivors may come from the same parent.`,
      });
    }
    fail(`${what} returned ${fmtBeams(mine, name)}, expected ${fmtBeams(expected, name)}`, {
      hint: 'At each step: extend every beam by every token, score each candidate by parent.logProb + Math.log(p), sort all candidates together, keep the best `width`.',
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The hand-worked model: tokens S (start), A, B, C.

const NAMES = ['S', 'A', 'B', 'C'];
const letter = (t: number) => NAMES[t] ?? `#${t}`;
const HAND: Table = [
  /* after S */ [0, 0.5, 0.4, 0.1],
  /* after A */ [0, 0.34, 0.33, 0.33],
  /* after B */ [0, 0.5, 0.45, 0.05],
  /* after C */ [0, 0.2, 0.4, 0.4],
];

/** Seeded random transition table with every probability in a narrow band around 1/V (no zeros, no near-ties). */
function randomTable(V: number, seed: number): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: V }, () => {
    const w = Array.from({ length: V }, () => 0.5 + random());
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  });
}

export default defineChecks<Learner>({
  exports: ['beamSearch'],
  checks: [
    {
      name: 'width 2 finds S-B-A, which greedy misses (worked by hand)',
      task: 'beamSearch',
      run: (m, ctx) => {
        const next = fromTable(HAND);
        const got = m.beamSearch(next, [0], 2, 2);
        // Step 1 keeps A (0.5) and B (0.4). Step 2: AA 0.17, AB 0.165, AC 0.165, BA 0.2, BB 0.18, BC 0.02.
        const expected = [{ tokens: [0, 2, 1], logProb: Math.log(0.4 * 0.5) }, { tokens: [0, 2, 2], logProb: Math.log(0.4 * 0.45) }];
        ctx.artifact({
          kind: 'table', title: 'P(next | last) and the two searches',
          columns: ['after', 'A', 'B', 'C'],
          rows: [
            ...HAND.map((row, i) => [letter(i), row[1], row[2], row[3]]),
            ['greedy', 'S-A-A', 'P = 0.5 × 0.34', '= 0.17'],
            ['beam, width 2', 'S-B-A', 'P = 0.4 × 0.5', '= 0.20'],
          ],
        });
        diagnose(got, expected, { what: 'beamSearch(table, [S], 2 steps, width 2)', next, prompt: [0], steps: 2, width: 2, name: letter });
      },
    },
    {
      name: 'width 1 is greedy decoding',
      task: 'beamSearch',
      run: (m) => {
        const next = fromTable(HAND);
        const got = m.beamSearch(next, [0], 3, 1);
        // Greedy: S -> A (0.5) -> A (0.34) -> A (0.34).
        diagnose(got, [{ tokens: [0, 1, 1, 1], logProb: Math.log(0.5 * 0.34 * 0.34) }], { what: 'beamSearch(table, [S], 3 steps, width 1)', next, prompt: [0], steps: 3, width: 1, name: letter });
      },
    },
    {
      name: 'a beam as wide as all sequences is exhaustive: it agrees with brute force',
      task: 'beamSearch',
      run: (m) => {
        // With width >= V^(steps-1) nothing is ever dropped before the last step, so beam search must return
        // exactly the `width` best of all V^steps sequences.
        const V = 4;
        const table = randomTable(V, 11);
        const next = fromTable(table);
        const prompt = [2];
        const width = V * V;
        const expected = bruteForce(next, prompt, 3).slice(0, width);
        diagnose(m.beamSearch(next, prompt, 3, width), expected, { what: 'beamSearch(random 4-token table, [2], 3 steps, width 16)', next, prompt, steps: 3, width, name: (t) => 'abcd'[t] ?? `#${t}` });
      },
    },
    {
      name: 'scores are summed log-probabilities: 500 steps do not underflow',
      task: 'beamSearch',
      run: (m) => {
        const V = 12;
        const table = randomTable(V, 5);
        const next = fromTable(table);
        const steps = 500;
        const expected = beamSearch64(next, [0], steps, 3);
        const product = Math.exp(expected[0].logProb);
        expectTrue(product === 0, 'check bug: the test sequence should be long enough for its probability to underflow');
        diagnose(m.beamSearch(next, [0], steps, 3), expected, { what: `beamSearch(random 12-token table, [0], ${steps} steps, width 3)`, next, prompt: [0], steps, width: 3, name: (t) => `${t} ` });
      },
    },
    {
      name: 'beams stay separate, the prompt is not modified, and 0 steps returns the prompt',
      task: 'beamSearch',
      run: (m) => {
        const next = fromTable(HAND);
        const prompt = [0, 1];
        const got = m.beamSearch(next, prompt, 3, 3);
        expectEqual(prompt, [0, 1], 'the prompt after beamSearch', 'Copy the prompt into the first beam ([...prompt]); never push onto the array you were given.');
        diagnose(got, beamSearch64(next, prompt, 3, 3), { what: 'beamSearch(table, [S, A], 3 steps, width 3)', next, prompt, steps: 3, width: 3, name: letter });
        const none = m.beamSearch(next, [0], 0, 2);
        expectEqual(none.map((b) => ({ tokens: b.tokens, logProb: b.logProb })), [{ tokens: [0], logProb: 0 }], 'beamSearch(table, [S], 0 steps, width 2)',
          'With no steps there is one beam: the prompt itself, with logProb 0 (log 1).');
      },
    },
    {
      name: 'on the bundled model, width 1 walks exactly the greedy path',
      task: 'beamSearch',
      run: async (m, ctx) => {
        const model = await lessonModel();
        const prompt = Array.from(model.tokenizer.encode(PROMPT));
        const steps = 30;
        const path = Array.from(await model.greedy(prompt, steps)); // prompt + 30 greedy tokens
        const logits = await logitsOf(model, path.slice(0, -1)); // row i predicts token i + 1
        const V = model.config.vocabSize;
        const onPath = (tokens: readonly number[]) => tokens.length >= prompt.length && tokens.length < path.length && tokens.every((t, i) => t === path[i]);
        const next = (tokens: readonly number[]) => {
          if (!onPath(tokens)) {
            fail(`with width 1, beamSearch asked for the next character after "…${model.tokenizer.decode(tokens.slice(-20))}", which greedy decoding never reaches`, {
              hint: 'Width 1 keeps only the single best candidate after each step, so it must follow the greedy path exactly.',
            });
          }
          const row = logits.subarray((tokens.length - 1) * V, tokens.length * V);
          const max = Math.max(...row);
          const e = Array.from(row, (l) => Math.exp(l - max));
          const s = e.reduce((a, b) => a + b, 0);
          return e.map((x) => x / s);
        };
        const got = m.beamSearch(next, prompt, steps, 1);
        let logProb = 0;
        for (let i = prompt.length; i < path.length; i++) logProb += Math.log(next(path.slice(0, i))[path[i]]);
        diagnose(got, [{ tokens: path, logProb }], { what: `beamSearch(model, prompt, ${steps} steps, width 1)`, next, prompt, steps, width: 1, name: (t) => model.vocab[t] ?? '?' });
        ctx.artifact({ kind: 'text', title: `Width 1 = greedy (${steps} characters, log-probability ${logProb.toFixed(2)})`, text: shown(`${PROMPT}[${model.tokenizer.decode(path.slice(prompt.length))}]`) });
      },
    },
  ],
});
