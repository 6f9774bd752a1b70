import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse } from 'aws-lambda';
import { handleSendBatches } from '../../shared/delivery/send-batch.ts';
import { redactPersonalData } from '../../shared/redact.ts';
import { builtOnce } from '../built-once.ts';
import { sendingFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';
import { queueRecords } from '../sqs-event.ts';

const { logger, metrics } = observability('send-batches');
const deps = builtOnce(() => sendingFromEnvironment());

/**
 * One SQS batch of send messages (email, SMS or call list: the message says which) through the send use
 * case; records that failed are returned for redelivery (ReportBatchItemFailures). Logs counts and ids,
 * never addresses or message text.
 */
export async function sendBatches(event: unknown): Promise<SQSBatchResponse> {
  const records = queueRecords(event);
  const { failedIds, errors, outcomes } = await handleSendBatches(await deps(), records);
  for (const id of failedIds)
    logger.error('send batch failed', { messageId: id, error: redactPersonalData(errors[id] ?? '') });
  metrics.addMetric('batchesHandled', MetricUnit.Count, records.length - failedIds.length);
  metrics.addMetric('batchesFailed', MetricUnit.Count, failedIds.length);
  // Sent / suppressed / failed per wave, for the dashboards and alarms.
  for (const o of outcomes) {
    const perWave = metrics.singleMetric();
    perWave.addDimensions({ campaign: o.campaignId, wave: o.waveId, channel: o.channel });
    perWave.addMetric('recipientsSent', MetricUnit.Count, o.sent);
    perWave.addMetric('recipientsSuppressed', MetricUnit.Count, o.suppressed);
    perWave.addMetric('recipientsFailed', MetricUnit.Count, o.failed);
  }
  return { batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = instrumented(sendBatches, { logger, metrics });
