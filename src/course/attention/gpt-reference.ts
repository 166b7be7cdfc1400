/**
 * References for lesson 4's checks, each with its catalogued mistakes as wrong variants:
 *
 * - layerNorm64 and gelu64: float64 loops, independent of the kit (the pieces the learner writes from scratch).
 * - gptVariant: a whole GPT forward pass written with the course's kit (not the learner's code), with one
 *   mistake put in (post-LN, no residual, no final LayerNorm, ...). The expected values of the model checks
 *   come from onnxruntime; these variants only let a failure say which mistake it looks like.
 *
 * The architecture is GPT-2's (Radford et al. 2019), laid out as nanoGPT's model.py (Karpathy): pre-LayerNorm
 * blocks x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)), learned position embeddings, final ln_f, LM head tied to
 * wte. Two differences from nanoGPT: GELU is GPT-2's tanh form (Hugging Face's gelu_new), where nanoGPT uses
 * nn.GELU(), the exact erf form; and q, k, v have separate weights instead of nanoGPT's fused c_attn.
 */
import {
  type Tensor, add, causalMask, embedding, gelu, layerNorm, linear, matmul, maskedFill, mul, relu, softmax, tensor, transpose,
} from '@llm-lab/kit';
import { gptWeightShapes, randomGptWeights } from '@llm-lab/model';
import type { Arr, Arr64 } from './reference';

// ---- LayerNorm ---------------------------------------------------------------------------------------------

export type LayerNormMistake =
  | 'ln-unbiased-variance' // divide by C - 1
  | 'ln-eps-outside-sqrt' //  (x - mean) / (sqrt(var) + eps)
  | 'ln-divide-by-variance' // (x - mean) / (var + eps)
  | 'ln-no-eps' //            (x - mean) / sqrt(var): a constant row is 0/0
  | 'ln-wrong-axis' //        normalised along the first axis instead of the last
  | 'ln-weight-bias-swapped';

export const LAYER_NORM_MISTAKES: readonly LayerNormMistake[] = [
  'ln-unbiased-variance', 'ln-eps-outside-sqrt', 'ln-divide-by-variance', 'ln-no-eps', 'ln-wrong-axis', 'ln-weight-bias-swapped',
];

/** LayerNorm over the last axis in float64: (x - mean) / sqrt(var + eps) * weight + bias, var biased. */
export function layerNorm64(x: Arr, weight: Arr, bias: Arr, eps = 1e-5, mistake?: LayerNormMistake): Arr64 {
  const shape = [...x.shape];
  const C = shape[shape.length - 1];
  const out = new Float64Array(x.data.length);
  // Slices to normalise: rows of the last axis, or (wrong axis) columns along the first axis.
  const wrongAxis = mistake === 'ln-wrong-axis';
  const len = wrongAxis ? shape[0] : C;
  const count = x.data.length / len;
  const step = wrongAxis ? count : 1;
  for (let s = 0; s < count; s++) {
    const base = wrongAxis ? s : s * C;
    let mean = 0;
    for (let a = 0; a < len; a++) mean += x.data[base + a * step];
    mean /= len;
    let v = 0;
    for (let a = 0; a < len; a++) v += (x.data[base + a * step] - mean) ** 2;
    v /= mistake === 'ln-unbiased-variance' ? len - 1 : len;
    const denom = mistake === 'ln-eps-outside-sqrt' ? Math.sqrt(v) + eps
      : mistake === 'ln-divide-by-variance' ? v + eps
      : mistake === 'ln-no-eps' ? Math.sqrt(v)
      : Math.sqrt(v + eps);
    for (let a = 0; a < len; a++) {
      const at = base + a * step;
      const c = at % C;
      const [w, b] = mistake === 'ln-weight-bias-swapped' ? [bias.data[c], weight.data[c]] : [weight.data[c], bias.data[c]];
      out[at] = ((x.data[at] - mean) / denom) * w + b;
    }
  }
  return { data: out, shape };
}

// ---- GELU --------------------------------------------------------------------------------------------------

/** 'gelu-erf' is not a mistake but another library's convention (nanoGPT's nn.GELU()): the catalogue says so. */
export type GeluMistake = 'gelu-erf' | 'gelu-relu' | 'gelu-sigmoid' | 'gelu-no-cubic' | 'gelu-no-half';

export const GELU_MISTAKES: readonly GeluMistake[] = ['gelu-erf', 'gelu-relu', 'gelu-sigmoid', 'gelu-no-cubic', 'gelu-no-half'];

/** erf by Abramowitz & Stegun 7.1.26 (error below 1.5e-7): enough to tell the exact GELU from the tanh one. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}

/** GPT-2's GELU, the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), or a mistake. */
export function gelu64(x: number, mistake?: GeluMistake): number {
  const c = Math.sqrt(2 / Math.PI);
  switch (mistake) {
    case 'gelu-erf': return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu-relu': return Math.max(0, x);
    case 'gelu-sigmoid': return x / (1 + Math.exp(-1.702 * x));
    case 'gelu-no-cubic': return 0.5 * x * (1 + Math.tanh(c * x));
    case 'gelu-no-half': return x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3)));
    default: return 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3)));
  }
}

// ---- the whole model, with the kit ------------------------------------------------------------------------

export type GptMistake =
  | 'gelu-erf' //              the exact GELU in the MLP: nanoGPT's nn.GELU() (a convention, not a mistake)
  | 'mlp-relu' //              ReLU in the MLP
  | 'mlp-no-activation' //     fc then proj with nothing between
  | 'post-ln' //               x = ln_1(x + attn(x)): the original Transformer's order, not GPT-2's
  | 'no-residual' //           x = attn(ln_1(x)); x = mlp(ln_2(x))
  | 'parallel-block' //        x + attn(ln_1(x)) + mlp(ln_2(x)): the MLP reads the block's input
  | 'same-layer-norm' //       ln_1's parameters used for ln_2 too
  | 'no-position-embedding' // only wte[ids]
  | 'no-final-layer-norm'; //  logits from the last block's output without ln_f

export const BLOCK_MISTAKES: readonly GptMistake[] = ['gelu-erf', 'mlp-relu', 'mlp-no-activation', 'post-ln', 'no-residual', 'parallel-block', 'same-layer-norm'];
export const GPT_MISTAKES: readonly GptMistake[] = [...BLOCK_MISTAKES, 'no-position-embedding', 'no-final-layer-norm'];

export interface ModelConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

type Get = (name: string) => Tensor;

/** One of the GELU variants (gelu64), elementwise on a kit tensor, in float64 then rounded. */
export function geluAs(x: Tensor, mistake: GeluMistake): Tensor {
  return tensor(Float32Array.from(x.data, (u) => gelu64(u, mistake)), [...x.shape]);
}

/** The exact GELU, x Φ(x), elementwise on a kit tensor (what nanoGPT's nn.GELU() computes), in float64 then rounded. */
export function geluErf(x: Tensor): Tensor {
  return geluAs(x, 'gelu-erf');
}

/**
 * The MLP of layer i, correct or with one mistake. `act` puts a wrong GELU (one of the GELU variants) in place of
 * the right one: what a learner's mlp computes when it calls their own gelu and that gelu is wrong.
 */
export function mlpVariant(x: Tensor, get: Get, i: number, mistake?: GptMistake, act?: GeluMistake): Tensor {
  const h = linear(x, get(`h.${i}.mlp.fc.weight`), get(`h.${i}.mlp.fc.bias`)); // (B, T, 4C)
  const a = mistake === 'mlp-relu' ? relu(h) : mistake === 'mlp-no-activation' ? h : mistake === 'gelu-erf' ? geluErf(h) : act ? geluAs(h, act) : gelu(h);
  return linear(a, get(`h.${i}.mlp.proj.weight`), get(`h.${i}.mlp.proj.bias`)); // (B, T, C)
}

/** Causal multi-head self-attention of layer i, the kit's way (as in nn.ts). x (B, T, C) -> (B, T, C). */
export function attentionOf(x: Tensor, get: Get, i: number, nh: number): { out: Tensor; weights: Tensor } {
  const [B, T, C] = x.shape;
  const hs = C / nh;
  const heads = (p: string) => transpose(linear(x, get(`h.${i}.attn.${p}.weight`), get(`h.${i}.attn.${p}.bias`)).reshape(B, T, nh, hs), 1, 2);
  const att = maskedFill(mul(matmul(heads('q'), transpose(heads('k'), -2, -1)), 1 / Math.sqrt(hs)), causalMask(T), -Infinity);
  const weights = softmax(att, -1); // (B, nh, T, T)
  const y = transpose(matmul(weights, heads('v')), 1, 2).reshape(B, T, C);
  return { out: linear(y, get(`h.${i}.attn.proj.weight`), get(`h.${i}.attn.proj.bias`)), weights };
}

/** One block, correct or with a block mistake (or a wrong GELU, `act`): { out, attnOut, attnWeights }. */
export function blockVariant(x: Tensor, get: Get, i: number, nh: number, mistake?: GptMistake, act?: GeluMistake): { out: Tensor; attnOut: Tensor; attnWeights: Tensor } {
  const ln = (t: Tensor, which: 1 | 2) => {
    const n = mistake === 'same-layer-norm' ? 1 : which;
    return layerNorm(t, get(`h.${i}.ln_${n}.weight`), get(`h.${i}.ln_${n}.bias`));
  };
  if (mistake === 'post-ln') {
    const a = attentionOf(x, get, i, nh);
    const x1 = ln(add(x, a.out), 1);
    return { out: ln(add(x1, mlpVariant(x1, get, i, undefined, act)), 2), attnOut: a.out, attnWeights: a.weights };
  }
  const a = attentionOf(ln(x, 1), get, i, nh);
  if (mistake === 'no-residual') return { out: mlpVariant(ln(a.out, 2), get, i, undefined, act), attnOut: a.out, attnWeights: a.weights };
  if (mistake === 'parallel-block') return { out: add(add(x, a.out), mlpVariant(ln(x, 2), get, i, undefined, act)), attnOut: a.out, attnWeights: a.weights };
  const x1 = add(x, a.out);
  return { out: add(x1, mlpVariant(ln(x1, 2), get, i, mistake, act)), attnOut: a.out, attnWeights: a.weights };
}

/** The whole forward pass, correct or with one mistake (or a wrong GELU, `act`). ids: B rows of T ids. Returns logits (B, T, V). */
export function gptVariant(get: Get, ids: readonly (readonly number[])[], config: ModelConfig, mistake?: GptMistake, act?: GeluMistake): Tensor {
  const B = ids.length;
  const T = ids[0].length;
  const tok = embedding(get('wte.weight'), ids.flat(), [B, T]); // (B, T, C)
  let x = mistake === 'no-position-embedding' ? tok : add(tok, embedding(get('wpe.weight'), Array.from({ length: T }, (_, t) => t), [T]));
  for (let i = 0; i < config.nLayer; i++) x = blockVariant(x, get, i, config.nHead, mistake, act).out;
  if (mistake !== 'no-final-layer-norm') x = layerNorm(x, get('ln_f.weight'), get('ln_f.bias'));
  return linear(x, get('wte.weight')); // (B, T, V), tied head
}

/**
 * A small GPT of any config with reproducible random weights (every tensor visibly non-zero): lets a check run the
 * learner's block and gptForward on another number of heads, layers, channels and another context length than the
 * bundled model's, against gptVariant / blockVariant as the reference.
 */
export function randomModel(config: ModelConfig, seed: number): { config: ModelConfig; weight(name: string): Tensor; weights(): Map<string, Tensor> } {
  const values = randomGptWeights(config, { seed, scale: 0.5 });
  const shapes = gptWeightShapes(config);
  const weight = (name: string): Tensor => {
    const v = values.get(name);
    if (!v) throw new Error(`randomModel: no weight ${name}`);
    return tensor(Float32Array.from(v), shapes.get(name)!);
  };
  return { config, weight, weights: () => new Map([...shapes.keys()].map((name) => [name, weight(name)])) };
}
