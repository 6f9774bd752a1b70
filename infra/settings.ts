import type { Node } from 'constructs';

/** Deployment settings, from CDK context (cdk.json or `-c key=value`), never hard-coded in constructs. */
export interface Settings {
  stackName: string;
  /** Athena stops a query that would scan more than this many bytes (what Athena bills). */
  athenaBytesScannedCutoff: number;
  /** First month the partition projection of orders covers, yyyy-MM. */
  historyStart: string;
}

export function readSettings(node: Node): Settings {
  const get = (key: string) => node.tryGetContext(`campaign:${key}`);
  const cutoff = Number(get('athenaBytesScannedCutoff') ?? 10 * 2 ** 30);
  const historyStart = String(get('historyStart') ?? '2015-01');
  if (!Number.isSafeInteger(cutoff) || cutoff < 10 * 2 ** 20) {
    throw new Error(
      `campaign:athenaBytesScannedCutoff must be a whole number of bytes ≥ 10 MiB (Athena's minimum), got ${cutoff}`,
    );
  }
  if (!/^\d{4}-\d{2}$/.test(historyStart))
    throw new Error(`campaign:historyStart must be yyyy-MM, got ${historyStart}`);
  return {
    stackName: String(get('stackName') ?? 'CampaignPipeline'),
    athenaBytesScannedCutoff: cutoff,
    historyStart,
  };
}
