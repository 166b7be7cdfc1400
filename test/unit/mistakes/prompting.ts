/**
 * The prompting lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake put
 * into the reference solution (lessons/15b-prompting/prompt.solution.ts) and the one quick check that names it run on
 * it; and LangChain's way of selecting examples (LengthBasedExampleSelector: the first examples kept, lengths in
 * words), which must be reported as conventions.
 */
import { PROMPTING_MISTAKES } from '../../../lessons/15b-prompting/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'prompting/prompt';

const BUILD = 'buildPrompt: the template within the budget';
const PARSE = 'parseAnswer: the first word of the first line';
const VOTE = 'selfConsistency: seeds seed + i';

const SUFFIX = `  let from = examples.length; // keep examples[from..]: walk back from the newest while the next older one fits
  while (from > 0) {
    const cost = chars(\`\${examples[from - 1].input} \${examples[from - 1].output}, \`);
    if (used + cost > opts.maxChars) break;
    used += cost;
    from--;
  }
  const shots = examples.slice(from)`;
const PREFIX = `  let to = 0; // LangChain's selector: keep examples from the start while they fit
  while (to < examples.length) {
    const cost = chars(\`\${examples[to].input} \${examples[to].output}, \`);
    if (used + cost > opts.maxChars) break;
    used += cost;
    to++;
  }
  const shots = examples.slice(0, to)`;
const CHARS = 'return [...s].length;';
const WORDS = 'return s.split(/[\\n ]+/).filter((w) => w).length; // LangChain\'s default length: words';

export const CASES: MistakeCase[] = mistakeCases(PROMPTING_MISTAKES, EX, [
  { key: 'drop-newest', check: BUILD, edits: [[SUFFIX, PREFIX]] },
  { key: 'budget-words', check: BUILD, edits: [[CHARS, WORDS]] },
  { key: 'cut-left', check: BUILD, edits: [['return head + shots + query;', "return [...(head + examples.map((e) => `${e.input} ${e.output}, `).join('') + query)].slice(-opts.maxChars).join('');"]] },
  { key: 'parse-skips-lines', check: PARSE, edits: [["const firstLine = text.split('\\n')[0];", 'const firstLine = text.trim();']] },
  { key: 'same-seed', check: VOTE, edits: [['samples.push(sample(seed + i));', 'samples.push(sample(seed));']] },
  { key: 'null-votes', check: VOTE, edits: [['if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);', 'counts.set(a as string, (counts.get(a as string) ?? 0) + 1);']] },
  { key: 'tie-last', check: VOTE, edits: [['votes.sort((x, y) => y.count - x.count);', 'votes.reverse().sort((x, y) => y.count - x.count);']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'LangChain', name: 'LengthBasedExampleSelector: examples kept from the start of the list', exercise: EX, check: BUILD, edits: [[SUFFIX, PREFIX]] },
  { library: 'LangChain', name: 'LengthBasedExampleSelector: lengths in words (split on spaces and newlines)', exercise: EX, check: BUILD, edits: [[CHARS, WORDS]] },
];
