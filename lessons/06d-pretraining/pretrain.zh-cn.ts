/**
 * 预训练一课：用你自己的代码，在《白鲸记》上从零训练一个小 GPT。
 *
 * 模型就是你在 GPT 前向计算一课写的 gptForward：它是一个以权重 Map 为参数的函数，当这些权重是
 * requiresGrad 的张量时，kit 的自动求导就能算出它们的梯度。优化器、学习率计划和梯度裁剪是你在优化器一课写的
 * AdamW、cosineLr 和 clipGradNorm，损失是你在 MLP 一课写的 crossEntropyLoss。本文件再加四个部分：
 *   getBatch   从文本中随机取窗口，以及它们的目标：同样的窗口错开一个字符
 *   lmLoss     语言模型损失：每个位置上的交叉熵，不计填充（ignoreIndex）
 *   evaluate   整个留出集上的损失和困惑度，按词元而不是按批次计算
 *   train      训练循环：取批次、前向、损失、zeroGrad、反向传播、裁剪、学习率、更新
 * 检查先在一个很小的模型上逐一测试每个部分，然后在这本书的 80,000 个字符上实时训练一个 2 层 GPT：
 * 结果面板里会显示损失曲线，以及模型学习过程中生成的样本。
 *
 * 你可能用到的 kit 功能：
 *   new Rng(seed), rng.randint(lo, hi)        带种子的随机数生成器；[lo, hi) 中的一个整数
 *   logits.reshape(B * T, V)                  同样的数，形状变为 (B·T, V)：每个位置一行
 *   embedding(table, rows, [n])               取出 (N, V) 张量中的若干行，带梯度：(n, V)
 *   noGrad(() => ...)                         不构建计算图地运行（用于评估）
 *   loss.item(), loss.backward()              标量的值；把梯度写入每个 .grad
 */
import { Rng, type Tensor, TODO, embedding, noGrad } from '@llm-lab/kit';
import { type GptConfig, gptForward } from '../04-gpt-forward/gpt';
import { crossEntropyLoss } from '../01c-mlp/losses';
import { AdamW, clipGradNorm, cosineLr } from '../01d-optimizers/optim';

// 重新导出，以便检查先测试你前几课的代码，并用同样的部件搭建训练循环。
export { gptForward, crossEntropyLoss, AdamW, clipGradNorm, cosineLr };
export type { GptConfig };

/** 按名字存放的模型权重，与 gptForward 读取的方式一致（'wte.weight'、'h.0.ln_1.weight'……）。 */
export type Weights = Map<string, Tensor>;

/** B 行、每行 T 个词元 id，以及它们的目标：y[b][t] 是文本中紧跟在 x[b][t] 之后的 id。 */
export interface Batch {
  x: number[][];
  y: number[][];
}

/**
 * 从 `data`（词元 id）中取 batchSize 个随机窗口，每个长 blockSize，以及它们的目标。
 * 对 b = 0, 1, ..., batchSize - 1，**按这个顺序**，用 start = rng.randint(0, data.length - blockSize) 抽取一个起点
 * （不从 rng 做其他抽取）；然后 x[b] = data[start .. start + blockSize)，y[b] = 晚一个 id 的同一窗口。
 * 不要修改 `data`。
 */
export function getBatch(data: ArrayLike<number>, batchSize: number, blockSize: number, rng: Rng): Batch {
  return TODO('getBatch');
}

/**
 * 语言模型损失：logits 形状为 (B, T, V)，targets 为 B 行、每行 T 个 id。在目标不等于 ignoreIndex（填充）的位置上
 * 求 -log softmax(logits)[target] 的平均；被忽略的位置既不计入总和，也不计入平均的分母。
 * 至少有一个目标不被忽略。返回一个可以调用 backward() 的标量张量。
 */
export function lmLoss(logits: Tensor, targets: number[][], ignoreIndex = -100): Tensor {
  return TODO('lmLoss');
}

/** evaluate 在留出集上测得的量。 */
export interface Evaluation {
  /** 每个真实目标（不是 -100）的平均负对数似然，单位为 nat。 */
  loss: number;
  /** exp(loss)。 */
  perplexity: number;
  /** 真实目标的个数。 */
  tokens: number;
}

/**
 * 模型在整个留出集上的损失和困惑度，留出集以批次给出（大小任意；目标 -100 表示填充）。
 * 每个真实目标权重相同：loss = 总 NLL / 真实目标总数，perplexity = exp(loss)。不需要梯度。
 */
export function evaluate(weights: Weights, config: GptConfig, batches: Batch[]): Evaluation {
  return TODO('evaluate');
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  /** AdamW 的 (β₁, β₂)。 */
  betas: [number, number];
  /** 梯度被裁剪到这个全局范数。 */
  clip: number;
  /** 抽取批次所用随机数生成器的种子。 */
  seed: number;
}

export interface TrainHooks {
  /** 每一步之后调用，参数是这一步的批次损失（实时曲线和样本都依赖它）。 */
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

/**
 * 对 Map 中的每个权重原地做 train.steps 步 AdamW（lr 为 train.maxLr，weightDecay 为 train.weightDecay，betas 为
 * train.betas）。
 * 整个训练只用**一个** rng = new Rng(train.seed)。第 step 步（0, 1, ...）：{ x, y } = getBatch(data,
 * train.batchSize, config.blockSize, rng)；loss = lmLoss(gptForward(weights, x, config).logits, y)；清零梯度；
 * 反向传播；裁剪到 train.clip；lr = cosineLr(step, { maxLr, minLr, warmup, total: train.steps })；
 * 优化器更新；然后 `await hooks.onStep?.(step, loss)`。返回批次损失，每步一个。
 */
export async function train(weights: Weights, data: ArrayLike<number>, config: GptConfig, train: TrainConfig, hooks: TrainHooks = {}): Promise<number[]> {
  return TODO('train');
}

