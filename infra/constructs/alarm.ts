import { Alarm, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/**
 * The pipeline's one kind of alarm: in alarm as soon as the metric reaches 1 in a period (a dead letter,
 * a failed or throttled invocation, a failed wave run); no data is not a breach.
 */
export function alarmOnAny(scope: Construct, id: string, description: string, metric: IMetric): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
