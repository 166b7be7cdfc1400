/**
 * The evaluation lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for evaluation/metrics written
 * independently of the catalogue. Correct files in other styles than the reference (the kit's logSoftmax and
 * per-document weighted means; n-grams counted by comparing slices without a Map and a full LCS table; a
 * statistics object merged with reduce, Float32 accumulation and a memoised recursive LCS; rouge-score's
 * tokenizer), and one-bug variants: most of them mistakes no catalogue names (no max subtracted,
 * base-2 perplexity, the last document skipped, an n-gram loop one short, ties to the longer reference, every
 * order smoothed, maxN or epsilon ignored, P and R swapped, a wrong LCS recurrence, a log-softmax over the wrong
 * axis), the others catalogued mistakes written a new way (`catalogued`).
 *
 * Every check is quick (the whole exercise runs in about a second, the bundled model's five passages included),
 * but each entry runs only the checks its bug concerns (`checks`), plus the full run for the correct files.
 * Each bug's `line` is computed from its source: where a marker (by default the first non-empty line of the changed
 * text) occurs, exactly once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'evaluation/metrics';
const SOLUTION = readFileSync(path.join(LESSONS, '06g-evaluation', 'metrics.solution.ts'), 'utf8');

const PPL = ['tokenLogProbs: log-softmax', 'corpusPerplexity: exp(total NLL', 'perplexity of the bundled model'];
const BLEU = ["modifiedPrecision: NLTK's published", 'closestRefLength and brevityPenalty', "sentenceBleu: NLTK's published", "corpusBleu: NLTK's corpus example", "corpusBleu: sacreBLEU's published",
  'corpusBleu on random corpora'];
const ROUGE = ["rougeL: the ROUGE paper's example", 'rougeL against ROUGE-1.5.5', 'what the scores miss'];

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  checks?: string[];
  at?: string;
}

function correct(name: string, source: string, checks?: string[]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

function bug(name: string, base: string, edits: [string, string][], opts: BugOptions): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
    ...(opts.checks ? { checks: opts.checks } : {}),
  };
}

const HEAD = `import { type Tensor, logSoftmax } from '@llm-lab/kit';

export type Tokens = string | readonly string[];

export function tokens(x: Tokens): string[] {
  if (typeof x !== 'string') return [...x];
  const s = x.trim();
  return s === '' ? [] : s.split(/\\s+/);
}

export function ngramCounts(toks: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= toks.length; i++) {
    const key = toks.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface BleuOptions {
  maxN?: number;
  smoothing?: 'none' | 'epsilon';
  epsilon?: number;
}

export interface RougeScore {
  precision: number;
  recall: number;
  f: number;
}
`;

/** The kit's logSoftmax; per-document mean NLLs weighted by length; BLEU with explicit log-space sums; a full 2-D LCS table. */
const KIT = `${HEAD}
export function tokenLogProbs(logits: Tensor, targets: ArrayLike<number>): number[] {
  const V = logits.shape[1];
  const lsm = logSoftmax(logits, -1).data;
  return Array.from(targets, (target, t) => lsm[t * V + target]);
}

export function corpusPerplexity(docs: readonly ArrayLike<number>[]): number {
  let weighted = 0;
  let n = 0;
  for (const d of docs) {
    if (d.length === 0) continue;
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    const meanNll = -s / d.length;
    weighted += meanNll * d.length;
    n += d.length;
  }
  if (n === 0) throw new RangeError('no tokens');
  return Math.exp(weighted / n);
}

export function modifiedPrecision(hypothesis: Tokens, references: readonly Tokens[], n: number): { matches: number; total: number } {
  const counts = ngramCounts(tokens(hypothesis), n);
  const refCounts = references.map((r) => ngramCounts(tokens(r), n));
  let matches = 0;
  let total = 0;
  counts.forEach((count, gram) => {
    const limit = refCounts.reduce((m, rc) => Math.max(m, rc.get(gram) ?? 0), 0);
    matches += count < limit ? count : limit;
    total += count;
  });
  return { matches, total };
}

export function closestRefLength(references: readonly Tokens[], hypLen: number): number {
  const lens = references.map((r) => tokens(r).length).sort((a, b) => a - b);
  let best = lens[0];
  for (const len of lens) if (Math.abs(len - hypLen) < Math.abs(best - hypLen)) best = len;
  return best;
}

export function brevityPenalty(c: number, r: number): number {
  if (c === 0) return 0;
  return Math.min(1, Math.exp(1 - r / c));
}

export function corpusBleu(hypotheses: readonly Tokens[], referencesList: readonly (readonly Tokens[])[], opts: BleuOptions = {}): number {
  const maxN = opts.maxN ?? 4;
  if (hypotheses.length !== referencesList.length) throw new RangeError('lengths differ');
  const num: number[] = [];
  const den: number[] = [];
  for (let k = 0; k < maxN; k++) { num.push(0); den.push(0); }
  let c = 0;
  let r = 0;
  for (let i = 0; i < hypotheses.length; i++) {
    const hyp = tokens(hypotheses[i]);
    for (let k = 0; k < maxN; k++) {
      const p = modifiedPrecision(hyp, referencesList[i], k + 1);
      num[k] += p.matches;
      den[k] += p.total;
    }
    c += hyp.length;
    r += closestRefLength(referencesList[i], hyp.length);
  }
  if (num[0] === 0) return 0;
  const logs: number[] = [];
  for (let k = 0; k < maxN; k++) {
    if (num[k] > 0) logs.push(Math.log(num[k]) - Math.log(den[k]));
    else if (opts.smoothing === 'epsilon') logs.push(Math.log(opts.epsilon ?? 0.1) - Math.log(Math.max(den[k], 1)));
    else return 0;
  }
  const mean = logs.reduce((a, b) => a + b, 0) / maxN;
  return brevityPenalty(c, r) * Math.exp(mean);
}

export function sentenceBleu(hypothesis: Tokens, references: readonly Tokens[], opts: BleuOptions = {}): number {
  return corpusBleu([hypothesis], [references], opts);
}

export function lcsLength(a: Tokens, b: Tokens): number {
  const x = tokens(a);
  const y = tokens(b);
  const L: number[][] = [];
  for (let i = 0; i <= x.length; i++) L.push(new Array(y.length + 1).fill(0));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      if (x[i - 1] === y[j - 1]) L[i][j] = L[i - 1][j - 1] + 1;
      else L[i][j] = Math.max(L[i - 1][j], L[i][j - 1]);
    }
  }
  return L[x.length][y.length];
}

export function rougeL(candidate: Tokens, reference: Tokens, opts: { beta?: number } = {}): RougeScore {
  const b2 = (opts.beta ?? 1) ** 2;
  const cand = tokens(candidate);
  const ref = tokens(reference);
  const lcs = lcsLength(cand, ref);
  if (lcs === 0) return { precision: 0, recall: 0, f: 0 };
  const precision = lcs / cand.length;
  const recall = lcs / ref.length;
  return { precision, recall, f: ((1 + b2) * precision * recall) / (recall + b2 * precision) };
}
`;

/** n-grams compared as slices (no Map), log-sum-exp with Math.max(...row), a statistics object merged with reduce, a memoised recursive LCS. */
const SLICES = `${HEAD}
export function tokenLogProbs(logits: Tensor, targets: ArrayLike<number>): number[] {
  const [T, V] = logits.shape;
  const out = new Array<number>(T);
  for (let t = 0; t < T; t++) {
    const row = Array.from(logits.data.subarray(t * V, (t + 1) * V));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    out[t] = row[targets[t]] - lse;
  }
  return out;
}

export function corpusPerplexity(docs: readonly ArrayLike<number>[]): number {
  const all = docs.flatMap((d) => Array.from(d));
  if (all.length === 0) throw new RangeError('corpusPerplexity: empty corpus');
  return Math.exp(-all.reduce((a, b) => a + b, 0) / all.length);
}

function grams(toks: readonly string[], n: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i <= toks.length - n; i++) out.push(toks.slice(i, i + n));
  return out;
}

function countIn(list: string[][], g: string[]): number {
  return list.filter((x) => x.every((w, i) => w === g[i])).length;
}

export function modifiedPrecision(hypothesis: Tokens, references: readonly Tokens[], n: number): { matches: number; total: number } {
  const hyp = grams(tokens(hypothesis), n);
  const refs = references.map((r) => grams(tokens(r), n));
  const seen: string[][] = [];
  let matches = 0;
  for (const g of hyp) {
    if (countIn(seen, g) > 0) continue;
    seen.push(g);
    const mine = countIn(hyp, g);
    const most = Math.max(0, ...refs.map((r) => countIn(r, g)));
    matches += Math.min(mine, most);
  }
  return { matches, total: hyp.length };
}

export function closestRefLength(references: readonly Tokens[], hypLen: number): number {
  return references.map((r) => tokens(r).length).reduce((best, len) => {
    const d = Math.abs(len - hypLen) - Math.abs(best - hypLen);
    return d < 0 || (d === 0 && len < best) ? len : best;
  });
}

export function brevityPenalty(c: number, r: number): number {
  if (c <= 0) return 0;
  if (c < r) return Math.exp(1 - r / c);
  return 1;
}

interface Stats { m: number[]; t: number[]; c: number; r: number }

export function corpusBleu(hypotheses: readonly Tokens[], referencesList: readonly (readonly Tokens[])[], opts: BleuOptions = {}): number {
  const N = opts.maxN ?? 4;
  const eps = opts.epsilon ?? 0.1;
  if (referencesList.length !== hypotheses.length) throw new RangeError('corpusBleu: lists of different lengths');
  const stats = hypotheses.map((h, i): Stats => {
    const ps = Array.from({ length: N }, (_, k) => modifiedPrecision(h, referencesList[i], k + 1));
    const c = tokens(h).length;
    return { m: ps.map((p) => p.matches), t: ps.map((p) => p.total), c, r: closestRefLength(referencesList[i], c) };
  });
  const sum = stats.reduce((a, s) => ({ m: a.m.map((x, k) => x + s.m[k]), t: a.t.map((x, k) => x + s.t[k]), c: a.c + s.c, r: a.r + s.r }),
    { m: new Array<number>(N).fill(0), t: new Array<number>(N).fill(0), c: 0, r: 0 });
  if (sum.m[0] === 0) return 0;
  const precisions = sum.m.map((m, k) => (m === 0 && opts.smoothing === 'epsilon' ? eps / Math.max(sum.t[k], 1) : sum.t[k] ? m / sum.t[k] : 0));
  if (precisions.some((p) => p === 0)) return 0;
  const geo = precisions.reduce((acc, p) => acc * Math.pow(p, 1 / N), 1);
  return brevityPenalty(sum.c, sum.r) * geo;
}

export function sentenceBleu(hypothesis: Tokens, references: readonly Tokens[], opts: BleuOptions = {}): number {
  return corpusBleu([hypothesis], [references], opts);
}

export function lcsLength(a: Tokens, b: Tokens): number {
  const x = tokens(a);
  const y = tokens(b);
  const memo = new Map<number, number>();
  const go = (i: number, j: number): number => {
    if (i === x.length || j === y.length) return 0;
    const key = i * (y.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const v = x[i] === y[j] ? 1 + go(i + 1, j + 1) : Math.max(go(i + 1, j), go(i, j + 1));
    memo.set(key, v);
    return v;
  };
  return go(0, 0);
}

export function rougeL(candidate: Tokens, reference: Tokens, opts: { beta?: number } = {}): RougeScore {
  const beta = opts.beta ?? 1;
  const n = tokens(candidate).length;
  const m = tokens(reference).length;
  const l = lcsLength(candidate, reference);
  const precision = n ? l / n : 0;
  const recall = m ? l / m : 0;
  if (precision === 0 || recall === 0) return { precision, recall, f: 0 };
  const f = 1 / (1 / (1 + beta * beta) / precision + (beta * beta) / (1 + beta * beta) / recall);
  return { precision, recall, f };
}
`;

/** Float32 accumulation in tokenLogProbs, a one-pass perplexity with a reduce over documents, rouge-score's tokenizer. */
const NLTKISH = withEdits(withEdits(SOLUTION, [
  [`  const c = tokens(candidate);
  const r = tokens(reference);`, `  const rs = (x: Tokens) => (typeof x === 'string' ? x.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(' ').filter((w) => w !== '') : [...x]);
  const c = rs(candidate);
  const r = rs(reference);`],
], 'nltk-ish'), [
  [`  let nll = 0;
  let n = 0;
  for (const d of docs) {
    for (let i = 0; i < d.length; i++) nll -= d[i];
    n += d.length;
  }`, `  const { nll, n } = docs.reduce((acc, d) => {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return { nll: acc.nll - s, n: acc.n + d.length };
  }, { nll: 0, n: 0 });`],
  [`    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(x[t * V + v] - m);`, `    const e = new Float32Array(V);
    for (let v = 0; v < V; v++) e[v] = Math.exp(x[t * V + v] - m);
    let s = 0;
    for (const y of e) s += y;`],
], 'nltk-ish 2');

/** Sentences of strings joined and re-split; BLEU's sums in typed arrays; ROUGE's F as the weighted harmonic mean. */
const TYPED = withEdits(SOLUTION, [
  [`  const matches = new Array<number>(maxN).fill(0);
  const totals = new Array<number>(maxN).fill(0);`, `  const matches = new Float64Array(maxN);
  const totals = new Float64Array(maxN);`],
  ['  const f = ((1 + beta * beta) * precision * recall) / (recall + beta * beta * precision);',
    '  const w = beta * beta;\n  const f = (1 + w) / (1 / precision + w / recall);'],
  ['  return c >= r ? 1 : Math.exp(1 - r / c);', '  return Math.exp(Math.min(0, 1 - r / c));'],
], 'typed');

const PERP = ['corpusPerplexity: exp(total NLL', 'perplexity of the bundled model'];

export const CORPUS: CorpusEntry[] = [
  correct("the kit's logSoftmax, length-weighted mean NLLs, log-space BLEU, a full LCS table", KIT),
  correct('n-grams compared as slices, a statistics object merged with reduce, a memoised recursive LCS', SLICES),
  correct("rouge-score's tokenizer, Float32 sums in tokenLogProbs, perplexity by reduce", NLTKISH),
  correct('typed-array sums, BP as exp(min(0, 1 − r/c)), F as a weighted harmonic mean', TYPED, [...BLEU, ...ROUGE]),

  // Uncatalogued.
  bug('log-softmax without subtracting the maximum (exp(1000) overflows)', SOLUTION,
    [['    for (let v = 0; v < V; v++) s += Math.exp(x[t * V + v] - m);\n    out.push(x[t * V + targets[t]] - m - Math.log(s));',
      '    for (let v = 0; v < V; v++) s += Math.exp(x[t * V + v]);\n    out.push(x[t * V + targets[t]] - Math.log(s));']], { checks: PPL }),
  bug('log-softmax over the wrong axis (dim 0)', KIT, [['  const lsm = logSoftmax(logits, -1).data;', '  const lsm = logSoftmax(logits, 0).data;']], { kitOps: true, checks: PPL }),
  bug('perplexity in base 2 of a natural-log NLL', SOLUTION, [['  return Math.exp(nll / n);', '  return 2 ** (nll / n);']], { checks: PERP }),
  bug('the last document skipped', SLICES, [['  const all = docs.flatMap((d) => Array.from(d));', '  const all = docs.slice(0, -1).flatMap((d) => Array.from(d));']], { checks: PERP }),
  bug('n-gram loop one short (the last n-gram never counted)', SLICES, [['  for (let i = 0; i <= toks.length - n; i++) out.push(toks.slice(i, i + n));', '  for (let i = 0; i < toks.length - n; i++) out.push(toks.slice(i, i + n));']], { checks: BLEU }),
  bug('a tie goes to the longer reference', SOLUTION, [['    if (d < b || (d === b && len < best)) best = len;', '    if (d < b || (d === b && len > best)) best = len;']], { checks: BLEU }),
  bug('every order smoothed, not only those with 0 matches', KIT,
    [['    if (num[k] > 0) logs.push(Math.log(num[k]) - Math.log(den[k]));\n    else if (opts.smoothing === \'epsilon\')',
      '    if (num[k] > 0 && opts.smoothing !== \'epsilon\') logs.push(Math.log(num[k]) - Math.log(den[k]));\n    else if (opts.smoothing === \'epsilon\')']], {
      checks: BLEU, at: "if (num[k] > 0 && opts.smoothing !== 'epsilon') logs.push(Math.log(num[k]) - Math.log(den[k]));",
    }),
  bug('maxN ignored (always 4)', SOLUTION, [['  const { maxN = 4, smoothing = \'none\', epsilon = 0.1 } = opts;', '  const { smoothing = \'none\', epsilon = 0.1 } = opts;\n  const maxN = 4;']], { checks: BLEU, at: 'const maxN = 4;' }),
  bug('epsilon ignored (always 0.1)', SLICES, [['  const eps = opts.epsilon ?? 0.1;', '  const eps = 0.1;']], { checks: BLEU }),
  bug('precision and recall swapped', SOLUTION, [['  const precision = lcs / c.length;\n  const recall = lcs / r.length;', '  const precision = lcs / r.length;\n  const recall = lcs / c.length;']], { checks: ROUGE }),
  bug('LCS recurrence takes the cell above, not the diagonal, on a match', KIT, [['      if (x[i - 1] === y[j - 1]) L[i][j] = L[i - 1][j - 1] + 1;', '      if (x[i - 1] === y[j - 1]) L[i][j] = L[i - 1][j] + 1;']], { checks: ROUGE }),

  // Catalogued mistakes, written a new way.
  bug('clipping only checks that the n-gram is in some reference', SLICES, [['    matches += Math.min(mine, most);', '    matches += most > 0 ? mine : 0;']], { catalogued: 'unclipped', checks: BLEU }),
  bug('corpus BLEU as the mean of sentenceBleu over the corpus', KIT,
    [['  if (hypotheses.length !== referencesList.length) throw new RangeError(\'lengths differ\');',
      '  if (hypotheses.length !== referencesList.length) throw new RangeError(\'lengths differ\');\n  if (hypotheses.length > 1) { let s = 0; for (let i = 0; i < hypotheses.length; i++) s += corpusBleu([hypotheses[i]], [referencesList[i]], opts); return s / hypotheses.length; }']], {
      catalogued: 'sentence-average', checks: BLEU, at: 'if (hypotheses.length > 1) { let s = 0;',
    }),
  bug('r as the first of the sorted reference lengths', KIT, [['  for (const len of lens) if (Math.abs(len - hypLen) < Math.abs(best - hypLen)) best = len;', '']], { catalogued: 'shortest-ref', checks: BLEU, at: 'let best = lens[0];' }),
  bug('brevity penalty as exp(1 − c/r)', SLICES, [['  if (c < r) return Math.exp(1 - r / c);', '  if (c < r) return Math.exp(1 - c / r);']], { catalogued: 'bp-inverted', checks: BLEU }),
  bug('precisions averaged with their mean, not their geometric mean', SLICES, [['  const geo = precisions.reduce((acc, p) => acc * Math.pow(p, 1 / N), 1);', '  const geo = precisions.reduce((acc, p) => acc + p / N, 0);']], { catalogued: 'arithmetic-mean', checks: BLEU }),
  bug('perplexity as the mean of per-document exp(mean NLL)', KIT, [['    weighted += meanNll * d.length;', '    weighted += Math.exp(meanNll);'], ['    n += d.length;', '    n += 1;'],
    ['  return Math.exp(weighted / n);', '  return weighted / n;']], { catalogued: 'ppl-doc-mean', checks: PERP }),
  bug('ROUGE-L over the characters of the strings', KIT, [['  const cand = tokens(candidate);\n  const ref = tokens(reference);', '  const cand = Array.from(candidate);\n  const ref = Array.from(reference);']], {
    catalogued: 'lcs-chars', checks: ROUGE,
  }),
];
