/**
 * SFT 一课：在问答对上对内置模型做监督微调。
 *
 * 对话模板（固定，用内置模型自己的字符；该模型是字符级的，每个字符一个 token）：
 *   prompt    "Q: " + question + "\nA: "
 *   response  answer + "\n"                 换行符就是结束标记：模型必须学会写出它
 * 一段对话就是提示后接回答。只训练回答：回答 token 的标签是它们自己的 id，每个提示 token 和每个填充位置的
 * 标签都是 -100（IGNORE_INDEX）。
 *
 * 标签遵循 Hugging Face 的约定：它们与 ids 对齐（labels[i] 说的是 token i 本身），由损失错位一次：
 * 位置 t 的 logits 预测的是 labels[t + 1]。
 *
 * 检查先在手算和随机输入上测试每个函数，再用它们实时微调内置模型。
 *
 * 可能用到的 kit 部件：
 *   logits.shape                        [B, T, V]
 *   reshape(logits, [B * T, V])         每个位置一行 logits
 *   embedding(table, rows)              从 (N, V) 张量中取出选定的行，带梯度：(rows.length, V)
 *   crossEntropy(logits2d, targets)     对各行求 -log softmax(row)[target] 的平均
 *   logSoftmax(x, -1), gather, sum, mul, div   如果你想自己写
 */
import { type Tensor, TODO } from '@llm-lab/kit';

/** 被损失忽略的位置的标签。 */
export const IGNORE_INDEX = -100;

/** 一个指令问答对。 */
export interface Pair {
  question: string;
  answer: string;
}

/** 分词后的一段对话：提示加回答的 ids，以及每个 id 的标签。 */
export interface Example {
  ids: number[];
  labels: number[];
}

/** 填充后的批次：B 行，长度都为 T。 */
export interface Batch {
  ids: number[][];
  labels: number[][];
}

/**
 * 把问答对放进对话模板，并用 `encode`（文本 -> ids，每个字符一个 id）分词。
 * ids = encode(prompt) 后接 encode(response)；labels = 每个提示 token 为 -100，之后是回答的 ids
 * （答案的字符以及结束标记）。不要修改 `pair`。
 */
export function buildExample(pair: Pair, encode: (text: string) => number[]): Example {
  return TODO('buildExample');
}

/**
 * 在右侧填充到最长样本的长度：每行 ids 用 padId 填充，每行 labels 用 -100 填充，这样填充永远不会被训练。
 * 行的顺序不变；不修改传入的样本。
 */
export function collate(examples: Example[], padId: number): Batch {
  return TODO('collate');
}

/**
 * SFT 损失：logits (B, T, V) 是模型在 batch.ids 上的输出，labels 为 B 行、每行 T 个（与 ids 对齐）。
 * 在内部错位：位置 t 的 logits 与 labels[b][t + 1] 比较（t = 0 .. T - 2）。标签为 -100 的位置既不计入总和，
 * 也不计入平均：结果是整个批次所有回答 token 上 -log softmax 的平均（每个回答 token 权重相同）。至少有一个标签不是 -100。
 * 返回一个可以从它开始 backward() 的标量张量。
 */
export function sftLoss(logits: Tensor, labels: number[][]): Tensor {
  return TODO('sftLoss');
}
