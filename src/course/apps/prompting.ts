/**
 * The prompting lesson's course code (lessons/15b-prompting, exercise prompting/prompt): references for what the
 * learner writes (few-shot prompt assembly within a character budget, answer parsing, self-consistency voting), each
 * with the wrong variants the checks name, and the live task on the bundled model: the queries, the examples, and
 * a batched sampler (temperature sampling by inverting the cumulative distribution with the kit's seeded Rng, as in
 * the decoding lesson; temperature 0 is greedy, lowest index on a tie).
 *
 * The live task ("Kinds of whale:"): each query is a word that can come before "Whale" in the book (Sperm, Right,
 * White, ...); the few-shot examples are the other queries followed by " Whale"; the right answer is "whale". The
 * bundled model cannot copy a word from its context (measured: "whale, whale, whale," is not continued with
 * "whale"), but examples of the pattern raise the probability of a continuation it already knows.
 */
import { Rng } from '@llm-lab/kit';
import { type BundledModel } from '@llm-lab/model';

export interface PromptExample {
  input: string;
  output: string;
}

/** The number of the model's tokens in a text: characters (code points), one token each. */
export const promptChars = (s: string): number => [...s].length;

/** One example as the template writes it: "<input> <output>, ". */
export const promptExampleText = (e: PromptExample): string => `${e.input} ${e.output}, `;

export type PromptBuildVariant = 'correct' | 'drop-newest' | 'words' | 'cut-left';

/**
 * The template: instruction + "\n" + the kept examples, each "<input> <output>, ", + query. The kept examples are
 * the longest run at the END of the list (the newest) whose prompt has at most maxChars characters: the oldest are
 * dropped first, never the instruction or the query. Throws a RangeError when even zero examples do not fit.
 * Variants: 'drop-newest' keeps the longest run at the start (LangChain's LengthBasedExampleSelector), 'words'
 * measures in words (LangChain's default length), 'cut-left' keeps every example and cuts the prompt's start.
 */
export function promptBuild(instruction: string, examples: readonly PromptExample[], query: string, maxChars: number,
  variant: PromptBuildVariant = 'correct'): string {
  const size = variant === 'words' ? (s: string) => s.split(/[\n ]+/).filter((w) => w).length : promptChars;
  const head = `${instruction}\n`;
  if (variant === 'cut-left') {
    const all = head + examples.map(promptExampleText).join('') + query;
    return [...all].slice(-maxChars).join('');
  }
  if (size(head + query) > maxChars) throw new RangeError('the instruction and the query alone do not fit');
  if (variant === 'drop-newest') {
    let k = 0;
    while (k < examples.length && size(head + examples.slice(0, k + 1).map(promptExampleText).join('') + query) <= maxChars) k++;
    return head + examples.slice(0, k).map(promptExampleText).join('') + query;
  }
  let from = examples.length;
  while (from > 0 && size(head + examples.slice(from - 1).map(promptExampleText).join('') + query) <= maxChars) from--;
  return head + examples.slice(from).map(promptExampleText).join('') + query;
}

export type PromptParseVariant = 'correct' | 'skip-lines' | 'no-lowercase' | 'empty-string';

/**
 * The answer in a continuation: on the FIRST line only, after leading spaces and tabs, the word at its start (letters,
 * with ' or - between letters), lowercased; null when the first line does not start with a letter.
 */
export function promptParse(text: string, variant: PromptParseVariant = 'correct'): string | null {
  const line = variant === 'skip-lines' ? text.trimStart() : text.split('\n')[0];
  const m = /^[ \t]*([A-Za-z]+(?:['-][A-Za-z]+)*)/.exec(line);
  if (!m) return variant === 'empty-string' ? '' : null;
  return variant === 'no-lowercase' ? m[1] : m[1].toLowerCase();
}

export interface PromptVote {
  answer: string;
  count: number;
}

export interface PromptConsensus {
  answer: string | null;
  samples: string[];
  answers: (string | null)[];
  votes: PromptVote[];
}

export type PromptVoteVariant = 'correct' | 'tie-last' | 'null-votes';

/** The votes of parsed answers: most votes first, ties in the order first seen; nulls are not votes. */
export function promptVotes(answers: readonly (string | null)[], variant: PromptVoteVariant = 'correct'): PromptVote[] {
  const counts = new Map<string, number>();
  for (const a of answers) {
    if (a === null && variant !== 'null-votes') continue;
    const key = a === null ? '\u0000null' : a;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const order = [...counts.keys()];
  if (variant === 'tie-last') order.reverse();
  return order.map((k) => ({ answer: k, count: counts.get(k)! })).sort((x, y) => y.count - x.count);
}

/** Self-consistency: sample i with seed + i (i = 0 .. n − 1), each parsed, the majority answer (null if none). */
export function promptConsensus(sample: (seed: number) => string, n: number, seed: number, variant: PromptVoteVariant = 'correct'): PromptConsensus {
  const samples = Array.from({ length: n }, (_, i) => sample(seed + i));
  const answers = samples.map((s) => promptParse(s));
  const votes = promptVotes(answers, variant);
  const top = votes[0]?.answer;
  return { answer: top === undefined || top === '\u0000null' ? null : top, samples, answers, votes };
}

/** The live task: "Kinds of whale:", queries that can come before "Whale" in the book; the answer is "whale". */
export const PROMPT_TASK = {
  instruction: 'Kinds of whale:',
  queries: ['Sperm', 'Right', 'White', 'Greenland', 'Fin', 'Killer', 'Black', 'Old', 'Great', 'Humpback', 'Blue',
    'Grey', 'Pacific', 'Arctic', 'Bowhead', 'Dead', 'Young', 'Japanese', 'Little', 'Mighty', 'Nantucket', 'Spanish'],
  answer: 'whale',
  /** Characters generated after each prompt; the prompt budget is blockSize − maxNew. */
  maxNew: 8,
  temperature: 0.3,
  /** Samples per self-consistency vote. */
  n: 7,
  /** The base seed of the live evaluation: query i's samples use seeds seed + 1000·i + j. */
  seed: 1,
} as const;

/** The examples for query i: every other query with " Whale", starting after i and wrapping round (so the kept newest differ per query). */
export function promptExamplesFor(i: number): PromptExample[] {
  const q = PROMPT_TASK.queries;
  return Array.from({ length: q.length - 1 }, (_, j) => ({ input: q[(i + 1 + j) % q.length], output: 'Whale' }));
}

/**
 * Continuations of one prompt, one per seed, `maxNew` characters each, sampled in one batch: temperature sampling
 * (softmax of logits / temperature, then the first token whose cumulative probability exceeds u = rng.random(),
 * with rng = new Rng(seed)); temperature 0 is greedy (lowest index on a tie, no random number used).
 */
export async function promptGenerate(model: BundledModel, prompt: string, seeds: readonly number[], temperature: number, maxNew: number): Promise<string[]> {
  const V = model.config.vocabSize;
  const ids = Array.from(model.tokenizer.encode(prompt));
  if (ids.length + maxNew > model.config.blockSize) {
    throw new RangeError(`the prompt (${ids.length} characters) and ${maxNew} new ones do not fit the context of ${model.config.blockSize}`);
  }
  const rows = seeds.map(() => [...ids]);
  const rngs = seeds.map((s) => new Rng(s));
  for (let step = 0; step < maxNew; step++) {
    const T = rows[0].length;
    const { logits } = await model.run(rows.flat(), rows.length, T, ['logits']); // (B, T, V)
    rows.forEach((row, b) => {
      const l = logits.data.subarray((b * T + T - 1) * V, (b * T + T) * V); // the last position's logits
      let token = 0;
      if (temperature === 0) {
        for (let i = 1; i < V; i++) if (l[i] > l[token]) token = i;
      } else {
        let max = -Infinity;
        for (let i = 0; i < V; i++) max = Math.max(max, l[i] / temperature);
        const p = Array.from(l, (v) => Math.exp(v / temperature - max));
        const total = p.reduce((a, c) => a + c, 0);
        const u = rngs[b].random();
        let c = 0;
        token = V - 1;
        for (let i = 0; i < V; i++) {
          c += p[i] / total;
          if (c > u) { token = i; break; }
        }
      }
      row.push(token);
    });
  }
  return rows.map((r) => model.tokenizer.decode(r.slice(ids.length)));
}

export interface PromptRow {
  query: string;
  zeroPrompt: string;
  fewPrompt: string;
  zeroSample: string;
  fewSamples: string[];
  zeroGreedy: string;
  fewGreedy: string;
}

/**
 * The samples of the live evaluation for given prompts: for each query, one zero-shot sample (seed base + 1000·i),
 * n few-shot samples (seeds base + 1000·i + j, j < n) and a greedy continuation of each prompt.
 */
export async function promptSamples(model: BundledModel, prompts: { query: string; zero: string; few: string }[], base: number): Promise<PromptRow[]> {
  const { temperature, maxNew, n } = PROMPT_TASK;
  const rows: PromptRow[] = [];
  for (const [i, p] of prompts.entries()) {
    const seed = base + 1000 * i;
    const [zeroSample] = await promptGenerate(model, p.zero, [seed], temperature, maxNew);
    const fewSamples = await promptGenerate(model, p.few, Array.from({ length: n }, (_, j) => seed + j), temperature, maxNew);
    const [zeroGreedy] = await promptGenerate(model, p.zero, [0], 0, maxNew);
    const [fewGreedy] = await promptGenerate(model, p.few, [0], 0, maxNew);
    rows.push({ query: p.query, zeroPrompt: p.zero, fewPrompt: p.few, zeroSample, fewSamples, zeroGreedy, fewGreedy });
  }
  return rows;
}
