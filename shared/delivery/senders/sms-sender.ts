import type { SendResult } from './send-result.ts';

/** The SMS sender port. The text is final: signature and opt-out line already in it. */
export interface SmsMessage {
  sendId: string;
  /** E.164, e.g. +8613800000000. */
  phone: string;
  text: string;
  senderId?: string | undefined;
  messageType: 'Promotional' | 'Transactional';
  tags: { campaign: string; wave: string; send: string };
}

export interface SmsSender {
  /** Sends each message; the results are in the same order. Never throws for one message's failure. */
  send(messages: readonly SmsMessage[]): Promise<SendResult[]>;
}
