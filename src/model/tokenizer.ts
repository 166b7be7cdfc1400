/**
 * The character-level tokenizer: token id i is the i-th character of the vocabulary.
 *
 * This is the tokenizer of Karpathy's char-rnn and nanoGPT's shakespeare_char: no merges, no
 * special tokens, so every id is something a learner can read. Real LLMs use subword tokenizers
 * (byte-pair encoding, Sennrich et al. 2016) so that common words cost one token instead of five.
 *
 * "Character" means a Unicode code point (what `for (const ch of text)` yields), so an emoji in
 * the vocabulary is one token even though it is two UTF-16 units.
 */
import { TokenizerError } from './errors';

export class CharTokenizer {
  /** Character -> id. */
  private readonly ids = new Map<string, number>();

  /** @param vocab the characters, index = token id; each entry one code point, no duplicates. */
  constructor(readonly vocab: readonly string[]) {
    vocab.forEach((ch, id) => {
      if (typeof ch !== 'string' || [...ch].length !== 1) {
        throw new TokenizerError(`vocabulary entry ${id} must be a single character, got ${JSON.stringify(ch)}`);
      }
      if (this.ids.has(ch)) {
        throw new TokenizerError(`vocabulary has the character ${describeChar(ch)} twice (ids ${this.ids.get(ch)} and ${id})`);
      }
      this.ids.set(ch, id);
    });
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Text -> token ids, one per character. Throws naming the first character not in the vocabulary. */
  encode(text: string): Int32Array {
    const chars = [...text];
    const out = new Int32Array(chars.length);
    chars.forEach((ch, position) => {
      const id = this.ids.get(ch);
      if (id === undefined) {
        throw new TokenizerError(
          `the character ${describeChar(ch)} at position ${position} is not in the model's vocabulary of ${this.vocab.length} characters`,
        );
      }
      out[position] = id;
    });
    return out;
  }

  /** Token ids -> text. Throws on an id outside 0..V-1. */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    for (let position = 0; position < ids.length; position++) {
      const id = ids[position];
      const ch = Number.isInteger(id) ? this.vocab[id] : undefined;
      if (ch === undefined) {
        throw new TokenizerError(`token id ${id} at position ${position} is outside the vocabulary (0..${this.vocab.length - 1})`);
      }
      text += ch;
    }
    return text;
  }

  /** True when every character of `text` can be encoded. */
  canEncode(text: string): boolean {
    for (const ch of text) if (!this.ids.has(ch)) return false;
    return true;
  }
}

/** 'a' (U+0061), '\n' (U+000A): visible even for whitespace and control characters. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `${JSON.stringify(ch)} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}
