/**
 * @llm-lab/kit: the small tensor library this course builds on and teaches.
 * Exercises import from here; the checks and the bundled model use the same code.
 *
 * Map of the kit, in reading order:
 *   ndarray.ts          flat data + shape, the storage format
 *   tensor.ts           Tensor and the autograd engine (backward, noGrad), making tensors
 *   shape.ts            broadcasting and index maps shared by the ops
 *   ops/elementwise.ts  add, mul, exp, tanh, gelu, maskedFill, ...
 *   ops/reduce.ts       sum, mean, var
 *   ops/movement.ts     reshape, transpose, narrow, cat, embedding, gather
 *   ops/matmul.ts       matmul (batched) and linear, on top of kernels/
 *   ops/softmax.ts      softmax, logSoftmax
 *   ops/norm.ts         layerNorm
 *   loss.ts             crossEntropy
 *   nn.ts               Module, Linear, Embedding, LayerNorm, attention, MLP, Block
 *   gpt.ts              the GPT model
 *   optim.ts            AdamW, clipGradNorm
 *   random.ts           the seeded random number generator
 *   gradcheck.ts        checking gradients against finite differences
 */
export { TODO, NotImplementedError } from './todo';
export { type NDArray, ndarray, numel } from './ndarray';

export {
  Tensor, type TensorOptions, fromOp, gradOf, noGrad, isGradEnabled,
  tensor, zeros, ones, full, arange, randn,
} from './tensor';
export { broadcastShapes, broadcastIndex, normDim } from './shape';
export {
  type Operand, add, sub, mul, div, neg, pow, sqrt, exp, log, tanh, relu, gelu, maskedFill,
} from './ops/elementwise';
export { sum, mean, variance, var } from './ops/reduce';
export { reshape, transpose, narrow, slice, cat, embedding, gather } from './ops/movement';
export { matmul, linear } from './ops/matmul';
export { softmax, logSoftmax } from './ops/softmax';
export { layerNorm } from './ops/norm';
export { crossEntropy } from './loss';
export {
  Module, Linear, Embedding, LayerNorm, CausalSelfAttention, MLP, Block, causalMask, type KVCache, type Recorder,
} from './nn';
export {
  GPT, type GPTConfig, type GPTOutput, type ForwardOptions, type GenerateOptions, sampleLogits,
} from './gpt';
export { AdamW, type AdamWOptions, clipGradNorm } from './optim';
export { Rng, globalRng, manualSeed } from './random';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck';
