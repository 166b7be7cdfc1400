/**
 * 自动求导，从标量开始：一个记得自己是怎么算出来的 Value，以及在整个表达式图上执行链式法则的 backward()
 * （思路来自 Andrej Karpathy 的 micrograd）。
 *
 * 每个运算都新建一个 Value，它的 `children` 是它的操作数，它的 `_backward` 把这个节点的那份梯度加到子节点上：
 * 对 out = f(a, b)，a.grad += (∂out/∂a) · out.grad，b 也一样。
 * 然后在输出 L 上调用 backward()：
 *   1. 按拓扑顺序（每个节点排在它的子节点之后）列出 L 依赖的所有节点，而且不能用递归：
 *      一条 50,000 次运算的链不能让 JavaScript 的调用栈溢出；
 *   2. 把这个列表里每个节点（包括叶子）的 .grad 置为 0，这样调用两次 backward() 得到相同的梯度，
 *      然后设置 this.grad = 1（dL/dL = 1）；
 *   3. 从列表末尾到开头（从 L 往下到叶子）依次调用 _backward。
 *
 * neg、sub 和 div 已经用 add、mul 和 pow 替你写好了：那几个运算一写好，它们就能用。
 */
import { TODO } from '@llm-lab/kit';

/** 普通的数变成一个叶子 Value；Value 则原样使用。 */
function asValue(v: Value | number): Value {
  return v instanceof Value ? v : new Value(v);
}

export class Value {
  /** 这个节点保存的数。 */
  data: number;
  /** 在用到它的输出 L 上最近一次 backward() 之后，等于 dL/d(这个节点)；在此之前为 0。 */
  grad = 0;
  /** 算出这个节点所用的节点（叶子没有）。 */
  readonly children: Value[];
  /** 生成它的运算，用于打印：'+'、'*'、'tanh'……（叶子为 ''）。 */
  readonly op: string;
  /** 把这个节点的那份梯度加到子节点的 .grad 上（由生成它的运算设置）。 */
  _backward: () => void = () => {};

  constructor(data: number, children: Value[] = [], op = '') {
    this.data = data;
    this.children = children;
    this.op = op;
  }

  /** this + other。局部导数：1 和 1。 */
  add(other: Value | number): Value {
    // TODO：const o = asValue(other)；创建 out = new Value(this.data + o.data, [this, o], '+')，
    // 把 out._backward 设为把 out.grad 加到 this.grad 和 o.grad 上（用 +=），然后返回 out。
    return TODO('add');
  }

  /** this · other。局部导数：other.data 和 this.data。 */
  mul(other: Value | number): Value {
    // TODO：和 add 一样，只是换成乘积，并且每个操作数得到的是“另一个”操作数的 data 乘以 out.grad。
    return TODO('mul');
  }

  /** this ** k，k 是普通的数。局部导数：k · this.data ** (k - 1)。 */
  pow(k: number): Value {
    // TODO：out = new Value(this.data ** k, [this], `**${k}`)；它的 _backward 加上局部导数乘以 out.grad。
    return TODO('pow');
  }

  /** tanh(this)。局部导数：1 - t²，其中 t = tanh(this.data) 是“输出”。 */
  tanh(): Value {
    // TODO：只算一次 t = Math.tanh(this.data)，既用作 out.data，也在 _backward 里用。
    return TODO('tanh');
  }

  /** e ** this。局部导数：e ** this.data，也就是输出本身。 */
  exp(): Value {
    // TODO：和 tanh 一样，换成 Math.exp。
    return TODO('exp');
  }

  /** -this。 */
  neg(): Value {
    return this.mul(-1);
  }

  /** this - other。 */
  sub(other: Value | number): Value {
    return this.add(asValue(other).neg());
  }

  /** this / other。 */
  div(other: Value | number): Value {
    return this.mul(asValue(other).pow(-1));
  }

  /** 把它依赖的每个节点的 .grad 填成 d(this)/d(节点)。 */
  backward(): void {
    // TODO：1. 不用递归构造拓扑顺序：一个 [节点, 子节点已处理] 二元组的栈，加一个记录已访问节点的 Set；
    //          一个节点在它的所有子节点之后才进入列表。
    //       2. 列表里每个节点：grad = 0；然后 this.grad = 1。
    //       3. 从最后一个节点到第一个节点依次调用 _backward()。
    TODO('backward');
  }
}
