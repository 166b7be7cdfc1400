/**
 * The loss curve's data, taken from train-log.json alone: a running mean of the per-step loss, the
 * periodic estimates on fixed train and validation batches, and the bigram baseline as a
 * horizontal line. curve.ts draws it with uPlot (the project's one chart library) in headless
 * Chromium; everything here is plain data, so it runs (and is tested) without a browser.
 */
import type { TrainLog } from './train-log';

/** Series names, in legend order. */
export const SERIES = {
  running: 'train batches (running mean)',
  train: 'train (fixed eval batches)',
  val: 'validation (fixed eval batches)',
} as const;

export const X_LABEL = 'training step';
export const Y_LABEL = 'cross-entropy (nats per character)';

export interface CurveSeries {
  label: string;
  /** CSS colour of the line. */
  stroke: string;
  /** Line width in CSS pixels. */
  width: number;
  /** Draw a dot at every point (the sparse periodic estimates). */
  points: boolean;
  /** Steps, ascending, and the loss at each. */
  x: number[];
  y: number[];
}

export interface LossCurve {
  title: string;
  xLabel: string;
  yLabel: string;
  series: CurveSeries[];
  /** Drawn as a dashed horizontal line, labelled at its right end. */
  baseline: { label: string; loss: number };
}

/** Mean of each run of k consecutive step losses (k chosen for about 100 points), at the run's last step (1-based). */
export function runningMean(losses: readonly number[]): { x: number[]; y: number[] } {
  const k = Math.max(1, Math.floor(losses.length / 100));
  const x: number[] = [];
  const y: number[] = [];
  for (let end = k; end <= losses.length; end += k) {
    let sum = 0;
    for (let i = end - k; i < end; i++) sum += losses[i];
    x.push(end);
    y.push(sum / k);
  }
  return { x, y };
}

/** The whole figure for one run; `bigramValLoss` is the bigram baseline's validation loss (bigram.ts). */
export function lossCurve(log: TrainLog, bigramValLoss: number): LossCurve {
  const running = runningMean(log.steps.loss);
  const evals = [...log.evals].sort((a, b) => a.step - b.step);
  return {
    title: `${log.name}: loss while training on Moby-Dick`,
    xLabel: X_LABEL,
    yLabel: Y_LABEL,
    series: [
      { label: SERIES.running, stroke: '#9ecae9', width: 1, points: false, ...running },
      { label: SERIES.train, stroke: '#1f77b4', width: 2.5, points: true, x: evals.map((e) => e.step), y: evals.map((e) => e.train) },
      { label: SERIES.val, stroke: '#ff7f0e', width: 2.5, points: true, x: evals.map((e) => e.step), y: evals.map((e) => e.val) },
    ],
    baseline: { label: `bigram baseline, validation: ${bigramValLoss.toFixed(3)}`, loss: bigramValLoss },
  };
}

/**
 * uPlot's data layout: one shared x axis, the union of every series' steps in ascending order, and
 * one column per series, null where that series has no point (and where its value is not finite).
 */
export function alignSeries(series: readonly Pick<CurveSeries, 'x' | 'y'>[]): { xs: number[]; columns: (number | null)[][] } {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const columns = series.map((s) => {
    const column = new Array<number | null>(xs.length).fill(null);
    s.x.forEach((x, i) => { column[at.get(x)!] = Number.isFinite(s.y[i]) ? s.y[i] : null; });
    return column;
  });
  return { xs, columns };
}
