/**
 * The PagedAttention lesson's course code: what its checks share. A reference pool that follows the
 * lesson's stated accounting rules exactly (free list taken from the front and refilled at the back,
 * reference counts, copy-on-write of a shared partial last block, blocks released first to last), the
 * KV-cache lesson's contiguous cache as the logits reference (one growing list of keys and values per
 * layer, attention in float64), and the serving scenario the memory plot draws.
 */
import type { ModelParts } from '@llm-lab/course/decoding';

/** The learner's cache layout (the same shape as `PagedCache` in the exercise file). */
export interface PagedCacheShape {
  readonly blockSize: number;
  readonly numBlocks: number;
  readonly nLayer: number;
  readonly nEmbd: number;
  keys: Float32Array[];
  values: Float32Array[];
  free: number[];
  refs: number[];
  tables: Map<number, number[]>;
  lengths: Map<number, number>;
}

/** A fresh pool built by the checks (never by the learner's code): every block free, in order. */
export function pagedNewCache(opts: { blockSize: number; numBlocks: number; nLayer: number; nEmbd: number }): PagedCacheShape {
  const { blockSize, numBlocks, nLayer, nEmbd } = opts;
  return {
    blockSize, numBlocks, nLayer, nEmbd,
    keys: Array.from({ length: nLayer }, () => new Float32Array(numBlocks * blockSize * nEmbd)),
    values: Array.from({ length: nLayer }, () => new Float32Array(numBlocks * blockSize * nEmbd)),
    free: Array.from({ length: numBlocks }, (_, i) => i),
    refs: new Array<number>(numBlocks).fill(0),
    tables: new Map(),
    lengths: new Map(),
  };
}

/** Starts a sequence (what the exercise's provided addSequence does). */
export function pagedAddSequence(cache: PagedCacheShape, seq: number): void {
  cache.tables.set(seq, []);
  cache.lengths.set(seq, 0);
}

/** A deep copy of the bookkeeping (not the pool's numbers), to compare before/after. */
export interface PagedBooks {
  free: number[];
  refs: number[];
  tables: [number, number[]][];
  lengths: [number, number][];
}

export function pagedBooks(cache: PagedCacheShape): PagedBooks {
  return {
    free: [...cache.free],
    refs: [...cache.refs],
    tables: [...cache.tables.entries()].map(([s, t]) => [s, [...t]] as [number, number[]]).sort((a, b) => a[0] - b[0]),
    lengths: [...cache.lengths.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/**
 * The reference bookkeeping, with the lesson's rules (and, for the messages, some classic bugs as switches).
 * Only the books: which physical block is where, not the numbers inside.
 */
export type PagedRefBug = 'correct' | 'floor-blocks' | 'free-shared' | 'no-cow';
/**
 * Which free block comes next: 'fifo' (this lesson: take the first, append freed blocks at the end) or 'lifo'
 * (vLLM's original BlockAllocator: free_blocks.pop() takes the last, freed blocks are appended). Both are right.
 */
export type PagedFreeOrder = 'fifo' | 'lifo';
/**
 * In which order an ended sequence's blocks are released: 'first' (this lesson: first to last) or 'tail' (vLLM's
 * newer engine, whose free() releases reversed(blocks) so that the tail blocks are evicted first). Both are right.
 */
export type PagedReleaseOrder = 'first' | 'tail';

export class PagedRefPool {
  free: number[];
  refs: number[];
  tables = new Map<number, number[]>();
  lengths = new Map<number, number>();
  /** Copies made by copy-on-write: [from, to, positions copied]. */
  copies: [number, number, number][] = [];

  constructor(readonly blockSize: number, readonly numBlocks: number, readonly bug: PagedRefBug = 'correct', readonly order: PagedFreeOrder = 'fifo',
    readonly releaseOrder: PagedReleaseOrder = 'first') {
    this.free = Array.from({ length: numBlocks }, (_, i) => i);
    this.refs = new Array<number>(numBlocks).fill(0);
  }

  add(seq: number): void {
    this.tables.set(seq, []);
    this.lengths.set(seq, 0);
  }

  allocate(): number {
    const b = this.order === 'lifo' ? this.free.pop() : this.free.shift();
    if (b === undefined) throw new Error('reference pool: out of blocks');
    this.refs[b] = 1;
    return b;
  }

  release(b: number): void {
    if (this.bug === 'free-shared') {
      this.refs[b] = Math.max(0, this.refs[b] - 1);
      this.free.push(b);
      return;
    }
    this.refs[b] -= 1;
    if (this.refs[b] === 0) this.free.push(b);
  }

  slot(seq: number, p: number): number {
    const t = this.tables.get(seq)!;
    return t[Math.floor(p / this.blockSize)] * this.blockSize + (p % this.blockSize);
  }

  append(seq: number, n: number): number[] {
    const B = this.blockSize;
    const table = this.tables.get(seq)!;
    const length = this.lengths.get(seq)!;
    if (this.bug !== 'no-cow' && length % B !== 0 && n > 0) {
      const last = table[table.length - 1];
      if (this.refs[last] > 1) {
        const copy = this.allocate();
        this.copies.push([last, copy, length % B]);
        this.release(last);
        table[table.length - 1] = copy;
      }
    }
    const needed = this.bug === 'floor-blocks' ? Math.floor((length + n) / B) : Math.ceil((length + n) / B);
    while (table.length < needed) table.push(this.allocate());
    this.lengths.set(seq, length + n);
    return Array.from({ length: n }, (_, i) => this.slot(seq, length + i));
  }

  fork(parent: number, child: number): void {
    const t = this.tables.get(parent)!;
    for (const b of t) this.refs[b] += 1;
    this.tables.set(child, [...t]);
    this.lengths.set(child, this.lengths.get(parent)!);
  }

  end(seq: number): void {
    const table = this.tables.get(seq)!;
    for (const b of this.releaseOrder === 'tail' ? [...table].reverse() : table) this.release(b);
    this.tables.delete(seq);
    this.lengths.delete(seq);
  }

  books(): PagedBooks {
    return {
      free: [...this.free],
      refs: [...this.refs],
      tables: [...this.tables.entries()].map(([s, t]) => [s, [...t]] as [number, number[]]).sort((a, b) => a[0] - b[0]),
      lengths: [...this.lengths.entries()].sort((a, b) => a[0] - b[0]),
    };
  }
}

/** One query over keys and values (lists of C-vectors), head by head, in float64. */
export function pagedAttend64(q: ArrayLike<number>, keys: readonly ArrayLike<number>[], values: readonly ArrayLike<number>[], nHead: number): number[] {
  const C = q.length;
  const hs = C / nHead;
  const y = new Array<number>(C).fill(0);
  for (let h = 0; h < nHead; h++) {
    const off = h * hs;
    const s = keys.map((k) => {
      let d = 0;
      for (let i = 0; i < hs; i++) d += q[off + i] * k[off + i];
      return d / Math.sqrt(hs);
    });
    const max = Math.max(...s);
    const e = s.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < keys.length; j++) for (let i = 0; i < hs; i++) y[off + i] += (e[j] / sum) * values[j][off + i];
  }
  return y;
}

/** The KV-cache lesson's contiguous cache: per layer, one growing list of key and value vectors. */
export interface PagedContiguousCache {
  layers: { keys: Float32Array[]; values: Float32Array[] }[];
}

export function pagedContiguousCache(nLayer: number): PagedContiguousCache {
  return { layers: Array.from({ length: nLayer }, () => ({ keys: [], values: [] })) };
}

/** One cached decoding step with a contiguous cache (the KV-cache lesson's step), attention in float64. */
export function pagedContiguousStep(parts: ModelParts, cache: PagedContiguousCache, token: number): Float32Array {
  const { nLayer, nHead } = parts.config;
  const position = cache.layers[0].keys.length;
  const x = parts.embed(token, position);
  for (let l = 0; l < nLayer; l++) {
    const layer = cache.layers[l];
    const { q, k, v } = parts.qkv(l, x);
    layer.keys.push(k);
    layer.values.push(v);
    const a = parts.project(l, Float32Array.from(pagedAttend64(q, layer.keys, layer.values, nHead)));
    for (let i = 0; i < x.length; i++) x[i] += a[i];
    const f = parts.mlp(l, x);
    for (let i = 0; i < x.length; i++) x[i] += f[i];
  }
  return parts.logits(x);
}

/**
 * The memory plot's serving scenario: parallel sampling of one prompt (as in the PagedAttention paper), the
 * prompt prefilled once and forked into every sample; each sample then decodes one token per step and ends
 * after its own number of new tokens, freeing its blocks.
 */
export const PAGED_SCENARIO = {
  /** Tokens per block. */
  blockSize: 8,
  /** Prompt length, shared by every sample. */
  prompt: 27,
  /** New tokens per sample (sample i ends after newTokens[i] steps). */
  newTokens: [18, 45, 70, 101],
  /** The longest sequence a contiguous cache must reserve room for: the model's context. */
  maxLength: 128,
  numBlocks: 64,
} as const;

/**
 * Per step of the scenario (0 = after the prompt, then after each decoding step, up to the one where the last
 * sample ends): blocks the reference holds with prefix sharing and without it, the positions the live samples
 * hold with the prompt counted once (the least any cache could store), and how many samples are alive.
 */
export function pagedScenarioReference(): { steps: number[]; shared: number[]; unshared: number[]; positions: number[]; alive: number[] } {
  const { blockSize: B, prompt, newTokens, numBlocks } = PAGED_SCENARIO;
  const last = Math.max(...newTokens);
  const steps: number[] = [], shared: number[] = [], unshared: number[] = [], positions: number[] = [], alive: number[] = [];
  const pool = new PagedRefPool(B, numBlocks);
  pool.add(0);
  pool.append(0, prompt);
  newTokens.forEach((_, i) => { if (i > 0) pool.fork(0, i); });
  for (let step = 0; step <= last; step++) {
    if (step > 0) {
      newTokens.forEach((n, i) => {
        if (step <= n) pool.append(i, 1);
        if (step === n) pool.end(i);
      });
    }
    const live = newTokens.map((n, i) => i).filter((i) => step < newTokens[i]);
    steps.push(step);
    shared.push(numBlocks - pool.free.length);
    unshared.push(live.reduce((s, i) => s + Math.ceil((prompt + step) / B), 0));
    positions.push(live.length ? prompt + live.length * step : 0);
    alive.push(live.length);
  }
  return { steps, shared, unshared, positions, alive };
}
