/**
 * The pruning lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for pruning/prune written
 * independently of the catalogue. Correct files in other styles than the reference (indices sorted by (|w|, index),
 * pairs sorted as arrays, a keep-mask, pairwise "stronger than" counts in each 2:4 group, two passes for the two
 * weakest, parameters found by name), and one-bug variants: most of them mistakes no catalogue names (k floored,
 * ties broken the other way, W mutated, no throw for a bad width, a layer left out, the dense fraction returned),
 * the others catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed, not typed: the line where a marker (by default the first non-blank line of the
 * changed text) occurs, exactly once. The sparsity curve (the bundled model, ~2 s) runs for two correct files and
 * one bug; the other entries run the quick checks only (`checks`).
 */
import { type CorpusEntry, lineOf } from '../corpus';
import { withEdits } from '../helpers';

const EX = 'pruning/prune';
/** The quick checks (every check but the sparsity curve). */
const QUICK = ['magnitudePrune: a small example by hand', 'magnitudePrune: the exact number of zeros', 'prune24: a small example by hand',
  'prune24: the exact 2:4 pattern', 'prunableWeights: the six Linear weights', 'sparsityOf: zeros over the Linear weights only'];

function correct(name: string, source: string, checks?: string[]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source, ...(checks ? { checks } : {}) };
}

function bug(name: string, base: string, edits: [string, string][], opts: { catalogued?: string; checks?: string[]; at?: string } = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    checks: opts.checks ?? QUICK,
  };
}

/** Indices sorted by (|w|, index); 2:4 by counting, in each group, the weights that beat each one; layers by name. */
const SORTED = `import { type GPT, type Tensor, tensor } from '@llm-lab/kit';

export function magnitudePrune(W: Tensor, sparsity: number): Tensor {
  const d = W.data;
  const k = Math.round(sparsity * d.length);
  const order = Array.from({ length: d.length }, (_, i) => i);
  order.sort((a, b) => Math.abs(d[a]) - Math.abs(d[b]) || a - b);
  const out = Float32Array.from(d);
  for (let j = 0; j < k; j++) out[order[j]] = 0;
  return tensor(out, W.shape.slice());
}

/** Whether weight j beats weight i in a group: larger |w|, or equal |w| and a lower index. */
function beats(d: ArrayLike<number>, j: number, i: number): boolean {
  const [a, b] = [Math.abs(d[j]), Math.abs(d[i])];
  return a > b || (a === b && j < i);
}

export function prune24(W: Tensor): Tensor {
  const [rows, cols] = W.shape;
  if (cols % 4 !== 0) throw new Error('prune24 needs in % 4 === 0');
  const d = W.data;
  const out = new Float32Array(d.length);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < cols / 4; g++) {
      const base = r * cols + 4 * g;
      for (let i = base; i < base + 4; i++) {
        let stronger = 0;
        for (let j = base; j < base + 4; j++) if (j !== i && beats(d, j, i)) stronger++;
        out[i] = stronger < 2 ? d[i] : 0;
      }
    }
  }
  return tensor(out, [rows, cols]);
}

const LINEAR = /^h\\.\\d+\\.(attn\\.(q|k|v|proj)|mlp\\.(fc|proj))\\.weight$/;

export function prunableWeights(model: GPT): Tensor[] {
  return [...model.namedParameters()].filter(([name]) => LINEAR.test(name)).map(([, p]) => p);
}

export function sparsityOf(model: GPT): number {
  const ws = prunableWeights(model);
  const zeros = ws.reduce((z, w) => z + Array.from(w.data).filter((v) => v === 0).length, 0);
  const total = ws.reduce((n, w) => n + w.size, 0);
  return zeros / total;
}
`;

/** [|w|, index] pairs sorted as arrays; 2:4 by two passes for the weakest; a keep-mask; explicit loops over the blocks. */
const PAIRS = `import { type GPT, type Tensor, tensor } from '@llm-lab/kit';

export function magnitudePrune(W: Tensor, sparsity: number): Tensor {
  const n = W.size;
  const k = Math.round(sparsity * n);
  if (k === 0) return tensor(Float32Array.from(W.data), [...W.shape]);
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) pairs.push([Math.abs(W.data[i]), i]);
  pairs.sort((p, q) => (p[0] === q[0] ? p[1] - q[1] : p[0] - q[0]));
  const keep = new Uint8Array(n).fill(1);
  for (const [, i] of pairs.slice(0, k)) keep[i] = 0;
  return tensor(Float32Array.from(W.data, (v, i) => (keep[i] ? v : 0)), [...W.shape]);
}

/** The index of the weakest weight among idx: smallest |w|, the HIGHER index among equals (lower indices are kept). */
function weakest(d: ArrayLike<number>, idx: number[]): number {
  let best = idx[0];
  for (const i of idx) if (Math.abs(d[i]) < Math.abs(d[best]) || (Math.abs(d[i]) === Math.abs(d[best]) && i > best)) best = i;
  return best;
}

export function prune24(W: Tensor): Tensor {
  if (W.shape.length !== 2) throw new Error('prune24 expects a matrix');
  const [out, inp] = W.shape;
  if (inp % 4) throw new Error(\`prune24: \${inp} inputs do not split into groups of 4\`);
  const res = Float32Array.from(W.data);
  for (let o = 0; o < out; o++) {
    for (let j = 0; j < inp; j += 4) {
      const group = [0, 1, 2, 3].map((t) => o * inp + j + t);
      const first = weakest(W.data, group);
      const second = weakest(W.data, group.filter((i) => i !== first));
      res[first] = 0;
      res[second] = 0;
    }
  }
  return tensor(res, [out, inp]);
}

export function prunableWeights(model: GPT): Tensor[] {
  const out: Tensor[] = [];
  for (const block of model.h) {
    out.push(block.attn.q.weight, block.attn.k.weight, block.attn.v.weight, block.attn.proj.weight);
    out.push(block.mlp.fc.weight, block.mlp.proj.weight);
  }
  return out;
}

export function sparsityOf(model: GPT): number {
  let nonzero = 0;
  let total = 0;
  for (const w of prunableWeights(model)) {
    total += w.size;
    for (const v of w.data) if (v !== 0) nonzero++;
  }
  return 1 - nonzero / total;
}
`;

/** A threshold found on a float64 copy, then the ties counted in; 2:4 with the group sorted in place; flatMap. */
const THRESHOLD = `import { type GPT, type Tensor, tensor } from '@llm-lab/kit';

export function magnitudePrune(W: Tensor, sparsity: number): Tensor {
  const n = W.size;
  const k = Math.round(sparsity * n);
  const result = new Float32Array(W.data);
  if (k <= 0) return tensor(result, [...W.shape]);
  if (k >= n) return tensor(new Float32Array(n), [...W.shape]);
  const sorted = Float64Array.from(W.data, (v) => Math.abs(v)).sort();
  const cut = sorted[k - 1];
  let equalToPrune = k - sorted.indexOf(cut); // sorted.indexOf(cut) weights are strictly smaller
  for (let i = 0; i < n; i++) {
    const a = Math.abs(result[i]);
    if (a > cut) continue;
    if (a < cut) { result[i] = 0; continue; }
    if (equalToPrune > 0) { result[i] = 0; equalToPrune--; }
  }
  return tensor(result, [...W.shape]);
}

export function prune24(W: Tensor): Tensor {
  const cols = W.shape[W.shape.length - 1];
  if (W.shape.length !== 2 || cols % 4 !== 0) throw new RangeError('in must be a multiple of 4');
  const data = Float32Array.from(W.data);
  for (let start = 0; start < data.length; start += 4) {
    const idx = [start, start + 1, start + 2, start + 3];
    idx.sort((a, b) => {
      const diff = Math.abs(W.data[a]) - Math.abs(W.data[b]);
      return diff !== 0 ? diff : b - a; // ascending |w|; among equals the higher index is weaker
    });
    data[idx[0]] = 0;
    data[idx[1]] = 0;
  }
  return tensor(data, [W.shape[0], cols]);
}

export function prunableWeights(model: GPT): Tensor[] {
  return model.h.flatMap(({ attn, mlp }) => [attn.q.weight, attn.k.weight, attn.v.weight, attn.proj.weight, mlp.fc.weight, mlp.proj.weight]);
}

export function sparsityOf(model: GPT): number {
  const counts = prunableWeights(model).map((w) => [w.data.filter((v) => v === 0).length, w.size]);
  const zeros = counts.reduce((s, [z]) => s + z, 0);
  const total = counts.reduce((s, [, n]) => s + n, 0);
  return total === 0 ? 0 : zeros / total;
}
`;

/** Rank of each weight computed from one sorted order; 2:4 on row subarrays, the two strongest copied into zeros; parameters found by walking names with a Set. */
const RANKS = `import { type GPT, type Tensor, tensor } from '@llm-lab/kit';

function rankByMagnitude(d: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: d.length }, (_, i) => i);
  const sorted = Array.from(idx).sort((a, b) => {
    const x = Math.abs(d[a]);
    const y = Math.abs(d[b]);
    if (x < y) return -1;
    if (x > y) return 1;
    return a - b;
  });
  const rank = new Int32Array(d.length);
  sorted.forEach((i, r) => { rank[i] = r; });
  return rank;
}

export function magnitudePrune(W: Tensor, sparsity: number): Tensor {
  const rank = rankByMagnitude(W.data);
  const k = Math.round(W.size * sparsity);
  const pruned = new Float32Array(W.size);
  for (let i = 0; i < W.size; i++) pruned[i] = rank[i] < k ? 0 : W.data[i];
  return tensor(pruned, [...W.shape]);
}

export function prune24(W: Tensor): Tensor {
  const [rows, cols] = W.shape;
  if (!Number.isInteger(cols / 4)) throw new Error('prune24: in must be divisible by 4');
  const out = new Float32Array(W.size);
  for (let r = 0; r < rows; r++) {
    const row = W.data.subarray(r * cols, (r + 1) * cols);
    for (let c = 0; c < cols; c += 4) {
      const group = row.subarray(c, c + 4);
      const strongest = [0, 1, 2, 3].sort((a, b) => Math.abs(group[b]) - Math.abs(group[a]) || a - b).slice(0, 2);
      for (const t of strongest) out[r * cols + c + t] = group[t];
    }
  }
  return tensor(out, [rows, cols]);
}

const KINDS = new Set(['attn.q', 'attn.k', 'attn.v', 'attn.proj', 'mlp.fc', 'mlp.proj']);

export function prunableWeights(model: GPT): Tensor[] {
  const found: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) {
    const parts = name.split('.');
    if (parts[0] === 'h' && parts[4] === 'weight' && parts.length === 5 && KINDS.has(parts[2] + '.' + parts[3])) found.push(p);
  }
  return found;
}

export function sparsityOf(model: GPT): number {
  let zeros = 0;
  let count = 0;
  for (const w of prunableWeights(model)) {
    for (let i = 0; i < w.size; i++) zeros += w.data[i] === 0 ? 1 : 0;
    count += w.size;
  }
  return zeros / count;
}
`;

export const CORPUS: CorpusEntry[] = [
  correct('indices sorted by (|w|, index), 2:4 by counting stronger neighbours, layers by name', SORTED),
  correct('[|w|, index] pairs, a keep-mask, 2:4 by two passes for the weakest, 1 - nonzero fraction', PAIRS),
  correct('a threshold on a float64 copy with ties counted in, 2:4 groups sorted in place', THRESHOLD, QUICK),
  correct('ranks from one sorted order, 2:4 on row subarrays, names split and matched', RANKS, QUICK),

  // Mistakes no catalogue names.
  bug('k floored instead of rounded', SORTED, [['const k = Math.round(sparsity * d.length);', 'const k = Math.floor(sparsity * d.length);']], { checks: [...QUICK, 'the bundled model'] }),
  bug('ties: the higher index pruned first', SORTED, [['order.sort((a, b) => Math.abs(d[a]) - Math.abs(d[b]) || a - b);', 'order.sort((a, b) => Math.abs(d[a]) - Math.abs(d[b]) || b - a);']]),
  bug('W mutated in place and returned', PAIRS, [['for (const [, i] of pairs.slice(0, k)) keep[i] = 0;', 'for (const [, i] of pairs.slice(0, k)) { keep[i] = 0; W.data[i] = 0; }']]),
  bug('no throw when in is not a multiple of 4', THRESHOLD, [["if (W.shape.length !== 2 || cols % 4 !== 0) throw new RangeError('in must be a multiple of 4');", "if (W.shape.length !== 2) throw new RangeError('W must be a matrix');"]]),
  bug('mlp.proj left out of the prunable weights', THRESHOLD, [['attn.proj.weight, mlp.fc.weight, mlp.proj.weight]);', 'attn.proj.weight, mlp.fc.weight]);']], { at: 'return model.h.flatMap(' }),
  bug('sparsityOf returns the dense fraction', PAIRS, [['return 1 - nonzero / total;', 'return nonzero / total;']]),
  bug('2:4 keeps the strongest three (stronger < 3)', SORTED, [['out[i] = stronger < 2 ? d[i] : 0;', 'out[i] = stronger < 3 ? d[i] : 0;']]),

  // Catalogued mistakes written a new way.
  bug('pairs of (w, index): signed values ranked', PAIRS, [['for (let i = 0; i < n; i++) pairs.push([Math.abs(W.data[i]), i]);', 'for (let i = 0; i < n; i++) pairs.push([W.data[i], i]);']], { catalogued: 'by-value' }),
  bug('2:4 groups of 4 rows in a column (index o + 4t)', PAIRS, [
    ['for (let o = 0; o < out; o++) {\n    for (let j = 0; j < inp; j += 4) {\n      const group = [0, 1, 2, 3].map((t) => o * inp + j + t);',
      'for (let o = 0; o < out; o += 4) {\n    for (let j = 0; j < inp; j++) {\n      const group = [0, 1, 2, 3].map((t) => (o + t) * inp + j);'],
  ], { catalogued: 'wrong-axis', at: 'const group = [0, 1, 2, 3].map((t) => (o + t) * inp + j);' }),
  bug('zeros over the Linear weights divided by every parameter\'s size', RANKS, [['count += w.size;', 'count = model.parameters().reduce((s, p) => s + p.size, 0);']], { catalogued: 'wrong-count' }),
  bug('every parameter of a block whose name ends in weight (LayerNorm gains too)', RANKS, [
    ["if (parts[0] === 'h' && parts[4] === 'weight' && parts.length === 5 && KINDS.has(parts[2] + '.' + parts[3])) found.push(p);", "if (parts[0] === 'h' && name.endsWith('.weight')) found.push(p);"],
  ], { catalogued: 'prunes-extra' }),
  bug('the k LARGEST ranks zeroed', RANKS, [['for (let i = 0; i < W.size; i++) pruned[i] = rank[i] < k ? 0 : W.data[i];', 'for (let i = 0; i < W.size; i++) pruned[i] = rank[i] >= W.size - k ? 0 : W.data[i];']], { catalogued: 'largest' }),
];
