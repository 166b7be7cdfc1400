/**
 * The LoRA lesson, exercise 2, reference solution: a LoRA linear layer (Hu et al., "LoRA: Low-Rank Adaptation of
 * Large Language Models", 2021), laid out like PEFT's lora.Linear: the pretrained weight frozen, A (r, in)
 * random, B (out, r) zero, and the adapter's output scaled by alpha / r (PEFT's default; rsLoRA, PEFT's
 * use_rslora=True, would use alpha / sqrt(r)). PEFT also has lora_dropout on the adapter's input (0 by
 * default); this layer has none.
 */
import { type Linear, Module, Rng, type Tensor, add, linear, mul, randn, zeros } from '@llm-lab/kit';

export class LoRALinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor; //       (out, in), frozen
  bias: Tensor | null; //  (out), frozen
  A: Tensor; //            (r, in), trainable
  B: Tensor; //            (out, r), trainable
  readonly scale: number;

  constructor(base: Linear, readonly r: number, readonly alpha: number, rng: Rng = new Rng(0)) {
    super();
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    this.weight = base.weight;
    this.bias = base.bias;
    // Frozen: no gradient is computed for them, and parameters() leaves them out.
    this.weight.requiresGrad = false;
    if (this.bias) this.bias.requiresGrad = false;
    // A random and small, B zero: B A = 0, so at step 0 the layer is exactly the pretrained one, and the first
    // gradient step moves B (dB = s dYᵀ x Aᵀ is not zero). A is Gaussian, N(0, 1/in): the same std 1/sqrt(in) as
    // the bound of PyTorch's Linear init and of PEFT's default for lora_A, both uniform U(-1/sqrt(in), 1/sqrt(in))
    // (std 1/sqrt(3 in)). The checks accept either: only a small, seeded, random A matters.
    this.A = randn([r, this.inFeatures], rng, 1 / Math.sqrt(this.inFeatures), { requiresGrad: true });
    this.B = zeros([this.outFeatures, r], { requiresGrad: true });
    this.scale = alpha / r;
  }

  forward(x: Tensor): Tensor {
    const base = linear(x, this.weight, this.bias); //              (..., out)
    const update = linear(linear(x, this.A), this.B); //            (..., in) -> (..., r) -> (..., out)
    return add(base, mul(update, this.scale)); //                   (..., out)
  }
}
