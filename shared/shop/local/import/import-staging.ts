import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDbSession } from '../../../lake/local/duckdb-session.ts';
import { type Column, col, MISFIT, rowDecoder } from '../../../lake/row-decoder.ts';
import type { Sql } from '../../../lake/sql.ts';
import type { ImportedOrder, RowResult, SourceRow } from './imported-order.ts';
import type { TextEncoding } from './text-encoding.ts';

/**
 * How rows of one order combine. `whole`: each result is a complete order (a Taobao row, a Shopify block,
 * a feed event); copies must agree in everything, items included. `parts`: each result is a part of the
 * order (a mapped row with its one line item); the parts' order fields must agree and the items add up.
 */
export type OrderParts = 'whole' | 'parts';

/** Appends to a file through a stream, waiting when the disk is behind: memory stays at the buffer. */
class FileAppender {
  readonly #out: WriteStream;
  #closed: Promise<void> | null = null;
  constructor(file: string) {
    this.#out = createWriteStream(file);
  }
  async write(text: string): Promise<void> {
    if (!this.#out.write(text)) await once(this.#out, 'drain');
  }
  /** Ends the file once; later calls wait for the same end. */
  close(): Promise<void> {
    this.#closed ??= new Promise((resolve, reject) => {
      this.#out.once('error', reject);
      this.#out.end(resolve);
    });
    return this.#closed;
  }
}

/** One CSV record (RFC 4180: a cell with a quote, comma or line break is quoted, quotes doubled). */
function csvLine(cells: readonly (string | number)[]): string {
  return `${cells
    .map((c) => {
      const v = String(c);
      return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
    })
    .join(',')}\r\n`;
}

const ts = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').replace('Z', '') : null);

/** The order's fields as the lake stores them, and its customer's. */
function orderFields(o: ImportedOrder) {
  const c = o.customer;
  return {
    customer_id: c.customerId,
    created_at: ts(o.createdAt),
    paid_at: ts(o.paidAt),
    shipped_at: ts(o.shippedAt ?? null),
    delivered_at: ts(o.deliveredAt ?? null),
    status: o.status,
    amount: o.amount,
    discount: o.discount,
    channel: o.channel,
    name: c.name,
    nickname: c.nickname,
    birthday: c.birthday ?? null,
    province: c.province,
    city: c.city,
    email: c.email,
    email_consent: c.emailConsent,
    phone: c.phone,
    sms_consent: c.smsConsent,
  };
}

const itemFields = (o: ImportedOrder) =>
  o.items.map((i) => ({
    sku: i.sku,
    name: i.name,
    category: i.category,
    quantity: i.quantity,
    unit_price: i.unitPrice,
  }));

/** A staged row's line (BIGINT: a JS bigint from DuckDB) and cells (VARCHAR[]). */
const lineNumber: Column<number> = {
  expected: 'a line number',
  read: (v) => (typeof v === 'bigint' || typeof v === 'number' ? Number(v) : MISFIT),
};
const cellList: Column<string[]> = {
  expected: 'a list of text',
  read: (v) => (Array.isArray(v) && v.every((c) => typeof c === 'string') ? v : MISFIT),
};
const rejectedRow = rowDecoder('the rows to reject', { line: lineNumber, cells: cellList, reason: col.text });

/** What every import of a file reports, besides its own counts. */
export interface FileImportResult {
  file: string;
  encoding: TextEncoding;
  /** Data rows read; read = imported + rejected, always. */
  read: number;
  imported: number;
  rejected: number;
  rejectsFile: string | null;
  /** The first few rejects (line and reason); all of them are in the rejects file. */
  firstRejects: { line: number; reason: string }[];
}

/**
 * Where an import puts what it reads before anything reaches the lake: every order (or part of one) as a
 * JSON line in the staging folder, every rejected row in the rejects file — both written as the rows
 * stream by, so memory does not grow with the file. Duplicates and conflicts are settled afterwards, in
 * DuckDB, over the staged lines (see resolve-imported.ts).
 */
export class ImportStaging {
  readonly ordersFile: string;
  readonly #orders: FileAppender;
  readonly #rejects: FileAppender;
  readonly #rejectsPartial: string;
  #rejected = 0;
  /** The first few rejects, for the summary; the rest are only in the file. */
  readonly firstRejects: { line: number; reason: string }[] = [];

  readonly rejectsFile: string;
  readonly #parts: OrderParts;

  constructor(staging: string, rejectsFile: string, rejectsHeader: readonly string[], parts: OrderParts) {
    this.rejectsFile = rejectsFile;
    this.#parts = parts;
    this.ordersFile = `${staging}/orders.jsonl`;
    this.#orders = new FileAppender(this.ordersFile);
    // Written in the staging folder (removed with it, even after a kill), moved beside the file at the end.
    this.#rejectsPartial = join(staging, 'rejects.partial.csv');
    this.#rejects = new FileAppender(this.#rejectsPartial);
    void this.#rejects.write(`\uFEFF${csvLine(['line', 'reason', ...rejectsHeader])}`);
  }

  get rejected(): number {
    return this.#rejected;
  }

  async add(r: RowResult): Promise<void> {
    if (!r.ok) return this.reject(r.row, r.reason);
    const fields = r.itemsOnly ? null : orderFields(r.order);
    const items = itemFields(r.order);
    const fingerprint = fields
      ? createHash('sha256')
          .update(JSON.stringify(this.#parts === 'whole' ? [fields, items] : fields))
          .digest('base64url')
      : null;
    await this.#orders.write(
      `${JSON.stringify({
        order_id: r.order.orderId,
        line: r.rows[0]?.line ?? r.order.line,
        version: r.at ?? 0,
        header: fields !== null,
        fp: fingerprint,
        o: fields,
        items,
        src: r.rows.map((row) => ({ line: row.line, cells: row.cells })),
      })}\n`,
    );
  }

  async reject(row: SourceRow, reason: string): Promise<void> {
    this.#rejected++;
    if (this.firstRejects.length < 5) this.firstRejects.push({ line: row.line, reason });
    await this.#rejects.write(csvLine([row.line, reason, ...row.cells]));
  }

  /**
   * Rejects every row `query` returns (`line`, `cells`, `reason`: staged rows and why not), streamed in
   * the query's order; returns how many.
   */
  async rejectAll(db: DuckDbSession, query: Sql): Promise<number> {
    let n = 0;
    for await (const chunk of (await db.stream(query)).yieldRowObjectJs())
      for (const row of chunk) {
        const r = rejectedRow(row);
        await this.reject({ line: r.line, cells: r.cells }, r.reason);
        n++;
      }
    return n;
  }

  /** Closes the staged orders; the rejects stay open for the conflicts found when they are resolved. */
  async closeOrders(): Promise<void> {
    await this.#orders.close();
  }

  /** The rejects file in place when a row was rejected, none otherwise; returns its path or null. */
  async finish(): Promise<string | null> {
    await this.#rejects.close();
    if (this.#rejected === 0) {
      await rm(this.#rejectsPartial, { force: true });
      return null;
    }
    try {
      await rename(this.#rejectsPartial, this.rejectsFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await copyFile(this.#rejectsPartial, this.rejectsFile); // another file system
    }
    return this.rejectsFile;
  }

  /** The rejects file in place (finish), and what the import of `file` reports of its `read` rows. */
  async report(file: string, encoding: TextEncoding, read: number): Promise<FileImportResult> {
    const rejectsFile = await this.finish();
    const rejected = this.#rejected;
    return {
      file,
      encoding,
      read,
      imported: read - rejected,
      rejected,
      rejectsFile,
      firstRejects: this.firstRejects,
    };
  }

  /** Runs an import's work with this staging; if it fails, the partial files are removed (abandon). */
  async within<T>(work: (out: this) => Promise<T>): Promise<T> {
    try {
      return await work(this);
    } catch (e) {
      await this.abandon();
      throw e;
    }
  }

  /** Removes the partial rejects file (the import failed). */
  async abandon(): Promise<void> {
    await this.#rejects.close().catch(() => {});
    await this.#orders.close().catch(() => {});
    await rm(this.#rejectsPartial, { force: true });
  }
}
