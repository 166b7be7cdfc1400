/**
 * The positions lesson: where a token is, told to a model that otherwise cannot see order.
 *
 * Five tasks:
 *   TokenPositionEmbedding  token + learned position embedding, as GPT-2: wte[id] + wpe[startPos + t]
 *   sinusoidalEncoding      Vaswani et al.'s fixed table: PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(...)
 *   ropeFrequencies         RoPE's θ_i = base^(-2i/hs), one per pair of channels
 *   applyRope               rotate each pair of channels of q or k by the angle position · θ_i
 *   attendWithRope          causal attention with RoPE on q and k (never v), over a KV cache of rotated keys
 *
 * PAIRING CONVENTION. This lesson's default is the interleaved pairs (x0, x1), (x2, x3), ... of the RoFormer paper
 * and Meta's LLaMA code; pairing: 'halves' gives Hugging Face's rotate_half (x_i, x_{i+hs/2}), as GPT-NeoX and the
 * transformers LLaMA. Both are checked.
 */
import { Embedding, Module, type Rng, Tensor, add, cat, div, matmul, maskedFill, mul, narrow, softmax, sub, transpose, zeros } from '@llm-lab/kit';

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
    this.wte = new Embedding(config.vocabSize, config.nEmbd, rng);
    this.wpe = new Embedding(config.blockSize, config.nEmbd, rng);
  }

  /** ids: B rows of T token ids, at positions startPos .. startPos + T − 1 -> (B, T, nEmbd). */
  forward(ids: readonly ArrayLike<number>[], startPos = 0): Tensor {
    const B = ids.length;
    const T = ids[0].length;
    if (startPos + T > this.config.blockSize) {
      throw new RangeError(`positions ${startPos}..${startPos + T - 1} do not fit: wpe has rows 0..${this.config.blockSize - 1} (blockSize ${this.config.blockSize})`);
    }
    const flat = ids.flatMap((row) => Array.from(row));
    const tok = this.wte.forward(flat, [B, T]); //                                      (B, T, C)
    const pos = this.wpe.forward(Array.from({ length: T }, (_, t) => startPos + t)); // (T, C): the positions, not the ids
    return add(tok, pos); //                                                           broadcast over B
  }
}

export interface SinusoidalOptions {
  /** The position of the first row (default 0). */
  startPos?: number;
  /** The base of the wavelengths (default 10000, as the paper). */
  base?: number;
}

/** The (T, d) table PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)), rows p = startPos .. startPos + T − 1. d must be even. */
export function sinusoidalEncoding(T: number, d: number, opts: SinusoidalOptions = {}): Tensor {
  const { startPos = 0, base = 10000 } = opts;
  if (d % 2 !== 0) throw new Error(`sinusoidalEncoding: d must be even (one sin and one cos per frequency), got ${d}`);
  const pe = zeros([T, d]);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < d / 2; i++) {
      const angle = (startPos + t) / base ** ((2 * i) / d);
      pe.data[t * d + 2 * i] = Math.sin(angle);
      pe.data[t * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/** θ_i = base^(−2i/hs) for i = 0 .. hs/2 − 1: the angle pair i turns by per position. hs must be even. */
export function ropeFrequencies(hs: number, base = 10000): number[] {
  if (hs % 2 !== 0) throw new Error(`ropeFrequencies: the head size must be even (channels are rotated in pairs), got ${hs}`);
  return Array.from({ length: hs / 2 }, (_, i) => base ** (-(2 * i) / hs));
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
  const { base = 10000, pairing = 'interleaved' } = opts;
  const hs = x.shape[x.ndim - 1];
  const T = x.shape[x.ndim - 2];
  const half = hs / 2;
  const theta = ropeFrequencies(hs, base);
  const cos = new Float32Array(T * half);
  const sin = new Float32Array(T * half);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      cos[t * half + i] = Math.cos((startPos + t) * theta[i]);
      sin[t * half + i] = Math.sin((startPos + t) * theta[i]);
    }
  }
  const c = new Tensor(cos, [T, half]); // broadcasts over the leading axes
  const s = new Tensor(sin, [T, half]);
  const lead = x.shape.slice(0, -1); //   (..., T)
  if (pairing === 'halves') {
    const a = narrow(x, -1, 0, half); //   x_i
    const b = narrow(x, -1, half, half); // x_{i + hs/2}
    return cat([sub(mul(a, c), mul(b, s)), add(mul(a, s), mul(b, c))], -1);
  }
  const pairs = x.reshape(...lead, half, 2); //                (..., T, hs/2, 2): (x_{2i}, x_{2i+1})
  const a = narrow(pairs, -1, 0, 1).reshape(...lead, half);
  const b = narrow(pairs, -1, 1, 1).reshape(...lead, half);
  const ra = sub(mul(a, c), mul(b, s)).reshape(...lead, half, 1);
  const rb = add(mul(a, s), mul(b, c)).reshape(...lead, half, 1);
  return cat([ra, rb], -1).reshape(...x.shape); //              back to (..., T, hs), pairs side by side again
}

/** The keys (already rotated) and values of every position seen so far, per layer: (B, H, length, hs) each. */
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
 * (new token t sees every cached position and the new ones up to itself). Returns (B, H, T, hs).
 */
export function attendWithRope(q: Tensor, k: Tensor, v: Tensor, cache: RopeCache, opts: RopeOptions = {}): Tensor {
  const start = cache.length; //                                   read before appending
  const qr = applyRope(q, start, opts);
  const kr = applyRope(k, start, opts);
  cache.k = cache.k ? cat([cache.k, kr], 2) : kr;
  cache.v = cache.v ? cat([cache.v, v], 2) : v; //                 values are not rotated
  const [T, hs] = [q.shape[2], q.shape[3]];
  const Tk = cache.k.shape[2];
  const mask = zeros([T, Tk]); //                                  1 where key j is after query t's position
  for (let t = 0; t < T; t++) for (let j = start + t + 1; j < Tk; j++) mask.data[t * Tk + j] = 1;
  const scores = div(matmul(qr, transpose(cache.k, 2, 3)), Math.sqrt(hs)); // (B, H, T, Tk)
  return matmul(softmax(maskedFill(scores, mask, -Infinity), -1), cache.v);
}
