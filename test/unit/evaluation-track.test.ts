/**
 * The evaluation lesson beyond its mistake catalogue (test/unit/mistakes/evaluation.ts has those):
 * - the course's float64 references (src/course/tokens/evaluation.ts) reproduce every published value the checks
 *   quote, to the digits published: NLTK's bleu_score.py docstrings, rouge-score's tests and its ROUGE-1.5.5 ground
 *   truth, Lin (2004)'s example. The checks compare learners with these references, so this is what makes them
 *   "checked against published values";
 * - on those published examples, each catalogued wrong variant gives another number (else a check could not name it);
 * - the reference solution, through the real runner: every check passes in about a second, and the "what the
 *   scores miss" table says what the lesson's text says it shows (the negation scores far above the paraphrase, the
 *   scrambled sentence keeps most of its score). Times and the table are printed.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import {
  EVAL_NLTK as N, EVAL_ROUGE155, EVAL_SACREBLEU as S, evalBrevityPenalty, evalClosestRefLength, evalCorpusBleu, evalCorpusPerplexity, evalModifiedPrecision, evalRougeL,
  evalRougeScoreTokenize,
} from '../../src/course/tokens/evaluation';
import { LESSONS, WORKER, tempDir } from './helpers';

/** `value` printed with as many digits as the published text shows ("0.5045..." -> 4 decimals, truncated as Python's doctest ELLIPSIS matches). */
function matchesPublished(value: number, published: string): boolean {
  if (!published.endsWith('...')) return Number(published) === value;
  const digits = published.slice(0, -3);
  return String(value).startsWith(digits);
}

test('evaluation: the float64 references reproduce NLTK\'s published BLEU values', () => {
  const refs = [N.ref1, N.ref2, N.ref3];
  const cases: [number, string][] = [
    [evalCorpusBleu([N.hyp1], [refs]), '0.5045...'],
    [evalCorpusBleu([N.hyp2], [refs]), '0'],
    [evalCorpusBleu([N.hyp2], [refs], { smoothing: 'epsilon' }), '0.0370...'],
    [evalCorpusBleu([N.hyp1], [refs], { maxN: 2 }), '0.7453...'],
    [evalCorpusBleu([N.hyp1], [refs], { maxN: 3 }), '0.6240...'],
    [evalCorpusBleu([N.hyp1], [refs], { maxN: 5 }), '0.3920...'],
    [evalCorpusBleu([N.hyp1, N.hyp2b], [refs, [N.ref2b]]), '0.5920...'],
    [evalCorpusBleu([N.hyp1, N.hyp2b], [refs, [N.ref2b]], {}, 'sentence-average'), '0.6223...'],
    [evalCorpusBleu([N.hyp1, N.hyp2b], [refs, [N.ref2b]], { maxN: 2 }), '0.8242...'],
    [evalCorpusBleu([N.hyp1, N.hyp2b], [refs, [N.ref2b]], { maxN: 5 }), '0.4719...'],
    [evalBrevityPenalty(12, evalClosestRefLength([28, 28], 12)), '0.2635971381157267'],
    [evalBrevityPenalty(12, evalClosestRefLength([13, 2], 12)), '0.9200...'],
    [evalBrevityPenalty(12, evalClosestRefLength([13, 11], 12)), '1'],
    [evalBrevityPenalty(7, evalClosestRefLength([11, 8], 7)), '0.8668...'],
    [evalBrevityPenalty(7, evalClosestRefLength([11, 8, 6, 7], 7)), '1'],
  ];
  const mp = (h: string[], r: string[][], n: number) => { const p = evalModifiedPrecision(h, r, n); return p.matches / p.total; };
  cases.push([mp(N.theHyp, [N.theRef1, N.theRef2], 1), '0.2857...'], [mp(N.hyp1, refs, 1), '0.9444...'], [mp(N.hyp2, refs, 1), '0.5714...'],
    [mp(N.hyp1, refs, 2), '0.5882352941176471'], [mp(N.hyp2, refs, 2), '0.07692...'], [mp(['of', 'the'], refs, 1), '1'], [mp(['of', 'the'], refs, 2), '1']);
  for (const [value, published] of cases) assert.ok(matchesPublished(value, published), `${value} does not match NLTK's ${published}`);
});

test('evaluation: the float64 references reproduce sacreBLEU\'s published values (test_bleu.py)', () => {
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-8; // sacreBLEU's own EPSILON
  assert.ok(near(evalCorpusBleu(S.readmeHyps, S.readmeRefs), S.readmeBleu));
  assert.ok(near(evalCorpusBleu([S.fest.hyp], [[S.fest.ref]], { smoothing: 'epsilon', epsilon: S.fest.floor }), S.fest.bleu));
  assert.ok(near(evalCorpusBleu([S.offset.hyp], [[S.offset.ref]], { smoothing: 'epsilon', epsilon: S.offset.floor }), S.offset.bleu));
  assert.equal(evalCorpusBleu([S.offset.hyp], [[S.offset.ref]]), 0);
  assert.equal(evalCorpusBleu(['', '', ''], S.readmeRefs), 0);
  for (let n = 1; n <= 4; n++) assert.deepEqual(evalModifiedPrecision(S.offset.hyp, [S.offset.ref], n), { matches: S.offset.matches[n - 1], total: S.offset.totals[n - 1] });
  const geo = Math.exp(S.scoring.matches.reduce((a, m, i) => a + Math.log(m / S.scoring.totals[i]) / 4, 0)); // compute_bleu with c = r = 11
  assert.ok(near(geo, S.scoring.bleu));
});

test('evaluation: the float64 references reproduce rouge-score\'s tests, ROUGE-1.5.5 and Lin\'s example', () => {
  const rs = evalRougeL('testing one', 'testing one two');
  assert.ok(rs.precision === 1 && Math.abs(rs.recall - 2 / 3) < 1e-15 && Math.abs(rs.f - 0.8) < 1e-15, JSON.stringify(rs));
  assert.equal(evalRougeL('police kill the gunman', 'police killed the gunman').f, 0.75);
  assert.equal(evalRougeL('the gunman kill police', 'police killed the gunman').f, 0.5);
  for (const e of EVAL_ROUGE155) {
    const s = evalRougeL(evalRougeScoreTokenize(e.prediction), evalRougeScoreTokenize(e.target));
    assert.ok(Math.abs(s.precision - e.precision) < 5e-6 && Math.abs(s.recall - e.recall) < 5e-6 && Math.abs(s.f - e.f) < 5e-6, JSON.stringify({ s, e }));
  }
});

test('evaluation: every catalogued variant gives another number on the examples the checks name it on', () => {
  const refs = [N.ref1, N.ref2, N.ref3];
  const right = evalCorpusBleu([N.hyp1, N.hyp2b], [refs, [N.ref2b]]);
  for (const v of ['sentence-average', 'arithmetic-mean'] as const) assert.notEqual(evalCorpusBleu([N.hyp1, N.hyp2b], [refs, [N.ref2b]], {}, v), right, v);
  assert.notEqual(evalModifiedPrecision(N.theHyp, [N.theRef1, N.theRef2], 1, 'unclipped').matches, 2);
  assert.ok(String(evalCorpusBleu(S.readmeHyps, S.readmeRefs, {}, 'nltk-floor')).startsWith('0.4700'), 'NLTK\'s floor on sacreBLEU\'s README corpus');
  assert.notEqual(evalClosestRefLength([13, 2], 12, 'shortest-ref'), 13);
  assert.notEqual(evalBrevityPenalty(12, 28, 'bp-inverted'), evalBrevityPenalty(12, 28));
  assert.notEqual(evalRougeL('police kill the gunman', 'police killed the gunman', 1, 'lcs-chars').f, 0.75);
  assert.notEqual(evalRougeL('testing one', 'testing one two', 2, 'beta-swapped').f, evalRougeL('testing one', 'testing one two', 2).f);
  const half = Math.log(0.5);
  const docs = [[half, half, half, half], [Math.log(0.125)]];
  assert.ok(Math.abs(evalCorpusPerplexity(docs) - 2 ** 1.4) < 1e-12);
  assert.ok(Math.abs(evalCorpusPerplexity(docs, 'ppl-doc-mean') - 5) < 1e-12);
  assert.ok(Math.abs(evalCorpusPerplexity(docs, 'ppl-mean-of-means') - 4) < 1e-12);
});

test('evaluation/metrics: the reference passes every check quickly, and the "what the scores miss" table shows what the lesson says', async () => {
  const cat = await loadCatalog(LESSONS);
  const found = findExercise(cat, 'evaluation/metrics');
  assert.ok(found);
  const folder = path.join(tempDir('llm-lab-evaluation-'), 'run');
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const started = Date.now();
  const r = await runInWorker({ exerciseId: 'evaluation/metrics', learnerFile, checksFile: found.exercise.checks, locale: 'en' },
    { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  const wall = Date.now() - started;
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  for (const c of r.checks) console.log(`  ${c.durationMs?.toFixed(0).padStart(5)} ms  ${c.name}`);
  console.log(`  every check: ${r.checks.reduce((a, c) => a + (c.durationMs ?? 0), 0).toFixed(0)} ms; wall time with the worker's start ${wall} ms`);
  const miss = r.checks.find((c) => c.name.startsWith('what the scores miss'))!.artifacts[0];
  assert.ok(miss && miss.kind === 'table');
  const rows = miss.rows.map((row) => ({ label: String(row[0]), bleu: Number(row[2]), rouge: Number(row[3]) }));
  for (const row of rows) console.log(`  ${row.label.padEnd(32)} BLEU ${row.bleu.toFixed(3)}  ROUGE-L F ${row.rouge.toFixed(3)}`);
  const [self, paraphrase, negation, scrambled, halfRef] = rows;
  assert.equal(self.bleu, 1);
  assert.ok(negation.bleu > 4 * paraphrase.bleu && negation.rouge > 2 * paraphrase.rouge, 'the negation scores far above the paraphrase');
  assert.ok(scrambled.bleu > 0.5 && scrambled.rouge > 0.8, 'the scrambled sentence keeps most of its score');
  assert.ok(halfRef.bleu < 0.5 && halfRef.rouge < 0.7, 'half the reference is caught only by the penalty and the recall');
});
