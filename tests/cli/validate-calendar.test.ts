import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaignWithPolicy } from '../../shared/campaign/shop-policy.ts';
import { ConfigError, formatProblem } from '../../shared/errors.ts';
import { campaignCli } from '../helpers/campaign-cli.ts';

/**
 * Promotions, seasons and age bands come from the shop-wide file beside the campaign: `campaign
 * validate` (and preview and run, which load the campaign the same way) refuse a name the shop's
 * calendar does not know, at its line and column, naming the known ones.
 */
let dir: string;

const CAMPAIGN = `id: anniversary
name: 店庆老客
channels:
  email:
    from: Shop <crm@shop.example.com>
segments:
  last-anniversary:
    where: { bought: { promotion: 店庆, yearsAgo: [1] } }
  winter-coats:
    where: { season: { name: 冬季, category: [coat] } }
waves:
  - id: a
    start: "2026-09-01T10:00"
    audience: { segment: last-anniversary }
    channel: email
    templates:
      email: { subject: Hi, html: "<p>{{ customer.name }}</p>" }
`;

const POLICY = `promotions:
  店庆:
    "2025": ["2025-09-01T00:00", "2025-09-08T00:00"]
seasons:
  春季: { from: 3, to: 5 }
  夏季: { from: 6, to: 8 }
  秋季: { from: 9, to: 11 }
  冬季: { from: 12, to: 2 }
`;

const campaign = (args: string[]) => campaignCli(args, { timeout: 60_000 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'calendar-'));
  await writeFile(join(dir, 'anniversary.yaml'), CAMPAIGN);
  await writeFile(join(dir, 'other-policy.yaml'), 'caps: []\n');
  await writeFile(join(dir, 'contact-policy.yaml'), POLICY);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a campaign checked against the shop calendar', () => {
  it('passes with the shop’s promotions and seasons from contact-policy.yaml beside it', async () => {
    const { campaign: c, policy } = await loadCampaignWithPolicy(join(dir, 'anniversary.yaml'));
    expect(c.id).toBe('anniversary');
    expect(Object.keys(policy.seasons)).toEqual(['春季', '夏季', '秋季', '冬季']);
  });

  it('fails validate (exit 1) under a policy without them, at line and column, naming the known names', async () => {
    const file = join(dir, 'anniversary.yaml');
    const r = campaign(['validate', file, '--policy', join(dir, 'other-policy.yaml'), '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:8:35 segments.last-anniversary.where.bought.promotion: unknown promotion "店庆"; the calendar knows double-11, double-12, 618, nian-huo-jie`,
    );
    expect(r.stderr).toContain(
      `${file}:10:30 segments.winter-coats.where.season.name: unknown season "冬季"; the shop's seasons are spring, summer, autumn, winter`,
    );
    // A policy that does not validate is reported once, as its own file's problem, not per campaign.
    const broken = join(dir, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'a.yaml'), CAMPAIGN);
    await writeFile(join(broken, 'b.yaml'), CAMPAIGN.replace('id: anniversary', 'id: second'));
    await writeFile(join(broken, 'contact-policy.yaml'), 'caps:\n  - { id: x, max: 1, window: 1 day }\n');
    const twice = campaign(['validate', join(broken, 'a.yaml'), join(broken, 'b.yaml'), '--data-dir', dir]);
    expect(twice.code).toBe(1);
    expect(twice.stderr.split('\n').filter((l) => l.includes('caps[0].window'))).toEqual([
      `${join(broken, 'contact-policy.yaml')}:2:30 caps[0].window: expected a duration like 30m, 14h, 5d or 2w`,
    ]);
    await expect(loadCampaignWithPolicy(file, join(dir, 'other-policy.yaml'))).rejects.toSatisfy(
      (e) => e instanceof ConfigError && e.problems.map(formatProblem).length === 2,
    );
  });
});
