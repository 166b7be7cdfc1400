/**
 * Reference solution for the serving lesson's export (serving/export): the GPT with a KV cache as an ONNX graph.
 */

/** A dimension: a fixed size, or a symbolic name ('batch', 'sequence', 'past') that may differ from run to run. */
export type Dim = number | string;

/** The graph builder the checks hand you. Every method returns the NAME of the tensor it makes. */
export interface GraphBuilder {
  input(name: string, type: 'float' | 'int64', dims: Dim[]): string;
  weight(name: string): string;
  int64(value: number): string;
  int64s(values: number[]): string;
  float(value: number): string;
  op(type: string, inputs: string[], attrs?: Record<string, number | number[]>): string;
  output(name: string, alias: string): void;
}

export interface GptConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

/** y = x Wᵀ + b for the Linear layer `prefix` (weight (out, in), as PyTorch stores it). Given. */
export function linearNode(g: GraphBuilder, prefix: string, x: string): string {
  const wT = g.op('Transpose', [g.weight(`${prefix}.weight`)], { perm: [1, 0] });
  return g.op('Add', [g.op('MatMul', [x, wT]), g.weight(`${prefix}.bias`)]);
}

/** LayerNorm over the last axis, eps 1e-5, biased variance, weights `prefix`.weight / .bias. Given. */
export function layerNormNode(g: GraphBuilder, prefix: string, x: string): string {
  const lastAxis = { axes: [-1], keepdims: 1 };
  const centered = g.op('Sub', [x, g.op('ReduceMean', [x], lastAxis)]);
  const variance = g.op('ReduceMean', [g.op('Mul', [centered, centered])], lastAxis);
  const std = g.op('Sqrt', [g.op('Add', [variance, g.float(1e-5)])]);
  return g.op('Add', [g.op('Mul', [g.op('Div', [centered, std]), g.weight(`${prefix}.weight`)]), g.weight(`${prefix}.bias`)]);
}

/** GPT-2's GELU, the tanh form: 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))). Given. */
export function geluNode(g: GraphBuilder, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.float(0.044715)])]), g.float(Math.sqrt(2 / Math.PI))]);
  return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.float(1)])]);
}

/** (B, S, C) -> (B, nh, S, hs): head h owns channels [h*hs, (h+1)*hs). Given. */
export function splitHeads(g: GraphBuilder, x: string, nHead: number, hs: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.int64s([0, 0, nHead, hs])])], { perm: [0, 2, 1, 3] });
}

/**
 * The positions of the new tokens and the causal mask, from the lengths in the graph's inputs:
 *   P = past length (axis 2 of past_key_0), T = new tokens (axis 1 of input_ids)
 *   positions = [P, P+1, ..., P+T-1]                                          (T,) int64
 *   mask[i][j] = j <= P + i      (query i may look at every past key and at new keys up to itself)   (T, P+T) bool
 */
export function positionsAndMask(g: GraphBuilder, inputIds: string, pastKey0: string): { positions: string; mask: string } {
  const scalar = g.int64s([]);
  const P = g.op('Reshape', [g.op('Shape', [pastKey0], { start: 2, end: 3 }), scalar]);
  const T = g.op('Reshape', [g.op('Shape', [inputIds], { start: 1, end: 2 }), scalar]);
  const total = g.op('Add', [P, T]);
  const positions = g.op('Range', [P, total, g.int64(1)]);
  const keyPositions = g.op('Range', [g.int64(0), total, g.int64(1)]);
  const mask = g.op('LessOrEqual', [g.op('Reshape', [keyPositions, g.int64s([1, -1])]), g.op('Reshape', [positions, g.int64s([-1, 1])])]);
  return { positions, mask };
}

/**
 * Causal self-attention of layer i with a cache. x (B, T, C) is ln_1's output; pastKey, pastValue (B, nh, P, hs).
 * Returns the attention output (B, T, C) and the presents (B, nh, P+T, hs): the past followed by the new keys/values.
 */
export function attentionWithCache(g: GraphBuilder, i: number, x: string, pastKey: string, pastValue: string, mask: string, config: GptConfig): { out: string; presentKey: string; presentValue: string } {
  const nh = config.nHead;
  const hs = config.nEmbd / nh;
  const p = `h.${i}.attn`;
  const q = splitHeads(g, linearNode(g, `${p}.q`, x), nh, hs); // (B, nh, T, hs)
  const presentKey = g.op('Concat', [pastKey, splitHeads(g, linearNode(g, `${p}.k`, x), nh, hs)], { axis: 2 }); // (B, nh, P+T, hs)
  const presentValue = g.op('Concat', [pastValue, splitHeads(g, linearNode(g, `${p}.v`, x), nh, hs)], { axis: 2 });
  const kT = g.op('Transpose', [presentKey], { perm: [0, 1, 3, 2] }); // (B, nh, hs, P+T)
  const scores = g.op('Div', [g.op('MatMul', [q, kT]), g.float(Math.sqrt(hs))]); // (B, nh, T, P+T)
  const masked = g.op('Where', [mask, scores, g.float(-Infinity)]);
  const probs = g.op('Softmax', [masked], { axis: -1 });
  const y = g.op('Transpose', [g.op('MatMul', [probs, presentValue])], { perm: [0, 2, 1, 3] }); // (B, T, nh, hs)
  const merged = g.op('Reshape', [y, g.int64s([0, 0, config.nEmbd])]); // (B, T, C)
  return { out: linearNode(g, `${p}.proj`, merged), presentKey, presentValue };
}

/**
 * The whole graph. Inputs: input_ids (B, T) int64; past_key_i, past_value_i (B, nh, P, hs) float for every layer.
 * Outputs: logits (B, T, V); present_key_i, present_value_i (B, nh, P+T, hs).
 */
export function exportWithCache(g: GraphBuilder, config: GptConfig): void {
  const { nLayer, nHead, nEmbd } = config;
  const hs = nEmbd / nHead;
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const past = Array.from({ length: nLayer }, (_, i) => ({
    key: g.input(`past_key_${i}`, 'float', ['batch', nHead, 'past', hs]),
    value: g.input(`past_value_${i}`, 'float', ['batch', nHead, 'past', hs]),
  }));
  const { positions, mask } = positionsAndMask(g, ids, past[0].key);
  let x = g.op('Add', [g.op('Gather', [g.weight('wte.weight'), ids]), g.op('Gather', [g.weight('wpe.weight'), positions])]); // (B, T, C)
  for (let i = 0; i < nLayer; i++) {
    const a = attentionWithCache(g, i, layerNormNode(g, `h.${i}.ln_1`, x), past[i].key, past[i].value, mask, config);
    g.output(a.presentKey, `present_key_${i}`);
    g.output(a.presentValue, `present_value_${i}`);
    const x1 = g.op('Add', [x, a.out]);
    const m = linearNode(g, `h.${i}.mlp.proj`, geluNode(g, linearNode(g, `h.${i}.mlp.fc`, layerNormNode(g, `h.${i}.ln_2`, x1))));
    x = g.op('Add', [x1, m]);
  }
  const wteT = g.op('Transpose', [g.weight('wte.weight')], { perm: [1, 0] }); // (C, V): the head tied to wte
  g.output(g.op('MatMul', [layerNormNode(g, 'ln_f', x), wteT]), 'logits');
}
