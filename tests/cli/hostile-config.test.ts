import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Hostile config files, given to the real CLI as a user (or an attacker) would: each must end in exit 1
 * with file:line:column and the field path — never exit 2, a stack trace, a hang, or a template that
 * reads a file.
 */
let dir: string;
let emptyDataDir: string;

function campaign(args: string[]) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['bin/campaign.ts', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/** A valid one-wave email campaign; `html` is the wave's email body, `extra` more top-level YAML. */
function campaignYaml(opts: { html?: string; where?: string; extra?: string; waves?: string } = {}) {
  return `id: hostile
name: Hostile
channels:
  email:
    from: Shop <crm@shop.example.com>
segments:
  s:
    where:
      ${opts.where ?? 'memberTier: [gold]'}
waves:
  - id: a
    start: "2026-12-05T10:00"
    audience: { segment: s }
    channel: email
    templates:
      email:
        subject: Hi
        html: ${JSON.stringify(opts.html ?? '<p>{{ customer.name }}</p>')}
${opts.waves ?? ''}${opts.extra ?? ''}`;
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Exit 1, the positioned problem on stderr, and no internal error or stack trace. */
function expectUserError(r: ReturnType<typeof campaign>, problem: string | RegExp) {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  if (typeof problem === 'string') expect(r.stderr).toContain(problem);
  else expect(r.stderr).toMatch(problem);
  expect(r.code).toBe(1);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostile-'));
  emptyDataDir = join(dir, 'empty-data');
  await mkdir(emptyDataDir);
  // What a template must never reach: the link HMAC secret, relative to the working directory.
  await mkdir(join(dir, '.campaign', 'state'), { recursive: true });
  await writeFile(join(dir, '.campaign', 'state', 'link-secret'), 'THE-LINK-SECRET');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostile YAML and values in config files', () => {
  it('refuses a billion-laughs alias bomb at the alias that blows the limit, exit 1', async () => {
    const lol = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [i, name] of [...'bcdefghi'].entries()) {
      const prev = 'abcdefghi'[i] as string;
      lol.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const bomb = await file('bomb.yaml', campaignYaml({ extra: `bomb:\n  ${lol.join('\n  ')}\n` }));
    const r = campaign(['validate', bomb]);
    expectUserError(r, new RegExp(`${bomb}:2[0-9]:\\d+ bomb\\.[a-i]\\[\\d\\]: aliases expand to more than`));
  });

  it('refuses an alias to the node that contains it (a cycle), exit 1', async () => {
    const cyclic = await file('cycle.yaml', campaignYaml({ where: 'all: &l [{ not: { all: *l } }]' }));
    expectUserError(
      campaign(['validate', cyclic]),
      `${cyclic}:9:30 segments.s.where.all[0].not.all: the alias *l refers to a node that contains it`,
    );
  });

  it('reports `window: 1 day` in a cap as a bad duration, exit 1', async () => {
    const cap = await file(
      'cap.yaml',
      campaignYaml({ extra: 'contactPolicy:\n  caps:\n    - { id: c, max: 1, window: 1 day }\n' }),
    );
    expectUserError(
      campaign(['validate', cap]),
      `${cap}:21:32 contactPolicy.caps[0].window: expected a duration like 30m, 14h, 5d or 2w`,
    );
    const policy = await file('contact-policy.yaml', 'caps:\n  - { id: c, max: 1, window: 1 day }\n');
    expectUserError(campaign(['validate', policy]), `${policy}:2:30 caps[0].window: expected a duration`);
  });

  it('refuses a NUL in a segment value in validate and in preview, exit 1', async () => {
    const nul = await file('nul.yaml', campaignYaml({ where: 'memberTier: ["gold\\0x"]' }));
    const problem = `${nul}:9:20 segments.s.where.memberTier[0]: control character U+0000 not allowed`;
    expectUserError(campaign(['validate', nul]), problem);
    expectUserError(campaign(['preview', nul, '--data-dir', emptyDataDir]), problem);
  });

  it('refuses an offset of 99999999999999999999d in validate and in preview, exit 1', async () => {
    const waves = `  - id: b
    start: { after: a, offset: 99999999999999999999d }
    audience: { segment: s }
    channel: email
    templates: { email: { subject: Hi, html: "<p>b</p>" } }
`;
    const far = await file('far.yaml', campaignYaml({ waves }));
    const problem = `${far}:20:32 waves[1].start.offset: expected at most 3650d`;
    expectUserError(campaign(['validate', far]), problem);
    expectUserError(campaign(['preview', far, '--data-dir', emptyDataDir]), problem);
  });

  it('refuses a file over the size limit, and a value over the length limit, naming them', async () => {
    const big = await file('big.yaml', campaignYaml({ extra: `# ${'x'.repeat(1_100_000)}\n` }));
    expectUserError(campaign(['validate', big]), `${big}:1:1 the file is over 1 MiB`);
    const long = await file('long.yaml', campaignYaml({ html: `<p>${'x'.repeat(100_001)}</p>` }));
    expectUserError(
      campaign(['validate', long]),
      `${long}:18:15 waves[0].templates.email.html: longer than 100000 characters`,
    );
  });
});

describe('hostile Liquid in templates', () => {
  it('gives templates no file system: include, render and layout are validation errors', async () => {
    for (const tag of ['include', 'render', 'layout']) {
      const f = await file(
        `${tag}.yaml`,
        campaignYaml({ html: `{% ${tag} '.campaign/state/link-secret' %}` }),
      );
      const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/campaign.ts'), 'validate', f], {
        encoding: 'utf8',
        cwd: dir, // the secret is right there, relative to the working directory
      });
      expect(r.stderr).not.toContain('THE-LINK-SECRET');
      expect(r.stderr).toContain(`${f}:18:15 waves[0].templates.email.html: template does not render:`);
      expect(r.stderr).toContain(`{% ${tag} %} is not available: templates cannot read files`);
      expect(r.status).toBe(1);
    }
  });

  it('rejects a ten-million-step loop at validate, quickly, with the template’s path', async () => {
    const loop = await file('loop.yaml', campaignYaml({ html: '{% for i in (1..10000000) %}x{% endfor %}' }));
    const r = campaign(['validate', loop]);
    expectUserError(
      r,
      `${loop}:18:15 waves[0].templates.email.html: template does not render: over the template limits (loops and filters may handle at most 100000 items per message)`,
    );
    expect(r.ms).toBeLessThan(10_000);
  });
});
