/**
 * Reference solution for the autograd lesson (autograd/value): a scalar Value with reverse-mode autodiff.
 */

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

  add(other: Value | number): Value {
    const o = asValue(other);
    const out = new Value(this.data + o.data, [this, o], '+');
    out._backward = () => {
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  mul(other: Value | number): Value {
    const o = asValue(other);
    const out = new Value(this.data * o.data, [this, o], '*');
    out._backward = () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  pow(k: number): Value {
    const out = new Value(this.data ** k, [this], `**${k}`);
    out._backward = () => {
      this.grad += k * this.data ** (k - 1) * out.grad;
    };
    return out;
  }

  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this], 'tanh');
    out._backward = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  exp(): Value {
    const e = Math.exp(this.data);
    const out = new Value(e, [this], 'exp');
    out._backward = () => {
      this.grad += e * out.grad;
    };
    return out;
  }

  neg(): Value {
    return this.mul(-1);
  }

  sub(other: Value | number): Value {
    return this.add(asValue(other).neg());
  }

  div(other: Value | number): Value {
    return this.mul(asValue(other).pow(-1));
  }

  backward(): void {
    // Topological order without recursion: a depth-first search with an explicit stack. A node is appended
    // after all of its children, so reading the list backwards visits every node before its children.
    const order: Value[] = [];
    const visited = new Set<Value>();
    const stack: [Value, boolean][] = [[this, false]];
    while (stack.length > 0) {
      const [v, childrenDone] = stack.pop()!;
      if (childrenDone) {
        order.push(v);
        continue;
      }
      if (visited.has(v)) continue;
      visited.add(v);
      stack.push([v, true]);
      for (const c of v.children) if (!visited.has(c)) stack.push([c, false]);
    }
    for (const v of order) v.grad = 0;
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) order[i]._backward();
  }
}
