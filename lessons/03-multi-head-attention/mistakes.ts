/**
 * What a learner is told when their multi-head attention matches a catalogued mistake (the course's
 * multihead-reference.ts computes each one), in English and Simplified Chinese. Shared with
 * test/unit/mistakes/attention.ts, which checks that each mistake is recognised.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const MHA_MISTAKE_TEXT = defineMistakes({
  'split-without-transpose': {
    message: t(
      'The heads were split without the transpose: viewing (B, T, C) directly as (B, nh, T, hs) does not group channels into heads, it cuts the memory into blocks, so a "head" holds pieces of several tokens.',
      '拆分头时没有转置：把 (B, T, C) 直接看作 (B, nh, T, hs)，并不会把通道分组成头，而是把内存切成一块一块，于是一个“头”里装的是好几个 token 的碎片。',
    ),
    hint: t(
      'Two steps: view as (B, T, nh, hs) (this splits each token\'s channels), then transpose(x, 1, 2) to (B, nh, T, hs).',
      '分两步：先看作 (B, T, nh, hs)（这一步拆分每个 token 的通道），再用 transpose(x, 1, 2) 变成 (B, nh, T, hs)。',
    ),
  },
  'split-interleaved': {
    message: t(
      'The heads were split in the wrong order: head h got channels h, h + nh, h + 2·nh, ... instead of the block [h·hs, (h+1)·hs). That is what viewing as (B, T, hs, nh) gives.',
      '拆分头的顺序错了：头 h 拿到的是通道 h, h + nh, h + 2·nh, ...，而不是连续的一段 [h·hs, (h+1)·hs)。把张量看作 (B, T, hs, nh) 就会得到这种结果。',
    ),
    hint: t(
      'View as (B, T, nh, hs): the head index comes before the channel-within-head index, so head h is channels h·hs to (h+1)·hs - 1.',
      '看作 (B, T, nh, hs)：头的下标在头内通道下标之前，所以头 h 是通道 h·hs 到 (h+1)·hs - 1。',
    ),
  },
  'merge-without-transpose': {
    message: t(
      'The heads were merged without the transpose: reshaping (B, nh, T, hs) straight to (B, T, C) mixes tokens, because the head axis is still in front of time.',
      '合并头时没有转置：把 (B, nh, T, hs) 直接 reshape 成 (B, T, C) 会把不同 token 混在一起，因为头轴仍在时间轴前面。',
    ),
    hint: t(
      'transpose(y, 1, 2) first, giving (B, T, nh, hs), then reshape to (B, T, C): each token\'s heads end up side by side.',
      '先 transpose(y, 1, 2) 得到 (B, T, nh, hs)，再 reshape 成 (B, T, C)：每个 token 的各个头就并排放在一起了。',
    ),
  },
  'merge-interleaved': {
    message: t(
      'The heads were merged in the wrong order: head h\'s channels went to positions h, h + nh, ... instead of back to [h·hs, (h+1)·hs).',
      '合并头的顺序错了：头 h 的通道被放到了位置 h, h + nh, ...，而不是放回 [h·hs, (h+1)·hs)。',
    ),
    hint: t(
      'Merging must undo splitting exactly: (B, nh, T, hs) -> transpose(1, 2) -> (B, T, nh, hs) -> reshape (B, T, C).',
      '合并必须恰好撤销拆分：(B, nh, T, hs) -> transpose(1, 2) -> (B, T, nh, hs) -> reshape 成 (B, T, C)。',
    ),
  },
  'weight-not-transposed': {
    convention: 'Hugging Face (Conv1D)',
    message: t(
      'The projections compute x @ W + b: that is the convention of Hugging Face (Conv1D), whose GPT-2 stores its attention weights as (in, out). This course stores every weight as PyTorch\'s nn.Linear does, (out, in), like nanoGPT (which transposes the Conv1D weights when it loads GPT-2), so that one linear(x, W, b) serves every layer of every lesson; here the projection is x @ Wᵀ + b. (x @ W runs only because W is square, C × C.) Change x @ W to x @ Wᵀ.',
      '投影算的是 x @ W + b：这是 Hugging Face (Conv1D) 的约定，它的 GPT-2 把注意力权重存成 (in, out)。本课程和 nanoGPT 一样，按 PyTorch 的 nn.Linear 的方式存所有权重，即 (out, in)（nanoGPT 加载 GPT-2 时会把 Conv1D 的权重转置过来），这样同一个 linear(x, W, b) 就能用于每一课的每一层；所以这里的投影是 x @ Wᵀ + b。（x @ W 能运行，只是因为 W 是 C × C 的方阵。）把 x @ W 改成 x @ Wᵀ。',
    ),
    hint: t(
      'Use the kit\'s linear(x, weight, bias), which computes x @ weightᵀ + bias, or matmul(x, transpose(weight, 0, 1)). Weights in Hugging Face\'s Conv1D layout would need the transpose taken once, when they are loaded, as nanoGPT does.',
      '用工具包的 linear(x, weight, bias)，它计算 x @ weightᵀ + bias；或者用 matmul(x, transpose(weight, 0, 1))。如果权重是 Hugging Face 的 Conv1D 布局，应当像 nanoGPT 那样在加载时转置一次。',
    ),
  },
  'heads-averaged': {
    convention: 'PyTorch (nn.MultiheadAttention)',
    message: t(
      'Your weights are averaged over the heads, (B, T, T): that is the convention of PyTorch (nn.MultiheadAttention), which returns head-averaged weights unless average_attn_weights=False. This lesson returns every head\'s weights, (B, nh, T, T), as Hugging Face\'s output_attentions does, because the checks compare each head with the model\'s and draw one heatmap per head. Return the weights attention(q, k, v, true) gave you, without averaging them.',
      '你的权重在各个头上取了平均，形状是 (B, T, T)：这是 PyTorch (nn.MultiheadAttention) 的约定，除非设置 average_attn_weights=False，它返回的是各头平均后的权重。本课和 Hugging Face 的 output_attentions 一样，返回每个头的权重 (B, nh, T, T)，因为检查要把每个头与模型的逐一比较，并为每个头画一张热力图。直接返回 attention(q, k, v, true) 给出的权重，不要取平均。',
    ),
    hint: t(
      'const { out: y, weights } = attention(q, k, v, true); ... return { out, weights }: weights is (B, nh, T, T).',
      'const { out: y, weights } = attention(q, k, v, true); …… return { out, weights }：weights 的形状是 (B, nh, T, T)。',
    ),
  },
  'no-output-projection': {
    message: t(
      'The output projection is missing: after merging the heads, out = merged @ W_projᵀ + b_proj mixes what the heads found.',
      '缺少输出投影：合并各头之后，要用 out = merged @ W_projᵀ + b_proj 把各个头找到的信息混合起来。',
    ),
    hint: t('linear(merged, w.proj.weight, w.proj.bias).', 'linear(merged, w.proj.weight, w.proj.bias)。'),
  },
  'single-head': {
    message: t(
      'nHead was ignored: this is one head over all C channels. Multi-head attention runs nHead independent attentions on hs = C / nHead channels each.',
      'nHead 被忽略了：这是在全部 C 个通道上的单个头。多头注意力是 nHead 个相互独立的注意力，每个只用 hs = C / nHead 个通道。',
    ),
    hint: t(
      'Split q, k and v into (B, nh, T, hs) before calling attention; the scale then uses hs, the size of one head.',
      '调用 attention 之前，先把 q、k、v 拆成 (B, nh, T, hs)；这样缩放用的就是 hs，即一个头的大小。',
    ),
  },
  'lesson-2': {
    message: t(
      'The attention this file imports from the attention lesson (02-attention/attention.ts) is not right yet, so multi-head attention cannot be.',
      '这个文件从注意力一课导入的注意力（02-attention/attention.ts）还不对，所以多头注意力也不可能对。',
    ),
    hint: t(
      'Open the attention lesson\'s exercise and run its checks: they say exactly what is off.',
      '打开注意力一课的练习并运行它的检查：它们会准确指出哪里有问题。',
    ),
  },
});
