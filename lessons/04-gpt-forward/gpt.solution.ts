/**
 * The GPT forward-pass lesson, reference solution: the GPT-2 forward pass, on top of the multi-head attention
 * lesson's multi-head attention.
 *
 * GPT-2 (Radford et al. 2019), laid out as nanoGPT's model.py (Karpathy) writes it: pre-LayerNorm blocks
 * (Xiong et al. 2020 explain why pre-LN trains more easily than the original post-LN Transformer), GELU
 * (Hendrycks & Gimpel 2016), learned position embeddings, and an LM head tied to the token embedding (Press &
 * Wolf 2017). Where this differs from nanoGPT: GELU is GPT-2's tanh form (Hugging Face's gelu_new), the one this
 * model was trained with, where nanoGPT's nn.GELU() is the exact erf form; q, k, v have separate weights instead
 * of one fused c_attn; and the LM head scores every position, where nanoGPT's inference scores only the last.
 * LayerNorm and GELU are written from the kit's primitives to show what is in them; the kit's own layerNorm and
 * gelu compute the same.
 */
import {
  type Tensor, add, div, embedding, linear, mean, mul, pow, sqrt, sub, tanh, variance,
} from '@llm-lab/kit';
import { type AttentionWeights, multiHeadAttention } from '../03-multi-head-attention/multihead';

export { multiHeadAttention };

export interface GptConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

export type Weights = ReadonlyMap<string, Tensor>;

export function param(w: Weights, name: string): Tensor {
  const t = w.get(name);
  if (t) return t;
  const tied = name.startsWith('lm_head') ? ' There is no separate LM head: it is tied to wte.weight.' : '';
  throw new Error(`no weight named '${name}'.${tied} Names look like ${[...w.keys()].slice(0, 4).join(', ')}, ...`);
}

/** LayerNorm over the last axis: every token's C channels get mean 0 and variance 1, then a learned gain and shift. */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const mu = mean(x, -1, true); //          (..., 1): keepdim, so it broadcasts against x
  const v = variance(x, -1, true); //       (..., 1): biased (divide by C), as PyTorch's LayerNorm
  const xhat = div(sub(x, mu), sqrt(add(v, eps))); // (..., C); eps keeps a constant row from being 0/0
  return add(mul(xhat, weight), bias); //   (..., C); weight and bias (C) broadcast over the tokens
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh form (PyTorch's nn.GELU(approximate='tanh')): a smooth ReLU that lets small negative values through. */
export function gelu(x: Tensor): Tensor {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), GELU_C); // sqrt(2/pi) (x + 0.044715 x^3)
  return mul(mul(x, 0.5), add(tanh(inner), 1)); //                0.5 x (1 + tanh(...))
}

/** Position-wise feed-forward network: each token on its own, widened 4x in the middle. */
export function mlp(x: Tensor, w: Weights, layer: number): Tensor {
  const p = (name: string) => param(w, `h.${layer}.mlp.${name}`);
  const h = linear(x, p('fc.weight'), p('fc.bias')); //     (B, T, 4C)
  return linear(gelu(h), p('proj.weight'), p('proj.bias')); // (B, T, C)
}

export interface BlockOutput {
  out: Tensor;
  attnOut: Tensor;
  attnWeights: Tensor;
}

/** The weights of layer `layer`'s attention, in the shape the multi-head attention lesson's function takes. */
function attentionWeights(w: Weights, layer: number): AttentionWeights {
  const lin = (part: string) => ({ weight: param(w, `h.${layer}.attn.${part}.weight`), bias: param(w, `h.${layer}.attn.${part}.bias`) });
  return { q: lin('q'), k: lin('k'), v: lin('v'), proj: lin('proj') };
}

/**
 * Pre-LN block: "communicate" (attention between tokens), then "compute" (the MLP, per token), each
 * ADDED to the residual stream x. The stream itself is never normalised here, so every layer can read
 * what the embeddings and earlier layers wrote.
 */
export function block(x: Tensor, w: Weights, layer: number, config: GptConfig): BlockOutput {
  const p = (name: string) => param(w, `h.${layer}.${name}`);
  const a = multiHeadAttention(layerNorm(x, p('ln_1.weight'), p('ln_1.bias')), attentionWeights(w, layer), config.nHead);
  const x1 = add(x, a.out); //                                                              (B, T, C)
  const out = add(x1, mlp(layerNorm(x1, p('ln_2.weight'), p('ln_2.bias')), w, layer)); // (B, T, C)
  return { out, attnOut: a.out, attnWeights: a.weights };
}

export interface GptOutput {
  logits: Tensor;
  intermediates: Map<string, Tensor>;
}

export function gptForward(w: Weights, ids: number[][], config: GptConfig): GptOutput {
  const B = ids.length;
  const T = ids[0].length;
  if (ids.some((row) => row.length !== T)) throw new Error('gptForward: every sequence in the batch needs the same length');
  if (T > config.blockSize) throw new Error(`gptForward: ${T} tokens do not fit the model's context of ${config.blockSize}`);
  const intermediates = new Map<string, Tensor>();
  const tok = embedding(param(w, 'wte.weight'), ids.flat(), [B, T]); //                         (B, T, C)
  const pos = embedding(param(w, 'wpe.weight'), Array.from({ length: T }, (_, t) => t), [T]); // (T, C), shared by the batch
  let x = add(tok, pos); //                                                                     (B, T, C)
  intermediates.set('embeddings', x);
  for (let i = 0; i < config.nLayer; i++) {
    const b = block(x, w, i, config);
    x = b.out; // (B, T, C)
    intermediates.set(`attn_probs_${i}`, b.attnWeights).set(`attn_out_${i}`, b.attnOut).set(`block_out_${i}`, x);
  }
  x = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias')); // (B, T, C)
  // Tied LM head: score x against every token's embedding. linear(x, wte) is x @ wteᵀ: (B, T, C) @ (C, V).
  // Every position, not only the last (nanoGPT's inference shortcut): the logits at t predict token t + 1.
  const logits = linear(x, param(w, 'wte.weight')); // (B, T, V)
  return { logits, intermediates };
}

export type { AttentionWeights };
