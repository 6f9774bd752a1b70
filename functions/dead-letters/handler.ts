import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { recordDeadLetters } from '../../shared/delivery/dead-letters.ts';
import { builtOnce } from '../built-once.ts';
import { deadLettersFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';
import { queueRecords } from '../sqs-event.ts';

const { logger, metrics } = observability('dead-letters');
const deps = builtOnce(async () => deadLettersFromEnvironment());

/**
 * The send queues' dead-letter queues: every recipient of a poison message still open is marked failed
 * and recorded in the ledger, so the wave reconciles. The last error is not in an SQS record; the send
 * handler logged it with the message id.
 */
export async function deadLetters(event: unknown): Promise<{ failed: number; unreadable: number }> {
  const letters = queueRecords(event).map((r) => ({
    messageId: r.messageId,
    body: r.body,
    lastError: `failed every delivery up to the queue's maxReceiveCount (the send-batches log has the error for message ${r.messageId})`,
  }));
  const report = await recordDeadLetters(await deps(), letters);
  for (const id of report.unreadable)
    logger.error('unreadable dead letter: its recipients stay in flight', { messageId: id });
  metrics.addMetric('recipientsDeadLettered', MetricUnit.Count, report.failed);
  metrics.addMetric('unreadableDeadLetters', MetricUnit.Count, report.unreadable.length);
  return { failed: report.failed, unreadable: report.unreadable.length };
}

export const handler = instrumented(deadLetters, { logger, metrics });
