/**
 * The LoRA lesson, exercise 1: why LoRA. Count what full fine-tuning trains, and what a LoRA adapter trains instead.
 *
 * No tensors here, only arithmetic on shapes. The GPT's weights, in PyTorch's (out, in) layout, named like
 * nanoGPT's (wte, wpe, h.<i>, ln_1, ln_2, ln_f) except that q, k and v are three Linear layers where nanoGPT
 * and GPT-2 have one fused c_attn, and proj, fc stand for c_proj, c_fc:
 *   wte (V, C), wpe (blockSize, C)                  token and position embeddings; the LM head is tied to wte
 *   per block: ln_1.weight, ln_1.bias (C each)
 *              attn.q, attn.k, attn.v, attn.proj   Linear C -> C: weight (C, C), bias (C)
 *              ln_2.weight, ln_2.bias (C each)
 *              mlp.fc                              Linear C -> 4C: weight (4C, C), bias (4C)
 *              mlp.proj                            Linear 4C -> C: weight (C, 4C), bias (C)
 *   ln_f.weight, ln_f.bias (C each)
 * A LoRA adapter on a Linear with dIn inputs and dOut outputs is A (r, dIn) and B (dOut, r).
 */
import { TODO } from '@llm-lab/kit';

export interface ModelConfig {
  vocabSize: number; // V
  blockSize: number; // the longest context
  nLayer: number;
  nHead: number;
  nEmbd: number; //    C
}

/** The Linear layers an adapter can sit on (the part of the weight name after h.<i>.). */
export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

/** The trainable numbers of one rank-r adapter on a Linear layer with dIn inputs and dOut outputs. */
export function loraParams(dIn: number, dOut: number, r: number): number {
  return TODO('loraParams');
}

/** Every parameter of the GPT (weights, biases, LayerNorms, embeddings): what full fine-tuning trains. */
export function gptParams(config: ModelConfig): number {
  return TODO('gptParams');
}

/** The trainable numbers when every block gets a rank-r adapter on each of `targets` and nothing else trains. */
export function countTrainable(config: ModelConfig, targets: readonly LoRATarget[], r: number): number {
  return TODO('countTrainable');
}
