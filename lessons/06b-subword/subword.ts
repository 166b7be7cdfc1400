/**
 * The subword lesson: three ways to cut words into pieces from a fixed vocabulary.
 *
 *   wordpiece       BERT's WordPiece: greedy longest-match-first, '##' on continuing pieces, [UNK] for the whole word
 *   viterbi         Unigram: the most probable segmentation of a text and its log-probability
 *   expectedCounts  Unigram: log P(text) over EVERY segmentation, and each piece's expected number of occurrences
 *   emStep          one EM step: expected counts summed over a corpus, new log-probs log(c / Σc)
 *   prune           keep every character and the pieces whose removal would cost the most likelihood
 *   spEncode        SentencePiece: spaces as ▁ (U+2581), one ▁ in front, Viterbi, byte fallback <0xE4> for unknown characters
 *   spDecode        pieces back to text
 *
 * Strings are read by code point, as Python's str: Array.from(text) gives the characters ('😀' is one, not two).
 * Log-probabilities are natural logs; a vocabulary is never modified.
 *
 * Useful:
 *   Array.from(s), arr.slice(a, b).join('')   characters, and a piece from them
 *   new Float64Array(n).fill(-Infinity)       a table of log-probs, "impossible" everywhere
 *   Math.log1p(x), Math.exp(x)                for log(e^a + e^b) = max(a, b) + log1p(exp(-|a - b|))
 *   new TextEncoder().encode(ch)              the UTF-8 bytes of a string (Uint8Array)
 *   new TextDecoder().decode(bytes)           bytes back to a string (U+FFFD where bytes are not valid UTF-8)
 *   b.toString(16).toUpperCase().padStart(2, '0')   a byte as two hex digits
 */
import { TODO } from '@llm-lab/kit';

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

/**
 * One word (no spaces) into WordPiece tokens. From the start of the word, take the LONGEST piece in the vocabulary
 * (a piece after the first is looked up with '##' in front), then go on from where it ends. If at some position no
 * piece matches, or the word has more than maxInputCharsPerWord code points, the answer is [unk] alone: the whole
 * word, not only the part that did not match. An empty word gives [].
 */
export function wordpiece(word: string, vocab: ReadonlySet<string>, opts: WordpieceOptions = {}): string[] {
  return TODO('wordpiece');
}

// --- Unigram -------------------------------------------------------------------------------------------------------

/**
 * The most probable segmentation of text into pieces of logProbs, and its log-probability (the sum of its pieces'
 * log-probs). Add log-probs; never multiply probabilities. No segmentation (a character in no piece):
 * { pieces: [], logProb: -Infinity }. The empty text: { pieces: [], logProb: 0 }. Among equally good
 * segmentations any one is accepted.
 */
export function viterbi(text: string, logProbs: LogProbs): Segmentation {
  return TODO('viterbi');
}

/**
 * The forward-backward pass. logLikelihood = log Σ over every segmentation of Π p(piece). counts: for each piece,
 * its expected number of occurrences in text, Σ over segmentations of P(segmentation | text) × (times it occurs in
 * it); pieces that cannot occur may be left out. No segmentation: logLikelihood -Infinity and no counts. Work in log
 * space throughout: the checks use a 600-character text.
 */
export function expectedCounts(text: string, logProbs: LogProbs): { counts: Map<string, number>; logLikelihood: number } {
  return TODO('expectedCounts');
}

/**
 * One EM step over a corpus. E: add up every sentence's expected counts (and their logLikelihoods: logLikelihood is
 * the corpus's under the log-probs GIVEN). M: the new log-prob of each piece with a count c > 0 is log(c / Σc);
 * pieces with count 0 are left out of the returned map.
 */
export function emStep(sentences: readonly string[], logProbs: LogProbs): { logProbs: Map<string, number>; logLikelihood: number } {
  return TODO('emStep');
}

/**
 * The pruning step. L(V) = Σ over sentences of expectedCounts(sentence, V).logLikelihood. For every piece p longer
 * than one character, loss(p) = L(V) − L(V without p), the other log-probs unchanged. Keep every single character,
 * and the size − (number of characters) pieces with the largest loss (ties: the higher log-prob, then the smaller
 * string by <). Return the kept pieces with their log-probs as they were (not renormalised).
 */
export function prune(sentences: readonly string[], logProbs: LogProbs, size: number): Map<string, number> {
  return TODO('prune');
}

// --- SentencePiece -------------------------------------------------------------------------------------------------

/**
 * SentencePiece's encoding with a Unigram model. Every space becomes SPACE, and one SPACE goes in front of the text.
 * Then Viterbi over the pieces of logProbs, where a character that is not itself a piece may also stand alone, at
 * the log-prob min(all log-probs) − 10. Each such unknown character is written as its UTF-8 bytes, one piece per
 * byte: '<0xE4>', '<0xB8>', '<0xAD>' for 中 (two upper-case hex digits).
 */
export function spEncode(text: string, logProbs: LogProbs): string[] {
  return TODO('spEncode');
}

/**
 * Pieces back to text: the bytes of the byte pieces (<0xHH>) and of the other pieces, in order, UTF-8-decoded
 * (invalid bytes give U+FFFD), SPACE back to ' ', and the one space in front removed.
 */
export function spDecode(pieces: readonly string[]): string {
  return TODO('spDecode');
}
