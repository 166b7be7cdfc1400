/**
 * LoRA 一课，练习 2：LoRA 线性层。
 *
 *   y = x Wᵀ + b + (alpha / r) · x Aᵀ Bᵀ
 *
 * W (out, in) 和 b (out) 来自预训练的 Linear，保持冻结；只有 A (r, in) 和 B (out, r) 参与训练。
 * B 初始化为零，所以在第 0 步这一层的结果与预训练的层完全相同。LoRA 微调一课会把这个类放进内置的 GPT，
 * 替换其中的投影层再做微调：它拥有与库中 Linear 相同的字段（inFeatures、outFeatures、weight、bias、forward），
 * 所以任何能放 Linear 的地方都能放它。
 *
 * 可能用到的库函数：
 *   linear(x, w, b?)                   x @ wᵀ (+ b)，w 的形状是 (out, in)：linear(x, A) 就是 x Aᵀ
 *   add(a, b), mul(x, 0.5)             逐元素运算，支持广播；mul 乘一个普通数就是缩放
 *   randn(shape, rng, std, { requiresGrad: true }),  zeros(shape, { requiresGrad: true })
 *   t.requiresGrad = false             冻结一个张量：backward() 不给它梯度，Module 的
 *                                      parameters()（交给优化器的列表）也不包含它
 */
import { type Linear, Module, Rng, type Tensor, TODO, add, linear, mul, randn, zeros } from '@llm-lab/kit';

export class LoRALinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** (out, in)，冻结：预训练的权重，与它所来自的 Linear 共用。 */
  weight: Tensor;
  /** (out)，冻结；如果该 Linear 没有偏置则为 null。 */
  bias: Tensor | null;
  /** (r, in)，可训练：从 `rng` 抽取的较小的随机值。 */
  A: Tensor;
  /** (out, r)，可训练：全零。 */
  B: Tensor;
  /** alpha / r。 */
  readonly scale: number;

  constructor(base: Linear, readonly r: number, readonly alpha: number, rng: Rng = new Rng(0)) {
    super();
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    this.weight = base.weight;
    this.bias = base.bias;
    // TODO：冻结 weight 和 bias；创建 A 和 B（可训练，见它们的注释）以及 scale。
    TODO('LoRALinear constructor');
  }

  /** x (..., in) -> (..., out)。 */
  forward(x: Tensor): Tensor {
    return TODO('LoRALinear.forward');
  }
}
