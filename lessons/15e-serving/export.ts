/**
 * The serving lesson, part 1: export YOUR GPT (the one of the lesson "The GPT forward pass") to ONNX with a KV cache.
 *
 * You do not write ONNX files: the checks hand you `g`, a small graph builder, and your exportWithCache calls it to
 * describe the computation node by node. The checks then serialise the graph (ONNX opset 17), run it with
 * onnxruntime, and compare its logits with a float64 reference (1e-4), first with an empty past, then one token at
 * a time with the presents it returned fed back in, then a batch of 2 with a chunk of several tokens after a past.
 *
 * Shapes: B batch, T new tokens, P past tokens (all dynamic), C = nEmbd, V = vocabSize, nh = nHead, hs = C / nh.
 *   inputs:  input_ids (B, T) int64;            past_key_<i>, past_value_<i> (B, nh, P, hs) float, one pair per layer
 *   outputs: logits (B, T, V) float;           present_key_<i>, present_value_<i> (B, nh, P + T, hs) float
 * The first step has P = 0: the past tensors are empty (a dimension of size 0), and Concat with them is a no-op.
 *
 * Op types are ONNX's (opset 17), case-sensitive: MatMul, Add, Sub, Mul, Div, Sqrt, Tanh, Gather, Concat, Slice,
 * Shape, Reshape, Transpose, Range, Where, LessOrEqual, Softmax, ReduceMean, ... Attributes are numbers or arrays of
 * integers: { axis: 2 }, { perm: [0, 2, 1, 3] }, { axes: [-1], keepdims: 1 }, { start: 2, end: 3 }.
 */
import { TODO } from '@llm-lab/kit';

/** A dimension: a fixed size, or a symbolic name ('batch', 'sequence', 'past') that may differ from run to run. */
export type Dim = number | string;

/**
 * The graph builder the checks hand you. Every method returns the NAME of the tensor it makes; pass names on.
 *   input(name, type, dims)   a graph input (the checks feed input_ids and past_key_<i> / past_value_<i>)
 *   weight(name)              a weight of the model as an initializer, e.g. 'wte.weight', 'h.0.attn.q.weight' (out, in)
 *   int64(value)              an int64 scalar constant;  int64s(values): a 1-D int64 constant (shapes, axes)
 *   float(value)              a float32 scalar constant (-Infinity works)
 *   op(type, inputs, attrs?)  one ONNX node with one output; returns the output's name
 *   output(name, alias)       makes tensor `name` the graph output called `alias` (e.g. 'logits')
 */
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
 *
 * TODO: Shape with { start, end } gives a length as a 1-element tensor; Reshape it with g.int64s([]) to a scalar.
 * Range(start, limit, delta) takes scalars. Reshape the key positions to (1, P+T) and the query positions to (T, 1):
 * LessOrEqual broadcasts them to (T, P+T).
 */
export function positionsAndMask(g: GraphBuilder, inputIds: string, pastKey0: string): { positions: string; mask: string } {
  return TODO('positionsAndMask');
}

/**
 * Causal self-attention of layer i with a cache. x (B, T, C) is ln_1's output; pastKey, pastValue (B, nh, P, hs).
 * Returns the attention output (B, T, C) and the presents (B, nh, P+T, hs): the past followed by the new keys/values.
 *
 * TODO, with the weights h.<i>.attn.q / .k / .v / .proj:
 *   q = splitHeads(linear q)                                  (B, nh, T, hs)
 *   presentKey = Concat([pastKey, splitHeads(linear k)])      (B, nh, P+T, hs): on the axis of the positions
 *   presentValue likewise
 *   scores = q @ presentKeyᵀ / sqrt(hs), masked to -Infinity where mask is false (Where), Softmax over the last axis
 *   y = probs @ presentValue, back to (B, T, C) (Transpose, Reshape with [0, 0, C]), then linear proj.
 */
export function attentionWithCache(g: GraphBuilder, i: number, x: string, pastKey: string, pastValue: string, mask: string, config: GptConfig): { out: string; presentKey: string; presentValue: string } {
  return TODO('attentionWithCache');
}

/**
 * The whole graph. Inputs: input_ids (B, T) int64; past_key_i, past_value_i (B, nh, P, hs) float for every layer.
 * Outputs: logits (B, T, V); present_key_i, present_value_i (B, nh, P+T, hs).
 *
 * TODO:
 *   declare the inputs (dims like ['batch', 'sequence'] and ['batch', nHead, 'past', hs])
 *   x = wte[input_ids] + wpe[positions]                  (Gather twice, then Add)
 *   for each layer i:  a = attentionWithCache(ln_1(x)); output its presents as present_key_i / present_value_i
 *                      x = x + a.out;   x = x + mlp.proj(gelu(mlp.fc(ln_2(x))))
 *   logits = ln_f(x) @ wteᵀ  (the LM head is tied to wte), output as 'logits'
 */
export function exportWithCache(g: GraphBuilder, config: GptConfig): void {
  return TODO('exportWithCache');
}
