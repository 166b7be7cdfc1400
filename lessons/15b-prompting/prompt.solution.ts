/**
 * The prompting lesson, reference solution: a few-shot prompt within a character budget (oldest examples dropped
 * first), a stated answer parser, and self-consistency (n seeded samples, a majority vote over parsed answers).
 */

export interface Example {
  input: string;
  output: string;
}

export interface PromptOptions {
  maxChars: number;
}

export interface Vote {
  answer: string;
  count: number;
}

export interface Consensus {
  answer: string | null;
  samples: string[];
  answers: (string | null)[];
  votes: Vote[];
}

/** The model's unit: one token per character (code point). */
function chars(s: string): number {
  return [...s].length;
}

/** instruction + "\n" + the newest examples that fit, each "<input> <output>, ", + query. */
export function buildPrompt(instruction: string, examples: readonly Example[], query: string, opts: PromptOptions): string {
  const head = `${instruction}\n`;
  let used = chars(head) + chars(query); // never dropped
  if (used > opts.maxChars) {
    throw new RangeError(`the instruction and the query alone take ${used} characters; the budget is ${opts.maxChars}`);
  }
  let from = examples.length; // keep examples[from..]: walk back from the newest while the next older one fits
  while (from > 0) {
    const cost = chars(`${examples[from - 1].input} ${examples[from - 1].output}, `);
    if (used + cost > opts.maxChars) break;
    used += cost;
    from--;
  }
  const shots = examples.slice(from).map((e) => `${e.input} ${e.output}, `).join('');
  return head + shots + query;
}

/** The first line's first word (letters, ' or - between letters), lowercased; null if the line does not start with one. */
export function parseAnswer(text: string): string | null {
  const firstLine = text.split('\n')[0];
  const match = /^[ \t]*([A-Za-z]+(?:['-][A-Za-z]+)*)/.exec(firstLine);
  return match ? match[1].toLowerCase() : null;
}

/** n samples with seeds seed, seed + 1, ..., parsed; the answer with most votes (ties: first seen; nulls never vote). */
export function selfConsistency(sample: (seed: number) => string, n: number, seed: number): Consensus {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const samples: string[] = [];
  for (let i = 0; i < n; i++) samples.push(sample(seed + i)); // a different seed per sample
  const answers = samples.map(parseAnswer);
  const counts = new Map<string, number>(); // a Map keeps the order answers were first seen
  for (const a of answers) {
    if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  const votes = [...counts].map(([answer, count]) => ({ answer, count }));
  votes.sort((x, y) => y.count - x.count); // a stable sort: equal counts stay in first-seen order
  return { answer: votes.length ? votes[0].answer : null, samples, answers, votes };
}
