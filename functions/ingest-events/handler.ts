import { gunzipSync } from 'node:zlib';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { ingestEvents, type ResponseInput } from '../../shared/responses/ingest-events.ts';
import { builtOnce } from '../built-once.ts';
import { ingestFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';
import { SqsEvent } from '../sqs-event.ts';

const { logger, metrics } = observability('ingest-events');
const deps = builtOnce(async () => ingestFromEnvironment());

/** A CloudWatch Logs subscription's event: SNS SMS delivery-status log lines, gzipped and base64. */
const LogsEvent = z.object({ awslogs: z.object({ data: z.string() }) });
const LogsPayload = z.object({
  messageType: z.string(),
  logEvents: z.array(z.object({ id: z.string(), message: z.string() })),
});

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // rejected by the normalizer as "not an object", and counted
  }
}

/**
 * The response inputs in an event: SES events that EventBridge put on the events queue (one per SQS
 * record), or SMS delivery receipts from the SNS delivery-status logs. Anything else is refused whole.
 */
export function responseInputs(event: unknown): ResponseInput[] {
  const sqs = SqsEvent.safeParse(event);
  if (sqs.success) return sqs.data.Records.map((r) => ({ source: 'ses', record: json(r.body) }));
  const logs = LogsEvent.safeParse(event);
  if (logs.success) {
    const payload = LogsPayload.parse(
      JSON.parse(gunzipSync(Buffer.from(logs.data.awslogs.data, 'base64')).toString()),
    );
    // CONTROL_MESSAGE: CloudWatch Logs checking the destination is reachable.
    if (payload.messageType !== 'DATA_MESSAGE') return [];
    return payload.logEvents.map((e) => ({ source: 'sms-receipt', record: json(e.message) }));
  }
  throw new Error('not an SQS batch of SES events nor a CloudWatch Logs subscription event');
}

/**
 * Writes response events back (events table, suppressions at once). A record that does not parse or is
 * not ours is rejected with its reason and counted — never fails the batch. If a write fails the whole
 * batch is retried; readers take one row per event id.
 */
export async function ingest(event: unknown): Promise<{ batchItemFailures: never[] }> {
  const inputs = responseInputs(event);
  const report = await ingestEvents(await deps(), inputs);
  metrics.addMetric('eventsAccepted', MetricUnit.Count, report.accepted);
  metrics.addMetric('suppressionsApplied', MetricUnit.Count, report.suppressed);
  const rejected = Object.values(report.rejected).reduce((a, b) => a + b, 0);
  metrics.addMetric('eventsRejected', MetricUnit.Count, rejected);
  // Reasons name fields and expectations, never values: no address reaches the log.
  for (const [reason, count] of Object.entries(report.rejected))
    logger.warn('events rejected', { reason, count });
  return { batchItemFailures: [] };
}

export const handler = instrumented(ingest, { logger, metrics });
