/**
 * The decoding track's grading-truth corpus (see test/unit/corpus.ts): other correct styles and one-bug variants of
 * lesson 5 (sampling, beam search) and lesson 6 (the KV cache), written the way learners write them, not from the
 * catalogues. Correct files use array methods and log-sum-exp softmaxes, selection loops and binary searches,
 * the kit's tensor ops, float32 scratch arrays, parent pointers, recursion, bounded insertion and online softmax.
 * Bugs change ONE thing; at least half of them are mistakes no catalogue names, the others are catalogued mistakes
 * written a new way (`catalogued`). Every `line` is computed from the resulting file (the line holding a marker that
 * must occur exactly once there), never typed in by hand.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const SAMPLING = 'decoding/sampling';
const BEAM = 'decoding/beam';
const CACHE = 'kv-cache/step';
const SOLUTION: Record<string, string> = {
  [SAMPLING]: '05-decoding/sampling.solution.ts',
  [BEAM]: '05-decoding/beam.solution.ts',
  [CACHE]: '06-kv-cache/cache.solution.ts',
};
const solution = (exercise: string): string => readFileSync(path.join(LESSONS, SOLUTION[exercise]), 'utf8');

/** The 1-based line of `marker` in `text`; the marker must occur exactly once. */

function correct(exercise: string, name: string, source: string): CorpusEntry {
  return { exercise, name, kind: 'correct', source };
}

interface BugSpec {
  /** A correct source of this corpus to put the bug into; default the reference solution (then kept as edits). */
  base?: string;
  edits: [string, string][];
  /** Text on the faulty line of the resulting file (occurs exactly once there). */
  at: string;
  catalogued?: string;
  kitOps?: boolean;
  checks?: string[];
}

function bug(exercise: string, name: string, spec: BugSpec): CorpusEntry {
  const text = withEdits(spec.base ?? solution(exercise), spec.edits, name);
  const file = spec.base ? { source: text } : { edits: spec.edits };
  return {
    exercise, name, kind: 'bug', ...file, line: lineOf(text, spec.at, name),
    ...(spec.catalogued ? { catalogued: spec.catalogued } : {}), ...(spec.kitOps ? { kitOps: true } : {}), ...(spec.checks ? { checks: spec.checks } : {}),
  };
}

// =====================================================================================================================
// Lesson 5, exercise 1: greedy, withTemperature, topK, topP, sample, pickNext
// =====================================================================================================================

const SETTINGS = `export interface DecodeSettings {
  temperature: number;
  topK?: number;
  topP?: number;
}
`;

/** Array methods, a log-sum-exp softmax, a Set of kept tokens, a while loop for the nucleus. */
const S_FUNCTIONAL = `/** Decoding with array methods. */

export function greedy(logits: Float32Array): number {
  return logits.reduce((best, l, i) => (l > logits[best] ? i : best), 0);
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

export function withTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (!(temperature > 0)) throw new Error('temperature must be positive');
  const z = Array.from(logits, (l) => l / temperature);
  const lse = logSumExp(z);
  return Float32Array.from(z, (v) => Math.exp(v - lse));
}

function ranked(probs: Float32Array): number[] {
  return [...probs.keys()].sort((a, b) => (probs[a] === probs[b] ? a - b : probs[b] - probs[a]));
}

function keepOnly(probs: Float32Array, kept: Set<number>): Float32Array {
  let total = 0;
  kept.forEach((i) => { total += probs[i]; });
  return probs.map((q, i) => (kept.has(i) ? q / total : 0));
}

export function topK(probs: Float32Array, k: number): Float32Array {
  return keepOnly(probs, new Set(ranked(probs).slice(0, k)));
}

export function topP(probs: Float32Array, p: number): Float32Array {
  const order = ranked(probs);
  if (p >= 1) return keepOnly(probs, new Set(order));
  const kept = new Set<number>();
  let mass = 0;
  let r = 0;
  while (mass < p && r < order.length) {
    kept.add(order[r]);
    mass += probs[order[r]];
    r++;
  }
  return keepOnly(probs, kept);
}

export function sample(probs: Float32Array, u: number): number {
  let c = 0;
  let fallback = -1;
  for (const [i, q] of probs.entries()) {
    if (q === 0) continue;
    fallback = i;
    c += q;
    if (u < c) return i;
  }
  return fallback;
}

${SETTINGS}
export function pickNext(logits: Float32Array, settings: DecodeSettings, u: number): number {
  const { temperature, topK: k, topP: p } = settings;
  if (temperature === 0) return greedy(logits);
  const afterT = withTemperature(logits, temperature);
  const afterK = k === undefined ? afterT : topK(afterT, k);
  const afterP = p === undefined ? afterK : topP(afterK, p);
  return sample(afterP, u);
}
`;

/** Index loops, a Float64Array of scaled logits, a selection "sort", a binary search over the cumulative sums. */
const S_LOOPS = `/** Decoding with index loops. */

export function greedy(logits: Float32Array): number {
  let bestIndex = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i] > bestValue) {
      bestValue = logits[i];
      bestIndex = i;
    }
  }
  return bestIndex;
}

export function withTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (!(temperature > 0)) throw new RangeError('withTemperature: T must be > 0');
  const n = logits.length;
  const scaled = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    scaled[i] = logits[i] / temperature;
    if (scaled[i] > max) max = scaled[i];
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    scaled[i] = Math.exp(scaled[i] - max);
    total += scaled[i];
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scaled[i] / total;
  return out;
}

/** The indices of the count largest probabilities, largest first; equal values: the lower index first. */
function largest(probs: Float32Array, count: number): number[] {
  const taken = new Uint8Array(probs.length);
  const picked: number[] = [];
  for (let r = 0; r < count && r < probs.length; r++) {
    let best = -1;
    for (let i = 0; i < probs.length; i++) {
      if (taken[i]) continue;
      if (best < 0 || probs[i] > probs[best]) best = i;
    }
    taken[best] = 1;
    picked.push(best);
  }
  return picked;
}

function normalise(probs: Float32Array, indices: number[]): Float32Array {
  let mass = 0;
  for (let j = 0; j < indices.length; j++) mass += probs[indices[j]];
  const out = new Float32Array(probs.length);
  for (let j = 0; j < indices.length; j++) out[indices[j]] = probs[indices[j]] / mass;
  return out;
}

export function topK(probs: Float32Array, k: number): Float32Array {
  return normalise(probs, largest(probs, k));
}

export function topP(probs: Float32Array, p: number): Float32Array {
  const order = largest(probs, probs.length);
  if (p >= 1) return normalise(probs, order);
  let mass = 0;
  let m = 0;
  while (m < order.length) {
    mass += probs[order[m]];
    m++;
    if (mass >= p) break;
  }
  return normalise(probs, order.slice(0, m));
}

export function sample(probs: Float32Array, u: number): number {
  const cdf = new Float64Array(probs.length);
  let c = 0;
  for (let i = 0; i < probs.length; i++) {
    c += probs[i];
    cdf[i] = c;
  }
  if (!(u < c)) {
    for (let i = probs.length - 1; i >= 0; i--) if (probs[i] > 0) return i;
  }
  let lo = 0;
  let hi = probs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

${SETTINGS}
export function pickNext(logits: Float32Array, settings: DecodeSettings, u: number): number {
  if (settings.temperature === 0) return greedy(logits);
  let probs = withTemperature(logits, settings.temperature);
  if (typeof settings.topK === 'number') probs = topK(probs, settings.topK);
  if (typeof settings.topP === 'number') probs = topP(probs, settings.topP);
  return sample(probs, u);
}
`;

/** The kit's softmax for the temperature, a threshold top-k that fills ties in index order, a pipeline of stages. */
const S_KIT = `import { div, softmax, tensor } from '@llm-lab/kit';

export function greedy(logits: Float32Array): number {
  return logits.indexOf(Math.max(...logits));
}

export function withTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (temperature <= 0) throw new Error('temperature must be > 0, got ' + temperature);
  return softmax(div(tensor(logits), temperature), -1).data;
}

export function topK(probs: Float32Array, k: number): Float32Array {
  const n = Math.min(k, probs.length);
  const kth = Array.from(probs).sort((a, b) => b - a)[n - 1];
  let above = 0;
  for (const q of probs) if (q > kth) above++;
  let tiesLeft = n - above;
  const out = new Float32Array(probs.length);
  let mass = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] > kth || (probs[i] === kth && tiesLeft-- > 0)) {
      out[i] = probs[i];
      mass += probs[i];
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= mass;
  return out;
}

export function topP(probs: Float32Array, p: number): Float32Array {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  const out = new Float32Array(probs.length);
  let mass = 0;
  let n = 0;
  for (const i of order) {
    if (p < 1 && mass >= p) break;
    mass += probs[i];
    n++;
  }
  for (const i of order.slice(0, n)) out[i] = probs[i] / mass;
  return out;
}

export function sample(probs: Float32Array, u: number): number {
  let c = 0;
  let i = 0;
  let last = -1;
  while (i < probs.length) {
    if (probs[i] > 0) {
      last = i;
      c += probs[i];
      if (c > u) break;
    }
    i++;
  }
  return i < probs.length ? i : last;
}

${SETTINGS}
type Stage = (q: Float32Array) => Float32Array;

export function pickNext(logits: Float32Array, settings: DecodeSettings, u: number): number {
  if (settings.temperature === 0) return greedy(logits);
  const stages: Stage[] = [];
  const { topK: k, topP: p } = settings;
  if (k !== undefined) stages.push((q) => topK(q, k));
  if (p !== undefined) stages.push((q) => topP(q, p));
  return sample(stages.reduce((q, stage) => stage(q), withTemperature(logits, settings.temperature)), u);
}
`;

/** (l - max) / T on the raw logits, float32 scratch, {q, i} pairs sorted stably, u consumed by subtraction. */
const S_PAIRS = `/** Decoding with (probability, index) pairs. */

export function greedy(logits: Float32Array): number {
  let best = 0;
  for (const [i, l] of logits.entries()) if (l > logits[best]) best = i;
  return best;
}

export function withTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (temperature <= 0) throw new Error('temperature must be > 0');
  const invT = 1 / temperature;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i] - max) * invT);
    sum += out[i];
  }
  const inv = 1 / sum;
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

interface Pair {
  q: number;
  i: number;
}

function byProbability(probs: Float32Array): Pair[] {
  const pairs = Array.from(probs, (q, i) => ({ q, i }));
  return pairs.sort((x, y) => y.q - x.q); // a stable sort: equal q stay in index order
}

function renormalised(length: number, kept: Pair[]): Float32Array {
  const total = kept.reduce((s, x) => s + x.q, 0);
  const out = new Float32Array(length);
  for (const { q, i } of kept) out[i] = q / total;
  return out;
}

export function topK(probs: Float32Array, k: number): Float32Array {
  return renormalised(probs.length, byProbability(probs).slice(0, k));
}

export function topP(probs: Float32Array, p: number): Float32Array {
  const pairs = byProbability(probs);
  let m = pairs.length;
  if (p < 1) {
    let mass = 0;
    for (let r = 0; r < pairs.length; r++) {
      mass += pairs[r].q;
      if (mass >= p) {
        m = r + 1;
        break;
      }
    }
  }
  return renormalised(probs.length, pairs.slice(0, m));
}

export function sample(probs: Float32Array, u: number): number {
  let rest = u;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    last = i;
    rest -= probs[i];
    if (rest < 0) return i;
  }
  return last;
}

${SETTINGS}
export function pickNext(logits: Float32Array, settings: DecodeSettings, u: number): number {
  if (settings.temperature === 0) return greedy(logits);
  let probs = withTemperature(logits, settings.temperature);
  if (settings.topK != null) probs = topK(probs, settings.topK);
  if (settings.topP != null) probs = topP(probs, settings.topP);
  return sample(probs, u);
}
`;

/**
 * The nucleus cut from the least likely end, as Hugging Face's TopPLogitsWarper does it (remove while the mass of the
 * tail is <= 1 - p), but with the lesson's tie order (the lower index is the more likely one), and top-k by a stable
 * sort on negated probabilities.
 */
const S_TAIL = withEdits(solution(SAMPLING), [
  [`  const keep: number[] = [];
  let mass = 0;
  for (const i of order) {
    keep.push(i); // keep it first: the token that crosses p belongs to the nucleus
    mass += probs[i];
    if (mass >= p) break;
  }
  return renormalised(probs, keep);`,
  `  const ascending = [...order].reverse(); // least likely first; of tied tokens the higher index first
  let tail = 0;
  let cut = 0;
  for (let r = 0; r < ascending.length - 1; r++) {
    tail += probs[ascending[r]];
    if (tail > 1 - p) break;
    cut = r + 1;
  }
  return renormalised(probs, ascending.slice(cut));`],
  ['return renormalised(probs, byProbability(probs).slice(0, k));',
    'const order = Array.from(probs.keys()).sort((a, b) => -probs[a] - -probs[b]);\n  return renormalised(probs, order.slice(0, k));'],
], 'S_TAIL');

const SAMPLING_CORPUS: CorpusEntry[] = [
  correct(SAMPLING, 'array methods, log-sum-exp softmax, a Set of kept tokens', S_FUNCTIONAL),
  correct(SAMPLING, 'index loops, selection order, binary search over the cumulative sums', S_LOOPS),
  correct(SAMPLING, "the kit's softmax, a threshold top-k that fills ties in index order, a pipeline of stages", S_KIT),
  correct(SAMPLING, '(l - max) / T, float32 scratch, stable sort of (q, i) pairs, u used up by subtraction', S_PAIRS),
  correct(SAMPLING, 'nucleus cut from the least likely end (Hugging Face rule, lesson tie order)', S_TAIL),

  // Not in any catalogue.
  bug(SAMPLING, 'greedy: >= keeps the last of tied logits', {
    base: S_FUNCTIONAL, edits: [['(l > logits[best] ? i : best)', '(l >= logits[best] ? i : best)']], at: 'l >= logits[best]',
  }),
  bug(SAMPLING, 'greedy: the running best starts at 0, not -Infinity', {
    base: S_LOOPS, edits: [['let bestValue = -Infinity;', 'let bestValue = 0;']], at: 'let bestValue = 0;',
  }),
  bug(SAMPLING, 'withTemperature: exponentiates without subtracting the max', {
    base: S_LOOPS, edits: [['scaled[i] = Math.exp(scaled[i] - max);', 'scaled[i] = Math.exp(scaled[i]);']], at: 'scaled[i] = Math.exp(scaled[i]);',
  }),
  bug(SAMPLING, 'withTemperature: only a negative temperature throws', {
    base: S_PAIRS, edits: [['if (temperature <= 0) throw', 'if (temperature < 0) throw']], at: 'if (temperature < 0) throw',
  }),
  bug(SAMPLING, 'withTemperature: writes the probabilities into the logits it was given', {
    base: S_PAIRS, edits: [['const out = new Float32Array(logits.length);\n  let sum = 0;', 'const out = logits;\n  let sum = 0;']], at: 'const out = logits;',
  }),
  bug(SAMPLING, 'topK and topP: the selection stops one short (count - 1)', {
    base: S_LOOPS, edits: [['for (let r = 0; r < count && r < probs.length; r++)', 'for (let r = 0; r < count - 1 && r < probs.length; r++)']], at: 'r < count - 1',
  }),
  bug(SAMPLING, 'topK: a tie at the k-th place admits one token too many (>= 0)', {
    base: S_KIT, edits: [['tiesLeft-- > 0', 'tiesLeft-- >= 0']], at: 'tiesLeft-- >= 0',
  }),
  bug(SAMPLING, 'topK: finds the k-th largest by sorting the input in place', {
    base: S_KIT, edits: [['const kth = Array.from(probs).sort((a, b) => b - a)[n - 1];', 'const kth = probs.sort((a, b) => b - a)[n - 1];']], at: 'const kth = probs.sort(',
  }),
  bug(SAMPLING, 'filters leave the dropped tokens at their old probability', {
    base: S_FUNCTIONAL, edits: [['(kept.has(i) ? q / total : 0)', '(kept.has(i) ? q / total : q)']], at: 'kept.has(i) ? q / total : q',
  }),
  bug(SAMPLING, 'sample: past the total, returns the last token even when its probability is 0', {
    base: S_FUNCTIONAL, edits: [['  return fallback;\n}', '  return probs.length - 1;\n}']], at: 'return probs.length - 1;',
  }),
  bug(SAMPLING, 'pickNext: top-p is skipped whenever top-k is set', {
    base: S_LOOPS, edits: [["  if (typeof settings.topP === 'number') probs", "  else if (typeof settings.topP === 'number') probs"]],
    at: "else if (typeof settings.topP === 'number')",
  }),

  // Catalogued mistakes, written a new way.
  bug(SAMPLING, 'withTemperature: scaled logits made with l * T', {
    base: S_FUNCTIONAL, edits: [['Array.from(logits, (l) => l / temperature)', 'Array.from(logits, (l) => l * temperature)']], at: 'l * temperature',
    catalogued: 'logits-times-temperature',
  }),
  bug(SAMPLING, "withTemperature: the kit's softmax, then multiplied by T", {
    base: S_KIT, edits: [['return softmax(div(tensor(logits), temperature), -1).data;', 'return mul(softmax(tensor(logits), -1), 1 / temperature).data;'],
      ["import { div, softmax, tensor } from '@llm-lab/kit';", "import { mul, softmax, tensor } from '@llm-lab/kit';"]],
    at: 'return mul(softmax(tensor(logits), -1), 1 / temperature).data;', catalogued: 'temperature-on-probabilities', kitOps: true,
  }),
  bug(SAMPLING, 'withTemperature: the kit ops scale the logits by T', {
    base: S_KIT, edits: [['return softmax(div(tensor(logits), temperature), -1).data;', 'return softmax(mul(tensor(logits), temperature), -1).data;'],
      ["import { div, softmax, tensor } from '@llm-lab/kit';", "import { mul, softmax, tensor } from '@llm-lab/kit';"]],
    at: 'return softmax(mul(tensor(logits), temperature), -1).data;', catalogued: 'logits-times-temperature', kitOps: true,
  }),
  bug(SAMPLING, 'topK: pairs sorted ascending', {
    base: S_PAIRS, edits: [['return pairs.sort((x, y) => y.q - x.q);', 'return pairs.sort((x, y) => x.q - y.q);']], at: 'pairs.sort((x, y) => x.q - y.q)',
    catalogued: 'top-k-least-likely',
  }),
  bug(SAMPLING, 'filters divide by the mass of every token', {
    base: S_PAIRS, edits: [['function renormalised(length: number, kept: Pair[]): Float32Array {\n  const total = kept.reduce((s, x) => s + x.q, 0);',
      'function renormalised(length: number, kept: Pair[]): Float32Array {\n  const total = 1; // the probabilities already sum to 1']],
    at: 'const total = 1;', catalogued: 'not-renormalised',
  }),
  bug(SAMPLING, 'topP: keeps adding while the mass is <= p', {
    base: S_FUNCTIONAL, edits: [['while (mass < p && r < order.length)', 'while (mass <= p && r < order.length)']], at: 'while (mass <= p',
    catalogued: 'top-p-strict',
  }),
  bug(SAMPLING, 'topP: stops before the token that would reach p', {
    base: S_LOOPS, edits: [['  while (m < order.length) {\n    mass += probs[order[m]];\n    m++;\n    if (mass >= p) break;\n  }',
      '  while (m < order.length && mass + probs[order[m]] < p) {\n    mass += probs[order[m]];\n    m++;\n  }']],
    at: 'while (m < order.length && mass + probs[order[m]] < p)', catalogued: 'top-p-excludes-crossing',
  }),
  bug(SAMPLING, 'sample: binary search for the first cumulative sum >= u', {
    base: S_LOOPS, edits: [['if (cdf[mid] > u) hi = mid;', 'if (cdf[mid] >= u) hi = mid;']], at: 'if (cdf[mid] >= u) hi = mid;',
    catalogued: 'sample-greater-or-equal',
  }),
  bug(SAMPLING, 'sample: stops when what is left of u reaches 0', {
    base: S_PAIRS, edits: [['if (rest < 0) return i;', 'if (rest <= 0) return i;']], at: 'if (rest <= 0) return i;',
    catalogued: 'sample-greater-or-equal',
  }),
  bug(SAMPLING, 'pickNext: the top-p stage is pushed before the top-k stage', {
    base: S_KIT, edits: [['  if (k !== undefined) stages.push((q) => topK(q, k));\n  if (p !== undefined) stages.push((q) => topP(q, p));',
      '  if (p !== undefined) stages.push((q) => topP(q, p));\n  if (k !== undefined) stages.push((q) => topK(q, k));']],
    at: 'if (p !== undefined) stages.push', catalogued: 'top-p-before-top-k',
  }),
];

// =====================================================================================================================
// Lesson 5, exercise 2: beamSearch(next, prompt, steps, width)
// =====================================================================================================================

const BEAM_TYPES = `export interface Beam {
  tokens: number[];
  logProb: number;
}

export type NextTokenProbs = (tokens: readonly number[]) => ArrayLike<number>;
`;

/** flatMap over the beams, concat for the new tokens, dead ends filtered by their -Infinity score. */
const B_FLAT = `${BEAM_TYPES}
export function beamSearch(next: NextTokenProbs, prompt: readonly number[], steps: number, width: number): Beam[] {
  if (width < 1) throw new Error('width must be at least 1');
  let beams: Beam[] = [{ tokens: prompt.slice(), logProb: 0 }];
  for (let s = 0; s < steps; s++) {
    beams = beams
      .flatMap((b) => Array.from(next(b.tokens), (p, t) => ({ tokens: b.tokens.concat(t), logProb: b.logProb + Math.log(p) })).filter((c) => c.logProb > -Infinity))
      .sort((x, y) => y.logProb - x.logProb)
      .slice(0, width);
  }
  return beams;
}
`;

/** A list kept sorted and at most `width` long while the candidates are made (insertion after equal scores). */
const B_INSERT = `${BEAM_TYPES}
export function beamSearch(next: NextTokenProbs, prompt: readonly number[], steps: number, width: number): Beam[] {
  if (!(width >= 1)) throw new RangeError('beamSearch: width must be >= 1');
  let beams: Beam[] = [{ tokens: [...prompt], logProb: 0 }];
  for (let step = 0; step < steps; step++) {
    const best: Beam[] = []; // sorted best first, at most width long
    for (let b = 0; b < beams.length; b++) {
      const probs = next(beams[b].tokens);
      for (let t = 0; t < probs.length; t++) {
        if (probs[t] <= 0) continue;
        const score = beams[b].logProb + Math.log(probs[t]);
        if (best.length === width && score <= best[width - 1].logProb) continue;
        let at = best.length;
        while (at > 0 && best[at - 1].logProb < score) at--;
        best.splice(at, 0, { tokens: [...beams[b].tokens, t], logProb: score });
        if (best.length > width) best.pop();
      }
    }
    beams = best;
  }
  return beams;
}
`;

/** Parent pointers; the token arrays are made only to ask the model and at the end. */
const B_NODES = `${BEAM_TYPES}
interface Node {
  parent: Node | null;
  token: number;
  logProb: number;
}

function tokensOf(node: Node, prompt: readonly number[]): number[] {
  const tail: number[] = [];
  for (let n: Node | null = node; n !== null && n.parent !== null; n = n.parent) tail.push(n.token);
  return [...prompt, ...tail.reverse()];
}

export function beamSearch(next: NextTokenProbs, prompt: readonly number[], steps: number, width: number): Beam[] {
  if (width < 1) throw new Error('beamSearch: width < 1');
  let frontier: Node[] = [{ parent: null, token: -1, logProb: 0 }];
  for (let s = 0; s < steps; s++) {
    const candidates: Node[] = [];
    for (const node of frontier) {
      const probs = next(tokensOf(node, prompt));
      for (let t = 0; t < probs.length; t++) {
        if (probs[t] > 0) candidates.push({ parent: node, token: t, logProb: node.logProb + Math.log(probs[t]) });
      }
    }
    candidates.sort((a, b) => b.logProb - a.logProb);
    frontier = candidates.slice(0, width);
  }
  return frontier.map((node) => ({ tokens: tokensOf(node, prompt), logProb: node.logProb }));
}
`;

/** Recursion over the steps, log-probabilities in a Float64Array, ties broken explicitly by the order of creation. */
const B_RECURSIVE = `${BEAM_TYPES}
function extend(next: NextTokenProbs, beams: Beam[], stepsLeft: number, width: number): Beam[] {
  if (stepsLeft === 0) return beams;
  const pool: { beam: Beam; order: number }[] = [];
  for (const beam of beams) {
    const logp = Float64Array.from(next(beam.tokens), Math.log);
    logp.forEach((lp, t) => {
      if (lp === -Infinity) return;
      pool.push({ beam: { tokens: [...beam.tokens, t], logProb: beam.logProb + lp }, order: pool.length });
    });
  }
  pool.sort((a, b) => b.beam.logProb - a.beam.logProb || a.order - b.order);
  return extend(next, pool.slice(0, width).map((c) => c.beam), stepsLeft - 1, width);
}

export function beamSearch(next: NextTokenProbs, prompt: readonly number[], steps: number, width: number): Beam[] {
  if (width < 1) throw new Error('width < 1');
  return extend(next, [{ tokens: [...prompt], logProb: 0 }], steps, width);
}
`;

/** The candidates cut to `width` by setting the array's length. */
const B_LENGTH = withEdits(solution(BEAM), [['    beams = candidates.slice(0, width);', '    candidates.length = Math.min(candidates.length, width);\n    beams = candidates;']], 'B_LENGTH');

const BEAM_CORPUS: CorpusEntry[] = [
  correct(BEAM, 'flatMap, concat, dead ends filtered by score', B_FLAT),
  correct(BEAM, 'a bounded list kept sorted while the candidates are made', B_INSERT),
  correct(BEAM, 'parent pointers, token arrays made on demand', B_NODES),
  correct(BEAM, 'recursion, Float64Array of log-probabilities, explicit tie order', B_RECURSIVE),
  correct(BEAM, 'candidates cut by setting their length', B_LENGTH),

  // Not in any catalogue.
  bug(BEAM, 'width 0 accepted (only a negative width throws)', {
    base: B_FLAT, edits: [['if (width < 1) throw', 'if (width < 0) throw']], at: 'if (width < 0) throw',
  }),
  bug(BEAM, 'candidates of probability 0 kept (no filter)', {
    base: B_FLAT, edits: [['.filter((c) => c.logProb > -Infinity))', ')']], at: '.flatMap((b) =>',
  }),
  bug(BEAM, 'the best candidate dropped: slice(1, width + 1)', {
    base: B_FLAT, edits: [['.slice(0, width);', '.slice(1, width + 1);']], at: '.slice(1, width + 1);',
  }),
  bug(BEAM, 'a new candidate goes before the equal ones already kept', {
    base: B_INSERT, edits: [['best[at - 1].logProb < score) at--;', 'best[at - 1].logProb <= score) at--;']], at: 'best[at - 1].logProb <= score',
  }),
  bug(BEAM, 'the first beam holds the prompt array itself', {
    base: B_INSERT, edits: [['let beams: Beam[] = [{ tokens: [...prompt], logProb: 0 }];', 'let beams: Beam[] = [{ tokens: prompt as number[], logProb: 0 }];']], at: 'tokens: prompt as number[]',
  }),
  bug(BEAM, 'one step too many (step <= steps)', {
    base: B_INSERT, edits: [['for (let step = 0; step < steps; step++)', 'for (let step = 0; step <= steps; step++)']], at: 'step <= steps',
  }),
  bug(BEAM, "a candidate's score forgets its parent's", {
    base: B_NODES, edits: [['logProb: node.logProb + Math.log(probs[t])', 'logProb: Math.log(probs[t])']], at: 'logProb: Math.log(probs[t])',
  }),
  bug(BEAM, 'ties keep the candidate made last', {
    base: B_RECURSIVE, edits: [['|| a.order - b.order', '|| b.order - a.order']], at: '|| b.order - a.order',
  }),
  bug(BEAM, 'log10 instead of the natural log', {
    base: B_RECURSIVE, edits: [['Float64Array.from(next(beam.tokens), Math.log);', 'Float64Array.from(next(beam.tokens), Math.log10);']], at: 'Math.log10',
  }),

  // Catalogued mistakes, written a new way.
  bug(BEAM, 'score adds the probability itself', {
    base: B_FLAT, edits: [['logProb: b.logProb + Math.log(p)', 'logProb: b.logProb + p']], at: 'logProb: b.logProb + p', catalogued: 'sum-of-probabilities',
  }),
  bug(BEAM, 'each beam cut to its own best candidate after the first step', {
    base: B_FLAT, edits: [['.filter((c) => c.logProb > -Infinity))', '.filter((c) => c.logProb > -Infinity).sort((x, y) => y.logProb - x.logProb).slice(0, s === 0 ? width : 1))']],
    at: '.flatMap((b) =>', catalogued: 'own-best',
  }),
  bug(BEAM, 'the beams returned reversed', {
    base: B_INSERT, edits: [['  return beams;\n}', '  return beams.reverse();\n}']], at: 'return beams.reverse();', catalogued: 'worst-first',
  }),
  bug(BEAM, "the candidate's tokens are its parent's array, pushed onto", {
    base: B_INSERT, edits: [['{ tokens: [...beams[b].tokens, t], logProb: score }', '{ tokens: (beams[b].tokens.push(t), beams[b].tokens), logProb: score }']],
    at: 'beams[b].tokens.push(t)', catalogued: 'shared-tokens',
  }),
  bug(BEAM, 'scores multiplied, starting from 1', {
    base: B_NODES, edits: [['{ parent: null, token: -1, logProb: 0 }', '{ parent: null, token: -1, logProb: 1 }'],
      ['logProb: node.logProb + Math.log(probs[t])', 'logProb: node.logProb * probs[t]']],
    at: 'logProb: node.logProb * probs[t]', catalogued: 'product-of-probabilities',
  }),
];

// =====================================================================================================================
// Lesson 6: attend, step, generate
// =====================================================================================================================

const CACHE_TYPES = `export interface ModelParts {
  readonly config: { readonly vocabSize: number; readonly blockSize: number; readonly nLayer: number; readonly nHead: number; readonly nEmbd: number };
  embed(token: number, position: number): Float32Array;
  qkv(layer: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array };
  project(layer: number, y: Float32Array): Float32Array;
  mlp(layer: number, x: Float32Array): Float32Array;
  logits(x: Float32Array): Float32Array;
}

export interface LayerCache {
  keys: Float32Array[];
  values: Float32Array[];
}

export interface KVCache {
  layers: LayerCache[];
}

export function emptyCache(nLayer: number): KVCache {
  return { layers: Array.from({ length: nLayer }, () => ({ keys: [], values: [] })) };
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
`;

/** Helpers, a log-sum-exp softmax, forEach over the layers, the position from the value cache, new residual arrays. */
const K_HELPERS = `${CACHE_TYPES}
function dot(a: Float32Array, b: Float32Array, off: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[off + i] * b[off + i];
  return s;
}

function plus(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

export function attend(q: Float32Array, cache: LayerCache, nHead: number): Float32Array {
  const hs = q.length / nHead;
  const y = new Float32Array(q.length);
  for (let h = 0; h < nHead; h++) {
    const off = h * hs;
    const s = cache.keys.map((k) => dot(q, k, off, hs) / Math.sqrt(hs));
    const m = Math.max(...s);
    const lse = m + Math.log(s.reduce((acc, v) => acc + Math.exp(v - m), 0));
    for (let j = 0; j < s.length; j++) {
      const w = Math.exp(s[j] - lse);
      for (let i = 0; i < hs; i++) y[off + i] += w * cache.values[j][off + i];
    }
  }
  return y;
}

export function step(model: ModelParts, cache: KVCache, token: number): Float32Array {
  const { nHead, blockSize } = model.config;
  const position = cache.layers[0].values.length;
  if (position >= blockSize) throw new Error('the cache is full');
  let x = model.embed(token, position);
  cache.layers.forEach((layer, l) => {
    const { q, k, v } = model.qkv(l, x);
    layer.keys.push(k);
    layer.values.push(v);
    x = plus(x, model.project(l, attend(q, layer, nHead)));
    x = plus(x, model.mlp(l, x));
  });
  return model.logits(x);
}

export function generate(model: ModelParts, prompt: readonly number[], n: number): number[] {
  const { blockSize, nLayer } = model.config;
  const out = prompt.slice();
  let cache = emptyCache(nLayer);
  let logits = new Float32Array(0);
  for (const t of prompt) logits = step(model, cache, t);
  for (let i = 0; i < n; i++) {
    const next = argmax(logits);
    out.push(next);
    if (i === n - 1) break;
    if (cache.layers[0].keys.length < blockSize) {
      logits = step(model, cache, next);
    } else {
      cache = emptyCache(nLayer);
      for (const t of out.slice(out.length - blockSize / 2)) logits = step(model, cache, t);
    }
  }
  return out;
}
`;

/** The kit's matmul and softmax over (nh, T, hs) tensors; the scaffold's loop fed every new token, the last too. */
const K_KIT = `import { div, matmul, reshape, softmax, tensor, transpose } from '@llm-lab/kit';

${CACHE_TYPES}
export function attend(q: Float32Array, cache: LayerCache, nHead: number): Float32Array {
  const C = q.length;
  const nh = nHead;
  const hs = C / nh;
  const T = cache.keys.length;
  const flatK = new Float32Array(T * C);
  const flatV = new Float32Array(T * C);
  cache.keys.forEach((k, j) => flatK.set(k, j * C));
  cache.values.forEach((v, j) => flatV.set(v, j * C));
  const Q = reshape(tensor(q), [nh, 1, hs]); // (nh, 1, hs)
  const K = transpose(reshape(tensor(flatK), [T, nh, hs]), 0, 1); // (nh, T, hs)
  const V = transpose(reshape(tensor(flatV), [T, nh, hs]), 0, 1); // (nh, T, hs)
  const att = softmax(div(matmul(Q, transpose(K, 1, 2)), Math.sqrt(hs)), -1); // (nh, 1, T)
  return reshape(matmul(att, V), [C]).data; // (C)
}

export function step(model: ModelParts, cache: KVCache, token: number): Float32Array {
  const { nLayer, nHead, blockSize } = model.config;
  const position = cache.layers[nLayer - 1].keys.length;
  if (position >= blockSize) throw new Error('step: no position ' + position + ' in a context of ' + blockSize);
  const x = model.embed(token, position);
  for (const [l, layer] of cache.layers.entries()) {
    const { q, k, v } = model.qkv(l, x);
    layer.keys.push(k);
    layer.values.push(v);
    const a = model.project(l, attend(q, layer, nHead));
    for (let i = 0; i < x.length; i++) x[i] += a[i];
    const f = model.mlp(l, x);
    for (let i = 0; i < x.length; i++) x[i] += f[i];
  }
  return model.logits(x);
}

export function generate(model: ModelParts, prompt: readonly number[], n: number): number[] {
  const { blockSize, nLayer } = model.config;
  const tokens = [...prompt];
  let cache = emptyCache(nLayer);
  let logits: Float32Array = new Float32Array(0);
  for (const t of prompt) logits = step(model, cache, t);
  for (let i = 0; i < n; i++) {
    const next = argmax(logits);
    tokens.push(next);
    if (cache.layers[0].keys.length === blockSize) {
      cache = emptyCache(nLayer);
      for (const t of tokens.slice(-blockSize / 2)) logits = step(model, cache, t);
    } else {
      logits = step(model, cache, next);
    }
  }
  return tokens;
}
`;

/** Online softmax (running max and rescaled sums, one pass), a layer variable moved along, a position counter. */
const K_ONLINE = `${CACHE_TYPES}
export function attend(q: Float32Array, cache: LayerCache, nHead: number): Float32Array {
  const C = q.length;
  const hs = C / nHead;
  const scale = 1 / Math.sqrt(hs);
  const y = new Float32Array(C);
  const acc = new Float64Array(hs);
  for (let h = 0; h < nHead; h++) {
    const off = h * hs;
    let m = -Infinity;
    let l = 0;
    acc.fill(0);
    for (let j = 0; j < cache.keys.length; j++) {
      const k = cache.keys[j];
      const v = cache.values[j];
      let s = 0;
      for (let i = 0; i < hs; i++) s += q[off + i] * k[off + i];
      s *= scale;
      const mNew = Math.max(m, s);
      const correction = Math.exp(m - mNew);
      const w = Math.exp(s - mNew);
      l = l * correction + w;
      for (let i = 0; i < hs; i++) acc[i] = acc[i] * correction + w * v[off + i];
      m = mNew;
    }
    for (let i = 0; i < hs; i++) y[off + i] = acc[i] / l;
  }
  return y;
}

export function step(model: ModelParts, cache: KVCache, token: number): Float32Array {
  const { nLayer, nHead, blockSize } = model.config;
  const position = cache.layers[0].keys.length;
  if (position === blockSize) throw new Error('cache full');
  const x = model.embed(token, position);
  let layer = cache.layers[0];
  for (let l = 0; l < nLayer; l++) {
    layer = cache.layers[l];
    const { q, k, v } = model.qkv(l, x);
    layer.keys.push(k);
    layer.values.push(v);
    const a = model.project(l, attend(q, layer, nHead));
    for (let i = 0; i < x.length; i++) x[i] += a[i];
    const f = model.mlp(l, x);
    for (let i = 0; i < x.length; i++) x[i] += f[i];
  }
  return model.logits(x);
}

export function generate(model: ModelParts, prompt: readonly number[], n: number): number[] {
  const { blockSize, nLayer } = model.config;
  const half = blockSize / 2;
  const tokens = [...prompt];
  let cache = emptyCache(nLayer);
  let used = 0;
  let logits: Float32Array = new Float32Array(0);
  for (const t of prompt) {
    logits = step(model, cache, t);
    used++;
  }
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const last = tokens[tokens.length - 1];
      if (used === blockSize) {
        cache = emptyCache(nLayer);
        used = 0;
        for (const t of tokens.slice(tokens.length - half)) {
          logits = step(model, cache, t);
          used++;
        }
      } else {
        logits = step(model, cache, last);
        used++;
      }
    }
    tokens.push(argmax(logits));
  }
  return tokens;
}
`;

/** q scaled once before the dot products, weights normalised at the end, a while loop and early return in generate. */
const K_PRESCALED = withEdits(solution(CACHE), [
  ['  const scores = new Float64Array(T);\n', '  const scores = new Float64Array(T);\n  const qs = Float64Array.from(q, (x) => x / Math.sqrt(hs)); // q / sqrt(hs), once\n'],
  ['      for (let i = 0; i < hs; i++) s += q[off + i] * k[off + i];\n      scores[j] = s / Math.sqrt(hs); // (T,) scaled dot products for this head',
    '      for (let i = 0; i < hs; i++) s += qs[off + i] * k[off + i];\n      scores[j] = s;'],
  ['      const w = scores[j] / sum; // attention weight of position j\n      const v = cache.values[j];\n      for (let i = 0; i < hs; i++) y[off + i] += w * v[off + i];\n    }',
    '      const v = cache.values[j];\n      for (let i = 0; i < hs; i++) y[off + i] += scores[j] * v[off + i];\n    }\n    for (let i = 0; i < hs; i++) y[off + i] /= sum;'],
  ['  for (let i = 0; i < n; i++) {\n    const next = argmax(logits);', '  if (n === 0) return tokens;\n  let made = 0;\n  while (true) {\n    const next = argmax(logits);\n    const i = made++;'],
], 'K_PRESCALED');

const ATTEND_CHECKS = ['attend: one query over three cached positions', 'attend: 4 heads over 6 positions'];
const STEP_CHECKS = ['step: cached logits equal a full forward pass', 'step: the position is the number of cached tokens'];
const GENERATE_CHECKS = ['generate: 200 cached tokens'];

const CACHE_CORPUS: CorpusEntry[] = [
  correct(CACHE, 'helpers, log-sum-exp softmax, forEach over layers, position from the value cache', K_HELPERS),
  correct(CACHE, "the kit's matmul and softmax per head; every new token fed, the last one too", K_KIT),
  correct(CACHE, 'online softmax in one pass, a moving layer variable, a position counter', K_ONLINE),
  correct(CACHE, 'q scaled first, weights normalised at the end, a while loop in generate', K_PRESCALED),

  // Not in any catalogue.
  bug(CACHE, 'attend: scales the cached keys in place', {
    base: K_HELPERS, edits: [['    const s = cache.keys.map((k) => dot(q, k, off, hs) / Math.sqrt(hs));',
      '    for (const k of cache.keys) for (let i = 0; i < hs; i++) k[off + i] /= Math.sqrt(hs);\n    const s = cache.keys.map((k) => dot(q, k, off, hs));']],
    at: 'k[off + i] /= Math.sqrt(hs)', checks: [...ATTEND_CHECKS, STEP_CHECKS[0]],
  }),
  bug(CACHE, 'attend: kit ops divide by sqrt(C), not sqrt(hs)', {
    base: K_KIT, edits: [['Math.sqrt(hs)), -1);', 'Math.sqrt(C)), -1);']], at: 'Math.sqrt(C)), -1);', kitOps: true, checks: ATTEND_CHECKS,
  }),
  bug(CACHE, 'attend: kit softmax over the query axis', {
    base: K_KIT, edits: [['Math.sqrt(hs)), -1);', 'Math.sqrt(hs)), 1);']], at: 'Math.sqrt(hs)), 1);', kitOps: true, checks: ATTEND_CHECKS,
  }),
  bug(CACHE, 'attend: values reshaped to (nh, T, hs) without the transpose', {
    base: K_KIT, edits: [['const V = transpose(reshape(tensor(flatV), [T, nh, hs]), 0, 1);', 'const V = reshape(tensor(flatV), [nh, T, hs]);']],
    at: 'const V = reshape(tensor(flatV), [nh, T, hs]);', kitOps: true, checks: ATTEND_CHECKS,
  }),
  bug(CACHE, 'step: the MLP output replaces the residual stream', {
    base: K_HELPERS, edits: [['x = plus(x, model.mlp(l, x));', 'x = model.mlp(l, x);']], at: 'x = model.mlp(l, x);', checks: STEP_CHECKS,
  }),
  bug(CACHE, 'step: the key and the value both pushed onto keys', {
    base: K_KIT, edits: [['    layer.keys.push(k);\n    layer.values.push(v);', '    layer.keys.push(k, v);']], at: 'layer.keys.push(k, v);', checks: STEP_CHECKS,
  }),
  bug(CACHE, 'step: the attention output added without its projection', {
    base: K_HELPERS, edits: [['x = plus(x, model.project(l, attend(q, layer, nHead)));', 'x = plus(x, attend(q, layer, nHead));']],
    at: 'x = plus(x, attend(q, layer, nHead));', checks: STEP_CHECKS,
  }),
  bug(CACHE, 'generate: the new window leaves out its newest token', {
    base: K_HELPERS, edits: [['for (const t of out.slice(out.length - blockSize / 2)) logits', 'for (const t of out.slice(out.length - blockSize / 2 - 1, -1)) logits']],
    at: 'out.slice(out.length - blockSize / 2 - 1, -1)', checks: GENERATE_CHECKS,
  }),
  bug(CACHE, 'generate: pushes the new tokens onto the prompt it was given', {
    base: K_HELPERS, edits: [['const out = prompt.slice();', 'const out = prompt as number[];']], at: 'const out = prompt as number[];', checks: GENERATE_CHECKS,
  }),
  bug(CACHE, 'generate: returns the new tokens only', {
    base: K_ONLINE, edits: [['    tokens.push(argmax(logits));\n  }\n  return tokens;', '    tokens.push(argmax(logits));\n  }\n  return tokens.slice(prompt.length);']],
    at: 'return tokens.slice(prompt.length);', checks: GENERATE_CHECKS,
  }),

  // Catalogued mistakes, written a new way.
  bug(CACHE, 'attend: a causal mask with the new query numbered 0', {
    base: K_ONLINE, edits: [['      const k = cache.keys[j];\n', '      const qi = 0; // the query\'s row\n      if (j > qi) continue;\n      const k = cache.keys[j];\n']],
    at: 'if (j > qi) continue;', catalogued: 'mask-first-only', checks: ATTEND_CHECKS,
  }),
  bug(CACHE, 'attend: the scale set to 1', {
    base: K_ONLINE, edits: [['const scale = 1 / Math.sqrt(hs);', 'const scale = 1;']], at: 'const scale = 1;', catalogued: 'no-scale', checks: ATTEND_CHECKS,
  }),
  bug(CACHE, 'attend: the heads reshaped as one (nh = 1)', {
    base: K_KIT, edits: [['  const nh = nHead;', '  const nh = 1;']], at: 'const nh = 1;', catalogued: 'one-head', checks: ATTEND_CHECKS,
  }),
  bug(CACHE, 'step: attends before appending the new key and value', {
    base: K_HELPERS, edits: [['    layer.keys.push(k);\n    layer.values.push(v);\n    x = plus(x, model.project(l, attend(q, layer, nHead)));',
      '    x = plus(x, model.project(l, attend(q, layer, nHead)));\n    layer.keys.push(k);\n    layer.values.push(v);']],
    at: 'x = plus(x, model.project(l, attend(q, layer, nHead)));', catalogued: 'exclude-self', checks: STEP_CHECKS,
  }),
  bug(CACHE, 'step: the layer variable never moves past layer 0', {
    base: K_ONLINE, edits: [['    layer = cache.layers[l];\n', '']], at: 'let layer = cache.layers[0];', catalogued: 'shared-layer', checks: STEP_CHECKS,
  }),
  bug(CACHE, 'generate: every token fed to a fresh cache of the whole window', {
    base: K_HELPERS, edits: [['      logits = step(model, cache, next);\n    } else {', '      cache = emptyCache(nLayer);\n      for (const t of out.slice(-blockSize)) logits = step(model, cache, t);\n    } else {']],
    at: 'for (const t of out.slice(-blockSize)) logits', catalogued: 'recomputes-context', checks: GENERATE_CHECKS,
  }),
];

export const CORPUS: CorpusEntry[] = [...SAMPLING_CORPUS, ...BEAM_CORPUS, ...CACHE_CORPUS];
