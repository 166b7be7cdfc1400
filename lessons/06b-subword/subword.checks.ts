/**
 * Checks for the subword lesson (subword/tokenizers): WordPiece, Unigram (Viterbi, expected counts, EM, pruning) and
 * SentencePiece's encoding.
 *
 * Expected values come from the course (@llm-lab/course/tokens): float64 references of every function, and for short
 * texts a brute-force enumeration of every segmentation (an independent reference for Viterbi and the expected
 * counts). Inputs are random vocabularies and texts from ctx.random, hand-worked cases (BERT's "unaffable"), and a
 * Unigram vocabulary counted from a Moby-Dick excerpt. Vocabularies are copied before the learner sees them, and
 * must come back unchanged.
 *
 * Which check names which catalogued mistake (lessons/06b-subword/mistakes.ts):
 *   check                                              names
 *   wordpiece: BERT's example and hand-worked ...      shortest-match, prefix-first, partial-unk
 *   wordpiece: random vocabularies ...                 the same three
 *   viterbi: hand-worked ...                           (a segmentation that is not the best, or its log-prob wrong)
 *   viterbi: random vocabularies, and a 1,000 ...      viterbi-underflow
 *   expectedCounts: ...                                counts-once
 *   emStep: ...                                        counts-once, sentencepiece-digamma (a convention: SentencePiece)
 *   prune: ...                                         prune-chars, prune-by-logprob
 *   spEncode and spDecode: ...                         space-at-end, byte-decimal, byte-codepoint
 * Not catalogued, said in plain words: a word's length counted in UTF-16 units instead of code points, an option
 * ignored, a piece that is not in the vocabulary, pieces that do not spell the text, a log-probability that is not
 * the sum of its pieces', new log-probs that do not sum to 1, a likelihood that falls during EM, a kept set of the
 * wrong size, a changed vocabulary, a decode that does not give the text back.
 */
import { type Text, defineChecks, fail, join, t } from '@llm-lab/check';
import {
  SUBWORD_SPACE, type SubwordLogProbs, subwordBruteCounts, subwordCorpusLikelihood, subwordEmStep, subwordExpected, subwordMobyWords,
  subwordPrune, subwordRandomLogProbs, subwordRandomText, subwordSeedVocab, subwordSegmentations, subwordSpDecode, subwordSpEncode,
  subwordMobyUnigram, subwordViterbi, subwordWordpiece, subwordWordpieceVocab,
} from '@llm-lab/course/tokens';
import { SUBWORD_MISTAKES as M, type SubwordMistake } from './mistakes';

type Learner = typeof import('./subword');

const show = (pieces: unknown): string => (Array.isArray(pieces)
  ? `[${pieces.slice(0, 12).map((p) => JSON.stringify(p)).join(', ')}${pieces.length > 12 ? `, … ${pieces.length - 12} more` : ''}]`
  : JSON.stringify(pieces) ?? String(pieces));
const same = (a: unknown, b: readonly string[]): boolean => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
const named = (key: SubwordMistake, detail: Text): never => fail(join([M[key].message, detail], ''), { hint: M[key].hint, convention: M[key].convention });
const cp = (s: string): number => Array.from(s).length;

/** Fails if a vocabulary (Set or Map) was changed by the learner. */
function expectUnchangedVocab(before: readonly unknown[], after: ReadonlySet<string> | ReadonlyMap<string, number>, fn: string): void {
  const now = after instanceof Map ? [...after] : [...after];
  const ok = now.length === before.length && now.every((x, i) => JSON.stringify(x) === JSON.stringify(before[i]));
  if (!ok) fail(t(`${fn} changed the vocabulary it was given: read it, do not modify it.`, `${fn} 修改了传给它的词表：只读取它，不要改动它。`));
}

// --- WordPiece -----------------------------------------------------------------------------------------------------

type WpCase = { word: string; vocab: ReadonlySet<string>; unk?: string; max?: number };

/** Runs the learner on every case; on the first difference names the variant that explains every case, if one does. */
function expectWordpiece(m: Learner, cases: WpCase[]): void {
  const got = cases.map((c) => {
    const before = [...c.vocab];
    const opts = c.unk !== undefined || c.max !== undefined ? { ...(c.unk !== undefined ? { unk: c.unk } : {}), ...(c.max !== undefined ? { maxInputCharsPerWord: c.max } : {}) } : undefined;
    const out = opts ? m.wordpiece(c.word, c.vocab, opts) : m.wordpiece(c.word, c.vocab);
    expectUnchangedVocab(before, c.vocab, 'wordpiece');
    return out;
  });
  const want = (c: WpCase, v: Parameters<typeof subwordWordpiece>[4] = 'reference') => subwordWordpiece(c.word, c.vocab, c.unk ?? '[UNK]', c.max ?? 100, v);
  const i = cases.findIndex((c, k) => !same(got[k], want(c)));
  if (i < 0) return;
  const c = cases[i];
  const head = Array.from(c.word).slice(0, 8).join('');
  const word = cp(c.word) > 16 ? t(`${head}…" (${cp(c.word)} code points)`, `${head}…"（${cp(c.word)} 个码位）`) : t(`${c.word}"`, `${c.word}"`);
  const detail = t(` (word "${word.en}: expected ${show(want(c))}, got ${show(got[i])})`, `（单词 "${word['zh-cn']}：应为 ${show(want(c))}，实际为 ${show(got[i])}）`);
  const map: [SubwordMistake, Parameters<typeof subwordWordpiece>[4]][] = [['shortest-match', 'shortest'], ['prefix-first', 'prefix-first'], ['partial-unk', 'partial-unk']];
  for (const [key, v] of map) if (cases.every((x, k) => same(got[k], want(x, v)))) named(key, detail);
  const unk = c.unk ?? '[UNK]';
  if (Array.isArray(got[i]) && got[i].length > 1 && got[i].includes(unk) && same(want(c), [unk])) named('partial-unk', detail);
  if (cp(c.word) !== c.word.length && cp(c.word) <= (c.max ?? 100) && c.word.length > (c.max ?? 100) && same(got[i], [unk])) {
    fail(join([t(`The word is ${cp(c.word)} code points long but ${c.word.length} UTF-16 units: maxInputCharsPerWord counts characters (code points), as Python's len(chars) does.`,
      `这个单词有 ${cp(c.word)} 个码位，但有 ${c.word.length} 个 UTF-16 单元：maxInputCharsPerWord 数的是字符（码位），就像 Python 的 len(chars)。`), detail], ''),
    { hint: t('const chars = Array.from(word), and compare chars.length with the limit.', 'const chars = Array.from(word)，再用 chars.length 和上限比较。') });
  }
  fail(join([t('wordpiece differs from BERT\'s greedy longest-match-first', 'wordpiece 与 BERT 的贪心最长匹配优先算法不一致'), c.unk !== undefined || c.max !== undefined ? t(` with options ${JSON.stringify({ unk: c.unk, maxInputCharsPerWord: c.max })}`, `（选项 ${JSON.stringify({ unk: c.unk, maxInputCharsPerWord: c.max })}）`) : t('', ''), detail], ''),
    { hint: t('From start = 0: try the longest rest of the word (with ## unless start is 0), shorten until it is in the vocabulary, take it, go on from its end; if nothing matches, the whole word is [unk]; a word longer than maxInputCharsPerWord code points is [unk].',
      '从 start = 0 开始：先试单词剩下的最长部分（start 不为 0 时加 ##），逐步缩短直到它在词表中，取下它，再从它的末尾继续；若什么都匹配不上，整个单词就是 [unk]；长度超过 maxInputCharsPerWord 个码位的单词也是 [unk]。') });
}

// --- Unigram -------------------------------------------------------------------------------------------------------

const close = (a: number, b: number, tol: number): boolean => (a === b) || (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)));

/** Why a segmentation is not a best one of text (or null): it must spell the text with pieces of the vocabulary, score its pieces' sum, and reach the best score. */
function segmentationProblem(text: string, lp: SubwordLogProbs, got: unknown, best: number): Text | null {
  const g = got as { pieces?: unknown; logProb?: unknown } | null;
  if (typeof g !== 'object' || g === null || !Array.isArray(g.pieces) || typeof g.logProb !== 'number') {
    return t(`viterbi returned ${JSON.stringify(got)}; expected { pieces: string[], logProb: number }`, `viterbi 返回了 ${JSON.stringify(got)}；应返回 { pieces: string[], logProb: number }`);
  }
  const pieces = g.pieces as unknown[];
  const where = t(` for "${text.length > 30 ? `${text.slice(0, 30)}…` : text}"`, `（文本 "${text.length > 30 ? `${text.slice(0, 30)}…` : text}"）`);
  if (best === -Infinity) {
    if (g.logProb === -Infinity && pieces.length === 0) return null;
    return join([t(`no segmentation exists (a character is not in the vocabulary), so expected { pieces: [], logProb: -Infinity }, got ${show(pieces.slice(0, 8))} and ${g.logProb}`, `不存在任何切分（有字符不在词表中），所以应为 { pieces: [], logProb: -Infinity }，实际为 ${show(pieces.slice(0, 8))} 和 ${g.logProb}`), where], '');
  }
  if (!pieces.every((p) => typeof p === 'string' && lp.has(p))) {
    const bad = pieces.find((p) => typeof p !== 'string' || !lp.has(p));
    return join([t(`the piece ${JSON.stringify(bad)} is not in the vocabulary`, `片段 ${JSON.stringify(bad)} 不在词表中`), where], '');
  }
  if (pieces.join('') !== text) return join([t(`the pieces ${show(pieces.slice(0, 10))} do not spell the text`, `片段 ${show(pieces.slice(0, 10))} 拼不出原文`), where], '');
  const sum = (pieces as string[]).reduce((s, p) => s + lp.get(p)!, 0);
  if (!close(g.logProb, sum, 1e-6)) return join([t(`logProb is ${g.logProb}, but the pieces' log-probs sum to ${sum}`, `logProb 是 ${g.logProb}，但各片段的对数概率之和是 ${sum}`), where], '');
  if (!close(sum, best, 1e-9)) return join([t(`the segmentation ${show(pieces.slice(0, 10))} has log-prob ${sum.toFixed(6)}, but the best one has ${best.toFixed(6)} (${show(subwordViterbi(text, lp).pieces.slice(0, 10))})`, `切分 ${show(pieces.slice(0, 10))} 的对数概率是 ${sum.toFixed(6)}，但最优切分是 ${best.toFixed(6)}（${show(subwordViterbi(text, lp).pieces.slice(0, 10))}）`), where], '');
  return null;
}

const VITERBI_HINT = t('best[end] = max over start of best[start] + logP(text[start..end)), with best[0] = 0 and -Infinity elsewhere; remember which start won, and walk back from the end.',
  'best[end] = 对所有 start 取 best[start] + logP(text[start..end)) 的最大值，其中 best[0] = 0，其余为 -Infinity；记下是哪个 start 取得最大值，再从末尾往回走。');

/** The hand-worked vocabulary of the lesson text (probabilities, not yet logs). */
const HELLO: [string, number][] = [['h', 0.1], ['e', 0.1], ['l', 0.2], ['o', 0.15], ['he', 0.1], ['ll', 0.1], ['lo', 0.05], ['hell', 0.1], ['llo', 0.1]];
const helloVocab = (): Map<string, number> => { const s = HELLO.reduce((a, [, p]) => a + p, 0); return new Map(HELLO.map(([k, p]) => [k, Math.log(p / s)])); };

function asCounts(got: unknown, fn: string): Map<string, number> {
  const g = got as { counts?: unknown; logProbs?: unknown } | null;
  const v = g && (g.counts ?? g.logProbs);
  if (!(v instanceof Map)) fail(t(`${fn} returned ${JSON.stringify(got)}; expected an object with a Map (see the scaffold's types)`, `${fn} 返回了 ${JSON.stringify(got)}；应返回一个包含 Map 的对象（见脚手架中的类型）`));
  return v as Map<string, number>;
}

/** The first key where two maps differ (missing = 0 for counts, or a key in one only for log-probs), or null. */
function mapDifference(got: Map<string, number>, want: Map<string, number>, tol: number, missingIsZero: boolean): { key: string; got: number | undefined; want: number | undefined } | null {
  for (const key of new Set([...want.keys(), ...got.keys()])) {
    const [a, b] = [got.get(key), want.get(key)];
    if (missingIsZero ? !close(a ?? 0, b ?? 0, tol) : a === undefined || b === undefined || !close(a, b, tol)) return { key, got: a, want: b };
  }
  return null;
}

const TOL = 1e-5; // float32 accumulation is accepted: about 1e-7 per operation, a few hundred operations
/** On 600 characters, float32 log-space tables (|fwd| ~ 700, ulp 6e-5, errors adding up along the text) move the counts by up to ~1e-3. */
const LONG_COUNTS = 5e-3;

// --- SentencePiece -------------------------------------------------------------------------------------------------

/** What a SentencePiece encoding spells and scores (byte pieces: UTF-8 characters that are no piece, at min − 10), or null if it is not one. */
function spScore(pieces: unknown, lp: SubwordLogProbs): { spelled: string; score: number } | null {
  if (!Array.isArray(pieces) || !pieces.every((p) => typeof p === 'string')) return null;
  let min = Infinity;
  for (const v of lp.values()) min = Math.min(min, v);
  let spelled = '';
  let score = 0;
  let bytes: number[] = [];
  const flush = (): boolean => {
    if (!bytes.length) return true;
    let chars: string;
    try { chars = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes)); } catch { return false; }
    bytes = [];
    for (const ch of chars) { if (lp.has(ch)) return false; spelled += ch; score += min - 10; }
    return true;
  };
  for (const p of pieces as string[]) {
    const m = /^<0x([0-9A-F]{2})>$/.exec(p);
    if (m) { bytes.push(parseInt(m[1], 16)); continue; }
    if (!flush() || !lp.has(p)) return null;
    spelled += p;
    score += lp.get(p)!;
  }
  return flush() ? { spelled, score } : null;
}

/** Another encoding as good as the reference's (a tie: the same pieces in another order, say) is accepted. */
function spEquallyGood(text: string, lp: SubwordLogProbs, got: unknown, want: string[]): boolean {
  const [g, w] = [spScore(got, lp), spScore(want, lp)];
  return !!g && !!w && g.spelled === w.spelled && w.spelled === SUBWORD_SPACE + text.split(' ').join(SUBWORD_SPACE) && close(g.score, w.score, 1e-9);
}

function spVocab(random: () => number): Map<string, number> {
  return subwordRandomLogProbs(random, `abc${SUBWORD_SPACE}`, 10, 4);
}

export default defineChecks<Learner>({
  exports: ['wordpiece', 'viterbi', 'expectedCounts', 'emStep', 'prune', 'spEncode', 'spDecode'],
  checks: [
    {
      name: t('wordpiece: BERT\'s example and hand-worked words (##, [UNK] for the whole word, 100 characters)', 'wordpiece：BERT 的例子和手算的单词（##、整个单词变 [UNK]、100 个字符）'),
      task: 'wordpiece',
      run: (m) => {
        const vocab = new Set(['un', 'able', 'a', 'u', '##aff', '##able', '##ff', '##n', '##a', '##f', '##b', '##l', '##e', '😀', '##😀']);
        const long = `u${'n'.repeat(99)}`;
        expectWordpiece(m, [
          { word: 'unaffable', vocab }, // BERT's docstring: ["un", "##aff", "##able"]
          { word: 'unable', vocab },
          { word: 'affable', vocab },
          { word: 'able', vocab },
          { word: 'unaffablez', vocab }, // 'z' is nowhere: the whole word is [UNK]
          { word: 'zunable', vocab },
          { word: '', vocab },
          { word: long, vocab }, //         100 code points: split
          { word: `${long}n`, vocab }, //   101: [UNK]
          { word: '😀'.repeat(60), vocab }, // 60 code points (120 UTF-16 units): split
          { word: 'unable', vocab, max: 5 },
          { word: 'unable', vocab, max: 6 },
          { word: 'unaffablez', vocab, unk: '<unk>' },
          { word: `${long}n`, vocab, unk: '<unk>' },
        ]);
      },
    },
    {
      name: t('wordpiece: random vocabularies against BERT\'s algorithm', 'wordpiece：随机词表下与 BERT 的算法比较'),
      task: 'wordpiece',
      run: (m, ctx) => {
        for (let v = 0; v < 6; v++) {
          const letters = 'abcde';
          const vocab = new Set<string>();
          for (const ch of letters) { if (ctx.random() < 0.9) vocab.add(ch); if (ctx.random() < 0.9) vocab.add(`##${ch}`); }
          for (let k = 0; k < 25; k++) {
            const piece = subwordRandomText(ctx.random, letters, 2 + Math.floor(ctx.random() * 4));
            vocab.add(ctx.random() < 0.5 ? piece : `##${piece}`);
          }
          const cases: WpCase[] = Array.from({ length: 20 }, () => ({ word: subwordRandomText(ctx.random, letters, 1 + Math.floor(ctx.random() * 12)), vocab }));
          cases.push({ word: subwordRandomText(ctx.random, letters, 9), vocab, max: 8 }, { word: subwordRandomText(ctx.random, letters, 7), vocab, unk: '[?]' });
          expectWordpiece(m, cases);
        }
      },
    },
    {
      name: t('viterbi: hand-worked segmentations and log-probabilities', 'viterbi：手算的切分和对数概率'),
      task: 'viterbi',
      run: (m) => {
        const lp = helloVocab();
        for (const text of ['hello', 'hell', 'he', 'llo', 'lol', 'hellohello', 'ohell', '', 'help', 'x']) {
          const before = [...lp];
          const got = m.viterbi(text, lp);
          expectUnchangedVocab(before, lp, 'viterbi');
          const segs = subwordSegmentations(text, lp);
          const best = segs.length ? Math.max(...segs.map((s) => s.logProb)) : -Infinity;
          const problem = segmentationProblem(text, lp, got, best);
          if (problem) fail(problem, { hint: VITERBI_HINT });
        }
      },
    },
    {
      name: t('viterbi: random vocabularies, and a 1,000-character text without underflow', 'viterbi：随机词表，以及一段 1,000 个字符的文本（不下溢）'),
      task: 'viterbi',
      run: (m, ctx) => {
        for (let v = 0; v < 5; v++) {
          const lp = subwordRandomLogProbs(ctx.random, 'abc', 15, 4);
          for (let k = 0; k < 8; k++) {
            const text = subwordRandomText(ctx.random, 'abc', 1 + Math.floor(ctx.random() * 12));
            const segs = subwordSegmentations(text, lp);
            const problem = segmentationProblem(text, lp, m.viterbi(text, lp), Math.max(...segs.map((s) => s.logProb)));
            if (problem) fail(problem, { hint: VITERBI_HINT });
          }
        }
        const lp = subwordRandomLogProbs(ctx.random, 'abcd', 30, 5);
        const text = subwordRandomText(ctx.random, 'abcd', 1000);
        const want = subwordViterbi(text, lp);
        const got = m.viterbi(text, lp);
        const problem = segmentationProblem(text, lp, got, want.logProb);
        if (!problem) return;
        const g = got as { logProb?: number; pieces?: unknown[] };
        if (!(Number.isFinite(g?.logProb)) || !Array.isArray(g?.pieces) || g.pieces.length === 0) {
          named('viterbi-underflow', t(` (1,000 characters: the best log-prob is ${want.logProb.toFixed(1)}, a probability of e^${want.logProb.toFixed(0)}; you returned logProb ${g?.logProb} with ${Array.isArray(g?.pieces) ? g.pieces.length : 0} pieces)`,
            `（1,000 个字符：最优对数概率是 ${want.logProb.toFixed(1)}，即概率 e^${want.logProb.toFixed(0)}；你返回的 logProb 是 ${g?.logProb}，共 ${Array.isArray(g?.pieces) ? g.pieces.length : 0} 个片段）`));
        }
        fail(problem, { hint: VITERBI_HINT });
      },
    },
    {
      name: t('expectedCounts: the likelihood and expected counts match a brute-force sum over every segmentation', 'expectedCounts：似然和期望计数与对所有切分的暴力求和一致'),
      task: 'expectedCounts',
      run: (m, ctx) => {
        const texts: [string, Map<string, number>][] = [['hellohello', helloVocab()], ['lol', helloVocab()], ['hex', helloVocab()], ['ababab', new Map([['a', Math.log(0.3)], ['b', Math.log(0.3)], ['ab', Math.log(0.4)]])]];
        for (let v = 0; v < 4; v++) {
          const lp = subwordRandomLogProbs(ctx.random, 'abc', 12, 3);
          for (let k = 0; k < 4; k++) texts.push([subwordRandomText(ctx.random, 'abc', 2 + Math.floor(ctx.random() * 11)), lp]);
        }
        const hint = t('fwd[e] = logsumexp over s of fwd[s] + logP(piece[s, e)); bwd[s] likewise from the end; Z = fwd[n]; each arc adds exp(fwd[s] + logP + bwd[e] − Z) to its piece\'s count.',
          'fwd[e] = 对 s 求 fwd[s] + logP(片段[s, e)) 的 logsumexp；bwd[s] 从末尾同样计算；Z = fwd[n]；每条弧把 exp(fwd[s] + logP + bwd[e] − Z) 加到它的片段的计数上。');
        for (const [text, lp] of texts) {
          const before = [...lp];
          const got = m.expectedCounts(text, lp);
          expectUnchangedVocab(before, lp, 'expectedCounts');
          const counts = asCounts(got, 'expectedCounts');
          const want = subwordBruteCounts(text, lp);
          const ll = (got as { logLikelihood?: unknown }).logLikelihood;
          const where = t(` for "${text}"`, `（文本 "${text}"）`);
          if (typeof ll !== 'number' || !close(ll, want.logLikelihood, TOL)) {
            const viterbiOnly = subwordViterbi(text, lp).logProb;
            fail(join([t(`logLikelihood is ${ll}, expected ${want.logLikelihood.toFixed(6)}: the log of the sum of the probabilities of EVERY segmentation${typeof ll === 'number' && close(ll, viterbiOnly, TOL) ? ' (you returned the best segmentation\'s log-prob only)' : ''}`,
              `logLikelihood 是 ${ll}，应为 ${want.logLikelihood.toFixed(6)}：它是所有切分的概率之和的对数${typeof ll === 'number' && close(ll, viterbiOnly, TOL) ? '（你只返回了最优切分的对数概率）' : ''}`), where], ''), { hint });
          }
          const d = mapDifference(counts, want.counts, TOL, true);
          if (!d) continue;
          const detail = t(` ("${text}": the count of "${d.key}" is ${d.got ?? 'missing'}, expected ${(d.want ?? 0).toFixed(6)})`, `（"${text}"：片段 "${d.key}" 的计数是 ${d.got ?? '缺失'}，应为 ${(d.want ?? 0).toFixed(6)}）`);
          const presence = subwordBruteCounts(text, lp, true).counts;
          if (!mapDifference(counts, presence, TOL, true)) named('counts-once', detail);
          fail(join([t('expectedCounts differs from the sum over every segmentation of P(segmentation | text) × the number of times the piece occurs in it', 'expectedCounts 与“对所有切分求 P(切分 | 文本) × 片段在其中出现的次数之和”不一致'), detail], ''), { hint });
        }
        // A long text: log space throughout (the float64 forward-backward of the course as reference).
        const lp = subwordRandomLogProbs(ctx.random, 'abc', 12, 3);
        const text = subwordRandomText(ctx.random, 'abc', 600);
        const want = subwordExpected(text, lp);
        const got = m.expectedCounts(text, lp);
        const counts = asCounts(got, 'expectedCounts');
        const ll = (got as { logLikelihood?: unknown }).logLikelihood;
        const d = mapDifference(counts, want.counts, LONG_COUNTS, true);
        if (typeof ll !== 'number' || !close(ll, want.logLikelihood, TOL) || d) {
          fail(t(`On a 600-character text (log-likelihood ${want.logLikelihood.toFixed(2)}) expectedCounts gives logLikelihood ${ll}${d ? ` and the count ${d.got} for "${d.key}" (expected ${(d.want ?? 0).toFixed(4)})` : ''}: probabilities this small underflow unless every sum is taken in log space.`,
            `在一段 600 个字符的文本上（对数似然 ${want.logLikelihood.toFixed(2)}），expectedCounts 给出的 logLikelihood 是 ${ll}${d ? `，"${d.key}" 的计数是 ${d.got}（应为 ${(d.want ?? 0).toFixed(4)}）` : ''}：这么小的概率，除非每个求和都在对数空间里做，否则会下溢。`),
          { hint: t('Sum with log-sum-exp: logAdd(a, b) = max(a, b) + log1p(exp(−|a − b|)), starting from -Infinity.', '用 log-sum-exp 求和：logAdd(a, b) = max(a, b) + log1p(exp(−|a − b|))，从 -Infinity 开始。') });
        }
      },
    },
    {
      name: t('emStep: one EM step on a corpus, and the likelihood never falls over five steps on Moby-Dick (live curve)', 'emStep：语料上的一次 EM 迭代，以及在《白鲸记》上五次迭代中似然从不下降（实时曲线）'),
      task: 'emStep',
      run: (m, ctx) => {
        const hint = t('E: add up expectedCounts(sentence).counts over the sentences, and their logLikelihoods; M: log p = log(c / Σc) for every piece with c > 0.',
          'E 步：把各句子的 expectedCounts(sentence).counts 加起来，logLikelihood 也加起来；M 步：对每个 c > 0 的片段令 log p = log(c / Σc)。');
        const check = (sentences: string[], lp: Map<string, number>, label: Text) => {
          const before = [...lp];
          const got = m.emStep(sentences, lp);
          expectUnchangedVocab(before, lp, 'emStep');
          const next = asCounts(got, 'emStep');
          const want = subwordEmStep(sentences, lp);
          const ll = (got as { logLikelihood?: unknown }).logLikelihood;
          if (typeof ll !== 'number' || !close(ll, want.logLikelihood, TOL)) {
            fail(join([t(`emStep's logLikelihood is ${ll}, expected ${want.logLikelihood.toFixed(6)}, the corpus's log-likelihood under the log-probs it was GIVEN (the sum over sentences)`, `emStep 的 logLikelihood 是 ${ll}，应为 ${want.logLikelihood.toFixed(6)}，即在传入的对数概率下整个语料的对数似然（各句子之和）`), label], ''), { hint });
          }
          const d = mapDifference(next, want.logProbs, TOL, false);
          if (!d) return next;
          const detail = join([t(` (the new log-prob of "${d.key}" is ${d.got ?? 'missing'}, expected ${d.want === undefined ? 'none: its expected count is 0' : d.want.toFixed(6)})`, `（"${d.key}" 的新对数概率是 ${d.got ?? '缺失'}，应为 ${d.want === undefined ? '没有：它的期望计数是 0' : d.want.toFixed(6)}）`), label], '');
          if (!mapDifference(next, subwordEmStep(sentences, lp, 'sentencepiece').logProbs, 1e-4, false)) named('sentencepiece-digamma', detail);
          if (!mapDifference(next, subwordEmStep(sentences, lp, 'once-per-sentence').logProbs, TOL, false)) named('counts-once', detail);
          let total = 0;
          for (const v of next.values()) total += Math.exp(v);
          if (Math.abs(total - 1) > 1e-4) fail(join([t(`the new probabilities sum to ${total.toFixed(6)}, not 1`, `新的概率之和是 ${total.toFixed(6)}，不是 1`), detail], ''), { hint });
          return fail(join([t('emStep differs from one EM step (expected counts summed over the sentences, then normalised)', 'emStep 与一次 EM 迭代（对各句子的期望计数求和，再归一化）不一致'), detail], ''), { hint });
        };
        check(['ababab', 'abab', 'ba'], new Map([['a', Math.log(0.3)], ['b', Math.log(0.3)], ['ab', Math.log(0.3)], ['ba', Math.log(0.1)]]), t(' (hand-worked: "ababab", "abab", "ba")', '（手算："ababab"、"abab"、"ba"）'));
        for (let v = 0; v < 3; v++) {
          const lp = subwordRandomLogProbs(ctx.random, 'abcd', 14, 3);
          const sentences = Array.from({ length: 6 }, () => subwordRandomText(ctx.random, 'abcd', 3 + Math.floor(ctx.random() * 10)));
          check(sentences, lp, t(` (random corpus ${v + 1}: ${sentences.map((s) => `"${s}"`).join(', ')})`, `（随机语料 ${v + 1}：${sentences.map((s) => `"${s}"`).join('、')}）`));
        }
        // Moby-Dick: five steps from a vocabulary of frequent substrings; the likelihood must not fall.
        const words = subwordMobyWords().slice(0, 500);
        let lp: Map<string, number> = subwordSeedVocab(words, 5, 3);
        const start = lp.size;
        const lls: number[] = [];
        const curve = () => ctx.progress({ kind: 'curve', title: t('Unigram EM on 500 words of Moby-Dick: corpus log-likelihood per step', 'Unigram EM（《白鲸记》中的 500 个单词）：每次迭代的语料对数似然'),
          xLabel: t('EM step', 'EM 迭代'), yLabel: t('log-likelihood (nats)', '对数似然（nat）'), series: [{ name: t('your emStep', '你的 emStep'), x: lls.map((_, i) => i), y: lls }] });
        for (let step = 0; step < 5; step++) {
          const out = m.emStep(words, lp);
          const ll = (out as { logLikelihood?: unknown }).logLikelihood;
          const want = subwordCorpusLikelihood(words, lp);
          if (typeof ll !== 'number' || !close(ll, want, TOL)) fail(t(`EM step ${step} on Moby-Dick: logLikelihood ${ll}, expected ${want.toFixed(3)}.`, `《白鲸记》上的第 ${step} 次 EM 迭代：logLikelihood 是 ${ll}，应为 ${want.toFixed(3)}。`), { hint });
          lls.push(ll as number);
          curve();
          if (step > 0 && ll < lls[step - 1] - 1e-6 * Math.abs(ll)) {
            fail(t(`The corpus log-likelihood fell from ${lls[step - 1].toFixed(3)} to ${(ll as number).toFixed(3)} at EM step ${step}: an EM step with maximum-likelihood counts never lowers it.`, `语料对数似然在第 ${step} 次 EM 迭代时从 ${lls[step - 1].toFixed(3)} 降到了 ${(ll as number).toFixed(3)}：使用最大似然计数的 EM 迭代绝不会降低它。`), { hint });
          }
          lp = asCounts(out, 'emStep');
        }
        const sentences = ['the whale', 'call me ishmael', 'the sea was calm'];
        ctx.artifact({ kind: 'table', title: t(`Your viterbi with the log-probs after 5 EM steps (${start} pieces at the start, ${lp.size} with a count above 0)`, `用 5 次 EM 迭代后的对数概率做你的 viterbi 切分（开始时 ${start} 个片段，计数大于 0 的有 ${lp.size} 个）`),
          columns: [t('text', '文本'), t('pieces', '片段'), t('log-prob', '对数概率')],
          rows: [...new Set(sentences.flatMap((s) => s.split(' ')))].map((w) => { const r = m.viterbi(w, lp); return [w, r.pieces.join(' | '), Math.round(r.logProb * 1000) / 1000]; }) });
      },
    },
    {
      name: t('prune: keeps every character and the pieces whose removal costs the most likelihood', 'prune：保留每个字符，以及删掉后似然损失最大的片段'),
      task: 'prune',
      run: (m, ctx) => {
        const hint = t('loss(p) = L(V) − L(V without p) for every piece longer than one character (L: Σ of expectedCounts(s).logLikelihood); keep the characters and the size − (number of characters) largest losses (ties: higher log-prob, then the smaller string); log-probs unchanged.',
          '对每个长于一个字符的片段，loss(p) = L(V) − L(V 去掉 p)（L：各句 expectedCounts(s).logLikelihood 之和）；保留所有字符，以及损失最大的 size −（字符个数）个片段（并列时：对数概率大的优先，再按字符串从小到大）；对数概率保持不变。');
        for (let v = 0; v < 4; v++) {
          const lp = subwordRandomLogProbs(ctx.random, 'abcd', 12, 3);
          // A corpus drawn from the model itself, so that most pieces occur.
          const pieces = [...lp.keys()];
          const sentences = Array.from({ length: 8 }, () => Array.from({ length: 2 + Math.floor(ctx.random() * 4) }, () => pieces[Math.floor(ctx.random() * pieces.length)]).join(''));
          const chars = pieces.filter((p) => cp(p) === 1).length;
          for (const size of [chars + 5, chars + 1, chars, 2, lp.size + 3]) {
            const before = [...lp];
            const got = m.prune(sentences, lp, size);
            expectUnchangedVocab(before, lp, 'prune');
            if (!(got instanceof Map)) fail(t(`prune returned ${JSON.stringify(got)}; expected a Map of the kept pieces to their log-probs`, `prune 返回了 ${JSON.stringify(got)}；应返回一个从保留的片段到其对数概率的 Map`), { hint });
            const want = subwordPrune(sentences, lp, size);
            const key = (x: Map<string, number>) => [...x.keys()].sort().join(' ');
            if (key(got) === key(want) && [...want].every(([p, l]) => got.get(p) === l)) continue;
            const detail = t(` (size ${size}, ${chars} characters, corpus ${sentences.map((s) => `"${s}"`).join(', ')}: expected {${key(want)}}, got {${key(got)}})`,
              `（size ${size}，${chars} 个字符，语料 ${sentences.map((s) => `"${s}"`).join('、')}：应为 {${key(want)}}，实际为 {${key(got)}}）`);
            if (pieces.some((p) => cp(p) === 1 && !got.has(p))) named('prune-chars', detail);
            if (key(got) === key(subwordPrune(sentences, lp, size, 'by-logprob'))) named('prune-by-logprob', detail);
            if (key(got) === key(want)) fail(join([t('the kept pieces are right, but their log-probs changed: pruning keeps them as they were', '保留的片段是对的，但它们的对数概率变了：剪枝时应保持原值'), detail], ''), { hint });
            fail(join([t('prune kept other pieces than the rule says', 'prune 保留的片段与规则不符'), detail], ''), { hint });
          }
        }
      },
    },
    {
      name: t('spEncode and spDecode: ▁ for spaces, byte fallback as <0xE4>, hand-worked and random texts', 'spEncode 和 spDecode：空格变 ▁，字节回退写成 <0xE4>，手算和随机文本'),
      task: 'spEncode',
      run: (m, ctx) => {
        const hint = t("Encode SPACE + text.replaceAll(' ', SPACE) with Viterbi, where a character that is no piece may stand alone at min(log-probs) − 10; write such a character as one <0xHH> piece per UTF-8 byte (upper-case hex). spDecode: bytes of byte pieces and of the other pieces together, UTF-8-decoded, ▁ → space, the first space dropped.",
          "对 SPACE + text.replaceAll(' ', SPACE) 做 Viterbi，其中不是片段的字符可以单独成段，得分为 min(对数概率) − 10；这样的字符按 UTF-8 字节写成每字节一个 <0xHH> 片段（大写十六进制）。spDecode：把字节片段和其他片段的字节连在一起做 UTF-8 解码，▁ → 空格，去掉第一个空格。");
        const S = SUBWORD_SPACE;
        const raw: [string, number][] = [[`${S}the`, 0.1], [`${S}whale`, 0.05], [S, 0.1], ['t', 0.05], ['h', 0.05], ['e', 0.1], ['w', 0.05], ['a', 0.1], ['l', 0.05], ['s', 0.05], ['!', 0.05], [`${S}wh`, 0.05], ['ale', 0.05], ['es', 0.05]];
        const total = raw.reduce((a, [, p]) => a + p, 0);
        const hand = new Map(raw.map(([k, p]) => [k, Math.log(p / total)]));
        const cases: [string, Map<string, number>][] = [['the whale', hand], ['whales', hand], ['the 中 whale!', hand], ['the whale 🐳', hand], ['tête', hand]];
        for (let v = 0; v < 4; v++) {
          const lp = spVocab(ctx.random);
          for (let k = 0; k < 6; k++) {
            const words = Array.from({ length: 1 + Math.floor(ctx.random() * 4) }, () => subwordRandomText(ctx.random, 'abcabcé中😀', 1 + Math.floor(ctx.random() * 6)));
            cases.push([words.join(' '), lp]);
          }
        }
        for (const [text, lp] of cases) {
          const before = [...lp];
          const got = m.spEncode(text, lp);
          expectUnchangedVocab(before, lp, 'spEncode');
          const want = subwordSpEncode(text, lp);
          const detail = t(` (text ${JSON.stringify(text)}: expected ${show(want)}, got ${show(got)})`, `（文本 ${JSON.stringify(text)}：应为 ${show(want)}，实际为 ${show(got)}）`);
          if (!same(got, want) && !spEquallyGood(text, lp, got, want)) {
            if (same(got, subwordSpEncode(text, lp, 'space-at-end'))) named('space-at-end', detail);
            if (same(got, subwordSpEncode(text, lp, 'byte-decimal'))) named('byte-decimal', detail);
            if (same(got, subwordSpEncode(text, lp, 'byte-codepoint'))) named('byte-codepoint', detail);
            if (Array.isArray(got) && got.some((p) => /^<\d+>$/.test(String(p)))) named('byte-decimal', detail);
            if (Array.isArray(got) && got.some((p) => /^<0x[0-9A-Fa-f]{3,}>$/.test(String(p)))) named('byte-codepoint', detail);
            if (Array.isArray(got) && got.length && String(got[got.length - 1]).endsWith(S) && !String(got[0]).startsWith(S) && !text.endsWith(' ')) named('space-at-end', detail);
            fail(join([t('spEncode differs from SentencePiece\'s encoding', 'spEncode 与 SentencePiece 的编码不一致'), detail], ''), { hint });
          }
          const back = m.spDecode([...want]);
          if (back !== text) {
            fail(t(`spDecode(${show(want)}) gave ${JSON.stringify(back)}; expected the text back, ${JSON.stringify(text)}.`, `spDecode(${show(want)}) 给出了 ${JSON.stringify(back)}；应还原出原文 ${JSON.stringify(text)}。`), { hint });
          }
        }
        // Bytes that do not make a character: U+FFFD, as Python's errors="replace" and SentencePiece.
        const broken = [`${S}a`, '<0xE4>', '<0xB8>', `${S}b`];
        const back = m.spDecode(broken);
        const want = subwordSpDecode(broken);
        if (back !== want) fail(t(`spDecode(${show(broken)}) gave ${JSON.stringify(back)}; expected ${JSON.stringify(want)}: two bytes of a three-byte character decode to U+FFFD.`, `spDecode(${show(broken)}) 给出了 ${JSON.stringify(back)}；应为 ${JSON.stringify(want)}：三字节字符只有两个字节时解码为 U+FFFD。`), { hint });
        // The three tokenizers side by side on Moby-Dick, with vocabularies the course trained (your code cuts).
        const unigram = subwordMobyUnigram();
        const wpVocab = subwordWordpieceVocab(unigram);
        const lines = ['Call me Ishmael.', 'the white whale', 'whaleman’s harpoon', 'Queequeg 中 🐳'];
        const cut = (f: () => string[]): string => { try { return f().join(' '); } catch { return '—'; } };
        ctx.artifact({ kind: 'table', title: t(`Your wordpiece and spEncode on Moby-Dick (vocabularies of ${unigram.size} pieces, Unigram EM on the book by the course)`, `你的 wordpiece 和 spEncode 在《白鲸记》上的切分（词表共 ${unigram.size} 个片段，由课程在书上做 Unigram EM 得到）`),
          columns: [t('text', '文本'), t('wordpiece, word by word (lowercased)', 'wordpiece，逐词（转小写）'), t('spEncode', 'spEncode')],
          rows: lines.map((line) => [line, line.toLowerCase().split(/[^a-z]+/).filter(Boolean).map((w) => cut(() => m.wordpiece(w, wpVocab))).join(' · '), cut(() => m.spEncode(line.toLowerCase(), unigram))]) });
      },
    },
  ],
});
