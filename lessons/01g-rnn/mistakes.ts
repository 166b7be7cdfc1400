/**
 * The recurrent-networks lesson's catalogue of known mistakes (rnn/cells), in English and Simplified Chinese: one
 * place for the words, so the checks and the test that feeds every mistake through the runner
 * (test/unit/mistakes/rnn.ts) agree.
 *
 * Four entries are not mistakes but other libraries' conventions, marked `convention`: ONNX's LSTM operator stacks
 * its gate blocks as i, o, f, c, and TensorFlow 1's LSTMCell as i, j, f, o. The weights here have PyTorch's
 * layout, so the same numbers read in another order give another network: the checks name those orders as
 * conventions, as are TensorFlow 1's forget_bias added inside every step and Keras's (in, out) kernels. Keras's forget-gate bias of 1 at initialisation
 * (unit_forget_bias) is simply accepted.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const RNN_MISTAKES = defineMistakes({
  'forget-on-input': {
    message: t(
      'The forget gate multiplies the candidate instead of the old cell state: c\' = f ⊙ g + i ⊙ c. It must be c\' = f ⊙ c + i ⊙ g: f decides how much of the old memory c is kept, i how much of the new candidate g is written. (Reading the i block as f and the f block as i gives the same numbers.)',
      '遗忘门乘在了候选值上，而不是旧的细胞状态上：c\' = f ⊙ g + i ⊙ c。正确的是 c\' = f ⊙ c + i ⊙ g：f 决定旧记忆 c 保留多少，i 决定新候选值 g 写入多少。（把 i 块当成 f、把 f 块当成 i 来读，得到的也是同样的数。）',
    ),
    hint: t(
      'c2 = add(mul(f, c), mul(i, g)), with i the block [0, H) and f the block [H, 2H) of z.',
      'c2 = add(mul(f, c), mul(i, g))，其中 i 是 z 的第 [0, H) 块，f 是第 [H, 2H) 块。',
    ),
  },
  'state-not-carried': {
    message: t(
      'The hidden state is not carried between steps: every step of unroll starts again from the initial state (for the LSTM, h or c or both), so step t never sees the inputs before it and the network has no memory.',
      '隐藏状态没有在时间步之间传递：unroll 的每一步都重新从初始状态出发（对 LSTM 而言是 h、c 或两者），于是第 t 步看不到它之前的输入，网络也就没有记忆。',
    ),
    hint: t(
      'Keep the state in a variable outside the loop and overwrite it with what each step returns: h = cell.forward(x, h) (for the LSTM, state = cell.forward(x, state), and push state[0]).',
      '把状态放在循环外的一个变量里，每一步都用返回值覆盖它：h = cell.forward(x, h)（对 LSTM 是 state = cell.forward(x, state)，再把 state[0] 放进结果）。',
    ),
  },
  'activations-swapped': {
    message: t(
      'tanh and sigmoid are swapped: sigmoid, with values in (0, 1), belongs on the gates i, f and o, which scale things; tanh, with values in (-1, 1), on the values: the candidate g, the squashing of c\' in h\' = o ⊙ tanh(c\'), and the plain RNN\'s new state.',
      'tanh 和 sigmoid 用反了：取值在 (0, 1) 的 sigmoid 用在门 i、f、o 上，它们起缩放作用；取值在 (-1, 1) 的 tanh 用在值上：候选值 g、h\' = o ⊙ tanh(c\') 中对 c\' 的压缩，以及普通 RNN 的新状态。',
    ),
    hint: t(
      'LSTM: i = sigmoid(z_i), f = sigmoid(z_f), g = tanh(z_g), o = sigmoid(z_o), h\' = mul(o, tanh(c\')). RNN: h\' = tanh(...).',
      'LSTM：i = sigmoid(z_i)，f = sigmoid(z_f)，g = tanh(z_g)，o = sigmoid(z_o)，h\' = mul(o, tanh(c\'))。RNN：h\' = tanh(...)。',
    ),
  },
  'gate-order': {
    message: t(
      'The gate blocks are read in another order than PyTorch\'s: weightIh and weightHh stack four blocks of H rows as i, f, g, o, and reading them in another order builds another network from the same weights (weights loaded from PyTorch would not work).',
      '门块的读取顺序与 PyTorch 不同：weightIh 和 weightHh 按 i、f、g、o 的顺序堆叠了四个各 H 行的块，换一种顺序去读，同样的权重就变成了另一个网络（从 PyTorch 载入的权重将无法使用）。',
    ),
    hint: t(
      'i = block [0, H), f = [H, 2H), g = [2H, 3H), o = [3H, 4H) of z: narrow(z, 1, 0, H), narrow(z, 1, H, H), narrow(z, 1, 2 * H, H), narrow(z, 1, 3 * H, H).',
      'z 的第 [0, H) 块是 i，[H, 2H) 是 f，[2H, 3H) 是 g，[3H, 4H) 是 o：narrow(z, 1, 0, H)、narrow(z, 1, H, H)、narrow(z, 1, 2 * H, H)、narrow(z, 1, 3 * H, H)。',
    ),
  },
  'gate-order-onnx': {
    convention: 'ONNX',
    message: t(
      'The gate blocks are read as i, o, f, g: that is the convention of ONNX, whose LSTM operator stacks its weights as W[iofc]. This lesson uses PyTorch\'s layout, i, f, g, o (nn.LSTMCell, also cuDNN\'s and Keras\'s order), so that weights trained in PyTorch load one for one: read block 1 as f, block 2 as g and block 3 as o.',
      '门块被按 i、o、f、g 的顺序读取：这是 ONNX 的约定，它的 LSTM 算子把权重按 W[iofc] 堆叠。本课使用 PyTorch 的布局 i、f、g、o（nn.LSTMCell 的顺序，也是 cuDNN 和 Keras 的顺序），这样在 PyTorch 里训练的权重可以一一对应地载入：请把第 1 块读作 f，第 2 块读作 g，第 3 块读作 o。',
    ),
    hint: t(
      'i = narrow(z, 1, 0, H), f = narrow(z, 1, H, H), g = narrow(z, 1, 2 * H, H), o = narrow(z, 1, 3 * H, H).',
      'i = narrow(z, 1, 0, H)，f = narrow(z, 1, H, H)，g = narrow(z, 1, 2 * H, H)，o = narrow(z, 1, 3 * H, H)。',
    ),
  },
  'gate-order-tf': {
    convention: 'TensorFlow',
    message: t(
      'The gate blocks are read as i, g, f, o: that is the convention of TensorFlow, whose LSTMCell and BasicLSTMCell (tf.compat.v1) split the gate inputs as i, j, f, o, j being the candidate. This lesson uses PyTorch\'s layout, i, f, g, o (nn.LSTMCell, also cuDNN\'s and Keras\'s order), so that weights trained in PyTorch load one for one: read block 1 as f and block 2 as g.',
      '门块被按 i、g、f、o 的顺序读取：这是 TensorFlow 的约定，它的 LSTMCell 和 BasicLSTMCell（tf.compat.v1）把门的输入按 i、j、f、o 切分，j 就是候选值。本课使用 PyTorch 的布局 i、f、g、o（nn.LSTMCell 的顺序，也是 cuDNN 和 Keras 的顺序），这样在 PyTorch 里训练的权重可以一一对应地载入：请把第 1 块读作 f，第 2 块读作 g。',
    ),
    hint: t(
      'f = narrow(z, 1, H, H) and g = narrow(z, 1, 2 * H, H).',
      'f = narrow(z, 1, H, H)，g = narrow(z, 1, 2 * H, H)。',
    ),
  },
  'forget-bias-in-step': {
    convention: 'TensorFlow',
    message: t(
      'The forget gate is σ(z_f + 1): a forget bias of 1 is added inside every step. That is the convention of TensorFlow, whose BasicLSTMCell and LSTMCell (tf.compat.v1) add forget_bias = 1.0 to the forget gate\'s input at every step. This lesson\'s cell, like PyTorch\'s nn.LSTMCell, adds nothing: the forget bias is a parameter (biasIh and biasHh), so a cell that wants an open forget gate starts its bias at 1 instead (as Keras\'s unit_forget_bias does). Remove the + 1 from the step.',
      '遗忘门算成了 σ(z_f + 1)：每一步都额外加了一个为 1 的遗忘偏置。这是 TensorFlow 的约定，它的 BasicLSTMCell 和 LSTMCell（tf.compat.v1）在每一步都给遗忘门的输入加上 forget_bias = 1.0。本课的单元和 PyTorch 的 nn.LSTMCell 一样，什么也不加：遗忘偏置是参数（biasIh 和 biasHh），想让遗忘门一开始敞开，就把这个偏置初始化为 1（Keras 的 unit_forget_bias 就是这么做的）。请去掉这一步里的 + 1。',
    ),
    hint: t(
      'f = sigmoid(narrow(z, 1, H, H)), with nothing added.',
      'f = sigmoid(narrow(z, 1, H, H))，不加任何常数。',
    ),
  },
  'layout-in-out': {
    convention: 'Keras',
    message: t(
      'The weights are laid out (in, out), for x @ W: that is the convention of Keras, whose LSTM and SimpleRNN keep a kernel (I, G·H) and a recurrent_kernel (H, G·H) (TensorFlow 1\'s cells too). This lesson stores every weight (out, in), as PyTorch\'s nn.RNNCell and nn.LSTMCell and every Linear of the course do, so that linear(x, W) computes x Wᵀ and weights trained in PyTorch load one for one: make weightIh (G·H, I) and weightHh (G·H, H).',
      '权重的布局是 (in, out)，对应 x @ W：这是 Keras 的约定，它的 LSTM 和 SimpleRNN 保存的是 kernel (I, G·H) 和 recurrent_kernel (H, G·H)（TensorFlow 1 的单元也是如此）。本课和 PyTorch 的 nn.RNNCell、nn.LSTMCell 以及本课程中所有的 Linear 一样，把每个权重存成 (out, in)，这样 linear(x, W) 计算的就是 x Wᵀ，在 PyTorch 里训练的权重也能一一对应地载入：请让 weightIh 为 (G·H, I)，weightHh 为 (G·H, H)。',
    ),
    hint: t(
      'uniform([G * hiddenSize, inputSize], k, rng) and uniform([G * hiddenSize, hiddenSize], k, rng), with G = 1 (RNN) or 4 (LSTM); then linear(x, this.weightIh, this.biasIh).',
      'uniform([G * hiddenSize, inputSize], k, rng) 和 uniform([G * hiddenSize, hiddenSize], k, rng)，其中 G = 1（RNN）或 4（LSTM）；然后用 linear(x, this.weightIh, this.biasIh)。',
    ),
  },
  'hh-not-transposed': {
    message: t(
      'The recurrent term is h W_hh instead of h W_hhᵀ: weightHh is (out, in) like every Linear weight, so the step needs h @ weightHhᵀ. (A square matrix fits either way, which is why nothing threw.)',
      '循环项算成了 h W_hh，应为 h W_hhᵀ：weightHh 和所有 Linear 权重一样是 (out, in)，所以这一步要算 h @ weightHhᵀ。（方阵怎么乘形状都对得上，所以没有报错。）',
    ),
    hint: t(
      'linear(h, this.weightHh, this.biasHh) computes h W_hhᵀ + b_hh; or matmul(h, transpose(this.weightHh, 0, 1)).',
      'linear(h, this.weightHh, this.biasHh) 计算的就是 h W_hhᵀ + b_hh；也可以写 matmul(h, transpose(this.weightHh, 0, 1))。',
    ),
  },
  'one-bias': {
    message: t(
      'One of the two biases is missing: PyTorch\'s cells add both biasIh and biasHh (z = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). Their sum acts as one bias, but both are parameters of the cell and both must be in the sum.',
      '两个偏置少了一个：PyTorch 的单元会同时加上 biasIh 和 biasHh（z = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh）。二者之和起一个偏置的作用，但两者都是单元的参数，都必须加进去。',
    ),
    hint: t(
      'add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)).',
      'add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh))。',
    ),
  },
  'init-fan-in': {
    message: t(
      'The parameters are drawn with the bound 1/√inputSize, as a Linear layer would: PyTorch\'s RNNCell and LSTMCell draw every weight and bias from U(-1/√H, 1/√H) with H = hiddenSize.',
      '参数的初始化边界用了 1/√inputSize，就像 Linear 层那样：PyTorch 的 RNNCell 和 LSTMCell 的每个权重和偏置都从 U(-1/√H, 1/√H) 抽取，其中 H = hiddenSize。',
    ),
    hint: t(
      'uniform(shape, 1 / Math.sqrt(hiddenSize), rng) for all four parameters.',
      '四个参数都用 uniform(shape, 1 / Math.sqrt(hiddenSize), rng)。',
    ),
  },
  'not-seeded': {
    message: t(
      'The parameters do not come from the rng you were given: two cells built with the same seed should start identical, and two seeds should differ, so a run can be repeated.',
      '参数不是用传进来的 rng 生成的：用同一个种子构造的两个单元应当初始值完全相同，不同的种子则应不同，这样实验才能复现。',
    ),
    hint: t(
      'Pass the constructor\'s rng to uniform(shape, bound, rng), not globalRng or Math.random.',
      '把构造函数的 rng 传给 uniform(shape, bound, rng)，不要用 globalRng 或 Math.random。',
    ),
  },
});

export type RNNMistake = keyof typeof RNN_MISTAKES;
