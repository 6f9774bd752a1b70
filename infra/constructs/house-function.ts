import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { METRICS_NAMESPACE } from '../../functions/observability.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HouseFunctionProps {
  /** Folder under functions/ whose handler.ts exports `handler`. */
  handler: string;
  timeout: Duration;
  memorySize?: number;
}

/** A setting a function reads (functions/environment.ts): the key of its environment variable. */
export type Setting = keyof typeof FUNCTION_ENV;

/**
 * Every Lambda of the pipeline: Node 24 on arm64, bundled by esbuild on this machine (no Docker) as ESM
 * with source maps, X-Ray tracing, a log group kept for a month, Powertools settings. A function gets
 * each resource it uses through `bind` (bind.ts), which sets the variable naming the resource and grants
 * the access to it together: a function that is not given a resource has neither.
 */
export class HouseFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: resolve(ROOT, 'functions', props.handler, 'handler.ts'),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: resolve(ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.handler,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        sourceMap: true,
        minify: false,
        forceDockerBundling: false,
        mainFields: ['module', 'main'],
        // ESM bundles of CommonJS dependencies need a require().
        banner:
          "import { createRequire as __houseCreateRequire } from 'node:module'; const require = __houseCreateRequire(import.meta.url);",
        // Native DuckDB is not used by the Lambdas (Athena is their warehouse).
        externalModules: ['@duckdb/node-api'],
      },
    });
  }

  /**
   * A setting that names no resource the function is granted (the link base, the SES configuration set's
   * name, an ARN to pass on); a resource's variable is set by `bind` with its grant.
   */
  useSetting(setting: Setting, value: string): this {
    this.addEnvironment(FUNCTION_ENV[setting], value);
    return this;
  }
}
