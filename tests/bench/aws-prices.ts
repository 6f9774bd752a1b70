/**
 * AWS list prices the cost model multiplies request counts by: US East (N. Virginia), on-demand, no free
 * tier, no volume discounts. Recorded on the date below from the public pricing pages listed; prices
 * change and differ by region (China regions are priced in CNY by a different operator), so check them
 * before budgeting. The cost model (aws-cost-model.ts) says which counts each price applies to.
 */
export const AWS_PRICES = {
  recordedOn: '2026-11-22',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/athena/pricing/',
    'https://aws.amazon.com/firehose/pricing/',
    'https://aws.amazon.com/s3/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'https://aws.amazon.com/ses/pricing/',
  ],
  usd: {
    /** Standard queue, per request; each 64 KiB of a request's payload is one request. */
    sqsRequest: 0.4 / 1e6,
    /** Per invocation, and per GB-second on arm64. */
    lambdaRequest: 0.2 / 1e6,
    lambdaGbSecondArm: 0.0000133334,
    /** On-demand: a write request unit writes 1 KB; a read request unit reads 4 KB strongly consistent. */
    dynamodbWriteUnit: 0.625 / 1e6,
    dynamodbReadUnit: 0.125 / 1e6,
    /** Per byte scanned ($5 per TB), at least 10 MB per query. */
    athenaByteScanned: 5 / 1e12,
    athenaMinimumBytesPerQuery: 10 * 1e6,
    /** Direct PUT ingestion per GB, each record rounded up to 5 KB; Parquet conversion per GB; dynamic
     * partitioning per GB and per 1,000 objects delivered. */
    firehoseIngestGb: 0.029,
    firehoseRecordRoundingBytes: 5 * 1024,
    firehoseConversionGb: 0.018,
    firehosePartitioningGb: 0.02,
    firehosePartitioningObject: 0.005 / 1000,
    /** PUT, COPY, POST, LIST per request. */
    s3Put: 0.005 / 1000,
    /** Log ingestion per GB (Lambda logs and the metrics Powertools writes as log lines). */
    cloudwatchLogsGb: 0.5,
    /** Delivery fee: per email sent. */
    sesEmail: 0.1 / 1000,
  },
} as const;

/**
 * What the model assumes where a local run cannot measure: how long a Lambda waits on each AWS request,
 * how much CPU it gets, what it logs, and the rate sends go out at (which sets how many objects Firehose
 * writes). Upper bounds rather than guesses low.
 */
export const MODEL_ASSUMPTIONS = {
  /** Lambda gives one vCPU at 1,769 MB, proportionally less below: local CPU time × 1769 / memory. */
  fullVcpuMemoryMb: 1769,
  /** Milliseconds a handler waits per request, one after another (SES sends one message at a time). */
  latencyMs: { dynamodb: 5, ses: 30, sns: 30, firehose: 20, sqs: 10, s3: 20, athenaPage: 50 },
  /** The contact store works on up to 16 customers at once. */
  dynamodbConcurrency: 16,
  /** SNS sends a batch's messages at once. */
  snsConcurrency: 20,
  /** Log bytes per invocation (a line or two, and the metrics as one EMF line). */
  logBytesPerInvocation: 2048,
  /** Messages per second the provider quotas allow in production (sets Firehose's 60-second objects). */
  sendRatePerSecond: 1000,
  /** Firehose buffers 60 s per partition before writing an object. */
  firehoseBufferSeconds: 60,
} as const;
