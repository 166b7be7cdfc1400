/** Expected and actual values as diff text for the Test Explorer: tensors laid out by rows, same format both sides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberText, valueText } from '../../src/core/valueText';

test('numbers keep six significant digits and name non-finite values', () => {
  assert.equal(numberText(0.09003057317038046), '0.0900306');
  assert.equal(numberText(3), '3');
  assert.equal(numberText(NaN), 'NaN');
  assert.equal(numberText(-Infinity), '-Infinity');
  assert.equal(valueText({ kind: 'number', value: 1.5 }), '1.5');
  assert.equal(valueText({ kind: 'text', text: 'undefined' }), 'undefined');
});

test('a matrix is written one row per line with aligned columns', () => {
  assert.equal(valueText({ kind: 'tensor', shape: [2, 3], data: [1, 2, 3, 40, 5, 6] }),
    'shape [2, 3]\n[[ 1,  2,  3],\n [40,  5,  6]]');
});

test('a 3-D tensor separates its matrices by a blank line, like NumPy', () => {
  assert.equal(valueText({ kind: 'tensor', shape: [2, 1, 2], data: [1, 2, 3, 4] }),
    'shape [2, 1, 2]\n[[[1, 2]],\n\n [[3, 4]]]');
});

test('vectors, scalars and empty tensors', () => {
  assert.equal(valueText({ kind: 'tensor', shape: [3], data: [0.5, NaN, 2] }), 'shape [3]\n[0.5, NaN,   2]');
  assert.equal(valueText({ kind: 'tensor', shape: [], data: [7] }), 'shape []\n7');
  assert.equal(valueText({ kind: 'tensor', shape: [0], data: [] }), 'shape [0]\n[]');
});

test('a capped tensor shows the values that were kept and how many were left out', () => {
  assert.equal(valueText({ kind: 'tensor', shape: [2, 3], data: [1, 2], truncated: true }), 'shape [2, 3]\n[1, 2, … (4 more)]');
});
