/**
 * The KV-cache lesson, reference solution: a KV cache. Decode one token at a time, keeping every layer's keys and
 * values so that a new token only computes its own row of attention.
 *
 * The idea is as old as the transformer decoder (Vaswani et al. 2017 decode step by step; tensor2tensor
 * and fairseq cache keys and values); Hugging Face calls it past_key_values, nanoGPT leaves it out for
 * clarity, and Pope et al., "Efficiently Scaling Transformer Inference" (2022), measure what it costs in
 * memory. The model's position-independent parts come from `ModelParts`; attention is written out here.
 */

/** The parts of the model that do not look at other positions, handed to you by the checks. */
export interface ModelParts {
  readonly config: { readonly vocabSize: number; readonly blockSize: number; readonly nLayer: number; readonly nHead: number; readonly nEmbd: number };
  embed(token: number, position: number): Float32Array;
  qkv(layer: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array };
  project(layer: number, y: Float32Array): Float32Array;
  mlp(layer: number, x: Float32Array): Float32Array;
  logits(x: Float32Array): Float32Array;
}

/** One layer's cache: one key and one value vector (C) per position seen so far. */
export interface LayerCache {
  keys: Float32Array[];
  values: Float32Array[];
}

export interface KVCache {
  layers: LayerCache[];
}

export function emptyCache(nLayer: number): KVCache {
  return { layers: Array.from({ length: nLayer }, () => ({ keys: [], values: [] })) };
}

/**
 * One query against every cached position, head by head. No mask: the cache holds only the past and
 * the query's own position, which is exactly what a causal mask would allow.
 */
export function attend(q: Float32Array, cache: LayerCache, nHead: number): Float32Array {
  const C = q.length;
  const hs = C / nHead; // head size
  const T = cache.keys.length; // positions in the cache, the new one included
  const y = new Float32Array(C); // (C) = (nh, hs) side by side
  const scores = new Float64Array(T);
  for (let h = 0; h < nHead; h++) {
    const off = h * hs; // head h owns channels [off, off + hs)
    let max = -Infinity;
    for (let j = 0; j < T; j++) {
      const k = cache.keys[j];
      let s = 0;
      for (let i = 0; i < hs; i++) s += q[off + i] * k[off + i];
      scores[j] = s / Math.sqrt(hs); // (T,) scaled dot products for this head
      max = Math.max(max, scores[j]);
    }
    let sum = 0;
    for (let j = 0; j < T; j++) {
      scores[j] = Math.exp(scores[j] - max);
      sum += scores[j];
    }
    for (let j = 0; j < T; j++) {
      const w = scores[j] / sum; // attention weight of position j
      const v = cache.values[j];
      for (let i = 0; i < hs; i++) y[off + i] += w * v[off + i];
    }
  }
  return y;
}

/** Feeds one token: appends its key and value in every layer and returns the next-token logits (V). */
export function step(model: ModelParts, cache: KVCache, token: number): Float32Array {
  const { nLayer, nHead, blockSize } = model.config;
  const position = cache.layers[0].keys.length; // this token's place in the sequence: how many came before
  if (position >= blockSize) throw new Error(`step: the cache is full (${blockSize} positions)`);
  const x = model.embed(token, position); // (C) the residual stream of the new token
  for (let l = 0; l < nLayer; l++) {
    const layer = cache.layers[l]; // this layer's own cache
    const { q, k, v } = model.qkv(l, x);
    layer.keys.push(k); // the new key and value join the cache first: the token attends to itself too
    layer.values.push(v);
    const a = model.project(l, attend(q, layer, nHead)); // (C)
    for (let i = 0; i < x.length; i++) x[i] += a[i];
    const f = model.mlp(l, x); // (C)
    for (let i = 0; i < x.length; i++) x[i] += f[i];
  }
  return model.logits(x); // (V)
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Greedy generation of n tokens with the cache. When the window would pass blockSize positions, start a
 * new cache from the last blockSize / 2 tokens: positions are learned and absolute, so cached keys
 * cannot simply slide.
 */
export function generate(model: ModelParts, prompt: readonly number[], n: number): number[] {
  const { blockSize, nLayer } = model.config;
  const half = blockSize / 2;
  const tokens = [...prompt];
  let cache = emptyCache(nLayer);
  let logits: Float32Array = new Float32Array(0);
  const refill = (from: number) => {
    cache = emptyCache(nLayer);
    for (const t of tokens.slice(from)) logits = step(model, cache, t);
  };
  if (prompt.length < 1 || prompt.length > blockSize) throw new Error(`generate: the prompt needs 1..${blockSize} tokens, got ${prompt.length}`);
  refill(0);
  for (let i = 0; i < n; i++) {
    const next = argmax(logits);
    tokens.push(next);
    if (i === n - 1) break; // the last token's logits are never used
    if (cache.layers[0].keys.length === blockSize) refill(tokens.length - half);
    else logits = step(model, cache, next);
  }
  return tokens;
}
