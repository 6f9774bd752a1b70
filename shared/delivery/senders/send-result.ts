/** What became of one message handed to a provider (email, SMS, call list): the senders' common result. */
export type SendResult =
  | { kind: 'sent'; messageId: string }
  | { kind: 'failed'; error: string; retryable: boolean };
