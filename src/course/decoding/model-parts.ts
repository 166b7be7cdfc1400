/**
 * The parts of the bundled GPT that never look at another position, for one token at a time:
 * embeddings, LayerNorm + the q/k/v projections, the attention output projection, LayerNorm + MLP, and
 * the final LayerNorm with the tied LM head. The checks build them from the model's weights and hand
 * them to the learner's code, so lesson 6 is only about what does look at other positions: attention,
 * and the cache of keys and values it reads.
 *
 * The maths is GPT-2's (Radford et al. 2019) as nanoGPT's model.py (Karpathy) lays it out, exactly as
 * src/kit/gpt.ts and the ONNX export compute it (pre-LayerNorm blocks, eps 1e-5, head tied to wte), with one
 * difference from nanoGPT: GELU is the tanh approximation of GPT-2 and Hugging Face's gelu_new, where nanoGPT
 * uses nn.GELU(), the exact erf form. Written as plain loops over vectors of C = nEmbd floats; sums are taken
 * in float64, results stored in float32. Weight names and layouts follow PyTorch's Linear: a weight is
 * (out, in) and y = W x + b (Hugging Face's GPT-2 stores c_attn, c_fc and the projections as Conv1D, (in, out)).
 */

export interface PartsConfig {
  readonly vocabSize: number;
  readonly blockSize: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
}

/** The same shape as the `ModelParts` interface declared in the exercise file. */
export interface ModelParts {
  readonly config: PartsConfig;
  /** wte[token] + wpe[position]: (C). */
  embed(token: number, position: number): Float32Array;
  /** ln_1(x) through the query, key and value projections of `layer`: (C) each, heads side by side. */
  qkv(layer: number, x: Float32Array): { q: Float32Array; k: Float32Array; v: Float32Array };
  /** The attention output projection of `layer`: (C) -> (C). */
  project(layer: number, y: Float32Array): Float32Array;
  /** MLP(ln_2(x)) of `layer`: (C) -> (C). Adding it to the residual stream is the caller's job. */
  mlp(layer: number, x: Float32Array): Float32Array;
  /** ln_f(x) @ wte^T: (C) -> next-token logits (V). */
  logits(x: Float32Array): Float32Array;
}

type Weights = ReadonlyMap<string, { data: Float32Array }>;

const LAYER_NORM_EPS = 1e-5;
const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * y = W x + b with W stored (out, in) row-major. Four running sums instead of one: the multiply-adds of
 * one sum wait for each other, four independent ones overlap (about 1.4x faster in V8; the rounding
 * differs from a single sum by about 1e-7).
 */
function linear(x: Float32Array, w: Float32Array, b: Float32Array | null, out: number): Float32Array {
  const n = x.length;
  const y = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const row = o * n; // row o of W
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += w[row + i] * x[i];
      s1 += w[row + i + 1] * x[i + 1];
      s2 += w[row + i + 2] * x[i + 2];
      s3 += w[row + i + 3] * x[i + 3];
    }
    for (; i < n; i++) s0 += w[row + i] * x[i];
    y[o] = (b ? b[o] : 0) + (s0 + s1) + (s2 + s3);
  }
  return y;
}

/** (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance (as PyTorch and ONNX). */
function layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array): Float32Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
  variance /= n;
  const inv = 1 / Math.sqrt(variance + LAYER_NORM_EPS);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = (x[i] - mean) * inv * weight[i] + bias[i];
  return y;
}

/** GPT-2's GELU: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function gelu(x: Float32Array): Float32Array {
  return x.map((v) => 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v))));
}

/** Builds the parts from the model's weights (names as in gptWeightShapes: wte.weight, h.0.attn.q.weight, ...). */
export function modelParts(config: PartsConfig, weights: Weights): ModelParts {
  const get = (name: string): Float32Array => {
    const w = weights.get(name);
    if (!w) throw new Error(`model-parts: the model has no weight '${name}'`);
    return w.data;
  };
  const C = config.nEmbd;
  const V = config.vocabSize;
  const wte = get('wte.weight'); // (V, C)
  const wpe = get('wpe.weight'); // (blockSize, C)
  const layers = Array.from({ length: config.nLayer }, (_, l) => {
    const p = `h.${l}`;
    return {
      ln1: [get(`${p}.ln_1.weight`), get(`${p}.ln_1.bias`)] as const,
      q: [get(`${p}.attn.q.weight`), get(`${p}.attn.q.bias`)] as const,
      k: [get(`${p}.attn.k.weight`), get(`${p}.attn.k.bias`)] as const,
      v: [get(`${p}.attn.v.weight`), get(`${p}.attn.v.bias`)] as const,
      proj: [get(`${p}.attn.proj.weight`), get(`${p}.attn.proj.bias`)] as const,
      ln2: [get(`${p}.ln_2.weight`), get(`${p}.ln_2.bias`)] as const,
      fc: [get(`${p}.mlp.fc.weight`), get(`${p}.mlp.fc.bias`)] as const,
      mlpProj: [get(`${p}.mlp.proj.weight`), get(`${p}.mlp.proj.bias`)] as const,
    };
  });
  const lnF = [get('ln_f.weight'), get('ln_f.bias')] as const;
  const layer = (l: number) => {
    const w = layers[l];
    if (!w) throw new RangeError(`there is no layer ${l}: the model has layers 0..${config.nLayer - 1}`);
    return w;
  };

  return {
    config,
    embed(token, position) {
      if (!Number.isInteger(token) || token < 0 || token >= V) throw new RangeError(`embed: token ${token} is outside the vocabulary 0..${V - 1}`);
      if (!Number.isInteger(position) || position < 0 || position >= config.blockSize) {
        throw new RangeError(`embed: position ${position} is outside the context 0..${config.blockSize - 1}`);
      }
      const x = new Float32Array(C);
      for (let i = 0; i < C; i++) x[i] = wte[token * C + i] + wpe[position * C + i];
      return x;
    },
    qkv(l, x) {
      const w = layer(l);
      const h = layerNorm(x, ...w.ln1);
      return { q: linear(h, ...w.q, C), k: linear(h, ...w.k, C), v: linear(h, ...w.v, C) };
    },
    project(l, y) {
      return linear(y, ...layer(l).proj, C);
    },
    mlp(l, x) {
      const w = layer(l);
      return linear(gelu(linear(layerNorm(x, ...w.ln2), ...w.fc, 4 * C)), ...w.mlpProj, C);
    },
    logits(x) {
      return linear(layerNorm(x, ...lnF), wte, null, V); // tied head: row v of wte scores token v
    },
  };
}
