/**
 * MLP 这一课，练习 1：激活函数、Linear 层和多层感知机。
 *
 * 所有东西都在库里的 Tensor 上实现，并用库里的运算搭建，所以梯度由自动求导计算：你只需写前向传播。
 * makemore 和 RNN 两课会从这个文件导入它们。
 *
 * 可能用得上的库函数：
 *   add、sub、mul、div（支持广播；普通数字可以作任一操作数）、exp、pow(x, 3)
 *   new Tensor(Float32Array.from(x.data, f), x.shape)     由 x 的值做出的一个常量张量（不带梯度），
 *                                                          例如 0/1 掩码或 ±1 符号
 *   linear(x, w, b?)                                       x @ wᵀ (+ b)，w 的形状为 (out, in)
 *   new Tensor(data, shape, true)                          一个参数（requiresGrad）
 *   rng.random()                                           [0, 1) 上的均匀分布
 * 库里也有融合好的 relu、tanh 和 gelu：这里你要自己写（检查比较的是取值和梯度，
 * 不管你是怎么写的）。
 */
import { Module, Rng, Tensor, TODO, add, div, exp, globalRng, linear, mul, pow, sub } from '@llm-lab/kit';

/** 逐元素的 max(x, 0)。梯度在 x > 0 处为 1，其他地方为 0（x = 0 处为 0，与 PyTorch 相同）。 */
export function relu(x: Tensor): Tensor {
  // TODO：把 x 乘以一个常量 0/1 掩码。
  return TODO('relu');
}

/** 逐元素的 tanh(x)。在 x = ±1000 处必须恰好给出 ±1（而不是 NaN），梯度也必须有限。 */
export function tanh(x: Tensor): Tensor {
  // TODO：(e^x - e^-x) / (e^x + e^-x) 在 float32 中 |x| > 88 时就会溢出：改用 e^{-2|x|} 来写。
  return TODO('tanh');
}

/** 逐元素的 1 / (1 + e^{-x})。在 x = -1000 和 1000 处必须恰好给出 0 和 1，梯度也必须有限。 */
export function sigmoid(x: Tensor): Tensor {
  // TODO：sigmoid(x) = (1 + tanh(x / 2)) / 2 就是一种不会溢出的写法。
  return TODO('sigmoid');
}

/** GPT-2 所用的 tanh 形式的 GELU：0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))。 */
export function gelu(x: Tensor): Tensor {
  return TODO('gelu');
}

export type Init = 'kaiming' | 'xavier' | 'zeros';

/** y = x Wᵀ + b，权重形状为 (out, in)，与 PyTorch 相同。x (..., in) -> (..., out)。 */
export class Linear extends Module {
  /** (out, in)，requiresGrad。 */
  weight: Tensor;
  /** (out)，requiresGrad，初始为零；opts.bias 为 false 时为 null。 */
  bias: Tensor | null;

  /**
   * opts.init（默认 'kaiming'）：每个权重都从 opts.rng（默认 globalRng）抽取，
   *   'kaiming'  U(-√(6/in), √(6/in))，标准差 √(2/in)
   *   'xavier'   U(-√(6/(in+out)), √(6/(in+out)))，标准差 √(2/(in+out))
   *   'zeros'    全为零
   * 偏置（opts.bias，默认 true）从零开始。
   */
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean; init?: Init; rng?: Rng } = {}) {
    super();
    const { bias = true, init = 'kaiming', rng = globalRng } = opts;
    // TODO：创建 this.weight 和 this.bias。
    TODO('Linear constructor');
  }

  forward(x: Tensor): Tensor {
    return TODO('Linear.forward');
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh';

/**
 * sizes [in, h1, ..., out] -> Linear(in, h1)、激活、Linear(h1, h2)、激活、……、Linear(.., out)：最后一层之后
 * 没有激活函数。每个 Linear 都用默认初始化和 opts.rng（默认 globalRng）。sizes 少于 2 项时
 * 抛出错误。
 */
export class MLP extends Module {
  layers: Linear[];
  readonly activation: Activation;

  constructor(sizes: number[], opts: { activation?: Activation; rng?: Rng } = {}) {
    super();
    this.activation = opts.activation ?? 'relu';
    const rng = opts.rng ?? globalRng;
    // TODO：检查 sizes，然后构建 this.layers。
    this.layers = TODO('MLP constructor');
  }

  forward(x: Tensor): Tensor {
    return TODO('MLP.forward');
  }
}
