/**
 * The MLP lesson, exercise 1: activations, a Linear layer and a multi-layer perceptron.
 *
 * Everything works on the kit's Tensor and is built from kit ops, so autograd computes the gradients: you write
 * only forward passes. The makemore and RNN lessons import these from this file.
 *
 * Kit pieces you may want:
 *   add, sub, mul, div (broadcasting; a plain number works as either operand), exp, pow(x, 3)
 *   new Tensor(Float32Array.from(x.data, f), x.shape)     a CONSTANT tensor (no gradient) made from x's values,
 *                                                          e.g. a 0/1 mask or a ±1 sign
 *   linear(x, w, b?)                                       x @ wᵀ (+ b), w of shape (out, in)
 *   new Tensor(data, shape, true)                          a parameter (requiresGrad)
 *   rng.random()                                           uniform in [0, 1)
 * The kit also has fused relu, tanh and gelu: here you write your own (the checks compare values and gradients,
 * not how you wrote them).
 */
import { Module, Rng, Tensor, TODO, add, div, exp, globalRng, linear, mul, pow, sub } from '@llm-lab/kit';

/** max(x, 0), elementwise. Its gradient is 1 where x > 0 and 0 elsewhere (0 at x = 0, as in PyTorch). */
export function relu(x: Tensor): Tensor {
  // TODO: multiply x by a constant 0/1 mask.
  return TODO('relu');
}

/** tanh(x), elementwise. Must give exactly ±1 (not NaN) at x = ±1000, and a finite gradient there. */
export function tanh(x: Tensor): Tensor {
  // TODO: (e^x - e^-x) / (e^x + e^-x) overflows at |x| > 88 in float32: rewrite it with e^{-2|x|}.
  return TODO('tanh');
}

/** 1 / (1 + e^{-x}), elementwise. Must give exactly 0 and 1 at x = -1000 and 1000, with a finite gradient. */
export function sigmoid(x: Tensor): Tensor {
  // TODO: sigmoid(x) = (1 + tanh(x / 2)) / 2 is one form that cannot overflow.
  return TODO('sigmoid');
}

/** GELU in the tanh form GPT-2 uses: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
export function gelu(x: Tensor): Tensor {
  return TODO('gelu');
}

export type Init = 'kaiming' | 'xavier' | 'zeros';

/** y = x Wᵀ + b, weight (out, in) as in PyTorch. x (..., in) -> (..., out). */
export class Linear extends Module {
  /** (out, in), requiresGrad. */
  weight: Tensor;
  /** (out), requiresGrad, zeros; null when opts.bias is false. */
  bias: Tensor | null;

  /**
   * opts.init (default 'kaiming'): every weight drawn from opts.rng (default globalRng),
   *   'kaiming'  U(-√(6/in), √(6/in)), std √(2/in)
   *   'xavier'   U(-√(6/(in+out)), √(6/(in+out))), std √(2/(in+out))
   *   'zeros'    all zeros
   * The bias (opts.bias, default true) starts at zero.
   */
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean; init?: Init; rng?: Rng } = {}) {
    super();
    const { bias = true, init = 'kaiming', rng = globalRng } = opts;
    // TODO: make this.weight and this.bias.
    TODO('Linear constructor');
  }

  forward(x: Tensor): Tensor {
    return TODO('Linear.forward');
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh';

/**
 * sizes [in, h1, ..., out] -> Linear(in, h1), activation, Linear(h1, h2), activation, ..., Linear(.., out): no activation
 * after the last layer. Every Linear uses the default init and opts.rng (default globalRng). Throws if sizes has
 * fewer than 2 entries.
 */
export class MLP extends Module {
  layers: Linear[];
  readonly activation: Activation;

  constructor(sizes: number[], opts: { activation?: Activation; rng?: Rng } = {}) {
    super();
    this.activation = opts.activation ?? 'relu';
    const rng = opts.rng ?? globalRng;
    // TODO: check sizes, then build this.layers.
    this.layers = TODO('MLP constructor');
  }

  forward(x: Tensor): Tensor {
    return TODO('MLP.forward');
  }
}
