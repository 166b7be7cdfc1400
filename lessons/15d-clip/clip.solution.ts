/**
 * Reference solution for the CLIP lesson (clip/clip).
 */
import {
  type AdamW, Embedding, Linear, Module, Rng, type Tensor, add, cat, crossEntropy, div, exp, matmul, mean, mul, noGrad, relu,
  reshape, sqrt, sum, tensor, transpose,
} from '@llm-lab/kit';

/** The caption vocabulary: every word a caption may use. */
export const CLIP_WORDS = ['a', 'red', 'green', 'blue', 'yellow', 'square', 'circle', 'triangle', 'cross'];

/**
 * The two encoders and the learned temperature (given, not a TODO).
 *   image: 8×8×3 = 192 pixels -> Linear(192, 64) -> relu -> Linear(64, 32)
 *   text:  the mean of the caption's word embeddings (32 each) -> Linear(32, 32)
 *   logitScale: t, a learned scalar; the logits are exp(t) · cosine. Initialised to ln(1 / 0.07), as CLIP.
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

  /** images (N, 192) -> image embeddings (N, 32), not normalised. */
  encodeImages(images: Tensor): Tensor {
    return this.imageProj.forward(relu(this.imageHidden.forward(images)));
  }

  /** captions (N strings such as "a red circle") -> text embeddings (N, 32), not normalised. */
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

/** Every row of x (N, D) divided by its L2 norm. */
export function l2Normalize(x: Tensor): Tensor {
  return div(x, sqrt(sum(mul(x, x), -1, true)));
}

/** logits (N images, M texts) = exp(logitScale) · cosine(image_i, text_j). */
export function clipLogits(imageEmb: Tensor, textEmb: Tensor, logitScale: Tensor): Tensor {
  return mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(logitScale));
}

/** The symmetric InfoNCE loss: ½ (CE over the rows + CE over the columns), labels = the diagonal, means over the batch. */
export function clipLoss(imageEmb: Tensor, textEmb: Tensor, logitScale: Tensor): Tensor {
  const N = imageEmb.shape[0];
  if (textEmb.shape[0] !== N) throw new Error(`clipLoss: ${N} images but ${textEmb.shape[0]} texts`);
  const logits = clipLogits(imageEmb, textEmb, logitScale);
  const labels = Array.from({ length: N }, (_, i) => i);
  const imageToText = crossEntropy(logits, labels);
  const textToImage = crossEntropy(transpose(logits, 0, 1), labels);
  return mul(add(imageToText, textToImage), 0.5);
}

/** One step: zero the gradients, the loss, backward, the optimizer's step, then clamp t to [0, ln 100]. Returns the loss. */
export function trainStep(model: ClipModel, images: Tensor, captions: string[], opt: AdamW): number {
  opt.zeroGrad();
  const loss = clipLoss(model.encodeImages(images), model.encodeTexts(captions), model.logitScale);
  loss.backward();
  opt.step();
  const t = model.logitScale.data;
  t[0] = Math.min(Math.log(100), Math.max(0, t[0]));
  return loss.data[0];
}

/** For each image, the index of the caption with the highest similarity. */
export function zeroShot(model: ClipModel, images: Tensor, captions: string[]): number[] {
  return noGrad(() => {
    const logits = clipLogits(model.encodeImages(images), model.encodeTexts(captions), model.logitScale);
    const M = captions.length;
    return Array.from({ length: images.shape[0] }, (_, i) => {
      let best = 0;
      for (let j = 1; j < M; j++) if (logits.data[i * M + j] > logits.data[i * M + best]) best = j;
      return best;
    });
  });
}
