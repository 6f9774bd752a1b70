import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../../clock.ts';
import { DataError } from '../../errors.ts';
import { redactPersonalData } from '../../redact.ts';
import {
  type CallOutcomeReport,
  type RecordCallsDeps,
  recordCallOutcomes,
  rejectsCsv,
} from '../call-outcomes.ts';

/** Where staff upload a filled call list: `call-outcomes/<campaign>/<any name>.csv` in the lake bucket. */
export const CALL_OUTCOMES_PREFIX = 'call-outcomes/';
/**
 * Where its results go, under the same name: `<name>.json` (the report) and `<name>.rejects.csv`. Not
 * under `call-outcomes/`, so writing them starts no recording (the upload notification's prefix is
 * `call-outcomes/`, with its slash).
 */
export const CALL_OUTCOME_RESULTS_PREFIX = 'call-outcomes-results/';

/**
 * An object key as an S3 event notification gives it (URL-encoded, a space as `+`), as it is in the
 * bucket: `call-outcomes/d11/%E5%B7%B2%E6%8B%A8+1.csv` → `call-outcomes/d11/已拨 1.csv`; a `+` of the
 * name itself comes as `%2B`.
 */
export function s3EventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    throw new DataError(`not a URL-encoded object key: ${redactPersonalData(encoded)}`);
  }
}

/** The result objects of an upload: its report and its rejects, under the results prefix. */
export function callOutcomeResultKeys(key: string): { report: string; rejects: string } {
  if (!key.startsWith(CALL_OUTCOMES_PREFIX))
    throw new DataError(
      `${key}: not an upload of call outcomes (expected a key under ${CALL_OUTCOMES_PREFIX})`,
    );
  const name = `${CALL_OUTCOME_RESULTS_PREFIX}${key.slice(CALL_OUTCOMES_PREFIX.length)}`;
  return { report: `${name}.json`, rejects: `${name}.rejects.csv` };
}

export interface UploadedCallOutcomesDeps extends RecordCallsDeps {
  s3: S3Client;
  /** The lake bucket: uploads are read from it, results written to it. */
  bucket: string;
  clock: Clock;
}

/** What the report object holds: the counts and rejects (never a phone), or why nothing was read. */
export type UploadResult =
  | (CallOutcomeReport & { rejectsKey: string | null })
  | { file: string; error: string; rejectsKey: null };

/**
 * Records an uploaded call list (call-outcomes.ts, as `campaign calls record` does locally) and writes
 * its report next to it under `call-outcomes-results/`: `<key>.json`, and `<key>.rejects.csv` when rows
 * were rejected (written first, so a report always finds the rejects it names). A file that cannot be
 * read as a call list (no CSV, no 发送编号/结果 header) gets a report saying why, and nothing is recorded;
 * a failure of S3, Athena, Firehose or DynamoDB is thrown for the invocation to be retried. The key is
 * redacted in the report (staff name the files): it and the rejects carry no phone number.
 */
export async function recordUploadedCallOutcomes(
  deps: UploadedCallOutcomesDeps,
  key: string,
): Promise<{ result: UploadResult; reportKey: string }> {
  const keys = callOutcomeResultKeys(key);
  const file = redactPersonalData(key);
  const got = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  if (!got.Body) throw new Error(`s3://${deps.bucket}/${file}: GetObject returned no body`);
  const bytes = Buffer.from(await got.Body.transformToByteArray());
  let result: UploadResult;
  try {
    const report = await recordCallOutcomes(deps, bytes, file, deps.clock.now());
    result = { ...report, rejectsKey: report.rejected.length ? keys.rejects : null };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    result = { file, error: redactPersonalData(e.message), rejectsKey: null };
  }
  const put = (Key: string, Body: string, ContentType: string) =>
    deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key, Body, ContentType }));
  if ('rejected' in result && result.rejectsKey)
    await put(result.rejectsKey, rejectsCsv(result.rejected), 'text/csv; charset=utf-8');
  await put(keys.report, `${JSON.stringify(result, null, 2)}\n`, 'application/json');
  return { result, reportKey: keys.report };
}
