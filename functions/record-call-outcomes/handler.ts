import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { recordUploadedCallOutcomes, s3EventKey } from '../../shared/responses/aws/s3-call-outcomes.ts';
import { builtOnce } from '../built-once.ts';
import { recordCallsFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';

const { logger, metrics } = observability('record-call-outcomes');
const deps = builtOnce(async () => recordCallsFromEnvironment());

/** An S3 event notification: the objects created under call-outcomes/ (keys URL-encoded). */
const S3Event = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string().startsWith('ObjectCreated:'),
        s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
      }),
    )
    .min(1),
});

export interface RecordedUpload {
  /** The uploaded key, a phone in it redacted. */
  file: string;
  recorded: number;
  alreadyRecorded: number;
  rejected: number;
  /** Why the file could not be read as a call list (nothing recorded), else null. */
  error: string | null;
}

/**
 * A filled call list uploaded to `call-outcomes/<campaign>/<name>.csv` (S3 ObjectCreated): its outcomes
 * recorded as response events (shared/responses/call-outcomes.ts) and its report written to
 * `call-outcomes-results/<campaign>/<name>.csv.json`. A failure to read or write (S3, Athena, Firehose,
 * DynamoDB) fails the invocation for Lambda to retry it: outcomes written before the failure are keyed by
 * send and outcome, and readers take one row per event id. Logs carry counts and the redacted key only.
 */
export async function record(event: unknown): Promise<{ uploads: RecordedUpload[] }> {
  const { Records } = S3Event.parse(event);
  const d = await deps();
  const uploads: RecordedUpload[] = [];
  for (const r of Records) {
    if (r.s3.bucket.name !== d.bucket)
      throw new Error(`an upload to bucket ${r.s3.bucket.name}, not the lake bucket ${d.bucket}`);
    const key = s3EventKey(r.s3.object.key);
    const { result } = await recordUploadedCallOutcomes(d, key);
    const upload: RecordedUpload =
      'error' in result
        ? { file: result.file, recorded: 0, alreadyRecorded: 0, rejected: 0, error: result.error }
        : {
            file: result.file,
            recorded: result.recorded,
            alreadyRecorded: result.alreadyRecorded,
            rejected: result.rejected.length,
            error: null,
          };
    if ('error' in result) logger.warn('not a call list: nothing recorded', { ...upload });
    else
      logger.info('call outcomes recorded', {
        ...upload,
        read: result.read,
        notCalled: result.notCalled,
        optedOut: result.optedOut,
        byOutcome: result.byOutcome,
      });
    metrics.addMetric('callOutcomesRecorded', MetricUnit.Count, upload.recorded);
    metrics.addMetric('callOutcomesRejected', MetricUnit.Count, upload.rejected);
    uploads.push(upload);
  }
  return { uploads };
}

export const handler = instrumented(record, { logger, metrics });
