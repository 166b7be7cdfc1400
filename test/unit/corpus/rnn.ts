/**
 * The rnn lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for rnn/cells written
 * independently of the catalogue. Correct files in other styles than the reference (matmul + transpose and a
 * tanh-form sigmoid, one product of the concatenated [x, h], one linear per gate on slices of the weights, an
 * unroll written with indices and a fold), and one-bug variants: most of them mistakes no catalogue names (an
 * off-by-one in unroll, a missing tanh, a wrong init bound, a gate read from the wrong block, a mutated input, the
 * wrong bias, a default state of the wrong size, biases left at zero, a detached state, the pair in the wrong order), the others catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed from the resulting file: the line where a marker (by default the first line of
 * the changed text) occurs, exactly once. Every check is quick (the whole exercise runs in well under a second).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'rnn/cells';
const REFERENCE = readFileSync(path.join(LESSONS, '01g-rnn', 'cells.solution.ts'), 'utf8');

interface BugOptions { catalogued?: string; kitOps?: boolean; at?: string }

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source };
}

function bug(name: string, base: string, edits: [string, string][], opts: BugOptions = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name),
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

/** matmul with an explicit transpose, sigmoid in its tanh form, slice for the gate blocks, init drawn by a helper. */
const MATMUL_STYLE = `import { Module, Rng, type Tensor, add, globalRng, matmul, mul, slice, tanh, tensor, transpose, zeros } from '@llm-lab/kit';

export function sigmoid(x: Tensor): Tensor {
  // σ(x) = (1 + tanh(x / 2)) / 2
  return mul(add(tanh(mul(x, 0.5)), 1), 0.5);
}

function param(shape: number[], k: number, rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let j = 0; j < n; j++) values[j] = k * (2 * rng.random() - 1);
  return tensor(values, shape, { requiresGrad: true });
}

function affine(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return add(matmul(x, transpose(w, 0, 1)), b);
}

export class RNNCell extends Module {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const k = Math.sqrt(1 / hiddenSize);
    this.weightIh = param([hiddenSize, inputSize], k, rng);
    this.weightHh = param([hiddenSize, hiddenSize], k, rng);
    this.biasIh = param([hiddenSize], k, rng);
    this.biasHh = param([hiddenSize], k, rng);
  }

  forward(x: Tensor, h: Tensor): Tensor {
    const pre = add(affine(h, this.weightHh, this.biasHh), affine(x, this.weightIh, this.biasIh));
    return tanh(pre);
  }
}

export class LSTMCell extends Module {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const k = Math.sqrt(1 / hiddenSize);
    const G = 4 * hiddenSize;
    this.weightIh = param([G, inputSize], k, rng);
    this.weightHh = param([G, hiddenSize], k, rng);
    this.biasIh = param([G], k, rng);
    this.biasHh = param([G], k, rng);
  }

  forward(x: Tensor, [h, c]: [Tensor, Tensor]): [Tensor, Tensor] {
    const H = this.hiddenSize;
    const z = add(affine(x, this.weightIh, this.biasIh), affine(h, this.weightHh, this.biasHh));
    const block = (n: number) => slice(z, -1, n * H, (n + 1) * H);
    const inGate = sigmoid(block(0));
    const forgetGate = sigmoid(block(1));
    const candidate = tanh(block(2));
    const outGate = sigmoid(block(3));
    const cNext = add(mul(forgetGate, c), mul(inGate, candidate));
    return [mul(outGate, tanh(cNext)), cNext];
  }
}

type State = Tensor | [Tensor, Tensor];

/** One step, then the rest of the sequence from the new state (recursion: sequences here are short). */
function rest(cell: RNNCell | LSTMCell, xs: Tensor[], t: number, state: State): Tensor[] {
  if (t === xs.length) return [];
  const next: State = cell instanceof LSTMCell ? cell.forward(xs[t], state as [Tensor, Tensor]) : cell.forward(xs[t], state as Tensor);
  return [Array.isArray(next) ? next[0] : next, ...rest(cell, xs, t + 1, next)];
}

export function unroll(cell: RNNCell | LSTMCell, xs: Tensor[], h0?: Tensor | [Tensor, Tensor]): Tensor[] {
  if (xs.length === 0) return [];
  const zero = () => zeros([xs[0].shape[0], cell.hiddenSize]);
  const start: State = h0 ?? (cell instanceof LSTMCell ? [zero(), zero()] : zero());
  return rest(cell, xs, 0, start);
}
`;

/** TensorFlow's way: one product of the concatenated [x, h] with the stacked weights; unroll as a fold. */
const CONCAT_STYLE = `import { Module, Rng, type Tensor, add, cat, div, exp, globalRng, linear, mul, narrow, neg, tanh, zeros } from '@llm-lab/kit';

export function sigmoid(x: Tensor): Tensor {
  return div(1, add(exp(neg(x)), 1));
}

export function uniform(shape: number[], bound: number, rng: Rng): Tensor {
  const t = zeros(shape, { requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * rng.random() - 1) * bound;
  return t;
}

/** [x, h] (B, I + H) times the stacked [W_ih, W_hh] (G·H, I + H), plus both biases. */
function gates(x: Tensor, h: Tensor, p: { weightIh: Tensor; weightHh: Tensor; biasIh: Tensor; biasHh: Tensor }): Tensor {
  return linear(cat([x, h], 1), cat([p.weightIh, p.weightHh], 1), add(p.biasIh, p.biasHh));
}

export class RNNCell extends Module {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    this.weightIh = uniform([hiddenSize, inputSize], k, rng);
    this.weightHh = uniform([hiddenSize, hiddenSize], k, rng);
    this.biasIh = uniform([hiddenSize], k, rng);
    this.biasHh = uniform([hiddenSize], k, rng);
  }

  forward(x: Tensor, h: Tensor): Tensor {
    return tanh(gates(x, h, this));
  }
}

export class LSTMCell extends Module {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    this.weightIh = uniform([4 * hiddenSize, inputSize], k, rng);
    this.weightHh = uniform([4 * hiddenSize, hiddenSize], k, rng);
    this.biasIh = uniform([4 * hiddenSize], k, rng);
    this.biasHh = uniform([4 * hiddenSize], k, rng);
  }

  forward(x: Tensor, state: [Tensor, Tensor]): [Tensor, Tensor] {
    const H = this.hiddenSize;
    const z = gates(x, state[0], this);
    const [i, f, g, o] = [0, 1, 2, 3].map((k) => narrow(z, 1, k * H, H));
    const c = add(mul(sigmoid(f), state[1]), mul(sigmoid(i), tanh(g)));
    return [mul(sigmoid(o), tanh(c)), c];
  }
}

export function unroll(cell: RNNCell | LSTMCell, xs: Tensor[], h0?: Tensor | [Tensor, Tensor]): Tensor[] {
  if (!xs.length) return [];
  const zero = () => zeros([xs[0].shape[0], cell.hiddenSize]);
  if (cell instanceof LSTMCell) {
    const states = xs.reduce<[Tensor, Tensor][]>((acc, x) => [...acc, cell.forward(x, acc[acc.length - 1])],
      [(h0 as [Tensor, Tensor] | undefined) ?? [zero(), zero()]]);
    return states.slice(1).map((s) => s[0]);
  }
  const rnn = cell;
  const hs = xs.reduce<Tensor[]>((acc, x) => [...acc, rnn.forward(x, acc[acc.length - 1])], [(h0 as Tensor | undefined) ?? zero()]);
  return hs.slice(1);
}
`;

/** One linear per gate on row slices of the weights (nn.LSTM's documentation's W_ii, W_if, ... written out). */
const PER_GATE_STYLE = `import { Module, Rng, type Tensor, add, div, exp, globalRng, linear, mul, narrow, neg, sub, tanh, zeros } from '@llm-lab/kit';

export function sigmoid(x: Tensor): Tensor {
  return div(1, add(1, exp(neg(x))));
}

export function uniform(shape: number[], bound: number, rng: Rng): Tensor {
  const t = zeros(shape, { requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i] = bound * (1 - 2 * rng.random());
  return t;
}

export class RNNCell extends Module {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const bound = 1 / Math.sqrt(hiddenSize);
    this.weightIh = uniform([hiddenSize, inputSize], bound, rng);
    this.weightHh = uniform([hiddenSize, hiddenSize], bound, rng);
    this.biasIh = uniform([hiddenSize], bound, rng);
    this.biasHh = uniform([hiddenSize], bound, rng);
  }

  forward(x: Tensor, h: Tensor): Tensor {
    // tanh(a) = 2 σ(2a) - 1
    const a = add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh));
    return sub(mul(sigmoid(mul(a, 2)), 2), 1);
  }
}

export class LSTMCell extends Module {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, rng: Rng = globalRng) {
    super();
    const bound = 1 / Math.sqrt(hiddenSize);
    this.weightIh = uniform([4 * hiddenSize, inputSize], bound, rng);
    this.weightHh = uniform([4 * hiddenSize, hiddenSize], bound, rng);
    this.biasIh = uniform([4 * hiddenSize], bound, rng);
    this.biasHh = uniform([4 * hiddenSize], bound, rng);
  }

  private gate(k: number, x: Tensor, h: Tensor): Tensor {
    const H = this.hiddenSize;
    const wi = narrow(this.weightIh, 0, k * H, H);
    const wh = narrow(this.weightHh, 0, k * H, H);
    const bi = narrow(this.biasIh, 0, k * H, H);
    const bh = narrow(this.biasHh, 0, k * H, H);
    return add(add(linear(x, wi), bi), add(linear(h, wh), bh));
  }

  forward(x: Tensor, state: [Tensor, Tensor]): [Tensor, Tensor] {
    const [h, c] = state;
    const i = sigmoid(this.gate(0, x, h));
    const f = sigmoid(this.gate(1, x, h));
    const g = tanh(this.gate(2, x, h));
    const o = sigmoid(this.gate(3, x, h));
    const cNew = add(mul(i, g), mul(f, c));
    const hNew = mul(tanh(cNew), o);
    return [hNew, cNew];
  }
}

export function unroll(cell: RNNCell | LSTMCell, xs: Tensor[], h0?: Tensor | [Tensor, Tensor]): Tensor[] {
  const T = xs.length;
  const hs = new Array<Tensor>(T);
  if (T === 0) return hs;
  const B = xs[0].shape[0];
  const H = cell.hiddenSize;
  if (cell instanceof RNNCell) {
    let h = h0 === undefined ? zeros([B, H]) : (h0 as Tensor);
    for (let t = 0; t < T; t++) hs[t] = h = cell.forward(xs[t], h);
    return hs;
  }
  let [h, c] = h0 === undefined ? [zeros([B, H]), zeros([B, H])] : (h0 as [Tensor, Tensor]);
  for (let t = 0; t < T; t++) {
    [h, c] = cell.forward(xs[t], [h, c]);
    hs[t] = h;
  }
  return hs;
}
`;

/** The reference with the two biases summed first, and unroll carrying the state through a while loop. */
const SUMMED_BIAS = withEdits(REFERENCE, [
  ['return tanh(add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)));',
    'const b = add(this.biasIh, this.biasHh);\n    return tanh(add(add(linear(x, this.weightIh), linear(h, this.weightHh)), b));'],
  [`    let h = (h0 as Tensor | undefined) ?? zeros([B, H]);
    for (const x of xs) {
      h = cell.forward(x, h);
      hs.push(h);
    }`, `    let h = (h0 as Tensor | undefined) ?? zeros([B, H]);
    let t = 0;
    while (t < xs.length) {
      const next = cell.forward(xs[t++], h);
      hs.push(next);
      h = next;
    }`],
], 'summed bias');

export const CORPUS: CorpusEntry[] = [
  correct('matmul + transpose, sigmoid as (1 + tanh(x/2)) / 2, slice for the gate blocks, init by a helper, recursive unroll', MATMUL_STYLE),
  correct('one product of the concatenated [x, h] (TensorFlow\'s way), unroll as a fold', CONCAT_STYLE),
  correct('one linear per gate on slices of the weights, tanh as 2σ(2a) − 1, unroll with indices', PER_GATE_STYLE),
  correct('the two biases summed first, unroll with a while loop', SUMMED_BIAS),

  // Mistakes no catalogue names.
  bug('unroll returns h0 ... h_{T-1}: each state pushed before the step', REFERENCE,
    [['      h = cell.forward(x, h);\n      hs.push(h);', '      hs.push(h);\n      h = cell.forward(x, h);']], { at: 'hs.push(h);' }),
  bug('LSTM: h\' = o ⊙ c\' (no tanh on the cell state)', REFERENCE, [['const h2 = mul(o, tanh(c2));', 'const h2 = mul(o, c2);']], { kitOps: true }),
  bug('init bound 1/H instead of 1/√H (RNN)', REFERENCE,
    [['const k = 1 / Math.sqrt(hiddenSize);\n    this.weightIh = uniform([hiddenSize, inputSize], k, rng);', 'const k = 1 / hiddenSize;\n    this.weightIh = uniform([hiddenSize, inputSize], k, rng);']]),
  bug('LSTM: i read from the forget block too', REFERENCE, [['const i = sigmoid(narrow(z, 1, 0, H));', 'const i = sigmoid(narrow(z, 1, H, H));']], { kitOps: true }),
  bug('unroll writes the final state into h0', REFERENCE,
    [['      h = cell.forward(x, h);\n      hs.push(h);\n    }', '      h = cell.forward(x, h);\n      hs.push(h);\n    }\n    if (h0) (h0 as Tensor).data.set(h.data);']]),
  bug('RNN: biasIh added twice, biasHh never', REFERENCE,
    [['return tanh(add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)));',
      'return tanh(add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasIh)));']], { kitOps: true }),
  bug('unroll: default state of size inputSize', REFERENCE, [['let h = (h0 as Tensor | undefined) ?? zeros([B, H]);', 'let h = (h0 as Tensor | undefined) ?? zeros([B, cell.inputSize]);']], { kitOps: true }),

  bug('LSTM biases left at zero', REFERENCE, [['this.biasIh = uniform([4 * hiddenSize], k, rng);\n    this.biasHh = uniform([4 * hiddenSize], k, rng);',
    'this.biasIh = zeros([4 * hiddenSize], { requiresGrad: true });\n    this.biasHh = zeros([4 * hiddenSize], { requiresGrad: true });']], { kitOps: true }),
  bug('unroll detaches the state at every step (truncated backprop)', REFERENCE, [['      h = cell.forward(x, h);', '      h = cell.forward(x, h.detach());']]),
  bug('LSTM returns the pair as [c\', h\']', REFERENCE, [['return [h2, c2];', 'return [c2, h2];']]),

  // Catalogued mistakes written a new way.
  bug('a fresh Rng(0) in the LSTM constructor instead of the one given', REFERENCE,
    [['this.weightIh = uniform([4 * hiddenSize, inputSize], k, rng);', 'const own = new Rng(0);\n    this.weightIh = uniform([4 * hiddenSize, inputSize], k, own);']],
    { catalogued: 'not-seeded' }),
  bug('forget gate on the input, through named terms', REFERENCE,
    [['const c2 = add(mul(f, c), mul(i, g));', 'const kept = mul(f, g);\n    const written = mul(i, c);\n    const c2 = add(kept, written);']],
    { catalogued: 'forget-on-input', kitOps: true }),
  bug('state not carried: every step from h0, indexed loop', REFERENCE,
    [['      h = cell.forward(x, h);\n      hs.push(h);', '      hs.push(cell.forward(x, (h0 as Tensor | undefined) ?? zeros([B, H])));']],
    { catalogued: 'state-not-carried' }),
  bug('candidate g through sigmoid', REFERENCE, [['const g = tanh(narrow(z, 1, 2 * H, H));', 'const g = sigmoid(narrow(z, 1, 2 * H, H));']],
    { catalogued: 'activations-swapped', kitOps: true }),
  bug('h W_hh with a hand-made matmul helper', withEdits(REFERENCE, [['import { Module, Rng, type Tensor, add,', 'import { Module, Rng, type Tensor, add, matmul,']], 'import'),
    [['return tanh(add(linear(x, this.weightIh, this.biasIh), linear(h, this.weightHh, this.biasHh)));',
      'const rec = add(matmul(h, this.weightHh), this.biasHh);\n    return tanh(add(linear(x, this.weightIh, this.biasIh), rec));']],
    { catalogued: 'hh-not-transposed', kitOps: true }),
];
