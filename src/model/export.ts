/**
 * Writes a GPT as an ONNX file, node by node, so onnxruntime can run it and a viewer such as
 * Netron can draw it.
 *
 * The computation is nanoGPT's model.py (Karpathy), which follows GPT-2 (Radford et al. 2019):
 *
 *   x = wte[ids] + wpe[0..T)                          embeddings     (B, T, C)
 *   for each block i:                                 pre-LayerNorm residual blocks
 *     x = x + attn(ln_1(x))                           attn_out_i     (B, T, C)
 *     x = x + mlp(ln_2(x))                            block_out_i    (B, T, C)
 *   logits = ln_f(x) @ wte^T                          logits         (B, T, V), head tied to wte
 *
 * Every operation is spelled out from ONNX primitives (MatMul, Add, ReduceMean, Tanh, Softmax...)
 * rather than fused ops, for two reasons: the graph then reads like the maths in the lessons,
 * and it rounds in float32 the way the course's own tensor kit does (two-pass LayerNorm, GELU
 * from tanh), so the two can be compared to 1e-4. onnxruntime is free to fuse them when it
 * optimises the graph. Opset 17, IR version 8.
 *
 * Shapes: B = batch, T = sequence length (both dynamic), C = nEmbd, V = vocabSize,
 * nh = nHead, hs = C / nh.
 */
import { onnx } from 'onnx-proto';
import { FLOAT16_SUFFIX, type GptConfig, INPUT_NAME, MODEL_FORMAT_VERSION, gptOutputShapes, gptWeightShapes, validateConfig, sizeOf } from './config';
import { float16TensorProto, floatTensorProto } from './onnx-tensors';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

/** Metadata keys the exporter writes itself; extraMetadata may not reuse them. */
export const RESERVED_METADATA_KEYS = ['format_version', 'config', 'vocab'] as const;

const LAYER_NORM_EPS = 1e-5;

/**
 * Builds the ONNX model and returns its bytes (write them to a .onnx file).
 *
 * @param weights every name of gptWeightShapes(config), row-major float32, nothing else
 * @param vocab the tokenizer's characters, index = token id (length vocabSize)
 * @param extraMetadata more metadata_props entries, e.g. { trained_on: 'moby-dick', val_loss: '1.41' }
 * @param options.weightType 'float16' stores each weight as `<name>.fp16` in half precision (half
 *   the file) and adds a Cast node that makes `<name>` in float32, so the graph still computes in
 *   float32; readers (model-file.ts) decode either form. Default 'float32'.
 */
export function exportGptToOnnx(
  config: GptConfig,
  weights: ReadonlyMap<string, Float32Array>,
  vocab: readonly string[],
  extraMetadata: Readonly<Record<string, string>> = {},
  options: { weightType?: 'float32' | 'float16' } = {},
): Uint8Array {
  validateConfig(config);
  checkVocab(config, vocab);
  const weightShapes = gptWeightShapes(config);
  checkWeights(weightShapes, weights);
  for (const key of Object.keys(extraMetadata)) {
    if ((RESERVED_METADATA_KEYS as readonly string[]).includes(key)) {
      throw new Error(`exportGptToOnnx: extraMetadata may not set '${key}', the exporter writes it`);
    }
  }

  const g = new GraphBuilder();
  const { nLayer, blockSize } = config;
  const half = options.weightType === 'float16';
  if (half) {
    // Half-precision storage: each weight is cast to float32 once, at the top of the graph.
    const toFloat = onnx.TensorProto.DataType.FLOAT;
    for (const name of weightShapes.keys()) g.op('Cast', [`${name}${FLOAT16_SUFFIX}`], name, [attr.int('to', toFloat)]);
  }

  // --- Embeddings: what each token is, plus where it is ---------------------------------------
  const T = g.op('Shape', [INPUT_NAME], 'T', [attr.int('start', 1), attr.int('end', 2)]); // (1,) int64 = [T]
  const axis0 = g.int64s('axis_0', [0]);
  const tokEmb = g.op('Gather', ['wte.weight', INPUT_NAME], 'tok_emb'); // (B, T, C): row ids[b, t] of wte
  const posEmb = g.op('Slice', ['wpe.weight', g.int64s('start_0', [0]), T, axis0], 'pos_emb'); // (T, C): rows 0..T-1 of wpe
  let x = g.op('Add', [tokEmb, posEmb], 'embeddings'); // (B, T, C), pos_emb broadcast over the batch

  // --- Causal mask, shared by every layer --------------------------------------------------------
  // Like nanoGPT's `bias` buffer: a (blockSize, blockSize) lower-triangular table, cut to (T, T).
  // mask[i][j] is true when query i may look at key j, i.e. j <= i: no peeking at the future.
  const maskFull = g.constant('causal_mask_full', lowerTriangularBool(blockSize)); // (blockSize, blockSize) bool
  const TT = g.op('Concat', [T, T], 'T_T', [attr.int('axis', 0)]); // (2,) = [T, T]
  const mask = g.op('Slice', [maskFull, g.int64s('start_00', [0, 0]), TT], 'causal_mask'); // (T, T) bool

  // --- The transformer blocks ---------------------------------------------------------------------
  for (let i = 0; i < nLayer; i++) {
    x = block(g, i, x, mask, config); // (B, T, C)
  }

  // --- Final LayerNorm and the tied LM head -----------------------------------------------------
  // The same matrix that turned token ids into vectors now scores a vector against every token.
  const xf = layerNorm(g, 'ln_f', x); // (B, T, C)
  const wteT = g.op('Transpose', ['wte.weight'], 'wte.weight_T', [attr.ints('perm', [1, 0])]); // (C, V)
  g.op('MatMul', [xf, wteT], 'logits'); // (B, T, V)

  // --- Assemble the model ---------------------------------------------------------------------------
  const initializer = [...weightShapes].map(([name, shape]) =>
    half ? float16TensorProto(`${name}${FLOAT16_SUFFIX}`, shape, weights.get(name)!) : floatTensorProto(name, shape, weights.get(name)!));
  const output = [...gptOutputShapes(config)].map(([name, dims]) => valueInfo(name, onnx.TensorProto.DataType.FLOAT, dims));
  const plainConfig: GptConfig = {
    vocabSize: config.vocabSize, blockSize: config.blockSize, nLayer: config.nLayer, nHead: config.nHead, nEmbd: config.nEmbd,
  };
  const model: onnx.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'llm-lab',
    producerVersion: String(MODEL_FORMAT_VERSION),
    docString: 'Character-level GPT for LLM Lab (nanoGPT architecture, tied LM head).',
    graph: {
      name: 'gpt',
      node: g.nodes,
      initializer,
      input: [valueInfo(INPUT_NAME, onnx.TensorProto.DataType.INT64, ['batch', 'sequence'])],
      output,
    },
    metadataProps: [
      { key: 'format_version', value: String(MODEL_FORMAT_VERSION) },
      { key: 'config', value: JSON.stringify(plainConfig) },
      { key: 'vocab', value: JSON.stringify(vocab) },
      ...Object.entries(extraMetadata).map(([key, value]) => ({ key, value: String(value) })),
    ],
  };
  return onnx.ModelProto.encode(model).finish();
}

/** One pre-LayerNorm transformer block; returns block_out_i. */
function block(g: GraphBuilder, i: number, x: string, mask: string, config: GptConfig): string {
  const h = `h.${i}`;
  const a = attention(g, i, layerNorm(g, `${h}.ln_1`, x), mask, config); // (B, T, C) = attn_out_i
  const x1 = g.op('Add', [x, a], `${h}.resid_attn`); // (B, T, C)
  const m = mlp(g, `${h}.mlp`, layerNorm(g, `${h}.ln_2`, x1)); // (B, T, C)
  return g.op('Add', [x1, m], `block_out_${i}`); // (B, T, C)
}

/**
 * Causal multi-head self-attention (Vaswani et al. 2017), written out like minGPT's
 * CausalSelfAttention: project, split into heads, score, mask, softmax, mix values, merge, project.
 * Outputs attn_probs_i (the attention pattern lessons draw) and returns attn_out_i.
 */
function attention(g: GraphBuilder, i: number, x: string, mask: string, config: GptConfig): string {
  const p = `h.${i}.attn`;
  const nh = config.nHead;
  const hs = config.nEmbd / nh;

  const q = linear(g, `${p}.q`, x, `${p}.q`); // (B, T, C)
  const k = linear(g, `${p}.k`, x, `${p}.k`); // (B, T, C)
  const v = linear(g, `${p}.v`, x, `${p}.v`); // (B, T, C)

  // Split channels into heads: head h owns channels [h*hs, (h+1)*hs). Reshape's 0 means "keep this dim".
  const headShape = g.int64s(`${p}.head_shape`, [0, 0, nh, hs]);
  const toHeads = (t: string, perm: number[], name: string): string =>
    g.op('Transpose', [g.op('Reshape', [t, headShape], `${name}_split`)], name, [attr.ints('perm', perm)]);
  const qh = toHeads(q, [0, 2, 1, 3], `${p}.q_heads`); // (B, T, nh, hs) -> (B, nh, T, hs)
  const kT = toHeads(k, [0, 2, 3, 1], `${p}.k_heads_T`); // (B, T, nh, hs) -> (B, nh, hs, T), already transposed for q @ k^T
  const vh = toHeads(v, [0, 2, 1, 3], `${p}.v_heads`); // (B, nh, T, hs)

  // How much each query matches each key, scaled so the scores' variance does not grow with hs.
  const qk = g.op('MatMul', [qh, kT], `${p}.qk`); // (B, nh, T, T)
  const scores = g.op('Div', [qk, g.float(`${p}.sqrt_hs`, Math.sqrt(hs))], `${p}.scores`); // (B, nh, T, T)
  // Future keys get -inf, so softmax gives them weight exp(-inf) = 0.
  const masked = g.op('Where', [mask, scores, g.float(`${p}.neg_inf`, -Infinity)], `${p}.scores_masked`); // (B, nh, T, T)
  const attnProbs = g.op('Softmax', [masked], `attn_probs_${i}`, [attr.int('axis', -1)]); // (B, nh, T, T), rows sum to 1

  const y = g.op('MatMul', [attnProbs, vh], `${p}.y_heads`); // (B, nh, T, hs): weighted sum of values
  const yT = g.op('Transpose', [y], `${p}.y_heads_T`, [attr.ints('perm', [0, 2, 1, 3])]); // (B, T, nh, hs)
  const merged = g.op('Reshape', [yT, g.int64s(`${p}.merge_shape`, [0, 0, config.nEmbd])], `${p}.y`); // (B, T, C)
  return linear(g, `${p}.proj`, merged, `attn_out_${i}`); // (B, T, C)
}

/** The feed-forward part of a block: expand to 4C, GELU, project back to C. */
function mlp(g: GraphBuilder, p: string, x: string): string {
  const hidden = linear(g, `${p}.fc`, x, `${p}.fc`); // (B, T, 4C)
  return linear(g, `${p}.proj`, gelu(g, `${p}.gelu`, hidden), `${p}.proj`); // (B, T, C)
}

/** y = x W^T + b with W stored (out, in) as in PyTorch. */
function linear(g: GraphBuilder, p: string, x: string, output: string): string {
  const wT = g.op('Transpose', [`${p}.weight`], `${p}.weight_T`, [attr.ints('perm', [1, 0])]); // (in, out)
  const xw = g.op('MatMul', [x, wT], `${p}.matmul`); // (..., out)
  return g.op('Add', [xw, `${p}.bias`], output); // (..., out)
}

/**
 * LayerNorm over the last axis (Ba et al. 2016): y = (x - mean) / sqrt(var + eps) * weight + bias,
 * with the biased variance (divide by C) and eps = 1e-5, computed in two passes as PyTorch does.
 */
function layerNorm(g: GraphBuilder, p: string, x: string): string {
  const lastAxis = [attr.ints('axes', [-1]), attr.int('keepdims', 1)];
  const mean = g.op('ReduceMean', [x], `${p}.mean`, lastAxis); // (B, T, 1)
  const centered = g.op('Sub', [x, mean], `${p}.centered`); // (B, T, C)
  const squares = g.op('Mul', [centered, centered], `${p}.squares`); // (B, T, C)
  const variance = g.op('ReduceMean', [squares], `${p}.var`, lastAxis); // (B, T, 1)
  const std = g.op('Sqrt', [g.op('Add', [variance, g.float(`${p}.eps`, LAYER_NORM_EPS)], `${p}.var_eps`)], `${p}.std`); // (B, T, 1)
  const normalized = g.op('Div', [centered, std], `${p}.normalized`); // (B, T, C): mean 0, variance 1
  const scaled = g.op('Mul', [normalized, `${p}.weight`], `${p}.scaled`); // (B, T, C)
  return g.op('Add', [scaled, `${p}.bias`], p); // (B, T, C)
}

/** GELU, tanh approximation (Hendrycks & Gimpel 2016): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function gelu(g: GraphBuilder, p: string, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x], `${p}.x2`), x], `${p}.x3`); // x^3
  const cubic = g.op('Add', [x, g.op('Mul', [x3, g.float(`${p}.c`, 0.044715)], `${p}.cx3`)], `${p}.cubic`); // x + 0.044715 x^3
  const inner = g.op('Mul', [cubic, g.float(`${p}.sqrt_2_over_pi`, Math.sqrt(2 / Math.PI))], `${p}.inner`);
  const onePlusTanh = g.op('Add', [g.op('Tanh', [inner], `${p}.tanh`), g.float(`${p}.one`, 1)], `${p}.one_plus_tanh`);
  const halfX = g.op('Mul', [x, g.float(`${p}.half`, 0.5)], `${p}.half_x`);
  return g.op('Mul', [halfX, onePlusTanh], p);
}

// --- Graph building helpers --------------------------------------------------------------------

/** Collects nodes in order. Every tensor name is unique; a node is named after the tensor it makes. */
class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];

  /** Adds `output = opType(inputs)` and returns `output`, so calls nest like the maths. */
  op(opType: string, inputs: string[], output: string, attribute: onnx.IAttributeProto[] = []): string {
    this.nodes.push({ name: output, opType, input: inputs, output: [output], attribute });
    return output;
  }

  /** A Constant node holding `tensor`. */
  constant(name: string, tensor: onnx.ITensorProto): string {
    return this.op('Constant', [], name, [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: tensor }]);
  }

  /** A float32 scalar constant. */
  float(name: string, value: number): string {
    return this.constant(name, { dims: [], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [value] });
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds). */
  int64s(name: string, values: number[]): string {
    return this.constant(name, { dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
  }
}

const attr = {
  int: (name: string, i: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
  ints: (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints }),
};

/** (n, n) bool tensor, true on and below the diagonal. */
function lowerTriangularBool(n: number): onnx.ITensorProto {
  const raw = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) raw[i * n + j] = 1;
  }
  return { dims: [n, n], dataType: onnx.TensorProto.DataType.BOOL, rawData: raw };
}

/** A graph input/output declaration; string dims are symbolic (dynamic), numbers are fixed. */
function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function checkVocab(config: GptConfig, vocab: readonly string[]): void {
  if (vocab.length !== config.vocabSize) {
    throw new Error(`exportGptToOnnx: vocab has ${vocab.length} characters but config.vocabSize is ${config.vocabSize}`);
  }
  const seen = new Set<string>();
  vocab.forEach((ch, id) => {
    if (typeof ch !== 'string' || [...ch].length !== 1) {
      throw new Error(`exportGptToOnnx: vocab[${id}] must be a single character, got ${JSON.stringify(ch)}`);
    }
    if (seen.has(ch)) throw new Error(`exportGptToOnnx: vocab has ${JSON.stringify(ch)} twice`);
    seen.add(ch);
  });
}

function checkWeights(shapes: Map<string, number[]>, weights: ReadonlyMap<string, Float32Array>): void {
  for (const [name, shape] of shapes) {
    const w = weights.get(name);
    if (!w) throw new Error(`exportGptToOnnx: missing weight '${name}' (shape [${shape.join(', ')}])`);
    if (w.length !== sizeOf(shape)) {
      throw new Error(`exportGptToOnnx: weight '${name}' has ${w.length} values, shape [${shape.join(', ')}] needs ${sizeOf(shape)}`);
    }
    const bad = w.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) throw new Error(`exportGptToOnnx: weight '${name}' has a non-finite value ${w[bad]} at index ${bad}`);
  }
  for (const name of weights.keys()) {
    if (!shapes.has(name)) throw new Error(`exportGptToOnnx: unexpected weight '${name}' (not part of this config's GPT)`);
  }
}
