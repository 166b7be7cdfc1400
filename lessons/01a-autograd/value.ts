/**
 * Autograd, scalar first: a Value that remembers how it was computed, and backward() that runs the chain rule
 * through the whole expression graph (the idea of Andrej Karpathy's micrograd).
 *
 * Every operation makes a NEW Value whose `children` are its operands and whose `_backward` adds that node's
 * share of gradient into its children: for out = f(a, b), a.grad += (∂out/∂a) · out.grad, and the same for b.
 * backward() on an output L then:
 *   1. lists every node L depends on in topological order (each node after its children), WITHOUT recursion:
 *      a chain of 50,000 operations must not overflow the JavaScript stack;
 *   2. sets .grad = 0 on every node of that list (the leaves too), so calling backward() twice gives the same
 *      gradients, and then sets this.grad = 1 (dL/dL = 1);
 *   3. calls _backward on the list from the end to the start (from L down to the leaves).
 *
 * neg, sub and div are written for you from add, mul and pow: they work as soon as those do.
 */
import { TODO } from '@llm-lab/kit';

/** A plain number becomes a leaf Value; a Value is used as it is. */
function asValue(v: Value | number): Value {
  return v instanceof Value ? v : new Value(v);
}

export class Value {
  /** The number this node holds. */
  data: number;
  /** dL/d(this node) after the last backward() on an output L that uses it; 0 before. */
  grad = 0;
  /** The nodes this one was computed from (none for a leaf). */
  readonly children: Value[];
  /** The operation that made it, for printing: '+', '*', 'tanh', ... ('' for a leaf). */
  readonly op: string;
  /** Adds this node's share of gradient into its children's .grad (set by the operation that made it). */
  _backward: () => void = () => {};

  constructor(data: number, children: Value[] = [], op = '') {
    this.data = data;
    this.children = children;
    this.op = op;
  }

  /** this + other. Local derivatives: 1 and 1. */
  add(other: Value | number): Value {
    // TODO: const o = asValue(other); make out = new Value(this.data + o.data, [this, o], '+'),
    // set out._backward to add out.grad into this.grad and o.grad (with +=), and return out.
    return TODO('add');
  }

  /** this · other. Local derivatives: other.data and this.data. */
  mul(other: Value | number): Value {
    // TODO: like add, with the product, and each operand gets the OTHER one's data times out.grad.
    return TODO('mul');
  }

  /** this ** k for a plain number k. Local derivative: k · this.data ** (k - 1). */
  pow(k: number): Value {
    // TODO: out = new Value(this.data ** k, [this], `**${k}`); its _backward adds the local derivative times out.grad.
    return TODO('pow');
  }

  /** tanh(this). Local derivative: 1 - t², where t = tanh(this.data) is the OUTPUT. */
  tanh(): Value {
    // TODO: compute t = Math.tanh(this.data) once, use it for out.data and in _backward.
    return TODO('tanh');
  }

  /** e ** this. Local derivative: e ** this.data, the output itself. */
  exp(): Value {
    // TODO: like tanh, with Math.exp.
    return TODO('exp');
  }

  /** -this. */
  neg(): Value {
    return this.mul(-1);
  }

  /** this - other. */
  sub(other: Value | number): Value {
    return this.add(asValue(other).neg());
  }

  /** this / other. */
  div(other: Value | number): Value {
    return this.mul(asValue(other).pow(-1));
  }

  /** Fills .grad of every node this one depends on with d(this)/d(node). */
  backward(): void {
    // TODO: 1. the topological order without recursion: a stack of [node, childrenDone] pairs and a Set of
    //          visited nodes; a node goes into the list after all of its children.
    //       2. every node of the list: grad = 0; then this.grad = 1.
    //       3. call _backward() on the list from the last node to the first.
    TODO('backward');
  }
}
