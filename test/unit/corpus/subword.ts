/**
 * The subword lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for subword/tokenizers written
 * independently of the catalogue. Correct files in other styles than the reference (a suffix-first Viterbi over arcs,
 * log-sum-exp over arrays, UTF-8 by hand, byte runs decoded one by one; float32 forward-backward tables; Viterbi
 * pushed forward from each start; SentencePiece's whitespace collapsing; pruning through emStep's likelihood), and
 * one-bug variants: most of them mistakes no catalogue names (a length in UTF-16 units, a limit off by one, a loop
 * bound that misses the longest pieces, a posterior not divided by P(text), an M-step normalised by the number of
 * pieces, a kept set that ignores the characters in size, a decode that keeps the leading space), the others
 * catalogued mistakes written a new way (`catalogued`). No check trains: every entry runs every check (about 1 s).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'subword/tokenizers';
const SOLUTION = readFileSync(path.join(LESSONS, '06b-subword', 'subword.solution.ts'), 'utf8');

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source };
}

// The checks of each function (a bug runs only those of the function it is in; the correct files run every check).
const WORDPIECE = ["wordpiece: BERT's example", 'wordpiece: random vocabularies'];
const VITERBI = ['viterbi: hand-worked', 'viterbi: random vocabularies'];
const EXPECTED = ['expectedCounts:', 'emStep:'];
const EM = ['emStep:'];
const PRUNE = ['prune:'];
const SP = ['spEncode and spDecode'];

function bug(name: string, checks: string[], edits: [string, string][], opts: { catalogued?: string; at?: string } = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return { exercise: EX, name, kind: 'bug', source, checks, line: lineOf(source, marker, name), ...(opts.catalogued ? { catalogued: opts.catalogued } : {}) };
}

/** Suffix-first Viterbi over arcs, log-sum-exp over arrays, records for counts, UTF-8 by hand, byte runs decoded one by one. */
const ALT = `export const UNK = '[UNK]';
export const SPACE = '\\u2581';

export interface WordpieceOptions {
  unk?: string;
  maxInputCharsPerWord?: number;
}

export type LogProbs = ReadonlyMap<string, number>;

export interface Segmentation {
  pieces: string[];
  logProb: number;
}

export function wordpiece(word: string, vocab: ReadonlySet<string>, { unk = UNK, maxInputCharsPerWord = 100 }: WordpieceOptions = {}): string[] {
  const cs = [...word];
  if (cs.length > maxInputCharsPerWord) return [unk];
  const out: string[] = [];
  for (let i = 0; i < cs.length;) {
    let j = cs.length;
    for (; j > i; j--) {
      const candidate = \`\${i === 0 ? '' : '##'}\${cs.slice(i, j).join('')}\`;
      if (vocab.has(candidate)) {
        out.push(candidate);
        break;
      }
    }
    if (j === i) return [unk];
    i = j;
  }
  return out;
}

/** Every piece that starts at each position: [end, piece, logProb]. */
function arcsFrom(chars: string[], logProbs: LogProbs): [number, string, number][][] {
  let longest = 0;
  for (const p of logProbs.keys()) longest = Math.max(longest, [...p].length);
  const arcs: [number, string, number][][] = chars.map(() => []);
  for (let i = 0; i < chars.length; i++) {
    let piece = '';
    for (let j = i; j < Math.min(chars.length, i + longest); j++) {
      piece += chars[j];
      const lp = logProbs.get(piece);
      if (lp !== undefined) arcs[i].push([j + 1, piece, lp]);
    }
  }
  return arcs;
}

export function viterbi(text: string, logProbs: LogProbs): Segmentation {
  const chars = [...text];
  const arcs = arcsFrom(chars, logProbs);
  // best of the suffix starting at i, computed from the end
  const score: number[] = new Array(chars.length + 1).fill(-Infinity);
  const next: (readonly [number, string] | null)[] = new Array(chars.length + 1).fill(null);
  score[chars.length] = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    for (const [j, piece, lp] of arcs[i]) {
      if (lp + score[j] > score[i]) {
        score[i] = lp + score[j];
        next[i] = [j, piece];
      }
    }
  }
  if (!Number.isFinite(score[0])) return { pieces: [], logProb: -Infinity };
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i = next[i]![0]) pieces.push(next[i]![1]);
  return { pieces, logProb: score[0] };
}

function lse(values: number[]): number {
  const m = Math.max(...values);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const v of values) s += Math.exp(v - m);
  return m + Math.log(s);
}

export function expectedCounts(text: string, logProbs: LogProbs): { counts: Map<string, number>; logLikelihood: number } {
  const chars = [...text];
  const n = chars.length;
  const arcs = arcsFrom(chars, logProbs);
  const into: number[][] = Array.from({ length: n + 1 }, () => []);
  const alpha: number[] = [0];
  for (let i = 0; i < n; i++) for (const [j, , lp] of arcs[i]) into[j].push(i);
  for (let j = 1; j <= n; j++) {
    const terms: number[] = [];
    for (const i of into[j]) for (const [e, , lp] of arcs[i]) if (e === j) terms.push(alpha[i] + lp);
    alpha.push(terms.length ? lse(terms) : -Infinity);
  }
  const beta: number[] = new Array(n + 1).fill(-Infinity);
  beta[n] = 0;
  for (let i = n - 1; i >= 0; i--) beta[i] = arcs[i].length ? lse(arcs[i].map(([j, , lp]) => lp + beta[j])) : -Infinity;
  const z = alpha[n];
  const counts = new Map<string, number>();
  if (z === -Infinity) return { counts, logLikelihood: z };
  for (let i = 0; i < n; i++) {
    for (const [j, piece, lp] of arcs[i]) {
      const w = Math.exp(alpha[i] + lp + beta[j] - z);
      if (w > 0) counts.set(piece, (counts.get(piece) ?? 0) + w);
    }
  }
  return { counts, logLikelihood: z };
}

export function emStep(sentences: readonly string[], logProbs: LogProbs): { logProbs: Map<string, number>; logLikelihood: number } {
  const totals: Record<string, number> = Object.create(null);
  let ll = 0;
  for (const s of sentences) {
    const { counts, logLikelihood } = expectedCounts(s, logProbs);
    ll += logLikelihood;
    counts.forEach((c, p) => { totals[p] = (totals[p] ?? 0) + c; });
  }
  const sum = Object.values(totals).reduce((a, b) => a + b, 0);
  const out = new Map<string, number>();
  for (const p of Object.keys(totals)) if (totals[p] > 0) out.set(p, Math.log(totals[p] / sum));
  return { logProbs: out, logLikelihood: ll };
}

function corpusLikelihood(sentences: readonly string[], logProbs: LogProbs): number {
  return sentences.reduce((acc, s) => acc + expectedCounts(s, logProbs).logLikelihood, 0);
}

export function prune(sentences: readonly string[], logProbs: LogProbs, size: number): Map<string, number> {
  const all = corpusLikelihood(sentences, logProbs);
  const isChar = (p: string) => [...p].length === 1;
  const candidates = [...logProbs.keys()].filter((p) => !isChar(p)).map((p) => {
    const rest = new Map([...logProbs].filter(([q]) => q !== p));
    return { p, loss: all - corpusLikelihood(sentences, rest), lp: logProbs.get(p)! };
  });
  candidates.sort((a, b) => {
    if (a.loss !== b.loss) return b.loss - a.loss;
    if (a.lp !== b.lp) return b.lp - a.lp;
    return a.p < b.p ? -1 : 1;
  });
  const nChars = [...logProbs.keys()].filter(isChar).length;
  const kept = new Set(candidates.slice(0, Math.max(0, size - nChars)).map((c) => c.p));
  const out = new Map<string, number>();
  logProbs.forEach((lp, p) => { if (isChar(p) || kept.has(p)) out.set(p, lp); });
  return out;
}

/** UTF-8 by hand: the bytes of one code point. */
function utf8(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

const hex2 = (b: number): string => (b < 16 ? '0' : '') + b.toString(16).toUpperCase();

export function spEncode(text: string, logProbs: LogProbs): string[] {
  const chars = [SPACE, ...[...text].map((c) => (c === ' ' ? SPACE : c))];
  let lowest = Infinity;
  logProbs.forEach((v) => { lowest = Math.min(lowest, v); });
  const unknown = lowest - 10;
  const n = chars.length;
  const best: number[] = [0];
  const prev: [number, string | null][] = [[0, null]];
  for (let j = 1; j <= n; j++) {
    best.push(-Infinity);
    prev.push([0, null]);
    let piece = '';
    for (let i = j - 1; i >= 0; i--) {
      piece = chars[i] + piece;
      const lp = logProbs.has(piece) ? logProbs.get(piece)! : i === j - 1 ? unknown : undefined;
      if (lp === undefined) continue;
      if (best[i] + lp > best[j]) { best[j] = best[i] + lp; prev[j] = [i, logProbs.has(piece) ? piece : null]; }
    }
  }
  const out: string[][] = [];
  for (let j = n; j > 0; j = prev[j][0]) {
    const [i, piece] = prev[j];
    out.push(piece !== null ? [piece] : utf8(chars[i].codePointAt(0)!).map((b) => \`<0x\${hex2(b)}>\`));
  }
  return out.reverse().flat();
}

export function spDecode(pieces: readonly string[]): string {
  let text = '';
  let run: number[] = [];
  const flush = () => { if (run.length) text += new TextDecoder().decode(new Uint8Array(run)); run = []; };
  for (const p of pieces) {
    if (/^<0x[0-9A-F]{2}>$/i.test(p)) { run.push(Number.parseInt(p.slice(3, 5), 16)); continue; }
    flush();
    text += p;
  }
  flush();
  text = text.split(SPACE).join(' ');
  return text[0] === ' ' ? text.slice(1) : text;
}
`;

export const CORPUS: CorpusEntry[] = [
  correct('suffix-first Viterbi over arcs, log-sum-exp over arrays, UTF-8 by hand, byte runs decoded one by one', ALT),
  correct('forward-backward tables in float32', withEdits(SOLUTION, [
    ['const fwd = new Float64Array(n + 1).fill(-Infinity);', 'const fwd = new Float32Array(n + 1).fill(-Infinity);'],
    ['const bwd = new Float64Array(n + 1).fill(-Infinity);', 'const bwd = new Float32Array(n + 1).fill(-Infinity);'],
  ], 'float32')),
  correct('Viterbi pushed forward from each start', withEdits(SOLUTION, [[`  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - L); start < end; start++) {
      const lp = logProbs.get(chars.slice(start, end).join(''));
      if (lp === undefined) continue;
      const score = best[start] + lp; //                   log-probs add: a product of probabilities would underflow
      if (score > best[end]) { best[end] = score; back[end] = start; }
    }
  }`, `  for (let start = 0; start < n; start++) {
    if (best[start] === -Infinity) continue;
    for (let end = start + 1; end <= Math.min(n, start + L); end++) {
      const lp = logProbs.get(chars.slice(start, end).join(''));
      if (lp !== undefined && best[start] + lp > best[end]) { best[end] = best[start] + lp; back[end] = start; }
    }
  }`]], 'push')),
  correct("SentencePiece's remove_extra_whitespaces", withEdits(SOLUTION, [["Array.from(SPACE + text.replaceAll(' ', SPACE));", "Array.from(SPACE + text.trim().split(/ +/).join(SPACE));"]], 'collapse')),
  correct("pruning through emStep's likelihood", withEdits(SOLUTION, [
    ['const base = corpusLogLikelihood(sentences, logProbs);', 'const base = emStep(sentences, logProbs).logLikelihood;'],
    ['scored.push({ piece, loss: base - corpusLogLikelihood(sentences, without), lp });', 'scored.push({ piece, loss: base - emStep(sentences, without).logLikelihood, lp });'],
  ], 'prune via emStep')),

  // Mistakes no catalogue names.
  bug('maxInputCharsPerWord compared with UTF-16 length', WORDPIECE, [['if (chars.length > (opts.maxInputCharsPerWord ?? 100)) return [unk];', 'if (word.length > (opts.maxInputCharsPerWord ?? 100)) return [unk];']]),
  bug('a word of exactly maxInputCharsPerWord characters is [UNK]', WORDPIECE, [['if (chars.length > (opts.maxInputCharsPerWord ?? 100)) return [unk];', 'if (chars.length >= (opts.maxInputCharsPerWord ?? 100)) return [unk];']]),
  bug('Viterbi misses pieces of the longest length', VITERBI, [["    for (let start = Math.max(0, end - L); start < end; start++) {\n      const lp = logProbs.get(chars.slice(start, end).join(''));\n      if (lp === undefined) continue;", "    for (let start = Math.max(0, end - L + 1); start < end; start++) {\n      const lp = logProbs.get(chars.slice(start, end).join(''));\n      if (lp === undefined) continue;"]]),
  bug('posterior not divided by P(text)', EXPECTED, [['const posterior = Math.exp(fwd[s] + lp + bwd[e] - Z);', 'const posterior = Math.exp(fwd[s] + lp + bwd[e]);']]),
  bug('M-step normalised by the number of pieces', EM, [['next.set(p, Math.log(c) - Math.log(sum));', 'next.set(p, Math.log(c) - Math.log(total.size));']]),
  bug('size counts only the longer pieces', PRUNE, [['scored.slice(0, Math.max(0, size - chars.length))', 'scored.slice(0, Math.max(0, size))']]),
  bug('spDecode keeps the leading space', SP, [["return text.startsWith(' ') ? text.slice(1) : text;", 'return text;']]),
  bug('byte pieces in lower-case hex', SP, [["pieces.push(`<0x${bytes[k].toString(16).toUpperCase().padStart(2, '0')}>`);", "pieces.push(`<0x${bytes[k].toString(16).padStart(2, '0')}>`);"]]),

  bug('no test for a text that cannot be segmented', VITERBI, [['  if (!Number.isFinite(score[0])) return { pieces: [], logProb: -Infinity };\n', '']], { at: 'for (let i = 0; i < chars.length; i = next[i]![0]) pieces.push(next[i]![1]);' }, ALT),

  // Catalogued mistakes written a new way.
  bug('[UNK] appended where the match failed', WORDPIECE, [['if (piece === null) return [unk]; //                   one position cannot be matched: the whole word', 'if (piece === null) { pieces.push(unk); break; }']], { catalogued: 'partial-unk' }),
  bug('## prefix test off by one (start >= 0)', WORDPIECE, [["const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');", "const sub = (start >= 0 ? '##' : '') + chars.slice(start, end).join('');"]], { catalogued: 'prefix-first' }),
  bug('Viterbi on probabilities in float64', VITERBI, [
    ['if (lp + score[j] > score[i]) {\n        score[i] = lp + score[j];', 'if (Math.exp(lp) * score[j] > score[i]) {\n        score[i] = Math.exp(lp) * score[j];'],
    ["const score: number[] = new Array(chars.length + 1).fill(-Infinity);", "const score: number[] = new Array(chars.length + 1).fill(0);"],
    ['score[chars.length] = 0;', 'score[chars.length] = 1;'],
    ['if (!Number.isFinite(score[0])) return { pieces: [], logProb: -Infinity };', 'if (score[0] === 0) return { pieces: [], logProb: -Infinity };'],
    ['return { pieces, logProb: score[0] };', 'return { pieces, logProb: Math.log(score[0]) };'],
  ], { catalogued: 'viterbi-underflow' }, ALT),
  bug('a ▁ after every word', SP, [["const chars = [SPACE, ...[...text].map((c) => (c === ' ' ? SPACE : c))];", "const chars = [...text.split(' ').map((w) => w + SPACE).join('')];"]], { catalogued: 'space-at-end' }, ALT),
  bug('characters ranked with the other pieces, an impossible corpus counted as no loss', PRUNE, [
    ["const candidates = [...logProbs.keys()].filter((p) => !isChar(p)).map((p) => {", 'const candidates = [...logProbs.keys()].map((p) => {'],
    ['return { p, loss: all - corpusLikelihood(sentences, rest), lp: logProbs.get(p)! };', 'const l = all - corpusLikelihood(sentences, rest);\n    return { p, loss: Number.isFinite(l) ? l : 0, lp: logProbs.get(p)! };'],
    ['const nChars = [...logProbs.keys()].filter(isChar).length;', 'const nChars = 0;'],
    ['logProbs.forEach((lp, p) => { if (isChar(p) || kept.has(p)) out.set(p, lp); });', 'logProbs.forEach((lp, p) => { if (kept.has(p)) out.set(p, lp); });'],
  ], { catalogued: 'prune-chars', at: 'const l = all - corpusLikelihood(sentences, rest);' }, ALT),
];
