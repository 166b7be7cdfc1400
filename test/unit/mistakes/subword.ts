/**
 * The subword lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake put
 * into the reference solution (lessons/06b-subword/subword.solution.ts), and the one check that names it run on it.
 */
import { SUBWORD_MISTAKES } from '../../../lessons/06b-subword/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'subword/tokenizers';
const WP_HAND = "wordpiece: BERT's example";
const WP_RANDOM = 'wordpiece: random vocabularies';
const VITERBI_LONG = 'viterbi: random vocabularies';
const EXPECTED = 'expectedCounts:';
const EM = 'emStep:';
const PRUNE = 'prune:';
const SP = 'spEncode and spDecode';

const DIGAMMA = `  const digamma = (x: number): number => { let r = 0; for (; x < 7; x++) r -= 1 / x; x -= 0.5; const xx = 1 / x, xx2 = xx * xx, xx4 = xx2 * xx2; return r + Math.log(x) + xx2 / 24 - (7 / 960) * xx4 + (31 / 8064) * xx4 * xx2 - (127 / 30720) * xx4 * xx4; };
  let sum = 0;
  for (const c of total.values()) if (c >= 0.5) sum += c;
  const next = new Map<string, number>();
  for (const [p, c] of total) if (c >= 0.5) next.set(p, digamma(c) - digamma(sum));`;
const ML_STEP = `  let sum = 0;
  for (const c of total.values()) sum += c;
  const next = new Map<string, number>();
  for (const [p, c] of total) if (c > 0) next.set(p, Math.log(c) - Math.log(sum));`;

export const CASES: MistakeCase[] = mistakeCases(SUBWORD_MISTAKES, EX, [
  {
    key: 'shortest-match', check: WP_HAND,
    edits: [
      ['let end = chars.length;', 'let end = start + 1;'],
      ['while (start < end) { //                               the longest match first', 'while (end <= chars.length) {'],
      ['      end--;\n', '      end++;\n'],
    ],
  },
  {
    key: 'shortest-match', check: WP_RANDOM, name: 'random vocabularies',
    edits: [
      ['let end = chars.length;', 'let end = start + 1;'],
      ['while (start < end) { //                               the longest match first', 'while (end <= chars.length) {'],
      ['      end--;\n', '      end++;\n'],
    ],
  },
  { key: 'prefix-first', check: WP_HAND, edits: [["const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');", "const sub = '##' + chars.slice(start, end).join('');"]] },
  { key: 'partial-unk', check: WP_HAND, edits: [['if (piece === null) return [unk];', 'if (piece === null) return [...pieces, unk];']] },
  { key: 'partial-unk', check: WP_RANDOM, name: 'random vocabularies', edits: [['if (piece === null) return [unk];', 'if (piece === null) return [...pieces, unk];']] },
  {
    key: 'viterbi-underflow', check: VITERBI_LONG,
    edits: [
      ['const best = new Float64Array(n + 1).fill(-Infinity); // best[i]: the best log-prob of chars[0..i)', 'const best = new Float32Array(n + 1).fill(0); // best[i]: the best probability of chars[0..i)'],
      ["  best[0] = 0;\n  for (let end = 1; end <= n; end++) {\n    for (let start = Math.max(0, end - L); start < end; start++) {\n      const lp = logProbs.get(", "  best[0] = 1;\n  for (let end = 1; end <= n; end++) {\n    for (let start = Math.max(0, end - L); start < end; start++) {\n      const lp = logProbs.get("],
      ['const score = best[start] + lp;', 'const score = best[start] * Math.exp(lp);'],
      ['if (best[n] === -Infinity) return { pieces: [], logProb: -Infinity };', 'if (best[n] === 0) return { pieces: [], logProb: -Infinity };'],
      ['return { pieces: pieces.reverse(), logProb: best[n] };', 'return { pieces: pieces.reverse(), logProb: Math.log(best[n]) };'],
    ],
  },
  { key: 'counts-once', check: EM, edits: [['total.set(p, (total.get(p) ?? 0) + c); // every occurrence counts', 'total.set(p, (total.get(p) ?? 0) + Math.min(c, 1));']] },
  {
    key: 'counts-once', check: EXPECTED, name: 'presence in expectedCounts',
    // The posterior probability that a piece is used at all, from an enumeration of the segmentations.
    edits: [['export function expectedCounts(text: string, logProbs: LogProbs): { counts: Map<string, number>; logLikelihood: number } {\n', `export function expectedCounts(text: string, logProbs: LogProbs): { counts: Map<string, number>; logLikelihood: number } {
  const segs: [string[], number][] = [];
  const walk = (rest: string[], pieces: string[], lp: number): void => {
    if (!rest.length) { segs.push([pieces, lp]); return; }
    for (let k = 1; k <= rest.length; k++) { const q = rest.slice(0, k).join(''); const l = logProbs.get(q); if (l !== undefined) walk(rest.slice(k), [...pieces, q], lp + l); }
  };
  if (Array.from(text).length <= 14) {
    walk(Array.from(text), [], 0);
    const Zs = Math.log(segs.reduce((s, [, l]) => s + Math.exp(l), 0));
    const seen = new Map<string, number>();
    for (const [pieces, l] of segs) for (const q of new Set(pieces)) seen.set(q, (seen.get(q) ?? 0) + Math.exp(l - Zs));
    return { counts: seen, logLikelihood: Zs };
  }
`]],
  },
  { key: 'sentencepiece-digamma', check: EM, edits: [[ML_STEP, DIGAMMA]] },
  { key: 'prune-chars', check: PRUNE, edits: [['    if (Array.from(piece).length === 1) { chars.push(piece); continue; } // single characters always stay\n', '']] },
  { key: 'prune-by-logprob', check: PRUNE, edits: [['scored.sort((a, b) => b.loss - a.loss || b.lp - a.lp ||', 'scored.sort((a, b) => b.lp - a.lp ||']] },
  { key: 'space-at-end', check: SP, edits: [["const chars = Array.from(SPACE + text.replaceAll(' ', SPACE));", "const chars = Array.from(text.replaceAll(' ', SPACE) + SPACE);"]] },
  { key: 'byte-decimal', check: SP, edits: [["pieces.push(`<0x${bytes[k].toString(16).toUpperCase().padStart(2, '0')}>`);", 'pieces.push(`<${bytes[k]}>`);']] },
  {
    key: 'byte-codepoint', check: SP,
    edits: [["    const bytes = new TextEncoder().encode(p); //           byte fallback: one piece per UTF-8 byte\n    for (let k = bytes.length - 1; k >= 0; k--) pieces.push(`<0x${bytes[k].toString(16).toUpperCase().padStart(2, '0')}>`);",
      '    pieces.push(`<0x${p.codePointAt(0)!.toString(16).toUpperCase()}>`);']],
  },
]);

export const VARIANTS: LibraryVariant[] = [
  // SentencePiece's remove_extra_whitespaces: runs of spaces collapsed, ends stripped (the checks give none: accepted).
  { library: 'SentencePiece', name: 'remove_extra_whitespaces before encoding', exercise: EX, check: SP,
    edits: [["const chars = Array.from(SPACE + text.replaceAll(' ', SPACE));", "const chars = Array.from(SPACE + text.trim().split(/ +/).join(SPACE));"]] },
  // SentencePiece's Bayesian M-step: named as its convention.
  { library: 'SentencePiece', name: 'M-step digamma(c) - digamma(sum c), counts below 0.5 dropped', exercise: EX, check: EM, edits: [[ML_STEP, DIGAMMA]] },
];
