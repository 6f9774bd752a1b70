import { z } from 'zod';
import type { QueueRecord } from '../shared/delivery/queue/queue.ts';

/** The part of an SQS event source mapping's event the handlers read. */
export const SqsEvent = z.object({
  Records: z.array(
    z.object({
      messageId: z.string().min(1),
      body: z.string(),
      attributes: z
        .object({ ApproximateReceiveCount: z.string().regex(/^\d+$/) })
        .partial()
        .optional(),
    }),
  ),
});

export function queueRecords(event: unknown): QueueRecord[] {
  return SqsEvent.parse(event).Records.map((r) => ({
    messageId: r.messageId,
    body: r.body,
    receiveCount: Number(r.attributes?.ApproximateReceiveCount ?? 1),
  }));
}
