/**
 * The prompting lesson: a language model only continues text, so everything you ask of it goes into the prompt.
 * Three parts, each checked on its own, then all three on the bundled model, live:
 *
 * 1. buildPrompt: a few-shot prompt in a fixed template, within a budget of characters (the bundled model's
 *    tokens are its characters, and its context holds 128 of them, prompt and answer together):
 *
 *      instruction + "\n" + "<input> <output>, " for each kept example + query
 *
 *    e.g. buildPrompt('Kinds of whale:', [{ input: 'Sperm', output: 'Whale' }, { input: 'Right', output: 'Whale' }],
 *    'White', { maxChars: 100 }) -> "Kinds of whale:\nSperm Whale, Right Whale, White"
 *
 *    When not every example fits, drop the OLDEST first (the start of the list): keep the longest run of examples
 *    at the END of the list that fits, in their order. Never drop or cut the instruction or the query: if they alone
 *    do not fit, throw a RangeError. Lengths are counted in characters ([...s].length), not words.
 *
 * 2. parseAnswer: the answer in a continuation, by a stated rule: look at the FIRST line only (up to the first "\n");
 *    after leading spaces and tabs, the word at its start (letters, with ' or - allowed between letters), lowercased.
 *    null when the first line does not start with a letter.
 *      parseAnswer(" Whale, and so")  -> "whale"       parseAnswer("\nWhale") -> null (nothing on the first line)
 *
 * 3. selfConsistency: call sample(seed + i) for i = 0 .. n - 1 (n different seeds derived from one), parse each
 *    sample with parseAnswer, and take a majority vote. null answers are not votes. Ties: the answer seen first (in
 *    sample order) wins. Throw a RangeError unless n is a positive integer.
 */
import { TODO } from '@llm-lab/kit';

/** One few-shot example: what is asked, and its answer. */
export interface Example {
  input: string;
  output: string;
}

export interface PromptOptions {
  /** The budget: the prompt may have at most this many characters. */
  maxChars: number;
}

/** One answer and how many samples gave it. */
export interface Vote {
  answer: string;
  count: number;
}

/** What selfConsistency returns. */
export interface Consensus {
  /** The answer with most votes (ties: the one seen first); null when no sample had an answer. */
  answer: string | null;
  /** The n samples, in order (sample i was drawn with seed + i). */
  samples: string[];
  /** parseAnswer of each sample. */
  answers: (string | null)[];
  /** Every answer that was voted for with its count: most votes first, equal counts in the order first seen. */
  votes: Vote[];
}

/**
 * instruction + "\n" + the newest examples that fit, each as "<input> <output>, ", + query, at most opts.maxChars
 * characters. Do not modify `examples`.
 */
export function buildPrompt(instruction: string, examples: readonly Example[], query: string, opts: PromptOptions): string {
  return TODO('buildPrompt');
}

/** The first word of the first line, lowercased, or null (see the rule above). */
export function parseAnswer(text: string): string | null {
  return TODO('parseAnswer');
}

/** n samples with seeds seed, seed + 1, ..., seed + n - 1, parsed, and the majority answer. */
export function selfConsistency(sample: (seed: number) => string, n: number, seed: number): Consensus {
  return TODO('selfConsistency');
}
