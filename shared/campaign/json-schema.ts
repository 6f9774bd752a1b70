import { z } from 'zod';
import { Campaign } from './campaign-schema.ts';
import { ContactPolicy } from './contact-policy-schema.ts';

/** JSON Schema of the config as written (defaults optional), for editors and API clients. */
export function configJsonSchema(kind: 'campaign' | 'contact-policy'): Record<string, unknown> {
  const schema = kind === 'campaign' ? Campaign : ContactPolicy;
  return {
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    title: kind === 'campaign' ? 'Campaign' : 'Contact policy',
  };
}
