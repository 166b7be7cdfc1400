/**
 * The MLP lesson, exercise 1, reference solution: activations, a Linear layer and a multi-layer perceptron, on the
 * kit's Tensor, shaped like PyTorch's torch.nn (Linear's weight is (out, in), y = x Wᵀ + b).
 *
 * Every activation is built from kit ops (exp, mul, add, div, pow, constant masks), so autograd works through it
 * without any backward code of our own. tanh is written in the form that cannot overflow, e^{-2|x|}; sigmoid and
 * GELU are built on it. GELU is the tanh approximation GPT-2 uses (PyTorch's nn.GELU() default is the exact erf form).
 *
 * Initialisation (He et al. 2015; Glorot and Bengio 2010), biases always start at zero:
 *   'kaiming'  U(-√(6/in), √(6/in)): std √(2/in), torch.nn.init.kaiming_uniform_(w, nonlinearity='relu')
 *   'xavier'   U(-√(6/(in+out)), √(6/(in+out))): std √(2/(in+out)), torch.nn.init.xavier_uniform_
 *   'zeros'    all zeros (only to see why nobody does it)
 * (PyTorch's nn.Linear default is kaiming_uniform_ with a = √5, which works out to U(±1/√in) for the weight and
 * for the bias.)
 */
import { Module, Rng, Tensor, add, div, exp, globalRng, linear, mul, pow, sub } from '@llm-lab/kit';

/** A constant tensor (no gradient) with f applied to each element of x's values. */
function constant(x: Tensor, f: (v: number) => number): Tensor {
  return new Tensor(Float32Array.from(x.data, f), x.shape);
}

/** max(x, 0): x times a constant 0/1 mask, so the gradient is 1 where x > 0 and 0 elsewhere. */
export function relu(x: Tensor): Tensor {
  return mul(x, constant(x, (v) => (v > 0 ? 1 : 0)));
}

/** tanh(x) = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}): e^{-2|x|} is at most 1, so nothing overflows at ±1000. */
export function tanh(x: Tensor): Tensor {
  const sign = constant(x, (v) => (v < 0 ? -1 : 1));
  const z = exp(mul(mul(x, sign), -2)); //             e^{-2|x|}, in (0, 1]
  return mul(sign, div(sub(1, z), add(1, z)));
}

/** sigmoid(x) = 1 / (1 + e^{-x}) = (1 + tanh(x / 2)) / 2, the form that stays finite (and its gradient too) at ±1000. */
export function sigmoid(x: Tensor): Tensor {
  return mul(add(tanh(mul(x, 0.5)), 1), 0.5);
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh form (GPT-2): 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
export function gelu(x: Tensor): Tensor {
  const u = mul(add(x, mul(pow(x, 3), 0.044715)), GELU_C);
  return mul(mul(x, 0.5), add(tanh(u), 1));
}

export type Init = 'kaiming' | 'xavier' | 'zeros';

/** y = x Wᵀ + b, weight (out, in) as in PyTorch. x (..., in) -> (..., out). */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean; init?: Init; rng?: Rng } = {}) {
    super();
    const { bias = true, init = 'kaiming', rng = globalRng } = opts;
    const bound = init === 'kaiming' ? Math.sqrt(6 / inFeatures) : init === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures)) : 0;
    const w = new Float32Array(outFeatures * inFeatures);
    for (let i = 0; i < w.length; i++) w[i] = bound === 0 ? 0 : (2 * rng.random() - 1) * bound;
    this.weight = new Tensor(w, [outFeatures, inFeatures], true);
    this.bias = bias ? new Tensor(new Float32Array(outFeatures), [outFeatures], true) : null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias); // (..., in) -> (..., out)
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh';

/** Linear, activation, Linear, activation, ..., Linear: no activation after the last layer (it gives logits). */
export class MLP extends Module {
  layers: Linear[];
  readonly activation: Activation;

  constructor(sizes: number[], opts: { activation?: Activation; rng?: Rng } = {}) {
    super();
    if (sizes.length < 2) throw new Error(`MLP: sizes must list at least an input and an output size, got [${sizes.join(', ')}]`);
    this.activation = opts.activation ?? 'relu';
    const rng = opts.rng ?? globalRng;
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) this.layers.push(new Linear(sizes[i], sizes[i + 1], { rng }));
  }

  forward(x: Tensor): Tensor {
    const act = this.activation === 'gelu' ? gelu : this.activation === 'tanh' ? tanh : relu;
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i < this.layers.length - 1) h = act(h);
    });
    return h;
  }
}
