/**
 * China's 34 provincial-level divisions, by their full name (how addresses and the lake write them,
 * e.g. 广东省) and the short name marketers write (广东). A `region.provinces` value of either form
 * selects the customers stored under either form, so `广东` and `广东省` select the same people whether
 * the shop's data says 广东省 (the sample shop, Taobao exports) or 广东. Anything else (海外, a foreign
 * region) is matched as written.
 */
// biome-ignore format: one division per line reads as the table it is
export const PROVINCES: readonly { full: string; short: string }[] = [
  // municipalities (直辖市)
  { full: '北京市', short: '北京' },
  { full: '天津市', short: '天津' },
  { full: '上海市', short: '上海' },
  { full: '重庆市', short: '重庆' },
  // provinces (省)
  { full: '河北省', short: '河北' },
  { full: '山西省', short: '山西' },
  { full: '辽宁省', short: '辽宁' },
  { full: '吉林省', short: '吉林' },
  { full: '黑龙江省', short: '黑龙江' },
  { full: '江苏省', short: '江苏' },
  { full: '浙江省', short: '浙江' },
  { full: '安徽省', short: '安徽' },
  { full: '福建省', short: '福建' },
  { full: '江西省', short: '江西' },
  { full: '山东省', short: '山东' },
  { full: '河南省', short: '河南' },
  { full: '湖北省', short: '湖北' },
  { full: '湖南省', short: '湖南' },
  { full: '广东省', short: '广东' },
  { full: '海南省', short: '海南' },
  { full: '四川省', short: '四川' },
  { full: '贵州省', short: '贵州' },
  { full: '云南省', short: '云南' },
  { full: '陕西省', short: '陕西' },
  { full: '甘肃省', short: '甘肃' },
  { full: '青海省', short: '青海' },
  { full: '台湾省', short: '台湾' },
  // autonomous regions (自治区)
  { full: '内蒙古自治区', short: '内蒙古' },
  { full: '广西壮族自治区', short: '广西' },
  { full: '西藏自治区', short: '西藏' },
  { full: '宁夏回族自治区', short: '宁夏' },
  { full: '新疆维吾尔自治区', short: '新疆' },
  // special administrative regions (特别行政区)
  { full: '香港特别行政区', short: '香港' },
  { full: '澳门特别行政区', short: '澳门' },
];

const BY_NAME = new Map(PROVINCES.flatMap((p) => [[p.full, p] as const, [p.short, p] as const]));

/** The full name of a province written either way (广东 → 广东省); any other value as it is. */
export function fullProvinceName(name: string): string {
  return BY_NAME.get(name.trim())?.full ?? name;
}

/** Every way the data may write the province a value names: [full, short], or the value alone. */
export function provinceSpellings(name: string): string[] {
  const p = BY_NAME.get(name.trim());
  return p ? [p.full, p.short] : [name];
}
