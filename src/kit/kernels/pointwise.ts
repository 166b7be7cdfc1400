/**
 * Fast scalar exp and tanh for the ops' inner loops (softmax, GELU). V8 compiles Math.exp and Math.tanh to
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
