/**
 * makemore 一课：一个不用注意力的名字语言模型。
 *
 * 模型读入一个名字的最后 blockSize 个字符，预测下一个字符：
 *
 *   '...' -> 'e',  '..e' -> 'm',  '.em' -> 'm',  'emm' -> 'a',  'mma' -> '.'      （blockSize 3，名字 'emma'）
 *
 * 四个任务：
 *   buildDataset  把一组名字切成所有的（上下文，下一个字符）窗口，存成扁平的 id 数组
 *   NameModel     一个嵌入表加上你在 MLP 一课写的 MLP：id -> 向量 -> 27 个字符的 logits
 *   train         训练循环，使用你自己的 crossEntropyLoss、AdamW、cosineLr 和 clipGradNorm
 *   sample        生成新名字：一次一个字符，按模型给出的概率抽取
 * 检查会用 7,500 个真实的英文名字训练你的模型几秒钟（结果面板中有实时曲线），并把它的验证损失与二元语法（bigram）
 * 模型相比较。
 *
 * 这个文件建立在前两课之上：它从 ../01c-mlp/ 和 ../01d-optimizers/ 导入你写过的文件（它们就在这个文件夹旁边）。
 * 如果那两课还没有通过，请先完成它们；第一个检查会测试它们。
 *
 * 可能用到的 kit 工具：
 *   new Embedding(num, dim, rng)       一个 (num, dim) 的表，初始化为 N(0, 1)；emb.forward(ids, [B, T]) -> (B, T, dim)
 *   x.reshape(B, -1)                   同样的数，换一个形状（不复制，没有开销）
 *   softmax(x, -1), noGrad(() => ...)  沿最后一维的概率；不建计算图的前向计算
 *   new Rng(seed), rng.randint(lo, hi) 带种子的随机数生成器；[lo, hi) 中的一个整数
 *   rng.categorical(probs)             以概率 probs[i] 抽取下标 i（每次调用用一个均匀随机数）
 *   loss.item(), model.parameters()    标量的值；一个 Module 的所有可训练张量
 */
import { Embedding, Module, Rng, type Tensor, TODO, noGrad, softmax } from '@llm-lab/kit';
import { MLP } from '../01c-mlp/layers';
import { crossEntropyLoss } from '../01c-mlp/losses';
import { AdamW, clipGradNorm, cosineLr } from '../01d-optimizers/optim';

// 重新导出，以便检查先测试你之前写的代码，并用同样的部件搭一个训练循环来对照。
export { MLP, crossEntropyLoss, AdamW, clipGradNorm, cosineLr };

/** 词表：'.'（id 0）同时标记名字的开始和结束，'a'..'z' 的 id 是 1..26。 */
export const CHARS = '.abcdefghijklmnopqrstuvwxyz';

/** 以扁平数组存放的样本：X 按行优先存 N 行、每行 blockSize 个 id（第 i 行从 X[i·blockSize] 开始），Y 存 N 个目标。 */
export interface Dataset {
  X: Int32Array;
  Y: Int32Array;
}

/**
 * 按名字的顺序，为每个名字的 name + '.' 中的每个字符生成一个窗口。每个名字的上下文都从 blockSize 个 '.'（id 0）开始，
 * 每生成一个窗口就向前滑动一个字符。names 都是小写 a-z；不要修改这个数组。
 */
export function buildDataset(names: readonly string[], blockSize: number): Dataset {
  return TODO('buildDataset');
}

export interface ModelConfig {
  blockSize: number;
  nEmbd: number;
  hidden: number;
  /** 隐藏层的激活函数（默认 'tanh'）。 */
  activation?: 'tanh' | 'relu';
}

export class NameModel extends Module {
  /** (27, nEmbd)：每个字符一个可学习的向量。 */
  emb: Embedding;
  /** 你的 MLP，各层大小为 [blockSize · nEmbd, hidden, 27]：一个隐藏层，输出 logits。 */
  mlp: MLP;

  constructor(readonly config: ModelConfig, rng: Rng) {
    super();
    // TODO：创建嵌入表和 MLP，都使用 `rng`（激活函数为 config.activation，默认 'tanh'）。
    TODO('NameModel constructor');
  }

  /** X：B 行、每行 blockSize 个 id，扁平存放 -> logits (B, 27)（不是概率）。 */
  forward(X: Int32Array): Tensor {
    return TODO('NameModel.forward');
  }
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  maxLr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  /** 梯度被裁剪到这个全局范数。 */
  clip: number;
  /** 抽取批次所用生成器的种子。 */
  seed: number;
}

/**
 * 对模型的所有参数运行 config.steps 步 AdamW（lr 为 config.maxLr，weightDecay 为 config.weightDecay）。
 * 第 step 步（0, 1, ...）：抽取 config.batchSize 行组成一个批次，每行用 rng.randint(0, N) 抽取，rng 是唯一的
 * new Rng(config.seed)；loss = crossEntropyLoss(logits, targets)；清零梯度；反向传播；裁剪到 config.clip；
 * lr = cosineLr(step, { maxLr, minLr, warmup, total: config.steps })；优化器更新一步；
 * 然后 `await onStep?.(step, loss)`。返回每一步的批次损失。
 */
export async function train(
  model: NameModel, data: Dataset, config: TrainConfig, onStep?: (step: number, loss: number) => void | Promise<void>,
): Promise<number[]> {
  return TODO('train');
}

/** sample 对模型的全部要求：它的上下文长度和它的 logits。 */
export interface Sampler {
  config: { blockSize: number };
  forward(X: Int32Array): Tensor;
}

/**
 * 生成一个新名字：从 blockSize 个 '.' 开始，用 rng.categorical 从 softmax(logits) 中抽取下一个 id（每个字符一个
 * 均匀随机数），抽到 '.' 时停止（'.' 不属于名字），或在 maxLength 个字符之后停止。只使用 model.config.blockSize
 * 和 model.forward。
 */
export function sample(model: Sampler, rng: Rng, maxLength = 30): string {
  return TODO('sample');
}
