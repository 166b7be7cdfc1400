/**
 * GPT: a decoder-only transformer language model, following nanoGPT's model.py (Karpathy), which
 * reproduces GPT-2 (Radford et al., "Language Models are Unsupervised Multitask Learners", 2019).
 *
 *   ids (B, T) -> token embedding + position embedding -> nLayer x Block -> LayerNorm -> logits (B, T, V)
 *
 * The parameter names, shapes and semantics are a contract: the course's ONNX export uses exactly
 * the same ones, and tests compare the two models output by output (the `record` option).
 * The LM head is tied to the token embedding (Press & Wolf, "Using the Output Embedding to Improve
 * Language Models", 2017): the matrix that turns a token into a vector also scores vectors against
 * every token, so logits = ln_f(x) @ wte.weight^T and there is no separate head parameter.
 */
import { Tensor, noGrad } from './tensor';
import { Rng, globalRng } from './random';
import { Block, CausalSelfAttention, Embedding, type KVCache, LayerNorm, MLP, Module, type Recorder } from './nn';
import { add } from './ops/elementwise';
import { linear } from './ops/matmul';
import { narrow } from './ops/movement';
import { crossEntropy } from './loss';

export interface GPTConfig {
  vocabSize: number;
  /** The longest sequence the model can read (the size of the position table). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  /** C, the width of the residual stream. */
  nEmbd: number;
}

export interface ForwardOptions {
  /** Next-token ids, one per position (B*T); when given, `loss` is their mean cross-entropy. */
  targets?: ArrayLike<number>;
  /** Keep named intermediates: embeddings, attn_probs_i, attn_out_i, block_out_i, logits. */
  record?: boolean;
}

export interface GPTOutput {
  logits: Tensor; // (B, T, V)
  loss: Tensor | null;
  /** Empty unless `record` was set. */
  intermediates: Map<string, Tensor>;
}

export interface GenerateOptions {
  /** Divide logits by this before sampling: below 1 sharper, above 1 flatter. 0 means greedy. */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** Always take the most likely token (deterministic). */
  greedy?: boolean;
  rng?: Rng;
}

export class GPT extends Module {
  // Field names are parameter-name prefixes (see Module.namedParameters): wte.weight, h.0.ln_1.bias, ...
  wte: Embedding; // token embedding (V, C)
  wpe: Embedding; // position embedding (blockSize, C)
  h: Block[];
  ln_f: LayerNorm;

  constructor(readonly config: GPTConfig, rng: Rng = new Rng(1337)) {
    super();
    const { vocabSize, blockSize, nLayer, nHead, nEmbd } = config;
    for (const [k, v] of Object.entries(config)) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`GPT config: ${k} must be a positive integer, got ${v}`);
    }
    this.wte = new Embedding(vocabSize, nEmbd, rng);
    this.wpe = new Embedding(blockSize, nEmbd, rng);
    this.h = Array.from({ length: nLayer }, () => new Block(nEmbd, nHead, rng));
    this.ln_f = new LayerNorm(nEmbd);
    this.initWeights(rng);
  }

  /**
   * nanoGPT's init: weights N(0, 0.02), biases 0, LayerNorm weight 1. The two projections that
   * write into the residual stream (attn.proj, mlp.proj) get std 0.02 / sqrt(2 * nLayer), because
   * each layer adds two of them onto x and their sum should not grow with depth (GPT-2 paper).
   */
  initWeights(rng: Rng): void {
    const residualStd = 0.02 / Math.sqrt(2 * this.config.nLayer);
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('.bias')) p.data.fill(0);
      else if (/(^|\.)ln_\w+\.weight$/.test(name)) p.data.fill(1);
      else {
        const std = name.endsWith('attn.proj.weight') || name.endsWith('mlp.proj.weight') ? residualStd : 0.02;
        for (let i = 0; i < p.size; i++) p.data[i] = rng.normal(0, std);
      }
    }
  }

  /** Everything up to and including the final LayerNorm: ids (B, T) -> (B, T, C). */
  private trunk(ids: ArrayLike<number>, B: number, T: number, record?: Recorder, cache?: KVCache[]): Tensor {
    const { blockSize } = this.config;
    const start = cache?.[0]?.k ? cache[0].k.shape[2] : 0; // with a KV cache: positions already run
    if (start + T > blockSize) throw new Error(`sequence length ${start + T} exceeds the model's context of ${blockSize}`);
    if (ids.length !== B * T) throw new Error(`GPT.forward: got ${ids.length} ids for B=${B}, T=${T} (expected ${B * T})`);
    const positions = Int32Array.from({ length: T }, (_, t) => start + t);
    const tok = this.wte.forward(ids, [B, T]); //     (B, T, C)
    const pos = this.wpe.forward(positions, [T]); //  (T, C), the same for every sequence in the batch
    let x = add(tok, pos); //                          (B, T, C)
    record?.('embeddings', x);
    this.h.forEach((block, i) => {
      x = block.forward(x, record && ((name, t) => record(`${name}_${i}`, t)), cache?.[i]); // (B, T, C)
      record?.(`block_out_${i}`, x);
    });
    return this.ln_f.forward(x); // (B, T, C)
  }

  /** ids: B sequences of T token ids, row-major (B, T). */
  forward(ids: ArrayLike<number>, B: number, T: number, opts: ForwardOptions = {}): GPTOutput {
    const intermediates = new Map<string, Tensor>();
    const record: Recorder | undefined = opts.record ? (name, t) => intermediates.set(name, t) : undefined;
    const x = this.trunk(ids, B, T, record); //  (B, T, C)
    const logits = linear(x, this.wte.weight); // (B, T, C) @ (C, V) -> (B, T, V), tied head, no bias
    record?.('logits', logits);
    const loss = opts.targets ? crossEntropy(logits, opts.targets) : null;
    return { logits, loss, intermediates };
  }

  /**
   * Continues `prompt` by `maxNewTokens` tokens, one at a time, feeding each choice back in (the
   * last blockSize tokens at most). Returns prompt + new tokens. Only the last position needs the LM
   * head, so only it gets one.
   *
   * When every block is the kit's own, each new token is run alone against the keys and values the
   * earlier positions left in a cache (the KV-cache lesson's idea): the same operations, row for row,
   * as running the whole context again, so the same numbers up to float32 rounding (a product over
   * one row may add in another order than over all of them). Otherwise (a layer replaced by one of
   * another kind), and once the context slides past blockSize (the positions shift, so the kept keys
   * no longer hold), the whole context is run again for every token.
   */
  generate(prompt: ArrayLike<number>, maxNewTokens: number, opts: GenerateOptions = {}): Int32Array {
    if (prompt.length === 0) throw new Error('generate: the prompt needs at least one token');
    const { blockSize } = this.config;
    return noGrad(() => {
      const out = Array.from(prompt);
      let cache: KVCache[] | null = this.cacheable() ? this.h.map(() => ({ k: null, v: null })) : null;
      let fresh = out; // the tokens the cache has not seen yet (all of them at first)
      for (let s = 0; s < maxNewTokens; s++) {
        if (cache && out.length > blockSize) cache = null; // the window slides: the cached positions no longer hold
        const context = cache ? fresh : out.slice(-blockSize);
        const x = this.trunk(context, 1, context.length, undefined, cache ?? undefined); // (1, T, C)
        const T = context.length;
        const last = narrow(x, 1, T - 1, 1); //              (1, 1, C)
        const logits = linear(last, this.wte.weight); //    (1, 1, V)
        out.push(sampleLogits(logits.data, opts));
        fresh = out.slice(-1);
      }
      return Int32Array.from(out);
    });
  }

  /** Whether generate may use a KV cache: this model and every block, norm and attention are the kit's own classes. */
  private cacheable(): boolean {
    const own = (o: object, cls: { prototype: object }) => Object.getPrototypeOf(o) === cls.prototype;
    return own(this, GPT) && own(this.wte, Embedding) && own(this.wpe, Embedding) && own(this.ln_f, LayerNorm)
      && this.h.every((b) => own(b, Block) && own(b.ln_1, LayerNorm) && own(b.attn, CausalSelfAttention) && own(b.ln_2, LayerNorm) && own(b.mlp, MLP));
  }

  /** Copies of all weights by parameter name. */
  stateDict(): Map<string, Float32Array> {
    const state = new Map<string, Float32Array>();
    for (const [name, p] of this.namedParameters()) state.set(name, p.data.slice());
    return state;
  }

  /** Copies weights in by name. Names must match exactly (no missing, no extra), sizes too. */
  loadState(state: Map<string, Float32Array>): void {
    const params = this.namedParameters();
    const missing = [...params.keys()].filter((k) => !state.has(k));
    const extra = [...state.keys()].filter((k) => !params.has(k));
    if (missing.length || extra.length) {
      throw new Error(`loadState: names do not match. missing: [${missing.join(', ')}]; unexpected: [${extra.join(', ')}]`);
    }
    for (const [name, p] of params) {
      const values = state.get(name)!;
      if (values.length !== p.size) {
        throw new Error(`loadState: ${name} has ${values.length} values, the model expects ${p.size} (shape (${p.shape.join(', ')}))`);
      }
      p.data.set(values);
    }
  }
}

/** Picks the next token from one row of logits (V): greedy, or sampled with temperature / top-k. */
export function sampleLogits(logits: ArrayLike<number>, opts: GenerateOptions = {}): number {
  const { temperature = 1, topK, greedy = false, rng = globalRng } = opts;
  const V = logits.length;
  if (greedy || temperature === 0) {
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
    return best;
  }
  const scaled = Float64Array.from(logits, (l) => l / temperature);
  if (topK !== undefined && topK < V) {
    const kth = [...scaled].sort((a, b) => b - a)[Math.max(0, topK - 1)]; // the k-th largest logit
    for (let v = 0; v < V; v++) if (scaled[v] < kth) scaled[v] = -Infinity;
  }
  let m = -Infinity;
  for (let v = 0; v < V; v++) m = Math.max(m, scaled[v]);
  const probs = scaled.map((l) => Math.exp(l - m)); // unnormalized; categorical() divides by the sum
  return rng.categorical(probs);
}
