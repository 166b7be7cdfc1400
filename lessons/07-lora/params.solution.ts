/**
 * The LoRA lesson, exercise 1, reference solution: parameter counts of full fine-tuning and of LoRA.
 *
 * LoRA (Hu et al. 2021) replaces the update ΔW (dOut x dIn) of a frozen weight by a product B A of rank r,
 * so a layer trains r·(dIn + dOut) numbers instead of dIn·dOut.
 */
export interface ModelConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

export function loraParams(dIn: number, dOut: number, r: number): number {
  return r * dIn + dOut * r; // A (r, dIn) + B (dOut, r)
}

export function gptParams(config: ModelConfig): number {
  const { vocabSize: V, blockSize, nLayer, nEmbd: C } = config;
  const linear = (dIn: number, dOut: number) => dIn * dOut + dOut; // weight + bias
  const block = 2 * C + 4 * linear(C, C) + 2 * C + linear(C, 4 * C) + linear(4 * C, C);
  return V * C + blockSize * C + nLayer * block + 2 * C; // wte (also the head), wpe, blocks, ln_f
}

/** (dIn, dOut) of a target. */
function dims(config: ModelConfig, target: LoRATarget): [number, number] {
  const C = config.nEmbd;
  if (target === 'mlp.fc') return [C, 4 * C];
  if (target === 'mlp.proj') return [4 * C, C];
  return [C, C];
}

export function countTrainable(config: ModelConfig, targets: readonly LoRATarget[], r: number): number {
  const perBlock = targets.reduce((sum, t) => sum + loraParams(...dims(config, t), r), 0);
  return config.nLayer * perBlock;
}
