/**
 * Measuring a GPT's loss without training it: forward passes under noGrad (no graph is kept).
 *
 * Two measures, as in nanoGPT:
 *  - estimateLoss: the mean over a fixed set of random windows, cheap enough to run during
 *    training (the same windows every time, so the curve shows the model changing, not the sample);
 *  - datasetLoss: every character of a split once, in consecutive windows of T; the number
 *    reported at the end. (The first characters of each window have little context, so this is
 *    slightly pessimistic compared with a sliding window.)
 */
import { type GPT, noGrad } from '../../kit';

/** Fixed batches of windows: inputs x and next-character targets y, each (B, T) flat. */
export interface Batch {
  x: Int32Array;
  y: Int32Array;
  B: number;
  T: number;
}

/** Mean cross-entropy (nats per character) over the given batches. */
export function estimateLoss(model: GPT, batches: readonly Batch[]): number {
  return noGrad(() => {
    let sum = 0;
    for (const { x, y, B, T } of batches) sum += model.forward(x, B, T, { targets: y }).loss!.item();
    return sum / batches.length;
  });
}

/**
 * Cuts `data` into consecutive windows of T + 1 characters overlapping by one (so every character
 * after the first is a target exactly once), grouped into batches of at most B windows. The tail
 * that does not fill a window is left out.
 */
export function windowBatches(data: Uint8Array, B: number, T: number): Batch[] {
  const windows = Math.floor((data.length - 1) / T);
  const batches: Batch[] = [];
  for (let w0 = 0; w0 < windows; w0 += B) {
    const n = Math.min(B, windows - w0);
    const x = new Int32Array(n * T);
    const y = new Int32Array(n * T);
    for (let b = 0; b < n; b++) {
      const start = (w0 + b) * T;
      for (let t = 0; t < T; t++) {
        x[b * T + t] = data[start + t];
        y[b * T + t] = data[start + t + 1];
      }
    }
    batches.push({ x, y, B: n, T });
  }
  return batches;
}

/** Mean loss over every target character of `data` (batches weighted by their size). */
export function datasetLoss(model: GPT, data: Uint8Array, B: number, T: number): { loss: number; chars: number } {
  return noGrad(() => {
    let sum = 0;
    let chars = 0;
    for (const { x, y, B: n } of windowBatches(data, B, T)) {
      sum += model.forward(x, n, T, { targets: y }).loss!.item() * n * T;
      chars += n * T;
    }
    return { loss: sum / chars, chars };
  });
}
