/**
 * Fast paths for the broadcasts a transformer does all the time: adding a (T, C) position table or a (C)
 * bias to every row of a (B, T, C) tensor, a residual add of two tensors of one shape, the (T, T) causal
 * mask over (B, nh, T, T) scores. In each, an input is its trailing block of the result repeated, so element
 * i of the result uses element i % period of that input. The general path (shape.ts, broadcastIndex) builds
 * an index map as large as the result for each input on every call; these loops need none.
 * Tested against the general ops in test/unit/kit/kernels.test.ts.
 */

/**
 * If `from` broadcasts to `to` by repeating all of itself (its shape, after dropping leading 1s, is a suffix
 * of `to`), the length of the repeated block (1 for a scalar); otherwise 0.
 */
export function repeatPeriod(from: readonly number[], to: readonly number[]): number {
  let lead = 0;
  while (lead < from.length && from[lead] === 1) lead++;
  const n = from.length - lead;
  if (n > to.length) return 0;
  let period = 1;
  for (let d = 0; d < n; d++) {
    const size = from[lead + d];
    if (size !== to[to.length - n + d]) return 0;
    period *= size;
  }
  return period;
}

/** out[i] = x[i % px] + y[i % py], for out.length a multiple of px and of py. */
export function addRepeated(x: Float32Array, px: number, y: Float32Array, py: number, out: Float32Array): void {
  const len = out.length;
  if (px === len && py === len) {
    for (let i = 0; i < len; i++) out[i] = x[i] + y[i];
  } else if (px === len) {
    for (let base = 0; base < len; base += py) for (let j = 0; j < py; j++) out[base + j] = x[base + j] + y[j];
  } else if (py === len) {
    for (let base = 0; base < len; base += px) for (let j = 0; j < px; j++) out[base + j] = x[j] + y[base + j];
  } else {
    for (let i = 0; i < len; i++) out[i] = x[i % px] + y[i % py];
  }
}

/** acc[j] += sum of g[i] over the i with i % period = j (the backward of a repeat). */
export function sumRepeated(g: Float32Array, acc: Float32Array, period: number): void {
  const len = g.length;
  if (period === len) {
    for (let i = 0; i < len; i++) acc[i] += g[i];
  } else {
    for (let base = 0; base < len; base += period) for (let j = 0; j < period; j++) acc[j] += g[base + j];
  }
}

/**
 * The mask as runs: [start, end) ranges of j in [0, period) where mask[j] is 0 (kept), in order. A causal mask
 * is one run per row, so the loops below move whole runs without looking at the mask element by element.
 */
function keptRuns(mask: Float32Array, period: number): Int32Array {
  const runs: number[] = [];
  for (let j = 0; j < period; j++) {
    if (mask[j] !== 0) continue;
    const start = j;
    while (j < period && mask[j] === 0) j++;
    runs.push(start, j);
  }
  return Int32Array.from(runs);
}

/** y[i] = mask[i % period] !== 0 ? value : x[i]. */
export function fillRepeated(x: Float32Array, mask: Float32Array, period: number, value: number, y: Float32Array): void {
  const runs = keptRuns(mask, period);
  y.fill(value);
  for (let base = 0; base < x.length; base += period) {
    for (let r = 0; r < runs.length; r += 2) {
      const end = base + runs[r + 1];
      for (let i = base + runs[r]; i < end; i++) y[i] = x[i];
    }
  }
}

/** gx[i] += g[i] where mask[i % period] is 0 (the positions maskedFill did not fill). */
export function unfilledGrad(g: Float32Array, mask: Float32Array, period: number, gx: Float32Array): void {
  const runs = keptRuns(mask, period);
  for (let base = 0; base < g.length; base += period) {
    for (let r = 0; r < runs.length; r += 2) {
      const end = base + runs[r + 1];
      for (let i = base + runs[r]; i < end; i++) gx[i] += g[i];
    }
  }
}
