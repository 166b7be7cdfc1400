/**
 * Recurrent networks, reference solution: an RNN cell and an LSTM cell laid out as PyTorch's nn.RNNCell and
 * nn.LSTMCell (weight_ih (G·H, I), weight_hh (G·H, H), two biases, the LSTM's gate blocks in the order i, f, g, o,
 * every parameter U(-1/√H, 1/√H)), and `unroll`, which runs a cell over a sequence. Backprop through time is the
 * kit's autograd on the graph the unrolled steps build.
 */
import { Module, Rng, type Tensor, add, div, exp, globalRng, linear, mul, narrow, neg, tanh, zeros } from '@llm-lab/kit';

/** sigmoid(x) = 1 / (1 + e^(-x)), from kit ops (autograd goes through it). */
export function sigmoid(x: Tensor): Tensor {
  return div(1, add(1, exp(neg(x))));
}

/** A trainable tensor of the given shape, uniform in [-bound, bound), drawn from rng (PyTorch's RNN init). */
export function uniform(shape: number[], bound: number, rng: Rng): Tensor {
  const t = zeros(shape, { requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rng.random() - 1) * bound;
  return t;
}

/** h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export class RNNCell extends Module {
  weightIh: Tensor; // (H, I)
  weightHh: Tensor; // (H, H)
  biasIh: Tensor; //   (H)
  biasHh: Tensor; //   (H)

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    this.weightIh = uniform([hiddenSize, inputSize], k, rng);
    this.weightHh = uniform([hiddenSize, hiddenSize], k, rng);
    this.biasIh = uniform([hiddenSize], k, rng);
    this.biasHh = uniform([hiddenSize], k, rng);
  }

  /** x (B, I), h (B, H) -> h' (B, H). */
  forward(x: Tensor, h: Tensor): Tensor {
    return tanh(add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)));
  }
}

/**
 * i, f, g, o = σ(z_i), σ(z_f), tanh(z_g), σ(z_o) with z = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh cut into four blocks of H;
 * c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
 */
export class LSTMCell extends Module {
  weightIh: Tensor; // (4H, I): rows [0, H) i, [H, 2H) f, [2H, 3H) g, [3H, 4H) o
  weightHh: Tensor; // (4H, H), same blocks
  biasIh: Tensor; //   (4H)
  biasHh: Tensor; //   (4H)

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    this.weightIh = uniform([4 * hiddenSize, inputSize], k, rng);
    this.weightHh = uniform([4 * hiddenSize, hiddenSize], k, rng);
    this.biasIh = uniform([4 * hiddenSize], k, rng);
    this.biasHh = uniform([4 * hiddenSize], k, rng);
  }

  /** x (B, I), [h, c] each (B, H) -> [h', c']. */
  forward(x: Tensor, state: [Tensor, Tensor]): [Tensor, Tensor] {
    const [h, c] = state;
    const H = this.hiddenSize;
    const z = add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)); // (B, 4H)
    const i = sigmoid(narrow(z, 1, 0, H));
    const f = sigmoid(narrow(z, 1, H, H));
    const g = tanh(narrow(z, 1, 2 * H, H));
    const o = sigmoid(narrow(z, 1, 3 * H, H));
    const c2 = add(mul(f, c), mul(i, g));
    const h2 = mul(o, tanh(c2));
    return [h2, c2];
  }
}

/**
 * Runs `cell` over xs (T tensors of (B, I)) from the initial state (zeros when not given) and returns the hidden
 * states after each step, h_1 ... h_T: each step gets the state the previous step returned.
 */
export function unroll(cell: RNNCell | LSTMCell, xs: Tensor[], h0?: Tensor | [Tensor, Tensor]): Tensor[] {
  const hs: Tensor[] = [];
  if (xs.length === 0) return hs;
  const B = xs[0].shape[0];
  const H = cell.hiddenSize;
  if (cell instanceof LSTMCell) {
    let state: [Tensor, Tensor] = (h0 as [Tensor, Tensor] | undefined) ?? [zeros([B, H]), zeros([B, H])];
    for (const x of xs) {
      state = cell.forward(x, state);
      hs.push(state[0]);
    }
  } else {
    let h = (h0 as Tensor | undefined) ?? zeros([B, H]);
    for (const x of xs) {
      h = cell.forward(x, h);
      hs.push(h);
    }
  }
  return hs;
}
