/**
 * Gradient accumulation and mixed precision, simulated: the kit computes in float32, and fp16 / bf16 are float32
 * values rounded to what those formats can hold.
 */
import { mul, type Tensor } from '@llm-lab/kit';

/** Rounds q >= 0 to the nearest integer, a tie (exactly .5) to the even one. */
function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Every element rounded to the nearest IEEE half-precision value (ties to even), kept as float32: 10 mantissa bits,
 * exponents down to 2^-14, subnormals down to 2^-24 (below 2^-25 becomes ±0), |x| >= 65520 becomes ±Infinity
 * (65504 is the largest finite value), NaN stays NaN, -0 stays -0.
 */
export function toFp16(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const a = Math.abs(v);
    if (Number.isNaN(v) || a === 0) {
      out[i] = v;
      continue;
    }
    if (a >= 65520) { // halfway between 65504 and 2^16: a tie rounds to the even neighbour, 2^16, which is Inf
      out[i] = v > 0 ? Infinity : -Infinity;
      continue;
    }
    let e = Math.floor(Math.log2(a)); // the exponent of a, made exact where log2 rounds
    if (2 ** e > a) e--;
    if (2 ** (e + 1) <= a) e++;
    const ulp = 2 ** (Math.max(e, -14) - 10); // below 2^-14 the spacing stays 2^-24: subnormals
    const r = roundHalfEven(a / ulp) * ulp;
    out[i] = v < 0 ? -r : r;
  }
  return out;
}

/**
 * Every element rounded to the nearest bfloat16 value (ties to even), kept as float32: float32 with its last 16 bits
 * dropped after rounding (8 mantissa bits incl. the implicit one, float32's exponent range). NaN stays NaN.
 */
export function toBf16(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const o = new Uint32Array(out.buffer);
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) {
      out[i] = NaN;
      continue;
    }
    const u = bits[i];
    const bias = 0x7fff + ((u >>> 16) & 1); // PyTorch's round_to_nearest_even
    o[i] = ((u + bias) >>> 0) & 0xffff0000;
  }
  return out;
}

/** A micro batch: how many real (not padding) tokens and how many sequences it holds, and anything else lossFn needs. */
export interface MicroBatch {
  tokens: number;
  sequences: number;
}

export interface AccumulateOptions {
  /** 'token' (default): every real token of the full batch weighs the same. 'sequence': every sequence does. */
  mean?: 'token' | 'sequence';
}

/**
 * Runs forward and backward on each micro batch so that the gradients ADDED to the parameters' .grad are those of the
 * full batch's loss: lossFn(mb) is the micro batch's mean loss (over its tokens, or its sequences), so it is weighted
 * by its share of the batch's tokens (or sequences). With k equal micro batches every weight is 1/k.
 * Does not zero the gradients (the caller does, before the first micro batch). Returns the full batch's loss.
 * Throws a RangeError for an empty list or a batch with no tokens (sequences).
 */
export function accumulateGradients<B extends MicroBatch>(microBatches: B[], lossFn: (mb: B) => Tensor, opts: AccumulateOptions = {}): number {
  const over = opts.mean ?? 'token';
  const count = (mb: B) => (over === 'token' ? mb.tokens : mb.sequences);
  const total = microBatches.reduce((a, mb) => a + count(mb), 0);
  if (microBatches.length === 0 || !(total > 0)) throw new RangeError('accumulateGradients: the batch is empty');
  let loss = 0;
  for (const mb of microBatches) {
    const w = count(mb) / total;
    const l = lossFn(mb);
    mul(l, w).backward();
    loss += w * l.item();
  }
  return loss;
}

export interface LossScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
}

/** Dynamic loss scaling with PyTorch's GradScaler defaults: scale 2^16, ×0.5 on overflow, ×2 after 2000 good steps. */
export class DynamicLossScaler {
  scale: number;
  /** Good (finite) steps since the last change of the scale: PyTorch's growth tracker. */
  goodSteps = 0;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;

  constructor(opts: LossScalerOptions = {}) {
    this.scale = opts.initScale ?? 2 ** 16;
    this.growthFactor = opts.growthFactor ?? 2;
    this.backoffFactor = opts.backoffFactor ?? 0.5;
    this.growthInterval = opts.growthInterval ?? 2000;
  }

  /** Whether any gradient element is Infinity, -Infinity or NaN. */
  foundInf(grads: Float32Array[]): boolean {
    for (const g of grads) for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return true;
    return false;
  }

  /**
   * After each step: on overflow multiply the scale by backoffFactor and restart the count; otherwise count a good
   * step, and after growthInterval of them in a row multiply the scale by growthFactor (unless that gives Infinity)
   * and restart the count.
   */
  update(foundInf: boolean): void {
    if (foundInf) {
      this.scale *= this.backoffFactor;
      this.goodSteps = 0;
      return;
    }
    this.goodSteps++;
    if (this.goodSteps >= this.growthInterval) {
      const grown = this.scale * this.growthFactor;
      if (Number.isFinite(grown)) this.scale = grown;
      this.goodSteps = 0;
    }
  }
}

export interface MixedPrecisionOptions {
  /** SGD learning rate: master ← master − lr · g. */
  lr: number;
  /** Clip the unscaled gradients to this global norm (default: no clipping). */
  maxNorm?: number;
}

export interface StepResult {
  /** The (unscaled) loss of this step. */
  loss: number;
  /** true when the gradients overflowed: nothing was updated. */
  skipped: boolean;
  /** The global norm of the unscaled gradients before clipping (Infinity or NaN when skipped). */
  gradNorm: number;
}

/**
 * One mixed-precision SGD step. `model` is the fp16 working copy the forward uses (tensors with requiresGrad),
 * `master` the fp32 master weights (same sizes) the update is applied to.
 */
export function mixedPrecisionStep(
  master: Float32Array[], model: Tensor[], lossFn: () => Tensor, scaler: DynamicLossScaler, opts: MixedPrecisionOptions,
): StepResult {
  for (const p of model) p.zeroGrad();
  const loss = lossFn();
  mul(loss, scaler.scale).backward(); // the scaled loss: small gradients move up into fp16's range

  // The gradients of an fp16 model are fp16: round them (underflow and overflow happen here), then unscale in fp32.
  const grads = model.map((p) => toFp16(p.grad ?? new Float32Array(p.size)));
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] /= scaler.scale;

  if (scaler.foundInf(grads)) { // overflow: skip the step, lower the scale
    scaler.update(true);
    return { loss: loss.item(), skipped: true, gradNorm: Infinity };
  }

  let sq = 0; // clip AFTER unscaling: maxNorm is a norm of the true gradients
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const maxNorm = opts.maxNorm ?? Infinity;
  if (norm > maxNorm) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / norm;

  for (let j = 0; j < master.length; j++) {
    const w = master[j];
    for (let i = 0; i < w.length; i++) w[i] -= opts.lr * grads[j][i]; // the update goes to the fp32 master
    model[j].data.set(toFp16(w)); // and the working copy is the master rounded to fp16
  }
  scaler.update(false);
  return { loss: loss.item(), skipped: false, gradNorm: norm };
}
