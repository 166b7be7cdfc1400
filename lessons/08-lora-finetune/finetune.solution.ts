/**
 * The LoRA fine-tuning lesson, exercise 1, reference solution: LoRA on the bundled GPT, the way PEFT's get_peft_model and
 * merge_and_unload work: freeze the base, replace the chosen Linear layers by LoRA layers that wrap them,
 * and at the end fold each adapter into its weight so the model is a plain GPT again.
 */
import { type Block, type GPT, Linear, Rng, noGrad } from '@llm-lab/kit';
import { LoRALinear } from '../07-lora/layer';
import { merge } from '../07-lora/merge';

export { LoRALinear, merge };

export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

export interface LoRAConfig {
  r: number;
  alpha: number;
  targets: readonly LoRATarget[];
  seed: number;
}

export function slot(block: Block, target: LoRATarget): { parent: Record<string, Linear>; key: string } {
  const [part, key] = target.split('.') as ['attn' | 'mlp', string];
  return { parent: block[part] as unknown as Record<string, Linear>, key };
}

export function addLoRA(model: GPT, config: LoRAConfig): Map<string, LoRALinear> {
  // Freeze everything first: afterwards model.parameters() lists only what the adapters add.
  for (const p of model.parameters()) p.requiresGrad = false;
  const rng = new Rng(config.seed); // one generator for all adapters: each gets its own A
  const adapters = new Map<string, LoRALinear>();
  model.h.forEach((block, i) => {
    for (const target of config.targets) {
      const { parent, key } = slot(block, target);
      const adapter = new LoRALinear(parent[key], config.r, config.alpha, rng); // wraps (and shares) the frozen weight
      parent[key] = adapter; // the block calls adapter.forward(x) from now on
      adapters.set(`h.${i}.${target}`, adapter);
    }
  });
  return adapters;
}

export function mergeLoRA(model: GPT, adapters: Map<string, LoRALinear>): void {
  for (const [name, a] of adapters) {
    const [, i, ...rest] = name.split('.');
    const { parent, key } = slot(model.h[Number(i)], rest.join('.') as LoRATarget);
    const merged = new Linear(a.inFeatures, a.outFeatures, a.bias !== null);
    merged.weight = noGrad(() => merge(a.weight, a.A, a.B, a.alpha, a.r)); // (out, in): W + (alpha / r) B A
    merged.bias = a.bias;
    parent[key] = merged;
  }
}
