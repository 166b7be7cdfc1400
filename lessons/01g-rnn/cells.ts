/**
 * Recurrent networks: an RNN cell, an LSTM cell, and `unroll`, which runs a cell over a sequence.
 *
 * The layout is PyTorch's (nn.RNNCell, nn.LSTMCell), so weights could be copied over one for one:
 *   weightIh (G·H, I), weightHh (G·H, H), biasIh (G·H), biasHh (G·H)
 * with G = 1 for the RNN and G = 4 for the LSTM, whose four gate blocks are stacked in the order i, f, g, o.
 * Every parameter starts uniform in [-1/√H, 1/√H) (H = hiddenSize), drawn from the rng you are given.
 *
 * There is no backward pass to write: build each step from kit ops, and the kit's autograd backpropagates
 * through the whole unrolled sequence (backprop through time).
 *
 * Kit pieces you may want:
 *   linear(x, w, b?)         x @ wᵀ (+ b), w of shape (out, in)
 *   add, mul, tanh           elementwise, broadcasting
 *   narrow(z, 1, start, n)   columns [start, start + n) of a (B, 4H) tensor: one gate's block
 *   zeros([B, H])            an all-zero state
 *   sigmoid, uniform         written for you below
 */
import { Module, Rng, type Tensor, TODO, add, div, exp, globalRng, linear, mul, narrow, neg, tanh, zeros } from '@llm-lab/kit';

/** sigmoid(x) = 1 / (1 + e^(-x)), from kit ops (autograd goes through it). Given: you wrote one in the MLP lesson. */
export function sigmoid(x: Tensor): Tensor {
  return div(1, add(1, exp(neg(x))));
}

/** A trainable tensor of the given shape, uniform in [-bound, bound), drawn from rng (PyTorch's RNN init). Given. */
export function uniform(shape: number[], bound: number, rng: Rng): Tensor {
  const t = zeros(shape, { requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rng.random() - 1) * bound;
  return t;
}

/** h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export class RNNCell extends Module {
  /** (H, I) */
  weightIh: Tensor;
  /** (H, H) */
  weightHh: Tensor;
  /** (H) */
  biasIh: Tensor;
  /** (H) */
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    // TODO: the four parameters, each uniform(shape, 1 / Math.sqrt(hiddenSize), rng), in the order declared above.
    TODO('RNNCell constructor');
  }

  /** x (B, I), h (B, H) -> h' (B, H). */
  forward(x: Tensor, h: Tensor): Tensor {
    return TODO('RNNCell.forward');
  }
}

/**
 * z = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh, (B, 4H), cut into four blocks of H columns: i, f, g, o (in that order).
 * i, f, o = sigmoid(their block): gates, between 0 and 1.  g = tanh(its block): the candidate, between -1 and 1.
 * c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c').
 */
export class LSTMCell extends Module {
  /** (4H, I): rows [0, H) for i, [H, 2H) for f, [2H, 3H) for g, [3H, 4H) for o. */
  weightIh: Tensor;
  /** (4H, H), the same blocks. */
  weightHh: Tensor;
  /** (4H) */
  biasIh: Tensor;
  /** (4H) */
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    // TODO: the four parameters as in RNNCell, with 4 * hiddenSize rows; the bound is still 1 / Math.sqrt(hiddenSize).
    TODO('LSTMCell constructor');
  }

  /** x (B, I), [h, c] each (B, H) -> [h', c'], each (B, H). */
  forward(x: Tensor, state: [Tensor, Tensor]): [Tensor, Tensor] {
    return TODO('LSTMCell.forward');
  }
}

/**
 * Runs `cell` over xs (T tensors of shape (B, I)) from the initial state h0 (for an LSTMCell, [h0, c0]; when
 * h0 is not given, zeros of (B, H)), and returns the hidden states after each step, [h_1, ..., h_T] (an empty
 * sequence gives []). Each step must get the state the previous step returned.
 */
export function unroll(cell: RNNCell | LSTMCell, xs: Tensor[], h0?: Tensor | [Tensor, Tensor]): Tensor[] {
  // Tip: `cell instanceof LSTMCell` tells the two apart; the LSTM's state is the pair [h, c].
  return TODO('unroll');
}
