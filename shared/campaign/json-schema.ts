import { z } from 'zod';
import { Rule, ruleJsonSchema } from '../segment/segment-schema.ts';
import { Campaign } from './campaign-schema.ts';
import { ContactPolicy } from './contact-policy-schema.ts';

const RULE_REF = '#/$defs/SegmentRule';

/** JSON Schema of the config as written (defaults optional), for editors and API clients. */
export function configJsonSchema(kind: 'campaign' | 'contact-policy'): Record<string, unknown> {
  if (kind === 'contact-policy') {
    return {
      ...z.toJSONSchema(ContactPolicy, { io: 'input', unrepresentable: 'any' }),
      title: 'Contact policy',
    };
  }
  const schema = z.toJSONSchema(Campaign, {
    io: 'input',
    unrepresentable: 'any',
    // Segment rules are validated by code (for precise error paths); editors get their shape from $defs.
    override: (ctx) => {
      if (ctx.zodSchema === Rule) {
        for (const key of Object.keys(ctx.jsonSchema))
          delete (ctx.jsonSchema as Record<string, unknown>)[key];
        Object.assign(ctx.jsonSchema, { $ref: RULE_REF });
      }
    },
  });
  const defs = (schema.$defs ?? {}) as Record<string, unknown>;
  return { ...schema, title: 'Campaign', $defs: { ...defs, SegmentRule: ruleJsonSchema(RULE_REF) } };
}
