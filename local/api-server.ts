import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { configOf } from '../shared/api/campaign-api.ts';
import { listAll } from '../shared/api/campaign-store.ts';
import { JournalCampaignStore } from '../shared/api/local/journal-campaign-store.ts';
import { JournalIdempotencyStore } from '../shared/api/local/journal-idempotency-store.ts';
import { LocalWaveScheduler } from '../shared/api/local/local-wave-scheduler.ts';
import {
  type ApiRequest,
  apiKeyAuthenticator,
  handleApiRequest,
  MAX_BODY_BYTES,
  type RouterDeps,
} from '../shared/api/router.ts';
import type { ContactPolicy } from '../shared/campaign/contact-policy-schema.ts';
import { ManualClock, realTimeline, simulatedTimeline, systemClock } from '../shared/clock.ts';
import { type DataFolderLock, lockDataFolder, tookOverLine } from '../shared/data-folder-lock.ts';
import { statePaths } from '../shared/delivery/local/local-adapters.ts';
import { DuckDbWarehouse } from '../shared/lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../shared/lake/local/staged-parquet-writer.ts';
import type { TableWriter } from '../shared/lake/table-writer.ts';
import { EVENTS, SENDS, SUPPRESSIONS } from '../shared/lake/tables.ts';
import { openLocalDelivery } from './local-delivery.ts';

export interface ServeOptions {
  dataDir: string;
  port: number;
  host?: string;
  apiKey: string;
  policy: ContactPolicy;
  log: (line: string) => void;
  /** Run launched waves at once on a simulated clock (each at its start), instead of waiting for it. */
  simulated?: boolean;
}

export interface RunningServer {
  url: string;
  scheduler: LocalWaveScheduler;
  close(): Promise<void>;
}

/** A table writer whose rows are queryable at once: a click or an unsubscribe is one row at a time. */
function flushing(writer: StagedParquetWriter): TableWriter {
  return {
    append: async (rows) => {
      await writer.append(rows);
      await writer.flush();
    },
    flush: () => writer.flush(),
  };
}

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

/**
 * `campaign serve`: the campaign API's router on a real HTTP server, over the local adapters — the
 * embedded campaign and idempotency stores, DuckDB, the local delivery (waves run on the wall clock by the
 * local scheduler) and the link endpoints. Waves left scheduled or running by an earlier server are
 * scheduled again (a wave that ran already sends nothing twice).
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  // The server holds the data folder while it runs (a `campaign run` beside it is refused, and so is a
  // second server), and took it before it touched anything.
  const lock = lockDataFolder(opts.dataDir, `campaign serve${opts.simulated ? ' --simulated' : ''}`);
  if (lock.tookOverFrom) opts.log(tookOverLine(lock.tookOverFrom));
  try {
    return await serveLocked(opts, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function serveLocked(opts: ServeOptions, lock: DataFolderLock): Promise<RunningServer> {
  const paths = statePaths(opts.dataDir);
  // Ledger rows, events and suppressions a crashed process left staged (see docs/delivery.md).
  for (const table of [SENDS, EVENTS, SUPPRESSIONS])
    await StagedParquetWriter.recoverStaged(opts.dataDir, table);
  const warehouse = await DuckDbWarehouse.open(opts.dataDir);
  // Simulated: the delivery's clock is set to each wave's start when the wave runs (see LocalWaveScheduler).
  const simulated = opts.simulated ? new ManualClock(new Date(0)) : null;
  const timeline = simulated ? simulatedTimeline(simulated) : realTimeline();
  const local = openLocalDelivery(opts.dataDir, timeline.clock, {}, true);
  const store = new JournalCampaignStore(join(paths.dir, 'api-campaigns'));
  const idempotency = new JournalIdempotencyStore(join(paths.dir, 'api-idempotency'), systemClock);
  const scheduler = new LocalWaveScheduler({
    store,
    local,
    warehouse,
    dataDir: opts.dataDir,
    policy: opts.policy,
    log: opts.log,
    timeline,
    simulated,
  });
  const deps: RouterDeps = {
    api: {
      store,
      scheduler,
      warehouse,
      dialect: 'duckdb',
      runs: local.runs,
      policy: opts.policy,
      clock: systemClock,
    },
    idempotency,
    links: {
      links: local.links,
      secret: local.linkSecret,
      clock: systemClock,
      ingest: {
        events: flushing(new StagedParquetWriter(opts.dataDir, EVENTS)),
        suppressions: flushing(new StagedParquetWriter(opts.dataDir, SUPPRESSIONS)),
        contacts: local.contacts,
      },
    },
    authenticate: apiKeyAuthenticator(opts.apiKey),
    log: (message, detail) => opts.log(`${message} ${JSON.stringify(detail)}`),
  };

  // Waves an earlier server left scheduled or running.
  for (const c of await listAll(store)) {
    const again = Object.entries(c.waves).filter(([, s]) => s === 'scheduled' || s === 'running');
    if (again.length === 0) continue;
    const waves = Object.fromEntries(again.map(([id]) => [id, 'scheduled' as const]));
    await store.put({ ...c, waves: { ...c.waves, ...waves } }, c.version);
    await scheduler.schedule(
      configOf(c),
      again.map(([id]) => id),
    );
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    let status = 500;
    try {
      let body: string | null;
      try {
        body = await readBody(req);
      } catch (e) {
        if (!(e instanceof BodyTooLargeError)) throw e;
        status = 413;
        res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
        res.end(
          `${JSON.stringify({ errors: [{ path: '', message: `the body is over ${MAX_BODY_BYTES} bytes` }] })}\n`,
        );
        return;
      }
      const request: ApiRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
        ),
        body,
      };
      const out = await handleApiRequest(deps, request);
      status = out.status;
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    } catch (e) {
      opts.log(`internal error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(`${JSON.stringify({ errors: [{ path: '', message: 'internal error' }] })}\n`);
    } finally {
      // Paths hold ids and link codes, never an address.
      opts.log(`${req.method} ${url.pathname} ${status} ${Date.now() - started} ms`);
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    scheduler,
    close: async () => {
      scheduler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await scheduler.idle();
      await Promise.all([store.close(), idempotency.close(), local.close(), warehouse.close()]);
      lock.release();
    },
  };
}
