/**
 * The BPE lesson's course code: an independent reference of byte-level BPE (training, encoding, decoding), written
 * for the checks, plus the variants the checks use to recognise a catalogued mistake (ties broken by first
 * occurrence as minbpe does, no pre-tokenizer, decoding token by token, an encoder that merges the leftmost pair instead of the lowest-ranked one).
 *
 * The conventions (the lesson states them):
 * - ids 0..255 are the bytes of the UTF-8 text; merge i (0-based) makes id 256 + i.
 * - Training counts every adjacent pair inside each pre-token ("aaa" has (a, a) twice), and merges the pair with the
 *   highest count; among pairs with the same count, the smallest (a, b): smallest a, then smallest b.
 * - A merge replaces the occurrences of (a, b) left to right, without overlap: (a, a) in "aaa" gives [aa, a].
 * - Encoding: in each pre-token, merge the present pair with the lowest merge index, until none is left.
 * - Decoding: the bytes of every id, concatenated, then UTF-8-decoded once (U+FFFD for invalid sequences).
 */

/** GPT-2's pre-tokenizer pattern (tiktoken's r50k_base, as gpt-tokenizer ships it). */
export const BPE_GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export type BpeMerge = [number, number];

export interface BpeRefOptions {
  /** The pre-tokenizer (a global regex); null: the whole text is one chunk. Default GPT-2's. */
  pattern?: RegExp | null;
  /** Ties: the smallest pair (the lesson's rule) or the pair seen first in the text (minbpe's). */
  tie?: 'smallest' | 'first';
}

const KEY = 1 << 20; // ids stay below 2^20: a pair is one number a * KEY + b

/** The chunks of the text the pre-tokenizer makes (the whole text when pattern is null). */
export function bpePretokenize(text: string, pattern: RegExp | null | undefined = BPE_GPT2_PATTERN): string[] {
  if (pattern === null) return text.length ? [text] : [];
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return text.match(re) ?? [];
}

const encoder = new TextEncoder();
export const bpeBytes = (s: string): number[] => Array.from(encoder.encode(s));

/** minbpe's merge: every occurrence of (a, b) becomes id, left to right, without overlap ((a, a) in "aaa" -> [aa, a]). */
export function bpeRefMerge(ids: readonly number[], pair: readonly number[], id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length;) {
    if (i + 1 < ids.length && ids[i] === pair[0] && ids[i + 1] === pair[1]) {
      out.push(id);
      i += 2;
    } else {
      out.push(ids[i]);
      i++;
    }
  }
  return out;
}

export interface BpeTrained { merges: BpeMerge[]; counts: number[] }

/**
 * Trains `numMerges` merges (fewer if no pair is left). Identical chunks are counted once with their frequency (as
 * Hugging Face's trainer does): the same counts as minbpe's recount of the whole text, much faster.
 */
export function bpeRefTrain(text: string, numMerges: number, opts: BpeRefOptions = {}): BpeTrained {
  const freq = new Map<string, number>();
  for (const c of bpePretokenize(text, opts.pattern)) freq.set(c, (freq.get(c) ?? 0) + 1);
  const words = [...freq.keys()].map((w) => bpeBytes(w));
  const counts = [...freq.values()];
  const merges: BpeMerge[] = [];
  const mergeCounts: number[] = [];
  for (let m = 0; m < numMerges; m++) {
    const stats = new Map<number, number>(); // insertion order = first occurrence in the text
    words.forEach((w, k) => {
      for (let i = 0; i + 1 < w.length; i++) {
        const key = w[i] * KEY + w[i + 1];
        stats.set(key, (stats.get(key) ?? 0) + counts[k]);
      }
    });
    if (!stats.size) break;
    let best = -1;
    let bestCount = -1;
    for (const [key, c] of stats) {
      if (c > bestCount || (c === bestCount && opts.tie !== 'first' && key < best)) { best = key; bestCount = c; }
    }
    const pair: BpeMerge = [Math.floor(best / KEY), best % KEY];
    const id = 256 + m;
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      for (let i = 0; i + 1 < w.length; i++) {
        if (w[i] === pair[0] && w[i + 1] === pair[1]) { words[k] = bpeRefMerge(w, pair, id); break; }
      }
    }
    merges.push(pair);
    mergeCounts.push(bestCount);
  }
  return { merges, counts: mergeCounts };
}

/** The bytes of every id: 0..255, then each merge's two parts concatenated. */
export function bpeVocab(merges: readonly BpeMerge[]): number[][] {
  const vocab: number[][] = Array.from({ length: 256 }, (_, i) => [i]);
  merges.forEach(([a, b]) => vocab.push([...(vocab[a] ?? []), ...(vocab[b] ?? [])])); // an unknown part: no bytes (for messages)
  return vocab;
}

export interface BpeRefCodecOptions {
  pattern?: RegExp | null;
  special?: Record<string, number>;
  /** 'rank' (right): the present pair with the lowest merge index; 'leftmost' (a bug): the first mergeable pair. */
  order?: 'rank' | 'leftmost';
}

/** A reusable encoder (its ranks and a cache of encoded chunks): for 50,000 merges and whole chapters. */
export function bpeRefEncoder(merges: readonly BpeMerge[], opts: BpeRefCodecOptions = {}): (text: string) => number[] {
  const rank = new Map<number, number>();
  merges.forEach(([a, b], i) => { const k = a * KEY + b; if (!rank.has(k)) rank.set(k, i); });
  const cache = new Map<string, number[]>();
  const chunk = (c: string): number[] => {
    const hit = cache.get(c);
    if (hit) return hit;
    let ids = bpeBytes(c);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = rank.get(ids[i] * KEY + ids[i + 1]);
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; if (opts.order === 'leftmost') break; }
      }
      if (best < 0) break;
      ids = bpeRefMerge(ids, merges[bestRank], 256 + bestRank);
    }
    if (cache.size < 100_000) cache.set(c, ids);
    return ids;
  };
  const specials = Object.keys(opts.special ?? {});
  return (text: string) => {
    const out: number[] = [];
    const plain = (s: string) => { for (const c of bpePretokenize(s, opts.pattern)) out.push(...chunk(c)); };
    if (!specials.length) { plain(text); return out; }
    let at = 0;
    for (;;) {
      let next = -1;
      let which = '';
      for (const s of specials) {
        const i = text.indexOf(s, at);
        if (i >= 0 && (next < 0 || i < next || (i === next && s.length > which.length))) { next = i; which = s; }
      }
      if (next < 0) break;
      plain(text.slice(at, next));
      out.push(opts.special![which]);
      at = next + which.length;
    }
    plain(text.slice(at));
    return out;
  };
}

export const bpeRefEncode = (text: string, merges: readonly BpeMerge[], opts: BpeRefCodecOptions = {}): number[] => bpeRefEncoder(merges, opts)(text);

const decoder = new TextDecoder('utf-8');

/** The bytes of all ids concatenated, UTF-8-decoded once ('token': each token's bytes decoded on their own, a bug). */
export function bpeRefDecode(ids: readonly number[], merges: readonly BpeMerge[], opts: { special?: Record<string, number>; per?: 'text' | 'token' } = {}): string {
  const vocab = bpeVocab(merges);
  const special = new Map(Object.entries(opts.special ?? {}).map(([s, id]) => [id, s]));
  const parts = ids.map((id) => {
    const s = special.get(id);
    if (s !== undefined) return bpeBytes(s);
    if (!(id >= 0 && id < vocab.length)) throw new RangeError(`invalid token id ${id}`);
    return vocab[id];
  });
  if (opts.per === 'token') return parts.map((p) => decoder.decode(Uint8Array.from(p))).join('');
  return decoder.decode(Uint8Array.from(parts.flat()));
}

/** A token's text for a table: its bytes decoded, with spaces and newlines made visible, and a broken character as its bytes. */
export function bpeShowToken(bytes: readonly number[]): string {
  const s = decoder.decode(Uint8Array.from(bytes));
  const text = s.includes('\uFFFD') ? bytes.map((b) => (b < 0x80 ? String.fromCharCode(b) : `<${b.toString(16).toUpperCase().padStart(2, '0')}>`)).join('') : s;
  return text.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥');
}
