/**
 * 位置一课：把词元“在哪里”告诉一个本身看不出顺序的模型。
 *
 * 五个任务（各有各的检查）：
 *   TokenPositionEmbedding  词元嵌入 + 可学习的位置嵌入，与 GPT-2 相同：wte[id] + wpe[startPos + t]
 *   sinusoidalEncoding      Vaswani 等人的固定编码表：PE[p, 2i] = sin(p / base^(2i/d))，PE[p, 2i+1] = cos(...)
 *   ropeFrequencies         RoPE 的 θ_i = base^(-2i/hs)，每对通道一个
 *   applyRope               把 q 或 k 的每一对通道转过角度 position · θ_i
 *   attendWithRope          在 q 和 k 上（绝不在 v 上）施加 RoPE 的因果注意力，键值缓存中存的是旋转后的键
 *
 * 配对约定。本课默认采用 RoFormer 论文和 Meta 的 LLaMA 代码中的交错对 (x0, x1), (x2, x3), ...；
 * pairing: 'halves' 给出 Hugging Face 的 rotate_half (x_i, x_{i+hs/2})，与 GPT-NeoX 和 transformers 中的 LLaMA
 * 相同。检查会测试这两种。
 *
 * 可能用到的 kit 部件：
 *   new Embedding(num, dim, rng)        一张 (num, dim) 的表；emb.forward(ids, [B, T]) -> (B, T, dim)
 *   add, sub, mul, div                  逐元素运算，支持广播（(B, T, C) + (T, C) 可以直接相加）
 *   narrow(x, dim, start, length)       沿某一轴取一段（dim 为 -1 表示最后一轴）
 *   cat(tensors, dim)                   沿某一轴拼接
 *   x.reshape(...shape)                 同样的数，换一个形状
 *   matmul, transpose(x, 2, 3), softmax(x, -1), maskedFill(x, mask, -Infinity), zeros([..])
 * 在不需要梯度的地方，也可以循环遍历 .data 再用 new Tensor(data, shape) 构造结果（除嵌入外的所有函数都可以：
 * 嵌入的 wte 和 wpe 必须收到梯度，所以它的结果要用 kit 的运算构造）。
 */
import { Embedding, Module, type Rng, Tensor, TODO, add, cat, div, matmul, maskedFill, mul, narrow, softmax, sub, transpose, zeros } from '@llm-lab/kit';

export interface EmbeddingConfig {
  vocabSize: number;
  /** 最长的上下文：wpe 为每个位置 0 .. blockSize − 1 各存一行。 */
  blockSize: number;
  nEmbd: number;
}

export class TokenPositionEmbedding extends Module {
  /** (vocabSize, nEmbd)：每个词元一个可学习的向量。 */
  wte: Embedding;
  /** (blockSize, nEmbd)：每个位置一个可学习的向量。 */
  wpe: Embedding;

  constructor(readonly config: EmbeddingConfig, rng: Rng) {
    super();
    // TODO：两张表，都从 `rng` 抽取。
    TODO('TokenPositionEmbedding constructor');
  }

  /**
   * ids：B 行、每行 T 个词元 id，位于位置 startPos .. startPos + T − 1 -> (B, T, nEmbd)：wte[ids[b][t]] + wpe[startPos + t]。
   * 当 startPos + T > blockSize 时抛出错误（RangeError）：wpe 中没有这些位置的行。
   */
  forward(ids: readonly ArrayLike<number>[], startPos = 0): Tensor {
    return TODO('TokenPositionEmbedding.forward');
  }
}

export interface SinusoidalOptions {
  /** 第一行的位置（默认 0）。 */
  startPos?: number;
  /** 波长的底数（默认 10000，与论文相同）。 */
  base?: number;
}

/** (T, d) 的编码表 PE[p, 2i] = sin(p / base^(2i/d))，PE[p, 2i+1] = cos(p / base^(2i/d))，各行 p = startPos .. startPos + T − 1。d 为奇数时抛出错误。 */
export function sinusoidalEncoding(T: number, d: number, opts: SinusoidalOptions = {}): Tensor {
  return TODO('sinusoidalEncoding');
}

/** θ_i = base^(−2i/hs)，i = 0 .. hs/2 − 1：第 i 对通道每个位置转过的角度。hs 为奇数时抛出错误。 */
export function ropeFrequencies(hs: number, base = 10000): number[] {
  return TODO('ropeFrequencies');
}

export interface RopeOptions {
  /** 频率的底数（默认 10000；LLaMA 3 用 500000）。 */
  base?: number;
  /** 'interleaved'（默认）：配对 (x_{2i}, x_{2i+1})；'halves'：配对 (x_i, x_{i+hs/2})，即 Hugging Face 的 rotate_half。 */
  pairing?: 'interleaved' | 'halves';
}

/**
 * 对 x (..., T, hs)（例如 (B, H, T, hs)）施加 RoPE：第 t 行是位于位置 startPos + t 的词元。第 i 对 (a, b)
 * 转过 φ = (startPos + t) · θ_i：(a cos φ − b sin φ, a sin φ + b cos φ)。返回一个新张量；x 保持不变。
 */
export function applyRope(x: Tensor, startPos = 0, opts: RopeOptions = {}): Tensor {
  return TODO('applyRope');
}

/** 目前为止每个位置的键（已旋转）和值：各为 (B, H, length, hs)。 */
export class RopeCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  /** 缓存中有多少个位置：也就是下一个词元的位置。 */
  get length(): number {
    return this.k ? this.k.shape[2] : 0;
  }
}

/**
 * q, k, v：T 个新词元的 (B, H, T, hs)，尚未旋转。它们位于位置 cache.length .. cache.length + T − 1：
 * 在这些位置旋转 q 和 k（v 永远不转），把 k 和 v 追加到缓存，再在整个缓存上做因果注意力
 * （新词元 t 能看到所有已缓存的位置，以及新词元中直到它自己为止的那些），分数乘以 1 / sqrt(hs)。
 * 返回 (B, H, T, hs)。
 */
export function attendWithRope(q: Tensor, k: Tensor, v: Tensor, cache: RopeCache, opts: RopeOptions = {}): Tensor {
  return TODO('attendWithRope');
}
