/**
 * The positions lesson's catalogue of known mistakes (and two other libraries' conventions): what a learner is told
 * when a check recognises one. The checks (positions.checks.ts) and the test that feeds every entry through the
 * runner (test/unit/mistakes/positions.ts) both read these words.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const POSITIONS_MISTAKES = defineMistakes({
  'wpe-by-token': {
    message: t(
      'The position embedding is looked up with the token ids: wpe[id] instead of wpe[position]. The model then sees which token it is twice, and never where it is.',
      '位置嵌入是用词元 id 查的：wpe[id]，而不是 wpe[position]。这样模型两次看到“是哪个词元”，却始终不知道它“在哪里”。',
    ),
    hint: t(
      'Look wpe up with the positions startPos, startPos + 1, ..., startPos + T − 1 (one row per column t), not with ids.',
      '用位置 startPos, startPos + 1, ..., startPos + T − 1（每一列 t 一行）去查 wpe，而不是用 ids。',
    ),
  },
  'positions-restart': {
    message: t(
      'The positions restart at 0: startPos is ignored, so a token fed after others (under a KV cache, startPos = the number of cached positions) is encoded as if it were the first one.',
      '位置从 0 重新开始了：startPos 被忽略，于是排在其他词元之后送入的词元（在 KV 缓存下，startPos = 已缓存的位置数）被当成了第一个词元来编码。',
    ),
    hint: t(
      'Row t of the input sits at position startPos + t. In attendWithRope, that start is cache.length, read BEFORE appending the new keys.',
      '输入的第 t 行位于位置 startPos + t。在 attendWithRope 中，这个起点是 cache.length，要在追加新的键之前读取。',
    ),
  },
  'sin-cos-swapped': {
    message: t(
      'sin and cos are swapped: the table has cos at the even channels and sin at the odd ones. The paper has PE[p, 2i] = sin(p / base^(2i/d)) and PE[p, 2i+1] = cos(p / base^(2i/d)).',
      'sin 和 cos 放反了：表中偶数通道是 cos、奇数通道是 sin。论文中是 PE[p, 2i] = sin(p / base^(2i/d))，PE[p, 2i+1] = cos(p / base^(2i/d))。',
    ),
    hint: t(
      'Channel 2i gets Math.sin(angle), channel 2i + 1 gets Math.cos(angle), with the same angle = p / base ** (2 * i / d).',
      '通道 2i 放 Math.sin(angle)，通道 2i + 1 放 Math.cos(angle)，两者用同一个 angle = p / base ** (2 * i / d)。',
    ),
  },
  'exponent-i-over-d': {
    message: t(
      'The frequencies use the exponent i/d instead of 2i/d: the longest wavelength is about 2π·√base instead of nearly 2π·base, so the slowest pairs still turn fast and far positions look alike. Pair i (channels 2i and 2i + 1) has frequency 1 / base^(2i/d).',
      '频率用的指数是 i/d 而不是 2i/d：最长的波长约为 2π·√base，而不是接近 2π·base，最慢的那几对仍然转得很快，远处的位置彼此难以区分。第 i 对（通道 2i 和 2i + 1）的频率是 1 / base^(2i/d)。',
    ),
    hint: t(
      'i counts PAIRS (0 .. d/2 − 1): theta_i = base ** (-(2 * i) / d). With the channel index j = 2i the exponent is j/d, with the pair index it is 2i/d.',
      'i 数的是“对”（0 .. d/2 − 1）：theta_i = base ** (-(2 * i) / d)。用通道下标 j = 2i 时指数是 j/d，用对的下标时是 2i/d。',
    ),
  },
  'base-ignored': {
    message: t(
      'The base option is ignored: the result is the one for base 10000 although another base was asked for (LLaMA 3, for one, uses 500000 for longer contexts).',
      'base 选项被忽略了：要求的是另一个 base，结果却是 base 为 10000 时的值（例如 LLaMA 3 为了更长的上下文使用 500000）。',
    ),
    hint: t(
      'Read base from the options with its default: const { base = 10000 } = opts, and use that variable in the frequency, not the literal 10000.',
      '从选项中读取 base 并给出默认值：const { base = 10000 } = opts，在频率里用这个变量，而不是字面量 10000。',
    ),
  },
  'sin-cos-halves': {
    convention: 'tensor2tensor',
    message: t(
      'This is the layout of tensor2tensor (and fairseq): all the sines in the first d/2 channels, then all the cosines (they also space the frequencies a little differently, exp(−i·ln(base)/(d/2 − 1))). A model learns as well with either layout; this lesson follows the formula of Vaswani et al., PE[p, 2i] = sin and PE[p, 2i+1] = cos side by side, because the checks compare values channel by channel and RoPE pairs channels the same way. Interleave them to match.',
      '这是 tensor2tensor（以及 fairseq）的布局：前 d/2 个通道全是正弦，后面全是余弦（它们的频率间隔也略有不同：exp(−i·ln(base)/(d/2 − 1))）。两种布局下模型学得一样好；本课采用 Vaswani 等人的公式，PE[p, 2i] = sin、PE[p, 2i+1] = cos 相邻排列，因为检查逐通道比较数值，而 RoPE 也以同样方式配对通道。请改成交错排列。',
    ),
    hint: t(
      'Write the sine of frequency i to channel 2i and its cosine to channel 2i + 1 (not to i and d/2 + i), with frequency 1 / base^(2i/d).',
      '把频率 i 的正弦写到通道 2i、余弦写到通道 2i + 1（而不是 i 和 d/2 + i），频率为 1 / base^(2i/d)。',
    ),
  },
  'rope-halves-default': {
    convention: 'Hugging Face',
    message: t(
      'This is Hugging Face\'s convention (rotate_half: channel i is paired with channel i + hs/2, as in transformers\' LLaMA and GPT-NeoX). This lesson\'s default pairing is the interleaved pairs (x_{2i}, x_{2i+1}) of the RoFormer paper and Meta\'s LLaMA code, because that is how the paper writes the rotation; Hugging Face\'s form is the option pairing: \'halves\'. Rotate adjacent pairs when no pairing is given.',
      '这是 Hugging Face 的约定（rotate_half：通道 i 与通道 i + hs/2 配对，transformers 的 LLaMA 和 GPT-NeoX 都这样做）。本课默认的配对是 RoFormer 论文和 Meta 的 LLaMA 代码中的交错对 (x_{2i}, x_{2i+1})，因为论文就是这样写旋转的；Hugging Face 的形式是选项 pairing: \'halves\'。未给出 pairing 时，请旋转相邻的两个通道。',
    ),
    hint: t(
      'Default (pairing \'interleaved\'): a = x[2i], b = x[2i + 1]. Only with pairing: \'halves\': a = x[i], b = x[i + hs/2]. Both are turned by θ_i.',
      '默认（pairing 为 \'interleaved\'）：a = x[2i]，b = x[2i + 1]。只有 pairing: \'halves\' 时才是 a = x[i]，b = x[i + hs/2]。两者都转过角度 θ_i。',
    ),
  },
  'pairing-mixed': {
    message: t(
      'The two pairing conventions are mixed in one rotation: the partners of one (adjacent, or i and i + hs/2) get the angles of the other (θ of channel j taken as θ_{j mod hs/2}, or as θ_{floor(j/2)}). The two channels of a pair then turn by different angles: that is no rotation, norms change and q·k no longer depends only on m − n.',
      '两种配对约定在同一个旋转里混用了：一种约定的配对（相邻通道，或 i 与 i + hs/2）用的却是另一种约定的角度（通道 j 的 θ 取成 θ_{j mod hs/2} 或 θ_{floor(j/2)}）。于是同一对的两个通道转过的角度不同：这不是旋转，范数会变，q·k 也不再只取决于 m − n。',
    ),
    hint: t(
      'Both channels of a pair use the same θ_i: interleaved, channels 2i and 2i + 1 share θ_i (repeat each θ twice); halves, channels i and i + hs/2 share θ_i (cat(θ, θ), as Hugging Face).',
      '同一对的两个通道用同一个 θ_i：交错配对时通道 2i 和 2i + 1 共用 θ_i（每个 θ 重复两次）；按半配对时通道 i 和 i + hs/2 共用 θ_i（像 Hugging Face 那样 cat(θ, θ)）。',
    ),
  },
  'rope-on-values': {
    message: t(
      'The values are rotated too. RoPE rotates q and k only, so that the score q(m)·k(n) depends on m − n; the values are what attention averages, and rotating them mixes their channels by position into the output.',
      '值（values）也被旋转了。RoPE 只旋转 q 和 k，使得分数 q(m)·k(n) 只取决于 m − n；值是注意力要加权平均的内容，旋转它们会按位置把通道混进输出里。',
    ),
    hint: t(
      'Apply applyRope to q and k, append the unrotated v to the cache, and multiply the attention weights by cache.v as it is.',
      '只对 q 和 k 调用 applyRope，把未旋转的 v 追加到缓存，并直接用注意力权重乘以 cache.v。',
    ),
  },
});

export type PositionsMistake = keyof typeof POSITIONS_MISTAKES;
