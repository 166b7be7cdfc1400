/**
 * Checks for the BPE lesson (bpe/tokenizer): merge, trainBpe, encode and decode of a byte-level BPE tokenizer.
 *
 * Expected values are hand-worked (the small cases, written out below) or come from the course reference
 * (@llm-lab/course/tokens: bpeRefTrain, bpeRefEncode, bpeRefDecode), an independent implementation that groups
 * identical chunks (as Hugging Face's trainer does) where the lesson's solution recounts every chunk (as minbpe does).
 * The independent reference of the last check is GPT-2 itself: bpe-data.json holds the merges gpt-tokenizer (MIT)
 * applies to a held-out chapter of Moby-Dick and its ids (made by src/course/tokens/make-bpe-data.ts).
 * Every input is copied before the learner sees it, and checked unchanged afterwards.
 *
 * Which check names which catalogued mistake (lessons/06a-bpe/mistakes.ts):
 *   check                                                      names
 *   merge: hand-worked sequences ...                           merge-overlap
 *   trainBpe: hand-worked merges and counts ...                tie-first-occurrence (convention: minbpe), across-pretokens
 *   trainBpe: the exact merge list ... Moby-Dick (live) ...    tie-first-occurrence (convention: minbpe), across-pretokens
 *   trainBpe: 200 merges on 10,000 characters ...              (time only: not a catalogued mistake)
 *   encode: hand-worked ids ...                                encode-leftmost, across-pretokens, merge-overlap
 *   encode and decode: the round trip ...                      across-pretokens, encode-leftmost, decode-per-token
 *   special tokens: ...                                        special-as-text
 *   decode: bytes that split a UTF-8 character ...             decode-per-token
 *   GPT-2's merges: ...                                        encode-leftmost (not across-pretokens: on this chapter no merge GPT-2
 *                                                              applies happens to span two chunks)
 * Not catalogued, said in plain words: a merge from the right, pairs counted without overlap, wrong counts reported
 * to onMerge, too few or too many merges (no early stop, or a stop too early), the input mutated, a wrong id for a new
 * token, an unknown id not refused, a default pattern other than GPT-2's, slow training.
 */
import { type CheckContext, type Text, defineChecks, expectTrue, fail, join, t } from '@llm-lab/check';
import {
  BPE_GPT2_PATTERN, type BpeMerge, bpeBytes, bpeRefDecode, bpeRefEncode, bpeRefTrain, bpeShowToken, bpeVocab,
} from '@llm-lab/course/tokens';
import DATA from './bpe-data.json';
import { BPE_MISTAKES as M, type BpeMistake } from './mistakes';

type Learner = typeof import('./tokenizer');

/** The reference's merges, computed once per text and setting (they do not depend on the learner). */
const memo = new Map<string, ReturnType<typeof bpeRefTrain>>();
function refTrain(text: string, n: number, opts: { pattern?: RegExp | null; tie?: 'smallest' | 'first' } = {}): ReturnType<typeof bpeRefTrain> {
  const k = `${n}|${opts.pattern === null ? 'null' : 'gpt2'}|${opts.tie ?? 'smallest'}|${text}`;
  if (!memo.has(k)) memo.set(k, bpeRefTrain(text, n, opts));
  return memo.get(k)!;
}

const pairs = (flat: readonly number[]): BpeMerge[] => Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);
const GPT2_MERGES = pairs(DATA.gpt2.merges);
const show = (v: unknown): string => JSON.stringify(v, (_, x) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x));
const same = (a: unknown, b: unknown): boolean => show(a) === show(b);

/** Fails naming a catalogued mistake (its message verbatim, then the detail), as a convention when the entry is one. */
function named(key: BpeMistake, detail: Text): never {
  const m = M[key];
  return fail(join([m.message, detail]), { hint: m.hint, convention: m.convention });
}

/** The learner's merges as plain pairs (a list of [a, b]), or a failure that says what came back. */
function asMerges(got: unknown, what: string): BpeMerge[] {
  if (!Array.isArray(got) || got.some((p) => !(Array.isArray(p) || ArrayBuffer.isView(p)) || (p as ArrayLike<number>).length !== 2)) {
    fail(t(`${what} returned ${show(got)?.slice(0, 120)}; expected a list of merges, each a pair [a, b] of ids.`,
      `${what} 返回了 ${show(got)?.slice(0, 120)}；应返回合并列表，每个合并是一对 id [a, b]。`));
  }
  return (got as ArrayLike<number>[]).map((p) => [Number(p[0]), Number(p[1])]);
}

function asIds(got: unknown, what: string): number[] {
  if (!(Array.isArray(got) || ArrayBuffer.isView(got)) || Array.from(got as ArrayLike<unknown>).some((x) => typeof x !== 'number')) {
    fail(t(`${what} returned ${show(got)?.slice(0, 120)}; expected an array of ids (numbers).`, `${what} 返回了 ${show(got)?.slice(0, 120)}；应返回 id（数字）数组。`));
  }
  return Array.from(got as ArrayLike<number>);
}

/** Calls trainBpe on copies, recording what onMerge reports. */
function train(m: Learner, text: string, n: number, pattern?: RegExp | null): { merges: BpeMerge[]; reported: { pair: BpeMerge; id: number; count: number }[] } {
  const reported: { pair: BpeMerge; id: number; count: number }[] = [];
  const opts = { ...(pattern !== undefined ? { pattern } : {}), onMerge: (pair: BpeMerge, id: number, count: number) => { reported.push({ pair: [pair[0], pair[1]], id, count }); } };
  const what = `trainBpe(${show(text.length > 24 ? `${text.slice(0, 20)}…` : text)}, ${n}${pattern === null ? ', { pattern: null }' : ''})`;
  return { merges: asMerges(m.trainBpe(text, n, opts), what), reported };
}

/**
 * Confirms a diagnosis on a second, hand-worked input where it shows plainly, so that a file whose output matches a
 * mistake's by coincidence is not told it has that mistake.
 */
function confirmed(m: Learner, hypothesis: 'tie-first' | 'train-across' | 'encode-leftmost' | 'encode-across' | 'decode-per-token'): boolean {
  try {
    switch (hypothesis) {
      // Five pairs tied at 1: the first (c, d) is neither the smallest (a, b) nor the largest (e, f).
      case 'tie-first': return same(asMerges(m.trainBpe('cdabef', 1, { pattern: null }), 'trainBpe'), [[99, 100]]);
      case 'train-across': return same(asMerges(m.trainBpe('hug hug hug', 10), 'trainBpe'), refTrain('hug hug hug', 10, { pattern: null }).merges);
      case 'encode-leftmost': return same(asIds(m.encode('abc', [[98, 99], [97, 98]], { pattern: null }), 'encode'), [257, 99]);
      case 'encode-across': return same(asIds(m.encode('ab ab', [[98, 32], [97, 98]]), 'encode'), [97, 256, 257]);
      case 'decode-per-token': return m.decode([256, 0xba], [[97, 0xce]]) === 'a\uFFFD\uFFFD';
    }
  } catch {
    return false;
  }
}

/** Compares a learner's merge list and onMerge reports with the reference, naming a catalogued mistake when it is one. */
function expectMerges(m: Learner, text: string, n: number, pattern: RegExp | null | undefined, got: ReturnType<typeof train>, label: Text): void {
  const want = refTrain(text, n, { pattern });
  const where = t(` (${label.en})`, `（${label['zh-cn']}）`);
  if (!same(got.merges, want.merges)) {
    if (same(got.merges, refTrain(text, n, { pattern, tie: 'first' }).merges) && confirmed(m, 'tie-first')) {
      const k = got.merges.findIndex((p, i) => !same(p, want.merges[i]));
      named('tie-first-occurrence', t(`Merge ${k}${where.en}: you chose ${show(got.merges[k])}, the smallest of the tied pairs is ${show(want.merges[k])} (both occur ${want.counts[k]} times).`,
        `第 ${k} 个合并${where['zh-cn']}：你选了 ${show(got.merges[k])}，平局词对中最小的是 ${show(want.merges[k])}（两者都出现 ${want.counts[k]} 次）。`));
    }
    if (pattern !== null && same(got.merges, refTrain(text, n, { pattern: null }).merges) && confirmed(m, 'train-across')) {
      named('across-pretokens', t(`Your merges${where.en} are those of the whole text as one chunk (pattern ignored).`, `你的合并${where['zh-cn']}正是把整段文本当作一个块（忽略了正则模式）得到的合并。`));
    }
    if (got.merges.length !== want.merges.length && same(got.merges.slice(0, want.merges.length), want.merges)) {
      fail(t(`trainBpe returned ${got.merges.length} merges${where.en}; expected ${want.merges.length}: after that no chunk has two ids left, so training stops early.`,
        `trainBpe 返回了 ${got.merges.length} 个合并${where['zh-cn']}；应为 ${want.merges.length} 个：之后没有任何块还剩两个 id，训练应提前结束。`),
      { hint: t('Stop when the pair counts are empty (no chunk has two ids left): if (counts.size === 0) break.', '当词对计数为空（没有块还剩两个 id）时停止：if (counts.size === 0) break。') });
    }
    const k = want.merges.findIndex((p, i) => !same(p, got.merges[i]));
    const i = k < 0 ? want.merges.length : k;
    const tok = (p: BpeMerge | undefined, merges: BpeMerge[]) => (p ? `${show(p)} '${bpeShowToken([...bpeVocab(merges)[p[0]] ?? [], ...bpeVocab(merges)[p[1]] ?? []])}'` : 'nothing');
    fail(t(`merge ${i}${where.en} is ${tok(got.merges[i], got.merges)}, expected ${tok(want.merges[i], want.merges)} (occurring ${want.counts[i]} times); the first ${i} merges agree.`,
      `第 ${i} 个合并${where['zh-cn']}是 ${tok(got.merges[i], got.merges)}，应为 ${tok(want.merges[i], want.merges)}（出现 ${want.counts[i]} 次）；前 ${i} 个合并一致。`),
    { hint: t('Count every adjacent pair inside every chunk (overlapping ones too: "aaa" has (a, a) twice), take the highest count (ties: the smallest pair), merge it left to right in every chunk.',
      '在每个块内统计每一对相邻 id（重叠的也算："aaa" 中 (a, a) 出现两次），取计数最大的（平局取最小的词对），再在每个块中从左到右合并。') });
  }
  const bad = want.merges.findIndex((p, i) => !got.reported[i] || !same(got.reported[i].pair, p) || got.reported[i].id !== 256 + i || got.reported[i].count !== want.counts[i]);
  if (bad >= 0 || got.reported.length !== want.merges.length) {
    const i = bad >= 0 ? bad : want.merges.length;
    fail(t(`onMerge call ${i}${where.en} reported ${show(got.reported[i] ?? 'nothing')}; expected ${show(want.merges[i] ? { pair: want.merges[i], id: 256 + i, count: want.counts[i] } : 'no call')} (${want.merges.length} calls, one per merge, with the pair's count over every chunk).`,
      `第 ${i} 次 onMerge 调用${where['zh-cn']}报告了 ${show(got.reported[i] ?? '无')}；应为 ${show(want.merges[i] ? { pair: want.merges[i], id: 256 + i, count: want.counts[i] } : '没有调用')}（共 ${want.merges.length} 次，每个合并一次，count 是该词对在所有块中的出现次数）。`),
    { hint: t('Call opts.onMerge?.(pair, 256 + i, count) once per merge, right after choosing it; count is the number of times the pair occurred (every position counts).',
      '每选出一个合并，就调用一次 opts.onMerge?.(pair, 256 + i, count)；count 是该词对出现的次数（每个位置都算）。') });
  }
}

/** The learner's encode on a copy of the merges, checked for mutation. */
function encodeWith(m: Learner, text: string, merges: readonly BpeMerge[], opts: { pattern?: RegExp | null; special?: Record<string, number> } = {}): number[] {
  const copy = merges.map((p) => [p[0], p[1]] as BpeMerge);
  const ids = asIds(m.encode(text, copy, { ...opts, ...(opts.special ? { special: { ...opts.special } } : {}) }), 'encode');
  expectTrue(same(copy, merges), t('encode changed the merges list it was given: read it, do not modify it.', 'encode 修改了传给它的合并列表：只读取，不要改动。'));
  return ids;
}

/** Explains why the learner's ids differ from the reference's, naming a catalogued mistake when it is one. */
function expectIds(m: Learner, got: number[], text: string, merges: readonly BpeMerge[], opts: { pattern?: RegExp | null; special?: Record<string, number> }, label: Text): void {
  const want = bpeRefEncode(text, merges, opts);
  if (same(got, want)) return;
  const where = t(` (${label.en})`, `（${label['zh-cn']}）`);
  if (opts.pattern !== null && same(got, bpeRefEncode(text, merges, { ...opts, pattern: null })) && confirmed(m, 'encode-across')) {
    named('across-pretokens', t(`encode${where.en} merged across chunks: your ids are those of the text encoded as one chunk.`, `encode${where['zh-cn']}跨块合并了：你的 id 正是把文本当作一个块编码得到的。`));
  }
  if (same(got, bpeRefEncode(text, merges, { ...opts, order: 'leftmost' })) && confirmed(m, 'encode-leftmost')) {
    named('encode-leftmost', t(`Your ids${where.en}: ${show(got.slice(0, 12))}; expected ${show(want.slice(0, 12))}.`, `你的 id${where['zh-cn']}：${show(got.slice(0, 12))}；应为 ${show(want.slice(0, 12))}。`));
  }
  const i = want.findIndex((v, k) => v !== got[k]);
  const at = i < 0 ? want.length : i;
  const vocab = bpeVocab(merges);
  const tok = (id: number | undefined) => (id === undefined ? 'nothing' : vocab[id] ? `${id} '${bpeShowToken(vocab[id])}'` : String(id));
  const before = want.slice(Math.max(0, at - 4), at).map((id) => bpeShowToken(vocab[id] ?? [])).join('|');
  fail(t(`encode${where.en}: ${got.length} ids, expected ${want.length}; the first difference is at position ${at}: ${tok(got[at])}, expected ${tok(want[at])} (after …${before}).`,
    `encode${where['zh-cn']}：得到 ${got.length} 个 id，应为 ${want.length} 个；第一处不同在位置 ${at}：${tok(got[at])}，应为 ${tok(want[at])}（前文 …${before}）。`),
  { hint: t('Cut the text into chunks with the pattern; in each chunk, repeatedly merge the adjacent pair with the lowest merge index until no pair has one.',
    '用正则模式把文本切成块；在每个块中，反复合并合并序号最小的相邻词对，直到没有词对可合并。') });
}

/** Whether the pair (x, x) occurs overlapping in ids (x, x, x). */
const overlaps = (ids: readonly number[], pair: BpeMerge): boolean => pair[0] === pair[1] && ids.some((v, i) => v === pair[0] && ids[i + 1] === v && ids[i + 2] === v);

/** A merge that replaces occurrences from the right (a bug): (a, a) in 'aaa' -> [a, aa]. */
function fromRight(ids: readonly number[], pair: BpeMerge, id: number): number[] {
  const out: number[] = [];
  for (let i = ids.length - 1; i >= 0;) {
    if (i >= 1 && ids[i - 1] === pair[0] && ids[i] === pair[1]) { out.push(id); i -= 2; } else { out.push(ids[i]); i -= 1; }
  }
  return out.reverse();
}

const ETYMOLOGY = DATA.train.slice(DATA.train.indexOf('"WHALE.'), DATA.train.indexOf('EXTRACTS.'));

type BookRun = { merges: BpeMerge[]; reported: { pair: BpeMerge; id: number; count: number }[]; seconds: number; clock: number };

/**
 * The learner's 200 merges on the book, trained once per run for the two checks that need them (the exact list, and
 * the time it took), with the merges drawn live as a table. Time is CPU time of this process, not the clock: other
 * jobs on a loaded machine do not count against the learner (the clock is reported too).
 */
function bookRun(m: Learner, ctx: CheckContext): BookRun {
  const rows: (string | number)[][] = [];
  const vocab = bpeVocab([]);
  const title = t('Merges as they are learned (10,000 characters of Moby-Dick, GPT-2\'s pre-tokenizer)', '学到的合并，按学习顺序（《白鲸记》的 10,000 个字符，GPT-2 的预分词）');
  const columns = [t('merge', '合并'), t('new id', '新 id'), t('pair (a, b)', '词对 (a, b)'), t('new token', '新词元'), t('count', '计数')];
  const reported: BookRun['reported'] = [];
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const [start, wall] = [cpu(), performance.now()];
  const result = m.trainBpe(DATA.train, 200, {
    onMerge: (pair, id, count) => {
      reported.push({ pair: [pair[0], pair[1]], id, count });
      vocab.push([...(vocab[pair[0]] ?? []), ...(vocab[pair[1]] ?? [])]);
      rows.push([rows.length, id, `(${pair[0]}, ${pair[1]})`, `'${bpeShowToken(vocab[vocab.length - 1])}'`, count]);
      ctx.progress({ kind: 'table', title, columns, rows: rows.slice(-40) });
    },
  });
  const [seconds, clock] = [cpu() - start, (performance.now() - wall) / 1000];
  ctx.progress({ kind: 'table', title, columns, rows: rows.slice(0, 60) });
  return { merges: asMerges(result, 'trainBpe(text, 200)'), reported, seconds, clock };
}

export default defineChecks<Learner>({
  exports: ['merge', 'trainBpe', 'encode', 'decode'],
  shared: { book: bookRun },
  checks: [
    {
      name: t('merge: hand-worked sequences, (a, a) in \'aaa\' left to right without overlap', 'merge：手算序列，(a, a) 在 \'aaa\' 中从左到右、不重叠地合并'),
      task: 'merge',
      run: (m) => {
        const cases: [number[], BpeMerge, number, number[]][] = [
          [[1, 2, 3, 1, 2], [1, 2], 256, [256, 3, 256]],
          [[1, 2, 1, 2, 1], [2, 1], 260, [1, 260, 260]],
          [[5], [5, 5], 256, [5]],
          [[], [1, 2], 256, []],
          [[97, 97, 97], [97, 97], 256, [256, 97]],
          [[97, 97, 97, 97], [97, 97], 300, [300, 300]],
          [[98, 97, 97, 97, 98], [97, 97], 301, [98, 301, 97, 98]],
        ];
        for (const [ids, pair, id, want] of cases) {
          const [idsCopy, pairCopy] = [[...ids], [pair[0], pair[1]] as BpeMerge];
          const got = asIds(m.merge(idsCopy, pairCopy, id), 'merge');
          expectTrue(same(idsCopy, ids) && same(pairCopy, pair), t(`merge(${show(ids)}, ${show(pair)}, ${id}) changed its input: return a new list.`, `merge(${show(ids)}, ${show(pair)}, ${id}) 修改了输入：应返回一个新列表。`));
          if (same(got, want)) continue;
          const what = `merge(${show(ids)}, ${show(pair)}, ${id})`;
          if (same(got, fromRight(ids, pair, id))) {
            fail(t(`${what} is ${show(got)}, expected ${show(want)}: the occurrences were replaced from the right; they are replaced left to right ("aaa" -> [aa, a]).`,
              `${what} 是 ${show(got)}，应为 ${show(want)}：你从右往左替换了；应从左往右替换（"aaa" -> [aa, a]）。`),
            { hint: t('Walk i from 0 upward: if ids[i], ids[i + 1] is the pair, push id and i += 2; else push ids[i] and i += 1.', '让 i 从 0 开始向后走：如果 ids[i]、ids[i + 1] 是这个词对，就放入 id 并 i += 2；否则放入 ids[i] 并 i += 1。') });
          }
          // Overlapping occurrences wrong while every case without an overlap is right: the overlap is the mistake.
          if (overlaps(ids, pair) && cases.filter((c) => !overlaps(c[0], c[1])).every(([i2, p2, id2, w2]) => same(m.merge([...i2], [p2[0], p2[1]], id2), w2))) {
            named('merge-overlap', t(`${what} is ${show(got)}, expected ${show(want)}.`, `${what} 是 ${show(got)}，应为 ${show(want)}。`));
          }
          fail(t(`${what} is ${show(got)}, expected ${show(want)}.`, `${what} 是 ${show(got)}，应为 ${show(want)}。`),
            { hint: t('Every occurrence of the pair becomes the one new id (both ids replaced by it); everything else is copied.', '词对的每次出现都变成那一个新 id（两个 id 一起被替换）；其余的照抄。') });
        }
      },
    },
    {
      name: t('trainBpe: hand-worked merges and counts (\'aaabdaaabac\', \'aaaab\', \'hug hug hug\')', 'trainBpe：手算的合并与计数（\'aaabdaaabac\'、\'aaaab\'、\'hug hug hug\'）'),
      task: 'trainBpe',
      run: (m) => {
        // 'aaaab': (a, a) counts 3 (every position), then [aa, aa, b] has two pairs of count 1, the smaller (256, 98) first.
        // Worked out in the lesson: 'aaabdaaabac' with no pre-tokenizer. (a,a) 4 times; then (a,b) and (Z,a) both 2: the
        // smallest pair (97, 98) wins; then (256, 257) twice; then pairs of count 1, the smallest first; then nothing left.
        const cases: { text: string; n: number; pattern?: RegExp | null; merges: BpeMerge[]; counts: number[] }[] = [
          { text: 'aaaab', n: 5, pattern: null, merges: [[97, 97], [256, 98], [256, 257]], counts: [3, 1, 1] },
          { text: 'aaabdaaabac', n: 10, pattern: null, merges: [[97, 97], [97, 98], [256, 257], [97, 99], [100, 258], [258, 260], [261, 259]], counts: [4, 2, 2, 1, 1, 1, 1] },
          // The default pattern (GPT-2's): chunks 'hug', ' hug', ' hug'. (h,u) and (u,g) tie at 3: (104, 117) wins.
          { text: 'hug hug hug', n: 10, merges: [[104, 117], [256, 103], [32, 257]], counts: [3, 3, 2] },
        ];
        for (const c of cases) {
          const label = t(`'${c.text}'${c.pattern === null ? ', no pre-tokenizer' : ', default pattern'}, ${c.n} merges asked`, `'${c.text}'${c.pattern === null ? '，不预分词' : '，默认正则模式'}，要求 ${c.n} 个合并`);
          const got = train(m, c.text, c.n, c.pattern);
          if (c.text === 'aaaab' && got.reported[0]?.count === 2 && same(got.merges[0], [97, 97])) {
            fail(t('trainBpe(\'aaaab\'): onMerge reported (97, 97) with count 2; it occurs 3 times: every position counts, overlapping ones too (minbpe\'s get_stats and Hugging Face count this way).',
              'trainBpe(\'aaaab\')：onMerge 报告 (97, 97) 的计数为 2；它出现了 3 次：每个位置都算，重叠的也算（minbpe 的 get_stats 和 Hugging Face 都这样计数）。'),
            { hint: t('for (let i = 0; i + 1 < ids.length; i++) count the pair (ids[i], ids[i + 1]): do not skip a position after counting a pair.', 'for (let i = 0; i + 1 < ids.length; i++) 统计词对 (ids[i], ids[i + 1])：数完一个词对后不要跳过下一个位置。') });
          }
          expectMerges(m, c.text, c.n, c.pattern, got, label); // the reference agrees with the hand-worked lists below
          expectTrue(same(got.merges, c.merges) && same(got.reported.map((r) => r.count), c.counts),
            t(`trainBpe${label.en}: ${show(got.merges)}, expected ${show(c.merges)}`, `trainBpe（${label['zh-cn']}）：${show(got.merges)}，应为 ${show(c.merges)}`));
        }
        const none = train(m, 'a', 3);
        expectTrue(none.merges.length === 0 && none.reported.length === 0, t(`trainBpe('a', 3) returned ${show(none.merges)}; a text of one byte has no pair: no merge.`, `trainBpe('a', 3) 返回了 ${show(none.merges)}；只有一个字节的文本没有词对：不应有合并。`));
      },
    },
    {
      name: t('trainBpe: the exact merge list and counts on 10,000 characters of Moby-Dick (live table)', 'trainBpe：在《白鲸记》的 10,000 个字符上得到完全相同的合并列表与计数（实时表格）'),
      task: 'trainBpe',
      timeoutSeconds: 30,
      run: async (m, ctx) => {
        const text = DATA.train;
        const { merges: got, reported } = await ctx.shared<BookRun>('book');
        expectMerges(m, text, 200, undefined, { merges: got, reported }, t('10,000 characters of the book, 200 merges, default pattern', '书中 10,000 个字符，200 个合并，默认正则模式'));
        // No pre-tokenizer: the same text as one chunk, fewer merges.
        const part = text.slice(0, 3000);
        expectMerges(m, part, 60, null, train(m, part, 60, null), t('3,000 characters, 60 merges, pattern null', '3,000 个字符，60 个合并，pattern 为 null'));
      },
    },
    {
      name: t('trainBpe: 200 merges on 10,000 characters in under 4 s of CPU time', 'trainBpe：在 10,000 个字符上学 200 个合并，CPU 时间不超过 4 秒'),
      task: 'trainBpe',
      timeoutSeconds: 30,
      run: async (m, ctx) => {
        const { merges, seconds, clock } = await ctx.shared<BookRun>('book');
        expectTrue(merges.length === 200, t(`trainBpe(text, 200) returned ${merges.length} merges; expected 200.`, `trainBpe(text, 200) 返回了 ${merges.length} 个合并；应为 200 个。`));
        if (seconds > 4) {
          fail(t(`Training 200 merges on 10,000 characters took ${seconds.toFixed(1)} s of CPU time (${clock.toFixed(1)} s on the clock); the reference solution takes about 0.2 s. Recounting every pair of the whole text for each merge is fine (minbpe does it: 200 × 10,000 pairs is only 2 million steps); what is slow is usually how: string keys built for every pair ("a,b" or JSON), arrays copied with splice or concat inside the loop, or the text re-encoded from scratch each merge.`,
            `在 10,000 个字符上训练 200 个合并用了 ${seconds.toFixed(1)} 秒 CPU 时间（墙上时钟 ${clock.toFixed(1)} 秒）；参考解答约 0.2 秒。每次合并都重新统计整段文本的所有词对是可以的（minbpe 就是这样：200 × 10,000 个词对只有 200 万步）；慢通常慢在写法上：为每个词对拼字符串键（"a,b" 或 JSON）、在循环里用 splice 或 concat 复制数组、或者每次合并都从头重新编码文本。`),
          { hint: t('Keep each chunk as a number[] that merge() rebuilds in one pass; count pairs in a Map<number, number> keyed by a * 1048576 + b.', '把每个块保存为 number[]，由 merge() 一趟重建；用 Map<number, number> 计数，键为 a * 1048576 + b。') });
        }
      },
    },
    {
      name: t('encode: hand-worked ids, merges applied in the order they were learned', 'encode：手算的 id，按学到的先后顺序应用合并'),
      task: 'encode',
      run: (m) => {
        const cases: { text: string; merges: BpeMerge[]; pattern?: RegExp | null; want: number[]; why: Text }[] = [
          { text: 'abc', merges: [[98, 99], [97, 98]], pattern: null, want: [97, 256],
            why: t('(b, c) was learned first (index 0): it is merged first, and (a, bc) has no merge', '(b, c) 先学到（序号 0）：它先合并，而 (a, bc) 没有合并规则') },
          { text: 'abcd', merges: [[99, 100], [98, 99], [97, 98], [256, 256]], pattern: null, want: [258, 256],
            why: t('(c, d) first, then (a, b): [ab, cd]', '先合并 (c, d)，再合并 (a, b)：[ab, cd]') },
          { text: 'ab ab', merges: [[98, 32], [97, 98]], pattern: null, want: [97, 256, 257],
            why: t('no pre-tokenizer: one chunk, and (b, space) was learned first', '不预分词：只有一个块，而 (b, 空格) 先学到') },
          { text: 'aaa', merges: [[97, 97]], pattern: null, want: [256, 97], why: t('left to right, without overlap', '从左到右，不重叠') },
          { text: 'aaaa', merges: [[97, 97], [256, 256]], pattern: null, want: [257], why: t('[aa, aa], then one token', '[aa, aa]，再合成一个词元') },
          { text: 'ab ab', merges: [[98, 32], [97, 98]], want: [257, 32, 257],
            why: t('GPT-2\'s pattern cuts \'ab\' | \' ab\': (b, space) never meets inside a chunk', 'GPT-2 的正则模式切成 \'ab\' | \' ab\'：(b, 空格) 不会出现在同一个块里') },
          { text: '', merges: [[97, 98]], want: [], why: t('nothing to encode', '没有可编码的内容') },
        ];
        for (const c of cases) {
          const label = t(`'${c.text}', merges ${show(c.merges)}${c.pattern === null ? ', no pre-tokenizer' : ''}: ${c.why.en}`, `'${c.text}'，合并 ${show(c.merges)}${c.pattern === null ? '，不预分词' : ''}：${c.why['zh-cn']}`);
          const got = encodeWith(m, c.text, c.merges, c.pattern === null ? { pattern: null } : {});
          if (c.text === 'aaa' && !same(got, c.want) && (same(got, [256, 256]) || same(got, [256]))) {
            named('merge-overlap', t(`encode('aaa', [[97, 97]]) is ${show(got)}, expected [256, 97].`, `encode('aaa', [[97, 97]]) 是 ${show(got)}，应为 [256, 97]。`));
          }
          expectIds(m, got, c.text, c.merges, c.pattern === null ? { pattern: null } : {}, label);
          expectTrue(same(got, c.want), t(`encode(${label.en}) is ${show(got)}, expected ${show(c.want)}`, `encode（${label['zh-cn']}）是 ${show(got)}，应为 ${show(c.want)}`));
        }
      },
    },
    {
      name: t('encode and decode: the round trip on the book\'s Greek and Hebrew, and emoji', 'encode 与 decode：在书中的希腊文、希伯来文和表情符号上往返'),
      task: 'encode',
      run: (m, ctx) => {
        const merges = refTrain(DATA.train, 300).merges;
        const emoji = '🐋 The whale 🐳 (Pottwal, cachalot), naïve — 鲸鱼! 👨‍👩‍👧 x²';
        const start = Math.floor(ctx.random() * (DATA.heldOut.text.length - 600));
        const texts: [string, Text][] = [
          [ETYMOLOGY, t('the etymology: Hebrew חן, Greek ϰητος, WHŒL', '词源部分：希伯来文 חן、希腊文 ϰητος、WHŒL')],
          [emoji, t('emoji, a joined family emoji, CJK, accents', '表情符号、组合的家庭表情、中日韩文字、重音字母')],
          [DATA.heldOut.text.slice(start, start + 600), t('600 characters of a chapter not in the training text', '训练文本之外某一章的 600 个字符')],
        ];
        for (const [text, label] of texts) {
          const ids = encodeWith(m, text, merges);
          expectIds(m, ids, text, merges, {}, label);
          const back = m.decode(ids, merges.map((p) => [p[0], p[1]] as BpeMerge));
          if (back !== text) {
            if (back === bpeRefDecode(ids, merges, { per: 'token' }) && confirmed(m, 'decode-per-token')) named('decode-per-token', t(`(${label.en})`, `（${label['zh-cn']}）`));
            const i = [...text].findIndex((ch, k) => ch !== [...back][k]);
            fail(t(`decode(encode(s)) !== s (${label.en}): they differ at character ${i}: ${show([...back].slice(Math.max(0, i - 5), i + 5).join(''))} instead of ${show([...text].slice(Math.max(0, i - 5), i + 5).join(''))}.`,
              `decode(encode(s)) !== s（${label['zh-cn']}）：在第 ${i} 个字符处不同：${show([...back].slice(Math.max(0, i - 5), i + 5).join(''))}，应为 ${show([...text].slice(Math.max(0, i - 5), i + 5).join(''))}。`),
            { hint: t('decode: the bytes of every id concatenated (vocab[256 + i] = vocab[a] ++ vocab[b]), then one new TextDecoder(\'utf-8\').decode(...).', 'decode：把所有 id 的字节拼接起来（vocab[256 + i] = vocab[a] ++ vocab[b]），再做一次 new TextDecoder(\'utf-8\').decode(...)。') });
          }
        }
      },
    },
    {
      name: t('special tokens: encoded as their id, never split or merged across', '特殊词元：编码为自己的 id，既不拆分，也不跨越它合并'),
      task: 'encode',
      run: (m) => {
        const merges = refTrain(DATA.train, 200).merges;
        const special = { '<|endoftext|>': 456, '<|pad|>': 457 };
        const cases: [string, BpeMerge[], { pattern?: RegExp | null; special: Record<string, number> }, Text][] = [
          ['Call me Ishmael.<|endoftext|>The whale<|pad|><|pad|>', merges, { special }, t('two special tokens, GPT-2\'s pattern', '两个特殊词元，GPT-2 的正则模式')],
          ['<|endoftext|>', merges, { special }, t('a special token alone', '只有一个特殊词元')],
          ['ab<|sep|>cd', [[98, 99], [97, 256]], { pattern: null, special: { '<|sep|>': 300 } },
            t('no pre-tokenizer: (b, c) has a merge, but a special token stands between them', '不预分词：(b, c) 有合并规则，但中间隔着一个特殊词元')],
        ];
        for (const [text, mg, opts, label] of cases) {
          const got = encodeWith(m, text, mg, opts);
          const want = bpeRefEncode(text, mg, opts);
          if (!same(got, want)) {
            const { special: _, ...plain } = opts;
            if (same(got, bpeRefEncode(text, mg, plain))) named('special-as-text', t(`(${label.en}: ${show(got.slice(0, 16))}, expected ${show(want)})`, `（${label['zh-cn']}：${show(got.slice(0, 16))}，应为 ${show(want)}）`));
            expectIds(m, got, text, mg, opts, label);
          }
          const back = m.decode(got, mg.map((p) => [p[0], p[1]] as BpeMerge), { special: { ...opts.special } });
          expectTrue(back === text, t(`decode(encode(s), merges, { special }) is ${show(back)}, expected ${show(text)} (${label.en}): a special token's id decodes to its text.`,
            `decode(encode(s), merges, { special }) 是 ${show(back)}，应为 ${show(text)}（${label['zh-cn']}）：特殊词元的 id 解码为它的文本。`),
          t('In decode, look the id up in opts.special first (text -> id, so invert it): its bytes are the UTF-8 of its text.', '在 decode 中先在 opts.special 里查这个 id（它是 文本 -> id，要反过来查）：它的字节就是其文本的 UTF-8。'));
        }
      },
    },
    {
      name: t('decode: bytes that split a UTF-8 character, and unknown ids', 'decode：切开 UTF-8 字符的字节，以及未知的 id'),
      task: 'decode',
      run: (m) => {
        // 'κ' is CE BA, '—' is E2 80 94, '🐋' is F0 9F 90 8B.
        const merges: BpeMerge[] = [[97, 0xce], [0xf0, 0x9f], [0x90, 0x8b], [0xba, 32]];
        const cases: [number[], string, Text][] = [
          [[256, 0xba], 'aκ', t('token 256 = a + the first byte of κ; then the second byte', '词元 256 = a + κ 的第一个字节；然后是第二个字节')],
          [[256, 259, 97], 'aκ a', t('κ split across two merged tokens', 'κ 被两个合并词元切开')],
          [[257, 258], '🐋', t('an emoji split into two tokens of two bytes', '一个表情符号被切成两个各含两字节的词元')],
          [[0xce], '\uFFFD', t('half of κ alone: one U+FFFD', '只有 κ 的一半：一个 U+FFFD')],
          [[0xe2, 0x80, 97], '\uFFFDa', t('two of the three bytes of —, then a: one U+FFFD for the broken sequence', '— 的三个字节中的两个，然后是 a：残缺序列只产生一个 U+FFFD')],
          [[], '', t('no ids', '没有 id')],
        ];
        for (const [ids, want, label] of cases) {
          const copy = [...ids];
          const got = m.decode(copy, merges.map((p) => [p[0], p[1]] as BpeMerge));
          expectTrue(same(copy, ids), t('decode changed the ids it was given.', 'decode 修改了传给它的 id。'));
          if (got === want) continue;
          if (got === bpeRefDecode(ids, merges, { per: 'token' }) && confirmed(m, 'decode-per-token')) named('decode-per-token', t(`(decode(${show(ids)}): ${label.en}; got ${show(got)}, expected ${show(want)})`, `（decode(${show(ids)})：${label['zh-cn']}；得到 ${show(got)}，应为 ${show(want)}）`));
          fail(t(`decode(${show(ids)}) is ${show(got)}, expected ${show(want)} (${label.en}).`, `decode(${show(ids)}) 是 ${show(got)}，应为 ${show(want)}（${label['zh-cn']}）。`),
            { hint: t('Concatenate all the bytes, then new TextDecoder(\'utf-8\').decode(Uint8Array.from(bytes)): it puts one U+FFFD for each broken sequence (not fatal: no throw).', '把所有字节拼接起来，再 new TextDecoder(\'utf-8\').decode(Uint8Array.from(bytes))：每个残缺序列产生一个 U+FFFD（非 fatal 模式：不抛异常）。') });
        }
        for (const bad of [256 + merges.length, -1]) {
          let threw = false;
          try { m.decode([97, bad], merges); } catch (e) { threw = !(e instanceof Error && e.name === 'NotImplementedError'); if (!threw) throw e; }
          expectTrue(threw, t(`decode([97, ${bad}]) with ${merges.length} merges did not throw: ${bad} is neither a byte, a merge nor a special token.`, `在有 ${merges.length} 个合并时，decode([97, ${bad}]) 没有抛出错误：${bad} 既不是字节，也不是合并或特殊词元。`),
            t('if (bytes === undefined) throw new Error(`unknown token id ${id}`)', 'if (bytes === undefined) throw new Error(`unknown token id ${id}`)'));
        }
      },
    },
    {
      name: t('GPT-2\'s merges: your encoder gives gpt-tokenizer\'s ids on a held-out chapter', 'GPT-2 的合并：你的编码器在一个留出章节上给出与 gpt-tokenizer 相同的 id'),
      task: 'encode',
      run: (m, ctx) => {
        const text = DATA.heldOut.text;
        const ids = encodeWith(m, text, GPT2_MERGES, { pattern: BPE_GPT2_PATTERN });
        const toGpt2 = DATA.gpt2.toGpt2;
        const mapped = ids.map((id) => toGpt2[id] ?? -1);
        const want = DATA.gpt2.ids;
        const vocab = bpeVocab(GPT2_MERGES);
        const from = new Map(toGpt2.map((g, i) => [g, i]));
        ctx.artifact({
          kind: 'table', title: t(`${DATA.heldOut.title}: the first 16 tokens, yours and GPT-2's`, `${DATA.heldOut.title}：前 16 个词元，你的与 GPT-2 的`),
          columns: [t('position', '位置'), t('your id (GPT-2 id)', '你的 id（GPT-2 id）'), t('GPT-2 id', 'GPT-2 id'), t('token', '词元')],
          rows: want.slice(0, 16).map((g, i) => [i, ids[i] === undefined ? '—' : `${ids[i]} (${mapped[i]})`, g, `'${bpeShowToken(vocab[from.get(g)!] ?? [])}'`]),
        });
        if (!same(mapped, want)) {
          expectIds(m, ids, text, GPT2_MERGES, { pattern: BPE_GPT2_PATTERN }, t(`${DATA.heldOut.title}, GPT-2's ${GPT2_MERGES.length} merges that apply to it`, `${DATA.heldOut.title}，GPT-2 中作用于它的 ${GPT2_MERGES.length} 个合并`));
          const i = want.findIndex((g, k) => g !== mapped[k]);
          fail(t(`position ${i}: your id maps to GPT-2's ${mapped[i]}, gpt-tokenizer has ${want[i]}.`, `位置 ${i}：你的 id 对应 GPT-2 的 ${mapped[i]}，而 gpt-tokenizer 给出 ${want[i]}。`));
        }
        expectTrue(m.decode(ids, GPT2_MERGES) === text, t('decode(encode(chapter)) with GPT-2\'s merges is not the chapter.', '用 GPT-2 的合并时，decode(encode(chapter)) 不等于原章节。'));
        ctx.artifact({ kind: 'text', title: t('GPT-2\'s tokenizer and yours', 'GPT-2 的分词器与你的'),
          text: t(`${DATA.heldOut.title}: ${text.length} characters, ${bpeBytes(text).length} bytes -> ${ids.length} tokens (${(text.length / ids.length).toFixed(2)} characters per token); ${GPT2_MERGES.length} of GPT-2's 50,000 merges apply to it. Your ids are gpt-tokenizer's, every one.`,
            `${DATA.heldOut.title}：${text.length} 个字符、${bpeBytes(text).length} 个字节 -> ${ids.length} 个词元（每个词元 ${(text.length / ids.length).toFixed(2)} 个字符）；GPT-2 的 50,000 个合并中有 ${GPT2_MERGES.length} 个作用于这一章。你的 id 与 gpt-tokenizer 的完全相同。`) });
      },
    },
  ],
});
