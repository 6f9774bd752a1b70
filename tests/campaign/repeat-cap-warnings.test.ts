import { describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { DEFAULT_CONTACT_POLICY } from '../../shared/campaign/contact-policy-schema.ts';
import { repeatCapWarnings } from '../../shared/campaign/repeat-cap-warnings.ts';

/** A weekly wave under the default monthly cap, its audience given. */
function weekly(audience: string) {
  const text = `id: w
name: weekly
channels: { sms: { signature: 【优品小店】, optOutText: 回T退订 } }
segments:
  birthdays: { where: { birthday: { within: 6d } } }
  birthdays-8d: { where: { birthday: { within: 7d } } }
waves:
  - id: weekly
    repeat: { every: week, weekday: mon, at: "09:30", from: "2027-01-01", until: "2027-03-31" }
    audience: ${audience}
    channel: sms
    templates: { sms: "{{ signature }}生日快乐 {{ optOut }}" }
`;
  const campaign = parseConfigText(Campaign, text, 'w.yaml');
  return repeatCapWarnings({ file: 'w.yaml', text, campaign }, DEFAULT_CONTACT_POLICY).map((p) => p.path);
}

describe('a recurring wave a cap keeps from the customers it reached', () => {
  it('is warned of when its occurrences can reach the same customers', () => {
    expect(weekly('{ where: { everyone: true } }')).toEqual(['waves[0].repeat.every']);
    // A birthday window longer than the week: a customer can be in two runs.
    expect(weekly('{ segment: birthdays-8d }')).toEqual(['waves[0].repeat.every']);
  });

  it('is not, when each run reaches the birthdays of its own week: once a year each', () => {
    expect(weekly('{ segment: birthdays }')).toEqual([]);
    expect(
      weekly('{ where: { all: [{ segment: birthdays }, { recency: { days: { max: 365 } } }] } }'),
    ).toEqual([]);
  });
});
