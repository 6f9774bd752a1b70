import type { SendResult } from './send-result.ts';

/** The email sender port: the rendered message for one recipient, and what became of it. */
export interface EmailMessage {
  sendId: string;
  to: string;
  from: string;
  replyTo?: string | undefined;
  subject: string;
  html: string;
  text?: string | null | undefined;
  headers: Record<string, string>;
  configurationSet?: string | undefined;
  /** Tags the provider echoes in its events, so responses find their send. */
  tags: { campaign: string; wave: string; send: string };
}

export interface EmailSender {
  /** Sends each message; the results are in the same order. Never throws for one message's failure. */
  send(messages: readonly EmailMessage[]): Promise<SendResult[]>;
}
