/**
 * The CLIP lesson: contrastive image-text training on tiny rendered images.
 *
 *   l2Normalize   every row divided by its L2 norm
 *   clipLogits    (N images, M texts) = exp(t) · cosine(image_i, text_j)
 *   clipLoss      the symmetric InfoNCE loss: ½ (CE over the rows + CE over the columns), labels = the diagonal
 *   trainStep     zero the gradients, loss, backward, optimizer step, clamp t to [0, ln 100]
 *   zeroShot      for each image, the index of the most similar caption
 *
 * ClipModel (the two encoders and the learned temperature) is given. Kit pieces you may want: matmul, transpose,
 * mul, div, sqrt, sum(x, dim, keepdim), exp, add, crossEntropy(logits, targets) (mean over the rows), noGrad, and
 * .data (a Float32Array, row-major) to read values.
 */
import {
  type AdamW, Embedding, Linear, Module, Rng, type Tensor, TODO, cat, mean, relu, reshape, tensor,
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

/** Every row of x (N, D) divided by its L2 norm. The result must keep the gradient flowing into x. */
export function l2Normalize(x: Tensor): Tensor {
  // TODO: x / ||x|| row by row (sum over the last axis, keepdim).
  return TODO('l2Normalize');
}

/**
 * logits (N images, M texts) = exp(logitScale) · cosine(image_i, text_j): normalise both embeddings, multiply
 * (images in the rows), scale by exp(t). logitScale is a Tensor of shape [1] holding t: keep it in the graph.
 */
export function clipLogits(imageEmb: Tensor, textEmb: Tensor, logitScale: Tensor): Tensor {
  // TODO: matmul of the normalised embeddings, then multiply by exp(logitScale).
  return TODO('clipLogits');
}

/**
 * The symmetric InfoNCE loss for N matching pairs (row i of imageEmb goes with row i of textEmb):
 * ½ (mean cross-entropy of the rows of the logits + mean cross-entropy of the columns), labels 0, 1, ..., N − 1.
 * A scalar Tensor. Throws an Error when imageEmb and textEmb have different numbers of rows.
 */
export function clipLoss(imageEmb: Tensor, textEmb: Tensor, logitScale: Tensor): Tensor {
  // TODO: logits from clipLogits; image -> text over the rows, text -> image over the columns; average the two.
  return TODO('clipLoss');
}

/**
 * One training step on a batch of matching pairs: zero the gradients, compute clipLoss on the model's embeddings
 * (with model.logitScale), backward, opt.step(), then clamp t = model.logitScale.data[0] to [0, ln 100].
 * Returns the loss before the step, as a number.
 */
export function trainStep(model: ClipModel, images: Tensor, captions: string[], opt: AdamW): number {
  // TODO: the five steps above, in that order.
  return TODO('trainStep');
}

/** For each image (N, 192), the index of the caption with the highest similarity. Needs no gradient. */
export function zeroShot(model: ClipModel, images: Tensor, captions: string[]): number[] {
  // TODO: clipLogits of the two encodings, then the argmax of every row.
  return TODO('zeroShot');
}
