import { afterAll, beforeAll, describe } from 'vitest';

/**
 * What an adapter's factory makes for a contract suite: the port under test, a way to stop what it
 * started (a dynalite, an SES server, a temporary folder's files), and whatever else the suite needs to
 * observe the adapter from outside the port (e.g. what a queue producer enqueued).
 */
export interface Made<P> {
  port: P;
  stop: () => Promise<void>;
}

/** One adapter of a port, as a contract suite runs it: a name for the test titles and its factory. */
export interface ContractAdapter<M extends Made<unknown>> {
  name: string;
  make: () => Promise<M>;
}

/**
 * Runs the same tests against every adapter of a port: one `describe` per adapter (titled
 * `<port> contract: <adapter>`), the adapter made once before its tests and stopped after them. The body
 * declares the `it`s; `made()` is the adapter's factory's result (read it inside a test or hook, not
 * while declaring) and `adapter` its name, for the rare per-adapter branch.
 */
export function contractSuite<M extends Made<unknown>>(
  port: string,
  adapters: readonly ContractAdapter<M>[],
  body: (made: () => M, adapter: string) => void,
): void {
  if (adapters.length < 2)
    throw new Error(`${port} contract: a contract suite compares adapters; give it at least two`);
  describe.each(adapters.map((a) => [a.name, a] as const))(`${port} contract: %s`, (name, adapter) => {
    let made: M | null = null;
    beforeAll(async () => {
      made = await adapter.make();
    });
    afterAll(async () => {
      await made?.stop();
      made = null;
    });
    body(() => {
      if (!made)
        throw new Error(`${port} contract: ${name} is used outside its tests (or its factory failed)`);
      return made;
    }, name);
  });
}
