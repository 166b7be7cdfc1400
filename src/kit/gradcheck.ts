/**
 * Gradient checking: compare the gradients backward() computes with central finite differences,
 *
 *   dL/dx_i  ~  (L(x + h e_i) - L(x - h e_i)) / 2h
 *
 * the independent reference tinygrad and torch.autograd.gradcheck test against. The output may
 * have any shape: it is turned into a scalar L = sum(out * R) with fixed random weights R, so every
 * output element's gradient is exercised (backward is seeded with R itself).
 *
 * Float32 is the honest difficulty here: it keeps about 7 digits, so h must be large enough that
 * L(x+h) - L(x-h) is not mostly rounding noise (h = 1e-2 by default, not the 1e-6 used in float64),
 * the difference quotient divides by the step actually stored (float32(x+h) - float32(x-h)),
 * L is summed in float64, and the tolerance is |analytic - numeric| <= atol + rtol * |numeric|.
 */
import { Tensor, noGrad } from './tensor';
import { Rng } from './random';

export interface GradcheckOptions {
  /** Finite-difference step h. */
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic - numeric| over all checked elements. */
  maxError: number;
  /** Where the check fails (or the worst element if it passes), in words. */
  message: string;
}

/**
 * `fn` computes the output from `inputs` (it is called again with each input perturbed in place).
 * Only inputs with requiresGrad are checked.
 */
export function gradcheck(fn: () => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-2, atol = 1e-3, rtol = 1e-2, seed = 0 } = opts;
  const rng = new Rng(seed);

  for (const x of inputs) x.grad = null;
  const out = fn();
  const R = new Float32Array(out.size);
  for (let i = 0; i < R.length; i++) R[i] = rng.normal();
  out.backward(R);

  const objective = (): number => {
    const y = noGrad(fn).data;
    let L = 0;
    for (let i = 0; i < y.length; i++) L += y[i] * R[i];
    return L;
  };

  let maxError = 0;
  let worst = { ratio: -1, text: 'no elements checked' };
  for (const [n, x] of inputs.entries()) {
    if (!x.requiresGrad) continue;
    const analytic = x.grad ?? new Float32Array(x.size); // never reached by backward: gradient 0
    for (let i = 0; i < x.size; i++) {
      const original = x.data[i];
      x.data[i] = original + eps;
      const up = x.data[i]; // the float32 value actually stored
      const Lup = objective();
      x.data[i] = original - eps;
      const down = x.data[i];
      const Ldown = objective();
      x.data[i] = original;
      const numeric = (Lup - Ldown) / (up - down);
      const error = Math.abs(analytic[i] - numeric);
      const tolerance = atol + rtol * Math.abs(numeric);
      const ratio = Number.isNaN(error) ? Infinity : error / tolerance;
      maxError = Math.max(maxError, error);
      if (ratio > worst.ratio) {
        worst = {
          ratio,
          text: `input ${n} ${shapeIndex(x.shape, i)}: analytic ${analytic[i]} vs numeric ${numeric} (|diff| ${error.toExponential(2)}, tolerance ${tolerance.toExponential(2)})`,
        };
      }
    }
  }
  const ok = worst.ratio <= 1;
  return { ok, maxError, message: ok ? `ok; worst ${worst.text}` : `gradient mismatch at ${worst.text}` };
}

/** Flat index -> "[i, j, k]" for messages. */
function shapeIndex(shape: readonly number[], flat: number): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}
