/**
 * The prompting lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for prompting/prompt written
 * independently of the catalogue. Correct files in other styles than the reference (a prompt grown from the end by
 * string prefixing with a character-loop parser and votes in a plain object; the kept start found by trying every
 * slice, a replace-based parser and votes in parallel arrays; costs summed from the end with reduce and a best-answer
 * scan), and one-bug variants: most of them mistakes no catalogue names (a budget off by one, an example skipped while
 * an older one is kept, answers not lowercased, '' for no answer, seeds shifted by one), the others catalogued
 * mistakes written a new way.
 *
 * Every entry runs the quick checks only (the live check samples the bundled model for about 6 s; the lesson suite
 * runs it on the reference). Each bug's `line` is computed from its source (a marker that occurs exactly once).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'prompting/prompt';
const SOLUTION = readFileSync(path.join(LESSONS, '15b-prompting', 'prompt.solution.ts'), 'utf8');

const QUICK = ['buildPrompt: the template within the budget', 'buildPrompt: throws when', 'parseAnswer: the first word of the first line',
  'selfConsistency: seeds seed + i'];

const TYPES = `export interface Example { input: string; output: string }
export interface PromptOptions { maxChars: number }
export interface Vote { answer: string; count: number }
export interface Consensus { answer: string | null; samples: string[]; answers: (string | null)[]; votes: Vote[] }
`;

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, checks: QUICK };
}

function bug(name: string, edits: [string, string][], opts: { catalogued?: string; at?: string } = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name), checks: QUICK,
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
  };
}

/** Grown from the end by prefixing strings; a character-loop parser; votes in a plain object with a first-seen list. */
const PREFIXING = `${TYPES}
export function buildPrompt(instruction: string, examples: readonly Example[], query: string, opts: PromptOptions): string {
  const fixed = Array.from(instruction + '\\n' + query).length;
  if (fixed > opts.maxChars) throw new RangeError('instruction and query do not fit');
  let middle = '';
  for (let i = examples.length - 1; i >= 0; i--) {
    const piece = examples[i].input + ' ' + examples[i].output + ', ';
    if (fixed + Array.from(middle).length + Array.from(piece).length > opts.maxChars) break;
    middle = piece + middle;
  }
  return instruction + '\\n' + middle + query;
}

const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

export function parseAnswer(text: string): string | null {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\\t')) i++;
  if (i >= text.length || !isLetter(text[i])) return null;
  let word = '';
  while (i < text.length) {
    if (isLetter(text[i])) { word += text[i]; i++; continue; }
    if ((text[i] === "'" || text[i] === '-') && isLetter(text[i + 1] ?? '')) { word += text[i]; i++; continue; }
    break;
  }
  return word.toLowerCase();
}

export function selfConsistency(sample: (seed: number) => string, n: number, seed: number): Consensus {
  if (!(n >= 1) || Math.floor(n) !== n) throw new RangeError('n');
  const samples: string[] = [];
  for (let i = 0; i < n; i++) samples.push(sample(seed + i));
  const answers = samples.map((s) => parseAnswer(s));
  const tally: Record<string, number> = {};
  const order: string[] = [];
  for (const a of answers) {
    if (a === null) continue;
    if (!(a in tally)) { tally[a] = 0; order.push(a); }
    tally[a] += 1;
  }
  const votes: Vote[] = [];
  const left = [...order];
  while (left.length) {
    let best = 0;
    for (let j = 1; j < left.length; j++) if (tally[left[j]] > tally[left[best]]) best = j;
    votes.push({ answer: left[best], count: tally[left[best]] });
    left.splice(best, 1);
  }
  return { answer: votes.length > 0 ? votes[0].answer : null, samples, answers, votes };
}
`;

/** The kept start found by trying every slice; a replace-based parser; votes in parallel arrays. */
const SLICES = `${TYPES}
const len = (s: string): number => [...s].length;
const render = (es: readonly Example[]): string => es.map((e) => \`\${e.input} \${e.output}, \`).join('');

export function buildPrompt(instruction: string, examples: readonly Example[], query: string, opts: PromptOptions): string {
  for (let start = 0; start <= examples.length; start++) {
    const prompt = \`\${instruction}\\n\${render(examples.slice(start))}\${query}\`;
    if (len(prompt) <= opts.maxChars) return prompt;
  }
  throw new RangeError(\`"\${instruction}" and "\${query}" need more than \${opts.maxChars} characters\`);
}

export function parseAnswer(text: string): string | null {
  const line = text.split('\\n', 1)[0].replace(/^[ \\t]+/, '');
  const word = line.match(/^[a-z]+(?:['-][a-z]+)*/i);
  return word === null ? null : word[0].toLowerCase();
}

export function selfConsistency(sample: (seed: number) => string, n: number, seed: number): Consensus {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError('n must be a positive integer');
  const samples = Array.from({ length: n }, (_, i) => sample(seed + i));
  const answers = samples.map(parseAnswer);
  const keys: string[] = [];
  const counts: number[] = [];
  answers.forEach((a) => {
    if (a === null) return;
    const at = keys.indexOf(a);
    if (at < 0) { keys.push(a); counts.push(1); } else counts[at]++;
  });
  const idx = keys.map((_, i) => i).sort((x, y) => counts[y] - counts[x] || x - y);
  const votes = idx.map((i) => ({ answer: keys[i], count: counts[i] }));
  return { answer: votes[0]?.answer ?? null, samples, answers, votes };
}
`;

/** Costs summed from the end with reduce; a best-answer scan that replaces only on a strictly larger count. */
const REDUCE = `${TYPES}
export function buildPrompt(instruction: string, examples: readonly Example[], query: string, opts: PromptOptions): string {
  const costs = examples.map((e) => [...\`\${e.input} \${e.output}, \`].length);
  let budget = opts.maxChars - [...instruction].length - 1 - [...query].length;
  if (budget < 0) throw new RangeError('the prompt cannot fit');
  let k = 0;
  while (k < costs.length && costs[costs.length - 1 - k] <= budget) {
    budget -= costs[costs.length - 1 - k];
    k++;
  }
  const kept = examples.slice(examples.length - k);
  return [instruction, '\\n', ...kept.map((e) => e.input + ' ' + e.output + ', '), query].join('');
}

export function parseAnswer(text: string): string | null {
  const nl = text.indexOf('\\n');
  const first = nl === -1 ? text : text.slice(0, nl);
  const m = first.match(/^[ \\t]*([A-Za-z]+(?:['-][A-Za-z]+)*)/);
  if (!m) return null;
  return m[1].toLowerCase();
}

export function selfConsistency(sample: (seed: number) => string, n: number, seed: number): Consensus {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('n');
  const samples = [...Array(n).keys()].map((i) => sample(seed + i));
  const answers = samples.map(parseAnswer);
  const counts = new Map<string, number>();
  answers.forEach((a) => { if (a !== null) counts.set(a, (counts.get(a) || 0) + 1); });
  let best: string | null = null;
  let bestCount = 0;
  for (const [a, c] of counts) {
    if (c > bestCount) { best = a; bestCount = c; }
  }
  const votes = [...counts.entries()].map(([answer, count]) => ({ answer, count })).sort((x, y) => y.count - x.count);
  return { answer: best, samples, answers, votes };
}
`;

/** The reference with a few local differences: costs from a helper, a for loop of seeds, an explicit null test. */
const TWEAKED = withEdits(SOLUTION, [
  ['const answers = samples.map(parseAnswer);', 'const answers = samples.map((s) => parseAnswer(s));'],
  ['return match ? match[1].toLowerCase() : null;', 'if (match === null) return null;\n  return match[1].toLowerCase();'],
  ['for (let i = 0; i < n; i++) samples.push(sample(seed + i)); // a different seed per sample', 'for (let s = seed; s < seed + n; s++) samples.push(sample(s));'],
], 'tweaked reference');

export const CORPUS: CorpusEntry[] = [
  correct('prompt grown from the end by prefixing; character-loop parser; votes in an object', PREFIXING),
  correct('kept start found by trying every slice; replace-based parser; parallel vote arrays', SLICES),
  correct('costs summed from the end; best answer by a strict scan', REDUCE),
  correct('the reference with a seed loop and an explicit null test', TWEAKED),

  bug('no RangeError: the instruction and the query are returned over the budget', [["  if (budget < 0) throw new RangeError('the prompt cannot fit');\n", "  if (budget < 0) budget = 0;\n"]],
    { at: 'if (budget < 0) budget = 0;' }, REDUCE),
  bug('n not validated', [["if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError('n must be a positive integer');", 'n = Math.max(0, Math.floor(n));']], {}, SLICES),
  bug('budget off by one (< instead of ≤)', [['if (used + cost > opts.maxChars) break;', 'if (used + cost >= opts.maxChars) break;']]),
  bug('an example that does not fit is skipped and an older one kept', [['if (fixed + Array.from(middle).length + Array.from(piece).length > opts.maxChars) break;',
    'if (fixed + Array.from(middle).length + Array.from(piece).length > opts.maxChars) continue;']], {}, PREFIXING),
  bug('answers not lowercased', [["return word === null ? null : word[0].toLowerCase();", 'return word === null ? null : word[0];']], {}, SLICES),
  bug("'' for no answer", [['if (!m) return null;', "if (!m) return '';"]], {}, REDUCE),
  bug('seeds shifted by one', [['for (let i = 0; i < n; i++) samples.push(sample(seed + i));', 'for (let i = 1; i <= n; i++) samples.push(sample(seed + i));']], {}, PREFIXING),
  bug('every sample drawn once and copied', [['const samples = [...Array(n).keys()].map((i) => sample(seed + i));', 'const one = sample(seed);\n  const samples = [...Array(n).keys()].map(() => one);']],
    { catalogued: 'same-seed', at: 'const one = sample(seed);' }, REDUCE),
  bug('a tie replaces the best (>=)', [['if (c > bestCount) { best = a; bestCount = c; }', 'if (c >= bestCount) { best = a; bestCount = c; }']], { catalogued: 'tie-last' }, REDUCE),
  bug('no answer tallied as the string "null"', [['if (a === null) continue;', "if (a === null) { tally['null'] = (tally['null'] ?? 0) + 1; if (!order.includes('null')) order.push('null'); continue; }"]],
    { catalogued: 'null-votes' }, PREFIXING),
  bug('the first line found with trimStart', [["const line = text.split('\\n', 1)[0].replace(/^[ \\t]+/, '');", "const line = text.trimStart().split('\\n', 1)[0];"]],
    { catalogued: 'parse-skips-lines' }, SLICES),
];
