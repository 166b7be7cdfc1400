/**
 * The BPE lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for bpe/tokenizer written
 * independently of the catalogue. Correct files in other styles than the reference (string keys and a sort, chunks
 * grouped by word with their frequency as Hugging Face's trainer does, merges applied one after another in list order,
 * a literal port of minbpe with a vocab of Uint8Arrays and recursive token bytes), and one-bug variants: most of them
 * mistakes no catalogue names (a wrong new id, a merge from the right, pairs counted without overlap, an unknown id
 * skipped, ties to the largest pair, encode ignoring its pattern, no early stop), the others catalogued mistakes
 * written a new way (`catalogued`). No check trains a model; entries whose bug is in encode or decode run only those
 * quick checks (`checks`), the others every check (the book's 200 merges included, under a second).
 * Each bug's `line` is computed from its source: where a marker (by default the first line of the changed text)
 * occurs, exactly once. No entry uses kit ops (ids are plain numbers).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'bpe/tokenizer';
const SOLUTION = readFileSync(path.join(LESSONS, '06a-bpe', 'tokenizer.solution.ts'), 'utf8');

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source };
}

function bug(name: string, edits: [string, string][], opts: { catalogued?: string; at?: string; checks?: string[] } = {}): CorpusEntry {
  const source = withEdits(SOLUTION, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}), ...(opts.checks ? { checks: opts.checks } : {}),
  };
}

/** The quick checks of encode and decode: entries whose bug is there skip the 200 merges on the book. */
const ENCODE = ['encode: hand-worked ids', 'special tokens: encoded as their id', 'GPT-2\'s merges: your encoder gives'];
const DECODE = ['decode: bytes that split a UTF-8 character', 'encode and decode: the round trip'];

const HEADER = `export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+/gu;
export type Merge = [number, number];
export interface TrainOptions { pattern?: RegExp | null; onMerge?: (pair: Merge, id: number, count: number) => void }
export interface CodecOptions { pattern?: RegExp | null; special?: Record<string, number> }
export function pretokenize(text: string, pattern: RegExp | null = GPT2_PATTERN): string[] {
  if (pattern === null) return text === '' ? [] : [text];
  return text.match(new RegExp(pattern.source, 'gu')) ?? [];
}
export function toBytes(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}
`;

/** String keys, a plain object and a sort to pick the best pair; merges applied one after another in list order. */
const STRINGS_AND_SORT = `${HEADER}
export function merge(ids: readonly number[], pair: Merge, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const hit = i < ids.length - 1 && ids[i] === pair[0] && ids[i + 1] === pair[1];
    out.push(hit ? id : ids[i]);
    if (hit) i++;
  }
  return out;
}

export function trainBpe(text: string, numMerges: number, opts: TrainOptions = {}): Merge[] {
  let chunks = pretokenize(text, opts.pattern === undefined ? GPT2_PATTERN : opts.pattern).map(toBytes);
  const merges: Merge[] = [];
  while (merges.length < numMerges) {
    const counts: Record<string, number> = {};
    for (const c of chunks) for (let i = 1; i < c.length; i++) counts[c[i - 1] + ',' + c[i]] = (counts[c[i - 1] + ',' + c[i]] ?? 0) + 1;
    const ranked = Object.entries(counts).map(([k, n]) => [...k.split(',').map(Number), n]);
    if (ranked.length === 0) return merges;
    ranked.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]);
    const [a, b, n] = ranked[0];
    const id = 256 + merges.length;
    chunks = chunks.map((c) => merge(c, [a, b], id));
    merges.push([a, b]);
    opts.onMerge?.([a, b], id, n);
  }
  return merges;
}

function plain(text: string, merges: readonly Merge[], pattern: RegExp | null): number[] {
  const out: number[] = [];
  for (const chunk of pretokenize(text, pattern)) {
    let ids = toBytes(chunk);
    // In list order: a merge can only make pairs whose merges come later, so this is the lowest-rank-first result.
    merges.forEach((p, i) => { if (ids.length > 1) ids = merge(ids, p, 256 + i); });
    out.push(...ids);
  }
  return out;
}

export function encode(text: string, merges: readonly Merge[], opts: CodecOptions = {}): number[] {
  const pattern = opts.pattern === undefined ? GPT2_PATTERN : opts.pattern;
  const special = opts.special ?? {};
  const out: number[] = [];
  let rest = text;
  for (;;) {
    let first = -1;
    let name = '';
    for (const s of Object.keys(special)) {
      const at = rest.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) { first = at; name = s; }
    }
    if (first < 0) break;
    out.push(...plain(rest.slice(0, first), merges, pattern), special[name]);
    rest = rest.slice(first + name.length);
  }
  out.push(...plain(rest, merges, pattern));
  return out;
}

export function decode(ids: readonly number[], merges: readonly Merge[], opts: CodecOptions = {}): string {
  const memo = new Map<number, number[]>();
  const bytesOf = (id: number): number[] => {
    if (Number.isInteger(id) && id >= 0 && id < 256) return [id];
    const m = merges[id - 256];
    if (!m) throw new RangeError('unknown id ' + id);
    if (!memo.has(id)) memo.set(id, [...bytesOf(m[0]), ...bytesOf(m[1])]);
    return memo.get(id)!;
  };
  const byId: Record<number, string> = {};
  for (const [s, id] of Object.entries(opts.special ?? {})) byId[id] = s;
  const all = ids.flatMap((id) => (id in byId ? toBytes(byId[id]) : bytesOf(id)));
  return new TextDecoder().decode(new Uint8Array(all));
}
`;

/** Hugging Face's way of training: identical chunks grouped, each counted with its frequency; a numeric key. */
const WORD_FREQUENCIES = `${HEADER}
export function merge(ids: readonly number[], pair: Merge, id: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < ids.length) {
    if (ids[i] === pair[0] && ids[i + 1] === pair[1] && i + 1 < ids.length) { out.push(id); i += 2; }
    else out.push(ids[i++]);
  }
  return out;
}

export function trainBpe(text: string, numMerges: number, opts: TrainOptions = {}): Merge[] {
  const freq = new Map<string, number>();
  for (const w of pretokenize(text, opts.pattern === undefined ? GPT2_PATTERN : opts.pattern)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const words = [...freq].map(([w, n]) => ({ ids: toBytes(w), n }));
  const merges: Merge[] = [];
  for (let m = 0; m < numMerges; m++) {
    const stats = new Map<number, number>();
    for (const { ids, n } of words) for (let i = 0; i + 1 < ids.length; i++) stats.set(ids[i] * 65536 + ids[i + 1], (stats.get(ids[i] * 65536 + ids[i + 1]) ?? 0) + n);
    let best = Infinity;
    let most = 0;
    stats.forEach((n, k) => { if (n > most || (n === most && k < best)) { most = n; best = k; } });
    if (most === 0) break;
    const pair: Merge = [Math.floor(best / 65536), best % 65536];
    for (const w of words) w.ids = merge(w.ids, pair, 256 + m);
    merges.push(pair);
    if (opts.onMerge) opts.onMerge(pair, 256 + m, most);
  }
  return merges;
}

export function encode(text: string, merges: readonly Merge[], opts: CodecOptions = {}): number[] {
  const rank = new Map(merges.map(([a, b], i) => [a * 65536 + b, i] as [number, number]));
  const pattern = opts.pattern === undefined ? GPT2_PATTERN : opts.pattern;
  const one = (chunk: string): number[] => {
    let ids = toBytes(chunk);
    for (;;) {
      const ranks = ids.slice(1).map((b, i) => rank.get(ids[i] * 65536 + b) ?? Infinity);
      const r = Math.min(Infinity, ...ranks);
      if (r === Infinity) return ids;
      ids = merge(ids, merges[r], 256 + r);
    }
  };
  const names = Object.keys(opts.special ?? {}).map((s) => s.replace(/[|\\\\{}()[\\]^$+*?.]/g, '\\\\$&'));
  const pieces = names.length ? text.split(new RegExp('(' + names.join('|') + ')')) : [text];
  return pieces.flatMap((p, i) => (i % 2 ? [opts.special![p]] : pretokenize(p, pattern).flatMap(one)));
}

export function decode(ids: readonly number[], merges: readonly Merge[], opts: CodecOptions = {}): string {
  const vocab = new Map<number, number[]>();
  for (let b = 0; b < 256; b++) vocab.set(b, [b]);
  merges.forEach(([a, b], i) => vocab.set(256 + i, vocab.get(a)!.concat(vocab.get(b)!)));
  for (const [s, id] of Object.entries(opts.special ?? {})) vocab.set(id, toBytes(s));
  const out: number[] = [];
  for (const id of ids) {
    const b = vocab.get(id);
    if (!b) throw new Error('no such token: ' + id);
    for (const x of b) out.push(x);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(new Uint8Array(out));
}
`;

/** A literal port of minbpe (get_stats, merge, a vocab of Uint8Arrays), with this lesson's tie rule. */
const MINBPE_PORT = `${HEADER}
function getStats(ids: readonly number[], counts: Map<string, number>): Map<string, number> {
  for (let i = 0; i < ids.length - 1; i++) {
    const pair = ids[i] + ',' + ids[i + 1];
    counts.set(pair, (counts.get(pair) || 0) + 1);
  }
  return counts;
}

export function merge(ids: readonly number[], pair: Merge, idx: number): number[] {
  const newids: number[] = [];
  let i = 0;
  while (i < ids.length) {
    if (ids[i] === pair[0] && i < ids.length - 1 && ids[i + 1] === pair[1]) {
      newids.push(idx);
      i += 2;
    } else {
      newids.push(ids[i]);
      i += 1;
    }
  }
  return newids;
}

const smaller = (x: Merge, y: Merge): boolean => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);

export function trainBpe(text: string, numMerges: number, opts: TrainOptions = {}): Merge[] {
  const textChunks = pretokenize(text, opts.pattern === undefined ? GPT2_PATTERN : opts.pattern);
  let ids = textChunks.map((ch) => toBytes(ch));
  const merges: Merge[] = [];
  for (let i = 0; i < numMerges; i++) {
    const stats = new Map<string, number>();
    for (const chunkIds of ids) getStats(chunkIds, stats);
    if (stats.size === 0) break;
    let pair: Merge | undefined;
    let count = -1;
    for (const [k, v] of stats) {
      const p = k.split(',').map(Number) as Merge;
      if (v > count || (v === count && smaller(p, pair!))) { pair = p; count = v; }
    }
    const idx = 256 + i;
    ids = ids.map((chunkIds) => merge(chunkIds, pair!, idx));
    merges.push(pair!);
    opts.onMerge?.(pair!, idx, count);
  }
  return merges;
}

function encodeChunk(textBytes: number[], merges: readonly Merge[]): number[] {
  let ids = [...textBytes];
  const index = new Map(merges.map((p, i) => [p.join(','), i]));
  while (ids.length >= 2) {
    const stats = getStats(ids, new Map());
    let pair: string | undefined;
    for (const k of stats.keys()) if ((index.get(k) ?? Infinity) < (pair === undefined ? Infinity : index.get(pair)!)) pair = k;
    if (pair === undefined) break;
    const i = index.get(pair)!;
    ids = merge(ids, merges[i], 256 + i);
  }
  return ids;
}

export function encode(text: string, merges: readonly Merge[], opts: CodecOptions = {}): number[] {
  const special = opts.special ?? {};
  const escape = (s: string) => s.replace(/[.*+?^\${}()|[\\]\\\\]/g, '\\\\$&');
  const specialPattern = '(' + Object.keys(special).map(escape).join('|') + ')';
  const chunks = Object.keys(special).length ? text.split(new RegExp(specialPattern)) : [text];
  const ids: number[] = [];
  for (const part of chunks) {
    if (part in special) { ids.push(special[part]); continue; }
    for (const chunk of pretokenize(part, opts.pattern === undefined ? GPT2_PATTERN : opts.pattern)) ids.push(...encodeChunk(toBytes(chunk), merges));
  }
  return ids;
}

export function decode(ids: readonly number[], merges: readonly Merge[], opts: CodecOptions = {}): string {
  const vocab = new Map<number, Uint8Array>();
  for (let idx = 0; idx < 256; idx++) vocab.set(idx, Uint8Array.of(idx));
  merges.forEach(([p0, p1], i) => {
    const a = vocab.get(p0)!;
    const b = vocab.get(p1)!;
    const joined = new Uint8Array(a.length + b.length);
    joined.set(a);
    joined.set(b, a.length);
    vocab.set(256 + i, joined);
  });
  const inverse = new Map(Object.entries(opts.special ?? {}).map(([k, v]) => [v, new TextEncoder().encode(k)]));
  const parts: Uint8Array[] = ids.map((idx) => {
    const b = vocab.get(idx) ?? inverse.get(idx);
    if (b === undefined) throw new Error('invalid token id: ' + idx);
    return b;
  });
  const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { total.set(p, at); at += p.length; }
  return new TextDecoder('utf-8').decode(total);
}
`;

/** The reference with a pair kept as [a, b] and compared by hand; specials found with a sticky scan; ids as typed arrays. */
const TYPED = withEdits(SOLUTION, [
  ['    let bestKey = -1;\n    let bestCount = 0;\n    for (const [k, count] of counts) {\n      if (count > bestCount || (count === bestCount && k < bestKey)) { //  ties: the smallest pair (a, b)\n        bestKey = k;\n        bestCount = count;\n      }\n    }',
    '    let bestKey = -1;\n    let bestCount = 0;\n    for (const [k, count] of counts) {\n      const [a, b, ba, bb] = [Math.floor(k / 1048576), k % 1048576, Math.floor(bestKey / 1048576), bestKey % 1048576];\n      if (bestKey < 0 || count > bestCount || (count === bestCount && (a < ba || (a === ba && b < bb)))) {\n        bestKey = k;\n        bestCount = count;\n      }\n    }'],
  ['export function merge(ids: readonly number[], pair: Merge, id: number): number[] {\n  const out: number[] = [];',
    'export function merge(ids: readonly number[], pair: Merge, id: number): number[] {\n  const out: number[] = []; // (filled below, then returned as a plain array)'],
  ['  return new TextDecoder(\'utf-8\').decode(Uint8Array.from(bytes));', '  const buffer = new Uint8Array(bytes.length);\n  bytes.forEach((b, i) => { buffer[i] = b; });\n  return new TextDecoder().decode(buffer);'],
], 'typed');

const TIE = 'if (count > bestCount || (count === bestCount && k < bestKey)) { //  ties: the smallest pair (a, b)';
const BEST_LOOP = `    let bestKey = -1;
    let bestCount = 0;
    for (const [k, count] of counts) {
      ${TIE}
        bestKey = k;
        bestCount = count;
      }
    }`;
const MERGE_BODY = `    if (i + 1 < ids.length && ids[i] === pair[0] && ids[i + 1] === pair[1]) {
      out.push(id);
      i += 2;
    } else {`;
const DECODE_TAIL = `    bytes.push(...b);
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));`;

export const CORPUS: CorpusEntry[] = [
  correct('string keys in a plain object, a sort for the best pair, merges applied in list order, indexOf for specials', STRINGS_AND_SORT),
  correct('chunks grouped by word with their frequency (Hugging Face\'s trainer), Math.min over ranks, Map vocab', WORD_FREQUENCIES),
  correct('a literal port of minbpe: getStats with string keys, a vocab of Uint8Arrays joined at the end', MINBPE_PORT),
  correct('the reference with the tie compared pair by pair and a hand-filled Uint8Array for decoding', TYPED),

  // Mistakes no catalogue names.
  bug('new ids start at 257', [['    const id = 256 + i;\n    for (let c', '    const id = 257 + i;\n    for (let c']]),
  bug('merge replaces occurrences from the right', [[
    `  let i = 0;\n  while (i < ids.length) {\n${MERGE_BODY}\n      out.push(ids[i]);\n      i += 1;\n    }\n  }\n  return out;`,
    '  let i = ids.length - 1;\n  while (i >= 0) {\n    if (i >= 1 && ids[i - 1] === pair[0] && ids[i] === pair[1]) {\n      out.unshift(id);\n      i -= 2;\n    } else {\n      out.unshift(ids[i]);\n      i -= 1;\n    }\n  }\n  return out;',
  ]], { at: 'if (i >= 1 && ids[i - 1] === pair[0] && ids[i] === pair[1]) {' }),
  bug('pairs counted without overlap (a counted pair of equal ids skips the next position)', [[
    '    counts.set(k, (counts.get(k) ?? 0) + 1);\n  }',
    '    counts.set(k, (counts.get(k) ?? 0) + 1);\n    if (ids[i] === ids[i + 1]) i++; //  "aaa": (a, a) once\n  }',
  ]], { at: 'if (ids[i] === ids[i + 1]) i++;' }),
  bug('an unknown id is skipped instead of refused', [['    if (b === undefined) throw new Error(`decode: unknown token id ${id}`);', '    if (b === undefined) continue;']], { checks: DECODE }),
  bug('ties go to the largest pair', [[TIE, 'if (count > bestCount || (count === bestCount && k > bestKey)) {']]),
  bug('encode ignores opts.pattern (always GPT-2\'s)', [['  const pattern = opts.pattern === undefined ? GPT2_PATTERN : opts.pattern;\n  const ranks', '  const pattern = GPT2_PATTERN;\n  const ranks']], { checks: ENCODE }),
  bug('no early stop: an empty count still makes a merge', [['    if (bestKey < 0) break; //                                             no pair left anywhere\n', '']],
    { at: 'const best: Merge = [Math.floor(bestKey / 1048576), bestKey % 1048576];' }),

  // Catalogued mistakes, written another way.
  bug('ties by first occurrence, with reduce over the counts', [[BEST_LOOP,
    '    const [bestKey, bestCount] = [...counts].reduce((best, e) => (e[1] > best[1] ? e : best), [-1, 0]);']], { catalogued: 'tie-first-occurrence' }),
  bug('decode maps each id to text and joins', [[DECODE_TAIL,
    '    bytes.push(...b);\n  }\n  return ids.map((id) => new TextDecoder().decode(Uint8Array.from(special.get(id) ?? vocab[id]))).join(\'\');']],
  { catalogued: 'decode-per-token', at: 'return ids.map((id) => new TextDecoder().decode(', checks: DECODE }),
  bug('special tokens split out, then encoded as text anyway', [['  return parts.flatMap((part, i) => (i % 2 === 1 ? [special[part]] : ordinary(part)));',
    '  return parts.flatMap((part) => ordinary(part));']], { catalogued: 'special-as-text', checks: ENCODE }),
];
