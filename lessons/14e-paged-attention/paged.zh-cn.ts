/**
 * PagedAttention：像 vLLM 那样，把 KV 缓存存放在一个共享池的定长块里。每个序列有一张块表（逻辑块 i -> 池中的
 * 物理块）；序列需要时从空闲链表取块，序列结束时把块还回去；共享同一提示的序列用引用计数共享它的块，只有当其中
 * 一个序列要写入共享块时才复制它（写时复制）。
 *
 * 检查会把 `model: ModelParts` 交给你：内置 GPT 处理单个 token 的各部分（与 KV 缓存一课相同）。
 * 向量是含 C = nEmbd 个数的 Float32Array，各头并排存放（头 h 占通道 h*hs .. (h+1)*hs - 1）。
 */
import { TODO } from '@llm-lab/kit';

/** 模型中不看其他位置的各部分（与 KV 缓存一课相同），由检查交给你。 */
export interface ModelParts {
  readonly config: { readonly vocabSize: number; readonly blockSize: number; readonly nLayer: number; readonly nHead: number; readonly nEmbd: number };
  /** wte[token] + wpe[position]：该 token 的初始向量 (C)。position 必须 < blockSize。 */
  embed(token: number, position: number): Float32Array;
  /** 先 ln_1(x)，再经过第 `layer` 层的查询、键、值投影：各为 (C)。 */
  qkv(layer: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array };
  /** 第 `layer` 层注意力的输出投影：(C) -> (C)。 */
  project(layer: number, y: Float32Array): Float32Array;
  /** 第 `layer` 层的 MLP(ln_2(x))：(C) -> (C)。把它加到 x 上由你来做。 */
  mlp(layer: number, x: Float32Array): Float32Array;
  /** ln_f(x) @ wte^T：下一个 token 的 logits (V)。 */
  logits(x: Float32Array): Float32Array;
}

/** 块池、空闲链表、引用计数以及每个序列的块表。 */
export interface PagedCache {
  /** B：每个块容纳的 token 位置数。 */
  readonly blockSize: number;
  readonly numBlocks: number;
  readonly nLayer: number;
  /** C：一个键（或值）向量中的数的个数。 */
  readonly nEmbd: number;
  /** 每层 numBlocks * blockSize 个槽，每槽 C 个数：槽 s = block * blockSize + offset 占 [s * C, (s + 1) * C)。 */
  keys: Float32Array[];
  values: Float32Array[];
  /** 空闲的物理块：分配时取“第一个”，引用计数降到 0 的块压到“末尾”。 */
  free: number[];
  /** 每个物理块被多少张块表持有（空闲块为 0）。 */
  refs: number[];
  /** 序列 id -> 它的块表：第 i 项是存放位置 i*B .. i*B + B - 1 的物理块。 */
  tables: Map<number, number[]>;
  /** 序列 id -> 它已缓存的位置数。 */
  lengths: Map<number, number>;
}

/** 一个空池：所有块都空闲，按 0、1、2 …… 的顺序（已提供）。 */
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

/** 以一张空块表开始一个序列（已提供）。 */
export function addSequence(cache: PagedCache, seq: number): void {
  if (cache.tables.has(seq)) throw new Error(`sequence ${seq} already exists`);
  cache.tables.set(seq, []);
  cache.lengths.set(seq, 0);
}

/**
 * 取空闲链表的“第一个”块（cache.free.shift()），把它的引用计数设为 1 并返回它。
 * 空闲链表为空时抛出 Error。
 */
export function allocateBlock(cache: PagedCache): number {
  return TODO('allocateBlock');
}

/**
 * 去掉 `block` 的一个引用。计数降到 0 时，把该块压到空闲链表的“末尾”。
 * 如果该块没有在使用（计数已经是 0），抛出 Error。
 */
export function releaseBlock(cache: PagedCache, block: number): void {
  return TODO('releaseBlock');
}

/**
 * 序列 `seq` 的位置 `position` 在池中的槽：
 *
 *   逻辑块 = floor(position / B)，  偏移 = position % B
 *   slot = table[逻辑块] * B + 偏移
 */
export function slotOf(cache: PagedCache, seq: number, position: number): number {
  return TODO('slotOf');
}

/**
 * 为 `seq` 再腾出 `n` 个位置（n 可以是 0），并按顺序返回它们的槽。
 *
 *   1. 写时复制：如果序列长度不是 B 的倍数（最后一块未填满）、n > 0，且最后一块被共享（refs > 1）：分配一个
 *      新块，把旧块中已写入的 length % B 个位置复制过去（每一层，键和值都要）；释放旧块；把副本放进块表。
 *   2. 一直分配块，直到块表有 ceil((length + n) / B) 块。
 *   3. 新长度为 length + n；返回位置 length .. length + n - 1 的 slotOf(...)。
 */
export function appendSlots(cache: PagedCache, seq: number, n: number): number[] {
  return TODO('appendSlots');
}

/** 新序列 `child` 共享 `parent` 的每个块：块表的一份拷贝，每块多一个引用，长度相同。 */
export function forkSequence(cache: PagedCache, parent: number, child: number): void {
  return TODO('forkSequence');
}

/** 序列结束：从第一块到最后一块依次释放它的块，并把它从 tables 和 lengths 中删除。 */
export function freeSequence(cache: PagedCache, seq: number): void {
  return TODO('freeSequence');
}

/**
 * “一个”查询 (C) 在第 `layer` 层对序列 `seq` 的每个已缓存位置逐头做注意力，位置 p 的键和值从
 * slot = slotOf(cache, seq, p) 处读取：cache.keys[layer][slot * C .. slot * C + C - 1]。
 *
 *   对每个头 h：  s_p = q . k_p / sqrt(hs)，  w = softmax(s)，  y = sum_p w_p v_p   （在它自己的通道上）
 *
 * 返回 y (C)。只读取缓存。
 */
export function pagedAttend(cache: PagedCache, seq: number, layer: number, q: Float32Array, nHead: number): Float32Array {
  return TODO('pagedAttend');
}

/**
 * 送入序列 `seq` 的“一个” token，返回下一个 token 的 logits (V)：
 *
 *   position = cache.lengths.get(seq)  （如果它已经等于 model.config.blockSize，抛出错误）
 *   [slot] = appendSlots(cache, seq, 1)
 *   x = model.embed(token, position)
 *   对每一层 l：
 *     { q, k, v } = model.qkv(l, x)；  把 k 写到 cache.keys[l][slot * C ..]，把 v 写到 cache.values[l][slot * C ..]
 *     x = x + model.project(l, pagedAttend(cache, seq, l, q, nHead))
 *     x = x + model.mlp(l, x)
 *   return model.logits(x)
 */
export function pagedStep(model: ModelParts, cache: PagedCache, seq: number, token: number): Float32Array {
  return TODO('pagedStep');
}
