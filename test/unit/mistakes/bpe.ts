/**
 * The BPE lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake put into
 * the reference solution (lessons/06a-bpe/tokenizer.solution.ts) with exact edits, and the one check that names it run
 * on it, in English and Chinese. Every check named here is a quick one (none trains a model).
 */
import { BPE_MISTAKES } from '../../../lessons/06a-bpe/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'bpe/tokenizer';

/** The tie rule of the reference: among equal counts, the smaller key (the smaller pair). */
const TIE = 'if (count > bestCount || (count === bestCount && k < bestKey)) { //  ties: the smallest pair (a, b)';
/** minbpe's: Python's max() over a dict keeps the first pair counted (a Map iterates in insertion order too). */
const FIRST = 'if (count > bestCount) { //  ties: the first pair counted, as max() over a Python dict';

const MERGE_BODY = `  const out: number[] = [];
  let i = 0;
  while (i < ids.length) {
    if (i + 1 < ids.length && ids[i] === pair[0] && ids[i + 1] === pair[1]) {
      out.push(id);
      i += 2;
    } else {
      out.push(ids[i]);
      i += 1;
    }
  }
  return out;`;
/** Looks back at the INPUT instead of the output: in 'aaa' the second (a, a) overlaps the first and swallows it. */
const MERGE_LOOK_BACK = `  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && ids[i - 1] === pair[0] && ids[i] === pair[1]) out[out.length - 1] = id;
    else out.push(ids[i]);
  }
  return out;`;

const CHUNKS = 'const chunks = pretokenize(text, opts.pattern === undefined ? GPT2_PATTERN : opts.pattern).map(toBytes);';
const ORDINARY = 'const ordinary = (part: string): number[] => pretokenize(part, pattern).flatMap(';
const LOWEST = 'if (r !== undefined && r < bestRank) bestRank = r;';

const HAND_MERGE = 'merge: hand-worked sequences';
const HAND_TRAIN = 'trainBpe: hand-worked merges and counts';
const BOOK = 'trainBpe: the exact merge list and counts on 10,000 characters';
const HAND_ENCODE = 'encode: hand-worked ids';
const ROUND_TRIP = 'encode and decode: the round trip';
const SPECIAL = 'special tokens: encoded as their id';
const SPLIT = 'decode: bytes that split a UTF-8 character';
const GPT2 = 'GPT-2\'s merges: your encoder gives';

export const CASES: MistakeCase[] = mistakeCases(BPE_MISTAKES, EX, [
  { key: 'tie-first-occurrence', check: HAND_TRAIN, edits: [[TIE, FIRST]] },
  { key: 'tie-first-occurrence', name: 'the book', check: BOOK, edits: [[TIE, FIRST]] },
  { key: 'merge-overlap', check: HAND_MERGE, edits: [[MERGE_BODY, MERGE_LOOK_BACK]] },
  { key: 'across-pretokens', check: HAND_TRAIN, edits: [[CHUNKS, 'const chunks = [toBytes(text)]; //  the whole text as one sequence']] },
  { key: 'across-pretokens', name: 'the book', check: BOOK, edits: [[CHUNKS, 'const chunks = [toBytes(text)]; //  the whole text as one sequence']] },
  // (GPT-2's check cannot see this one: the merges GPT-2 applies to the chapter never span two chunks.)
  { key: 'across-pretokens', name: 'encode', check: HAND_ENCODE, edits: [[ORDINARY, 'const ordinary = (part: string): number[] => (part ? [part] : []).flatMap(']] },
  {
    key: 'decode-per-token', check: SPLIT,
    edits: [
      ['  const bytes: number[] = [];\n  for (const id of ids) {', '  let text = \'\';\n  for (const id of ids) {'],
      ['    bytes.push(...b);\n  }\n  return new TextDecoder(\'utf-8\').decode(Uint8Array.from(bytes));', '    text += new TextDecoder(\'utf-8\').decode(Uint8Array.from(b));\n  }\n  return text;'],
    ],
  },
  {
    key: 'decode-per-token', name: 'round trip', check: ROUND_TRIP,
    edits: [
      ['  const bytes: number[] = [];\n  for (const id of ids) {', '  let text = \'\';\n  for (const id of ids) {'],
      ['    bytes.push(...b);\n  }\n  return new TextDecoder(\'utf-8\').decode(Uint8Array.from(bytes));', '    text += new TextDecoder(\'utf-8\').decode(Uint8Array.from(b));\n  }\n  return text;'],
    ],
  },
  { key: 'special-as-text', check: SPECIAL, edits: [['const names = Object.keys(special);', 'const names: string[] = []; //  specials forgotten']] },
  { key: 'encode-leftmost', check: HAND_ENCODE, edits: [[LOWEST, 'if (r !== undefined && r < bestRank) { bestRank = r; break; } //  the first mergeable pair']] },
  { key: 'encode-leftmost', name: 'GPT-2\'s merges', check: GPT2, edits: [[LOWEST, 'if (r !== undefined && r < bestRank) { bestRank = r; break; } //  the first mergeable pair']] },
]);

/** The reference's encoder of one chunk, and tiktoken's way (gpt-tokenizer's too): ranks of byte strings, merging the
 * adjacent parts whose concatenation has the lowest rank, leftmost on a tie. */
const ENCODE_CHUNK = `  let ids = bytes;
  while (ids.length >= 2) {
    let bestRank = Infinity;
    for (let i = 0; i + 1 < ids.length; i++) {
      const r = ranks.get(key(ids[i], ids[i + 1]));
      if (r !== undefined && r < bestRank) bestRank = r;
    }
    if (bestRank === Infinity) break; //                             nothing left to merge
    ids = merge(ids, merges[bestRank], 256 + bestRank);
  }
  return ids;`;
const TIKTOKEN_CHUNK = `  const vocab: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
  const rankOf = new Map<string, number>();
  merges.forEach(([a, b], i) => { vocab.push([...vocab[a], ...vocab[b]]); rankOf.set(vocab[256 + i].join(','), i); });
  const parts = bytes.map((b) => [b]);
  const ids = [...bytes];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = rankOf.get([...parts[i], ...parts[i + 1]].join(','));
      if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
    }
    if (best < 0) return ids;
    parts.splice(best, 2, [...parts[best], ...parts[best + 1]]);
    ids.splice(best, 2, 256 + bestRank);
  }`;

export const VARIANTS: LibraryVariant[] = [
  // minbpe breaks ties by the first pair counted (dict order): reported as minbpe's convention, not as a mistake.
  { library: 'minbpe', name: 'ties broken by the first pair counted (max() over a dict)', exercise: EX, check: BOOK, edits: [[TIE, FIRST]] },
  // tiktoken and gpt-tokenizer keep ranks of byte strings, not a list of pairs: the same ids, accepted.
  { library: 'tiktoken', name: 'encode by ranks of byte strings (GPT-2\'s merges)', exercise: EX, check: GPT2, edits: [[ENCODE_CHUNK, TIKTOKEN_CHUNK]] },
  { library: 'tiktoken', name: 'encode by ranks of byte strings (hand-worked ids)', exercise: EX, check: HAND_ENCODE, edits: [[ENCODE_CHUNK, TIKTOKEN_CHUNK]] },
  { library: 'tiktoken', name: 'encode by ranks of byte strings (the round trip on merges learned from the book)', exercise: EX, check: ROUND_TRIP, edits: [[ENCODE_CHUNK, TIKTOKEN_CHUNK]] },
];
