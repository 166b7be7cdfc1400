/**
 * 推理服务一课，第 1 部分：把你自己的 GPT（“GPT 的前向传播”一课中的那个）连同 KV 缓存一起导出为 ONNX。
 *
 * 你不需要自己写 ONNX 文件：检查会交给你一个小型的图构建器 `g`，你的 exportWithCache 调用它，逐个节点地描述计算。
 * 随后检查把图序列化（ONNX opset 17），用 onnxruntime 运行，并把 logits 与 float64 参考实现比较（1e-4）：先是空的过去，
 * 然后一次一个 token、把返回的 present 再送回去，最后是批次 2、在一段过去之后一次输入好几个 token。
 *
 * 形状：B 批次，T 个新 token，P 个过去 token（都是动态的），C = nEmbd，V = vocabSize，nh = nHead，hs = C / nh。
 *   输入：input_ids (B, T) int64；              past_key_<i>、past_value_<i> (B, nh, P, hs) float，每层一对
 *   输出：logits (B, T, V) float；             present_key_<i>、present_value_<i> (B, nh, P + T, hs) float
 * 第一步 P = 0：过去张量是空的（有一维大小为 0），与它们 Concat 等于什么也不做。
 *
 * 算子类型是 ONNX 的（opset 17），区分大小写：MatMul、Add、Sub、Mul、Div、Sqrt、Tanh、Gather、Concat、Slice、
 * Shape、Reshape、Transpose、Range、Where、LessOrEqual、Softmax、ReduceMean……属性是数或整数数组：
 * { axis: 2 }、{ perm: [0, 2, 1, 3] }、{ axes: [-1], keepdims: 1 }、{ start: 2, end: 3 }。
 */
import { TODO } from '@llm-lab/kit';

/** 一个维度：固定大小，或者每次运行可以不同的符号名（'batch'、'sequence'、'past'）。 */
export type Dim = number | string;

/**
 * 检查交给你的图构建器。每个方法都返回它所产生张量的名字；把名字传下去即可。
 *   input(name, type, dims)   图的输入（检查会提供 input_ids 和 past_key_<i> / past_value_<i>）
 *   weight(name)              模型的一个权重，作为 initializer，例如 'wte.weight'、'h.0.attn.q.weight'（out, in）
 *   int64(value)              int64 标量常量；int64s(values)：一维 int64 常量（形状、轴）
 *   float(value)              float32 标量常量（-Infinity 也可以）
 *   op(type, inputs, attrs?)  一个只有一个输出的 ONNX 节点；返回输出的名字
 *   output(name, alias)       把张量 `name` 作为名为 `alias` 的图输出（例如 'logits'）
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

/** 线性层 `prefix` 的 y = x Wᵀ + b（权重为 (out, in)，与 PyTorch 的存法一致）。已给出。 */
export function linearNode(g: GraphBuilder, prefix: string, x: string): string {
  const wT = g.op('Transpose', [g.weight(`${prefix}.weight`)], { perm: [1, 0] });
  return g.op('Add', [g.op('MatMul', [x, wT]), g.weight(`${prefix}.bias`)]);
}

/** 在最后一维上做 LayerNorm，eps 1e-5，有偏方差，权重为 `prefix`.weight / .bias。已给出。 */
export function layerNormNode(g: GraphBuilder, prefix: string, x: string): string {
  const lastAxis = { axes: [-1], keepdims: 1 };
  const centered = g.op('Sub', [x, g.op('ReduceMean', [x], lastAxis)]);
  const variance = g.op('ReduceMean', [g.op('Mul', [centered, centered])], lastAxis);
  const std = g.op('Sqrt', [g.op('Add', [variance, g.float(1e-5)])]);
  return g.op('Add', [g.op('Mul', [g.op('Div', [centered, std]), g.weight(`${prefix}.weight`)]), g.weight(`${prefix}.bias`)]);
}

/** GPT-2 的 GELU，tanh 形式：0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))。已给出。 */
export function geluNode(g: GraphBuilder, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.float(0.044715)])]), g.float(Math.sqrt(2 / Math.PI))]);
  return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.float(1)])]);
}

/** (B, S, C) -> (B, nh, S, hs)：第 h 个头拥有通道 [h*hs, (h+1)*hs)。已给出。 */
export function splitHeads(g: GraphBuilder, x: string, nHead: number, hs: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.int64s([0, 0, nHead, hs])])], { perm: [0, 2, 1, 3] });
}

/**
 * 根据图输入中的长度，求出新 token 的位置和因果掩码：
 *   P = 过去的长度（past_key_0 的第 2 维），T = 新 token 数（input_ids 的第 1 维）
 *   positions = [P, P+1, ..., P+T-1]                                          (T,) int64
 *   mask[i][j] = j <= P + i      （查询 i 可以看到所有过去的键，以及新键中直到它自己的那些）   (T, P+T) bool
 *
 * TODO：带 { start, end } 的 Shape 以单元素张量的形式给出一个长度；用 g.int64s([]) 把它 Reshape 成标量。
 * Range(start, limit, delta) 的参数是标量。把键的位置 Reshape 成 (1, P+T)，查询的位置 Reshape 成 (T, 1)：
 * LessOrEqual 会把它们广播成 (T, P+T)。
 */
export function positionsAndMask(g: GraphBuilder, inputIds: string, pastKey0: string): { positions: string; mask: string } {
  return TODO('positionsAndMask');
}

/**
 * 第 i 层带缓存的因果自注意力。x (B, T, C) 是 ln_1 的输出；pastKey、pastValue 为 (B, nh, P, hs)。
 * 返回注意力输出 (B, T, C) 和 present (B, nh, P+T, hs)：过去的键/值后接新的键/值。
 *
 * TODO，使用权重 h.<i>.attn.q / .k / .v / .proj：
 *   q = splitHeads(linear q)                                  (B, nh, T, hs)
 *   presentKey = Concat([pastKey, splitHeads(linear k)])      (B, nh, P+T, hs)：在位置所在的那一维上拼接
 *   presentValue 同理
 *   scores = q @ presentKeyᵀ / sqrt(hs)，mask 为 false 处用 Where 置为 -Infinity，在最后一维上做 Softmax
 *   y = probs @ presentValue，变回 (B, T, C)（Transpose，再用 [0, 0, C] Reshape），最后经过 linear proj。
 */
export function attentionWithCache(g: GraphBuilder, i: number, x: string, pastKey: string, pastValue: string, mask: string, config: GptConfig): { out: string; presentKey: string; presentValue: string } {
  return TODO('attentionWithCache');
}

/**
 * 整个图。输入：input_ids (B, T) int64；每层的 past_key_i、past_value_i (B, nh, P, hs) float。
 * 输出：logits (B, T, V)；present_key_i、present_value_i (B, nh, P+T, hs)。
 *
 * TODO：
 *   声明输入（dims 形如 ['batch', 'sequence'] 和 ['batch', nHead, 'past', hs]）
 *   x = wte[input_ids] + wpe[positions]                  （两次 Gather，再 Add）
 *   对每一层 i：a = attentionWithCache(ln_1(x))；把它的 present 输出为 present_key_i / present_value_i
 *              x = x + a.out；  x = x + mlp.proj(gelu(mlp.fc(ln_2(x))))
 *   logits = ln_f(x) @ wteᵀ（LM 头与 wte 绑定），输出为 'logits'
 */
export function exportWithCache(g: GraphBuilder, config: GptConfig): void {
  return TODO('exportWithCache');
}
