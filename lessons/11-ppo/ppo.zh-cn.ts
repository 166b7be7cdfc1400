/**
 * PPO 目标，逐项构建，用法与 RLHF 微调语言模型时一致。
 *
 * 这里的一切都作用在 kit 张量上，并返回一个要最小化的量，所以梯度必须能流动：每个结果都要由
 * kit 算子构造（绝不要用 .data 里的普通数字），这样 RLHF 一课的优化器才能用它训练。
 * 形状：对数概率、优势、价值和回报都是 (N,)，每个生成的词元一项。
 *
 * 你可能用到的 kit 算子：exp, log, sub, mul, neg, mean, sum, pow, softmax(x, -1), logSoftmax(x, -1)。
 * kit 没有 min、max 和 clamp；下面用 relu 构造的三个辅助函数已经提供（已写好）。
 */
import { type Tensor, TODO, add, exp, logSoftmax, mean, mul, neg, pow, relu, softmax, sub, sum } from '@llm-lab/kit';

/** 已提供：逐元素 min(a, b) = a - relu(a - b)。梯度流向较小的那个输入。 */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return sub(a, relu(sub(a, b)));
}

/** 已提供：逐元素 max(a, b) = b + relu(a - b)。梯度流向较大的那个输入。 */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return add(b, relu(sub(a, b)));
}

/** 已提供：clamp(x, lo, hi) = lo + relu(x - lo) - relu(x - hi)。严格在 (lo, hi) 内梯度为 1，区间外为 0。 */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  return sub(add(relu(sub(x, lo)), lo), relu(sub(x, hi)));
}

/**
 * PPO 的裁剪代理目标，写成损失（Schulman 等 2017）：
 *
 *   ratio = exp(newLogProbs - oldLogProbs)                    π_new(a|s) / π_old(a|s)，由对数概率算出
 *   loss  = -mean( min( ratio · A, clamp(ratio, 1 - ε, 1 + ε) · A ) )
 *
 * 裁剪的是比率，不是优势；取最小值（悲观界）；再取负（我们做最小化）。
 * 梯度流向 newLogProbs；在裁剪项较小的地方，梯度为 0。
 *   处处 ratio 为 1（new = old）：loss = -mean(A)
 */
export function ppoPolicyLoss(newLogProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, clipEps: number): Tensor {
  return TODO('ppoPolicyLoss');
}

/**
 * 价值头的损失：0.5 · mean((values - returns)²)，一个标量。（有了 0.5，梯度就是 (values - returns) 再除以 N；
 * CleanRL 就这样写，Stable-Baselines3 的 F.mse_loss 则没有 0.5。RLHF 一课需要这个 0.5。）
 */
export function valueLoss(values: Tensor, returns: Tensor): Tensor {
  return TODO('valueLoss');
}

/**
 * 策略的平均熵：logits (..., V) -> 一个标量，即对每个位置的
 * H = -Σ_v p_v log p_v 取平均，其中 p 是在最后一个轴上做的 softmax。logits 很大时也要稳定（不能出现 0 · log 0 = NaN）。
 *   V 个词元上均匀 logits 的熵 = log V
 */
export function entropy(logits: Tensor): Tensor {
  return TODO('entropy');
}

/**
 * 相对参考模型的逐词元 KL 估计：logπ(a) - logπ_ref(a)，形状与输入相同。
 * （这是 k1，TRL 的默认值；TRL 的 kl_estimator="k3" 选项是另一个估计量，不是这个函数要的。）
 */
export function klPenalty(logProbs: Tensor, refLogProbs: Tensor): Tensor {
  return TODO('klPenalty');
}

/**
 * (a - mean) / (std + 1e-8)：均值为 0、标准差为 1，用总体标准差（除以 n，和 NumPy 的
 * np.std 一样）。torch 的 .std() 除以 n - 1（CleanRL 和 Stable-Baselines3 就这样归一化）：检查也接受它，
 * 但那样单个值的标准差是 0/0，所以要单独处理 n = 1（返回 [0]，或像 Stable-Baselines3 那样原样返回）。
 * eps 让常数批次保持有限（全为零，而不是 0/0）。用普通数字；返回新数组。
 *   normalizeAdvantages([1, 2, 3, 4]) -> [-1.3416, -0.4472, 0.4472, 1.3416]       （除以 n；除以 n - 1 时：±1.1619, ±0.3873）
 */
export function normalizeAdvantages(a: number[]): number[] {
  return TODO('normalizeAdvantages');
}
