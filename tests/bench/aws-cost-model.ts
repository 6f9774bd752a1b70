/**
 * The AWS cost model: while the pipeline runs on one machine, a meter wraps the local adapters and
 * counts the requests their AWS counterparts would make (the same calls, the same batching), and how
 * long each Lambda would run; `costOf` multiplies the counts by the list prices in aws-prices.ts.
 * Counts are per service; what cannot be measured locally is an assumption from MODEL_ASSUMPTIONS.
 */
import type { ContactChange } from '../../shared/delivery/contact-policy/claim.ts';
import type { ContactStore } from '../../shared/delivery/contact-policy/contact-store.ts';
import { type LedgerRow, ledgerRecord } from '../../shared/delivery/ledger/ledger.ts';
import type { LedgerWriter } from '../../shared/delivery/ledger/ledger-writer.ts';
import type { LinkStore } from '../../shared/delivery/links/link-store.ts';
import type { QueueProducer, QueueRecord, SendOptions } from '../../shared/delivery/queue/queue.ts';
import type { EmailSender } from '../../shared/delivery/senders/email-sender.ts';
import type { SmsSender } from '../../shared/delivery/senders/sms-sender.ts';
import { AWS_PRICES, MODEL_ASSUMPTIONS } from './aws-prices.ts';

const KIB64 = 64 * 1024;
const chunks64k = (bytes: number) => Math.max(1, Math.ceil(bytes / KIB64));

export interface LambdaCount {
  memoryMb: number;
  invocations: number;
  /** Time inside the handler on this machine. */
  localMs: number;
  /** Modelled time waiting on AWS requests. */
  waitMs: number;
}

export interface AwsCounts {
  sqs: { sendBatchCalls: number; receiveCalls: number; deleteBatchCalls: number; billedRequests: number };
  lambda: Record<string, LambdaCount>;
  dynamodb: {
    getItem: number;
    updateItem: number;
    batchWrite: number;
    readUnits: number;
    writeUnits: number;
  };
  athena: { queries: number; bytesScanned: number; resultPages: number };
  firehose: { putRecordBatchCalls: number; records: number; bytes: number; billedBytes: number };
  s3: { puts: number };
  delivery: { emails: number; smsMessages: number; smsSegments: number; callListEntries: number };
}

export function emptyCounts(): AwsCounts {
  return {
    sqs: { sendBatchCalls: 0, receiveCalls: 0, deleteBatchCalls: 0, billedRequests: 0 },
    lambda: {},
    dynamodb: { getItem: 0, updateItem: 0, batchWrite: 0, readUnits: 0, writeUnits: 0 },
    athena: { queries: 0, bytesScanned: 0, resultPages: 0 },
    firehose: { putRecordBatchCalls: 0, records: 0, bytes: 0, billedBytes: 0 },
    s3: { puts: 0 },
    delivery: { emails: 0, smsMessages: 0, smsSegments: 0, callListEntries: 0 },
  };
}

/** Counts what the AWS adapters would do, by wrapping the local ones (same ports, same calls). */
export class AwsMeter {
  readonly counts = emptyCounts();
  /** The Lambda whose code is running now: waits are charged to it. */
  #current = 'plan-wave';

  function(name: string, memoryMb: number): LambdaCount {
    this.counts.lambda[name] ??= { memoryMb, invocations: 0, localMs: 0, waitMs: 0 };
    return this.counts.lambda[name];
  }

  #wait(ms: number): void {
    const fn = this.counts.lambda[this.#current];
    if (fn) fn.waitMs += ms;
  }

  /** The send-batches Lambda around a handler: an invocation per batch, its SQS receive and delete. */
  handler<R>(memoryMb: number, inner: (records: QueueRecord[]) => Promise<R>) {
    const fn = this.function('send-batches', memoryMb);
    return async (records: QueueRecord[]): Promise<R> => {
      const outer = this.#current;
      this.#current = 'send-batches';
      const t = performance.now();
      try {
        fn.invocations += 1;
        const bytes = records.reduce((n, r) => n + Buffer.byteLength(r.body), 0);
        // The event source mapping: one ReceiveMessage for the batch, one DeleteMessageBatch after it.
        this.counts.sqs.receiveCalls += 1;
        this.counts.sqs.deleteBatchCalls += 1;
        this.counts.sqs.billedRequests += chunks64k(bytes) + 1;
        return await inner(records);
      } finally {
        fn.localMs += performance.now() - t;
        this.#current = outer;
      }
    };
  }

  /** SqsProducer: SendMessageBatch of up to 10 entries and 256 KiB; each 64 KiB is a billed request. */
  queue(q: QueueProducer): QueueProducer {
    return {
      send: async (bodies: readonly string[], options?: SendOptions) => {
        let entries = 0;
        let bytes = 0;
        const flush = () => {
          if (entries === 0) return;
          this.counts.sqs.sendBatchCalls += 1;
          this.counts.sqs.billedRequests += chunks64k(bytes);
          this.#wait(MODEL_ASSUMPTIONS.latencyMs.sqs);
          entries = 0;
          bytes = 0;
        };
        for (const body of bodies) {
          const size = Buffer.byteLength(body);
          if (entries === 10 || bytes + size > 256 * 1024) flush();
          entries += 1;
          bytes += size;
        }
        flush();
        return q.send(bodies, options);
      },
    };
  }

  /** DynamoDbContactStore: per change a strongly consistent GetItem, and an UpdateItem when it writes. */
  contacts(store: ContactStore): ContactStore {
    const d = this.counts.dynamodb;
    const meter = this;
    return {
      apply<T>(changes: readonly ContactChange<T>[]) {
        const metered = changes.map((c) => ({
          ...c,
          decide(state: Parameters<ContactChange<T>['decide']>[0]) {
            const out = c.decide(state);
            d.getItem += 1;
            d.readUnits += Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(state)) / 4096));
            if (out.next) {
              d.updateItem += 1;
              // The item: key, version and TTL (~100 bytes) plus the state as JSON.
              d.writeUnits += Math.ceil((Buffer.byteLength(JSON.stringify(out.next)) + 100) / 1024);
            }
            return out;
          },
        }));
        const calls = changes.length * 2;
        meter.#wait((calls * MODEL_ASSUMPTIONS.latencyMs.dynamodb) / MODEL_ASSUMPTIONS.dynamodbConcurrency);
        return store.apply(metered);
      },
      close: () => store.close(),
    };
  }

  /** DynamoDbLinkStore: BatchWriteItem of 25; each link item is under 1 KB. */
  links(store: LinkStore): LinkStore {
    return {
      put: async (links) => {
        const batches = Math.ceil(links.length / 25);
        this.counts.dynamodb.batchWrite += batches;
        this.counts.dynamodb.writeUnits += links.length;
        this.#wait(batches * MODEL_ASSUMPTIONS.latencyMs.dynamodb);
        return store.put(links);
      },
      get: (code) => store.get(code),
      close: () => store.close(),
    };
  }

  /** FirehoseLedger: PutRecordBatch of 500 records; ingestion billed per record rounded up to 5 KB. */
  ledger(writer: LedgerWriter): LedgerWriter {
    const f = this.counts.firehose;
    const round = AWS_PRICES.usd.firehoseRecordRoundingBytes;
    return {
      append: async (rows: readonly LedgerRow[]) => {
        const calls = Math.ceil(rows.length / 500);
        f.putRecordBatchCalls += calls;
        this.#wait(calls * MODEL_ASSUMPTIONS.latencyMs.firehose);
        for (const r of rows) {
          const bytes = Buffer.byteLength(`${JSON.stringify(ledgerRecord(r))}\n`);
          f.records += 1;
          f.bytes += bytes;
          f.billedBytes += Math.ceil(bytes / round) * round;
          if (r.status !== 'sent') continue;
          if (r.channel === 'email') this.counts.delivery.emails += 1;
          if (r.channel === 'sms') {
            this.counts.delivery.smsMessages += 1;
            this.counts.delivery.smsSegments += r.smsSegments ?? 1;
          }
          if (r.channel === 'call-list') this.counts.delivery.callListEntries += 1;
        }
        return writer.append(rows);
      },
      flush: () => writer.flush(),
    };
  }

  /** SesEmailSender: one SendEmail at a time. */
  email(sender: EmailSender): EmailSender {
    return {
      send: (messages) => {
        this.#wait(messages.length * MODEL_ASSUMPTIONS.latencyMs.ses);
        return sender.send(messages);
      },
    };
  }

  /** SnsSmsSender: a batch's Publish calls at once. */
  sms(sender: SmsSender): SmsSender {
    return {
      send: (messages) => {
        const rounds = Math.ceil(messages.length / MODEL_ASSUMPTIONS.snsConcurrency);
        this.#wait(rounds * MODEL_ASSUMPTIONS.latencyMs.sns);
        return sender.send(messages);
      },
    };
  }
}

export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

/** Lambda duration: local CPU time scaled to the function's share of a vCPU, plus modelled waits. */
export function lambdaSeconds(fn: LambdaCount): number {
  const cpu = (fn.localMs / 1000) * Math.max(1, MODEL_ASSUMPTIONS.fullVcpuMemoryMb / fn.memoryMb);
  return cpu + fn.waitMs / 1000;
}

/** The counts priced: the pipeline's AWS cost and, apart, the delivery fees. */
export function costOf(counts: AwsCounts): { pipeline: CostLine[]; delivery: CostLine[] } {
  const p = AWS_PRICES.usd;
  const a = MODEL_ASSUMPTIONS;
  const GB = 2 ** 30;
  const line = (service: string, item: string, quantity: number, unit: string, price: number): CostLine => ({
    service,
    item,
    quantity,
    unit,
    usd: quantity * price,
  });
  const fns = Object.values(counts.lambda);
  const invocations = fns.reduce((n, f) => n + f.invocations, 0);
  const gbSeconds = fns.reduce((n, f) => n + lambdaSeconds(f) * (f.memoryMb / 1024), 0);
  const sent = counts.delivery.emails + counts.delivery.smsMessages + counts.delivery.callListEntries;
  // Firehose writes an object per partition per buffer interval while the sends go out.
  const sendingSeconds = sent / a.sendRatePerSecond;
  const firehoseObjects = Math.max(1, Math.ceil(sendingSeconds / a.firehoseBufferSeconds));
  const athenaBytes = Math.max(
    counts.athena.bytesScanned,
    p.athenaMinimumBytesPerQuery * counts.athena.queries,
  );
  const pipeline = [
    line('SQS', 'requests (64 KiB each)', counts.sqs.billedRequests, 'requests', p.sqsRequest),
    line('Lambda', 'invocations', invocations, 'invocations', p.lambdaRequest),
    line('Lambda', 'duration (arm64)', gbSeconds, 'GB-s', p.lambdaGbSecondArm),
    line('DynamoDB', 'write request units', counts.dynamodb.writeUnits, 'WRU', p.dynamodbWriteUnit),
    line('DynamoDB', 'read request units', counts.dynamodb.readUnits, 'RRU', p.dynamodbReadUnit),
    line('Athena', 'bytes scanned', athenaBytes / 1e9, 'GB', p.athenaByteScanned * 1e9),
    line(
      'Firehose',
      'ingestion (5 KB per record)',
      counts.firehose.billedBytes / GB,
      'GB',
      p.firehoseIngestGb,
    ),
    line('Firehose', 'Parquet conversion', counts.firehose.billedBytes / GB, 'GB', p.firehoseConversionGb),
    line('Firehose', 'dynamic partitioning', counts.firehose.bytes / GB, 'GB', p.firehosePartitioningGb),
    line('Firehose', 'objects delivered', firehoseObjects, 'objects', p.firehosePartitioningObject),
    line('S3', 'PUT (Firehose objects, call list)', firehoseObjects + counts.s3.puts, 'requests', p.s3Put),
    line(
      'CloudWatch Logs',
      'log ingestion',
      (invocations * a.logBytesPerInvocation) / GB,
      'GB',
      p.cloudwatchLogsGb,
    ),
  ];
  const delivery = [line('SES', 'emails', counts.delivery.emails, 'emails', p.sesEmail)];
  return { pipeline, delivery };
}
