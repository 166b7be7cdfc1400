/**
 * The subword lesson, reference solution: WordPiece as BERT's tokenizer writes it, a Unigram language model over
 * pieces (Kudo 2018: Viterbi, the forward-backward expected counts, one EM step, pruning), and SentencePiece's
 * encoding with ▁ for spaces and byte fallback.
 */

/** BERT's token for a word it cannot split. */
export const UNK = '[UNK]';
/** SentencePiece's meta symbol for a space: U+2581 (LOWER ONE EIGHTH BLOCK), not an underscore. */
export const SPACE = '\u2581';

export interface WordpieceOptions {
  /** The token for a word that cannot be split (default '[UNK]'). */
  unk?: string;
  /** A word longer than this, in code points, is [UNK] whole (default 100, as Hugging Face's BERT tokenizers; Google's original uses 200). */
  maxInputCharsPerWord?: number;
}

/** Log-probabilities of the pieces of a Unigram model (natural log). */
export type LogProbs = ReadonlyMap<string, number>;

export interface Segmentation {
  pieces: string[];
  logProb: number;
}

// --- WordPiece -----------------------------------------------------------------------------------------------------

export function wordpiece(word: string, vocab: ReadonlySet<string>, opts: WordpieceOptions = {}): string[] {
  const unk = opts.unk ?? UNK;
  const chars = Array.from(word); //                     code points, as Python's str
  if (chars.length > (opts.maxInputCharsPerWord ?? 100)) return [unk];
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let piece: string | null = null;
    while (start < end) { //                               the longest match first
      const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
      if (vocab.has(sub)) { piece = sub; break; }
      end--;
    }
    if (piece === null) return [unk]; //                   one position cannot be matched: the whole word
    pieces.push(piece);
    start = end;
  }
  return pieces;
}

// --- Unigram -------------------------------------------------------------------------------------------------------

/** The longest piece of a vocabulary, in code points. */
function longest(logProbs: LogProbs): number {
  let n = 1;
  for (const p of logProbs.keys()) n = Math.max(n, Array.from(p).length);
  return n;
}

export function viterbi(text: string, logProbs: LogProbs): Segmentation {
  const chars = Array.from(text);
  const n = chars.length;
  const L = longest(logProbs);
  const best = new Float64Array(n + 1).fill(-Infinity); // best[i]: the best log-prob of chars[0..i)
  const back = new Int32Array(n + 1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - L); start < end; start++) {
      const lp = logProbs.get(chars.slice(start, end).join(''));
      if (lp === undefined) continue;
      const score = best[start] + lp; //                   log-probs add: a product of probabilities would underflow
      if (score > best[end]) { best[end] = score; back[end] = start; }
    }
  }
  if (best[n] === -Infinity) return { pieces: [], logProb: -Infinity };
  const pieces: string[] = [];
  for (let end = n; end > 0; end = back[end]) pieces.push(chars.slice(back[end], end).join(''));
  return { pieces: pieces.reverse(), logProb: best[n] };
}

/** log(e^a + e^b) without overflow or underflow. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

export function expectedCounts(text: string, logProbs: LogProbs): { counts: Map<string, number>; logLikelihood: number } {
  const chars = Array.from(text);
  const n = chars.length;
  const L = longest(logProbs);
  const piece = (s: number, e: number) => chars.slice(s, e).join('');
  const fwd = new Float64Array(n + 1).fill(-Infinity); // fwd[i]: log Σ over segmentations of chars[0..i)
  const bwd = new Float64Array(n + 1).fill(-Infinity); // bwd[i]: log Σ over segmentations of chars[i..n)
  fwd[0] = 0;
  bwd[n] = 0;
  for (let e = 1; e <= n; e++) {
    for (let s = Math.max(0, e - L); s < e; s++) {
      const lp = logProbs.get(piece(s, e));
      if (lp !== undefined) fwd[e] = logAdd(fwd[e], fwd[s] + lp);
    }
  }
  for (let s = n - 1; s >= 0; s--) {
    for (let e = s + 1; e <= Math.min(n, s + L); e++) {
      const lp = logProbs.get(piece(s, e));
      if (lp !== undefined) bwd[s] = logAdd(bwd[s], lp + bwd[e]);
    }
  }
  const counts = new Map<string, number>();
  const Z = fwd[n];
  if (Z === -Infinity) return { counts, logLikelihood: -Infinity };
  for (let s = 0; s < n; s++) {
    for (let e = s + 1; e <= Math.min(n, s + L); e++) {
      const p = piece(s, e);
      const lp = logProbs.get(p);
      if (lp === undefined) continue;
      const posterior = Math.exp(fwd[s] + lp + bwd[e] - Z); // P(this piece spans [s, e) | text)
      if (posterior > 0) counts.set(p, (counts.get(p) ?? 0) + posterior);
    }
  }
  return { counts, logLikelihood: Z };
}

export function emStep(sentences: readonly string[], logProbs: LogProbs): { logProbs: Map<string, number>; logLikelihood: number } {
  const total = new Map<string, number>();
  let logLikelihood = 0;
  for (const sentence of sentences) {
    const e = expectedCounts(sentence, logProbs);
    logLikelihood += e.logLikelihood;
    for (const [p, c] of e.counts) total.set(p, (total.get(p) ?? 0) + c); // every occurrence counts
  }
  let sum = 0;
  for (const c of total.values()) sum += c;
  const next = new Map<string, number>();
  for (const [p, c] of total) if (c > 0) next.set(p, Math.log(c) - Math.log(sum));
  return { logProbs: next, logLikelihood };
}

/** Σ over sentences of log P(sentence), every segmentation counted. */
function corpusLogLikelihood(sentences: readonly string[], logProbs: LogProbs): number {
  let ll = 0;
  for (const s of sentences) ll += expectedCounts(s, logProbs).logLikelihood;
  return ll;
}

export function prune(sentences: readonly string[], logProbs: LogProbs, size: number): Map<string, number> {
  const base = corpusLogLikelihood(sentences, logProbs);
  const chars: string[] = [];
  const scored: { piece: string; loss: number; lp: number }[] = [];
  for (const [piece, lp] of logProbs) {
    if (Array.from(piece).length === 1) { chars.push(piece); continue; } // single characters always stay
    const without = new Map(logProbs);
    without.delete(piece);
    scored.push({ piece, loss: base - corpusLogLikelihood(sentences, without), lp });
  }
  scored.sort((a, b) => b.loss - a.loss || b.lp - a.lp || (a.piece < b.piece ? -1 : a.piece > b.piece ? 1 : 0));
  const keep = new Set([...chars, ...scored.slice(0, Math.max(0, size - chars.length)).map((s) => s.piece)]);
  return new Map([...logProbs].filter(([p]) => keep.has(p)));
}

// --- SentencePiece -------------------------------------------------------------------------------------------------

export function spEncode(text: string, logProbs: LogProbs): string[] {
  const chars = Array.from(SPACE + text.replaceAll(' ', SPACE)); // one ▁ in front: add_dummy_prefix
  const n = chars.length;
  const L = longest(logProbs);
  const unk = Math.min(...logProbs.values()) - 10; //  SentencePiece's kUnkPenalty
  const best = new Float64Array(n + 1).fill(-Infinity);
  const back = new Int32Array(n + 1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - L); start < end; start++) {
      const p = chars.slice(start, end).join('');
      const lp = logProbs.get(p) ?? (end - start === 1 ? unk : undefined); // an unknown character alone
      if (lp !== undefined && best[start] + lp > best[end]) { best[end] = best[start] + lp; back[end] = start; }
    }
  }
  const pieces: string[] = [];
  for (let end = n; end > 0; end = back[end]) {
    const p = chars.slice(back[end], end).join('');
    if (logProbs.has(p)) { pieces.push(p); continue; }
    const bytes = new TextEncoder().encode(p); //           byte fallback: one piece per UTF-8 byte
    for (let k = bytes.length - 1; k >= 0; k--) pieces.push(`<0x${bytes[k].toString(16).toUpperCase().padStart(2, '0')}>`);
  }
  return pieces.reverse();
}

export function spDecode(pieces: readonly string[]): string {
  const bytes: number[] = [];
  for (const p of pieces) {
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(p);
    if (m) bytes.push(parseInt(m[1], 16));
    else bytes.push(...new TextEncoder().encode(p));
  }
  const text = new TextDecoder().decode(Uint8Array.from(bytes)).replaceAll(SPACE, ' ');
  return text.startsWith(' ') ? text.slice(1) : text;
}
