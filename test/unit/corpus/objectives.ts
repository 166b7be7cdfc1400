/**
 * The objectives lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for objectives/corrupt written
 * independently of the catalogue. Correct files in other styles than the reference (a functional style with map and
 * flatMap, number[] outputs, the branch written from the top threshold down, the other documents listed explicitly,
 * spans found first and then written out, reduce...), and one-bug variants: most of them mistakes no catalogue names
 * (prob ignored, the prob boundary, random ids off by one, the last sentence never drawn, NotNext labelled 0, noise
 * kept in the inputs, a missing throw, ids corrupted in place...), the others catalogued mistakes written a new way
 * (`catalogued`).
 *
 * The model check (about a second: it loads the bundled model) runs for two entries only, one correct file and one
 * bug; the others run the quick checks (`checks`). Each bug's `line` is computed from its source: where a marker (by
 * default the first non-empty line of the changed text) occurs, exactly once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'objectives/corrupt';
const SOLUTION = readFileSync(path.join(LESSONS, '06f-objectives', 'objectives.solution.ts'), 'utf8');

const QUICK = ['maskTokens: a hand-worked sequence', 'maskTokens: exact positions', 'nspPairs: exact pairs', "spanCorrupt: the T5 paper's example", 'spanCorrupt: random masks',
  "randomSpansMask: T5's sampler"];
const MASK = ['maskTokens: a hand-worked sequence', 'maskTokens: exact positions'];
const NSP = ['nspPairs: exact pairs'];
const SPAN = ["spanCorrupt: the T5 paper's example", 'spanCorrupt: random masks'];
const SAMPLER = ["randomSpansMask: T5's sampler"];

interface BugOptions {
  catalogued?: string;
  checks?: string[];
  at?: string;
}

function correct(name: string, source: string, checks: string[] | null = QUICK): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

function bug(name: string, edits: [string, string][], opts: BugOptions = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.checks === undefined ? { checks: QUICK } : opts.checks.length ? { checks: opts.checks } : {}),
  };
}

/** A whole file in a functional style. */
const FUNCTIONAL = `import type { Rng } from '@llm-lab/kit';

export const IGNORE_INDEX = -100;

export interface MaskOptions { maskId: number; vocabSize: number; special?: readonly number[]; prob?: number }
export interface Masked { input: Int32Array; labels: Int32Array }
export interface NspPair<S> { a: S; b: S; label: 0 | 1 }
export interface Corrupted<T> { inputs: T[]; targets: T[] }

type Step = { input: number; label: number };

function corruptOne(id: number, rng: Rng, { maskId, vocabSize, special = [], prob = 0.15 }: MaskOptions): Step {
  if (special.includes(id)) return { input: id, label: IGNORE_INDEX };
  if (!(rng.random() < prob)) return { input: id, label: IGNORE_INDEX };
  const v = rng.random();
  if (v < 0.8) return { input: maskId, label: id };
  if (v < 0.9) return { input: rng.randint(0, vocabSize), label: id };
  return { input: id, label: id };
}

export function maskTokens(ids: ArrayLike<number>, rng: Rng, opts: MaskOptions): Masked {
  const steps = Array.from(ids, (id) => corruptOne(id, rng, opts)); // Array.from maps in index order
  return { input: Int32Array.from(steps, (s) => s.input), labels: Int32Array.from(steps, (s) => s.label) };
}

export function nspPairs<S>(docs: readonly (readonly S[])[], rng: Rng): NspPair<S>[] {
  if (docs.length < 2) throw new RangeError('two documents at least');
  return docs.flatMap((doc, d) => doc.slice(0, -1).map((a, i): NspPair<S> => {
    if (rng.random() < 0.5) return { a, b: doc[i + 1], label: 0 };
    const others = docs.filter((_, j) => j !== d);
    const other = others[rng.randint(0, others.length)];
    return { a, b: other[rng.randint(0, other.length)], label: 1 };
  }));
}

export function spanCorrupt<T>(tokens: readonly T[], noiseMask: readonly boolean[], sentinel: (k: number) => T): Corrupted<T> {
  if (tokens.length !== noiseMask.length) throw new Error('length mismatch');
  // The spans first: [start, end) of every run of noise.
  const spans: [number, number][] = [];
  noiseMask.forEach((noise, i) => {
    if (!noise) return;
    const last = spans[spans.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else spans.push([i, i + 1]);
  });
  const inputs: T[] = [];
  let from = 0;
  spans.forEach(([s, e], k) => {
    inputs.push(...tokens.slice(from, s), sentinel(k));
    from = e;
  });
  inputs.push(...tokens.slice(from));
  const targets = spans.flatMap(([s, e], k) => [sentinel(k), ...tokens.slice(s, e)]);
  targets.push(sentinel(spans.length));
  return { inputs, targets };
}

export interface SpanOptions { density?: number; meanSpanLength?: number }

/** NumPy's np.round: halves to the even neighbour. */
const roundEven = (x: number): number => (Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

/** Lengths of k segments of n items: the gaps after which a segment ends, chosen by one shuffle. */
function segments(n: number, k: number, rng: Rng): number[] {
  const ends = [...Array(n - 1).keys()].map((j) => j < k - 1);
  rng.shuffle(ends);
  const cuts = [0, ...ends.flatMap((e, j) => (e ? [j + 1] : [])), n];
  return cuts.slice(1).map((c, i) => c - cuts[i]);
}

export function randomSpansMask(length: number, rng: Rng, { density = 0.15, meanSpanLength = 3 }: SpanOptions = {}): boolean[] {
  if (!Number.isInteger(length) || length < 2) throw new RangeError('length >= 2');
  const noise = Math.min(length - 1, Math.max(1, roundEven(length * density)));
  const kept = length - noise;
  const n = Math.max(1, roundEven(Math.min(noise, kept) / meanSpanLength));
  const [noiseLens, keptLens] = [segments(noise, n, rng), segments(kept, n, rng)];
  return keptLens.flatMap((k, s) => [...Array<boolean>(k).fill(false), ...Array<boolean>(noiseLens[s]).fill(true)]);
}
`;

/** The reference with number[] outputs, the branch from the top threshold down, and a while loop over spans. */
const ARRAYS = withEdits(SOLUTION, [
  ['const input = Int32Array.from(ids); //', 'const input: number[] = Array.from(ids); //'],
  ['const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);', 'const labels: number[] = new Array(ids.length).fill(IGNORE_INDEX);'],
  [`if (v < 0.8) input[i] = opts.maskId; //                      80 %: [MASK]
    else if (v < 0.9) input[i] = rng.randint(0, opts.vocabSize); // 10 %: a random token (draw 3)`,
  `if (v >= 0.9) continue; //                                   10 %: unchanged
    input[i] = v >= 0.8 ? rng.randint(0, opts.vocabSize) : opts.maskId;`],
  ['return { input, labels };', 'return { input, labels } as unknown as Masked;'],
  [`  for (let i = 0; i < tokens.length; i++) {
    if (!noiseMask[i]) {
      inputs.push(tokens[i]);
      continue;
    }
    if (i === 0 || !noiseMask[i - 1]) { //                       a span starts: one sentinel for the whole span
      inputs.push(sentinel(k));
      targets.push(sentinel(k));
      k++;
    }
    targets.push(tokens[i]);
  }`, `  let i = 0;
  while (i < tokens.length) {
    if (!noiseMask[i]) { inputs.push(tokens[i++]); continue; }
    inputs.push(sentinel(k));
    targets.push(sentinel(k++));
    while (i < tokens.length && noiseMask[i]) targets.push(tokens[i++]);
  }`],
], 'arrays');

/** The reference with a special-id lookup table, the other documents listed, and reduce for the inputs. */
const TABLES = withEdits(SOLUTION, [
  ['const special = new Set(opts.special ?? []);', 'const isSpecial: Record<number, true> = {};\n  for (const s of opts.special ?? []) isSpecial[s] = true;'],
  ['if (special.has(ids[i])) continue;', 'if (isSpecial[ids[i]]) continue;'],
  [`let j = rng.randint(0, docs.length - 1); //              another document, uniformly: skip d
        if (j >= d) j++;
        pairs.push({ a: doc[i], b: docs[j][rng.randint(0, docs[j].length)], label: 1 });`,
  `const others = docs.map((_, x) => x).filter((x) => x !== d);
        const other = docs[others[rng.randint(0, others.length)]];
        const k = rng.randint(0, other.length);
        pairs.push({ a: doc[i], b: other[k], label: 1 });`],
], 'tables');

/** Float comparison written as u < prob inverted with !(...), and NSP with an explicit sentence index loop per document. */
const LOOPS = withEdits(SOLUTION, [
  ['if (rng.random() >= prob) continue;', 'const u = rng.random();\n    if (!(u < prob)) continue;'],
  [`  docs.forEach((doc, d) => {
    for (let i = 0; i + 1 < doc.length; i++) {`, `  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d];
    for (let i = 0; i < doc.length - 1; i++) {`],
  [`    }
  });
  return pairs;`, `    }
  }
  return pairs;`],
  ['targets.push(sentinel(k)); //', 'targets.splice(targets.length, 0, sentinel(k)); //'],
], 'loops');

export const CORPUS: CorpusEntry[] = [
  correct('functional style: map, flatMap, spans found first', FUNCTIONAL, null),
  correct('number[] outputs, the branch from the top threshold down, a while loop over spans', ARRAYS),
  correct('special ids in a lookup table, the other documents listed explicitly', TABLES),
  correct('!(u < prob), NSP with index loops, splice for the final sentinel', LOOPS),
  correct('the reference with labels built after the input, nothing else changed', withEdits(SOLUTION, [
    ['    labels[i] = ids[i]; //                                       the model must predict the ORIGINAL token\n', ''],
    ['    //                                                           10 %: unchanged\n', '    labels[i] = ids[i];\n'],
  ], 'labels after')),

  // Uncatalogued bugs.
  bug('prob ignored: 0.15 always', [['const prob = opts.prob ?? 0.15;', 'const prob = 0.15;']], { checks: MASK }),
  bug('the prob boundary: selected when u <= prob', [['if (rng.random() >= prob) continue;', 'if (rng.random() > prob) continue;']], { checks: MASK }),
  bug('random ids drawn from 0 .. vocabSize - 2', [['rng.randint(0, opts.vocabSize); //', 'rng.randint(0, opts.vocabSize - 1); //']], { checks: MASK }),
  bug('ids corrupted in place (no copy)', [['const input = Int32Array.from(ids); //', 'const input = ids as Int32Array; //']], { checks: MASK }),
  bug('the last sentence of a document is never drawn', [['b: docs[j][rng.randint(0, docs[j].length)], label: 1 }', 'b: docs[j][rng.randint(0, docs[j].length - 1)], label: 1 }']], { checks: NSP }),
  bug('NotNext pairs labelled 0', [['b: docs[j][rng.randint(0, docs[j].length)], label: 1 }', 'b: docs[j][rng.randint(0, docs[j].length)], label: 0 }']], { checks: NSP }),
  bug('noise tokens kept in the inputs too', [['    targets.push(tokens[i]);\n  }', '    inputs.push(tokens[i]); // the noise token as well\n    targets.push(tokens[i]);\n  }']], { checks: SPAN }),
  bug('no throw when the mask is shorter', [['if (noiseMask.length !== tokens.length) throw', 'if (noiseMask.length > tokens.length) throw']], { checks: SPAN }),
  bug('the model check too: the random branch never taken', [['else if (v < 0.9) input[i]', 'else if (v < 0.8) input[i]']], { checks: [] }),

  bug('the kept tokens segmented before the noise tokens', [['  const noiseLengths = segmentLengths(noise, spans, rng); //    first shuffle: the noise spans\n  const keptLengths = segmentLengths(kept, spans, rng); //      second shuffle: the kept spans',
    '  const keptLengths = segmentLengths(kept, spans, rng);\n  const noiseLengths = segmentLengths(noise, spans, rng);']], { checks: SAMPLER }),
  bug('noise spans first: the mask starts with noise', [['    for (let i = 0; i < keptLengths[s]; i++) mask.push(false);\n    for (let i = 0; i < noiseLengths[s]; i++) mask.push(true);',
    '    for (let i = 0; i < noiseLengths[s]; i++) mask.push(true);\n    for (let i = 0; i < keptLengths[s]; i++) mask.push(false);']], { checks: SAMPLER }),
  bug('no lower clamp: a short text gets no noise', [['const noise = Math.min(Math.max(Math.round(length * density), 1), length - 1);', 'const noise = Math.min(Math.round(length * density), length - 1);']], { checks: SAMPLER }),

  // Catalogued mistakes, written a new way.
  bug('noise drawn token by token, forced to start kept', [['  const mask: boolean[] = [];\n  for (let s = 0; s < spans; s++) {', '  const mask: boolean[] = Array.from({ length }, (_, i) => i > 0 && rng.random() < density);\n  for (let s = 0; s < 0; s++) {']],
    { catalogued: 'noise-per-token', checks: SAMPLER }),
  bug('special ids looked up by position, not by id', [['if (special.has(ids[i])) continue;', 'if (special.has(i)) continue;']], { catalogued: 'special-masked', checks: MASK }),
  bug('the label written before the selection', [['    if (rng.random() >= prob) continue;', '    labels[i] = ids[i];\n    if (rng.random() >= prob) continue;']], { catalogued: 'labels-everywhere', checks: MASK, at: 'labels[i] = ids[i];\n    if' }),
  bug('sentinels numbered by their place in the inputs', [['      inputs.push(sentinel(k));\n      targets.push(sentinel(k));', '      targets.push(sentinel(inputs.length));\n      inputs.push(sentinel(inputs.length));']], { catalogued: 'sentinels-out-of-order', checks: SPAN }),
  bug('the final sentinel only when there was no span', [['targets.push(sentinel(k)); //', 'if (k === 0) targets.push(sentinel(k)); //']], { catalogued: 'no-final-sentinel', checks: SPAN }),
  bug('NSP labels from a boolean, the wrong way round', [
    ['if (rng.random() < 0.5) {\n        pairs.push({ a: doc[i], b: doc[i + 1], label: 0 });', 'const isNext = rng.random() < 0.5;\n      if (isNext) {\n        pairs.push({ a: doc[i], b: doc[i + 1], label: Number(isNext) as 0 | 1 });'],
    ['rng.randint(0, docs[j].length)], label: 1 }', 'rng.randint(0, docs[j].length)], label: Number(isNext) as 0 | 1 }'],
  ], { catalogued: 'nsp-label-flipped', checks: NSP, at: 'b: doc[i + 1], label: Number(isNext)' }),
];
