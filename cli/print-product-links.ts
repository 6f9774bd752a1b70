import type { Campaign } from '../shared/campaign/campaign-schema.ts';
import { col, rowDecoder } from '../shared/lake/row-decoder.ts';
import { sql } from '../shared/lake/sql.ts';
import { sqlString, sqlStringList } from '../shared/lake/sql-literals.ts';
import type { Warehouse } from '../shared/lake/warehouse.ts';
import { money, pct } from '../shared/responses/report-format.ts';
import { formatTable } from './output.ts';

export interface ProductLinkRow {
  sku: string;
  name: string;
  clicks: number;
  clickers: number;
  ordersAfterClick: number;
  clickConversion: number | null;
  lineRevenue: number;
}

const productLinkColumns = rowDecoder('the product links (product_click_conversion)', {
  sku: col.text,
  click_source: col.oneOf(['product', 'page']),
  clicks: col.number,
  clickers: col.number,
  orders_after_click: col.number,
  click_conversion: col.optionalNumber,
  line_revenue: col.number,
});

/**
 * The products the campaign's waves link, as the analysts' view product_click_conversion counts them:
 * clicks on each product's own link and the attributed orders with the product that followed. Run after
 * the attribution table is written (campaign report, npm start).
 */
export async function productLinkRows(wh: Warehouse, campaign: Campaign): Promise<ProductLinkRow[]> {
  const names = new Map<string, string>();
  for (const w of campaign.waves) for (const p of w.products ?? []) names.set(p.sku, p.name ?? p.sku);
  if (names.size === 0) return [];
  const { rows } =
    await wh.query(sql`SELECT sku, click_source, clicks, clickers, orders_after_click, click_conversion, line_revenue
FROM product_click_conversion
WHERE campaign_id = ${sqlString(campaign.id)} AND sku IN ${sqlStringList([...names.keys()])}`);
  const bySku = new Map(rows.map(productLinkColumns).map((r) => [r.sku, r]));
  // Every linked product, in the order configured: one nobody clicked or bought shows zeros.
  return [...names].map(([sku, name]) => {
    const r = bySku.get(sku);
    const linked = r?.click_source !== 'page';
    return {
      sku,
      name,
      clicks: linked ? (r?.clicks ?? 0) : 0,
      clickers: linked ? (r?.clickers ?? 0) : 0,
      ordersAfterClick: linked ? (r?.orders_after_click ?? 0) : 0,
      clickConversion: linked ? (r?.click_conversion ?? null) : null,
      lineRevenue: r?.line_revenue ?? 0,
    };
  });
}

/** The per-product table in the terminal (nothing when the campaign links no products). */
export function printProductLinks(rows: readonly ProductLinkRow[], campaign: Campaign): void {
  if (rows.length === 0) return;
  console.log(
    '\nProduct links: clicks on each product’s own link, and attributed orders with it after the click',
  );
  console.log(
    formatTable(
      [
        'product',
        'sku',
        'clicks',
        'clickers',
        'orders after click',
        'click → order',
        'attributed line revenue',
      ],
      rows.map((r) => [
        r.name,
        r.sku,
        r.clicks,
        r.clickers,
        r.ordersAfterClick,
        r.clickConversion === null ? '-' : pct(r.clickConversion),
        money(r.lineRevenue, campaign.currency),
      ]),
    ),
  );
  console.log(
    '  every product, and orders after other touches: campaign sql "SELECT * FROM product_click_conversion"',
  );
}
