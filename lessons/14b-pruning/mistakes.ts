/**
 * The pruning lesson's catalogue of known mistakes: what a learner is told when its checks recognise one (one
 * place for the words, shared by the checks and test/unit/mistakes/pruning.ts). None of them is another library's
 * convention: PyTorch's prune.l1_unstructured, NVIDIA's 2:4 (ASP) and the papers all rank by |w|, and 2:4 groups
 * run along the input (reduction) axis on every library that accelerates them.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const PRUNING_MISTAKES = defineMistakes({
  'by-value': {
    message: t(
      'You pruned the smallest VALUES, not the smallest magnitudes: large negative weights like -0.9 were set to 0 while small positive ones stayed.',
      '你剪掉的是数值最小的权重，而不是绝对值最小的：像 -0.9 这样的大负权重被置成了 0，小的正权重却留了下来。',
    ),
    hint: t(
      'Rank by Math.abs(w): a weight\'s importance is its size, whatever its sign.',
      '请按 Math.abs(w) 排序：一个权重的重要性取决于它的大小，与符号无关。',
    ),
  },
  'largest': {
    message: t(
      'You pruned the LARGEST |w| and kept the smallest: the ranking is reversed.',
      '你剪掉了 |w| 最大的权重，却保留了最小的：排序反了。',
    ),
    hint: t(
      'Sort |w| in ascending order and zero the first k (magnitudePrune); in a 2:4 group, zero the two smallest |w|.',
      '把 |w| 按升序排列，把前 k 个置零（magnitudePrune）；在 2:4 的每组中，把 |w| 最小的两个置零。',
    ),
  },
  'wrong-axis': {
    message: t(
      'Your 2:4 groups run down a column (4 consecutive rows, the output axis), not along a row (4 consecutive inputs).',
      '你的 2:4 分组是沿列方向取的（连续 4 行，即输出轴），而不是沿行方向（连续 4 个输入）。',
    ),
    hint: t(
      'W is (out, in): the group of row o at j is W.data[o * in + 4 * j + 0..3]. Sparse tensor cores skip inputs of a dot product, so the groups lie along the input axis.',
      'W 的形状是 (out, in)：第 o 行第 j 组是 W.data[o * in + 4 * j + 0..3]。稀疏张量核心跳过的是点积中的输入，所以分组沿输入轴。',
    ),
  },
  'wrong-count': {
    message: t(
      'Your sparsity divides by the wrong count: it counts the zeros of the Linear weights but divides by every parameter of the model (embeddings, LayerNorms and biases included).',
      '你的稀疏度除错了分母：它数的是 Linear 权重中的零，却除以了模型的全部参数（包括嵌入、LayerNorm 和偏置）。',
    ),
    hint: t(
      'Divide by the number of weights in prunableWeights(model): the sum of their .size, not model.numParameters().',
      '请除以 prunableWeights(model) 中权重的个数：它们 .size 之和，而不是 model.numParameters()。',
    ),
  },
  'prunes-extra': {
    message: t(
      'prunableWeights returns more than the Linear weights: biases, LayerNorm parameters or embeddings would be pruned too.',
      'prunableWeights 返回的不只是 Linear 权重：偏置、LayerNorm 参数或嵌入也会被剪掉。',
    ),
    hint: t(
      'Only the six Linear weights of each block: block.attn.q.weight, .k, .v, .proj and block.mlp.fc.weight, .proj. A zeroed LayerNorm gain or bias kills a whole channel, and the embeddings are the output head too.',
      '只取每个块中六个 Linear 层的权重：block.attn.q.weight、.k、.v、.proj，以及 block.mlp.fc.weight、.proj。把 LayerNorm 的增益或偏置置零会废掉整个通道，而嵌入同时也是输出头。',
    ),
  },
});
