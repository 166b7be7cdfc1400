/**
 * Float64 references for the LoRA lessons (7 and 8), and every catalogued mistake as its own wrong variant.
 *
 * Used by the checks only, never by learner code: plain loops over plain arrays, independent of the kit and
 * of the learner's functions. LoRA (Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", 2021):
 *
 *   y  = x Wᵀ + b + s · (x Aᵀ) Bᵀ        s = alpha / r,  W (out, in) frozen,  A (r, in),  B (out, r)
 *   W' = W + s · B A                     the merged weight: x W'ᵀ + b is the same y
 */

// Values plus a row-major shape (a kit Tensor qualifies), and its float64 twin: the same types as lesson 2's reference.
import type { Arr, Arr64 } from '@llm-lab/course/attention';

export type { Arr, Arr64 };

/** a (n, k) @ b (k, m) in float64; leading axes of a are folded into n. */
export function mm(a: Arr, b: Arr): Arr64 {
  const k = a.shape[a.shape.length - 1];
  const n = a.data.length / k;
  const [k2, m] = b.shape;
  if (k !== k2 || b.shape.length !== 2) throw new Error(`check bug: mm (${a.shape}) @ (${b.shape})`);
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += Number(a.data[i * k + p]) * Number(b.data[p * m + j]);
      out[i * m + j] = s;
    }
  }
  return { data: out, shape: [...a.shape.slice(0, -1), m] };
}

/** The transpose of a 2-D array (or of a (..., k) array seen as (n, k)). */
export function tr(a: Arr): Arr64 {
  const k = a.shape[a.shape.length - 1];
  const n = a.data.length / k;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[j * n + i] = Number(a.data[i * k + j]);
  return { data: out, shape: [k, n] };
}

/** a + s · b, elementwise (b broadcast along rows when it is 1-D and a's last axis matches). */
export function axpy(a: Arr, b: Arr, s = 1): Arr64 {
  const out = Float64Array.from(a.data, Number);
  const n = b.data.length;
  for (let i = 0; i < out.length; i++) out[i] += s * Number(b.data[i % n]);
  return { data: out, shape: [...a.shape] };
}

export const zeros64 = (shape: number[]): Arr64 => ({ data: new Float64Array(shape.reduce((p, d) => p * d, 1)), shape });

// --- the LoRA layer ------------------------------------------------------------------------------

/**
 * How the scale s is computed: the lesson's alpha / r (the LoRA paper's, and PEFT's default), rsLoRA's
 * alpha / √r (PEFT's use_rslora=True: another convention, not a mistake), or a slip: none at all, r / alpha,
 * or alpha alone.
 */
export type ScaleVariant = 'alpha/r' | 'alpha/sqrt(r)' | 'none' | 'r/alpha' | 'alpha';

export function scaleOf(alpha: number, r: number, v: ScaleVariant = 'alpha/r'): number {
  switch (v) {
    case 'alpha/r': return alpha / r;
    case 'alpha/sqrt(r)': return alpha / Math.sqrt(r);
    case 'none': return 1;
    case 'r/alpha': return r / alpha;
    case 'alpha': return alpha;
  }
}

/** y = x Wᵀ + b + s (x Aᵀ) Bᵀ, x (..., in) -> (..., out). */
export function loraForward64(x: Arr, W: Arr, b: Arr | null, A: Arr, B: Arr, s: number): Arr64 {
  let y = mm(x, tr(W)); // (..., out)
  if (b) y = axpy(y, b);
  const lora = mm(mm(x, tr(A)), tr(B)); // (..., r) -> (..., out)
  return axpy(y, lora, s);
}

// --- its backward pass ---------------------------------------------------------------------------

/** Catalogue keys of lesson 7 (its mistakes, and 'scale-rslora', rsLoRA's convention alpha / √r). */
export type BackwardMistake = 'backward-no-scale' | 'backward-inverted-scale' | 'dx-base-only' | 'dx-adapter-only' | 'scale-rslora';
export const BACKWARD_MISTAKES: readonly BackwardMistake[] = ['backward-no-scale', 'backward-inverted-scale', 'dx-base-only', 'dx-adapter-only', 'scale-rslora'];

const BACKWARD_SCALE: Partial<Record<BackwardMistake, ScaleVariant>> = { 'backward-no-scale': 'none', 'backward-inverted-scale': 'r/alpha', 'scale-rslora': 'alpha/sqrt(r)' };

export interface Grads64 {
  dx: Arr64; // (N, in)
  dA: Arr64; // (r, in)
  dB: Arr64; // (out, r)
}

/**
 * For L with dL/dy = dY (N, out):  h = x Aᵀ (N, r)
 *   dB = s dYᵀ h          (out, r)
 *   dA = s (dY B)ᵀ x      (r, in)
 *   dx = dY W + s dY B A  (N, in)          W itself gets no gradient: it is frozen.
 */
export function loraBackward64(x: Arr, W: Arr, A: Arr, B: Arr, alpha: number, r: number, dY: Arr, mistake?: BackwardMistake): Grads64 {
  const s = scaleOf(alpha, r, (mistake && BACKWARD_SCALE[mistake]) ?? 'alpha/r');
  const h = mm(x, tr(A)); //          (N, r)
  const dh = mm(dY, B); //            (N, r), before the scale
  const dB = mm(tr(dY), h); //        (out, r)
  const dA = mm(tr(dh), x); //        (r, in)
  const base = mm(dY, W); //          (N, in)
  const adapter = mm(dh, A); //       (N, in)
  const dx = mistake === 'dx-base-only' ? base : mistake === 'dx-adapter-only' ? axpy(zeros64(base.shape), adapter, s) : axpy(base, adapter, s);
  return { dx, dA: axpy(zeros64(dA.shape), dA, s), dB: axpy(zeros64(dB.shape), dB, s) };
}

// --- merging -------------------------------------------------------------------------------------

export type MergeMistake = 'merge-transposed' | 'merge-no-scale' | 'merge-inverted-scale' | 'scale-rslora';
export const MERGE_MISTAKES: readonly MergeMistake[] = ['merge-transposed', 'merge-no-scale', 'merge-inverted-scale', 'scale-rslora'];

const MERGE_SCALE: Partial<Record<MergeMistake, ScaleVariant>> = { 'merge-no-scale': 'none', 'merge-inverted-scale': 'r/alpha', 'scale-rslora': 'alpha/sqrt(r)' };

/** W + s B A (out, in); undefined when the mistake cannot run on these shapes. */
export function merge64(W: Arr, A: Arr, B: Arr, alpha: number, r: number, mistake?: MergeMistake): Arr64 | undefined {
  const s = scaleOf(alpha, r, (mistake && MERGE_SCALE[mistake]) ?? 'alpha/r');
  let delta = mm(B, A); // (out, in)
  if (mistake === 'merge-transposed') {
    if (W.shape[0] !== W.shape[1]) return undefined; // Aᵀ Bᵀ is (in, out): it only fits a square W
    delta = tr(delta);
  }
  return axpy(W, delta, s);
}

export type UnmergeMistake = 'unmerge-adds' | 'unmerge-noop' | 'scale-rslora';
export const UNMERGE_MISTAKES: readonly UnmergeMistake[] = ['unmerge-adds', 'unmerge-noop', 'scale-rslora'];

/** W' - s B A; 'unmerge-adds' adds it again, 'unmerge-noop' gives W' back unchanged, 'scale-rslora' uses s = alpha / √r. */
export function unmerge64(merged: Arr, A: Arr, B: Arr, alpha: number, r: number, mistake?: UnmergeMistake): Arr64 {
  if (mistake === 'unmerge-noop') return { data: Float64Array.from(merged.data, Number), shape: [...merged.shape] };
  const s = scaleOf(alpha, r, mistake === 'scale-rslora' ? 'alpha/sqrt(r)' : 'alpha/r');
  return axpy(merged, mm(B, A), (mistake === 'unmerge-adds' ? 1 : -1) * s);
}

// --- counting parameters -------------------------------------------------------------------------

export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';
export const ALL_TARGETS: readonly LoRATarget[] = ['attn.q', 'attn.k', 'attn.v', 'attn.proj', 'mlp.fc', 'mlp.proj'];

export interface ConfigLike {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

/** (in, out) of one target Linear. */
export function targetDims(c: ConfigLike, t: LoRATarget): [number, number] {
  const C = c.nEmbd;
  return t === 'mlp.fc' ? [C, 4 * C] : t === 'mlp.proj' ? [4 * C, C] : [C, C];
}
