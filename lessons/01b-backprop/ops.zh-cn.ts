/**
 * 反向传播这一课：张量的自动求导。亲手写出库中五个核心运算的反向传播。
 *
 * 每个函数都拿到前向传播算出（或保存）的量，以及上游梯度 `gradOut` = dL/d(输出)，返回对每个输入的 dL/d(输入)，
 * 形状必须与【该输入】相同。这里的张量是 NDArray：一个扁平的 Float32Array 加上行优先的形状（见张量那一课）。
 * 可以用循环遍历 `.data` 来写，也可以把输入包装一下（`tensor(a.data, a.shape)`）再用库里的运算：库的 Tensor 本身
 * 也是 NDArray。不要修改输入：返回新的数组。
 *
 * 检查会把你的梯度与中心有限差分（float64）以及库自己的自动求导对照
 * （src/kit/ops/*.ts：那里每个运算都有自己的反向闭包，先自己试过之后再去读）。
 */
import { type NDArray, numel, TODO } from '@llm-lab/kit';

/**
 * 广播的反向传播（例如 `add(a, b)`，其中 a 是 (3, 1)，b 是 (2, 3, 4)）：`grad` 的形状是广播后输出的形状，输入的形状是
 * `shape`。返回该输入的梯度，形状为 `shape`：即 `grad` 在新增的前导维度上、以及在 `shape` 大小为 1 而 `grad` 不为 1
 * 的每个维度上的【和】。
 *
 *   sumToShape(grad (2, 3), [3])     -> 对第 0 维求和，形状 (3)
 *   sumToShape(grad (2, 3), [2, 1])  -> 对第 1 维求和，形状 (2, 1)
 *   sumToShape(grad (2, 3), [])      -> 对全部元素求和，形状 ()
 *
 * 当 `shape` 不能广播成 grad.shape 时抛出 Error（维数比 grad 多，或者从右往左比较时某个大小既不等于 grad 在该处的
 * 大小，也不是 1）。
 */
export function sumToShape(grad: NDArray, shape: readonly number[]): NDArray {
  return TODO('sumToShape');
}

/**
 * C = A B，其中 a 是 (m, k)，b 是 (k, n)，gradOut = dC 是 (m, n)。返回 gradA (m, k) 和 gradB (k, n)。
 */
export function matmulBackward(a: NDArray, b: NDArray, gradOut: NDArray): { gradA: NDArray; gradB: NDArray } {
  return TODO('matmulBackward');
}

/**
 * y = softmax(x)，沿 `axis` 计算（负的 axis 从末尾数起：-1 是最后一维）。给定 y（不是 x）和与 y 同形的
 * gradOut = dL/dy，返回与 y 同形的 dL/dx。沿该维度的每个切片都是一次 softmax：一个切片里的每个输出都依赖于
 * 同一切片里的每个输入。
 */
export function softmaxBackward(y: NDArray, gradOut: NDArray, axis: number): NDArray {
  return TODO('softmaxBackward');
}

/**
 * L = 对 N 行求 −log softmax(logits[n])[targets[n]] 的平均（从 logits 计算的交叉熵）；logits 是 (N, C)，
 * targets 是 N 个取值在 [0, C) 内的类别编号（number[] 或 Int32Array）。返回 dL/dlogits，形状 (N, C)。
 * 即使 logits 大到 ±1000，梯度也必须有限且精确。
 */
export function logSoftmaxNllBackward(logits: NDArray, targets: ArrayLike<number>): NDArray {
  return TODO('logSoftmaxNllBackward');
}

/**
 * 对 x (..., C) 的最后一维做 LayerNorm，与库的 layerNorm 和 PyTorch 一致：
 *   mean, var = 每一行的均值和【有偏】方差（÷ C）
 *   x̂ = (x − mean) / sqrt(var + eps)
 *   y = x̂ ⊙ gamma + beta                       gamma、beta：(C)，每一行都相同
 * 给定 gradOut = dL/dy（与 x 同形），返回 gradX（与 x 同形）、gradGamma (C) 和 gradBeta (C)。
 */
export function layerNormBackward(x: NDArray, gamma: NDArray, beta: NDArray, gradOut: NDArray, eps: number): {
  gradX: NDArray; gradGamma: NDArray; gradBeta: NDArray;
} {
  return TODO('layerNormBackward');
}
