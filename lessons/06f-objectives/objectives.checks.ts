/**
 * Checks for the objectives lesson (objectives/corrupt): BERT's masked-LM corruption and NSP pairs, T5's span
 * corruption, and on the bundled model why GPT's objective generates and BERT's does not.
 *
 * Expected values come from the course (@llm-lab/course/tokens): exact references that consume the kit's Rng as the
 * lesson states (objectivesMaskRef, objectivesNspRef), the T5 paper's span corruption (objectivesSpanRef) and T5's
 * code-form of it (objectivesSpanT5Code, the convention). Every input is copied before the learner sees it, and the
 * learner gets a fresh generator with the same seed as the reference (or a scripted one whose uniforms are written
 * out by hand). A masking that matches no exact position is judged on its structure (labels only where selected,
 * inputs changed only there, special ids untouched) and, when that is right, on its statistics over 20,000 tokens:
 * right statistics in another draw order is Hugging Face's / BERT's way (a convention), not a mistake.
 *
 * Which check names which catalogued mistake (lessons/06f-objectives/mistakes.ts):
 *   check                                              names
 *   maskTokens: a hand-worked sequence ...             labels-everywhere, special-masked, labels-corrupted, branch-for-all,
 *                                                      always-mask, rng-order (convention: Hugging Face)
 *   maskTokens: exact positions on a seeded ...        the same six
 *   nspPairs: exact pairs ...                          nsp-same-doc, nsp-label-flipped, nsp-across-docs
 *   spanCorrupt: the T5 paper's example ...            spans-not-merged, sentinels-out-of-order, no-final-sentinel
 *   spanCorrupt: random masks ...                      the same three, t5-code-targets (convention: T5)
 *   randomSpansMask: T5's sampler ...                  noise-per-token
 *   GPT's objective generates ...                      (artifacts; your maskTokens on the model's characters)
 * Accepted as well: labels and input as number[] instead of Int32Array; T5's code-form of the targets when the mask
 * starts with a kept token (the same targets, except no final sentinel when the mask ends with noise, as T5's code);
 * randomSpansMask rounding halves to even (T5's tf.math.round, NumPy's np.round in Hugging Face's run_t5_mlm_flax.py) as
 * well as up (Math.round, the lesson's).
 * Not catalogued, said in plain words: a wrong number of draws (prob ignored, a draw for special tokens, a random token
 * drawn for every selected position...), a mutated input, wrong pair counts, missing throws, other wrong outputs.
 */
import { type Text, defineChecks, expectThrows, expectTrue, fail, join, t } from '@llm-lab/check';
import {
  OBJECTIVES_IGNORE as IGNORE, ObjectivesCountingRng, objectivesContinue, objectivesFillIn, objectivesMaskRef,
  objectivesNspRef, objectivesRoundHalfEven, objectivesSpanRef, objectivesSpanT5Code, objectivesSpans, objectivesSpansMaskRef,
} from '@llm-lab/course/tokens';
import { lessonModel } from '@llm-lab/course/decoding';
import { Rng } from '@llm-lab/kit';
import { OBJECTIVES_MISTAKES as M, type ObjectivesMistake } from './mistakes';

type Learner = typeof import('./objectives');
type MaskOpts = Parameters<Learner['maskTokens']>[2];

const failWith = (key: ObjectivesMistake, where: Text): never => fail(join([M[key].message, where], ''), { hint: M[key].hint, convention: M[key].convention });

// --- maskTokens --------------------------------------------------------------------------------------------------

/** A generator whose uniforms are written out; past the end it returns 0.999 (and counts). */
class ScriptedRng extends Rng {
  draws = 0;
  constructor(private readonly script: number[]) { super(0); }
  override random(): number {
    return this.script[this.draws++] ?? 0.999;
  }
}

/** The learner's output, read as plain arrays (Int32Array or number[]), with its types checked. */
function callMask(m: Learner, ids: number[], rng: Rng, opts: MaskOpts): { input: number[]; labels: number[] } {
  const copy = Int32Array.from(ids);
  const out = m.maskTokens(copy, rng, { ...opts, special: opts.special ? [...opts.special] : undefined }) as unknown as { input?: ArrayLike<number>; labels?: ArrayLike<number> };
  if (copy.some((v, i) => v !== ids[i])) {
    fail(t('maskTokens changed the ids it was given: copy them (Int32Array.from(ids)) and corrupt the copy.', 'maskTokens 修改了传给它的 ids：先复制（Int32Array.from(ids)），再破坏副本。'));
  }
  if (typeof out !== 'object' || out === null || !out.input || !out.labels || typeof out.input.length !== 'number' || typeof out.labels.length !== 'number') {
    fail(t(`maskTokens returned ${typeof out}; expected { input, labels }, two Int32Arrays as long as ids.`, `maskTokens 返回了 ${typeof out}；应返回 { input, labels }，两个与 ids 等长的 Int32Array。`));
  }
  const [input, labels] = [Array.from(out.input, Number), Array.from(out.labels, Number)];
  if (input.length !== ids.length || labels.length !== ids.length) {
    fail(t(`maskTokens gave input of length ${input.length} and labels of length ${labels.length} for ${ids.length} ids; both must be as long as ids.`,
      `对 ${ids.length} 个 id，maskTokens 给出的 input 长度为 ${input.length}，labels 长度为 ${labels.length}；两者都必须与 ids 等长。`));
  }
  return { input, labels };
}

/** The catalogued mistake the output's STRUCTURE shows (any draw order), or undefined. */
function maskStructure(ids: number[], special: Set<number>, maskId: number, got: { input: number[]; labels: number[] }): ObjectivesMistake | undefined {
  const plain = ids.map((_, i) => i).filter((i) => !special.has(ids[i]));
  if (plain.length >= 3 && plain.every((i) => got.labels[i] === ids[i])) return 'labels-everywhere';
  if (ids.some((id, i) => special.has(id) && (got.labels[i] !== IGNORE || got.input[i] !== id))) return 'special-masked';
  if (got.labels.some((l, i) => l !== IGNORE && l !== ids[i] && l === got.input[i])) return 'labels-corrupted';
  if (ids.some((id, i) => got.labels[i] === IGNORE && got.input[i] !== id && !special.has(id))) return 'branch-for-all';
  const chosen = got.labels.map((l, i) => i).filter((i) => got.labels[i] !== IGNORE);
  if (chosen.length >= 30 && chosen.every((i) => got.input[i] === maskId)) return 'always-mask';
  return undefined;
}

/**
 * The statistics of the learner's masking over 20,000 tokens, prob 0.15 and 0.3: a problem in words, or undefined
 * when selection rate and the 80/10/10 split are right (5 standard deviations and more from any wrong value).
 */
function maskStatistics(m: Learner, random: () => number): { problem?: Text; named?: ObjectivesMistake } {
  for (const prob of [0.15, 0.3]) {
    const V = 5000;
    const special = [0, 1, 2];
    const ids = Array.from({ length: 20000 }, (_, i) => (i % 100 === 0 ? 1 : 3 + Math.floor(random() * (V - 3))));
    const got = callMask(m, ids, new Rng(77), { maskId: 2, vocabSize: V, special, prob });
    const named = maskStructure(ids, new Set(special), 2, got);
    if (named) return { named };
    const plain = ids.filter((id) => !special.includes(id)).length;
    const chosen = got.labels.map((_, i) => i).filter((i) => got.labels[i] !== IGNORE);
    const rate = chosen.length / plain;
    const frac = (f: (i: number) => boolean) => chosen.filter(f).length / Math.max(1, chosen.length);
    const [masked, same] = [frac((i) => got.input[i] === 2), frac((i) => got.input[i] === ids[i])];
    const other = 1 - masked - same;
    if (Math.abs(rate - prob) > 0.02) {
      return { problem: t(`with prob ${prob}, ${(100 * rate).toFixed(1)} % of the 20,000 tokens were selected; expected about ${100 * prob} %.`, `prob 为 ${prob} 时，20,000 个词元中有 ${(100 * rate).toFixed(1)} % 被选中；应约为 ${100 * prob} %。`) };
    }
    if (Math.abs(masked - 0.8) > 0.05 || Math.abs(same - 0.1) > 0.04 || Math.abs(other - 0.1) > 0.04) {
      return { problem: t(`of the selected positions, ${(100 * masked).toFixed(1)} % became [MASK], ${(100 * other).toFixed(1)} % a random token, ${(100 * same).toFixed(1)} % stayed unchanged; expected 80 / 10 / 10.`,
        `被选中的位置中，${(100 * masked).toFixed(1)} % 变成了 [MASK]，${(100 * other).toFixed(1)} % 变成随机词元，${(100 * same).toFixed(1)} % 保持不变；应为 80 / 10 / 10。`) };
    }
  }
  return {};
}

const MASK_HINT = t('Per position, in order: special -> skip (no draw); u = rng.random(), selected when u < prob: labels[i] = ids[i]; then v = rng.random(): v < 0.8 -> maskId, v < 0.9 -> rng.randint(0, vocabSize), else unchanged.',
  '按顺序逐个位置：特殊词元 -> 跳过（不抽取）；u = rng.random()，u < prob 时选中：labels[i] = ids[i]；然后 v = rng.random()：v < 0.8 -> maskId，v < 0.9 -> rng.randint(0, vocabSize)，否则保持不变。');

/** Compares the learner's masking with the reference, explaining a difference as precisely as it can. */
function expectMasked(m: Learner, random: () => number, ids: number[], opts: MaskOpts, learnerRng: Rng, refRng: Rng, where: Text): void {
  const got = callMask(m, ids, learnerRng, opts);
  const want = objectivesMaskRef(ids, refRng, opts);
  const same = got.input.every((v, i) => v === want.input[i]) && got.labels.every((v, i) => v === want.labels[i]);
  if (same) return;
  const named = maskStructure(ids, new Set(opts.special ?? []), opts.maskId, got);
  if (named) failWith(named, where);
  const i = got.input.findIndex((v, k) => v !== want.input[k] || got.labels[k] !== want.labels[k]);
  const detail = t(` At position ${i} (id ${ids[i]}): expected input ${want.input[i]}, label ${want.labels[i]}; got input ${got.input[i]}, label ${got.labels[i]}.`,
    ` 在位置 ${i}（id ${ids[i]}）：应为 input ${want.input[i]}、label ${want.labels[i]}；实际为 input ${got.input[i]}、label ${got.labels[i]}。`);
  const stats = maskStatistics(m, random);
  if (stats.named) failWith(stats.named, join([t(' (20,000 tokens)', '（20,000 个词元）'), detail], ''));
  // Another draw order (Hugging Face's, BERT's) takes another number of draws; the same number with other positions is another rule.
  const drawsOf = (r: Rng) => (r as unknown as { draws?: number }).draws;
  const sameDraws = drawsOf(learnerRng) !== undefined && drawsOf(learnerRng) === drawsOf(refRng);
  if (!stats.problem && !sameDraws) failWith('rng-order', join([where, detail], ''));
  const why = stats.problem ?? t('the same number of draws as the stated order, but other positions or other tokens, so the rule applied to the draws differs.',
    '抽取次数与规定的顺序相同，但位置或词元不同，说明作用在这些随机数上的规则不一样。');
  fail(join([t('maskTokens does not select or corrupt the positions the stated draws give', 'maskTokens 选中或破坏的位置与规定的抽取方式给出的不同'), where, t(': ', '：'), why, detail], ''), { hint: MASK_HINT });
}

// --- nspPairs ------------------------------------------------------------------------------------------------------

/** Documents of sentences named 'd<doc>s<sentence>', with the given numbers of sentences. */
const docsOf = (sizes: number[]): string[][] => sizes.map((n, d) => Array.from({ length: n }, (_, s) => `d${d}s${s}`));

function expectPairs(m: Learner, sizes: number[], seed: number): void {
  const docs = docsOf(sizes);
  const where = t(` (documents of ${sizes.join(', ')} sentences, Rng(${seed}))`, `（各文档句子数为 ${sizes.join('、')}，Rng(${seed})）`);
  const copy = docs.map((d) => [...d]);
  const got = m.nspPairs(copy, new Rng(seed)) as unknown as { a: string; b: string; label: number }[];
  if (copy.some((d, i) => d.length !== docs[i].length || d.some((s, j) => s !== docs[i][j]))) {
    fail(t('nspPairs changed the documents it was given: read them, do not modify them.', 'nspPairs 修改了传给它的文档：只读取，不要修改。'));
  }
  const want = objectivesNspRef(docs, new Rng(seed));
  if (!Array.isArray(got)) fail(t(`nspPairs returned ${typeof got}; expected an array of { a, b, label }.`, `nspPairs 返回了 ${typeof got}；应返回 { a, b, label } 的数组。`));
  if (got.length === want.length && got.every((p, i) => p?.a === want[i].a && p.b === want[i].b && p.label === want[i].label)) return;
  const pos = (s: string) => (/^d(\d+)s(\d+)$/.exec(String(s)) ?? []).slice(1).map(Number);
  const next = (a: string, b: string) => { const [da, sa] = pos(a); const [db, sb] = pos(b); return da === db && sb === sa + 1; };
  const bad = (f: (p: { a: string; b: string; label: number }) => boolean) => got.find((p) => p && f(p));
  const across = bad((p) => { const [d, s] = pos(p.a); return s === sizes[d] - 1; });
  if (across) failWith('nsp-across-docs', join([where, t(`: got the pair (${across.a}, ${across.b}).`, `：得到句子对 (${across.a}, ${across.b})。`)], ''));
  if (got.length && got.every((p) => p && (p.label === 1) === next(p.a, p.b) && (p.label === 0 || p.label === 1))) {
    failWith('nsp-label-flipped', where);
  }
  const same = bad((p) => p.label === 1 && pos(p.a)[0] === pos(p.b)[0]);
  if (same) failWith('nsp-same-doc', join([where, t(`: got (${same.a}, ${same.b}, label 1).`, `：得到 (${same.a}, ${same.b}, label 1)。`)], ''));
  // Three documents of ten sentences: about 13 random pairs, each from the same document with chance 1/3 if that is the bug.
  const probe = m.nspPairs(docsOf([10, 10, 10]), new Rng(99)) as unknown as { a: string; b: string; label: number }[];
  const sameProbe = Array.isArray(probe) ? probe.find((p) => p && p.label === 1 && pos(p.a)[0] === pos(p.b)[0]) : undefined;
  if (sameProbe) failWith('nsp-same-doc', t(` (three documents of ten sentences, Rng(99): got (${sameProbe.a}, ${sameProbe.b}, label 1)).`, `（三篇各十句的文档，Rng(99)：得到 (${sameProbe.a}, ${sameProbe.b}, label 1)）。`));
  const hint = t('For each document d, for i = 0 .. len - 2: u = rng.random(); u < 0.5 -> (s_i, s_i+1, 0); else j = rng.randint(0, D - 1), j += (j >= d), k = rng.randint(0, docs[j].length) -> (s_i, docs[j][k], 1).',
    '对每篇文档 d，对 i = 0 .. len - 2：u = rng.random()；u < 0.5 -> (s_i, s_i+1, 0)；否则 j = rng.randint(0, D - 1)，若 j >= d 则 j += 1，k = rng.randint(0, docs[j].length) -> (s_i, docs[j][k], 1)。');
  if (got.length !== want.length) {
    fail(join([t(`nspPairs gave ${got.length} pairs; expected ${want.length}, one per sentence that has a next sentence in its document`, `nspPairs 给出了 ${got.length} 个句子对；应为 ${want.length} 个，每个在本文档中有下一句的句子一个`), where, t('.', '。')], ''), { hint });
  }
  const i = got.findIndex((p, k) => p?.a !== want[k].a || p.b !== want[k].b || p.label !== want[k].label);
  const show = (p: { a: unknown; b: unknown; label: unknown } | undefined) => (p ? `(${String(p.a)}, ${String(p.b)}, ${String(p.label)})` : String(p));
  fail(join([t(`nspPairs: pair ${i} is ${show(got[i])}, expected ${show(want[i])}`, `nspPairs：第 ${i} 个句子对是 ${show(got[i])}，应为 ${show(want[i])}`), where,
    t(' (the draws of the generator must follow the stated order).', '（生成器的抽取必须按规定的顺序进行）。')], ''), { hint });
}

// --- spanCorrupt ---------------------------------------------------------------------------------------------------

const PAPER = 'Thank you for inviting me to your party last week .'.split(' ');
const PAPER_MASK = PAPER.map((w, i) => i === 2 || i === 3 || i === 8);
const extraId = (k: number) => `<extra_id_${k}>`;

/** The learner's corruption of `tokens` (copies), compared with the paper's rule; T5's code-form accepted where it is the same up to the final sentinel. */
function expectCorrupted<T>(m: Learner, tokens: T[], mask: boolean[], sentinel: (k: number) => T, where: Text, show: (x: T[]) => string): void {
  const [tc, mc] = [[...tokens], [...mask]];
  const got = m.spanCorrupt(tc, mc, sentinel) as unknown as { inputs?: T[]; targets?: T[] };
  if (tc.some((x, i) => x !== tokens[i]) || mc.some((x, i) => x !== mask[i])) {
    fail(t('spanCorrupt changed the tokens or the mask it was given: build new arrays.', 'spanCorrupt 修改了传给它的词元或掩码：请构造新的数组。'));
  }
  if (typeof got !== 'object' || got === null || !Array.isArray(got.inputs) || !Array.isArray(got.targets)) {
    fail(t(`spanCorrupt returned ${typeof got}; expected { inputs, targets }, two arrays.`, `spanCorrupt 返回了 ${typeof got}；应返回 { inputs, targets } 两个数组。`));
  }
  const out = got as { inputs: T[]; targets: T[] };
  const want = objectivesSpanRef(tokens, mask, sentinel);
  const eq = (a: T[], b: T[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (eq(out.inputs, want.inputs) && eq(out.targets, want.targets)) return;
  const t5 = objectivesSpanT5Code(tokens, mask, sentinel);
  if (eq(out.inputs, t5.inputs) && eq(out.targets, t5.targets)) {
    if (!mask[0]) return; // T5's code-form: the same targets, and no final sentinel when the mask ends with noise (as T5's code)
    failWith('t5-code-targets', where);
  }
  const spans = objectivesSpans(mask).length;
  const noise = mask.filter(Boolean).length;
  const all = Array.from({ length: tokens.length + 2 }, (_, k) => sentinel(k));
  const sentinelsIn = (xs: T[]) => xs.filter((x) => all.includes(x)).length;
  if (noise > spans && (out.inputs.length === tokens.length || sentinelsIn(out.inputs) === noise)) failWith('spans-not-merged', where);
  if (eq(out.inputs.filter((x) => sentinelsIn([x]) === 0), want.inputs.filter((x) => sentinelsIn([x]) === 0))
    && sentinelsIn(out.inputs) === spans && !eq(out.inputs, want.inputs)) failWith('sentinels-out-of-order', where);
  if (eq(out.inputs, want.inputs) && eq(out.targets, want.targets.slice(0, -1))) failWith('no-final-sentinel', where);
  if (eq(out.inputs, want.inputs) && sentinelsIn(out.targets) === sentinelsIn(want.targets) && !eq(out.targets, want.targets)
    && eq(out.targets.filter((x) => sentinelsIn([x]) === 0), want.targets.filter((x) => sentinelsIn([x]) === 0))) failWith('sentinels-out-of-order', where);
  const which = eq(out.inputs, want.inputs) ? 'targets' : 'inputs';
  fail(join([t(`spanCorrupt: the ${which} are ${show(out[which])}; expected ${show(want[which])}`, `spanCorrupt：${which} 是 ${show(out[which])}；应为 ${show(want[which])}`), where, t('.', '。')], ''),
    { hint: t('Inputs: each kept token, and sentinel(k) once at the start of the k-th noise span. Targets: sentinel(k) then the tokens of span k, for every span, then sentinel(number of spans).',
      '输入：每个保留的词元，以及在第 k 个噪声片段开始处放一次 sentinel(k)。目标：对每个片段，先 sentinel(k) 再写出片段 k 的词元，最后是 sentinel(片段数)。') });
}

// --- randomSpansMask -----------------------------------------------------------------------------------------------

type SpanOpts = Parameters<Learner['randomSpansMask']>[2];

const SPANS_HINT = t('noise = Math.round(length · density) in [1, length - 1]; spans = max(1, Math.round(min(noise, kept) / meanSpanLength)); segment the noise tokens (one rng.shuffle of noise - 1 booleans, the first spans - 1 true), then the kept tokens (a second shuffle); kept 0, noise 0, kept 1, noise 1, ...',
  'noise = Math.round(length · density)，取值在 [1, length - 1]；spans = max(1, Math.round(min(noise, kept) / meanSpanLength))；先分噪声词元（对 noise - 1 个布尔值做一次 rng.shuffle，前 spans - 1 个为 true），再分保留的词元（第二次 shuffle）；保留 0、噪声 0、保留 1、噪声 1……');

/** The learner's mask against the reference (Math.round, or NumPy's halves to even: both accepted), explained when it differs. */
function expectSpansMask(m: Learner, length: number, opts: SpanOpts, seed: number): boolean[] {
  const where = t(` (length ${length}${opts?.density !== undefined ? `, density ${opts.density}` : ''}${opts?.meanSpanLength !== undefined ? `, meanSpanLength ${opts.meanSpanLength}` : ''}, Rng(${seed}))`,
    `（length ${length}${opts?.density !== undefined ? `，density ${opts.density}` : ''}${opts?.meanSpanLength !== undefined ? `，meanSpanLength ${opts.meanSpanLength}` : ''}，Rng(${seed})）`);
  const got = (opts ? m.randomSpansMask(length, new Rng(seed), { ...opts }) : m.randomSpansMask(length, new Rng(seed))) as unknown;
  if (!Array.isArray(got) || got.length !== length || got.some((x) => typeof x !== 'boolean')) {
    fail(join([t(`randomSpansMask returned ${Array.isArray(got) ? `an array of ${got.length}` : typeof got}; expected ${length} booleans`, `randomSpansMask 返回了${Array.isArray(got) ? `长度为 ${got.length} 的数组` : ` ${typeof got}`}；应返回 ${length} 个布尔值`), where, t('.', '。')], ''));
  }
  const mask = got as boolean[];
  const refs = [Math.round, objectivesRoundHalfEven].map((round) => objectivesSpansMaskRef(length, new Rng(seed), opts, round));
  if (refs.some((ref) => ref.every((v, i) => v === mask[i]))) return mask;
  const want = refs[0];
  const [noise, spans] = [mask.filter(Boolean).length, objectivesSpans(mask).length];
  const wantSpans = objectivesSpans(want).length;
  const noises = [...new Set(refs.map((r) => r.filter(Boolean).length))];
  if (length >= 100 && spans > 1.5 * wantSpans && noise < 1.6 * spans) {
    failWith('noise-per-token', join([where, t(`: ${spans} spans of mean length ${(noise / spans).toFixed(2)}; expected ${wantSpans} spans.`, `：${spans} 个片段，平均长度 ${(noise / spans).toFixed(2)}；应为 ${wantSpans} 个片段。`)], ''));
  }
  const say = (en: string, zh: string) => fail(join([t(`randomSpansMask: ${en}`, `randomSpansMask：${zh}`), where, t('.', '。')], ''), { hint: SPANS_HINT });
  if (!noises.includes(noise)) say(`${noise} noise tokens; expected ${noises.join(' or ')} (round(length · density), at least 1, at most length - 1)`, `${noise} 个噪声词元；应为 ${noises.join(' 或 ')}（round(length · density)，至少 1，至多 length - 1）`);
  if (spans !== wantSpans) say(`${spans} noise spans; expected ${wantSpans} (max(1, round(min(noise, kept) / meanSpanLength)))`, `${spans} 个噪声片段；应为 ${wantSpans}（max(1, round(min(noise, kept) / meanSpanLength))）`);
  if (mask[0]) say('the mask starts with noise; it must start with a kept span (kept 0, noise 0, kept 1, ...)', '掩码以噪声开头；它必须以保留片段开头（保留 0、噪声 0、保留 1……）');
  if (!mask[length - 1]) say('the mask ends with kept tokens; it must end with the last noise span', '掩码以保留的词元结尾；它必须以最后一个噪声片段结尾');
  const i = mask.findIndex((v, k) => v !== want[k]);
  say(`the right numbers of tokens and spans, but other span lengths (first difference at token ${i}): segment the noise tokens first, then the kept tokens, with one rng.shuffle each, as stated`,
    `词元数和片段数都对，但片段长度不同（第一个差异在第 ${i} 个词元）：按规定先分噪声词元，再分保留的词元，各用一次 rng.shuffle`);
  return mask;
}

const words = (xs: unknown[]) => `"${xs.join(' ')}"`;
const idList = (xs: unknown[]) => `[${xs.join(', ')}]`;

export default defineChecks<Learner>({
  exports: ['maskTokens', 'nspPairs', 'spanCorrupt', 'randomSpansMask'],
  checks: [
    {
      name: t('maskTokens: a hand-worked sequence with a scripted generator (special ids, each of the three corruptions, the prob boundary)', 'maskTokens：用脚本化生成器逐步算出的序列（特殊 id、三种破坏方式、prob 的边界）'),
      task: 'maskTokens',
      run: (m, ctx) => {
        // [CLS] 7 8 9 10 11 12 [SEP], special 101 and 102, [MASK] = 103, vocabulary 200. Draws, in order:
        //  7: u 0.05 -> selected, v 0.5 -> [MASK];  8: u 0.9 -> kept;  9: u 0.1 -> selected, v 0.85 -> random, w 0.5 -> 100;
        // 10: u 0.14 -> selected, v 0.95 -> unchanged;  11: u 0.15 -> kept (u >= prob);  12: u 0.02 -> selected, v 0.79 -> [MASK].
        const ids = [101, 7, 8, 9, 10, 11, 12, 102];
        const script = [0.05, 0.5, 0.9, 0.1, 0.85, 0.5, 0.14, 0.95, 0.15, 0.02, 0.79];
        const opts = { maskId: 103, vocabSize: 200, special: [101, 102] };
        const where = t(' (ids [101, 7, 8, 9, 10, 11, 12, 102], special [101, 102], maskId 103, a generator scripted to give 0.05, 0.5, 0.9, 0.1, 0.85, 0.5, 0.14, 0.95, 0.15, 0.02, 0.79)',
          '（ids [101, 7, 8, 9, 10, 11, 12, 102]，special [101, 102]，maskId 103，生成器依次给出 0.05, 0.5, 0.9, 0.1, 0.85, 0.5, 0.14, 0.95, 0.15, 0.02, 0.79）');
        const rng = new ScriptedRng(script);
        const got = callMask(m, ids, rng, opts);
        const want = { input: [101, 103, 8, 100, 10, 11, 103, 102], labels: [IGNORE, 7, IGNORE, 9, 10, IGNORE, 12, IGNORE] };
        if (got.input.every((v, i) => v === want.input[i]) && got.labels.every((v, i) => v === want.labels[i])) {
          expectTrue(rng.draws === script.length, t(`maskTokens drew ${rng.draws} uniforms; the stated order takes ${script.length} here.`, `maskTokens 抽取了 ${rng.draws} 个均匀随机数；按规定的顺序这里应为 ${script.length} 个。`), MASK_HINT);
          return;
        }
        const named = maskStructure(ids, new Set(opts.special), opts.maskId, got);
        if (named) failWith(named, where);
        if (got.labels.every((l, i) => l === want.labels[i]) && [1, 3, 4, 6].every((i) => got.input[i] === 103)) failWith('always-mask', where);
        expectMasked(m, ctx.random, ids, opts, new ScriptedRng(script), new ScriptedRng(script), where);
      },
    },
    {
      name: t('maskTokens: exact positions on a seeded generator (2,000 tokens, prob 0.15 and 0.3, special ids among them)', 'maskTokens：带种子生成器下的确切位置（2,000 个词元，prob 0.15 和 0.3，其中有特殊 id）'),
      task: 'maskTokens',
      run: (m, ctx) => {
        for (const [prob, seed, V] of [[undefined, 11, 30522], [0.3, 12, 500]] as const) {
          const special = [0, 101, 102, 103];
          const ids = Array.from({ length: 2000 }, (_, i) => (i === 0 ? 101 : i % 250 === 249 ? 102 : i >= 1900 ? 0 : 104 + Math.floor(ctx.random() * (V - 104))));
          const opts = { maskId: 103, vocabSize: V, special, ...(prob === undefined ? {} : { prob }) };
          const where = t(` (prob ${prob ?? '0.15 (the default)'}, vocabSize ${V}, Rng(${seed}))`, `（prob ${prob ?? '0.15（默认值）'}，vocabSize ${V}，Rng(${seed})）`);
          const counting = new ObjectivesCountingRng(seed);
          const reference = new ObjectivesCountingRng(seed);
          expectMasked(m, ctx.random, ids, opts, counting, reference, where);
          expectTrue(counting.draws === reference.draws, join([t(`maskTokens drew ${counting.draws} uniforms; the stated order takes ${reference.draws}`, `maskTokens 抽取了 ${counting.draws} 个均匀随机数；按规定的顺序应为 ${reference.draws} 个`), where, t('.', '。')], ''), MASK_HINT);
        }
      },
    },
    {
      name: t('nspPairs: exact pairs on a seeded generator, labels 0 = IsNext, random sentences from other documents', 'nspPairs：带种子生成器下的确切句子对，label 0 = IsNext，随机句子来自其他文档'),
      task: 'nspPairs',
      run: (m) => {
        for (const [sizes, seed] of [[[4, 6, 1, 5, 3], 3], [[2, 2], 8], [[7, 3, 5, 2, 6, 4], 21]] as const) expectPairs(m, [...sizes], seed);
        // Sentences of any type: arrays of ids, returned as they are (the same objects).
        const docs = [[[1, 2], [3, 4, 5], [6]], [[7], [8, 9]], [[10, 11, 12]]];
        const got = m.nspPairs(docs, new Rng(5));
        const want = objectivesNspRef(docs, new Rng(5));
        expectTrue(Array.isArray(got) && got.length === want.length && got.every((p, i) => p.a === want[i].a && p.b === want[i].b && p.label === want[i].label),
          t('nspPairs on documents whose sentences are arrays of ids (Rng(5)) did not return the expected pairs of the same sentence objects: sentences can be of any type; put them in the pairs as they are.',
            '对句子是 id 数组的文档（Rng(5)），nspPairs 没有返回预期的句子对（应是同样的句子对象）：句子可以是任意类型；把它们原样放进句子对。'));
        expectThrows(() => m.nspPairs([['only', 'one document']], new Rng(1)), 'nspPairs([[...one document...]], rng)',
          t('With one document there is no other document to draw a random sentence from: throw new Error(...) when docs.length < 2.', '只有一篇文档时，没有别的文档可供抽取随机句子：当 docs.length < 2 时 throw new Error(...)。'));
      },
    },
    {
      name: t('spanCorrupt: the T5 paper\'s example, "Thank you for inviting me to your party last week."', 'spanCorrupt：T5 论文中的例子，"Thank you for inviting me to your party last week."'),
      task: 'spanCorrupt',
      run: (m) => {
        const where = t(' (the T5 paper\'s example: noise "for inviting" and "last"; expected inputs "Thank you <extra_id_0> me to your party <extra_id_1> week ." and targets "<extra_id_0> for inviting <extra_id_1> last <extra_id_2>")',
          '（T5 论文的例子：噪声为 "for inviting" 和 "last"；应得到 inputs "Thank you <extra_id_0> me to your party <extra_id_1> week ." 和 targets "<extra_id_0> for inviting <extra_id_1> last <extra_id_2>"）');
        expectCorrupted(m, PAPER, PAPER_MASK, extraId, where, words);
      },
    },
    {
      name: t('spanCorrupt: random masks, ids as tokens, masks that start or end with noise, no noise, all noise', 'spanCorrupt：随机掩码，以 id 为词元，以噪声开头或结尾的掩码，没有噪声，全是噪声'),
      task: 'spanCorrupt',
      run: (m, ctx) => {
        const sentinel = (k: number) => 32099 - k; // T5's vocabulary: <extra_id_0> is id 32099, <extra_id_1> 32098, ...
        const cases: boolean[][] = [];
        for (let c = 0; c < 6; c++) cases.push(Array.from({ length: 12 + c * 5 }, () => ctx.random() < 0.3));
        cases[0][0] = cases[0][1] = true; cases[0][cases[0].length - 1] = false; // starts with noise (two tokens), ends kept
        cases[1][0] = false; cases[1][cases[1].length - 1] = cases[1][cases[1].length - 2] = true; // starts kept, ends with noise
        cases[2][0] = false; cases[2][cases[2].length - 1] = false; cases[2][3] = cases[2][4] = cases[2][5] = true; // a span of three inside
        cases.push(new Array(9).fill(false), new Array(5).fill(true), [true], [false]);
        for (const mask of cases) {
          const tokens = mask.map(() => 3 + Math.floor(ctx.random() * 32000));
          const where = t(` (tokens ${idList(tokens)}, noise mask ${mask.map(Number).join('')}, sentinel(k) = 32099 - k)`, `（词元 ${idList(tokens)}，噪声掩码 ${mask.map(Number).join('')}，sentinel(k) = 32099 - k）`);
          expectCorrupted(m, tokens, mask, sentinel, where, idList);
        }
        expectThrows(() => m.spanCorrupt(['a', 'b', 'c'], [true, false], extraId), 'spanCorrupt(3 tokens, a mask of 2)',
          t('throw new Error(...) when noiseMask.length !== tokens.length.', '当 noiseMask.length !== tokens.length 时 throw new Error(...)。'));
      },
    },
    {
      name: t('randomSpansMask: T5\'s sampler, exact masks on a seeded generator (lengths 2 to 513, density 0.15 and 0.3, mean span 3 and 2.5)', 'randomSpansMask：T5 的采样器，带种子生成器下的确切掩码（长度 2 到 513，density 0.15 和 0.3，平均片段长度 3 和 2.5）'),
      task: 'randomSpansMask',
      run: (m, ctx) => {
        const cases: [number, SpanOpts, number][] = [[512, undefined, 7], [128, { density: 0.3 }, 6], [513, { meanSpanLength: 2.5 }, 8], [70, undefined, 5], [30, {}, 3],
          [37, { density: 0.3, meanSpanLength: 2.5 }, 4], [10, undefined, 2], [2, undefined, 1]];
        for (const [length, opts, seed] of cases) expectSpansMask(m, length, opts, seed);
        expectThrows(() => m.randomSpansMask(1, new Rng(1)), 'randomSpansMask(1, rng)', t('A mask needs a kept and a noise token: throw new Error(...) when length < 2 (or not an integer).', '掩码至少需要一个保留词元和一个噪声词元：length < 2（或不是整数）时 throw new Error(...)。'));
        expectThrows(() => m.randomSpansMask(7.5, new Rng(1)), 'randomSpansMask(7.5, rng)', t('throw new Error(...) when length is not an integer.', '当 length 不是整数时 throw new Error(...)。'));
        // What it looks like: span lengths over 100 masks of 512 tokens, and one corrupted sentence (the course's spanCorrupt).
        const counts = new Array<number>(10).fill(0);
        let [total, n] = [0, 0];
        for (let r = 0; r < 100; r++) {
          for (const [a, b] of objectivesSpans(expectSpansMask(m, 512, undefined, 1000 + r))) { counts[Math.min(b - a, 10) - 1]++; total += b - a; n++; }
        }
        ctx.artifact({ kind: 'bars', title: t(`Noise span lengths in 100 masks of 512 tokens from your randomSpansMask (mean ${(total / n).toFixed(2)}; T5: 3)`, `你的 randomSpansMask 生成的 100 个 512 词元掩码中噪声片段的长度（平均 ${(total / n).toFixed(2)}；T5：3）`),
          labels: counts.map((_, k) => (k === 9 ? '10+' : String(k + 1))), values: counts });
        const sentence = 'Call me Ishmael . Some years ago — never mind how long precisely — having little or no money in my purse , and nothing particular to interest me on shore , I thought I would sail about a little and see the watery part of the world .'.split(' ');
        const mask = expectSpansMask(m, sentence.length, undefined, 42);
        const out = objectivesSpanRef(sentence, mask, (k) => `<extra_id_${k}>`);
        ctx.artifact({ kind: 'text', title: t(`T5's span corruption of the book's opening with your mask (Rng(42), ${sentence.length} words)`, `用你的掩码对书的开头做 T5 片段破坏（Rng(42)，${sentence.length} 个词）`),
          text: `inputs:  ${out.inputs.join(' ')}\ntargets: ${out.targets.join(' ')}` });
      },
    },
    {
      name: t('GPT\'s objective generates, BERT\'s does not: the bundled model continues a prompt and fills a blank (your maskTokens on its characters)', 'GPT 的目标能生成，BERT 的不能：内置模型续写提示并填空（在它的字符上运行你的 maskTokens）'),
      task: 'maskTokens',
      timeoutSeconds: 30,
      run: async (m, ctx) => {
        const model = await lessonModel();
        const prompt = 'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, I thought I would';
        const V = model.config.vocabSize;
        const ids = Array.from(model.tokenizer.encode(prompt));
        // Your maskTokens on the model's characters, [MASK] = a new id V shown as '_'.
        const got = callMask(m, ids, new Rng(2024), { maskId: V, vocabSize: V, prob: 0.15 });
        const want = objectivesMaskRef(ids, new Rng(2024), { maskId: V, vocabSize: V, prob: 0.15 });
        expectTrue(got.input.every((v, i) => v === want.input[i]) && got.labels.every((v, i) => v === want.labels[i]),
          t('maskTokens on the model\'s characters (Rng(2024), maskId = vocabSize) does not give the reference\'s positions: the other maskTokens checks say why.', '在模型的字符上（Rng(2024)，maskId = vocabSize），maskTokens 没有给出参考实现的位置：其他 maskTokens 检查会说明原因。'));
        const shown = got.input.map((id) => (id === V ? '_' : model.vocab[id])).join('');
        const labelled = got.labels.filter((l) => l !== IGNORE).length;
        const continuation = await objectivesContinue(model, 'Call me Ishmael. Some years ago', 40);
        const blank = 'Call me Ishmael. Some years ago';
        const at = blank.indexOf('Some') + 2; // 'So_e'
        const fill = await objectivesFillIn(model, blank, at, 5);
        const pct = (p: number) => `${(100 * p).toFixed(1)} %`;
        const vis = (c: string) => (c === ' ' ? '␣' : c === '\n' ? '⏎' : c);
        ctx.artifact({ kind: 'text', title: t('GPT\'s objective: the bundled model continues the text, one character at a time, left to right (greedy)', 'GPT 的目标：内置模型从左到右、一次一个字符地续写（贪心）'),
          text: `Call me Ishmael. Some years ago[${continuation}]` });
        ctx.artifact({ kind: 'text', title: t(`BERT's input: your maskTokens on ${ids.length} characters (_ = [MASK]); the loss sees only the ${labelled} selected positions, GPT's sees all ${ids.length}`,
          `BERT 的输入：你的 maskTokens 作用于 ${ids.length} 个字符（_ = [MASK]）；损失只看到 ${labelled} 个被选中的位置，而 GPT 的损失看到全部 ${ids.length} 个`), text: `${prompt}\n${shown}` });
        ctx.artifact({ kind: 'table', title: t(`Filling the blank in "${blank.slice(0, at)}_${blank.slice(at + 1)}": from the left only (what GPT predicts) and from both sides (what an MLM is trained to do; here by scoring every candidate with the causal model, ${V} forward passes)`,
          `填空 "${blank.slice(0, at)}_${blank.slice(at + 1)}"：只看左边（GPT 的预测）与看两边（MLM 训练要做的事；这里用因果模型给每个候选打分，${V} 次前向计算）`),
        columns: [t('rank', '名次'), t('left context only', '只看左侧上下文'), t('both sides', '两侧上下文')],
        rows: fill.left.map(([c, p], r) => [r + 1, `${vis(c)}  ${pct(p)}`, `${vis(fill.both[r][0])}  ${pct(fill.both[r][1])}`]) });
      },
    },
  ],
});
