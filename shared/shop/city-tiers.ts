import { joinSql, type Sql, sql } from '../lake/sql.ts';
import { sqlString, sqlStringList } from '../lake/sql-literals.ts';

/**
 * City tiers (城市等级) as the shops' reports use them: 1 = 一线, 2 = 新一线, 3 = 二线, 4 = 三线,
 * 5 = 四线及以下. One table for the sample shop (shared/shop/local/generate/reference-data.ts places customers in
 * these cities) and for imports (the customer's city from the address sets customers.city_tier).
 * Tiers 1 and 2 are the 4 一线 and the 15 新一线 cities of 第一财经·新一线城市研究所's 《2025新一线城市魅力
 * 排行榜》 (published 2025-05-28: 成都, 杭州, 重庆, 武汉, 苏州, 西安, 南京, 长沙, 郑州, 天津, 合肥, 青岛, 东莞,
 * 宁波, 佛山; 沈阳 and 无锡 are 二线 there). Tiers 3–5 follow the same ranking's lower bands as compiled for
 * the sample shop and were not checked city by city against it. A city not in the table has no tier
 * (NULL), and an import counts those. Overseas cities of the sample shop are tier 1, as it has always written them.
 */

/** Tier → city names (without the 市 suffix). */
// biome-ignore format: one tier per line group reads as the table it is
const BY_TIER: Record<1 | 2 | 3 | 4 | 5, readonly string[]> = {
  1: ['北京', '上海', '广州', '深圳', '香港', '新加坡', '洛杉矶', '伦敦', '悉尼'],
  2: ['成都', '杭州', '重庆', '苏州', '武汉', '西安', '南京', '长沙', '天津', '郑州', '东莞', '宁波', '青岛',
    '合肥', '佛山'],
  3: ['沈阳', '无锡', '昆明', '济南', '厦门', '福州', '温州', '哈尔滨', '石家庄', '大连', '南宁', '泉州', '金华',
    '贵阳', '常州', '长春', '南昌', '南通', '嘉兴', '徐州', '惠州', '太原', '台州', '绍兴', '保定', '中山',
    '潍坊', '临沂', '珠海', '烟台', '兰州', '唐山', '洛阳', '汕头', '乌鲁木齐', '呼和浩特', '海口', '宜昌',
    '襄阳'],
  4: ['廊坊', '扬州', '盐城', '镇江', '江门', '湖州', '揭阳', '漳州', '邯郸', '芜湖', '阜阳', '济宁', '银川',
    '沧州', '菏泽', '泰州', '淮安', '西宁', '遵义', '湛江', '南阳', '商丘', '肇庆', '新乡', '清远',
    '淄博', '株洲', '岳阳', '衡阳', '连云港', '桂林', '柳州', '蚌埠', '上饶', '宿迁', '三亚', '九江', '邢台',
    '许昌', '信阳', '驻马店', '咸阳', '包头', '梅州', '德州', '大庆', '滁州', '宁德', '莆田', '常德', '宿州',
    '绵阳', '鞍山', '六安', '泰安', '威海', '宜春', '安庆', '东营', '赣州', '荆州', '宜宾', '南充', '宝鸡',
    '大同', '运城', '齐齐哈尔', '吉林', '曲靖', '拉萨', '开封', '平顶山', '焦作', '安阳', '日照', '聊城',
    '滨州', '枣庄', '秦皇岛', '张家口', '马鞍山', '龙岩', '郴州', '茂名', '榆林', '鄂尔多斯', '赤峰', '锦州',
    '营口', '德阳', '泸州', '临汾', '长治', '晋中', '渭南', '十堰', '孝感', '黄冈', '吉安'],
  5: ['丽水', '周口', '大理', '昌吉', '天水', '衢州', '舟山', '三明', '南平', '抚州', '景德镇', '萍乡', '新余', '鹰潭',
    '邵阳', '永州', '益阳', '娄底', '怀化', '张家界', '湘潭', '黄石', '荆门', '鄂州', '咸宁', '随州', '恩施',
    '玉林', '北海', '梧州', '贵港', '百色', '钦州', '防城港', '河池', '贺州', '来宾', '崇左', '汕尾', '河源',
    '阳江', '韶关', '潮州', '云浮', '汉中', '安康', '商洛', '延安', '铜川', '通辽', '乌兰察布', '巴彦淖尔',
    '乌海', '呼伦贝尔', '丹东', '抚顺', '本溪', '盘锦', '辽阳', '铁岭', '朝阳', '葫芦岛', '阜新', '四平',
    '通化', '白山', '松原', '白城', '辽源', '牡丹江', '佳木斯', '鸡西', '鹤岗', '双鸭山', '伊春', '七台河',
    '黑河', '绥化', '阳泉', '晋城', '朔州', '忻州', '吕梁', '乐山', '自贡', '达州', '内江', '遂宁', '眉山',
    '广安', '资阳', '攀枝花', '广元', '雅安', '巴中', '六盘水', '安顺', '毕节', '铜仁', '玉溪', '红河',
    '昭通', '保山', '丽江', '普洱', '临沧', '楚雄', '文山', '西双版纳', '德宏', '嘉峪关', '金昌', '白银',
    '武威', '张掖', '平凉', '酒泉', '庆阳', '定西', '陇南', '石嘴山', '吴忠', '固原', '中卫', '海东',
    '克拉玛依', '吐鲁番', '哈密', '库尔勒', '阿克苏', '喀什', '伊宁', '石河子', '日喀则', '林芝', '淮北',
    '淮南', '铜陵', '黄山', '亳州', '池州', '宣城', '衡水', '承德', '莱芜', '鹤壁', '濮阳', '漯河', '三门峡',
    '儋州', '澳门'],
};

/** A city as addresses write it → the table's key: trimmed, without 市 / 地区 / 盟 / 自治州, lower case. */
export function cityKey(name: string): string {
  return name
    .trim()
    .replace(/(市|地区|盟|自治州)$/, '')
    .toLowerCase();
}

/** Names shops export in Latin letters (Shopify's shipping city) for the first two tiers. */
// biome-ignore format: a table
const PINYIN: Record<string, string> = {
  beijing: '北京', shanghai: '上海', guangzhou: '广州', shenzhen: '深圳', 'hong kong': '香港', chengdu: '成都',
  hangzhou: '杭州', chongqing: '重庆', suzhou: '苏州', wuhan: '武汉', "xi'an": '西安', xian: '西安',
  nanjing: '南京', changsha: '长沙', tianjin: '天津', zhengzhou: '郑州', dongguan: '东莞', ningbo: '宁波',
  qingdao: '青岛', hefei: '合肥', foshan: '佛山', shenyang: '沈阳', singapore: '新加坡',
};

const TIERS = new Map<string, number>();
for (const [tier, cities] of Object.entries(BY_TIER))
  for (const city of cities) TIERS.set(cityKey(city), Number(tier));
for (const [latin, city] of Object.entries(PINYIN)) TIERS.set(latin, TIERS.get(cityKey(city)) as number);

/** Municipalities, whose addresses may give the province where the city goes (北京 朝阳区 …). */
const MUNICIPALITIES = new Set(['北京', '上海', '天津', '重庆']);

/** The tier of a city (1–5), from the address's city, or a municipality's province; null if not known. */
export function cityTier(province: string | null, city: string | null): number | null {
  const byCity = city ? TIERS.get(cityKey(city)) : undefined;
  if (byCity !== undefined) return byCity;
  const p = province ? cityKey(province) : '';
  return MUNICIPALITIES.has(p) ? (TIERS.get(p) ?? null) : null;
}

/** The table as rows: [key, tier]. */
export function cityTierRows(): [string, number][] {
  return [...TIERS.entries()];
}

/** cityKey in DuckDB SQL, over a string expression. */
export function cityKeySql(expr: Sql): Sql {
  return sql`lower(regexp_replace(trim(${expr}), '(市|地区|盟|自治州)$', ''))`;
}

/**
 * DuckDB SQL for `(province, city)` expressions → the tier, as cityTier does, against a table `city_tiers`
 * (key, tier) created with cityTierTableSql.
 */
export function cityTierSql(province: Sql, city: Sql): Sql {
  const municipality = sql`CASE WHEN ${cityKeySql(province)} IN ${sqlStringList([...MUNICIPALITIES])} THEN ${cityKeySql(province)} END`;
  return sql`coalesce(
    (SELECT t.tier FROM city_tiers t WHERE t.key = ${cityKeySql(city)}),
    (SELECT t.tier FROM city_tiers t WHERE t.key = ${municipality}))`;
}

/** Creates the table `city_tiers(key, tier)` that cityTierSql reads. */
export function cityTierTableSql(): Sql {
  const rows = cityTierRows().map(([key, tier]) => sql`(${sqlString(key)}, ${tier})`);
  return sql`CREATE OR REPLACE TEMP TABLE city_tiers AS SELECT * FROM (VALUES ${joinSql(rows)}) v(key, tier)`;
}
