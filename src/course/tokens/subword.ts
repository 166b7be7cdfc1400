/**
 * The subword lesson's course code (lessons/06b-subword): float64 references of WordPiece, Unigram (Viterbi, the
 * forward-backward likelihood and expected counts, one EM step, pruning) and SentencePiece's encoding, the variants
 * the checks compare a learner's answer with to name a catalogued mistake, a brute-force enumeration of every
 * segmentation (an independent reference for short texts), and the vocabularies the checks use (random ones from
 * the check's generator, and one counted from a Moby-Dick excerpt the LoRA lessons already ship).
 *
 * Every string is read by code point (Array.from), as Python's str and Hugging Face's tokenizers do.
 */
import { MOBY_VAL } from '@llm-lab/course/lora';

export type SubwordLogProbs = ReadonlyMap<string, number>;

/** SentencePiece's meta symbol for a space, U+2581 LOWER ONE EIGHTH BLOCK. */
export const SUBWORD_SPACE = '\u2581';
/** SentencePiece's penalty below the lowest piece score for an unknown character (kUnkPenalty in unigram_model.cc). */
export const SUBWORD_UNK_PENALTY = 10;

const cps = (s: string): string[] => Array.from(s);

// --- WordPiece ---------------------------------------------------------------------------------------------------

export type SubwordWordpieceVariant = 'reference' | 'shortest' | 'prefix-first' | 'partial-unk';

/**
 * BERT's WordpieceTokenizer.tokenize for one word: greedy longest-match-first, '##' before every piece but the first,
 * the whole word [UNK] when some position has no piece or the word is longer than maxChars code points. The variants
 * are the catalogued mistakes: shortest match first, '##' on the first piece too, [UNK] for the unmatched rest only.
 */
export function subwordWordpiece(word: string, vocab: ReadonlySet<string>, unk = '[UNK]', maxChars = 100, variant: SubwordWordpieceVariant = 'reference'): string[] {
  const chars = cps(word);
  if (chars.length > maxChars) return [unk];
  const out: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let found: string | null = null;
    let stop = start;
    const ends = variant === 'shortest'
      ? Array.from({ length: chars.length - start }, (_, k) => start + 1 + k)
      : Array.from({ length: chars.length - start }, (_, k) => chars.length - k);
    for (const end of ends) {
      let sub = chars.slice(start, end).join('');
      if (start > 0 || variant === 'prefix-first') sub = `##${sub}`;
      if (vocab.has(sub)) { found = sub; stop = end; break; }
    }
    if (found === null) {
      if (variant === 'partial-unk') return [...out, unk];
      return [unk];
    }
    out.push(found);
    start = stop;
  }
  return out;
}

// --- Unigram -----------------------------------------------------------------------------------------------------

/** The longest piece, in code points. */
function maxLen(logProbs: SubwordLogProbs): number {
  let m = 1;
  for (const p of logProbs.keys()) m = Math.max(m, cps(p).length);
  return m;
}

/** The best segmentation (the most probable) and its log-probability; -Infinity and no pieces if there is none. */
export function subwordViterbi(text: string, logProbs: SubwordLogProbs): { pieces: string[]; logProb: number } {
  const chars = cps(text);
  const n = chars.length;
  const L = maxLen(logProbs);
  const best = new Float64Array(n + 1).fill(-Infinity);
  const from = new Int32Array(n + 1).fill(-1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - L); start < end; start++) {
      if (best[start] === -Infinity) continue;
      const lp = logProbs.get(chars.slice(start, end).join(''));
      if (lp === undefined) continue;
      const score = best[start] + lp;
      if (score > best[end]) { best[end] = score; from[end] = start; }
    }
  }
  if (best[n] === -Infinity) return { pieces: [], logProb: -Infinity };
  const pieces: string[] = [];
  for (let end = n; end > 0; end = from[end]) pieces.unshift(chars.slice(from[end], end).join(''));
  return { pieces, logProb: best[n] };
}

const logAddExp = (a: number, b: number): number => {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
};

/**
 * The forward-backward pass: log P(text) summed over every segmentation, and each piece's expected number of
 * occurrences under the posterior over segmentations (float64, log space).
 */
export function subwordExpected(text: string, logProbs: SubwordLogProbs): { logLikelihood: number; counts: Map<string, number> } {
  const chars = cps(text);
  const n = chars.length;
  const L = maxLen(logProbs);
  const alpha = new Float64Array(n + 1).fill(-Infinity);
  const beta = new Float64Array(n + 1).fill(-Infinity);
  alpha[0] = 0;
  beta[n] = 0;
  const arcs: [number, number, string, number][] = [];
  for (let start = 0; start < n; start++) {
    for (let end = start + 1; end <= Math.min(n, start + L); end++) {
      const piece = chars.slice(start, end).join('');
      const lp = logProbs.get(piece);
      if (lp !== undefined) arcs.push([start, end, piece, lp]);
    }
  }
  for (const [s, e, , lp] of arcs) alpha[e] = logAddExp(alpha[e], alpha[s] + lp); // arcs are sorted by start
  for (let k = arcs.length - 1; k >= 0; k--) { const [s, e, , lp] = arcs[k]; beta[s] = logAddExp(beta[s], lp + beta[e]); }
  const Z = alpha[n];
  const counts = new Map<string, number>();
  if (Z === -Infinity) return { logLikelihood: -Infinity, counts };
  for (const [s, e, piece, lp] of arcs) {
    const post = Math.exp(alpha[s] + lp + beta[e] - Z);
    if (post > 0) counts.set(piece, (counts.get(piece) ?? 0) + post);
  }
  return { logLikelihood: Z, counts };
}

/** Every segmentation of a short text with its log-probability (an independent reference; exponential in length). */
export function subwordSegmentations(text: string, logProbs: SubwordLogProbs): { pieces: string[]; logProb: number }[] {
  const chars = cps(text);
  const out: { pieces: string[]; logProb: number }[] = [];
  const walk = (start: number, pieces: string[], lp: number): void => {
    if (start === chars.length) { out.push({ pieces: [...pieces], logProb: lp }); return; }
    for (let end = start + 1; end <= chars.length; end++) {
      const piece = chars.slice(start, end).join('');
      const p = logProbs.get(piece);
      if (p !== undefined) walk(end, [...pieces, piece], lp + p);
    }
  };
  walk(0, [], 0);
  return out;
}

/** Brute force: the likelihood and expected counts (or, 'presence', the probability each piece is used at all). */
export function subwordBruteCounts(text: string, logProbs: SubwordLogProbs, presence = false): { logLikelihood: number; counts: Map<string, number> } {
  const segs = subwordSegmentations(text, logProbs);
  const Z = segs.reduce((z, s) => logAddExp(z, s.logProb), -Infinity);
  const counts = new Map<string, number>();
  for (const s of segs) {
    const w = Math.exp(s.logProb - Z);
    const pieces = presence ? [...new Set(s.pieces)] : s.pieces;
    for (const p of pieces) counts.set(p, (counts.get(p) ?? 0) + w);
  }
  return { logLikelihood: Z, counts };
}

export type SubwordEmVariant = 'reference' | 'once-per-sentence' | 'sentencepiece';

/** SentencePiece's Digamma (unigram_model_trainer.cc): recurrence up to 7, then the asymptotic series. */
export function subwordDigamma(x: number): number {
  let result = 0;
  for (; x < 7; ++x) result -= 1 / x;
  x -= 0.5;
  const xx = 1 / x;
  const xx2 = xx * xx;
  const xx4 = xx2 * xx2;
  return result + Math.log(x) + (1 / 24) * xx2 - (7 / 960) * xx4 + (31 / 8064) * xx4 * xx2 - (127 / 30720) * xx4 * xx4;
}

/**
 * One EM step: expected counts summed over the sentences (E), new log-probs log(c / Σc) for every piece whose count is
 * above 0 (M; the others are left out). logLikelihood is the corpus's under the OLD log-probs. Variants: each piece
 * counted at most once per sentence (min(1, c)); SentencePiece's M-step (counts below 0.5 dropped, digamma(c) − digamma(Σc)).
 */
export function subwordEmStep(sentences: readonly string[], logProbs: SubwordLogProbs, variant: SubwordEmVariant = 'reference'): { logProbs: Map<string, number>; logLikelihood: number } {
  const total = new Map<string, number>();
  let ll = 0;
  for (const s of sentences) {
    const { logLikelihood, counts } = subwordExpected(s, logProbs);
    ll += logLikelihood;
    for (const [p, c] of counts) total.set(p, (total.get(p) ?? 0) + (variant === 'once-per-sentence' ? Math.min(1, c) : c));
  }
  let sum = 0;
  const out = new Map<string, number>();
  if (variant === 'sentencepiece') {
    for (const c of total.values()) if (c >= 0.5) sum += c;
    for (const [p, c] of total) if (c >= 0.5) out.set(p, subwordDigamma(c) - subwordDigamma(sum));
    return { logProbs: out, logLikelihood: ll };
  }
  for (const c of total.values()) sum += c;
  for (const [p, c] of total) if (c > 0) out.set(p, Math.log(c / sum));
  return { logProbs: out, logLikelihood: ll };
}

/** The corpus log-likelihood, Σ over sentences of log P(sentence) summed over segmentations. */
export function subwordCorpusLikelihood(sentences: readonly string[], logProbs: SubwordLogProbs): number {
  let ll = 0;
  for (const s of sentences) ll += subwordExpected(s, logProbs).logLikelihood;
  return ll;
}

/** Each multi-character piece's loss: L(V) − L(V without it), the other log-probs unchanged. */
export function subwordLosses(sentences: readonly string[], logProbs: SubwordLogProbs): Map<string, number> {
  const base = subwordCorpusLikelihood(sentences, logProbs);
  const out = new Map<string, number>();
  for (const p of logProbs.keys()) {
    if (cps(p).length === 1) continue;
    const without = new Map(logProbs);
    without.delete(p);
    out.set(p, base - subwordCorpusLikelihood(sentences, without));
  }
  return out;
}

export type SubwordPruneVariant = 'reference' | 'by-logprob' | 'drop-chars';

/**
 * The pruning step: keep every single character, and of the longer pieces the size − (number of characters) whose
 * loss is largest (ties: the higher log-prob, then the smaller string in code-unit order); log-probs unchanged.
 * Variants: ranking by log-prob instead of loss; ranking the characters with the others (they may go).
 */
export function subwordPrune(sentences: readonly string[], logProbs: SubwordLogProbs, size: number, variant: SubwordPruneVariant = 'reference'): Map<string, number> {
  const losses = subwordLosses(sentences, logProbs);
  const chars = [...logProbs.keys()].filter((p) => cps(p).length === 1);
  const ranked = [...logProbs.keys()].filter((p) => variant === 'drop-chars' || cps(p).length > 1);
  const key = (p: string) => (variant === 'by-logprob' ? logProbs.get(p)! : cps(p).length === 1 ? Infinity : losses.get(p)!);
  ranked.sort((a, b) => key(b) - key(a) || logProbs.get(b)! - logProbs.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  const keep = new Set(variant === 'drop-chars' ? ranked.slice(0, Math.max(0, size)) : [...chars, ...ranked.slice(0, Math.max(0, size - chars.length))]);
  return new Map([...logProbs].filter(([p]) => keep.has(p)));
}

// --- SentencePiece -------------------------------------------------------------------------------------------------

export type SubwordSpVariant = 'reference' | 'space-at-end' | 'byte-decimal' | 'byte-codepoint';

/**
 * SentencePiece's encoding with a Unigram model: spaces become ▁ and one ▁ goes in front (add_dummy_prefix), the
 * Viterbi path over the pieces, where a character that is not itself a piece may be taken alone at the score
 * min(log-probs) − 10; such a character is written as its UTF-8 bytes, <0xE4> (byte_fallback).
 */
export function subwordSpEncode(text: string, logProbs: SubwordLogProbs, variant: SubwordSpVariant = 'reference'): string[] {
  const spaced = text.split(' ').join(SUBWORD_SPACE);
  const chars = cps(variant === 'space-at-end' ? spaced + SUBWORD_SPACE : SUBWORD_SPACE + spaced);
  const n = chars.length;
  const L = maxLen(logProbs);
  let min = Infinity;
  for (const v of logProbs.values()) min = Math.min(min, v);
  const unk = (Number.isFinite(min) ? min : 0) - SUBWORD_UNK_PENALTY;
  const best = new Float64Array(n + 1).fill(-Infinity);
  const from = new Int32Array(n + 1).fill(-1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - L); start < end; start++) {
      if (best[start] === -Infinity) continue;
      const piece = chars.slice(start, end).join('');
      let lp = logProbs.get(piece);
      if (lp === undefined && end - start === 1) lp = unk;
      if (lp === undefined) continue;
      if (best[start] + lp > best[end]) { best[end] = best[start] + lp; from[end] = start; }
    }
  }
  const pieces: string[] = [];
  for (let end = n; end > 0; end = from[end]) {
    const piece = chars.slice(from[end], end).join('');
    if (logProbs.has(piece)) { pieces.unshift(piece); continue; }
    if (variant === 'byte-codepoint') { pieces.unshift(`<0x${piece.codePointAt(0)!.toString(16).toUpperCase()}>`); continue; }
    const bytes = [...new TextEncoder().encode(piece)];
    pieces.unshift(...bytes.map((b) => (variant === 'byte-decimal' ? `<${b}>` : `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)));
  }
  return pieces;
}

/** Pieces back to text: byte pieces gathered and UTF-8-decoded (U+FFFD for invalid bytes), ▁ to spaces, the leading space dropped. */
export function subwordSpDecode(pieces: readonly string[]): string {
  const out: string[] = [];
  let bytes: number[] = [];
  const flush = () => { if (bytes.length) { out.push(new TextDecoder('utf-8').decode(Uint8Array.from(bytes))); bytes = []; } };
  for (const p of pieces) {
    const m = /^<0x([0-9A-F]{2})>$/.exec(p);
    if (m) { bytes.push(parseInt(m[1], 16)); continue; }
    flush();
    out.push(p);
  }
  flush();
  const text = out.join('').split(SUBWORD_SPACE).join(' ');
  return text.startsWith(' ') ? text.slice(1) : text;
}

// --- vocabularies ------------------------------------------------------------------------------------------------

/** Random log-probs over every character of `alphabet` and `extra` random longer pieces (2..maxPiece characters). */
export function subwordRandomLogProbs(random: () => number, alphabet: string, extra: number, maxPiece = 4): Map<string, number> {
  const letters = cps(alphabet);
  const raw = new Map<string, number>();
  for (const c of letters) raw.set(c, 0.2 + random());
  let guard = 0;
  while (raw.size < letters.length + extra && guard++ < 10_000) {
    const len = 2 + Math.floor(random() * (maxPiece - 1));
    const piece = Array.from({ length: len }, () => letters[Math.floor(random() * letters.length)]).join('');
    if (!raw.has(piece)) raw.set(piece, 0.2 + random());
  }
  let sum = 0;
  for (const v of raw.values()) sum += v;
  return new Map([...raw].map(([p, v]) => [p, Math.log(v / sum)]));
}

/** A random string of `n` characters of `alphabet`. */
export function subwordRandomText(random: () => number, alphabet: string, n: number): string {
  const letters = cps(alphabet);
  return Array.from({ length: n }, () => letters[Math.floor(random() * letters.length)]).join('');
}

/** Words of a Moby-Dick excerpt (12,000 characters of chapters 127-128, shipped by the LoRA lessons' course code): lowercase a-z. */
export function subwordMobyWords(): string[] {
  return MOBY_VAL.toLowerCase().replace(/[^a-z]+/g, ' ').trim().split(' ').filter((w) => w.length > 0);
}

/**
 * A Unigram starting vocabulary counted from words: every substring of 1..maxPiece letters seen at least `minCount`
 * times (characters always), log-probs from the counts (SentencePiece's trainer also starts from frequent substrings).
 */
export function subwordSeedVocab(words: readonly string[], maxPiece = 5, minCount = 3): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of words) {
    for (let i = 0; i < w.length; i++) for (let j = i + 1; j <= Math.min(w.length, i + maxPiece); j++) {
      const s = w.slice(i, j);
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
  }
  const kept = [...counts].filter(([s, c]) => s.length === 1 || c >= minCount);
  const sum = kept.reduce((a, [, c]) => a + c, 0);
  return new Map(kept.map(([s, c]) => [s, Math.log(c / sum)]));
}

let mobyUnigram: Map<string, number> | undefined;

/**
 * A SentencePiece-style Unigram vocabulary of the Moby-Dick excerpt: words written ▁word, seeded with their frequent
 * substrings (up to 6 characters, seen 3 times), one reference EM step on the first 1,000 words (computed once).
 */
export function subwordMobyUnigram(): Map<string, number> {
  if (mobyUnigram) return mobyUnigram;
  const words = subwordMobyWords().slice(0, 1000).map((w) => SUBWORD_SPACE + w);
  let lp = subwordSeedVocab(words, 6, 3);
  lp = subwordEmStep(words, lp).logProbs;
  mobyUnigram = lp;
  return lp;
}

/** A WordPiece vocabulary from a ▁ Unigram vocabulary: ▁x becomes x (a word start), any other piece y becomes ##y. */
export function subwordWordpieceVocab(logProbs: SubwordLogProbs): Set<string> {
  const out = new Set<string>();
  for (const p of logProbs.keys()) {
    if (p === SUBWORD_SPACE) continue;
    out.add(p.startsWith(SUBWORD_SPACE) ? p.slice(SUBWORD_SPACE.length) : `##${p}`);
  }
  return out;
}
