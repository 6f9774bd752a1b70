import type { Context } from 'aws-lambda';

/** A Lambda context as the runtime passes it, for calling handlers through their whole middy stack. */
export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:123456789012:function:test-function',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/test-function',
  logStreamName: '2026/11/23/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

/** A middy handler called as the Lambda runtime calls it. */
export const invoke =
  <R>(handler: (event: unknown, context: Context) => Promise<R>) =>
  (event: unknown): Promise<R> =>
    handler(event, lambdaContext);

/**
 * The environment every handler test sets: test credentials, DynamoDB at dynalite, Powertools quiet,
 * and the function's own settings.
 */
export function handlerTestEnv(dynamoEndpoint: string, settings: Record<string, string>): NodeJS.ProcessEnv {
  return {
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...settings,
  };
}
