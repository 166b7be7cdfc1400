/**
 * CLIP 一课：在渲染出来的小图像上做图文对比训练。
 *
 *   l2Normalize   每一行除以它的 L2 范数
 *   clipLogits    （N 张图像，M 条文本）= exp(t) · cosine(image_i, text_j)
 *   clipLoss      对称 InfoNCE 损失：½（按行的交叉熵 + 按列的交叉熵），标签为对角线
 *   trainStep     清零梯度、计算损失、反向传播、优化器更新、把 t 截断到 [0, ln 100]
 *   zeroShot      对每张图像，返回最相似的文本的下标
 *
 * ClipModel（两个编码器和可学习的温度）已经给出。可能用到的 kit 函数：matmul、transpose、mul、div、sqrt、
 * sum(x, dim, keepdim)、exp、add、crossEntropy(logits, targets)（对各行求平均）、noGrad，以及用 .data
 * （按行优先存储的 Float32Array）读取数值。
 */
import {
  type AdamW, Embedding, Linear, Module, Rng, type Tensor, TODO, cat, mean, relu, reshape, tensor,
} from '@llm-lab/kit';

/** 文本的词表：文本中可能出现的所有单词。 */
export const CLIP_WORDS = ['a', 'red', 'green', 'blue', 'yellow', 'square', 'circle', 'triangle', 'cross'];

/**
 * 两个编码器和可学习的温度（已经给出，不是 TODO）。
 *   图像：8×8×3 = 192 个像素值 -> Linear(192, 64) -> relu -> Linear(64, 32)
 *   文本：文本中各单词嵌入（每个 32 维）的平均 -> Linear(32, 32)
 *   logitScale：t，一个可学习的标量；logits 为 exp(t) · 余弦相似度。与 CLIP 一样初始化为 ln(1 / 0.07)。
 */
export class ClipModel extends Module {
  imageHidden: Linear;
  imageProj: Linear;
  wordEmbedding: Embedding;
  textProj: Linear;
  logitScale: Tensor;

  constructor(rng: Rng = new Rng(0)) {
    super();
    this.imageHidden = new Linear(192, 64, true, rng);
    this.imageProj = new Linear(64, 32, true, rng);
    this.wordEmbedding = new Embedding(CLIP_WORDS.length, 32, rng);
    this.textProj = new Linear(32, 32, true, rng);
    this.logitScale = tensor([Math.log(1 / 0.07)], [1], { requiresGrad: true });
  }

  /** 图像 (N, 192) -> 图像嵌入 (N, 32)，未归一化。 */
  encodeImages(images: Tensor): Tensor {
    return this.imageProj.forward(relu(this.imageHidden.forward(images)));
  }

  /** 文本（N 个字符串，例如 "a red circle"）-> 文本嵌入 (N, 32)，未归一化。 */
  encodeTexts(captions: string[]): Tensor {
    const bags = captions.map((caption) => {
      const ids = caption.split(' ').map((w) => {
        const id = CLIP_WORDS.indexOf(w);
        if (id < 0) throw new Error(`encodeTexts: unknown word ${JSON.stringify(w)} in ${JSON.stringify(caption)}`);
        return id;
      });
      return reshape(mean(this.wordEmbedding.forward(ids), 0), [1, 32]);
    });
    return this.textProj.forward(cat(bags, 0));
  }
}

/** x (N, D) 的每一行除以它的 L2 范数。结果必须让梯度能流回 x。 */
export function l2Normalize(x: Tensor): Tensor {
  // TODO：逐行计算 x / ||x||（在最后一维上求和，keepdim）。
  return TODO('l2Normalize');
}

/**
 * logits（N 张图像，M 条文本）= exp(logitScale) · cosine(image_i, text_j)：先归一化两个嵌入，再相乘
 * （图像在行上），最后乘以 exp(t)。logitScale 是形状为 [1] 的 Tensor，存放 t：让它留在计算图中。
 */
export function clipLogits(imageEmb: Tensor, textEmb: Tensor, logitScale: Tensor): Tensor {
  // TODO：对归一化后的嵌入做 matmul，再乘以 exp(logitScale)。
  return TODO('clipLogits');
}

/**
 * N 个匹配样本对（imageEmb 的第 i 行对应 textEmb 的第 i 行）的对称 InfoNCE 损失：
 * ½（logits 各行的平均交叉熵 + 各列的平均交叉熵），标签为 0, 1, ..., N − 1。
 * 返回标量 Tensor。imageEmb 与 textEmb 的行数不同时抛出 Error。
 */
export function clipLoss(imageEmb: Tensor, textEmb: Tensor, logitScale: Tensor): Tensor {
  // TODO：用 clipLogits 得到 logits；按行是图像 -> 文本，按列是文本 -> 图像；对两者求平均。
  return TODO('clipLoss');
}

/**
 * 在一批匹配样本对上训练一步：清零梯度，用模型的嵌入（以及 model.logitScale）计算 clipLoss，反向传播，
 * opt.step()，然后把 t = model.logitScale.data[0] 截断到 [0, ln 100]。
 * 返回这一步之前的损失（一个数）。
 */
export function trainStep(model: ClipModel, images: Tensor, captions: string[], opt: AdamW): number {
  // TODO：按顺序完成上面的五步。
  return TODO('trainStep');
}

/** 对每张图像 (N, 192)，返回相似度最高的文本的下标。不需要梯度。 */
export function zeroShot(model: ClipModel, images: Tensor, captions: string[]): number[] {
  // TODO：对两个编码结果求 clipLogits，再对每一行取 argmax。
  return TODO('zeroShot');
}
