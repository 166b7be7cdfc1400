/**
 * 多头注意力一课：GPT 块里的注意力层。
 *
 * 这个文件建立在你在注意力一课写的注意力之上：它从 ../02-attention/attention.ts 导入，也就是你写的那个
 * 文件（在你的 llm-lab/ 文件夹里，就在这个文件夹旁边）。如果注意力一课还没有通过，先把它完成；
 * 这里的第一个检查测试的就是这个导入。
 *
 * 三个任务：splitHeads、mergeHeads，然后是用到这两者的 multiHeadAttention。
 *
 * 你可能用到的工具包运算（需要的话可以从 '@llm-lab/kit' 导入更多）：
 *   linear(x, weight, bias)   x @ weightᵀ + bias，weight 的形状是 (out, in)，与 PyTorch 的 nn.Linear 相同
 *   x.reshape(a, b, c, d)     数据不变，换一个形状（元素的顺序不变）
 *   transpose(x, 1, 2)        交换两个轴（这会搬动数字：元素的顺序会变）
 */
import { type Tensor, TODO, linear, transpose } from '@llm-lab/kit';
import { attention } from '../02-attention/attention';

// 重新导出，这样检查可以先测试你的注意力。
export { attention };

/** 一个 Linear 层的参数：y = x @ weightᵀ + bias。 */
export interface LinearWeights {
  weight: Tensor; // (out, in)
  bias: Tensor; //   (out)
}

/**
 * 注意力层的四个 Linear 层（对应课程模型的权重 h.<i>.attn.q、.k、.v、.proj；nanoGPT 把 q、k、v
 * 合并成一个 c_attn，输出投影叫 c_proj）。
 */
export interface AttentionWeights {
  q: LinearWeights;
  k: LinearWeights;
  v: LinearWeights;
  proj: LinearWeights;
}

/**
 * 把通道拆分成多个头，并把头轴移到时间轴前面：
 *
 *   (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs)        hs = C / nh
 *
 * 头 h 拿到每个 token 的通道 [h*hs, (h+1)*hs)。如果 nHead 不能整除 C，抛出一个 Error。
 */
export function splitHeads(x: Tensor, nHead: number): Tensor {
  return TODO('splitHeads');
}

/** splitHeads 的逆操作：(B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C)。 */
export function mergeHeads(y: Tensor): Tensor {
  return TODO('mergeHeads');
}

/**
 * 对 x (B, T, C) 做因果多头自注意力：
 *
 *   q = x Wqᵀ + bq, k = x Wkᵀ + bk, v = x Wvᵀ + bv      各为 (B, T, C)
 *   把每一个拆分成多个头                                (B, nh, T, hs)
 *   { out: y, weights } = attention(q, k, v, true)     y (B, nh, T, hs)，weights (B, nh, T, T)
 *   out = mergeHeads(y) Wprojᵀ + bproj                 (B, T, C)
 *
 * 返回 { out, weights }：这一层的输出，以及每个头的注意力权重。
 */
export function multiHeadAttention(x: Tensor, w: AttentionWeights, nHead: number): { out: Tensor; weights: Tensor } {
  return TODO('multiHeadAttention');
}
