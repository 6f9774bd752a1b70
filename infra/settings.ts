import type { Node } from 'constructs';

/** Deployment settings, from CDK context (cdk.json or `-c key=value`), never hard-coded in constructs. */
export interface Settings {
  stackName: string;
  /** Athena stops a query that would scan more than this many bytes (what Athena bills). */
  athenaBytesScannedCutoff: number;
  /** First month the partition projection of orders covers, yyyy-MM. */
  historyStart: string;
  /** SES identity (verified domain or address) emails are sent from, and its configuration set. */
  sesIdentity: string;
  sesConfigurationSet: string;
  /** Sends per second each provider allows (SES account quota; SMS throughput), bounding concurrency. */
  sendRates: { email: number; sms: number; 'call-list': number };
  /** Account-wide SNS SMS settings: Promotional or Transactional, and the monthly spend limit in USD
   * (SNS refuses a limit above what the account was granted; new accounts have 1). */
  smsType: 'Promotional' | 'Transactional';
  smsMonthlySpendLimit: number;
  /** Base of the tracked short links: a domain of the shop's that routes to the redirect. */
  linkBase: string;
  /** Folder of the campaigns deployed as code (validated at synth). */
  campaignsFolder: string;
  /** Waves starting before this instant get no schedule (default: the time of the synth). */
  scheduleFrom: Date;
  /** Set the account's SNS SMS settings (type, spend limit, delivery-status logging); false leaves them. */
  manageSmsSettings: boolean;
  /** A throwaway stack (npm run test:aws): its buckets and tables are deleted with it. */
  ephemeral: boolean;
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
  const rate = (key: string, fallback: number) => {
    const value = Number(get(key) ?? fallback);
    if (!(value > 0))
      throw new Error(`campaign:${key} must be a positive number of sends per second, got ${get(key)}`);
    return value;
  };
  const linkBase = String(get('linkBase') ?? 'https://s.example.cn');
  if (!/^https:\/\/[^/]+$/.test(linkBase))
    throw new Error(`campaign:linkBase must be https://<host> with no path, got ${linkBase}`);
  const smsType = String(get('smsType') ?? 'Promotional');
  if (smsType !== 'Promotional' && smsType !== 'Transactional')
    throw new Error(`campaign:smsType must be Promotional or Transactional, got ${smsType}`);
  const smsMonthlySpendLimit = Number(get('smsMonthlySpendLimit') ?? 1);
  if (!Number.isInteger(smsMonthlySpendLimit) || smsMonthlySpendLimit < 0)
    throw new Error(
      `campaign:smsMonthlySpendLimit must be a whole number of US dollars, got ${get('smsMonthlySpendLimit')}`,
    );
  const scheduleFrom = get('scheduleFrom') ? new Date(String(get('scheduleFrom'))) : new Date();
  if (Number.isNaN(scheduleFrom.getTime()))
    throw new Error(`campaign:scheduleFrom must be an ISO date-time, got ${get('scheduleFrom')}`);
  return {
    stackName: String(get('stackName') ?? 'CampaignPipeline'),
    athenaBytesScannedCutoff: cutoff,
    historyStart,
    sesIdentity: String(get('sesIdentity') ?? 'example.com'),
    sesConfigurationSet: String(get('sesConfigurationSet') ?? 'campaign-events'),
    sendRates: {
      email: rate('emailSendRate', 14),
      sms: rate('smsSendRate', 20),
      'call-list': rate('callListWriteRate', 100),
    },
    smsType,
    smsMonthlySpendLimit,
    linkBase,
    campaignsFolder: String(get('campaignsFolder') ?? 'campaigns'),
    scheduleFrom,
    manageSmsSettings: String(get('manageSmsSettings') ?? 'true') !== 'false',
    ephemeral: String(get('ephemeral') ?? 'false') === 'true',
  };
}
