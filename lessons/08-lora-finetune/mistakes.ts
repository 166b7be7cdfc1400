/**
 * The LoRA fine-tuning lesson's catalogue of known mistakes: what a learner is told when its checks recognise one. One place for
 * the words, so the checks and the test that feeds every mistake through the runner (test/unit/mistakes/lora.ts)
 * agree on them. 'lesson-7-rslora' is not a mistake but rsLoRA's convention (alpha / √r), named as such.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const FINETUNE_MISTAKES = defineMistakes({
  // exercise 1: LoRA on the bundled GPT
  'lesson-7': {
    message: t(
      'Your LoRA layer or merge from the LoRA lesson does not pass a quick test, so everything built on it here would be wrong too.',
      '你在 LoRA 一课写的 LoRA 层或 merge 没有通过一个简单的测试，那么这里在它之上搭建的一切也都会出错。',
    ),
    hint: t(
      'Finish the LoRA lesson (lora/layer and lora/merge) first: this file imports LoRALinear and merge from ../07-lora/.',
      '请先完成 LoRA 一课（lora/layer 和 lora/merge）：这个文件从 ../07-lora/ 导入 LoRALinear 和 merge。',
    ),
  },
  'lesson-7-rslora': {
    convention: 'rsLoRA (PEFT use_rslora=True)',
    message: t(
      'Your LoRALinear or merge from the LoRA lesson scales the adapter by alpha / √r: that is the convention of rsLoRA (PEFT use_rslora=True). This course uses alpha / r, the LoRA paper\'s scale and PEFT\'s default, and the checks here (and the merged model\'s weights) expect it: change the scale in the LoRA lesson\'s files to alpha / r.',
      '你在 LoRA 一课写的 LoRALinear 或 merge 用 alpha / √r 缩放适配器：这是 rsLoRA (PEFT use_rslora=True) 的约定。本课程使用 alpha / r，即 LoRA 论文的缩放系数、也是 PEFT 的默认值，这里的检查（以及合并后模型的权重）都按它来算：请把 LoRA 一课文件里的缩放系数改成 alpha / r。',
    ),
    hint: t(
      'In ../07-lora/layer.ts: this.scale = alpha / r; in ../07-lora/merge.ts: mul(matmul(B, A), alpha / r).',
      '在 ../07-lora/layer.ts 中：this.scale = alpha / r；在 ../07-lora/merge.ts 中：mul(matmul(B, A), alpha / r)。',
    ),
  },
  'not-frozen': {
    message: t(
      'The base model is not frozen: model.parameters() still lists pretrained weights, so the optimizer would update all of them. That is full fine-tuning, with LoRA on top.',
      '基础模型没有冻结：model.parameters() 仍然列出了预训练权重，优化器会把它们全部更新。这等于全量微调再加一层 LoRA。',
    ),
    hint: t(
      'Before wrapping, set requiresGrad = false on every tensor of model.parameters(); afterwards parameters() must list only the adapters\' A and B.',
      '在包装之前，把 model.parameters() 中每个张量的 requiresGrad 设为 false；包装之后 parameters() 必须只列出各适配器的 A 和 B。',
    ),
  },
  'wrong-targets': {
    message: t(
      'The adapters are not where they were asked for: every block must get a LoRALinear on each target in config.targets, and no other layer may change.',
      '适配器没有放在要求的位置：每个块的 config.targets 中的每个目标层都必须换成 LoRALinear，其他层一律不能改动。',
    ),
    hint: t(
      'Loop over model.h (every block) and over config.targets; slot(block, target) gives the object and the field to replace.',
      '遍历 model.h（每个块）和 config.targets；slot(block, target) 会给出要替换的对象和字段名。',
    ),
  },
  'changed-at-step-0': {
    message: t(
      'The model\'s output changed when the adapters were added: with B = 0 a freshly wrapped model must compute exactly what the pretrained one did.',
      '加上适配器之后模型的输出变了：B = 0 时，刚包装好的模型算出的结果必须与预训练模型完全一致。',
    ),
    hint: t(
      'Wrap the existing Linear (new LoRALinear(parent[key], r, alpha, rng)) so it keeps its weight and bias, and keep B at zero.',
      '包装已有的 Linear（new LoRALinear(parent[key], r, alpha, rng)），让它保留原来的权重和偏置，并让 B 保持为零。',
    ),
  },
  'not-merged': {
    message: t(
      'After mergeLoRA the model still contains LoRA layers: each one must be replaced by a plain Linear whose weight is the merged W + (alpha / r) B A.',
      'mergeLoRA 之后模型里仍有 LoRA 层：每一个都必须换成普通的 Linear，其权重为合并后的 W + (alpha / r) B A。',
    ),
    hint: t(
      'For each adapter: const lin = new Linear(a.inFeatures, a.outFeatures); lin.weight = merge(a.weight, a.A, a.B, a.alpha, a.r); lin.bias = a.bias; then parent[key] = lin.',
      '对每个适配器：const lin = new Linear(a.inFeatures, a.outFeatures); lin.weight = merge(a.weight, a.A, a.B, a.alpha, a.r); lin.bias = a.bias; 然后 parent[key] = lin。',
    ),
  },
  'shared-rng': {
    message: t(
      'Adapters got the same A as one another (each from a generator seeded alike): draw them all from ONE Rng(config.seed), created once, so each layer gets its own random start (and the run can still be repeated).',
      '有些适配器得到的 A 彼此相同（它们各自来自用同样种子创建的生成器）：应当只创建一个 Rng(config.seed)，所有 A 都从它抽取，这样每层都有各自的随机初始值（实验也仍然可以复现）。',
    ),
    hint: t(
      'const rng = new Rng(config.seed) before the loops, then pass the same rng to every new LoRALinear.',
      '在循环之前写 const rng = new Rng(config.seed)，然后把同一个 rng 传给每个 new LoRALinear。',
    ),
  },
  'unseeded': {
    message: t(
      'addLoRA with the same seed gave different adapters: the A matrices must come from new Rng(config.seed), so a run can be repeated.',
      '用同一个种子调用 addLoRA，得到的适配器却不同：A 矩阵必须来自 new Rng(config.seed)，这样实验才能复现。',
    ),
    hint: t(
      'const rng = new Rng(config.seed) before the loops (not new Rng() or Math.random), then pass it to every new LoRALinear.',
      '在循环之前写 const rng = new Rng(config.seed)（不要用 new Rng() 或 Math.random），再把它传给每个 new LoRALinear。',
    ),
  },
  // exercise 2: QLoRA
  'per-tensor': {
    message: t(
      'One scale for the whole matrix: a row with small weights next to a row with large ones is rounded to a few levels, or to zero. Quantize per output channel: one scale per row.',
      '整个矩阵只用了一个缩放系数：与大权重行放在一起的小权重行只剩下寥寥几个量化级别，甚至被舍入为零。应按输出通道量化：每行一个缩放系数。',
    ),
    hint: t(
      'For each row o: scale[o] = max_i |W[o, i]| / 127, then q[o, i] = round(W[o, i] / scale[o]).',
      '对每一行 o：scale[o] = max_i |W[o, i]| / 127，然后 q[o, i] = round(W[o, i] / scale[o])。',
    ),
  },
  'per-column': {
    message: t(
      'The scales are per input column, not per output channel (row): W is (out, in), and each output channel, a row, gets its own scale.',
      '缩放系数是按输入列算的，而不是按输出通道（行）：W 是 (out, in)，每个输出通道（即每一行）有自己的缩放系数。',
    ),
    hint: t(
      'scale[o] = max over i of |W[o, i]| / 127: one scale per row o, scales.length === out.',
      'scale[o] = 对 i 取 |W[o, i]| 的最大值再除以 127：每行 o 一个缩放系数，scales.length === out。',
    ),
  },
  'floor': {
    message: t(
      'The values are truncated instead of rounded: Math.floor (or Math.trunc, or writing a float into an Int8Array) biases every weight towards -∞ or 0; Math.round keeps the error within half a step.',
      '数值被截断而不是四舍五入：Math.floor（或 Math.trunc，或直接把浮点数写进 Int8Array）会让每个权重都偏向 -∞ 或 0；Math.round 才能把误差控制在半个量化步长以内。',
    ),
    hint: t('q = Math.round(W / scale), then clamp to [-127, 127].', 'q = Math.round(W / scale)，再截断到 [-127, 127]。'),
  },
  'dequant-divides': {
    message: t(
      'dequantize divided by the scale instead of multiplying: q = round(W / scale), so W ≈ q · scale.',
      '反量化时除以了缩放系数，而应当乘以它：q = round(W / scale)，所以 W ≈ q · scale。',
    ),
    hint: t('W[o, i] ≈ q[o, i] * scales[o].', 'W[o, i] ≈ q[o, i] * scales[o]。'),
  },
});

export type FinetuneMistake = keyof typeof FINETUNE_MISTAKES;
