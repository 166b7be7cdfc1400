/**
 * The learning-rate schedule nanoGPT trains with: linear warmup, then cosine decay to a floor.
 *
 *   step < warmup:   lr = maxLr * (step + 1) / warmup             small steps while Adam's averages settle
 *   afterwards:      lr = minLr + (maxLr - minLr) * (1 + cos(pi * progress)) / 2
 *
 * with progress going from 0 just after warmup to 1 at the last step (Loshchilov & Hutter,
 * "SGDR: Stochastic Gradient Descent with Warm Restarts", 2016, without the restarts).
 */
export interface Schedule {
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  /** Total number of steps; the last one (steps - 1) reaches minLr. */
  steps: number;
}

/** Learning rate for step 0 .. steps - 1. */
export function lrAt(step: number, s: Schedule): number {
  if (step < s.warmupSteps) return (s.maxLr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.steps - 1 - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLr + ((s.maxLr - s.minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
}
