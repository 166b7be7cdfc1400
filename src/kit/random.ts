/**
 * A small seeded random number generator, so that every run of a lesson (weight init, batches,
 * sampling) can be repeated exactly.
 *
 * The generator is mulberry32 (Tommy Ettinger's 32-bit generator, popularised by bryc's
 * "PRNGs for JavaScript"): one 32-bit state, a few multiplies and shifts per number. It is fast and
 * good enough for teaching and small training runs (period 2^32), not for cryptography.
 * normal() uses the Box-Muller transform (1958): two uniforms become two independent normals.
 * The API follows Python's `random` and PyTorch (`manual_seed`, `randint` with an exclusive high end).
 */

export class Rng {
  private state = 0;
  /** Box-Muller makes normals in pairs; the second one waits here. */
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Restarts the sequence from `seed` (any integer). */
  seed(seed: number): void {
    this.state = seed | 0;
    this.spare = null;
  }

  /** Uniform in [0, 1). */
  random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Normal (Gaussian) with the given mean and standard deviation. */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    const u1 = 1 - this.random(); // in (0, 1], so log(u1) is finite
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [low, high): the high end is excluded, as in torch.randint. */
  randint(low: number, high: number): number {
    if (!(high > low)) throw new Error(`randint: empty range [${low}, ${high})`);
    return low + Math.floor(this.random() * (high - low));
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /**
   * Draws index i with probability probs[i] / sum(probs). The weights need not sum to 1,
   * but must be non-negative with a positive, finite total.
   */
  categorical(probs: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < probs.length; i++) total += probs[i];
    if (!(total > 0 && Number.isFinite(total))) {
      throw new Error(`categorical: probabilities must have a positive finite sum, got ${total}`);
    }
    let r = this.random() * total;
    let last = -1;
    for (let i = 0; i < probs.length; i++) {
      if (probs[i] <= 0) continue;
      last = i;
      r -= probs[i];
      if (r < 0) return i;
    }
    return last; // rounding left r a hair above 0: the last possible index
  }
}

/** The generator used when a function is not given one (like PyTorch's default generator). */
export const globalRng = new Rng(0);

/** Reseeds the global generator, like torch.manual_seed. */
export function manualSeed(seed: number): void {
  globalRng.seed(seed);
}
