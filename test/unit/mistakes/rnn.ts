/**
 * The rnn lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake of
 * lessons/01g-rnn put into the reference solution, and the one check that names it run on it; and other libraries'
 * ways of writing the same cell, which must pass or be named as conventions.
 */
import { RNN_MISTAKES } from '../../../lessons/01g-rnn/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'rnn/cells';

// Lines of cells.solution.ts.
const IMPORT = 'import { Module, Rng, type Tensor, add,';
const RNN_STEP = 'return tanh(add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)));';
const LSTM_Z = 'const z = add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)); // (B, 4H)';
const GATE_I = 'const i = sigmoid(narrow(z, 1, 0, H));';
const GATE_F = 'const f = sigmoid(narrow(z, 1, H, H));';
const GATE_G = 'const g = tanh(narrow(z, 1, 2 * H, H));';
const GATE_O = 'const o = sigmoid(narrow(z, 1, 3 * H, H));';
const CELL = 'const c2 = add(mul(f, c), mul(i, g));';
const RNN_INIT = 'const k = 1 / Math.sqrt(hiddenSize);\n    this.weightIh = uniform([hiddenSize, inputSize], k, rng);';
const RNN_WHH = 'this.weightHh = uniform([hiddenSize, hiddenSize], k, rng);';
const LSTM_BIAS_IH = 'this.biasIh = uniform([4 * hiddenSize], k, rng);';
const RNN_LOOP = 'h = cell.forward(x, h);\n      hs.push(h);';
const LSTM_LOOP = 'state = cell.forward(x, state);';

// Checks (the start of their English names).
const RNN_INIT_CHECK = 'RNNCell: weightIh (H, I)';
const LSTM_INIT_CHECK = 'LSTMCell: weightIh (4H, I)';
const RNN_STEP_CHECK = 'RNNCell.forward: one step';
const LSTM_STEP_CHECK = 'LSTMCell.forward: one step';
const UNROLL_CHECK = 'unroll: h_1 ... h_T';

/** ONNX's W[iofc]: block 1 read as o, block 2 as f, block 3 as the candidate. */
const ONNX_ORDER: [string, string][] = [
  [GATE_F, 'const f = sigmoid(narrow(z, 1, 2 * H, H));'],
  [GATE_G, 'const g = tanh(narrow(z, 1, 3 * H, H));'],
  [GATE_O, 'const o = sigmoid(narrow(z, 1, H, H));'],
];
/** TensorFlow 1's LSTMCell: i, j, f, o, j the candidate. */
const TF_ORDER: [string, string][] = [
  [GATE_F, 'const f = sigmoid(narrow(z, 1, 2 * H, H));'],
  [GATE_G, 'const g = tanh(narrow(z, 1, H, H));'],
];

/** TensorFlow 1's BasicLSTMCell: sigmoid(f + forget_bias), forget_bias = 1.0, inside every step. */
const TF_FORGET_BIAS: [string, string][] = [[GATE_F, 'const f = sigmoid(add(narrow(z, 1, H, H), 1));']];

export const CASES: MistakeCase[] = mistakeCases(RNN_MISTAKES, EX, [
  { key: 'forget-on-input', check: LSTM_STEP_CHECK, edits: [[CELL, 'const c2 = add(mul(f, g), mul(i, c));']] },
  { key: 'state-not-carried', name: 'RNN: h0 fed to every step', check: UNROLL_CHECK, edits: [[RNN_LOOP, 'hs.push(cell.forward(x, h));']] },
  { key: 'state-not-carried', name: 'LSTM: c not carried', check: UNROLL_CHECK, edits: [[LSTM_LOOP, 'state = [cell.forward(x, state)[0], state[1]];']] },
  {
    key: 'activations-swapped', name: 'LSTM: tanh on the gates, sigmoid on g', check: LSTM_STEP_CHECK, edits: [
      [GATE_I, 'const i = tanh(narrow(z, 1, 0, H));'], [GATE_F, 'const f = tanh(narrow(z, 1, H, H));'],
      [GATE_G, 'const g = sigmoid(narrow(z, 1, 2 * H, H));'], [GATE_O, 'const o = tanh(narrow(z, 1, 3 * H, H));'],
    ],
  },
  { key: 'activations-swapped', name: 'LSTM: h\' = o ⊙ sigmoid(c\')', check: LSTM_STEP_CHECK, edits: [['const h2 = mul(o, tanh(c2));', 'const h2 = mul(o, sigmoid(c2));']] },
  { key: 'activations-swapped', name: 'RNN: sigmoid', check: RNN_STEP_CHECK, edits: [[RNN_STEP, RNN_STEP.replace('return tanh(', 'return sigmoid(')]] },
  {
    key: 'gate-order', name: 'g and o swapped', check: LSTM_STEP_CHECK,
    edits: [[GATE_G, 'const g = tanh(narrow(z, 1, 3 * H, H));'], [GATE_O, 'const o = sigmoid(narrow(z, 1, 2 * H, H));']],
  },
  { key: 'gate-order-onnx', check: LSTM_STEP_CHECK, edits: ONNX_ORDER },
  { key: 'gate-order-tf', check: LSTM_STEP_CHECK, edits: TF_ORDER },
  { key: 'forget-bias-in-step', check: LSTM_STEP_CHECK, edits: TF_FORGET_BIAS },
  {
    key: 'hh-not-transposed', check: RNN_STEP_CHECK, edits: [
      [IMPORT, 'import { Module, Rng, type Tensor, add, matmul,'],
      [RNN_STEP, 'return tanh(add(linear(x, this.weightIh, this.biasIh), add(matmul(h, this.weightHh), this.biasHh)));'],
    ],
  },
  { key: 'one-bias', name: 'RNN without biasHh', check: RNN_STEP_CHECK, edits: [[RNN_STEP, 'return tanh(add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh)));']] },
  {
    key: 'one-bias', name: 'LSTM without biasIh', check: LSTM_STEP_CHECK,
    edits: [[LSTM_Z, 'const z = add(linear(x, this.weightIh), linear(h, this.weightHh, this.biasHh));']],
  },
  { key: 'layout-in-out', check: RNN_INIT_CHECK, edits: [[RNN_INIT, RNN_INIT.replace('uniform([hiddenSize, inputSize]', 'uniform([inputSize, hiddenSize]')]] },
  { key: 'init-fan-in', check: RNN_INIT_CHECK, edits: [[RNN_INIT, RNN_INIT.replace('Math.sqrt(hiddenSize)', 'Math.sqrt(inputSize)')]] },
  { key: 'not-seeded', check: RNN_INIT_CHECK, edits: [[RNN_WHH, 'this.weightHh = uniform([hiddenSize, hiddenSize], k, globalRng);']] },
]);

export const VARIANTS: LibraryVariant[] = [
  // Gate orders of other libraries: PyTorch's layout is what the weights mean here, so they are named as conventions.
  { library: 'ONNX', name: 'gate blocks read as W[iofc]', exercise: EX, check: LSTM_STEP_CHECK, edits: ONNX_ORDER },
  { library: 'TensorFlow', name: 'gate blocks read as i, j, f, o (LSTMCell, BasicLSTMCell)', exercise: EX, check: LSTM_STEP_CHECK, edits: TF_ORDER },
  { library: 'TensorFlow', name: 'forget_bias = 1.0 added inside every step (BasicLSTMCell)', exercise: EX, check: LSTM_STEP_CHECK, edits: TF_FORGET_BIAS },
  {
    library: 'Keras', name: 'kernel (I, 4H) and recurrent_kernel (H, 4H), x @ W', exercise: EX, check: LSTM_INIT_CHECK, edits: [
      ['this.weightIh = uniform([4 * hiddenSize, inputSize], k, rng);', 'this.weightIh = uniform([inputSize, 4 * hiddenSize], k, rng);'],
      ['this.weightHh = uniform([4 * hiddenSize, hiddenSize], k, rng);', 'this.weightHh = uniform([hiddenSize, 4 * hiddenSize], k, rng);'],
    ],
  },
  // TensorFlow's cells compute one product of [x, h] with a stacked kernel: the same function, accepted.
  {
    library: 'TensorFlow', name: 'one product of the concatenated [x, h] (RNN)', exercise: EX, check: RNN_STEP_CHECK, edits: [
      [IMPORT, 'import { Module, Rng, type Tensor, add, cat,'],
      [RNN_STEP, 'return tanh(linear(cat([x, h], 1), cat([this.weightIh, this.weightHh], 1), add(this.biasIh, this.biasHh)));'],
    ],
  },
  {
    library: 'TensorFlow', name: 'one product of the concatenated [x, h] (LSTM)', exercise: EX, check: LSTM_STEP_CHECK, edits: [
      [IMPORT, 'import { Module, Rng, type Tensor, add, cat,'],
      [LSTM_Z, 'const z = linear(cat([x, h], 1), cat([this.weightIh, this.weightHh], 1), add(this.biasIh, this.biasHh));'],
    ],
  },
  // Keras's unit_forget_bias: the forget gate's bias starts at 1 (here: shifted by 1). Accepted.
  {
    library: 'Keras', name: 'unit_forget_bias: forget-gate bias + 1 at initialisation', exercise: EX, check: LSTM_INIT_CHECK, edits: [
      [LSTM_BIAS_IH, `${LSTM_BIAS_IH}\n    for (let j = hiddenSize; j < 2 * hiddenSize; j++) this.biasIh.data[j] += 1;`],
    ],
  },
];
