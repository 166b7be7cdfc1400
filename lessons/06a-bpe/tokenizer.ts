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

import { TODO } from '@llm-lab/kit';

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

/** A new list where every occurrence of `pair` is `id`, left to right, without overlap: (97, 97) in [97, 97, 97] -> [id, 97]. */
export function merge(ids: readonly number[], pair: Merge, id: number): number[] {
  return TODO('merge');
}

/**
 * Learns `numMerges` merges from `text`: cut it into chunks, each chunk into its UTF-8 bytes; then, numMerges times:
 * count the pairs inside every chunk (never across two chunks), take the pair with the highest count (among equal
 * counts, the smallest pair: smallest first id, then smallest second id), give it the id 256 + i, and merge it in
 * every chunk. Stops early when no chunk has two ids left.
 */
export function trainBpe(text: string, numMerges: number, opts: TrainOptions = {}): Merge[] {
  // 1. chunks = pretokenize(text, pattern).map(toBytes)   (pattern: opts.pattern, GPT2_PATTERN when undefined)
  // 2. numMerges times: count the pairs in every chunk; pick the best pair (see above); id = 256 + i;
  //    merge it in every chunk; remember it; call opts.onMerge?.(pair, id, count).
  return TODO('trainBpe');
}

/**
 * Text -> ids. Special tokens (opts.special) are found first and become their id; the text between them is cut
 * into chunks and each chunk is encoded on its own, so no merge crosses a chunk or a special token.
 */
export function encode(text: string, merges: readonly Merge[], opts: CodecOptions = {}): number[] {
  // Special tokens first (split the text at them), then each chunk of the rest on its own: while two ids are left,
  // find the adjacent pair with the LOWEST merge index among those in `merges`, and merge it (your merge()).
  return TODO('encode');
}

/**
 * Ids -> text: the bytes of every id (a byte; a merge's two parts' bytes; a special token's UTF-8), all concatenated,
 * then UTF-8-decoded ONCE, with U+FFFD for bytes that do not form a character. Throws on an unknown id.
 */
export function decode(ids: readonly number[], merges: readonly Merge[], opts: CodecOptions = {}): string {
  // vocab: 256 single bytes, then vocab[256 + i] = [...vocab[a], ...vocab[b]] for merge i = (a, b).
  return TODO('decode');
}
