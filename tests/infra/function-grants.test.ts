import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFromEnvironment,
  attributeFromEnvironment,
  campaignStoreFromEnvironment,
  deadLettersFromEnvironment,
  FUNCTION_ENV,
  ingestFromEnvironment,
  launchingFromEnvironment,
  linksFromEnvironment,
  planningFromEnvironment,
  recordCallsFromEnvironment,
  sendingFromEnvironment,
} from '../../functions/environment.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';
import { testTemplate } from './test-stack.ts';

/**
 * Each function is given what its code uses and nothing else: every setting in its environment is read
 * by its adapters, each resource it names is granted to it, and nothing it is granted goes unnamed. So a
 * function without the link secret has neither LINK_SECRET_ARN nor secretsmanager:GetSecretValue.
 */
const template = testTemplate();
type Json = Record<string, unknown>;
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const SETTINGS = new Set<string>(Object.values(FUNCTION_ENV));

interface Fn {
  service: string;
  /** The function's settings: variable → the logical ids its value refers to. */
  settings: Map<string, string[]>;
  statements: { Action: string | string[]; Resource: unknown }[];
}

/** Logical ids an intrinsic value refers to ({Ref}, {Fn::GetAtt}, inside {Fn::Join} …). */
function refs(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Ref' && typeof x === 'string' && !x.startsWith('AWS::')) out.add(x);
        else if (k === 'Fn::GetAtt' && Array.isArray(x)) out.add(String(x[0]));
        else walk(x);
      }
  };
  walk(value);
  return [...out];
}

const functions: Fn[] = Object.entries(resources)
  .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
  .map(([, r]) => {
    const variables = ((r.Properties.Environment as Json | undefined)?.Variables ?? {}) as Json;
    const role = refs(r.Properties.Role)[0];
    return {
      service: String(variables.POWERTOOLS_SERVICE_NAME ?? ''),
      settings: new Map(
        Object.entries(variables)
          .filter(([k]) => SETTINGS.has(k))
          .map(([k, v]) => [k, refs(v)]),
      ),
      statements: Object.values(resources)
        .filter((p) => p.Type === 'AWS::IAM::Policy' && refs(p.Properties.Roles).includes(role ?? '-'))
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Fn['statements'] }).Statement),
    };
  })
  .filter((f) => f.service !== '');
const fn = (service: string) => {
  const f = functions.find((x) => x.service === service);
  if (!f) throw new Error(`no function ${service}`);
  return f;
};

/** Resource types a setting names and the action family that grants access to them. */
const GRANTED_BY: Record<string, string> = {
  'AWS::DynamoDB::Table': 'dynamodb:',
  'AWS::SQS::Queue': 'sqs:SendMessage',
  'AWS::SecretsManager::Secret': 'secretsmanager:GetSecretValue',
  'AWS::KinesisFirehose::DeliveryStream': 'firehose:PutRecordBatch',
};
/** The resources of those types a function may use, by its grants (its own event sources excluded). */
function granted(f: Fn): Set<string> {
  const out = new Set<string>();
  for (const s of f.statements) {
    const actions = [s.Action].flat();
    for (const id of refs(s.Resource)) {
      const family = GRANTED_BY[resources[id]?.Type ?? ''];
      if (family && actions.some((a) => a.startsWith(family))) out.add(id);
    }
  }
  return out;
}

describe('each function’s settings and grants (CDK)', () => {
  it('gives each function exactly the settings its code reads', () => {
    const settings = Object.fromEntries(functions.map((f) => [f.service, [...f.settings.keys()].sort()]));
    const send = ['CONTACTS_TABLE', 'SENDS_DELIVERY_STREAM'];
    const campaigns = ['CAMPAIGNS_KEY', 'CAMPAIGNS_TABLE', 'LAKE_BUCKET'];
    const athena = ['ATHENA_DATABASE', 'ATHENA_WORKGROUP'];
    const queues = ['CALL_LIST_QUEUE_URL', 'EMAIL_QUEUE_URL', 'SMS_QUEUE_URL'];
    const responses = ['CONTACTS_TABLE', 'EVENTS_DELIVERY_STREAM', 'SUPPRESSIONS_DELIVERY_STREAM'];
    expect(settings).toEqual({
      'send-batches': [
        ...send,
        ...campaigns,
        ...queues,
        'LINKS_TABLE',
        'LINK_BASE',
        'LINK_SECRET_ARN',
        'SES_CONFIGURATION_SET',
      ].sort(),
      'dead-letters': send.sort(),
      'launch-wave': [
        ...campaigns,
        ...athena,
        'CONTACTS_TABLE',
        'ROLLOUT_DECISIONS_DELIVERY_STREAM',
        'WAVE_RUNS_TABLE',
      ].sort(),
      'plan-wave': [...campaigns, ...athena, ...queues, 'SENDS_DELIVERY_STREAM', 'WAVE_RUNS_TABLE'].sort(),
      'ingest-events': responses.sort(),
      links: [...responses, 'LINKS_TABLE', 'LINK_SECRET_ARN'].sort(),
      attribute: [...campaigns, ...athena].sort(),
      // The uploaded call lists are in the lake bucket: its name, with no campaigns.
      'record-call-outcomes': [...responses, ...athena, 'LAKE_BUCKET'].sort(),
      api: [
        ...campaigns,
        ...athena,
        'LAUNCH_WAVE_ARN',
        'SCHEDULER_ROLE_ARN',
        'SCHEDULE_GROUP',
        'WAVE_RUNS_TABLE',
      ].sort(),
    });
  });

  it('lets only the functions that sign or check links read the link secret', () => {
    const reads = (f: Fn) =>
      f.statements.some((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(
      functions
        .filter(reads)
        .map((f) => f.service)
        .sort(),
    ).toEqual(['links', 'send-batches']);
    expect(
      functions
        .filter((f) => f.settings.has('LINK_SECRET_ARN'))
        .map((f) => f.service)
        .sort(),
    ).toEqual(['links', 'send-batches']);
    for (const service of [
      'plan-wave',
      'launch-wave',
      'dead-letters',
      'ingest-events',
      'api',
      'attribute',
      'record-call-outcomes',
    ])
      expect(JSON.stringify(fn(service).statements), service).not.toContain('secretsmanager');
  });

  it('grants each resource a function names, and names each table, queue, stream and secret it is granted', () => {
    for (const f of functions) {
      const named = new Set(
        [...f.settings.values()].flat().filter((id) => GRANTED_BY[resources[id]?.Type ?? '']),
      );
      expect([...granted(f)].sort(), f.service).toEqual([...named].sort());
    }
    // The planning functions' stores: wave runs and contacts for launch (and the rollout decisions'
    // stream), wave runs and queues for plan.
    const types = (service: string) => [...granted(fn(service))].map((id) => resources[id]?.Type).sort();
    expect(types('launch-wave')).toEqual([
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::Table',
      'AWS::KinesisFirehose::DeliveryStream',
    ]);
    expect(types('plan-wave')).toEqual([
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::Table',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
    ]);
    // Recording call outcomes: the contact store and the events and suppressions streams, as ingest-events.
    expect(types('record-call-outcomes')).toEqual([
      'AWS::DynamoDB::Table',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::KinesisFirehose::DeliveryStream',
    ]);
  });

  describe('each function’s adapters build from the settings it is given, reading every one', () => {
    const s3 = mockClient(S3Client);
    const secrets = mockClient(SecretsManagerClient);
    beforeAll(async () => {
      const deployed = JSON.stringify({ policy: await loadShopPolicy(), campaigns: [] });
      s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => deployed } as never });
      secrets.on(GetSecretValueCommand).resolves({ SecretString: 'a-link-secret-for-tests-0123456789' });
    });
    afterAll(() => {
      s3.restore();
      secrets.restore();
    });
    const BUILDERS: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
      'send-batches': sendingFromEnvironment,
      'dead-letters': deadLettersFromEnvironment,
      'launch-wave': (env) => [launchingFromEnvironment(env), campaignStoreFromEnvironment(env)],
      'plan-wave': planningFromEnvironment,
      'ingest-events': ingestFromEnvironment,
      links: linksFromEnvironment,
      attribute: attributeFromEnvironment,
      api: apiFromEnvironment,
      'record-call-outcomes': recordCallsFromEnvironment,
    };

    it.each(functions.map((f) => [f.service, f] as const))('%s', async (service, f) => {
      const builder = BUILDERS[service];
      expect(builder, `no builder for ${service}`).toBeDefined();
      const read = new Set<string>();
      const given = Object.fromEntries([...f.settings.keys()].map((k) => [k, `value-of-${k}`]));
      const env = new Proxy(given, {
        get: (target, key) => {
          if (typeof key === 'string') read.add(key);
          return target[key as string];
        },
      });
      await builder?.(env);
      expect(
        [...f.settings.keys()].filter((k) => !read.has(k)),
        'given but never read',
      ).toEqual([]);
    });
  });
});
