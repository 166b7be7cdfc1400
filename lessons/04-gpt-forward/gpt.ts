/**
 * The GPT forward pass, whole. When this passes, your code runs the course's trained model and
 * writes the same Moby-Dick as onnxruntime does.
 *
 * It builds on YOUR multi-head attention from the multi-head attention lesson, imported from
 * ../03-multi-head-attention/multihead.ts (which imports your attention from the attention lesson in turn).
 * The first check tests that import.
 *
 * Five tasks, in order: layerNorm, gelu, mlp, block, gptForward. Weights come as a Map from names to tensors
 * ('wte.weight', 'h.0.ln_1.weight', 'h.0.attn.q.weight', ...), modelled on nanoGPT's (see the lesson's
 * Conventions for where they differ); `param(w, name)` fetches one.
 *
 * Kit ops you may want (all broadcast like NumPy and PyTorch):
 *   add, sub, mul, div, pow, sqrt, tanh           elementwise; a plain number works as the second operand
 *   mean(x, -1, true), variance(x, -1, true)      over the last axis, keeping it with size 1 (biased variance)
 *   linear(x, weight, bias?)                      x @ weightᵀ + bias, weight (out, in) as in PyTorch
 *   embedding(table, ids, idsShape)               rows of a (N, C) table -> (...idsShape, C)
 * The kit also has layerNorm and gelu; write your own here (the checks cannot tell, but you will know them).
 */
import {
  type Tensor, TODO, add, div, embedding, linear, mean, mul, pow, sqrt, sub, tanh, variance,
} from '@llm-lab/kit';
import { type AttentionWeights, multiHeadAttention } from '../03-multi-head-attention/multihead';

// Re-exported so the checks can test your multi-head attention first.
export { multiHeadAttention };

export interface GptConfig {
  vocabSize: number; // V
  blockSize: number; // the longest sequence the model can read (rows of wpe)
  nLayer: number;
  nHead: number;
  nEmbd: number; //    C
}

/** Weights by name: wte.weight (V, C), wpe.weight (blockSize, C), h.<i>.ln_1.weight (C), ...; each (out, in) like nn.Linear's. */
export type Weights = ReadonlyMap<string, Tensor>;

/** The weight called `name`. (Given: it only adds a clear error message.) */
export function param(w: Weights, name: string): Tensor {
  const t = w.get(name);
  if (t) return t;
  const tied = name.startsWith('lm_head') ? ' There is no separate LM head: it is tied to wte.weight.' : '';
  throw new Error(`no weight named '${name}'.${tied} Names look like ${[...w.keys()].slice(0, 4).join(', ')}, ...`);
}

/**
 * LayerNorm over the last axis (C), as in PyTorch and GPT-2:
 *
 *   mean = mean of x over the last axis     var = mean of (x - mean)^2 (divide by C, not C - 1)
 *   y    = (x - mean) / sqrt(var + eps) * weight + bias           weight, bias: (C)
 *
 * x: (..., C) -> same shape.
 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  return TODO('layerNorm');
}

/**
 * GELU, GPT-2's tanh approximation: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))). Elementwise.
 * (PyTorch's nn.GELU(approximate='tanh'); nanoGPT's nn.GELU() is the exact erf form, which this model was not trained with.)
 */
export function gelu(x: Tensor): Tensor {
  return TODO('gelu');
}

/**
 * The MLP of block `layer`: widen to 4C, GELU, project back.
 *
 *   h = x Wfcᵀ + bfc   (B, T, 4C)     weights h.<layer>.mlp.fc.weight (4C, C), .bias (4C)
 *   y = gelu(h) Wpᵀ + bp (B, T, C)     weights h.<layer>.mlp.proj.weight (C, 4C), .bias (C)
 */
export function mlp(x: Tensor, w: Weights, layer: number): Tensor {
  return TODO('mlp');
}

export interface BlockOutput {
  out: Tensor; //         (B, T, C): the block's output, the residual stream after both branches
  attnOut: Tensor; //     (B, T, C): what the attention branch added (after its output projection)
  attnWeights: Tensor; // (B, nh, T, T): the attention weights of every head
}

/**
 * One pre-LayerNorm transformer block (GPT-2):
 *
 *   a = multiHeadAttention(layerNorm(x, ln_1), attn weights of this layer, nHead)
 *   x = x + a.out
 *   x = x + mlp(layerNorm(x, ln_2))
 *
 * Weight names start with `h.${layer}.`: ln_1, attn.q, attn.k, attn.v, attn.proj, ln_2, mlp.fc, mlp.proj.
 */
export function block(x: Tensor, w: Weights, layer: number, config: GptConfig): BlockOutput {
  return TODO('block');
}

export interface GptOutput {
  logits: Tensor; // (B, T, V)
  /**
   * What happened on the way, by the names the ONNX model uses for the same tensors:
   * 'embeddings' (B, T, C), and for each layer i: `attn_probs_${i}` (B, nh, T, T), `attn_out_${i}` (B, T, C),
   * `block_out_${i}` (B, T, C). The checks compare each with onnxruntime to find where a difference starts.
   */
  intermediates: Map<string, Tensor>;
}

/**
 * The GPT forward pass. ids: B sequences of T token ids (all the same length T <= blockSize).
 *
 *   x = wte[ids] + wpe[0..T)            (B, T, C)    token embedding + learned position embedding
 *   x = block(x) for each layer         (B, T, C)
 *   x = layerNorm(x, ln_f)              (B, T, C)
 *   logits = x @ wteᵀ                   (B, T, V)    the LM head is tied to the token embedding, no bias
 */
export function gptForward(w: Weights, ids: number[][], config: GptConfig): GptOutput {
  return TODO('gptForward');
}

export type { AttentionWeights };
