/**
 * Course code for the foundations lesson "rnn" (lessons/01g-rnn): float64 references its checks share.
 *
 * Layouts are PyTorch's (nn.RNNCell, nn.LSTMCell): weight_ih (G·H, I), weight_hh (G·H, H), bias_ih and bias_hh
 * (G·H), with G = 1 for the plain RNN and G = 4 for the LSTM, whose gate blocks are stacked in the order
 * i, f, g, o. Tensors are row-major (B, ·) batches; every reference works in float64 on copies of the values.
 *
 * A `variant` describes a known wrong (or other library's) way of computing a step, so the checks can name it when
 * the learner's numbers match it: another gate order, the activations swapped, the forget gate on the input,
 * h W_hh instead of h W_hhᵀ, a bias left out.
 */
import { type Tensor, add, div, exp, linear, mul, narrow, neg, tanh } from '@llm-lab/kit';

/** The four parameters of a cell, as float64 copies. `gates` is 1 (RNN) or 4 (LSTM). */
export interface RnnWeights64 {
  I: number;
  H: number;
  gates: 1 | 4;
  wIh: Float64Array; // (gates·H, I)
  wHh: Float64Array; // (gates·H, H)
  bIh: Float64Array; // (gates·H)
  bHh: Float64Array; // (gates·H)
}

/** Where each gate's rows are read from: block index (0..3) of i, f, g, o. PyTorch's is [0, 1, 2, 3]. */
export interface RnnGateBlocks { i: number; f: number; g: number; o: number }

export const RNN_PYTORCH_ORDER: RnnGateBlocks = { i: 0, f: 1, g: 2, o: 3 };
/** ONNX's LSTM operator stacks W[iofc]: block 0 = i, 1 = o, 2 = f, 3 = c (the candidate g). */
export const RNN_ONNX_ORDER: RnnGateBlocks = { i: 0, o: 1, f: 2, g: 3 };
/** TensorFlow 1's LSTMCell / BasicLSTMCell split the gate inputs as i, j (the candidate), f, o. */
export const RNN_TF_ORDER: RnnGateBlocks = { i: 0, g: 1, f: 2, o: 3 };

/** Every assignment of the four gates to the four blocks except PyTorch's (23 of them). */
export function rnnOtherGateOrders(): RnnGateBlocks[] {
  const out: RnnGateBlocks[] = [];
  const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, k) => perms([...xs.slice(0, k), ...xs.slice(k + 1)]).map((p) => [x, ...p])));
  for (const [i, f, g, o] of perms([0, 1, 2, 3])) if (!(i === 0 && f === 1 && g === 2 && o === 3)) out.push({ i, f, g, o });
  return out;
}

export interface RnnVariant {
  /** LSTM: which block each gate is read from (default PyTorch's). */
  order?: RnnGateBlocks;
  /** The activation of the gates i, f, o (default sigmoid). */
  gateAct?: 'sigmoid' | 'tanh';
  /** The activation of the candidate g (LSTM) or of the new state (RNN) (default tanh). */
  valueAct?: 'sigmoid' | 'tanh';
  /** LSTM: the squashing of c' in h' = o ⊙ act(c') (default tanh). */
  outAct?: 'sigmoid' | 'tanh';
  /** LSTM: c' = f ⊙ g + i ⊙ c (the forget gate applied to the input). */
  forgetOnInput?: boolean;
  /** h W_hh instead of h W_hhᵀ. */
  hhNotTransposed?: boolean;
  /** Leave out bias_ih or bias_hh. */
  noBias?: 'ih' | 'hh';
  /** LSTM: a constant added to the forget gate's pre-activation inside the step (TensorFlow 1's forget_bias). */
  forgetShift?: number;
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const act = (kind: 'sigmoid' | 'tanh', v: number) => (kind === 'sigmoid' ? sig(v) : Math.tanh(v));

/** The weights of a cell-like object, copied to float64. */
export function rnnWeights64(cell: { weightIh: { data: ArrayLike<number> }; weightHh: { data: ArrayLike<number> }; biasIh: { data: ArrayLike<number> }; biasHh: { data: ArrayLike<number> } },
  I: number, H: number, gates: 1 | 4): RnnWeights64 {
  const f64 = (d: ArrayLike<number>) => Float64Array.from(d, Number);
  return { I, H, gates, wIh: f64(cell.weightIh.data), wHh: f64(cell.weightHh.data), bIh: f64(cell.biasIh.data), bHh: f64(cell.biasHh.data) };
}

/** Pre-activations z = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh, (B, gates·H), in float64. */
function preact(w: RnnWeights64, x: ArrayLike<number>, h: ArrayLike<number>, B: number, v: RnnVariant): Float64Array {
  const { I, H } = w;
  const G = w.gates * H;
  const z = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < G; r++) {
      let s = (v.noBias === 'ih' ? 0 : w.bIh[r]) + (v.noBias === 'hh' ? 0 : w.bHh[r]);
      for (let k = 0; k < I; k++) s += Number(x[b * I + k]) * w.wIh[r * I + k];
      for (let k = 0; k < H; k++) {
        // h W_hhᵀ: row r of W_hh; the untransposed h W_hh reads column r instead (only possible for a square block).
        const wv = v.hhNotTransposed ? w.wHh[Math.floor(r / H) * H * H + k * H + (r % H)] : w.wHh[r * H + k];
        s += Number(h[b * H + k]) * wv;
      }
      z[b * G + r] = s;
    }
  }
  return z;
}

/** One RNN step h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), float64. */
export function rnnStep64(w: RnnWeights64, x: ArrayLike<number>, h: ArrayLike<number>, B: number, v: RnnVariant = {}): Float64Array {
  const z = preact(w, x, h, B, v);
  return z.map((s) => act(v.valueAct ?? 'tanh', s));
}

/** One LSTM step with PyTorch's gates (or a variant's), float64: { h, c } of (B, H) each. */
export function lstmStep64(w: RnnWeights64, x: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number>, B: number, v: RnnVariant = {}): { h: Float64Array; c: Float64Array } {
  const { H } = w;
  const z = preact(w, x, h, B, v);
  const order = v.order ?? RNN_PYTORCH_ORDER;
  const gateAct = v.gateAct ?? 'sigmoid';
  const h2 = new Float64Array(B * H);
  const c2 = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const at = (block: number) => z[b * 4 * H + block * H + j];
      const i = act(gateAct, at(order.i));
      const f = act(gateAct, at(order.f) + (v.forgetShift ?? 0));
      const g = act(v.valueAct ?? 'tanh', at(order.g));
      const o = act(gateAct, at(order.o));
      const cPrev = Number(c[b * H + j]);
      const cNew = v.forgetOnInput ? f * g + i * cPrev : f * cPrev + i * g;
      c2[b * H + j] = cNew;
      h2[b * H + j] = o * act(v.outAct ?? 'tanh', cNew);
    }
  }
  return { h: h2, c: c2 };
}

/** How an unroll passes the state on: the right way, or a known wrong one. */
export type RnnCarry = 'both' | 'none' | 'h-only' | 'c-only';

/**
 * h_1 ... h_T of a sequence, float64, from h0 (and c0 for the LSTM). `carry` other than 'both' feeds the
 * initial state (or part of it) to every step, as an unroll that does not carry its state does.
 */
export function rnnUnroll64(w: RnnWeights64, xs: ArrayLike<number>[], h0: ArrayLike<number>, c0: ArrayLike<number> | null, B: number,
  carry: RnnCarry = 'both'): Float64Array[] {
  const hs: Float64Array[] = [];
  let h: ArrayLike<number> = h0;
  let c: ArrayLike<number> | null = c0;
  for (const x of xs) {
    if (w.gates === 1) {
      const next = rnnStep64(w, x, carry === 'both' ? h : h0, B);
      hs.push(next);
      h = next;
    } else {
      const next = lstmStep64(w, x, carry === 'both' || carry === 'h-only' ? h : h0, carry === 'both' || carry === 'c-only' ? c! : c0!, B);
      hs.push(next.h);
      h = next.h;
      c = next.c;
    }
  }
  return hs;
}

/** Gradients of a loss L = Σ_t Σ dhs[t] ⊙ h_{t+1} through a whole sequence (backprop through time), float64. */
export interface RnnBptt64 {
  dWIh: Float64Array;
  dWHh: Float64Array;
  dBIh: Float64Array;
  dBHh: Float64Array;
  /** ∂L/∂h_t for t = 0 (the initial state) ... T: the total derivative, through every later step. */
  dh: Float64Array[];
}

/**
 * Backprop through time for the RNN or the LSTM (by `w.gates`), with the loss L = Σ_t ⟨dhs[t], h_{t+1}⟩:
 * `dhs[t]` is ∂L/∂h_{t+1} taken directly (zeros where the loss does not look). Written out by hand in float64.
 */
export function rnnBptt64(w: RnnWeights64, xs: ArrayLike<number>[], h0: ArrayLike<number>, c0: ArrayLike<number> | null, B: number,
  dhs: ArrayLike<number>[]): RnnBptt64 {
  const { I, H, gates } = w;
  const G = gates * H;
  const T = xs.length;
  // Forward, keeping what the backward needs.
  const hs: Float64Array[] = [Float64Array.from(h0, Number)];
  const cs: Float64Array[] = [c0 ? Float64Array.from(c0, Number) : new Float64Array(B * H)];
  const acts: Float64Array[] = []; // RNN: h_{t+1}; LSTM: gate values i, f, g, o per (b, block, j)
  for (let t = 0; t < T; t++) {
    const z = preact(w, xs[t], hs[t], B, {});
    if (gates === 1) {
      const h = z.map(Math.tanh);
      hs.push(h);
      acts.push(h);
    } else {
      const a = new Float64Array(B * G);
      const h = new Float64Array(B * H);
      const c = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          const base = b * G;
          const i = sig(z[base + j]);
          const f = sig(z[base + H + j]);
          const g = Math.tanh(z[base + 2 * H + j]);
          const o = sig(z[base + 3 * H + j]);
          a[base + j] = i; a[base + H + j] = f; a[base + 2 * H + j] = g; a[base + 3 * H + j] = o;
          c[b * H + j] = f * cs[t][b * H + j] + i * g;
          h[b * H + j] = o * Math.tanh(c[b * H + j]);
        }
      }
      acts.push(a);
      hs.push(h);
      cs.push(c);
    }
  }
  // Backward.
  const out: RnnBptt64 = {
    dWIh: new Float64Array(G * I), dWHh: new Float64Array(G * H), dBIh: new Float64Array(G), dBHh: new Float64Array(G),
    dh: new Array<Float64Array>(T + 1),
  };
  let dh = new Float64Array(B * H); // gradient flowing into h_{t+1} from later steps
  let dc = new Float64Array(B * H);
  for (let t = T - 1; t >= 0; t--) {
    const dhTotal = dh.map((v, k) => v + Number(dhs[t][k]));
    out.dh[t + 1] = dhTotal;
    const dz = new Float64Array(B * G);
    const dcPrev = new Float64Array(B * H);
    if (gates === 1) {
      const h = acts[t];
      for (let k = 0; k < B * H; k++) dz[k] = dhTotal[k] * (1 - h[k] * h[k]);
    } else {
      const a = acts[t];
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          const base = b * G;
          const i = a[base + j], f = a[base + H + j], g = a[base + 2 * H + j], o = a[base + 3 * H + j];
          const tc = Math.tanh(cs[t + 1][b * H + j]);
          const dhv = dhTotal[b * H + j];
          const dct = dc[b * H + j] + dhv * o * (1 - tc * tc);
          dz[base + j] = dct * g * i * (1 - i);
          dz[base + H + j] = dct * cs[t][b * H + j] * f * (1 - f);
          dz[base + 2 * H + j] = dct * i * (1 - g * g);
          dz[base + 3 * H + j] = dhv * tc * o * (1 - o);
          dcPrev[b * H + j] = dct * f;
        }
      }
    }
    const dhPrev = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < G; r++) {
        const d = dz[b * G + r];
        out.dBIh[r] += d;
        out.dBHh[r] += d;
        for (let k = 0; k < I; k++) out.dWIh[r * I + k] += d * Number(xs[t][b * I + k]);
        for (let k = 0; k < H; k++) {
          out.dWHh[r * H + k] += d * hs[t][b * H + k];
          dhPrev[b * H + k] += d * w.wHh[r * H + k];
        }
      }
    }
    dh = dhPrev;
    dc = dcPrev;
  }
  out.dh[0] = dh;
  return out;
}

/** Euclidean norm of a float64 vector. */
export const rnnNorm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v, Number).reduce((s, x) => s + x * x, 0));

/** Uniform values in [-bound, bound) from a [0, 1) generator. */
export function rnnUniform64(random: () => number, n: number, bound: number): Float64Array {
  return Float64Array.from({ length: n }, () => (2 * random() - 1) * bound);
}

/** A cell's parameters as tensors (what the kit-op reference steps read). */
export interface RnnParams { weightIh: Tensor; weightHh: Tensor; biasIh: Tensor; biasHh: Tensor }

const sigmoidKit = (x: Tensor) => div(1, add(1, exp(neg(x))));

/** The reference RNN step built from kit ops (autograd works through it): a cell the checks can trust. */
export function rnnKitStep(p: RnnParams, x: Tensor, h: Tensor): Tensor {
  return tanh(add(linear(x, p.weightIh, p.biasIh), linear(h, p.weightHh, p.biasHh)));
}

/** The reference LSTM step built from kit ops, PyTorch's gate order i, f, g, o. */
export function lstmKitStep(p: RnnParams, x: Tensor, state: [Tensor, Tensor]): [Tensor, Tensor] {
  const [h, c] = state;
  const H = h.shape[h.shape.length - 1];
  const z = add(linear(x, p.weightIh, p.biasIh), linear(h, p.weightHh, p.biasHh));
  const i = sigmoidKit(narrow(z, 1, 0, H));
  const f = sigmoidKit(narrow(z, 1, H, H));
  const g = tanh(narrow(z, 1, 2 * H, H));
  const o = sigmoidKit(narrow(z, 1, 3 * H, H));
  const c2 = add(mul(f, c), mul(i, g));
  return [mul(o, tanh(c2)), c2];
}
