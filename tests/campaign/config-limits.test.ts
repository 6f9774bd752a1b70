import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { CONFIG_LIMITS } from '../../shared/campaign/config-limits.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { ConfigError, formatProblem } from '../../shared/errors.ts';

function problems(text: string): string[] {
  try {
    parseConfigText(Campaign, text, 'c.yaml');
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
}

describe('limits on the shape of a config document', () => {
  it('lets every example through', () => {
    for (const f of readdirSync('campaigns')) {
      const text = readFileSync(`campaigns/${f}`, 'utf8');
      if (f === 'contact-policy.yaml') parseConfigText(ContactPolicy, text, f);
      else parseConfigText(Campaign, text, f);
    }
  });

  it('refuses nesting deeper than the limit at the first node too deep', () => {
    const deep = `segments:\n  s:\n    where: ${'{ not: '.repeat(70)}{ everyone: true }${' }'.repeat(70)}\n`;
    const found = problems(deep);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      new RegExp(
        `^c\\.yaml:3:\\d+ segments\\.s\\.where(\\.not)+: nested more than ${CONFIG_LIMITS.depth} levels deep$`,
      ),
    );
  });

  it('refuses an alias with no anchor before it, a long key and a lone surrogate, each where it is', () => {
    expect(problems('id: *nowhere\n')).toEqual([
      'c.yaml:1:5 id: the alias *nowhere has no anchor &nowhere before it',
    ]);
    expect(problems(`segments:\n  ${'k'.repeat(201)}: {}\n`)).toEqual([
      `c.yaml:2:3 segments.${'k'.repeat(201)}: key longer than 200 characters`,
    ]);
    expect(problems('name: "a\\uD800b"\n')).toEqual([
      'c.yaml:1:7 name: not valid Unicode (a lone surrogate)',
    ]);
  });

  it('counts an alias as what it expands to, so a modest reuse passes and a bomb does not', () => {
    const reuse = readFileSync('campaigns/winback.yaml', 'utf8').replace(
      'segments:',
      `x-shared: &shared [${Array(50).fill('a').join(', ')}]\nx-uses: [${Array(100).fill('*shared').join(', ')}]\nsegments:`,
    );
    // 5,000 values from aliases: within the limit; the schema then refuses the unknown fields only.
    expect(problems(reuse)).toEqual([
      'c.yaml:16:1 x-shared: unknown field',
      'c.yaml:17:1 x-uses: unknown field',
    ]);
    // 2,100 uses of 51 values each: over 100,000.
    const bomb = reuse.replace(/x-uses: \[[^\]]*\]/, `x-uses: [${Array(2_100).fill('*shared').join(', ')}]`);
    expect(problems(bomb)[0]).toMatch(
      /^c\.yaml:17:\d+ x-uses\[\d+\]: aliases expand to more than 100000 keys/,
    );
  });
});
