import { createHash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) for signing many short messages under one key, as the send path
 * signs a link code for every recipient. The key's inner and outer pads are hashed once, when the key
 * is made, so a message of up to 55 bytes costs two SHA-256 compressions and allocates no buffer. Node's
 * `createHmac` hashes both pads again for every message and crosses into C++ three times, several times
 * slower (docs/benchmarks.md). The result is the same MAC, bit for bit; tests/unit/hmac-sha256.test.ts
 * checks it against `createHmac` on random keys and messages.
 */
export class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #state = new Int32Array(8);
  #buffer = new Uint8Array(256);

  constructor(key: string | Uint8Array) {
    let k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (k.length > BLOCK) k = createHash('sha256').update(k).digest();
    const pad = new Uint8Array(BLOCK);
    for (const [state, byte] of [
      [this.#inner, 0x36],
      [this.#outer, 0x5c],
    ] as const) {
      pad.fill(byte);
      for (let i = 0; i < k.length; i++) pad[i] = (pad[i] as number) ^ (k[i] as number);
      state.set(IV);
      compress(state, pad, 0);
    }
  }

  /** The MAC of `message` (UTF-8) as eight 32-bit big-endian words, unsigned. */
  words(message: string): number[] {
    this.#sign(message);
    return Array.from(this.#state, (w) => w >>> 0);
  }

  /** The MAC's first 64 bits as two unsigned 32-bit words, high first (what a link code needs). */
  first64(message: string): [number, number] {
    this.#sign(message);
    return [(this.#state[0] as number) >>> 0, (this.#state[1] as number) >>> 0];
  }

  #sign(message: string): void {
    // The message after the inner pad's block, padded: 0x80, zeros, and the bit length in 8 bytes.
    if (message.length * 3 + BLOCK + 9 > this.#buffer.length)
      this.#buffer = new Uint8Array(message.length * 3 + 2 * BLOCK);
    const buf = this.#buffer;
    const { written: n } = ENCODER.encodeInto(message, buf);
    const end = Math.ceil((n + 9) / BLOCK) * BLOCK;
    buf[n] = 0x80;
    buf.fill(0, n + 1, end - 8);
    writeLength(buf, end, BLOCK + n);
    const h = this.#state;
    h.set(this.#inner);
    for (let at = 0; at < end; at += BLOCK) compress(h, buf, at);
    // The outer hash: the outer pad's block, then the 32-byte inner digest padded into one block.
    for (let i = 0; i < 8; i++) {
      const w = h[i] as number;
      buf[4 * i] = w >>> 24;
      buf[4 * i + 1] = w >>> 16;
      buf[4 * i + 2] = w >>> 8;
      buf[4 * i + 3] = w;
    }
    buf[32] = 0x80;
    buf.fill(0, 33, BLOCK - 8);
    writeLength(buf, BLOCK, BLOCK + 32);
    h.set(this.#outer);
    compress(h, buf, 0);
  }
}

const BLOCK = 64;
const ENCODER = new TextEncoder();

/** The 64-bit big-endian bit count of `bytes` bytes, in the last 8 bytes before `end`. */
function writeLength(buf: Uint8Array, end: number, bytes: number): void {
  const hi = Math.floor(bytes / 2 ** 29); // bits = bytes * 8: the part above 2^32
  const lo = (bytes * 8) >>> 0;
  buf[end - 8] = hi >>> 24;
  buf[end - 7] = hi >>> 16;
  buf[end - 6] = hi >>> 8;
  buf[end - 5] = hi;
  buf[end - 4] = lo >>> 24;
  buf[end - 3] = lo >>> 16;
  buf[end - 2] = lo >>> 8;
  buf[end - 1] = lo;
}

const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const W = new Int32Array(64);

/** One SHA-256 compression of the 64-byte block at `bytes[at..]` into the state `h`. */
function compress(h: Int32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + 4 * i;
    W[i] =
      ((bytes[j] as number) << 24) |
      ((bytes[j + 1] as number) << 16) |
      ((bytes[j + 2] as number) << 8) |
      (bytes[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15] as number;
    const w2 = W[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = h[0] as number;
  let b = h[1] as number;
  let c = h[2] as number;
  let d = h[3] as number;
  let e = h[4] as number;
  let f = h[5] as number;
  let g = h[6] as number;
  let k = h[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + s1 + ch + (K[i] as number) + (W[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + s0 + maj) | 0;
  }
  h[0] = ((h[0] as number) + a) | 0;
  h[1] = ((h[1] as number) + b) | 0;
  h[2] = ((h[2] as number) + c) | 0;
  h[3] = ((h[3] as number) + d) | 0;
  h[4] = ((h[4] as number) + e) | 0;
  h[5] = ((h[5] as number) + f) | 0;
  h[6] = ((h[6] as number) + g) | 0;
  h[7] = ((h[7] as number) + k) | 0;
}
