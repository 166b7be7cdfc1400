/**
 * 完整的 GPT 前向传播。这一课通过时，你的代码就能运行课程里训练好的模型，
 * 写出与 onnxruntime 完全相同的《白鲸记》文字。
 *
 * 它建立在你在多头注意力一课写的多头注意力之上，从 ../03-multi-head-attention/multihead.ts 导入
 * （那个文件又导入了你在注意力一课写的注意力）。第一个检查测试的就是这个导入。
 *
 * 五个任务，按顺序：layerNorm、gelu、mlp、block、gptForward。权重以 Map 的形式给出，键是参数名，值是张量
 * （'wte.weight'、'h.0.ln_1.weight'、'h.0.attn.q.weight'……），参数名仿照 nanoGPT 的命名（与它的不同之处见本课的
 * “约定”一节）；`param(w, name)` 取出一个。
 *
 * 你可能用到的工具包运算（都像 NumPy 和 PyTorch 那样广播）：
 *   add, sub, mul, div, pow, sqrt, tanh           逐元素运算；第二个操作数可以是普通的数
 *   mean(x, -1, true), variance(x, -1, true)      沿最后一个轴计算，并保留该轴（大小为 1）（有偏方差）
 *   linear(x, weight, bias?)                      x @ weightᵀ + bias，weight 为 (out, in)，与 PyTorch 相同
 *   embedding(table, ids, idsShape)               取 (N, C) 表中的行 -> (...idsShape, C)
 * 工具包里也有 layerNorm 和 gelu；这里请自己写（检查分辨不出来，但你自己会真正弄懂它们）。
 */
import {
  type Tensor, TODO, add, div, embedding, linear, mean, mul, pow, sqrt, sub, tanh, variance,
} from '@llm-lab/kit';
import { type AttentionWeights, multiHeadAttention } from '../03-multi-head-attention/multihead';

// 重新导出，这样检查可以先测试你的多头注意力。
export { multiHeadAttention };

export interface GptConfig {
  vocabSize: number; // V
  blockSize: number; // 模型能读入的最长序列（wpe 的行数）
  nLayer: number;
  nHead: number;
  nEmbd: number; //    C
}

/** 按名称给出的权重：wte.weight (V, C)，wpe.weight (blockSize, C)，h.<i>.ln_1.weight (C)，……；每个都和 nn.Linear 一样是 (out, in)。 */
export type Weights = ReadonlyMap<string, Tensor>;

/** 名为 `name` 的权重。（已给出：它只是多提供一条清楚的报错信息。） */
export function param(w: Weights, name: string): Tensor {
  const t = w.get(name);
  if (t) return t;
  const tied = name.startsWith('lm_head') ? ' There is no separate LM head: it is tied to wte.weight.' : '';
  throw new Error(`no weight named '${name}'.${tied} Names look like ${[...w.keys()].slice(0, 4).join(', ')}, ...`);
}

/**
 * 沿最后一个轴（C）做 LayerNorm，与 PyTorch 和 GPT-2 相同：
 *
 *   mean = x 沿最后一个轴的均值              var = (x - mean)^2 的均值（除以 C，而不是 C - 1）
 *   y    = (x - mean) / sqrt(var + eps) * weight + bias           weight, bias: (C)
 *
 * x: (..., C) -> 形状不变。
 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  return TODO('layerNorm');
}

/**
 * GELU，GPT-2 用的 tanh 近似：0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))。逐元素计算。
 * （即 PyTorch 的 nn.GELU(approximate='tanh')；nanoGPT 的 nn.GELU() 是精确的 erf 形式，这个模型不是用它训练的。）
 */
export function gelu(x: Tensor): Tensor {
  return TODO('gelu');
}

/**
 * 第 `layer` 个块的 MLP：先扩宽到 4C，做 GELU，再投影回来。
 *
 *   h = x Wfcᵀ + bfc   (B, T, 4C)     权重 h.<layer>.mlp.fc.weight (4C, C)，.bias (4C)
 *   y = gelu(h) Wpᵀ + bp (B, T, C)     权重 h.<layer>.mlp.proj.weight (C, 4C)，.bias (C)
 */
export function mlp(x: Tensor, w: Weights, layer: number): Tensor {
  return TODO('mlp');
}

export interface BlockOutput {
  out: Tensor; //         (B, T, C)：块的输出，即两个分支都加完之后的残差流
  attnOut: Tensor; //     (B, T, C)：注意力分支加上去的内容（输出投影之后）
  attnWeights: Tensor; // (B, nh, T, T)：每个头的注意力权重
}

/**
 * 一个 pre-LayerNorm 的 Transformer 块（GPT-2）：
 *
 *   a = multiHeadAttention(layerNorm(x, ln_1), 这一层的注意力权重, nHead)
 *   x = x + a.out
 *   x = x + mlp(layerNorm(x, ln_2))
 *
 * 权重名以 `h.${layer}.` 开头：ln_1、attn.q、attn.k、attn.v、attn.proj、ln_2、mlp.fc、mlp.proj。
 */
export function block(x: Tensor, w: Weights, layer: number, config: GptConfig): BlockOutput {
  return TODO('block');
}

export interface GptOutput {
  logits: Tensor; // (B, T, V)
  /**
   * 计算途中的中间结果，用 ONNX 模型给同一批张量起的名字：
   * 'embeddings' (B, T, C)，以及每一层 i 的 `attn_probs_${i}` (B, nh, T, T)、`attn_out_${i}` (B, T, C)、
   * `block_out_${i}` (B, T, C)。检查会把它们逐一与 onnxruntime 比较，找出差异从哪里开始。
   */
  intermediates: Map<string, Tensor>;
}

/**
 * GPT 的前向传播。ids：B 个序列，每个有 T 个 token id（长度都是 T，且 T <= blockSize）。
 *
 *   x = wte[ids] + wpe[0..T)            (B, T, C)    token 嵌入 + 学到的位置嵌入
 *   x = block(x)，对每一层              (B, T, C)
 *   x = layerNorm(x, ln_f)              (B, T, C)
 *   logits = x @ wteᵀ                   (B, T, V)    语言模型头与 token 嵌入共享权重，没有偏置
 */
export function gptForward(w: Weights, ids: number[][], config: GptConfig): GptOutput {
  return TODO('gptForward');
}

export type { AttentionWeights };
