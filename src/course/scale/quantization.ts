/**
 * The quantization lesson's course code: float64 references of every scheme the lesson teaches (int8 per tensor and
 * per channel, int4 group-wise with zero points, a GPTQ step), the known wrong answers computed by the same code with
 * an option (so a check can say which mistake a result looks like), and the bundled model's pieces its checks share
 * (the block matrices, a layer's calibration and held-out inputs, the validation loss).
 *
 * Rounding everywhere is to the nearest integer, halves to even (torch.round, NumPy's np.round, ONNX QuantizeLinear).
 */
import { type GPT, Tensor, noGrad } from '@llm-lab/kit';
import { shippedModel } from '@llm-lab/model';
import { corpusFor, evalLoss, kitGpt, tensorAt, windows } from '@llm-lab/course/lora';

/** Nearest integer, halves to even: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2. */
export function quantRoundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** How far x / step is from a rounding tie (0 = exactly on a half): where float32 and float64 may round apart. */
export const quantTieDistance = (x: number): number => Math.abs(Math.abs(x - Math.floor(x)) - 0.5);

export type QuantInt8Mistake = 'scale-from-max' | 'clamp-128' | 'round-half-up';

export interface QuantInt8Ref { q: number[]; scales: number[]; ratio: number[] }

/** Symmetric int8: scale = clip · max|w| / 127 over the tensor or over each row (output channel), q = clamp(roundEven(w / scale), −127, 127). */
export function quantInt8Ref(w: ArrayLike<number>, shape: readonly number[], perChannel: boolean, clip = 1, mistake?: QuantInt8Mistake): QuantInt8Ref {
  const [out, inp] = shape;
  const rows = perChannel ? out : 1;
  const per = perChannel ? inp : out * inp;
  const scales: number[] = [];
  const q: number[] = [];
  const ratio: number[] = [];
  for (let r = 0; r < rows; r++) {
    let m = mistake === 'scale-from-max' ? -Infinity : 0;
    for (let i = 0; i < per; i++) m = mistake === 'scale-from-max' ? Math.max(m, w[r * per + i]) : Math.max(m, Math.abs(w[r * per + i]));
    const scale = (clip * m) / 127;
    scales.push(scale);
    for (let i = 0; i < per; i++) {
      const x = scale === 0 ? 0 : w[r * per + i] / scale;
      ratio.push(x);
      const v = mistake === 'round-half-up' ? Math.round(x) : quantRoundEven(x);
      q.push(mistake === 'clamp-128' ? Math.max(-128, Math.min(128, v)) : Math.max(-127, Math.min(127, v)));
    }
  }
  return { q, scales, ratio };
}

export type QuantInt4Mistake = 'zero-plus-one' | 'zero-minus-one' | 'group-wrong-axis' | 'no-clamp';

export interface QuantInt4Ref { q: number[]; scales: number[]; zeros: number[]; ratio: number[]; zeroRatio: number[] }

/** The int4 code of x on a grid (scale, zero): clamp(roundEven(x / scale) + zero, 0, 15). */
export const quantInt4Code = (x: number, scale: number, zero: number): number => Math.max(0, Math.min(15, quantRoundEven(scale === 0 ? 0 : x / scale) + zero));

/** The grid of values lo..hi: scale = (hi − lo) / 15, zero = clamp(roundEven(−lo / scale), 0, 15); a constant group gets scale 1. */
export function quantInt4Grid(lo: number, hi: number, mistake?: QuantInt4Mistake): { scale: number; zero: number; zeroRatio: number } {
  const scale = hi > lo ? (hi - lo) / 15 : 1;
  const zeroRatio = -lo / scale;
  const shift = mistake === 'zero-plus-one' ? 1 : mistake === 'zero-minus-one' ? -1 : 0;
  return { scale, zero: Math.max(0, Math.min(15, quantRoundEven(zeroRatio) + shift)), zeroRatio };
}

/**
 * Asymmetric int4, groups of G consecutive weights along the input axis (row o, columns g·G .. g·G + G − 1); the
 * scales and zeros are ordered row by row, then group by group. 'group-wrong-axis': groups of G rows down a column.
 */
export function quantInt4Ref(w: ArrayLike<number>, shape: readonly number[], G: number, mistake?: QuantInt4Mistake): QuantInt4Ref {
  const [out, inp] = shape;
  const q = new Array<number>(out * inp).fill(0);
  const ratio = new Array<number>(out * inp).fill(0);
  const scales: number[] = [];
  const zeros: number[] = [];
  const zeroRatio: number[] = [];
  const groups: number[][] = [];
  if (mistake === 'group-wrong-axis') {
    for (let c = 0; c < inp; c++) for (let g = 0; g < out / G; g++) groups.push(Array.from({ length: G }, (_, k) => (g * G + k) * inp + c));
  } else {
    for (let o = 0; o < out; o++) for (let g = 0; g < inp / G; g++) groups.push(Array.from({ length: G }, (_, k) => o * inp + g * G + k));
  }
  for (const idx of groups) {
    let [lo, hi] = [Infinity, -Infinity];
    for (const i of idx) [lo, hi] = [Math.min(lo, w[i]), Math.max(hi, w[i])];
    const grid = quantInt4Grid(lo, hi, mistake);
    scales.push(grid.scale);
    zeros.push(grid.zero);
    zeroRatio.push(grid.zeroRatio);
    for (const i of idx) {
      ratio[i] = w[i] / grid.scale;
      q[i] = mistake === 'no-clamp' ? quantRoundEven(w[i] / grid.scale) + grid.zero : quantInt4Code(w[i], grid.scale, grid.zero);
    }
  }
  return { q, scales, zeros, ratio, zeroRatio };
}

/** (q − zero) · scale for codes laid out as quantInt4Ref's (groups along the input axis). */
export function quantDequantInt4(q: ArrayLike<number>, scales: ArrayLike<number>, zeros: ArrayLike<number>, shape: readonly number[], G: number, noZero = false): Float64Array {
  const [out, inp] = shape;
  const res = new Float64Array(out * inp);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) {
      const g = o * (inp / G) + Math.floor(i / G);
      res[o * inp + i] = (q[o * inp + i] - (noZero ? 0 : zeros[g])) * scales[g];
    }
  }
  return res;
}

/** The inverse of a symmetric positive definite n × n matrix (Gauss-Jordan in float64). */
function inverse64(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
        [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k], inv[c * n + k]];
      }
    }
    const d = m[c * n + c];
    for (let k = 0; k < n; k++) {
      m[c * n + k] /= d;
      inv[c * n + k] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k] -= f * m[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

/** H = 2 XᵀX / n + λ I with λ = damp · mean(diag(2 XᵀX / n)), X (n, in). */
export function quantHessian(x: ArrayLike<number>, n: number, inp: number, damp: number): Float64Array {
  const h = new Float64Array(inp * inp);
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < inp; a++) {
      const xa = x[s * inp + a];
      if (xa === 0) continue;
      for (let b = 0; b < inp; b++) h[a * inp + b] += (2 / n) * xa * x[s * inp + b];
    }
  }
  let mean = 0;
  for (let a = 0; a < inp; a++) mean += h[a * inp + a] / inp;
  for (let a = 0; a < inp; a++) h[a * inp + a] += damp * mean;
  return h;
}

export type QuantGptqMistake = 'no-propagation' | 'no-inverse-update' | 'propagate-all-columns';

/**
 * GPTQ (Frantar et al. 2022, Algorithm 1 without lazy batches) on the per-row int4 grid (the min and max of each
 * ORIGINAL row, fixed before any column is quantized): columns j = 0 .. in − 1 in order; each row's weight in column j
 * is rounded to its grid, the error e = (w − q̂) / [H⁻¹]_jj is spread over the later columns k > j as w_k −= e·[H⁻¹]_jk,
 * and column j is removed from H⁻¹ (H⁻¹ −= H⁻¹[:, j] H⁻¹[j, :] / [H⁻¹]_jj: the inverse Hessian of the columns left).
 * 'no-propagation' is round-to-nearest on the same grid.
 */
export function quantGptqRef(w: ArrayLike<number>, shape: readonly number[], x: ArrayLike<number>, n: number, damp: number, mistake?: QuantGptqMistake): QuantInt4Ref & { deq: Float64Array } {
  const [out, inp] = shape;
  const W = Float64Array.from(w);
  const scales: number[] = [];
  const zeros: number[] = [];
  const zeroRatio: number[] = [];
  for (let o = 0; o < out; o++) {
    let [lo, hi] = [Infinity, -Infinity];
    for (let i = 0; i < inp; i++) [lo, hi] = [Math.min(lo, W[o * inp + i]), Math.max(hi, W[o * inp + i])];
    const g = quantInt4Grid(lo, hi);
    scales.push(g.scale);
    zeros.push(g.zero);
    zeroRatio.push(g.zeroRatio);
  }
  const hinv = inverse64(quantHessian(x, n, inp, damp), inp);
  const q = new Array<number>(out * inp).fill(0);
  const ratio = new Array<number>(out * inp).fill(0);
  const deq = new Float64Array(out * inp);
  for (let j = 0; j < inp; j++) {
    const d = hinv[j * inp + j];
    for (let o = 0; o < out; o++) {
      const v = W[o * inp + j];
      ratio[o * inp + j] = v / scales[o];
      const code = quantInt4Code(v, scales[o], zeros[o]);
      q[o * inp + j] = code;
      deq[o * inp + j] = (code - zeros[o]) * scales[o];
      if (mistake === 'no-propagation') continue;
      const e = (v - deq[o * inp + j]) / d;
      for (let k = mistake === 'propagate-all-columns' ? 0 : j + 1; k < inp; k++) if (k !== j) W[o * inp + k] -= e * hinv[j * inp + k];
    }
    if (mistake === 'no-inverse-update') continue;
    for (let a = j + 1; a < inp; a++) {
      const f = hinv[a * inp + j] / d;
      if (f === 0) continue;
      for (let b = j + 1; b < inp; b++) hinv[a * inp + b] -= f * hinv[j * inp + b];
    }
  }
  return { q, scales, zeros, ratio, zeroRatio, deq };
}

/** Σ over samples and outputs of ((Ŵ − W) x)², X (n, in), W and Ŵ (out, in): a layer's output error. */
export function quantOutputError(w: ArrayLike<number>, wq: ArrayLike<number>, shape: readonly number[], x: ArrayLike<number>, n: number): number {
  const [out, inp] = shape;
  let s = 0;
  for (let o = 0; o < out; o++) {
    for (let r = 0; r < n; r++) {
      let d = 0;
      for (let i = 0; i < inp; i++) d += (wq[o * inp + i] - w[o * inp + i]) * x[r * inp + i];
      s += d * d;
    }
  }
  return s;
}

/** The block matrices the model table quantizes (embeddings, LayerNorms and biases stay float32). */
export const QUANT_MATRIX = /^h\.\d+\.(attn|mlp)\.\w+\.weight$/;

/** Evaluation windows for the model table: 4 windows of 128 characters of held-out Moby-Dick. */
export const QUANT_EVAL = { windows: 4, T: 128 };

export interface QuantModel {
  gpt: GPT;
  /** The block matrices' names. */
  names: string[];
  /** Their float32 values, copied before anything is quantized. */
  original: Map<string, Float32Array>;
  /** Mean cross-entropy on held-out Moby-Dick (nats per character) with the weights the GPT holds now. */
  valLoss(): number;
  restore(): void;
  vocab: readonly string[];
}

/** The bundled model as a kit GPT, with its block matrices and a validation loss. */
export async function quantModel(): Promise<QuantModel> {
  const model = await shippedModel();
  const gpt = kitGpt(model);
  const corpus = corpusFor(model.vocab);
  const names = model.weightNames.filter((n) => QUANT_MATRIX.test(n));
  const original = new Map(names.map((n) => [n, Float32Array.from(tensorAt(gpt, n).data)]));
  return {
    gpt, names, original, vocab: model.vocab,
    valLoss: () => evalLoss(gpt, corpus.moby, QUANT_EVAL.windows, Math.min(QUANT_EVAL.T, gpt.config.blockSize)),
    restore: () => names.forEach((n) => tensorAt(gpt, n).data.set(original.get(n)!)),
  };
}

/** The layer GPTQ is tried on: block 1's MLP input projection (512, 128). */
export const QUANT_GPTQ_LAYER = { block: 1, name: 'h.1.mlp.fc.weight' };

/**
 * The inputs that layer sees (ln_2 of the residual stream after block 1's attention, one row per position), for
 * calibration windows of the State of the Union excerpt and held-out windows of Moby-Dick.
 */
export function quantLayerInputs(m: QuantModel, calibWindows: number, heldOutWindows: number, T: number): { calib: Float32Array; heldOut: Float32Array; nCalib: number; nHeldOut: number } {
  const model = m.gpt;
  const corpus = corpusFor(m.vocab);
  const inputs = (data: Int32Array, windowsN: number): Float32Array => noGrad(() => {
    const { x } = windows(data, windowsN, T);
    const r = model.forward(x, windowsN, T, { record: true });
    const i = QUANT_GPTQ_LAYER.block;
    const before = i === 0 ? r.intermediates.get('embeddings')! : r.intermediates.get(`block_out_${i - 1}`)!;
    const attn = r.intermediates.get(`attn_out_${i}`)!;
    const resid = before.data.map((v, k) => v + attn.data[k]);
    const block = model.h[i];
    const t = block.ln_2.forward(new Tensor(resid, [...before.shape]));
    return Float32Array.from(t.data);
  });
  return { calib: inputs(corpus.train, calibWindows), heldOut: inputs(corpus.moby, heldOutWindows), nCalib: calibWindows * T, nHeldOut: heldOutWindows * T };
}
