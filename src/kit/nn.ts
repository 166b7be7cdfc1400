/**
 * Neural-network building blocks, shaped like PyTorch's torch.nn: a Module owns parameters
 * (tensors with requiresGrad) and sub-modules, and names them by where they sit
 * ("h.0.attn.q.weight"), which is how weights are saved, loaded and compared.
 *
 * The transformer pieces follow nanoGPT's model.py (Karpathy), itself GPT-2 (Radford et al. 2019)
 * on top of "Attention Is All You Need" (Vaswani et al. 2017), with separate q, k, v projections
 * instead of one fused c_attn so each is easy to look at. Like minGPT, attention is written out
 * op by op to show there is nothing scary in it.
 */
import { Tensor, full, randn, zeros } from './tensor';
import { globalRng, type Rng } from './random';
import { add, gelu } from './ops/elementwise';
import { linear, matmul } from './ops/matmul';
import { cat, embedding, narrow, transpose } from './ops/movement';
import { layerNorm } from './ops/norm';
import { scaledMaskedSoftmax } from './ops/softmax';
import { causalAttention, fusedAttention } from './ops/attention';

/** Receives named intermediate tensors during a forward pass (for visualisation and comparison). */
export type Recorder = (name: string, t: Tensor) => void;

export class Module {
  /**
   * Parameters by dotted name, found by walking this module's fields in declaration order:
   * a Tensor with requiresGrad is a parameter, a Module adds its own with a prefix, and an array
   * of Modules (like GPT's `h`) numbers them: h.0, h.1, ...
   */
  namedParameters(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const addModule = (m: Module, p: string) => {
      for (const [name, t] of m.namedParameters(p)) out.set(name, t);
    };
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Tensor) {
        if (value.requiresGrad) out.set(prefix + name, value);
      } else if (value instanceof Module) {
        addModule(value, `${prefix}${name}.`);
      } else if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item instanceof Module) addModule(item, `${prefix}${name}.${i}.`);
        });
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return [...this.namedParameters().values()];
  }

  /** Total number of trainable numbers. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }
}

/** Uniform(-bound, bound) samples, PyTorch's default init for Linear. */
function uniform(shape: number[], bound: number, rng: Rng): Tensor {
  const t = zeros(shape, { requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rng.random() - 1) * bound;
  return t;
}

/** y = x W^T + b, weight (out, in) as in PyTorch. x (..., in) -> (..., out). */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, bias = true, rng: Rng = globalRng) {
    super();
    const bound = 1 / Math.sqrt(inFeatures); // PyTorch's default: U(-1/sqrt(in), 1/sqrt(in))
    this.weight = uniform([outFeatures, inFeatures], bound, rng);
    this.bias = bias ? uniform([outFeatures], bound, rng) : null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias); // (..., out)
  }
}

/** A table of `num` learned vectors of size `dim`; ids -> rows. Initialised N(0, 1) like PyTorch. */
export class Embedding extends Module {
  weight: Tensor;

  constructor(readonly num: number, readonly dim: number, rng: Rng = globalRng) {
    super();
    this.weight = randn([num, dim], rng, 1, { requiresGrad: true });
  }

  /** ids of shape idsShape -> (...idsShape, dim) */
  forward(ids: ArrayLike<number>, idsShape: readonly number[] = [ids.length]): Tensor {
    return embedding(this.weight, ids, idsShape);
  }
}

/** Normalizes the last dim to mean 0, variance 1, then scales and shifts (weight 1, bias 0 at init). */
export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;

  constructor(readonly dim: number, readonly eps = 1e-5) {
    super();
    this.weight = full([dim], 1, { requiresGrad: true });
    this.bias = zeros([dim], { requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps); // same shape as x
  }
}

/** (T, T) mask with 1 where key j is in the future of query i (j > i): the positions attention may not see. */
export function causalMask(T: number): Tensor {
  const m = zeros([T, T]);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m.data[i * T + j] = 1;
  return m;
}

/** One layer's keys and values of the positions run so far, (B, nh, positions, hs) each (null before the first). */
export interface KVCache {
  k: Tensor | null;
  v: Tensor | null;
}

/**
 * Multi-head masked self-attention. Every position emits a query ("what am I looking for"), a key
 * ("what do I contain") and a value ("what I pass on"); a position's output is the average of the
 * values of all earlier positions (and itself), weighted by softmax(query . key / sqrt(hs)).
 * nh heads do this independently on hs = C / nh channels each.
 */
export class CausalSelfAttention extends Module {
  q: Linear;
  k: Linear;
  v: Linear;
  proj: Linear;

  constructor(readonly nEmbd: number, readonly nHead: number, rng: Rng = globalRng) {
    super();
    if (nEmbd % nHead !== 0) throw new Error(`attention: nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
    this.q = new Linear(nEmbd, nEmbd, true, rng);
    this.k = new Linear(nEmbd, nEmbd, true, rng);
    this.v = new Linear(nEmbd, nEmbd, true, rng);
    this.proj = new Linear(nEmbd, nEmbd, true, rng);
  }

  /**
   * x (B, T, C) -> (B, T, C). With `cache` (GPT.generate), x holds only the newest positions: their keys and
   * values are appended to the cached ones of the positions before, and their queries attend to all of them.
   */
  forward(x: Tensor, record?: Recorder, cache?: KVCache): Tensor {
    const [B, T, C] = x.shape;
    const nh = this.nHead;
    const hs = C / nh; // head size
    const [qx, kx, vx] = [this.q.forward(x), this.k.forward(x), this.v.forward(x)]; // (B, T, C) each
    // Fast path, like nanoGPT's "flash" branch (F.scaled_dot_product_attention): causalAttention (ops/attention.ts)
    // computes exactly the numbers of the lines below, from here to `merged`, as one op. Not when they are
    // recorded (it keeps no attn_probs to show), not with a cache, and not for products too small for it.
    if (!record && !cache && fusedAttention(T, hs)) return this.proj.forward(causalAttention(qx, kx, vx, nh));

    // Split the channels into heads (head h gets channels [h*hs, (h+1)*hs)) and move the head dim
    // forward so that each (batch, head) pair is one (T, hs) matrix.
    const q = transpose(qx.view(B, T, nh, hs), 1, 2); // (B, nh, T, hs)
    let k = transpose(kx.view(B, T, nh, hs), 1, 2); //   (B, nh, T, hs)
    let v = transpose(vx.view(B, T, nh, hs), 1, 2); //   (B, nh, T, hs)
    const before = cache?.k ? cache.k.shape[2] : 0; // positions already cached
    if (cache) {
      if (cache.k && cache.v) [k, v] = [cat([cache.k, k], 2), cat([cache.v, v], 2)]; // (B, nh, before + T, hs)
      [cache.k, cache.v] = [k, v];
    }

    // Scores: how much query i attends to key j, scaled so their variance does not grow with hs; then the
    // future gets -inf, so that the softmax gives it probability 0 (each row sums to 1). Op by op that is
    //   att = mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(hs));   (B, nh, T, hs) @ (B, nh, hs, T) -> (B, nh, T, T)
    //   att = maskedFill(att, causalMask(T), -Infinity);                  (B, nh, T, T) the future gets -inf ...
    //   att = softmax(att, -1);                                           (B, nh, T, T) ... so probability 0
    // and scaledMaskedSoftmax (ops/softmax.ts) computes exactly that, number for number, as one op: the (B, nh, T, T)
    // scores are a GPT's largest tensors, and the three ops would make three of them, and three gradients.
    const scores = matmul(q, transpose(k, -2, -1)); // (B, nh, T, hs) @ (B, nh, hs, T) -> (B, nh, T, T)
    // (With a cache: the rows of the newest positions, each seeing itself and everything before it.)
    const mask = before ? narrow(causalMask(before + T), 0, before, T) : causalMask(T);
    const att = scaledMaskedSoftmax(scores, 1 / Math.sqrt(hs), mask); // (B, nh, T, T)
    record?.('attn_probs', att);

    const y = matmul(att, v); // (B, nh, T, T) @ (B, nh, T, hs) -> (B, nh, T, hs)
    const merged = transpose(y, 1, 2).reshape(B, T, C); // (B, T, nh, hs) -> (B, T, C): heads side by side again
    return this.proj.forward(merged); // (B, T, C)
  }
}

/** The feed-forward part of a block: widen to 4C, GELU, project back. Applied to each position alone. */
export class MLP extends Module {
  fc: Linear;
  proj: Linear;

  constructor(readonly nEmbd: number, rng: Rng = globalRng) {
    super();
    this.fc = new Linear(nEmbd, 4 * nEmbd, true, rng);
    this.proj = new Linear(4 * nEmbd, nEmbd, true, rng);
  }

  forward(x: Tensor): Tensor {
    const h = gelu(this.fc.forward(x)); // (B, T, 4C)
    return this.proj.forward(h); //         (B, T, C)
  }
}

/**
 * A transformer block, pre-LayerNorm as in GPT-2: "communicate" (attention), then "compute" (MLP),
 * each added onto the residual stream x rather than replacing it.
 */
export class Block extends Module {
  // snake_case on purpose: field names become parameter names (h.0.ln_1.weight), matching nanoGPT.
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;

  constructor(nEmbd: number, nHead: number, rng: Rng = globalRng) {
    super();
    this.ln_1 = new LayerNorm(nEmbd);
    this.attn = new CausalSelfAttention(nEmbd, nHead, rng);
    this.ln_2 = new LayerNorm(nEmbd);
    this.mlp = new MLP(nEmbd, rng);
  }

  forward(x: Tensor, record?: Recorder, cache?: KVCache): Tensor {
    const a = this.attn.forward(this.ln_1.forward(x), record, cache); // (B, T, C)
    record?.('attn_out', a);
    x = add(x, a); //                                         (B, T, C)
    x = add(x, this.mlp.forward(this.ln_2.forward(x))); //    (B, T, C)
    return x;
  }
}
