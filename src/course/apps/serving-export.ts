/**
 * The serving lesson's export exercise (serving/export), course side: the graph builder the checks hand the learner,
 * its serialisation to an ONNX model (opset 17, IR 8, as src/model/export.ts writes the project's model without a
 * cache), an onnxruntime session over it, and a float64 reference of the GPT forward pass WITH a KV cache, correct
 * or with one catalogued mistake put in (to name a failure).
 *
 * The learner's graph has inputs input_ids (B, T) int64 and past_key_i / past_value_i (B, nh, P, hs) float, and
 * outputs logits (B, T, V) and present_key_i / present_value_i (B, nh, P + T, hs). The architecture is the GPT of
 * the GPT forward-pass lesson (nanoGPT's model.py laid out as GPT-2: pre-LayerNorm blocks, tanh GELU, LM head tied
 * to wte; separate q, k, v weights). Weights are the names of gptWeightShapes (PyTorch layout: a Linear's weight is
 * (out, in)).
 */
import { type Text, t } from '@llm-lab/check';
import { type OnnxRuntime, gptWeightShapes, loadOnnxRuntime, onnx } from '@llm-lab/model';

export interface ServeConfig {
  readonly vocabSize: number;
  readonly blockSize: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
}

export type ServeDim = number | string;
export type ServeAttr = number | number[];

/** The op types of the default ONNX domain up to opset 17 (the ones a GPT graph could plausibly use, and more). */
export const SERVE_ONNX_OPS: ReadonlySet<string> = new Set([
  'Abs', 'Acos', 'Acosh', 'Add', 'And', 'ArgMax', 'ArgMin', 'Asin', 'Asinh', 'Atan', 'Atanh', 'AveragePool', 'BatchNormalization',
  'Bernoulli', 'BitShift', 'BlackmanWindow', 'Cast', 'CastLike', 'Ceil', 'Celu', 'Clip', 'Compress', 'Concat', 'ConcatFromSequence',
  'Constant', 'ConstantOfShape', 'Conv', 'ConvInteger', 'ConvTranspose', 'Cos', 'Cosh', 'CumSum', 'DepthToSpace', 'DequantizeLinear',
  'Det', 'DFT', 'Div', 'Dropout', 'DynamicQuantizeLinear', 'Einsum', 'Elu', 'Equal', 'Erf', 'Exp', 'Expand', 'EyeLike', 'Flatten',
  'Floor', 'Gather', 'GatherElements', 'GatherND', 'Gemm', 'GlobalAveragePool', 'GlobalMaxPool', 'Greater', 'GreaterOrEqual',
  'GridSample', 'HammingWindow', 'HannWindow', 'HardSigmoid', 'HardSwish', 'Hardmax', 'Identity', 'If', 'InstanceNormalization',
  'IsInf', 'IsNaN', 'LayerNormalization', 'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'LogSoftmax', 'Loop', 'LpNormalization',
  'MatMul', 'MatMulInteger', 'Max', 'MaxPool', 'Mean', 'MelWeightMatrix', 'Min', 'Mish', 'Mod', 'Mul', 'Multinomial', 'Neg',
  'NonZero', 'Not', 'OneHot', 'Or', 'PRelu', 'Pad', 'Pow', 'QuantizeLinear', 'RandomNormal', 'RandomNormalLike', 'RandomUniform',
  'RandomUniformLike', 'Range', 'Reciprocal', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean',
  'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare', 'Relu', 'Reshape', 'Resize', 'Round', 'STFT', 'Scatter',
  'ScatterElements', 'ScatterND', 'Selu', 'SequenceAt', 'SequenceConstruct', 'SequenceEmpty', 'SequenceErase', 'SequenceInsert',
  'SequenceLength', 'Shape', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Size', 'Slice', 'Softmax', 'Softplus', 'Softsign',
  'SpaceToDepth', 'Split', 'Sqrt', 'Squeeze', 'Sub', 'Sum', 'Tan', 'Tanh', 'ThresholdedRelu', 'Tile', 'TopK', 'Transpose', 'Trilu',
  'Unique', 'Unsqueeze', 'Where', 'Xor',
]);

export interface ServeGraphInput { name: string; type: 'float' | 'int64'; dims: ServeDim[] }

/**
 * The graph builder handed to the learner's exportWithCache (the scaffold declares the same interface). Records
 * inputs, initializers (weights by name), constants and nodes; every node makes one tensor, named `<op>_<n>`.
 * Misuse (an unknown weight, a bad type) throws a clear error in the learner's language.
 */
export class ServeGraphBuilder {
  readonly inputs: ServeGraphInput[] = [];
  readonly outputs: { name: string; alias: string }[] = [];
  readonly nodes: onnx.INodeProto[] = [];
  readonly usedWeights = new Set<string>();
  private readonly known = new Set<string>();
  private count = 0;

  constructor(private readonly shapes: ReadonlyMap<string, number[]>, private readonly locale: 'en' | 'zh-cn' = 'en') {}

  private say(text: Text): string {
    return text[this.locale];
  }

  private fresh(prefix: string): string {
    const name = `${prefix}_${this.count++}`;
    this.known.add(name);
    return name;
  }

  input(name: string, type: 'float' | 'int64', dims: ServeDim[]): string {
    if (typeof name !== 'string' || name === '') throw new Error(this.say(t('g.input: the name must be a non-empty string.', 'g.input：名字必须是非空字符串。')));
    if (type !== 'float' && type !== 'int64') throw new Error(this.say(t(`g.input('${name}'): the type must be 'float' or 'int64', got ${JSON.stringify(type)}.`, `g.input('${name}')：类型必须是 'float' 或 'int64'，得到 ${JSON.stringify(type)}。`)));
    if (!Array.isArray(dims) || dims.some((d) => !(typeof d === 'string' ? d !== '' : Number.isInteger(d) && d > 0))) {
      throw new Error(this.say(t(`g.input('${name}'): dims must be positive integers or symbolic names (strings), got ${JSON.stringify(dims)}.`, `g.input('${name}')：dims 必须是正整数或符号名（字符串），得到 ${JSON.stringify(dims)}。`)));
    }
    if (this.known.has(name)) throw new Error(this.say(t(`g.input('${name}'): a tensor of that name already exists.`, `g.input('${name}')：同名张量已经存在。`)));
    this.inputs.push({ name, type, dims: [...dims] });
    this.known.add(name);
    return name;
  }

  weight(name: string): string {
    if (!this.shapes.has(name)) {
      throw new Error(this.say(t(`g.weight('${name}'): the model has no weight of that name (names as in gptWeightShapes, e.g. 'h.0.attn.q.weight').`,
        `g.weight('${name}')：模型没有这个名字的权重（名字与 gptWeightShapes 中一致，例如 'h.0.attn.q.weight'）。`)));
    }
    this.usedWeights.add(name);
    this.known.add(name);
    return name;
  }

  int64(value: number): string {
    return this.constant(this.fresh('int64'), { dims: [], dataType: onnx.TensorProto.DataType.INT64, int64Data: [this.int(value)] });
  }

  int64s(values: number[]): string {
    return this.constant(this.fresh('int64s'), { dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values.map((v) => this.int(v)) });
  }

  float(value: number): string {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(this.say(t(`g.float: expected a number, got ${String(value)}.`, `g.float：应为一个数，得到 ${String(value)}。`)));
    return this.constant(this.fresh('float'), { dims: [], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [value] });
  }

  op(type: string, inputs: string[], attrs: Record<string, ServeAttr> = {}): string {
    if (typeof type !== 'string' || !Array.isArray(inputs) || inputs.some((i) => typeof i !== 'string')) {
      throw new Error(this.say(t('g.op(type, inputs, attrs?): type is a string and inputs an array of tensor names.', 'g.op(type, inputs, attrs?)：type 是字符串，inputs 是张量名组成的数组。')));
    }
    const out = this.fresh(type.toLowerCase() || 'op');
    const attribute = Object.entries(attrs ?? {}).map(([name, v]): onnx.IAttributeProto => {
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v.map((x) => this.int(x)) };
      if (Number.isInteger(v)) return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
      if (typeof v === 'number') return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v };
      throw new Error(this.say(t(`g.op('${type}'): attribute '${name}' must be a number or an array of integers.`, `g.op('${type}')：属性 '${name}' 必须是一个数或整数数组。`)));
    });
    this.nodes.push({ name: out, opType: type, input: [...inputs], output: [out], attribute });
    return out;
  }

  output(name: string, alias: string): void {
    if (typeof name !== 'string' || typeof alias !== 'string' || alias === '') throw new Error(this.say(t('g.output(name, alias): two tensor names.', 'g.output(name, alias)：两个张量名。')));
    if (this.outputs.some((o) => o.alias === alias)) throw new Error(this.say(t(`g.output: '${alias}' is already an output.`, `g.output：'${alias}' 已经是一个输出。`)));
    this.nodes.push({ name: alias, opType: 'Identity', input: [name], output: [alias], attribute: [] });
    this.outputs.push({ name, alias });
  }

  private int(v: number): number {
    if (!Number.isInteger(v)) throw new Error(this.say(t(`expected an integer, got ${String(v)}.`, `应为整数，得到 ${String(v)}。`)));
    return v;
  }

  private constant(name: string, tensor: onnx.ITensorProto): string {
    this.nodes.push({ name, opType: 'Constant', input: [], output: [name], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: tensor }] });
    return name;
  }

  /** Problems onnxruntime would report less clearly: an op type opset 17 does not have, a tensor read before it exists. */
  problems(): { unknownOp?: string; missing?: { node: string; op: string; input: string } } {
    const seen = new Set<string>([...this.inputs.map((i) => i.name), ...this.usedWeights]);
    for (const n of this.nodes) {
      if (!SERVE_ONNX_OPS.has(n.opType!)) return { unknownOp: n.opType! };
      const bad = n.input!.find((i) => i !== '' && !seen.has(i));
      if (bad !== undefined) return { missing: { node: n.name!, op: n.opType!, input: bad } };
      for (const o of n.output!) seen.add(o);
    }
    return {};
  }

  /** The ONNX model bytes: weights as float32 initializers, outputs declared float (shapes left to onnxruntime). */
  serialize(weights: (name: string) => Float32Array): Uint8Array {
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const initializer = [...this.usedWeights].map((name): onnx.ITensorProto => {
      const values = weights(name);
      const raw = new Uint8Array(values.length * 4);
      const view = new DataView(raw.buffer);
      for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
      return { name, dims: this.shapes.get(name)!, dataType: FLOAT, rawData: raw };
    });
    const info = (name: string, elemType: number, dims?: ServeDim[]): onnx.IValueInfoProto => ({
      name,
      type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } : {}) } },
    });
    const model: onnx.IModelProto = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'llm-lab-serving-lesson',
      graph: {
        name: 'gpt_with_cache',
        node: this.nodes,
        initializer,
        input: this.inputs.map((i) => info(i.name, i.type === 'float' ? FLOAT : onnx.TensorProto.DataType.INT64, i.dims)),
        output: this.outputs.map((o) => info(o.alias, FLOAT)),
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

export function serveGraphBuilder(config: ServeConfig, locale: 'en' | 'zh-cn' = 'en'): ServeGraphBuilder {
  return new ServeGraphBuilder(gptWeightShapes(config), locale);
}

/** The names the graph must have: inputs and outputs, per layer. */
export function serveCacheNames(nLayer: number): { inputs: string[]; outputs: string[] } {
  const layers = Array.from({ length: nLayer }, (_, i) => i);
  return {
    inputs: ['input_ids', ...layers.flatMap((i) => [`past_key_${i}`, `past_value_${i}`])],
    outputs: ['logits', ...layers.flatMap((i) => [`present_key_${i}`, `present_value_${i}`])],
  };
}

let ortModule: Promise<OnnxRuntime> | undefined;
function loadOrt(): Promise<OnnxRuntime> {
  ortModule ??= loadOnnxRuntime();
  return ortModule;
}

export interface ServeRunOutputs {
  logits: Float32Array;
  logitsDims: number[];
  presentKeys: { data: Float32Array; dims: number[] }[];
  presentValues: { data: Float32Array; dims: number[] }[];
}

export interface ServeSession {
  run(ids: number[][], past: { keys: Float32Array[]; values: Float32Array[]; P: number } | null): Promise<ServeRunOutputs>;
  release(): Promise<void>;
}

/** onnxruntime's error text, without its long prefix. */
export function serveOrtDetail(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/, '').slice(0, 600);
}

/** Creates an onnxruntime session from the model bytes (one thread; errors only). Rejects with onnxruntime's error. */
export async function serveSession(bytes: Uint8Array, config: ServeConfig): Promise<ServeSession> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3, graphOptimizationLevel: 'basic' });
  const { nLayer, nHead, nEmbd } = config;
  const hs = nEmbd / nHead;
  return {
    async run(ids, past) {
      const B = ids.length;
      const T = ids[0].length;
      const P = past?.P ?? 0;
      const feeds: Record<string, InstanceType<OnnxRuntime['Tensor']>> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), (v) => BigInt(v)), [B, T]),
      };
      for (let i = 0; i < nLayer; i++) {
        feeds[`past_key_${i}`] = new ort.Tensor('float32', past ? past.keys[i] : new Float32Array(0), [B, nHead, P, hs]);
        feeds[`past_value_${i}`] = new ort.Tensor('float32', past ? past.values[i] : new Float32Array(0), [B, nHead, P, hs]);
      }
      const wanted = serveCacheNames(nLayer).outputs;
      const out = await session.run(feeds, wanted);
      const get = (name: string) => ({ data: Float32Array.from(out[name].data as Float32Array), dims: [...out[name].dims] });
      const logits = get('logits');
      return {
        logits: logits.data, logitsDims: logits.dims,
        presentKeys: Array.from({ length: nLayer }, (_, i) => get(`present_key_${i}`)),
        presentValues: Array.from({ length: nLayer }, (_, i) => get(`present_value_${i}`)),
      };
    },
    release: () => session.release(),
  };
}

// ---- the float64 reference, with a KV cache -------------------------------------------------------------------

export type ServeExportMistake = 'no-position-offset' | 'mask-not-offset' | 'scale-by-C' | 'present-without-past';
export const SERVE_EXPORT_VARIANTS: readonly ServeExportMistake[] = ['no-position-offset', 'mask-not-offset', 'scale-by-C', 'present-without-past'];

export interface ServeCache64 {
  P: number;
  /** Per layer: (B, nh, P, hs) row-major. */
  keys: Float64Array[];
  values: Float64Array[];
}

const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * One forward pass of a chunk of T tokens per row (ids, B rows) after a past of P positions, in float64 loops:
 * logits (B, T, V) and the presents (B, nh, P + T, hs). `mistake` puts one catalogued bug in:
 * - no-position-offset: the new tokens take wpe rows 0..T-1 instead of P..P+T-1;
 * - mask-not-offset: query i may look at keys j <= i (not j <= P + i);
 * - scale-by-C: scores divided by sqrt(C) instead of sqrt(hs);
 * - present-without-past: attention (and the present) only over the new keys, the past is ignored.
 */
export function serveForward64(weight: (name: string) => ArrayLike<number>, config: ServeConfig, ids: number[][], past: ServeCache64 | null, mistake?: ServeExportMistake): { logits: Float64Array; cache: ServeCache64 } {
  const { vocabSize: V, nLayer, nHead: nh, nEmbd: C } = config;
  const hs = C / nh;
  const B = ids.length;
  const T = ids[0].length;
  const P = past?.P ?? 0;
  const usePast = mistake !== 'present-without-past';
  const P2 = usePast ? P : 0;
  const S = P2 + T;
  const wte = weight('wte.weight');
  const wpe = weight('wpe.weight');
  // x: (B, T, C)
  let x = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const pos = mistake === 'no-position-offset' ? i : P + i;
      for (let c = 0; c < C; c++) x[(b * T + i) * C + c] = wte[ids[b][i] * C + c] + wpe[pos * C + c];
    }
  }
  const layerNorm = (inp: Float64Array, p: string): Float64Array => {
    const w = weight(`${p}.weight`);
    const bb = weight(`${p}.bias`);
    const out = new Float64Array(inp.length);
    for (let r = 0; r < inp.length / C; r++) {
      let mean = 0;
      for (let c = 0; c < C; c++) mean += inp[r * C + c];
      mean /= C;
      let v = 0;
      for (let c = 0; c < C; c++) v += (inp[r * C + c] - mean) ** 2;
      const inv = 1 / Math.sqrt(v / C + 1e-5);
      for (let c = 0; c < C; c++) out[r * C + c] = (inp[r * C + c] - mean) * inv * w[c] + bb[c];
    }
    return out;
  };
  const linear = (inp: Float64Array, p: string, nIn: number, nOut: number): Float64Array => {
    const w = weight(`${p}.weight`);
    const bias = weight(`${p}.bias`);
    const rows = inp.length / nIn;
    const out = new Float64Array(rows * nOut);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < nOut; o++) {
        let s = bias[o];
        for (let k = 0; k < nIn; k++) s += inp[r * nIn + k] * w[o * nIn + k];
        out[r * nOut + o] = s;
      }
    }
    return out;
  };
  const keys: Float64Array[] = [];
  const values: Float64Array[] = [];
  const scale = 1 / Math.sqrt(mistake === 'scale-by-C' ? C : hs);
  for (let l = 0; l < nLayer; l++) {
    const h = layerNorm(x, `h.${l}.ln_1`);
    const q = linear(h, `h.${l}.attn.q`, C, C);
    const k = linear(h, `h.${l}.attn.k`, C, C);
    const v = linear(h, `h.${l}.attn.v`, C, C);
    // presents (B, nh, S, hs): the past's rows then the new ones
    const K = new Float64Array(B * nh * S * hs);
    const Vv = new Float64Array(B * nh * S * hs);
    for (let b = 0; b < B; b++) {
      for (let hd = 0; hd < nh; hd++) {
        for (let s = 0; s < S; s++) {
          for (let d = 0; d < hs; d++) {
            const at = ((b * nh + hd) * S + s) * hs + d;
            if (s < P2) {
              const from = ((b * nh + hd) * P + s) * hs + d;
              K[at] = past!.keys[l][from];
              Vv[at] = past!.values[l][from];
            } else {
              const src = (b * T + (s - P2)) * C + hd * hs + d;
              K[at] = k[src];
              Vv[at] = v[src];
            }
          }
        }
      }
    }
    keys.push(K);
    values.push(Vv);
    const y = new Float64Array(B * T * C);
    const scores = new Float64Array(S);
    for (let b = 0; b < B; b++) {
      for (let hd = 0; hd < nh; hd++) {
        for (let i = 0; i < T; i++) {
          const limit = mistake === 'mask-not-offset' ? i : P2 + i; // last key query i may see
          let max = -Infinity;
          for (let s = 0; s <= Math.min(limit, S - 1); s++) {
            let dot = 0;
            for (let d = 0; d < hs; d++) dot += q[(b * T + i) * C + hd * hs + d] * K[((b * nh + hd) * S + s) * hs + d];
            scores[s] = dot * scale;
            if (scores[s] > max) max = scores[s];
          }
          let z = 0;
          for (let s = 0; s <= Math.min(limit, S - 1); s++) { scores[s] = Math.exp(scores[s] - max); z += scores[s]; }
          for (let s = 0; s <= Math.min(limit, S - 1); s++) {
            const wgt = scores[s] / z;
            for (let d = 0; d < hs; d++) y[(b * T + i) * C + hd * hs + d] += wgt * Vv[((b * nh + hd) * S + s) * hs + d];
          }
        }
      }
    }
    const a = linear(y, `h.${l}.attn.proj`, C, C);
    const x1 = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) x1[j] = x[j] + a[j];
    const hidden = linear(layerNorm(x1, `h.${l}.ln_2`), `h.${l}.mlp.fc`, C, 4 * C);
    for (let j = 0; j < hidden.length; j++) {
      const u = hidden[j];
      hidden[j] = 0.5 * u * (1 + Math.tanh(GELU_C * (u + 0.044715 * u * u * u)));
    }
    const m = linear(hidden, `h.${l}.mlp.proj`, 4 * C, C);
    x = new Float64Array(x1.length);
    for (let j = 0; j < x.length; j++) x[j] = x1[j] + m[j];
  }
  const xf = layerNorm(x, 'ln_f');
  const logits = new Float64Array(B * T * V);
  for (let r = 0; r < B * T; r++) {
    for (let o = 0; o < V; o++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += xf[r * C + c] * wte[o * C + c];
      logits[r * V + o] = s;
    }
  }
  return { logits, cache: { P: S, keys, values } };
}

/** Logits of the full sequence in one pass (P = 0): what every cached step must reproduce. */
export function serveFullLogits64(weight: (name: string) => ArrayLike<number>, config: ServeConfig, ids: number[][]): Float64Array {
  return serveForward64(weight, config, ids, null).logits;
}

