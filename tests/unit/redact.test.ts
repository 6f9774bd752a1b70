import { describe, expect, it } from 'vitest';
import { redactPersonalData } from '../../shared/redact.ts';

describe('redactPersonalData', () => {
  it('masks email addresses and phone numbers, and leaves ids, dates and counts alone', () => {
    expect(
      redactPersonalData(
        'MessageRejected: Email address is not verified: wang.xm+d11@example.com.cn; +86 138-1234-5678 and 13812345678 failed',
      ),
    ).toBe('MessageRejected: Email address is not verified: <email>; <phone> and <phone> failed');
    expect(redactPersonalData('send d11/w1/c00001234 failed after 4 attempts on 2026-11-11')).toBe(
      'send d11/w1/c00001234 failed after 4 attempts on 2026-11-11',
    );
  });
});
