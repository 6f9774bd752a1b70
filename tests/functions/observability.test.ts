import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrumented, METRICS_NAMESPACE, observability } from '../../functions/observability.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';

// Powertools writes its log lines and EMF metrics to stdout, one JSON object a line.
let lines: Record<string, unknown>[] = [];
const saved = { ...process.env };
beforeEach(() => {
  lines = [];
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_DEV;
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    for (const line of String(chunk)
      .split('\n')
      .filter((l) => l.startsWith('{')))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
});

describe("the handlers' shared observability", () => {
  it("flushes a function's metrics once per invocation under the one namespace, with its service name", async () => {
    const { logger, metrics } = observability('launch-wave');
    const handler = instrumented(
      async (_event: unknown) => {
        logger.info('wave launched');
        metrics.addMetric('wavesLaunched', MetricUnit.Count, 1);
        return 'done';
      },
      { logger, metrics },
    );
    expect(await handler({}, lambdaContext)).toBe('done');
    const log = lines.find((l) => l.message === 'wave launched');
    expect(log).toMatchObject({ service: 'launch-wave', function_request_id: lambdaContext.awsRequestId });
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['service']] }] },
      service: 'launch-wave',
      wavesLaunched: 1,
    });
  });

  it('flushes nothing for a function given no metrics', async () => {
    const { logger } = observability('api');
    const handler = instrumented(async (_event: unknown) => 'ok', { logger });
    await handler({}, lambdaContext);
    expect(lines.filter((l) => '_aws' in l)).toEqual([]);
  });
});
