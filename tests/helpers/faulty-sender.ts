import type { SendResult } from '../../shared/delivery/senders/send-result.ts';

/** A sender port (email or SMS): sends a batch, one result per message, in order. */
interface Sender<M> {
  send(messages: readonly M[]): Promise<SendResult[]>;
}

export interface Faults {
  /**
   * Calls (numbered from 1) that throw, as a process that died before the provider answered: a call number
   * or a test of it (e.g. a seeded random draw).
   */
  throwAt?: number | ((call: number) => boolean);
  /** Calls whose every message fails with `error` (the provider's answer); the other calls reach the real sender. */
  failAt?: number | ((call: number) => boolean);
  /** The error of a failed message; `Throttled` unless given. */
  error?: string;
  /** Whether a failed message may be tried again (throttling is); true unless given. */
  retryable?: boolean;
}

export interface FaultySender<M> extends Sender<M> {
  /** How many times `send` was called so far. */
  readonly calls: number;
}

const matches = (at: number | ((call: number) => boolean) | undefined, call: number): boolean =>
  typeof at === 'function' ? at(call) : at === call;

/**
 * Wraps a real sender so that chosen calls throw or fail all their messages; every other call is sent by
 * `real`. Throwing is checked before failing, so a call matching both throws.
 */
export function faultySender<M>(real: Sender<M>, faults: Faults): FaultySender<M> {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async send(messages) {
      calls += 1;
      if (matches(faults.throwAt, calls)) {
        throw new Error('simulated crash: the process died before the provider answered');
      }
      if (matches(faults.failAt, calls)) {
        return messages.map(() => ({
          kind: 'failed' as const,
          error: faults.error ?? 'Throttled',
          retryable: faults.retryable ?? true,
        }));
      }
      return real.send(messages);
    },
  };
}
