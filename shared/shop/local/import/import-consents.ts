import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { columnList } from '../../../lake/column-list.ts';
import { tableDir } from '../../../lake/lake-paths.ts';
import { tableSource } from '../../../lake/local/duckdb-warehouse.ts';
import { swapFolders } from '../../../lake/local/lake-swap.ts';
import { col, rowDecoder } from '../../../lake/row-decoder.ts';
import { ident, joinSql, sql } from '../../../lake/sql.ts';
import { sqlString } from '../../../lake/sql-literals.ts';
import { CONSENTS, CUSTOMERS } from '../../../lake/tables.ts';
import { inImportSession } from './import-session.ts';
import { type FileImportResult, ImportStaging } from './import-staging.ts';
import { chinaMobile, customerIdFrom, emailOrNull, parseTimestamp } from './imported-order.ts';
import { columnsByAlias, openCsv, refuseMissingColumns } from './read-csv.ts';

/** Our field → the headers a consent file may use for it. One of the four customer columns is needed. */
export const CONSENT_COLUMNS = {
  customer_id: ['customer_id', '客户编号'],
  nickname: ['买家会员名', 'nickname'],
  phone: ['phone', '手机', '联系手机'],
  email: ['email', '邮箱'],
  channel: ['channel', '渠道'],
  consent: ['consent', '同意'],
  source: ['source', '来源'],
  at: ['at', '时间'],
} as const;

const CHANNELS: Record<string, 'email' | 'sms' | 'any'> = {
  email: 'email',
  邮件: 'email',
  sms: 'sms',
  短信: 'sms',
  any: 'any',
  all: 'any',
  全部: 'any',
};
const GIVEN = ['yes', 'y', 'true', '1', 'opt-in', '同意', '是', '订阅'];
const WITHDRAWN = ['no', 'n', 'false', '0', 'opt-out', '退订', '否', '拒绝'];

export interface ConsentImportResult extends FileImportResult {
  /** Customers whose email or SMS consent changed. */
  customersChanged: number;
  given: number;
  withdrawn: number;
}

const consentCounts = rowDecoder('the consent records imported', {
  given: col.number,
  withdrawn: col.number,
});

/**
 * Records consent and opt-outs the shop collected (a membership form, the service desk, SMS replies): each
 * row names a customer (by id, Taobao nickname, phone or email — never echoed in a reason), a channel
 * (email, sms, any), given or withdrawn, where it came from and when. Records are kept in `consents`;
 * the latest per customer and channel sets the customer's email_consent / sms_consent. Rows stream; a
 * customer not in the lake, or two records of one customer, channel and time that disagree, are rejected.
 */
export async function importConsents(opts: {
  file: string;
  rejectsFile: string;
  dataDir: string;
  now: Date;
  timeZone?: string;
}): Promise<ConsentImportResult> {
  const zone = opts.timeZone ?? 'Asia/Shanghai';
  return inImportSession(opts.dataDir, async ({ db, staging }) => {
    const csv = await openCsv(opts.file);
    const header = columnsByAlias(csv.headers, CONSENT_COLUMNS);
    const who = (['customer_id', 'nickname', 'phone', 'email'] as const).filter((k) => header[k]);
    const missing = [
      who.length === 0
        ? `a customer column (${['customer_id', '买家会员名', 'phone', 'email'].join(', ')})`
        : null,
      header.channel ? null : 'channel',
      header.consent ? null : 'consent',
    ];
    refuseMissingColumns(opts.file, csv.headers, missing);
    return new ImportStaging(staging, opts.rejectsFile, csv.headers, 'whole').within(async (out) => {
      const staged = join(staging, 'consents.jsonl');
      const file = createWriteStream(staged);
      let read = 0;
      for await (const row of csv.rows) {
        read++;
        const get = (k: keyof typeof CONSENT_COLUMNS) => {
          const h = header[k];
          return h ? (row.values[h] ?? '').trim() : '';
        };
        const id = get('customer_id');
        const nick = get('nickname');
        const phoneText = get('phone');
        const emailText = get('email');
        const phone = phoneText ? chinaMobile(phoneText) : null;
        const email = emailText ? emailOrNull(emailText) : null;
        let problem: string | null = null;
        if (!id && !nick && !phoneText && !emailText)
          problem = `${who.map((k) => header[k]).join(', ')}: empty, cannot tell whose consent it is`;
        else if (phoneText && !phone && !id && !nick)
          problem = `${header.phone}: not a mobile number (the number is not repeated here)`;
        else if (emailText && !email && !id && !nick && !phone)
          problem = `${header.email}: not an email address`;
        const channel = CHANNELS[get('channel').toLowerCase()];
        if (!problem && !channel)
          problem = `${header.channel}: "${get('channel')}" is not a channel; expected email, sms or any (邮件, 短信, 全部)`;
        const consentText = get('consent').toLowerCase();
        const consent = GIVEN.includes(consentText) ? true : WITHDRAWN.includes(consentText) ? false : null;
        if (!problem && consent === null)
          problem = `${header.consent}: "${get('consent')}" is neither given (${GIVEN.join(', ')}) nor withdrawn (${WITHDRAWN.join(', ')})`;
        const atText = get('at');
        const at = atText ? parseTimestamp(atText, zone) : { ok: true as const, value: opts.now };
        if (!problem && !at.ok) problem = `${header.at}: ${at.problem}`;
        if (!problem && at.ok && at.value.getTime() > opts.now.getTime() + 86_400_000)
          problem = `${header.at}: ${at.value.toISOString()} is in the future`;
        if (problem || !at.ok) {
          await out.reject(row, problem ?? 'unreadable');
          continue;
        }
        const record = {
          line: row.line,
          cells: row.cells,
          customer_id: id || (nick ? customerIdFrom('tb', nick) : null),
          phone,
          email,
          channel,
          consent,
          source: (get('source') || opts.file.split(/[\\/]/).at(-1) || 'import').slice(0, 200),
          given_at: at.value.toISOString().replace('T', ' ').replace('Z', ''),
        };
        if (!file.write(`${JSON.stringify(record)}\n`)) await once(file, 'drain');
      }
      file.end();
      await once(file, 'finish');
      await out.closeOrders();

      const customers = tableSource(opts.dataDir, CUSTOMERS);
      await db.run(sql`CREATE TABLE staged AS SELECT s.*, coalesce(
          (SELECT c.customer_id FROM ${customers} c WHERE c.customer_id = s.customer_id),
          (SELECT min(c.customer_id) FROM ${customers} c WHERE s.customer_id IS NULL AND s.phone IS NOT NULL AND c.phone = s.phone),
          (SELECT min(c.customer_id) FROM ${customers} c WHERE s.customer_id IS NULL AND s.phone IS NULL AND s.email IS NOT NULL AND lower(c.email) = s.email)
        ) AS known_id
        FROM read_json(${sqlString(staged)}, format = 'newline_delimited', columns = {line: 'BIGINT', cells: 'VARCHAR[]',
          customer_id: 'VARCHAR', phone: 'VARCHAR', email: 'VARCHAR', channel: 'VARCHAR', consent: 'BOOLEAN',
          source: 'VARCHAR', given_at: 'TIMESTAMP'}) s`);
      await out.rejectAll(
        db,
        sql`WITH disagree AS (SELECT known_id, channel, given_at FROM staged WHERE known_id IS NOT NULL
            GROUP BY ALL HAVING count(DISTINCT consent) > 1)
          SELECT line, cells, CASE WHEN known_id IS NULL
              THEN 'no customer in the lake with this ' || CASE WHEN customer_id IS NOT NULL THEN 'id' WHEN phone IS NOT NULL THEN 'phone' ELSE 'email' END
              ELSE 'the same customer, channel and time are recorded both given and withdrawn: none of these rows imported' END AS reason
          FROM staged s WHERE known_id IS NULL
            OR EXISTS (SELECT 1 FROM disagree d WHERE d.known_id = s.known_id AND d.channel = s.channel AND d.given_at = s.given_at)
          ORDER BY line`,
      );

      // To the millisecond (sqlTimestamp has whole seconds): it orders records given at the same time.
      const recorded = sqlString(opts.now.toISOString().replace('T', ' ').replace('Z', ''));
      await db.run(sql`CREATE TABLE inc AS
        SELECT DISTINCT known_id AS customer_id, channel, consent, source, given_at, CAST(${recorded} AS TIMESTAMP) AS recorded_at
        FROM staged s WHERE known_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM staged o WHERE o.known_id = s.known_id AND o.channel = s.channel AND o.given_at = s.given_at AND o.consent <> s.consent)`);
      const counts = consentCounts(
        (
          await db.rows(
            sql`SELECT count(*) FILTER (WHERE consent) AS given, count(*) FILTER (WHERE NOT consent) AS withdrawn FROM inc`,
          )
        )[0] ?? {},
      );
      let customersChanged = 0;
      if (counts.given + counts.withdrawn > 0) {
        await db.run(sql`CREATE TABLE all_consents AS
          SELECT ${columnList(CONSENTS)} FROM ${tableSource(opts.dataDir, CONSENTS)}
          UNION ALL SELECT ${columnList(CONSENTS)} FROM inc`);
        // The latest record per customer and channel decides (by when it was given, then recorded); `any`
        // speaks for both channels.
        await db.run(sql`CREATE TABLE latest AS
          SELECT customer_id, ch, arg_max(consent, strftime(given_at, '%Y%m%d%H%M%S%f') || strftime(recorded_at, '%Y%m%d%H%M%S%f')) AS consent
          FROM (SELECT *, unnest(CASE channel WHEN 'any' THEN ['email', 'sms'] ELSE [channel] END) AS ch FROM all_consents)
          GROUP BY customer_id, ch`);
        const customerCols = CUSTOMERS.columns.map((c) =>
          c.name === 'email_consent'
            ? sql`coalesce(e.consent, c.email_consent) AS email_consent`
            : c.name === 'sms_consent'
              ? sql`coalesce(s.consent, c.sms_consent) AS sms_consent`
              : sql`c.${ident(c.name)}`,
        );
        await db.run(sql`CREATE TABLE cust AS SELECT ${joinSql(customerCols)} FROM ${customers} c
          LEFT JOIN latest e ON e.customer_id = c.customer_id AND e.ch = 'email'
          LEFT JOIN latest s ON s.customer_id = c.customer_id AND s.ch = 'sms'`);
        customersChanged =
          await db.count(sql`SELECT count(*) FROM cust n JOIN ${customers} c USING (customer_id)
          WHERE n.email_consent IS DISTINCT FROM c.email_consent OR n.sms_consent IS DISTINCT FROM c.sms_consent`);
        for (const t of ['customers', 'consents']) await mkdir(join(staging, t), { recursive: true });
        await db.run(
          sql`COPY (SELECT * FROM cust ORDER BY customer_id) TO ${sqlString(join(staging, 'customers', 'part-0.parquet'))} (FORMAT parquet)`,
        );
        await db.run(
          sql`COPY (SELECT * FROM all_consents ORDER BY customer_id, given_at) TO ${sqlString(join(staging, 'consents', 'part-0.parquet'))} (FORMAT parquet)`,
        );
        await swapFolders(opts.dataDir, [
          { target: tableDir(opts.dataDir, CUSTOMERS.name), next: join(staging, 'customers') },
          { target: tableDir(opts.dataDir, CONSENTS.name), next: join(staging, 'consents') },
        ]);
      }
      return {
        ...(await out.report(opts.file, csv.encoding, read)),
        customersChanged,
        given: counts.given,
        withdrawn: counts.withdrawn,
      };
    });
  });
}
