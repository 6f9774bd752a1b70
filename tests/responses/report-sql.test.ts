import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { analystViews } from '../../shared/lake/analyst-views.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { campaignFunnelSql, campaignRegionsSql } from '../../shared/responses/attribution-sql.ts';
import { liftEstimatesSql, liftStatsSql } from '../../shared/responses/lift-sql.ts';
import { responseTables } from '../../shared/responses/response-tables.ts';
import { loadDouble11 } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

describe('the report’s SQL', () => {
  it('parses as Trino (Athena) and runs in DuckDB: funnel, regions, lift, the derived tables, every view', async () => {
    const d11 = await loadDouble11();
    const texts: Record<string, Sql> = {
      funnel: campaignFunnelSql([d11], d11),
      regions: campaignRegionsSql([d11], d11),
      lift: liftEstimatesSql(liftStatsSql(d11)),
      ...Object.fromEntries(
        responseTables([d11], 'last-touch', new Date('2026-11-20T00:00:00Z')).map((t) => [
          t.table.name,
          t.sql,
        ]),
      ),
      ...Object.fromEntries(
        analystViews({ rate: 0.2, windowDays: 180, source: "shops' rule of thumb" }).map((v) => [
          `view ${v.name}`,
          v.sql,
        ]),
      ),
    };
    const trino = new TrinoSQL();
    const errors = Object.entries(texts).flatMap(([name, sql]) =>
      trino.validate(sql).map((e) => `${name}: ${e.message}`),
    );
    expect(errors).toEqual([]);
    const wh = await DuckDbWarehouse.open(await writeFixtureLake({ customers: [{ customer_id: 'u1' }] }));
    for (const [name, text] of Object.entries(texts))
      expect({
        name,
        rows: (await wh.query(sql`SELECT count(*) AS n FROM (${text}) q`)).rows.length,
      }).toEqual({
        name,
        rows: 1,
      });
    await wh.close();
  });
});
