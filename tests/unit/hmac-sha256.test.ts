import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../shared/delivery/links/hmac-sha256.ts';

const nodeWords = (key: string | Uint8Array, message: string) => {
  const mac = createHmac('sha256', key).update(message, 'utf8').digest();
  return Array.from({ length: 8 }, (_, i) => mac.readUInt32BE(4 * i));
};

describe('HMAC-SHA256 with the pads hashed once', () => {
  it('is the MAC createHmac computes, for any key and message (lengths across block boundaries, any Unicode)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 150 })),
        fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { minLength: 1, maxLength: 5 }),
        (key, messages) => {
          const mac = new HmacSha256(key);
          // One instance signs many messages: no state may leak from one message to the next.
          for (const m of messages) expect(mac.words(m)).toEqual(nodeWords(key, m));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('handles every padding length around one and two blocks, and long messages', () => {
    const mac = new HmacSha256('a link secret of the shop');
    for (let n = 0; n <= 200; n++) {
      const m = 'x'.repeat(n);
      expect(mac.words(m)).toEqual(nodeWords('a link secret of the shop', m));
    }
    const long = '日本語のメッセージ'.repeat(500);
    expect(mac.words(long)).toEqual(nodeWords('a link secret of the shop', long));
    expect(mac.first64('x')).toEqual(nodeWords('a link secret of the shop', 'x').slice(0, 2));
  });

  it('hashes a key longer than a block first, as RFC 2104 says, and pads shorter ones', () => {
    for (const n of [0, 1, 31, 32, 63, 64, 65, 100, 128, 129, 300]) {
      const key = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) % 256);
      expect(new HmacSha256(key).words('click\nd11/w1/c1'), `key of ${n} bytes`).toEqual(
        nodeWords(key, 'click\nd11/w1/c1'),
      );
    }
  });
});
