/**
 * Tensor: a flat Float32Array plus a shape (see ndarray.ts) that remembers how it was computed,
 * so gradients can flow back through it. This file is the whole autograd engine.
 *
 * Where the ideas come from:
 * - micrograd (Karpathy): every op records its parents and a closure that ACCUMULATES (+=) the
 *   output's gradient into the parents' gradients; backward() sorts the graph topologically and
 *   runs the closures from the output back to the inputs. Here a node is a whole tensor, not a number.
 * - PyTorch: the names and habits (requiresGrad, backward, detach, no_grad, view, zero_grad).
 *
 * Storage is always contiguous and row-major. Ops return new tensors; only reshape/view share
 * the data of their input (the numbers do not move, only the shape changes).
 * Ops live in ops/*.ts; each one is `fromOp(name, data, shape, parents, backward)`.
 */
import { numel } from './ndarray';
import { globalRng, type Rng } from './random';
import { formatShape } from './shape';
import { tensorCreated, tensorMadeFrom } from './trace';

let gradEnabled = true;

/** True unless we are inside noGrad(). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs fn without recording a graph (like `with torch.no_grad():`): for evaluation, sampling and
 * optimizer updates, where nobody will call backward and the graph would only cost memory.
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

export class Tensor {
  readonly data: Float32Array;
  readonly shape: number[];
  /** d(output)/d(this), filled in by backward(); null until something flows into it. */
  grad: Float32Array | null = null;
  requiresGrad: boolean;
  /** The tensors this one was computed from. Empty for leaves (inputs, parameters). */
  parents: readonly Tensor[] = [];
  /** Adds this tensor's gradient `g` into its parents' gradients. Null for leaves. */
  backwardFn: ((g: Float32Array) => void) | null = null;
  /** The op that made this tensor ('matmul', 'add', ...), for printing graphs. Empty for leaves. */
  op = '';

  constructor(data: Float32Array, shape: readonly number[], requiresGrad = false) {
    if (data.length !== numel(shape)) {
      throw new Error(`Tensor: ${data.length} values do not fill shape ${formatShape(shape)} (${numel(shape)} elements)`);
    }
    this.data = data;
    this.shape = [...shape];
    this.requiresGrad = requiresGrad;
    tensorCreated(this); // the runner's explanation of a failed check and the checks' allocation counter listen here
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The value of a one-element tensor as a plain number. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item(): tensor of shape ${formatShape(this.shape)} has ${this.data.length} elements, not 1`);
    return this.data[0];
  }

  /** The values as a plain (flat) array. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /**
   * Same data, new shape (one dim may be -1: "whatever is left"). Shares the data, so this is free;
   * the gradient flows back unchanged because the element order is the same.
   */
  reshape(...shape: number[]): Tensor {
    const holes = shape.filter((d) => d === -1).length;
    const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const full = holes === 1 && known > 0 ? shape.map((d) => (d === -1 ? this.size / known : d)) : shape;
    if (holes > 1 || full.some((d) => !Number.isInteger(d) || d < 0) || numel(full) !== this.size) {
      throw new Error(`reshape: cannot view shape ${formatShape(this.shape)} (${this.size} elements) as ${formatShape(shape)}`);
    }
    return fromOp('view', this.data, full, [this], (g) => addGrad(this, g));
  }

  /** PyTorch's name for reshape of a contiguous tensor (here every tensor is contiguous). */
  view(...shape: number[]): Tensor {
    return this.reshape(...shape);
  }

  /** A new leaf sharing the same data, cut off from the graph: gradients stop here. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  zeroGrad(): void {
    this.grad?.fill(0);
  }

  /**
   * Backpropagation. Fills `.grad` of every tensor in the graph that requires a gradient with
   * d(this)/d(that tensor), weighted by `gradient` (default: 1 for a scalar, e.g. a loss).
   * Gradients accumulate: call zeroGrad() (or the optimizer's) between steps.
   */
  backward(gradient?: Tensor | Float32Array): void {
    if (!this.requiresGrad) {
      throw new Error('backward(): this tensor does not require grad (no input had requiresGrad, or it was computed inside noGrad)');
    }
    let seed: Float32Array;
    if (gradient === undefined) {
      if (this.size !== 1) {
        throw new Error(`backward(): output has shape ${formatShape(this.shape)}; pass a gradient of that shape, or reduce it to a scalar first (e.g. sum or mean)`);
      }
      seed = Float32Array.of(1);
    } else {
      seed = gradient instanceof Tensor ? gradient.data : gradient;
      if (seed.length !== this.size) throw new Error(`backward(): gradient has ${seed.length} elements, output has ${this.size}`);
    }
    const g = gradOf(this);
    for (let i = 0; i < seed.length; i++) g[i] += seed[i];

    // Reverse topological order: every tensor hands its gradient on only after all of its users
    // (the tensors computed from it) have added their share into it.
    const order = topologicalOrder(this);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      if (t.backwardFn && t.grad) t.backwardFn(t.grad);
    }
  }

  toString(): string {
    const values = this.size <= 8 ? this.toArray().map((v) => +v.toFixed(4)).join(', ') : `${this.size} values`;
    return `tensor([${values}], shape=${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/**
 * Every tensor `root` depends on, each listed after all of its parents. (micrograd's build_topo,
 * written with an explicit stack so a very deep graph cannot overflow the call stack.)
 */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: { node: Tensor; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next < top.node.parents.length) {
      const parent = top.node.parents[top.next++];
      if (!visited.has(parent)) {
        visited.add(parent);
        stack.push({ node: parent, next: 0 });
      }
    } else {
      stack.pop();
      order.push(top.node); // all parents are already in `order`
    }
  }
  return order;
}

/** The gradient buffer of `t`, created (as zeros) on first use. Backward closures add into it. */
export function gradOf(t: Tensor): Float32Array {
  return (t.grad ??= new Float32Array(t.size));
}

/**
 * t.grad += g, for a g of t's size: what `const gt = gradOf(t); for (...) gt[i] += g[i]` does, but when g is
 * the first gradient to arrive it is copied instead of added to fresh zeros (the same numbers, faster).
 */
export function addGrad(t: Tensor, g: Float32Array): void {
  if (t.grad === null) {
    t.grad = g.slice();
    return;
  }
  const gt = t.grad;
  for (let i = 0; i < g.length; i++) gt[i] += g[i];
}

/**
 * How every op makes its output. If gradients are being recorded and any parent needs one,
 * the result remembers its parents and the closure that pushes its gradient `g` back to them.
 */
export function fromOp(
  op: string, data: Float32Array, shape: readonly number[], parents: Tensor[], backward: (g: Float32Array) => void,
): Tensor {
  const out = new Tensor(data, shape);
  out.op = op;
  tensorMadeFrom(out, parents); // for the runner's explanation of a failed check, as above
  if (gradEnabled && parents.some((p) => p.requiresGrad)) {
    out.requiresGrad = true;
    out.parents = parents;
    out.backwardFn = backward;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Making tensors (torch.tensor, zeros, ones, full, arange, randn)

export interface TensorOptions {
  requiresGrad?: boolean;
}

type Nested = number | Nested[];

/** The shape of a nested array like [[1, 2, 3], [4, 5, 6]] -> [2, 3]; checks that it is rectangular. */
function nestedShape(values: Nested): number[] {
  const shape: number[] = [];
  for (let v = values; Array.isArray(v); v = v[0]) shape.push(v.length);
  const check = (v: Nested, d: number): void => {
    if (d === shape.length) {
      if (typeof v !== 'number') throw new Error('tensor: ragged nested array (rows of different lengths)');
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) throw new Error('tensor: ragged nested array (rows of different lengths)');
    for (const x of v) check(x, d + 1);
  };
  check(values, 0);
  return shape;
}

/**
 * A tensor from a number, a (nested) array or a typed array; the values are copied.
 * Without `shape`, nested arrays give their own shape and flat ones are 1-D.
 */
export function tensor(values: Nested | ArrayLike<number>, shape?: readonly number[], opts: TensorOptions = {}): Tensor {
  let flat: Float32Array;
  let inferred: number[];
  if (typeof values === 'number') {
    flat = Float32Array.of(values);
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = nestedShape(values);
    const numbers: number[] = [];
    const walk = (v: Nested): void => {
      if (typeof v === 'number') numbers.push(v);
      else v.forEach(walk);
    };
    walk(values);
    flat = Float32Array.from(numbers);
  } else {
    flat = Float32Array.from(values as ArrayLike<number>);
    inferred = [flat.length];
  }
  return new Tensor(flat, shape ?? inferred, opts.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  return new Tensor(new Float32Array(numel(shape)).fill(value), shape, opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** start, start + step, ... up to (not including) end. `arange(5)` is 0..4. */
export function arange(start: number, end?: number, step = 1): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** Normal(0, std^2) samples. */
export function randn(shape: readonly number[], rng: Rng = globalRng, std = 1, opts: TensorOptions = {}): Tensor {
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, std);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}
