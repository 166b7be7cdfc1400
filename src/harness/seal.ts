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
 * making the kit four times slower); this code uses only plain numbers, plain arrays and string indexing, whose
 * built-ins lockdown.ts freezes. The host checks signatures with the same function, and a unit test checks it
 * against node:crypto.
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

/** The UTF-8 bytes of a string, as plain numbers (lone surrogates become U+FFFD, as TextEncoder does). */
function utf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out[out.length] = c;
    else if (c < 0x800) { out[out.length] = 0xc0 | (c >> 6); out[out.length] = 0x80 | (c & 63); }
    else if (c < 0x10000) { out[out.length] = 0xe0 | (c >> 12); out[out.length] = 0x80 | ((c >> 6) & 63); out[out.length] = 0x80 | (c & 63); }
    else { out[out.length] = 0xf0 | (c >> 18); out[out.length] = 0x80 | ((c >> 12) & 63); out[out.length] = 0x80 | ((c >> 6) & 63); out[out.length] = 0x80 | (c & 63); }
  }
  return out;
}

/** SHA-256 of bytes (plain numbers 0..255), as 32 bytes. */
export function sha256(bytes: number[]): number[] {
  const n = bytes.length;
  const total = ((n + 9 + 63) >> 6) << 6; // message, 0x80, 64-bit length, padded to 64 bytes
  const h = [H0[0], H0[1], H0[2], H0[3], H0[4], H0[5], H0[6], H0[7]];
  const w: number[] = [];
  const at = (i: number): number => (i < n ? bytes[i] : i === n ? 0x80 : i >= total - 4 ? ((n * 8) >>> ((total - 1 - i) * 8)) & 255 : 0);
  for (let block = 0; block < total; block += 64) {
    for (let t = 0; t < 16; t++) {
      const i = block + 4 * t;
      w[t] = ((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3)) >>> 0;
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + w[t]) >>> 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    h[0] = (h[0] + a) >>> 0; h[1] = (h[1] + b) >>> 0; h[2] = (h[2] + c) >>> 0; h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0; h[5] = (h[5] + f) >>> 0; h[6] = (h[6] + g) >>> 0; h[7] = (h[7] + hh) >>> 0;
  }
  const out: number[] = [];
  for (let i = 0; i < 8; i++) { out[4 * i] = h[i] >>> 24; out[4 * i + 1] = (h[i] >>> 16) & 255; out[4 * i + 2] = (h[i] >>> 8) & 255; out[4 * i + 3] = h[i] & 255; }
  return out;
}

const HEX = '0123456789abcdef';

/** HMAC-SHA-256 of a string under a key of 32 bytes, as hex. */
export function macOf(key: number[], body: string): string {
  const inner: number[] = [];
  const outer: number[] = [];
  for (let i = 0; i < 64; i++) { const k = i < key.length ? key[i] : 0; inner[i] = k ^ 0x36; outer[i] = k ^ 0x5c; }
  const message = utf8(body);
  for (let i = 0; i < message.length; i++) inner[64 + i] = message[i];
  const innerHash = sha256(inner);
  for (let i = 0; i < 32; i++) outer[64 + i] = innerHash[i];
  const mac = sha256(outer);
  let s = '';
  for (let i = 0; i < mac.length; i++) s += HEX[mac[i] >> 4] + HEX[mac[i] & 15];
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
