import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DynamoDbIdempotencyStore } from '../../shared/api/aws/dynamodb-idempotency-store.ts';
import {
  IDEMPOTENCY_TTL_MS,
  type IdempotencyStore,
  type IdempotentRecord,
} from '../../shared/api/idempotency.ts';
import { JournalIdempotencyStore } from '../../shared/api/local/journal-idempotency-store.ts';
import { ManualClock } from '../../shared/clock.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';
import { startDynalite } from '../helpers/dynalite.ts';

const T0 = new Date('2026-11-22T08:00:00Z');
type Subject = Made<IdempotencyStore> & { clock: ManualClock };

const adapters: ContractAdapter<Subject>[] = [
  {
    name: 'journal (embedded)',
    make: async () => {
      const clock = new ManualClock(T0);
      const store = new JournalIdempotencyStore(
        join(mkdtempSync(join(tmpdir(), 'idempotency-')), 'idempotency'),
        clock,
      );
      return { port: store, clock, stop: () => store.close() };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    make: async () => {
      const clock = new ManualClock(T0);
      const ddb = await startDynalite('campaigns');
      const store = new DynamoDbIdempotencyStore({ client: ddb.client, tableName: 'campaigns', clock });
      return {
        port: store,
        clock,
        stop: async () => {
          await store.close();
          await ddb.stop();
        },
      };
    },
  },
];

const record = (fingerprint: string, status = 201): IdempotentRecord => ({
  fingerprint,
  response: {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', location: '/campaigns/d11' },
    body: `{"id":"d11","answer":"${fingerprint}","名":"双11"}\n`,
  },
});

contractSuite('idempotency store', adapters, (made) => {
  const store = () => made().port;
  const at = (ms: number) => made().clock.set(new Date(T0.getTime() + ms));

  it('remembers a response by key, exactly as given, and knows no other key', async () => {
    at(0);
    expect(await store().get('POST /campaigns k1')).toBeNull();
    await store().put('POST /campaigns k1', record('create d11'));
    expect(await store().get('POST /campaigns k1')).toEqual(record('create d11'));
    expect(await store().get('POST /campaigns k2')).toBeNull();
    expect(await store().get('POST /campaigns/{id}/launch k1')).toBeNull();
  });

  it('keeps the first response for a key: a later put of the same key changes nothing', async () => {
    at(0);
    await store().put('POST /campaigns k3', record('first'));
    at(60_000);
    await store().put('POST /campaigns k3', record('second', 200));
    expect(await store().get('POST /campaigns k3')).toEqual(record('first'));
  });

  it('keeps one of concurrent puts of a key, and every later get answers that one', async () => {
    at(0);
    const puts = ['a', 'b', 'c', 'd'].map((f) => record(`race ${f}`));
    await Promise.all(puts.map((r) => store().put('POST /campaigns k4', r)));
    const kept = await store().get('POST /campaigns k4');
    expect(puts).toContainEqual(kept);
    await store().put('POST /campaigns k4', record('late'));
    expect(await store().get('POST /campaigns k4')).toEqual(kept);
  });

  it('lasts a day: found until then, gone at the day’s end, and the key is free again from that moment', async () => {
    at(0);
    await store().put('POST /campaigns k5', record('yesterday'));
    at(IDEMPOTENCY_TTL_MS - 1);
    expect(await store().get('POST /campaigns k5')).toEqual(record('yesterday'));
    at(IDEMPOTENCY_TTL_MS);
    expect(await store().get('POST /campaigns k5')).toBeNull();
    // The request is done again and its response remembered: a get that found nothing must not be
    // followed by a put that is refused, or the retry after it would do the work a third time.
    await store().put('POST /campaigns k5', record('today'));
    expect(await store().get('POST /campaigns k5')).toEqual(record('today'));
    at(IDEMPOTENCY_TTL_MS + 60_000);
    await store().put('POST /campaigns k5', record('later today'));
    expect(await store().get('POST /campaigns k5')).toEqual(record('today'));
  });
});
