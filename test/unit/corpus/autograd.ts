/**
 * The autograd lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for autograd/value written
 * independently of the catalogue. Correct files in other styles than the reference (Kahn's algorithm with
 * in-degrees, local derivatives stored as numbers instead of closures, an explicit stack of child indices as the
 * kit does, sub and div with their own derivatives, tanh from exponentials, a Set for the children), and one-bug
 * variants: most of them mistakes no catalogue names (a missing out.grad factor, a precedence slip in pow, exp's
 * derivative from the input, tanh's derivative without the square, a number operand not wrapped, a sign in div,
 * sub computing a sum, a closure reading the unwrapped operand), the others catalogued mistakes written a new way (`catalogued`).
 *
 * Each bug's `line` is computed, not typed: the line where a marker (by default the first line of the changed
 * text) occurs, exactly once, in the resulting file. Nothing here uses kit tensor ops (a Value is a number).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EXERCISE = 'autograd/value';
const SOLUTION = readFileSync(path.join(LESSONS, '01a-autograd/value.solution.ts'), 'utf8');

function correct(name: string, source: string): CorpusEntry {
  return { exercise: EXERCISE, name, kind: 'correct', source };
}

/** `base` with exact edits (each `from` exactly once); the bug's line is where `at` (default: the first changed line) is. */
function bug(name: string, base: string, edits: [string, string][], opts: { catalogued?: string; at?: string } = {}): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[0][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return { exercise: EXERCISE, name, kind: 'bug', source, line: lineOf(source, marker, name), ...(opts.catalogued ? { catalogued: opts.catalogued } : {}) };
}

/** Local derivatives stored as numbers next to the children; backward multiplies them in. Kahn's algorithm for the order. */
const KAHN = `type Operand = Value | number;

export class Value {
  data: number;
  grad = 0;
  children: Value[];
  locals: number[];

  constructor(data: number, children: Value[] = [], locals: number[] = []) {
    this.data = data;
    this.children = children;
    this.locals = locals;
  }

  private static of(x: Operand): Value {
    return typeof x === 'number' ? new Value(x) : x;
  }

  add(other: Operand): Value {
    const o = Value.of(other);
    return new Value(this.data + o.data, [this, o], [1, 1]);
  }

  mul(other: Operand): Value {
    const o = Value.of(other);
    return new Value(this.data * o.data, [this, o], [o.data, this.data]);
  }

  pow(k: number): Value {
    return new Value(Math.pow(this.data, k), [this], [k * Math.pow(this.data, k - 1)]);
  }

  tanh(): Value {
    const y = Math.tanh(this.data);
    return new Value(y, [this], [1 - y * y]);
  }

  exp(): Value {
    const y = Math.exp(this.data);
    return new Value(y, [this], [y]);
  }

  neg(): Value {
    return new Value(-this.data, [this], [-1]);
  }

  sub(other: Operand): Value {
    const o = Value.of(other);
    return new Value(this.data - o.data, [this, o], [1, -1]);
  }

  div(other: Operand): Value {
    const o = Value.of(other);
    return new Value(this.data / o.data, [this, o], [1 / o.data, -this.data / (o.data * o.data)]);
  }

  backward(): void {
    // Every node reachable from here, and how many times each is used by another reachable node.
    const users = new Map<Value, number>([[this, 0]]);
    const todo: Value[] = [this];
    while (todo.length) {
      const v = todo.pop()!;
      for (const c of v.children) {
        if (!users.has(c)) { users.set(c, 0); todo.push(c); }
        users.set(c, users.get(c)! + 1);
      }
    }
    for (const v of users.keys()) v.grad = 0;
    this.grad = 1;
    // Kahn: a node is ready once every user has handed its gradient down.
    const ready: Value[] = [this];
    while (ready.length) {
      const v = ready.pop()!;
      v.children.forEach((c, i) => {
        c.grad += v.locals[i] * v.grad;
        const left = users.get(c)! - 1;
        users.set(c, left);
        if (left === 0) ready.push(c);
      });
    }
  }
}
`;

/** Closures as in micrograd, children in a Set, an explicit stack of child positions (as the kit's Tensor does). */
const STACK = `export class Value {
  data: number;
  grad: number;
  _prev: Set<Value>;
  _backward: () => void;

  constructor(data: number, prev: Value[] = []) {
    this.data = data;
    this.grad = 0;
    this._prev = new Set(prev);
    this._backward = () => undefined;
  }

  add(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data + o.data, [this, o]);
    out._backward = () => {
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  mul(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data * o.data, [this, o]);
    out._backward = () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  pow(k: number): Value {
    const out = new Value(this.data ** k, [this]);
    out._backward = () => {
      this.grad += k * this.data ** (k - 1) * out.grad;
    };
    return out;
  }

  tanh(): Value {
    const e2 = Math.exp(2 * this.data);
    const out = new Value((e2 - 1) / (e2 + 1), [this]);
    out._backward = () => {
      this.grad += (1 - out.data ** 2) * out.grad;
    };
    return out;
  }

  exp(): Value {
    const out = new Value(Math.exp(this.data), [this]);
    out._backward = () => {
      this.grad += out.data * out.grad;
    };
    return out;
  }

  neg(): Value {
    return this.mul(-1);
  }

  sub(other: Value | number): Value {
    return this.add(other instanceof Value ? other.neg() : -other);
  }

  div(other: Value | number): Value {
    return this.mul(other instanceof Value ? other.pow(-1) : 1 / other);
  }

  backward(): void {
    const topo: Value[] = [];
    const seen = new Set<Value>([this]);
    const stack: { node: Value; kids: Value[]; next: number }[] = [{ node: this, kids: [...this._prev], next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.kids.length) {
        const kid = top.kids[top.next++];
        if (!seen.has(kid)) {
          seen.add(kid);
          stack.push({ node: kid, kids: [...kid._prev], next: 0 });
        }
      } else {
        stack.pop();
        topo.push(top.node);
      }
    }
    topo.forEach((v) => { v.grad = 0; });
    this.grad = 1;
    topo.reverse().forEach((v) => v._backward());
  }
}
`;

/** The reference with sub, div and neg given their own derivatives, and tanh, exp read from out.data. */
const OWN_OPS = withEdits(SOLUTION, [
  ['    const t = Math.tanh(this.data);\n    const out = new Value(t, [this], \'tanh\');\n    out._backward = () => {\n      this.grad += (1 - t * t) * out.grad;',
    '    const out = new Value(Math.tanh(this.data), [this], \'tanh\');\n    out._backward = () => {\n      this.grad += (1 - out.data ** 2) * out.grad;'],
  ['    const e = Math.exp(this.data);\n    const out = new Value(e, [this], \'exp\');\n    out._backward = () => {\n      this.grad += e * out.grad;',
    '    const out = new Value(Math.exp(this.data), [this], \'exp\');\n    out._backward = () => {\n      this.grad += out.data * out.grad;'],
  ['  neg(): Value {\n    return this.mul(-1);\n  }',
    '  neg(): Value {\n    const out = new Value(-this.data, [this], \'neg\');\n    out._backward = () => {\n      this.grad -= out.grad;\n    };\n    return out;\n  }'],
  ['  sub(other: Value | number): Value {\n    return this.add(asValue(other).neg());\n  }',
    '  sub(other: Value | number): Value {\n    const o = asValue(other);\n    const out = new Value(this.data - o.data, [this, o], \'-\');\n    out._backward = () => {\n      this.grad += out.grad;\n      o.grad -= out.grad;\n    };\n    return out;\n  }'],
  ['  div(other: Value | number): Value {\n    return this.mul(asValue(other).pow(-1));\n  }',
    '  div(other: Value | number): Value {\n    const o = asValue(other);\n    const out = new Value(this.data / o.data, [this, o], \'/\');\n    out._backward = () => {\n      this.grad += out.grad / o.data;\n      o.grad += (-this.data / (o.data * o.data)) * out.grad;\n    };\n    return out;\n  }'],
], 'own sub, div and neg');

/** Two passes: the order first (post-order with two stacks), then zeroing and the reverse pass over a reversed copy. */
const TWO_STACKS = withEdits(SOLUTION, [[`    const order: Value[] = [];
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
    for (let i = order.length - 1; i >= 0; i--) order[i]._backward();`,
`    const order = topologicalOrder(this);
    order.forEach((v) => (v.grad = 0));
    this.grad = 1;
    for (const v of [...order].reverse()) v._backward();`],
['export class Value {', `/** Every node root depends on, each after its children: a post-order walk with an explicit stack of iterators. */
function topologicalOrder(root: Value): Value[] {
  const order: Value[] = [];
  const seen = new Set<Value>([root]);
  const path: [Value, Iterator<Value>][] = [[root, root.children[Symbol.iterator]()]];
  while (path.length) {
    const [node, it] = path[path.length - 1];
    const next = it.next();
    if (next.done) {
      path.pop();
      order.push(node);
    } else if (!seen.has(next.value)) {
      seen.add(next.value);
      path.push([next.value, next.value.children[Symbol.iterator]()]);
    }
  }
  return order;
}

export class Value {`]], 'two stacks');

/** A sum of products written with float accumulation in another order, and numbers checked with typeof. */
const TYPEOF = withEdits(SOLUTION, [
  ['  return v instanceof Value ? v : new Value(v);', '  return typeof v === \'number\' ? new Value(v) : v;'],
  ['      this.grad += k * this.data ** (k - 1) * out.grad;', '      this.grad += out.grad * k * Math.pow(this.data, k - 1);'],
  ['      this.grad += o.data * out.grad;\n      o.grad += this.data * out.grad;', '      const g = out.grad;\n      this.grad = this.grad + g * o.data;\n      o.grad = o.grad + g * this.data;'],
], 'typeof');

export const CORPUS: CorpusEntry[] = [
  correct('local derivatives stored as numbers, Kahn\'s algorithm with in-degrees', KAHN),
  correct('micrograd closures, children in a Set, an explicit stack of child positions, tanh from exponentials', STACK),
  correct('sub, div and neg with their own derivatives; tanh and exp from out.data', OWN_OPS),
  correct('the order from a helper with a stack of iterators, the pass over a reversed copy', TWO_STACKS),
  correct('typeof for numbers, Math.pow, grad = grad + ... (still accumulating)', TYPEOF),

  // Mistakes no catalogue names.
  bug('add passes 1 on instead of out.grad', SOLUTION, [['      this.grad += out.grad;\n      o.grad += out.grad;', '      this.grad += 1;\n      o.grad += 1;']]),
  bug('the chain rule without the upstream gradient v.grad', KAHN, [['    c.grad += v.locals[i] * v.grad;', '    c.grad += v.locals[i];']], { at: 'c.grad += v.locals[i];' }),
  bug('pow: k * x ** k - 1 (precedence)', SOLUTION, [['this.grad += k * this.data ** (k - 1) * out.grad;', 'this.grad += (k * this.data ** k - 1) * out.grad;']]),
  bug('exp\'s derivative from the input', OWN_OPS, [['      this.grad += out.data * out.grad;', '      this.grad += this.data * out.grad;']]),
  bug('tanh\'s derivative without the square', STACK, [['      this.grad += (1 - out.data ** 2) * out.grad;', '      this.grad += (1 - out.data) * out.grad;']]),
  bug('a number operand is not wrapped in a Value', TYPEOF, [['  return typeof v === \'number\' ? new Value(v) : v;', '  return v as Value;']]),
  bug('div: the sign of d/d(denominator) dropped', OWN_OPS, [['      o.grad += (-this.data / (o.data * o.data)) * out.grad;', '      o.grad += (this.data / (o.data * o.data)) * out.grad;']]),
  bug('sub adds instead of subtracting in forward', KAHN, [['    return new Value(this.data - o.data, [this, o], [1, -1]);', '    return new Value(this.data + o.data, [this, o], [1, -1]);']]),

  bug('mul\'s closure reads the raw operand, not the wrapped one', SOLUTION, [['      this.grad += o.data * out.grad;', '      this.grad += (other as Value).data * out.grad;']]),

  // Catalogued mistakes written a new way.
  bug('stored local derivatives assigned, not added', KAHN, [['    c.grad += v.locals[i] * v.grad;', '    c.grad = v.locals[i] * v.grad;']], { catalogued: 'assign-not-accumulate' }),
  bug('a recursive helper for the order', TWO_STACKS, [['    const order = topologicalOrder(this);', '    const order: Value[] = [];\n    const seen = new Set<Value>();\n    const walk = (v: Value): void => { if (seen.has(v)) return; seen.add(v); v.children.forEach(walk); order.push(v); };\n    walk(this);']],
    { catalogued: 'recursive-stack-overflow', at: 'const walk = (v: Value): void =>' }),
  bug('a node pushed by two parents is expanded twice (no visited test when popped)', SOLUTION, [['      if (visited.has(v)) continue;\n', '']],
    { catalogued: 'not-topological', at: '      visited.add(v);' }),
  bug('Kahn\'s algorithm without zeroing', KAHN, [['    for (const v of users.keys()) v.grad = 0;\n', '']], { catalogued: 'grads-not-zeroed', at: '    this.grad = 1;' }),
  bug('tanh\'s derivative from this.data', STACK, [['      this.grad += (1 - out.data ** 2) * out.grad;', '      this.grad += (1 - this.data ** 2) * out.grad;']], { catalogued: 'tanh-from-input' }),
];
