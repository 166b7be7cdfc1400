/** The runner's signatures: the hand-written HMAC-SHA-256 (seal.ts) agrees with node:crypto on every kind of text. */
import { keepNonFinite, reviveNonFinite } from '../../src/harness/protocol';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { keyFromHex, macOf, sameMac, sha256 } from '../../src/harness/seal';

test('sha256 matches node:crypto, across block boundaries', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000]) {
    const bytes = [...randomBytes(n)];
    assert.equal(Buffer.from(sha256(bytes)).toString('hex'), createHash('sha256').update(Buffer.from(bytes)).digest('hex'), `length ${n}`);
  }
});

test('HMAC-SHA-256 matches node:crypto on ASCII, Chinese, emoji and lone surrogates', () => {
  const key = randomBytes(32);
  for (const text of ['', 'abc', '{"seq":1,"event":{"type":"plan"}}', '尚未实现：softmax 仍在调用 TODO', '🐋 Moby-Dick 🐳', 'x\ud800y', 'a'.repeat(200_000)]) {
    assert.equal(macOf([...key], text), createHmac('sha256', key).update(Buffer.from(text, 'utf8')).digest('hex'), JSON.stringify(text.slice(0, 20)));
  }
  assert.deepEqual(keyFromHex(key.toString('hex')), [...key]);
});

test('a changed body, a changed key or a changed signature does not verify', () => {
  const key = [...randomBytes(32)];
  const mac = macOf(key, 'passed');
  assert.ok(sameMac(mac, macOf(key, 'passed')));
  assert.ok(!sameMac(mac, macOf(key, 'failed')));
  assert.ok(!sameMac(mac, macOf([...randomBytes(32)], 'passed')));
  assert.ok(!sameMac(mac, mac.slice(0, -1) + (mac.endsWith('0') ? '1' : '0')));
  assert.ok(!sameMac(mac, ''));
});

test('NaN and ±Infinity cross the runner\'s JSON as themselves, not as null; other values are untouched', () => {
  const event = { actual: { kind: 'tensor', shape: [4], data: [NaN, Infinity, -Infinity, 1.5] }, value: NaN, text: 'NaN', obj: { $number: 'x' } };
  const back = JSON.parse(JSON.stringify(event, keepNonFinite), reviveNonFinite) as typeof event;
  assert.deepEqual(back.actual.data, [NaN, Infinity, -Infinity, 1.5]);
  assert.ok(Number.isNaN(back.value));
  assert.equal(back.text, 'NaN');
  assert.deepEqual(back.obj, { $number: 'x' }, 'an object that only looks like an encoded number is left alone');
  // Without the replacer, JSON loses them: the reason for it.
  assert.deepEqual((JSON.parse(JSON.stringify(event)) as typeof event).actual.data, [null, null, null, 1.5]);
});
