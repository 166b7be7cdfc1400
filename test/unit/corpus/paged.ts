/**
 * The paged lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for paged-attention/paged written
 * independently of the catalogue. Correct files in other styles than the reference (vLLM's stack free list with
 * early returns and a per-position appendSlots; kit tensors for the attention, gathered per head; an online softmax
 * in one pass with slots from a divmod helper and copy-on-write slot by slot; forEach/map bookkeeping that releases
 * tail first as vLLM's newer engine, with a log-sum-exp softmax and loops writing k and v), and one-bug variants:
 * most of them mistakes no catalogue names (no 1/sqrt(hs), a fork that shares the parent's table array, a freed
 * sequence left in the tables, copy-on-write that copies the keys only, the position embedding one ahead, k written
 * where v belongs, an allocation that forgets the count), the others catalogued mistakes written a new way (blocks
 * counted with | 0, Math.round for the block, a release that zeroes the count, the table searched with indexOf).
 *
 * Entries whose bug is in the bookkeeping or in pagedAttend run only the quick checks (no bundled model); two run
 * the model's check. Each bug's `line` is computed from its source with a marker that occurs once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'paged-attention/paged';
const SOLUTION = readFileSync(path.join(LESSONS, '14e-paged-attention', 'paged.solution.ts'), 'utf8');

const QUICK = ['allocateBlock and releaseBlock', 'slotOf: position p is in logical block', 'appendSlots: blocks on demand',
  'forkSequence and freeSequence', 'pagedAttend: keys and values read through the block table'];
const MODEL = ['pagedStep: logits equal a contiguous KV cache'];

/** The solution with whole functions replaced (each `export function name(` ... up to its closing line). */
function withFunctions(base: string, fns: Record<string, string>): string {
  let s = base;
  for (const [name, text] of Object.entries(fns)) {
    const at = s.indexOf(`export function ${name}(`);
    if (at < 0) throw new Error(`corpus: no function ${name}`);
    const start = s.lastIndexOf('\n/**', at) > s.lastIndexOf('\n}\n', at) ? s.lastIndexOf('\n/**', at) + 1 : at;
    const end = s.indexOf('\n}\n', at) + 3;
    s = s.slice(0, start) + text.trim() + '\n' + s.slice(end);
  }
  return s;
}

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source };
}

function bug(name: string, base: string, edits: [string, string][], opts: { catalogued?: string; kitOps?: boolean; checks?: string[]; at?: string } = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name), checks: opts.checks ?? QUICK,
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

/** vLLM's original allocator: a stack, early returns; appendSlots one position at a time. */
const STACK = withFunctions(SOLUTION, {
  allocateBlock: `
export function allocateBlock(cache: PagedCache): number {
  if (cache.free.length === 0) throw new Error('Out of memory! No free blocks are available.');
  const block = cache.free.pop()!;
  cache.refs[block] = 1;
  return block;
}`,
  releaseBlock: `
export function releaseBlock(cache: PagedCache, block: number): void {
  if (cache.refs[block] === 0 || cache.refs[block] === undefined) throw new Error(\`Double free! block \${block} is already freed.\`);
  cache.refs[block]--;
  if (cache.refs[block] > 0) return;
  cache.free.push(block);
}`,
  appendSlots: `
export function appendSlots(cache: PagedCache, seq: number, n: number): number[] {
  const B = cache.blockSize;
  const C = cache.nEmbd;
  const table = cache.tables.get(seq)!;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = cache.lengths.get(seq)!;
    if (p % B === 0) {
      table.push(allocateBlock(cache));
    } else if (cache.refs[table[table.length - 1]] > 1) {
      const old = table[table.length - 1];
      const fresh = allocateBlock(cache);
      for (let l = 0; l < cache.nLayer; l++) {
        for (let j = 0; j < (p % B) * C; j++) {
          cache.keys[l][fresh * B * C + j] = cache.keys[l][old * B * C + j];
          cache.values[l][fresh * B * C + j] = cache.values[l][old * B * C + j];
        }
      }
      releaseBlock(cache, old);
      table[table.length - 1] = fresh;
    }
    cache.lengths.set(seq, p + 1);
    out.push(slotOf(cache, seq, p));
  }
  return out;
}`,
});

/** Attention with kit tensors: keys and values gathered into (T, hs) per head, softmax(q K^T / sqrt(hs)) V. */
const TENSORS = withFunctions(SOLUTION.replace('/**\n * PagedAttention reference solution', "import { div, matmul, softmax, tensor, transpose } from '@llm-lab/kit';\n\n/**\n * PagedAttention reference solution"), {
  pagedAttend: `
export function pagedAttend(cache: PagedCache, seq: number, layer: number, q: Float32Array, nHead: number): Float32Array {
  const C = cache.nEmbd;
  const hs = C / nHead;
  const T = cache.lengths.get(seq)!;
  const y = new Float32Array(C);
  for (let h = 0; h < nHead; h++) {
    const k = new Float32Array(T * hs);
    const v = new Float32Array(T * hs);
    for (let p = 0; p < T; p++) {
      const at = slotOf(cache, seq, p) * C + h * hs;
      k.set(cache.keys[layer].subarray(at, at + hs), p * hs);
      v.set(cache.values[layer].subarray(at, at + hs), p * hs);
    }
    const qh = tensor(q.slice(h * hs, (h + 1) * hs), [1, hs]);
    const kT = tensor(k, [T, hs]);
    const w = softmax(div(matmul(qh, transpose(kT, 0, 1)), Math.sqrt(hs)), -1); // (1, T)
    const out = matmul(w, tensor(v, [T, hs])); // (1, hs)
    y.set(out.data, h * hs);
  }
  return y;
}`,
});

/** One pass per head with an online softmax; slots by a divmod helper; copy-on-write slot by slot with subarray/set. */
const ONLINE = withFunctions(SOLUTION, {
  slotOf: `
function divmod(a: number, b: number): [number, number] {
  const q = Math.floor(a / b);
  return [q, a - q * b];
}

export function slotOf(cache: PagedCache, seq: number, position: number): number {
  const [block, offset] = divmod(position, cache.blockSize);
  return cache.tables.get(seq)![block] * cache.blockSize + offset;
}`,
  appendSlots: `
export function appendSlots(cache: PagedCache, seq: number, n: number): number[] {
  const B = cache.blockSize;
  const C = cache.nEmbd;
  const table = cache.tables.get(seq)!;
  const start = cache.lengths.get(seq)!;
  const used = start % B;
  if (n > 0 && used > 0 && cache.refs[table.at(-1)!] >= 2) {
    const shared = table.at(-1)!;
    const mine = allocateBlock(cache);
    for (let l = 0; l < cache.nLayer; l++) {
      for (let o = 0; o < used; o++) {
        const from = (shared * B + o) * C;
        const to = (mine * B + o) * C;
        cache.keys[l].set(cache.keys[l].subarray(from, from + C), to);
        cache.values[l].set(cache.values[l].subarray(from, from + C), to);
      }
    }
    releaseBlock(cache, shared);
    table[table.length - 1] = mine;
  }
  const end = start + n;
  while (table.length * B < end) table.push(allocateBlock(cache));
  cache.lengths.set(seq, end);
  const slots = [];
  for (let p = start; p < end; p++) slots.push(slotOf(cache, seq, p));
  return slots;
}`,
  pagedAttend: `
export function pagedAttend(cache: PagedCache, seq: number, layer: number, q: Float32Array, nHead: number): Float32Array {
  const C = cache.nEmbd;
  const hs = C / nHead;
  const scale = 1 / Math.sqrt(hs);
  const T = cache.lengths.get(seq)!;
  const y = new Float32Array(C);
  const acc = new Float64Array(hs);
  for (let h = 0; h < nHead; h++) {
    let m = -Infinity;
    let l = 0;
    acc.fill(0);
    for (let p = 0; p < T; p++) {
      const base = slotOf(cache, seq, p) * C + h * hs;
      let s = 0;
      for (let i = 0; i < hs; i++) s += q[h * hs + i] * cache.keys[layer][base + i];
      s *= scale;
      const mNew = Math.max(m, s);
      const r = Math.exp(m - mNew);
      const e = Math.exp(s - mNew);
      l = l * r + e;
      for (let i = 0; i < hs; i++) acc[i] = acc[i] * r + e * cache.values[layer][base + i];
      m = mNew;
    }
    for (let i = 0; i < hs; i++) y[h * hs + i] = acc[i] / l;
  }
  return y;
}`,
});

/** forEach/map bookkeeping (blocks released tail first), a log-sum-exp softmax, k and v written with loops, the position checked first. */
const FUNCTIONAL = withFunctions(SOLUTION, {
  forkSequence: `
export function forkSequence(cache: PagedCache, parent: number, child: number): void {
  const table = cache.tables.get(parent);
  if (!table || cache.tables.has(child)) throw new Error('bad fork');
  cache.tables.set(child, table.map((block) => (cache.refs[block]++, block)));
  cache.lengths.set(child, cache.lengths.get(parent)!);
}`,
  freeSequence: `
export function freeSequence(cache: PagedCache, seq: number): void {
  [...cache.tables.get(seq)!].reverse().forEach((block) => releaseBlock(cache, block)); // tail first, as vLLM's newer engine
  cache.tables.delete(seq);
  cache.lengths.delete(seq);
}`,
  pagedAttend: `
export function pagedAttend(cache: PagedCache, seq: number, layer: number, q: Float32Array, nHead: number): Float32Array {
  const C = cache.nEmbd;
  const hs = C / nHead;
  const T = cache.lengths.get(seq)!;
  const slots = [...Array(T).keys()].map((p) => slotOf(cache, seq, p));
  const out = new Float32Array(C);
  for (let h = 0; h < nHead; h++) {
    const s = slots.map((slot) => {
      let d = 0;
      for (let i = h * hs; i < (h + 1) * hs; i++) d += q[i] * cache.keys[layer][slot * C + i];
      return d / Math.sqrt(hs);
    });
    const m = Math.max(...s);
    const lse = m + Math.log(s.reduce((a, x) => a + Math.exp(x - m), 0));
    slots.forEach((slot, j) => {
      const w = Math.exp(s[j] - lse);
      for (let i = h * hs; i < (h + 1) * hs; i++) out[i] += w * cache.values[layer][slot * C + i];
    });
  }
  return out;
}`,
  pagedStep: `
export function pagedStep(model: ModelParts, cache: PagedCache, seq: number, token: number): Float32Array {
  const { nLayer, nHead, blockSize } = model.config;
  const C = cache.nEmbd;
  const position = cache.lengths.get(seq)!;
  if (position + 1 > blockSize) throw new RangeError('sequence full');
  const slot = appendSlots(cache, seq, 1)[0];
  let x = model.embed(token, position);
  for (let l = 0; l < nLayer; l++) {
    const { q, k, v } = model.qkv(l, x);
    for (let i = 0; i < C; i++) {
      cache.keys[l][slot * C + i] = k[i];
      cache.values[l][slot * C + i] = v[i];
    }
    const a = model.project(l, pagedAttend(cache, seq, l, q, nHead));
    x = x.map((xi, i) => xi + a[i]);
    const f = model.mlp(l, x);
    x = x.map((xi, i) => xi + f[i]);
  }
  return model.logits(x);
}`,
});

export const CORPUS: CorpusEntry[] = [
  correct("vLLM's stack free list, early returns, appendSlots one position at a time", STACK),
  correct('kit tensors for the attention, gathered per head', TENSORS),
  correct('online softmax in one pass, divmod slots, copy-on-write slot by slot', ONLINE),
  correct('forEach/map bookkeeping released tail first, log-sum-exp softmax, k and v written with loops', FUNCTIONAL),

  // Mistakes no catalogue names.
  bug('scores not divided by sqrt(hs)', ONLINE, [['const scale = 1 / Math.sqrt(hs);', 'const scale = 1;']]),
  bug("the child shares the parent's table array", SOLUTION, [['cache.tables.set(child, [...table]);', 'cache.tables.set(child, table);']]),
  bug('a freed sequence stays in the tables', FUNCTIONAL, [['  cache.tables.delete(seq);\n', '']],
    { at: '[...cache.tables.get(seq)!].reverse().forEach((block) => releaseBlock(cache, block));' }),
  bug('copy-on-write copies the keys only', STACK, [['          cache.values[l][fresh * B * C + j] = cache.values[l][old * B * C + j];\n', '']],
    { at: 'cache.keys[l][fresh * B * C + j] = cache.keys[l][old * B * C + j];' }),
  bug('the position embedding one ahead', FUNCTIONAL, [['let x = model.embed(token, position);', 'let x = model.embed(token, position + 1 < blockSize ? position + 1 : position);']], { checks: MODEL }),
  bug('k written where v belongs in the pool', SOLUTION, [['cache.values[l].set(v, slot * C);', 'cache.values[l].set(k, slot * C);']], { checks: MODEL }),
  bug('allocateBlock forgets to set the count', STACK, [['  const block = cache.free.pop()!;\n  cache.refs[block] = 1;\n', '  const block = cache.free.pop()!;\n']],
    { at: 'const block = cache.free.pop()!;' }),

  // Catalogued mistakes, written a new way.
  bug('blocks counted with | 0', SOLUTION, [['const needed = Math.ceil((length + n) / B);', 'const needed = ((length + n) / B) | 0;']], { catalogued: 'partial-block' }),
  bug('Math.round for the block', ONLINE, [['const q = Math.floor(a / b);', 'const q = Math.round(a / b);']], { catalogued: 'block-boundary' }),
  bug('a release that zeroes the count', STACK, [['  cache.refs[block]--;\n  if (cache.refs[block] > 0) return;\n', '  cache.refs[block] = 0;\n']],
    { catalogued: 'freed-while-shared' }),
  bug('the table searched with indexOf', SOLUTION, [['return table[logical] * B + offset;', 'return table.indexOf(logical) * B + offset;']], { catalogued: 'table-physical' }),
];
