/**
 * The known wrong answers of the autograd lesson (autograd/value), in English and Simplified Chinese. The checks
 * (value.checks.ts) name one only when the learner's own gradients are what that mistake gives; the mistake cases
 * (test/unit/mistakes/autograd.ts) put every one into the reference solution and run the check that names it.
 *
 * `grads-accumulate` is not a mistake but PyTorch's convention (.grad accumulates across backward() calls until
 * zero_grad()): the learner is told whose convention it is and why this lesson's backward() starts from zero.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const AUTOGRAD_MISTAKES = defineMistakes({
  'assign-not-accumulate': {
    message: t(
      'A node used in more than one place got the gradient of only one of its uses: a _backward wrote `child.grad = ...` instead of adding with `+=`. By the multivariable chain rule dL/dx is the SUM over every use of x, so a.add(a) must give a.grad = 2 and x.mul(x) must give 2x.',
      '一个在多处被使用的节点只得到了其中一处的梯度：某个 _backward 写成了 `child.grad = ...`，而不是用 `+=` 累加。按多元链式法则，dL/dx 是 x 每一处用法贡献之和，所以 a.add(a) 应得到 a.grad = 2，x.mul(x) 应得到 2x。',
    ),
    hint: t(
      'In every _backward, add into the children: this.grad += ... and other.grad += ..., never =. backward() sets them to 0 once, before the pass.',
      '在每个 _backward 里都把梯度加到子节点上：this.grad += ...、other.grad += ...，不要用 =。backward() 会在整趟传播之前先把它们统一置 0。',
    ),
  },
  'recursive-stack-overflow': {
    message: t(
      'backward() overflowed the call stack on a long chain: the graph is walked by recursion (one stack frame per node), and a chain of 50,000 operations is far deeper than Node\'s default stack allows (a recursive depth-first search overflows at roughly 7,500 nodes). micrograd\'s build_topo is recursive too, and in Python it stops at the recursion limit (1,000 frames) on such a chain. Build the topological order with a loop and an explicit stack instead.',
      'backward() 在一条很长的链上导致调用栈溢出：计算图是用递归遍历的（每个节点占一个栈帧），而一条 50,000 次运算的链远远超出了 Node 默认调用栈的容量（递归的深度优先搜索大约到 7,500 个节点就会溢出）。micrograd 的 build_topo 也是递归的，在 Python 中遇到这样的链会停在递归上限（1,000 帧）。请改用循环加一个显式的栈来构造拓扑顺序。',
    ),
    hint: t(
      'Keep a stack of [node, childrenDone] pairs: pop one; if its children are done, append it to the order; otherwise mark it visited, push [node, true] back, then push [child, false] for each unvisited child.',
      '维护一个 [节点, 子节点已处理] 二元组的栈：弹出一个；如果它的子节点已处理完，就把它追加到顺序表；否则把它标记为已访问，压回 [节点, true]，再为每个未访问的子节点压入 [子节点, false]。',
    ),
  },
  'not-topological': {
    message: t(
      'A shared sub-expression passed its gradient on before every node that uses it had added its share (or passed it on more than once): the same graph without the sharing comes out right. backward() must call _backward in reverse topological order, so each node runs exactly once, after all of its consumers.',
      '一个被共享的子表达式在所有使用它的节点把各自的份额加进来之前就把梯度往下传了（或者传了不止一次）：同样的计算图去掉共享之后结果是对的。backward() 必须按逆拓扑顺序调用 _backward，让每个节点恰好执行一次，而且在它的所有使用者之后执行。',
    ),
    hint: t(
      'First collect every node once, each after its children (a topological order), then call _backward on that list from the end to the start. Do not call _backward while you are still discovering nodes.',
      '先把每个节点收集一次，且每个节点都排在它的子节点之后（拓扑顺序），再从表尾到表头依次调用 _backward。不要在发现节点的过程中就调用 _backward。',
    ),
  },
  'topo-not-reversed': {
    message: t(
      'Only the output\'s direct operands got a gradient, everything below them stayed 0: the topological order was walked from the leaves up, so every node ran its _backward while its own .grad was still 0. Walk it from the output down.',
      '只有输出节点的直接操作数得到了梯度，再往下的节点都停在 0：拓扑顺序是从叶子往上走的，于是每个节点执行 _backward 时自己的 .grad 还是 0。应当从输出往下走。',
    ),
    hint: t(
      'The list built by the depth-first search has every node after its children: call _backward for i = order.length - 1 down to 0.',
      '深度优先搜索得到的表里每个节点都排在它的子节点之后：按 i = order.length - 1 递减到 0 的顺序调用 _backward。',
    ),
  },
  'grads-not-zeroed': {
    message: t(
      'backward() does not reset the gradients first: a second call on the same graph started from what the first left in .grad, and every interior node passed that old gradient on again, so backward() twice gives different results. (micrograd\'s backward() does not reset either and gives the same wrong numbers on a reused graph; its training loop never reuses one: it calls zero_grad() and builds a new graph every step.) This lesson\'s backward() sets .grad = 0 on every node it reaches, the leaves too, before it seeds the output with 1.',
      'backward() 没有先把梯度清零：在同一个计算图上第二次调用时，它从第一次留在 .grad 里的值开始，每个内部节点又把这份旧梯度往下传了一遍，所以调用两次 backward() 得到的结果不同。（micrograd 的 backward() 也不清零，在重复使用的计算图上会给出同样错误的数值；它的训练循环从不重复使用计算图：每一步都调用 zero_grad() 并构造新的计算图。）本课的 backward() 在给输出节点置 1 之前，先把它能到达的每个节点（包括叶子）的 .grad 置为 0。',
    ),
    hint: t(
      'After building the topological order: for (const v of order) v.grad = 0; then this.grad = 1; then the reverse pass.',
      '构造完拓扑顺序之后：for (const v of order) v.grad = 0;，然后 this.grad = 1;，再做逆序传播。',
    ),
  },
  'grads-accumulate': {
    convention: 'PyTorch',
    message: t(
      'A second backward() added the same gradients again to the leaves (they doubled) while the interior nodes started fresh: that is PyTorch\'s convention (a leaf\'s .grad accumulates across backward() calls until optimizer.zero_grad()). This lesson\'s backward() starts from zero on every node it reaches, the leaves too, so that calling it twice gives the same result and nothing has to be remembered between calls (the kit\'s Tensor, used from the next lesson on, accumulates as PyTorch does): set every .grad in the order to 0, leaves included.',
      '第二次 backward() 又把同样的梯度加到了叶子上（翻了一倍），而内部节点是从零开始的：这是 PyTorch 的约定（叶子的 .grad 会在多次 backward() 之间累加，直到调用 optimizer.zero_grad()）。本课的 backward() 对它能到达的每个节点（包括叶子）都从零开始，这样调用两次得到相同的结果，调用之间也不需要记住任何东西（从下一课开始使用的库中 Tensor 则和 PyTorch 一样累加）：请把顺序表里每个节点的 .grad 都置为 0，叶子也不例外。',
    ),
    hint: t(
      'for (const v of order) v.grad = 0; with no exception for leaves, then this.grad = 1.',
      'for (const v of order) v.grad = 0;，叶子不例外，然后 this.grad = 1。',
    ),
  },
  'tanh-from-input': {
    message: t(
      'tanh\'s local derivative was computed from its input: 1 - x², where it is 1 - tanh(x)² = 1 - t², t being the OUTPUT of the node.',
      'tanh 的局部导数是用输入算的：1 - x²，而它应当是 1 - tanh(x)² = 1 - t²，其中 t 是这个节点的输出。',
    ),
    hint: t(
      'const t = Math.tanh(this.data); ... this.grad += (1 - t * t) * out.grad (or use out.data, which is t).',
      'const t = Math.tanh(this.data); ... this.grad += (1 - t * t) * out.grad（也可以用 out.data，它就是 t）。',
    ),
  },
  'mul-own-value': {
    message: t(
      'mul gave each operand its OWN value as local derivative: for out = a · b, d(out)/da = b and d(out)/db = a, the other operand.',
      'mul 把每个操作数自己的值当成了局部导数：对 out = a · b，d(out)/da = b，d(out)/db = a，是另一个操作数的值。',
    ),
    hint: t(
      'this.grad += other.data * out.grad; other.grad += this.data * out.grad.',
      'this.grad += other.data * out.grad; other.grad += this.data * out.grad。',
    ),
  },
  'pow-exponent': {
    message: t(
      'pow\'s local derivative kept the exponent k: d(x^k)/dx = k · x^(k-1), one power lower.',
      'pow 的局部导数没有把指数减一：d(x^k)/dx = k · x^(k-1)，要低一次。',
    ),
    hint: t(
      'this.grad += k * this.data ** (k - 1) * out.grad (mind the parentheses around k - 1).',
      'this.grad += k * this.data ** (k - 1) * out.grad（注意 k - 1 要加括号）。',
    ),
  },
  'no-seed': {
    message: t(
      'After backward() the output\'s own gradient is not 1, and nothing below it got any: the pass was not seeded. dL/dL = 1: set this.grad = 1 after zeroing, before calling the _backward functions.',
      'backward() 之后输出节点自己的梯度不是 1，下面的节点也都没有得到梯度：传播没有起点。dL/dL = 1：在清零之后、调用各个 _backward 之前，设置 this.grad = 1。',
    ),
    hint: t(
      'Order matters: for (const v of order) v.grad = 0; this.grad = 1; then the reverse loop. Setting 1 before zeroing erases it.',
      '顺序很重要：for (const v of order) v.grad = 0;，this.grad = 1;，然后是逆序循环。先置 1 再清零会把它抹掉。',
    ),
  },
});

export type AutogradMistake = keyof typeof AUTOGRAD_MISTAKES;
