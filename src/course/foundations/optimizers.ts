/**
 * Course code for the foundations lesson "optimizers": float64 references of SGD (momentum, weight decay), Adam,
 * AdamW, the warmup + cosine schedule and global-norm clipping, each with the wrong variants the checks recognise
 * (a missing bias correction, L2 where decay should be decoupled, another library's convention...), and a real
 * model whose gradients the checks feed to the learner's optimizer: a small MLP built from kit ops.
 *
 * Every reference computes in float64 and keeps its state (momentum, m, v) in Float64Array, and is stepped with
 * exactly the gradients (float32 values) the learner's optimizer got. Its parameters are either pure float64, or
 * stored as float32 after every step as a kit tensor stores them (`storeFloat32`): the learner's parameters then
 * differ from it only by the rounding of the last bits, where from the pure one they drift by the float32 rounding
 * of 100 steps (a few 1e-7 of the tensor's scale).
 */
import { type Tensor, linear, mean, mul, sub, tanh, tensor } from '@llm-lab/kit';

export type OptimKind = 'sgd' | 'adam' | 'adamw';

export interface OptimRefOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
}

/**
 * The right update and the wrong ones the checks name:
 *   correct                 PyTorch's algorithm
 *   lr-in-buffer            SGD: buf = μ·buf + lr·g; p -= buf (Keras's velocity)
 *   lr-cached               the lr given to the constructor used at every step (a schedule's changes ignored)
 *   no-bias-correction      Adam/AdamW: m and v used without dividing by 1 - β^t
 *   bc-m-only, bc-v-only    only one of the two corrected
 *   eps-hat                 eps added to √v before the bias correction (Keras / the Adam paper's "efficient" form)
 *   eps-in-sqrt             √(v̂ + eps)
 *   l2                      weight decay added to the gradient (right for Adam, wrong for AdamW)
 *   decoupled               weights shrunk by lr·wd·p (right for AdamW, wrong for Adam)
 *   decay-times-grad        AdamW: p -= lr·wd·g (the decay scaled by the gradient, not the weights)
 *   decay-no-lr             AdamW: p -= wd·p
 *   decay-after-step        AdamW: the decay computed from the weights after the Adam step
 *   decay-2d-only           AdamW: 1-D parameters (biases) not decayed (nanoGPT's parameter groups)
 */
export type OptimVariant =
  | 'correct' | 'lr-in-buffer' | 'lr-cached' | 'no-bias-correction' | 'bc-m-only' | 'bc-v-only' | 'eps-hat' | 'eps-in-sqrt'
  | 'l2' | 'decoupled' | 'decay-times-grad' | 'decay-no-lr' | 'decay-after-step' | 'decay-2d-only';

/** A float64 optimizer, stepped with given gradients (null: the parameter had none, and is skipped) and lr. */
export class OptimRef {
  readonly params: Float64Array[];
  private readonly state1: Float64Array[];
  private readonly state2: Float64Array[];
  private t = 0;
  private readonly firstLr: number;

  constructor(
    readonly kind: OptimKind, params: ArrayLike<number>[], private readonly ndims: number[], readonly opts: OptimRefOptions,
    readonly variant: OptimVariant = 'correct',
    /** Store the parameters as float32 after every step, as a kit tensor does (the arithmetic stays float64). */
    private readonly storeFloat32 = false,
  ) {
    this.params = params.map((p) => Float64Array.from(p));
    this.state1 = params.map((p) => new Float64Array(p.length));
    this.state2 = params.map((p) => new Float64Array(p.length));
    this.firstLr = opts.lr;
  }

  /** Puts these values in the parameters (e.g. the learner's, before a step: the state stays the reference's). */
  setParams(values: ArrayLike<number>[]): void {
    values.forEach((v, j) => this.params[j].set(v));
  }

  step(grads: (ArrayLike<number> | null)[], lrNow: number): void {
    this.update(grads, lrNow);
    if (this.storeFloat32) {
      this.params.forEach((w, j) => {
        if (grads[j]) for (let i = 0; i < w.length; i++) w[i] = Math.fround(w[i]);
      });
    }
  }

  private update(grads: (ArrayLike<number> | null)[], lrNow: number): void {
    const variant = this.variant;
    const lr = variant === 'lr-cached' ? this.firstLr : lrNow;
    const wd0 = this.opts.weightDecay ?? (this.kind === 'adamw' ? 0.01 : 0);
    this.t++;
    if (this.kind === 'sgd') {
      const mu = this.opts.momentum ?? 0;
      this.params.forEach((w, j) => {
        const g = grads[j];
        if (!g) return;
        const buf = this.state1[j];
        for (let i = 0; i < w.length; i++) {
          const d = g[i] + wd0 * w[i];
          if (variant === 'lr-in-buffer') {
            buf[i] = mu * buf[i] + lr * d;
            w[i] -= buf[i];
          } else {
            buf[i] = mu * buf[i] + d;
            w[i] -= lr * buf[i];
          }
        }
      });
      return;
    }
    const [b1, b2] = this.opts.betas ?? [0.9, 0.999];
    const eps = this.opts.eps ?? 1e-8;
    const bc1 = variant === 'no-bias-correction' || variant === 'bc-v-only' ? 1 : 1 - b1 ** this.t;
    const bc2 = variant === 'no-bias-correction' || variant === 'bc-m-only' ? 1 : 1 - b2 ** this.t;
    const decoupledKind = this.kind === 'adamw';
    let decoupled = decoupledKind;
    if (variant === 'l2') decoupled = false;
    if (variant === 'decoupled') decoupled = true;
    this.params.forEach((w, j) => {
      const g = grads[j];
      if (!g) return;
      const m = this.state1[j];
      const v = this.state2[j];
      const wd = variant === 'decay-2d-only' && this.ndims[j] < 2 ? 0 : wd0;
      for (let i = 0; i < w.length; i++) {
        let gi = g[i];
        const old = w[i];
        let decay = 0;
        if (!decoupled) gi += wd * old;
        else if (variant === 'decay-times-grad') decay = lr * wd * g[i];
        else if (variant === 'decay-no-lr') decay = wd * old;
        else if (variant !== 'decay-after-step') decay = lr * wd * old;
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        let update: number;
        if (variant === 'eps-hat') update = ((lr * Math.sqrt(bc2)) / bc1) * m[i] / (Math.sqrt(v[i]) + eps);
        else if (variant === 'eps-in-sqrt') update = (lr * (m[i] / bc1)) / Math.sqrt(v[i] / bc2 + eps);
        else update = (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
        w[i] = old - decay - update;
        if (decoupled && variant === 'decay-after-step') w[i] -= lr * wd * w[i];
      }
    });
  }
}

export interface CosineRefOptions {
  maxLr: number;
  minLr: number;
  warmup: number;
  total: number;
}

/**
 * The schedule and its wrong or other-library forms:
 *   correct         maxLr·(step+1)/warmup, then the half cosine to minLr at `total`, minLr after
 *   hf-warmup       Hugging Face's warmup, maxLr·step/warmup (lr 0 at step 0); the cosine part as ours
 *   nanogpt-warmup  nanoGPT's train.py warmup, maxLr·(step+1)/(warmup+1); the cosine part as ours
 *   late, early     the whole schedule one step late (lr(step-1), 0 at step 0) or early (lr(step+1))
 *   cosine-late, cosine-early   the warmup right, the cosine part evaluated at step - 1 or step + 1
 */
export type CosineVariant = 'correct' | 'hf-warmup' | 'nanogpt-warmup' | 'late' | 'early' | 'cosine-late' | 'cosine-early';

export function optimCosineRef(step: number, o: CosineRefOptions, variant: CosineVariant = 'correct'): number {
  if (variant === 'late') return step === 0 ? 0 : optimCosineRef(step - 1, o);
  if (variant === 'early') return optimCosineRef(step + 1, o);
  if (step < o.warmup) {
    if (variant === 'hf-warmup') return (o.maxLr * step) / o.warmup;
    if (variant === 'nanogpt-warmup') return (o.maxLr * (step + 1)) / (o.warmup + 1);
    return (o.maxLr * (step + 1)) / o.warmup;
  }
  const s = variant === 'cosine-late' ? step - 1 : variant === 'cosine-early' ? step + 1 : step;
  if (s >= o.total) return o.minLr;
  const progress = (s - o.warmup) / (o.total - o.warmup);
  return o.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (o.maxLr - o.minLr);
}

/**
 * Global-norm clipping in float64: the norm of all gradients together and the clipped gradients, with PyTorch's
 * norm + 1e-6 in the denominator (`torchEps`) or without it. `perTensor`: each tensor clipped by its own norm.
 */
export function optimClipRef(grads: ArrayLike<number>[], maxNorm: number, opts: { torchEps?: boolean; perTensor?: boolean; always?: boolean } = {}):
  { norm: number; norms: number[]; clipped: Float64Array[] } {
  const norms = grads.map((g) => Math.sqrt(Array.from(g).reduce((s, x) => s + x * x, 0)));
  const norm = Math.sqrt(norms.reduce((s, n) => s + n * n, 0));
  const scaleFor = (n: number) => (n > maxNorm || opts.always ? maxNorm / (n + (opts.torchEps ? 1e-6 : 0)) : 1);
  const clipped = grads.map((g, j) => {
    const s = scaleFor(opts.perTensor ? norms[j] : norm);
    return Float64Array.from(g, (x) => x * s);
  });
  return { norm, norms, clipped };
}

/**
 * A small real model for the optimizer checks: an MLP 6 -> 12 -> 3 with tanh, fitting a random regression target by
 * MSE, plus one parameter that the loss never uses (its grad stays null). The parameters are kit leaf tensors an
 * optimizer can take; `backward()` runs the forward and backward pass at their current values (written out in
 * float64 loops, the same numbers kit ops give up to float32 rounding, and ten times cheaper on a busy machine) and
 * sets every used parameter's .grad, as loss.backward() would. `backwardKit()` does the same with kit ops.
 */
export interface OptimFixture {
  params: Tensor[];
  names: string[];
  /** Sets every used parameter's .grad to d(loss)/d(param) at the current values (the unused one keeps null); returns the loss. */
  backward(): number;
  /** The same with kit ops and loss.backward(). */
  backwardKit(): number;
}

export function optimMlpFixture(random: () => number, opts: { batch?: number; scale?: number } = {}): OptimFixture {
  const n = opts.batch ?? 16;
  const [I, H, O] = [6, 12, 3];
  const u = (shape: number[], s: number) => {
    const size = shape.reduce((p, d) => p * d, 1);
    return tensor(Float32Array.from({ length: size }, () => (random() * 2 - 1) * s), shape, { requiresGrad: true });
  };
  const w1 = u([H, I], 0.5);
  const b1 = u([H], 0.2);
  const w2 = u([O, H], 0.4);
  const b2 = u([O], 0.2);
  const unused = u([4], 0.5);
  const x = tensor(Float32Array.from({ length: n * I }, () => random() * 2 - 1), [n, I]);
  const y = tensor(Float32Array.from({ length: n * O }, () => (random() * 2 - 1) * (opts.scale ?? 1)), [n, O]);
  const params = [w1, b1, w2, b2, unused];
  const h = new Float64Array(n * H);
  const dOut = new Float64Array(n * O);
  return {
    params,
    names: ['w1', 'b1', 'w2', 'b2', 'unused'],
    backward() {
      const [W1, B1, W2, B2, X, Y] = [w1.data, b1.data, w2.data, b2.data, x.data, y.data];
      let loss = 0;
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < H; j++) {
          let z = B1[j];
          for (let k = 0; k < I; k++) z += X[r * I + k] * W1[j * I + k];
          h[r * H + j] = Math.tanh(z);
        }
        for (let o = 0; o < O; o++) {
          let out = B2[o];
          for (let j = 0; j < H; j++) out += h[r * H + j] * W2[o * H + j];
          const d = out - Y[r * O + o];
          loss += d * d;
          dOut[r * O + o] = (2 * d) / (n * O);
        }
      }
      const g = { w1: new Float64Array(H * I), b1: new Float64Array(H), w2: new Float64Array(O * H), b2: new Float64Array(O) };
      for (let r = 0; r < n; r++) {
        for (let o = 0; o < O; o++) {
          const d = dOut[r * O + o];
          g.b2[o] += d;
          for (let j = 0; j < H; j++) g.w2[o * H + j] += d * h[r * H + j];
        }
        for (let j = 0; j < H; j++) {
          let dh = 0;
          for (let o = 0; o < O; o++) dh += dOut[r * O + o] * W2[o * H + j];
          const dz = dh * (1 - h[r * H + j] ** 2);
          g.b1[j] += dz;
          for (let k = 0; k < I; k++) g.w1[j * I + k] += dz * X[r * I + k];
        }
      }
      w1.grad = Float32Array.from(g.w1);
      b1.grad = Float32Array.from(g.b1);
      w2.grad = Float32Array.from(g.w2);
      b2.grad = Float32Array.from(g.b2);
      unused.grad = null;
      return loss / (n * O);
    },
    backwardKit() {
      for (const p of params) p.grad = null;
      const hid = tanh(linear(x, w1, b1));
      const out = linear(hid, w2, b2);
      const d = sub(out, y);
      const loss = mean(mul(d, d));
      loss.backward();
      return loss.item();
    },
  };
}
