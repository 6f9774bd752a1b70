import fc from 'fast-check';
import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { chooseVariant } from '../../shared/delivery/render/choose-variant.ts';
import {
  type RenderInput,
  renderMessage,
  renderTemplate,
  simpleParts,
  templateUsesProducts,
} from '../../shared/delivery/render/render-message.ts';
import { sampleTemplateContext } from '../../shared/delivery/template-context.ts';

const campaign = Campaign.parse({
  id: 'r1',
  name: 'Render',
  channels: {
    email: { from: 'shop <crm@shop.example.com>' },
    sms: { signature: '【小店】', optOutText: '回T退订', maxSegments: 2 },
    'call-list': {},
  },
  costs: { email: 0.01, smsPerSegment: 0.05, 'call-list': 2 },
  waves: [
    {
      id: 'w1',
      start: '2026-11-11T10:00',
      audience: { where: { everyone: true } },
      channel: 'email',
      fallback: ['sms', 'call-list'],
      link: 'https://shop.example.com/d11',
      offer: { type: 'coupon', title: '满100减10', code: 'X10', value: 10, minSpend: 100 },
      variants: [
        {
          id: 'a',
          split: 50,
          templates: {
            email: {
              subject: '{{ customer.name }}的{{ offer.title }}',
              html: '<p>{{ customer.name }}</p><a href="{{ link }}">go</a>',
            },
            sms: '{{ signature }}{{ customer.name }}，{{ offer.title }} {{ link }} {{ optOut }}',
            'call-list': { talkingPoints: '问候{{ customer.name }}' },
          },
        },
        {
          id: 'b',
          split: 50,
          templates: {
            email: { subject: 'B', html: '<p>B</p>' },
            sms: '{{ signature }}B {{ optOut }}',
            'call-list': { talkingPoints: 'B' },
          },
        },
      ],
    },
  ],
});
const wave = campaign.waves[0] ?? (undefined as never);
const input = (over: Partial<RenderInput> = {}): RenderInput => ({
  campaign,
  wave,
  variantId: 'a',
  channel: 'email',
  recipient: { name: '王<script>alert(1)</script>', province: '浙江省', city: '杭州市', memberTier: 'gold' },
  links: { click: 'https://s.example.cn/AAAA', unsubscribe: 'https://s.example.cn/u/AAAA' },
  ...over,
});

describe('renderMessage', () => {
  it('lists the wave’s products with this send’s link for each, escaped in HTML, only where a template uses them', () => {
    const withProducts = Campaign.parse({
      ...campaign,
      waves: [
        {
          ...wave,
          products: [
            { sku: 'coat-1', url: 'https://shop.example/coat', name: '大衣<b>' },
            { sku: '羽绒服:2026W', url: 'https://shop.example/down' },
          ],
          variants: [
            {
              id: 'a',
              split: 50,
              templates: {
                email: {
                  subject: '{{ products[0].name }}',
                  html: '{% for p in products %}<a href="{{ p.url }}">{{ p.name }}</a>{% endfor %}',
                },
                sms: '{{ signature }}{{ products[1].name }} {{ products[1].url }} {{ optOut }}',
                'call-list': { talkingPoints: '问候' },
              },
            },
            ...(wave.variants ?? []).slice(1), // variant b as it is
          ],
        },
      ],
    });
    const w = withProducts.waves[0] ?? (undefined as never);
    expect(['email', 'sms', 'call-list'].map((ch) => templateUsesProducts(w, 'a', ch as 'sms'))).toEqual([
      true,
      true,
      false,
    ]);
    expect(templateUsesProducts(w, 'b', 'email')).toBe(false);
    expect(templateUsesProducts(wave, 'a', 'email')).toBe(false);
    const links = {
      click: 'https://s.example.cn/AAAA',
      unsubscribe: 'https://s.example.cn/u/AAAA',
      products: [
        { sku: '羽绒服:2026W', url: 'https://s.example.cn/DOWN' },
        { sku: 'coat-1', url: 'https://s.example.cn/COAT' },
      ],
    };
    const email = renderMessage(input({ campaign: withProducts, wave: w, links }));
    expect(email).toMatchObject({
      ok: true,
      message: {
        subject: '大衣<b>',
        html: '<a href="https://s.example.cn/COAT">大衣&lt;b&gt;</a><a href="https://s.example.cn/DOWN">羽绒服:2026W</a>',
      },
    });
    const sms = renderMessage(input({ campaign: withProducts, wave: w, channel: 'sms', links }));
    expect(sms).toMatchObject({
      ok: true,
      message: { text: '【小店】羽绒服:2026W https://s.example.cn/DOWN 回T退订' },
    });
  });

  it('refuses a message whose template shows {{ link }} when the wave has no landing page', () => {
    // Validate refuses such a wave; a config stored before it did must not send a link that leads nowhere.
    const noLink = { ...wave, link: undefined };
    expect(renderMessage(input({ wave: noLink, links: { click: '', unsubscribe: 'u' } }))).toEqual({
      ok: false,
      error: 'no-link: the template uses {{ link }} but the wave has no link',
    });
    expect(renderMessage(input({ wave: noLink, variantId: 'b' }))).toMatchObject({ ok: true });
  });

  it('escapes what it inserts into email HTML, keeps subjects on one line, and adds one-click unsubscribe headers', () => {
    const r = renderMessage(
      input({
        recipient: { name: '王<b>\r\nBcc: x@evil.example', province: null, city: null, memberTier: null },
      }),
    );
    expect(r).toEqual({
      ok: true,
      message: {
        channel: 'email',
        subject: '王<b> Bcc: x@evil.example的满100减10',
        html: '<p>王&lt;b&gt;\r\nBcc: x@evil.example</p><a href="https://s.example.cn/AAAA">go</a>',
        text: null,
        headers: {
          'List-Unsubscribe': '<https://s.example.cn/u/AAAA>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
        cost: 0.01,
      },
    });
  });

  it('offers the customer’s nickname, member tier (Chinese names as they are) and points, escaped in HTML', () => {
    const fields = {
      ...wave,
      variants: undefined,
      templates: {
        email: {
          subject: '{{ customer.nickname }}',
          html: '<p>{{ customer.nickname }}·{{ customer.memberTier }}</p>',
        },
        sms: '{{ signature }}亲爱的{{ customer.nickname }}（{{ customer.memberTier }}）积分{{ customer.points }} {{ optOut }}',
      },
    };
    const recipient = {
      name: '王小明',
      nickname: '小明<同学>',
      province: null,
      city: null,
      memberTier: '至尊VIP',
      points: 1288,
    };
    const email = renderMessage(input({ wave: fields, variantId: null, recipient }));
    expect(
      email.ok && email.message.channel === 'email' ? [email.message.subject, email.message.html] : email,
    ).toEqual(['小明<同学>', '<p>小明&lt;同学&gt;·至尊VIP</p>']);
    const sms = renderMessage(input({ wave: fields, variantId: null, channel: 'sms', recipient }));
    expect(sms.ok && sms.message.channel === 'sms' ? sms.message.text : sms).toBe(
      '【小店】亲爱的小明<同学>（至尊VIP）积分1288 回T退订',
    );
    // A recipient queued before nicknames were carried renders an empty one, not an error.
    const old = renderMessage(
      input({
        wave: fields,
        variantId: null,
        channel: 'sms',
        recipient: { ...recipient, nickname: undefined, points: undefined },
      }),
    );
    expect(old.ok && old.message.channel === 'sms' ? old.message.text : old).toBe(
      '【小店】亲爱的（至尊VIP）积分0 回T退订',
    );
  });

  it('prices SMS per billed segment and leaves text unescaped', () => {
    const r = renderMessage(
      input({ channel: 'sms', recipient: { name: '王小明', province: null, city: null, memberTier: null } }),
    );
    // 【小店】王小明，满100减10 https://s.example.cn/AAAA 回T退订 = 45 characters, UCS-2: one segment.
    expect(r).toEqual({
      ok: true,
      message: {
        channel: 'sms',
        text: '【小店】王小明，满100减10 https://s.example.cn/AAAA 回T退订',
        encoding: 'UCS-2',
        segments: 1,
        cost: 0.05,
      },
    });
    const long = renderMessage(
      input({
        channel: 'sms',
        recipient: { name: '长'.repeat(60), province: null, city: null, memberTier: null },
      }),
    );
    expect(
      long.ok && long.message.channel === 'sms' ? [long.message.segments, long.message.cost] : long,
    ).toEqual([2, 0.1]);
  });

  it('adds a lost signature or opt-out line, and fails a message longer than maxSegments instead of cutting it', () => {
    const stripped = { ...wave, templates: { sms: '{{ customer.name }}你好' }, variants: undefined };
    const r = renderMessage(
      input({
        wave: stripped,
        variantId: null,
        channel: 'sms',
        recipient: { name: '李', province: null, city: null, memberTier: null },
      }),
    );
    expect(r.ok && r.message.channel === 'sms' ? r.message.text : r).toBe('【小店】李你好 回T退订');
    const tooLong = renderMessage(
      input({
        channel: 'sms',
        recipient: { name: '长'.repeat(200), province: null, city: null, memberTier: null },
      }),
    );
    expect(tooLong).toEqual({ ok: false, error: 'sms-too-long: 4 segments, max 2' });
  });

  it('fails a message whose output goes over the limit for this recipient, and only that one', () => {
    // Passes validate (the sample name is 4 characters: 12,000 characters out); a 100-character name is 300,000.
    const text = '{% for i in (1..3000) %}{{ customer.name }}{% endfor %}';
    const long = {
      ...wave,
      variants: undefined,
      templates: { email: { subject: 'Hi', html: '<p>Hi</p>', text } },
    };
    const recipient = { name: 'x'.repeat(100), province: null, city: null, memberTier: null };
    expect(renderMessage(input({ wave: long, variantId: null, recipient }))).toEqual({
      ok: false,
      error:
        'render: over the template limits (a message may be at most 262144 characters, got 262200 or more), line:1, col:25',
    });
    const short = renderMessage(input({ wave: long, variantId: null }));
    // The default recipient’s name is 26 characters.
    expect(short.ok && short.message.channel === 'email' && short.message.text?.length).toBe(3000 * 26);
  });

  it('renders talking points for the call list', () => {
    expect(
      renderMessage(
        input({
          channel: 'call-list',
          recipient: { name: '赵', province: null, city: null, memberTier: null },
        }),
      ),
    ).toEqual({
      ok: true,
      message: { channel: 'call-list', talkingPoints: '问候赵', cost: 2 },
    });
  });
});

describe('chooseVariant', () => {
  it('splits by the configured shares and gives a customer the same variant every time', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    const picks = ids.map((id) => chooseVariant(campaign, wave, id));
    const a = picks.filter((p) => p === 'a').length;
    expect(a).toBeGreaterThan(4800);
    expect(a).toBeLessThan(5200);
    expect(ids.map((id) => chooseVariant(campaign, wave, id))).toEqual(picks);
    expect(chooseVariant(campaign, { variants: undefined }, 'c1')).toBeNull();
  });
});

describe('renderTemplate', () => {
  // The reference: liquidjs as configured for each kind of output.
  const liquid = {
    html: new Liquid({ outputEscape: 'escape', strictFilters: true }),
    plain: new Liquid({ strictFilters: true }),
  };
  const paths = [
    'customer.name',
    'customer.city',
    'offer.title',
    'offer.value',
    'link',
    'optOut',
    'shop.name',
  ];
  const hostile = fc.string({
    unit: fc.constantFrom('<', '>', '&', '"', "'", '{', '}', '%', 'a', '店', ' ', '\n'),
  });
  const template = fc
    .array(
      fc.oneof(
        hostile.filter((t) => !/[{}%]/.test(t)),
        fc.constantFrom(...paths).map((p) => `{{ ${p} }}`),
      ),
    )
    .map((parts) => parts.join(''));

  it('gives what liquidjs gives, escaped for HTML or not, whatever the values', () => {
    fc.assert(
      fc.property(template, hostile, hostile, fc.double({ noNaN: true }), (source, name, title, value) => {
        expect(simpleParts(source)).not.toBeNull();
        const ctx = sampleTemplateContext({ offer: { title, value } });
        ctx.customer.name = name;
        for (const kind of ['html', 'plain'] as const)
          expect(renderTemplate(kind, source, ctx)).toBe(liquid[kind].parseAndRenderSync(source, ctx));
      }),
    );
  });

  it('leaves tags, filters and whitespace control to liquidjs', () => {
    const ctx = sampleTemplateContext({ offer: { title: '<b>&</b>' } });
    for (const source of [
      '{{ offer.title | upcase }}',
      '{% if customer.name %}{{ customer.name }}{% endif %}',
      'a {{- offer.title }}',
      '{{ customer.name.size }}',
      '{{ customer }}',
    ]) {
      for (const kind of ['html', 'plain'] as const)
        expect(renderTemplate(kind, source, ctx)).toBe(liquid[kind].parseAndRenderSync(source, ctx));
    }
    expect(simpleParts('{{ offer.title | upcase }}')).toBeNull();
    expect(simpleParts('{% if x %}y{% endif %}')).toBeNull();
  });
});
