import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployedCampaigns } from '../../infra/deployed-campaigns.ts';
import { ConfigError, formatProblem } from '../../shared/errors.ts';

const CAMPAIGN = `id: d12
name: 双十二
channels:
  email:
    from: Shop <crm@shop.example.com>
waves:
  - id: a
    start: "2026-12-12T10:00"
    audience:
      where: { bought: { promotion: 店庆, yearsAgo: [1] } }
    channel: email
    templates:
      email: { subject: Hi, html: "<p>{{ customer.name }}</p>" }
`;

describe('the campaigns deployed as code', () => {
  it('are checked against the shop calendar of the deployed policy at synth', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deployed-'));
    try {
      await writeFile(join(dir, 'd12.yaml'), CAMPAIGN);
      await writeFile(join(dir, 'contact-policy.yaml'), 'caps: []\n');
      let error: unknown;
      try {
        deployedCampaigns(dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map(formatProblem)).toEqual([
        expect.stringContaining(
          `${join(dir, 'd12.yaml')}:10:37 waves[0].audience.where.bought.promotion: unknown promotion "店庆"`,
        ),
      ]);
      await writeFile(
        join(dir, 'contact-policy.yaml'),
        'promotions:\n  店庆: { "2025": ["2025-09-01T00:00", "2025-09-08T00:00"] }\n',
      );
      expect(deployedCampaigns(dir).campaigns.map((c) => c.id)).toEqual(['d12']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
