/**
 * Fast scalar exp and tanh for the ops' inner loops, and (further down) the float32-accurate exp32 and the GELU
 * loops built on it, which the hot paths now use (softmax rows, GELU, cross-entropy); exp remains for softmax
 * along other dims, tanh for whoever wants a double-accurate one. V8 compiles Math.exp and Math.tanh to
 * calls into its C++ library (fdlibm): correct to the last bit of a double, but a function call each, and
 * the attention softmax and the MLP's GELU evaluate millions of them per training step. These two are
 * plain arithmetic that the JIT inlines into the loop, several times faster, and still far more accurate
 * than the float32 the results are stored in (relative error below 1e-9 against Math.exp / Math.tanh,
 * checked in test/unit/kit/kernels.test.ts):
 *
 *   exp(x) = 2^n * exp(r),  n = round(x / ln 2) (to nearest, ties to even),  r = x - n ln 2  (|r| <= ln(2)/2)
 *            exp(r) by its Taylor series to r^9 / 9!  (the next term is below 2e-10 of the sum)
 *            2^n from a table of the powers of two a double can hold
 *   tanh(u) = sign(u) (1 - e) / (1 + e),  e = exp(-2|u|); its odd Taylor series near 0 (where 1 - e would
 *            cancel), and +-1 past |u| = 19.1 (where the float64 result is already +-1).
 */

import { geluWasm } from './wasm';

const LN2_HI = 0.6931471803691238; // ln 2 split in two (Cody & Waite), so that n * LN2_HI is exact
const LN2_LO = 1.9082149292705877e-10;
const LOG2E = 1.4426950408889634;
/** Adding and subtracting 1.5 * 2^52 rounds a double to an integer (round-half-even), far faster than Math.round. */
const ROUND = 6755399441055744;
/** POW2[n + 1022] = 2^n for n in [-1022, 1023]. */
const POW2 = Float64Array.from({ length: 2046 }, (_, i) => 2 ** (i - 1022));

/**
 * e^x. Inputs below -708 (where the double result would be subnormal, and its float32 long since 0) give
 * 0, so exp(-Infinity) = 0 as softmax needs for masked scores; above 709 and NaN defer to Math.exp
 * (Infinity, NaN).
 */
export function exp(x: number): number {
  if (x < -708) return 0;
  if (!(x < 709)) return Math.exp(x);
  const n = (x * LOG2E + ROUND) - ROUND;
  const r = x - n * LN2_HI - n * LN2_LO;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 +
    r * (1 / 5040 + r * (1 / 40320 + r * (1 / 362880)))))))));
  return p * POW2[(n + 1022) | 0];
}

/** tanh(u), computed on |u| so that it is exactly odd; NaN stays NaN. */
export function tanh(u: number): number {
  const a = Math.abs(u);
  if (a < 0.03) { // u - u^3/3 + 2u^5/15 - 17u^7/315: the next term is below 1e-14 of u
    const u2 = u * u;
    return u * (1 + u2 * (-1 / 3 + u2 * (2 / 15 + u2 * (-17 / 315))));
  }
  if (a > 19.1) return u > 0 ? 1 : -1;
  const e = exp(-2 * a); // in (0, 1): no overflow, and 1 - e loses nothing here
  const t = (1 - e) / (1 + e);
  return u < 0 ? -t : t;
}

// ---------------------------------------------------------------------------------------------
// float32-accurate exp for the hot loops (softmax rows, GELU, cross-entropy). exp() above is accurate to 1e-9;
// the results are stored as float32 (a relative step of 6e-8), so the loops use this cheaper one, accurate to
// 6e-10 relative, a hundredth of a float32 step (checked in test/unit/kit/fused-kernels.test.ts):
//
//   exp(x) = 2^(k/32) * exp(r),  k = round(x * 32 / ln 2),  r = x - k ln(2) / 32  (|r| <= ln(2)/64 = 0.011)
//            2^(k/32) from a table, exp(r) by its Taylor series to r^3 / 3! (the rest is below 6e-10)
//
// Valid for x in [EXP32_MIN, EXP32_MAX]; callers keep x there (softmax: x <= 0, below -104 the float32 result
// is 0; GELU: |x| <= 88). Each caller file keeps its own three-line copy of exp32 so that the JIT inlines it
// (a call across modules goes through an export getter when the kit runs from TypeScript via tsx).

/** The range of exp32's table: 2^(k/32) for k in [-5120, 4096), that is x in about [-110.9, 88.7]. */
export const EXP32_MIN = -110, EXP32_MAX = 88.5;
/** EXP2_32[k + EXP2_32_ZERO] = 2^(k/32). */
export const EXP2_32_ZERO = 5120;
export const EXP2_32 = Float64Array.from({ length: 5120 + 4096 }, (_, i) => 2 ** ((i - 5120) / 32));
const K32 = 32 / Math.LN2, LN2_32 = Math.LN2 / 32;

/** e^x for x in [EXP32_MIN, EXP32_MAX] (outside: undefined). */
export function exp32(x: number): number {
  const k = (x * K32 + ROUND) - ROUND;
  const r = x - k * LN2_32;
  return ((1 + r) + r * r * (1 / 2 + r * (1 / 6))) * EXP2_32[(k + EXP2_32_ZERO) | 0];
}

// ---------------------------------------------------------------------------------------------
// GELU (ops/elementwise.ts): the MLP applies it to a (B, T, 4C) tensor, forward and backward, every step.
// The op's formula is 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3). Since 1 + tanh(u) = 2 / (1 + e^(-2u)),
// the same number is x / (1 + e^(-2u)): one exp, no tanh, and no cancellation in 1 + tanh(u) for negative x.
// With s = 1 / (1 + e), e = e^(-2u): 1 - s = e s, so gelu'(x) = s + 2 x s (1 - s) du/dx = s (1 + 2 x s e du/dx).
// For |x| <= 10, |2u| <= 87.3 stays inside exp32's range; beyond (and for NaN, +-Infinity) the loops use the
// op's own formula with Math.tanh, so those give exactly what they always gave. When a backward will follow,
// the forward computes gelu'(x) along with gelu(x), from the same exp, and saves it.

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * Arrays of at least this many elements go to the WebAssembly kernel ($geluTask in matmul.wat, run by
 * geluWasm in wasm.ts): the same float64 arithmetic as the loops below, operation for operation, so the same
 * float32 results, two elements at a time and on the worker threads too (tested against these loops bit for
 * bit in test/unit/kit/fused-kernels.test.ts). Below it, copying in and out would cost more than it saves.
 */
export const GELU_WASM_MIN = 2048;

/** The loops' doubles, and exp32's table, as $geluTask reads them: f64 words 0-8, the table from word 16. */
export const GELU_CONSTANTS = new Float64Array(16 + EXP2_32.length);
GELU_CONSTANTS.set([GELU_C, GELU_A, 3 * GELU_A, -2 * GELU_C, K32, LN2_32, ROUND, EXP2_32_ZERO, 1 / 6]);
GELU_CONSTANTS.set(EXP2_32, 16);

/** y = gelu(x), elementwise. */
export function geluForward(x: Float32Array, y: Float32Array): void {
  if (x.length < GELU_WASM_MIN || !geluWasm(x, y, undefined, GELU_CONSTANTS)) geluLoop(x, y);
}

/**
 * y = gelu(x) and d = gelu'(x), elementwise, for a forward pass whose backward will follow: both from one exp,
 * where a backward that recomputed gelu'(x) from x would need a second one. d is stored as float32, so the
 * backward's g * d rounds twice (a float32 step at most).
 */
export function geluForwardWithGrad(x: Float32Array, y: Float32Array, d: Float32Array): void {
  if (x.length < GELU_WASM_MIN || !geluWasm(x, y, d, GELU_CONSTANTS)) geluLoopWithGrad(x, y, d);
}

/** geluForward's loop in JavaScript. */
export function geluLoop(x: Float32Array, y: Float32Array): void {
  // Locals rather than module constants: the JIT then treats them as constants in the loop.
  const T = EXP2_32, Z = EXP2_32_ZERO, K = K32, L = LN2_32, C = GELU_C, A = GELU_A, R = ROUND;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= -10 && v <= 10) {
      const z = -2 * C * (v + A * v * v * v); // -2u
      const k = (z * K + R) - R; // exp32(z), inlined by hand
      const r = z - k * L;
      const e = ((1 + r) + r * r * (1 / 2 + r * (1 / 6))) * T[(k + Z) | 0];
      y[i] = v / (1 + e);
    } else {
      y[i] = 0.5 * v * (1 + Math.tanh(C * (v + A * v * v * v)));
    }
  }
}

/** geluForwardWithGrad's loop in JavaScript. */
export function geluLoopWithGrad(x: Float32Array, y: Float32Array, d: Float32Array): void {
  // Locals rather than module constants: the JIT then treats them as constants in the loop.
  const T = EXP2_32, Z = EXP2_32_ZERO, K = K32, L = LN2_32, C = GELU_C, A = GELU_A, R = ROUND;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const du = C * (1 + 3 * A * v * v); // du/dx
    if (v >= -10 && v <= 10) {
      const z = -2 * C * (v + A * v * v * v);
      const k = (z * K + R) - R;
      const r = z - k * L;
      const e = ((1 + r) + r * r * (1 / 2 + r * (1 / 6))) * T[(k + Z) | 0];
      const s = 1 / (1 + e);
      y[i] = v * s;
      d[i] = s * (1 + 2 * v * s * e * du);
    } else {
      const t = Math.tanh(C * (v + A * v * v * v));
      y[i] = 0.5 * v * (1 + t);
      d[i] = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du;
    }
  }
}
