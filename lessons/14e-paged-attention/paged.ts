/**
 * PagedAttention: a KV cache kept in fixed-size blocks of one shared pool, as vLLM does. Every sequence has a
 * block table (logical block i -> physical block in the pool); blocks come from a free list when a sequence
 * needs them and go back when it ends; sequences that share a prompt share its blocks, with reference counts,
 * and a shared block is copied only when one of them is about to write into it (copy-on-write).
 *
 * The checks hand you `model: ModelParts`, the bundled GPT's parts for one token (as in the KV-cache lesson).
 * Vectors are Float32Arrays of C = nEmbd numbers, heads side by side (head h owns channels h*hs .. (h+1)*hs - 1).
 */
import { TODO } from '@llm-lab/kit';

/** The parts of the model that do not look at other positions (as in the KV-cache lesson), handed to you by the checks. */
export interface ModelParts {
  readonly config: { readonly vocabSize: number; readonly blockSize: number; readonly nLayer: number; readonly nHead: number; readonly nEmbd: number };
  /** wte[token] + wpe[position]: the token's starting vector (C). position must be < blockSize. */
  embed(token: number, position: number): Float32Array;
  /** ln_1(x), then layer `layer`'s query, key and value projections: (C) each. */
  qkv(layer: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array };
  /** Layer `layer`'s attention output projection: (C) -> (C). */
  project(layer: number, y: Float32Array): Float32Array;
  /** MLP(ln_2(x)) of layer `layer`: (C) -> (C). Adding it to x is yours. */
  mlp(layer: number, x: Float32Array): Float32Array;
  /** ln_f(x) @ wte^T: the next-token logits (V). */
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

/**
 * Takes the FIRST block of the free list (cache.free.shift()), sets its reference count to 1 and returns it.
 * Throws an Error when the free list is empty.
 */
export function allocateBlock(cache: PagedCache): number {
  return TODO('allocateBlock');
}

/**
 * Drops one reference to `block`. When its count reaches 0, the block is pushed at the END of the free list.
 * Throws an Error if the block is not in use (its count is already 0).
 */
export function releaseBlock(cache: PagedCache, block: number): void {
  return TODO('releaseBlock');
}

/**
 * The slot of position `position` of sequence `seq` in the pool:
 *
 *   logical block = floor(position / B),  offset = position % B
 *   slot = table[logical block] * B + offset
 */
export function slotOf(cache: PagedCache, seq: number, position: number): number {
  return TODO('slotOf');
}

/**
 * Makes room for `n` more positions of `seq` (n may be 0) and returns their slots, in order.
 *
 *   1. copy-on-write: if the sequence's length is not a multiple of B (its last block is partly filled), n > 0,
 *      and that last block is shared (refs > 1): allocate a new block, copy the length % B positions already
 *      written in the old one, in every layer, keys and values; release the old one; put the copy in the table.
 *   2. allocate blocks until the table has ceil((length + n) / B) of them.
 *   3. the new length is length + n; return slotOf(...) of positions length .. length + n - 1.
 */
export function appendSlots(cache: PagedCache, seq: number, n: number): number[] {
  return TODO('appendSlots');
}

/** A new sequence `child` that shares every block of `parent`: a copy of its table, one more reference per block, the same length. */
export function forkSequence(cache: PagedCache, parent: number, child: number): void {
  return TODO('forkSequence');
}

/** The sequence ended: release its blocks from the first to the last, and remove it from tables and lengths. */
export function freeSequence(cache: PagedCache, seq: number): void {
  return TODO('freeSequence');
}

/**
 * Attention of ONE query (C) over every cached position of `seq` in layer `layer`, head by head, reading the
 * key and value of position p at slot = slotOf(cache, seq, p): cache.keys[layer][slot * C .. slot * C + C - 1].
 *
 *   for each head h:  s_p = q . k_p / sqrt(hs),  w = softmax(s),  y = sum_p w_p v_p   (over its own channels)
 *
 * Returns y (C). Only read the cache.
 */
export function pagedAttend(cache: PagedCache, seq: number, layer: number, q: Float32Array, nHead: number): Float32Array {
  return TODO('pagedAttend');
}

/**
 * Feeds ONE token of sequence `seq` and returns the logits (V) for the token after it:
 *
 *   position = cache.lengths.get(seq)  (throw if it is already model.config.blockSize)
 *   [slot] = appendSlots(cache, seq, 1)
 *   x = model.embed(token, position)
 *   for each layer l:
 *     { q, k, v } = model.qkv(l, x);  write k at cache.keys[l][slot * C ..] and v at cache.values[l][slot * C ..]
 *     x = x + model.project(l, pagedAttend(cache, seq, l, q, nHead))
 *     x = x + model.mlp(l, x)
 *   return model.logits(x)
 */
export function pagedStep(model: ModelParts, cache: PagedCache, seq: number, token: number): Float32Array {
  return TODO('pagedStep');
}
