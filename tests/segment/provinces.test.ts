import { describe, expect, it } from 'vitest';
import { fullProvinceName, PROVINCES, provinceSpellings } from '../../shared/segment/provinces.ts';

describe('provincial-level divisions', () => {
  it('has all 34, each with a distinct full and short name', () => {
    expect(PROVINCES).toHaveLength(34);
    const names = PROVINCES.flatMap((p) => [p.full, p.short]);
    expect(new Set(names).size).toBe(68);
    for (const p of PROVINCES) expect(p.full.startsWith(p.short)).toBe(true);
  });

  it('takes short names to the full names the lake stores', () => {
    expect(fullProvinceName('广东')).toBe('广东省');
    expect(fullProvinceName('北京')).toBe('北京市');
    expect(fullProvinceName('内蒙古')).toBe('内蒙古自治区');
    expect(fullProvinceName('广西')).toBe('广西壮族自治区');
    expect(fullProvinceName('新疆')).toBe('新疆维吾尔自治区');
    expect(fullProvinceName('西藏')).toBe('西藏自治区');
    expect(fullProvinceName('宁夏')).toBe('宁夏回族自治区');
    expect(fullProvinceName('香港')).toBe('香港特别行政区');
    expect(fullProvinceName('澳门')).toBe('澳门特别行政区');
    expect(fullProvinceName('广东省')).toBe('广东省');
    expect(fullProvinceName(' 广东 ')).toBe('广东省');
  });

  it('leaves other values as written', () => {
    expect(fullProvinceName('海外')).toBe('海外');
    expect(fullProvinceName('广')).toBe('广');
    expect(provinceSpellings('海外')).toEqual(['海外']);
    expect(provinceSpellings("广东' OR '1'='1")).toEqual(["广东' OR '1'='1"]);
  });

  it('matches a province written either way', () => {
    expect(provinceSpellings('广东')).toEqual(['广东省', '广东']);
    expect(provinceSpellings('广东省')).toEqual(['广东省', '广东']);
  });
});
