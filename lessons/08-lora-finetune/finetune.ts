/**
 * The LoRA fine-tuning lesson, exercise 1: fine-tune the bundled GPT with YOUR LoRA layer.
 *
 * This file builds on the LoRA lesson: it imports LoRALinear and merge from ../07-lora/, the files you wrote (they sit
 * next to this folder in your llm-lab/ folder). If the LoRA lesson does not pass yet, finish it first; the first
 * check here tests that import.
 *
 * Two tasks:
 *   addLoRA    freeze every parameter of the model, then put a LoRALinear on each target of every block
 *   mergeLoRA  replace every adapter by a plain Linear whose weight is the merged W + (alpha / r) B A
 * The checks do the rest: they load the trained model into a kit GPT, call addLoRA, train the adapters on State
 * of the Union addresses, then call mergeLoRA, export the merged model to ONNX and run it with onnxruntime.
 */
import { type Block, type GPT, Linear, Rng, TODO, noGrad } from '@llm-lab/kit';
import { LoRALinear } from '../07-lora/layer';
import { merge } from '../07-lora/merge';

// Re-exported so the checks can test your code from the LoRA lesson first.
export { LoRALinear, merge };

export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

export interface LoRAConfig {
  r: number;
  alpha: number;
  /** Which Linear layers of each block get an adapter. */
  targets: readonly LoRATarget[];
  /** Seed of the ONE Rng all the adapters' A matrices are drawn from, in order (block 0 first, targets in order). */
  seed: number;
}

/**
 * Where a target lives in a block: slot(block, 'attn.q') is { parent: block.attn, key: 'q' }, so
 * parent[key] is the layer, and `parent[key] = other` replaces it.
 */
export function slot(block: Block, target: LoRATarget): { parent: Record<string, Linear>; key: string } {
  const [part, key] = target.split('.') as ['attn' | 'mlp', string];
  return { parent: block[part] as unknown as Record<string, Linear>, key };
}

/** Freezes the model and wraps every target; returns the adapters by name, e.g. 'h.0.attn.q'. */
export function addLoRA(model: GPT, config: LoRAConfig): Map<string, LoRALinear> {
  return TODO('addLoRA');
}

/** Puts a Linear with the merged weight back in place of each adapter. */
export function mergeLoRA(model: GPT, adapters: Map<string, LoRALinear>): void {
  TODO('mergeLoRA');
}
