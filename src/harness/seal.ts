/**
 * The runner's signed channel. The host gives each run a fresh random key in the `run` message, which
 * arrives before any learner code loads; the worker keeps it in a closure and signs every event it sends
 * (HMAC-SHA-256 over the event's JSON text, with a sequence number). The host accepts only events whose
 * signature checks out, in sequence: a message learner code writes itself (through process.send, a patched
 * serializer or the IPC file descriptor) cannot carry a valid signature, so it is rejected as tampering.
 *
 * Why SHA-256 is written out here (FIPS 180-4, RFC 2104) instead of taken from node:crypto or a library:
 * in the runner it computes with the key while learner code shares the process. Library code reaches the
 * key through typed-array and stream methods that learner code can replace (and that cannot be frozen without
 * making the kit four times slower); this code calls no such method: it uses plain numbers, string indexing and
 * indexed access to typed arrays it allocated when it loaded (see below), none of which learner code can reach or
 * redefine. The host checks signatures with the same function, and a unit test checks it against node:crypto.
 */

/** What travels over IPC after `ready`: a JSON text and its signature (hex). */
export interface Sealed {
  body: string;
  mac: string;
}

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/*
 * The hash works on fixed buffers allocated once, when this module loads (before any learner code runs): the
 * message schedule and the state are Uint32Arrays read and written by index only. Indexed access to a typed
 * array calls no method and consults no prototype, so nothing learner code can replace is on the path; and unlike
 * plain arrays that grow (which V8 compiles on the assumption that Array.prototype was never changed, undone by
 * lockdown's freezing it: signing got 15 times slower after lockdown), these stay fast. Not reentrant: each call
 * runs to completion synchronously.
 */
const W = new Uint32Array(64);
const S = new Uint32Array(8);
const KW = new Uint32Array(K);
let filled = 0;
let length = 0;

function begin(): void {
  for (let i = 0; i < 8; i++) S[i] = H0[i];
  filled = 0;
  length = 0;
}

function compress(): void {
  for (let t = 16; t < 64; t++) {
    const a = W[t - 15];
    const b = W[t - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[t] = W[t - 16] + s0 + W[t - 7] + s1;
  }
  let a = S[0], b = S[1], c = S[2], d = S[3], e = S[4], f = S[5], g = S[6], h = S[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + KW[t] + W[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  S[0] += a; S[1] += b; S[2] += c; S[3] += d; S[4] += e; S[5] += f; S[6] += g; S[7] += h;
}

/** One byte (0..255) more of the message. */
function push(byte: number): void {
  const i = filled >> 2;
  const shift = 24 - ((filled & 3) << 3);
  W[i] = (filled & 3) === 0 ? byte << shift : W[i] | (byte << shift);
  filled++;
  length++;
  if (filled === 64) {
    compress();
    filled = 0;
  }
}

/** The UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does). */
function pushUtf8(s: string): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) push(c);
    else if (c < 0x800) { push(0xc0 | (c >> 6)); push(0x80 | (c & 63)); }
    else if (c < 0x10000) { push(0xe0 | (c >> 12)); push(0x80 | ((c >> 6) & 63)); push(0x80 | (c & 63)); }
    else { push(0xf0 | (c >> 18)); push(0x80 | ((c >> 12) & 63)); push(0x80 | ((c >> 6) & 63)); push(0x80 | (c & 63)); }
  }
}

/** Pads, and leaves the digest in S. */
function finish(): void {
  const bits = length * 8;
  push(0x80);
  while (filled !== 56) push(0);
  const high = (length / 0x20000000) >>> 0; // bits / 2^32
  const low = bits >>> 0;
  for (let k = 24; k >= 0; k -= 8) push((high >>> k) & 255);
  for (let k = 24; k >= 0; k -= 8) push((low >>> k) & 255);
}

/** The digest in S as 32 bytes (plain numbers). */
function digest(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 32; i++) out[i] = (S[i >> 2] >>> (24 - ((i & 3) << 3))) & 255;
  return out;
}

/** SHA-256 of bytes (plain numbers 0..255), as 32 bytes. */
export function sha256(bytes: number[]): number[] {
  begin();
  for (let i = 0; i < bytes.length; i++) push(bytes[i]);
  finish();
  return digest();
}

const HEX = '0123456789abcdef';

/** HMAC-SHA-256 of a string under a key of 32 bytes, as hex. */
export function macOf(key: number[], body: string): string {
  begin();
  for (let i = 0; i < 64; i++) push((i < key.length ? key[i] : 0) ^ 0x36);
  pushUtf8(body);
  finish();
  const inner = digest();
  begin();
  for (let i = 0; i < 64; i++) push((i < key.length ? key[i] : 0) ^ 0x5c);
  for (let i = 0; i < 32; i++) push(inner[i]);
  finish();
  let s = '';
  for (let i = 0; i < 8; i++) for (let k = 28; k >= 0; k -= 4) s += HEX[(S[i] >>> k) & 15];
  return s;
}

export function keyFromHex(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < text.length; i += 2) out[out.length] = parseInt(text.slice(i, i + 2), 16);
  return out;
}

/** Constant-time comparison of two hex strings of the same length. */
export function sameMac(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function isSealed(v: unknown): v is Sealed {
  return typeof v === 'object' && v !== null && typeof (v as Sealed).body === 'string' && typeof (v as Sealed).mac === 'string';
}
