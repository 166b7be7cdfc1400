/**
 * The GPT's hyperparameters and the names of everything it contains: one place that both the
 * ONNX exporter and the loader read, so the file format cannot drift between them.
 *
 * The architecture is GPT-2's, shrunk to characters (Radford et al. 2019, "Language Models are
 * Unsupervised Multitask Learners"; Karpathy's nanoGPT model.py is the readable reference):
 * token + position embeddings, nLayer pre-LayerNorm blocks of causal self-attention and an MLP,
 * a final LayerNorm and an LM head tied to the token embedding.
 *
 * Weight names and shapes follow PyTorch: a Linear layer's weight is (out, in) and computes
 * y = x W^T + b.
 */

export interface GptConfig {
  /** V: number of distinct tokens (characters). */
  readonly vocabSize: number;
  /** Longest sequence the model can look at (its "context"); also the rows of wpe. */
  readonly blockSize: number;
  /** Number of transformer blocks. */
  readonly nLayer: number;
  /** Attention heads per block; each head sees hs = nEmbd / nHead channels. */
  readonly nHead: number;
  /** C: width of the residual stream. */
  readonly nEmbd: number;
}

/** Bumped whenever the graph's inputs, outputs or weight names change meaning. */
export const MODEL_FORMAT_VERSION = 1;

/** The single graph input: token ids, int64, shape (B, T). */
export const INPUT_NAME = 'input_ids';

/** Throws a readable error unless every field is a positive integer and nHead divides nEmbd. */
export function validateConfig(config: GptConfig): void {
  const fields = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const;
  for (const field of fields) {
    const value: unknown = (config as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`GPT config: ${field} must be a positive integer, got ${JSON.stringify(value)}`);
    }
  }
  if (config.nEmbd % config.nHead !== 0) {
    throw new Error(`GPT config: nEmbd (${config.nEmbd}) must be divisible by nHead (${config.nHead})`);
  }
}

/**
 * Every parameter of the model with its shape, in a stable order (embeddings, blocks, final norm).
 * There is no lm_head entry: the LM head reuses wte.weight ("weight tying", Press & Wolf 2017).
 */
export function gptWeightShapes(config: GptConfig): Map<string, number[]> {
  const { vocabSize: V, blockSize, nLayer, nEmbd: C } = config;
  const shapes = new Map<string, number[]>();
  shapes.set('wte.weight', [V, C]);
  shapes.set('wpe.weight', [blockSize, C]);
  for (let i = 0; i < nLayer; i++) {
    const h = `h.${i}`;
    shapes.set(`${h}.ln_1.weight`, [C]);
    shapes.set(`${h}.ln_1.bias`, [C]);
    for (const part of ['q', 'k', 'v', 'proj']) {
      shapes.set(`${h}.attn.${part}.weight`, [C, C]);
      shapes.set(`${h}.attn.${part}.bias`, [C]);
    }
    shapes.set(`${h}.ln_2.weight`, [C]);
    shapes.set(`${h}.ln_2.bias`, [C]);
    shapes.set(`${h}.mlp.fc.weight`, [4 * C, C]);
    shapes.set(`${h}.mlp.fc.bias`, [4 * C]);
    shapes.set(`${h}.mlp.proj.weight`, [C, 4 * C]);
    shapes.set(`${h}.mlp.proj.bias`, [C]);
  }
  shapes.set('ln_f.weight', [C]);
  shapes.set('ln_f.bias', [C]);
  return shapes;
}

/**
 * The graph outputs and their shapes, with 'batch' and 'sequence' standing for B and T.
 * Everything a lesson may want to look at: the embeddings, every attention pattern, what each
 * attention layer adds to the residual stream, each block's result, and the logits.
 */
export function gptOutputShapes(config: GptConfig): Map<string, (number | 'batch' | 'sequence')[]> {
  const { vocabSize: V, nLayer, nHead, nEmbd: C } = config;
  const shapes = new Map<string, (number | 'batch' | 'sequence')[]>();
  shapes.set('logits', ['batch', 'sequence', V]);
  shapes.set('embeddings', ['batch', 'sequence', C]);
  for (let i = 0; i < nLayer; i++) {
    shapes.set(`attn_probs_${i}`, ['batch', nHead, 'sequence', 'sequence']);
    shapes.set(`attn_out_${i}`, ['batch', 'sequence', C]);
    shapes.set(`block_out_${i}`, ['batch', 'sequence', C]);
  }
  return shapes;
}

/** Number of scalars in a tensor of this shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** A weight stored in half precision is the initializer `<name>.fp16`, cast to `<name>` in the graph. */
export const FLOAT16_SUFFIX = '.fp16';
