/**
 * The optimizers lesson's catalogue of known mistakes: what a learner is told when their optimizer, schedule or
 * clipping matches one (the float64 references in @llm-lab/course/foundations compute each as a wrong variant).
 *
 * Entries marked `convention` are another library's way, not mistakes: Keras's velocity with the learning rate
 * inside and its ε̂ (eps added before the bias correction), Hugging Face's warmup from 0, nanoGPT's warmup over
 * warmup + 1 steps and its decay of 2-D parameters only. PyTorch's `norm + 1e-6` in clipping and `zero_grad`'s
 * set-to-None are simply accepted (see the lesson).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const OPTIM_MISTAKES = defineMistakes({
  'no-bias-correction': {
    message: t(
      'The parameters move as if m and v were used without bias correction (for m, v or both): both averages start at 0, so the first steps must divide them by 1 − β₁ᵗ and 1 − β₂ᵗ.',
      '参数的变化就像 m 和 v 没有做偏差修正（m、v 之一或两者）：两个滑动平均都从 0 开始，所以前几步必须分别除以 1 − β₁ᵗ 和 1 − β₂ᵗ。',
    ),
    hint: t(
      'Count the step first (this.t++), then mHat = m / (1 - b1 ** this.t) and vHat = v / (1 - b2 ** this.t), and step by lr * mHat / (Math.sqrt(vHat) + eps).',
      '先计数（this.t++），再算 mHat = m / (1 - b1 ** this.t) 和 vHat = v / (1 - b2 ** this.t)，更新量是 lr * mHat / (Math.sqrt(vHat) + eps)。',
    ),
  },
  'l2-in-adamw': {
    message: t(
      "AdamW's weight decay went into the gradient (L2, Adam's way): then Adam divides it by √v̂ like the rest of the gradient, and weights with large gradients are hardly decayed. AdamW's decay is decoupled: it shrinks the weights directly.",
      'AdamW 的权重衰减被加进了梯度（L2，即 Adam 的做法）：这样 Adam 会像对待其余梯度一样把它除以 √v̂，梯度大的权重几乎得不到衰减。AdamW 的衰减是解耦的：直接缩小权重本身。',
    ),
    hint: t(
      'When decoupled, leave g alone and do p[i] -= lr * weightDecay * p[i] (with the weight before the Adam step), then the usual Adam update.',
      '解耦时不要改 g，而是执行 p[i] -= lr * weightDecay * p[i]（用 Adam 这一步之前的权重），然后照常做 Adam 更新。',
    ),
  },
  'adam-decoupled': {
    message: t(
      "Adam's weightDecay was applied as decoupled decay (AdamW's way): torch.optim.Adam, and this lesson's Adam, add weightDecay · p to the gradient (an L2 penalty), which then goes through m and v.",
      'Adam 的 weightDecay 被当成了解耦衰减（AdamW 的做法）：torch.optim.Adam 以及本课的 Adam 是把 weightDecay · p 加到梯度上（L2 惩罚），然后它再进入 m 和 v。',
    ),
    hint: t('For Adam (decoupled false): g = g[i] + weightDecay * p[i], and use that g for m and v.', '对 Adam（decoupled 为 false）：g = g[i] + weightDecay * p[i]，m 和 v 都用这个 g。'),
  },
  'decay-wrong-target': {
    message: t(
      'The decay was applied to the wrong thing: it shrinks by lr · weightDecay · g (the gradient), not by lr · weightDecay · p. Weight decay pulls the weights themselves towards 0, whatever the gradient is.',
      '衰减用错了对象：它按 lr · weightDecay · g（梯度）缩小，而不是 lr · weightDecay · p。权重衰减是把权重本身拉向 0，与梯度无关。',
    ),
    hint: t('p[i] -= lr * weightDecay * p[i]: the weight, not g[i], m[i] or the update.', 'p[i] -= lr * weightDecay * p[i]：乘的是权重，不是 g[i]、m[i] 或更新量。'),
  },
  'decay-no-lr': {
    message: t(
      'The weights shrink by weightDecay · p at every step: the decay was not multiplied by the learning rate. In torch.optim.AdamW, as here, the weights shrink by lr · weightDecay · p, so a schedule that lowers lr lowers the decay too.',
      '权重每一步都缩小 weightDecay · p：衰减没有乘以学习率。在 torch.optim.AdamW 中（本课也一样），权重缩小的是 lr · weightDecay · p，所以调度降低 lr 时，衰减也随之降低。',
    ),
    hint: t('p[i] -= lr * weightDecay * p[i].', 'p[i] -= lr * weightDecay * p[i]。'),
  },
  'decay-after-step': {
    message: t(
      'The decay was computed from the weights after the Adam step: torch.optim.AdamW, as here, shrinks the weights as they were before the step (p ← p − lr·λ·p, then the Adam update), so the two differ by lr·λ times the update.',
      '衰减是用 Adam 更新之后的权重算的：torch.optim.AdamW（本课也一样）缩小的是这一步之前的权重（先 p ← p − lr·λ·p，再做 Adam 更新），两者相差 lr·λ 乘以更新量。',
    ),
    hint: t('Apply p[i] -= lr * weightDecay * p[i] first, then the Adam update.', '先执行 p[i] -= lr * weightDecay * p[i]，再做 Adam 更新。'),
  },
  'decay-2d-only': {
    convention: 'nanoGPT',
    message: t(
      "This is nanoGPT's convention: its configure_optimizers puts the 1-D parameters (biases, LayerNorm weights) in a group with weight_decay 0 and decays only 2-D ones. This lesson's AdamW, like torch.optim.AdamW, decays every parameter it is given, and leaves that choice to the caller (who can give the biases to a second AdamW with weightDecay: 0); so decay every parameter.",
      '这是 nanoGPT 的约定：它的 configure_optimizers 把一维参数（偏置、LayerNorm 的权重）放进 weight_decay 为 0 的参数组，只衰减二维参数。本课的 AdamW 与 torch.optim.AdamW 一样，衰减交给它的每个参数，把这个选择留给调用者（可以把偏置交给另一个 weightDecay: 0 的 AdamW）；所以请衰减每个参数。',
    ),
    hint: t('Remove the test on p.ndim (or p.shape.length): every parameter with a gradient is decayed.', '去掉对 p.ndim（或 p.shape.length）的判断：每个有梯度的参数都要衰减。'),
  },
  'eps-hat': {
    convention: 'Keras',
    message: t(
      "This is Keras's convention (and the Adam paper's \"more efficient\" ordering): the bias corrections folded into the step size, lr · √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε), so ε is added before the correction and acts as a different ε. This lesson follows torch.optim.Adam, m̂ / (√v̂ + ε), because the other lessons' settings are PyTorch's; change the order to match.",
      '这是 Keras 的约定（也是 Adam 论文里“更高效”的计算顺序）：把偏差修正并入步长，lr · √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)，于是 ε 是在修正之前加的，作用相当于另一个 ε。本课遵循 torch.optim.Adam 的 m̂ / (√v̂ + ε)，因为其他课程的超参数都是按 PyTorch 给的；请改成这个顺序。',
    ),
    hint: t('Correct first, then add eps: lr * mHat / (Math.sqrt(vHat) + eps) with mHat = m / (1 - b1 ** t), vHat = v / (1 - b2 ** t).', '先修正再加 eps：lr * mHat / (Math.sqrt(vHat) + eps)，其中 mHat = m / (1 - b1 ** t)，vHat = v / (1 - b2 ** t)。'),
  },
  'eps-in-sqrt': {
    message: t(
      'eps was put inside the square root, √(v̂ + ε): Adam adds it after, √v̂ + ε. Inside, it counts as √ε (1e-4 for ε = 1e-8), which damps every small gradient.',
      'eps 被放进了平方根里，√(v̂ + ε)：Adam 是在开方之后加，√v̂ + ε。放在里面相当于加了 √ε（ε = 1e-8 时为 1e-4），会压低所有小梯度的步长。',
    ),
    hint: t('Math.sqrt(vHat) + eps, not Math.sqrt(vHat + eps).', '写 Math.sqrt(vHat) + eps，而不是 Math.sqrt(vHat + eps)。'),
  },
  'lr-cached': {
    message: t(
      'step() used the learning rate the constructor got, at every step: a schedule changes opt.lr between steps, and step() must read this.lr each time.',
      'step() 每一步都用构造函数收到的学习率：调度会在两步之间修改 opt.lr，step() 每次都必须读取 this.lr。',
    ),
    hint: t('Inside step(), const lr = this.lr (not a copy made in the constructor).', '在 step() 里写 const lr = this.lr（不要用构造函数里存下的副本）。'),
  },
  'momentum-lr-in-buffer': {
    convention: 'Keras',
    message: t(
      "This is Keras's convention (and Sutskever et al.'s): the velocity holds steps, v = μ·v − lr·g, p += v. With a constant lr it is the same; when a schedule changes lr, old gradients keep the lr they were taken with. This lesson uses PyTorch's torch.optim.SGD form, buf = μ·buf + g, p −= lr·buf, as the makemore lesson's training does; move lr out of the buffer.",
      '这是 Keras 的约定（也是 Sutskever 等人的写法）：速度里存的是步长，v = μ·v − lr·g，p += v。学习率不变时两者相同；调度改变 lr 时，旧梯度仍带着当时的 lr。本课使用 PyTorch 的 torch.optim.SGD 形式 buf = μ·buf + g，p −= lr·buf，makemore 一课的训练也如此；请把 lr 移出缓冲区。',
    ),
    hint: t('buf[i] = momentum * buf[i] + d; p[i] -= lr * buf[i].', 'buf[i] = momentum * buf[i] + d；p[i] -= lr * buf[i]。'),
  },
  'no-grad-updated': {
    message: t(
      'A parameter whose grad is null (the loss did not use it) was changed or made step() throw: skip it, as PyTorch skips parameters whose .grad is None. It has no gradient, so neither its state nor its weight decay may move it.',
      '一个 grad 为 null 的参数（损失没有用到它）被修改了，或者让 step() 抛出了异常：请跳过它，就像 PyTorch 跳过 .grad 为 None 的参数。它没有梯度，所以它的状态和权重衰减都不应改变它。',
    ),
    hint: t('At the top of the loop over parameters: const g = p.grad; if (!g) return; (or continue).', '在遍历参数的循环开头写：const g = p.grad; if (!g) return;（或 continue）。'),
  },
  'schedule-off-by-one': {
    message: t(
      'The schedule is one step off: your lr at step s is the one this lesson gives at a neighbouring step (steps are counted from 0, the first warmup step has lr maxLr / warmup, and minLr is reached exactly at step total).',
      '调度差了一步：你在第 s 步给出的 lr 是本课在相邻一步的值（步数从 0 开始计，预热的第一步 lr 为 maxLr / warmup，恰好在第 total 步降到 minLr）。',
    ),
    hint: t(
      'step < warmup: maxLr * (step + 1) / warmup; otherwise progress = (step - warmup) / (total - warmup), lr = minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr); step >= total: minLr.',
      'step < warmup 时：maxLr * (step + 1) / warmup；否则 progress = (step - warmup) / (total - warmup)，lr = minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr)；step >= total 时：minLr。',
    ),
  },
  'warmup-from-zero': {
    convention: 'Hugging Face',
    message: t(
      "This is Hugging Face's convention (get_cosine_schedule_with_warmup: lr = maxLr · step / warmup, so step 0 has lr 0). This lesson uses build-nanogpt's maxLr · (step + 1) / warmup, so the first step already learns and step warmup − 1 reaches maxLr; change step to step + 1 in the warmup.",
      '这是 Hugging Face 的约定（get_cosine_schedule_with_warmup：lr = maxLr · step / warmup，第 0 步的 lr 为 0）。本课使用 build-nanogpt 的 maxLr · (step + 1) / warmup，第一步就开始学习，第 warmup − 1 步达到 maxLr；请在预热中把 step 改成 step + 1。',
    ),
    hint: t('if (step < warmup) return maxLr * (step + 1) / warmup;', 'if (step < warmup) return maxLr * (step + 1) / warmup;'),
  },
  'warmup-nanogpt': {
    convention: 'nanoGPT',
    message: t(
      "This is nanoGPT's convention (train.py: learning_rate · (it + 1) / (warmup_iters + 1), which never quite reaches maxLr during warmup). This lesson uses build-nanogpt's maxLr · (step + 1) / warmup, which reaches maxLr at step warmup − 1; divide by warmup.",
      '这是 nanoGPT 的约定（train.py：learning_rate · (it + 1) / (warmup_iters + 1)，预热期间始终达不到 maxLr）。本课使用 build-nanogpt 的 maxLr · (step + 1) / warmup，在第 warmup − 1 步达到 maxLr；请除以 warmup。',
    ),
    hint: t('if (step < warmup) return maxLr * (step + 1) / warmup;', 'if (step < warmup) return maxLr * (step + 1) / warmup;'),
  },
  'clip-per-tensor': {
    message: t(
      'Each tensor was clipped by its own norm: clipGradNorm clips by the global norm, √(Σ over all tensors of Σ g²), and scales every gradient by the same factor, so the direction of the whole update is kept.',
      '每个张量都按自己的范数做了裁剪：clipGradNorm 按全局范数 √(所有张量的 Σ g² 之和) 裁剪，所有梯度乘以同一个系数，这样整体更新的方向保持不变。',
    ),
    hint: t('First one sum of squares over every gradient of every parameter, then one scale maxNorm / norm for all of them.', '先对所有参数的所有梯度求一个平方和，再对它们统一乘以 maxNorm / norm。'),
  },
  'clip-returns-after': {
    message: t(
      'clipGradNorm returned the norm after clipping (maxNorm, or close to it): it returns the norm before clipping, like torch.nn.utils.clip_grad_norm_, because that is the number worth logging (spikes show trouble).',
      'clipGradNorm 返回的是裁剪之后的范数（即 maxNorm 或接近它）：应该像 torch.nn.utils.clip_grad_norm_ 一样返回裁剪之前的范数，因为值得记录的是它（尖峰说明训练出了问题）。',
    ),
    hint: t('Keep the norm you measured first in a variable and return it at the end.', '把最先算出的范数存进一个变量，最后返回它。'),
  },
  'clip-always-scales': {
    message: t(
      'Gradients whose norm was already below maxNorm were scaled up to maxNorm: clipping only ever shrinks. When the norm is at most maxNorm, leave the gradients as they are.',
      '范数本来就小于 maxNorm 的梯度被放大到了 maxNorm：裁剪只会缩小。范数不超过 maxNorm 时，梯度保持原样。',
    ),
    hint: t('if (norm > maxNorm) { scale by maxNorm / norm }, else do nothing.', 'if (norm > maxNorm) { 乘以 maxNorm / norm }，否则什么也不做。'),
  },
});

export type OptimMistake = keyof typeof OPTIM_MISTAKES;
