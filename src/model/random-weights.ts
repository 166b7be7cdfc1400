/**
 * Reproducible random weights for a GPT of any config: the fixture both the ONNX model and the
 * kit's TypeScript GPT are tested with, so the two can be compared before any training exists.
 *
 * Unlike a training initialisation (GPT-2's normal(0, 0.02), zero biases, LayerNorm weight 1),
 * every tensor here, biases and LayerNorm parameters included, gets visibly non-zero values:
 * a test should notice if any one of them were ignored or swapped.
 */
import { type GptConfig, gptWeightShapes, sizeOf, validateConfig } from './config';
import { Rng } from '../kit/random';

export interface RandomWeightsOptions {
  /** Same seed, same weights. Default 1. */
  seed?: number;
  /** Values are uniform in [-scale, scale] (LayerNorm weights: 1 + that). Default 0.5. */
  scale?: number;
}

/** Seeded weights for every name of gptWeightShapes(config). */
export function randomGptWeights(config: GptConfig, options: RandomWeightsOptions = {}): Map<string, Float32Array> {
  validateConfig(config);
  const { seed = 1, scale = 0.5 } = options;
  const random = mulberry32(seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of gptWeightShapes(config)) {
    const isLayerNormWeight = /ln_[12f]\.weight$/.test(name);
    const values = new Float32Array(sizeOf(shape));
    for (let i = 0; i < values.length; i++) {
      const u = (2 * random() - 1) * scale; // uniform in [-scale, scale]
      values[i] = isLayerNormWeight ? 1 + u : u;
    }
    weights.set(name, values);
  }
  return weights;
}

/** Uniforms in [0, 1) from the kit's seeded generator (mulberry32), as a function. */
export function mulberry32(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.random();
}
