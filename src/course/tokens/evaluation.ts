/**
 * The evaluation lesson's course code (lessons/06g-evaluation, evaluation/metrics): float64 references of corpus
 * perplexity, BLEU and ROUGE-L, each able to compute a catalogued WRONG variant too (so a check can tell which
 * mistake a learner's number follows), the published example values the checks compare against, and the bundled
 * model's per-document log-probabilities on held-out Moby-Dick passages.
 *
 * Published values (each with its source, quoted in the checks' messages):
 *   - NLTK's nltk/translate/bleu_score.py docstrings (NLTK 3.x, Apache-2.0): sentence_bleu 0.5045..., 0.0 and with
 *     SmoothingFunction().method1 0.0370...; BLEU-2/3/5 0.7453..., 0.6240..., 0.3920...; corpus_bleu 0.5920... and the
 *     average of sentence BLEUs 0.6223...; modified_precision 0.2857..., 0.9444..., 0.5714..., 0.5882352941176471,
 *     0.07692...; brevity_penalty 0.2635971381157267, 0.9200..., 0.8668..., 1.0 (ties: the shorter reference).
 *   - google-research rouge-score's rouge/rouge_scorer_test.py (Apache-2.0): rougeL of "testing one two" vs
 *     "testing one" P 1, R 2/3, F 4/5; and its testRougeLAgainstRouge155 ground truth from the official ROUGE-1.5.5
 *     on rouge/testdata/target.txt and prediction.txt (two lines each, reproduced below): R 0.40741, P 0.68750,
 *     F 0.51163 and R 0.40476, P 0.65385, F 0.50000, with rouge-score's tokenizer (lowercase, [^a-z0-9]+ -> space).
 *   - sacreBLEU's test/test_bleu.py (Apache-2.0): 49.1919566 for its README example with tokenize='none',
 *     0.223606797749979 and 0.1555722182 with 'floor' smoothing 0.01 and 0.1, n-gram statistics [4, 2, 1, 0] / [6, 5, 4, 3].
 *   - Lin (2004), "ROUGE: A Package for Automatic Evaluation of Summaries", section 3.1: with S1 "police killed the
 *     gunman" as reference, S2 "police kill the gunman" has ROUGE-L 3/4 and S3 "the gunman kill police" 2/4.
 */
import { MOBY_VAL } from '@llm-lab/course/lora';
import { shippedModel } from '@llm-lab/model';

export type EvalTokens = string | readonly string[];

/** The lesson's tokenisation: a string is split on runs of whitespace (no lowercasing); an array is used as is. */
export function evalTokens(x: EvalTokens): string[] {
  if (typeof x !== 'string') return [...x];
  const s = x.trim();
  return s === '' ? [] : s.split(/\s+/);
}

/** rouge-score's default tokenizer (no stemming): lowercase, every run of non-[a-z0-9] becomes a space, split. */
export function evalRougeScoreTokenize(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(/\s+/).filter((x) => /^[a-z0-9]+$/.test(x));
}

// ---------------------------------------------------------------------------------------------------------------
// Perplexity

/** log softmax(logits[t])[targets[t]] for logits (T, V) stored row-major, in float64 with the max subtracted. */
export function evalTokenLogProbs(logits: ArrayLike<number>, T: number, V: number, targets: ArrayLike<number>): Float64Array {
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[t * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[t * V + v] - m);
    out[t] = logits[t * V + targets[t]] - m - Math.log(s);
  }
  return out;
}

export type PerplexityVariant = 'correct' | 'ppl-doc-mean' | 'ppl-mean-of-means';

/**
 * exp(− Σ_d Σ_t lp[d][t] / Σ_d T_d): the right one. 'ppl-doc-mean' is the mean of the documents' perplexities,
 * 'ppl-mean-of-means' the exp of the mean of the documents' mean NLLs (both skip empty documents).
 */
export function evalCorpusPerplexity(docs: readonly ArrayLike<number>[], variant: PerplexityVariant = 'correct'): number {
  let nll = 0;
  let n = 0;
  const perDoc: { nll: number; n: number }[] = [];
  for (const d of docs) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s -= d[i];
    nll += s;
    n += d.length;
    if (d.length > 0) perDoc.push({ nll: s, n: d.length });
  }
  if (variant === 'ppl-doc-mean') return perDoc.reduce((a, d) => a + Math.exp(d.nll / d.n), 0) / perDoc.length;
  if (variant === 'ppl-mean-of-means') return Math.exp(perDoc.reduce((a, d) => a + d.nll / d.n, 0) / perDoc.length);
  return Math.exp(nll / n);
}

// ---------------------------------------------------------------------------------------------------------------
// BLEU

export type BleuVariant = 'correct' | 'unclipped' | 'bp-inverted' | 'shortest-ref' | 'arithmetic-mean' | 'sentence-average' | 'clip-sum-refs' | 'nltk-floor';

export interface EvalBleuOptions {
  maxN?: number;
  smoothing?: 'none' | 'epsilon';
  epsilon?: number;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Clipped n-gram matches and the number of n-grams of the hypothesis (NOT floored at 1, except in NLTK's variant). */
export function evalModifiedPrecision(hypothesis: EvalTokens, references: readonly EvalTokens[], n: number,
  variant: BleuVariant = 'correct'): { matches: number; total: number } {
  const hyp = ngramCounts(evalTokens(hypothesis), n);
  const refs = references.map((r) => ngramCounts(evalTokens(r), n));
  let matches = 0;
  let total = 0;
  for (const [g, c] of hyp) {
    total += c;
    const limits = refs.map((r) => r.get(g) ?? 0);
    const limit = variant === 'clip-sum-refs' ? limits.reduce((a, b) => a + b, 0) : Math.max(0, ...limits);
    matches += variant === 'unclipped' ? (limit > 0 ? c : 0) : Math.min(c, limit);
  }
  // NLTK's modified_precision: denominator = max(1, number of n-grams), per sentence.
  return { matches, total: variant === 'nltk-floor' ? Math.max(1, total) : total };
}

/** The reference length closest to hypLen; on a tie the shorter (NLTK, following mteval-v13a.pl). */
export function evalClosestRefLength(refLens: readonly number[], hypLen: number, variant: BleuVariant = 'correct'): number {
  if (variant === 'shortest-ref') return Math.min(...refLens);
  let best = refLens[0];
  for (const r of refLens) {
    const d = Math.abs(r - hypLen);
    const b = Math.abs(best - hypLen);
    if (d < b || (d === b && r < best)) best = r;
  }
  return best;
}

/** exp(1 − r/c) when c < r, 1 when c ≥ r, 0 when c = 0. 'bp-inverted' is exp(1 − c/r) when c < r. */
export function evalBrevityPenalty(c: number, r: number, variant: BleuVariant = 'correct'): number {
  if (c === 0) return 0;
  if (c >= r) return 1;
  return variant === 'bp-inverted' ? Math.exp(1 - c / r) : Math.exp(1 - r / c);
}

export interface BleuStats {
  matches: number[];
  totals: number[];
  c: number;
  r: number;
}

export function evalBleuStats(hypotheses: readonly EvalTokens[], referencesList: readonly (readonly EvalTokens[])[], maxN = 4,
  variant: BleuVariant = 'correct'): BleuStats {
  const matches = new Array<number>(maxN).fill(0);
  const totals = new Array<number>(maxN).fill(0);
  let c = 0;
  let r = 0;
  hypotheses.forEach((h, i) => {
    const refs = referencesList[i];
    for (let n = 1; n <= maxN; n++) {
      const p = evalModifiedPrecision(h, refs, n, variant);
      matches[n - 1] += p.matches;
      totals[n - 1] += p.total;
    }
    const hl = evalTokens(h).length;
    c += hl;
    r += evalClosestRefLength(refs.map((x) => evalTokens(x).length), hl, variant);
  });
  return { matches, totals, c, r };
}

/** BLEU from summed statistics: BP · exp(Σ (1/N) log p_n), with the lesson's smoothing rules. */
export function evalBleuFromStats(s: BleuStats, opts: EvalBleuOptions = {}, variant: BleuVariant = 'correct'): number {
  const maxN = opts.maxN ?? 4;
  const eps = opts.epsilon ?? 0.1;
  if (s.matches[0] === 0) return 0;
  const ps: number[] = [];
  for (let n = 0; n < maxN; n++) {
    let p = s.totals[n] > 0 ? s.matches[n] / s.totals[n] : 0;
    if (s.matches[n] === 0 && opts.smoothing === 'epsilon') p = eps / Math.max(s.totals[n], 1);
    ps.push(p);
  }
  const bp = evalBrevityPenalty(s.c, s.r, variant);
  if (variant === 'arithmetic-mean') return bp * ps.reduce((a, b) => a + b, 0) / maxN;
  if (ps.some((p) => p === 0)) return 0;
  return bp * Math.exp(ps.reduce((a, p) => a + Math.log(p), 0) / maxN);
}

export function evalCorpusBleu(hypotheses: readonly EvalTokens[], referencesList: readonly (readonly EvalTokens[])[], opts: EvalBleuOptions = {},
  variant: BleuVariant = 'correct'): number {
  if (variant === 'sentence-average') {
    const scores = hypotheses.map((h, i) => evalCorpusBleu([h], [referencesList[i]], opts));
    return scores.reduce((a, b) => a + b, 0) / scores.length;
  }
  return evalBleuFromStats(evalBleuStats(hypotheses, referencesList, opts.maxN ?? 4, variant), opts, variant);
}

// ---------------------------------------------------------------------------------------------------------------
// ROUGE-L

export type RougeVariant = 'correct' | 'lcs-chars' | 'beta-swapped';

export function evalLcs(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) row[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    prev = row;
  }
  return prev[b.length];
}

export interface RougeScore { precision: number; recall: number; f: number }

/** Lin (2004): R = LCS/|reference|, P = LCS/|candidate|, F = (1 + β²) P R / (R + β² P); 0 when LCS = 0. */
export function evalRougeL(candidate: EvalTokens, reference: EvalTokens, beta = 1, variant: RougeVariant = 'correct'): RougeScore {
  const split = (x: EvalTokens) => (variant === 'lcs-chars' && typeof x === 'string' ? [...x] : evalTokens(x));
  const c = split(candidate);
  const r = split(reference);
  const l = evalLcs(c, r);
  if (l === 0) return { precision: 0, recall: 0, f: 0 };
  const precision = l / c.length;
  const recall = l / r.length;
  const b2 = beta * beta;
  const f = variant === 'beta-swapped'
    ? ((1 + b2) * precision * recall) / (precision + b2 * recall)
    : ((1 + b2) * precision * recall) / (recall + b2 * precision);
  return { precision, recall, f };
}

// ---------------------------------------------------------------------------------------------------------------
// Published examples

const split = (s: string) => s.split(' ');

/** NLTK's bleu_score.py docstring examples (Papineni et al.'s own example sentences). */
export const EVAL_NLTK = {
  hyp1: split('It is a guide to action which ensures that the military always obeys the commands of the party'),
  hyp2: split('It is to insure the troops forever hearing the activity guidebook that party direct'),
  ref1: split('It is a guide to action that ensures that the military will forever heed Party commands'),
  ref2: split('It is the guiding principle which guarantees the military forces always being under the command of the Party'),
  ref3: split('It is the practical guide for the army always to heed the directions of the party'),
  hyp2b: split('he read the book because he was interested in world history'),
  ref2b: split('he was interested in world history because he read the book'),
  theRef1: split('the cat is on the mat'),
  theRef2: split('there is a cat on the mat'),
  theHyp: split('the the the the the the the'),
};

/**
 * sacreBLEU's test/test_bleu.py (Apache-2.0): its README example with tokenize='none' (49.1919566 on its 0-100
 * scale; no order of that corpus has 0 matches, so its default smoothing plays no part), and raw_corpus_bleu's
 * cases (tokenize 'none', 'floor' smoothing with the given value, which is this lesson's 'epsilon').
 */
export const EVAL_SACREBLEU = {
  readmeHyps: ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'],
  /** One list of references per hypothesis (sacreBLEU's two reference streams, transposed). */
  readmeRefs: [['The dog bit the man.', 'The dog had bit the man.'], ['It was not unexpected.', 'No one was surprised.'],
    ['The man bit him first.', 'The man had bitten the dog.']],
  readmeBleu: 0.491919566,
  fest: { hyp: 'this is a fest', ref: 'this is a test', floor: 0.01, bleu: 0.223606797749979 },
  offset: { hyp: 'am I am a character sequence', ref: 'I am a symbol string sequence a a', floor: 0.1, bleu: 0.1555722182, matches: [4, 2, 1, 0], totals: [6, 5, 4, 3] },
  scoring: { matches: [9, 7, 5, 3], totals: [10, 8, 6, 4], bleu: 0.8375922397 },
};

/** rouge-score's rouge/testdata/target.txt and prediction.txt (its test data, Apache-2.0), with ROUGE-1.5.5's scores. */
export const EVAL_ROUGE155 = [
  {
    target: "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
    prediction: "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
    recall: 0.40741, precision: 0.68750, f: 0.51163,
  },
  {
    target: "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
    prediction: "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
    recall: 0.40476, precision: 0.65385, f: 0.50000,
  },
];

// ---------------------------------------------------------------------------------------------------------------
// The bundled model on held-out Moby-Dick

export interface EvalModelDoc {
  /** The passage (its first character is context only: the model predicts characters 1..n-1). */
  text: string;
  /** Logits (T, V) for positions 0..T-1, T = text length - 1, predicting characters 1..T. */
  logits: Float32Array;
  targets: Int32Array;
  T: number;
  V: number;
}

/** Start and length of each passage of MOBY_VAL (the model's validation split): unequal on purpose. */
const PASSAGES: [number, number][] = [[24, 17], [400, 121], [1200, 61], [2301, 9], [3000, 96]];

let modelDocs: Promise<EvalModelDoc[]> | undefined;

/** Five passages of the model's held-out text, of 17 to 121 characters, with the model's logits (cached per run). */
export function evalModelDocs(): Promise<EvalModelDoc[]> {
  modelDocs ??= (async () => {
    const model = await shippedModel();
    const V = model.config.vocabSize;
    const docs: EvalModelDoc[] = [];
    for (const [start, len] of PASSAGES) {
      const text = [...MOBY_VAL].slice(start, start + len).join('');
      const ids = Array.from(model.tokenizer.encode(text));
      const T = ids.length - 1;
      const { logits } = await model.run(ids.slice(0, T), 1, T, ['logits']);
      docs.push({ text, logits: Float32Array.from(logits.data), targets: Int32Array.from(ids.slice(1)), T, V });
    }
    return docs;
  })().catch((e: unknown) => {
    modelDocs = undefined;
    throw e;
  });
  return modelDocs;
}
