/**
 * The KV cache. Generate text one token at a time without recomputing the past: every layer
 * keeps the keys and values of all earlier positions, and a new token only computes its own.
 *
 * The checks hand you `model: ModelParts`, the bundled GPT's weights wrapped as functions for one token:
 * everything except attention, which is what you write. Vectors are Float32Arrays of C = nEmbd numbers,
 * heads side by side (head h owns channels h*hs .. (h+1)*hs - 1, with hs = C / nHead).
 */
import { TODO } from '@llm-lab/kit';

/** The parts of the model that do not look at other positions, handed to you by the checks. */
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

/** One layer's cache: one key and one value vector (C) per position seen so far, oldest first. */
export interface LayerCache {
  keys: Float32Array[];
  values: Float32Array[];
}

export interface KVCache {
  layers: LayerCache[];
}

/** A cache with no positions yet (provided). */
export function emptyCache(nLayer: number): KVCache {
  return { layers: Array.from({ length: nLayer }, () => ({ keys: [], values: [] })) };
}

/**
 * Attention of ONE query (C) over every position in `cache` (the newest one included), head by head:
 *
 *   for each head h, over its channels:   s_j = q . k_j / sqrt(hs)      for every cached position j
 *                                          w = softmax(s)                 (over j)
 *                                          y = sum_j w_j v_j
 *
 * Returns y (C), the heads side by side. Only read the cache; do not change it.
 */
export function attend(q: Float32Array, cache: LayerCache, nHead: number): Float32Array {
  return TODO('attend');
}

/**
 * Feeds ONE token to the model and returns the logits (V) for the token after it:
 *
 *   position = how many tokens the cache already holds
 *   x = model.embed(token, position)
 *   for each layer l:
 *     { q, k, v } = model.qkv(l, x);  append k and v to cache.layers[l]
 *     x = x + model.project(l, attend(q, cache.layers[l], nHead))
 *     x = x + model.mlp(l, x)
 *   return model.logits(x)
 *
 * Throw an Error if the cache is already full (blockSize positions).
 */
export function step(model: ModelParts, cache: KVCache, token: number): Float32Array {
  return TODO('step');
}

/**
 * Greedy generation with the cache: feed the prompt (1..blockSize tokens) with step(), then n times: take
 * the argmax of the last logits (lowest index on a tie), append it, and feed it with step().
 *
 * The window rule: positions only go up to blockSize - 1. When the cache is full and another token must
 * be fed, start a new cache from the last blockSize / 2 tokens (the new one included), fed from position 0.
 *
 * Returns the prompt followed by the n new tokens.
 */
export function generate(model: ModelParts, prompt: readonly number[], n: number): number[] {
  return TODO('generate');
}
