/**
 * The autograd lesson beyond its mistake catalogue (test/unit/mistakes/autograd.ts has those): the float64
 * reference its checks trust (src/course/foundations/autograd.ts) is tested here, in process.
 * - The reference agrees with central finite differences on many random graphs, and the reference solution's
 *   Value agrees with the reference on every node.
 * - The two wrong passes the checks simulate to name a mistake (the order walked leaves-first; a second
 *   backward() without zeroing, micrograd's behaviour on a reused graph) are what the solution's own _backward
 *   closures give when run that way, so a check names those mistakes only when they are really there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/kit/random';
import {
  type AutogradGraph, autogradRandomGraph, autogradRefBackward, autogradRefForward, autogradRefSelfTest, autogradSecondCall,
} from '../../src/course/foundations/autograd';
import { Value } from '../../lessons/01a-autograd/value.solution';

const NO_SUB_DIV = ['add', 'mul', 'pow', 'tanh', 'exp', 'neg', 'addc', 'mulc'] as const;

function build(g: AutogradGraph): Value[] {
  const vs: Value[] = [];
  for (const n of g) {
    const a = vs[n.a ?? 0];
    const b = vs[n.b ?? 0];
    switch (n.op) {
      case 'leaf': vs.push(new Value(n.value!)); break;
      case 'add': vs.push(a.add(b)); break;
      case 'mul': vs.push(a.mul(b)); break;
      case 'sub': vs.push(a.sub(b)); break;
      case 'div': vs.push(a.div(b)); break;
      case 'pow': vs.push(a.pow(n.k!)); break;
      case 'tanh': vs.push(a.tanh()); break;
      case 'exp': vs.push(a.exp()); break;
      case 'neg': vs.push(a.neg()); break;
      case 'addc': vs.push(a.add(n.c!)); break;
      case 'mulc': vs.push(a.mul(n.c!)); break;
    }
  }
  return vs;
}

/** Every node the root depends on, each after its children (the solution's own order, rebuilt from .children). */
function topo(root: Value): Value[] {
  const order: Value[] = [];
  const seen = new Set<Value>();
  const visit = (v: Value) => { if (seen.has(v)) return; seen.add(v); v.children.forEach(visit); order.push(v); };
  visit(root);
  return order;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 + 1e-7 * Math.abs(b);

test('autograd reference: agrees with central finite differences, and the reference solution agrees with it', () => {
  const rng = new Rng(7);
  for (let s = 0; s < 40; s++) {
    const g = autogradRandomGraph(() => rng.random(), 3 + (s % 3), 8 + s);
    assert.ok(autogradRefSelfTest(g) < 1e-6, `graph ${s}: reference vs finite differences ${autogradRefSelfTest(g)}`);
    const vs = build(g);
    vs[vs.length - 1].backward();
    const data = autogradRefForward(g);
    const grads = autogradRefBackward(g);
    vs.forEach((v, i) => {
      assert.ok(close(v.data, data[i]), `graph ${s}, n${i}: data ${v.data} vs ${data[i]}`);
      assert.ok(close(v.grad, grads[i]), `graph ${s}, n${i}: grad ${v.grad} vs ${grads[i]}`);
    });
  }
});

test('autograd reference: the simulated wrong passes are what the closures give when run that way', () => {
  const rng = new Rng(11);
  for (let s = 0; s < 20; s++) {
    const g = autogradRandomGraph(() => rng.random(), 3, 10, [...NO_SUB_DIV]);
    const vs = build(g);
    const root = vs[vs.length - 1];
    const order = topo(root);
    // The order walked leaves-first.
    for (const v of order) v.grad = 0;
    root.grad = 1;
    for (const v of order) v._backward();
    const forward = autogradRefBackward(g, 'forward-order');
    vs.forEach((v, i) => assert.ok(close(v.grad, forward[i]), `forward order, graph ${s}, n${i}: ${v.grad} vs ${forward[i]}`));
    // A second pass without zeroing, the output set to 1 again (micrograd's backward() on a reused graph).
    root.backward();
    root.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) order[i]._backward();
    const second = autogradSecondCall(g, 1);
    vs.forEach((v, i) => assert.ok(close(v.grad, second[i]), `second call, graph ${s}, n${i}: ${v.grad} vs ${second[i]}`));
    // And backward() itself starts from zero: twice gives the same.
    root.backward();
    const once = vs.map((v) => v.grad);
    root.backward();
    vs.forEach((v, i) => assert.equal(v.grad, once[i]));
  }
});
