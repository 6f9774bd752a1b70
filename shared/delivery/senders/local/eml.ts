import type { EmailMessage } from '../email-sender.ts';

/** RFC 2047 encoded-word for non-ASCII header text. */
function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** "Name <addr>" with the display name encoded when it is not ASCII. */
function address(value: string): string {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  return m ? `${m[1] ? `${encodeWord(m[1])} ` : ''}<${m[2]}>` : value;
}

function base64Lines(text: string): string {
  return (
    Buffer.from(text, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g)
      ?.join('\r\n') ?? ''
  );
}

/** A complete RFC 5322 message (multipart/alternative, UTF-8, base64 bodies), as an .eml file holds it. */
export function buildEml(m: EmailMessage, date: Date, messageId: string): string {
  const boundary = `=_${messageId}`;
  const headers = [
    `From: ${address(m.from)}`,
    `To: ${m.to}`,
    ...(m.replyTo ? [`Reply-To: ${address(m.replyTo)}`] : []),
    `Subject: ${encodeWord(m.subject.replace(/[\r\n]+/g, ' '))}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${messageId}@outbox.local>`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers).map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}`),
    `X-Campaign: ${m.tags.campaign}`,
    `X-Wave: ${m.tags.wave}`,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  const part = (type: string, body: string) =>
    [
      `--${boundary}`,
      `Content-Type: ${type}; charset=UTF-8`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(body),
    ].join('\r\n');
  return [
    ...headers,
    '',
    ...(m.text ? [part('text/plain', m.text)] : []),
    part('text/html', m.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
