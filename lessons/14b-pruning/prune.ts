/**
 * Pruning: set weights to zero, and measure what the model loses.
 *
 * - magnitudePrune: unstructured, PER TENSOR. k = Math.round(sparsity · n) weights with the smallest |w| become 0
 *   (the sign does not matter: -0.9 is a large weight). Among equal |w|, the lower flat index is pruned first.
 * - prune24: 2:4 structured sparsity. W is (out, in); in every group of 4 consecutive weights along the INPUT axis
 *   (W[o, 4j .. 4j + 3], four neighbours in a row), keep the 2 largest |w| and set the other 2 to 0. Among equal
 *   |w|, the lower index is kept.
 * - What is pruned: the weight of each of the six Linear layers of every block (attn.q, attn.k, attn.v, attn.proj,
 *   mlp.fc, mlp.proj). Not biases, not LayerNorms, not the embeddings.
 * The prune functions return a NEW tensor of W's shape and leave W unchanged.
 */
import { type GPT, type Tensor, TODO, tensor } from '@llm-lab/kit';

/** W (any shape) -> a copy with Math.round(sparsity · W.size) of its smallest-|w| weights set to 0. */
export function magnitudePrune(W: Tensor, sparsity: number): Tensor {
  return TODO('magnitudePrune');
}

/** W (out, in), in a multiple of 4 (else throw) -> a copy where every 4 consecutive weights of a row keep their 2 largest |w|. */
export function prune24(W: Tensor): Tensor {
  return TODO('prune24');
}

/** The tensors pruning touches: the weight of every Linear layer of every block, 6 per block (model.h[i].attn.q.weight, ...). */
export function prunableWeights(model: GPT): Tensor[] {
  return TODO('prunableWeights');
}

/** The fraction of zeros among the prunable weights: zeros in prunableWeights(model) / the number of weights in them. */
export function sparsityOf(model: GPT): number {
  return TODO('sparsityOf');
}
