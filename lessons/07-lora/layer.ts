/**
 * The LoRA lesson, exercise 2: a LoRA linear layer.
 *
 *   y = x Wᵀ + b + (alpha / r) · x Aᵀ Bᵀ
 *
 * W (out, in) and b (out) come from a pretrained Linear and stay frozen; only A (r, in) and B (out, r) train.
 * B starts at zero, so at step 0 the layer computes exactly what the pretrained one did. The LoRA fine-tuning
 * lesson puts this class into the bundled GPT in place of its projections and fine-tunes it: it has the same
 * fields a kit Linear has (inFeatures, outFeatures, weight, bias, forward), so it fits wherever a Linear does.
 *
 * Kit pieces you may want:
 *   linear(x, w, b?)                   x @ wᵀ (+ b), w of shape (out, in): linear(x, A) is x Aᵀ
 *   add(a, b), mul(x, 0.5)             elementwise, broadcasting; mul by a plain number scales
 *   randn(shape, rng, std, { requiresGrad: true }),  zeros(shape, { requiresGrad: true })
 *   t.requiresGrad = false             freezes a tensor: backward() gives it no gradient, and a Module's
 *                                      parameters() (the list an optimizer gets) leaves it out
 */
import { type Linear, Module, Rng, type Tensor, TODO, add, linear, mul, randn, zeros } from '@llm-lab/kit';

export class LoRALinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** (out, in), frozen: the pretrained weight, shared with the Linear it came from. */
  weight: Tensor;
  /** (out), frozen, or null when the Linear has no bias. */
  bias: Tensor | null;
  /** (r, in), trainable: small random values drawn from `rng`. */
  A: Tensor;
  /** (out, r), trainable: zeros. */
  B: Tensor;
  /** alpha / r. */
  readonly scale: number;

  constructor(base: Linear, readonly r: number, readonly alpha: number, rng: Rng = new Rng(0)) {
    super();
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    this.weight = base.weight;
    this.bias = base.bias;
    // TODO: freeze weight and bias; make A and B (trainable, see their comments) and the scale.
    TODO('LoRALinear constructor');
  }

  /** x (..., in) -> (..., out). */
  forward(x: Tensor): Tensor {
    return TODO('LoRALinear.forward');
  }
}
