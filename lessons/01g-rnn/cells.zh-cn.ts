/**
 * 循环神经网络：一个 RNN 单元、一个 LSTM 单元，以及把单元沿序列逐步运行的 `unroll`。
 *
 * 布局与 PyTorch（nn.RNNCell、nn.LSTMCell）相同，所以权重可以一一对应地拷过来：
 *   weightIh (G·H, I)，weightHh (G·H, H)，biasIh (G·H)，biasHh (G·H)
 * 其中 RNN 的 G = 1，LSTM 的 G = 4，LSTM 的四个门块按 i、f、g、o 的顺序上下堆叠。
 * 每个参数的初始值都在 [-1/√H, 1/√H) 上均匀分布（H = hiddenSize），用传进来的 rng 生成。
 *
 * 不需要手写反向传播：每一步都用库里的运算搭出来，库的自动求导就会沿着整个展开的序列
 * 反向传播（随时间反向传播，BPTT）。
 *
 * 可能用到的库函数：
 *   linear(x, w, b?)         x @ wᵀ (+ b)，w 的形状是 (out, in)
 *   add, mul, tanh           逐元素运算，支持广播
 *   narrow(z, 1, start, n)   取 (B, 4H) 张量的第 [start, start + n) 列：一个门的块
 *   zeros([B, H])            全零的状态
 *   sigmoid, uniform         下面已经替你写好
 */
import { Module, Rng, type Tensor, TODO, add, div, exp, globalRng, linear, mul, narrow, neg, tanh, zeros } from '@llm-lab/kit';

/** sigmoid(x) = 1 / (1 + e^(-x))，由库里的运算搭成（自动求导可以穿过它）。已给出：你在 MLP 一课里写过一个。 */
export function sigmoid(x: Tensor): Tensor {
  return div(1, add(1, exp(neg(x))));
}

/** 给定形状的可训练张量，在 [-bound, bound) 上均匀分布，由 rng 生成（PyTorch 对 RNN 的初始化）。已给出。 */
export function uniform(shape: number[], bound: number, rng: Rng): Tensor {
  const t = zeros(shape, { requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rng.random() - 1) * bound;
  return t;
}

/** h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)。 */
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
    // TODO：四个参数，每个都是 uniform(shape, 1 / Math.sqrt(hiddenSize), rng)，按上面声明的顺序创建。
    TODO('RNNCell constructor');
  }

  /** x (B, I)，h (B, H) -> h' (B, H)。 */
  forward(x: Tensor, h: Tensor): Tensor {
    return TODO('RNNCell.forward');
  }
}

/**
 * z = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh，形状 (B, 4H)，按列切成四块，每块 H 列：依次是 i、f、g、o。
 * i、f、o = sigmoid(各自的块)：门，取值在 0 到 1 之间。g = tanh(它的块)：候选值，取值在 -1 到 1 之间。
 * c' = f ⊙ c + i ⊙ g；h' = o ⊙ tanh(c')。
 */
export class LSTMCell extends Module {
  /** (4H, I)：第 [0, H) 行属于 i，[H, 2H) 属于 f，[2H, 3H) 属于 g，[3H, 4H) 属于 o。 */
  weightIh: Tensor;
  /** (4H, H)，分块方式相同。 */
  weightHh: Tensor;
  /** (4H) */
  biasIh: Tensor;
  /** (4H) */
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    // TODO：和 RNNCell 一样的四个参数，只是行数为 4 * hiddenSize；边界仍然是 1 / Math.sqrt(hiddenSize)。
    TODO('LSTMCell constructor');
  }

  /** x (B, I)，[h, c] 各为 (B, H) -> [h', c']，各为 (B, H)。 */
  forward(x: Tensor, state: [Tensor, Tensor]): [Tensor, Tensor] {
    return TODO('LSTMCell.forward');
  }
}

/**
 * 从初始状态 h0 出发（对 LSTMCell 是 [h0, c0]；没有给出 h0 时用 (B, H) 的全零状态），让 `cell` 依次读入
 * xs（T 个形状为 (B, I) 的张量），返回每一步之后的隐藏状态 [h_1, ..., h_T]（空序列返回 []）。
 * 每一步都必须拿到上一步返回的状态。
 */
export function unroll(cell: RNNCell | LSTMCell, xs: Tensor[], h0?: Tensor | [Tensor, Tensor]): Tensor[] {
  // 提示：用 `cell instanceof LSTMCell` 区分两种单元；LSTM 的状态是一对 [h, c]。
  return TODO('unroll');
}
