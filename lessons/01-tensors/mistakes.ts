/**
 * The known wrong answers of the tensors lesson (tensors/basics), in English and Simplified Chinese. The checks compute
 * each one (basics.checks.ts) and name it with these words when a learner's answer matches; the mistake cases
 * (test/unit/mistakes/tensors.ts) put every one into the reference solution and run the check that names it.
 * Entries with `convention` are not mistakes but another library's convention (column-major layout, NumPy's
 * byte strides): the learner is told whose convention it is and why this lesson chose the other side.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const TENSORS_MISTAKES = defineMistakes({
  // ----- strides ---------------------------------------------------------------------------------------
  'strides-column-major': {
    convention: 'Fortran/MATLAB/Julia',
    message: t(
      "Those are column-major strides, the convention of Fortran/MATLAB/Julia (the FIRST index moves fastest; NumPy's order='F' too). This lesson is row-major (C order), NumPy's and PyTorch's default, because every NDArray in this course is stored that way: the LAST index moves fastest, so the last stride is 1 and the products go right to left. Walk the shape from the right to match.",
      "这是列主序的步长，是 Fortran/MATLAB/Julia 的约定（第一个下标变化最快；NumPy 的 order='F' 也是如此）。本课采用行主序（C 顺序），即 NumPy 和 PyTorch 的默认布局，因为本课程里的每个 NDArray 都这样存储：最后一个下标变化最快，所以最后一维的步长是 1，乘积要从右往左累积。改成从右往左遍历形状，就与本课一致了。",
    ),
    hint: t(
      'Walk the shape from the right (d = shape.length - 1 down to 0), keeping a running product that starts at 1.',
      '从右往左遍历形状（d 从 shape.length - 1 递减到 0），维护一个从 1 开始的累乘积。',
    ),
  },
  'strides-in-bytes': {
    convention: 'NumPy',
    message: t(
      "Those count bytes, NumPy's convention (ndarray.strides is in bytes, 4 per float32: shape (2, 3, 4) has strides (48, 16, 4), and element (1, 2, 3) starts 92 bytes in). This lesson counts strides and offsets in elements, as PyTorch's Tensor.stride() does, because they index a Float32Array, whose data[i] is already element i. Leave out the factor 4 (Float32Array.BYTES_PER_ELEMENT) to match.",
      '这是以字节计的，是 NumPy 的约定（ndarray.strides 以字节为单位，float32 每个元素 4 字节：形状 (2, 3, 4) 的步长是 (48, 16, 4)，元素 (1, 2, 3) 从第 92 个字节开始）。本课的步长和偏移以元素计，和 PyTorch 的 Tensor.stride() 一样，因为它们用来索引 Float32Array，而 data[i] 本身就是第 i 个元素。去掉因子 4（Float32Array.BYTES_PER_ELEMENT），就与本课一致了。',
    ),
    hint: t(
      'Start the running product at 1 (the last dimension has a stride of 1 element), not at Float32Array.BYTES_PER_ELEMENT.',
      '累乘积从 1 开始（最后一维的步长是 1 个元素），而不是从 Float32Array.BYTES_PER_ELEMENT 开始。',
    ),
  },
  'strides-reversed': {
    message: t(
      'Those are the right numbers in reverse order. strides[d] belongs to dimension d: the first dimension has the largest stride, the last has stride 1.',
      '数值是对的，但顺序反了。strides[d] 属于第 d 维：第一维的步长最大，最后一维的步长是 1。',
    ),
    hint: t(
      'Write each stride at its own position, out[d] = step, while d runs from the right; do not push and then forget to reverse.',
      '在 d 从右往左递减时，把每个步长写到它自己的位置 out[d] = step；不要先 push 再忘了反转。',
    ),
  },
  'strides-own-size': {
    message: t(
      "Each stride should be the product of the sizes strictly to the right of d; you also multiplied in shape[d] itself.",
      '每个步长应是第 d 维右边（不含第 d 维本身）各维大小的乘积；你把 shape[d] 自己也乘了进去。',
    ),
    hint: t(
      'Store the running product first, then multiply it by shape[d]: out[d] = step; step *= shape[d].',
      '先存下当前的累乘积，再乘上 shape[d]：out[d] = step; step *= shape[d]。',
    ),
  },
  'strides-next-size-only': {
    message: t(
      'A stride is the product of ALL sizes to the right, not just the next one (the first stride of (2, 3, 4) is 3 * 4 = 12).',
      '步长是右边所有维度大小的乘积，而不只是紧挨着的下一维（(2, 3, 4) 的第一个步长是 3 * 4 = 12）。',
    ),
    hint: t(
      'Keep a running product that starts at 1 and grows by shape[d] as you move left.',
      '维护一个从 1 开始的累乘积，每向左移动一维就乘上 shape[d]。',
    ),
  },
  'strides-modifies-shape': {
    message: t(
      'strides changed the shape it was given: the caller still needs that array, unchanged.',
      'strides 修改了传入的形状：调用者之后还要用这个数组，它必须保持不变。',
    ),
    hint: t(
      'Array.prototype.reverse() and sort() work in place. Build the result in a new array (new Array(shape.length)) and only read shape.',
      'Array.prototype.reverse() 和 sort() 都是原地修改。请把结果写进一个新数组（new Array(shape.length)），对 shape 只读不写。',
    ),
  },

  // ----- offset ----------------------------------------------------------------------------------------
  'offset-column-major': {
    convention: 'Fortran/MATLAB/Julia',
    message: t(
      'These are column-major offsets, the convention of Fortran/MATLAB/Julia (the first index moves fastest, strides (1, 2, 6)). This lesson is row-major, the default of NumPy and PyTorch, because every NDArray in this course is stored that way: the last index moves fastest, so index (0, 0, 1) is at 1 and (0, 1, 0) is at 4. Use the row-major strides to match.',
      '这是列主序的偏移，是 Fortran/MATLAB/Julia 的约定（第一个下标变化最快，步长为 (1, 2, 6)）。本课采用行主序，即 NumPy 和 PyTorch 的默认布局，因为本课程里的每个 NDArray 都这样存储：最后一个下标变化最快，所以下标 (0, 0, 1) 位于 1，(0, 1, 0) 位于 4。改用行主序步长，就与本课一致了。',
    ),
    hint: t(
      'offset = index[0]*strides[0] + index[1]*strides[1] + index[2]*strides[2], with the row-major strides (12, 4, 1).',
      'offset = index[0]*strides[0] + index[1]*strides[1] + index[2]*strides[2]，其中步长取行主序的 (12, 4, 1)。',
    ),
  },
  'offset-no-bounds-check': {
    message: t(
      'offset does not check its bounds: an index outside 0 <= index[d] < shape[d] silently lands on some other element, or past the end of the data, instead of raising an error.',
      'offset 没有检查下标范围：超出 0 <= index[d] < shape[d] 的下标会悄无声息地落到另一个元素上，甚至越过数据末尾，而不是报错。',
    ),
    hint: t(
      'Before adding index[d] * strides[d], check 0 <= index[d] < shape[d] for every d, and throw new Error(...) naming the index and the shape.',
      '在累加 index[d] * strides[d] 之前，对每个 d 检查 0 <= index[d] < shape[d]，不满足就 throw new Error(...)，并在消息里写明下标和形状。',
    ),
  },
  'offset-negative-index': {
    message: t(
      'offset used a negative index as it is: index[d] * strides[d] then steps backwards into another row (or before the start of the data) and lands on a wrong element, silently.',
      'offset 把负数下标原样用上了：index[d] * strides[d] 会往回退到另一行（甚至数据开头之前），悄无声息地落到错误的元素上。',
    ),
    hint: t(
      'Throw when index[d] < 0, as you do when index[d] >= shape[d]. (Counting a negative index from the end, index[d] + shape[d], as NumPy and PyTorch indexing do, is accepted too; below -shape[d] it must still throw.)',
      '当 index[d] < 0 时抛出错误，就像 index[d] >= shape[d] 时一样。（像 NumPy 和 PyTorch 的索引那样把负数下标从末尾倒数，即 index[d] + shape[d]，也可以接受；但小于 -shape[d] 时仍须抛出错误。）',
    ),
  },
  'offset-no-length-check': {
    message: t(
      'offset does not check that index has one entry per dimension (index.length === shape.length): extra entries are silently ignored.',
      'offset 没有检查 index 是否每一维恰好一项（index.length === shape.length）：多出来的项被悄悄忽略了。',
    ),
    hint: t(
      'Compare index.length with shape.length before using them, and throw new Error(...) when they differ (a scalar, shape [], takes no indices).',
      '使用之前先比较 index.length 和 shape.length，不相等就 throw new Error(...)（标量的形状是 []，不接受任何下标）。',
    ),
  },

  // ----- matmul ----------------------------------------------------------------------------------------
  'matmul-b-at-a': {
    message: t(
      'You computed b @ a. Matrix multiplication is not commutative: c[i][j] takes row i of a (the FIRST argument) and column j of b.',
      '你算的是 b @ a。矩阵乘法不满足交换律：c[i][j] 取的是 a（第一个参数）的第 i 行和 b 的第 j 列。',
    ),
    hint: t(
      'c[i][j] = sum over p of a[i][p] * b[p][j]: a[i][p] is at i*k + p, b[p][j] at p*m + j.',
      'c[i][j] = 对 p 求和 a[i][p] * b[p][j]：a[i][p] 位于 i*k + p，b[p][j] 位于 p*m + j。',
    ),
  },
  'matmul-b-transposed': {
    message: t(
      'You computed a @ bᵀ: you paired row i of a with row j of b.',
      '你算的是 a @ bᵀ：你把 a 的第 i 行和 b 的第 j 行配成了一对。',
    ),
    hint: t(
      'Walk down column j of b instead: b[p][j] is at p*m + j.',
      '应当沿 b 的第 j 列往下走：b[p][j] 位于 p*m + j。',
    ),
  },
  'matmul-a-transposed': {
    message: t(
      'You computed aᵀ @ b: you paired column i of a with column j of b.',
      '你算的是 aᵀ @ b：你把 a 的第 i 列和 b 的第 j 列配成了一对。',
    ),
    hint: t(
      'Use row i of a: a[i][p] is at i*k + p.',
      '应当用 a 的第 i 行：a[i][p] 位于 i*k + p。',
    ),
  },
  'matmul-elementwise': {
    message: t(
      'You multiplied element by element (a * b). Matrix multiplication sums over the shared dimension: c[i][j] = sum over p of a[i][p] * b[p][j].',
      '你做的是逐元素相乘（a * b）。矩阵乘法要在共享的那一维上求和：c[i][j] = 对 p 求和 a[i][p] * b[p][j]。',
    ),
    hint: t(
      'Three loops: i over the rows of a, j over the columns of b, and p over the shared dimension k, adding a[i][p] * b[p][j] into c[i][j].',
      '三重循环：i 遍历 a 的行，j 遍历 b 的列，p 遍历共享的维度 k，把 a[i][p] * b[p][j] 累加到 c[i][j]。',
    ),
  },
  'matmul-b-row-length': {
    message: t(
      'b was read with the wrong row length: b[p][j] is at p*m + j, where m = b.shape[1] is the number of columns of b. (Square matrices hide this bug.)',
      '读取 b 时用错了行长度：b[p][j] 位于 p*m + j，其中 m = b.shape[1] 是 b 的列数。（方阵会掩盖这个错误。）',
    ),
    hint: t(
      'With a of shape (n, k) and b of shape (k, m): a[i][p] is at i*k + p, b[p][j] at p*m + j, c[i][j] at i*m + j.',
      'a 的形状为 (n, k)，b 的形状为 (k, m)：a[i][p] 位于 i*k + p，b[p][j] 位于 p*m + j，c[i][j] 位于 i*m + j。',
    ),
  },
  'matmul-a-row-length': {
    message: t(
      'a was read with the wrong row length: a[i][p] is at i*k + p, where k = a.shape[1] is the number of columns of a. (Square matrices hide this bug.)',
      '读取 a 时用错了行长度：a[i][p] 位于 i*k + p，其中 k = a.shape[1] 是 a 的列数。（方阵会掩盖这个错误。）',
    ),
    hint: t(
      'With a of shape (n, k) and b of shape (k, m): a[i][p] is at i*k + p, b[p][j] at p*m + j, c[i][j] at i*m + j.',
      'a 的形状为 (n, k)，b 的形状为 (k, m)：a[i][p] 位于 i*k + p，b[p][j] 位于 p*m + j，c[i][j] 位于 i*m + j。',
    ),
  },
  'matmul-no-shape-check': {
    message: t(
      'matmul does not check that the inner dimensions agree (a.shape[1] === b.shape[0]): with mismatched shapes it reads the wrong elements, or past the end of the data, and returns numbers that mean nothing.',
      'matmul 没有检查内侧维度是否一致（a.shape[1] === b.shape[0]）：形状不匹配时它会读错元素，甚至越过数据末尾，返回毫无意义的数。',
    ),
    hint: t(
      'Compare a.shape[1] (columns of a) with b.shape[0] (rows of b) and throw new Error(...) naming both shapes.',
      '比较 a.shape[1]（a 的列数）和 b.shape[0]（b 的行数），不相等就 throw new Error(...)，并写明两个形状。',
    ),
  },
  'matmul-not-2d': {
    message: t(
      'matmul read a tensor that is not 2-D as if it were a matrix: a 1-D input has no (n, k) shape, and a 3-D input is a stack of matrices, so what comes back means nothing.',
      'matmul 把一个不是二维的张量当成矩阵来读：一维输入根本没有 (n, k) 这样的形状，三维输入则是一摞矩阵，返回的结果毫无意义。',
    ),
    hint: t(
      'Check a.shape.length === 2 and b.shape.length === 2 first, and throw new Error(...) naming both shapes. (Promoting a 1-D input as np.matmul and torch.matmul do, a vector a as (1, k) and a vector b as (k, 1) with that dimension removed from the result, is accepted too.)',
      '先检查 a.shape.length === 2 且 b.shape.length === 2，不满足就 throw new Error(...)，并写明两个形状。（像 np.matmul 和 torch.matmul 那样提升一维输入，即把向量 a 当作 (1, k)、把向量 b 当作 (k, 1)，再从结果中去掉这一维，也可以接受。）',
    ),
  },

  // ----- softmax ---------------------------------------------------------------------------------------
  'softmax-wrong-axis': {
    message: t(
      'The softmax ran over the wrong axis: each slice along the requested axis should sum to 1.',
      'softmax 沿错了轴：沿指定轴取出的每个切片之和都应为 1。',
    ),
    hint: t(
      'View the shape as (outer, len, inner) around the axis: one slice is len values spaced inner apart in the flat array, and inner is the stride of that axis.',
      '以该轴为界把形状看成 (outer, len, inner)：一个切片就是扁平数组中间隔为 inner 的 len 个值，inner 正是该轴的步长。',
    ),
  },
  'softmax-negative-axis': {
    message: t(
      'A negative axis was not counted from the end: axis -1 is the last axis, -2 the one before it.',
      '负数的轴没有从末尾倒数：axis -1 是最后一个轴，-2 是倒数第二个。',
    ),
    hint: t(
      'A negative axis counts from the end: use axis + ndim, so axis -1 of a 3-D tensor is axis 2.',
      '负数的轴从末尾倒数：用 axis + ndim，所以三维张量的 axis -1 就是 axis 2。',
    ),
  },
  'softmax-whole-tensor': {
    message: t(
      'The softmax normalised over the whole tensor (all values together sum to 1): softmax along an axis makes each slice along that axis sum to 1.',
      'softmax 在整个张量上做了归一化（所有值加起来为 1）：沿某个轴的 softmax 应让沿该轴的每个切片各自之和为 1。',
    ),
    hint: t(
      'Loop over the slices (every pair of outer index o and inner index r) and take the max and the sum of each slice on its own.',
      '遍历每个切片（每一对外层下标 o 和内层下标 r），对每个切片单独求最大值和总和。',
    ),
  },
  'softmax-no-divide': {
    message: t(
      "The softmax returned exp(x - max) without dividing by the slice's sum.",
      'softmax 返回了 exp(x - max)，却没有除以切片的总和。',
    ),
    hint: t(
      'After the exps, divide every element of the slice by sum_j exp(x_j - max), so the slice sums to 1.',
      '求完 exp 之后，把切片里的每个元素都除以 sum_j exp(x_j - max)，这样切片之和才为 1。',
    ),
  },
  'softmax-overflow': {
    message: t(
      'exp overflowed: subtract the row max before exp.',
      'exp 溢出了：在求 exp 之前先减去这一行的最大值。',
    ),
    hint: t(
      'In float32, exp(89) is already Infinity, and Infinity / Infinity = NaN. softmax(x) = softmax(x - max(x)), and after the subtraction every exponent is <= 0, so exp stays in (0, 1].',
      '在 float32 中，exp(89) 就已经是 Infinity，而 Infinity / Infinity = NaN。softmax(x) = softmax(x - max(x))，减去最大值后每个指数都 <= 0，exp 的值就落在 (0, 1] 之内。',
    ),
  },
  'softmax-underflow': {
    message: t(
      'exp underflowed to 0 for every element of that slice and 0/0 = NaN: subtract the row max before exp.',
      '这个切片里每个元素的 exp 都下溢成了 0，而 0/0 = NaN：在求 exp 之前先减去这一行的最大值。',
    ),
    hint: t(
      'In float32, exp(-104) is already 0. After subtracting the slice max, the largest term is exp(0) = 1, so the sum is at least 1.',
      '在 float32 中，exp(-104) 就已经是 0。减去切片最大值后，最大的一项是 exp(0) = 1，所以总和至少为 1。',
    ),
  },
  'softmax-global-max': {
    message: t(
      'It looks like you subtracted one max for the whole tensor. Slices far below that max then get exp(...) = 0 for every element, and 0/0 = NaN.',
      '看起来你对整个张量只减去了同一个最大值。远低于这个最大值的切片里，每个元素的 exp(...) 都会变成 0，而 0/0 = NaN。',
    ),
    hint: t(
      'Compute the max separately for each slice along the axis, inside the loop over slices.',
      '在遍历切片的循环里，为沿该轴的每个切片分别求最大值。',
    ),
  },
  'softmax-nan-leak': {
    message: t(
      'A NaN leaked out of its own slice into another one.',
      'NaN 从它所在的切片泄漏到了别的切片。',
    ),
    hint: t(
      'Each slice needs its own max and its own sum, taken along the requested axis. One max or sum over the whole tensor (or along another axis) spreads the NaN.',
      '每个切片都需要沿指定轴求出自己的最大值和自己的总和。对整个张量（或沿另一个轴）求一个最大值或总和，就会把 NaN 扩散出去。',
    ),
  },
  'softmax-nan-hidden': {
    message: t(
      'A NaN was hidden: the slice that holds it should be NaN all through, so the problem stays visible.',
      'NaN 被掩盖了：含有 NaN 的切片应当全部是 NaN，这样问题才看得见。',
    ),
    hint: t(
      'Do not skip or replace NaN: let it flow through max, exp and the sum. A NaN you can see is a bug you can find; a hidden one corrupts everything downstream quietly.',
      '不要跳过或替换 NaN：让它照常经过 max、exp 和求和。看得见的 NaN 是能找到的 bug；被藏起来的 NaN 会悄悄污染下游的一切。',
    ),
  },
});
