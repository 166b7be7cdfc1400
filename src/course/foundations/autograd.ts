/**
 * Course code for the foundations lesson "autograd" (exercise autograd/value): float64 references its checks share.
 *
 * An expression graph is described as data (a list of nodes in the order they were made, so every node comes after
 * its operands and the last one is the output), evaluated and differentiated here with plain float64 arithmetic,
 * independently of the learner's Value class. The checks build the same graph with the learner's class and compare
 * every node's .grad with {@link autogradRefBackward}; the reference itself is tied to central finite differences.
 *
 * Some wrong ways of propagating are computed too, where what they give does not depend on the learner's visiting
 * order, so a check can name them only when the learner's gradients are exactly what that mistake gives:
 *   'forward-order'  the topological order walked leaves first: every node but the output's operands keeps 0;
 *   'second-call'    backward() called a second time without zeroing: each node starts from what the first call
 *                    left, and passes the sum on (micrograd without zero_grad()).
 */

export type AutogradOp = 'leaf' | 'add' | 'mul' | 'sub' | 'div' | 'pow' | 'tanh' | 'exp' | 'neg' | 'addc' | 'mulc';

/** One node: a leaf with its value, or an op on earlier nodes (a, b are indices; c a plain number; k an exponent). */
export interface AutogradNode { op: AutogradOp; value?: number; a?: number; b?: number; c?: number; k?: number }

/** The nodes in creation order; the last one is the output L. */
export type AutogradGraph = AutogradNode[];

const BINARY = new Set<AutogradOp>(['add', 'mul', 'sub', 'div']);

/** The value of every node, in float64. */
export function autogradRefForward(g: AutogradGraph): number[] {
  const v: number[] = [];
  for (const n of g) {
    const a = n.a === undefined ? NaN : v[n.a];
    const b = n.b === undefined ? NaN : v[n.b];
    switch (n.op) {
      case 'leaf': v.push(n.value!); break;
      case 'add': v.push(a + b); break;
      case 'mul': v.push(a * b); break;
      case 'sub': v.push(a - b); break;
      case 'div': v.push(a / b); break;
      case 'pow': v.push(a ** n.k!); break;
      case 'tanh': v.push(Math.tanh(a)); break;
      case 'exp': v.push(Math.exp(a)); break;
      case 'neg': v.push(-a); break;
      case 'addc': v.push(a + n.c!); break;
      case 'mulc': v.push(a * n.c!); break;
    }
  }
  return v;
}

/** d(node)/d(operand a) and d(node)/d(operand b) at the forward values v. */
export function autogradLocal(n: AutogradNode, v: number[], out: number): [number, number] {
  const a = n.a === undefined ? NaN : v[n.a];
  const b = n.b === undefined ? NaN : v[n.b];
  switch (n.op) {
    case 'add': return [1, 1];
    case 'mul': return [b, a];
    case 'sub': return [1, -1];
    case 'div': return [1 / b, -a / (b * b)];
    case 'pow': return [n.k! * a ** (n.k! - 1), 0];
    case 'tanh': return [1 - out * out, 0];
    case 'exp': return [out, 0];
    case 'neg': return [-1, 0];
    case 'addc': return [1, 0];
    case 'mulc': return [n.c!, 0];
    default: return [0, 0];
  }
}

export type AutogradMode = 'right' | 'forward-order';

/**
 * dL/d(node) for every node, L the last node, by reverse-mode accumulation over the creation order (which is a
 * topological order). `start` (for 'second-call') is what .grad held before the pass; `seed` is L's gradient.
 */
export function autogradRefBackward(g: AutogradGraph, mode: AutogradMode = 'right', start?: number[], seed = 1): number[] {
  const v = autogradRefForward(g);
  const grad = start ? [...start] : g.map(() => 0);
  grad[g.length - 1] = seed;
  const order = g.map((_, i) => i);
  if (mode === 'right') order.reverse();
  for (const i of order) {
    const n = g[i];
    if (n.op === 'leaf') continue;
    const [da, db] = autogradLocal(n, v, v[i]);
    grad[n.a!] += da * grad[i];
    if (BINARY.has(n.op)) grad[n.b!] += db * grad[i];
  }
  return grad;
}

/** What a second backward() gives when nothing is zeroed: every node starts from the first call's gradient. */
export function autogradSecondCall(g: AutogradGraph, seed: number): number[] {
  return autogradRefBackward(g, 'right', autogradRefBackward(g), seed);
}

/** Central finite difference dL/d(leaf i) in float64. */
export function autogradFiniteDiff(g: AutogradGraph, i: number): number {
  const x = g[i].value!;
  const h = 1e-6 * Math.max(1, Math.abs(x));
  const at = (value: number) => { const v = autogradRefForward(g.map((n, j) => (j === i ? { ...n, value } : n))); return v[v.length - 1]; };
  return (at(x + h) - at(x - h)) / (2 * h);
}

/** The number of nodes that use node i as an operand (twice if both operands are i). */
export function autogradUses(g: AutogradGraph): number[] {
  const uses = g.map(() => 0);
  for (const n of g) {
    if (n.a !== undefined) uses[n.a]++;
    if (n.b !== undefined && BINARY.has(n.op)) uses[n.b]++;
  }
  return uses;
}

/** A readable name of node i, e.g. "n7 = n3.mul(n5)" or "n2 = Value(0.41)". */
export function autogradDescribe(g: AutogradGraph, i: number): string {
  const n = g[i];
  const r = (x: number) => Number(x.toPrecision(4));
  switch (n.op) {
    case 'leaf': return `n${i} = new Value(${r(n.value!)})`;
    case 'addc': return `n${i} = n${n.a}.add(${r(n.c!)})`;
    case 'mulc': return `n${i} = n${n.a}.mul(${r(n.c!)})`;
    case 'pow': return `n${i} = n${n.a}.pow(${n.k})`;
    default: return BINARY.has(n.op) ? `n${i} = n${n.a}.${n.op}(n${n.b})` : `n${i} = n${n.a}.${n.op}()`;
  }
}

/**
 * A random expression graph: `leaves` inputs, then `ops` operations whose operands are drawn from every earlier node
 * (so interior nodes are shared, and some are used twice by one op), then the nodes nothing uses are summed into the
 * output. Values stay in a range where float64 is exact enough (|v| ≤ 8, no division by small numbers). `kinds` limits
 * the operations (sub and div are often written from add, mul and pow, which adds hidden interior nodes).
 */
export function autogradRandomGraph(random: () => number, leaves: number, ops: number,
  kinds: AutogradOp[] = ['add', 'mul', 'sub', 'div', 'pow', 'tanh', 'exp', 'neg', 'addc', 'mulc']): AutogradGraph {
  const g: AutogradGraph = [];
  for (let i = 0; i < leaves; i++) g.push({ op: 'leaf', value: Number((random() * 4 - 2).toFixed(3)) || 0.5 });
  const pick = (n: number) => Math.floor(random() * n);
  let made = 0;
  for (let tries = 0; made < ops && tries < ops * 50; tries++) {
    const op = kinds[pick(kinds.length)];
    // Half of the operands come from the last few nodes, so the graph is deep as well as wide.
    const operand = () => (random() < 0.5 ? Math.max(0, g.length - 1 - pick(3)) : pick(g.length));
    const node: AutogradNode = { op, a: operand() };
    if (BINARY.has(op)) node.b = random() < 0.15 ? node.a : operand();
    if (op === 'pow') node.k = [2, 3, -1, 0.5][pick(4)];
    if (op === 'addc' || op === 'mulc') node.c = Number((random() * 4 - 2).toFixed(2)) || 1.5;
    const v = autogradRefForward([...g, node]);
    const a = v[node.a!];
    const b = node.b === undefined ? 0 : v[node.b];
    const out = v[v.length - 1];
    if (!Number.isFinite(out) || Math.abs(out) > 8) continue;
    if (op === 'div' && Math.abs(b) < 0.5) continue;
    if (op === 'pow' && ((node.k! < 0 && Math.abs(a) < 0.5) || (node.k === 0.5 && a < 0.2))) continue;
    g.push(node);
    made++;
  }
  const uses = autogradUses(g);
  const loose = g.map((_, i) => i).filter((i) => i >= leaves && uses[i] === 0);
  let root = loose[0] ?? g.length - 1;
  for (const i of loose.slice(1)) { g.push({ op: 'add', a: root, b: i }); root = g.length - 1; }
  return g;
}

/** The largest |reference - finite difference| over the leaves, relative: a self-test of the reference. */
export function autogradRefSelfTest(g: AutogradGraph): number {
  const grad = autogradRefBackward(g);
  let worst = 0;
  g.forEach((n, i) => {
    if (n.op !== 'leaf') return;
    const fd = autogradFiniteDiff(g, i);
    worst = Math.max(worst, Math.abs(fd - grad[i]) / Math.max(1, Math.abs(grad[i])));
  });
  return worst;
}
