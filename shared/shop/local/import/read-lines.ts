/** A line of a text file; a line longer than the limit is cut there and marked, never held whole. */
export interface TextLine {
  line: number;
  text: string;
  tooLong: boolean;
}

/**
 * Splits decoded text into lines (\n or \r\n) as it streams by. Memory holds at most `maxChars` of one
 * line: the rest of a longer line is skipped, and the line is yielded cut, with `tooLong` set.
 */
export async function* boundedLines(text: AsyncIterable<string>, maxChars: number): AsyncGenerator<TextLine> {
  let line = 1;
  let current = '';
  let tooLong = false;
  const emit = (): TextLine => {
    const t = current.endsWith('\r') ? current.slice(0, -1) : current;
    const out = { line, text: t, tooLong };
    line++;
    current = '';
    tooLong = false;
    return out;
  };
  for await (const chunk of text) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', from);
      const piece = nl === -1 ? chunk.slice(from) : chunk.slice(from, nl);
      if (!tooLong) {
        current += piece;
        if (current.length > maxChars) {
          current = current.slice(0, maxChars);
          tooLong = true;
        }
      }
      if (nl === -1) break;
      yield emit();
      from = nl + 1;
    }
  }
  if (current || tooLong) yield emit();
}
