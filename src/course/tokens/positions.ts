/**
 * The positions lesson's course code (lessons/06c-positions, positions/encodings): float64 references for the
 * sinusoidal encodings of Vaswani et al. (2017), RoPE (Su et al., RoFormer) in both pairing conventions, causal
 * attention with RoPE on queries and keys, and the bundled model's loss at each position of its context.
 *
 * Every reference computes in float64 from plain arrays and returns Float64Arrays; the wrong variants the checks
 * recognise (sin and cos swapped, exponent i/d, the other layout, a mix of both pairings, rotated values, positions
 * restarted at 0) are computed by the same functions with an option, so a failure can say which one it looks like.
 */
import { MOBY_VAL } from '@llm-lab/course/lora';
import type { BundledModel } from '@llm-lab/model';

/** How the d channels of a sinusoidal table are laid out, and how its frequencies are spaced. */
export interface PosSinusoidalOptions {
  startPos?: number;
  base?: number;
  /** 'interleaved' (the paper: sin at 2i, cos at 2i+1), 'halves' (all sines, then all cosines, as tensor2tensor and fairseq). */
  layout?: 'interleaved' | 'halves';
  /** 'paper': 1 / base^(2i/d); 'i/d': 1 / base^(i/d) (a mistake); 't2t': tensor2tensor's exp(-i ln(base) / (d/2 - 1)). */
  spacing?: 'paper' | 'i/d' | 't2t';
  /** sin and cos exchanged (a mistake). */
  swapped?: boolean;
}

/** The frequency of pair i of d channels: 1 / base^(2i/d) (or a variant). */
function frequency(i: number, d: number, base: number, spacing: PosSinusoidalOptions['spacing'] = 'paper'): number {
  if (spacing === 'i/d') return base ** (-i / d);
  if (spacing === 't2t') return Math.exp(-i * Math.log(base) / Math.max(d / 2 - 1, 1));
  return base ** (-(2 * i) / d);
}

/** The (T, d) sinusoidal table in float64: PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)). */
export function posSinusoidal64(T: number, d: number, opts: PosSinusoidalOptions = {}): Float64Array {
  const { startPos = 0, base = 10000, layout = 'interleaved', spacing = 'paper', swapped = false } = opts;
  const half = d / 2;
  const out = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const a = (startPos + t) * frequency(i, d, base, spacing);
      const [s, c] = swapped ? [Math.cos(a), Math.sin(a)] : [Math.sin(a), Math.cos(a)];
      if (layout === 'interleaved') {
        out[t * d + 2 * i] = s;
        out[t * d + 2 * i + 1] = c;
      } else {
        out[t * d + i] = s;
        out[t * d + half + i] = c;
      }
    }
  }
  return out;
}

/** RoPE's frequencies θ_i = base^(-2i/hs), i = 0 .. hs/2 - 1 (or base^(-i/hs), the mistake). */
export function posRopeFrequencies64(hs: number, base = 10000, spacing: 'paper' | 'i/d' = 'paper'): Float64Array {
  return Float64Array.from({ length: hs / 2 }, (_, i) => frequency(i, hs, base, spacing));
}

/**
 * How RoPE pairs the channels of a head:
 *   'interleaved'  (x_{2i}, x_{2i+1}) rotated by θ_i (RoFormer, Meta's LLaMA, GPT-J)
 *   'halves'       (x_i, x_{i+hs/2}) rotated by θ_i (Hugging Face's rotate_half, GPT-NeoX)
 *   'mixed-a'      partners x_i and x_{i+hs/2}, but channel j turned by θ_{floor(j/2)} (a mix: not a rotation)
 *   'mixed-b'      adjacent partners, but channel j turned by θ_{j mod hs/2} (the other mix)
 */
export type PosPairing = 'interleaved' | 'halves' | 'mixed-a' | 'mixed-b';

export interface PosRopeOptions {
  base?: number;
  pairing?: PosPairing;
  spacing?: 'paper' | 'i/d';
  /** The angle's sign flipped (a rotation the other way). */
  reversed?: boolean;
}

/**
 * RoPE in float64 on x of shape (..., T, hs): the token at row t sits at position positions(t) (default startPos + t).
 * Pair (a, b) turned by angle φ = position · θ: (a cos φ − b sin φ, a sin φ + b cos φ).
 */
export function posRope64(x: ArrayLike<number>, shape: readonly number[], startPos = 0, opts: PosRopeOptions = {}, positions?: (t: number) => number): Float64Array {
  const { base = 10000, pairing = 'interleaved', spacing = 'paper', reversed = false } = opts;
  const hs = shape[shape.length - 1];
  const T = shape[shape.length - 2];
  const half = hs / 2;
  const theta = posRopeFrequencies64(hs, base, spacing);
  const rows = x.length / hs;
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const t = r % T;
    const pos = positions ? positions(t) : startPos + t;
    const o = r * hs;
    const angle = (j: number) => (reversed ? -1 : 1) * pos * theta[j];
    for (let i = 0; i < half; i++) {
      if (pairing === 'interleaved' || pairing === 'halves') {
        const [ja, jb] = pairing === 'interleaved' ? [2 * i, 2 * i + 1] : [i, i + half];
        const [a, b, phi] = [x[o + ja], x[o + jb], angle(i)];
        out[o + ja] = a * Math.cos(phi) - b * Math.sin(phi);
        out[o + jb] = a * Math.sin(phi) + b * Math.cos(phi);
      } else {
        // The two mixes: the partners of one convention, the angle of each channel from the other.
        const [ja, jb] = pairing === 'mixed-a' ? [i, i + half] : [2 * i, 2 * i + 1];
        const thetaOf = (j: number) => (pairing === 'mixed-a' ? Math.floor(j / 2) : j % half);
        const [a, b] = [x[o + ja], x[o + jb]];
        const [pa, pb] = [angle(thetaOf(ja)), angle(thetaOf(jb))];
        out[o + ja] = a * Math.cos(pa) - b * Math.sin(pa);
        out[o + jb] = b * Math.cos(pb) + a * Math.sin(pb);
      }
    }
  }
  return out;
}

export interface PosAttendOptions extends PosRopeOptions {
  /** The values rotated too (a mistake). */
  rotateValues?: boolean;
  /** The position of each row t of q and k in the chunks the sequence was fed in (default t: one chunk). */
  positions?: (t: number) => number;
}

/**
 * Causal attention with RoPE on q and k, in float64: q, k, v (B, H, T, hs), all for positions 0 .. T−1 (or
 * `positions`), softmax(q_rot k_rot^T / sqrt(hs)) v with row t seeing keys 0..t. Returns (B, H, T, hs).
 */
export function posAttend64(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, shape: readonly number[], opts: PosAttendOptions = {}): Float64Array {
  const [B, H, T, hs] = shape;
  const qr = posRope64(q, shape, 0, opts, opts.positions);
  const kr = posRope64(k, shape, 0, opts, opts.positions);
  const vr = opts.rotateValues ? posRope64(v, shape, 0, opts, opts.positions) : Float64Array.from(v);
  const out = new Float64Array(B * H * T * hs);
  const scale = 1 / Math.sqrt(hs);
  for (let bh = 0; bh < B * H; bh++) {
    const o = bh * T * hs;
    for (let t = 0; t < T; t++) {
      const s: number[] = [];
      for (let j = 0; j <= t; j++) {
        let d = 0;
        for (let c = 0; c < hs; c++) d += qr[o + t * hs + c] * kr[o + j * hs + c];
        s.push(d * scale);
      }
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j <= t; j++) for (let c = 0; c < hs; c++) out[o + t * hs + c] += (e[j] / z) * vr[o + j * hs + c];
    }
  }
  return out;
}

/** The bundled model's mean cross-entropy (nats) at each position 0 .. blockSize−1 of its context, over `windows` windows of the held-out text. */
export async function posLossByPosition(model: BundledModel, windows = 24): Promise<{ loss: number[]; byWindow: number[][]; windows: number; chars: number }> {
  const T = model.config.blockSize;
  const V = model.config.vocabSize;
  const text = model.tokenizer.encode(MOBY_VAL);
  const stride = Math.floor((text.length - T - 1) / (windows - 1));
  const ids = new Int32Array(windows * T);
  const targets = new Int32Array(windows * T);
  for (let w = 0; w < windows; w++) {
    for (let t = 0; t < T; t++) {
      ids[w * T + t] = text[w * stride + t];
      targets[w * T + t] = text[w * stride + t + 1];
    }
  }
  const { logits } = await model.run(ids, windows, T, ['logits']);
  const loss = new Array<number>(T).fill(0);
  const byWindow = Array.from({ length: windows }, () => new Array<number>(T).fill(0));
  for (let w = 0; w < windows; w++) {
    for (let t = 0; t < T; t++) {
      const o = (w * T + t) * V;
      let m = -Infinity;
      for (let c = 0; c < V; c++) m = Math.max(m, logits.data[o + c]);
      let z = 0;
      for (let c = 0; c < V; c++) z += Math.exp(logits.data[o + c] - m);
      byWindow[w][t] = m + Math.log(z) - logits.data[o + targets[w * T + t]];
      loss[t] += byWindow[w][t] / windows;
    }
  }
  return { loss, byWindow, windows, chars: windows * T };
}
