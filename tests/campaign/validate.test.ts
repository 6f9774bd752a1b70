import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { configJsonSchema } from '../../shared/campaign/json-schema.ts';
import { ConfigError, formatProblem } from '../../shared/errors.ts';

/** Validates text and returns the formatted problems (empty when valid). */
function problems(text: string, file = 'test.yaml'): string[] {
  try {
    parseConfigText(Campaign, text, file);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
}

const VALID = `id: t1
name: Test
channels:
  sms:
    signature: 【小店】
    optOutText: 回T退订
  email:
    from: shop <crm@shop.example.com>
segments:
  all-buyers:
    where: { recency: { days: { max: 365 } } }
waves:
  - id: first
    start: "2026-11-11T10:00"
    audience: { segment: all-buyers }
    channel: sms
    fallback: [email]
    templates:
      sms: "{{ signature }}{{ customer.name }}，双11快乐 {{ optOut }}"
      email: { subject: Hi, html: "<p>{{ customer.name }}</p>" }
  - id: second
    start: { after: first, offset: 1d }
    sendBy: 6h
    audience: { segment: all-buyers }
    channel: email
    templates:
      email: { subject: Again, html: "<p>{{ link }}</p>" }
    link: https://shop.example.com/d11
`;

describe('campaign validation', () => {
  it('accepts a valid campaign and fills the defaults', () => {
    const c = parseConfigText(Campaign, VALID, 'ok.yaml');
    expect(c.timeZone).toBe('Asia/Shanghai');
    expect(c.currency).toBe('CNY');
    expect(c.holdoutPercent).toBe(0);
    expect(c.waves[0]?.priority).toBe(50);
    expect(c.waves[1]?.category).toBe('marketing');
  });

  it('reports every field problem at once with file:line:column and path', () => {
    const text = VALID.replace('channel: sms', 'channel: wechat')
      .replace('name: Test', 'name: Test\ntimeZone: Mars/Olympus\nholdoutPercent: 60')
      .replace('    fallback: [email]', '    fallback: [email]\n    colour: red');
    expect(problems(text)).toEqual([
      'test.yaml:3:11 timeZone: expected an IANA time zone, e.g. Asia/Shanghai',
      'test.yaml:4:17 holdoutPercent: expected ≤ 50',
      'test.yaml:18:14 waves[0].channel: expected one of email, sms, call-list',
      'test.yaml:20:5 waves[0].colour: unknown field',
    ]);
  });

  it('reports a missing required field where its parent is', () => {
    expect(problems(VALID.replace('name: Test\n', ''))).toEqual(['test.yaml:1:1 name: required']);
  });

  it('checks references: unknown segment, unknown wave, duplicate wave id', () => {
    const text = VALID.replace(
      'audience: { segment: all-buyers }\n    channel: email',
      'audience: { segment: nobody }\n    channel: email',
    )
      .replace('after: first', 'after: zeroth')
      .replace('  - id: second', '  - id: first');
    expect(problems(text)).toEqual([
      'test.yaml:21:9 waves[1].id: duplicate wave id "first"',
      'test.yaml:22:21 waves[1].start.after: unknown wave "zeroth"',
      'test.yaml:24:26 waves[1].audience.segment: unknown segment "nobody"; defined: all-buyers',
    ]);
  });

  it('finds cycles of wave offsets', () => {
    const text = VALID.replace('start: "2026-11-11T10:00"', 'start: { after: second, offset: 1h }');
    expect(problems(text)).toContainEqual(
      expect.stringMatching(
        /waves\[\d\]\.start\.after: wave offsets form a cycle: (first → second → first|second → first → second)/,
      ),
    );
  });

  it('requires the send-by deadline to be after the start', () => {
    const text = VALID.replace('sendBy: 6h', 'sendBy: "2026-11-12T09:00"');
    expect(problems(text)).toEqual([
      'test.yaml:23:13 waves[1].sendBy: the send-by deadline must be after the wave’s start',
    ]);
  });

  it('requires the SMS signature and opt-out text, and a length within maxSegments', () => {
    const noSignature = VALID.replace('"{{ signature }}{{ customer.name }}', '"{{ customer.name }}');
    expect(problems(noSignature)).toEqual([
      'test.yaml:19:12 waves[0].templates.sms: SMS must carry the shop signature 【小店】',
    ]);
    const noOptOut = VALID.replace(' {{ optOut }}"', '"');
    expect(problems(noOptOut)).toEqual([
      'test.yaml:19:12 waves[0].templates.sms: SMS must carry the opt-out text "回T退订"',
    ]);
    const long = VALID.replace('双11快乐', '双11快乐'.repeat(40));
    expect(problems(long)).toEqual([
      expect.stringMatching(
        /^test\.yaml:19:12 waves\[0\]\.templates\.sms: SMS renders to \d+ UCS-2 characters = \d+ segments, more than maxSegments 2$/,
      ),
    ]);
  });

  it('rejects a template with a misspelt variable and a channel without a template', () => {
    const typo = VALID.replace('{{ customer.name }}，双11', '{{ customer.nmae }}，双11');
    expect(problems(typo)).toEqual([
      expect.stringContaining(
        'test.yaml:19:12 waves[0].templates.sms: template does not render: undefined variable: customer.nmae',
      ),
    ]);
    const noEmail = VALID.replace('      email: { subject: Hi, html: "<p>{{ customer.name }}</p>" }\n', '');
    expect(problems(noEmail)).toEqual([
      'test.yaml:19:7 waves[0].templates.email: the wave can use email but has no email template',
    ]);
  });

  it('checks a wave’s products: http(s) URLs only, no control characters in a sku, no repeats, at most 20', () => {
    const withProducts = (products: string) =>
      VALID.replace('    sendBy: 6h\n', `    sendBy: 6h\n    products:\n${products}`);
    const hostile = withProducts(
      [
        '      - { sku: ok-1, url: "javascript:alert(document.cookie)" }',
        '      - { sku: "two\\nlines", url: https://shop.example.com/a }',
        '      - { sku: ok-1, url: "data:text/html,<script>alert(1)</script>" }',
        '',
      ].join('\n'),
    );
    expect(problems(hostile)).toEqual([
      'test.yaml:25:27 waves[1].products[0].url: expected an http(s) URL, e.g. https://shop.example.com/item/123',
      'test.yaml:26:16 waves[1].products[1].sku: expected a sku without control characters (line breaks, tabs)',
      'test.yaml:27:16 waves[1].products[2].sku: duplicate sku "ok-1"',
      'test.yaml:27:27 waves[1].products[2].url: expected an http(s) URL, e.g. https://shop.example.com/item/123',
    ]);
    const many = Array.from(
      { length: 21 },
      (_, i) => `      - { sku: s${i}, url: https://shop.example.com/${i} }\n`,
    );
    expect(problems(withProducts(many.join('')))).toEqual([
      'test.yaml:25:7 waves[1].products: expected at most 20 item(s)',
    ]);
    // A sku with a colon, Chinese and a query string in the URL are fine.
    const fine = withProducts(
      '      - { sku: "羽绒服:2026W-03", url: "https://shop.example.com/item?id=羽绒服&a=1", name: 轻薄羽绒服 }\n',
    ).replace(
      'html: "<p>{{ link }}</p>"',
      'html: "{% for p in products %}<a href=\'{{ p.url }}\'>{{ p.name }}</a>{% endfor %}"',
    );
    expect(problems(fine)).toEqual([]);
    expect(parseConfigText(Campaign, fine, 'ok.yaml').waves[1]?.products).toEqual([
      { sku: '羽绒服:2026W-03', url: 'https://shop.example.com/item?id=羽绒服&a=1', name: '轻薄羽绒服' },
    ]);
  });

  it('accepts only an http(s) landing page for a wave’s link', () => {
    const link = (url: string) =>
      VALID.replace('    link: https://shop.example.com/d11\n', `    link: "${url}"\n`);
    expect(problems(link('javascript:alert(1)'))).toEqual([
      expect.stringMatching(/^test\.yaml:\d+:\d+ waves\[1\]\.link: expected an http\(s\) URL/),
    ]);
    expect(problems(link('https://shop.example.com/d11?from=sms'))).toEqual([]);
  });

  it('requires a landing page of a wave whose templates use {{ link }}, and only then', () => {
    const noLink = VALID.replace('    link: https://shop.example.com/d11\n', '');
    expect(problems(noLink)).toEqual([
      'test.yaml:21:5 waves[1].link: required: templates.email.html uses {{ link }}; add the landing page as `link: https://…` or take {{ link }} out of the template',
    ]);
    // Every way of reading the variable counts, in every template of every variant.
    const variants = noLink.replace(
      '    templates:\n      email: { subject: Again, html: "<p>{{ link }}</p>" }\n',
      `    variants:
      - id: a
        split: 50
        templates: { email: { subject: "{% if link %}go{% endif %}", html: "<p>A</p>" } }
      - id: b
        split: 50
        templates: { email: { subject: B, html: "<p>B</p>", text: "{{ link | upcase }}" } }
`,
    );
    expect(problems(variants)).toEqual([
      'test.yaml:21:5 waves[1].link: required: variants[0].templates.email.subject, variants[1].templates.email.text use {{ link }}; add the landing page as `link: https://…` or take {{ link }} out of the templates',
    ]);
    // The word, an HTML <link> tag or a variable the template assigns itself is not the link.
    const noVariable = noLink.replace(
      'html: "<p>{{ link }}</p>"',
      `html: '<link rel="stylesheet" href="https://shop.example.com/a.css"><p>link {% assign link = "x" %}{{ link }}</p>'`,
    );
    expect(problems(noVariable)).toEqual([]);
  });

  it('measures an SMS that carries a product link with the product link’s length, and knows no products the wave lacks', () => {
    const sms = '"{{ signature }}{{ customer.name }}，双11快乐 {{ optOut }}"';
    const withLink = VALID.replace(
      sms,
      '"{{ signature }}{{ customer.name }}，双11爆款：{{ products[0].name }} {{ products[0].url }} {{ optOut }}"',
    );
    expect(problems(withLink)).toEqual([
      expect.stringContaining(
        'test.yaml:19:12 waves[0].templates.sms: template does not render: undefined variable: products.0',
      ),
    ]);
    const linked = withLink.replace(
      '    templates:\n      sms:',
      '    products:\n      - { sku: coat-2026A-07, url: https://shop.example.com/coat, name: 羊毛大衣 }\n    templates:\n      sms:',
    );
    expect(problems(linked)).toEqual([]);
    // Four product names and their links do not fit in two segments.
    const list = linked
      .replace(
        '{{ products[0].name }} {{ products[0].url }}',
        '{% for p in products %}{{ p.name }}{{ p.url }}{% endfor %}',
      )
      .replace(
        '      - { sku: coat-2026A-07, url: https://shop.example.com/coat, name: 羊毛大衣 }\n',
        Array.from(
          { length: 4 },
          (_, i) => `      - { sku: coat-${i}, url: https://shop.example.com/c${i}, name: 羊毛大衣 }\n`,
        ).join(''),
      );
    expect(problems(list)).toEqual([
      expect.stringMatching(
        /waves\[0\]\.templates\.sms: SMS renders to \d+ UCS-2 characters = 3 segments, more than maxSegments 2$/,
      ),
    ]);
  });

  it('gives JSON files positions too', () => {
    const json = JSON.stringify(
      { id: 'x', name: 'X', channels: {}, waves: [{ id: 'a', start: 'soon' }] },
      null,
      2,
    );
    const found = problems(json, 'c.json');
    expect(found).toContain(
      'c.json:8:16 waves[0].start: expected a local date-time YYYY-MM-DDTHH:mm, e.g. 2026-11-11T00:00',
    );
    expect(found).toContain('c.json:6:5 waves[0].channel: required');
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('id: a\nname: [unclosed\n')).toEqual([
      expect.stringMatching(/^test\.yaml:\d+:\d+ YAML syntax: /),
    ]);
  });

  it('refuses a rollout whose `from` is not an earlier pilot wave, naming the line and field', () => {
    const text = readFileSync('campaigns/spring-repurchase.yaml', 'utf8');
    const f = 'spring.yaml';
    expect(problems(text.replace('rollout: { from: pilot,', 'rollout: { from: pilott,'), f)).toEqual([
      'spring.yaml:55:22 waves[1].rollout.from: unknown wave "pilott"; pilot waves: pilot',
    ]);
    expect(problems(text.replace('    pilot: { share: 20 }\n', ''), f)).toEqual([
      'spring.yaml:54:22 waves[1].rollout.from: wave "pilot" is not a pilot (no `pilot:`); pilot waves: none',
    ]);
    const early = text
      .replace('start: { after: pilot, offset: 4d }', 'start: "2027-03-01T10:00"')
      .replace('otherwise: all', 'otherwise: coupon');
    expect(problems(early, f)).toEqual([
      'spring.yaml:55:22 waves[1].rollout.from: the pilot "pilot" must start before this wave',
      "spring.yaml:55:80 waves[1].rollout.otherwise: expected all or one of this wave's variants: coupon-first, news-first",
    ]);
  });

  it('refuses a grouped pilot or a rollout on groups that cannot be read, naming the line and field', () => {
    const text = readFileSync('campaigns/spring-groups.yaml', 'utf8');
    const f = 'groups.yaml';
    expect(
      problems(text.replace('groups: [frequent, occasional]', 'groups: [frequent, ocasional, frequent]'), f),
    ).toEqual([
      'groups.yaml:38:44 waves[0].pilot.groups[1]: unknown segment "ocasional"; defined: buyers-two-years, frequent, occasional',
      'groups.yaml:38:55 waves[0].pilot.groups[2]: group "frequent" is listed twice',
    ]);
    expect(problems(text.replace('holdoutPercent: 20', 'holdoutPercent: 0'), f)).toEqual([
      'groups.yaml:38:33 waves[0].pilot.groups: a pilot over groups needs a holdout (holdoutPercent above 0): each group is read against its own held-out customers, since groups differ in how much they buy anyway',
    ]);
    expect(problems(text.replace('otherwise: all }', 'otherwise: vip }'), f)).toEqual([
      "groups.yaml:53:78 waves[1].rollout.otherwise: expected all or one of the pilot's groups: frequent, occasional",
    ]);
    expect(
      problems(
        text.replace('    pilot: { share: 40, groups: [frequent, occasional] }', '    pilot: { share: 40 }'),
        f,
      ),
    ).toEqual([
      'groups.yaml:53:35 waves[1].rollout.pick: picking a group needs `groups` on the pilot "pilot" (pilot: { share, groups: [segment, …] })',
    ]);
  });

  it('accepts every example campaign and the example contact policy', () => {
    for (const f of readdirSync('campaigns')) {
      const text = readFileSync(`campaigns/${f}`, 'utf8');
      if (f === 'contact-policy.yaml') expect(() => parseConfigText(ContactPolicy, text, f)).not.toThrow();
      else expect(problems(text, f)).toEqual([]);
    }
  });

  it('refuses a cap window longer than contacts are remembered, naming the line and field', () => {
    const text = readFileSync('campaigns/contact-policy.yaml', 'utf8').replace('window: 30d', 'window: 401d');
    try {
      parseConfigText(ContactPolicy, text, 'contact-policy.yaml');
      expect.unreachable('a 401-day window was accepted');
    } catch (e) {
      expect((e as ConfigError).problems.map(formatProblem)).toEqual([
        'contact-policy.yaml:9:13 caps[0].window: expected at most 400d: contacts are remembered that long',
      ]);
    }
  });

  it('refuses an industry repurchase rate written as a percentage, or a window that is not whole days', () => {
    const text = readFileSync('campaigns/contact-policy.yaml', 'utf8')
      .replace('rate: 0.2', 'rate: 20')
      .replace('window: 180d', 'window: 36h');
    try {
      parseConfigText(ContactPolicy, text, 'contact-policy.yaml');
      expect.unreachable('rate 20 and a 36h window were accepted');
    } catch (e) {
      expect((e as ConfigError).problems.map(formatProblem)).toEqual([
        'contact-policy.yaml:22:11 benchmarks.repurchaseRate.rate: expected a fraction between 0 and 1, e.g. 0.2 for 20%',
        'contact-policy.yaml:23:13 benchmarks.repurchaseRate.window: expected whole days, e.g. 180d or 52w',
      ]);
    }
  });

  it('keeps the committed JSON Schemas in step with the zod schemas', () => {
    expect(JSON.parse(readFileSync('campaign.schema.json', 'utf8'))).toEqual(configJsonSchema('campaign'));
    expect(JSON.parse(readFileSync('contact-policy.schema.json', 'utf8'))).toEqual(
      configJsonSchema('contact-policy'),
    );
  });
});

describe('the JSON Schema editors use', () => {
  it('accepts every example campaign and rejects a wrong channel, like the zod schema', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { parse } = await import('yaml');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync('campaign.schema.json', 'utf8')));
    for (const f of readdirSync('campaigns').filter((x) => x !== 'contact-policy.yaml')) {
      const ok = validate(parse(readFileSync(`campaigns/${f}`, 'utf8')));
      expect({ f, errors: validate.errors ?? [] }).toEqual({ f, errors: [] });
      expect(ok).toBe(true);
    }
    const bad = parse(readFileSync('campaigns/winback.yaml', 'utf8'));
    bad.waves[0].channel = 'fax';
    bad.segments['dormant-180-365'].where = { recency: { days: { min: 'soon' } } };
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/waves/0/channel', '/segments/dormant-180-365/where/recency/days/min']),
    );
  });
});
