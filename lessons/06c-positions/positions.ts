/**
 * The positions lesson: where a token is, told to a model that otherwise cannot see order.
 *
 * Five tasks (each has its own checks):
 *   TokenPositionEmbedding  token + learned position embedding, as GPT-2: wte[id] + wpe[startPos + t]
 *   sinusoidalEncoding      Vaswani et al.'s fixed table: PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(...)
 *   ropeFrequencies         RoPE's θ_i = base^(-2i/hs), one per pair of channels
 *   applyRope               rotate each pair of channels of q or k by the angle position · θ_i
 *   attendWithRope          causal attention with RoPE on q and k (never v), over a KV cache of rotated keys
 *
 * PAIRING CONVENTION. This lesson's default is the interleaved pairs (x0, x1), (x2, x3), ... of the RoFormer paper
 * and Meta's LLaMA code; pairing: 'halves' gives Hugging Face's rotate_half (x_i, x_{i+hs/2}), as GPT-NeoX and the
 * transformers LLaMA. The checks test both.
 *
 * Kit pieces you may want:
 *   new Embedding(num, dim, rng)        a (num, dim) table; emb.forward(ids, [B, T]) -> (B, T, dim)
 *   add, sub, mul, div                  elementwise, with broadcasting ((B, T, C) + (T, C) works)
 *   narrow(x, dim, start, length)       a slice along one axis (dim -1 is the last)
 *   cat(tensors, dim)                   join along an axis
 *   x.reshape(...shape)                 the same numbers, another shape
 *   matmul, transpose(x, 2, 3), softmax(x, -1), maskedFill(x, mask, -Infinity), zeros([..])
 * Loops over .data and a new Tensor(data, shape) work too where no gradient is needed (every function but the
 * embedding: its wte and wpe must receive gradients, so build its result from kit ops).
 */
import { Embedding, Module, type Rng, Tensor, TODO, add, cat, div, matmul, maskedFill, mul, narrow, softmax, sub, transpose, zeros } from '@llm-lab/kit';

export interface EmbeddingConfig {
  vocabSize: number;
  /** The longest context: wpe has one row per position 0 .. blockSize − 1. */
  blockSize: number;
  nEmbd: number;
}

export class TokenPositionEmbedding extends Module {
  /** (vocabSize, nEmbd): one learned vector per token. */
  wte: Embedding;
  /** (blockSize, nEmbd): one learned vector per position. */
  wpe: Embedding;

  constructor(readonly config: EmbeddingConfig, rng: Rng) {
    super();
    // TODO: the two tables, both drawn from `rng`.
    TODO('TokenPositionEmbedding constructor');
  }

  /**
   * ids: B rows of T token ids, at positions startPos .. startPos + T − 1 -> (B, T, nEmbd): wte[ids[b][t]] + wpe[startPos + t].
   * Throws (a RangeError) when startPos + T > blockSize: there is no row of wpe for those positions.
   */
  forward(ids: readonly ArrayLike<number>[], startPos = 0): Tensor {
    return TODO('TokenPositionEmbedding.forward');
  }
}

export interface SinusoidalOptions {
  /** The position of the first row (default 0). */
  startPos?: number;
  /** The base of the wavelengths (default 10000, as the paper). */
  base?: number;
}

/** The (T, d) table PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)), rows p = startPos .. startPos + T − 1. Throws if d is odd. */
export function sinusoidalEncoding(T: number, d: number, opts: SinusoidalOptions = {}): Tensor {
  return TODO('sinusoidalEncoding');
}

/** θ_i = base^(−2i/hs) for i = 0 .. hs/2 − 1: the angle pair i turns by per position. Throws if hs is odd. */
export function ropeFrequencies(hs: number, base = 10000): number[] {
  return TODO('ropeFrequencies');
}

export interface RopeOptions {
  /** The base of the frequencies (default 10000; LLaMA 3 uses 500000). */
  base?: number;
  /** 'interleaved' (default): pairs (x_{2i}, x_{2i+1}); 'halves': pairs (x_i, x_{i+hs/2}), Hugging Face's rotate_half. */
  pairing?: 'interleaved' | 'halves';
}

/**
 * RoPE on x (..., T, hs), e.g. (B, H, T, hs): the row t is the token at position startPos + t. Pair i (a, b) is
 * turned by φ = (startPos + t) · θ_i: (a cos φ − b sin φ, a sin φ + b cos φ). Returns a new tensor; x is unchanged.
 */
export function applyRope(x: Tensor, startPos = 0, opts: RopeOptions = {}): Tensor {
  return TODO('applyRope');
}

/** The keys (already rotated) and values of every position seen so far: (B, H, length, hs) each. */
export class RopeCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  /** How many positions the cache holds: the position of the next token. */
  get length(): number {
    return this.k ? this.k.shape[2] : 0;
  }
}

/**
 * q, k, v: (B, H, T, hs) for T new tokens, not rotated yet. They sit at positions cache.length .. cache.length + T − 1:
 * rotate q and k there (v never), append k and v to the cache, and attend causally over the whole cache
 * (new token t sees every cached position and the new ones up to itself), scores scaled by 1 / sqrt(hs).
 * Returns (B, H, T, hs).
 */
export function attendWithRope(q: Tensor, k: Tensor, v: Tensor, cache: RopeCache, opts: RopeOptions = {}): Tensor {
  return TODO('attendWithRope');
}
