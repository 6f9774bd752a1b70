import { describe, expect, it } from 'vitest';
import { smsLength } from '../../shared/delivery/sms-segments.ts';

describe('smsLength', () => {
  it('counts Chinese text in UCS-2: 70 in one segment, 67 per segment when concatenated', () => {
    expect(smsLength('字'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength('字'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(smsLength('字'.repeat(134)).segments).toBe(2);
    expect(smsLength('字'.repeat(135)).segments).toBe(3);
  });

  it('counts plain Latin text in GSM-7: 160 in one segment, 153 per segment when concatenated', () => {
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('a'.repeat(161)).segments).toBe(2);
    expect(smsLength('a'.repeat(306)).segments).toBe(2);
    expect(smsLength('a'.repeat(307)).segments).toBe(3);
  });

  it('counts GSM extension characters twice and switches to UCS-2 for anything outside GSM', () => {
    expect(smsLength('€[]').units).toBe(6);
    expect(smsLength('abc 好').encoding).toBe('UCS-2');
    expect(smsLength('😀').units).toBe(2);
    expect(smsLength('').segments).toBe(0);
  });
});
