/**
 * PagedAttention reference solution: a KV cache kept in fixed-size blocks of a shared pool, as vLLM does
 * (Kwon et al., "Efficient Memory Management for Large Language Model Serving with PagedAttention", 2023).
 * Each sequence has a block table (logical block i -> physical block), blocks come from a free list on
 * demand and go back when the sequence ends, and sequences that share a prompt share its blocks through
 * reference counts, copying a shared block only when one of them writes into it (copy-on-write).
 */

/** The parts of the model that do not look at other positions (as in the KV-cache lesson), handed to you by the checks. */
export interface ModelParts {
  readonly config: { readonly vocabSize: number; readonly blockSize: number; readonly nLayer: number; readonly nHead: number; readonly nEmbd: number };
  embed(token: number, position: number): Float32Array;
  qkv(layer: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array };
  project(layer: number, y: Float32Array): Float32Array;
  mlp(layer: number, x: Float32Array): Float32Array;
  logits(x: Float32Array): Float32Array;
}

/** The pool of blocks, the free list, the reference counts and every sequence's block table. */
export interface PagedCache {
  /** B: token positions per block. */
  readonly blockSize: number;
  readonly numBlocks: number;
  readonly nLayer: number;
  /** C: numbers in one key (or value) vector. */
  readonly nEmbd: number;
  /** Per layer, numBlocks * blockSize slots of C numbers: slot s = block * blockSize + offset is [s * C, (s + 1) * C). */
  keys: Float32Array[];
  values: Float32Array[];
  /** Free physical blocks: allocate takes the FIRST, a block whose count drops to 0 is pushed at the END. */
  free: number[];
  /** How many block tables hold each physical block (0 for a free block). */
  refs: number[];
  /** Sequence id -> its block table: entry i is the physical block that holds positions i*B .. i*B + B - 1. */
  tables: Map<number, number[]>;
  /** Sequence id -> how many positions it has cached. */
  lengths: Map<number, number>;
}

/** An empty pool: every block free, in order 0, 1, 2, ... (provided). */
export function createPagedCache(opts: { blockSize: number; numBlocks: number; nLayer: number; nEmbd: number }): PagedCache {
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

/** Starts a sequence with an empty block table (provided). */
export function addSequence(cache: PagedCache, seq: number): void {
  if (cache.tables.has(seq)) throw new Error(`sequence ${seq} already exists`);
  cache.tables.set(seq, []);
  cache.lengths.set(seq, 0);
}

/** Takes the first block of the free list, gives it a reference count of 1 and returns it. Throws when none is free. */
export function allocateBlock(cache: PagedCache): number {
  const block = cache.free.shift();
  if (block === undefined) throw new Error('allocateBlock: out of blocks');
  cache.refs[block] = 1;
  return block;
}

/** Drops one reference to `block`; when none is left, the block goes to the end of the free list. */
export function releaseBlock(cache: PagedCache, block: number): void {
  if (!(cache.refs[block] > 0)) throw new Error(`releaseBlock: block ${block} is not in use`);
  cache.refs[block] -= 1;
  if (cache.refs[block] === 0) cache.free.push(block);
}

/** The slot of position `position` of sequence `seq`: its physical block times B plus its offset in the block. */
export function slotOf(cache: PagedCache, seq: number, position: number): number {
  const table = cache.tables.get(seq)!;
  const B = cache.blockSize;
  const logical = Math.floor(position / B); // which of the sequence's blocks
  const offset = position % B; // where in that block
  return table[logical] * B + offset;
}

/**
 * Makes room for `n` more positions of `seq` and returns their slots (one per new position, in order).
 * Allocates the blocks the new positions need; if the first new position falls into a last block that
 * another sequence still shares, that block is copied first (copy-on-write).
 */
export function appendSlots(cache: PagedCache, seq: number, n: number): number[] {
  const table = cache.tables.get(seq)!;
  const length = cache.lengths.get(seq)!;
  const B = cache.blockSize;
  if (length % B !== 0 && n > 0) {
    const last = table[table.length - 1];
    if (cache.refs[last] > 1) {
      // Copy-on-write: the partial last block is shared; this sequence is about to write into it.
      const copy = allocateBlock(cache);
      const C = cache.nEmbd;
      for (let l = 0; l < cache.nLayer; l++) {
        cache.keys[l].copyWithin(copy * B * C, last * B * C, (last * B + (length % B)) * C);
        cache.values[l].copyWithin(copy * B * C, last * B * C, (last * B + (length % B)) * C);
      }
      releaseBlock(cache, last);
      table[table.length - 1] = copy;
    }
  }
  const needed = Math.ceil((length + n) / B); // blocks that cover positions 0 .. length + n - 1
  while (table.length < needed) table.push(allocateBlock(cache));
  cache.lengths.set(seq, length + n);
  const slots: number[] = [];
  for (let p = length; p < length + n; p++) slots.push(slotOf(cache, seq, p));
  return slots;
}

/** A new sequence `child` that shares every block of `parent` (their common prefix): one more reference each. */
export function forkSequence(cache: PagedCache, parent: number, child: number): void {
  const table = cache.tables.get(parent)!;
  if (cache.tables.has(child)) throw new Error(`sequence ${child} already exists`);
  for (const block of table) cache.refs[block] += 1;
  cache.tables.set(child, [...table]);
  cache.lengths.set(child, cache.lengths.get(parent)!);
}

/** The sequence ended: release its blocks from the first to the last, and forget it. */
export function freeSequence(cache: PagedCache, seq: number): void {
  const table = cache.tables.get(seq)!;
  for (const block of table) releaseBlock(cache, block);
  cache.tables.delete(seq);
  cache.lengths.delete(seq);
}

/**
 * One query (C) over every cached position of `seq` in `layer`, head by head, reading each position's key
 * and value at its slot through the block table.
 */
export function pagedAttend(cache: PagedCache, seq: number, layer: number, q: Float32Array, nHead: number): Float32Array {
  const C = cache.nEmbd;
  const hs = C / nHead;
  const T = cache.lengths.get(seq)!;
  const keys = cache.keys[layer];
  const values = cache.values[layer];
  const slots = Array.from({ length: T }, (_, p) => slotOf(cache, seq, p));
  const y = new Float32Array(C);
  const scores = new Float64Array(T);
  for (let h = 0; h < nHead; h++) {
    const off = h * hs;
    let max = -Infinity;
    for (let j = 0; j < T; j++) {
      const base = slots[j] * C + off;
      let s = 0;
      for (let i = 0; i < hs; i++) s += q[off + i] * keys[base + i];
      scores[j] = s / Math.sqrt(hs);
      max = Math.max(max, scores[j]);
    }
    let sum = 0;
    for (let j = 0; j < T; j++) {
      scores[j] = Math.exp(scores[j] - max);
      sum += scores[j];
    }
    for (let j = 0; j < T; j++) {
      const w = scores[j] / sum;
      const base = slots[j] * C + off;
      for (let i = 0; i < hs; i++) y[off + i] += w * values[base + i];
    }
  }
  return y;
}

/**
 * Feeds ONE token of sequence `seq`: reserves its slot, and in every layer writes its key and value there,
 * attends over the sequence's cache through the block table, and finishes the block. Returns the logits (V).
 */
export function pagedStep(model: ModelParts, cache: PagedCache, seq: number, token: number): Float32Array {
  const { nLayer, nHead, blockSize } = model.config;
  const position = cache.lengths.get(seq)!;
  if (position >= blockSize) throw new Error(`pagedStep: sequence ${seq} is full (${blockSize} positions)`);
  const [slot] = appendSlots(cache, seq, 1);
  const C = cache.nEmbd;
  const x = model.embed(token, position);
  for (let l = 0; l < nLayer; l++) {
    const { q, k, v } = model.qkv(l, x);
    cache.keys[l].set(k, slot * C);
    cache.values[l].set(v, slot * C);
    const a = model.project(l, pagedAttend(cache, seq, l, q, nHead));
    for (let i = 0; i < C; i++) x[i] += a[i];
    const f = model.mlp(l, x);
    for (let i = 0; i < C; i++) x[i] += f[i];
  }
  return model.logits(x);
}
