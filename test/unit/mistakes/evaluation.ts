/**
 * The evaluation lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued
 * mistake put into the reference solution (lessons/06g-evaluation/metrics.solution.ts), and the one check that
 * names it run on it; and other libraries' ways of writing the same thing, which must pass or fail as conventions.
 */
import { EVAL_MISTAKES } from '../../../lessons/06g-evaluation/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'evaluation/metrics';

const PPL_LOOP = `  for (const d of docs) {
    for (let i = 0; i < d.length; i++) nll -= d[i];
    n += d.length;
  }
  if (n === 0) throw new RangeError('corpusPerplexity: the corpus has no tokens');
  return Math.exp(nll / n);`;
const PPL_DOC_MEAN = `  let sum = 0;
  let docsWithTokens = 0;
  for (const d of docs) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s -= d[i];
    n += d.length;
    if (d.length > 0) {
      sum += Math.exp(s / d.length);
      docsWithTokens++;
    }
  }
  if (n === 0) throw new RangeError('corpusPerplexity: the corpus has no tokens');
  return sum / docsWithTokens + 0 * nll;`;
const PPL_MEAN_OF_MEANS = `  let meanSum = 0;
  let docsWithTokens = 0;
  for (const d of docs) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s -= d[i];
    n += d.length;
    if (d.length > 0) {
      meanSum += s / d.length;
      docsWithTokens++;
    }
  }
  if (n === 0) throw new RangeError('corpusPerplexity: the corpus has no tokens');
  return Math.exp(meanSum / docsWithTokens + 0 * nll);`;

const CLIP = 'matches += Math.min(count, maxRef); // clipped: at most as often as in one reference';
const BP = 'return c >= r ? 1 : Math.exp(1 - r / c);';
const CLOSEST = `  let best = Infinity;
  for (const r of references) {`;
const GEO = 'logSum += Math.log(p) / maxN; // geometric mean, uniform weights';
const RESULT = 'return brevityPenalty(c, r) * Math.exp(logSum);';
const LENGTHS = "if (hypotheses.length !== referencesList.length) throw new RangeError('corpusBleu: one list of references per hypothesis');";
const ROUGE_TOKENS = `  const c = tokens(candidate);
  const r = tokens(reference);`;
const F = 'const f = ((1 + beta * beta) * precision * recall) / (recall + beta * beta * precision);';

const PPL = 'corpusPerplexity: exp(total NLL';
const MODEL = 'perplexity of the bundled model';
const MP = "modifiedPrecision: NLTK's published examples";
const BPC = 'closestRefLength and brevityPenalty';
const SENT = "sentenceBleu: NLTK's published values";
const CORPUS = "corpusBleu: NLTK's corpus example";
const RANDOM = 'corpusBleu on random corpora';
const SACRE = "corpusBleu: sacreBLEU's published values";
const ROUGE = "rougeL: the ROUGE paper's example";

export const CASES: MistakeCase[] = mistakeCases(EVAL_MISTAKES, EX, [
  { key: 'ppl-doc-mean', check: PPL, edits: [[PPL_LOOP, PPL_DOC_MEAN]] },
  { key: 'ppl-doc-mean', name: 'on the bundled model', check: MODEL, edits: [[PPL_LOOP, PPL_DOC_MEAN]] },
  { key: 'ppl-mean-of-means', check: PPL, edits: [[PPL_LOOP, PPL_MEAN_OF_MEANS]] },
  { key: 'unclipped', check: MP, edits: [[CLIP, 'matches += maxRef > 0 ? count : 0;']] },
  { key: 'unclipped', name: 'on random corpora', check: RANDOM, edits: [[CLIP, 'matches += maxRef > 0 ? count : 0;']] },
  { key: 'bp-inverted', check: BPC, edits: [[BP, 'return c >= r ? 1 : Math.exp(1 - c / r);']] },
  { key: 'bp-inverted', name: 'on random corpora', check: RANDOM, edits: [[BP, 'return c >= r ? 1 : Math.exp(1 - c / r);']] },
  { key: 'shortest-ref', check: BPC, edits: [[CLOSEST, '  return Math.min(...references.map((x) => tokens(x).length));\n  let best = Infinity;\n  for (const r of references) {']] },
  { key: 'shortest-ref', name: 'on random corpora', check: RANDOM, edits: [[CLOSEST, '  return Math.min(...references.map((x) => tokens(x).length));\n  let best = Infinity;\n  for (const r of references) {']] },
  { key: 'arithmetic-mean', check: SENT, edits: [[GEO, 'logSum += p / maxN;'], [RESULT, 'return brevityPenalty(c, r) * logSum;']] },
  { key: 'arithmetic-mean', name: 'on the corpus example', check: CORPUS, edits: [[GEO, 'logSum += p / maxN;'], [RESULT, 'return brevityPenalty(c, r) * logSum;']] },
  {
    key: 'sentence-average', check: CORPUS,
    edits: [[LENGTHS, `${LENGTHS}\n  if (hypotheses.length > 1) return hypotheses.map((h, i) => corpusBleu([h], [referencesList[i]], opts)).reduce((a, b) => a + b, 0) / hypotheses.length;`]],
  },
  {
    key: 'sentence-average', name: 'on random corpora', check: RANDOM,
    edits: [[LENGTHS, `${LENGTHS}\n  if (hypotheses.length > 1) return hypotheses.map((h, i) => corpusBleu([h], [referencesList[i]], opts)).reduce((a, b) => a + b, 0) / hypotheses.length;`]],
  },
  { key: 'bleu-percent', check: SENT, edits: [[RESULT, 'return 100 * brevityPenalty(c, r) * Math.exp(logSum);']] },
  { key: 'bleu-percent', name: 'on the corpus example', check: CORPUS, edits: [[RESULT, 'return 100 * brevityPenalty(c, r) * Math.exp(logSum);']] },
  { key: 'shortest-ref', name: "on sacreBLEU's examples", check: SACRE, edits: [[CLOSEST, '  return Math.min(...references.map((x) => tokens(x).length));\n  let best = Infinity;\n  for (const r of references) {']] },
  { key: 'nltk-floor', check: SACRE, edits: [['  return { matches, total };', '  return { matches, total: Math.max(1, total) };']] },
  { key: 'lcs-chars', check: ROUGE, edits: [[ROUGE_TOKENS, '  const c = [...candidate];\n  const r = [...reference];']] },
  { key: 'beta-swapped', check: ROUGE, edits: [[F, 'const f = ((1 + beta * beta) * precision * recall) / (precision + beta * beta * recall);']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'sacreBLEU', name: 'BLEU on a 0-100 scale', exercise: EX, check: SACRE, edits: [[RESULT, 'return 100 * brevityPenalty(c, r) * Math.exp(logSum);']] },
  { library: 'NLTK', name: "modified_precision's denominator floored at 1 per sentence", exercise: EX, check: RANDOM, edits: [['  return { matches, total };', '  return { matches, total: Math.max(1, total) };']] },
  { library: 'NLTK', name: "modified_precision's denominator floored at 1 (sacreBLEU's README corpus: named as NLTK's)", exercise: EX, check: SACRE, edits: [['  return { matches, total };', '  return { matches, total: Math.max(1, total) };']] },
  { library: 'NLTK', name: "modified_precision's denominator floored at 1 (NLTK's examples)", exercise: EX, check: MP, edits: [['  return { matches, total };', '  return { matches, total: Math.max(1, total) };']] },
  {
    library: 'rouge-score', name: "rouge-score's tokenizer (lowercase, non-alphanumerics to spaces)", exercise: EX, check: ROUGE,
    edits: [[ROUGE_TOKENS, "  const rs = (x: Tokens) => (typeof x === 'string' ? x.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(' ').filter((w) => w !== '') : [...x]);\n  const c = rs(candidate);\n  const r = rs(reference);"]],
  },
];
