import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString, sqlStringList } from '../../shared/lake/sql-literals.ts';
import { campaignCli } from '../helpers/campaign-cli.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';

/**
 * The call list as staff use it, end to end through the CLI on a small shop: the Double-11 cashback
 * wave with its VIP tier widened to the top 30% (so the list has rows), the sheet Excel opens, the
 * dialling export on request, and the outcomes recorded back as response events.
 */
const campaign = campaignCli;

const HEADER =
  '发送编号,客户编号,客户,手机,会员等级,价值层级,省份,城市,建议致电时间,活动,波次,优惠,版本,最近订单,话术,结果';
const PHONE = /\+?86 ?1[3-9]\d{9}|(?<!\d)1[3-9]\d{9}(?!\d)/;

let dataDir: string;
let campaignFile: string;
let sheet: string;
let rows: Record<string, string>[];
let wh: DuckDbWarehouse;

const calls = (...args: string[]) => campaign(['calls', ...args, '--data-dir', dataDir]);
const query = async (text: Sql) => (await wh.query(text)).rows;

beforeAll(async () => {
  const shop = await sampleShop(2_000);
  dataDir = await mkdtemp(join(tmpdir(), 'calls-'));
  await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'calls-campaign-'));
  campaignFile = join(dir, 'double-11.yaml');
  writeFileSync(
    campaignFile,
    readFileSync('campaigns/double-11.yaml', 'utf8')
      .replace('$schema=../campaign.schema.json', '$schema=campaign.schema.json')
      .replace('topPercent: 1 }', 'topPercent: 30 }'),
  );
  copyFileSync('campaigns/contact-policy.yaml', join(dir, 'contact-policy.yaml'));
  const run = campaign(['run', campaignFile, '--wave', 'd11-cashback', '--data-dir', dataDir]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).not.toMatch(PHONE);
  sheet = join(dataDir, 'outbox', 'call-list', 'double-11-2026__d11-cashback.csv');
  rows = parse(readFileSync(sheet, 'utf8').slice(1), { columns: true }) as Record<string, string>[];
  expect(rows.length).toBeGreaterThan(10);
  wh = await DuckDbWarehouse.open(dataDir);
}, 120_000);
afterAll(async () => {
  await wh?.close();
});

describe('the call list staff work from', () => {
  it('opens in Excel on a Chinese system: UTF-8 with BOM, Chinese headers, masked phones, nothing empty that staff need', () => {
    const bytes = readFileSync(sheet);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').slice(1).split('\n')[0]).toBe(HEADER);
    expect(bytes.toString('utf8')).not.toMatch(PHONE);
    for (const r of rows) {
      expect(r.手机).toMatch(/^\(\+86\) 1\d{2}\*{4}\d{4}$/);
      expect(r.会员等级).toMatch(/^(普通|银卡|金卡|钻石)会员$/);
      expect(r.发送编号).toBe(`double-11-2026/d11-cashback/${r.客户编号}`);
      expect(r.活动).toBe('双11 2026');
      expect(r.波次).toBe('双11零点：老客返现');
      expect(r.优惠).toBe('老客返现20元（满199可用，至2026-11-11 23:59）');
      expect(['urgency', 'gratitude']).toContain(r.版本);
      expect(r.话术).toMatch(/^感谢.+一直以来的支持；双11老客专享老客返现20元/);
      expect(r.结果).toBe('');
      expect(r.省份).not.toBe('');
    }
    // The wave starts at midnight; the call list's quiet hours end at 09:00 in the customer's zone.
    const times = new Set(rows.map((r) => r.建议致电时间));
    expect(times.has('2026-11-11 09:00')).toBe(true);
    for (const t of times) expect(t).toMatch(/^2026-11-1\d \d{2}:\d{2}( \(.+\))?$/);
  });

  it('lists no one who opted out of SMS or of everything, or never agreed to marketing on their phone', async () => {
    const ids = rows.map((r) => r.客户编号 as string);
    const optedOut =
      await query(sql`SELECT count(*) AS n FROM customers c WHERE c.customer_id IN ${sqlStringList(ids)}
      AND (NOT coalesce(c.sms_consent, false) OR c.phone IS NULL OR EXISTS (
        SELECT 1 FROM suppressions s WHERE s.customer_id = c.customer_id AND s.channel IN ('sms', 'any')))`);
    expect(Number(optedOut[0]?.n)).toBe(0);
  });

  it('writes full numbers only on request, to a separate file only its owner can read', () => {
    const before = readdirSync(join(dataDir, 'outbox', 'call-list'));
    expect(before).toEqual(['double-11-2026__d11-cashback.csv']);
    const masked = calls('export', 'double-11-2026');
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain(sheet);
    expect(readdirSync(join(dataDir, 'outbox', 'call-list'))).toEqual(before);

    const full = calls('export', campaignFile, '--full-numbers');
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);
    expect(full.stdout).not.toMatch(PHONE);
    const file = sheet.replace(/\.csv$/, '.full.csv');
    expect(full.stdout).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`\uFEFF${HEADER}\n`)).toBe(true);
    const dial = parse(text.slice(1), { columns: true }) as Record<string, string>[];
    expect(dial.map((r) => r.发送编号)).toEqual(rows.map((r) => r.发送编号));
    for (const r of dial) expect(r.手机).toMatch(/^\(\+86\) 1[3-9]\d{9}$/);
    // The masked list is as it was.
    expect(readFileSync(sheet, 'utf8')).not.toMatch(PHONE);
  });

  it('writes a GBK copy for tools that want one', () => {
    const r = calls('export', 'double-11-2026', '--encoding', 'gbk');
    expect(r.code).toBe(0);
    const bytes = readFileSync(sheet.replace(/\.csv$/, '.gbk.csv'));
    expect(bytes[0]).not.toBe(0xef);
    const text = iconv.decode(bytes, 'gbk');
    expect(text.split('\n')[0]).toBe(HEADER);
    expect(text).toContain('双11零点：老客返现');
    expect(calls('export', 'double-11-2026', '--encoding', 'latin1').code).toBe(1);
  });

  it('records the outcomes staff wrote as response events, rejects bad rows with their line, and adds nothing the second time', async () => {
    const [a, b, c, d, e] = rows;
    const cells = (r: Record<string, string>, outcome: string, sendId = r.发送编号 as string) =>
      [sendId, sendId.split('/')[2], r.客户, r.手机, '', '', '', '', '', '', '', '', '', '', '', outcome]
        .map((v) => `"${String(v).replaceAll('"', '""')}"`)
        .join(',');
    // Saved from Excel on a Chinese system: GBK, no BOM.
    const filled = join(dataDir, 'filled.csv');
    const lines = [
      HEADER,
      cells(a as never, '已接通'),
      cells(b as never, '拒绝再联系'),
      cells(c as never, '回拨 13812345678'),
      cells(d as never, '成交', 'double-11-2026/d11-cashback/nobody'),
      cells(e as never, ''),
      cells(a as never, '已接通'),
    ];
    writeFileSync(filled, iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk'));

    const first = calls('record', filled);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'read 6 rows (gbk): 2 recorded (已接通 1, 拒绝再联系 1), 1 already recorded, 1 not called yet, 2 rejected',
    );
    expect(first.stdout).not.toMatch(PHONE);
    const rejects = parse(readFileSync(`${filled}.rejects.csv`, 'utf8').slice(1), { columns: true });
    expect(rejects).toEqual([
      {
        行: '4',
        发送编号: c?.发送编号,
        结果: '回拨 <phone>',
        原因: '结果: expected one of 已接通, 未接通, 拒绝, 成交, 回拨, 拒绝再联系 (or empty: not called yet)',
      },
      {
        行: '5',
        发送编号: 'double-11-2026/d11-cashback/nobody',
        结果: '成交',
        原因: '发送编号: no call of this id was made (not in the sends ledger as a sent call-list send)',
      },
    ]);

    await wh.refreshViews(dataDir);
    const events = await query(
      sql`SELECT send_id, event_type, channel, source, detail FROM events WHERE source = 'call-list' ORDER BY event_type`,
    );
    expect(events).toEqual([
      {
        send_id: a?.发送编号,
        event_type: 'call-answered',
        channel: 'call-list',
        source: 'call-list',
        detail: '已接通',
      },
      {
        send_id: b?.发送编号,
        event_type: 'unsubscribed',
        channel: 'call-list',
        source: 'call-list',
        detail: '拒绝再联系',
      },
    ]);
    expect(
      await query(
        sql`SELECT customer_id, channel, reason FROM suppressions WHERE customer_id = ${sqlString(b?.客户编号 ?? '')}`,
      ),
    ).toEqual([{ customer_id: b?.客户编号, channel: 'any', reason: 'opt-out' }]);

    const again = calls('record', filled, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      read: 6,
      recorded: 0,
      alreadyRecorded: 3,
      notCalled: 1,
    });
    await wh.refreshViews(dataDir);
    expect(await query(sql`SELECT count(*) AS n FROM events WHERE source = 'call-list'`)).toEqual([{ n: 2 }]);
    expect(
      await query(
        sql`SELECT count(*) AS n FROM suppressions WHERE customer_id = ${sqlString(b?.客户编号 ?? '')}`,
      ),
    ).toEqual([{ n: 1 }]);

    // The customer who refused is left out of the dialling export from now on.
    expect(calls('export', 'double-11-2026', '--full-numbers').code).toBe(0);
    const dial = parse(readFileSync(sheet.replace(/\.csv$/, '.full.csv'), 'utf8').slice(1), {
      columns: true,
    }) as Record<string, string>[];
    expect(dial.map((r) => r.发送编号)).not.toContain(b?.发送编号);
    expect(dial).toHaveLength(rows.length - 1);
  });

  it('names a file that is not a call list', () => {
    const other = join(dataDir, 'other.csv');
    // A list saved without its header: the first row is data, and its number is not printed.
    writeFileSync(other, '"x/y/c1","c1","王","+8613812345678"\n');
    const r = calls('record', other);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${other}:1:1 expected the call list's header with 发送编号 and 结果`);
    expect(r.stderr).toContain('<phone>');
    expect(r.stderr).not.toMatch(PHONE);
  });
});
