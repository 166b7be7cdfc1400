/**
 * Checks for the evaluation lesson (evaluation/metrics): tokenLogProbs, corpusPerplexity, modifiedPrecision,
 * closestRefLength, brevityPenalty, sentenceBleu, corpusBleu, lcsLength and rougeL.
 *
 * Expected values come from two independent places:
 *   - PUBLISHED values of standard implementations: NLTK's nltk/translate/bleu_score.py docstrings (modified
 *     precision 0.2857..., 0.9444..., 0.5714..., 0.5882352941176471, 0.07692...; brevity penalty 0.2635971381157267,
 *     0.9200..., 0.8668..., 1.0; sentence_bleu 0.5045..., 0.0, 0.0370... with SmoothingFunction().method1, BLEU-2/3/5
 *     0.7453..., 0.6240..., 0.3920...; corpus_bleu 0.5920..., the sentence average 0.6223..., BLEU-2/5 0.8242...,
 *     0.4719...), sacreBLEU's test/test_bleu.py (its README corpus with tokenize='none' 49.1919566 on 0-100, 'floor'
 *     smoothing 0.223606797749979 and 0.1555722182, statistics [4, 2, 1, 0] / [6, 5, 4, 3]), rouge-score's rouge_scorer_test.py (P 1, R 2/3, F 4/5; and its ROUGE-1.5.5 ground truth on its
 *     test data), and Lin (2004) section 3.1 (ROUGE-L 3/4 and 2/4). The float64 references in
 *     @llm-lab/course/tokens reproduce every one of these to the digits published (src/course/tokens/evaluation.ts).
 *   - those float64 references, on random corpora and random logits drawn from ctx.random, and on the bundled
 *     model's logits for five held-out Moby-Dick passages of unequal length.
 * The references also compute each catalogued wrong variant: when the learner's number equals a wrong variant
 * (and not the right value) the failure names that mistake.
 *
 * Which check names which catalogued mistake (lessons/06g-evaluation/mistakes.ts):
 *   check                                                names
 *   corpusPerplexity: exp(total NLL / total tokens) ...  ppl-doc-mean, ppl-mean-of-means
 *   perplexity of the bundled model ...                  ppl-doc-mean, ppl-mean-of-means
 *   modifiedPrecision: NLTK's published examples ...     unclipped
 *   closestRefLength and brevityPenalty ...              shortest-ref, bp-inverted
 *   sentenceBleu: NLTK's published values ...            arithmetic-mean, bp-inverted, unclipped, bleu-percent (sacreBLEU's convention)
 *   corpusBleu: NLTK's corpus example ...                sentence-average, arithmetic-mean, bleu-percent (sacreBLEU's convention)
 *   corpusBleu: sacreBLEU's published values ...         sentence-average, arithmetic-mean, shortest-ref, bp-inverted, unclipped,
 *                                                        bleu-percent (sacreBLEU's convention), nltk-floor (NLTK's convention)
 *   corpusBleu on random corpora ...                     unclipped, shortest-ref, bp-inverted, arithmetic-mean, sentence-average,
 *                                                        bleu-percent (sacreBLEU's convention)
 *   rougeL: the ROUGE paper's example ...                lcs-chars (also lcsLength on strings), beta-swapped
 *   rougeL against ROUGE-1.5.5 ...                       (none: a generic message with the published numbers)
 * NLTK's floor of each sentence's n-gram count at 1 matters only for a hypothesis shorter than n: only sacreBLEU's
 * README corpus has one, and there it is named as NLTK's convention; every other check accepts it.
 * Accepted without a word: rouge-score's lowercasing tokenizer (every ROUGE input is lowercase words), any order of
 * the arithmetic, float32 or float64 accumulation in tokenLogProbs.
 */
import { type CheckContext, type Misconception, type Text, defineChecks, expectClose, expectTrue, fail, snapshot, expectUnchanged, t } from '@llm-lab/check';
import {
  type BleuVariant, type EvalBleuOptions, type EvalTokens, type PerplexityVariant, type RougeScore, type RougeVariant, EVAL_NLTK as N, EVAL_ROUGE155, EVAL_SACREBLEU as S,
  evalBrevityPenalty, evalClosestRefLength, evalCorpusBleu, evalCorpusPerplexity, evalModelDocs, evalModifiedPrecision, evalRougeL,
  evalLcs, evalRougeScoreTokenize, evalTokenLogProbs,
} from '@llm-lab/course/tokens';
import { tensor } from '@llm-lab/kit';
import { type EvalMistake, EVAL_MISTAKES as M } from './mistakes';

type Learner = typeof import('./metrics');

/** Every metric is computed in float64: any order of the arithmetic agrees to far better than this. */
const EXACT = { rtol: 1e-9, atol: 1e-12 };

const isTodo = (e: unknown) => e instanceof Error && e.name === 'NotImplementedError';

const close = (a: number, b: number) => Math.abs(a - b) <= EXACT.atol + EXACT.rtol * Math.abs(b);

/** The catalogued variants whose value differs from the right one on this input, as misconceptions. */
function wrongs(right: number, variants: [EvalMistake, number][]): Misconception[] {
  return variants.filter(([, v]) => Number.isFinite(v) && !close(v, right)).map(([key, value]) => ({ value, ...M[key] }));
}

function expectNumber(actual: unknown, expected: number, what: string, opts: { misconceptions?: Misconception[]; hint?: Text; rtol?: number; atol?: number } = {}): void {
  if (typeof actual !== 'number') {
    fail(t(`${what} returned ${typeof actual === 'object' ? JSON.stringify(actual)?.slice(0, 80) : String(actual)}; expected a number (${expected}).`,
      `${what} 返回了 ${typeof actual === 'object' ? JSON.stringify(actual)?.slice(0, 80) : String(actual)}；应返回一个数（${expected}）。`));
  }
  expectClose(actual, expected, { what, rtol: opts.rtol ?? EXACT.rtol, atol: opts.atol ?? EXACT.atol, hint: opts.hint, misconceptions: opts.misconceptions });
}

const show = (x: EvalTokens) => (typeof x === 'string' ? JSON.stringify(x) : JSON.stringify(x.join(' ')));

// ---------------------------------------------------------------------------------------------------------------
// Perplexity

const PPL_VARIANTS: [EvalMistake, PerplexityVariant][] = [['ppl-doc-mean', 'ppl-doc-mean'], ['ppl-mean-of-means', 'ppl-mean-of-means']];
const PPL_HINT = t('nll = −Σ over every document and token of log p; n = Σ of the documents\' lengths; return Math.exp(nll / n).',
  'nll = −Σ（对所有文档的所有词元）log p；n = 各文档长度之和；返回 Math.exp(nll / n)。');

function expectPerplexity(m: Learner, docs: number[][], what: string): number {
  const copies = docs.map((d) => [...d]);
  const right = evalCorpusPerplexity(copies);
  const got = m.corpusPerplexity(docs);
  docs.forEach((d, i) => expectTrue(d.length === copies[i].length && d.every((v, j) => Object.is(v, copies[i][j])),
    t(`corpusPerplexity changed its input (document ${i}).`, `corpusPerplexity 修改了它的输入（第 ${i} 篇文档）。`),
    t('Read the log-probabilities; never write into the arrays you are given.', '只读取对数概率；不要写入传进来的数组。')));
  expectNumber(got, right, what, { rtol: 1e-6, atol: 1e-9, hint: PPL_HINT, misconceptions: wrongs(right, PPL_VARIANTS.map(([k, v]) => [k, evalCorpusPerplexity(copies, v)])) });
  return right;
}

// ---------------------------------------------------------------------------------------------------------------
// BLEU

function bleuMisconceptions(right: number, variants: [EvalMistake, number][]): Misconception[] {
  const list = wrongs(right, variants);
  if (right > 0) list.push({ value: right * 100, ...M['bleu-percent'] });
  return list;
}

function corpusVariants(hyps: readonly EvalTokens[], refs: readonly (readonly EvalTokens[])[], opts: EvalBleuOptions,
  keys: EvalMistake[]): [EvalMistake, number][] {
  return keys.map((k) => [k, evalCorpusBleu(hyps, refs, opts, k as BleuVariant)]);
}

const BLEU_HINT = t(
  'BLEU = BP · exp(Σ_n (1/N) log p_n), p_n = Σ clipped matches / Σ n-grams over the corpus, BP = exp(1 − r/c) if c < r else 1, r = Σ closest reference lengths.',
  'BLEU = BP · exp(Σ_n (1/N) log p_n)，p_n = 整个语料上截断后的匹配数之和 / n 元组总数之和，c < r 时 BP = exp(1 − r/c)，否则为 1；r = 各句最接近的参考长度之和。',
);

/** A random corpus over a five-word vocabulary (so n-grams repeat and clipping matters), references longer on average. */
function randomCorpus(ctx: CheckContext, asStrings: boolean): { hyps: EvalTokens[]; refs: EvalTokens[][] } {
  const words = ['the', 'whale', 'sea', 'ship', 'white'];
  const sentence = (len: number) => Array.from({ length: len }, () => words[Math.floor(ctx.random() * words.length)]);
  const hyps: EvalTokens[] = [];
  const refs: EvalTokens[][] = [];
  for (let i = 0; i < 6; i++) {
    const len = 4 + Math.floor(ctx.random() * 8); // 4..11: never shorter than the largest order (4)
    const hyp = sentence(len);
    // A reference that copies most of the hypothesis (so 3- and 4-grams match), and one or two others of other lengths.
    const near = hyp.map((w) => (ctx.random() < 0.25 ? words[Math.floor(ctx.random() * words.length)] : w));
    const own: string[][] = [[...near, ...sentence(Math.floor(ctx.random() * 4))]];
    const extra = 1 + Math.floor(ctx.random() * 2);
    for (let k = 0; k < extra; k++) own.push(sentence(Math.max(1, len + Math.floor(ctx.random() * 9) - 5)));
    hyps.push(asStrings ? hyp.join(' ') : hyp);
    refs.push(own.map((r) => (asStrings ? r.join('  ') : r)));
  }
  return { hyps, refs };
}

// ---------------------------------------------------------------------------------------------------------------
// ROUGE-L

function expectRouge(m: Learner, candidate: EvalTokens, reference: EvalTokens, beta: number | undefined, what: string,
  published?: { precision: number; recall: number; f: number; atol: number; source: Text }): void {
  const right = evalRougeL(candidate, reference, beta ?? 1);
  const got = (beta === undefined ? m.rougeL(candidate, reference) : m.rougeL(candidate, reference, { beta })) as unknown;
  if (typeof got !== 'object' || got === null || !['precision', 'recall', 'f'].every((k) => typeof (got as Record<string, unknown>)[k] === 'number')) {
    fail(t(`${what} returned ${JSON.stringify(got)}; expected an object { precision, recall, f } of numbers.`,
      `${what} 返回了 ${JSON.stringify(got)}；应返回由数值组成的对象 { precision, recall, f }。`));
  }
  const g = got as RougeScore;
  const variants: [EvalMistake, RougeVariant][] = [['lcs-chars', 'lcs-chars'], ['beta-swapped', 'beta-swapped']];
  const hint = t('P = LCS / |candidate tokens|, R = LCS / |reference tokens|, F = (1 + β²) P R / (R + β² P).',
    'P = LCS / |候选词元数|，R = LCS / |参考词元数|，F = (1 + β²) P R / (R + β² P)。');
  for (const k of ['precision', 'recall', 'f'] as const) {
    const others = variants.map(([key, v]) => [key, evalRougeL(candidate, reference, beta ?? 1, v)[k]] as [EvalMistake, number]);
    const src = published ? t(` (${published.source.en}: ${published[k]})`, `（${published.source['zh-cn']}：${published[k]}）`) : undefined;
    expectNumber(g[k], right[k], `${what}.${k}`, { hint: src ? t(hint.en + src.en, hint['zh-cn'] + src['zh-cn']) : hint, misconceptions: wrongs(right[k], others) });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What the scores miss

const MISS_REFERENCE = 'the whale swam under the boat and the sailors watched it in silence';
const MISS_CASES: { label: Text; text: string }[] = [
  { label: t('the reference itself', '参考句本身'), text: MISS_REFERENCE },
  { label: t('a paraphrase (same meaning)', '改写（意思相同）'), text: 'the sailors watched in silence as the whale passed beneath the boat' },
  { label: t('a negation (opposite meaning)', '否定（意思相反）'), text: 'the whale never swam under the boat and the sailors watched it in silence' },
  { label: t('the same words scrambled', '同样的词打乱顺序'), text: 'the boat swam under the whale and the sailors watched it in silence' },
  { label: t('half of the reference', '参考句的前一半'), text: 'the whale swam under the boat' },
];

export default defineChecks<Learner>({
  exports: ['tokens', 'tokenLogProbs', 'corpusPerplexity', 'modifiedPrecision', 'closestRefLength', 'brevityPenalty', 'corpusBleu', 'sentenceBleu', 'lcsLength', 'rougeL'],
  checks: [
    {
      name: t('tokenLogProbs: log-softmax at the targets, stable for logits near 1000', 'tokenLogProbs：目标位置上的 log-softmax，logits 接近 1000 时依然稳定'),
      task: 'tokenLogProbs',
      run: (m, ctx) => {
        for (const [T, V, scale, offset] of [[6, 9, 3, 0], [5, 13, 50, 1000], [4, 7, 2, -800]]) {
          const data = Float32Array.from({ length: T * V }, () => offset + scale * (2 * ctx.random() - 1));
          const targets = Array.from({ length: T }, () => Math.floor(ctx.random() * V));
          const logits = tensor(data, [T, V]);
          const before = snapshot(logits);
          const right = evalTokenLogProbs(data, T, V, targets);
          const got = m.tokenLogProbs(logits, targets);
          expectUnchanged(logits, before, 'logits');
          const what = `tokenLogProbs(logits (${T}, ${V}) around ${offset}, targets)`;
          expectClose(got, right, {
            what, rtol: 1e-5, atol: offset === 0 ? 1e-5 : 1e-3,
            hint: offset === 0
              ? t('out[t] = logits[t, targets[t]] − m − log Σ_v exp(logits[t, v] − m), with m the row\'s largest logit.', 'out[t] = logits[t, targets[t]] − m − log Σ_v exp(logits[t, v] − m)，其中 m 是这一行最大的 logit。')
              : t('exp(1000) is Infinity in floating point: subtract the row\'s largest logit m before exp, and add it back as log Σ exp(x − m) + m.', '浮点数里 exp(1000) 是 Infinity：先减去这一行最大的 logit m 再取 exp，之后以 log Σ exp(x − m) + m 的形式加回来。'),
          });
        }
      },
    },
    {
      name: t('corpusPerplexity: exp(total NLL / total tokens) over documents of unequal length', 'corpusPerplexity：在长度不等的文档上计算 exp(总 NLL / 总词元数)'),
      task: 'corpusPerplexity',
      run: (m, ctx) => {
        // By hand: four tokens of probability 1/2 and one of 1/8: NLL = 7 ln 2 over 5 tokens, perplexity 2^(7/5) ≈ 2.639
        // (the mean of the two documents' perplexities would be (2 + 8) / 2 = 5, exp of their mean NLLs 4).
        const half = Math.log(0.5);
        const ppl = expectPerplexity(m, [[half, half, half, half], [Math.log(0.125)]], 'corpusPerplexity([[ln ½ ×4], [ln ⅛]])');
        expectTrue(Math.abs(ppl - 2 ** 1.4) < 1e-12, t('internal: the reference perplexity is not 2^1.4', '内部错误：参考困惑度不是 2^1.4'));
        // Random documents of 1, 3, 17, 40 and 0 tokens.
        const docs = [1, 3, 17, 40, 0].map((n) => Array.from({ length: n }, () => Math.log(0.02 + 0.98 * ctx.random())));
        expectPerplexity(m, docs, 'corpusPerplexity(documents of 1, 3, 17, 40 and 0 tokens)');
        // Documents given as Float64Array / Float32Array work the same.
        const typed = [Float64Array.from(docs[2]), Float32Array.from(docs[3])];
        const right = evalCorpusPerplexity(typed);
        expectNumber(m.corpusPerplexity(typed), right, 'corpusPerplexity([Float64Array (17), Float32Array (40)])', { rtol: 1e-6, hint: PPL_HINT });
        for (const [empty, label] of [[[], '[]'], [[[], []], '[[], []]']] as [number[][], string][]) {
          let threw = false;
          try {
            m.corpusPerplexity(empty);
          } catch (e) {
            if (isTodo(e)) throw e;
            threw = true;
          }
          expectTrue(threw, t(`corpusPerplexity(${label}) did not throw: a corpus with no tokens has no perplexity (0/0), and the lesson documents a RangeError.`,
            `corpusPerplexity(${label}) 没有抛出异常：没有词元的语料没有困惑度（0/0），课文说明这里要抛出 RangeError。`),
          t('if (n === 0) throw new RangeError(...) before dividing.', '做除法之前：if (n === 0) throw new RangeError(...)。'));
        }
      },
    },
    {
      name: t('perplexity of the bundled model on five held-out Moby-Dick passages', '内置模型在五段留出的《白鲸记》文本上的困惑度'),
      task: 'corpusPerplexity',
      run: async (m, ctx) => {
        const docs = await evalModelDocs();
        const rightLps: Float64Array[] = [];
        const lps: number[][] = [];
        for (const d of docs) {
          const logits = tensor(Float32Array.from(d.logits), [d.T, d.V]);
          const right = evalTokenLogProbs(d.logits, d.T, d.V, d.targets);
          const got = m.tokenLogProbs(logits, Array.from(d.targets));
          expectClose(got, right, { what: `tokenLogProbs(the model's logits (${d.T}, ${d.V}) for ${JSON.stringify(d.text.slice(0, 20))}..., targets)`, rtol: 1e-5, atol: 1e-4 });
          rightLps.push(right);
          lps.push(Array.from(got as ArrayLike<number>));
        }
        const right = evalCorpusPerplexity(rightLps);
        const got = m.corpusPerplexity(lps);
        expectNumber(got, right, 'corpusPerplexity(the model\'s log-probabilities on five passages)', {
          rtol: 1e-4, hint: PPL_HINT, misconceptions: wrongs(right, PPL_VARIANTS.map(([k, v]) => [k, evalCorpusPerplexity(rightLps, v)])),
        });
        const label = (s: string) => JSON.stringify(s.length > 28 ? `${s.slice(0, 28)}…` : s);
        ctx.artifact({
          kind: 'table',
          title: t('The bundled model on held-out Moby-Dick: perplexity per passage and over the corpus', '内置模型在留出的《白鲸记》文本上：每段的困惑度与整个语料的困惑度'),
          columns: [t('passage', '文本段'), t('tokens', '词元数'), t('mean NLL (nats)', '平均 NLL（奈特）'), t('perplexity', '困惑度')],
          rows: [
            ...docs.map((d, i) => {
              const nll = -rightLps[i].reduce((a, b) => a + b, 0) / d.T;
              return [label(d.text), d.T, nll.toFixed(4), Math.exp(nll).toFixed(3)];
            }),
            [t('corpus: exp(total NLL / total tokens)', '语料：exp(总 NLL / 总词元数)'), docs.reduce((a, d) => a + d.T, 0), Math.log(right).toFixed(4), right.toFixed(3)],
            [t('(wrong) mean of the five perplexities', '（错误）五个困惑度的平均值'), '', '', evalCorpusPerplexity(rightLps, 'ppl-doc-mean').toFixed(3)],
          ],
        });
      },
    },
    {
      name: t('modifiedPrecision: NLTK\'s published examples (clipped counts)', 'modifiedPrecision：NLTK 公布的例子（截断计数）'),
      task: 'modifiedPrecision',
      run: (m) => {
        const refs = [N.ref1, N.ref2, N.ref3];
        const cases: { hyp: EvalTokens; refs: EvalTokens[]; n: number; published: string; label: string }[] = [
          { hyp: N.theHyp, refs: [N.theRef1, N.theRef2], n: 1, published: '0.2857...', label: '"the the the the the the the"' },
          { hyp: N.theHyp.join(' '), refs: [N.theRef1.join(' '), N.theRef2.join(' ')], n: 1, published: '0.2857...', label: '"the the the the the the the" (strings)' },
          { hyp: ['of', 'the'], refs, n: 1, published: '1.0', label: '"of the"' },
          { hyp: ['of', 'the'], refs, n: 2, published: '1.0', label: '"of the"' },
          { hyp: N.hyp1, refs, n: 1, published: '0.9444...', label: 'hypothesis1' },
          { hyp: N.hyp2, refs, n: 1, published: '0.5714...', label: 'hypothesis2' },
          { hyp: N.hyp1, refs, n: 2, published: '0.5882352941176471', label: 'hypothesis1' },
          { hyp: N.hyp2, refs, n: 2, published: '0.07692...', label: 'hypothesis2' },
          ...[1, 2, 3, 4].map((n) => ({ hyp: S.offset.hyp, refs: [S.offset.ref], n, published: `${S.offset.matches[n - 1]}/${S.offset.totals[n - 1]} (sacreBLEU's test_statistics)`, label: JSON.stringify(S.offset.hyp) })),
        ];
        for (const c of cases) {
          const right = evalModifiedPrecision(c.hyp, c.refs, c.n);
          const got = m.modifiedPrecision(c.hyp, c.refs, c.n) as unknown;
          const what = `modifiedPrecision(${c.label}, references, ${c.n})`;
          if (typeof got !== 'object' || got === null || typeof (got as { matches?: unknown }).matches !== 'number' || typeof (got as { total?: unknown }).total !== 'number') {
            fail(t(`${what} returned ${JSON.stringify(got)}; expected { matches: ${right.matches}, total: ${right.total} } (NLTK: ${c.published}).`,
              `${what} 返回了 ${JSON.stringify(got)}；应为 { matches: ${right.matches}, total: ${right.total} }（NLTK：${c.published}）。`));
          }
          const g = got as { matches: number; total: number };
          if (g.matches === right.matches && g.total === right.total) continue;
          const unclipped = evalModifiedPrecision(c.hyp, c.refs, c.n, 'unclipped');
          if (g.matches === unclipped.matches && unclipped.matches !== right.matches) {
            fail(t(`${M.unclipped.message.en} (${what}: ${g.matches}/${g.total}; published: ${c.published} = ${right.matches}/${right.total})`,
              `${M.unclipped.message['zh-cn']}（${what}：${g.matches}/${g.total}；公布的值：${c.published} = ${right.matches}/${right.total}）`), { hint: M.unclipped.hint });
          }
          fail(t(`${what} is { matches: ${g.matches}, total: ${g.total} }; the published value is ${c.published} = ${right.matches}/${right.total}.`,
            `${what} 是 { matches: ${g.matches}, total: ${g.total} }；公布的值是 ${c.published} = ${right.matches}/${right.total}。`),
          { hint: t('total = the number of n-grams of the hypothesis; matches = Σ over its distinct n-grams of min(count, largest count in any one reference).',
            'total = 假设中 n 元组的个数；matches = 对假设中每个不同的 n 元组求 min(出现次数, 在任意单个参考中的最大出现次数) 再求和。') });
        }
      },
    },
    {
      name: t('closestRefLength and brevityPenalty: NLTK\'s published examples', 'closestRefLength 与 brevityPenalty：NLTK 公布的例子'),
      task: 'brevityPenalty',
      run: (m) => {
        const a = (n: number) => new Array<string>(n).fill('a');
        const closestHint = t('Keep the reference length with the smallest |len − hypLen|; of two equally close, the shorter.', '保留 |len − hypLen| 最小的参考长度；两个一样接近时取较短的。');
        // [references' lengths, hypothesis length, published brevity penalty]
        const cases: [number[], number, string][] = [[[28, 28], 12, '0.2635971381157267'], [[13, 2], 12, '0.9200...'], [[13, 11], 12, '1.0'], [[11, 13], 12, '1.0'],
          [[11, 8], 7, '0.8668...'], [[11, 8, 6, 7], 7, '1.0'], [[20, 9, 30], 19, ''], [[12, 15, 17], 12, '1.0 (the BLEU paper\'s example)']];
        for (const [lens, c, published] of cases) {
          const refs = lens.map(a);
          const r = evalClosestRefLength(lens, c);
          const what = `closestRefLength([${lens.map((l) => `a×${l}`).join(', ')}], ${c})`;
          const got = m.closestRefLength(refs, c);
          if (got !== r) {
            const shortest = Math.min(...lens);
            // Named only when it is the shortest here and on a second input where closest and shortest differ.
            const confirm = (() => { try { return m.closestRefLength([a(20), a(9), a(30)], 19) === 9; } catch { return false; } })();
            if (got === shortest && confirm) fail(t(`${M['shortest-ref'].message.en} (${what} returned ${got}; the closest is ${r})`, `${M['shortest-ref'].message['zh-cn']}（${what} 返回了 ${got}；最接近的是 ${r}）`), { hint: M['shortest-ref'].hint });
            fail(t(`${what} returned ${String(got)}; the closest reference length is ${r}${lens.filter((l) => Math.abs(l - c) === Math.abs(r - c)).length > 1 ? ' (a tie: the shorter wins, as NLTK and mteval-v13a.pl)' : ''}.`,
              `${what} 返回了 ${String(got)}；最接近的参考长度是 ${r}${lens.filter((l) => Math.abs(l - c) === Math.abs(r - c)).length > 1 ? '（平局：取较短的，与 NLTK 和 mteval-v13a.pl 相同）' : ''}。`), { hint: closestHint });
          }
          const bp = evalBrevityPenalty(c, r);
          expectNumber(m.brevityPenalty(c, r), bp, `brevityPenalty(${c}, ${r})`, {
            hint: published ? t(`NLTK's docstring: ${published}. BP = exp(1 − r/c) when c < r, else 1.`, `NLTK 文档中的值：${published}。c < r 时 BP = exp(1 − r/c)，否则为 1。`)
              : t('BP = exp(1 − r/c) when c < r, else 1.', 'c < r 时 BP = exp(1 − r/c)，否则为 1。'),
            misconceptions: wrongs(bp, [['bp-inverted', evalBrevityPenalty(c, r, 'bp-inverted')]]),
          });
        }
        expectNumber(m.brevityPenalty(15, 11), 1, 'brevityPenalty(15, 11)', { hint: t('A candidate longer than its reference is not penalised: BP = 1 for c ≥ r (BLEU\'s precisions already punish extra words).', '比参考长的候选不受惩罚：c ≥ r 时 BP = 1（多余的词已经由 BLEU 的精确率惩罚了）。') });
        expectNumber(m.brevityPenalty(0, 5), 0, 'brevityPenalty(0, 5)', { hint: t('An empty candidate gets BP = 0 (NLTK returns 0 there instead of dividing by 0).', '空的候选 BP = 0（NLTK 在这里返回 0，而不是除以 0）。') });
      },
    },
    {
      name: t('sentenceBleu: NLTK\'s published values, smoothing and maxN', 'sentenceBleu：NLTK 公布的数值、平滑和 maxN'),
      task: 'sentenceBleu',
      run: (m) => {
        const refs = [N.ref1, N.ref2, N.ref3];
        const keys: EvalMistake[] = ['arithmetic-mean', 'bp-inverted', 'unclipped'];
        const cases: { hyp: EvalTokens; opts?: EvalBleuOptions; published: string; label: string }[] = [
          { hyp: N.hyp1, published: '0.5045...', label: 'hypothesis1' },
          { hyp: N.hyp1.join(' '), published: '0.5045...', label: 'hypothesis1 as a string' },
          { hyp: N.hyp2, published: '0.0 (no 3-gram or 4-gram matches)', label: 'hypothesis2' },
          { hyp: N.hyp2, opts: { smoothing: 'epsilon' }, published: '0.0370... (SmoothingFunction().method1)', label: 'hypothesis2' },
          { hyp: N.hyp2, opts: { smoothing: 'epsilon', epsilon: 0.5 }, published: '(epsilon 0.5: not published)', label: 'hypothesis2' },
          { hyp: N.hyp1, opts: { maxN: 2 }, published: '0.7453...', label: 'hypothesis1' },
          { hyp: N.hyp1, opts: { maxN: 3 }, published: '0.6240...', label: 'hypothesis1' },
          { hyp: N.hyp1, opts: { maxN: 5 }, published: '0.3920...', label: 'hypothesis1' },
          { hyp: ['It', 'is', 'a', 'guide', 'to', 'action'], published: '(c = 6, r = 16: every precision 1, BLEU = BP = exp(1 − 16/6) ≈ 0.1889)', label: '"It is a guide to action"' },
          { hyp: 'the the the the the the the', published: '(unigram precision 2/7, no bigram matches: 0)', label: '"the the the the the the the"' },
          { hyp: 'the the the the the the the', opts: { smoothing: 'epsilon' }, published: '(unigram precision 2/7, smoothed)', label: '"the the the the the the the"' },
        ];
        for (const c of cases) {
          const theRefs = c.label.startsWith('"the the') ? [N.theRef1.join(' '), N.theRef2.join(' ')] : refs;
          const right = evalCorpusBleu([c.hyp], [theRefs], c.opts ?? {});
          const optsText = c.opts ? `, ${JSON.stringify(c.opts)}` : '';
          const what = `sentenceBleu(${c.label}, references${optsText})`;
          const got = c.opts ? m.sentenceBleu(c.hyp, theRefs, c.opts) : m.sentenceBleu(c.hyp, theRefs);
          expectNumber(got, right, what, {
            hint: t(`NLTK: ${c.published}. ${BLEU_HINT.en}`, `NLTK：${c.published}。${BLEU_HINT['zh-cn']}`),
            misconceptions: bleuMisconceptions(right, corpusVariants([c.hyp], [theRefs], c.opts ?? {}, keys)),
          });
        }
      },
    },
    {
      name: t('corpusBleu: NLTK\'s corpus example (0.5920..., not the sentence average 0.6223...)', 'corpusBleu：NLTK 的语料级例子（0.5920...，而不是句子平均 0.6223...）'),
      task: 'corpusBleu',
      run: (m) => {
        const hyps = [N.hyp1, N.hyp2b];
        const refs = [[N.ref1, N.ref2, N.ref3], [N.ref2b]];
        const keys: EvalMistake[] = ['sentence-average', 'arithmetic-mean'];
        for (const [opts, published] of [[undefined, '0.5920...'], [{ maxN: 2 }, '0.8242...'], [{ maxN: 5 }, '0.4719...']] as [EvalBleuOptions | undefined, string][]) {
          const right = evalCorpusBleu(hyps, refs, opts ?? {});
          const what = `corpusBleu([hyp1, hyp2], [[ref1a, ref1b, ref1c], [ref2a]]${opts ? `, ${JSON.stringify(opts)}` : ''})`;
          const got = opts ? m.corpusBleu(hyps, refs, opts) : m.corpusBleu(hyps, refs);
          expectNumber(got, right, what, {
            hint: t(`NLTK's docstring: ${published}. ${BLEU_HINT.en}`, `NLTK 文档中的值：${published}。${BLEU_HINT['zh-cn']}`),
            misconceptions: bleuMisconceptions(right, corpusVariants(hyps, refs, opts ?? {}, keys)),
          });
        }
        let threw = false;
        try {
          m.corpusBleu(hyps, [refs[0]]);
        } catch (e) {
          if (isTodo(e)) throw e;
          threw = true;
        }
        expectTrue(threw, t('corpusBleu(two hypotheses, one list of references) did not throw; the lesson documents a RangeError when the two lists differ in length.',
          'corpusBleu(两个假设, 一组参考) 没有抛出异常；课文说明两个列表长度不同时要抛出 RangeError。'),
        t('if (hypotheses.length !== referencesList.length) throw new RangeError(...).', 'if (hypotheses.length !== referencesList.length) throw new RangeError(...)。'));
      },
    },
    {
      name: t('corpusBleu: sacreBLEU\'s published values (tokenize \'none\', floor smoothing)', 'corpusBleu：sacreBLEU 公布的数值（tokenize \'none\'、floor 平滑）'),
      task: 'corpusBleu',
      run: (m) => {
        // The README corpus has a 3-token hypothesis ("It wasn't surprising."): NLTK's floor of its 4-gram count at 1 gives 0.4700...
        const keys: EvalMistake[] = ['sentence-average', 'arithmetic-mean', 'shortest-ref', 'bp-inverted', 'unclipped', 'nltk-floor'];
        const cases: { hyps: EvalTokens[]; refs: EvalTokens[][]; opts?: EvalBleuOptions; published: string; label: string }[] = [
          { hyps: S.readmeHyps, refs: S.readmeRefs, published: `${S.readmeBleu} (49.1919566 on sacreBLEU's 0-100 scale)`, label: 'sacreBLEU\'s README corpus' },
          { hyps: ['', '', ''], refs: S.readmeRefs, published: '0 (empty hypotheses)', label: 'three empty hypotheses' },
          { hyps: ['this is a test'], refs: [['this is a test']], published: '1.0', label: '"this is a test"' },
          { hyps: [S.fest.hyp], refs: [[S.fest.ref]], opts: { smoothing: 'epsilon', epsilon: S.fest.floor }, published: `${S.fest.bleu} (floor ${S.fest.floor})`, label: JSON.stringify(S.fest.hyp) },
          { hyps: [S.offset.hyp], refs: [[S.offset.ref]], opts: { smoothing: 'epsilon', epsilon: S.offset.floor }, published: `${S.offset.bleu} (floor ${S.offset.floor})`, label: JSON.stringify(S.offset.hyp) },
          { hyps: [S.offset.hyp], refs: [[S.offset.ref]], published: '0 (floor 0: no 4-gram match)', label: JSON.stringify(S.offset.hyp) },
        ];
        for (const c of cases) {
          const right = evalCorpusBleu(c.hyps, c.refs, c.opts ?? {});
          const what = `corpusBleu(${c.label}${c.opts ? `, ${JSON.stringify(c.opts)}` : ''})`;
          const got = c.opts ? m.corpusBleu(c.hyps, c.refs, c.opts) : m.corpusBleu(c.hyps, c.refs);
          expectNumber(got, right, what, {
            hint: t(`sacreBLEU's test_bleu.py: ${c.published}. ${BLEU_HINT.en}`, `sacreBLEU 的 test_bleu.py：${c.published}。${BLEU_HINT['zh-cn']}`),
            misconceptions: bleuMisconceptions(right, corpusVariants(c.hyps, c.refs, c.opts ?? {}, keys)),
          });
        }
      },
    },
    {
      name: t('corpusBleu on random corpora: clipping, closest lengths, brevity penalty and smoothing together', 'corpusBleu 在随机语料上：截断、最接近长度、简短惩罚和平滑一起检验'),
      task: 'corpusBleu',
      run: (m, ctx) => {
        const keys: EvalMistake[] = ['unclipped', 'shortest-ref', 'bp-inverted', 'arithmetic-mean', 'sentence-average'];
        const settings: [EvalBleuOptions | undefined, boolean][] = [[undefined, false], [undefined, true], [{ smoothing: 'epsilon', epsilon: 0.2 }, false], [{ maxN: 3 }, true], [{ maxN: 2, smoothing: 'epsilon' }, false]];
        for (const [opts, asStrings] of settings) {
          const { hyps, refs } = randomCorpus(ctx, asStrings);
          const copy = JSON.stringify([hyps, refs]);
          const right = evalCorpusBleu(hyps, refs, opts ?? {});
          const got = opts ? m.corpusBleu(hyps, refs, opts) : m.corpusBleu(hyps, refs);
          expectTrue(JSON.stringify([hyps, refs]) === copy, t('corpusBleu changed its input (a hypothesis or a reference list).', 'corpusBleu 修改了它的输入（某个假设或参考列表）。'));
          const corpusText = hyps.map((h, i) => `  ${show(h)}  ←  ${refs[i].map(show).join(' | ')}`).join('\n');
          const what = `corpusBleu(6 random ${asStrings ? 'string' : 'token-list'} hypotheses${opts ? `, ${JSON.stringify(opts)}` : ''})`;
          const bleuHint = t(`${BLEU_HINT.en}\nThe corpus (hypothesis ← references):\n${corpusText}`, `${BLEU_HINT['zh-cn']}\n语料（假设 ← 参考）：\n${corpusText}`);
          expectNumber(got, right, what, { hint: bleuHint, misconceptions: bleuMisconceptions(right, corpusVariants(hyps, refs, opts ?? {}, keys)) });
        }
      },
    },
    {
      name: t('rougeL: the ROUGE paper\'s example, rouge-score\'s tests and β', 'rougeL：ROUGE 论文中的例子、rouge-score 的测试和 β'),
      task: 'rougeL',
      run: (m) => {
        const lin = t('Lin (2004), section 3.1', 'Lin（2004）第 3.1 节');
        const rs = t('rouge-score\'s rouge_scorer_test.py', 'rouge-score 的 rouge_scorer_test.py');
        expectRouge(m, 'police kill the gunman', 'police killed the gunman', undefined, 'rougeL("police kill the gunman", "police killed the gunman")',
          { precision: 0.75, recall: 0.75, f: 0.75, atol: 1e-12, source: lin });
        expectRouge(m, 'the gunman kill police', 'police killed the gunman', undefined, 'rougeL("the gunman kill police", "police killed the gunman")',
          { precision: 0.5, recall: 0.5, f: 0.5, atol: 1e-12, source: lin });
        expectRouge(m, 'testing one', 'testing one two', undefined, 'rougeL("testing one", "testing one two")', { precision: 1, recall: 2 / 3, f: 0.8, atol: 1e-12, source: rs });
        expectRouge(m, ['testing', 'two'], ['testing', 'one', 'two'], undefined, 'rougeL(["testing", "two"], ["testing", "one", "two"])', { precision: 1, recall: 2 / 3, f: 0.8, atol: 1e-12, source: rs });
        expectRouge(m, '', 'testing one two', undefined, 'rougeL("", "testing one two")', { precision: 0, recall: 0, f: 0, atol: 0, source: rs });
        expectRouge(m, 'testing one', 'testing one two', 2, 'rougeL("testing one", "testing one two", { beta: 2 })');
        expectRouge(m, 'the whale the sea the ship', 'a ship on the sea', 0.5, 'rougeL("the whale the sea the ship", "a ship on the sea", { beta: 0.5 })');
        const lcs = m.lcsLength(['1', '2', '3', '4', '5'], ['2', '5', '3', '4']);
        expectNumber(lcs, 3, 'lcsLength([1, 2, 3, 4, 5], [2, 5, 3, 4])', { hint: t('rouge-score\'s testLcsTable: the LCS is 2, 3, 4 (length 3).', 'rouge-score 的 testLcsTable：LCS 是 2, 3, 4（长度 3）。') });
        expectNumber(m.lcsLength('police killed the gunman', 'police kill the gunman'), 3, 'lcsLength("police killed the gunman", "police kill the gunman")', {
          hint: t('Strings are split into tokens first (tokens(a), tokens(b)): the LCS counts words, "police the gunman".', '字符串要先切分成词元（tokens(a)、tokens(b)）：LCS 数的是词，"police the gunman"。'),
          misconceptions: [{ value: evalLcs([...'police killed the gunman'], [...'police kill the gunman']), ...M['lcs-chars'] }],
        });
      },
    },
    {
      name: t('rougeL against ROUGE-1.5.5 (rouge-score\'s test data and tokenizer)', 'rougeL 对照 ROUGE-1.5.5（rouge-score 的测试数据与分词器）'),
      task: 'rougeL',
      run: (m) => {
        EVAL_ROUGE155.forEach((e, i) => {
          const c = evalRougeScoreTokenize(e.prediction);
          const r = evalRougeScoreTokenize(e.target);
          expectRouge(m, c, r, undefined, `rougeL(prediction.txt line ${i + 1} (${c.length} tokens), target.txt line ${i + 1} (${r.length} tokens))`,
            { precision: e.precision, recall: e.recall, f: e.f, atol: 5e-6, source: t('ROUGE-1.5.5, as rouge-score\'s testRougeLAgainstRouge155', 'ROUGE-1.5.5，见 rouge-score 的 testRougeLAgainstRouge155') });
        });
      },
    },
    {
      name: t('what the scores miss: a paraphrase, a negation and scrambled words', '分数看不到的东西：改写、否定和打乱的词序'),
      task: 'sentenceBleu',
      run: (m, ctx) => {
        const rows: (string | Text)[][] = [];
        for (const c of MISS_CASES) {
          const bleu = evalCorpusBleu([c.text], [[MISS_REFERENCE]], { smoothing: 'epsilon' });
          const rouge = evalRougeL(c.text, MISS_REFERENCE).f;
          expectNumber(m.sentenceBleu(c.text, [MISS_REFERENCE], { smoothing: 'epsilon' }), bleu, `sentenceBleu(${JSON.stringify(c.text)}, [reference], { smoothing: 'epsilon' })`, { hint: BLEU_HINT });
          expectNumber(m.rougeL(c.text, MISS_REFERENCE).f, rouge, `rougeL(${JSON.stringify(c.text)}, reference).f`);
          rows.push([c.label, c.text, bleu.toFixed(3), rouge.toFixed(3)]);
        }
        ctx.artifact({
          kind: 'table',
          title: t(`What BLEU and ROUGE-L miss (reference: "${MISS_REFERENCE}")`, `BLEU 和 ROUGE-L 看不到的东西（参考句："${MISS_REFERENCE}"）`),
          columns: [t('candidate', '候选'), t('text', '文本'), t('BLEU (smoothed)', 'BLEU（平滑）'), t('ROUGE-L F', 'ROUGE-L F')],
          rows,
        });
      },
    },
  ],
});

