/**
 * KV 缓存。一次生成一个 token，而不重算过去：每一层都保留之前所有位置的
 * 键和值，新 token 只需计算它自己的那一份。
 *
 * 检查会交给你 `model: ModelParts`：把随附 GPT 的权重包装成逐 token 调用的函数，
 * 除了注意力以外的一切都在里面，而注意力正是你要写的部分。向量是含 C = nEmbd 个数的
 * Float32Array，各个头并排存放（头 h 占用通道 h*hs .. (h+1)*hs - 1，其中 hs = C / nHead）。
 */
import { TODO } from '@llm-lab/kit';

/** 模型中不看其他位置的那些部分，由检查交给你。 */
export interface ModelParts {
  readonly config: { readonly vocabSize: number; readonly blockSize: number; readonly nLayer: number; readonly nHead: number; readonly nEmbd: number };
  /** wte[token] + wpe[position]：这个 token 的初始向量 (C)。position 必须 < blockSize。 */
  embed(token: number, position: number): Float32Array;
  /** 先 ln_1(x)，再经过第 `layer` 层的查询、键、值投影：各为 (C)。 */
  qkv(layer: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array };
  /** 第 `layer` 层注意力的输出投影：(C) -> (C)。 */
  project(layer: number, y: Float32Array): Float32Array;
  /** 第 `layer` 层的 MLP(ln_2(x))：(C) -> (C)。把它加到 x 上是你的事。 */
  mlp(layer: number, x: Float32Array): Float32Array;
  /** ln_f(x) @ wte^T：下一个 token 的 logits (V)。 */
  logits(x: Float32Array): Float32Array;
}

/** 一层的缓存：目前见过的每个位置各一个键向量和一个值向量 (C)，从旧到新排列。 */
export interface LayerCache {
  keys: Float32Array[];
  values: Float32Array[];
}

export interface KVCache {
  layers: LayerCache[];
}

/** 一个还没有任何位置的缓存（已提供）。 */
export function emptyCache(nLayer: number): KVCache {
  return { layers: Array.from({ length: nLayer }, () => ({ keys: [], values: [] })) };
}

/**
 * “一个”查询 (C) 对 `cache` 中每个位置（包括最新的那个）的注意力，逐个头计算：
 *
 *   对每个头 h，在它的通道上：   s_j = q . k_j / sqrt(hs)      对每个缓存位置 j
 *                                w = softmax(s)                 （对 j 做）
 *                                y = sum_j w_j v_j
 *
 * 返回 y (C)，各个头并排存放。只读取缓存，不要修改它。
 */
export function attend(q: Float32Array, cache: LayerCache, nHead: number): Float32Array {
  return TODO('attend');
}

/**
 * 把“一个” token 送进模型，返回它之后那个 token 的 logits (V)：
 *
 *   position = 缓存中已有的 token 数
 *   x = model.embed(token, position)
 *   对每一层 l：
 *     { q, k, v } = model.qkv(l, x);  把 k 和 v 追加到 cache.layers[l]
 *     x = x + model.project(l, attend(q, cache.layers[l], nHead))
 *     x = x + model.mlp(l, x)
 *   return model.logits(x)
 *
 * 如果缓存已满（blockSize 个位置），抛出 Error。
 */
export function step(model: ModelParts, cache: KVCache, token: number): Float32Array {
  return TODO('step');
}

/**
 * 带缓存的贪心生成：用 step() 送入提示（1..blockSize 个 token），然后重复 n 次：取最后
 * 一次 logits 的 argmax（并列时取最小下标），追加它，再用 step() 把它送进去。
 *
 * 窗口规则：位置最多到 blockSize - 1。缓存已满而又要送入一个 token 时，用最后
 * blockSize / 2 个 token（包括新的这个）新建一个缓存，从位置 0 开始送入。
 *
 * 返回提示，后面接上 n 个新 token。
 */
export function generate(model: ModelParts, prompt: readonly number[], n: number): number[] {
  return TODO('generate');
}
