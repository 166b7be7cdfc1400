/**
 * The bundled model, a real sentence, and everything onnxruntime computes for it: what the model-level checks
 * of lessons 2-4 compare the learner's code against. Loaded once per check run and shared by every check
 * (a run is one process; the model file is read and the onnxruntime session created on first use).
 *
 * The inputs the checks build here (a layer's LayerNorm, its q, k, v projections) use the course's kit, never
 * the learner's code; the expected values come from onnxruntime, an independent implementation.
 */
import { type LocalArtifact, type Text, t } from '@llm-lab/check';
import { type Tensor, layerNorm, linear, tensor, transpose } from '@llm-lab/kit';
import { type BundledModel, type ModelOutputs, shippedModel } from '@llm-lab/model';

/** Short on purpose (a check should take about a second) and every character is in the vocabulary. */
export const SENTENCE = 'Call me Ishmael. Some years ago';

export interface ModelFixture {
  model: BundledModel;
  text: string;
  /** One sequence: ids (1, T). */
  ids: number[];
  T: number;
  /** The characters as the charts show them: a space as ␣, a newline as ↵. */
  tokens: string[];
  /** Every output of one onnxruntime run: logits, embeddings, attn_probs_i, attn_out_i, block_out_i. */
  outputs: ModelOutputs;
  /** A weight as a kit Tensor (a fresh copy each call, so nothing the learner does can change the model). */
  weight(name: string): Tensor;
  /** What block i reads: the embeddings for block 0, else block i - 1's output. (1, T, C) */
  blockInput(i: number): Tensor;
  /** ln_1 of block i's input: what its attention reads. (1, T, C) */
  attentionInput(i: number): Tensor;
}

let cached: Promise<ModelFixture> | undefined;

export function modelFixture(): Promise<ModelFixture> {
  cached ??= load().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

/** A character as a chart label. */
export function tokenLabel(ch: string): string {
  return ch === ' ' ? '␣' : ch === '\n' ? '↵' : ch === '\t' ? '⇥' : ch;
}

export const asTensor = (t: { data: ArrayLike<number>; shape: readonly number[] }): Tensor => tensor(Float32Array.from(t.data), [...t.shape]);

async function load(): Promise<ModelFixture> {
  const model = await shippedModel();
  const ids = Array.from(model.tokenizer.encode(SENTENCE));
  const T = ids.length;
  const outputs = await model.run(ids, 1, T);
  const weight = (name: string) => asTensor(model.weight(name));
  const blockInput = (i: number) => asTensor(outputs[i === 0 ? 'embeddings' : `block_out_${i - 1}`]);
  return {
    model, text: SENTENCE, ids, T, tokens: [...SENTENCE].map(tokenLabel), outputs, weight, blockInput,
    attentionInput: (i) => layerNorm(blockInput(i), weight(`h.${i}.ln_1.weight`), weight(`h.${i}.ln_1.bias`)),
  };
}

/**
 * q, k or v of layer `layer`, split into heads as the model does: (1, T, C) -> (1, nh, T, hs),
 * head h taking channels [h*hs, (h+1)*hs).
 */
export function headsOf(f: ModelFixture, layer: number, part: 'q' | 'k' | 'v'): Tensor {
  const { nHead, nEmbd } = f.model.config;
  const x = f.attentionInput(layer); // (1, T, C)
  const y = linear(x, f.weight(`h.${layer}.attn.${part}.weight`), f.weight(`h.${layer}.attn.${part}.bias`)); // (1, T, C)
  return transpose(y.reshape(1, f.T, nHead, nEmbd / nHead), 1, 2); // (1, nh, T, hs)
}

/** Rounds for an artifact: 4 decimals are plenty for a chart and keep the message small. */
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Slices (1, nh, T, T) attention weights into per-head T x T matrices of plain numbers. */
export function headMatrices(weights: { data: ArrayLike<number> }, nHead: number, T: number): number[][][] {
  return Array.from({ length: nHead }, (_, h) => Array.from({ length: T }, (_, i) =>
    Array.from({ length: T }, (_, j) => round4(Number(weights.data[(h * T + i) * T + j])))));
}

/**
 * The learner's attention weights of every layer and head on the fixture's sentence, as one `heatmaps`
 * artifact (a selector over layer and head): `layers[i]` holds layer i's (1, nh, T, T) weights.
 * Titles and axis names are in both languages; the runner shows the learner's.
 */
export function attentionHeatmaps(f: ModelFixture, title: Text, layers: { data: ArrayLike<number> }[]): LocalArtifact {
  const { nHead } = f.model.config;
  return {
    kind: 'heatmaps', title, rows: f.tokens, columns: f.tokens,
    rowTitle: t('query (reading)', 'query（读取方）'), columnTitle: t('key (read)', 'key（被读取方）'),
    axes: [t('layer', '层'), t('head', '头')],
    maps: layers.flatMap((weights, layer) => headMatrices(weights, nHead, f.T).map((values, head) => ({ at: [layer, head], values }))),
  };
}
