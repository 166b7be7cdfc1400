/** The assertion library: shape first, then values; NaN and Infinity strict; misconceptions named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckFailure, closeEnough, deepEqual, expectClose, expectEqual, expectError, expectShape, expectThrows, expectTrue, show, unravel } from '../../src/core/grading/assert';
import { checkId, defineChecks, localize, seededRandom } from '../../src/core/grading/define';
import { defineMistakes } from '../../src/core/grading/mistakes';
import { setLocale, t } from '../../src/core/grading/text';

function failure(fn: () => void): CheckFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof CheckFailure) return e;
    throw e;
  }
  assert.fail('expected a CheckFailure');
}

test('NaN equals only NaN; Infinity only the same Infinity', () => {
  assert.equal(closeEnough(NaN, NaN, 0, 0), true);
  assert.equal(closeEnough(NaN, 1, 1, 1), false);
  assert.equal(closeEnough(1, NaN, 1, 1), false);
  assert.equal(closeEnough(Infinity, Infinity, 0, 0), true);
  assert.equal(closeEnough(Infinity, -Infinity, 1, 1), false);
  assert.equal(closeEnough(Infinity, 1e308, 1, 1), false);
  assert.equal(closeEnough(1 + 1e-7, 1, 1e-6, 0), true);
  assert.equal(closeEnough(1.01, 1, 1e-6, 1e-6), false);
});

test('shape is compared before values, and the message says both shapes', () => {
  const f = failure(() => expectClose({ data: new Float32Array(6), shape: [3, 2] }, { data: new Float32Array(6), shape: [2, 3] }, { what: 'matmul(a, b)' }));
  assert.equal(f.message, 'matmul(a, b) has shape [3, 2], expected [2, 3]');
});

test('the first differing index is named with both values', () => {
  const f = failure(() => expectClose({ data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] }, { data: Float32Array.of(1, 2, 3, 5), shape: [2, 2] }, { what: 'y' }));
  assert.equal(f.message, 'y[1, 1] is 4, expected 5');
  assert.deepEqual(f.details.firstDifference, { index: [1, 1], expected: 5, actual: 4 });
  assert.deepEqual(f.details.actual, { kind: 'tensor', shape: [2, 2], data: [1, 2, 3, 4], truncated: undefined });
});

test('NaN and Infinity in the result are explained', () => {
  assert.match(failure(() => expectClose([NaN], [1])).message, /is NaN, expected 1 \(NaN: an overflow or 0\/0/);
  assert.match(failure(() => expectClose([Infinity], [1])).message, /is Infinity, expected 1 \(infinite/);
  expectClose([NaN, Infinity], [NaN, Infinity]);
});

test('a value matching a misconception fails with that misconception', () => {
  const f = failure(() => expectClose([2, 4], [1, 2], { misconceptions: [{ value: [3, 3], message: t('no', '不') }, { value: [2, 4], message: t('you doubled it', '你乘了 2'), hint: t('halve', '除以 2') }] }));
  assert.equal(f.message, 'you doubled it');
  assert.equal(f.details.hint, 'halve');
  // A correct value never reports a misconception, even if a misconception equals it.
  expectClose([1, 2], [1, 2], { misconceptions: [{ value: [1, 2], message: t('never', '从不') }] });
});

test('wrong return types are described plainly', () => {
  assert.match(failure(() => expectClose(undefined, [1], { what: 'f(x)' })).message, /f\(x\) returned undefined.*forget to `return`/);
  assert.match(failure(() => expectClose({ values: [1] }, [1], { what: 'f(x)' })).message, /an object with keys \{values\}/);
  assert.match(failure(() => expectClose({ data: 'abc', shape: [3] }, [1, 2, 3], { what: 'f(x)' })).message, /f\(x\)\.data should be a Float32Array/);
  assert.match(failure(() => expectClose({ data: [1], shape: [-1] }, [1], { what: 'f(x)' })).message, /invalid shape/);
});

test('a shape that disagrees with the data length is caught', () => {
  assert.match(failure(() => expectClose({ data: [1, 2, 3], shape: [2, 2] }, { data: [1, 2, 3, 4], shape: [2, 2] })).message, /holds 3 values instead of 4/);
});

test('expectShape, expectEqual, expectTrue and expectThrows', () => {
  expectShape({ data: [1, 2], shape: [1, 2] }, [1, 2]);
  assert.match(failure(() => expectShape({ data: [1, 2], shape: [2] }, [1, 2], 'x')).message, /x has shape \[2\], expected \[1, 2\]/);
  expectEqual([1, 2], [1, 2]);
  assert.match(failure(() => expectEqual([2, 1], [1, 2], 'strides')).message, /strides is \[2, 1\], expected \[1, 2\]/);
  assert.match(failure(() => expectEqual<unknown>('1', 1)).message, /expected 1/);
  assert.equal(failure(() => expectTrue(false, t('rows must sum to 1', '每行之和应为 1'), t('normalise', '归一化'))).details.hint, 'normalise');
  assert.equal(expectError(() => { throw new Error('bad shape'); }, 'f').message, 'bad shape');
  assert.match(failure(() => expectError(() => 1, 'f')).message, /should have thrown/);
  expectThrows(() => { throw new Error('x'); }, 'f');
  assert.match(failure(() => expectThrows(() => 1, 'matmul with bad shapes')).message, /should have thrown/);
});

test('show caps large tensors, unravel is row-major', () => {
  const big = show({ data: new Float32Array(1000), shape: [10, 100] });
  assert.equal(big.kind === 'tensor' && big.data.length, 256);
  assert.equal(big.kind === 'tensor' && big.truncated, true);
  assert.deepEqual(unravel(5, [2, 3]), [1, 2]);
  assert.deepEqual(unravel(0, []), []);
});

test('check ids, duplicate names, seeded random', () => {
  assert.equal(checkId('Softmax: rows sum to 1!'), 'softmax-rows-sum-to-1');
  assert.throws(() => defineChecks({ exports: [], checks: [{ name: t('a', '甲'), run() {} }, { name: t('a', '乙'), run() {} }] }), /duplicate check name "a"/);
  // A name without its Chinese is a lesson bug, caught when the checks load.
  assert.throws(() => defineChecks({ exports: [], checks: [{ name: 'a' as never, run() {} }] }), /must be t\(english, chinese\)/);
  const a = seededRandom(7), b = seededRandom(7), c = seededRandom(8);
  const xs = [a(), a(), a()];
  assert.deepEqual(xs, [b(), b(), b()]);
  assert.notDeepEqual(xs, [c(), c(), c()]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('expectEqual is strict about NaN and ±Infinity (JSON would call them all null)', () => {
  assert.match(failure(() => expectEqual(NaN, Infinity, 'x')).message, /x is NaN, expected Infinity/);
  assert.match(failure(() => expectEqual([Infinity], [-Infinity], 'x')).message, /x is \[Infinity\], expected \[-Infinity\]/);
  assert.match(failure(() => expectEqual([NaN, 1], [null as unknown as number, 1], 'x')).message, /x is \[NaN, 1\]/);
  assert.match(failure(() => expectEqual({ a: 1 }, { a: 1, b: undefined } as { a: number }, 'o')).message, /o is/);
  expectEqual([NaN, Infinity, -0], [NaN, Infinity, 0]);
  assert.equal(deepEqual(Float32Array.of(1, 2), [1, 2]), true);
  assert.equal(deepEqual([1, [2, NaN]], [1, [2, NaN]]), true);
  assert.equal(deepEqual([1, 2], [1, 2, 3]), false);
});

test('failures speak the locale the runner set; mistakes need both languages', () => {
  try {
    setLocale('zh-cn');
    const f = failure(() => expectClose({ data: new Float32Array(2), shape: [2] }, { data: new Float32Array(3), shape: [3] }, { what: 'y' }));
    assert.equal(f.message, 'y 的形状是 [2]，应为 [3]');
    const m = failure(() => expectClose([2], [1], { misconceptions: [{ value: [2], message: t('doubled', '乘了 2'), hint: t('halve', '除以 2') }] }));
    assert.equal(m.message, '乘了 2');
    assert.equal(m.details.hint, '除以 2');
  } finally {
    setLocale('en');
  }
  assert.throws(() => defineMistakes({ a: { message: t('x', ''), hint: t('y', '乙') } }), /mistake "a": message needs a non-empty text in en and zh-cn/);
  assert.throws(() => defineMistakes({ a: { message: t('x', '甲'), hint: 'y' as never } }), /hint/);
  assert.deepEqual(localize({ title: t('loss', '损失'), series: [{ name: t('train', '训练'), x: [1, 2], y: [3, 4] }] }, 'zh-cn'),
    { title: '损失', series: [{ name: '训练', x: [1, 2], y: [3, 4] }] });
  // A table row that starts with a number still has its texts said in the learner's language.
  assert.deepEqual(localize({ rows: [[0, t('params', '参数'), 1.5], ['x', 2]] }, 'zh-cn'), { rows: [[0, '参数', 1.5], ['x', 2]] });
});
