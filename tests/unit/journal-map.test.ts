import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalMap, StoreInUseError } from '../../shared/delivery/local/journal-map.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'journal-')), 'state');

describe('JournalMap (the embedded stores’ engine)', () => {
  it('is durable without close: a new process reads the journal, and a line cut short by a crash is ignored', () => {
    const path = fresh();
    const a = new JournalMap(path);
    a.set([
      ['c1', '{"n":1}'],
      ['c2', '{"n":2}'],
    ]);
    a.set([
      ['c1', '{"n":3}'],
      ['c2', null],
    ]);
    // The process dies: no close, no compaction; its lock is left behind, and a half-written line.
    appendFileSync(`${path}.journal`, '["c9","{\\"n\\"');
    writeFileSync(`${path}.lock`, '999999999');
    const b = new JournalMap(path);
    expect(b.get('c1')).toBe('{"n":3}');
    expect(b.get('c2')).toBeUndefined();
    expect(b.get('c9')).toBeUndefined();
    expect(b.size).toBe(1);
    b.close();
  });

  it('compacts into a snapshot on close, and refuses a second writer while one is open', () => {
    const path = fresh();
    const a = new JournalMap(path);
    a.set([['k', 'v1']]);
    expect(() => new JournalMap(path)).toThrow(StoreInUseError);
    const reader = new JournalMap(path, { mode: 'read-only' });
    expect(reader.get('k')).toBe('v1');
    expect(() => reader.set([['k', 'x']])).toThrow(/read-only/);
    a.set([['k', 'v2']]);
    a.close();
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('');
    expect(readFileSync(`${path}.snapshot`, 'utf8')).toBe('"k"\tv2\n');
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(new JournalMap(path, { mode: 'read-only' }).get('k')).toBe('v2');
  });

  it('append-only writers keep nothing in memory; the next reader sees what they wrote', () => {
    const path = fresh();
    const w = new JournalMap(path, { mode: 'append-only' });
    w.set([['code1', 'link1']]);
    expect(() => w.get('code1')).toThrow(/append-only/);
    w.close();
    expect(new JournalMap(path, { mode: 'read-only' }).get('code1')).toBe('link1');
  });

  it('reads lines in either form, keeps values with line breaks, and ignores a value cut short', () => {
    const path = fresh();
    // Lines as earlier versions wrote them (a JSON array per entry), then this version's.
    writeFileSync(`${path}.snapshot`, '["old","{\\"n\\":1}"]\n["gone","x"]\n');
    const a = new JournalMap(path);
    expect(a.get('old')).toBe('{"n":1}');
    a.set([
      ['gone', null],
      ['multi', 'line one\nline\ttwo\r'],
      ['tab\tkey', '{"n":2}'],
    ]);
    // The process dies in the middle of a line: the value is cut short and must not be taken as written.
    appendFileSync(`${path}.journal`, '"old"\t{"n":9');
    writeFileSync(`${path}.lock`, '999999999');
    const b = new JournalMap(path);
    expect(b.get('old')).toBe('{"n":1}');
    expect(b.get('gone')).toBeUndefined();
    expect(b.get('multi')).toBe('line one\nline\ttwo\r');
    expect(b.get('tab\tkey')).toBe('{"n":2}');
    // The next writer cuts the unfinished line off before appending, so the two are not read as one.
    b.set([['after', 'crash']]);
    const c = new JournalMap(path, { mode: 'read-only' });
    expect(Object.fromEntries([...c.keys()].map((k) => [k, c.get(k)]))).toEqual({
      old: '{"n":1}',
      multi: 'line one\nline\ttwo\r',
      'tab\tkey': '{"n":2}',
      after: 'crash',
    });
    b.close();
  });
});
