import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_TAGGED_SEND_ID_BYTES,
  SES_TAG_TEXT,
  type SesTag,
  sendOfSesTags,
  sesSendTags,
} from '../../shared/delivery/senders/ses-message-tags.ts';

/** What SES publishes in an event's `mail.tags` for the tags a message was sent with. */
const published = (tags: SesTag[]): Record<string, string[]> => ({
  'ses:configuration-set': ['campaign-events'],
  ...Object.fromEntries(tags.map((t) => [t.Name, [t.Value]])),
});
const tagsOf = (customerId: string, campaign = 'd11', wave = 'w1') => {
  const out = sesSendTags({ campaign, wave, send: `${campaign}/${wave}/${customerId}` });
  if (!out.ok) throw new Error(out.error);
  return out.tags;
};

describe('SES message tags that name a send', () => {
  it('round-trip any customer id within SES’s tag characters and lengths', () => {
    const prefixBytes = 'd11/w1/'.length;
    fc.assert(
      fc.property(
        fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 300 })
          .filter((id) => Buffer.byteLength(id) + prefixBytes <= MAX_TAGGED_SEND_ID_BYTES),
        (customerId) => {
          const tags = tagsOf(customerId);
          for (const t of tags) {
            expect(t.Name).toMatch(SES_TAG_TEXT);
            expect(t.Value).toMatch(SES_TAG_TEXT);
          }
          expect(sendOfSesTags(published(tags))).toEqual({
            ok: true,
            campaignId: 'd11',
            waveId: 'w1',
            customerId,
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('names `:`, `/`, Chinese and `_` ids apart from their look-alikes', () => {
    const ids = ['vip:2025/001', 'vip_2025_001', 'vip/2025/001', '会员/张伟:上海', '________'];
    const decoded = ids.map((id) => {
      const s = sendOfSesTags(published(tagsOf(id)));
      return s?.ok ? s.customerId : s;
    });
    expect(decoded).toEqual(ids);
  });

  it('splits a long send id over send-id, send-id-2, … and refuses one longer than the tags carry', () => {
    const long = '顾'.repeat(240); // 720 bytes
    const tags = tagsOf(long);
    expect(tags.map((t) => t.Name)).toEqual([
      'campaign',
      'wave',
      'send-id',
      'send-id-2',
      'send-id-3',
      'send-id-4',
    ]);
    expect(sendOfSesTags(published(tags))).toMatchObject({ ok: true, customerId: long });
    const tooLong = sesSendTags({ campaign: 'd11', wave: 'w1', send: `d11/w1/${'x'.repeat(762)}` });
    expect(tooLong).toEqual({
      ok: false,
      error: 'send id is 769 UTF-8 bytes; SES tags carry 768 at most (shorten the customer id)',
    });
    expect(sesSendTags({ campaign: 'd11', wave: 'w1', send: 'd11/w1/\ud800' })).toEqual({
      ok: false,
      error: 'send id is not well-formed Unicode',
    });
    // Campaign and wave ids are slugs; anything else could not be a tag value.
    expect(sesSendTags({ campaign: 'd 11', wave: 'w1', send: 'd 11/w1/c1' })).toMatchObject({ ok: false });
  });

  it('refuses tags that do not decode to a send of the tagged campaign and wave', () => {
    const tags = published(tagsOf('c1'));
    expect(sendOfSesTags({ ...tags, wave: ['w2'] })).toEqual({
      ok: false,
      reason: 'ses: send-id tag does not name a send of the tagged campaign and wave',
    });
    expect(sendOfSesTags({ ...tags, 'send-id': ['ZDExL3cxL2Mx='] })).toMatchObject({ ok: false });
    // 0xFF is not UTF-8.
    expect(sendOfSesTags({ ...tags, 'send-id': [Buffer.from([0xff]).toString('base64url')] })).toEqual({
      ok: false,
      reason: 'ses: send-id tag is not base64url of UTF-8 text',
    });
    expect(sendOfSesTags({ 'ses:configuration-set': ['campaign-events'] })).toBeNull();
    expect(sendOfSesTags(undefined)).toBeNull();
  });

  it('reads the send tag of emails sent before send-id tags only where it is unambiguous', () => {
    const legacy = (send: string) => sendOfSesTags({ campaign: ['d11'], wave: ['w1'], send: [send] });
    expect(legacy('d11_w1_c1')).toEqual({ ok: true, campaignId: 'd11', waveId: 'w1', customerId: 'c1' });
    // `vip_2025_001` may have been vip:2025/001, vip/2025/001, 会员… or vip_2025_001 itself.
    expect(legacy('d11_w1_vip_2025_001')).toEqual({
      ok: false,
      reason:
        'ses: send tag from before send-id tags with "_" in the customer part: the customer is ambiguous',
    });
    expect(legacy('other_w1_c1')).toMatchObject({ ok: false });
    expect(sendOfSesTags({ campaign: ['d11'], wave: ['w1'] })).toBeNull();
  });
});
