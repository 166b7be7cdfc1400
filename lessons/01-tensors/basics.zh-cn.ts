/**
 * 张量一课：四个小函数，后面整门课都建立在它们之上。
 *
 * 这里的张量就是一个 NDArray：一个扁平的 Float32Array 加上一个形状，按行主序存储（最后一个下标变化最快），
 * 这也是 NumPy 和 PyTorch 默认的内存布局。把每个 `TODO(...)` 换成你的代码，然后运行检查。
 * 课文讲解其中的数学；提示每打开一次就更具体一些。
 *
 * 库里提供的 `numel(shape)` 返回各维大小的乘积（标量为 1），用来算长度，以及某个轴之前、之后各维大小的乘积都很方便。
 */
import { type NDArray, numel, TODO } from '@llm-lab/kit';

/**
 * 一个形状的行主序步长（stride）：某一维的下标加 1 时，在扁平数组里要移动多远。
 *
 *   strides[d] = shape[d+1] * shape[d+2] * ... * shape[n-1]      （第 d 维右边所有维度大小的乘积）
 *
 * 步长以元素计，和 PyTorch 的 Tensor.stride() 一样（NumPy 的 ndarray.strides 以字节计）。
 * 所以最后一维的步长是 1。例如：
 *   strides([2, 3, 4]) -> [12, 4, 1]
 *   strides([5])       -> [1]
 *   strides([])        -> []        （标量没有维度）
 *
 * 不要修改 `shape`。
 */
export function strides(shape: readonly number[]): number[] {
  return TODO('strides');
}

/**
 * 在给定形状的行主序张量中，元素 `index` 在扁平数组里的位置：
 *
 *   offset = index[0]*strides[0] + index[1]*strides[1] + ... + index[n-1]*strides[n-1]
 *
 * 例如：在形状 [2, 3, 4] 中，下标 [1, 2, 3] 位于 1*12 + 2*4 + 3*1 = 23（最后一个元素）。
 * 标量（形状 []，下标 []）位于 0。
 *
 * 当 `index` 的项数不对（index.length !== shape.length），或者任何一项超出 0 <= index[d] < shape[d]
 * 时（这里不支持负数下标：见课文的“约定”一节），抛出一个 Error。
 * 不要修改 `shape` 或 `index`。
 */
export function offset(shape: readonly number[], index: readonly number[]): number {
  return TODO('offset');
}

/**
 * 二维张量的矩阵乘法：
 *
 *   a: (n, k)   b: (k, m)   ->   c: (n, m)
 *   c[i][j] = 对 p 求和 a[i][p] * b[p][j]            （共 2*n*k*m 次浮点运算）
 *
 * 当内侧维度不一致（a.shape[1] !== b.shape[0]），或任一输入不是二维时（和 torch.mm 一样；课文的“约定”一节
 * 对比了 np.matmul），抛出一个写明两个形状的 Error。
 * 返回一个新的 NDArray；不要修改 `a` 或 `b`。
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  return TODO('matmul');
}

/**
 * 沿 N 维张量的某一个轴做数值稳定的 softmax。输出与 `x` 形状相同。
 *
 * 对沿 `axis` 取出的每个一维切片 x[..., :, ...]：
 *   softmax(x)_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x))
 * 减去切片的最大值，结果与直接计算 exp(x_i) / sum_j exp(x_j) 相同，但永远不会溢出。
 *
 * `axis` 必须给出（没有默认值：见课文的“约定”一节），可以是负数：-1 是最后一个轴，-2 是倒数第二个，
 * ……（即 axis + ndim）。
 * 切片中若有 NaN，整个切片都必须是 NaN（不要跳过或掩盖它）；其他切片保持正常。
 * -Infinity 是合法的 logit（表示被掩码的位置）：exp(-Infinity) = 0。
 * 返回一个新的 NDArray；不要修改 `x`。
 */
export function softmax(x: NDArray, axis: number): NDArray {
  return TODO('softmax');
}
