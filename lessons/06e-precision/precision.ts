/**
 * The precision lesson: gradient accumulation and mixed precision, SIMULATED. The kit computes in float32 only;
 * an "fp16" or "bf16" value here is a float32 value rounded to what that format can hold.
 *
 *   fp16 (IEEE half):  1 sign, 5 exponent, 10 mantissa bits. Largest 65504, smallest normal 2^-14,
 *                      subnormals down to 2^-24 (spacing 2^-24), |x| >= 65520 -> ±Infinity.
 *   bf16 (bfloat16):   1 sign, 8 exponent, 7 mantissa bits: float32's range, float32 with its last 16 bits rounded off.
 *   Both round to nearest, a tie (exactly halfway) to the neighbour whose last mantissa bit is 0 ("ties to even").
 *
 *   p.grad (Float32Array)    a tensor's gradient after backward(); null before anything flowed into it
 *   p.zeroGrad()             fills p.grad with zeros; p.data.set(values) overwrites a tensor's values in place
 *   mul(loss, c).backward()  backpropagates c times the loss: gradients ADD to what is in .grad
 */
import { mul, type Tensor, TODO } from '@llm-lab/kit';

/**
 * Every element rounded to the nearest IEEE half-precision value (ties to even), kept as float32: 10 mantissa bits,
 * exponents down to 2^-14, subnormals down to 2^-24 (below 2^-25 becomes ±0), |x| >= 65520 becomes ±Infinity
 * (65504 is the largest finite value), NaN stays NaN, -0 stays -0. Returns a new array.
 */
export function toFp16(x: Float32Array): Float32Array {
  // TODO: for each value: NaN and ±0 as they are; |x| >= 65520 -> ±Infinity; otherwise find e with
  // 2^e <= |x| < 2^(e+1), take the spacing ulp = 2^(max(e, -14) - 10), round |x| / ulp to the nearest integer
  // (a tie to the even one), multiply back by ulp and give it the sign of x.
  return TODO('toFp16');
}

/**
 * Every element rounded to the nearest bfloat16 value (ties to even), kept as float32: float32 with its last 16 bits
 * dropped after rounding (8 mantissa bits incl. the implicit one, float32's exponent range). NaN stays NaN.
 */
export function toBf16(x: Float32Array): Float32Array {
  // TODO: the same rule with 7 stored mantissa bits and float32's exponents; or on the bits, as PyTorch does:
  // view the values as a Uint32Array u, add 0x7fff + ((u >>> 16) & 1), keep the top 16 bits. Keep NaN as NaN.
  return TODO('toBf16');
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
  // TODO: count the unit opts.mean names (default 'token') over all micro batches: total. Throw a RangeError if
  // there is nothing. Then for each micro batch: weight = its count / total; mul(lossFn(mb), weight).backward();
  // add weight * loss to the full batch's loss, and return it.
  return TODO('accumulateGradients');
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
    return TODO('DynamicLossScaler.foundInf');
  }

  /**
   * After each step: on overflow multiply the scale by backoffFactor and restart the count; otherwise count a good
   * step, and after growthInterval of them in a row multiply the scale by growthFactor (unless that gives Infinity)
   * and restart the count.
   */
  update(foundInf: boolean): void {
    TODO('DynamicLossScaler.update');
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
  // TODO, in this order:
  //   1. zero the working copy's gradients; loss = lossFn(); backward of loss · scaler.scale
  //   2. the gradients of an fp16 model are fp16: g = toFp16(p.grad) for each p (underflow and overflow happen here)
  //   3. unscale in fp32: g[i] /= scaler.scale
  //   4. if scaler.foundInf(grads): scaler.update(true) and return { loss, skipped: true, gradNorm: Infinity }
  //   5. the global norm of the unscaled gradients; if above opts.maxNorm, scale them by maxNorm / norm
  //   6. master[j][i] -= lr * g[j][i], then copy the master into the working copy: model[j].data.set(toFp16(master[j]))
  //   7. scaler.update(false); return { loss, skipped: false, gradNorm }
  return TODO('mixedPrecisionStep');
}
