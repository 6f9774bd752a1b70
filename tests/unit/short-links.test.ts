import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../shared/delivery/links/hmac-sha256.ts';
import { JournalLinkStore } from '../../shared/delivery/links/local/journal-link-store.ts';
import { CODE_LENGTH, LinkIssuer, linkCode, resolveLink } from '../../shared/delivery/links/short-links.ts';
import { SAMPLE_SHORT_LINK } from '../../shared/delivery/template-context.ts';

const SECRET = 'a-test-secret-of-32-characters!!';
const NOW = new Date('2026-11-11T00:00:00Z');

describe('tracked short links', () => {
  it('are as short as the sample link that campaign validate measures SMS with, and stable per send', () => {
    const issuer = new LinkIssuer(SECRET, 'https://s.example.cn');
    const a = issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'email');
    expect(a.click).toMatch(/^https:\/\/s\.example\.cn\/[0-9A-Za-z]{10}$/);
    expect(a.click.length).toBe(SAMPLE_SHORT_LINK.length);
    expect(issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'email').click).toBe(a.click);
    expect(issuer.issue('d11/w1/c2', 'https://shop.example/d11', NOW, 'email').click).not.toBe(a.click);
    expect(a.unsubscribe).not.toBe(a.click);
    expect(a.records.map((r) => r.kind)).toEqual(['click', 'unsubscribe']);
    // No unsubscribe link for SMS (its opt-out is the reply keyword), no click link without a target:
    // neither a record nor a link to show, rather than a link the redirect would refuse.
    expect(issuer.issue('d11/w1/c1', null, NOW, 'sms')).toMatchObject({ click: '', records: [] });
  });

  it('resolve to their send; tampered, unknown, forged and expired codes are refused without detail', async () => {
    const store = new JournalLinkStore(join(mkdtempSync(join(tmpdir(), 'links-')), 'links'));
    const issuer = new LinkIssuer(SECRET, 'https://s.example.cn');
    const { records } = issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'email');
    await store.put(records);
    const click = records[0]?.code ?? '';
    expect(await resolveLink(store, SECRET, click, NOW)).toMatchObject({
      ok: true,
      link: { kind: 'click', sendId: 'd11/w1/c1', target: 'https://shop.example/d11' },
    });
    const tampered = `${click.slice(0, -1)}${click.endsWith('A') ? 'B' : 'A'}`;
    expect(await resolveLink(store, SECRET, tampered, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await resolveLink(store, SECRET, "x'; DROP TABLE links; --", NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    // A record planted in the store under a code the secret did not sign.
    const [planted] = records;
    if (!planted) throw new Error('no click link');
    await store.put([{ ...planted, code: 'AAAAAAAAAA', sendId: 'd11/w1/c9' }]);
    expect(await resolveLink(store, SECRET, 'AAAAAAAAAA', NOW)).toEqual({ ok: false, reason: 'invalid' });
    const later = new Date(NOW.getTime() + 91 * 86_400_000);
    expect(await resolveLink(store, SECRET, click, later)).toEqual({ ok: false, reason: 'expired' });
    // The unsubscribe link lasts longer than the click link.
    expect((await resolveLink(store, SECRET, records[1]?.code ?? '', later)).ok).toBe(true);
    await store.close();
  });

  it('give each product its own link per send, only the products asked for, signed with its sku', async () => {
    const issuer = new LinkIssuer(SECRET, 'https://s.example.cn');
    const products = [
      { sku: 'coat-2026A-07', url: 'https://shop.example/coat' },
      { sku: 'socks-2026A-01', url: 'https://shop.example/socks' },
    ];
    const a = issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'sms', products);
    expect(a.products.map((p) => p.sku)).toEqual(['coat-2026A-07', 'socks-2026A-01']);
    const urls = [a.click, ...a.products.map((p) => p.url)];
    expect(new Set(urls).size).toBe(3);
    for (const u of urls) expect(u.length).toBe(SAMPLE_SHORT_LINK.length);
    // Stable per send and product; the landing-page link is the one issued without products.
    expect(issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'sms', products)).toEqual(a);
    expect(issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'sms').click).toBe(a.click);
    expect(issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'sms').products).toEqual([]);
    // A product link without a landing page: only the product links are stored.
    expect(issuer.issue('d11/w1/c1', null, NOW, 'sms', products).records.map((r) => r.sku)).toEqual([
      'coat-2026A-07',
      'socks-2026A-01',
    ]);

    // A record whose sku was changed in the store no longer matches its code's signature.
    const store = new JournalLinkStore(join(mkdtempSync(join(tmpdir(), 'links-')), 'links'));
    const coat = a.records.find((r) => r.sku === 'coat-2026A-07');
    if (!coat) throw new Error('no coat link');
    await store.put([{ ...coat, sku: 'socks-2026A-01', target: 'https://shop.example/socks' }]);
    expect(await resolveLink(store, SECRET, coat.code, NOW)).toEqual({ ok: false, reason: 'invalid' });
    await store.put([coat]);
    expect(await resolveLink(store, SECRET, coat.code, NOW)).toEqual({ ok: true, link: coat });
    await store.close();
  });

  it('depend on the secret', () => {
    expect(linkCode(new HmacSha256(SECRET), 'click', 'x')).toHaveLength(CODE_LENGTH);
    expect(linkCode(new HmacSha256(SECRET), 'click', 'x')).not.toBe(
      linkCode(new HmacSha256(`${SECRET}2`), 'click', 'x'),
    );
    expect(() => new LinkIssuer('short', 'https://s.example.cn')).toThrow(/at least 16/);
  });

  it("are the base-62 digits of the MAC's first 64 bits, so links issued before still resolve", () => {
    // The reference: the 64-bit big-endian prefix of HMAC-SHA256 in base 62 with BigInt, least
    // significant digit first, as links were issued before the Number arithmetic replaced it.
    const reference = (kind: 'click' | 'unsubscribe', sendId: string) => {
      let n = createHmac('sha256', SECRET).update(`${kind}\n${sendId}`).digest().readBigUInt64BE(0);
      let code = '';
      for (let i = 0; i < CODE_LENGTH; i++) {
        code += '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[Number(n % 62n)];
        n /= 62n;
      }
      return code;
    };
    for (let i = 0; i < 2_000; i++) {
      const sendId = `summer-tees-2027/south/c${String(i * 7919).padStart(8, '0')}`;
      expect(linkCode(new HmacSha256(SECRET), 'click', sendId)).toBe(reference('click', sendId));
      expect(linkCode(new HmacSha256(SECRET), 'unsubscribe', sendId)).toBe(reference('unsubscribe', sendId));
    }
  });
});
