/**
 * `npm run test:aws`: the opt-in end-to-end test against a real AWS account. Not part of `npm test`.
 *
 * It deploys a throwaway stack (its buckets and tables are deleted with it; the account's SMS settings
 * are left alone), uploads a five-customer lake whose addresses are SES mailbox-simulator addresses,
 * launches a one-wave email campaign through launch-wave, then waits until Athena sees every recipient
 * in the ledger (sends) and SES's delivery events in the events table, and destroys the stack (unless
 * E2E_KEEP=1).
 *
 * Needs: AWS credentials (a profile or the usual environment variables) for an account bootstrapped for
 * CDK, AWS_REGION (a region with SES), and E2E_SES_IDENTITY: a verified SES identity (domain or address)
 * to send from. Costs cents: a few Lambda runs, Athena queries over kilobytes, five simulator emails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { stringify } from 'yaml';
import { AthenaWarehouse } from '../../shared/lake/aws/athena-warehouse.ts';
import { instantToLocal } from '../../shared/time/zoned-time.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

const identity = process.env.E2E_SES_IDENTITY;
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
let account: string | undefined;
try {
  account = (await new STSClient({ region: region ?? 'us-east-1' }).send(new GetCallerIdentityCommand({})))
    .Account;
} catch (e) {
  account = undefined;
  process.stderr.write(`(no usable AWS credentials: ${(e as Error).message})\n`);
}
if (!account || !identity || !region) {
  console.error(
    [
      'npm run test:aws needs an AWS account, and found:',
      `  credentials: ${account ? `yes (account ${account})` : 'NONE (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)'}`,
      `  AWS_REGION: ${region ?? 'NOT SET (a region that offers SES, e.g. ap-southeast-1)'}`,
      `  E2E_SES_IDENTITY: ${identity ?? 'NOT SET (a verified SES domain or address to send from)'}`,
      'Nothing was deployed and nothing was tested.',
    ].join('\n'),
  );
  process.exit(2);
}

const run = `e2e${Date.now().toString(36)}`;
const stackName = `CampaignE2E-${run}`;
const work = mkdtempSync(join(tmpdir(), 'campaign-e2e-'));
const log = (line: string) => console.log(`[test:aws] ${line}`);
const fail = (why: string): never => {
  throw new Error(`test:aws failed: ${why}`);
};

// One email wave starting now (so no deploy-time schedule: launch-wave is invoked directly).
const zone = 'Asia/Shanghai';
const start = instantToLocal(new Date(Date.now() - 60_000), zone);
const campaignsDir = join(work, 'campaigns');
mkdirSync(campaignsDir, { recursive: true });
const from = identity.includes('@') ? identity : `e2e@${identity}`;
writeFileSync(
  join(campaignsDir, 'e2e.yaml'),
  stringify({
    id: run,
    name: 'test:aws',
    timeZone: zone,
    currency: 'CNY',
    channels: { email: { from } },
    waves: [
      {
        id: 'hello',
        start,
        sendBy: '6h',
        audience: { where: { everyone: true } },
        channel: 'email',
        templates: {
          email: {
            subject: 'test:aws {{ customer.name }}',
            html: '<p>{{ customer.name }}</p><p><a href="{{ link }}">link</a> <a href="{{ unsubscribeUrl }}">unsubscribe</a></p>',
          },
        },
        link: 'https://example.com/e2e',
      },
    ],
    holdoutPercent: 0,
    costs: { email: 0.001 },
  }),
);
writeFileSync(join(campaignsDir, 'contact-policy.yaml'), readFileSync('campaigns/contact-policy.yaml'));

const cdk = (args: string[]) =>
  execFileSync('npx', ['cdk', ...args], { stdio: 'inherit', env: { ...process.env, AWS_REGION: region } });
const context = [
  ['stackName', stackName],
  ['sesIdentity', identity],
  ['sesConfigurationSet', `${run}-events`],
  ['campaignsFolder', campaignsDir],
  ['manageSmsSettings', 'false'],
  ['ephemeral', 'true'],
].flatMap(([k, v]) => ['-c', `campaign:${k}=${v}`]);

let deployed = false;
try {
  log(`deploying ${stackName} to ${account} in ${region}`);
  const outputsFile = join(work, 'outputs.json');
  cdk(['deploy', stackName, '--require-approval', 'never', '--outputs-file', outputsFile, ...context]);
  deployed = true;
  const outputs = (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>)[
    stackName
  ] as Record<string, string>;
  const bucket = outputs.LakeBucket ?? fail('no LakeBucket output');
  const workGroup = outputs.AthenaWorkGroup ?? fail('no AthenaWorkGroup output');
  const launchWave = outputs.LaunchWaveFunction ?? fail('no LaunchWaveFunction output');

  // Five customers at SES mailbox-simulator addresses, each with a paid order.
  const customers = Array.from({ length: 5 }, (_, i) => ({
    customer_id: `e2e-${i}`,
    name: `e2e ${i}`,
    province: '浙江省',
    email: `success+${run}-${i}@simulator.amazonses.com`,
    email_consent: true,
    sms_consent: false,
    registered_at: '2025-01-01 00:00:00',
  }));
  const orders = customers.map((c, i) => ({
    order_id: `${run}-o${i}`,
    customer_id: c.customer_id,
    created_at: '2026-06-01 10:00:00',
    paid_at: '2026-06-01 10:01:00',
    status: 'paid',
    amount: 100,
    discount: 0,
    channel: 'organic',
    source: 'e2e',
  }));
  const lakeDir = await writeFixtureLake({ customers, orders });
  const s3 = new S3Client({ region });
  const files = readdirSync(join(lakeDir, 'lake'), { recursive: true }).map(String);
  for (const f of files.filter((x) => x.endsWith('.parquet'))) {
    const key = `lake/${relative(join(lakeDir, 'lake'), join(lakeDir, 'lake', f))}`;
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(join(lakeDir, 'lake', f)) }),
    );
  }
  log(`uploaded ${customers.length} customers and their orders`);

  const out = await new LambdaClient({ region }).send(
    new InvokeCommand({
      FunctionName: launchWave,
      Payload: Buffer.from(JSON.stringify({ campaignId: run, waveId: 'hello' })),
    }),
  );
  const answer = JSON.parse(Buffer.from(out.Payload ?? []).toString() || '{}') as { launched?: boolean };
  if (out.FunctionError || !answer.launched) fail(`launch-wave did not launch: ${JSON.stringify(answer)}`);
  log('wave launched; waiting for the ledger and the delivery events (Firehose buffers a minute)');

  const athena = new AthenaWarehouse({
    client: new AthenaClient({ region }),
    workGroup,
    database: 'campaign_lake',
  });
  const deadline = Date.now() + 15 * 60_000;
  let sent = 0;
  let delivered = 0;
  while (Date.now() < deadline && (sent < customers.length || delivered < customers.length)) {
    await new Promise((r) => setTimeout(r, 30_000));
    const sends = await athena.query(
      `SELECT count(DISTINCT send_id) AS n FROM sends WHERE campaign_id = '${run}' AND status = 'sent'`,
    );
    const events = await athena.query(
      `SELECT count(DISTINCT send_id) AS n FROM events WHERE campaign_id = '${run}' AND event_type = 'delivered'`,
    );
    sent = Number(sends.rows[0]?.n ?? 0);
    delivered = Number(events.rows[0]?.n ?? 0);
    log(`sent ${sent}/${customers.length}, delivered events ${delivered}/${customers.length}`);
  }
  if (sent !== customers.length) fail(`${sent} of ${customers.length} recipients sent in the ledger`);
  if (delivered !== customers.length) fail(`${delivered} of ${customers.length} delivery events recorded`);
  log('passed: every recipient sent once and delivered');
} finally {
  if (deployed && process.env.E2E_KEEP !== '1') {
    log(`destroying ${stackName}`);
    cdk(['destroy', stackName, '--force', ...context]);
  } else if (deployed) log(`E2E_KEEP=1: ${stackName} left deployed`);
}
