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
    expect(readFileSync(`${path}.snapshot`, 'utf8')).toBe('["k","v2"]\n');
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
});
