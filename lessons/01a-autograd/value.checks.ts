/**
 * Checks for the autograd lesson (autograd/value): a scalar Value with add, mul, pow, tanh, exp and a topological,
 * non-recursive backward().
 *
 * Every expected value comes from @llm-lab/course/foundations: expression graphs described as data, evaluated and
 * differentiated there in float64 (and that reference is tied to central finite differences in every graph check),
 * never from the learner's own code. Random values and graphs come from ctx.random.
 *
 * A mistake is named only when the learner's gradients are exactly what it gives, confirmed on a second input or
 * by a twin graph: "=" instead of "+=" when a value used twice got one use's share; a walk that is not topological
 * when a shared sub-expression goes wrong while the same graph without the sharing (and the shared node's own
 * gradient) comes out right; the order walked leaves-first when every node but the output's operands keeps 0.
 * Anything else is said as it is: which node, its expression, the expected and the actual gradient.
 *
 * Which check names which catalogued mistake (keys of ./mistakes.ts; (c) = another library's convention):
 *   check                                              names
 *   values: add, mul, pow, tanh, exp ...               (none: the value, the operands, a number operand)
 *   local derivatives: each operation ...              no-seed, mul-own-value, pow-exponent, tanh-from-input
 *   a value used twice: ...                            assign-not-accumulate
 *   a shared sub-expression ...                        not-topological, topo-not-reversed
 *   random expression graphs ...                       topo-not-reversed
 *   backward() twice gives the same gradients          grads-not-zeroed, grads-accumulate (c: PyTorch)
 *   a chain of 50,000 operations ...                   recursive-stack-overflow
 */
import { type CheckContext, type Text, defineChecks, describeType, fail, mistake, show, t } from '@llm-lab/check';
import {
  type AutogradGraph, autogradDescribe, autogradFiniteDiff, autogradRandomGraph, autogradRefBackward, autogradRefForward, autogradRefSelfTest,
  autogradSecondCall, autogradUses,
} from '@llm-lab/course/foundations';
import { type AutogradMistake, AUTOGRAD_MISTAKES as M } from './mistakes';

type Learner = typeof import('./value');

/** What the checks use of a Value. */
interface V {
  data: number;
  grad: number;
  add(o: V | number): V;
  mul(o: V | number): V;
  sub(o: V | number): V;
  div(o: V | number): V;
  pow(k: number): V;
  tanh(): V;
  exp(): V;
  neg(): V;
  backward(): void;
}

/** Sentences joined: with a space in English, with nothing in Chinese (full-width punctuation needs no space). */
const cat = (parts: (Text | undefined)[]): Text => {
  const kept = parts.filter((p): p is Text => p !== undefined && p.en !== '');
  return { en: kept.map((p) => p.en).join(' '), 'zh-cn': kept.map((p) => p['zh-cn']).join('') };
};

const RTOL = 1e-7;
const ATOL = 1e-9;
const close = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) <= ATOL + RTOL * Math.abs(b));
const r6 = (x: number) => (typeof x === 'number' ? String(Number(x.toPrecision(6))) : String(x));

function leaf(m: Learner, x: number): V {
  return new m.Value(x) as unknown as V;
}

/** A number read from the learner's Value (data or grad), which must be a number. */
function num(v: unknown, what: string): number {
  if (typeof v !== 'number') {
    const got = describeType(v);
    fail(t(`${what} is ${got.en}; expected a number.`, `${what} 是${got['zh-cn']}；应当是一个数。`),
      { hint: t('data and grad are plain JavaScript numbers; grad starts at 0.', 'data 和 grad 都是普通的 JavaScript 数；grad 的初始值是 0。') });
  }
  return v;
}

/** Builds graph g with the learner's Value: one Value per node, in order. */
function build(m: Learner, g: AutogradGraph): V[] {
  const vs: V[] = [];
  for (const n of g) {
    const a = n.a === undefined ? undefined : vs[n.a];
    const b = n.b === undefined ? undefined : vs[n.b];
    switch (n.op) {
      case 'leaf': vs.push(leaf(m, n.value!)); break;
      case 'add': vs.push(a!.add(b!)); break;
      case 'mul': vs.push(a!.mul(b!)); break;
      case 'sub': vs.push(a!.sub(b!)); break;
      case 'div': vs.push(a!.div(b!)); break;
      case 'pow': vs.push(a!.pow(n.k!)); break;
      case 'tanh': vs.push(a!.tanh()); break;
      case 'exp': vs.push(a!.exp()); break;
      case 'neg': vs.push(a!.neg()); break;
      case 'addc': vs.push(a!.add(n.c!)); break;
      case 'mulc': vs.push(a!.mul(n.c!)); break;
    }
  }
  return vs;
}

/** Builds g, calls backward() on its output and returns every node's data and grad. */
function runGraph(m: Learner, g: AutogradGraph): { vs: V[]; grads: number[]; data: number[] } {
  const vs = build(m, g);
  vs[vs.length - 1].backward();
  return { vs, grads: vs.map((v, i) => num(v.grad, `n${i}.grad`)), data: vs.map((v, i) => num(v.data, `n${i}.data`)) };
}

/** The graph as code, for messages. */
function listing(g: AutogradGraph): string {
  return g.map((_, i) => autogradDescribe(g, i)).join('; ');
}

/** The reference must agree with central finite differences (a check bug otherwise, never the learner's fault). */
function selfTest(g: AutogradGraph): void {
  const worst = autogradRefSelfTest(g);
  if (!(worst < 1e-5)) throw new Error(`check bug: the autograd reference differs from finite differences by ${worst}`);
}

/** The first node whose data or grad differs from the reference, said as it is. */
function expectGraph(g: AutogradGraph, got: { grads: number[]; data: number[] }, what: Text, hint: Text, extra: (i: number) => Text | undefined = () => undefined): void {
  const data = autogradRefForward(g);
  const grads = autogradRefBackward(g);
  for (let i = 0; i < g.length; i++) {
    if (!close(got.data[i], data[i])) {
      fail(cat([what, t(`Node ${autogradDescribe(g, i)} has .data ${r6(got.data[i])}; expected ${r6(data[i])}.`,
        `节点 ${autogradDescribe(g, i)} 的 .data 是 ${r6(got.data[i])}；应为 ${r6(data[i])}。`)]),
      { hint: t('The forward values are wrong before any gradient: check the operation that made this node.', '还没算梯度，前向的值就已经错了：请检查生成这个节点的运算。'),
        expected: show(data[i]), actual: show(got.data[i]) });
    }
  }
  // Gradients flow from L down: the first wrong one from the top is where the mistake shows first.
  for (let i = g.length - 1; i >= 0; i--) {
    if (close(got.grads[i], grads[i])) continue;
    const fd = g[i].op === 'leaf' ? autogradFiniteDiff(g, i) : undefined;
    const fdText = fd === undefined ? t('', '') : t(` (central finite difference: ${r6(fd)})`, `（中心有限差分：${r6(fd)}）`);
    const users = g.flatMap((n, j) => (n.a === i || n.b === i ? [`n${j}`] : []));
    const usedBy = users.length ? t(` It is used by ${users.join(', ')}, whose gradients are right.`, `使用它的节点是 ${users.join('、')}，它们的梯度都是对的。`) : t('', '');
    fail(cat([what, t(`dL/d(n${i}) for ${autogradDescribe(g, i)} is ${r6(got.grads[i])}; expected ${r6(grads[i])}${fdText.en}.${usedBy.en} The graph: ${listing(g)}; L = n${g.length - 1}.`,
      `${autogradDescribe(g, i)} 的 dL/d(n${i}) 是 ${r6(got.grads[i])}；应为 ${r6(grads[i])}${fdText['zh-cn']}。${usedBy['zh-cn']}计算图：${listing(g)}；L = n${g.length - 1}。`), extra(i)]),
    { hint, expected: show(grads[i]), actual: show(got.grads[i]) });
  }
}

const GRAPH_HINT = t(
  'This is the first wrong gradient counting from L down, so look at the _backward of the operations that use this node, and at the order backward() runs them in: each adds (local derivative × out.grad) into its children with +=, after every node that uses it has run.',
  '这是从 L 往下数第一个出错的梯度，所以请检查使用这个节点的那些运算的 _backward，以及 backward() 执行它们的顺序：每个 _backward 都用 += 把（局部导数 × out.grad）加到子节点上，并且要在所有使用它的节点执行之后才执行。',
);

/** When the learner's gradients are exactly what walking the order leaves-first gives: name it. */
function expectNotForwardOrder(g: AutogradGraph, grads: number[]): void {
  const right = autogradRefBackward(g);
  const wrong = autogradRefBackward(g, 'forward-order');
  if (!right.every((v, i) => close(grads[i], v)) && wrong.every((v, i) => close(grads[i], v))) fail(...mistake(M['topo-not-reversed']));
}

const named = (key: AutogradMistake, detail: Text): never => {
  const [message, extra] = mistake(M[key]);
  return fail(cat([message, detail]), extra);
};

interface LocalCase {
  what: string;
  got: () => number[];
  want: number[];
  fd: number[];
  wrong: Partial<Record<AutogradMistake, number[]>>;
}

/** d f / d x by central differences in float64. */
const fdOf = (f: (x: number) => number, x: number) => { const h = 1e-6 * Math.max(1, Math.abs(x)); return (f(x + h) - f(x - h)) / (2 * h); };

function localCases(m: Learner, ctx: CheckContext): LocalCase[] {
  const draw = () => Number((ctx.random() * 3 - 1.5).toFixed(3)) || 0.7;
  const cases: LocalCase[] = [];
  for (let s = 0; s < 2; s++) {
    let a = draw();
    let b = draw();
    if (Math.abs(a - b) < 0.1) b = a + 0.5;
    if (Math.abs(b) < 0.3) b += 1;
    if (Math.abs(a) < 0.1) a += 0.4;
    const c = Number((ctx.random() * 4 - 2).toFixed(2)) || 1.5;
    const unary = (what: string, op: (v: V) => V, f: (x: number) => number, d: number, wrong: Partial<Record<AutogradMistake, number>> = {}, x = a): LocalCase => ({
      what: what.replace('{x}', r6(x)),
      got: () => { const v = leaf(m, x); op(v).backward(); return [num(v.grad, 'x.grad')]; },
      want: [d], fd: [fdOf(f, x)],
      wrong: Object.fromEntries(Object.entries(wrong).map(([k, w]) => [k, [w]])),
    });
    const binary = (what: string, op: (p: V, q: V) => V, f: (x: number, y: number) => number, da: number, db: number, wrong: Partial<Record<AutogradMistake, number[]>> = {}): LocalCase => ({
      what: what.replace('{a}', r6(a)).replace('{b}', r6(b)),
      got: () => { const p = leaf(m, a); const q = leaf(m, b); op(p, q).backward(); return [num(p.grad, 'a.grad'), num(q.grad, 'b.grad')]; },
      want: [da, db], fd: [fdOf((x) => f(x, b), a), fdOf((y) => f(a, y), b)], wrong,
    });
    const t0 = Math.tanh(a);
    const pos = Math.abs(a) + 0.5;
    cases.push(
      binary('new Value({a}).add(new Value({b}))', (p, q) => p.add(q), (x, y) => x + y, 1, 1),
      unary(`new Value({x}).add(${c})`, (v) => v.add(c), (x) => x + c, 1),
      binary('new Value({a}).mul(new Value({b}))', (p, q) => p.mul(q), (x, y) => x * y, b, a, { 'mul-own-value': [a, b] }),
      unary(`new Value({x}).mul(${c})`, (v) => v.mul(c), (x) => x * c, c),
      unary('new Value({x}).pow(2)', (v) => v.pow(2), (x) => x ** 2, 2 * a, { 'pow-exponent': 2 * a ** 2 }),
      unary('new Value({x}).pow(3)', (v) => v.pow(3), (x) => x ** 3, 3 * a ** 2, { 'pow-exponent': 3 * a ** 3 }),
      unary('new Value({x}).pow(-1)', (v) => v.pow(-1), (x) => x ** -1, -1 * a ** -2, { 'pow-exponent': -1 * a ** -1 }),
      unary('new Value({x}).pow(0.5)', (v) => v.pow(0.5), (x) => x ** 0.5, 0.5 * pos ** -0.5, { 'pow-exponent': 0.5 * pos ** 0.5 }, pos),
      unary('new Value({x}).tanh()', (v) => v.tanh(), Math.tanh, 1 - t0 * t0, { 'tanh-from-input': 1 - a * a }),
      unary('new Value({x}).exp()', (v) => v.exp(), Math.exp, Math.exp(a)),
      unary('new Value({x}).neg()', (v) => v.neg(), (x) => -x, -1),
      binary('new Value({a}).sub(new Value({b}))', (p, q) => p.sub(q), (x, y) => x - y, 1, -1),
      binary('new Value({a}).div(new Value({b}))', (p, q) => p.div(q), (x, y) => x / y, 1 / b, -a / (b * b)),
    );
  }
  return cases;
}

export default defineChecks<Learner>({
  exports: ['Value'],
  checks: [
    {
      name: t('values: add, mul, pow, tanh, exp (and neg, sub, div) compute the right numbers', '数值：add、mul、pow、tanh、exp（以及 neg、sub、div）算出正确的数'),
      task: 'Value',
      run: (m, ctx) => {
        const x0 = leaf(m, 0.25);
        if (num(x0.data, 'new Value(0.25).data') !== 0.25 || num(x0.grad, 'new Value(0.25).grad') !== 0) {
          fail(t(`new Value(0.25) has data ${r6(x0.data)} and grad ${r6(x0.grad)}; expected data 0.25 and grad 0.`,
            `new Value(0.25) 的 data 是 ${r6(x0.data)}，grad 是 ${r6(x0.grad)}；应为 data 0.25、grad 0。`));
        }
        for (let s = 0; s < 3; s++) {
          const a = Number((ctx.random() * 4 - 2).toFixed(3)) || 0.3;
          const b = (Number((ctx.random() * 3 + 0.5).toFixed(3))) * (s === 1 ? -1 : 1);
          const c = Number((ctx.random() * 4 - 2).toFixed(2)) || 1.25;
          const cases: [string, (p: V, q: V) => V, number][] = [
            [`new Value(${a}).add(new Value(${b}))`, (p, q) => p.add(q), a + b],
            [`new Value(${a}).add(${c})`, (p) => p.add(c), a + c],
            [`new Value(${a}).mul(new Value(${b}))`, (p, q) => p.mul(q), a * b],
            [`new Value(${a}).mul(${c})`, (p) => p.mul(c), a * c],
            [`new Value(${a}).pow(2)`, (p) => p.pow(2), a ** 2],
            [`new Value(${a}).pow(3)`, (p) => p.pow(3), a ** 3],
            [`new Value(${b}).pow(-1)`, (_, q) => q.pow(-1), b ** -1],
            [`new Value(${Math.abs(b)}).pow(0.5)`, () => leaf(m, Math.abs(b)).pow(0.5), Math.abs(b) ** 0.5],
            [`new Value(${a}).tanh()`, (p) => p.tanh(), Math.tanh(a)],
            [`new Value(${a}).exp()`, (p) => p.exp(), Math.exp(a)],
            [`new Value(${a}).neg()`, (p) => p.neg(), -a],
            [`new Value(${a}).sub(new Value(${b}))`, (p, q) => p.sub(q), a - b],
            [`new Value(${a}).div(new Value(${b}))`, (p, q) => p.div(q), a / b],
          ];
          for (const [what, op, want] of cases) {
            const p = leaf(m, a);
            const q = leaf(m, b);
            const out = op(p, q);
            if (!out || typeof out !== 'object') {
              const got = describeType(out);
              fail(t(`${what} returned ${got.en}; expected a new Value.`, `${what} 返回了${got['zh-cn']}；应返回一个新的 Value。`),
                { hint: t('Each operation returns a new Value: const out = new Value(..., [this, other], ...); ...; return out;', '每个运算都返回一个新的 Value：const out = new Value(..., [this, other], ...); ...; return out;') });
            }
            const got = num(out.data, `${what}.data`);
            if (!close(got, want)) {
              fail(t(`${what}.data is ${r6(got)}; expected ${r6(want)}.`, `${what}.data 是 ${r6(got)}；应为 ${r6(want)}。`), { expected: show(want), actual: show(got),
                hint: t('out.data is the operation applied to the operands\' data (a plain number operand is wrapped in a Value first: asValue(other)).',
                  'out.data 就是把运算作用在操作数的 data 上（普通的数要先包装成 Value：asValue(other)）。') });
            }
            if (p.data !== a || q.data !== b || out === (p as unknown) || out === (q as unknown)) {
              fail(t(`${what} changed an operand or returned it: an operation makes a NEW Value and leaves its operands as they were.`,
                `${what} 修改了操作数或直接返回了操作数：运算要新建一个 Value，操作数保持不变。`));
            }
          }
        }
      },
    },
    {
      name: t('local derivatives: each operation on its own matches its formula and finite differences', '局部导数：每个运算单独求导，与公式和有限差分一致'),
      task: 'Value',
      run: (m, ctx) => {
        const x = leaf(m, 0.3);
        const out = x.tanh();
        out.backward();
        if (num(out.grad, 'out.grad') !== 1) {
          named('no-seed', t(`(new Value(0.3).tanh() gives out.grad = ${r6(out.grad)} after out.backward().)`, `（new Value(0.3).tanh() 在 out.backward() 之后 out.grad = ${r6(out.grad)}。）`));
        }
        const cases = localCases(m, ctx);
        const results = cases.map((c) => ({ c, got: c.got() }));
        const bad = results.filter(({ c, got }) => !c.want.every((w, i) => close(got[i], w)));
        if (!bad.length) return;
        // A catalogued mistake is named when it explains every case where it makes a difference (both inputs).
        for (const key of ['mul-own-value', 'pow-exponent', 'tanh-from-input'] as const) {
          const concerned = results.filter(({ c }) => c.wrong[key]);
          if (concerned.length && concerned.every(({ c, got }) => c.wrong[key]!.every((w, i) => close(got[i], w)))) {
            const { c, got } = concerned[0];
            named(key, t(`(${c.what}: got ${got.map(r6).join(', ')}, expected ${c.want.map(r6).join(', ')}.)`, `（${c.what}：得到 ${got.map(r6).join(', ')}，应为 ${c.want.map(r6).join(', ')}。）`));
          }
        }
        const { c, got } = bad[0];
        const names = c.want.length === 2 ? ['a.grad', 'b.grad'] : ['x.grad'];
        const i = c.want.findIndex((w, j) => !close(got[j], w));
        fail(t(`After ${c.what}.backward(), ${names[i]} is ${r6(got[i])}; expected ${r6(c.want[i])} (central finite difference: ${r6(c.fd[i])}).`,
          `${c.what}.backward() 之后 ${names[i]} 是 ${r6(got[i])}；应为 ${r6(c.want[i])}（中心有限差分：${r6(c.fd[i])}）。`),
        { hint: t('With out.grad = 1, each child\'s gradient is the local derivative: 1 and 1 for add, (b, a) for mul, k·x^(k-1) for pow, 1 - t² for tanh, e^x for exp.',
          'out.grad = 1 时，每个子节点的梯度就是局部导数：add 是 1 和 1，mul 是 (b, a)，pow 是 k·x^(k-1)，tanh 是 1 - t²，exp 是 e^x。'),
        expected: show(c.want[i]), actual: show(got[i]) });
      },
    },
    {
      name: t('a value used twice: a.add(a), x.mul(x), and x feeding two branches', '一个值被用了两次：a.add(a)、x.mul(x)，以及 x 同时流入两个分支'),
      task: 'Value',
      run: (m, ctx) => {
        const x0 = Number((ctx.random() * 2 - 1).toFixed(3)) || 0.6;
        const y0 = Number((ctx.random() * 2 + 1.5).toFixed(3));
        const th = Math.tanh(x0);
        const cases: [string, () => number, number, number[]][] = [
          ['a = new Value(x); L = a.add(a)', () => { const a = leaf(m, x0); a.add(a).backward(); return num(a.grad, 'a.grad'); }, 2, [1]],
          ['L = x.mul(x)', () => { const v = leaf(m, x0); v.mul(v).backward(); return num(v.grad, 'x.grad'); }, 2 * x0, [x0]],
          ['L = x.tanh().add(x.exp())', () => { const v = leaf(m, x0); v.tanh().add(v.exp()).backward(); return num(v.grad, 'x.grad'); },
            1 - th * th + Math.exp(x0), [1 - th * th, Math.exp(x0)]],
          [`L = x.mul(y).add(x) with y = ${y0}`, () => { const v = leaf(m, x0); v.mul(leaf(m, y0)).add(v).backward(); return num(v.grad, 'x.grad'); }, y0 + 1, [y0, 1]],
        ];
        for (const [what, run, want, oneUse] of cases) {
          const got = run();
          if (close(got, want)) continue;
          const detail = t(`(${what} with x = ${x0}: dL/dx is ${r6(got)}, the share of one use only; expected ${r6(want)}.)`,
            `（${what}，x = ${x0}：dL/dx 是 ${r6(got)}，只是其中一处用法的份额；应为 ${r6(want)}。）`);
          if (oneUse.some((w) => close(got, w))) named('assign-not-accumulate', detail);
          fail(t(`${what} with x = ${x0}: dL/dx is ${r6(got)}; expected ${r6(want)}, the sum of the contributions of every use of x (${oneUse.map(r6).join(' + ')}).`,
            `${what}，x = ${x0}：dL/dx 是 ${r6(got)}；应为 ${r6(want)}，即 x 每一处用法贡献之和（${oneUse.map(r6).join(' + ')}）。`),
          { hint: t('Each use of x adds its own share: check the local derivatives of the operations used here (the local-derivatives check tests each one alone).',
            'x 的每一处用法各加上自己的一份：请检查这里用到的运算的局部导数（局部导数那项检查会逐个单独测试它们）。'), expected: show(want), actual: show(got) });
        }
      },
    },
    {
      name: t('a shared sub-expression: its gradient is complete before it is passed on', '共享的子表达式：梯度收齐之后才往下传'),
      task: 'Value',
      run: (m, ctx) => {
        const v = () => Number((ctx.random() * 2 - 1).toFixed(3)) || 0.4;
        for (let s = 0; s < 2; s++) {
          const x = v();
          const y = v() + 1.5;
          // h = x·y is used by p and q; in the second graph h = 1.5x by three nodes; in the third h = tanh(x) twice by one
          // mul. Each twin computes h once per use.
          const shared: AutogradGraph[] = [
            [{ op: 'leaf', value: x }, { op: 'leaf', value: y }, { op: 'mul', a: 0, b: 1 }, { op: 'tanh', a: 2 }, { op: 'exp', a: 2 }, { op: 'add', a: 3, b: 4 }],
            [{ op: 'leaf', value: x }, { op: 'mulc', a: 0, c: 1.5 }, { op: 'tanh', a: 1 }, { op: 'pow', a: 1, k: 2 }, { op: 'mul', a: 2, b: 3 }, { op: 'add', a: 4, b: 1 }],
            [{ op: 'leaf', value: x }, { op: 'tanh', a: 0 }, { op: 'mul', a: 1, b: 1 }, { op: 'exp', a: 2 }],
          ];
          const twins: AutogradGraph[] = [
            [{ op: 'leaf', value: x }, { op: 'leaf', value: y }, { op: 'mul', a: 0, b: 1 }, { op: 'mul', a: 0, b: 1 }, { op: 'tanh', a: 2 }, { op: 'exp', a: 3 }, { op: 'add', a: 4, b: 5 }],
            [{ op: 'leaf', value: x }, { op: 'mulc', a: 0, c: 1.5 }, { op: 'mulc', a: 0, c: 1.5 }, { op: 'mulc', a: 0, c: 1.5 }, { op: 'tanh', a: 1 }, { op: 'pow', a: 2, k: 2 },
              { op: 'mul', a: 4, b: 5 }, { op: 'add', a: 6, b: 3 }],
            [{ op: 'leaf', value: x }, { op: 'tanh', a: 0 }, { op: 'tanh', a: 0 }, { op: 'mul', a: 1, b: 2 }, { op: 'exp', a: 3 }],
          ];
          const sharedNode = [2, 1, 1];
          for (let k = 0; k < shared.length; k++) {
            selfTest(shared[k]);
            const twin = runGraph(m, twins[k]);
            expectNotForwardOrder(twins[k], twin.grads);
            expectGraph(twins[k], twin, t('A graph without shared interior nodes goes wrong already.', '一个没有共享内部节点的计算图就已经出错了。'), GRAPH_HINT);
            const got = runGraph(m, shared[k]);
            expectNotForwardOrder(shared[k], got.grads);
            const ref = autogradRefBackward(shared[k]);
            const h = sharedNode[k];
            const allRight = ref.every((w, i) => close(got.grads[i], w));
            if (!allRight && close(got.grads[h], ref[h])) {
              // The shared node's own gradient is complete, its twin graph is right, but what is below it is not.
              const uses = autogradUses(shared[k])[h];
              named('not-topological', t(`(${listing(shared[k])}: n${h} is used ${uses} times; its own gradient ${r6(ref[h])} is right, but below it x.grad is ${r6(got.grads[0])}, expected ${r6(ref[0])}.)`,
                `（${listing(shared[k])}：n${h} 被使用了 ${uses} 次；它自己的梯度 ${r6(ref[h])} 是对的，但它下面 x.grad 是 ${r6(got.grads[0])}，应为 ${r6(ref[0])}。）`));
            }
            expectGraph(shared[k], got, t('A graph with a shared interior node:', '一个带有共享内部节点的计算图：'), GRAPH_HINT);
          }
        }
      },
    },
    {
      name: t('random expression graphs: every node\'s gradient matches a float64 reference', '随机表达式图：每个节点的梯度都与 float64 参考一致'),
      task: 'Value',
      run: (m, ctx) => {
        for (let s = 0; s < 8; s++) {
          const g = autogradRandomGraph(ctx.random, 4, 14 + s);
          selfTest(g);
          const got = runGraph(m, g);
          if (s === 0) {
            const ref = autogradRefBackward(g);
            ctx.artifact({ kind: 'table', title: t('A random expression graph: your gradients and the reference', '一个随机表达式图：你的梯度与参考值'),
              columns: [t('node', '节点'), 'data', t('your grad', '你的 grad'), t('reference grad', '参考 grad')],
              rows: g.map((_, i) => [autogradDescribe(g, i), r6(got.data[i]), r6(got.grads[i]), r6(ref[i])]) });
          }
          expectNotForwardOrder(g, got.grads);
          expectGraph(g, got, t(`Random graph ${s + 1} of 8:`, `第 ${s + 1} 个随机图（共 8 个）：`), GRAPH_HINT);
        }
      },
    },
    {
      name: t('backward() twice gives the same gradients', '调用两次 backward() 得到相同的梯度'),
      task: 'Value',
      run: (m, ctx) => {
        for (let s = 0; s < 2; s++) {
          // No sub or div: written from add, mul and pow they hold hidden interior nodes, whose left-over gradients
          // the simulation of a second call without zeroing (autogradSecondCall) cannot see.
          const g = autogradRandomGraph(ctx.random, 3, 10, ['add', 'mul', 'pow', 'tanh', 'exp', 'neg', 'addc', 'mulc']);
          const vs = build(m, g);
          const root = vs[vs.length - 1];
          root.backward();
          const first = vs.map((v, i) => num(v.grad, `n${i}.grad`));
          expectGraph(g, { grads: first, data: vs.map((v) => v.data) }, t('The first backward() already gives wrong gradients:', '第一次 backward() 得到的梯度就已经错了：'), GRAPH_HINT);
          root.backward();
          const second = vs.map((v, i) => num(v.grad, `n${i}.grad`));
          const i = second.findIndex((v, j) => !close(v, first[j]));
          if (i < 0) continue;
          const detail = t(`(${autogradDescribe(g, i)}: .grad ${r6(first[i])} after the first call, ${r6(second[i])} after the second.)`,
            `（${autogradDescribe(g, i)}：第一次调用后 .grad 是 ${r6(first[i])}，第二次调用后是 ${r6(second[i])}。）`);
          const isLeaf = g.map((n) => n.op === 'leaf');
          const last = g.length - 1;
          if (second.every((v, j) => close(v, isLeaf[j] && j !== last ? 2 * first[j] : first[j]))) named('grads-accumulate', detail);
          if ([1, 2].some((seed) => autogradSecondCall(g, seed).every((w, j) => close(second[j], w)))) named('grads-not-zeroed', detail);
          fail(cat([t('backward() twice on the same graph gave different gradients: a second call must give the same result.', '在同一个计算图上调用两次 backward() 得到的梯度不同：第二次调用必须得到相同的结果。'), detail]),
            { hint: M['grads-not-zeroed'].hint, expected: show(first[i]), actual: show(second[i]) });
        }
      },
    },
    {
      name: t('a chain of 50,000 operations: backward() needs no recursion', '一条 50,000 次运算的链：backward() 不能用递归'),
      task: 'Value',
      run: (m, ctx) => {
        const steps = 25_000;
        const x = leaf(m, 0.5);
        const leaves: V[] = [];
        const scales: number[] = [];
        let v = x;
        let sum = 0.5;
        for (let i = 0; i < steps; i++) {
          const s = i % 7 === 0 ? Number((ctx.random() * 2 - 1).toFixed(2)) : 1 - (i % 3) * 0.5;
          const l = leaf(m, ((i % 5) - 2) / 100);
          v = v.add(l.mul(s));
          leaves.push(l);
          scales.push(s);
          sum += l.data * s;
        }
        try {
          v.backward();
        } catch (e) {
          if (e instanceof Error && (e.name === 'RangeError' || /call stack/i.test(e.message))) {
            named('recursive-stack-overflow', t(`(${e.name}: ${e.message})`, `（${e.name}：${e.message}）`));
          }
          throw e;
        }
        const what = t('On a chain x → v = v.add(l_i.mul(s_i)) of 25,000 steps (50,000 operations):', '在一条 x → v = v.add(l_i.mul(s_i))、共 25,000 步（50,000 次运算）的链上：');
        if (!close(num(v.data, 'L.data'), sum)) fail(cat([what, t(`L.data is ${r6(v.data)}; expected ${r6(sum)}.`, `L.data 是 ${r6(v.data)}；应为 ${r6(sum)}。`)]));
        if (!close(num(x.grad, 'x.grad'), 1)) fail(cat([what, t(`x.grad is ${r6(x.grad)}; expected 1.`, `x.grad 是 ${r6(x.grad)}；应为 1。`)]), { hint: GRAPH_HINT, expected: show(1), actual: show(x.grad) });
        const i = leaves.findIndex((l, j) => !close(num(l.grad, `l_${j}.grad`), scales[j]));
        if (i >= 0) {
          fail(cat([what, t(`l_${i}.grad is ${r6(leaves[i].grad)}; expected s_${i} = ${scales[i]}.`, `l_${i}.grad 是 ${r6(leaves[i].grad)}；应为 s_${i} = ${scales[i]}。`)]),
            { hint: GRAPH_HINT, expected: show(scales[i]), actual: show(leaves[i].grad) });
        }
      },
    },
  ],
});
