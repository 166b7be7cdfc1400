/**
 * The precision lesson's course code (lessons/06e-precision): bit-level references for fp16 and bf16 rounding, the
 * dynamic loss scaler's state sequence, a mixed-precision SGD step (and the wrong variants the checks name), and the
 * small models the checks train.
 *
 * The references are written independently of the lesson's solution: fp16 by building the half-precision BIT PATTERN
 * from the float32 bits (sign, exponent, mantissa, round to nearest even on the dropped bits) and decoding it, bf16 by
 * adding PyTorch's rounding bias to the float32 bits (c10/util/BFloat16.h, round_to_nearest_even). The solution
 * computes fp16 with doubles (value / ulp, rounded half to even).
 */
import { Tensor, add, crossEntropy, embedding, fromOp, gradOf, linear, mean, mul, sub, tanh } from '@llm-lab/kit';

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The IEEE half-precision bit pattern nearest to a float32 value (round to nearest, ties to even). */
export function precisionHalfBits(x: number): number {
  F32[0] = x;
  const u = U32[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf, NaN (quiet)
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // below 2^-25: zero
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // a carry moves into the exponent, up to Inf: right
  return h;
}

/** The value of a half-precision bit pattern. */
export function precisionHalfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** fp16 rounding of every element, kept in float32 (the course reference). */
export function precisionFp16Ref(x: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = precisionHalfValue(precisionHalfBits(x[i]));
  return out;
}

/** bf16 rounding of every element, kept in float32: PyTorch's round_to_nearest_even on the float32 bits. */
export function precisionBf16Ref(x: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length);
  const o = new Uint32Array(out.buffer);
  for (let i = 0; i < x.length; i++) {
    F32[0] = x[i];
    if (Number.isNaN(F32[0])) {
      out[i] = NaN;
      continue;
    }
    const u = U32[0];
    o[i] = ((u + 0x7fff + ((u >>> 16) & 1)) >>> 0) & 0xffff0000;
  }
  return out;
}

/** Wrong roundings a learner may write, for naming a mistake when the learner's values follow one everywhere. */
export type PrecisionRoundVariant = 'ties-away' | 'truncate' | 'no-subnormals' | 'saturate';

function roundVariant(x: number, mantBits: number, minExp: number, max: number, v: PrecisionRoundVariant): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a === Infinity && v === 'saturate') return x < 0 ? -max : max; // Math.min(|x|, max) clamps Infinity too
  if (a === 0 || a === Infinity) return x;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  if (v === 'no-subnormals' && e < minExp) return x < 0 ? -0 : 0;
  const ulp = 2 ** (Math.max(e, minExp) - mantBits);
  const q = a / ulp;
  let r: number;
  if (v === 'truncate') r = Math.floor(q);
  else if (v === 'ties-away') r = Math.floor(q + 0.5);
  else {
    const f = Math.floor(q);
    const d = q - f;
    r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  }
  let y = r * ulp;
  const halfway = max + 2 ** (Math.floor(Math.log2(max)) - mantBits - 1);
  if (v === 'saturate') {
    if (y > max) y = max;
  } else if (y > max || (v !== 'truncate' && a >= halfway)) y = Infinity;
  return x < 0 ? -y : y;
}

export function precisionFp16Variant(x: ArrayLike<number>, v: PrecisionRoundVariant): Float32Array {
  return Float32Array.from(x, (z) => roundVariant(Math.fround(z), 10, -14, 65504, v));
}

export function precisionBf16Variant(x: ArrayLike<number>, v: PrecisionRoundVariant): Float32Array {
  const max = (2 - 2 ** -7) * 2 ** 127;
  return Float32Array.from(x, (z) => roundVariant(Math.fround(z), 7, -126, max, v));
}

/** Two float32 arrays equal bit for bit up to NaN (any NaN equals any NaN) and with the sign of zero. */
export function precisionSameBits(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(y) ? !Number.isNaN(x) : !Object.is(x, y)) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------------
// The dynamic loss scaler

export interface PrecisionScalerOptions { initScale?: number; growthFactor?: number; backoffFactor?: number; growthInterval?: number }
export interface PrecisionScalerState { scale: number; goodSteps: number }

/** The scaler's state after each update of a scripted pattern (true: this step's gradients overflowed). PyTorch's _amp_update_scale_. */
export function precisionScalerRef(pattern: boolean[], o: PrecisionScalerOptions = {}, goodSteps = 0): PrecisionScalerState[] {
  let scale = o.initScale ?? 2 ** 16;
  const growth = o.growthFactor ?? 2;
  const backoff = o.backoffFactor ?? 0.5;
  const interval = o.growthInterval ?? 2000;
  let good = goodSteps;
  const out: PrecisionScalerState[] = [];
  for (const inf of pattern) {
    if (inf) {
      scale *= backoff;
      good = 0;
    } else {
      good++;
      if (good >= interval) {
        const s = scale * growth;
        if (Number.isFinite(s)) scale = s;
        good = 0;
      }
    }
    out.push({ scale, goodSteps: good });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A small model computed in simulated fp16, and the mixed-precision step

/** Rounds values to fp16 going forward and the gradient to fp16 going backward: an op of a model run in half precision. */
export function precisionHalfOp(x: Tensor): Tensor {
  return fromOp('fp16', precisionFp16Ref(x.data), x.shape, [x], (g) => {
    const gx = gradOf(x);
    const g16 = precisionFp16Ref(g);
    for (let i = 0; i < g.length; i++) gx[i] += g16[i];
  });
}

export interface PrecisionRegression {
  /** Parameter shapes: W1 (H, D), b1 (H), W2 (O, H), b2 (O). */
  shapes: number[][];
  names: string[];
  init: Float32Array[];
  x: Tensor;
  y: Tensor;
  /** The MSE of the model with these weights; `half` rounds activations (and their gradients) to fp16. */
  loss(w: Tensor[], half: boolean, rows?: [number, number]): Tensor;
}

/**
 * A two-layer tanh MLP predicting a small quantity: out = ys · (W2 tanh(W1 x + b1) + b2), targets ys · tanh(T x) for a
 * fixed teacher T, ys = 0.001 by default. Its loss and gradients are ys² = 1e-6 times those of the same problem in unit
 * scale (gradients of order 1e-7 down to 1e-9, as in a large model late in training), so that many of them underflow
 * in fp16 without loss scaling; SGD's learning rate is correspondingly large (of order 1 / ys²).
 */
export function precisionRegression(random: () => number, o: { D?: number; H?: number; O?: number; N?: number; yScale?: number } = {}): PrecisionRegression {
  const D = o.D ?? 8;
  const H = o.H ?? 16;
  const O = o.O ?? 4;
  const N = o.N ?? 32;
  const ys = o.yScale ?? 1e-3;
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const mk = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  const shapes = [[H, D], [H], [O, H], [O]];
  const init = [mk(H * D, 1 / Math.sqrt(D)), mk(H, 0.1), mk(O * H, 1 / Math.sqrt(H)), mk(O, 0.1)];
  const x = new Tensor(mk(N * D, 1), [N, D]);
  const teacher = mk(O * D, 1 / Math.sqrt(D));
  const yd = new Float32Array(N * O);
  for (let n = 0; n < N; n++) for (let k = 0; k < O; k++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += teacher[k * D + d] * x.data[n * D + d];
    yd[n * O + k] = ys * Math.tanh(s);
  }
  const y = new Tensor(yd, [N, O]);
  const loss = (w: Tensor[], half: boolean, rows?: [number, number]): Tensor => {
    const [a, b] = rows ?? [0, N];
    const xs = new Tensor(x.data.slice(a * D, b * D), [b - a, D]);
    const yt = new Tensor(y.data.slice(a * O, b * O), [b - a, O]);
    const r = half ? precisionHalfOp : (t: Tensor) => t;
    const h = r(tanh(r(linear(xs, w[0], w[1]))));
    const out = r(mul(linear(h, w[2], w[3]), ys));
    const d = sub(out, yt);
    return mean(mul(d, d));
  };
  return { shapes, names: ['W1', 'b1', 'W2', 'b2'], init, x, y, loss };
}

/** 'torch-clip': clipping as torch.nn.utils.clip_grad_norm_ (maxNorm / (norm + 1e-6)), which the lesson accepts. */
export type PrecisionStepVariant = 'correct' | 'torch-clip' | 'clip-before-unscale' | 'fp16-update' | 'no-skip' | 'no-grad-round';

export interface PrecisionStepState { master: Float32Array[]; model: Float32Array[]; scale: number; goodSteps: number }

/**
 * One mixed-precision SGD step, as the lesson defines it, on copies: zero the working copy's grads, backward of
 * loss · scale, round the gradients to fp16, unscale in fp32, skip (and back off) on inf/NaN, clip by the global norm
 * AFTER unscaling, update the fp32 master, copy it to fp16, update the scaler.
 */
export function precisionStepRef(
  s: PrecisionStepState, shapes: number[][], lossOf: (w: Tensor[]) => Tensor, o: { lr: number; maxNorm?: number; scaler?: PrecisionScalerOptions },
  v: PrecisionStepVariant = 'correct',
): PrecisionStepState & { loss: number; skipped: boolean; gradNorm: number } {
  const model = s.model.map((d, j) => new Tensor(Float32Array.from(d), shapes[j], true));
  const loss = lossOf(model);
  mul(loss, s.scale).backward();
  const grads = model.map((p) => (v === 'no-grad-round' ? Float32Array.from(p.grad ?? new Float32Array(p.size)) : precisionFp16Ref(p.grad ?? new Float32Array(p.size))));
  const maxNorm = o.maxNorm ?? Infinity;
  if (v === 'clip-before-unscale') clipInPlace(grads, maxNorm);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] /= s.scale;
  const found = grads.some((g) => g.some((x) => !Number.isFinite(x)));
  const scalerAfter = precisionScalerRef([found], { ...o.scaler, initScale: s.scale }, s.goodSteps)[0];
  if (found && v !== 'no-skip') {
    return { master: s.master.map((m) => Float32Array.from(m)), model: s.model.map((m) => Float32Array.from(m)), ...scalerAfter, loss: loss.item(), skipped: true, gradNorm: Infinity };
  }
  const norm = v === 'clip-before-unscale' ? globalNorm(grads) : clipInPlace(grads, maxNorm, v === 'torch-clip' ? 1e-6 : 0);
  let master: Float32Array[];
  let m16: Float32Array[];
  if (v === 'fp16-update') {
    m16 = s.model.map((w, j) => precisionFp16Ref(Float32Array.from(w, (x, i) => x - o.lr * grads[j][i])));
    master = m16.map((m) => Float32Array.from(m));
  } else {
    master = s.master.map((w, j) => Float32Array.from(w, (x, i) => x - o.lr * grads[j][i]));
    m16 = master.map((m) => precisionFp16Ref(m));
  }
  return { master, model: m16, ...scalerAfter, loss: loss.item(), skipped: false, gradNorm: norm };
}
function globalNorm(grads: Float32Array[]): number {
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  return Math.sqrt(sq);
}

function clipInPlace(grads: Float32Array[], maxNorm: number, eps = 0): number {
  const norm = globalNorm(grads);
  if (norm > maxNorm) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / (norm + eps);
  return norm;
}

/** Plain fp32 SGD on the same model (the run mixed precision must match), the losses step by step. */
export function precisionFp32Run(fx: PrecisionRegression, steps: number, lr: number, maxNorm = Infinity): number[] {
  const w = fx.init.map((d, j) => new Tensor(Float32Array.from(d), fx.shapes[j], true));
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    for (const p of w) p.zeroGrad();
    const loss = fx.loss(w, false);
    loss.backward();
    losses.push(loss.item());
    const grads = w.map((p) => p.grad as Float32Array);
    clipInPlace(grads, maxNorm);
    for (let j = 0; j < w.length; j++) for (let i = 0; i < w[j].size; i++) w[j].data[i] -= lr * grads[j][i];
  }
  return losses;
}

// ---------------------------------------------------------------------------------------------------------------
// Gradient accumulation: a bigram model over padded sequences

export interface PrecisionSequence { ids: number[] }
export interface PrecisionMicroBatch { tokens: number; sequences: number; seqs: PrecisionSequence[] }

/** Random sequences of different lengths over a small vocabulary, and a bigram table W (V, V) with bias. */
export function precisionBigram(random: () => number, V = 7): { W: Tensor; b: Tensor; params: Tensor[] } {
  const W = new Tensor(Float32Array.from({ length: V * V }, () => random() - 0.5), [V, V], true);
  const b = new Tensor(Float32Array.from({ length: V }, () => 0.2 * (random() - 0.5)), [V], true);
  return { W, b, params: [W, b] };
}

export function precisionSequences(random: () => number, lengths: number[], V = 7): PrecisionSequence[] {
  return lengths.map((n) => ({ ids: Array.from({ length: n + 1 }, () => Math.floor(random() * V)) }));
}

/** Sum over the real tokens of a set of sequences of the next-token loss, and per-sequence means, as kit tensors. */
function seqLoss(W: Tensor, b: Tensor, s: PrecisionSequence): Tensor {
  const x = s.ids.slice(0, -1);
  const y = s.ids.slice(1);
  const logits = add(embedding(W, x), b);
  return crossEntropy(logits, y); // the mean over this sequence's tokens
}

/** The loss of a group of sequences: the mean over their tokens ('token') or over their sequences ('sequence'). */
export function precisionGroupLoss(W: Tensor, b: Tensor, seqs: PrecisionSequence[], over: 'token' | 'sequence'): Tensor {
  let total: Tensor | null = null;
  let n = 0;
  for (const s of seqs) {
    const len = s.ids.length - 1;
    const l = over === 'token' ? mul(seqLoss(W, b, s), len) : seqLoss(W, b, s);
    total = total ? add(total, l) : l;
    n += over === 'token' ? len : 1;
  }
  return mul(total as Tensor, 1 / n);
}

export function precisionMicroBatches(seqs: PrecisionSequence[], sizes: number[]): PrecisionMicroBatch[] {
  const out: PrecisionMicroBatch[] = [];
  let at = 0;
  for (const k of sizes) {
    const part = seqs.slice(at, at + k);
    at += k;
    out.push({ seqs: part, sequences: part.length, tokens: part.reduce((a, s) => a + s.ids.length - 1, 0) });
  }
  return out;
}
