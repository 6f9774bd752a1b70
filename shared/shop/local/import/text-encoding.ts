import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { DataError } from '../../../errors.ts';

/** The encodings exports come in that an import reads; anything else is refused before a row is read. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

const CHUNK = 1 << 16;

async function* chunks(file: string): AsyncGenerator<Buffer> {
  try {
    await stat(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) yield chunk as Buffer;
}

/**
 * Tells the file's encoding from its bytes, in one streaming pass (memory stays at one chunk): a UTF-16
 * byte-order mark → UTF-16; valid UTF-8 → UTF-8; else GBK as Taobao's seller centre writes it (decoded as
 * its superset GB18030) when the bytes are GBK text. Anything else — Latin-1/Windows-1252, UTF-16 without
 * a byte-order mark, binary — is refused with the line where it shows, never read as mojibake.
 */
export async function detectEncoding(file: string): Promise<TextEncoding> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  let validUtf8 = true;
  let line = 1;
  let bom = false;
  for await (const chunk of chunks(file)) {
    if (first) {
      first = false;
      if (chunk[0] === 0xff && chunk[1] === 0xfe) return 'utf-16le';
      if (chunk[0] === 0xfe && chunk[1] === 0xff) return 'utf-16be';
      bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
      const nul = chunk.subarray(0, 4096).filter((b) => b === 0).length;
      if (nul * 4 > Math.min(chunk.length, 4096))
        throw new DataError(
          `${file}:1: ${NUL_BYTES}: it looks like UTF-16 without a byte-order mark. ${SAVE_AS_UTF8}; nothing was imported`,
        );
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0)
      throw new DataError(
        `${file}:${line + newlines(chunk.subarray(0, nul))}: ${NUL_IN_TEXT}; nothing was imported`,
      );
    line += newlines(chunk);
    try {
      utf8.decode(chunk, { stream: true });
    } catch {
      validUtf8 = false;
      break;
    }
  }
  if (validUtf8) {
    try {
      utf8.decode();
      return 'utf-8';
    } catch {
      // a truncated sequence at the very end: not UTF-8
    }
  }
  if (bom)
    throw new DataError(
      `${file}:${await firstNonUtf8Line(file)}: not UTF-8, though the file starts with UTF-8's byte-order mark: this line is in another encoding (GBK?). ${SAVE_AS_UTF8}; nothing was imported`,
    );
  const scan = new GbkScan();
  for await (const chunk of chunks(file)) scan.push(chunk);
  const verdict = scan.verdict();
  if (verdict) throw new DataError(`${file}:${verdict.line}: ${verdict.message}; nothing was imported`);
  return 'gb18030';
}

const NUL_BYTES = 'the file has NUL bytes';
const SAVE_AS_UTF8 = 'Save it as UTF-8 (Excel: "CSV UTF-8") and import again';
const NUL_IN_TEXT = `${NUL_BYTES}: it is not a text export. ${SAVE_AS_UTF8}`;

function newlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * The line where a file stops being UTF-8 (line feeds are never part of a UTF-8 sequence, so each line is
 * checked on its own); a line longer than a record can be is where it stops.
 */
async function firstNonUtf8Line(file: string): Promise<number> {
  let line = 1;
  let rest = Buffer.alloc(0);
  for await (const chunk of chunks(file)) {
    const bytes = Buffer.concat([rest, chunk]);
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
      if (!isUtf8(bytes.subarray(start, nl))) return line;
      line++;
      start = nl + 1;
    }
    rest = bytes.subarray(start);
    if (rest.length > 1 << 20) return line;
  }
  return line;
}

/** The file's text, decoded chunk by chunk (a byte-order mark is dropped). */
export async function* decodedText(file: string, encoding: TextEncoding): AsyncGenerator<string> {
  if (encoding === 'gb18030') {
    const decoder = iconv.getDecoder('gb18030');
    for await (const chunk of chunks(file)) yield decoder.write(chunk);
    const rest = decoder.end();
    if (rest) yield rest;
    return;
  }
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks(file)) yield decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Reads bytes as GBK/GB18030 and keeps score: double-byte characters in GB2312's rows (the 6,763 common
 * hanzi and the symbols, what Chinese text is made of) against the rest (GBK's rare extensions, four-byte
 * GB18030) and bytes that are no GBK at all. Latin-1 text read this way is mostly "rare" pairs (an accented
 * letter followed by an ASCII one) or invalid bytes (an accented letter before a comma).
 */
class GbkScan {
  #common = 0;
  #rare = 0;
  #line = 1;
  #pending: number[] = [];
  #first: { line: number; bytes: number[] } | null = null;
  #invalid: { line: number; bytes: number[] } | null = null;
  #nul: number | null = null;

  push(chunk: Buffer): void {
    for (const b of chunk) this.#byte(b);
  }

  #byte(b: number): void {
    const p = this.#pending;
    if (p.length === 0) {
      if (b < 0x80) {
        if (b === 0x0a) this.#line++;
        if (b === 0) this.#nul ??= this.#line;
      } else if (b === 0x80 || b === 0xff) this.#bad([b]);
      else p.push(b);
      return;
    }
    const lead = p[0] as number;
    if (p.length === 1) {
      if (b >= 0x30 && b <= 0x39) p.push(b);
      else if ((b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfe)) {
        if (lead >= 0xa1 && lead <= 0xf7 && b >= 0xa1) this.#common++;
        else this.#seeRare([lead, b]);
        this.#pending = [];
      } else {
        this.#pending = [];
        this.#bad([lead, b]);
        this.#byte(b);
      }
      return;
    }
    const ok = p.length === 2 ? b >= 0x81 && b <= 0xfe : b >= 0x30 && b <= 0x39;
    if (!ok) {
      this.#pending = [];
      this.#bad([...p, b]);
      if (b < 0x80) this.#byte(b);
      return;
    }
    p.push(b);
    if (p.length === 4) {
      this.#seeRare(p);
      this.#pending = [];
    }
  }

  #seeRare(bytes: number[]): void {
    this.#rare++;
    this.#first ??= { line: this.#line, bytes: [...bytes] };
  }

  #bad(bytes: number[]): void {
    this.#invalid ??= { line: this.#line, bytes };
  }

  /** Null when the bytes read as GBK text; else where and why not. */
  verdict(): { line: number; message: string } | null {
    const hex = (bytes: number[]) => bytes.map((b) => `0x${b.toString(16).toUpperCase()}`).join(' ');
    const advice =
      'it looks like Latin-1/Windows-1252 or another single-byte encoding. Save it as UTF-8 (Excel: "CSV UTF-8") and import again';
    if (this.#pending.length > 0) this.#bad(this.#pending);
    if (this.#nul !== null) return { line: this.#nul, message: NUL_IN_TEXT };
    if (this.#invalid)
      return {
        line: this.#invalid.line,
        message: `not UTF-8 and not GBK (bytes ${hex(this.#invalid.bytes)}): ${advice}`,
      };
    if (this.#first && this.#rare * 10 > this.#common + this.#rare)
      return {
        line: this.#first.line,
        message: `not UTF-8, and as GBK ${this.#rare} of ${this.#common + this.#rare} characters would be rare ones (first: bytes ${hex(this.#first.bytes)}): ${advice}`,
      };
    return null;
  }
}
