/**
 * The BPE lesson: a byte-level BPE tokenizer, as Karpathy's minbpe writes it (its RegexTokenizer).
 *
 * Text -> UTF-8 bytes (ids 0..255) -> merges learned from a training text (merge i makes id 256 + i).
 *
 * Four tasks:
 *   merge      replace every occurrence of a pair by a new id, left to right, without overlap
 *   trainBpe   learn numMerges merges: count every adjacent pair ("aaa" has (a, a) twice), take the most frequent
 *              pair (ties: the smallest pair), merge it everywhere, repeat
 *   encode     text -> ids with the learned merges (and special tokens)
 *   decode     ids -> text (all the bytes first, then one UTF-8 decode)
 * The checks compare your merges with a reference on hand-worked cases and on 10,000 characters of Moby-Dick,
 * and your encoder, given GPT-2's own merges, with GPT-2's tokenizer on a chapter of the book.
 *
 * A fast Map key for a pair: a * 1048576 + b (ids stay far below 2^20); comparing two such keys compares the pairs
 * (first a, then b). Ids are plain numbers: no tensors in this lesson.
 */

/** GPT-2's pre-tokenizer: the text is cut into chunks (words with their leading space, numbers, punctuation, spaces). */
export const GPT2_PATTERN = new RegExp(String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, 'gu');

/** One merge: the pair (a, b) of ids. Merge i of a list makes the new id 256 + i. */
export type Merge = [number, number];

export interface TrainOptions {
  /** The pre-tokenizer: a global regex whose matches are the chunks (default GPT2_PATTERN); null: the whole text is one chunk. */
  pattern?: RegExp | null;
  /** Called after each merge is chosen: the pair, its new id and how many times the pair occurred. */
  onMerge?: (pair: Merge, id: number, count: number) => void;
}

export interface CodecOptions {
  /** The same pre-tokenizer the merges were trained with (default GPT2_PATTERN); null: no split. */
  pattern?: RegExp | null;
  /** Special tokens: their text -> their id (an id above every merge's). Encoded as that one id, never split or merged. */
  special?: Record<string, number>;
}

/** The chunks of `text` (given, not a task): the matches of the pattern, or the whole text when pattern is null. */
export function pretokenize(text: string, pattern: RegExp | null = GPT2_PATTERN): string[] {
  if (pattern === null) return text === '' ? [] : [text];
  return text.match(new RegExp(pattern.source, 'gu')) ?? [];
}

/** The UTF-8 bytes of a string (given). */
export function toBytes(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/** A pair as one Map key (ids stay far below 2^20). */
const key = (a: number, b: number): number => a * 1048576 + b;

/** Adds the count of every adjacent pair of `ids` into `counts`: every position counts, so [97, 97, 97] has (97, 97) twice. */
function getStats(ids: readonly number[], counts: Map<number, number>): void {
  for (let i = 0; i + 1 < ids.length; i++) {
    const k = key(ids[i], ids[i + 1]);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
}

/** A new list where every occurrence of `pair` is `id`, left to right, without overlap: (97, 97) in [97, 97, 97] -> [id, 97]. */
export function merge(ids: readonly number[], pair: Merge, id: number): number[] {
  const out: number[] = [];
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
  return out;
}

/**
 * Learns `numMerges` merges from `text`: cut it into chunks, each chunk into its UTF-8 bytes; then, numMerges times:
 * count the pairs inside every chunk (never across two chunks), take the pair with the highest count (among equal
 * counts, the smallest pair: smallest first id, then smallest second id), give it the id 256 + i, and merge it in
 * every chunk. Stops early when no chunk has two ids left.
 */
export function trainBpe(text: string, numMerges: number, opts: TrainOptions = {}): Merge[] {
  const chunks = pretokenize(text, opts.pattern === undefined ? GPT2_PATTERN : opts.pattern).map(toBytes);
  const merges: Merge[] = [];
  for (let i = 0; i < numMerges; i++) {
    const counts = new Map<number, number>();
    for (const chunk of chunks) getStats(chunk, counts);
    let bestKey = -1;
    let bestCount = 0;
    for (const [k, count] of counts) {
      if (count > bestCount || (count === bestCount && k < bestKey)) { //  ties: the smallest pair (a, b)
        bestKey = k;
        bestCount = count;
      }
    }
    if (bestKey < 0) break; //                                             no pair left anywhere
    const best: Merge = [Math.floor(bestKey / 1048576), bestKey % 1048576];
    const id = 256 + i;
    for (let c = 0; c < chunks.length; c++) chunks[c] = merge(chunks[c], best, id);
    merges.push(best);
    opts.onMerge?.(best, id, bestCount);
  }
  return merges;
}

/** One chunk's bytes -> ids: repeatedly merge the present pair that was learned first (the lowest merge index). */
function encodeChunk(bytes: number[], ranks: Map<number, number>, merges: readonly Merge[]): number[] {
  let ids = bytes;
  while (ids.length >= 2) {
    let bestRank = Infinity;
    for (let i = 0; i + 1 < ids.length; i++) {
      const r = ranks.get(key(ids[i], ids[i + 1]));
      if (r !== undefined && r < bestRank) bestRank = r;
    }
    if (bestRank === Infinity) break; //                             nothing left to merge
    ids = merge(ids, merges[bestRank], 256 + bestRank);
  }
  return ids;
}

/**
 * Text -> ids. Special tokens (opts.special) are found first and become their id; the text between them is cut
 * into chunks and each chunk is encoded on its own, so no merge crosses a chunk or a special token.
 */
export function encode(text: string, merges: readonly Merge[], opts: CodecOptions = {}): number[] {
  const pattern = opts.pattern === undefined ? GPT2_PATTERN : opts.pattern;
  const ranks = new Map<number, number>();
  merges.forEach(([a, b], i) => ranks.set(key(a, b), i));
  const ordinary = (part: string): number[] => pretokenize(part, pattern).flatMap((c) => encodeChunk(toBytes(c), ranks, merges));
  const special = opts.special ?? {};
  const names = Object.keys(special);
  if (names.length === 0) return ordinary(text);
  const escaped = names.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const parts = text.split(new RegExp(`(${escaped.join('|')})`)); // the specials stay in the list, at odd indices
  return parts.flatMap((part, i) => (i % 2 === 1 ? [special[part]] : ordinary(part)));
}

/**
 * Ids -> text: the bytes of every id (a byte; a merge's two parts' bytes; a special token's UTF-8), all concatenated,
 * then UTF-8-decoded ONCE, with U+FFFD for bytes that do not form a character. Throws on an unknown id.
 */
export function decode(ids: readonly number[], merges: readonly Merge[], opts: CodecOptions = {}): string {
  const vocab: number[][] = [];
  for (let b = 0; b < 256; b++) vocab.push([b]);
  for (const [a, b] of merges) vocab.push([...vocab[a], ...vocab[b]]);
  const special = new Map(Object.entries(opts.special ?? {}).map(([text, id]) => [id, toBytes(text)]));
  const bytes: number[] = [];
  for (const id of ids) {
    const b = special.get(id) ?? vocab[id];
    if (b === undefined) throw new Error(`decode: unknown token id ${id}`);
    bytes.push(...b);
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}
