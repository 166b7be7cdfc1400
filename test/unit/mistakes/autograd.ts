/**
 * The autograd lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * of lessons/01a-autograd put into the reference solution, and the one check that names it run on it.
 */
import { AUTOGRAD_MISTAKES } from '../../../lessons/01a-autograd/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

// Lines of the reference solution (lessons/01a-autograd/value.solution.ts).
const ADD_BACKWARD = 'this.grad += out.grad;\n      o.grad += out.grad;';
const MUL_BACKWARD = 'this.grad += o.data * out.grad;\n      o.grad += this.data * out.grad;';
const POW_BACKWARD = 'this.grad += k * this.data ** (k - 1) * out.grad;';
const TANH_BACKWARD = 'this.grad += (1 - t * t) * out.grad;';
const ZERO = 'for (const v of order) v.grad = 0;';
const SEED = 'this.grad = 1;';
const PASS = 'for (let i = order.length - 1; i >= 0; i--) order[i]._backward();';
const TOPO = `const stack: [Value, boolean][] = [[this, false]];
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
    }`;

// Check names (the start of the English name of the check that catalogues each mistake).
const LOCAL = 'local derivatives: each operation on its own';
const TWICE_USED = 'a value used twice';
const SHARED = 'a shared sub-expression';
const RANDOM = 'random expression graphs';
const TWICE = 'backward() twice gives the same gradients';
const CHAIN = 'a chain of 50,000 operations';

export const CASES: MistakeCase[] = [
  ...mistakeCases(AUTOGRAD_MISTAKES, 'autograd/value', [
    { key: 'assign-not-accumulate', check: TWICE_USED, name: 'in add', edits: [[ADD_BACKWARD, 'this.grad = out.grad;\n      o.grad = out.grad;']] },
    { key: 'assign-not-accumulate', check: TWICE_USED, name: 'in mul', edits: [[MUL_BACKWARD, 'this.grad = o.data * out.grad;\n      o.grad = this.data * out.grad;']] },
    {
      key: 'recursive-stack-overflow', check: CHAIN, name: 'micrograd\'s recursive build_topo',
      edits: [[TOPO, 'const build = (v: Value): void => {\n      if (visited.has(v)) return;\n      visited.add(v);\n      for (const c of v.children) build(c);\n      order.push(v);\n    };\n    build(this);']],
    },
    {
      key: 'not-topological', check: SHARED, name: 'a recursive pre-order walk that visits each node once',
      edits: [[PASS, 'const done = new Set<Value>();\n    const visit = (v: Value): void => {\n      if (done.has(v)) return;\n      done.add(v);\n      v._backward();\n      for (const c of v.children) visit(c);\n    };\n    visit(this);']],
    },
    {
      key: 'not-topological', check: SHARED, name: 'a recursion along every path',
      edits: [[PASS, 'const visit = (v: Value): void => {\n      v._backward();\n      for (const c of v.children) visit(c);\n    };\n    visit(this);']],
    },
    { key: 'topo-not-reversed', check: SHARED, edits: [[PASS, 'for (let i = 0; i < order.length; i++) order[i]._backward();']] },
    { key: 'topo-not-reversed', check: RANDOM, name: 'on random graphs', edits: [[PASS, 'for (const v of order) v._backward();']] },
    { key: 'grads-not-zeroed', check: TWICE, edits: [[ZERO, '']] },
    { key: 'grads-not-zeroed', check: TWICE, name: 'only the output reset', edits: [[ZERO, 'this.grad = 0;']] },
    { key: 'grads-accumulate', check: TWICE, edits: [[ZERO, 'for (const v of order) if (v.children.length > 0) v.grad = 0;']] },
    { key: 'tanh-from-input', check: LOCAL, edits: [[TANH_BACKWARD, 'this.grad += (1 - this.data * this.data) * out.grad;']] },
    { key: 'mul-own-value', check: LOCAL, edits: [[MUL_BACKWARD, 'this.grad += this.data * out.grad;\n      o.grad += o.data * out.grad;']] },
    { key: 'pow-exponent', check: LOCAL, edits: [[POW_BACKWARD, 'this.grad += k * this.data ** k * out.grad;']] },
    { key: 'no-seed', check: LOCAL, edits: [[SEED, '']] },
    { key: 'no-seed', check: LOCAL, name: 'seeded before zeroing', edits: [[`${ZERO}\n    ${SEED}`, `${SEED}\n    ${ZERO}`]] },
  ]),
];

export const VARIANTS: LibraryVariant[] = [
  // PyTorch: a leaf's .grad accumulates across backward() calls (until zero_grad()); interior nodes start fresh.
  {
    library: 'PyTorch', name: 'leaf gradients accumulate across backward() calls, as in PyTorch', exercise: 'autograd/value', check: TWICE,
    edits: [[ZERO, 'for (const v of order) if (v.children.length > 0) v.grad = 0;']],
  },
  // micrograd's Value written as its engine.py does, but with this lesson's zeroing: children in a Set (a.add(a)
  // lists a once), the order built by a depth-first search; accepted (the same gradients).
  {
    library: 'micrograd', name: 'children kept in a Set, as micrograd\'s _prev', exercise: 'autograd/value', check: TWICE_USED,
    edits: [['for (const c of v.children) if (!visited.has(c))', 'for (const c of new Set(v.children)) if (!visited.has(c))']],
  },
];
